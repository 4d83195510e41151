//! Application wiring: build the shared state from a `Config`, and serve it on a listener.
//! Tests call `AppState::build` and `serve` directly with a random port and a fresh data dir.

use std::future::Future;
use std::net::SocketAddr;
use std::os::unix::fs::DirBuilderExt;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::crypto::Keyring;
use crate::intake::Desk;
use crate::redact::{AllowEntry, Redactor};
use crate::store::{AuditKey, SlaTargets, Store};

/// What every request handler may use.
#[derive(Clone)]
pub struct AppState {
    pub desk: Desk,
    pub config: Arc<Config>,
    pub helpdesk_fingerprint: Arc<str>,
    pub helpdesk_public_key: Arc<str>,
    /// Keys the rate limiter's hash of client networks. Fresh per process and never written
    /// anywhere, so the limiter's state means nothing outside this run.
    pub network_key: [u8; 32],
}

impl AppState {
    /// Opens (creating on first start) the data directory, keys, database and rules.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        create_private_dir(&config.data_dir)?;
        if let Some(warning) = data_dir_warning(&config.data_dir) {
            tracing::warn!("{warning}");
        }
        let redactor = load_redactor(&config)?;
        let keyring = Keyring::open_or_create(&config.keys_dir(), &config.support_address)
            .context("opening the server keys")?
            .with_opened_limit(config.mail.decrypted_limit() as u64);
        let store = Store::open(&config.database_url, AuditKey(keyring.audit_key())).await?;
        let state = AppState {
            helpdesk_fingerprint: keyring.helpdesk_fingerprint().into(),
            helpdesk_public_key: keyring.helpdesk_public_key()?.into(),
            network_key: crate::crypto::os_random()?,
            desk: Desk {
                store,
                redactor: Arc::new(redactor),
                keyring: Arc::new(keyring),
                sla: sla_targets(&config),
                outgoing: Arc::new(crate::intake::Outgoing {
                    sender: crate::outbound::Sender {
                        address: config.support_address.clone(),
                        name: "Support".into(),
                    },
                    support: crate::mail::SupportAddress::parse(&config.support_address)?,
                    public_url: config.public_url.clone(),
                }),
                trusted_authserv_id: config.mail.trusted_authserv_id.as_deref().map(Arc::from),
            },
            config: Arc::new(config),
        };
        state.desk.load_allowlist().await?;
        Ok(state)
    }
}

/// The SLA targets in seconds.
pub fn sla_targets(config: &Config) -> SlaTargets {
    let seconds = |hours: [u32; 4]| hours.map(|h| i64::from(h) * 3600);
    SlaTargets {
        first_response: seconds(config.sla.first_response_hours),
        resolution: seconds(config.sla.resolution_hours),
    }
}

/// Creates the data directory owner-only on first start; an existing one is left as the
/// operator set it up.
fn create_private_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("creating data directory {}", dir.display()))
}

/// A warning when other users of the machine can list or enter the data directory. The
/// files in it are created owner-only, but the directory is the operator's to close.
pub fn data_dir_warning(dir: &std::path::Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir).ok()?.permissions().mode() & 0o777;
    (mode & 0o007 != 0).then(|| {
        format!(
            "the data directory {} is open to other users (mode {mode:04o}); run `chmod 700 {}`",
            dir.display(),
            dir.display()
        )
    })
}

/// The configured rule directory, or the built-in rules, with the configuration file's
/// allowlist. A broken set, or an allowlist entry the rules refuse, stops start-up.
pub fn load_redactor(config: &Config) -> anyhow::Result<Redactor> {
    let redactor = match &config.redaction_rules {
        Some(dir) => Redactor::from_dir(dir).context("loading redaction rules")?,
        None => Redactor::builtin().context("loading built-in redaction rules")?,
    };
    let allowed = config
        .redaction
        .allow
        .iter()
        .map(|value| {
            AllowEntry::parse(&redactor, value)
                .with_context(|| format!("redaction.allow entry {value:?}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    redactor.allowlist().set_configured(allowed);
    Ok(redactor)
}

/// Serves HTTP until `shutdown` completes, then finishes in-flight requests and closes the store.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    serve_with_mail(listener, None, state, shutdown).await
}

/// Serves HTTP, and SMTP/LMTP on `smtp` when given, until `shutdown` completes.
pub async fn serve_with_mail(
    listener: TcpListener,
    smtp: Option<TcpListener>,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let mail_server = match smtp {
        Some(smtp) => {
            let support = crate::mail::SupportAddress::parse(&state.config.support_address)?;
            let config = crate::mail::listener::ListenerConfig::from_config(&state.config);
            tracing::info!(address = %smtp.local_addr()?, "listening for SMTP and LMTP");
            Some(tokio::spawn(crate::mail::listener::serve(
                smtp,
                state.desk.clone(),
                support,
                config,
                stopped(stop_rx.clone()),
            )))
        }
        None => None,
    };
    let shutdown = stopped(stop_rx);
    let store = state.desk.store.clone();
    let mut scheduler = crate::jobs::start(state.desk.clone(), state.config.clone()).await?;
    let router = crate::web::router(state);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("serving HTTP")?;
    if let Some(mail_server) = mail_server {
        mail_server.await.context("mail listener")??;
    }
    if let Err(err) = scheduler.shutdown().await {
        tracing::warn!(error = %err, "stopping the scheduler");
    }
    store.close().await;
    Ok(())
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
    tracing::info!("shutting down: finishing requests in flight");
}
