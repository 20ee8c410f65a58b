//! `:import FILE` on a group's members: read the CSV, show the dry run, add the rows on Enter
//! (state: `app::import`).

use crate::app::import::{Import, ReportLine};
use crate::app::{App, Effect, Overlay, RequestId};

impl App {
    /// `:import FILE`: a dry run of the file against the group whose members are on top.
    pub fn start_import(&mut self, path: &str) -> Vec<Effect> {
        let Some(crate::app::members::GroupList {
            id: group_id,
            name: group_name,
            object: group,
            relation: crate::blades::groups::Relation::Members,
        }) = self.members_group()
        else {
            self.toast("open a group's members first (m), then :import FILE", true);
            return Vec::new();
        };
        if self.ctx.read_only {
            self.toast("read-only mode: writes are disabled", true);
            return Vec::new();
        }
        if let Some(why) = crate::blades::member_verbs::membership_refusal(group.as_ref()) {
            self.toast(why, true);
            return Vec::new();
        }
        let path = path.trim().to_string();
        if path.is_empty() {
            self.toast(":import FILE (the admin center's bulk-import CSV)", true);
            return Vec::new();
        }
        let id = self.fresh_id();
        self.import = Some(Import {
            request: Some(id),
            group_id: group_id.clone(),
            group_name,
            path: path.clone(),
            report: Vec::new(),
            applied: false,
            error: None,
        });
        self.overlay = Overlay::Import { scroll: 0 };
        self.dirty = true;
        vec![Effect::BulkAdd {
            id,
            group_id,
            path,
            dry_run: true,
        }]
    }

    /// The report of a run.
    pub(crate) fn on_bulk_report(
        &mut self,
        id: RequestId,
        result: Result<(Vec<ReportLine>, Vec<crate::bulk::Sent>), String>,
        dry_run: bool,
    ) -> Vec<Effect> {
        let profile = self.ctx.profile.clone();
        let Some(imp) = self.import.as_mut().filter(|i| i.request == Some(id)) else {
            return Vec::new();
        };
        imp.request = None;
        imp.applied = !dry_run;
        // Each write sent is journaled like the console's other writes.
        let mut effects: Vec<Effect> = Vec::new();
        match result {
            Ok((lines, sent)) => {
                imp.report = lines;
                effects.extend(sent.into_iter().map(|(method, path, body, answer)| {
                    Effect::Journal(Box::new(crate::cache::JournalEntry::of_write(
                        &profile,
                        method.as_str(),
                        path,
                        Some(body.to_string()),
                        answer,
                    )))
                }));
            }
            Err(e) => imp.error = Some(e),
        }
        self.dirty = true;
        if !dry_run {
            // The members list shows what Graph has now.
            let added = self.import.as_ref().map_or(0, |i| {
                i.report.iter().filter(|l| l.outcome == "added").count()
            });
            self.toast(
                format!("{added} members added (the report stays open)"),
                false,
            );
            effects.extend(self.reload_top());
        }
        effects
    }

    /// Keys while the report is open: Enter applies a dry run, Esc closes, j/k scroll.
    pub(crate) fn import_key(&mut self, code: crossterm::event::KeyCode) -> Vec<Effect> {
        use crossterm::event::KeyCode;
        let Overlay::Import { scroll } = &mut self.overlay else {
            return Vec::new();
        };
        self.dirty = true;
        let max = self.overlay_scroll_max.get();
        match code {
            KeyCode::Down | KeyCode::Char('j') => *scroll = scroll.saturating_add(1).min(max),
            KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
            KeyCode::PageDown => *scroll = scroll.saturating_add(10).min(max),
            KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
            KeyCode::Enter => {
                let ready = self.import.as_ref().is_some_and(|i| {
                    i.request.is_none() && !i.applied && i.report.iter().any(|l| l.adds)
                });
                if ready {
                    let id = self.fresh_id();
                    if let Some(i) = self.import.as_mut() {
                        i.request = Some(id);
                        return vec![Effect::BulkAdd {
                            id,
                            group_id: i.group_id.clone(),
                            path: i.path.clone(),
                            dry_run: false,
                        }];
                    }
                }
            }
            KeyCode::Esc | KeyCode::Char('q') => {
                // A run in flight finishes; its report is dropped.
                self.overlay = Overlay::None;
                self.import = None;
            }
            _ => {}
        }
        Vec::new()
    }
}
