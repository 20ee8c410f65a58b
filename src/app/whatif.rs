//! What If from the console: `:whatif USER [key=value ...]` (or `w`, prefilled with the selected
//! user) opens every policy evaluated for that sign-in, with Graph's answer beside it.

use super::view::{ListView, View};
use super::{App, Effect, Overlay, Palette, RequestId};
use crate::blades::{ListSource, ObjectKind};
use crate::ca::whatif::{WhatIfQuery, WhatIfResult};

impl App {
    /// Run What If for the typed query in a new list.
    pub fn what_if(&mut self, text: &str) -> Vec<Effect> {
        match WhatIfQuery::parse(text) {
            Ok(query) => {
                self.stack.truncate(1);
                self.stack
                    .push(View::List(ListView::new(ListSource::WhatIf { query })));
                self.reload_top()
            }
            Err(e) => {
                self.toast(e, true);
                Vec::new()
            }
        }
    }

    /// `w`: the palette with `whatif ` and the selected user, ready for more conditions.
    pub fn open_what_if_prompt(&mut self) {
        let user = match self.top() {
            View::List(l) => l.table.selected().and_then(|r| {
                let open = l.source.open(&r.object())?;
                (open.kind == ObjectKind::User)
                    .then(|| r.object()["userPrincipalName"].as_str().map(str::to_string))
                    .flatten()
            }),
            View::Detail(d) if d.target.kind == ObjectKind::User => d
                .object
                .as_ref()
                .and_then(|o| o["userPrincipalName"].as_str().map(str::to_string)),
            _ => None,
        };
        let input = match user {
            Some(u) => format!("whatif {u} app=All"),
            None => "whatif ".to_string(),
        };
        self.overlay = Overlay::Palette(Palette {
            input,
            selected: 0,
            cursor: None,
        });
        self.dirty = true;
    }

    pub(super) fn on_what_if(&mut self, id: RequestId, result: Result<WhatIfResult, String>) {
        let now = self.now;
        let mut notes = Vec::new();
        if let Some(View::List(l)) = self.view_for(id) {
            l.load.loading = false;
            l.load.request = None;
            match result {
                Ok(res) => {
                    l.table.set_rows(crate::blades::whatif::rows(&res));
                    l.load.loaded_at = Some(now);
                    l.load.error = None;
                    notes.extend(res.notes.clone());
                    if let Some(e) = &res.online_error {
                        notes.push(format!("Graph's What If: {e}"));
                    }
                }
                Err(e) => l.load.error = Some(e),
            }
        }
        if !notes.is_empty() {
            self.toast(notes.join("; "), false);
        }
        self.dirty = true;
    }
}
