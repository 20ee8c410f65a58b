//! The local cache: SQLite store, the sync engine and the write journal.

pub mod lock;
pub mod store;
pub mod sync;

pub use lock::WriterLock;
pub use store::{CacheError, JournalEntry, Store, SyncState, off_thread};
