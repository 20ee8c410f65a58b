//! Who and where: the session's profile, tenant, mode and the accounts never to lock out.

/// Who and where: shown in the status bar.
#[derive(Clone, Debug)]
pub struct Context {
    pub profile: String,
    pub tenant: String,
    pub read_only: bool,
    /// Why step-up cannot work with this sign-in (ready token, app-only), if it cannot.
    pub step_up_blocker: Option<String>,
    /// Profiles `:ctx` can switch to.
    pub profiles: Vec<String>,
    /// `--offline`: the cache only, no network, no writes.
    pub offline: bool,
    /// Accounts never to lock out (UPNs or object ids, from the profile).
    pub break_glass: Vec<String>,
    /// The audit's waivers and annotations file (`--waivers`, or the profile's).
    pub waivers: Option<std::path::PathBuf>,
    /// Where `S` in a confirm saves change plans (the data folder's `plans`), if there is one.
    pub plans: Option<std::path::PathBuf>,
    /// The profile's `require_approval` patterns: those writes are only saved as plans.
    pub require_approval: Vec<String>,
    /// The Graph root this session talks to (`https://graph.microsoft.com`, a national
    /// cloud's, or the demo's): reference writes name objects under it.
    pub graph: String,
}
