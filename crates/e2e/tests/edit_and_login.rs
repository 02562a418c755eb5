//! The edit page saves what is on screen; pages a user may not use say so and offer nothing; the
//! login page keeps the destination in its URL; a logout forgets it. And the frame around every
//! page: the theme kept across reloads, the skip link, the document title, the login's focus, an
//! error shown once.

use secret_backends_e2e::keys::{ENTER, TAB};
use secret_backends_e2e::{Seed, Session, VIEWER, VIEWER_PASSWORD};
use serde_json::{Value, json};

#[tokio::test]
async fn an_edit_after_the_review_closes_it_and_the_save_has_every_change() {
    let config = json!({"mount-path": "first", "tls-server-name": "vault.internal"});
    let seed = Seed::new().vault_with("twice", config);
    let s = Session::start_logged_in(seed, "/backends/twice/edit").await;

    s.click("reset-tls-server-name").await;
    s.click("review-changes").await;
    s.wait_text("change-tls-server-name", "reset").await;

    // An edit while the review is showing: the review no longer says what would be saved.
    s.fill("field-mount-path", "second").await;
    s.wait_gone("[data-testid=\"review\"]").await;
    s.wait_text("review-outdated", "review the changes again")
        .await;
    assert!(
        !s.has("save").await,
        "no Save for a review the form no longer matches"
    );
    let unchanged = s.stored_backend("twice").await;
    assert_eq!(unchanged.config.get("mount-path"), Some(&json!("first")));
    assert_eq!(
        unchanged.config.get("tls-server-name"),
        Some(&json!("vault.internal"))
    );

    // Reviewed again: both changes are listed, and both are saved.
    s.click("review-changes").await;
    s.wait_text("change-mount-path", "\"first\" → \"second\"")
        .await;
    s.wait_text("change-tls-server-name", "reset").await;
    assert_eq!(
        s.testid("review-outdated").await.text().await.unwrap(),
        "",
        "the note goes once the form is reviewed again"
    );
    s.click("save").await;
    s.wait_path("/backends/twice").await;
    let saved = s.stored_backend("twice").await;
    assert_eq!(saved.config.get("mount-path"), Some(&json!("second")));
    assert_eq!(saved.config.get("tls-server-name"), None);
    s.close().await.unwrap();
}

#[tokio::test]
async fn a_refusal_about_a_field_is_shown_once_under_it() {
    let s = Session::start_logged_in(Seed::new().vault("once"), "/backends/once/edit").await;
    s.fill("field-token-rotate-interval", "soon").await;
    s.click("review-changes").await;
    let message = s.css("#sbc-edit-rotate-error").await.text().await.unwrap();
    assert!(!message.is_empty(), "the refusal is under the field");
    assert!(
        !s.has("alert").await,
        "the refusal is not repeated at the top of the form"
    );
    s.wait_focus("field-token-rotate-interval").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn a_login_user_is_told_who_may_add_or_edit_and_gets_no_form() {
    let s = Session::start_with(Seed::new().vault("theirs").viewer()).await;
    for (path, form) in [
        ("/backends/new", "add-backend-form"),
        ("/backends/theirs/edit", "edit-backend-form"),
    ] {
        // Opened directly (a page load: the login comes first, then the page; the second one
        // opens at once, the browser's session outliving the load).
        s.open_logged_in_as(path, VIEWER, VIEWER_PASSWORD).await;
        s.wait_text("superuser-only", "Only a controller superuser can")
            .await;
        assert!(!s.has(form).await, "{path} offers its form to a login user");
        assert!(
            s.texts(".sbc-main input, .sbc-main textarea, .sbc-main select")
                .await
                .is_empty(),
            "{path} offers something to fill in"
        );
    }
    s.close().await.unwrap();
}

#[tokio::test]
async fn a_logout_forgets_the_page_so_the_next_user_lands_on_the_list() {
    let s =
        Session::start_logged_in(Seed::new().vault("left").viewer(), "/backends/left/edit").await;
    s.testid("edit-backend-form").await;
    s.click("logout").await;
    s.wait_path("/login").await;
    let url = s.browser.current_url().await.unwrap();
    assert_eq!(url.query(), None, "the login page remembers nothing: {url}");

    s.login_as(VIEWER, VIEWER_PASSWORD).await;
    s.wait_path("/backends").await;
    s.testid("backend-row-left").await;
    assert!(!s.has("edit-backend-form").await);
    s.close().await.unwrap();
}

#[tokio::test]
async fn a_host_token_of_a_login_user_never_shows_the_form() {
    let s = Session::start_with_host_page().await;
    s.seed(Seed::new().viewer()).await;
    s.open("/embed/about").await;
    s.css("body[data-host-ready=\"true\"]").await;
    // The host mounts the console on the add page with a token: the console does not know yet
    // whose it is. Watch for the form from before the mount.
    s.js("window.__formSeen = false;
         new MutationObserver(() => {
             if (document.querySelector('[data-testid=add-backend-form]')) window.__formSeen = true;
         }).observe(document.body, {childList: true, subtree: true});
         history.replaceState(null, '', '/embed/secrets/backends/new');
         return null;")
        .await;
    let done = s
        .browser
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.host.loginAndMount(arguments[0], arguments[1]).then(() => done(null), e => done(String(e)));",
            vec![json!(VIEWER), json!(VIEWER_PASSWORD)],
        )
        .await
        .unwrap();
    assert_eq!(done, Value::Null);
    s.css("[data-testid=\"superuser-only\"], [data-testid=\"add-backend-form\"]")
        .await;
    assert_eq!(
        s.js("return window.__formSeen;").await,
        json!(false),
        "the add form was shown to a login user"
    );
    s.wait_text("superuser-only", "Only a controller superuser can")
        .await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn a_deep_link_survives_a_reload_of_the_login_page() {
    let s = Session::start_at_login(Seed::new().vault("deep"), "/backends/deep/edit").await;
    let url = s.browser.current_url().await.unwrap();
    assert_eq!(url.query(), Some("next=/backends/deep/edit"), "{url}");
    s.browser.refresh().await.unwrap();
    s.testid("login-form").await;
    s.login_admin().await;
    s.wait_path("/backends/deep/edit").await;
    s.testid("edit-backend-form").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn a_login_never_leads_off_the_console() {
    let s = Session::start().await;
    let origin = s.base_url.clone();
    for hostile in [
        "//example.com/backends",
        "https://example.com/",
        "/%5Cexample.com",
        "javascript:alert(1)",
    ] {
        let login = format!("/login?next={hostile}");
        s.open(&login).await;
        s.wait_state("ready").await;
        s.login_admin().await;
        s.wait_path("/backends").await;
        let url = s.browser.current_url().await.unwrap();
        assert!(url.as_str().starts_with(&origin), "{hostile}: at {url}");
        // Still logged in (the session cookie outlives a load), the login page goes on by
        // itself: to the console too.
        s.open(&login).await;
        assert_eq!(s.logged_in_user().await.as_deref(), Some("admin"));
        s.wait_path("/backends").await;
        let url = s.browser.current_url().await.unwrap();
        assert!(
            url.as_str().starts_with(&origin),
            "{hostile}, logged in: at {url}"
        );
        s.log_out().await;
    }
    s.close().await.unwrap();
}

#[tokio::test]
async fn the_theme_choice_is_kept_after_a_reload_and_colours_the_whole_page() {
    let s = Session::start().await;
    s.open("/login").await;
    s.wait_state("ready").await;
    s.choose_theme("dark").await;
    // Only the word is stored: nothing else reaches browser storage.
    let storage = s.js("return [Object.entries(localStorage), Object.entries(sessionStorage), document.cookie];",
    )
    .await;
    assert_eq!(
        storage,
        json!([[["secret-backends-console.theme", "dark"]], [], ""])
    );

    s.browser.refresh().await.unwrap();
    s.css(".sbc[data-theme=\"dark\"]").await;
    let select = s.testid("theme").await.prop("value").await.unwrap();
    assert_eq!(select.as_deref(), Some("dark"));
    // Below the content too (the browser prefers light here).
    s.wait_js(
        "return getComputedStyle(document.body).backgroundColor;",
        json!("rgb(30, 30, 30)"),
    )
    .await;
    assert_eq!(
        s.js("return getComputedStyle(document.querySelector('[data-testid=theme]')).colorScheme;")
            .await,
        json!("dark")
    );
    s.login_admin().await;
    s.wait_path("/backends").await;
    s.css(".sbc[data-theme=\"dark\"]").await;

    s.choose_theme("auto").await;
    assert_eq!(
        s.js("return localStorage.length;").await,
        json!(0),
        "the system theme is the default: nothing to keep"
    );
    s.close().await.unwrap();
}

#[tokio::test]
async fn the_login_page_focuses_the_user_name() {
    let s = Session::start_at_login(Seed::new(), "/backends").await;
    s.wait_focus("login-username").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn the_skip_link_comes_first_and_the_header_follows_its_visual_order() {
    let s = Session::start_logged_in(Seed::new(), "/backends").await;

    // From the top of the page, as after a load: the skip link, then the header in its visual
    // order (the theme picker, at the far right, last).
    s.js(
        "const b = document.createElement('button'); b.id = 'e2e-start'; b.textContent = 'start';
         document.body.prepend(b); b.focus(); return null;",
    )
    .await;
    s.press(TAB).await;
    s.wait_focus("skip-link").await;
    s.js("document.getElementById('e2e-start').remove(); return null;")
        .await;
    let mut order = Vec::new();
    for _ in 0..5 {
        s.press(TAB).await;
        let now = s.js("const e = document.activeElement; return e.dataset.testid || e.textContent.trim();",
        )
        .await;
        order.push(now.as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(order, ["Backends", "Models", "Audit", "logout", "theme"]);

    // The skip link moves the focus past the header.
    s.js("document.querySelector('[data-testid=skip-link]').focus(); return null;")
        .await;
    s.press(ENTER).await;
    s.wait_focus("main").await;
    s.wait_path("/backends").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn the_document_title_names_the_page_in_the_standalone_console_only() {
    let s = Session::start_logged_in(Seed::new().vault("myvault"), "/backends/myvault").await;
    s.wait_js("return document.title;", json!("myvault · Secret backends"))
        .await;
    s.go("/backends/myvault/edit").await;
    s.wait_js(
        "return document.title;",
        json!("Edit myvault · Secret backends"),
    )
    .await;
    s.go("/models").await;
    s.wait_js("return document.title;", json!("Models · Secret backends"))
        .await;
    s.close().await.unwrap();

    // A console in a host's page leaves the host's title alone.
    let s = Session::start_with_host_page().await;
    s.open("/embed/secrets/backends").await;
    s.css("body[data-host-ready=\"true\"]").await;
    s.wait_path("/embed/secrets/login").await;
    s.testid("login-username").await;
    s.next_frame().await;
    s.next_frame().await;
    assert_ne!(
        s.focused().await,
        "login-username",
        "a guest console does not take the focus from its host"
    );
    s.login_admin().await;
    s.wait_path("/embed/secrets/backends").await;
    s.testid("backend-row-internal").await;
    assert_eq!(
        s.js("return document.title;").await,
        json!("Example host dashboard")
    );
    s.close().await.unwrap();
}

#[tokio::test]
async fn immutable_keys_read_as_values_and_a_ticked_reset_as_cleared() {
    let s = Session::start_logged_in(
        Seed::new().vault_mounted("looks", "first"),
        "/backends/looks/edit",
    )
    .await;
    let style = |id: &str, property: &str| {
        format!(
            "return getComputedStyle(document.querySelector('[data-testid=\"{id}\"]')).getPropertyValue('{property}');"
        )
    };
    let live_border = s.js(&style("field-mount-path", "border-top-color")).await;
    let endpoint_border = s.js(&style("field-endpoint", "border-top-color")).await;
    assert_ne!(
        endpoint_border, live_border,
        "an immutable key is drawn like the inputs that can change"
    );
    assert_eq!(endpoint_border, json!("rgba(0, 0, 0, 0)"));

    s.click("reset-mount-path").await;
    s.wait_text("reset-note-mount-path", "reset to the default")
        .await;
    s.wait_js(
        &style("field-mount-path", "text-decoration-line"),
        json!("line-through"),
    )
    .await;
    s.click("reset-mount-path").await;
    s.wait_js(
        &style("field-mount-path", "text-decoration-line"),
        json!("none"),
    )
    .await;
    s.close().await.unwrap();
}
