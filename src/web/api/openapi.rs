//! The JSON API described as OpenAPI 3.1, generated from the handlers' own request and
//! response types and their `#[utoipa::path]` annotations, so that the description cannot
//! drift from the code; served at `/api/v1/openapi.json`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::http::header;
use axum::response::IntoResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{IntoResponses, Modify, OpenApi, ToSchema};

use super::{agent, tickets};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "hushdesk API",
        description = "The requester's API (a ticket's secret link token is its only credential) \
                       and the agents' API (a bearer token from /api/v1/agent/login). Everything \
                       stored is redacted first; errors are {\"error\": …}."
    ),
    paths(
        tickets::create,
        tickets::show,
        tickets::reply,
        tickets::delete,
        tickets::prove,
        tickets::rate,
        agent::login_token,
        agent::logout,
        agent::list,
        agent::show,
        agent::reply,
        agent::escalate,
        agent::deescalate,
        agent::status,
        agent::priority,
        agent::assign,
        agent::spam,
        agent::confirm_spam,
        agent::restore_spam,
        agent::ask_proof,
        agent::attachment_link,
    ),
    components(schemas(ErrorJson, FieldErrorJson)),
    modifiers(&BearerToken),
    tags(
        (name = "requester", description = "Filing and following one's own ticket"),
        (name = "agent", description = "Scoped ticket work; every read is audited"),
    )
)]
struct ApiDoc;

/// `GET /api/v1/openapi.json`. Built once: it describes the code, which does not change
/// while the process runs.
pub async fn document() -> impl IntoResponse {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    let json = DOCUMENT.get_or_init(|| ApiDoc::openapi().to_json().unwrap_or_default());
    ([(header::CONTENT_TYPE, "application/json")], json.as_str())
}

/// Every refusal of the API, as the one error edge renders it (`web::error`).
#[derive(ToSchema)]
#[allow(dead_code)] // describes what `web::error` writes with serde_json
struct ErrorJson {
    /// What went wrong, safe to show to whoever sent the request.
    error: String,
    /// The input fields that were refused, for 422.
    fields: Option<Vec<FieldErrorJson>>,
    /// For a 5xx: the id under which the server logged the failure.
    request_id: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)] // describes `web::error::FieldError`
struct FieldErrorJson {
    field: String,
    message: String,
}

/// The refusals any call may meet. Listed once for every path: which of them a given call
/// can answer depends on its input, its credentials and the desk's load.
pub struct Refusals;

impl IntoResponses for Refusals {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        [
            (400, "The request is malformed"),
            (401, "Missing or invalid credentials"),
            (403, "Signed in, but not allowed"),
            (404, "No such ticket, or not in the caller's scope"),
            (405, "Method not allowed"),
            (409, "The ticket's state does not allow this"),
            (413, "The body is too large"),
            (414, "The address is too long"),
            (415, "The body is not JSON"),
            (422, "An input field was refused"),
            (429, "Too many requests from this network; see Retry-After"),
            (503, "The desk is busy; see Retry-After"),
        ]
        .into_iter()
        .map(|(status, description)| {
            let content = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorJson")))
                .build();
            let response = ResponseBuilder::new()
                .description(description)
                .content("application/json", content)
                .build();
            (status.to_string(), RefOr::T(response))
        })
        .collect()
    }
}

/// The agents' bearer token, named `bearer` in each agent path's `security`.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_the_router_serves_under_api_is_described() {
        let doc = ApiDoc::openapi();
        let paths: Vec<&str> = doc.paths.paths.keys().map(String::as_str).collect();
        for path in [
            "/api/v1/tickets",
            "/api/v1/tickets/{token}",
            "/api/v1/tickets/{token}/replies",
            "/api/v1/agent/login",
            "/api/v1/agent/tickets",
            "/api/v1/agent/tickets/{reference}/spam/restore",
        ] {
            assert!(paths.contains(&path), "{path} missing from {paths:?}");
        }
        let json = doc.to_json().expect("serialises");
        assert!(json.contains("\"RequesterTicket\"") && json.contains("\"AgentTicket\""));
    }
}
