//! Forms that may carry files: the new-ticket form and the requester's reply, sent as
//! `multipart/form-data` (or, with no file input in play, as a plain urlencoded form).
//! The limits of `[attachments]` are applied as the parts arrive: a file over a limit is
//! not held, and the text fields are still read, so the form comes back with the requester's
//! text and one clear reason. Nothing here stores or logs a file or its name.

use axum::extract::multipart::{Field, Multipart};
use axum::extract::{FromRequest, Request};
use axum::http::header;

use super::WebState;
use super::error::{FieldError, WebError};
use super::extract::FormFields;
use crate::desk::IncomingAttachment;

/// The name of the file input on both forms.
pub const FILE_FIELD: &str = "attachment";

/// Characters of a file's name kept.
const MAX_NAME_CHARS: usize = 255;

/// A form with its files, or with the reason its files were not taken.
pub struct Upload {
    pub fields: FormFields,
    pub files: Vec<IncomingAttachment>,
    /// Set when a limit was passed: the submission must be refused whole (nothing stored),
    /// and the fields are what to refill the form with.
    pub refused: Option<UploadRefusal>,
}

/// Which limit a submission passed: 413 for the sizes, 422 for the count.
pub struct UploadRefusal {
    pub error: FieldError,
    pub too_large: bool,
}

impl Upload {
    fn refuse(&mut self, error: FieldError, too_large: bool) {
        if self.refused.is_none() {
            self.refused = Some(UploadRefusal { error, too_large });
        }
        // Nothing of a refused submission is kept, not even the files that fitted.
        self.files.clear();
    }
}

impl FromRequest<WebState> for Upload {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &WebState) -> Result<Self, Self::Rejection> {
        let multipart = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("multipart/form-data"));
        if !multipart {
            let fields = FormFields::from_request(request, state).await?;
            return Ok(Upload {
                fields,
                files: Vec::new(),
                refused: None,
            });
        }
        let limits = &state.config.attachments;
        let text_limit = state.config.max_body_bytes;
        let mut parts = Multipart::from_request(request, state)
            .await
            .map_err(|_| WebError::BadRequest("request-unreadable"))?;
        let mut upload = Upload {
            fields: FormFields::default(),
            files: Vec::new(),
            refused: None,
        };
        let mut pairs = Vec::new();
        let (mut text_bytes, mut file_bytes, mut file_count) = (0usize, 0usize, 0usize);
        loop {
            let mut field = match parts.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                // The body passed the routes' limit (or broke off): keep the text read so far.
                Err(err) if err.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                    upload.refuse(total_too_large(limits.max_total_bytes), true);
                    break;
                }
                Err(_) => return Err(WebError::BadRequest("request-unreadable")),
            };
            let name = field.name().unwrap_or_default().to_owned();
            if name != FILE_FIELD {
                let value =
                    match read_limited(&mut field, text_limit.saturating_sub(text_bytes)).await {
                        Read::Whole(bytes) => bytes,
                        Read::Over => return Err(WebError::PayloadTooLarge),
                        Read::Broken(too_large) => {
                            if too_large {
                                upload.refuse(total_too_large(limits.max_total_bytes), true);
                                break;
                            }
                            return Err(WebError::BadRequest("request-unreadable"));
                        }
                    };
                text_bytes += value.len();
                let value = String::from_utf8(value)
                    .map_err(|_| WebError::BadRequest("request-not-utf8"))?;
                pairs.push((name, value));
                continue;
            }
            // A name is shown and stored (masked); no file system needs more than this.
            let file_name: String = field
                .file_name()
                .unwrap_or_default()
                .chars()
                .take(MAX_NAME_CHARS)
                .collect();
            let media_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_owned();
            let read = read_limited(&mut field, limits.max_bytes).await;
            let bytes = match read {
                Read::Whole(bytes) => bytes,
                Read::Over => {
                    let error = FieldError::keyed_with(
                        "attachment",
                        "attachment-too-large",
                        vec![("name", file_name), ("limit", megabytes(limits.max_bytes))],
                    );
                    upload.refuse(error, true);
                    continue;
                }
                Read::Broken(true) => {
                    upload.refuse(total_too_large(limits.max_total_bytes), true);
                    break;
                }
                Read::Broken(false) => return Err(WebError::BadRequest("request-unreadable")),
            };
            // A file input left empty still sends a part, with no name and no bytes.
            if file_name.is_empty() && bytes.is_empty() {
                continue;
            }
            file_count += 1;
            file_bytes += bytes.len();
            if file_count > limits.max_count {
                let error = FieldError::keyed_with(
                    "attachment",
                    "attachment-too-many",
                    vec![("count", limits.max_count.to_string())],
                );
                upload.refuse(error, false);
                continue;
            }
            if file_bytes > limits.max_total_bytes {
                upload.refuse(total_too_large(limits.max_total_bytes), true);
                continue;
            }
            if upload.refused.is_none() {
                upload.files.push(IncomingAttachment {
                    name: file_name,
                    media_type,
                    bytes,
                });
            }
        }
        upload.fields = FormFields::from_pairs(pairs);
        Ok(upload)
    }
}

fn total_too_large(limit: usize) -> FieldError {
    FieldError::keyed_with(
        "attachment",
        "attachment-total-too-large",
        vec![("limit", megabytes(limit))],
    )
}

/// A size in whole mebibytes, rounded up; the catalogue adds the unit.
fn megabytes(bytes: usize) -> String {
    bytes.div_ceil(1024 * 1024).to_string()
}

enum Read {
    Whole(Vec<u8>),
    /// More than the limit: the rest of the part was read and dropped.
    Over,
    /// The body broke off; `true` when it passed the routes' body limit.
    Broken(bool),
}

/// Reads one part, holding at most `limit` bytes of it; past that, it reads on to the part's
/// end without keeping anything, so the fields after it still arrive.
async fn read_limited(field: &mut Field<'_>, limit: usize) -> Read {
    let mut bytes = Vec::new();
    let mut over = false;
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                if over || bytes.len() + chunk.len() > limit {
                    over = true;
                    bytes = Vec::new();
                } else {
                    bytes.extend_from_slice(&chunk);
                }
            }
            Ok(None) if over => return Read::Over,
            Ok(None) => return Read::Whole(bytes),
            Err(err) => {
                return Read::Broken(err.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE);
            }
        }
    }
}
