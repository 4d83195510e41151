//! Sealed attachments: the ticket page's Download form mints a single-use link and sends the
//! browser to it; the link answers once, to the agent who asked for it, with the opened bytes
//! as a file that no browser renders and no cache keeps.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::tickets::{record_if_not_found, reference};
use crate::desk::TicketOp;
use crate::web::error::{WebError, WebResult};
use crate::web::session::{CsrfForm, LinkHolder};

/// `POST /agent/tickets/{reference}/attachments/{id}/link`: mints the link and answers 303
/// to it, so the page stays where it is and the browser saves the file.
pub async fn link(
    Path((reference_text, attachment)): Path<(String, String)>,
    form: CsrfForm,
) -> WebResult<Response> {
    let answer: WebResult<Response> = async {
        let reference = reference(&reference_text)?;
        let attachment = attachment.parse::<i64>().map_err(|_| WebError::NotFound)?;
        let link = form
            .agent
            .desk
            .attachment_link(&reference, attachment)
            .await?;
        Ok(Redirect::to(&path(&link.token)).into_response())
    }
    .await;
    record_if_not_found(
        &form.agent.desk,
        TicketOp::DownloadLink,
        &reference_text,
        answer,
    )
    .await
}

/// Where a minted link points.
pub(crate) fn path(token: &str) -> String {
    format!("/agent/attachments/{token}")
}

/// `GET /agent/attachments/{token}`: spends the link and sends the file.
pub async fn download(agent: LinkHolder, Path(token): Path<String>) -> WebResult<Response> {
    let file = agent.desk.download(&token).await?;
    let mut response = file.bytes.into_response();
    let headers = response.headers_mut();
    // Never the declared type: whatever the file claims to be, the browser only saves it.
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&content_disposition(&file.name))
            .map_err(|e| WebError::Internal(e.into()))?,
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Should a browser render it after all, as an opaque origin without script or forms.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

/// `attachment` with the name twice (RFC 6266): `filename*` percent-encoded as UTF-8
/// (RFC 5987), and a plain ASCII `filename` for clients that know no other. Neither can
/// carry a quote, a backslash, a semicolon or a line break into the header, whatever the
/// name holds.
fn content_disposition(name: &str) -> String {
    let name = if name.trim().is_empty() {
        "attachment"
    } else {
        name
    };
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ' | '[' | ']') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(name.len() * 3);
    for byte in name.bytes() {
        // RFC 5987 `attr-char`; everything else as %XX.
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn a_plain_name_reads_as_itself() {
        assert_eq!(
            content_disposition("dump.bin"),
            "attachment; filename=\"dump.bin\"; filename*=UTF-8''dump.bin"
        );
    }

    #[test]
    fn quotes_line_breaks_and_separators_never_reach_the_header_raw() {
        let header = content_disposition("a\"b\r\nSet-Cookie: x=1;\\c.exe");
        assert_eq!(
            header,
            "attachment; filename=\"a_b__Set-Cookie_ x_1__c.exe\"; \
             filename*=UTF-8''a%22b%0D%0ASet-Cookie%3A%20x%3D1%3B%5Cc.exe"
        );
        assert!(axum::http::HeaderValue::from_str(&header).is_ok());
    }

    #[test]
    fn other_scripts_are_encoded_as_utf8_and_replaced_in_the_fallback() {
        assert_eq!(
            content_disposition("отчёт [EMAIL-1].pdf"),
            "attachment; filename=\"_____ [EMAIL-1].pdf\"; \
             filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82%20%5BEMAIL-1%5D.pdf"
        );
    }

    #[test]
    fn an_empty_name_becomes_attachment() {
        assert!(content_disposition(" ").ends_with("filename*=UTF-8''attachment"));
    }
}
