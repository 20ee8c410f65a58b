//! `Msg` (results and events coming into the app) and `Effect` (work the app asks for).

use crate::graph::{GraphError, Page, Request, RetryNotice};
use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;
use serde_json::Value;

/// Identifies one request; a result whose id is no longer awaited is dropped (latest wins).
pub type RequestId = u64;

/// Something that happened: a key, a tick of the clock, or the result of an effect.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    /// The terminal was resized: redraw.
    Resize,
    /// Clock tick (time is injected, so tests control it).
    Tick(DateTime<Utc>),
    /// What the cache holds for a list request (shown before the live pages).
    Cached {
        id: RequestId,
        items: Vec<Value>,
        as_of: Option<DateTime<Utc>>,
    },
    /// A chunk of a large cached list, its rows already built off the UI task; the first
    /// chunk replaces what is shown, the others add to it.
    CachedRows {
        id: RequestId,
        rows: Vec<crate::widgets::table::TableRow>,
        first: bool,
        last: bool,
        as_of: Option<DateTime<Utc>>,
    },
    /// One page of a collection request.
    Page {
        id: RequestId,
        page: Page,
    },
    /// A single object.
    Object {
        id: RequestId,
        object: Value,
    },
    /// A request finished; `error` says why it stopped early.
    Done {
        id: RequestId,
        error: Option<GraphError>,
    },
    /// The Graph client is waiting to retry (throttling, a 503, a dropped connection).
    Retrying(RetryNotice),
    /// Protected actions, contexts and policies were read.
    Facts {
        id: RequestId,
        facts: Result<crate::protect::Facts, GraphError>,
    },
    /// Role facts were read.
    Roles {
        id: RequestId,
        roles: Result<crate::roles::RoleFacts, GraphError>,
    },
    /// The answer to an [`Effect::Check`].
    Checked {
        id: RequestId,
        result: Result<serde_json::Value, GraphError>,
    },
    /// The findings of the last audit kept in the cache (the JSON report's `findings`), and
    /// when its reads were made.
    CachedFindings {
        items: Vec<Value>,
        at: String,
    },
    /// A large table's filter, scored off the UI task.
    Filtered(crate::widgets::table::Filtered),
    /// What a list joins to its rows was read (or why not, in words).
    Joined {
        id: RequestId,
        join: &'static crate::blades::join::Join,
        result: Result<crate::blades::join::Joined, String>,
    },
    /// Licence facts were read (a part that failed is named inside).
    Licences {
        id: RequestId,
        facts: crate::licensing::LicenceFacts,
    },
    /// Principals found for the picker.
    SearchResults {
        id: RequestId,
        results: Result<Vec<Value>, GraphError>,
    },
    /// Users resolved to object ids (break-glass accounts for `:protect`).
    Resolved {
        id: RequestId,
        ids: Result<Vec<String>, GraphError>,
    },
    /// A write was answered.
    WriteDone {
        id: RequestId,
        result: Result<Written, GraphError>,
    },
    /// A device code flow for step-up started: show the code.
    DeviceCode {
        id: RequestId,
        code: crate::auth::oauth::DeviceCode,
    },
    /// `:ctx` connected the new profile (the run loop swaps the client, then the app resets);
    /// only the last `:ctx` asked is applied.
    Switched(RequestId, Switch),
    /// `:ctx` failed.
    SwitchFailed(RequestId, String),
    /// The lockout guard's accounts were read.
    Guard {
        id: RequestId,
        facts: crate::ca::guard::GuardFacts,
    },
    /// Names for ids in policies.
    Names {
        id: RequestId,
        names: crate::ca::load::NameRead,
    },
    /// A What If run finished.
    WhatIf {
        id: RequestId,
        result: Result<crate::ca::whatif::WhatIfResult, String>,
    },
    /// Something the admin must know that belongs to no request (a damaged cache).
    Notice(String),
    /// The cache failed its integrity check: a badge stays in the status bar.
    CacheDamaged(String),
    /// Re-authentication ended: the new token's `acrs`, or why not.
    StepUpDone {
        id: RequestId,
        result: Result<Vec<String>, crate::auth::step_up::StepUpFailure>,
    },
    /// The report of a bulk add (or why the file could not be read).
    BulkReport {
        id: RequestId,
        /// Every row's outcome and the writes sent (to journal), or why the file was not read.
        result: Result<(Vec<crate::bulk::ReportLine>, Vec<crate::bulk::Sent>), String>,
        dry_run: bool,
    },
}

/// Work for the runtime; results come back as `Msg`s carrying the same id.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Stream every page of a collection (cached first, written through, when it has a key).
    FetchPages {
        id: RequestId,
        request: Request,
        cache: Option<crate::cache::CacheKey>,
        /// The list's source: a cached collection's rows are built from it off the UI task,
        /// a chunk at a time.
        rows: Option<crate::blades::ListSource>,
    },
    /// Read every page of each request into one list, one part after another (a part that
    /// fails is named; the others are still read).
    FetchParts {
        id: RequestId,
        requests: Vec<Request>,
    },
    /// The journal of this console's writes, from the cache (never from Graph).
    LoadJournal { id: RequestId },
    /// Compute a list from reads that depend on each other (its objects as a JSON array).
    ComputeList {
        id: RequestId,
        computed: crate::blades::Computed,
        key: String,
    },
    /// Read one JSON answer for a check made before a write is offered (its `Msg::Checked`
    /// goes to the check that asked).
    Check { id: RequestId, request: Request },
    /// Compute a page from several reads (xray).
    Compute {
        id: RequestId,
        computed: crate::blades::Computed,
        key: String,
    },
    /// Fetch one object.
    FetchObject {
        id: RequestId,
        request: Request,
        cache: Option<(String, String)>,
    },
    /// Record a write in the journal.
    Journal(Box<crate::cache::JournalEntry>),
    /// Put text on the clipboard (OSC 52, works over SSH).
    Copy(String),
    /// Bulk-add the members a CSV names to a group (`dry_run`: report only).
    BulkAdd {
        id: RequestId,
        group_id: String,
        path: String,
        dry_run: bool,
    },
    /// Read protected actions, auth contexts and CA policies.
    LoadFacts { id: RequestId },
    /// Read role definitions, assignments, eligibility and role-group members.
    LoadRoles { id: RequestId },
    /// Read subscribed SKUs and licensed groups.
    LoadLicences { id: RequestId },
    /// Read what a list joins to its rows (risk on Users).
    Join {
        id: RequestId,
        join: &'static crate::blades::join::Join,
    },
    /// Score a large table's filter on a blocking thread.
    Filter(crate::widgets::table::FilterJob),
    /// Judge the audit kept in the cache (no network), for badges before the Findings blade
    /// runs; the profile's break-glass accounts.
    LoadCachedFindings {
        break_glass: Vec<String>,
        waivers: Option<std::path::PathBuf>,
    },
    /// Search users and groups by name (the picker).
    Search { id: RequestId, query: String },
    /// Resolve UPNs (or ids) to user object ids.
    Resolve { id: RequestId, keys: Vec<String> },
    /// Read the administrative units (assignment scopes).
    /// Send a write.
    /// Send a write; `reveal`: the field of Graph's answer that holds a secret to show once.
    Write {
        id: RequestId,
        request: Request,
        reveal: Option<&'static str>,
    },
    /// Re-authenticate with these claims: refresh first, then a device code flow.
    StepUp { id: RequestId, claims: String },
    /// Read the break-glass accounts and the signed-in admin with their memberships.
    LoadGuard {
        id: RequestId,
        accounts: Vec<String>,
    },
    /// Read names for these directory object ids (and, `everything`, for roles, locations,
    /// strengths and contexts).
    LoadNames {
        id: RequestId,
        ids: Vec<String>,
        everything: bool,
    },
    /// Evaluate the policies for a sign-in (offline), and ask Graph too when online.
    WhatIf {
        id: RequestId,
        query: crate::ca::whatif::WhatIfQuery,
    },
    /// Stop the work of a request (a device code flow being cancelled).
    Cancel(RequestId),
    /// Connect another profile (`:ctx NAME`).
    SwitchProfile { id: RequestId, name: String },
}

/// A new connection for `:ctx` (the run loop takes the client, the app the context).
pub struct Switch(
    pub Box<crate::connect::Connection>,
    pub crate::session::Context,
);

impl std::fmt::Debug for Switch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Switch({})", self.1.profile)
    }
}

/// A write Graph accepted: its request-id and the secret its answer carried, when asked for.
#[derive(Debug, Default)]
pub struct Written {
    pub request_id: Option<String>,
    pub secret: Option<crate::graph::Secret>,
}
