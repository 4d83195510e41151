//! Files on the web form and the requester's reply: text masked like the message, images
//! stored without their metadata, everything but text scanned by clamd (a throwaway one with
//! the EICAR signature, `clamd::TestClamd`) and sealed; limits refused with the text kept.

use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::clamd::{EICAR, SIGNATURE, TestClamd};
use crate::support::{TestApp, access_path, files_containing};

const CANARY_EMAIL: &str = "maria.kowalska.canary@example.org";
const CANARY_PHONE: &str = "+44 20 7946 0958";
const CANARY_CARD: &str = "4111 1111 1111 1111";
/// A value only the EXIF block of the test photo holds.
pub(crate) const GPS_CANARY: &[u8] = b"GPS-CANARY-51.5007N-0.1246W";

fn form(subject: &str, body: &str) -> Form {
    Form::new()
        .text("subject", subject.to_owned())
        .text("body", body.to_owned())
        .text("category", "functionality")
}

fn file(name: &str, media_type: &str, bytes: Vec<u8>) -> Part {
    Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str(media_type)
        .unwrap()
}

async fn post(app: &TestApp, path: &str, form: Form) -> (u16, String) {
    let response = app
        .client
        .post(app.url(path))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// A server whose scanner is the given clamd, with unscanned files refused.
async fn spawn(test: &str, clamd: Option<&TestClamd>) -> TestApp {
    let socket = clamd.map(|c| c.socket.clone());
    TestApp::spawn_scannable(test, move |config| {
        config.attachments.accept_unscanned = false;
        config.clamav.socket = socket;
        config.clamav.timeout_seconds = 5;
    })
    .await
}

async fn agent_view(app: &TestApp, reference: &str) -> Value {
    let agent = app.add_agent("filer", "l1", &["general"]).await;
    let token = app.api_login(&agent).await;
    app.agent_get(&token, &format!("/api/v1/agent/tickets/{reference}"))
        .await
        .json()
        .await
        .unwrap()
}

fn reference_of(page: &str) -> String {
    crate::support::extract_between(page, "<strong>HD-", "</strong>")
        .map(|id| format!("HD-{id}"))
        .unwrap()
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    app.query_values::<i64>(sql, &[]).await[0]
}

/// A small JPEG with an EXIF APP1 segment carrying a GPS position, written by hand: the
/// `image` crate writes no EXIF, so the segment goes in right after SOI.
pub(crate) fn jpeg_with_gps() -> Vec<u8> {
    let mut plain = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(16, 16, |x, y| {
        image::Rgb([(x * 16) as u8, (y * 16) as u8, 128])
    }))
    .write_to(&mut plain, image::ImageFormat::Jpeg)
    .unwrap();
    let plain = plain.into_inner();
    // TIFF header (big-endian), one IFD0 entry pointing at a GPS IFD, whose one entry
    // (GPSLatitudeRef) is followed by the canary as an ASCII tail.
    let mut tiff: Vec<u8> = b"MM\0*\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&[0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0]);
    tiff.extend_from_slice(&[0, 1, 0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0, 0, 0, 0, 0]);
    tiff.extend_from_slice(GPS_CANARY);
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff);
    let length = u16::try_from(payload.len() + 2).unwrap().to_be_bytes();
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1, length[0], length[1]]);
    out.extend_from_slice(&payload);
    out.extend_from_slice(&plain[2..]);
    out
}

/// The markers of a JPEG's segments up to the scan, read by walking the file by hand (not
/// through the crate that wrote it).
fn jpeg_segments(bytes: &[u8]) -> Vec<u8> {
    assert_eq!(&bytes[..2], &[0xFF, 0xD8], "not a JPEG");
    let mut markers = Vec::new();
    let mut at = 2;
    while at + 4 <= bytes.len() && bytes[at] == 0xFF {
        let marker = bytes[at + 1];
        markers.push(marker);
        if marker == 0xDA {
            break;
        }
        let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        at += 2 + length;
    }
    markers
}

/// The sealed bytes of every attachment stored, opened with the server's age identity and
/// the ticket's own key, as only the desk itself would.
async fn unsealed_attachments(app: &TestApp) -> Vec<Vec<u8>> {
    use std::str::FromStr;
    let identity_text =
        std::fs::read_to_string(app.state.config.keys_dir().join("age-identity.txt")).unwrap();
    let server = age::x25519::Identity::from_str(identity_text.trim()).unwrap();
    let rows: Vec<(Vec<u8>, Vec<u8>)> = app
        .query_rows(
            "select k.sealed_identity, a.sealed from attachments a \
             join ticket_keys k on k.ticket_id = a.ticket_id where a.sealed is not null order by a.id",
            &[],
        )
        .await;
    rows.into_iter()
        .map(|(sealed_key, sealed)| {
            let key = String::from_utf8(age::decrypt(&server, &sealed_key).unwrap()).unwrap();
            let key = age::x25519::Identity::from_str(&key).unwrap();
            age::decrypt(&key, &sealed).unwrap()
        })
        .collect()
}

/// What the server logs on this test's thread.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_text_file_on_the_form_is_masked_and_its_canaries_are_stored_nowhere() {
    let Some(clamd) = TestClamd::start("a_text_file_on_the_form_is_masked").await else {
        return;
    };
    // The server runs on this test's single thread, so a thread-local subscriber sees what
    // it logs, at every level, with the access log on.
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_env_filter("hushdesk=trace,sqlx=trace,tower_http=trace,axum=trace")
        .with_ansi(false)
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);
    let socket = clamd.socket.clone();
    let app = TestApp::spawn_scannable("a_text_file_on_the_form_is_masked", move |config| {
        config.attachments.accept_unscanned = false;
        config.clamav.socket = Some(socket);
        config.access_log = true;
    })
    .await;
    let log = format!(
        "12:00 login by {CANARY_EMAIL}\n12:01 callback to {CANARY_PHONE}\n12:02 card {CANARY_CARD} declined\n"
    );

    let (status, page) = post(
        &app,
        "/tickets",
        form("Payment fails", "See the log attached.").part(
            "attachment",
            file("session.log", "application/octet-stream", log.into_bytes()),
        ),
    )
    .await;

    assert_eq!(status, 201, "{page}");
    assert!(page.contains("id=\"files-sent\""), "{page}");
    let ticket = agent_view(&app, &reference_of(&page)).await;
    let attachments = ticket["messages"][0]["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1, "{ticket}");
    assert_eq!(attachments[0]["sealed"], false);
    let text = attachments[0]["text"].as_str().unwrap();
    assert!(text.contains("login by [EMAIL-"), "{text}");
    assert!(text.contains("declined"), "{text}");
    for canary in [CANARY_EMAIL, CANARY_PHONE, CANARY_CARD] {
        assert!(!text.contains(canary), "{canary} in {text}");
    }
    let stored = app.stored_files().await;
    assert!(!stored.is_empty());
    // Positive control: the masked text itself is found where the canaries are not.
    assert!(!files_containing(&stored, "declined").is_empty());
    for canary in [CANARY_EMAIL, CANARY_PHONE, CANARY_CARD] {
        assert_eq!(
            files_containing(&stored, canary),
            Vec::<std::path::PathBuf>::new()
        );
    }
}

#[tokio::test]
async fn a_photo_with_gps_exif_is_sealed_without_its_metadata() {
    let Some(clamd) = TestClamd::start("a_photo_with_gps_exif_is_sealed").await else {
        return;
    };
    let app = spawn("a_photo_with_gps_exif_is_sealed", Some(&clamd)).await;
    let photo = jpeg_with_gps();
    assert!(
        jpeg_segments(&photo).contains(&0xE1),
        "the test photo must carry EXIF"
    );
    assert!(photo.windows(GPS_CANARY.len()).any(|w| w == GPS_CANARY));

    // Sent as "text/plain" and named .txt: the bytes decide, not the name or the type.
    let (status, page) = post(
        &app,
        "/tickets",
        form("Screen", "A photo of the screen.")
            .part("attachment", file("photo.txt", "text/plain", photo)),
    )
    .await;

    assert_eq!(status, 201, "{page}");
    let ticket = agent_view(&app, &reference_of(&page)).await;
    let attachment = &ticket["messages"][0]["attachments"][0];
    assert_eq!(attachment["sealed"], true, "{ticket}");
    let sealed = unsealed_attachments(&app).await;
    assert_eq!(sealed.len(), 1);
    let stored = &sealed[0];
    let markers = jpeg_segments(stored);
    assert!(markers.contains(&0xDA), "{markers:x?}");
    assert!(
        !markers
            .iter()
            .any(|m| (0xE1..=0xEF).contains(m) || *m == 0xFE),
        "metadata segments left: {markers:x?}"
    );
    assert!(!stored.windows(GPS_CANARY.len()).any(|w| w == GPS_CANARY));
    assert!(!stored.windows(4).any(|w| w == b"Exif"));
    let decoded = image::load_from_memory(stored).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (16, 16));
    // An independent reader: Pillow finds the EXIF in the photo as sent and none in it as
    // stored.
    if let Some(sent) = pillow_exif_entries(&jpeg_with_gps()) {
        assert!(sent > 0, "Pillow must see the test photo's EXIF");
        assert_eq!(pillow_exif_entries(stored), Some(0));
    }
}

/// How many EXIF entries Pillow (Debian's `python3-pil`, in `make test-deps`) reads in a
/// JPEG; `None`, having said so, when it is not installed, unless `HUSHDESK_REQUIRE_CLAMD=1`
/// (CI, which installs it with clamd) makes that a failure.
pub(crate) fn pillow_exif_entries(jpeg: &[u8]) -> Option<usize> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photo.jpg");
    std::fs::write(&path, jpeg).unwrap();
    let output = std::process::Command::new("/usr/bin/python3")
        .args([
            "-c",
            "import sys; from PIL import Image; print(len(Image.open(sys.argv[1]).getexif()))",
        ])
        .arg(&path)
        .output();
    match output {
        Ok(output) if output.status.success() => Some(
            String::from_utf8(output.stdout)
                .unwrap()
                .trim()
                .parse()
                .unwrap(),
        ),
        _ => {
            assert!(
                std::env::var("HUSHDESK_REQUIRE_CLAMD").as_deref() != Ok("1"),
                "Pillow is missing: apt-get install python3-pil"
            );
            eprintln!(
                "note: no Pillow (python3-pil); the EXIF check by an independent reader is skipped"
            );
            None
        }
    }
}

#[tokio::test]
async fn eicar_refuses_the_whole_submission_naming_the_file() {
    let Some(clamd) = TestClamd::start("eicar_refuses_the_whole_submission").await else {
        return;
    };
    let app = spawn("eicar_refuses_the_whole_submission", Some(&clamd)).await;

    let (status, page) = post(
        &app,
        "/tickets",
        form("Invoice", "Here is the invoice I keep getting.")
            .part(
                "attachment",
                file("notes.log", "text/plain", b"fine".to_vec()),
            )
            .part(
                "attachment",
                file("invoice.pdf", "application/pdf", EICAR.to_vec()),
            ),
    )
    .await;

    assert_eq!(status, 422, "{page}");
    assert!(page.contains("invoice.pdf"), "{page}");
    assert!(page.contains(SIGNATURE), "{page}");
    assert!(
        page.contains("Here is the invoice I keep getting."),
        "{page}"
    );
    assert_eq!(count(&app, "select count(*) from tickets").await, 0);
    assert_eq!(count(&app, "select count(*) from attachments").await, 0);
    assert_eq!(
        count(
            &app,
            "select count(*) from alerts where kind = 'attachment_infected'"
        )
        .await,
        1
    );
    // Positive control: the same submission without the test virus is filed.
    let (status, page) = post(
        &app,
        "/tickets",
        form("Invoice", "Here is the invoice I keep getting.").part(
            "attachment",
            file("invoice.pdf", "application/pdf", b"%PDF-1.4 plain".to_vec()),
        ),
    )
    .await;
    assert_eq!(status, 201, "{page}");
    assert_eq!(count(&app, "select count(*) from tickets").await, 1);
    assert_eq!(count(&app, "select count(*) from attachments").await, 1);
}

#[tokio::test]
async fn with_the_scanner_down_binaries_are_held_back_and_text_goes_through() {
    let Some(mut clamd) = TestClamd::start("with_the_scanner_down_binaries").await else {
        return;
    };
    let app = spawn("with_the_scanner_down_binaries", Some(&clamd)).await;
    clamd.stop();

    let (status, page) = post(
        &app,
        "/tickets",
        form("Crash", "It crashed again.")
            .part(
                "attachment",
                file("crash.log", "text/plain", b"panic at 12:00".to_vec()),
            )
            .part(
                "attachment",
                file(
                    "core.bin",
                    "application/octet-stream",
                    vec![0u8, 1, 2, 3, 255],
                ),
            ),
    )
    .await;

    assert_eq!(status, 201, "{page}");
    assert!(page.contains("id=\"held-back\""), "{page}");
    assert!(page.contains("core.bin"), "{page}");
    let ticket = agent_view(&app, &reference_of(&page)).await;
    let attachments = ticket["messages"][0]["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1, "{ticket}");
    assert_eq!(attachments[0]["text"], "panic at 12:00");
    assert_eq!(
        count(
            &app,
            "select count(*) from alerts where kind = 'scanner_unavailable'"
        )
        .await,
        1
    );
    // A second submission while it is still down raises no second alert.
    let (status, _) = post(
        &app,
        "/tickets",
        form("Crash", "Again.").part(
            "attachment",
            file("core.bin", "application/x", vec![9u8; 9]),
        ),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(
        count(
            &app,
            "select count(*) from alerts where kind = 'scanner_unavailable'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn without_a_scanner_configured_binaries_are_refused_and_text_is_kept() {
    let app = spawn("without_a_scanner_configured", None).await;

    let (status, page) = post(
        &app,
        "/tickets",
        form("Crash", "It crashed.")
            .part(
                "attachment",
                file("crash.log", "text/plain", b"panic".to_vec()),
            )
            .part(
                "attachment",
                file("core.bin", "application/octet-stream", vec![0u8; 8]),
            ),
    )
    .await;

    assert_eq!(status, 201, "{page}");
    assert!(
        page.contains("id=\"held-back\"") && page.contains("core.bin"),
        "{page}"
    );
    // Not "right now": without a scanner the desk never takes such files.
    assert!(page.contains("accepts only text files"), "{page}");
    assert_eq!(count(&app, "select count(*) from attachments").await, 1);
    assert_eq!(
        count(
            &app,
            "select count(*) from attachments where text is not null"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn files_over_the_limits_are_refused_with_the_text_kept() {
    let app = TestApp::spawn_with(|config| {
        config.attachments.max_bytes = 1024;
        config.attachments.max_count = 2;
        config.attachments.max_total_bytes = 1536;
    })
    .await;

    let (status, page) = post(
        &app,
        "/tickets",
        form("Big", "A file too large.").part(
            "attachment",
            file("big.log", "text/plain", vec![b'a'; 2048]),
        ),
    )
    .await;
    assert_eq!(status, 413, "{page}");
    assert!(
        page.contains("big.log") && page.contains("A file too large."),
        "{page}"
    );

    let three = (1..=3).fold(form("Many", "Three files."), |form, i| {
        form.part(
            "attachment",
            file(&format!("f{i}.log"), "text/plain", vec![b'a'; 10]),
        )
    });
    let (status, page) = post(&app, "/tickets", three).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("Three files."), "{page}");

    let (status, page) = post(
        &app,
        "/tickets",
        form("Together", "Two that fit alone.")
            .part("attachment", file("a.log", "text/plain", vec![b'a'; 1000]))
            .part("attachment", file("b.log", "text/plain", vec![b'b'; 1000])),
    )
    .await;
    assert_eq!(status, 413, "{page}");
    assert!(page.contains("Two that fit alone."), "{page}");
    assert_eq!(count(&app, "select count(*) from tickets").await, 0);

    // Positive control: within every limit, and with no file at all, it is filed.
    let (status, page) = post(
        &app,
        "/tickets",
        form("Two", "Two files.")
            .part("attachment", file("a.log", "text/plain", vec![b'a'; 700]))
            .part("attachment", file("b.log", "text/plain", vec![b'b'; 700])),
    )
    .await;
    assert_eq!(status, 201, "{page}");
    let empty_input = Part::bytes(Vec::new())
        .file_name("")
        .mime_str("application/octet-stream")
        .unwrap();
    let (status, page) = post(
        &app,
        "/tickets",
        form("None", "No file.").part("attachment", empty_input),
    )
    .await;
    assert_eq!(status, 201, "{page}");
    assert_eq!(count(&app, "select count(*) from tickets").await, 2);
    assert_eq!(count(&app, "select count(*) from attachments").await, 2);
    // The other routes keep the small body limit.
    let response = app
        .post_raw(
            "/api/v1/tickets",
            "application/json",
            format!(
                "{{\"subject\":\"x\",\"body\":\"{}\",\"category\":\"billing\"}}",
                "a".repeat(70_000)
            ),
        )
        .await;
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn the_requesters_reply_takes_files_screened_the_same_way() {
    let Some(clamd) = TestClamd::start("the_requesters_reply_takes_files").await else {
        return;
    };
    let app = spawn("the_requesters_reply_takes_files", Some(&clamd)).await;
    let (status, page) = post(&app, "/tickets", form("Login", "I cannot sign in.")).await;
    assert_eq!(status, 201, "{page}");
    let path = access_path(&page);
    let reply = format!("{path}/reply");

    let (status, page) = post(
        &app,
        &reply,
        Form::new()
            .text("body", "Here is the file you asked for.")
            .part(
                "attachment",
                file("tool.exe", "application/x-msdownload", EICAR.to_vec()),
            ),
    )
    .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("tool.exe") && page.contains("Here is the file you asked for."));
    assert_eq!(count(&app, "select count(*) from messages").await, 1);

    let response = app
        .client
        .post(app.url(&reply))
        .multipart(
            Form::new()
                .text("body", "Here is the screenshot and the log.")
                .part(
                    "attachment",
                    file("shot.jpg", "image/jpeg", jpeg_with_gps()),
                )
                .part(
                    "attachment",
                    file(
                        "app.log",
                        "text/plain",
                        format!("user {CANARY_EMAIL}").into_bytes(),
                    ),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let page = app.get(&path).await.text().await.unwrap();
    assert!(
        page.contains("shot.jpg") && page.contains("app.log"),
        "{page}"
    );
    assert_eq!(page.matches("class=\"file-kept\"").count(), 2, "{page}");
    assert!(!page.contains(CANARY_EMAIL));
    assert_eq!(count(&app, "select count(*) from messages").await, 2);
    assert_eq!(
        count(
            &app,
            "select count(*) from attachments where sealed is not null"
        )
        .await,
        1
    );
    let sealed = unsealed_attachments(&app).await;
    assert!(!sealed[0].windows(GPS_CANARY.len()).any(|w| w == GPS_CANARY));
}

#[tokio::test]
async fn the_form_and_the_preview_tell_how_long_files_are_kept_and_ask_for_them_again() {
    let app = TestApp::spawn().await;
    for lang in ["en", "ru"] {
        let page = app
            .get(&format!("/?lang={lang}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("enctype=\"multipart/form-data\""), "{page}");
        assert!(page.contains("type=\"file\" multiple"), "{page}");
        assert!(page.contains(" 7 "), "{page}");
    }
    let (status, page) = post(
        &app,
        "/tickets/preview",
        form("Look", "Before I send it.")
            .part("attachment", file("screen.png", "image/png", vec![1, 2, 3])),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("id=\"files-again\"") && page.contains("screen.png"),
        "{page}"
    );
    assert!(page.contains("type=\"file\""), "{page}");
    assert_eq!(count(&app, "select count(*) from tickets").await, 0);
}

#[tokio::test]
async fn a_mailed_eicar_is_refused_and_a_clean_file_is_scanned_and_kept() {
    let Some(clamd) = TestClamd::start("a_mailed_eicar_is_refused").await else {
        return;
    };
    let app = spawn("a_mailed_eicar_is_refused", Some(&clamd)).await;
    use base64::Engine;
    let mail = |bytes: &[u8]| {
        let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
        format!(
            "From: <jo@example.org>\r\nSubject: file\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n\
             --m\r\nContent-Type: text/plain\r\n\r\nsee file\r\n\
             --m\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"f.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--m--\r\n"
        )
    };
    let replies = crate::mail_support::send(
        app.smtp,
        false,
        "jo@example.org",
        &["support@localhost"],
        &mail(EICAR),
    )
    .await;
    assert!(
        crate::mail_support::outcome(&replies).starts_with("554"),
        "{replies:?}"
    );
    assert_eq!(count(&app, "select count(*) from tickets").await, 0);
    let replies = crate::mail_support::send(
        app.smtp,
        false,
        "jo@example.org",
        &["support@localhost"],
        &mail(&[0u8, 1, 2, 3]),
    )
    .await;
    assert!(
        crate::mail_support::outcome(&replies).starts_with("250"),
        "{replies:?}"
    );
    assert_eq!(count(&app, "select count(*) from attachments").await, 1);
}

#[tokio::test]
async fn a_scanner_that_never_answers_fails_closed_on_the_web_and_defers_mail() {
    // A socket that takes connections and never answers, like a wedged clamd.
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("wedged.sock");
    let listener = tokio::net::UnixListener::bind(&socket).unwrap();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            open.push(stream);
        }
    });
    let app = TestApp::spawn_with(move |config| {
        config.attachments.accept_unscanned = false;
        config.clamav.socket = Some(socket);
        config.clamav.timeout_seconds = 1;
    })
    .await;

    let (status, page) = post(
        &app,
        "/tickets",
        form("Slow", "The scanner hangs.")
            .part(
                "attachment",
                file("trace.txt", "text/plain", b"trace".to_vec()),
            )
            .part(
                "attachment",
                file("dump.bin", "application/octet-stream", vec![1u8; 32]),
            ),
    )
    .await;
    assert_eq!(status, 201, "{page}");
    assert!(
        page.contains("id=\"held-back\"") && page.contains("dump.bin"),
        "{page}"
    );
    assert_eq!(count(&app, "select count(*) from attachments").await, 1);
    assert_eq!(
        count(
            &app,
            "select count(*) from alerts where kind = 'scanner_unavailable'"
        )
        .await,
        1
    );

    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode([1u8; 32]);
    let mail = format!(
        "From: <jo@example.org>\r\nSubject: dump\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n\
         --m\r\nContent-Type: text/plain\r\n\r\nsee dump\r\n\
         --m\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"d.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--m--\r\n"
    );
    let replies = crate::mail_support::send(
        app.smtp,
        false,
        "jo@example.org",
        &["support@localhost"],
        &mail,
    )
    .await;
    assert!(
        crate::mail_support::outcome(&replies).starts_with("451"),
        "{replies:?}"
    );
    assert_eq!(count(&app, "select count(*) from tickets").await, 1);
    held.abort();
}

#[tokio::test]
async fn a_decompression_bomb_and_a_broken_picture_refuse_the_submission() {
    // No scanner here (the harness keeps unscanned files): pictures are re-encoded anyway.
    let app = TestApp::spawn().await;
    let mut small = std::io::Cursor::new(Vec::new());
    image::DynamicImage::new_rgb8(1, 1)
        .write_to(&mut small, image::ImageFormat::Png)
        .unwrap();
    let small = small.into_inner();
    // The same PNG claiming 60 000 × 60 000 pixels, its header's CRC mended.
    let mut bomb = small.clone();
    bomb[16..20].copy_from_slice(&60_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&60_000u32.to_be_bytes());
    let crc = crc32(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());

    let (status, page) = post(
        &app,
        "/tickets",
        form("Big", "A huge picture.").part("attachment", file("huge.png", "image/png", bomb)),
    )
    .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("huge.png") && page.contains("A huge picture."),
        "{page}"
    );

    let mut broken = b"\xFF\xD8\xFF\xE0".to_vec();
    broken.extend_from_slice(&[0u8; 64]);
    let (status, page) = post(
        &app,
        "/tickets",
        form("Broken", "A broken picture.")
            .part("attachment", file("broken.jpg", "image/jpeg", broken)),
    )
    .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("broken.jpg"), "{page}");
    assert_eq!(count(&app, "select count(*) from tickets").await, 0);

    // Positive control: the small picture itself is filed.
    let (status, page) = post(
        &app,
        "/tickets",
        form("Small", "A small picture.").part("attachment", file("small.png", "image/png", small)),
    )
    .await;
    assert_eq!(status, 201, "{page}");
    assert_eq!(count(&app, "select count(*) from attachments").await, 1);
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A file's name is read as a name: no direction override can make `evil<U+202E>gpj.exe` look like
/// a photo, no path survives, and an address in the name is masked as the same address in
/// the message with the extension kept.
#[tokio::test]
async fn a_files_name_keeps_its_extension_and_loses_tricks_and_paths() {
    let app = spawn("a_files_name_keeps_its_extension", None).await;
    let address = "ivan.petrov.name-canary@example.org";
    let (status, page) = post(
        &app,
        "/tickets",
        form("Logs", &format!("Logs for {address} attached."))
            .part(
                "attachment",
                file(
                    &format!("{address}.log"),
                    "text/plain",
                    b"retry scheduled\n".to_vec(),
                ),
            )
            .part(
                "attachment",
                file("evil\u{202E}gpj.txt", "text/plain", b"x\n".to_vec()),
            )
            .part(
                "attachment",
                file("../../../etc/passwd.txt", "text/plain", b"y\n".to_vec()),
            ),
    )
    .await;
    assert_eq!(status, 201, "{page}");
    let ticket = agent_view(&app, &reference_of(&page)).await;
    let body = ticket["messages"][0]["body"].as_str().unwrap();
    let names: Vec<&str> = ticket["messages"][0]["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    let mask = body
        .split_whitespace()
        .find(|w| w.starts_with("[EMAIL-"))
        .expect("the address in the message is masked");
    assert_eq!(
        names,
        [format!("{mask}.log").as_str(), "evilgpj.txt", "passwd.txt"]
    );
    let stored = app.stored_files().await;
    assert!(!files_containing(&stored, "retry scheduled").is_empty());
    assert!(files_containing(&stored, address).is_empty());
}
