//! Files through the whole desk in a real headless Chromium, in English and Russian with
//! JavaScript on and off: a requester attaches a log, a photo with a GPS position and the
//! EICAR test file through the form's own file input; the infected file refuses the whole
//! submission and nothing is stored; sent again without it (through the preview, which asks
//! for the files again), the log is masked and the photo kept without its metadata, and the
//! secret link's page lists both with how long each is kept. An agent reads the masked log
//! and takes the photo out once through a single-use link; the spent link shows the staff
//! page. The agent then asks for a recovery code, and the requester
//! answers through the secret link with a token from the admins' list. The log's personal
//! data reaches no page the agent loads, and neither it nor the token any stored file.

use std::path::Path;

use fantoccini::Locator;

use crate::browser::{Chromedriver, EVERY_RUN, Journey, Run, wait_for_text};
use crate::clamd::{EICAR, TestClamd};
use crate::support::{HtmlSession, TestAgent, TestApp, files_containing};
use crate::web_attachments::{GPS_CANARY, jpeg_with_gps, pillow_exif_entries};

/// Random bytes from the operating system, for canaries no other test or fixture holds.
fn random_below(bound: u64) -> u64 {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    u64::from_le_bytes(bytes) % bound
}

fn pick<'a>(choices: &[&'a str]) -> &'a str {
    choices[usize::try_from(random_below(choices.len() as u64)).unwrap()]
}

/// A person's e-mail, phone and card number made up for one run, Faker-style: a plausible
/// name at a reserved domain, a number in the UK's drama range, and a Visa number with a
/// valid Luhn check digit (the redactor ignores numbers that fail it).
struct Canaries {
    email: String,
    phone: String,
    card: String,
}

impl Canaries {
    fn new() -> Canaries {
        let first = pick(&[
            "amelia", "oskar", "ines", "tomasz", "leila", "jonas", "priya",
        ]);
        let last = pick(&[
            "hartmann",
            "novak",
            "okafor",
            "lindqvist",
            "moreau",
            "tanaka",
        ]);
        let email = format!("{first}.{last}{}@example.net", random_below(10_000));
        let phone = format!("+44 20 7946 0{:03}", random_below(1000));
        let mut digits: Vec<u32> = vec![4];
        digits.extend((0..14).map(|_| u32::try_from(random_below(10)).unwrap()));
        digits.push(luhn_check_digit(&digits));
        let card = digits
            .chunks(4)
            .map(|group| {
                group
                    .iter()
                    .map(|d| char::from_digit(*d, 10).unwrap())
                    .collect()
            })
            .collect::<Vec<String>>()
            .join(" ");
        Canaries { email, phone, card }
    }

    fn all(&self) -> [&str; 3] {
        [&self.email, &self.phone, &self.card]
    }

    /// A support log as a requester would attach it, with the canaries among its lines.
    fn log(&self) -> String {
        format!(
            "09:14:02 INFO session started for {}\n\
             09:14:40 INFO callback requested to {}\n\
             09:15:03 WARN payment with card {} declined by the issuer\n\
             09:15:04 INFO retry scheduled\n",
            self.email, self.phone, self.card
        )
    }
}

/// The check digit that makes `digits` followed by it pass the Luhn check.
fn luhn_check_digit(digits: &[u32]) -> u32 {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                *d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// Chooses `paths` in the form's file input, as a person picking them in the file dialog.
async fn choose_files(journey: &Journey, paths: &[&Path]) {
    let input = journey.wait_for("#attachment").await;
    let joined: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    input.send_keys(&joined.join("\n")).await.unwrap();
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    app.query_values::<i64>(sql, &[]).await[0]
}

/// The requester's part: refused with the infected file, then sent through the preview
/// without it. Returns the new ticket's reference.
async fn requester_files(
    driver: &Chromedriver,
    app: &TestApp,
    run: Run,
    files: &Path,
    canaries: &Canaries,
) -> (String, String) {
    let log = files.join("session.log");
    let photo = files.join("photo.jpg");
    let eicar = files.join("eicar-test.com");
    std::fs::write(&log, canaries.log()).unwrap();
    std::fs::write(&photo, jpeg_with_gps()).unwrap();
    std::fs::write(&eicar, EICAR).unwrap();

    let tickets_before = count(app, "select count(*) from tickets").await;
    let attachments_before = count(app, "select count(*) from attachments").await;
    let mut journey = Journey::start(driver, "attachments", run, &app.base).await;
    journey.goto("/").await;
    journey.click("#category option[value=functionality]").await;
    journey.type_into("#subject", "Payment keeps failing").await;
    journey
        .type_into("#body", "The app declines my card; the log is attached.")
        .await;
    choose_files(&journey, &[&log, &photo, &eicar]).await;
    journey.check_page().await;
    journey
        .click("form[action='/tickets'] button[type=submit]:not([formaction])")
        .await;
    let refusal = wait_for_text(
        &journey.client,
        "main .errors[role=alert]",
        "eicar-test.com",
    )
    .await;
    assert!(
        !refusal.contains("session.log") && !refusal.contains("photo.jpg"),
        "only the infected file is named: {refusal}"
    );
    let body = journey.wait_for("#body").await.prop("value").await.unwrap();
    assert!(
        body.is_some_and(|b| b.contains("declines my card")),
        "the refusal kept the text"
    );
    journey.check_error_page(422).await;
    assert_eq!(
        count(app, "select count(*) from tickets").await,
        tickets_before,
        "nothing filed"
    );
    assert_eq!(
        count(app, "select count(*) from attachments").await,
        attachments_before,
        "nothing stored"
    );

    // Without the test virus, through the preview: it names the files chosen and, as a file
    // input cannot be filled by the page, asks for them again.
    choose_files(&journey, &[&log, &photo]).await;
    journey.click("button[formaction='/tickets/preview']").await;
    journey.wait_for_path("/tickets/preview").await;
    let again = wait_for_text(&journey.client, "#files-again", "photo.jpg").await;
    assert!(again.contains("session.log"), "{again}");
    assert!(!again.contains("eicar-test.com"), "{again}");
    journey.check_page().await;
    choose_files(&journey, &[&log, &photo]).await;
    journey
        .click("form[action='/tickets'] button[type=submit]:not([formaction])")
        .await;
    journey.wait_for_path("/tickets").await;
    let link = journey
        .wait_for(".link a")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let sent = wait_for_text(&journey.client, "#files-sent", "2").await;
    assert!(!sent.is_empty());
    journey.check_page().await;
    let heading = journey.wait_for("main h1").await.text().await.unwrap();
    let reference = regex::Regex::new(r"HD-[0-9A-Z]+")
        .unwrap()
        .find(&heading)
        .unwrap()
        .as_str()
        .to_owned();

    // The secret link's page lists the files and how long each is kept: the log with the
    // request, the photo sealed until a date.
    journey.goto(&link).await;
    journey.wait_for("ul.files li .file-name").await;
    let mut kept = Vec::new();
    for file in journey
        .client
        .find_all(Locator::Css("ul.files li"))
        .await
        .unwrap()
    {
        let name = file
            .find(Locator::Css(".file-name"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let note = file
            .find(Locator::Css(".file-kept"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        kept.push((name, note.chars().any(|c| c.is_ascii_digit())));
    }
    kept.sort();
    assert_eq!(
        kept,
        [
            ("photo.jpg".to_owned(), true),
            ("session.log".to_owned(), false)
        ],
        "the files, and a deletion date for the sealed one only"
    );
    journey.check_page().await;
    journey.finish().await;
    assert_eq!(
        count(app, "select count(*) from tickets").await,
        tickets_before + 1
    );
    assert_eq!(
        count(app, "select count(*) from attachments").await,
        attachments_before + 2
    );
    (reference, link)
}

/// The agent's part: the masked log, the photo taken out once with the browser's session,
/// and the spent link's staff page. Returns the source of every page the agent loaded.
async fn agent_reads_and_downloads(
    driver: &Chromedriver,
    app: &TestApp,
    run: Run,
    agent: &TestAgent,
    reference: &str,
) -> Vec<String> {
    let mut pages = Vec::new();
    let mut journey = Journey::start(driver, "attachments-agent", run, &app.base).await;
    journey.goto("/agent/login").await;
    journey.type_into("#name", &agent.name).await;
    journey.type_into("#password", &agent.password).await;
    journey.click("form[action='/agent/login'] button").await;
    journey.wait_for_path("/agent/tickets").await;
    journey
        .wait_for(&format!("a[href='/agent/tickets/{reference}']"))
        .await;
    pages.push(journey.client.source().await.unwrap());

    let address = format!("/agent/tickets/{reference}");
    journey.click(&format!("a[href='{address}']")).await;
    journey.wait_for_path(&address).await;
    // The log, shown as text with what it held masked.
    journey
        .click("details.attachment:has(.body) > summary")
        .await;
    let text = wait_for_text(
        &journey.client,
        "details.attachment[open] .body",
        "declined",
    )
    .await;
    for mask in ["[EMAIL-", "[PHONE-", "[CARD-"] {
        assert!(text.contains(mask), "{mask} in {text}");
    }
    // The photo, sealed: a Download form and no text.
    let form = journey.wait_for("form.download-form").await;
    let action = form.attr("action").await.unwrap().unwrap();
    journey
        .click("details.attachment:has(form.download-form) > summary")
        .await;
    journey.check_page().await;
    pages.push(journey.client.source().await.unwrap());

    // Pressing Download with the browser's own session and the form's own CSRF value, with
    // redirects off so the single-use link can be followed, and then tried again.
    let cookie = journey
        .client
        .get_named_cookie("hushdesk_session")
        .await
        .unwrap();
    let csrf = journey
        .wait_for("form.download-form input[name=csrf]")
        .await
        .attr("value")
        .await
        .unwrap()
        .unwrap();
    let session = HtmlSession {
        cookie: format!("hushdesk_session={}", cookie.value()),
        csrf,
    };
    let minted = app.html_post(&session, &action, &[]).await;
    assert_eq!(minted.status(), 303, "{action}");
    let link = minted.headers()["location"].to_str().unwrap().to_owned();
    assert!(link.starts_with("/agent/attachments/"), "{link}");
    let download = app.html_get(&session, &link).await;
    assert_eq!(download.status(), 200, "{link}");
    assert_eq!(
        download.headers()["content-type"],
        "application/octet-stream"
    );
    let photo = download.bytes().await.unwrap().to_vec();
    assert_eq!(&photo[..2], &[0xFF, 0xD8], "a JPEG");
    assert!(!photo.windows(GPS_CANARY.len()).any(|w| w == GPS_CANARY));
    // Pillow, a reader independent of the desk's, sees EXIF in the photo as sent and none in
    // the photo as taken out.
    if let Some(sent) = pillow_exif_entries(&jpeg_with_gps()) {
        assert!(sent > 0, "Pillow must see the test photo's EXIF");
        assert_eq!(pillow_exif_entries(&photo), Some(0));
    }

    // Spent: the same link in the browser is the staff page saying so.
    journey.goto(&link).await;
    journey
        .wait_for("body.staff header.site nav a[href='/agent/tickets']")
        .await;
    journey.check_error_page(410).await;
    pages.push(journey.client.source().await.unwrap());

    // Back on the ticket, the agent asks the requester for a recovery code.
    journey.goto(&address).await;
    journey.click("#proof-kind option[value=code]").await;
    journey.click("#ask-proof-form button[type=submit]").await;
    journey.wait_for(".proof-open.proof-code").await;
    journey.check_page().await;
    pages.push(journey.client.source().await.unwrap());
    journey.finish().await;
    pages
}

/// A one-time token as an admin's list holds them: three groups of four letters and digits.
fn recovery_token() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    (0..3)
        .map(|_| {
            (0..4)
                .map(|_| {
                    let at = usize::try_from(random_below(ALPHABET.len() as u64)).unwrap();
                    char::from(ALPHABET[at])
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The requester comes back through the secret link and answers the agent's ask with the
/// token, typed in lower case and spaced as people do.
async fn requester_proves(driver: &Chromedriver, app: &TestApp, run: Run, link: &str, token: &str) {
    let mut journey = Journey::start(driver, "attachments-proof", run, &app.base).await;
    journey.goto(link).await;
    journey.wait_for("form.proof-form input[name=code]").await;
    journey.check_page().await;
    journey
        .type_into(
            "form.proof-form input[name=code]",
            &token.to_lowercase().replace('-', " "),
        )
        .await;
    journey.click("form.proof-form button[type=submit]").await;
    journey.wait_for("#proofs .proof .proven").await;
    assert!(
        journey
            .client
            .find(fantoccini::Locator::Css("form.proof-form"))
            .await
            .is_err(),
        "the answered ask is no longer open"
    );
    journey.check_page().await;
    journey.finish().await;
}

#[tokio::test]
async fn attachments_go_from_the_form_to_the_agent_in_both_languages_with_and_without_javascript() {
    let Some(driver) = Chromedriver::start() else {
        return;
    };
    let Some(clamd) = TestClamd::start("attachments_go_from_the_form_to_the_agent").await else {
        return;
    };
    let socket = clamd.socket.clone();
    let app = TestApp::spawn_scannable("attachments_go_from_the_form_to_the_agent", |config| {
        config.attachments.accept_unscanned = false;
        config.clamav.socket = Some(socket);
        config.clamav.timeout_seconds = 5;
    })
    .await;
    let agent = app
        .add_agent_with_password("bob", "l1", &["general"], "bob's own long passphrase")
        .await;
    let admin = app.add_agent("ada", "admin", &[]).await;
    let admin_session = app.html_login(&admin).await;
    let files = tempfile::tempdir().unwrap();
    let mut every_canary = Vec::new();
    for (i, run) in EVERY_RUN.into_iter().enumerate() {
        let canaries = Canaries::new();
        let token = recovery_token();
        let imported = app
            .html_post(
                &admin_session,
                "/admin/proofs",
                &[("name", &format!("recovery {i}")), ("tokens", &token)],
            )
            .await;
        assert_eq!(imported.status(), 303);
        let (reference, link) = requester_files(&driver, &app, run, files.path(), &canaries).await;
        let pages = agent_reads_and_downloads(&driver, &app, run, &agent, &reference).await;
        let proofs_before = app.count_rows("proofs").await;
        requester_proves(&driver, &app, run, &link, &token).await;
        assert_eq!(app.count_rows("proofs").await, proofs_before + 1);
        // Positive control: the pages hold the log's other words.
        assert!(pages.iter().any(|page| page.contains("retry scheduled")));
        for canary in canaries.all() {
            for page in &pages {
                assert!(!page.contains(canary), "{canary} on a page: {page}");
            }
        }
        every_canary.extend(canaries.all().map(str::to_owned));
        every_canary.push(token);
    }
    let stored = app.stored_files().await;
    // Positive control: the masked log itself is stored where its canaries are not.
    assert!(!files_containing(&stored, "retry scheduled").is_empty());
    for canary in &every_canary {
        assert_eq!(
            files_containing(&stored, canary),
            Vec::<std::path::PathBuf>::new(),
            "{canary}"
        );
    }
}
