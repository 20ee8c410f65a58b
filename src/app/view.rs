//! The views on the blade stack: lists and object details, with their loading state.

use crate::blades::{ListSource, ObjectRef};
use crate::msg::RequestId;
use crate::widgets::table::ObjectTable;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// Progress of the data behind a view.
#[derive(Clone, Debug, Default)]
pub struct LoadState {
    /// The request whose results this view accepts; others are stale.
    pub request: Option<RequestId>,
    pub loading: bool,
    pub error: Option<String>,
    pub loaded_at: Option<DateTime<Utc>>,
    pub count: Option<u64>,
    /// A live page of the current request arrived (cached rows no longer apply).
    pub live: bool,
    /// The rows shown come from the cache.
    pub from_cache: bool,
}

/// A table of objects (a blade's list, or a sub-list such as a group's members).
#[derive(Debug)]
pub struct ListView {
    pub source: ListSource,
    pub table: Box<ObjectTable>,
    pub load: LoadState,
    /// The filter prompt has focus.
    pub editing: bool,
    /// Where the cursor is in the filter (`None`: at the end).
    pub filter_cursor: crate::widgets::input::Cursor,
}

impl ListView {
    pub fn new(source: ListSource) -> Self {
        let table = Box::new(ObjectTable::new(source.columns()));
        ListView {
            source,
            table,
            load: LoadState::default(),
            editing: false,
            filter_cursor: None,
        }
    }
}

/// Which face of an object is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DetailTab {
    Properties,
    Json,
}

/// One object's page.
#[derive(Debug)]
pub struct DetailView {
    pub target: ObjectRef,
    pub object: Option<Value>,
    pub tab: DetailTab,
    pub scroll: u16,
    pub load: LoadState,
}

impl DetailView {
    pub fn new(target: ObjectRef) -> Self {
        DetailView {
            target,
            object: None,
            tab: DetailTab::Properties,
            scroll: 0,
            load: LoadState::default(),
        }
    }
}

/// An entry of the blade stack (breadcrumbs are the stack's titles).
#[derive(Debug)]
pub enum View {
    List(ListView),
    Detail(DetailView),
}

impl View {
    pub fn title(&self) -> String {
        match self {
            View::List(l) => l.source.title(),
            View::Detail(d) => crate::sanitize::clean(&d.target.name),
        }
    }

    pub fn load(&self) -> &LoadState {
        match self {
            View::List(l) => &l.load,
            View::Detail(d) => &d.load,
        }
    }

    pub fn load_mut(&mut self) -> &mut LoadState {
        match self {
            View::List(l) => &mut l.load,
            View::Detail(d) => &mut d.load,
        }
    }
}
