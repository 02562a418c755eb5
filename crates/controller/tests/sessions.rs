//! Sessions: cookie logins and their attributes (over HTTP and HTTPS), the cross-site check of
//! cookie-authenticated changes, logout, idle and absolute expiry, and the sessions a password
//! change or a user's removal ends.

mod support;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use secret_backends_controller::embedded::{SessionLimits, now, rfc3339};
use serde_json::{Value, json};
use support::*;

const CONSOLE: (&str, &str) = ("x-requested-by", "secret-backends-console");
const REFUSED: Refusal<'static> = refusal(403, "permission-denied", "cross-site request refused");

/// A cookie login of `user`: the answer, and the `Cookie` header value that sends it back.
async fn cookie_login(app: &TestApp, user: &str, password: &str) -> (Answer, String) {
    let body = json!({"username": user, "password": password, "session": "cookie"});
    let a = app.try_login(body).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let set_cookie = a.headers["set-cookie"].to_str().unwrap();
    let pair = set_cookie.split(';').next().unwrap().to_owned();
    (a, pair)
}

/// A request with exactly `headers` (a `cookie`, an `authorization`, …) and a JSON `body`.
async fn request(
    app: &TestApp,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Answer {
    let mut builder = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let body = match body {
        Some(b) => {
            builder = builder.header("content-type", "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    app.send(builder.body(body).unwrap()).await
}

async fn whoami(app: &TestApp, headers: &[(&str, &str)]) -> Answer {
    request(app, Method::GET, "/api/v1/whoami", headers, None).await
}

/// The status of `GET /whoami` with a bearer token.
async fn whoami_status(app: &TestApp, token: &str) -> StatusCode {
    app.get(token, "/api/v1/whoami").await.status
}

fn new_user(name: &str) -> Value {
    json!({"name": name, "password": "a-long-enough-password", "access": "login"})
}

#[tokio::test]
async fn a_cookie_login_sets_an_http_only_strict_cookie_and_answers_no_token() {
    let app = TestApp::new().await;
    let before = now();
    let (login, cookie) = cookie_login(&app, "admin", ADMIN_PASSWORD).await;
    let after = now();
    let token = cookie.strip_prefix("sbc-session=").unwrap();
    assert_eq!(token.len(), 64, "{cookie}");
    assert_eq!(
        login.headers["set-cookie"],
        format!("sbc-session={token}; Path=/; HttpOnly; SameSite=Strict").as_str()
    );
    assert!(login.body.get("token").is_none(), "{}", login.text);
    assert!(!login.text.contains(token));
    assert_eq!(
        login.body["user"],
        json!({"name": "admin", "access": "superuser"})
    );
    // `expires`: the login time plus the default lifetime of 12 hours.
    let expires = login.body["expires"].as_str().unwrap();
    let possible: Vec<String> = (before..=after).map(|t| rfc3339(t + 12 * 3600)).collect();
    assert!(possible.iter().any(|p| p == expires), "{expires}");

    // Every login makes a new token.
    let (_, again) = cookie_login(&app, "admin", ADMIN_PASSWORD).await;
    assert_ne!(again, cookie);
    // A login that does not ask for a cookie answers a token, and sets no cookie.
    let plain = app
        .try_login(json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .await;
    assert_eq!(plain.body["token"].as_str().unwrap().len(), 64);
    assert!(plain.headers.get("set-cookie").is_none());
    let explicit = json!({"username": "admin", "password": ADMIN_PASSWORD, "session": "token"});
    assert!(app.try_login(explicit).await.body["token"].is_string());
}

#[tokio::test]
async fn the_cookie_authenticates_reads_without_further_headers() {
    let app = TestApp::new().await;
    let (_, cookie) = cookie_login(&app, "admin", ADMIN_PASSWORD).await;
    let me = whoami(&app, &[("cookie", cookie.as_str())]).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_eq!(me.body["name"], "admin");
    // Among other cookies of the page, and with a foreign origin: a read changes nothing.
    let with_others = format!("theme=dark; {cookie}; other=1");
    let headers = [
        ("cookie", with_others.as_str()),
        ("sec-fetch-site", "cross-site"),
    ];
    let users = request(&app, Method::GET, "/api/v1/users", &headers, None).await;
    assert_eq!(users.status, StatusCode::OK, "{}", users.text);
    // A cookie that is no session is no login.
    let bogus = whoami(&app, &[("cookie", "sbc-session=0123")]).await;
    assert_problem(&bogus, 401, "unauthorized", "login required");
}

#[tokio::test]
async fn a_cookie_change_from_anywhere_but_the_console_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let (_, cookie) = cookie_login(&app, "admin", ADMIN_PASSWORD).await;
    let cookie = ("cookie", cookie.as_str());
    let host = ("host", "console.example:8443");
    let refused_cases: [&[(&str, &str)]; 6] = [
        &[cookie, host],
        &[cookie, host, ("x-requested-by", "XMLHttpRequest")],
        &[cookie, host, CONSOLE, ("origin", "https://evil.example")],
        &[cookie, host, CONSOLE, ("origin", "null")],
        &[cookie, host, CONSOLE, ("sec-fetch-site", "cross-site")],
        &[cookie, host, CONSOLE, ("sec-fetch-site", "same-site")],
    ];
    for headers in refused_cases {
        let case = format!("{headers:?}");
        let add = request(
            &app,
            Method::POST,
            "/api/v1/users",
            headers,
            Some(new_user("mallory")),
        );
        REFUSED.assert(&add.await, &case);
        let remove = request(&app, Method::DELETE, "/api/v1/users/reader", headers, None);
        REFUSED.assert(&remove.await, &case);
        let password = json!({"password": "mallory-chose-this"});
        let path = "/api/v1/users/admin/password";
        let change = request(&app, Method::PUT, path, headers, Some(password));
        REFUSED.assert(&change.await, &case);
        let out = request(&app, Method::POST, "/api/v1/auth/logout", headers, None);
        REFUSED.assert(&out.await, &case);
    }
    // Nothing changed: no new user, the reader still there, the password and the session as
    // they were.
    let users = app.get(&admin, "/api/v1/users").await;
    assert_eq!(strings(&users.body["users"], "name"), ["admin", "reader"]);
    app.reader().await;
    app.admin().await;
    assert_eq!(whoami(&app, &[cookie]).await.status, StatusCode::OK);

    // The console's own page: the header, and (when the browser sends them) its own origin.
    let own: [&[(&str, &str)]; 3] = [
        &[cookie, host, CONSOLE],
        &[cookie, host, CONSOLE, ("sec-fetch-site", "same-origin")],
        &[
            cookie,
            host,
            CONSOLE,
            ("sec-fetch-site", "same-origin"),
            ("origin", "http://console.example:8443"),
        ],
    ];
    for (i, headers) in own.into_iter().enumerate() {
        let body = Some(new_user(&format!("user{i}")));
        let add = request(&app, Method::POST, "/api/v1/users", headers, body).await;
        assert_eq!(add.status, StatusCode::CREATED, "{headers:?}: {}", add.text);
    }
    let ticket = request(&app, Method::POST, "/api/v1/events/ticket", own[2], None).await;
    assert_eq!(ticket.status, StatusCode::OK, "{}", ticket.text);
    assert!(ticket.body["ticket"].is_string());
}

#[tokio::test]
async fn bearer_requests_are_not_checked_and_the_bearer_wins_over_the_cookie() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let bearer = format!("Bearer {admin}");
    let headers = [
        ("authorization", bearer.as_str()),
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ];
    let body = Some(new_user("scripted"));
    let add = request(&app, Method::POST, "/api/v1/users", &headers, body).await;
    assert_eq!(add.status, StatusCode::CREATED, "{}", add.text);

    // The reader's bearer token with the admin's cookie: the reader asks.
    let (_, cookie) = cookie_login(&app, "admin", ADMIN_PASSWORD).await;
    let reader = format!("Bearer {}", app.reader().await);
    let both = [
        ("authorization", reader.as_str()),
        ("cookie", cookie.as_str()),
    ];
    let users = request(&app, Method::GET, "/api/v1/users", &both, None).await;
    assert_problem(&users, 403, "permission-denied", "permission denied");
    // A dead bearer token does not fall back to the cookie.
    let dead = [
        ("authorization", "Bearer 0123"),
        ("cookie", cookie.as_str()),
    ];
    assert_eq!(whoami(&app, &dead).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_ends_the_cookie_session_and_clears_the_cookie() {
    let app = TestApp::new().await;
    let (_, cookie) = cookie_login(&app, "admin", ADMIN_PASSWORD).await;
    let (_, other) = cookie_login(&app, "admin", ADMIN_PASSWORD).await;
    let headers = [("cookie", cookie.as_str()), CONSOLE];
    let out = request(&app, Method::POST, "/api/v1/auth/logout", &headers, None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{}", out.text);
    assert_eq!(
        out.headers["set-cookie"],
        "sbc-session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
    );
    let after = whoami(&app, &[("cookie", cookie.as_str())]).await;
    assert_problem(&after, 401, "unauthorized", "login required");
    let again = request(&app, Method::POST, "/api/v1/auth/logout", &headers, None).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    // Only that session ended.
    assert_eq!(
        whoami(&app, &[("cookie", other.as_str())]).await.status,
        StatusCode::OK
    );
    // A bearer logout sets no cookie.
    let token = app.admin().await;
    let out = app
        .call(Method::POST, "/api/v1/auth/logout", Some(&token), None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(out.headers.get("set-cookie").is_none());
}

#[tokio::test]
async fn a_session_unused_for_the_idle_time_ends_and_one_in_use_lives_on() {
    let idle = Duration::from_secs(3);
    let limits = SessionLimits {
        idle,
        lifetime: Duration::from_secs(3600),
    };
    let app = TestApp::with_session_limits(limits).await;
    let unused = app.admin().await;
    let (_, unused_cookie) = cookie_login(&app, "admin", ADMIN_PASSWORD).await;
    // Logged in last, and used from then on.
    let in_use = app.admin().await;
    // Sessions are timed in whole seconds: past idle + 1 s, the unused ones have ended.
    let start = Instant::now();
    while start.elapsed() < idle + Duration::from_millis(1500) {
        assert_eq!(whoami_status(&app, &in_use).await, StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(whoami_status(&app, &unused).await, StatusCode::UNAUTHORIZED);
    let cookie = whoami(&app, &[("cookie", unused_cookie.as_str())]).await;
    assert_eq!(cookie.status, StatusCode::UNAUTHORIZED);
    assert_eq!(whoami_status(&app, &in_use).await, StatusCode::OK);
}

#[tokio::test]
async fn a_session_ends_at_its_lifetime_however_much_it_is_used() {
    let lifetime = Duration::from_secs(3);
    let limits = SessionLimits {
        idle: Duration::from_secs(3600),
        lifetime,
    };
    let app = TestApp::with_session_limits(limits).await;
    let (start, before) = (Instant::now(), now());
    let login = app
        .try_login(json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .await;
    let after = now();
    let expires = login.body["expires"].as_str().unwrap();
    let possible: Vec<String> = (before..=after).map(|t| rfc3339(t + 3)).collect();
    assert!(possible.iter().any(|p| p == expires), "{expires}");
    let token = login.body["token"].as_str().unwrap();
    assert_eq!(whoami_status(&app, token).await, StatusCode::OK);
    let deadline = lifetime + Duration::from_secs(5);
    while whoami_status(&app, token).await == StatusCode::OK {
        assert!(
            start.elapsed() < deadline,
            "the session outlived its lifetime"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Timed in whole seconds: it ends between lifetime - 1 s and lifetime after the login.
    assert!(
        start.elapsed() >= lifetime - Duration::from_secs(1),
        "ended too soon"
    );
}

#[tokio::test]
async fn a_password_change_ends_the_users_other_sessions_but_not_the_callers() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let (reader_a, reader_b) = (app.reader().await, app.reader().await);
    let (_, reader_cookie) = cookie_login(&app, "reader", READER_PASSWORD).await;

    // The reader changes their own password with their cookie session: it stays, the others end.
    let headers = [("cookie", reader_cookie.as_str()), CONSOLE];
    let path = "/api/v1/users/reader/password";
    let body = json!({"password": "the-readers-new-password"});
    let changed = request(&app, Method::PUT, path, &headers, Some(body)).await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.text);
    assert_eq!(whoami(&app, &headers).await.status, StatusCode::OK);
    assert_eq!(
        whoami_status(&app, &reader_a).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        whoami_status(&app, &reader_b).await,
        StatusCode::UNAUTHORIZED
    );
    let old = json!({"username": "reader", "password": READER_PASSWORD});
    assert_eq!(app.try_login(old).await.status, StatusCode::UNAUTHORIZED);
    let reader = app.login("reader", "the-readers-new-password").await;

    // The superuser changes it: every session of the reader ends, the superuser's live on.
    let body = json!({"password": "chosen-by-the-admin"});
    let a = app.put(&admin, path, body).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text);
    assert_eq!(whoami_status(&app, &reader).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        whoami(&app, &headers).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(whoami_status(&app, &admin).await, StatusCode::OK);
    let reader = app.login("reader", "chosen-by-the-admin").await;

    // Refusals: another user's password, a short one, an unknown user.
    let body = json!({"password": "the-readers-choice"});
    let a = app.put(&reader, "/api/v1/users/admin/password", body).await;
    assert_problem(&a, 403, "permission-denied", "permission denied");
    let a = app.put(&reader, path, json!({"password": "short"})).await;
    assert_eq!(
        (a.status.as_u16(), &a.body["code"]),
        (400, &json!("not-valid"))
    );
    let body = json!({"password": "a-long-enough-password"});
    let a = app.put(&admin, "/api/v1/users/nobody/password", body).await;
    assert_problem(&a, 404, "not-found", "user \"nobody\" not found");
    app.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(whoami_status(&app, &reader).await, StatusCode::OK);

    let audit = app.get(&admin, "/api/v1/audit").await;
    let actions = strings(&audit.body["entries"], "action");
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "change-user-password")
            .count(),
        2,
        "{}",
        audit.text
    );
}

#[tokio::test]
async fn removing_a_user_ends_their_sessions() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let added = app.add_user(&admin, new_user("bob")).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    let bob = app.login("bob", "a-long-enough-password").await;
    let (_, bob_cookie) = cookie_login(&app, "bob", "a-long-enough-password").await;
    let reader = app.reader().await;

    let refused = [
        (
            &reader,
            "bob",
            refusal(403, "permission-denied", "permission denied"),
        ),
        (
            &admin,
            "admin",
            not_valid("cannot remove controller superuser \"admin\""),
        ),
    ];
    for (token, user, refusal) in refused {
        let a = app.delete(token, &format!("/api/v1/users/{user}")).await;
        refusal.assert(&a, format!("removing {user}"));
    }
    assert_eq!(whoami_status(&app, &bob).await, StatusCode::OK);

    let a = app.delete(&admin, "/api/v1/users/bob").await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text);
    assert_eq!(whoami_status(&app, &bob).await, StatusCode::UNAUTHORIZED);
    let cookie = whoami(&app, &[("cookie", bob_cookie.as_str())]).await;
    assert_eq!(cookie.status, StatusCode::UNAUTHORIZED);
    let login = json!({"username": "bob", "password": "a-long-enough-password"});
    assert_eq!(app.try_login(login).await.status, StatusCode::UNAUTHORIZED);
    let a = app.delete(&admin, "/api/v1/users/bob").await;
    assert_problem(&a, 404, "not-found", "user \"bob\" not found");
    let users = app.get(&admin, "/api/v1/users").await;
    assert_eq!(strings(&users.body["users"], "name"), ["admin", "reader"]);
    let audit = app.get(&admin, "/api/v1/audit").await;
    assert!(
        strings(&audit.body["entries"], "action").contains(&"remove-user"),
        "{}",
        audit.text
    );
}

/// A password with a recognisable value is set, used and refused: it never comes back in an
/// answer, and never reaches the log.
#[tokio::test]
async fn a_canary_password_never_reaches_answers_or_logs() {
    let captured = captured_log();
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let canary = format!("{CANARY}-password");
    let mut answers = Vec::new();
    let path = "/api/v1/users/reader/password";
    answers.push(app.put(&admin, path, json!({"password": canary})).await);
    let login = json!({"username": "reader", "password": canary, "session": "cookie"});
    answers.push(app.try_login(login).await);
    let wrong = json!({"username": "admin", "password": canary});
    answers.push(app.try_login(wrong).await);
    let extra = json!({"password": canary, "old": canary});
    answers.push(app.put(&admin, path, extra).await);
    let typed = json!({"username": "admin", "password": canary, "session": canary});
    answers.push(app.try_login(typed).await);
    let statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
    assert_eq!(statuses, [204, 200, 401, 400, 400]);
    for answer in &answers {
        assert!(!answer.text.contains(CANARY), "{}", answer.text);
        let headers = format!("{:?}", answer.headers);
        assert!(!headers.contains(CANARY), "{headers}");
    }
    let log = String::from_utf8_lossy(&captured.lock().unwrap()).into_owned();
    assert!(
        log.contains("password changed"),
        "the log is captured: {log}"
    );
    assert!(!log.contains(CANARY), "the log holds the password: {log}");
}

/// Over HTTPS the cookie is `__Host-` and `Secure`, and a change's `Origin` must be `https://`.
#[tokio::test]
async fn over_https_the_cookie_is_host_bound_and_secure() {
    let dir = tempfile::tempdir().unwrap();
    let (service, client) = Started::start_https(dir.path()).await;
    let origin = service.https();
    let api = format!("{origin}/api/v1");

    let body =
        json!({"username": "admin", "password": STARTED_ADMIN_PASSWORD, "session": "cookie"});
    let login = client
        .post(format!("{api}/auth/login"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let set_cookie = login.headers()["set-cookie"].to_str().unwrap().to_owned();
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let token = cookie.strip_prefix("__Host-sbc-session=").unwrap();
    assert_eq!(
        set_cookie,
        format!("__Host-sbc-session={token}; Path=/; HttpOnly; SameSite=Strict; Secure")
    );
    let answer: Value = login.json().await.unwrap();
    assert!(answer.get("token").is_none(), "{answer}");

    // A request of this browser: the session cookie, and on a change the console's header.
    let with_cookie = |method: reqwest::Method, path: &str| {
        let request = client.request(method.clone(), format!("{api}{path}"));
        let request = request.header("cookie", cookie.as_str());
        match method {
            reqwest::Method::GET => request,
            _ => request.header(CONSOLE.0, CONSOLE.1),
        }
    };
    let whoami = || with_cookie(reqwest::Method::GET, "/whoami").send();
    assert_eq!(whoami().await.unwrap().status(), 200);
    let ticket = |origin: String| {
        let request = with_cookie(reqwest::Method::POST, "/events/ticket");
        request.header("origin", origin).send()
    };
    assert_eq!(ticket(origin.clone()).await.unwrap().status(), 200);
    let plain = format!("http://localhost:{}", service.port);
    assert_eq!(ticket(plain).await.unwrap().status(), 403);

    let out = with_cookie(reqwest::Method::POST, "/auth/logout");
    let out = out.send().await.unwrap();
    assert_eq!(out.status(), 204);
    assert_eq!(
        out.headers()["set-cookie"],
        "__Host-sbc-session=; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=0"
    );
    assert_eq!(whoami().await.unwrap().status(), 401);
}
