//! The outgoing-mail queue under overlapping runs: a mail job whose run outlasts its 15 s tick
//! overlaps the next one on the same instance (on SQLite no claim stops that), yet each queued
//! message reaches the relay once, because each is leased to the run that took it.

use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn overlapping_mail_runs_on_one_instance_send_each_message_once() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("olga", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    for i in 0..3 {
        let (reference, _, _) = app
            .file_via_api(
                &format!("Question {i}"),
                "Where is my order?",
                json!({ "contact": format!("requester{i}@example.org") }),
            )
            .await;
        let reply = app
            .agent_post(
                &token,
                &format!("/api/v1/agent/tickets/{reference}/replies"),
                &json!({ "body": "It is on its way." }),
            )
            .await;
        assert_eq!(reply.status(), 201);
    }
    let queued = app.count_rows("outbox").await;
    assert_eq!(queued, 3, "one message per reply is queued");

    let relay = crate::mail_sink::free_addr();
    let sink = crate::mail_sink::start(relay).await;
    let relay_url = format!("smtp://{relay}");
    let now = hushdesk::desk::now_unix();
    let (first, second) = tokio::join!(
        hushdesk::jobs::deliver_mail(&app.state.system, &relay_url, now),
        hushdesk::jobs::deliver_mail(&app.state.system, &relay_url, now)
    );
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first.failed + second.failed, 0);
    assert_eq!(first.sent + second.sent, 3, "{first:?} {second:?}");
    let mut recipients: Vec<String> = sink
        .captured
        .lock()
        .unwrap()
        .iter()
        .flat_map(|m| m.recipients.clone())
        .collect();
    recipients.sort();
    assert_eq!(
        recipients,
        [
            "requester0@example.org",
            "requester1@example.org",
            "requester2@example.org"
        ]
    );
    assert_eq!(app.count_rows("outbox").await, 0);
}
