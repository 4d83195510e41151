//! One door per actor: mail held to the form's rules once mended (subject, control
//! characters) where a bounce would lose it, the side doors that no longer
//! compile (trybuild, `tests/ui/`), and the dependency rule of `src/lib.rs` read from the
//! `use` lines of the source itself.

use serde_json::{Value, json};

use crate::mail_support::{outcome, plain_mail, send};
use crate::support::TestApp;

const DESK: &str = "support@localhost";

/// Sends one raw mail to the desk and returns the final SMTP answer.
async fn send_raw(app: &TestApp, raw: &str) -> String {
    let replies = send(app.smtp, false, "jo@example.org", &[DESK], raw).await;
    outcome(&replies).to_owned()
}

/// Sends one plain mail to the desk and returns the final SMTP answer.
async fn mail(app: &TestApp, subject: &str, body: &str) -> String {
    send_raw(app, &plain_mail("jo@example.org", DESK, subject, body)).await
}

/// What the JSON API answers the same subject and body with.
async fn form_status(app: &TestApp, subject: &str, body: &str) -> u16 {
    app.post_json(
        "/api/v1/tickets",
        &json!({ "subject": subject, "body": body, "category": "billing" }),
    )
    .await
    .status()
    .as_u16()
}

/// The ticket a `250 … filed as HD-…` answer names, as an agent of `general` reads it.
async fn filed_ticket(app: &TestApp, token: &str, answer: &str) -> Value {
    assert!(answer.starts_with("250"), "{answer}");
    let reference = answer
        .split_whitespace()
        .find(|word| word.starts_with("HD-"))
        .unwrap_or_else(|| panic!("no reference in {answer}"))
        .trim_end_matches(['.', ',', ';']);
    app.agent_get(token, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap()
}

async fn general_agent(app: &TestApp) -> String {
    let agent = app.add_agent("mailreader", "l1", &["general"]).await;
    app.api_login(&agent).await
}

fn first_body(ticket: &Value) -> &str {
    ticket["messages"][0]["body"].as_str().unwrap().trim()
}

#[tokio::test]
async fn a_mail_without_a_subject_is_filed_under_no_subject() {
    let app = TestApp::spawn().await;
    let token = general_agent(&app).await;
    // The form keeps refusing: its person can type one.
    assert_eq!(form_status(&app, "   ", "Help").await, 422);
    let headerless = format!(
        "From: <jo@example.org>\r\nTo: <{DESK}>\r\nMessage-ID: <no-subject@test>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHelp me\r\n"
    );

    let without_header = send_raw(&app, &headerless).await;
    let blank_header = mail(&app, "   ", "Help me too").await;
    let with_subject = mail(&app, "Printer jammed", "Help me three").await;

    let ticket = filed_ticket(&app, &token, &without_header).await;
    assert_eq!(ticket["subject"], "(no subject)", "{ticket}");
    assert_eq!(first_body(&ticket), "Help me");
    let ticket = filed_ticket(&app, &token, &blank_header).await;
    assert_eq!(ticket["subject"], "(no subject)", "{ticket}");
    // Positive control: a subject that was given is read back as given.
    let ticket = filed_ticket(&app, &token, &with_subject).await;
    assert_eq!(ticket["subject"], "Printer jammed", "{ticket}");
    assert_eq!(app.count_rows("tickets").await, 3);
}

#[tokio::test]
async fn a_mail_subject_over_the_forms_limit_is_shortened_with_an_ellipsis() {
    let app = TestApp::spawn().await;
    let token = general_agent(&app).await;
    let longest = "s".repeat(200);
    // A forwarded chain; the cut falls inside the run of two-byte letters.
    let chain = format!("{}Réglé: {}", "Fwd: Re: ".repeat(20), "é".repeat(100));
    assert!(chain.chars().count() > 200);
    assert_eq!(form_status(&app, &chain, "Help").await, 422);

    let exact = mail(&app, &longest, "Help").await;
    let forwarded = mail(&app, &chain, "See the thread below").await;

    // Positive control: the longest subject the form takes is kept whole.
    let ticket = filed_ticket(&app, &token, &exact).await;
    assert_eq!(ticket["subject"], longest.as_str());
    let ticket = filed_ticket(&app, &token, &forwarded).await;
    let subject = ticket["subject"].as_str().unwrap();
    assert_eq!(subject.chars().count(), 200, "{subject}");
    let kept = subject
        .strip_suffix('…')
        .unwrap_or_else(|| panic!("{subject}"));
    assert!(chain.starts_with(kept), "{subject}");
    assert!(kept.ends_with("éé"), "{subject}");
    assert_eq!(first_body(&ticket), "See the thread below");
}

#[tokio::test]
async fn control_characters_in_a_mail_body_are_mended_not_bounced() {
    let app = TestApp::spawn().await;
    let token = general_agent(&app).await;
    let body = "The build printed \u{1b}[1;31mERROR\u{1b}[0m, rang \u{7} twice\u{c}and went on";
    // The form keeps its 422: its person can fix the text in place.
    assert_eq!(form_status(&app, "Odd output", body).await, 422);

    let mended = mail(&app, "Odd output", body).await;
    let plain = mail(&app, "Plain output", "The build printed ERROR").await;

    let ticket = filed_ticket(&app, &token, &mended).await;
    assert_eq!(
        first_body(&ticket),
        "The build printed ERROR, rang \u{fffd} twice\u{fffd}and went on"
    );
    assert_eq!(ticket["subject"], "Odd output");
    // Positive control: text without control characters reads back unchanged.
    let ticket = filed_ticket(&app, &token, &plain).await;
    assert_eq!(first_body(&ticket), "The build printed ERROR");
}

#[tokio::test]
async fn a_mailed_reply_with_a_coloured_log_joins_its_ticket_mended() {
    let app = TestApp::spawn().await;
    let token = general_agent(&app).await;
    let (reference, access, _) = app
        .file_via_api(
            "Build fails",
            "See my next mail",
            json!({ "contact": "jo@example.org" }),
        )
        .await;
    let view: Value = app
        .get(&format!("/api/v1/tickets/{access}"))
        .await
        .json()
        .await
        .unwrap();
    let reply_address = view["reply_address"].as_str().unwrap().to_owned();
    let reply = plain_mail(
        "jo@example.org",
        &reply_address,
        "Re: Build fails",
        "\u{1b}[33mwarning\u{1b}[0m: unused\u{7}",
    );

    let replies = send(app.smtp, false, "jo@example.org", &[&reply_address], &reply).await;

    assert_eq!(
        outcome(&replies),
        format!("250 2.0.0 Ok: added to {reference}"),
        "{replies:?}"
    );
    let ticket: Value = app
        .agent_get(&token, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap();
    let bodies: Vec<&str> = ticket["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap().trim())
        .collect();
    assert_eq!(bodies, ["See my next mail", "warning: unused\u{fffd}"]);
}

#[tokio::test]
async fn mail_the_form_rules_still_refuse_is_bounced_with_the_reason() {
    let app = TestApp::spawn_with(|c| c.mail.max_message_bytes = 4096).await;
    let token = general_agent(&app).await;

    let oversized = mail(&app, "Big log", &"log line\r\n".repeat(600)).await;
    let only_colours = mail(&app, "Colours", "\u{1b}[31m\u{1b}[0m").await;
    // Positive control: the same shapes within the limits are filed.
    let fitting = mail(&app, "Small log", &"log line\r\n".repeat(100)).await;

    assert!(oversized.starts_with("552 5.3.4"), "{oversized}");
    assert!(oversized.contains("too large"), "{oversized}");
    assert!(only_colours.starts_with("554"), "{only_colours}");
    assert!(only_colours.contains("no readable text"), "{only_colours}");
    let ticket = filed_ticket(&app, &token, &fitting).await;
    assert_eq!(ticket["subject"], "Small log");
    assert_eq!(
        app.count_rows("tickets").await,
        1,
        "nothing of the others was kept"
    );
}

/// Which of our modules each module may name, and why for the ones past the rule's core.
/// The adapters (web, mail, jobs, cli) reach the data only through `desk`.
///
/// `i18n` (the message catalogues and the closed set of languages) is a leaf that holds no
/// data and no power: any layer that words something for people may name it.
const MAY_USE: &[(&str, &[&str])] = &[
    ("web", &["web", "desk", "domain", "config", "i18n"]),
    // OpenPGP mail is opened with the keyring the desk lends to mail intake alone.
    (
        "mail",
        &["mail", "desk", "domain", "config", "crypto", "i18n"],
    ),
    ("jobs", &["jobs", "desk", "config"]),
    // `hushdesk redact` and `check-config` run the redactor on no data of the desk's.
    (
        "cli",
        &["cli", "app", "desk", "domain", "config", "redact", "i18n"],
    ),
    ("app", &["app", "web", "mail", "jobs", "desk", "config"]),
    (
        "desk",
        &[
            "desk", "store", "redact", "crypto", "auth", "outbound", "domain", "config", "i18n",
            "proof",
        ],
    ),
    ("store", &["store", "redact", "crypto", "domain", "i18n"]),
    ("auth", &["auth", "crypto"]),
    ("outbound", &["outbound", "crypto", "domain"]),
    ("config", &["config", "domain", "i18n"]),
    ("domain", &["domain", "i18n"]),
    ("i18n", &["i18n"]),
    ("crypto", &["crypto"]),
    ("redact", &["redact"]),
    ("proof", &["proof"]),
];

/// Outside crates that only one module may touch (STYLE.md).
const ONLY_IN: &[(&str, &str)] = &[
    ("axum", "web"),
    ("askama", "web"),
    ("askama_web", "web"),
    ("governor", "web"),
    ("sqlx", "store"),
    ("sequoia_openpgp", "crypto"),
    ("age", "crypto"),
    ("regex", "redact"),
    ("fluent_templates", "i18n"),
    ("fluent_langneg", "i18n"),
    // Wallet signatures are checked in one place, so a second secp256k1 path cannot drift.
    ("k256", "proof"),
    ("ripemd", "proof"),
];

/// The powers named for what they are: only these modules may name them.
const NAMED_POWERS: &[(&str, &[&str])] = &[
    ("SystemDesk", &["desk", "jobs", "app"]),
    ("OperatorDesk", &["desk", "cli"]),
    // Mail intake's own powers on the desk (crate-private, so the rule keeps them to mail).
    ("keyring_for_mail_intake", &["desk", "mail"]),
    ("thread_of_reply_tag", &["desk", "mail"]),
    ("reply_from_mail", &["desk", "mail"]),
    ("notify_requester", &["desk", "mail"]),
    ("file_from_mail", &["desk", "mail"]),
    ("signature_seen_on_ticket", &["desk", "mail"]),
    ("queue_requires_encryption", &["desk", "mail"]),
];

/// Every `.rs` file under `src/`, with the top-level module it belongs to.
fn source_files() -> Vec<(String, String)> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    walk(&root, &mut paths);
    paths
        .into_iter()
        .map(|path| {
            let relative = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let module = relative
                .split('/')
                .next()
                .unwrap()
                .trim_end_matches(".rs")
                .to_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            // Comments may name anything; only code counts.
            let code: String = text
                .lines()
                .map(|line| match line.find("//") {
                    Some(at) => &line[..at],
                    None => line,
                })
                .collect::<Vec<_>>()
                .join("\n");
            (format!("src/{relative}#{module}"), code)
        })
        .collect()
}

/// The names that follow `prefix` in `code` where `prefix` starts a path (not the tail of
/// a longer identifier or path), with `{a, b}` groups opened.
fn paths_after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    let mut names = Vec::new();
    for (at, _) in code.match_indices(prefix) {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let rest = &code[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            names.extend(group.split(',').filter_map(|part| {
                let name = part.trim().split("::").next()?.trim();
                (!name.is_empty()).then_some(name)
            }));
        } else {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            names.push(&rest[..end]);
        }
    }
    names
}

#[test]
fn every_module_names_only_the_modules_the_dependency_rule_allows() {
    let files = source_files();
    // Positive control: the scan sees the adapters' imports at all.
    assert!(
        files.iter().any(
            |(f, code)| f.ends_with("#web") && paths_after(code, "crate::").contains(&"domain")
        ),
        "the scan found no `crate::domain` in web"
    );
    assert!(
        files
            .iter()
            .any(|(f, code)| f.ends_with("#store") && !paths_after(code, "sqlx::").is_empty()),
        "the scan found no `sqlx::` in store"
    );
    let mut broken = Vec::new();
    for (file, code) in &files {
        let module = file.rsplit('#').next().unwrap();
        let Some((_, allowed)) = MAY_USE.iter().find(|(m, _)| *m == module) else {
            // lib.rs and main.rs: the module map and the binary's entry.
            if !matches!(module, "lib" | "main") {
                broken.push(format!("{file} is in no module the rule knows"));
            }
            continue;
        };
        for name in paths_after(code, "crate::") {
            if !allowed.contains(&name) {
                broken.push(format!("{file} names crate::{name}"));
            }
        }
        for (krate, only) in ONLY_IN {
            if module != *only && !paths_after(code, &format!("{krate}::")).is_empty() {
                broken.push(format!("{file} uses {krate}, which only {only} may"));
            }
        }
        for (power, holders) in NAMED_POWERS {
            if !holders.contains(&module)
                && code.match_indices(power).any(|(at, _)| {
                    let after = code[at + power.len()..].chars().next();
                    !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
                })
            {
                broken.push(format!("{file} names {power}"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "dependency rule broken:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_dependency_scan_catches_a_forbidden_path() {
    // The checker itself: a web file naming the store, grouped or not, is caught.
    let code = "use crate::store::Store;\nuse crate::{desk, store::X};\nlet x = crate::auth::y();";
    assert_eq!(
        paths_after(code, "crate::"),
        vec!["store", "desk", "store", "auth"]
    );
    assert!(paths_after("my_crate::store", "crate::").is_empty());
}

/// The former side doors, each a program that must not compile (`tests/ui/*.rs`, with the
/// compiler's refusal beside it in `*.stderr`).
#[test]
fn the_side_doors_no_longer_compile() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
