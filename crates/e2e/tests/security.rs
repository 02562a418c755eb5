//! The console under the service's Content-Security-Policy, and hostile text shown inert.
//!
//! The policy is the one every test runs under (the service sends it with every page); these tests
//! prove it is there, that the console does everything it does without a violation, and that the
//! listener would see one. Config values full of HTML and script are stored exactly and shown as
//! text on every page that shows them: no element is made of them and no script of theirs runs
//! (checked apart from the policy, which would block the script anyway).

use reqwest::Method;
use secret_backends_e2e::{Seed, Session, forced_config_change};
use serde_json::{Value, json};

/// A value that is markup if a page ever writes it as HTML.
/// (No spaces: the vault namespace is a header value; HTML takes `/` between attributes.)
const MARKUP: &str = r#"<img/src="x"/id="xss-img"/onerror="window.__xss='img'">&amp;'"</td>"#;
/// A token that is a script if a page ever writes it as HTML.
const SCRIPT: &str = r#"<script/id="xss-script">window.__xss='script'</script>"#;

/// Records the page's policy violations from now on, and marks any hostile script that runs.
const LISTEN: &str = "window.__violations = []; window.__xss = null; \
    document.addEventListener('securitypolicyviolation', \
      e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));";

async fn violations(s: &Session) -> Vec<Value> {
    s.js("return window.__violations")
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Nothing hostile became an element or ran; no policy violation so far.
async fn inert(s: &Session, page: &str) {
    let made = s
        .js("return document.querySelectorAll('#xss-img, #xss-script').length")
        .await;
    assert_eq!(made, json!(0), "{page}: hostile markup became elements");
    assert_eq!(
        s.js("return window.__xss").await,
        Value::Null,
        "{page}: a script ran"
    );
    assert_eq!(
        violations(s).await,
        Vec::<Value>::new(),
        "{page}: policy violations"
    );
}

/// Opens `path` and waits until `found` (a script given the value) finds `value` there, as typed;
/// then nothing hostile ran.
async fn holds(s: &Session, path: &str, found: &str, value: &str, page: &str) {
    s.go(path).await;
    s.wait_state("ready").await;
    let what = format!("{page} holds the value as typed");
    s.wait_true(found, vec![json!(value)], &what).await;
    inert(s, page).await;
}

/// The text of the whole page contains `text` (as text, not markup).
async fn shows(s: &Session, text: &str, page: &str) {
    s.wait_true(
        "return document.body.innerText.includes(arguments[0])",
        vec![json!(text)],
        &format!("{page} shows the hostile value as text"),
    )
    .await;
}

#[tokio::test]
async fn the_console_runs_under_the_policy_and_the_listener_would_see_a_violation() {
    let s =
        Session::start_logged_in(Seed::new().vault("v1").model_on("m1", "v1"), "/backends").await;
    // The page was served with the policy (the console started under it: this page is its work).
    let policy = s
        .js_async("const r = await fetch(location.href); return r.headers.get('content-security-policy');")
        .await;
    let policy = policy.as_str().expect("a Content-Security-Policy header");
    assert!(
        policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
        "{policy}"
    );
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    // Its stylesheet applied: the page is styled, not blocked.
    let styled = s
        .js("return getComputedStyle(document.body).getPropertyValue('--sbc-accent') !== '' || getComputedStyle(document.body).fontFamily !== ''")
        .await;
    assert_eq!(styled, json!(true));

    s.js(LISTEN).await;
    // Everything a session does: pages, a detail with its change feed, models, audit, export.
    for path in [
        "/backends/v1",
        "/models",
        "/models/m1",
        "/audit",
        "/backends/new",
        "/backends",
    ] {
        s.go(path).await;
        s.wait_state("ready").await;
    }
    s.click("export").await;
    s.testid("export-text").await;
    s.choose_theme("dark").await;
    assert_eq!(violations(&s).await, Vec::<Value>::new());

    // The listener is live: an inline script is refused and reported.
    s.js("const el = document.createElement('script'); el.textContent = 'window.__xss = 1'; document.body.append(el);")
        .await;
    s.wait_true(
        "return window.__violations.some(v => v.startsWith('script-src'))",
        vec![],
        "the inline script reported as a violation",
    )
    .await;
    assert_eq!(
        s.js("return window.__xss").await,
        Value::Null,
        "the inline script ran"
    );
    s.close().await.unwrap();
}

#[tokio::test]
async fn hostile_config_values_are_stored_exactly_and_shown_as_text_on_every_page() {
    let change = forced_config_change(json!({"namespace": MARKUP, "token": SCRIPT}));
    let s = Session::start_logged_in(
        Seed::new().vault("hostile").update("hostile", change),
        "/backends",
    )
    .await;
    s.js(LISTEN).await;

    // Stored exactly.
    let stored = s.stored_backend("hostile").await;
    assert_eq!(stored.config["namespace"], json!(MARKUP));

    s.go("/backends/hostile").await;
    shows(&s, MARKUP, "the detail page").await;
    inert(&s, "the detail page").await;
    s.click("reveal").await;
    shows(&s, SCRIPT, "the revealed token").await;
    inert(&s, "the revealed token").await;

    let in_an_input = "return [...document.querySelectorAll('input, textarea')]\
        .some(i => i.value === arguments[0])";
    holds(
        &s,
        "/backends/hostile/edit",
        in_an_input,
        MARKUP,
        "the edit form",
    )
    .await;

    s.go("/backends").await;
    s.wait_state("ready").await;
    s.click("export").await;
    s.wait_true(
        "const el = document.querySelector('[data-testid=export-text]'); \
         return (el.value ?? el.textContent).includes(arguments[0])",
        vec![json!(MARKUP)],
        "the export holds the value",
    )
    .await;
    inert(&s, "the export").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn after_too_many_failed_logins_the_login_page_says_how_long_to_wait() {
    let s = Session::start_at_login(Seed::new(), "/backends").await;
    // Five wrong passwords for admin, from another client: the name is now locked.
    let http = reqwest::Client::new();
    for attempt in 1..=5 {
        let answer = http
            .post(format!("{}/api/v1/auth/login", s.base_url))
            .json(&json!({"username": "admin", "password": format!("wrong-{attempt}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 401, "attempt {attempt}");
    }
    s.login_admin().await;
    let said = s
        .wait_text("alert", "too many failed logins: try again in")
        .await;
    assert!(said.contains("seconds"), "{said}");
    assert_eq!(
        s.path().await,
        "/login",
        "the right password got in while locked"
    );
    s.close().await.unwrap();
}

#[tokio::test]
async fn over_https_the_console_runs_on_a_host_bound_secure_cookie() {
    let s = Session::start_tls().await;
    s.open_logged_in("/backends").await;
    assert_eq!(s.js("return location.protocol").await, json!("https:"));
    assert_eq!(s.js("return window.isSecureContext").await, json!(true));
    let headers = s
        .js_async(
            "const r = await fetch(location.href); \
             return [r.headers.get('strict-transport-security'), r.headers.get('content-security-policy')];",
        )
        .await;
    assert_eq!(headers[0], json!("max-age=63072000"));
    assert!(headers[1].as_str().unwrap().contains("script-src 'self'"));

    let cookie = s.session_cookie().await.expect("a session cookie");
    assert_eq!(cookie.name(), "__Host-sbc-session");
    assert_eq!(cookie.secure(), Some(true));
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(cookie.path(), Some("/"));

    // The session outlives a reload, and changes work over it (the console's header, same origin).
    s.open("/backends/new").await;
    s.wait_state("ready").await;
    assert_eq!(s.logged_in_user().await.as_deref(), Some("admin"));
    let (addr, token) = secret_backends_e2e::openbao();
    s.submit_vault_form("over-tls", &addr, &token).await;
    s.wait_path("/backends/over-tls").await;
    s.close().await.unwrap();
}

/// A secret label may be any text: with markup and control characters it is stored exactly and
/// shown as text.
#[tokio::test]
async fn a_hostile_secret_label_is_stored_exactly_and_shown_as_text() {
    const LABEL: &str =
        "<img/src=\"x\"/id=\"xss-img\"/onerror=\"window.__xss='label'\">\u{7}\u{1b}[31m";
    let s = Session::start_logged_in(Seed::new().model("m1").secret("m1", LABEL), "/models").await;
    s.js(LISTEN).await;
    let secrets = s
        .api()
        .await
        .send(Method::GET, "/models/m1/secrets", Value::Null)
        .await;
    assert_eq!(
        secrets["secrets"][0]["label"],
        json!(LABEL),
        "stored exactly"
    );

    let in_the_table = "return [...document.querySelectorAll('[data-testid=model-secrets-table] th')]\
        .some(th => th.textContent === arguments[0])";
    holds(&s, "/models/m1", in_the_table, LABEL, "the model page").await;
    s.close().await.unwrap();
}
