//! The status page: what anyone may read (components, incidents, the signed text of each
//! update), and `IncidentDesk`, the door of those who may post (admins, and agents holding
//! the incident grant). Every update is clear-signed with the helpdesk key when it is posted
//! and kept as signed: a notice received elsewhere verifies against the key it was made
//! with, and a later key rotation changes nothing already published.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::domain::{Category, ComponentState, IncidentState, ReasonInput, ReplyInput};
use crate::store::{
    ComponentRow, Conflict, IncidentRow, IncidentScope, PostedUpdate, PosterRow, StoreError,
    UpdateSlot,
};

use super::notice::Notice;
use super::{AdminDesk, AgentDesk, Desk, DeskError};

/// How long a read of the status page is served again without asking the database: a
/// flood of `/status` requests during an outage costs one read every so often.
const BOARD_FRESH_FOR: Duration = Duration::from_secs(3);

/// Resolved incidents the page shows below the open ones.
const RESOLVED_SHOWN: i64 = 20;

/// The status page as of one read.
#[derive(Debug)]
pub struct StatusBoard {
    pub components: Vec<ComponentRow>,
    /// Open incidents first (newest first), then the recently resolved ones.
    pub incidents: Vec<IncidentRow>,
}

/// The last read of the status page, shared by every clone of the desk.
#[derive(Default)]
pub(super) struct BoardCache(Mutex<Option<(Instant, Arc<StatusBoard>)>>);

/// What posting an update did.
#[derive(Debug, Clone, Copy)]
pub struct Posted {
    pub incident_id: i64,
    pub number: i64,
    /// Notices queued by mail for this update in all (none asked: `None`).
    pub notices: Option<i64>,
}

/// An update as an author writes it.
pub struct UpdateForm<'a> {
    pub state: IncidentState,
    pub text: &'a str,
    /// Resolving only: the post-mortem shown with the resolved incident.
    pub postmortem: Option<&'a str>,
    /// The form's one-time key: the same form sent twice posts once.
    pub form_key: &'a str,
    /// Mail the signed notice to the requesters of open tickets in the categories touched.
    pub mail: bool,
}

impl Desk {
    /// The status page, read at most every few seconds.
    pub async fn status_board(&self) -> Result<Arc<StatusBoard>, DeskError> {
        if let Ok(cached) = self.status_cache.0.lock()
            && let Some((at, board)) = cached.as_ref()
            && at.elapsed() < BOARD_FRESH_FOR
        {
            return Ok(board.clone());
        }
        let board = Arc::new(StatusBoard {
            components: self.store.status_components().await?,
            incidents: self.store.status_incidents(RESOLVED_SHOWN).await?,
        });
        if let Ok(mut cached) = self.status_cache.0.lock() {
            *cached = Some((Instant::now(), board.clone()));
        }
        Ok(board)
    }

    /// Forgets the cached page, so the author sees their post at once.
    fn status_changed(&self) {
        if let Ok(mut cached) = self.status_cache.0.lock() {
            *cached = None;
        }
    }

    pub async fn status_incident(&self, id: i64) -> Result<IncidentRow, DeskError> {
        self.store
            .status_incident(id)
            .await?
            .ok_or(DeskError::NotFound)
    }

    /// The clear-signed text of an update, as it was signed.
    pub async fn signed_update(&self, incident_id: i64, number: i64) -> Result<String, DeskError> {
        self.store
            .signed_update(incident_id, number)
            .await?
            .ok_or(DeskError::NotFound)
    }

    /// Who the signed notices say they are from: the support address, and the web address
    /// when one is configured.
    fn desk_name(&self) -> String {
        match &self.outgoing.public_url {
            Some(url) => format!("{} ({url})", self.outgoing.sender.address),
            None => self.outgoing.sender.address.clone(),
        }
    }
}

impl AgentDesk {
    /// The status page's posting door, for an admin or an agent holding the incident grant.
    pub async fn incident_desk(&self) -> Result<Option<IncidentDesk>, DeskError> {
        Ok(self
            .desk
            .store
            .incident_scope(&self.scope)
            .await?
            .map(|scope| IncidentDesk {
                desk: self.desk.clone(),
                scope,
            }))
    }
}

impl AdminDesk {
    pub async fn incident_posters(&self) -> Result<Vec<PosterRow>, DeskError> {
        Ok(self.desk.store.incident_posters(&self.admin).await?)
    }

    /// Gives or takes back an agent's right to post on the status page.
    pub async fn set_incident_poster(
        &self,
        agent: &crate::domain::Name,
        granted: bool,
    ) -> Result<(), DeskError> {
        Ok(self
            .desk
            .store
            .set_incident_poster(&self.admin, agent, granted)
            .await?)
    }
}

/// Someone who may post on the status page.
#[derive(Clone)]
pub struct IncidentDesk {
    desk: Desk,
    scope: IncidentScope,
}

impl IncidentDesk {
    pub async fn board(&self) -> Result<Arc<StatusBoard>, DeskError> {
        self.desk.status_changed();
        self.desk.status_board().await
    }

    pub async fn add_component(&self, name: &str) -> Result<i64, DeskError> {
        let name = self.one_line(name).await?;
        let id = self.desk.store.add_component(&self.scope, &name).await?;
        self.desk.status_changed();
        Ok(id)
    }

    pub async fn set_component_state(
        &self,
        id: i64,
        state: ComponentState,
    ) -> Result<(), DeskError> {
        self.desk
            .store
            .set_component_state(&self.scope, id, state)
            .await?;
        self.desk.status_changed();
        Ok(())
    }

    /// Opens an incident with its first update. The same form sent again answers with what
    /// the first sending did.
    pub async fn open_incident(
        &self,
        title: &str,
        components: &[i64],
        categories: &[Category],
        first: UpdateForm<'_>,
    ) -> Result<Posted, DeskError> {
        if let Some(done) = self.desk.store.update_by_form_key(first.form_key).await? {
            return self.finish(done, first.mail).await;
        }
        let text = self.text(first.text).await?;
        let title = self.one_line(title).await?;
        let id = self
            .desk
            .store
            .open_incident(&self.scope, &title, components, categories)
            .await?;
        self.post_redacted(id, first, text).await
    }

    /// Posts an update to an open incident; `Resolved` resolves it.
    pub async fn post_update(
        &self,
        incident_id: i64,
        update: UpdateForm<'_>,
    ) -> Result<Posted, DeskError> {
        if let Some(done) = self.desk.store.update_by_form_key(update.form_key).await? {
            return self.finish(done, update.mail).await;
        }
        let text = self.text(update.text).await?;
        self.post_redacted(incident_id, update, text).await
    }

    async fn post_redacted(
        &self,
        incident_id: i64,
        update: UpdateForm<'_>,
        text: crate::redact::Redacted<String>,
    ) -> Result<Posted, DeskError> {
        let postmortem = match update.postmortem.map(str::trim) {
            Some(p) if !p.is_empty() && update.state == IncidentState::Resolved => {
                Some(self.text(p).await?)
            }
            _ => None,
        };
        // The number is in the signed text, so a number taken meanwhile means signing again.
        let mut attempt = 0;
        let posted = loop {
            let slot = self.desk.store.update_slot(incident_id).await?;
            if slot.resolved {
                return Err(DeskError::Conflict(Conflict::IncidentResolved));
            }
            let now = crate::store::now_unix();
            let signed = self
                .sign(
                    &slot,
                    update.state,
                    text.as_str(),
                    postmortem.as_ref().map(|p| p.as_str()),
                    now,
                )
                .await?;
            match self
                .desk
                .store
                .post_update(
                    &self.scope,
                    &slot,
                    update.state,
                    &text,
                    &signed,
                    update.form_key,
                    postmortem.as_ref(),
                    now,
                )
                .await
            {
                Err(StoreError::Conflict(Conflict::UpdateNumber)) if attempt < 3 => {
                    // The form key is unique too: a second sending that raced the first
                    // finds its update here.
                    if let Some(done) = self.desk.store.update_by_form_key(update.form_key).await? {
                        break done;
                    }
                    attempt += 1;
                }
                other => break other?,
            }
        };
        self.desk.status_changed();
        self.finish(posted, update.mail).await
    }

    /// Mails the notice if asked (each requester once per update), and says how many were
    /// queued in all.
    async fn finish(&self, update: PostedUpdate, mail: bool) -> Result<Posted, DeskError> {
        let notices = if mail {
            Some(self.mail_notices(&update).await?)
        } else {
            self.desk
                .store
                .status_incident(update.incident_id)
                .await?
                .and_then(|i| i.updates.into_iter().find(|u| u.number == update.number))
                .and_then(|u| u.notices)
        };
        Ok(Posted {
            incident_id: update.incident_id,
            number: update.number,
            notices,
        })
    }

    async fn mail_notices(&self, update: &PostedUpdate) -> Result<i64, DeskError> {
        let signed = self
            .desk
            .signed_update(update.incident_id, update.number)
            .await?;
        let mailboxes = self
            .desk
            .store
            .claim_notice_mailboxes(&self.scope, update)
            .await?;
        let mut queued = 0;
        for mailbox in &mailboxes {
            // A mailbox is claimed before it is mailed: one that fails here is not tried
            // again by a second sending of the form (a missed notice rather than a double).
            match self
                .desk
                .notify_requester(mailbox, Notice::Incident(&signed))
                .await
            {
                Ok(super::Mailed::Queued) => queued += 1,
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(reference = %mailbox.reference(), error = %err, "an incident notice was not queued");
                }
            }
        }
        Ok(self.desk.store.count_notices(update, queued).await?)
    }

    /// The text every verifier reads: who, which incident, which update, its state, when,
    /// and what it says (with the post-mortem when it resolves), so that a copy received
    /// anywhere stands on its own.
    async fn sign(
        &self,
        slot: &UpdateSlot,
        state: IncidentState,
        text: &str,
        postmortem: Option<&str>,
        at: i64,
    ) -> Result<String, DeskError> {
        let when = time::OffsetDateTime::from_unix_timestamp(at)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_else(|| at.to_string());
        let mut notice = format!(
            "Status notice from {}\nIncident {}: {}\nUpdate {}\nState: {}\nTime: {when}\n\n{}\n",
            self.desk.desk_name(),
            slot.incident_id,
            slot.title,
            slot.number,
            state.signed_word(),
            text.trim_end(),
        );
        if let Some(postmortem) = postmortem {
            notice.push_str(&format!("\nPost-mortem:\n\n{}\n", postmortem.trim_end()));
        }
        let keyring = self.desk.keyring.clone();
        let signed = tokio::task::spawn_blocking(move || keyring.sign_cleartext(notice.as_bytes()))
            .await
            .map_err(anyhow::Error::from)?
            .map_err(anyhow::Error::from)?;
        String::from_utf8(signed).map_err(|e| DeskError::Internal(anyhow::Error::from(e)))
    }

    /// A title or name: one line, redacted like any typed text.
    async fn one_line(&self, raw: &str) -> Result<crate::redact::Redacted<String>, DeskError> {
        let folded: String = raw
            .trim()
            .chars()
            .filter(|c| !hidden_in_notice(*c))
            .map(|c| {
                if c.is_control() || breaks_line(c) {
                    ' '
                } else {
                    c
                }
            })
            .take(200)
            .collect();
        let input = ReasonInput::parse(&folded).map_err(|e| vec![e])?;
        self.desk
            .redact_standalone_input("status", &input.text)
            .await
    }

    async fn text(&self, raw: &str) -> Result<crate::redact::Redacted<String>, DeskError> {
        let raw: String = raw
            .chars()
            .filter(|c| !hidden_in_notice(*c))
            .map(|c| if breaks_line(c) { '\n' } else { c })
            .collect();
        let input = ReplyInput::parse(&raw).map_err(|e| vec![e])?;
        self.desk
            .redact_standalone_input("status", &input.body)
            .await
    }
}

/// Characters a reader cannot see that still change what a notice says or how it reads: the
/// bidirectional embeddings, overrides, isolates and marks (which can show "RTL" as "LTR"),
/// zero-width characters, invisible operators, tag characters and blank fillers (which can
/// carry text nobody sees inside a signed notice). A notice in Russian or English needs
/// none of them, so they are dropped from what is posted, as from attachment names.
fn hidden_in_notice(c: char) -> bool {
    crate::redact::is_invisible_format(c)
}

/// The Unicode line and paragraph separators: a viewer that honours them would start a new
/// line where the signed notice shows none, so a title could seem to carry a header line of
/// its own ("State: Resolved").
fn breaks_line(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
mod hidden_character_tests {
    #[test]
    fn invisible_and_reordering_characters_are_found_and_ordinary_letters_are_not() {
        for c in [
            '\u{202E}',
            '\u{2066}',
            '\u{2069}',
            '\u{200F}',
            '\u{061C}',
            '\u{200B}',
            '\u{200D}',
            '\u{2061}',
            '\u{206A}',
            '\u{FEFF}',
            '\u{E0041}',
            '\u{3164}',
            '\u{00AD}',
        ] {
            assert!(super::hidden_in_notice(c), "{c:?}");
        }
        for c in ['a', 'ж', ' ', '-', '«', '\u{2028}'] {
            assert!(!super::hidden_in_notice(c), "{c:?}");
        }
        assert!(super::breaks_line('\u{2028}') && super::breaks_line('\u{2029}'));
        assert!(!super::breaks_line('\n'));
    }
}
