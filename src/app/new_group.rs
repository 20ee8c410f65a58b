//! A new group put together in one flow: its kind (and rule), then its owners and, for
//! assigned membership, its members, picked by name and bound in the create.

/// A new group being put together: its kind, and the owners and members picked for it (ids and
/// names), bound in the create (`owners@odata.bind`, `members@odata.bind`).
#[derive(Clone, Debug, PartialEq)]
pub struct GroupDraft {
    pub name: String,
    pub m365: bool,
    pub rule: Option<String>,
    pub owners: Vec<(String, String)>,
    pub members: Vec<(String, String)>,
    /// Picking owners (else members).
    pub owners_phase: bool,
    /// Going on with fewer than two owners was said once (the next empty Enter goes on).
    pub few_owners_said: bool,
}

/// Graph binds at most 20 owners and members together in a create (group-post-groups.md).
pub const CREATE_BINDS: usize = 20;

impl GroupDraft {
    pub(crate) fn title(&self) -> String {
        let names = |l: &[(String, String)]| {
            if l.is_empty() {
                "none yet".to_string()
            } else {
                l.iter()
                    .map(|(_, n)| crate::sanitize::clean(n))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        if self.owners_phase {
            format!(
                "Owners of \"{}\" (two or more; picked: {}): a name, Enter searches and picks; \
                 Enter on an empty line goes on",
                crate::sanitize::clean(&self.name),
                names(&self.owners)
            )
        } else {
            format!(
                "Members of \"{}\" (picked: {}): a name, Enter searches and picks; Enter on an \
                 empty line creates",
                crate::sanitize::clean(&self.name),
                names(&self.members)
            )
        }
    }
}
