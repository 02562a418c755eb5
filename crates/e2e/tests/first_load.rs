//! The standalone page's first load is the small first module (the frame and the login page); the
//! full console (every other page) comes when it is needed: as the admin types the login, after
//! a reload with a session, or for a page that needs no login.

use secret_backends_e2e::{Seed, Session};
use serde_json::{Value, json};

const FIRST_WASM: &str = "/secret-backends-console_bg.wasm";
const FULL_WASM: &str = "/secret-backends-console-full_bg.wasm";

/// The paths of the console's files this page has fetched (Resource Timing).
async fn fetched(s: &Session) -> Vec<String> {
    let paths = s
        .js("return performance.getEntriesByType('resource')
                .map((e) => new URL(e.name).pathname)
                .filter((p) => p.endsWith('.wasm') || p.endsWith('.js'));")
        .await;
    serde_json::from_value(paths.clone()).unwrap_or_else(|_| panic!("{paths}"))
}

/// How many consoles (`.sbc` roots) the page holds.
async fn consoles(s: &Session) -> Value {
    s.js("return document.querySelectorAll('.sbc').length;")
        .await
}

/// Waits until the page has fetched `path`.
async fn wait_fetched(s: &Session, path: &str) {
    s.wait_true(
        "return performance.getEntriesByType('resource')
            .some((e) => new URL(e.name).pathname === arguments[0]);",
        vec![json!(path)],
        &format!("the page fetches {path}"),
    )
    .await;
}

#[tokio::test]
async fn the_login_page_loads_the_first_module_only_and_typing_brings_the_rest() {
    let s = Session::start_with(Seed::new().vault("first")).await;
    s.open_to_login("/backends/first").await;
    s.wait_state("ready").await;
    s.testid("login-form").await;
    let loaded = fetched(&s).await;
    assert!(loaded.iter().any(|p| p == FIRST_WASM), "{loaded:?}");
    assert!(
        !loaded.iter().any(|p| p == FULL_WASM),
        "the login page needs only the first module: {loaded:?}"
    );

    // Typing the user name starts the rest on its way; the login then opens the page asked for.
    s.fill("login-username", "admin").await;
    wait_fetched(&s, FULL_WASM).await;
    s.fill("login-password", secret_backends_e2e::ADMIN_PASSWORD)
        .await;
    s.click("login-submit").await;
    s.wait_path("/backends/first").await;
    s.wait_text("backend-name", "first").await;
    s.wait_state("ready").await;
    // One console in the page: the full one took the first one's place.
    assert_eq!(consoles(&s).await, json!(1));
    assert_eq!(s.logged_in_user().await.as_deref(), Some("admin"));

    // Its logout shows its own login page, with no second load of anything.
    let before = fetched(&s).await.len();
    s.log_out().await;
    s.wait_path("/login").await;
    s.testid("login-form").await;
    assert_eq!(fetched(&s).await.len(), before, "{:?}", fetched(&s).await);
    s.close().await.unwrap();
}

#[tokio::test]
async fn a_reload_with_a_session_goes_on_to_the_full_console() {
    let s = Session::start_logged_in(Seed::new().vault("again"), "/backends").await;
    s.browser.refresh().await.unwrap();
    s.testid("backend-row-again").await;
    s.wait_state("ready").await;
    let loaded = fetched(&s).await;
    for wasm in [FIRST_WASM, FULL_WASM] {
        assert!(loaded.iter().any(|p| p == wasm), "{wasm} in {loaded:?}");
    }
    assert_eq!(consoles(&s).await, json!(1));
    s.close().await.unwrap();
}

#[tokio::test]
async fn a_page_that_needs_no_login_is_the_full_consoles_at_once_and_the_root_needs_one() {
    let s = Session::start_with(Seed::new()).await;
    s.open("/no/such/page").await;
    s.testid("not-found").await;
    s.wait_state("ready").await;
    assert_eq!(
        s.path().await,
        "/no/such/page",
        "no detour through the login"
    );
    let loaded: Vec<Value> = fetched(&s).await.into_iter().map(Value::from).collect();
    assert!(loaded.contains(&json!(FULL_WASM)), "{loaded:?}");

    // The root is the backends page, which needs a login: the login page, with nothing to go
    // back to but the backends (no `next`), as in the full console.
    let other = s.another().await;
    other.open("/").await;
    other.wait_path("/login").await;
    other.testid("login-form").await;
    assert_eq!(other.js("return location.search;").await, json!(""));
    other.close().await.unwrap();
    s.close().await.unwrap();
}
