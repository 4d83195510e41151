//! The verification hook: the product's backend, asked whether a code a requester entered is
//! valid. The request is signed with the shared secret so the backend can tell it came from
//! this desk and is fresh; the answer is believed only when it is well formed and in time.
//! Neither the code nor the secret is ever logged.

use std::time::Duration;

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::config::ProofHook;

/// Most bytes of an answer read: `{"valid": true, "label": "…"}` needs far fewer, and a
/// backend that sends more is not answering the question.
const MAX_ANSWER_BYTES: usize = 16 * 1024;
/// Most characters of the label a backend may give a valid code.
const MAX_LABEL_CHARS: usize = 100;

/// The configured hook, with its client.
pub(super) struct CodeHook {
    url: String,
    host: String,
    secret: SecretString,
    client: reqwest::Client,
}

/// What the hook said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum HookAnswer {
    Valid {
        label: Option<String>,
    },
    Invalid,
    /// No usable answer, and why (`timeout`, `connection`, `status`, `answer`): never taken
    /// for a valid code.
    Unavailable(&'static str),
}

impl CodeHook {
    pub(super) fn new(config: &ProofHook) -> anyhow::Result<CodeHook> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(config.timeout_ms))
            // A redirect would carry the code somewhere the configuration does not name,
            // and a proxy from the environment would see it.
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()?;
        let rest = config
            .url
            .split_once("://")
            .map_or(config.url.as_str(), |(_, rest)| rest);
        Ok(CodeHook {
            url: config.url.clone(),
            host: crate::config::host_of(rest).to_owned(),
            secret: config.secret.clone(),
            client,
        })
    }

    /// The host the hook is called at, for the admin page (the path may carry a key).
    pub(super) fn host(&self) -> &str {
        &self.host
    }

    /// Asks whether `code` proves ownership for ticket `reference`.
    pub(super) async fn check(&self, reference: &str, code: &str, now: i64) -> HookAnswer {
        let body = serde_json::json!({ "ticket": reference, "code": code }).to_string();
        let timestamp = now.to_string();
        let signature = sign(self.secret.expose_secret().as_bytes(), &timestamp, &body);
        let sent = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Hushdesk-Timestamp", &timestamp)
            .header("X-Hushdesk-Signature", format!("sha256={signature}"))
            .body(body)
            .send()
            .await;
        let answer = match sent {
            Ok(response) => read_answer(response).await,
            Err(e) if e.is_timeout() => HookAnswer::Unavailable("timeout"),
            Err(_) => HookAnswer::Unavailable("connection"),
        };
        if let HookAnswer::Unavailable(why) = &answer {
            tracing::warn!(why, reference, "the proof hook gave no usable answer");
        }
        answer
    }
}

async fn read_answer(mut response: reqwest::Response) -> HookAnswer {
    if !response.status().is_success() {
        return HookAnswer::Unavailable("status");
    }
    let mut bytes = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
                    return HookAnswer::Unavailable("answer");
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) if e.is_timeout() => return HookAnswer::Unavailable("timeout"),
            Err(_) => return HookAnswer::Unavailable("connection"),
        }
    }
    parse_answer(&bytes)
}

/// `{"valid": true|false}`, with an optional `label` for a valid code; anything else is no
/// answer.
fn parse_answer(bytes: &[u8]) -> HookAnswer {
    #[derive(serde::Deserialize)]
    struct Answer {
        valid: bool,
        label: Option<String>,
    }
    let Ok(answer) = serde_json::from_slice::<Answer>(bytes) else {
        return HookAnswer::Unavailable("answer");
    };
    if !answer.valid {
        return HookAnswer::Invalid;
    }
    let label = answer
        .label
        .map(|l| {
            l.chars()
                .filter(|c| !c.is_control())
                .take(MAX_LABEL_CHARS)
                .collect::<String>()
                .trim()
                .to_owned()
        })
        .filter(|l| !l.is_empty());
    HookAnswer::Valid { label }
}

/// `hex(HMAC-SHA256(secret, timestamp + "." + body))`, the value of `X-Hushdesk-Signature`
/// after `sha256=`.
fn sign(secret: &[u8], timestamp: &str, body: &str) -> String {
    // HMAC takes keys of any length; this branch cannot be reached.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value Python's `hmac.new(b"Jefe", b"1700000000." + body, hashlib.sha256)` gives.
    #[test]
    fn the_signature_is_hmac_sha256_over_timestamp_dot_body() {
        assert_eq!(
            sign(b"Jefe", "1700000000", r#"{"code":"c","ticket":"HD-X"}"#),
            "ee918c0895192d85d86e4c4131e38830909fd204d75127bf686ccdaeea5db57a"
        );
    }

    #[test]
    fn only_a_well_formed_answer_counts() {
        assert_eq!(parse_answer(br#"{"valid":false}"#), HookAnswer::Invalid);
        assert_eq!(
            parse_answer(br#"{"valid":true}"#),
            HookAnswer::Valid { label: None }
        );
        assert_eq!(
            parse_answer(br#"{"valid":true,"label":" recovery\u0007 code "}"#),
            HookAnswer::Valid {
                label: Some("recovery code".into())
            }
        );
        for garbage in [
            &b""[..],
            b"true",
            b"{\"valid\":\"yes\"}",
            b"{\"ok\":true}",
            b"<html>",
        ] {
            assert_eq!(parse_answer(garbage), HookAnswer::Unavailable("answer"));
        }
    }
}
