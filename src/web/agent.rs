//! The agent desk: sign-in, scoped ticket lists and pages, replies and notes, escalation,
//! break-glass, and the agent's own account. Works without JavaScript.

pub mod account;
pub mod break_glass;
pub mod downloads;
pub mod enrol;
pub mod kb;
pub mod login;
pub mod notifications;
pub mod status;
pub mod tickets;

use super::lang::Tr;
use super::session::CurrentAgent;

/// What the staff page frame needs: who is signed in, the CSRF token for its forms and the
/// unread notifications. Only `Nav::load` makes one, so no staff page can show a count it
/// did not read.
#[derive(Clone)]
pub struct Nav {
    pub agent_name: String,
    pub role: &'static str,
    pub is_admin: bool,
    pub must_change_password: bool,
    pub csrf: String,
    /// Unread desk notifications.
    pub notifications: i64,
    /// The agent edits the knowledge base of some queue.
    pub kb_editor: bool,
    /// Keeps the struct from being written out anywhere but here.
    _counted: (),
}

impl Nav {
    /// The frame for `agent`, with the unread notifications counted (one indexed statement).
    pub async fn load(agent: &CurrentAgent) -> super::error::WebResult<Self> {
        Ok(Nav {
            agent_name: agent.desk.name().to_string(),
            role: agent.desk.role().id(),
            is_admin: agent.desk.admin().is_some(),
            must_change_password: agent.desk.scope().must_change_password(),
            csrf: agent.csrf.clone(),
            notifications: agent.desk.unread_notifications().await?,
            kb_editor: !agent.desk.kb_queues().await?.is_empty(),
            _counted: (),
        })
    }
}

/// "3h 20m left" or "overdue by 40m"; "met" once done.
pub(crate) fn time_left(tr: &Tr, due: Option<i64>, done: bool, now: i64) -> (String, bool) {
    match due {
        _ if done => (tr.t("sla-met"), false),
        None => (tr.t("sla-none"), false),
        Some(due) if due >= now => (tr.a("sla-left", "span", tr.span(due - now)), false),
        Some(due) => (tr.a("sla-overdue", "span", tr.span(now - due)), true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn time_left_reads_naturally() {
        let en = Tr::plain(Lang::En);
        assert_eq!(time_left(&en, Some(7_200 + 600), false, 0).0, "2h 10m left");
        assert_eq!(
            time_left(&en, Some(100), false, 2_500),
            ("overdue by 40m".into(), true)
        );
        assert_eq!(time_left(&en, Some(0), true, 1_000).0, "met");
        assert_eq!(time_left(&en, Some(3 * 86_400), false, 0).0, "3d 0h left");
        let ru = Tr::plain(Lang::Ru);
        assert_eq!(
            time_left(&ru, Some(100), false, 2_500).0,
            "просрочено на 40 мин"
        );
    }
}
