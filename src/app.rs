//! Application wiring: build the shared state from a `Config`, and serve it on a listener.
//! Tests call `AppState::build` and `serve` directly with a random port and a fresh data dir.

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::desk::{Desk, SystemDesk};
use crate::web::WebState;

pub use crate::desk::{data_dir_warning, load_redactor};

/// Everything a running server holds: what the web handlers see, and the scheduler's door.
#[derive(Clone)]
pub struct AppState {
    pub web: WebState,
    pub system: SystemDesk,
}

impl std::ops::Deref for AppState {
    type Target = WebState;

    fn deref(&self) -> &WebState {
        &self.web
    }
}

impl AppState {
    /// Opens (creating on first start) the data directory, keys, database and rules.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let (desk, system) = Desk::open_with_scheduler(&config).await?;
        Ok(AppState {
            system,
            web: WebState::new(desk, Arc::new(config))?,
        })
    }
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
    serve_all(listener, smtp, None, state, shutdown).await
}

/// Serves HTTP, SMTP/LMTP on `smtp` and the status page alone on `status` (each when
/// given) until `shutdown` completes.
pub async fn serve_all(
    listener: TcpListener,
    smtp: Option<TcpListener>,
    status: Option<TcpListener>,
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
            let support = state.desk.support_address().clone();
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
    let max_connections = http_connection_cap(&state.config);
    let status_server = match status {
        Some(status) => {
            tracing::info!(address = %status.local_addr()?, "serving the status page");
            Some(tokio::spawn(crate::web::serve_status(
                status,
                state.web.clone(),
                max_connections,
                stopped(stop_rx.clone()),
            )))
        }
        None => None,
    };
    let shutdown = stopped(stop_rx);
    let desk = state.desk.clone();
    let mut scheduler = crate::jobs::start(state.system.clone(), state.config.clone()).await?;
    crate::web::serve(listener, state.web, max_connections, shutdown)
        .await
        .context("serving HTTP")?;
    if let Some(mail_server) = mail_server {
        mail_server.await.context("mail listener")??;
    }
    if let Some(status_server) = status_server {
        status_server
            .await
            .context("status listener")?
            .context("serving the status page")?;
    }
    if let Err(err) = scheduler.shutdown().await {
        tracing::warn!(error = %err, "stopping the scheduler");
    }
    desk.close().await;
    Ok(())
}

/// Descriptors kept out of the HTTP connection cap, besides one per mail session: the
/// database and its journal, key and rule files, outgoing mail, the listeners themselves.
const RESERVED_DESCRIPTORS: usize = 128;

/// Raises the soft descriptor limit to the hard one where the system allows, and returns
/// `http.max_connections` lowered, if need be, so that HTTP connections alone can never use
/// up the descriptors (which would stop the database and the listeners too).
fn http_connection_cap(config: &Config) -> usize {
    let configured = config.http.max_connections;
    let descriptors = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => usize::try_from(limit).unwrap_or(usize::MAX),
        Err(err) => {
            tracing::warn!(error = %err, "reading the descriptor limit failed");
            return configured;
        }
    };
    let mail_sessions = if config.mail.enabled {
        config.mail.max_sessions
    } else {
        0
    };
    let allowed = descriptors
        .saturating_sub(RESERVED_DESCRIPTORS + mail_sessions)
        .max(MIN_HTTP_CONNECTIONS);
    if allowed < configured {
        tracing::warn!(
            configured,
            allowed,
            descriptors,
            "http.max_connections lowered to fit the descriptor limit (raise `ulimit -n`)"
        );
    }
    configured.min(allowed)
}

/// The cap is never lowered below this, however low the descriptor limit.
const MIN_HTTP_CONNECTIONS: usize = 16;

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
