//! The standalone console's session lives in an `HttpOnly` cookie: a reload, a deep link in a new
//! window and a bookmark open the page asked for without a login; a logout in one window shows
//! the login in the others; the page never holds the session's token; and a page of another
//! origin in the same browser cannot use the cookie to change anything.

use reqwest::Method;
use secret_backends_e2e::{Seed, Session};
use serde_json::{Value, json};

#[tokio::test]
async fn a_reload_and_a_deep_link_in_a_new_window_open_without_a_login() {
    let s = Session::start_logged_in(Seed::new().vault("deep"), "/backends").await;

    s.browser.refresh().await.unwrap();
    assert_eq!(s.logged_in_user().await.as_deref(), Some("admin"));
    s.wait_path("/backends").await;
    s.testid("backend-row-deep").await;

    // A link opened in a new window (or tab, or a bookmark) of the same browser.
    let first = s.new_window().await;
    s.open("/backends/deep").await;
    assert_eq!(s.logged_in_user().await.as_deref(), Some("admin"));
    s.wait_path("/backends/deep").await;
    s.wait_text("backend-name", "deep").await;

    // A logout there is a logout here: the first window falls back to the login page.
    s.log_out().await;
    s.switch_to(first).await;
    s.wait_path("/login").await;
    s.testid("login-form").await;
    assert!(!s.has("current-user").await, "nothing of the session left");

    // And a load of either asks for the login.
    s.open_to_login("/backends/deep").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn the_session_token_is_in_an_httponly_cookie_only_and_a_logout_ends_it() {
    let s = Session::start_logged_in(Seed::new(), "/backends").await;
    let cookie = s.session_cookie().await.expect("a session cookie");
    assert_eq!(cookie.http_only(), Some(true), "{cookie}");
    assert_eq!(cookie.path(), Some("/"), "{cookie}");
    assert!(cookie.to_string().contains("SameSite=Strict"), "{cookie}");
    assert_eq!(cookie.expires(), None, "a browser-session cookie: {cookie}");

    // The cookie's value is the session's token: it works as a bearer token.
    let token = cookie.value().to_owned();
    let api = s.api().await;
    assert!(api.token_works(&token).await, "the cookie is the session");

    // The page never sees it, after a login or after a reload.
    for _ in 0..2 {
        assert_eq!(s.js("return document.cookie;").await, json!(""));
        assert!(!s.browser_storage().await.contains(&token));
        assert!(!s.url_contains(&token).await);
        assert!(!s.source_contains(&token).await);
        s.browser.refresh().await.unwrap();
        assert_eq!(s.logged_in_user().await.as_deref(), Some("admin"));
    }

    // A logout ends the session on the service, not only in the page.
    s.log_out().await;
    assert!(
        !api.token_works(&token).await,
        "the session outlived its logout"
    );
    s.close().await.unwrap();
}

/// A page of someone else's that tries to use the console's session: a `DELETE` of a backend
/// and a logout with the browser's credentials (`fetch`), and HTML forms that post to the API
/// (a logout, and a backend as a JSON-looking text body). It reports what `fetch` said.
fn hostile_page(service: &str) -> String {
    format!(
        r#"<!doctype html>
<title>Someone else's page</title>
<form id="logout" method="post" action="{service}/api/v1/auth/logout"><button>Log out</button></form>
<form id="add" method="post" enctype="text/plain" action="{service}/api/v1/secret-backends">
  <input type="hidden" name='{{"name": "planted", "backend-type": "vault", "config": {{"endpoint": "http://127.0.0.1:1"}}, "x": "' value='"}}'>
  <button>Add</button>
</form>
<script>
window.attack = async () => {{
  const tries = {{
    remove: fetch('{service}/api/v1/secret-backends/victim?force=true', {{method: 'DELETE', credentials: 'include'}}),
    logout: fetch('{service}/api/v1/auth/logout', {{method: 'POST', credentials: 'include', mode: 'no-cors'}}),
  }};
  const said = {{}};
  for (const [name, request] of Object.entries(tries)) {{
    try {{ const r = await request; said[name] = r.type + ' ' + r.status; }}
    catch (e) {{ said[name] = 'refused: ' + e.name; }}
  }}
  return said;
}};
</script>"#
    )
}

#[tokio::test]
async fn a_page_of_another_origin_cannot_change_anything_with_the_session() {
    let s = Session::start_logged_in(Seed::new().vault("victim"), "/backends/victim").await;
    let service = s.base_url.clone();
    // `127.0.0.1` on another port is the same site (the cookie goes along even with
    // `SameSite=Strict`: the service's own checks must refuse); `localhost` is another site.
    for host in ["127.0.0.1", "localhost"] {
        let page = s.serve_other_origin(host, hostile_page(&service)).await;
        s.browser.goto(&page).await.unwrap();
        let said = s.js_async("return await window.attack();").await;
        assert!(
            said["remove"].as_str().unwrap().starts_with("refused"),
            "{host}: the browser let the DELETE through: {said}"
        );

        for form in ["logout", "add"] {
            s.browser.goto(&page).await.unwrap();
            s.click_css(&format!("#{form} button")).await;
            s.wait_until(
                async || s.browser.current_url().await.unwrap().to_string(),
                |url| url.starts_with(&service),
                |url| format!("{host}: the {form} form did not post: at {url}"),
            )
            .await;
            let answer = s.js("return document.body.innerText;").await;
            if host == "127.0.0.1" && form == "logout" {
                // The cookie went along: the service itself refused.
                assert!(
                    answer
                        .as_str()
                        .unwrap()
                        .contains("cross-site request refused"),
                    "{answer}"
                );
            }
        }
    }

    // Nothing changed: the backend is there, nothing was added, and the session lives.
    let api = s.api().await;
    api.send(Method::GET, "/secret-backends/victim", Value::Null)
        .await;
    let list = api.send(Method::GET, "/secret-backends", Value::Null).await;
    let names: Vec<&str> = list["backends"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["name"].as_str())
        .collect();
    assert!(!names.contains(&"planted"), "{names:?}");
    s.open("/backends/victim").await;
    assert_eq!(
        s.logged_in_user().await.as_deref(),
        Some("admin"),
        "a cross-site logout ended the session"
    );
    s.wait_text("backend-name", "victim").await;
    s.close().await.unwrap();
}
