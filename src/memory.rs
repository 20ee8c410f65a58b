//! Handing freed heap back to the system once a large list is built: the parsed objects of a
//! 100k-row list are freed after their rows are made, but glibc keeps the pages (RSS) unless told.

/// Return free heap pages to the system (glibc; other allocators return them on their own).
pub fn release() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; no pointer is passed.
    unsafe {
        libc::malloc_trim(0);
    }
}
