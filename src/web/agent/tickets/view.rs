//! One ticket as an agent works it: the conversation and its change history in one
//! timeline, separate Reply and Internal note forms, canned responses put into the editor
//! (never sent by choosing them), the collision warning, and only the actions that apply.

use axum::Extension;

use crate::desk::RatingState;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::super::{Nav, time_left};
use super::{record_if_not_found, reference};
use crate::desk::{AgentTicketView, NewerMessages, ProofKind, TicketChange, TicketOp};
use crate::domain::{Priority, Reference, Status};
use crate::web::error::{Rendered, WebError, WebResult};
use crate::web::lang::Tr;
use crate::web::session::{CsrfForm, CurrentAgent};

pub struct MessageLine {
    pub class: &'static str,
    pub who: String,
    pub when: String,
    pub internal: bool,
    pub encrypted: bool,
    pub signature: String,
    pub event: Option<String>,
    pub body: String,
    pub attachments: Vec<crate::desk::AttachmentInfo>,
    /// The message's id when an editor of the ticket's queue may make it a draft article:
    /// a public agent reply on a resolved ticket.
    pub kb_draft: Option<i64>,
}

/// A change in the ticket's history, as one line of the timeline.
pub struct ChangeLine {
    pub who: String,
    pub when: String,
    pub text: String,
    /// A queue move's reason.
    pub reason: Option<String>,
}

/// One entry of the timeline: a message or a change.
pub struct TimelineItem {
    pub message: Option<MessageLine>,
    pub change: Option<ChangeLine>,
}

/// Which editor a draft belongs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Editor {
    Reply,
    Note,
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "agent/ticket.html")]
pub struct TicketPage {
    pub t: Tr,
    pub nav: Nav,
    pub reference: String,
    pub subject: String,
    pub via_break_glass: bool,
    pub queue: String,
    pub restricted: bool,
    pub tier: String,
    pub status: &'static str,
    /// As people read it.
    pub status_text: String,
    pub priority: &'static str,
    pub category: String,
    pub assignee: String,
    pub first_response: String,
    pub first_late: bool,
    pub resolution: String,
    pub resolution_late: bool,
    pub reopen_count: i64,
    /// The requester's rating as one line, once asked; its comment as stored (masked).
    pub rating: Option<String>,
    pub rating_comment: Option<String>,
    pub timeline: Vec<TimelineItem>,
    pub canned: Vec<(i64, String)>,
    /// The status control's choices: (value, label, may be chosen).
    pub statuses: Vec<(&'static str, String, bool)>,
    pub priorities: Vec<&'static str>,
    pub assignable: Vec<String>,
    pub may_assign_to_me: bool,
    pub may_escalate: bool,
    pub may_deescalate: bool,
    pub move_targets: Vec<String>,
    pub spam: Option<SpamLine>,
    /// Who else opened this ticket within the last minutes, as a sentence.
    pub others_viewing: Option<String>,
    /// Set when a message was held back because something changed since the page was loaded.
    pub collision: Option<String>,
    /// What the forms have seen: the newest message's id.
    pub last_message: i64,
    /// Text kept in the editors (a canned response inserted, or a message held back).
    pub reply_text: String,
    pub note_text: String,
    /// What the requester proved, and the challenges still waiting for them.
    pub proofs: Vec<ProofBadge>,
    pub open_challenges: Vec<ProofBadge>,
    /// The kinds of proof that may be asked for: (id, catalogue key of the name).
    pub proof_kinds: Vec<(&'static str, &'static str)>,
    /// Sealed attachments offer a Download button (not to admins).
    pub may_download: bool,
    pub download_minutes: u64,
}

/// A proof or an open challenge, as one badge line.
pub struct ProofBadge {
    pub kind: &'static str,
    /// Catalogue key of the line's wording (`controls address [BTC-1]`).
    pub key: &'static str,
    pub subject: String,
    pub when: String,
    pub by: String,
}

/// The spam mark as the ticket page shows it, with what this viewer may do about it.
pub struct SpamLine {
    pub marked_by: String,
    pub confirmed_by: Option<String>,
    /// Not yet confirmed, and the viewer is not the agent who marked it.
    pub may_confirm: bool,
    /// The viewer owns the ticket's queue.
    pub may_restore: bool,
}

pub async fn show(
    agent: CurrentAgent,
    Path(reference_text): Path<String>,
) -> WebResult<TicketPage> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        let view = agent.desk.ticket(&reference).await?;
        page_for(&agent, view).await
    }
    .await;
    record_if_not_found(&agent.desk, TicketOp::View, &reference_text, answer).await
}

/// The ticket page again with `text` in one editor: a canned response inserted (`Insert`
/// without JavaScript), never sent.
pub async fn draft(Path(reference_text): Path<String>, form: CsrfForm) -> WebResult<Response> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        let editor = match form.fields.get("editor").unwrap_or_default() {
            "note" => Editor::Note,
            _ => Editor::Reply,
        };
        let typed = form.fields.get("body").unwrap_or_default();
        match form.fields.get("canned").unwrap_or_default() {
            "" => Ok(
                page_with_text(&form.agent, &reference, editor, typed.to_owned(), None)
                    .await?
                    .into_response(),
            ),
            id => {
                let id = id.parse::<i64>().map_err(|_| WebError::NotFound)?;
                inserted(&form.agent, &reference, editor, typed, id).await
            }
        }
    }
    .await;
    record_if_not_found(&form.agent.desk, TicketOp::View, &reference_text, answer).await
}

/// The ticket page with canned response `id` put into the editor after the `typed` text.
pub(super) async fn inserted(
    agent: &CurrentAgent,
    reference: &Reference,
    editor: Editor,
    typed: &str,
    id: i64,
) -> WebResult<Response> {
    let canned = agent.desk.canned_text(reference, id).await?;
    let text = if typed.trim().is_empty() {
        canned
    } else {
        format!("{typed}\n\n{canned}")
    };
    Ok(page_with_text(agent, reference, editor, text, None)
        .await?
        .into_response())
}

/// The page of a message held back because others wrote since its page was loaded: the
/// warning, and the text still in its editor. Answered with 409.
pub(super) async fn held_back(
    agent: &CurrentAgent,
    reference: &Reference,
    editor: Editor,
    text: String,
    newer: &NewerMessages,
) -> WebResult<Response> {
    let tr = &agent.tr;
    let mut who: Vec<String> = newer.agents.clone();
    if newer.requester {
        who.push(tr.t("agent-ticket-the-requester"));
    }
    let warning = tr.a("agent-ticket-held-back", "who", who.join(", "));
    let page = page_with_text(agent, reference, editor, text, Some(warning)).await?;
    // Marked as rendered: the error layer must not replace the page that keeps the text.
    Ok((StatusCode::CONFLICT, Extension(Rendered), page).into_response())
}

async fn page_with_text(
    agent: &CurrentAgent,
    reference: &Reference,
    editor: Editor,
    text: String,
    collision: Option<String>,
) -> WebResult<TicketPage> {
    let view = agent.desk.ticket(reference).await?;
    let mut page = page_for(agent, view).await?;
    match editor {
        Editor::Reply => page.reply_text = text,
        Editor::Note => page.note_text = text,
    }
    page.collision = collision;
    Ok(page)
}

/// A change as one line of the timeline, and a queue move's reason.
fn change_text(tr: &Tr, change: &TicketChange) -> (String, Option<String>) {
    let line = |key: &str, from: String, to: String| tr.a2(key, "from", from, "to", to);
    let agent = |name: &Option<String>| name.clone().unwrap_or_else(|| tr.t("agent-ticket-nobody"));
    let tier = |tier: &crate::domain::Tier| tr.a("tier", "tier", tier.get());
    match change {
        TicketChange::Status { from, to } => (
            line(
                "agent-ticket-change-status",
                tr.status(from.id()),
                tr.status(to.id()),
            ),
            None,
        ),
        TicketChange::Priority { from, to } => (
            line(
                "agent-ticket-change-priority",
                from.id().to_owned(),
                to.id().to_owned(),
            ),
            None,
        ),
        TicketChange::Assignee { from, to } => (
            line("agent-ticket-change-assignee", agent(from), agent(to)),
            None,
        ),
        TicketChange::Queue { from, to, reason } => (
            line("agent-ticket-change-queue", from.clone(), to.clone()),
            Some(tr.a("agent-ticket-change-reason", "reason", reason)),
        ),
        TicketChange::Tier { from, to } => {
            (line("agent-ticket-change-tier", tier(from), tier(to)), None)
        }
    }
}

/// The ticket page; a resolved ticket's replies offer a draft article to the editors of
/// its queue only.
async fn page_for(agent: &CurrentAgent, view: AgentTicketView) -> WebResult<TicketPage> {
    let kb_editor = view.summary.status == crate::domain::Status::Resolved
        && agent.desk.kb_queues().await?.contains(&view.summary.queue);
    let mut page = page(Nav::load(agent).await?, agent, view);
    if !kb_editor {
        for item in &mut page.timeline {
            if let Some(m) = &mut item.message {
                m.kb_draft = None;
            }
        }
    }
    Ok(page)
}

fn page(nav: Nav, agent: &CurrentAgent, view: AgentTicketView) -> TicketPage {
    let tr = agent.tr.clone();
    let now = crate::desk::now_unix();
    let viewer = agent.desk.scope();
    let t = view.summary;
    let (first_response, first_late) = match t.first_response_at {
        Some(at) => (tr.a("agent-ticket-first-given", "time", tr.time(at)), false),
        None if t.status.is_final() => (tr.t("sla-stopped"), false),
        None => time_left(&tr, t.first_response_due, false, now),
    };
    let (resolution, resolution_late) = time_left(&tr, t.resolution_due, t.status.is_final(), now);
    let my_name = viewer.name().as_str().to_owned();
    let assignee = t.assignee.unwrap_or_default();
    let mut timeline: Vec<(i64, TimelineItem)> = view
        .messages
        .into_iter()
        .map(|m| {
            let at = m.created_at;
            let kb_draft =
                (m.author == "agent" && !m.internal && m.event.is_none()).then(|| m.message_id());
            let line = MessageLine {
                kb_draft,
                class: match (m.author.as_str(), m.internal) {
                    ("requester", _) => "theirs",
                    (_, true) => "note",
                    _ => "mine",
                },
                who: match (m.author.as_str(), m.agent_name) {
                    ("requester", _) => tr.t("agent-ticket-requester"),
                    (_, Some(name)) => name,
                    (_, None) => tr.t("agent-ticket-automatic"),
                },
                when: tr.time(m.created_at),
                internal: m.internal,
                encrypted: m.encrypted,
                signature: m.signature,
                event: m.event,
                body: m.body,
                attachments: m.attachments,
            };
            (
                at,
                TimelineItem {
                    message: Some(line),
                    change: None,
                },
            )
        })
        .collect();
    timeline.extend(view.events.iter().map(|event| {
        let (text, reason) = change_text(&tr, &event.change);
        (
            event.at,
            TimelineItem {
                message: None,
                change: Some(ChangeLine {
                    who: event.agent_name.clone().unwrap_or_default(),
                    when: tr.time(event.at),
                    text,
                    reason,
                }),
            },
        )
    }));
    // Stable: a message and the change it came with (an escalation) keep their order.
    timeline.sort_by_key(|(at, _)| *at);
    let tier = t.tier;
    let spam_marked = view.spam.is_some();
    let mut statuses: Vec<(&'static str, &'static str, bool)> = Status::ALL
        .iter()
        .filter(|s| s.agent_may_set() || **s == t.status)
        .map(|s| (s.id(), s.id(), s.agent_may_set()))
        .collect();
    let status_labels: Vec<String> = statuses.iter().map(|(id, _, _)| tr.status(id)).collect();
    statuses.sort_by_key(|(id, _, _)| Status::ALL.iter().position(|s| s.id() == *id));
    TicketPage {
        reference: t.reference.to_string(),
        subject: t.subject,
        via_break_glass: view.via_break_glass,
        queue: t.queue,
        restricted: view.queue_restricted,
        tier: tier.to_string(),
        status: t.status.id(),
        status_text: tr.status(t.status.id()),
        priority: t.priority.id(),
        category: tr.category(&view.category),
        may_assign_to_me: assignee != my_name && view.assignable.contains(&my_name),
        assignee,
        first_response,
        first_late,
        resolution,
        resolution_late,
        reopen_count: view.reopen_count,
        rating: match &view.rating {
            RatingState::NotAsked => None,
            RatingState::Offered => Some(tr.t("agent-ticket-rating-offered")),
            RatingState::Declined => Some(tr.t("agent-ticket-rating-declined")),
            RatingState::Rated { score, .. } => Some(tr.n("agent-ticket-rating-score", *score)),
        },
        rating_comment: match &view.rating {
            RatingState::Rated { comment, .. } => comment.clone(),
            _ => None,
        },
        timeline: timeline.into_iter().map(|(_, item)| item).collect(),
        canned: view.canned,
        statuses: statuses
            .into_iter()
            .zip(status_labels)
            .map(|((id, _, settable), label)| (id, label, settable))
            .collect(),
        priorities: Priority::ALL.iter().map(|p| p.id()).collect(),
        assignable: view.assignable,
        may_escalate: !spam_marked && tier.up().is_some(),
        may_deescalate: !spam_marked && tier.down().is_some(),
        move_targets: view.move_targets,
        spam: view.spam.map(|mark| SpamLine {
            may_confirm: mark.confirmed_by.is_none()
                && mark.marked_by.as_deref() != Some(viewer.name().as_str()),
            marked_by: mark
                .marked_by
                .unwrap_or_else(|| tr.t("agent-ticket-spam-not-recorded")),
            confirmed_by: mark.confirmed_by,
            may_restore: view.viewer_owns_queue,
        }),
        others_viewing: (!view.others_viewing.is_empty()).then(|| {
            tr.a(
                "agent-ticket-others-viewing",
                "names",
                view.others_viewing.join(", "),
            )
        }),
        collision: None,
        last_message: view.last_message_id,
        reply_text: String::new(),
        note_text: String::new(),
        proofs: view
            .proofs
            .into_iter()
            .map(|p| ProofBadge {
                kind: p.kind.id(),
                key: match p.kind {
                    ProofKind::OpenPgp => "agent-proof-controls-key",
                    ProofKind::Code => "agent-proof-gave-code",
                    _ => "agent-proof-controls-address",
                },
                subject: p.subject_mask,
                when: tr.time(p.verified_at),
                by: String::new(),
            })
            .collect(),
        open_challenges: view
            .open_challenges
            .into_iter()
            .map(|c| ProofBadge {
                kind: c.kind.id(),
                key: crate::web::public::ticket::proof_kind_key(c.kind),
                subject: c.expected_mask.unwrap_or_default(),
                when: tr.time(c.expires_at),
                by: c.requested_by.unwrap_or_default(),
            })
            .collect(),
        proof_kinds: ProofKind::ALL
            .iter()
            .map(|k| (k.id(), crate::web::public::ticket::proof_kind_key(*k)))
            .collect(),
        may_download: agent.desk.may_download(),
        download_minutes: agent.desk.download_link_minutes(),
        nav,
        t: tr,
    }
}

/// The page that asks before a ticket is closed as spam (no JavaScript needed).
#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "agent/confirm.html")]
pub struct ConfirmPage {
    pub t: Tr,
    pub nav: Nav,
    pub reference: String,
    /// Catalogue keys.
    pub question: &'static str,
    pub explanation: &'static str,
    pub action: String,
    pub button: &'static str,
}

pub async fn confirm_spam_page(
    agent: CurrentAgent,
    Path(reference_text): Path<String>,
) -> WebResult<ConfirmPage> {
    let answer: WebResult<_> = async {
        let reference = reference(&reference_text)?;
        // Read through the scope like any view, so an out-of-scope reference is a 404.
        agent.desk.ticket(&reference).await?;
        Ok(ConfirmPage {
            t: agent.tr.clone(),
            nav: Nav::load(&agent).await?,
            question: "agent-ticket-spam-question",
            explanation: "agent-ticket-spam-explanation",
            action: format!("/agent/tickets/{reference}/spam"),
            button: "agent-ticket-spam-yes",
            reference: reference.to_string(),
        })
    }
    .await;
    record_if_not_found(&agent.desk, TicketOp::Spam, &reference_text, answer).await
}

/// The page that asks the second agent before they confirm a ticket as spam, which starts
/// its short spam retention.
pub async fn confirm_spam_confirmation_page(
    agent: CurrentAgent,
    Path(reference_text): Path<String>,
) -> WebResult<ConfirmPage> {
    spam_confirmation(&agent, &reference_text).await
}

/// The question before confirming spam; also the answer to a confirmation posted without
/// `confirm=yes`.
pub(super) async fn spam_confirmation(
    agent: &CurrentAgent,
    reference_text: &str,
) -> WebResult<ConfirmPage> {
    let answer: WebResult<_> = async {
        let reference = reference(reference_text)?;
        agent.desk.ticket(&reference).await?;
        Ok(ConfirmPage {
            t: agent.tr.clone(),
            nav: Nav::load(agent).await?,
            question: "agent-ticket-spam-confirm-question",
            explanation: "agent-ticket-spam-confirm-explanation",
            action: format!("/agent/tickets/{reference}/spam/confirm"),
            button: "agent-ticket-spam-confirm",
            reference: reference.to_string(),
        })
    }
    .await;
    record_if_not_found(&agent.desk, TicketOp::ConfirmSpam, reference_text, answer).await
}
