//! Resolve a run: the profile, the Graph and authority URLs, and the credential (demo tenant,
//! ready token, stored device-code sign-in, app-only secret or the Azure CLI).

use crate::Failure;
use crate::auth::oauth::OAuth;
use crate::auth::session::Session;
use crate::auth::store::TokenStore;
use crate::auth::{AccessToken, Credential};
use crate::cache::Store;
use crate::cli::Cli;
use crate::clock::TokioClock;
use crate::config::{Cloud, ConfigFile, DEFAULT_CLIENT_ID, LoginMethod, Paths, Profile};
#[cfg(feature = "demo")]
use crate::demo;
use crate::graph::{GraphClient, GraphConfig};
use std::sync::Arc;
#[cfg(feature = "demo")]
use std::time::Duration;

/// The demo tenant's domain, shown in the status bar.
pub const DEMO_TENANT: &str = "tailspindemo.onmicrosoft.com";

/// Everything a run needs to talk to Graph.
pub struct Connection {
    pub client: GraphClient,
    pub profile_name: String,
    pub profile: Profile,
    pub tenant_label: String,
    /// For sign-in and step-up.
    pub oauth: Option<OAuth>,
    pub read_only: bool,
    /// Keeps the in-process demo tenant alive.
    pub server: Option<DemoHandle>,
    /// The profile's cache (cache first, then refresh).
    pub store: Option<Arc<Store>>,
    /// Why the cache could not be opened (the console runs without it).
    pub cache_warning: Option<String>,
    pub offline: bool,
    /// The private copy of a review package's snapshot, removed when the run ends.
    pub package: Option<Arc<crate::package::TempCopy>>,
}

impl Connection {
    /// Accounts never to lock out: the profile's, or the demo tenant's emergency accounts.
    pub fn break_glass(&self) -> Vec<String> {
        if self.profile_name == "demo" && self.profile.break_glass.is_empty() {
            vec![
                "bg-admin01@tailspindemo.onmicrosoft.com".into(),
                "bg-admin02@tailspindemo.onmicrosoft.com".into(),
            ]
        } else {
            self.profile.break_glass.clone()
        }
    }
}

/// The cache file of a run: `--cache FILE` or the profile's file in the data dir.
pub fn cache_path(cli: &Cli, paths: Option<&Paths>, profile: &str) -> Option<std::path::PathBuf> {
    cli.global
        .cache
        .clone()
        .or_else(|| paths.map(|p| p.cache_file(profile)))
}

/// Keeps an in-process demo tenant serving while it is held.
pub type DemoHandle = Box<dyn std::any::Any + Send + Sync>;

#[cfg(feature = "demo")]
pub fn demo_options(cli: &Cli) -> demo::DemoOptions {
    demo::DemoOptions {
        scale: demo::store::Scale {
            users: cli.demo.users,
            groups: cli.demo.groups,
            seed: cli.demo.seed.unwrap_or(1),
        },
        latency: Duration::from_millis(cli.demo.latency_ms.unwrap_or(0)),
        throttle: cli.demo.throttle,
        fault_rate: cli.demo.fault_rate.unwrap_or(0.0),
        fault_after_rate: cli.demo.fault_after_rate.unwrap_or(0.0),
        step_up: cli.demo.step_up.unwrap_or(demo::identity::StepUpMode::Pass),
        no_p2: cli.demo.no_p2,
        ..Default::default()
    }
}

/// Start the demo tenant of `--demo` or `demo-server` (on `addr`, or any loopback port): its
/// URL, the handle that keeps it serving, and the refresh token it accepts.
#[cfg(feature = "demo")]
pub async fn start_demo(
    cli: &Cli,
    addr: Option<std::net::SocketAddr>,
) -> Result<(String, DemoHandle, &'static str), Failure> {
    let mut opts = demo_options(cli);
    if let Some(a) = addr {
        opts.addr = a;
    }
    let server = demo::start(opts).await.map_err(Failure::error)?;
    Ok((
        server.url(),
        Box::new(server),
        demo::identity::DEMO_REFRESH_TOKEN,
    ))
}

/// This build has no demo tenant: `--demo` and `demo-server` say so.
#[cfg(not(feature = "demo"))]
pub async fn start_demo(
    _cli: &Cli,
    _addr: Option<std::net::SocketAddr>,
) -> Result<(String, DemoHandle, &'static str), Failure> {
    Err(Failure::error(
        "this build has no demo tenant (it was built without the `demo` feature)",
    ))
}

/// The profile named on the command line (or the default one).
pub fn profile(cli: &Cli, paths: Option<&Paths>) -> Result<(String, Profile), Failure> {
    if cli.global.demo || cli.global.profile.as_deref() == Some("demo") {
        return Ok(("demo".into(), Profile::default()));
    }
    let file = match (&cli.global.config, paths) {
        (Some(f), _) => ConfigFile::load(f),
        (None, Some(p)) => ConfigFile::load(&p.config_file()),
        (None, None) => Ok(ConfigFile::default()),
    }
    .map_err(Failure::error)?;
    file.profile(cli.global.profile.as_deref())
        .map_err(Failure::error)
}

/// The delegated read permissions a read-only profile asks for, and nothing that writes
/// (README "Read-only"): directory objects, policies, roles, risk, sign-in and audit logs,
/// the organization.
pub const READ_SCOPES: &[&str] = &[
    "Directory.Read.All",
    "Policy.Read.All",
    "RoleManagement.Read.Directory",
    "RoleManagementPolicy.Read.Directory",
    "IdentityRiskyUser.Read.All",
    "IdentityRiskEvent.Read.All",
    "AuditLog.Read.All",
    "Organization.Read.All",
];

/// What a sign-in asks for: the app's consented permissions (`.default`), or for a read-only
/// profile only the read permissions it needs.
pub fn scope_for(cloud: Cloud, read_only: bool) -> String {
    let graph = cloud.graph_url();
    let asked = if read_only {
        READ_SCOPES
            .iter()
            .map(|s| format!("{graph}/{s}"))
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        format!("{graph}/.default")
    };
    format!("{asked} offline_access openid profile")
}

/// The token endpoint client of a profile (or of the demo tenant).
pub fn oauth_for(cli: &Cli, profile: &Profile, demo_url: Option<&str>) -> Result<OAuth, Failure> {
    let cloud = cli.global.cloud.or(profile.cloud).unwrap_or(Cloud::Global);
    let authority = match demo_url {
        Some(u) => u.to_string(),
        None => cli
            .global
            .authority_url
            .clone()
            .or(profile.authority_url.clone())
            .unwrap_or_else(|| cloud.authority_url().to_string()),
    };
    let tenant = if demo_url.is_some() {
        DEMO_TENANT.to_string()
    } else {
        profile
            .tenant
            .clone()
            .unwrap_or_else(|| "organizations".into())
    };
    let client_id = profile
        .client_id
        .clone()
        .unwrap_or_else(|| DEFAULT_CLIENT_ID.into());
    let read_only = cli.global.read_only || profile.read_only;
    OAuth::new(
        &authority,
        &tenant,
        &client_id,
        &scope_for(cloud, read_only),
    )
    .map_err(|e| Failure::error(e.to_string()))
}

/// Resolve the credential and build the Graph client for this run.
pub async fn connect(cli: &Cli, paths: Option<&Paths>) -> Result<Connection, Failure> {
    let (profile_name, mut profile) = profile(cli, paths)?;
    // `--waivers` over the profile's: the audit and the Findings blade read `profile.waivers`.
    if let Some(w) = &cli.global.waivers {
        profile.waivers = Some(w.clone());
    }
    let cache = cache_path(cli, paths, &profile_name);
    // A review package opens offline and read-only whatever else was asked, from a private
    // copy of its snapshot, once every byte is verified.
    if let Some(path) = cache.as_ref().filter(|p| crate::package::is_package(p)) {
        let v = crate::package::verify(path)
            .map_err(|e| Failure::error(format!("{}: {e}", path.display())))?;
        let store = Store::open(&v.copy.db, false).map_err(|e| Failure::error(e.to_string()))?;
        return Ok(Connection {
            client: offline_client()?,
            profile_name,
            profile,
            tenant_label: crate::package::label(path, &v.manifest),
            oauth: None,
            read_only: true,
            server: None,
            store: Some(Arc::new(store)),
            cache_warning: None,
            offline: true,
            package: Some(Arc::new(v.copy)),
        });
    }
    if cli.global.offline {
        // Never open a socket: no demo server, no sign-in, the cache must exist.
        let path =
            cache.ok_or_else(|| Failure::error("--offline needs a cache file (--cache FILE)"))?;
        let store = Store::open(&path, false).map_err(|e| Failure::error(e.to_string()))?;
        return Ok(Connection {
            client: offline_client()?,
            profile_name,
            profile,
            tenant_label: format!("cache {}", path.display()),
            oauth: None,
            read_only: true,
            server: None,
            store: Some(Arc::new(store)),
            cache_warning: None,
            offline: true,
            package: None,
        });
    }
    let clock = Arc::new(TokioClock::default());
    let mut read_only = cli.global.read_only || profile.read_only;
    let (url, credential, server, oauth, tenant_label) = if cli.global.demo {
        let (demo_url, server, refresh_token) = start_demo(cli, None).await?;
        let oauth = oauth_for(cli, &profile, Some(&demo_url))?;
        let session = Session::delegated(oauth.clone(), refresh_token.into(), None, clock);
        (
            demo_url,
            Credential::Session(Arc::new(session)),
            Some(server),
            Some(oauth),
            DEMO_TENANT.to_string(),
        )
    } else {
        let cloud = cli.global.cloud.or(profile.cloud);
        let url = crate::config::graph_url(
            cli.global
                .graph_url
                .as_deref()
                .or(profile.graph_url.as_deref()),
            cloud,
        );
        let oauth = oauth_for(cli, &profile, None)?;
        let tenant_label = profile.tenant.clone().unwrap_or_else(|| {
            url::Url::parse(&url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_default()
        });
        let credential = match std::env::var("ENTRA_CONSOLE_ACCESS_TOKEN") {
            Ok(t) if !t.trim().is_empty() => Credential::Static(AccessToken::new(t.trim())),
            _ => match profile.method {
                Some(LoginMethod::ClientSecret) => {
                    let var = profile
                        .client_secret_env
                        .clone()
                        .unwrap_or_else(|| "ENTRA_CONSOLE_CLIENT_SECRET".into());
                    let secret = std::env::var(&var).map_err(|_| {
                        Failure::error(format!(
                            "profile {profile_name}: the client secret variable {var} is not set"
                        ))
                    })?;
                    // App-only sign-in is for read-only audits.
                    read_only = true;
                    Credential::Session(Arc::new(Session::app_only(oauth.clone(), secret, clock)))
                }
                Some(LoginMethod::AzCli) => {
                    let (token, _) = crate::auth::az::token(profile.tenant.as_deref())
                        .await
                        .map_err(Failure::error)?;
                    Credential::Static(token)
                }
                Some(LoginMethod::DeviceCode) | None => {
                    match paths.map(|p| TokenStore::for_profile(&p.data_dir, &profile_name)) {
                        Some(store) => match store.load() {
                            Some(saved) => Credential::Session(Arc::new(Session::delegated(
                                oauth.clone(),
                                saved.refresh_token,
                                Some(store),
                                clock,
                            ))),
                            None => Credential::Missing(format!(
                                "run `entra-console login` (profile {profile_name}), or set ENTRA_CONSOLE_ACCESS_TOKEN, or use --demo"
                            )),
                        },
                        None => Credential::Missing(
                            "no data directory for the token file; set ENTRA_CONSOLE_ACCESS_TOKEN"
                                .into(),
                        ),
                    }
                }
            },
        };
        (url, credential, None, Some(oauth), tenant_label)
    };
    let client = GraphClient::new(GraphConfig {
        base_url: url,
        read_only,
        credential,
        limits: profile.limits(),
    })
    .map_err(|e| Failure::error(e.to_string()))?;
    let (store, cache_warning) = match cache.map(|p| Store::open(&p, true)) {
        Some(Ok(s)) => {
            // The tenant the cache is for, when it is known (a snapshot import compares it).
            let tenant = if cli.global.demo {
                Some(tenant_label.clone())
            } else {
                profile.tenant.clone()
            };
            if let Some(t) = tenant
                && let Err(e) = s.set_tenant(&t)
            {
                tracing::warn!("{e}");
            }
            (Some(Arc::new(s)), None)
        }
        Some(Err(e)) => (None, Some(format!("cache unavailable: {e}"))),
        None => (None, None),
    };
    Ok(Connection {
        client,
        profile_name,
        profile,
        tenant_label,
        oauth,
        read_only,
        server,
        store,
        cache_warning,
        offline: false,
        package: None,
    })
}

/// The client of an offline run: it never opens a socket, and refuses every write.
fn offline_client() -> Result<GraphClient, Failure> {
    Ok(GraphClient::new(GraphConfig {
        base_url: "http://127.0.0.1:9".into(),
        read_only: true,
        credential: Credential::Missing("offline".into()),
        limits: crate::graph::Limits::default(),
    })
    .map_err(|e| Failure::error(e.to_string()))?
    .offline())
}

/// Profiles `:ctx` offers: those in config.toml, plus `demo`.
pub fn profile_names(cli: &Cli, paths: Option<&Paths>) -> Vec<String> {
    let file = match (&cli.global.config, paths) {
        (Some(f), _) => ConfigFile::load(f).unwrap_or_default(),
        (None, Some(p)) => ConfigFile::load(&p.config_file()).unwrap_or_default(),
        (None, None) => ConfigFile::default(),
    };
    let mut names: Vec<String> = file.profiles.keys().cloned().collect();
    names.push("demo".into());
    names
}

/// Builds the connection of another profile for `:ctx`, with the profiles `:ctx` offers.
pub type Connector = Arc<
    dyn Fn(String) -> futures::future::BoxFuture<'static, Result<(Connection, Vec<String>), String>>
        + Send
        + Sync,
>;

/// A connector for this command line: same flags, another profile (`demo` is the demo tenant).
pub fn connector(cli: &Cli, paths: Option<Paths>) -> Connector {
    let cli = cli.clone();
    Arc::new(move |name: String| {
        let mut cli = cli.clone();
        let paths = paths.clone();
        Box::pin(async move {
            cli.global.demo = name == "demo";
            cli.global.profile = if cli.global.demo { None } else { Some(name) };
            let conn = connect(&cli, paths.as_ref()).await.map_err(|f| f.message)?;
            let profiles = profile_names(&cli, paths.as_ref());
            Ok((conn, profiles))
        })
    })
}

/// The session context of a connection (the console's status bar).
impl crate::session::Context {
    /// The status-bar context of a connection.
    pub fn of(conn: &crate::connect::Connection, profiles: Vec<String>) -> crate::session::Context {
        crate::session::Context {
            profile: conn.profile_name.clone(),
            tenant: conn.tenant_label.clone(),
            read_only: conn.read_only,
            step_up_blocker: conn
                .client
                .credential()
                .step_up_impossible()
                .map(str::to_string),
            profiles,
            offline: conn.offline,
            break_glass: conn.break_glass(),
            waivers: conn.profile.waivers.clone(),
            plans: None,
            require_approval: conn.profile.require_approval.clone(),
            graph: conn
                .client
                .base_url()
                .as_str()
                .trim_end_matches('/')
                .to_string(),
        }
    }
}

#[cfg(test)]
mod scope_tests {
    use super::*;

    #[test]
    fn a_read_only_profile_asks_only_for_reads() {
        let s = scope_for(Cloud::Global, true);
        assert!(s.contains("https://graph.microsoft.com/Directory.Read.All"));
        assert!(!s.contains("Write") && !s.contains(".default"), "{s}");
        assert!(scope_for(Cloud::Global, false).contains("/.default"));
    }
}
