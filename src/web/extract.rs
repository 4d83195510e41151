//! Request body extractors that refuse rather than guess: strict form decoding and JSON
//! with our error mapping, both bounded by the configured body limit.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use super::error::WebError;

/// `application/x-www-form-urlencoded` fields, decoded strictly.
///
/// Written by hand because `form_urlencoded` (behind axum's `Form`) decodes invalid UTF-8
/// lossily, silently turning bad bytes into U+FFFD; we must refuse such input instead.
#[derive(Debug, Default)]
pub struct FormFields(Vec<(String, String)>);

impl FormFields {
    /// The first value given for `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value given for `name`, in order (checkbox groups).
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Fields already decoded (a multipart form's text parts).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        FormFields(pairs)
    }

    pub fn parse(body: &[u8]) -> Result<Self, WebError> {
        let mut fields = Vec::new();
        for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
            let mut split = pair.splitn(2, |&b| b == b'=');
            let name = decode_component(split.next().unwrap_or_default())?;
            let value = decode_component(split.next().unwrap_or_default())?;
            fields.push((name, value));
        }
        Ok(FormFields(fields))
    }
}

fn decode_component(raw: &[u8]) -> Result<String, WebError> {
    let plus_as_space: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_encoding::percent_decode(&plus_as_space)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| WebError::BadRequest("request-not-utf8"))
}

impl<S: Send + Sync> FromRequest<S> for FormFields {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                v.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        if !is_form {
            return Err(WebError::UnsupportedMediaType("request-not-a-form"));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    WebError::PayloadTooLarge
                } else {
                    WebError::BadRequest("request-unreadable")
                }
            })?;
        FormFields::parse(&bytes)
    }
}

/// A JSON body with our error mapping.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(WebError::UnsupportedMediaType(
                "Send JSON with Content-Type: application/json.",
            )),
            // serde's message names the field at fault ("missing field `subject`"); it goes
            // back only to the client that sent the body and is never logged.
            Err(JsonRejection::JsonDataError(e)) => {
                Err(WebError::Invalid(vec![super::error::FieldError::english(
                    "json",
                    e.body_text(),
                )]))
            }
            Err(JsonRejection::JsonSyntaxError(_)) => Err(WebError::BadRequest(
                "The body is not valid JSON (or not valid UTF-8).",
            )),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(WebError::PayloadTooLarge)
            }
            Err(_) => Err(WebError::BadRequest("request-unreadable")),
        }
    }
}

/// The `{token}` path segment. A segment that does not even decode (invalid UTF-8) is
/// looked up like any other wrong token, so its 404 is indistinguishable.
pub struct TokenPath(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for TokenPath {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let token = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(t)| t)
            .unwrap_or_default();
        Ok(TokenPath(token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_decode_percent_and_plus() {
        let fields = FormFields::parse(
            b"subject=Hello+there%21&body=%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82&empty=",
        )
        .unwrap();
        assert_eq!(fields.get("subject"), Some("Hello there!"));
        assert_eq!(fields.get("body"), Some("привет"));
        assert_eq!(fields.get("empty"), Some(""));
        assert_eq!(fields.get("missing"), None);
    }

    #[test]
    fn invalid_utf8_in_a_form_is_refused_not_replaced() {
        assert!(FormFields::parse(b"body=%FF%FE").is_err());
        assert!(FormFields::parse(b"body=\xff").is_err());
    }
}
