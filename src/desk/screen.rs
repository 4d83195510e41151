//! Screening attachments before they are redacted or sealed, one path for mail and the web:
//! each file is sorted by its bytes into text, image or other binary; every image and binary
//! is scanned by clamd (text too, when a scanner is there: it is cheap), images are encoded
//! again without their metadata. Fails closed: no verdict, no image or binary kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::clamd::{Clamd, Verdict};
use super::picture::{Picture, PictureError};
use super::{Desk, DeskError, IncomingAttachment};

/// Extensions of files read as text when their bytes are UTF-8, whatever type they were
/// sent with (browsers send logs and configuration as `application/octet-stream`).
const TEXT_EXTENSIONS: [&str; 14] = [
    "txt",
    "log",
    "conf",
    "cfg",
    "ini",
    "yaml",
    "yml",
    "toml",
    "json",
    "xml",
    "csv",
    "md",
    "properties",
    "env",
];

/// How often one kind of intake alert is raised at most: a scanner that is down stays down
/// for every submission until someone acts, and one alert says so.
const ALERT_EVERY: Duration = Duration::from_secs(15 * 60);
/// Malware is worth an alert each time, but not a flood of them from one sender.
const INFECTED_ALERT_EVERY: Duration = Duration::from_secs(60);

/// The scanner and what to do without one.
#[derive(Debug)]
pub(crate) struct Screening {
    clamd: Option<Clamd>,
    accept_unscanned: bool,
    last_alert: Mutex<HashMap<&'static str, Instant>>,
    /// Images decoded at once. Each may take a few hundred megabytes, so without this a few
    /// large pictures sent together would add up to gigabytes.
    decodes: tokio::sync::Semaphore,
}

/// Pictures decoded at the same time, whatever the number of requests carrying them.
const DECODES_AT_ONCE: usize = 1;

impl Screening {
    pub(crate) fn new(config: &crate::config::Config) -> Arc<Screening> {
        Arc::new(Screening {
            clamd: Clamd::from_config(&config.clamav),
            accept_unscanned: config.attachments.accept_unscanned,
            last_alert: Mutex::new(HashMap::new()),
            decodes: tokio::sync::Semaphore::new(DECODES_AT_ONCE),
        })
    }

    /// Whether an alert of `kind` is due, remembering that it is.
    fn alert_due(&self, kind: &'static str, every: Duration) -> bool {
        let Ok(mut last) = self.last_alert.lock() else {
            return true;
        };
        let now = Instant::now();
        match last.get(kind) {
            Some(at) if now.duration_since(*at) < every => false,
            _ => {
                last.insert(kind, now);
                true
            }
        }
    }
}

/// Why images and binaries could not be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unscanned {
    /// No `[clamav]` is configured and the operator did not choose to keep unscanned files.
    NoScanner,
    /// The scanner did not answer, or not in time.
    ScannerDown,
}

/// Attachments after screening: those to keep, and the names of those held back for want of
/// a verdict (the web files the ticket without them and says so; mail is refused whole).
#[derive(Debug, Default)]
pub(crate) struct Screened {
    pub kept: Vec<IncomingAttachment>,
    pub held_back: Vec<String>,
    pub why: Option<Unscanned>,
}

/// A submission refused because of one of its files; nothing of it is stored. The text
/// names no file (it may reach a log); the page names it from the fields.
#[derive(Debug, thiserror::Error)]
pub enum AttachmentRefusal {
    #[error("an attachment carries malware ({signature}); nothing was kept")]
    Infected { name: String, signature: String },
    #[error("an image could not be read; nothing was kept")]
    Unreadable { name: String },
    #[error("an image is larger than the desk decodes; nothing was kept")]
    TooLarge { name: String },
    /// Mail only: it cannot be taken in part.
    #[error(
        "attachments cannot be accepted right now; nothing was kept: send the text without them, or again later"
    )]
    Unscanned(Unscanned),
}

impl AttachmentRefusal {
    /// The name of the file at fault, as the sender gave it.
    pub fn file_name(&self) -> Option<&str> {
        match self {
            AttachmentRefusal::Infected { name, .. }
            | AttachmentRefusal::Unreadable { name }
            | AttachmentRefusal::TooLarge { name } => Some(name),
            AttachmentRefusal::Unscanned(_) => None,
        }
    }
}

enum Kind {
    Text,
    Picture(Picture),
    Binary,
}

fn kind_of(attachment: &IncomingAttachment) -> Kind {
    if let Some(picture) = Picture::sniff(&attachment.bytes) {
        return Kind::Picture(picture);
    }
    if attachment.as_text().is_some() || (text_by_name(&attachment.name) && is_utf8(attachment)) {
        return Kind::Text;
    }
    Kind::Binary
}

fn text_by_name(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| TEXT_EXTENSIONS.iter().any(|t| t.eq_ignore_ascii_case(ext)))
}

fn is_utf8(attachment: &IncomingAttachment) -> bool {
    std::str::from_utf8(&attachment.bytes).is_ok()
}

impl Desk {
    /// Screens a submission's files in order. An infected file or an image that cannot be
    /// read refuses the whole submission; images and binaries without a verdict are held
    /// back (and an admin alert raised, at most every few minutes).
    pub(super) async fn screen(
        &self,
        incoming: Vec<IncomingAttachment>,
    ) -> Result<Screened, DeskError> {
        let mut screened = Screened::default();
        for mut attachment in incoming {
            let kind = kind_of(&attachment);
            let verdict = match (&self.screening.clamd, &kind) {
                (Some(clamd), _) => match clamd.scan(&attachment.bytes).await {
                    Ok(verdict) => Some(verdict),
                    Err(err) => {
                        tracing::warn!(error = %err, "the virus scanner gave no verdict");
                        self.intake_alert("scanner_unavailable", ALERT_EVERY, &[])
                            .await;
                        if matches!(kind, Kind::Text) {
                            None
                        } else {
                            screened.hold_back(attachment.name, Unscanned::ScannerDown);
                            continue;
                        }
                    }
                },
                (None, Kind::Text) => None,
                (None, _) if self.screening.accept_unscanned => None,
                (None, _) => {
                    screened.hold_back(attachment.name, Unscanned::NoScanner);
                    continue;
                }
            };
            if let Some(Verdict::Infected(signature)) = verdict {
                tracing::warn!(signature = %signature, "refused an attachment that carries malware");
                self.intake_alert(
                    "attachment_infected",
                    INFECTED_ALERT_EVERY,
                    &[("signature", &signature)],
                )
                .await;
                return Err(DeskError::Attachment(AttachmentRefusal::Infected {
                    name: attachment.name,
                    signature,
                }));
            }
            match kind {
                Kind::Text if attachment.as_text().is_none() => {
                    attachment.media_type = "text/plain; charset=utf-8".into();
                }
                Kind::Picture(picture) => {
                    let bytes = std::mem::take(&mut attachment.bytes);
                    let _turn = self
                        .screening
                        .decodes
                        .acquire()
                        .await
                        .map_err(|e| DeskError::Internal(e.into()))?;
                    let clean = tokio::task::spawn_blocking(move || picture.reencode(&bytes))
                        .await
                        .map_err(|e| DeskError::Internal(e.into()))?;
                    match clean {
                        Ok(bytes) => attachment.bytes = bytes,
                        Err(PictureError::TooLarge) => {
                            return Err(DeskError::Attachment(AttachmentRefusal::TooLarge {
                                name: attachment.name,
                            }));
                        }
                        Err(PictureError::Unreadable) => {
                            return Err(DeskError::Attachment(AttachmentRefusal::Unreadable {
                                name: attachment.name,
                            }));
                        }
                    }
                    attachment.media_type = picture.media_type().into();
                }
                Kind::Text | Kind::Binary => {}
            }
            screened.kept.push(attachment);
        }
        Ok(screened)
    }

    /// Raises an intake alert when one of its kind is due; a failure to raise it is logged,
    /// not passed on, so it never turns a submission away.
    async fn intake_alert(&self, kind: &'static str, every: Duration, pairs: &[(&str, &str)]) {
        if !self.screening.alert_due(kind, every) {
            return;
        }
        if let Err(err) = self.store.raise_intake_alert(kind, pairs).await {
            tracing::error!(error = %err, kind, "raising an intake alert failed");
        }
    }
}

impl Screened {
    fn hold_back(&mut self, name: String, why: Unscanned) {
        self.held_back.push(name);
        self.why = Some(why);
    }

    /// For mail, which cannot keep part of a message: held-back files refuse it whole.
    pub(crate) fn all_or_refuse(self) -> Result<Vec<IncomingAttachment>, DeskError> {
        match self.why {
            Some(why) => Err(DeskError::Attachment(AttachmentRefusal::Unscanned(why))),
            None => Ok(self.kept),
        }
    }
}
