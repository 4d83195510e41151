//! `grant_for_reply` widened an agent's scope into a full requester grant (read, reply and
//! delete as the requester). An agent's public reply now mails through a mailbox that can
//! only queue mail; no door turns an agent into the requester.

async fn widen(agent: &hushdesk::desk::AgentDesk) {
    let _ = agent.grant_for_reply("HD-ABCD2345").await;
}

fn main() {}
