//! `entra-console login` and `logout`: device code sign-in on a jump host (code and URL printed
//! plainly, OSC 52 copy, typed poll states, Ctrl-C cancels), the Azure CLI and client-secret
//! checks, and deleting stored tokens.

use crate::Failure;
use crate::auth::device::{self, DeviceEvent};
use crate::auth::session::Session;
use crate::auth::store::TokenStore;
use crate::cli::Cli;
use crate::clock::TokioClock;
use crate::config::{LoginMethod, Paths};
use crate::connect::{oauth_for, profile, start_demo};
use std::io::{IsTerminal, Write};
use std::sync::Arc;

/// The URL and code come from the identity endpoint: printed through the sanitizer.
use crate::sanitize::say;

/// `login [--method ...]`.
pub async fn login(
    cli: &Cli,
    paths: Option<&Paths>,
    method: Option<LoginMethod>,
    tenant: Option<String>,
    client_id: Option<String>,
) -> Result<(), Failure> {
    let (name, mut prof) = profile(cli, paths)?;
    if tenant.is_some() {
        prof.tenant = tenant;
    }
    if client_id.is_some() {
        prof.client_id = client_id;
    }
    let server = if cli.global.demo {
        Some(start_demo(cli, None).await?)
    } else {
        None
    };
    let oauth = oauth_for(cli, &prof, server.as_ref().map(|s| s.0.as_str()))?;
    match method.or(prof.method).unwrap_or(LoginMethod::DeviceCode) {
        LoginMethod::AzCli => {
            crate::auth::az::token(prof.tenant.as_deref())
                .await
                .map_err(Failure::error)?;
            say(&format!(
                "The Azure CLI sign-in works; profile {name} will use it (set `method = \"az-cli\"` in config.toml). No token is stored."
            ));
            Ok(())
        }
        LoginMethod::ClientSecret => {
            let var = prof
                .client_secret_env
                .clone()
                .unwrap_or_else(|| "ENTRA_CONSOLE_CLIENT_SECRET".into());
            let secret = std::env::var(&var)
                .map_err(|_| Failure::error(format!("set {var} to the client secret first")))?;
            let session = Session::app_only(oauth, secret, Arc::new(TokioClock::default()));
            session
                .bearer()
                .await
                .map_err(|e| Failure::error(format!("client secret sign-in failed: {e}")))?;
            say(&format!(
                "App-only sign-in works for profile {name} (read-only use). The secret stays in {var}; nothing is stored."
            ));
            Ok(())
        }
        LoginMethod::DeviceCode => {
            let paths =
                paths.ok_or_else(|| Failure::error("no data directory to store the sign-in"))?;
            let store = TokenStore::for_profile(&paths.data_dir, &name);
            let clock = TokioClock::default();
            let tty = std::io::stderr().is_terminal();
            let flow = device::run(&oauth, None, &clock, |ev| match ev {
                DeviceEvent::Code(c) => {
                    say(&format!(
                        "To sign in, open {} and enter the code {}",
                        c.verification_uri, c.user_code
                    ));
                    say(&format!(
                        "The code expires in {}. Ctrl-C cancels.",
                        if c.expires_in >= 120 {
                            format!("{} minutes", c.expires_in / 60)
                        } else {
                            format!("{} seconds", c.expires_in)
                        }
                    ));
                    if tty && !crate::tui::plausible_code(&c.user_code) {
                        say("(the code was not copied: it does not look like a device code)");
                    } else if tty {
                        // Copy the code to the local clipboard through the terminal (works over SSH).
                        let _ =
                            std::io::stderr().write_all(crate::tui::osc52(&c.user_code).as_bytes());
                        say(
                            "(the code was copied to your clipboard with OSC 52 where the terminal allows it)",
                        );
                    }
                }
                DeviceEvent::Pending => {}
                DeviceEvent::SlowDown { interval } => say(&format!(
                    "The sign-in service asked to slow down; polling every {interval} s."
                )),
            });
            let tokens = tokio::select! {
                r = flow => r.map_err(|e| Failure::error(format!("sign-in failed: {e}")))?,
                _ = tokio::signal::ctrl_c() => return Err(Failure::error("sign-in cancelled")),
            };
            let session =
                Session::delegated(oauth, String::new(), Some(store.clone()), Arc::new(clock));
            let token = session.accept(tokens).await;
            if store.load().is_none() {
                return Err(Failure::error(
                    "the sign-in returned no refresh token (was offline_access granted?)",
                ));
            }
            let who = crate::auth::jwt_claims(token.secret())
                .and_then(|c| {
                    c["upn"]
                        .as_str()
                        .or(c["preferred_username"].as_str())
                        .map(str::to_string)
                })
                .unwrap_or_else(|| "(unknown user)".into());
            say(&format!(
                "Signed in as {} (profile {name}); token file {}",
                crate::sanitize::clean(&who),
                store.path.display()
            ));
            drop(server);
            Ok(())
        }
    }
}

/// `logout`: delete the profile's token file.
pub fn logout(cli: &Cli, paths: Option<&Paths>) -> Result<(), Failure> {
    let (name, _) = profile(cli, paths)?;
    let paths = paths.ok_or_else(|| Failure::error("no data directory"))?;
    let store = TokenStore::for_profile(&paths.data_dir, &name);
    match store.delete() {
        Ok(true) => say(&format!(
            "Signed out of profile {name}; deleted {}",
            store.path.display()
        )),
        Ok(false) => say(&format!("Profile {name} had no stored sign-in.")),
        Err(e) => {
            return Err(Failure::error(format!(
                "cannot delete {}: {e}",
                store.path.display()
            )));
        }
    }
    Ok(())
}
