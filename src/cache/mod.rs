//! The local cache: SQLite store, the sync engine and the write journal.

pub mod lock;
pub mod store;
pub mod sync;

pub use lock::WriterLock;
pub use store::members::MemberDelta;
pub use store::{CacheError, JournalEntry, Store, SyncState, Synced, off_thread};

/// Where the cache keeps a list: a collection (`users`), or one group's members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CacheKey {
    Collection(String),
    Members(String),
}
