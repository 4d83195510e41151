//! Security headers on every response. The policy allows no inline script and nothing from
//! anywhere but this origin: every page works without JavaScript, and staff pages load the
//! desk's one script file (`static/shortcuts.js`).

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
     font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'";

/// The requester's pages load no script at all, not even the desk's own: they are read over
/// Tor with JavaScript off, and a page that cannot run script cannot be made to.
const REQUESTER_CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self'; \
     font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'";

/// Gives the routes of `router` the requester's policy (no script), before `apply` gives
/// every other response the desk's.
pub fn without_script<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router.layer(SetResponseHeaderLayer::if_not_present(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(REQUESTER_CONTENT_SECURITY_POLICY),
    ))
}

pub fn apply<S: Clone + Send + Sync + 'static>(router: Router<S>, hsts: bool) -> Router<S> {
    let fixed: [(HeaderName, &'static str); 7] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
        ),
    ];
    let mut router = router;
    for (name, value) in fixed {
        let value = HeaderValue::from_static(value);
        // A response may bring a stricter policy of its own (an attachment download:
        // `sandbox`); every other gets the desk's.
        router = if name == header::CONTENT_SECURITY_POLICY {
            router.layer(SetResponseHeaderLayer::if_not_present(name, value))
        } else {
            router.layer(SetResponseHeaderLayer::overriding(name, value))
        };
    }
    // Ticket pages carry secrets in their URL and content: no cache may keep them.
    // Static assets set their own policy, which this does not override.
    router = router.layer(SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    ));
    // A page's language can follow the browser's Accept-Language: a shared cache (a proxy, a
    // Tor exit's) must not hand one reader's language to another.
    router = router.layer(SetResponseHeaderLayer::if_not_present(
        header::VARY,
        |response: &axum::response::Response| {
            response
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|t| t.to_str().ok())
                .is_some_and(|t| t.starts_with("text/html"))
                .then(|| HeaderValue::from_static("Accept-Language"))
        },
    ));
    if hsts {
        router = router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        ));
    }
    router
}
