//! HTTP: routes, middleware, handlers and pages. The only module that knows axum or askama;
//! handlers are thin and call `intake` / `store`.

mod api;
mod assets;
mod client;
pub mod error;
mod extract;
mod headers;
mod public;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderName;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use tower_governor::GovernorLayer;
use tower_governor::governor::GovernorConfigBuilder;

use crate::app::AppState;
use client::ClientNetwork;
use error::{WebError, render_errors};
/// The strict form decoder, public for the fuzz targets.
pub use extract::FormFields;

pub fn router(state: AppState) -> Router {
    let config = state.config.clone();
    let network = ClientNetwork::new(
        config
            .trusted_client_header
            .as_deref()
            .and_then(|h| HeaderName::try_from(h).ok()),
        state.network_key,
    );
    let limits = config.rate_limit;
    let tickets_limiter = limiter(
        network.clone(),
        Duration::from_secs(limits.tickets_refill_seconds),
        limits.tickets_burst,
    );
    let requests_limiter = limiter(
        network,
        Duration::from_millis(limits.requests_refill_millis),
        limits.requests_burst,
    );
    let filing = GovernorLayer::new(tickets_limiter);
    let requests = GovernorLayer::new(requests_limiter);

    let requester_routes = Router::new()
        .route("/tickets/preview", post(public::preview::show))
        .route("/t/{token}", get(public::ticket::show))
        .route("/t/{token}/reply", post(public::ticket::reply))
        .route("/t/{token}/delete", post(public::ticket::delete))
        .route(
            "/api/v1/tickets/{token}",
            get(api::tickets::show).delete(api::tickets::delete),
        )
        .route("/api/v1/tickets/{token}/replies", post(api::tickets::reply))
        .layer(requests);

    let router = Router::new()
        .route("/", get(public::form::show))
        .route("/tickets", post(public::form::submit).layer(filing.clone()))
        .route("/api/v1/tickets", post(api::tickets::create).layer(filing))
        .route("/healthz", get(health))
        .route("/pgp-key.asc", get(assets::pgp_key))
        .route("/static/style.css", get(assets::stylesheet))
        .merge(requester_routes)
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(config.max_body_bytes))
        .layer(middleware::from_fn(render_errors));
    let router = if config.access_log {
        router.layer(middleware::from_fn(access_log))
    } else {
        router
    };
    headers::apply(router, config.hsts).with_state(state)
}

type NetworkLimiter = Arc<
    tower_governor::governor::GovernorConfig<ClientNetwork, governor::middleware::NoOpMiddleware>,
>;

fn limiter(network: ClientNetwork, refill: Duration, burst: u32) -> NetworkLimiter {
    let config = GovernorConfigBuilder::default()
        .key_extractor(network)
        .period(refill)
        .burst_size(burst)
        .finish()
        .map(Arc::new);
    let config = match config {
        Some(config) => config,
        // Config validation refuses zero periods and bursts, the only inputs `finish` rejects.
        None => unreachable_config(),
    };
    // Forget networks that have been quiet for a while, so memory stays bounded.
    let cleanup = Arc::downgrade(&config);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            match cleanup.upgrade() {
                Some(config) => config.limiter().retain_recent(),
                None => break,
            }
        }
    });
    config
}

#[allow(clippy::panic)]
fn unreachable_config() -> ! {
    panic!("rate limit configuration was validated at load")
}

async fn health(State(state): State<AppState>) -> Result<&'static str, WebError> {
    state.desk.store.ping().await?;
    Ok("ok")
}

async fn not_found() -> WebError {
    WebError::NotFound
}

/// Optional access log: method, route pattern, status and latency. Never the path itself
/// (it can hold an access token), never an address or a user agent.
async fn access_log(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(unmatched)".to_owned(), |p| p.as_str().to_owned());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::info!(%method, route, status = response.status().as_u16(), elapsed_ms = started.elapsed().as_millis() as u64, "request");
    response
}
