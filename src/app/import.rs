//! `:import FILE` on a group's members: the bulk-import CSV added from the console. A dry run
//! first shows every row's outcome; Enter then adds the rows marked "would be added" and the
//! report shows what Graph answered; the members list is read again.

pub use crate::bulk::ReportLine;
use crate::msg::RequestId;

/// An import in progress.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub request: Option<RequestId>,
    pub group_id: String,
    pub group_name: String,
    pub path: String,
    pub report: Vec<ReportLine>,
    /// The report is of the real run (not the dry run).
    pub applied: bool,
    pub error: Option<String>,
}
