//! Separation of duties: creating or resetting an agent yields a single-use enrolment link,
//! never a password or seed; resets of restricted-queue members need a second admin; the
//! operator resets on the command line; an agent can replace a second factor set up by
//! someone else; joining a restricted queue voids an open link; reset requests expire.

use std::process::Command;

use serde_json::json;

use crate::support::{HtmlSession, TestAgent, TestApp, extract_between, unescaped_between};

const BIN: &str = env!("CARGO_BIN_EXE_hushdesk");

/// A server whose sign-in limits do not get in the way of the many deliberate failures
/// here: each refused attempt must be refused for its credentials, not for a lockout.
async fn spawn() -> TestApp {
    TestApp::spawn_with(|config| {
        config.rate_limit.logins_burst = 1000;
        config.agents.max_failed_logins = 1000;
    })
    .await
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The enrolment link (path or URL) on an admin page, if one is shown.
fn link_on(page: &str) -> Option<String> {
    extract_between(page, "Enrolment link: <code class=\"link\">", "</code>").map(str::to_owned)
}

/// Every `<code>` text on a page: all an admin was shown.
fn codes_on(page: &str) -> Vec<String> {
    page.split("<code")
        .skip(1)
        .filter_map(|rest| {
            let start = rest.find('>')? + 1;
            let end = rest.find("</code>")?;
            Some(rest[start..end].replace("&#38;", "&"))
        })
        .collect()
}

async fn api_login_status(app: &TestApp, name: &str, password: &str, code: Option<&str>) -> u16 {
    let mut body = json!({ "name": name, "password": password });
    if let Some(code) = code {
        body["totp"] = code.into();
    }
    app.post_json("/api/v1/agent/login", &body)
        .await
        .status()
        .as_u16()
}

/// What the enrolment page offered one browser: its CSRF token, the new seed when one is
/// asked for, and the holder cookie that binds that seed to this browser.
struct Offered {
    csrf: String,
    totp: Option<totp_rs::Totp>,
    cookie: String,
}

/// Opens the link in a fresh browser (no cookie).
async fn open_link(app: &TestApp, path: &str) -> Offered {
    open_link_in(app, path, None).await
}

/// Opens the link in the browser whose enrolment cookie is `cookie`, if any.
async fn open_link_in(app: &TestApp, path: &str, cookie: Option<&str>) -> Offered {
    let mut request = app.client.get(app.url(path));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let set = response
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
    let cookie = set
        .or(cookie.map(str::to_owned))
        .expect("the enrolment page names its browser");
    let page = response.text().await.unwrap();
    let csrf = extract_between(&page, "name=\"csrf\" value=\"", "\"")
        .unwrap()
        .to_owned();
    let totp = page
        .contains("id=\"otpauth\"")
        .then(|| unescaped_between(&page, "id=\"otpauth\">", "</code>"))
        .map(|uri| totp_rs::Totp::from_url(uri).unwrap());
    Offered { csrf, totp, cookie }
}

/// Posts the enrolment form from the browser holding `cookie` (none: a cookieless client).
async fn post_enrolment(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app.client.post(app.url(path)).form(fields);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

/// Opens the link and enrols with `password`; returns the new seed, if one was set up.
async fn enrol(app: &TestApp, path: &str, password: &str) -> Option<totp_rs::Totp> {
    let offered = open_link(app, path).await;
    let code = offered
        .totp
        .as_ref()
        .map(|t| t.generate(unix_now()).to_string())
        .unwrap_or_default();
    let response = post_enrolment(
        app,
        path,
        Some(&offered.cookie),
        &[
            ("csrf", offered.csrf.as_str()),
            ("password", password),
            ("confirm", password),
            ("code", code.as_str()),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("You are enrolled"));
    offered.totp
}

/// A code for the next sign-in with an enrolled seed (one step ahead of the confirming one).
fn next_code(totp: &Option<totp_rs::Totp>) -> Option<String> {
    totp.as_ref()
        .map(|t| t.generate(unix_now() + 30).to_string())
}

async fn audit(app: &TestApp, session: &HtmlSession) -> String {
    app.html_get(session, "/admin/audit")
        .await
        .text()
        .await
        .unwrap()
}

async fn reset(app: &TestApp, session: &HtmlSession, name: &str) -> reqwest::Response {
    app.html_post(session, &format!("/admin/agents/{name}/reset"), &[])
        .await
}

#[tokio::test]
async fn an_admin_reset_shows_no_secret_and_the_agent_enrols_once() {
    let app = spawn().await;
    let admin = app.add_agent("yvonne", "admin", &[]).await;
    let agent = app.add_agent("zoltan", "l3", &["general"]).await;
    let old_token = app.api_login(&agent).await;
    let session = app.html_login(&admin).await;

    let page = reset(&app, &session, "zoltan").await.text().await.unwrap();
    let path = link_on(&page).expect("an enrolment link");
    assert!(
        path.starts_with("/agent/enrol/") && path.len() > 40,
        "{path}"
    );
    assert!(
        !page.contains("otpauth") && !page.contains("secret=") && !page.contains("password: <code"),
        "{page}"
    );

    // Everything the old credentials opened is closed.
    let tickets = app.agent_get(&old_token, "/api/v1/agent/tickets").await;
    assert_eq!(tickets.status(), 401);
    let code = agent.next_code();
    assert_eq!(
        api_login_status(&app, "zoltan", &agent.password, code.as_deref()).await,
        401
    );
    // Nothing the admin was shown signs in as the agent.
    let shown = codes_on(&page);
    assert!(!shown.is_empty());
    for text in shown.iter().chain([path.clone(), String::new()].iter()) {
        assert_eq!(api_login_status(&app, "zoltan", text, None).await, 401);
        assert_eq!(
            api_login_status(&app, "zoltan", text, Some("000000")).await,
            401
        );
    }

    // The agent chooses their own password and a new second factor, once.
    let password = "zoltan's own long passphrase";
    let totp = enrol(&app, &path, password).await;
    assert!(totp.is_some(), "an L3 sets up a second factor on enrolment");
    assert_eq!(
        api_login_status(&app, "zoltan", password, next_code(&totp).as_deref()).await,
        200
    );
    assert_eq!(app.get(&path).await.status(), 404);
    let again = app
        .post_form(&path, &[("password", password), ("confirm", password)])
        .await;
    assert_eq!(again.status(), 404);

    let log = audit(&app, &session).await;
    assert!(
        log.contains("credentials_reset</td><td></td><td>agent=zoltan"),
        "the reset names the agent: {log}"
    );
    assert!(
        log.contains("<td>yvonne</td><td>credentials_reset"),
        "{log}"
    );
    assert!(
        log.contains("<td>zoltan</td><td>enrolled</td><td></td><td>agent=zoltan issued_by=yvonne"),
        "the enrolment names the admin: {log}"
    );
    assert!(!log.contains(password) && !log.contains(&path[13..]));
}

#[tokio::test]
async fn enrolment_refuses_short_passwords_wrong_codes_and_forged_forms() {
    let app = spawn().await;
    let admin = app.add_agent("ada", "admin", &[]).await;
    app.add_agent("ivo", "l3", &["general"]).await;
    let session = app.html_login(&admin).await;
    let page = reset(&app, &session, "ivo").await.text().await.unwrap();
    let path = link_on(&page).unwrap();
    let offered = open_link(&app, &path).await;
    let totp = offered.totp.unwrap();
    // The seed stays the same on a second view in the same browser, so a reload does not
    // void a scanned code.
    let second = open_link_in(&app, &path, Some(&offered.cookie))
        .await
        .totp
        .unwrap();
    assert_eq!(totp.secret().as_ref(), second.secret().as_ref());
    let code = totp.generate(unix_now()).to_string();
    let cookie = offered.cookie.clone();
    let post = |fields: Vec<(&'static str, String)>| {
        let app = &app;
        let path = path.clone();
        let cookie = cookie.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_enrolment(app, &path, Some(&cookie), &fields)
                .await
                .status()
                .as_u16()
        }
    };
    let good = "a long enough passphrase".to_owned();
    let csrf = offered.csrf.clone();
    assert_eq!(
        post(vec![
            ("csrf", "forged".into()),
            ("password", good.clone()),
            ("confirm", good.clone()),
            ("code", code.clone()),
        ])
        .await,
        403
    );
    assert_eq!(
        post(vec![
            ("csrf", csrf.clone()),
            ("password", "short".into()),
            ("confirm", "short".into()),
            ("code", code.clone()),
        ])
        .await,
        422
    );
    assert_eq!(
        post(vec![
            ("csrf", csrf.clone()),
            ("password", good.clone()),
            ("confirm", good.clone()),
            ("code", "000000".into()),
        ])
        .await,
        422
    );
    // None of those used the link up.
    assert_eq!(
        post(vec![
            ("csrf", csrf),
            ("password", good.clone()),
            ("confirm", good),
            ("code", code),
        ])
        .await,
        200
    );
}

#[tokio::test]
async fn expired_used_and_unknown_enrolment_links_get_the_same_404() {
    let app = spawn().await;
    let admin = app.add_agent("ada", "admin", &[]).await;
    app.add_agent("lena", "l1", &["general"]).await;
    let session = app.html_login(&admin).await;
    let page = reset(&app, &session, "lena").await.text().await.unwrap();
    let path = link_on(&page).unwrap();
    assert_eq!(app.get(&path).await.status(), 200, "live before it expires");

    // Let the link run out: move its expiry into the past, in the database itself.
    app.execute_sql("update enrolments set expires_at = 1", &[])
        .await;

    let expired = app.get(&path).await;
    assert_eq!(expired.status(), 404);
    let expired_body = expired.text().await.unwrap();
    let unknown = app
        .get("/agent/enrol/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(unknown.text().await.unwrap(), expired_body);
    let posted = app
        .post_form(&path, &[("password", "a long enough passphrase")])
        .await;
    assert_eq!(posted.status(), 404);
    // And the account stays shut.
    assert_eq!(
        api_login_status(&app, "lena", "a long enough passphrase", None).await,
        401
    );
}

#[tokio::test]
async fn reset_and_enrolment_alert_other_admins_and_queue_owners_but_not_the_resetter() {
    let app = spawn().await;
    let ada = app.add_agent("ada", "admin", &[]).await;
    let bea = app.add_agent("bea", "admin", &[]).await;
    let olga = app.add_agent("olga", "l2", &["billing"]).await;
    let pete = app.add_agent("pete", "l1", &["billing"]).await;
    app.add_agent("zack", "l1", &["billing"]).await;
    let ada_session = app.html_login(&ada).await;
    let made_owner = app
        .html_post(
            &ada_session,
            "/admin/queues/billing/members",
            &[("agent", "olga"), ("owner", "yes")],
        )
        .await;
    assert!(made_owner.status().is_success() || made_owner.status().is_redirection());

    let page = reset(&app, &ada_session, "zack")
        .await
        .text()
        .await
        .unwrap();
    let path = link_on(&page).unwrap();

    let bea_session = app.html_login(&bea).await;
    let bea_alerts = app
        .html_get(&bea_session, "/admin")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        bea_alerts.contains("ada reset the password and second factor of zack"),
        "{bea_alerts}"
    );
    let ada_alerts = app
        .html_get(&ada_session, "/admin")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !ada_alerts.contains("second factor of zack"),
        "the resetting admin does not get their own alert: {ada_alerts}"
    );
    let olga_session = app.html_login(&olga).await;
    let owner_view = app
        .html_get(&olga_session, "/agent/tickets")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        owner_view.contains("ada reset the password and second factor of zack"),
        "{owner_view}"
    );
    let pete_session = app.html_login(&pete).await;
    let member_view = app
        .html_get(&pete_session, "/agent/tickets")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !member_view.contains("second factor of zack"),
        "queue owners are told, plain members are not"
    );

    enrol(&app, &path, "zack chose this passphrase").await;
    let enrolled = "zack used the enrolment link from ada";
    for page in [
        app.html_get(&bea_session, "/admin")
            .await
            .text()
            .await
            .unwrap(),
        app.html_get(&olga_session, "/agent/tickets")
            .await
            .text()
            .await
            .unwrap(),
    ] {
        assert!(page.contains(enrolled), "{page}");
    }
    // The admin who issued the link could have used it herself: the enrolment alert is not
    // hers to see or wave off.
    let issuer_view = app
        .html_get(&ada_session, "/admin")
        .await
        .text()
        .await
        .unwrap();
    assert!(!issuer_view.contains(enrolled), "{issuer_view}");
}

/// The id of the first reset request an admin page offers to approve.
fn request_id(page: &str) -> String {
    extract_between(page, "action=\"/admin/agents/resets/", "/approve")
        .expect("an approve button")
        .to_owned()
}

#[tokio::test]
async fn resetting_a_restricted_queue_member_needs_a_second_admin() {
    let app = spawn().await;
    let ada = app.add_agent("ada", "admin", &[]).await;
    let bea = app.add_agent("bea", "admin", &[]).await;
    let vince = app.add_agent("vince", "l2", &["vip"]).await;
    let plain = app.add_agent("paul", "l2", &["general"]).await;
    let ada_session = app.html_login(&ada).await;

    // Positive control: an agent of ordinary queues is reset at once.
    let page = reset(&app, &ada_session, "paul")
        .await
        .text()
        .await
        .unwrap();
    assert!(link_on(&page).is_some());
    assert_eq!(
        api_login_status(&app, "paul", &plain.password, None).await,
        401
    );

    let page = reset(&app, &ada_session, "vince")
        .await
        .text()
        .await
        .unwrap();
    assert!(link_on(&page).is_none(), "{page}");
    assert!(page.contains("waits for a second admin"), "{page}");
    assert!(
        !page.contains("action=\"/admin/agents/resets/"),
        "no approve button on one's own request"
    );
    assert_eq!(
        api_login_status(&app, "vince", &vince.password, None).await,
        200,
        "nothing changes before approval"
    );

    let bea_session = app.html_login(&bea).await;
    let bea_page = app
        .html_get(&bea_session, "/admin/agents")
        .await
        .text()
        .await
        .unwrap();
    let id = request_id(&bea_page);
    assert!(
        bea_page.contains("<td>vince</td><td>ada</td>"),
        "{bea_page}"
    );
    let bea_alerts = app
        .html_get(&bea_session, "/admin")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        bea_alerts.contains("ada asks to reset vince"),
        "{bea_alerts}"
    );

    // The requesting admin cannot approve it herself.
    let own = app
        .html_post(
            &ada_session,
            &format!("/admin/agents/resets/{id}/approve"),
            &[],
        )
        .await;
    assert_eq!(own.status(), 403);
    assert!(link_on(&own.text().await.unwrap()).is_none());
    assert_eq!(
        api_login_status(&app, "vince", &vince.password, None).await,
        200
    );

    let approved = app
        .html_post(
            &bea_session,
            &format!("/admin/agents/resets/{id}/approve"),
            &[],
        )
        .await;
    assert_eq!(approved.status(), 200);
    let approved = approved.text().await.unwrap();
    let path = link_on(&approved).expect("the approver gets the link");
    assert!(approved.contains("Enrolment link for vince"));
    assert_eq!(
        api_login_status(&app, "vince", &vince.password, None).await,
        401
    );
    // Decided once: a second approval finds nothing.
    let twice = app
        .html_post(
            &bea_session,
            &format!("/admin/agents/resets/{id}/approve"),
            &[],
        )
        .await;
    assert_eq!(twice.status(), 404);
    enrol(&app, &path, "vince picked this one").await;
    assert_eq!(
        api_login_status(&app, "vince", "vince picked this one", None).await,
        200
    );

    let log = audit(&app, &bea_session).await;
    assert!(
        log.contains("<td>ada</td><td>reset_requested</td><td></td><td>agent=vince"),
        "{log}"
    );
    assert!(
        log.contains(
            "<td>bea</td><td>reset_approved</td><td></td><td>agent=vince requested_by=ada"
        ),
        "{log}"
    );
    assert!(
        log.contains("agent=vince requested_by=ada approved_by=bea"),
        "{log}"
    );
}

#[tokio::test]
async fn a_reset_request_can_be_rejected_and_admins_cannot_reset_themselves() {
    let app = spawn().await;
    let ada = app.add_agent("ada", "admin", &[]).await;
    let bea = app.add_agent("bea", "admin", &[]).await;
    let vince = app.add_agent("vince", "l2", &["vip"]).await;
    let ada_session = app.html_login(&ada).await;
    let own = reset(&app, &ada_session, "ada").await;
    assert_eq!(own.status(), 403);
    assert!(link_on(&own.text().await.unwrap()).is_none());
    assert_eq!(
        api_login_status(&app, "ada", &ada.password, ada.next_code().as_deref()).await,
        200,
        "the refused self-reset changed nothing"
    );

    reset(&app, &ada_session, "vince").await;
    let bea_session = app.html_login(&bea).await;
    let page = app
        .html_get(&bea_session, "/admin/agents")
        .await
        .text()
        .await
        .unwrap();
    let id = request_id(&page);
    let rejected = app
        .html_post(
            &bea_session,
            &format!("/admin/agents/resets/{id}/reject"),
            &[],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        rejected.contains("The reset of vince was rejected"),
        "{rejected}"
    );
    assert!(link_on(&rejected).is_none());
    assert_eq!(
        api_login_status(&app, "vince", &vince.password, None).await,
        200
    );
    assert!(
        audit(&app, &bea_session)
            .await
            .contains("<td>bea</td><td>reset_rejected")
    );
}

#[tokio::test]
async fn agents_added_in_the_admin_pages_get_an_enrolment_link_not_secrets() {
    let app = spawn().await;
    let admin = app.add_agent("ada", "admin", &[]).await;
    let session = app.html_login(&admin).await;
    let page = app
        .html_post(
            &session,
            "/admin/agents",
            &[("name", "carl"), ("role", "l3"), ("queues", "security")],
        )
        .await
        .text()
        .await
        .unwrap();
    let path = link_on(&page).expect("an enrolment link");
    assert!(
        !page.contains("otpauth") && !page.contains("Initial password"),
        "{page}"
    );
    for text in codes_on(&page) {
        assert_eq!(api_login_status(&app, "carl", &text, None).await, 401);
    }
    let totp = enrol(&app, &path, "carl's very own passphrase").await;
    assert!(totp.is_some());
    assert_eq!(
        api_login_status(
            &app,
            "carl",
            "carl's very own passphrase",
            next_code(&totp).as_deref()
        )
        .await,
        200
    );
    // An L1 without the second-factor box enrols with a password alone.
    let page = app
        .html_post(
            &session,
            "/admin/agents",
            &[("name", "lou"), ("role", "l1"), ("queues", "general")],
        )
        .await
        .text()
        .await
        .unwrap();
    let path = link_on(&page).unwrap();
    assert!(
        enrol(&app, &path, "lou's very own passphrase")
            .await
            .is_none()
    );
    assert_eq!(
        api_login_status(&app, "lou", "lou's very own passphrase", None).await,
        200
    );
}

fn operator_reset(app: &TestApp, name: &str, public_url: Option<&str>) -> std::process::Output {
    let mut command = app.command();
    command.args(["agent", "reset", name]);
    if let Some(url) = public_url {
        command.env("HUSHDESK_PUBLIC_URL", url);
    }
    command.output().unwrap()
}

#[tokio::test]
async fn the_operator_resets_on_the_command_line_and_the_printed_link_works() {
    let app = spawn().await;
    let admin = app.add_agent("ada", "admin", &[]).await;
    let agent = app.add_agent("solo", "l3", &["general"]).await;

    let output = operator_reset(&app, "solo", None);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let path = stdout.lines().next().unwrap().to_owned();
    assert!(path.starts_with("/agent/enrol/"), "{stdout}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("public_url is not configured"));
    assert_eq!(
        api_login_status(&app, "solo", &agent.password, agent.next_code().as_deref()).await,
        401
    );
    let totp = enrol(&app, &path, "solo's fresh passphrase").await;
    assert_eq!(
        api_login_status(
            &app,
            "solo",
            "solo's fresh passphrase",
            next_code(&totp).as_deref()
        )
        .await,
        200
    );

    // With public_url set, the printed link is absolute; a newer link replaces an older one.
    let output = operator_reset(&app, "solo", Some("https://desk.example.org"));
    assert!(output.status.success(), "{output:?}");
    let first = String::from_utf8(output.stdout).unwrap();
    assert!(
        first.starts_with("https://desk.example.org/agent/enrol/"),
        "{first}"
    );
    let output = operator_reset(&app, "solo", Some("https://desk.example.org"));
    let second = String::from_utf8(output.stdout).unwrap();
    let first_path = first.trim().trim_start_matches("https://desk.example.org");
    let second_path = second.trim().trim_start_matches("https://desk.example.org");
    assert_eq!(app.get(first_path).await.status(), 404);
    assert_eq!(app.get(second_path).await.status(), 200);

    let unknown = operator_reset(&app, "nobody", None);
    assert!(!unknown.status.success());

    let session = app.html_login(&admin).await;
    let log = audit(&app, &session).await;
    assert!(
        log.contains("<td>(operator)</td><td>credentials_reset</td><td></td><td>agent=solo"),
        "{log}"
    );
    assert!(log.contains("agent=solo issued_by=the operator"), "{log}");
    let alerts = app.html_get(&session, "/admin").await.text().await.unwrap();
    assert!(
        alerts.contains("the operator reset the password and second factor of solo"),
        "{alerts}"
    );
}

async fn html_login_status(app: &TestApp, agent: &TestAgent, code: &str) -> u16 {
    app.post_login_form(&[
        ("name", agent.name.as_str()),
        ("password", agent.password.as_str()),
        ("totp", code),
    ])
    .await
    .status()
    .as_u16()
}

#[tokio::test]
async fn replacing_a_second_factor_needs_the_current_code_and_voids_the_old_seed() {
    let app = spawn().await;
    // The operator set this L3 up, so the operator has seen the seed.
    let agent = app.add_agent("nadia", "l3", &["general"]).await;
    let old = totp_rs::Totp::from_url(agent.totp_uri.as_ref().unwrap()).unwrap();
    let session = app.html_login(&agent).await;
    let account = app
        .html_get(&session, "/agent/account")
        .await
        .text()
        .await
        .unwrap();
    assert!(account.contains("Replace second factor"), "{account}");

    let wrong = app
        .html_post(
            &session,
            "/agent/account/totp/replace",
            &[("current_code", "000000")],
        )
        .await;
    assert_eq!(wrong.status(), 403);
    assert!(!wrong.text().await.unwrap().contains("otpauth://"));

    let current = agent.next_code().unwrap();
    let page = app
        .html_post(
            &session,
            "/agent/account/totp/replace",
            &[("current_code", current.as_str())],
        )
        .await
        .text()
        .await
        .unwrap();
    let uri = unescaped_between(&page, "<code class=\"link\">", "</code>");
    let new = totp_rs::Totp::from_url(&uri).unwrap();
    assert_ne!(new.secret().as_ref(), old.secret().as_ref());
    // The same current code cannot be used twice.
    let replay = app
        .html_post(
            &session,
            "/agent/account/totp/replace",
            &[("current_code", current.as_str())],
        )
        .await;
    assert_eq!(replay.status(), 403);

    let confirm = app
        .html_post(
            &session,
            "/agent/account/totp/confirm",
            &[("code", new.generate(unix_now()).to_string().as_str())],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(confirm.contains("Second factor on"), "{confirm}");

    // A fresh code from the old seed no longer signs in; one from the new seed does.
    let old_code = old.generate(unix_now() + 30).to_string();
    assert_eq!(html_login_status(&app, &agent, &old_code).await, 401);
    let new_code = new.generate(unix_now() + 30).to_string();
    assert_eq!(html_login_status(&app, &agent, &new_code).await, 303);
}

async fn page_of(response: reqwest::Response) -> String {
    response.text().await.unwrap()
}

#[tokio::test]
async fn leaving_a_restricted_queue_does_not_let_one_admin_skip_the_second() {
    let app = spawn().await;
    let ada = app.add_agent("ada", "admin", &[]).await;
    let bea = app.add_agent("bea", "admin", &[]).await;
    app.add_agent("bob", "l2", &["vip"]).await;
    app.add_agent("frank", "l2", &["vip"]).await;
    app.add_agent("paul", "l2", &["general"]).await;
    let olga = app.add_agent("olga", "l2", &[]).await;
    let ada_session = app.html_login(&ada).await;
    let owner = app
        .html_post(
            &ada_session,
            "/admin/queues/vip/members",
            &[("agent", "olga"), ("owner", "yes")],
        )
        .await;
    assert!(owner.status().is_redirection(), "{}", owner.status());

    // (1) Remove bob from the restricted queue, then reset him.
    let removed = app
        .html_post(
            &ada_session,
            "/admin/queues/vip/members/remove",
            &[("agent", "bob")],
        )
        .await;
    assert!(removed.status().is_redirection(), "{}", removed.status());
    let page = page_of(reset(&app, &ada_session, "bob").await).await;
    assert!(link_on(&page).is_none(), "{page}");
    assert!(page.contains("waits for a second admin"), "{page}");

    // (2) Turn the queue's restricted flag off, then reset frank, still a member.
    let unflagged = app
        .html_post(&ada_session, "/admin/queues/vip/flags", &[])
        .await;
    assert!(
        unflagged.status().is_redirection(),
        "{}",
        unflagged.status()
    );
    let page = page_of(reset(&app, &ada_session, "frank").await).await;
    assert!(link_on(&page).is_none(), "{page}");
    assert!(page.contains("waits for a second admin"), "{page}");

    // Positive control: an agent who never was in a restricted queue is reset at once.
    let page = page_of(reset(&app, &ada_session, "paul").await).await;
    assert!(link_on(&page).is_some(), "{page}");

    // Both changes are alerted to the other admins (not to the one who made them) and audited.
    let bea_session = app.html_login(&bea).await;
    let bea_alerts = page_of(app.html_get(&bea_session, "/admin").await).await;
    assert!(
        bea_alerts.contains("ada removed bob from restricted queue vip"),
        "{bea_alerts}"
    );
    assert!(
        bea_alerts.contains("ada turned off the restricted flag of queue vip"),
        "{bea_alerts}"
    );
    let ada_alerts = page_of(app.html_get(&ada_session, "/admin").await).await;
    assert!(!ada_alerts.contains("ada removed bob"), "{ada_alerts}");
    // The queue's owner hears of both too.
    let olga_session = app.html_login(&olga).await;
    let olga_list = page_of(app.html_get(&olga_session, "/agent/tickets").await).await;
    for expected in [
        "ada removed bob from restricted queue vip",
        "ada turned off the restricted flag of queue vip",
    ] {
        assert!(olga_list.contains(expected), "{expected}: {olga_list}");
    }
    let log = audit(&app, &bea_session).await;
    assert!(
        log.contains("<td>ada</td><td>member_removed</td><td></td><td>queue=vip agent=bob"),
        "{log}"
    );
    assert!(
        log.contains("<td>ada</td><td>queue_changed</td><td></td><td>queue=vip restricted=false"),
        "{log}"
    );
}

#[tokio::test]
async fn a_newer_reset_voids_a_pending_request_so_a_late_approval_changes_nothing() {
    let app = spawn().await;
    let ada = app.add_agent("ada", "admin", &[]).await;
    let bea = app.add_agent("bea", "admin", &[]).await;
    app.add_agent("vince", "l2", &["vip"]).await;
    let ada_session = app.html_login(&ada).await;
    let bea_session = app.html_login(&bea).await;
    let page = page_of(reset(&app, &ada_session, "vince").await).await;
    assert!(page.contains("waits for a second admin"), "{page}");
    let id = request_id(&page_of(app.html_get(&bea_session, "/admin/agents").await).await);

    // The operator resets vince meanwhile, and vince enrols with that link.
    let output = operator_reset(&app, "vince", None);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let path = stdout.lines().next().unwrap().to_owned();
    enrol(&app, &path, "vince's fresh passphrase").await;
    assert_eq!(
        api_login_status(&app, "vince", "vince's fresh passphrase", None).await,
        200
    );

    // The stale request is gone from the list, and approving it finds nothing.
    let bea_page = page_of(app.html_get(&bea_session, "/admin/agents").await).await;
    assert!(
        !bea_page.contains("action=\"/admin/agents/resets/"),
        "{bea_page}"
    );
    let late = app
        .html_post(
            &bea_session,
            &format!("/admin/agents/resets/{id}/approve"),
            &[],
        )
        .await;
    assert_eq!(late.status(), 404);
    assert_eq!(
        api_login_status(&app, "vince", "vince's fresh passphrase", None).await,
        200,
        "the fresh enrolment still stands"
    );
    assert!(
        audit(&app, &bea_session)
            .await
            .contains("reset_request_cancelled")
    );
}

#[tokio::test]
async fn the_admin_pages_cannot_create_admins_and_account_changes_alert_other_admins() {
    let app = spawn().await;
    let alice = app.add_agent("alice", "admin", &[]).await;
    let bea = app.add_agent("bea", "admin", &[]).await;
    app.add_agent("carol", "admin", &[]).await;
    let alice_session = app.html_login(&alice).await;

    let form = page_of(app.html_get(&alice_session, "/admin/agents").await).await;
    assert!(!form.contains("<option value=\"admin\">"), "{form}");
    let puppet = app
        .html_post(
            &alice_session,
            "/admin/agents",
            &[("name", "alice2"), ("role", "admin")],
        )
        .await;
    assert_eq!(puppet.status(), 403);
    let page = page_of(puppet).await;
    assert!(link_on(&page).is_none(), "{page}");
    assert!(page.contains("hushdesk agent add --role admin"), "{page}");
    assert!(
        !page_of(app.html_get(&alice_session, "/admin/agents").await)
            .await
            .contains("<td>alice2</td>")
    );

    // Positive control: an ordinary account is still created, and the other admins hear of it.
    let created = page_of(
        app.html_post(
            &alice_session,
            "/admin/agents",
            &[("name", "lou"), ("role", "l1"), ("queues", "general")],
        )
        .await,
    )
    .await;
    assert!(link_on(&created).is_some(), "{created}");
    let disabled = app
        .html_post(
            &alice_session,
            "/admin/agents/carol/disable",
            &[("confirm", "yes")],
        )
        .await;
    assert!(disabled.status().is_redirection());
    app.html_post(
        &alice_session,
        "/admin/agents/carol/enable",
        &[("confirm", "yes")],
    )
    .await;

    // Nor can alice take over another admin's account through a reset of her own: it
    // waits for a second admin.
    let page = page_of(reset(&app, &alice_session, "carol").await).await;
    assert!(link_on(&page).is_none(), "{page}");
    assert!(page.contains("waits for a second admin"), "{page}");

    let bea_session = app.html_login(&bea).await;
    let alerts = page_of(app.html_get(&bea_session, "/admin").await).await;
    for expected in [
        "alice created the L1 agent account lou",
        "alice disabled the admin account carol",
        "alice enabled the admin account carol",
    ] {
        assert!(alerts.contains(expected), "{expected}: {alerts}");
    }
    let own = page_of(app.html_get(&alice_session, "/admin").await).await;
    assert!(
        !own.contains("alice created the L1 agent account lou"),
        "{own}"
    );
}

#[tokio::test]
async fn the_enrolment_seed_belongs_to_the_browser_that_completes_enrolment() {
    let app = spawn().await;
    let admin = app.add_agent("ada", "admin", &[]).await;
    app.add_agent("ivo", "l3", &["general"]).await;
    let session = app.html_login(&admin).await;
    let path = link_on(&page_of(reset(&app, &session, "ivo").await).await).unwrap();

    // Browser A (say, the admin or a link-preview bot) opens the link first.
    let first = open_link(&app, &path).await;
    let seed_a = first.totp.unwrap();
    // Browser B, the agent's, gets a seed of its own.
    let second = open_link(&app, &path).await;
    let seed_b = second.totp.clone().unwrap();
    assert_ne!(seed_a.secret().as_ref(), seed_b.secret().as_ref());
    // A reload in B keeps B's seed.
    let reload = open_link_in(&app, &path, Some(&second.cookie)).await;
    assert_eq!(
        reload.totp.unwrap().secret().as_ref(),
        seed_b.secret().as_ref()
    );

    let password = "ivo's own passphrase";
    let fields = |csrf: &str, code: String| {
        vec![
            ("csrf".to_owned(), csrf.to_owned()),
            ("password".to_owned(), password.to_owned()),
            ("confirm".to_owned(), password.to_owned()),
            ("code".to_owned(), code),
        ]
    };
    // Browser A cannot complete it any more, with or without its cookie.
    for cookie in [Some(first.cookie.as_str()), None] {
        let owned = fields(&first.csrf, seed_a.generate(unix_now()).to_string());
        let borrowed: Vec<(&str, &str)> = owned
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let refused = post_enrolment(&app, &path, cookie, &borrowed).await;
        assert_eq!(refused.status(), 403, "{cookie:?}");
        // A refused POST hands nothing over: no holder cookie, no new seed.
        assert!(refused.headers().get("set-cookie").is_none(), "{cookie:?}");
    }
    // B still holds the enrolment with the seed it scanned: a reload shows that seed and
    // B enrols with it.
    let again = open_link_in(&app, &path, Some(&second.cookie)).await;
    assert_eq!(
        again.totp.unwrap().secret().as_ref(),
        seed_b.secret().as_ref(),
        "a refused POST must not replace the holder's seed"
    );
    let owned = fields(&again.csrf, seed_b.generate(unix_now()).to_string());
    let borrowed: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let done = post_enrolment(&app, &path, Some(&again.cookie), &borrowed).await;
    assert_eq!(done.status(), 200);

    // A code from A's seed does not sign in; one from B's does.
    let next = unix_now() + 30;
    assert_eq!(
        api_login_status(
            &app,
            "ivo",
            password,
            Some(&seed_a.generate(next).to_string())
        )
        .await,
        401
    );
    assert_eq!(
        api_login_status(
            &app,
            "ivo",
            password,
            Some(&seed_b.generate(next).to_string())
        )
        .await,
        200
    );
}

#[tokio::test]
async fn the_admin_a_reset_request_is_about_sees_no_buttons_to_decide_it() {
    let app = spawn().await;
    let ada = app.add_agent("ada", "admin", &[]).await;
    let bea = app.add_agent("bea", "admin", &["vip"]).await;
    let cyd = app.add_agent("cyd", "admin", &[]).await;
    let ada_session = app.html_login(&ada).await;
    let page = page_of(reset(&app, &ada_session, "bea").await).await;
    assert!(page.contains("waits for a second admin"), "{page}");

    let bea_page = page_of(
        app.html_get(&app.html_login(&bea).await, "/admin/agents")
            .await,
    )
    .await;
    assert!(bea_page.contains("<td>bea</td><td>ada</td>"), "{bea_page}");
    assert!(
        !bea_page.contains("action=\"/admin/agents/resets/"),
        "{bea_page}"
    );
    // Positive control: a third admin is offered the decision.
    let cyd_page = page_of(
        app.html_get(&app.html_login(&cyd).await, "/admin/agents")
            .await,
    )
    .await;
    request_id(&cyd_page);
}

#[test]
fn an_enrolment_link_lifetime_out_of_range_is_refused_at_load() {
    let dir = tempfile::tempdir().unwrap();
    let check = |hours: &str| {
        let file = dir.path().join(format!("{hours}.toml"));
        std::fs::write(&file, format!("[agents]\nenrolment_link_hours = {hours}\n")).unwrap();
        Command::new(BIN)
            .arg("check-config")
            .env_clear()
            .env("HUSHDESK_CONFIG", &file)
            .env("HUSHDESK_DATA_DIR", dir.path().join("data"))
            .output()
            .unwrap()
    };
    for hours in ["18446744073709551615", "721", "0"] {
        let output = check(hours);
        assert!(!output.status.success(), "{hours}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("enrolment_link_hours must be between 1 and 720"),
            "{hours}: {stderr}"
        );
    }
    // Positive control: a value in range loads.
    let output = check("720");
    assert!(output.status.success(), "{output:?}");
}

/// Moves every reset request `hours` into the past, in the database itself.
async fn age_reset_requests(app: &TestApp, hours: i64) {
    app.execute_sql(
        "update reset_requests set created_at = created_at - $1",
        &[(hours * 3600).into()],
    )
    .await;
}

#[tokio::test]
async fn joining_a_restricted_queue_voids_an_open_enrolment_link() {
    let app = spawn().await;
    let alice = app.add_agent("alice", "admin", &[]).await;
    let bea = app.add_agent("bea", "admin", &[]).await;
    app.add_agent("yuri", "l2", &["general"]).await;
    app.add_agent("paul", "l2", &["general"]).await;
    let alice_session = app.html_login(&alice).await;

    // yuri is in no restricted queue: alice's reset shows the link at once.
    let path = link_on(&page_of(reset(&app, &alice_session, "yuri").await).await).unwrap();
    assert_eq!(app.get(&path).await.status(), 200, "live before the join");
    // Positive control: paul's link, whose queues do not change, keeps working.
    let paul_path = link_on(&page_of(reset(&app, &alice_session, "paul").await).await).unwrap();

    let added = app
        .html_post(
            &alice_session,
            "/admin/queues/vip/members",
            &[("agent", "yuri")],
        )
        .await;
    assert!(added.status().is_redirection(), "{}", added.status());

    // The link is dead: alice cannot enrol as yuri and read vip with her own password.
    assert_eq!(app.get(&path).await.status(), 404);
    let posted = app
        .post_form(&path, &[("password", "alice's own passphrase")])
        .await;
    assert_eq!(posted.status(), 404);
    assert_eq!(
        api_login_status(&app, "yuri", "alice's own passphrase", None).await,
        401
    );
    // A new reset now falls under the two-person rule.
    let page = page_of(reset(&app, &alice_session, "yuri").await).await;
    assert!(link_on(&page).is_none(), "{page}");
    assert!(page.contains("waits for a second admin"), "{page}");

    enrol(&app, &paul_path, "paul's own passphrase").await;

    // The other admins hear of it, not the admin who did it; the audit log records it.
    let bea_session = app.html_login(&bea).await;
    let alerts = page_of(app.html_get(&bea_session, "/admin").await).await;
    assert!(
        alerts.contains("the open enrolment link of yuri was voided"),
        "{alerts}"
    );
    let own = page_of(app.html_get(&alice_session, "/admin").await).await;
    assert!(!own.contains("enrolment link of yuri was voided"), "{own}");
    let log = audit(&app, &bea_session).await;
    assert!(
        log.contains(
            "<td>alice</td><td>enrolment_link_voided</td><td></td><td>agent=yuri reason=restricted queue=vip"
        ),
        "{log}"
    );
    assert!(!log.contains("agent=paul reason=restricted"), "{log}");
}

#[tokio::test]
async fn making_a_queue_restricted_voids_its_members_open_enrolment_links() {
    let app = spawn().await;
    let alice = app.add_agent("alice", "admin", &[]).await;
    app.add_agent("bea", "admin", &[]).await;
    app.add_agent("yuri", "l2", &["general"]).await;
    app.add_agent("paul", "l2", &[]).await;
    let alice_session = app.html_login(&alice).await;
    let path = link_on(&page_of(reset(&app, &alice_session, "yuri").await).await).unwrap();
    // Positive control: paul is in no queue, so his link survives the flag change.
    let paul_path = link_on(&page_of(reset(&app, &alice_session, "paul").await).await).unwrap();
    assert_eq!(app.get(&path).await.status(), 200, "live before the flag");

    let flagged = app
        .html_post(
            &alice_session,
            "/admin/queues/general/flags",
            &[("restricted", "yes")],
        )
        .await;
    assert!(flagged.status().is_redirection(), "{}", flagged.status());

    assert_eq!(app.get(&path).await.status(), 404);
    enrol(&app, &paul_path, "paul's own passphrase").await;
    let page = page_of(reset(&app, &alice_session, "yuri").await).await;
    assert!(page.contains("waits for a second admin"), "{page}");
    assert!(
        audit(&app, &alice_session)
            .await
            .contains("agent=yuri reason=restricted queue=general")
    );
}

#[tokio::test]
async fn a_refused_enrolment_post_hands_nothing_over() {
    let app = spawn().await;
    let admin = app.add_agent("ada", "admin", &[]).await;
    app.add_agent("ivo", "l3", &["general"]).await;
    let session = app.html_login(&admin).await;
    let path = link_on(&page_of(reset(&app, &session, "ivo").await).await).unwrap();
    let agent = open_link(&app, &path).await;
    let seed = agent.totp.clone().unwrap();

    // A cookieless bot posts the form (even with a valid CSRF token) several times.
    for _ in 0..3 {
        let bot = post_enrolment(
            &app,
            &path,
            None,
            &[
                ("csrf", agent.csrf.as_str()),
                ("password", "whatever the bot sends"),
                ("confirm", "whatever the bot sends"),
                ("code", "000000"),
            ],
        )
        .await;
        assert_eq!(bot.status(), 403);
        assert!(bot.headers().get("set-cookie").is_none());
    }

    // The agent enrols with the seed scanned before the bot came by.
    let password = "ivo's own passphrase";
    let code = seed.generate(unix_now()).to_string();
    let done = post_enrolment(
        &app,
        &path,
        Some(&agent.cookie),
        &[
            ("csrf", agent.csrf.as_str()),
            ("password", password),
            ("confirm", password),
            ("code", code.as_str()),
        ],
    )
    .await;
    assert_eq!(done.status(), 200);
    assert_eq!(
        api_login_status(
            &app,
            "ivo",
            password,
            Some(&seed.generate(unix_now() + 30).to_string())
        )
        .await,
        200
    );
}

#[tokio::test]
async fn a_reset_request_expires_after_72_hours() {
    let app = spawn().await;
    let ada = app.add_agent("ada", "admin", &[]).await;
    let bea = app.add_agent("bea", "admin", &[]).await;
    app.add_agent("vince", "l2", &["vip"]).await;
    let ada_session = app.html_login(&ada).await;
    let bea_session = app.html_login(&bea).await;
    let page = page_of(reset(&app, &ada_session, "vince").await).await;
    assert!(page.contains("waits for a second admin"), "{page}");
    // Positive control: a day-old request is still there to decide.
    age_reset_requests(&app, 24).await;
    let id = request_id(&page_of(app.html_get(&bea_session, "/admin/agents").await).await);

    age_reset_requests(&app, 49).await;
    let list = page_of(app.html_get(&bea_session, "/admin/agents").await).await;
    assert!(!list.contains("action=\"/admin/agents/resets/"), "{list}");
    let late = app
        .html_post(
            &bea_session,
            &format!("/admin/agents/resets/{id}/approve"),
            &[],
        )
        .await;
    assert_eq!(late.status(), 404);

    // A fresh request can be filed and decided again.
    let page = page_of(reset(&app, &ada_session, "vince").await).await;
    assert!(page.contains("waits for a second admin"), "{page}");
    let fresh = request_id(&page_of(app.html_get(&bea_session, "/admin/agents").await).await);
    assert_ne!(fresh, id);
}

#[tokio::test]
async fn the_agent_enrolling_or_changing_password_cancels_a_pending_reset_request() {
    let app = spawn().await;
    let ada = app.add_agent("ada", "admin", &[]).await;
    let bea = app.add_agent("bea", "admin", &[]).await;
    let vince = app.add_agent("vince", "l2", &["vip"]).await;
    app.add_agent("wendy", "l2", &["vip"]).await;
    let ada_session = app.html_login(&ada).await;
    let bea_session = app.html_login(&bea).await;

    // vince changes his own password while a reset of him waits.
    let page = page_of(reset(&app, &ada_session, "vince").await).await;
    assert!(page.contains("waits for a second admin"), "{page}");
    let id = request_id(&page_of(app.html_get(&bea_session, "/admin/agents").await).await);
    let vince_session = app.html_login(&vince).await;
    let new_password = "vince's newer passphrase";
    let changed = app
        .html_post(
            &vince_session,
            "/agent/account/password",
            &[
                ("current", vince.password.as_str()),
                ("new", new_password),
                ("confirm", new_password),
            ],
        )
        .await;
    assert!(changed.text().await.unwrap().contains("Password changed"));
    let late = app
        .html_post(
            &bea_session,
            &format!("/admin/agents/resets/{id}/approve"),
            &[],
        )
        .await;
    assert_eq!(late.status(), 404);

    // wendy, reset by the operator, enrols while an admin's request about her waits.
    let output = operator_reset(&app, "wendy", None);
    assert!(output.status.success(), "{output:?}");
    let path = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    let page = page_of(reset(&app, &ada_session, "wendy").await).await;
    assert!(page.contains("waits for a second admin"), "{page}");
    let id = request_id(&page_of(app.html_get(&bea_session, "/admin/agents").await).await);
    let seed = enrol(&app, &path, "wendy's own passphrase").await;
    let late = app
        .html_post(
            &bea_session,
            &format!("/admin/agents/resets/{id}/approve"),
            &[],
        )
        .await;
    assert_eq!(late.status(), 404);
    assert_eq!(
        api_login_status(
            &app,
            "wendy",
            "wendy's own passphrase",
            next_code(&seed).as_deref()
        )
        .await,
        200,
        "the enrolment still stands"
    );
    let log = audit(&app, &bea_session).await;
    assert!(log.contains("agent=vince reason=password_changed"), "{log}");
    assert!(log.contains("agent=wendy reason=enrolled"), "{log}");
}

#[tokio::test]
async fn disabling_or_enabling_an_agent_alerts_other_admins_and_queue_owners() {
    let app = spawn().await;
    let alice = app.add_agent("alice", "admin", &[]).await;
    let bea = app.add_agent("bea", "admin", &[]).await;
    app.add_agent("lou", "l1", &["general"]).await;
    let olga = app.add_agent("olga", "l2", &[]).await;
    let alice_session = app.html_login(&alice).await;
    let owner = app
        .html_post(
            &alice_session,
            "/admin/queues/general/members",
            &[("agent", "olga"), ("owner", "yes")],
        )
        .await;
    assert!(owner.status().is_redirection(), "{}", owner.status());
    for action in ["disable", "enable"] {
        let done = app
            .html_post(
                &alice_session,
                &format!("/admin/agents/lou/{action}"),
                &[("confirm", "yes")],
            )
            .await;
        assert!(done.status().is_redirection(), "{}", done.status());
    }

    let bea_alerts = page_of(app.html_get(&app.html_login(&bea).await, "/admin").await).await;
    let olga_list = page_of(
        app.html_get(&app.html_login(&olga).await, "/agent/tickets")
            .await,
    )
    .await;
    for expected in [
        "alice disabled the account lou",
        "alice enabled the account lou",
    ] {
        assert!(bea_alerts.contains(expected), "{expected}: {bea_alerts}");
        assert!(olga_list.contains(expected), "{expected}: {olga_list}");
    }
    let own = page_of(app.html_get(&alice_session, "/admin").await).await;
    assert!(!own.contains("the account lou"), "{own}");
}

#[tokio::test]
async fn the_admin_pages_do_not_create_an_account_straight_into_a_restricted_queue() {
    let app = spawn().await;
    let alice = app.add_agent("alice", "admin", &[]).await;
    let alice_session = app.html_login(&alice).await;
    let page = page_of(
        app.html_post(
            &alice_session,
            "/admin/agents",
            &[
                ("name", "puppet"),
                ("role", "l3"),
                ("queues", "general vip"),
            ],
        )
        .await,
    )
    .await;
    assert!(link_on(&page).is_none(), "{page}");
    assert!(page.contains("once it has enrolled"), "{page}");
    assert_eq!(
        api_login_status(&app, "puppet", "anything at all here", None).await,
        401
    );
    // Positive control: the same account without vip is created with a link, and joining vip
    // later voids that link until the agent has enrolled.
    let page = page_of(
        app.html_post(
            &alice_session,
            "/admin/agents",
            &[("name", "puppet"), ("role", "l3"), ("queues", "general")],
        )
        .await,
    )
    .await;
    let path = link_on(&page).expect("a link");
    app.html_post(
        &alice_session,
        "/admin/queues/vip/members",
        &[("agent", "puppet")],
    )
    .await;
    assert_eq!(app.get(&path).await.status(), 404);
}
