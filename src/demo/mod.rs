//! The demo tenant: a Graph-compatible server on 127.0.0.1 with a fictional organisation, used
//! by `--demo`, `demo-server`, the tests and the benchmarks.

pub mod approvals;
pub mod assign;
pub mod auth_methods;
pub mod batch;
pub mod ca_write;
pub mod deleted;
pub mod delta;
pub mod devices;
pub mod dynamic;
pub mod faults;
pub mod filter;
pub mod group_write;
pub mod identity;
pub mod licensing;
pub mod membership;
pub mod owners;
pub mod pim;
pub mod pim_groups;
pub mod policy;
pub mod protected;
pub mod query;
pub mod risk;
pub mod roles;
pub mod rules;
pub mod server;
pub mod signins;
pub mod store;
pub mod validate;
pub mod whatif;

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How to build and run a demo tenant.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    pub addr: SocketAddr,
    pub scale: store::Scale,
    pub latency: Duration,
    /// The resource-unit bucket and the 1 request/s CA limit.
    pub throttle: bool,
    /// Share of requests that fail (503, dropped connection, truncated body).
    pub fault_rate: f64,
    /// Share of writes carried out, then answered with a bare 503 (`--fault-after-rate`).
    pub fault_after_rate: f64,
    /// Faults forced on the first requests, in order (tests).
    pub script: Vec<faults::Fault>,
    /// What the identity endpoint does with a claims request (`--step-up`).
    pub step_up: identity::StepUpMode,
    /// Device code poll outcomes forced on the first polls (tests).
    pub poll_script: Vec<String>,
    /// Paths (substrings) answered 403 Authorization_RequestDenied, as for an account that
    /// lacks a permission (tests of partial failure).
    pub deny: Vec<String>,
    /// The clock throttling and latency count on (tests share a virtual one with the client).
    pub clock: std::sync::Arc<dyn crate::clock::Clock>,
    /// A tenant without Entra ID P2: Identity Protection answers 403 (`--no-p2`).
    pub no_p2: bool,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            scale: store::Scale::default(),
            latency: Duration::ZERO,
            throttle: false,
            fault_rate: 0.0,
            fault_after_rate: 0.0,
            script: Vec::new(),
            step_up: identity::StepUpMode::Pass,
            poll_script: Vec::new(),
            deny: Vec::new(),
            clock: std::sync::Arc::new(crate::clock::TokioClock::default()),
            no_p2: false,
        }
    }
}

/// A running demo server; dropping it stops the server.
pub struct DemoServer {
    pub addr: SocketAddr,
    pub state: server::Shared,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl DemoServer {
    /// `http://ADDR`, the value for `--graph-url`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request the demo answered so far ("METHOD /path…"), in order (for tests).
    pub fn requests(&self) -> Vec<String> {
        self.state
            .faults
            .log
            .lock()
            .map(|l| l.clone())
            .unwrap_or_default()
    }

    /// The writes among them (not reads, also those Graph takes as POST, not sign-ins), in
    /// order.
    pub fn writes(&self) -> Vec<String> {
        const READS: &[&str] = &[
            "/$batch",
            "/getByIds",
            "/getMemberGroups",
            "/getMemberObjects",
            "/checkMember",
            "/evaluate",
            "/oauth2/",
        ];
        self.requests()
            .into_iter()
            .filter(|r| !r.starts_with("GET") && !READS.iter().any(|x| r.contains(x)))
            .collect()
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Bind and serve in the background on the current tokio runtime.
pub async fn start(opts: DemoOptions) -> Result<DemoServer, String> {
    if !opts.addr.ip().is_loopback() {
        return Err(format!(
            "the demo tenant only listens on loopback, not {}",
            opts.addr
        ));
    }
    let tenant = store::Tenant::load(&opts.scale)?;
    let faults = faults::Faults::new(
        opts.latency,
        opts.fault_rate,
        opts.throttle,
        tenant.users.len(),
        opts.scale.seed,
        opts.script.clone(),
    )
    .deny(opts.deny.clone())
    .after_rate(opts.fault_after_rate)
    .with_clock(opts.clock.clone());
    let state = Arc::new(server::DemoState {
        tenant: RwLock::new(tenant),
        faults,
        identity: identity::Identity::new(opts.step_up, opts.scale.seed, opts.poll_script.clone()),
        router: std::sync::OnceLock::new(),
        no_p2: opts.no_p2,
    });
    let listener = tokio::net::TcpListener::bind(opts.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", opts.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let app = server::router(state.clone());
    let _ = state.router.set(app.clone());
    tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = rx.await;
        });
        if let Err(e) = serve.await {
            tracing::error!("demo server stopped: {e}");
        }
    });
    tracing::info!(%addr, "demo tenant listening");
    Ok(DemoServer {
        addr,
        state,
        shutdown: Some(tx),
    })
}
