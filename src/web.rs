//! HTTP: routes, middleware, handlers and pages. The only module that knows axum or askama;
//! handlers are thin and call the doors of `desk`.

mod admin;
mod agent;
mod alert_words;
mod api;
mod assets;
mod client;
pub mod error;
mod extract;
mod headers;
pub mod lang;
mod listener;
mod metrics;
mod public;
mod rate_limit;
mod session;
mod state;
mod upload;

use std::time::Duration;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderName;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

use crate::desk::{RateBudget, RateQuota};
use client::ClientNetwork;
use error::{WebError, render_errors};
/// The strict form decoder, public for the fuzz targets.
pub use extract::FormFields;
pub use state::WebState;

/// Serves the router on `listener` until `shutdown` completes, then finishes requests in
/// flight. `max_connections` is the configured cap as far as the descriptor limit allows.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: WebState,
    max_connections: usize,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let http = &state.config.http;
    let limits = listener::ConnectionLimits {
        max_connections,
        per_network: http.max_connections_per_network.min(max_connections),
        header_timeout: Duration::from_secs(http.header_timeout_seconds),
        body_timeout: Duration::from_secs(http.body_timeout_seconds),
        body_grace: Duration::from_secs(http.body_grace_seconds),
        body_min_rate: http.body_min_rate_bytes_per_second,
        write_timeout: Duration::from_secs(http.write_timeout_seconds),
    };
    listener::serve(listener, router(state), limits, shutdown).await
}

/// Serves the status page alone on its own listener: its own connections, counted apart
/// from the desk's, so a flood on the desk leaves room here (and the other way round).
pub async fn serve_status(
    listener: tokio::net::TcpListener,
    state: WebState,
    max_connections: usize,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let http = &state.config.http;
    let limits = listener::ConnectionLimits {
        max_connections,
        per_network: http.max_connections_per_network.min(max_connections),
        header_timeout: Duration::from_secs(http.header_timeout_seconds),
        body_timeout: Duration::from_secs(http.body_timeout_seconds),
        body_grace: Duration::from_secs(http.body_grace_seconds),
        body_min_rate: http.body_min_rate_bytes_per_second,
        write_timeout: Duration::from_secs(http.write_timeout_seconds),
    };
    listener::serve(listener, status_router(state), limits, shutdown).await
}

/// The status listener's routes: the status page, what it loads, and `/healthz`; nothing
/// of the desk.
pub fn status_router(state: WebState) -> Router {
    let router = Router::new()
        .merge(status_routes())
        .route("/healthz", get(health))
        .route("/favicon.ico", get(assets::icon))
        .route("/static/style.css", get(assets::stylesheet))
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(1024))
        .layer(middleware::from_fn_with_state(state.clone(), render_errors));
    headers::apply(router, state.config.hsts).with_state(state)
}

pub fn router(state: WebState) -> Router {
    let config = state.config.clone();
    let network = ClientNetwork::new(
        config
            .trusted_client_header
            .as_deref()
            .and_then(|h| HeaderName::try_from(h).ok()),
        state.network_key,
    );
    let limits = config.rate_limit;
    let budget = |budget, refill, burst| {
        let guard = rate_limit::NetworkBudget::new(
            &state.desk,
            network.clone(),
            budget,
            RateQuota { refill, burst },
        );
        middleware::from_fn_with_state(guard, rate_limit::admit)
    };
    let filing = budget(
        RateBudget::Filing,
        Duration::from_secs(limits.tickets_refill_seconds),
        limits.tickets_burst,
    );
    let requests = budget(
        RateBudget::RequesterLink,
        Duration::from_millis(limits.requests_refill_millis),
        limits.requests_burst,
    );
    let logins = rate_limit::NetworkBudget::new(
        &state.desk,
        network,
        RateBudget::SignIn,
        RateQuota {
            refill: Duration::from_secs(limits.logins_refill_seconds),
            burst: limits.logins_burst,
        },
    );

    // The forms that take files get a body limit of their own; every other route keeps
    // `max_body_bytes`.
    let with_files =
        axum::extract::DefaultBodyLimit::max(config.attachments.body_limit(config.max_body_bytes));
    let requester_routes = Router::new()
        .route(
            "/tickets/preview",
            post(public::preview::show).layer(with_files),
        )
        .route("/tickets/edit", post(public::form::edit).layer(with_files))
        .route("/t/{token}", get(public::ticket::show))
        .route(
            "/t/{token}/reply",
            post(public::ticket::reply).layer(with_files),
        )
        .route("/t/{token}/proof", post(public::ticket::prove))
        .route("/t/{token}/delete", post(public::ticket::delete))
        .route("/t/{token}/rating", post(public::ticket::rate))
        .route("/api/v1/tickets/{token}/rating", post(api::tickets::rate))
        .route(
            "/api/v1/tickets/{token}",
            get(api::tickets::show).delete(api::tickets::delete),
        )
        .route("/api/v1/tickets/{token}/replies", post(api::tickets::reply))
        .route("/api/v1/tickets/{token}/proofs", post(api::tickets::prove))
        .layer(requests);
    let requester_pages = headers::without_script(
        Router::new()
            .route("/", get(public::form::show))
            .route("/kb", get(public::kb::list))
            .route("/kb/search", get(public::kb::search))
            .route(
                "/kb/{slug}",
                get(public::kb::show).post(public::kb::feedback),
            )
            .route("/kb/{slug}/{step}", get(public::kb::step))
            .route("/tickets/answered", post(public::kb::answered))
            .route(
                "/tickets",
                post(public::form::submit)
                    .layer(with_files)
                    .layer(filing.clone()),
            )
            .merge(requester_routes),
    );

    let router = Router::new()
        .merge(staff_routes(logins))
        .route("/api/v1/tickets", post(api::tickets::create).layer(filing))
        .route("/api/v1/openapi.json", get(api::openapi::document))
        .route("/healthz", get(health))
        .route("/favicon.ico", get(assets::icon))
        .route("/pgp-key.asc", get(assets::pgp_key))
        .route("/.well-known/openpgpkey/hu/{hash}", get(assets::wkd_key))
        .route("/.well-known/openpgpkey/policy", get(assets::wkd_policy))
        .route("/static/style.css", get(assets::stylesheet))
        .route("/static/shortcuts.js", get(assets::shortcuts))
        .merge(requester_pages)
        .merge(status_routes())
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(config.max_body_bytes))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            public::refused::keep_form_text,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), render_errors));
    let router = if config.access_log {
        router.layer(middleware::from_fn(access_log))
    } else {
        router
    };
    headers::apply(router, config.hsts).with_state(state)
}

/// The public status page: the same routes on the main listener and on `status_listen`.
fn status_routes() -> Router<WebState> {
    use public::status;
    headers::without_script(
        Router::new()
            .route("/status", get(status::show))
            .route(
                "/status/",
                get(|uri: axum::http::Uri| canonical("/status", uri)),
            )
            .route("/status/feed.atom", get(status::feed))
            .route("/status/key.asc", get(assets::pgp_key))
            .route("/status/incidents/{id}", get(status::incident))
            .route("/status/incidents/{id}/updates/{file}", get(status::signed)),
    )
}

/// Agent and admin pages and the agent API. Every handler takes an extractor that resolves
/// the session into a scope, and the store functions they call take that scope.
fn staff_routes(logins: rate_limit::NetworkBudget) -> Router<WebState> {
    use agent::{account, break_glass, downloads, enrol, kb, login, notifications, tickets};
    let logins = middleware::from_fn_with_state(logins, rate_limit::admit);
    // Every password check draws on one per-network budget: both sign-ins and the account
    // page's confirmation of the current password. Showing the form costs nothing.
    let sign_in = Router::new()
        .route(
            "/agent/login",
            post(login::submit).layer(logins.clone()).get(login::show),
        )
        .route(
            "/agent/enrol/{token}",
            post(enrol::submit).layer(logins.clone()).get(enrol::show),
        )
        .route(
            "/api/v1/agent/login",
            post(api::agent::login_token).layer(logins.clone()),
        )
        .route(
            "/agent/account/password",
            post(account::change_password).layer(logins),
        );
    let agent_pages = Router::new()
        .route(
            "/agent",
            get(|| async { axum::response::Redirect::to("/agent/tickets") }),
        )
        .route(
            "/agent/",
            get(|uri: axum::http::Uri| canonical("/agent", uri)),
        )
        .route("/agent/logout", post(login::logout))
        .route("/agent/logout-everywhere", post(login::logout_everywhere))
        .route("/agent/account", get(account::show))
        .route(
            "/agent/account/preferences",
            post(account::save_preferences),
        )
        .route("/agent/account/language", post(account::switch_language))
        .route("/agent/account/totp/start", post(account::start_totp))
        .route("/agent/account/totp/confirm", post(account::confirm_totp))
        .route("/agent/account/totp/replace", post(account::replace_totp))
        .route("/agent/tickets", get(tickets::list))
        .route("/agent/kb", get(kb::list).post(kb::create))
        .route("/agent/kb/new", get(kb::new))
        .route("/agent/kb/{id}", get(kb::edit).post(kb::save))
        .route("/agent/kb/{id}/publish", post(kb::publish))
        .route("/agent/kb/{id}/unpublish", post(kb::unpublish))
        .route("/agent/tickets/{reference}/kb-draft", post(kb::from_ticket))
        .route("/agent/tickets/{reference}", get(tickets::show))
        .route("/agent/tickets/bulk", post(tickets::bulk))
        .route("/agent/notifications", get(notifications::show))
        .route("/agent/status", get(agent::status::show))
        .route(
            "/agent/status/components",
            post(agent::status::add_component),
        )
        .route(
            "/agent/status/components/{id}/state",
            post(agent::status::set_component_state),
        )
        .route(
            "/agent/status/incidents",
            post(agent::status::open_incident),
        )
        .route(
            "/agent/status/incidents/{id}/updates",
            post(agent::status::post_update),
        )
        .route("/agent/notifications/read", post(notifications::mark_read))
        .route("/agent/tickets/{reference}/reply", post(tickets::reply))
        .route("/agent/tickets/{reference}/note", post(tickets::note))
        .route("/agent/tickets/{reference}/draft", post(tickets::draft))
        .route("/agent/tickets/{reference}/move", post(tickets::move_queue))
        .route(
            "/agent/tickets/{reference}/proofs",
            post(tickets::ask_proof),
        )
        .route("/agent/tickets/{reference}/status", post(tickets::status))
        .route(
            "/agent/tickets/{reference}/priority",
            post(tickets::priority),
        )
        .route("/agent/tickets/{reference}/assign", post(tickets::assign))
        .route(
            "/agent/tickets/{reference}/spam",
            get(tickets::confirm_spam_page).post(tickets::spam),
        )
        .route(
            "/agent/tickets/{reference}/spam/confirm",
            get(tickets::confirm_spam_confirmation_page).post(tickets::confirm_spam),
        )
        .route(
            "/agent/tickets/{reference}/spam/restore",
            post(tickets::restore_spam),
        )
        .route(
            "/agent/tickets/{reference}/escalate",
            post(tickets::escalate),
        )
        .route(
            "/agent/tickets/{reference}/deescalate",
            post(tickets::deescalate),
        )
        .route(
            "/agent/tickets/{reference}/attachments/{id}/link",
            post(downloads::link),
        )
        .route("/agent/attachments/{token}", get(downloads::download))
        .route(
            "/agent/break-glass",
            get(break_glass::show).post(break_glass::open),
        );
    let admin_pages = Router::new()
        .route("/admin", get(admin::dashboard::show))
        .route(
            "/admin/kb-editors",
            get(admin::kb::show).post(admin::kb::grant),
        )
        .route("/admin/kb-editors/revoke", post(admin::kb::revoke))
        .route(
            "/admin/",
            get(|uri: axum::http::Uri| canonical("/admin", uri)),
        )
        .route(
            "/admin/alerts/{id}/ack",
            post(admin::dashboard::acknowledge),
        )
        .route(
            "/admin/agents",
            get(admin::agents::list).post(admin::agents::create),
        )
        .route("/admin/agents/{name}", get(admin::agent_edit::show))
        .route(
            "/admin/agents/{name}/role",
            post(admin::agent_edit::set_role),
        )
        .route(
            "/admin/agents/{name}/queues",
            post(admin::agent_edit::set_queues),
        )
        .route(
            "/admin/agents/{name}/disable",
            post(admin::agent_edit::disable),
        )
        .route(
            "/admin/agents/{name}/enable",
            post(admin::agent_edit::enable),
        )
        .route("/admin/agents/{name}/reset", post(admin::agents::reset))
        .route(
            "/admin/agents/resets/{id}/approve",
            post(admin::agents::approve),
        )
        .route(
            "/admin/agents/resets/{id}/reject",
            post(admin::agents::reject),
        )
        .route(
            "/admin/queues",
            get(admin::queues::list).post(admin::queues::create),
        )
        .route("/admin/queues/{name}/flags", post(admin::queues::flags))
        .route("/admin/queues/{name}/rename", post(admin::queues::rename))
        .route("/admin/queues/{name}/archive", post(admin::queues::archive))
        .route("/admin/queues/{name}/restore", post(admin::queues::restore))
        .route(
            "/admin/queues/{name}/members",
            post(admin::queues::add_member),
        )
        .route(
            "/admin/queues/{name}/members/remove",
            post(admin::queues::remove_member),
        )
        .route("/admin/routing", post(admin::queues::route))
        .route("/admin/canned", post(admin::queues::add_canned))
        .route("/admin/canned/{id}", post(admin::queues::edit_canned))
        .route(
            "/admin/canned/{id}/delete",
            post(admin::queues::delete_canned),
        )
        .route("/admin/status/posters", post(agent::status::set_poster))
        .route("/admin/audit", get(admin::audit::show))
        .route("/admin/audit.csv", get(admin::audit::export))
        .route("/admin/alerts", get(admin::alerts::show))
        .route("/admin/metrics", get(admin::metrics::show))
        .route("/admin/metrics.csv", get(admin::metrics::export))
        .route("/admin/sla", get(admin::sla::show).post(admin::sla::set))
        .route("/admin/sla/reset", post(admin::sla::reset))
        .route("/admin/sla/hours", post(admin::sla::set_hours))
        .route(
            "/admin/allowlist",
            get(admin::allowlist::show).post(admin::allowlist::add),
        )
        .route(
            "/admin/allowlist/{id}/remove",
            post(admin::allowlist::remove),
        )
        .route(
            "/admin/proofs",
            get(admin::proofs::show).post(admin::proofs::import),
        )
        .route("/admin/proofs/{id}/delete", post(admin::proofs::delete))
        .route(
            "/admin/retention",
            get(admin::retention::show).post(admin::retention::set),
        )
        .route("/admin/retention/remove", post(admin::retention::remove))
        .route("/admin/holds", post(admin::retention::hold))
        .route(
            "/admin/holds/{reference}/release",
            post(admin::retention::release),
        )
        .route("/metrics", get(metrics::show))
        .route(
            "/api/v1/agent/tickets/{reference}/spam",
            post(api::agent::spam),
        );
    let agent_api = Router::new()
        .route("/api/v1/agent/logout", post(api::agent::logout))
        .route("/api/v1/agent/tickets", get(api::agent::list))
        .route("/api/v1/agent/tickets/{reference}", get(api::agent::show))
        .route(
            "/api/v1/agent/tickets/{reference}/replies",
            post(api::agent::reply),
        )
        .route(
            "/api/v1/agent/tickets/{reference}/escalate",
            post(api::agent::escalate),
        )
        .route(
            "/api/v1/agent/tickets/{reference}/deescalate",
            post(api::agent::deescalate),
        )
        .route(
            "/api/v1/agent/tickets/{reference}/status",
            post(api::agent::status),
        )
        .route(
            "/api/v1/agent/tickets/{reference}/proofs",
            post(api::agent::ask_proof),
        )
        .route(
            "/api/v1/agent/tickets/{reference}/priority",
            post(api::agent::priority),
        )
        .route(
            "/api/v1/agent/tickets/{reference}/assign",
            post(api::agent::assign),
        )
        .route(
            "/api/v1/agent/tickets/{reference}/spam/confirm",
            post(api::agent::confirm_spam),
        )
        .route(
            "/api/v1/agent/tickets/{reference}/spam/restore",
            post(api::agent::restore_spam),
        )
        .route(
            "/api/v1/agent/tickets/{reference}/attachments/{id}/link",
            post(api::agent::attachment_link),
        );
    sign_in
        .merge(agent_pages)
        .merge(admin_pages)
        .merge(agent_api)
}

/// A section's root typed with a trailing slash: sent to the one path that serves it.
/// The address without its trailing slash, keeping the query (`?lang=ru` among others).
async fn canonical(path: &'static str, uri: axum::http::Uri) -> axum::response::Redirect {
    match uri.query() {
        Some(query) => axum::response::Redirect::permanent(&format!("{path}?{query}")),
        None => axum::response::Redirect::permanent(path),
    }
}

async fn health(State(state): State<WebState>) -> Result<&'static str, WebError> {
    state.desk.ping().await?;
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
