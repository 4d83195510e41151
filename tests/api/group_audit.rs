//! Agents' reads record themselves through one audit writer per server, many to a write
//! transaction: under concurrency every read still gets exactly one entry, committed before
//! its content is returned, the chain stays one unbroken line (also with two instances on one
//! PostgreSQL database), the hourly-volume alert still fires at its threshold, and a read
//! whose entry cannot be committed returns no content.

use futures_util::future::join_all;

use crate::support::{StoredDatabase, TestApp};

/// `hushdesk audit verify`, which must pass; what it printed.
fn verify(database: &StoredDatabase) -> String {
    let (passed, text) = crate::audit::verify(database);
    assert!(passed, "{text}");
    text
}

async fn entries(app: &TestApp, action: &str) -> i64 {
    app.query_values::<i64>(
        "select count(*) from audit_log where action = $1",
        &[action.into()],
    )
    .await[0]
}

async fn file_tickets(app: &TestApp, count: usize, subject: &str) -> Vec<String> {
    let mut references = Vec::new();
    for i in 0..count {
        let (reference, _) = app
            .file_in("functionality", &format!("{subject} {i}"), "Body")
            .await;
        references.push(reference);
    }
    references
}

/// 50 reads at once (25 views of distinct tickets, 25 lists): all answer, each view's entry
/// is already in the database when its answer arrives, every read has exactly one entry, and
/// the real binary verifies the chain.
#[tokio::test]
async fn fifty_parallel_reads_each_commit_one_entry_before_answering_and_the_chain_verifies() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("gina", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    let references = file_tickets(&app, 25, "Parallel").await;
    let (views_before, lists_before) = (entries(&app, "view").await, entries(&app, "list").await);
    let database = app.database();

    let views = references.iter().map(|reference| {
        let (app, token, database) = (&app, &token, &database);
        async move {
            let response = app
                .agent_get(token, &format!("/api/v1/agent/tickets/{reference}"))
                .await;
            assert_eq!(response.status(), 200);
            // Read through a connection of our own the moment the answer is in.
            let recorded: Vec<i64> = database
                .query_values(
                    "select count(*) from audit_log where action = 'view' and reference = $1",
                    &[reference.into()],
                )
                .await;
            assert_eq!(
                recorded,
                [1],
                "{reference} answered before its entry committed"
            );
            response.text().await.unwrap()
        }
    });
    let lists = (0..25).map(|_| {
        let (app, token) = (&app, &token);
        async move {
            let response = app.agent_get(token, "/api/v1/agent/tickets").await;
            assert_eq!(response.status(), 200);
            response.text().await.unwrap()
        }
    });
    let (viewed, listed) = tokio::join!(join_all(views), join_all(lists));

    assert!(viewed.iter().all(|page| page.contains("Parallel")));
    assert!(
        listed
            .iter()
            .all(|page| page.matches("Parallel").count() == 25)
    );
    assert_eq!(entries(&app, "view").await - views_before, 25);
    assert_eq!(entries(&app, "list").await - lists_before, 25);
    let seqs: Vec<(i64, i64)> = app
        .query_rows("select count(*), max(seq) from audit_log", &[])
        .await;
    assert_eq!(seqs[0].0, seqs[0].1, "one entry per number, none skipped");
    assert!(verify(&database).contains("audit chain intact"));
}

/// Concurrent reads of at most the threshold's number of distinct tickets raise nothing; the
/// next distinct tickets, read concurrently and several times each, raise exactly one alert.
#[tokio::test]
async fn the_hourly_volume_alert_fires_once_at_its_threshold_under_concurrent_reads() {
    let app = TestApp::spawn_with(|c| c.agents.hourly_view_threshold = 5).await;
    let agent = app.add_agent("hugo", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    let references = file_tickets(&app, 8, "Volume").await;
    let read_all = |references: &[String]| {
        let paths: Vec<String> = references
            .iter()
            .cycle()
            .take(20)
            .map(|reference| format!("/api/v1/agent/tickets/{reference}"))
            .collect();
        let (app, token) = (&app, &token);
        async move {
            let answers = join_all(paths.iter().map(|path| app.agent_get(token, path))).await;
            assert!(answers.iter().all(|answer| answer.status() == 200));
        }
    };
    let alerts = || async {
        app.query_values::<i64>(
            "select count(*) from alerts where kind = 'hourly_views' and agent_name = 'hugo'",
            &[],
        )
        .await[0]
    };

    read_all(&references[..5]).await;
    assert_eq!(
        alerts().await,
        0,
        "five distinct tickets are within the threshold"
    );
    read_all(&references[5..]).await;
    assert_eq!(alerts().await, 1);
    assert_eq!(entries(&app, "view").await, 40);
}

/// An append that fails (here a trigger refuses every `view` entry) fails each of the reads
/// waiting on it: 500, none of the ticket's text, no entry. Lists still work, and once the
/// append works again so do views, and the chain verifies.
#[tokio::test]
async fn reads_whose_audit_entry_cannot_be_committed_return_no_content() {
    let app = TestApp::spawn().await;
    let agent = app.add_agent("ivan", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    let (reference, _) = app
        .file_in("functionality", "Canaryxsubject", "Canaryxbody")
        .await;
    let database = app.database();
    let path = format!("/api/v1/agent/tickets/{reference}");
    if app.postgres_url.is_some() {
        database
            .execute_script(
                "create function refuse_views() returns trigger language plpgsql as \
                 $$ begin raise exception 'views refused'; end $$; \
                 create trigger refuse_views before insert on audit_log for each row \
                 when (new.action = 'view') execute function refuse_views();",
            )
            .await;
    } else {
        database
            .execute_script(
                "create trigger refuse_views before insert on audit_log \
                 when new.action = 'view' begin select raise(abort, 'views refused'); end;",
            )
            .await;
    }

    let answers = join_all((0..10).map(|_| async {
        let response = app.agent_get(&token, &path).await;
        (response.status(), response.text().await.unwrap())
    }))
    .await;
    for (status, body) in &answers {
        assert_eq!(*status, 500);
        assert!(
            !body.contains("Canaryx") && !body.contains(&reference),
            "{body}"
        );
    }
    assert_eq!(entries(&app, "view").await, 0);
    // Only the refused kind of entry fails.
    let list = app.agent_get(&token, "/api/v1/agent/tickets").await;
    assert_eq!(list.status(), 200);
    assert!(list.text().await.unwrap().contains("Canaryxsubject"));

    database
        .execute_script(if app.postgres_url.is_some() {
            "drop trigger refuse_views on audit_log"
        } else {
            "drop trigger refuse_views"
        })
        .await;
    let view = app.agent_get(&token, &path).await;
    assert_eq!(view.status(), 200);
    assert!(view.text().await.unwrap().contains("Canaryxbody"));
    assert_eq!(entries(&app, "view").await, 1);
    assert!(verify(&database).contains("audit chain intact"));
}

/// Two instances on one PostgreSQL database, each with its own audit writer, read at once:
/// their batches interleave into one chain that verifies, one entry per read.
#[tokio::test]
async fn two_instances_group_their_reads_into_one_chain() {
    let Some(a) = TestApp::spawn_on_postgres("group_audit_two_instances", |_| {}).await else {
        return;
    };
    let b = a.spawn_beside().await;
    let agent = a.add_agent("jana", "l1", &["general"]).await;
    let token = a.api_login(&agent).await;
    let references = file_tickets(&a, 10, "Shared").await;
    let before = entries(&a, "view").await;

    let reads = references
        .iter()
        .cycle()
        .take(60)
        .enumerate()
        .map(|(i, reference)| {
            let (app, token) = (if i % 2 == 0 { &a } else { &b }, &token);
            async move {
                let path = format!("/api/v1/agent/tickets/{reference}");
                app.agent_get(token, &path).await.status()
            }
        });
    let statuses = join_all(reads).await;

    assert!(statuses.iter().all(|status| *status == 200), "{statuses:?}");
    assert_eq!(entries(&a, "view").await - before, 60);
    assert!(verify(&a.database()).contains("audit chain intact"));
}
