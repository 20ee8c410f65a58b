//! The local cache: SQLite store, the sync engine and the write journal.

pub mod store;
pub mod sync;

pub use store::{CacheError, JournalEntry, Store, SyncState, off_thread};
