//! New tickets store themselves many to one write transaction (group commit). Under a burst
//! of filings each one is still stored exactly once, committed before its requester hears
//! "filed", with one audit entry each and the chain unbroken; and one filing that the
//! database refuses fails alone, without taking the others of its batch down with it.

use futures_util::future::join_all;
use serde_json::json;

use crate::support::{TestApp, on_postgres_engine};

/// A database rule that refuses one filing halfway: its ticket row is written, then the
/// insert of its first message (a body holding the word) fails, as a full disk or a broken
/// row would, inside a batch of good ones. What the filing wrote before must go too.
async fn refuse_subjects_with(app: &TestApp) {
    if on_postgres_engine() {
        app.database()
            .execute_script(
                "create function refuse_poison() returns trigger language plpgsql as $$ \
                 begin if new.body like '%POISON%' then raise exception 'refused'; end if; \
                 return new; end $$; \
                 create trigger refuse_poison before insert on messages for each row \
                 execute function refuse_poison();",
            )
            .await;
    } else {
        app.database()
            .execute_script(
                "create trigger refuse_poison before insert on messages \
                 when new.body like '%POISON%' \
                 begin select raise(abort, 'refused'); end;",
            )
            .await;
    }
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    app.query_values::<i64>(sql, &[]).await[0]
}

/// 120 filings at once through the API and the form: every one answered 201 with its own
/// reference, already in the database when the answer arrives, readable with its own link,
/// one `ticket_filed` entry each, and the real binary verifies the chain.
#[tokio::test]
async fn a_burst_of_filings_is_each_stored_once_before_it_is_answered() {
    let app = TestApp::spawn().await;
    let database = app.database();
    let filings = (0..120).map(|i| {
        let (app, database) = (&app, &database);
        async move {
            let (reference, token) = if i % 3 == 0 {
                app.file_via_form(&[
                    ("subject", &format!("Burst form {i}")),
                    ("body", "Cannot sign in since the update"),
                    ("category", "functionality"),
                ])
                .await
            } else {
                let (reference, token, _) = app
                    .file_via_api(
                        &format!("Burst api {i}"),
                        "Cannot sign in since the update",
                        json!({ "contact": format!("burst{i}@example.org") }),
                    )
                    .await;
                (reference, token)
            };
            let stored: Vec<i64> = database
                .query_values(
                    "select count(*) from tickets where reference = $1",
                    &[reference.as_str().into()],
                )
                .await;
            assert_eq!(stored, [1], "{reference} answered before it was committed");
            (reference, token)
        }
    });
    let filed = join_all(filings).await;

    let mut references: Vec<&str> = filed.iter().map(|(r, _)| r.as_str()).collect();
    references.sort_unstable();
    references.dedup();
    assert_eq!(references.len(), 120, "references are distinct");
    assert_eq!(count(&app, "select count(*) from tickets").await, 120);
    assert_eq!(
        count(
            &app,
            "select count(*) from audit_log where action = 'ticket_filed'"
        )
        .await,
        120
    );
    for (reference, token) in filed.iter().step_by(7) {
        let path = if token.starts_with("/t/") {
            token.clone()
        } else {
            format!("/api/v1/tickets/{token}")
        };
        let page = app.get(&path).await;
        assert_eq!(page.status(), 200, "{reference} opens with its own link");
        assert!(page.text().await.unwrap().contains(reference.as_str()));
    }
    let (passed, text) = crate::audit::verify(&database);
    assert!(passed, "{text}");
}

/// Filings that the database refuses one by one, in the middle of a crowd of good ones:
/// each refused filing gets an error and leaves nothing behind, every good one is stored
/// (on PostgreSQL an error would abort the whole shared transaction without the savepoint
/// each filing has), and the chain verifies.
#[tokio::test]
async fn a_refused_filing_fails_alone_and_its_batch_is_stored() {
    let app = TestApp::spawn().await;
    refuse_subjects_with(&app).await;
    let filings = (0..60).map(|i| {
        let app = &app;
        async move {
            let (subject, body) = if i % 10 == 5 {
                (format!("Bad {i}"), "POISON charged twice")
            } else {
                (format!("Good {i}"), "Charged twice")
            };
            let response = app
                .post_json(
                    "/api/v1/tickets",
                    &json!({ "subject": subject, "body": body, "category": "billing" }),
                )
                .await;
            (subject, response.status().as_u16())
        }
    });
    let answers = join_all(filings).await;

    for (subject, status) in &answers {
        if subject.starts_with("Bad") {
            assert_eq!(*status, 500, "{subject} is refused by the database");
        } else {
            assert_eq!(*status, 201, "{subject} is stored beside the refused ones");
        }
    }
    assert_eq!(count(&app, "select count(*) from tickets").await, 54);
    assert_eq!(
        count(
            &app,
            "select count(*) from tickets where subject like 'Bad%'"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "select count(*) from messages where ticket_id not in (select id from tickets)"
        )
        .await,
        0,
        "a refused filing leaves no message behind"
    );
    assert_eq!(
        count(
            &app,
            "select count(*) from audit_log where action = 'ticket_filed'"
        )
        .await,
        54
    );
    let (passed, text) = crate::audit::verify(&app.database());
    assert!(passed, "{text}");
}
