//! Reading what the app keeps per tenant (roles, names, protection facts) into
//! `app::tenant::TenantState`.

use crate::app::App;
use crate::app::tenant::Loadable;
use crate::app::view::View;
use crate::msg::RequestId;

impl App {
    /// Role facts arrived: a roles list shows them, a page waiting for them gets them.
    pub(crate) fn on_roles(
        &mut self,
        id: RequestId,
        roles: Result<crate::roles::RoleFacts, crate::graph::GraphError>,
    ) {
        let now = self.now;
        let for_detail = self.tenant.roles.request() == Some(id);
        self.dirty = true;
        match (roles, self.view_for(id)) {
            (Ok(f), Some(View::List(l))) => {
                l.table.set_rows(l.source.rows_from_roles(&f));
                l.load = crate::app::view::LoadState {
                    loaded_at: Some(now),
                    live: true,
                    error: l.source.roles_problem(&f),
                    ..Default::default()
                };
                self.tenant.roles = Loadable::Ready(f);
            }
            (Ok(f), _) if for_detail => self.tenant.roles = Loadable::Ready(f),
            (Err(e), Some(View::List(l))) => {
                l.load.loading = false;
                l.load.request = None;
                l.load.error = Some(e.to_string());
            }
            // A user's or group's page says why its roles are missing (it showed "loading…").
            (Err(e), _) if for_detail => {
                tracing::warn!("cannot read roles: {e}");
                self.tenant.roles = Loadable::Failed(e.to_string());
            }
            _ => {}
        }
    }
}
