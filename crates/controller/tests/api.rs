//! The service's endpoints, in-process over a fresh SQLite store, against real OpenBao servers.

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::*;

fn add_body(name: &str, config: Value) -> Value {
    json!({"name": name, "backend-type": "vault", "config": config})
}

#[tokio::test]
async fn probes_answer() {
    let app = TestApp::new().await;
    assert_eq!(
        app.call(Method::GET, "/healthz", None, None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.call(Method::GET, "/readyz", None, None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn login_whoami_logout() {
    let app = TestApp::new().await;
    let bad = app
        .try_login(json!({"username": "admin", "password": "wrong"}))
        .await;
    assert_problem(&bad, 401, "unauthorized", "invalid entity name or password");
    let unknown = app
        .try_login(json!({"username": "nobody", "password": "wrong"}))
        .await;
    assert_problem(
        &unknown,
        401,
        "unauthorized",
        "invalid entity name or password",
    );

    let login = app
        .try_login(json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .await;
    assert_eq!(login.status, StatusCode::OK);
    assert_eq!(
        login.body["user"],
        json!({"name": "admin", "access": "superuser"})
    );
    assert!(login.body["expires"].as_str().unwrap().ends_with('Z'));
    let token = login.body["token"].as_str().unwrap();

    let me = app.get(token, "/api/v1/whoami").await;
    assert_eq!(me.body["name"], "admin");
    assert_eq!(me.body["access"], "superuser");
    let reader = app.reader().await;
    let me = app.get(&reader, "/api/v1/whoami").await;
    assert_eq!(me.body["access"], "login");

    let out = app
        .call(Method::POST, "/api/v1/auth/logout", Some(token), None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let after = app.get(token, "/api/v1/whoami").await;
    assert_problem(&after, 401, "unauthorized", "login required");
}

#[tokio::test]
async fn api_needs_a_token() {
    let app = TestApp::new().await;
    for path in [
        "/api/v1/whoami",
        "/api/v1/secret-backends",
        "/api/v1/backend-types",
    ] {
        let a = app.call(Method::GET, path, None, None).await;
        assert_problem(&a, 401, "unauthorized", "login required");
        let a = app.get("not-a-token", path).await;
        assert_problem(&a, 401, "unauthorized", "login required");
    }
}

#[tokio::test]
async fn backend_types_describe_the_vault_form() {
    let app = TestApp::new().await;
    let token = app.reader().await;
    let a = app.get(&token, "/api/v1/backend-types").await;
    assert_eq!(a.status, StatusCode::OK);
    let vault = entry(&a.body["types"], "backend-type", "vault");
    let endpoint = entry(&vault["fields"], "name", "endpoint");
    assert_eq!(endpoint["required"], true);
    assert_eq!(endpoint["immutable"], true);
    assert_eq!(endpoint["kind"], "url");
    let controller = entry(&a.body["types"], "backend-type", "controller");
    assert_eq!(controller["user-managed"], false);
}

#[tokio::test]
async fn internal_is_always_listed_and_shown() {
    let app = TestApp::new().await;
    let token = app.reader().await;
    assert_eq!(app.backend_names(&token).await, vec!["internal"]);
    let a = app.get(&token, "/api/v1/secret-backends/internal").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["backend-type"], "controller");
    assert_eq!(a.body["built-in"], true);
    assert_eq!(a.body["status"], "active");
    assert!(a.headers.contains_key("etag"));
}

#[tokio::test]
async fn add_show_list_and_remove_a_vault_backend() {
    let bao = OpenBao::shared();
    let interval = json!({"token-rotate-interval": "90m"});
    let (app, token, add) = TestApp::with_vault(&bao, "myvault", interval).await;
    assert_eq!(add.status, StatusCode::CREATED, "{}", add.text);
    assert_eq!(add.headers["location"], "/api/v1/secret-backends/myvault");
    assert!(add.headers.contains_key("etag"));
    assert_eq!(add.body["status"], "active");
    assert_eq!(add.body["config"], json!({"endpoint": bao.addr}));
    assert_eq!(add.body["sensitive-set"], json!(["token"]));
    assert_eq!(add.body["token-rotate-interval"], "1h30m0s");
    assert!(add.body["checked-at"].is_string());
    assert!(
        !add.text.contains(&bao.token),
        "the token must not be answered"
    );

    let show = app.get(&token, "/api/v1/secret-backends/myvault").await;
    assert_eq!(show.status, StatusCode::OK);
    assert_eq!(show.body["id"], add.body["id"]);
    assert_eq!(show.headers["etag"], add.headers["etag"]);
    assert!(!show.text.contains(&bao.token));

    // Any logged-in user can list and show.
    let reader = app.reader().await;
    assert_eq!(
        app.backend_names(&reader).await,
        vec!["internal", "myvault"]
    );
    let filtered = app
        .get(&reader, "/api/v1/secret-backends?names=myvault,nope")
        .await;
    assert_eq!(filtered.body["backends"].as_array().unwrap().len(), 1);

    let stale = app.remove_if_match(&token, "myvault", "\"stale-0\"").await;
    assert_problem(&stale, 412, "conflict", "changed by someone else");

    let denied = app.delete(&reader, "/api/v1/secret-backends/myvault").await;
    assert_problem(&denied, 403, "permission-denied", "permission denied");

    let removed = app.remove_if_match(&token, "myvault", add.etag()).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.text);
    let gone = app.get(&token, "/api/v1/secret-backends/myvault").await;
    assert_problem(
        &gone,
        404,
        "not-found",
        "secret backend \"myvault\" not found",
    );
    let again = app.delete(&token, "/api/v1/secret-backends/myvault").await;
    assert_problem(
        &again,
        404,
        "not-found",
        "secret backend \"myvault\" not found",
    );
}

#[tokio::test]
async fn built_in_backends_cannot_be_removed() {
    let (app, token) = TestApp::with_admin().await;
    let a = app.delete(&token, "/api/v1/secret-backends/internal").await;
    assert_problem(
        &a,
        400,
        "not-valid",
        "built-in secret backends are immutable",
    );
    assert_eq!(app.backend_names(&token).await, vec!["internal"]);
}

/// Every refused add names the problem in Juju's words and stores nothing.
#[tokio::test]
async fn bad_adds_are_refused_and_change_nothing() {
    let bao = OpenBao::shared();
    let (app, token) = TestApp::with_admin().await;
    let ok = bao.config();
    let with = |extra: Value| bao.config_with(extra);
    let dead_port = free_port();
    let mut cases: Vec<(Value, Refusal<'_>)> = vec![
        (
            add_body("v1", with(json!({"tokn": "x"}))),
            not_valid("unknown key \"tokn\"").on("config.tokn"),
        ),
        (
            add_body("v1", json!({"token": "x"})),
            not_valid("endpoint: expected string, got nothing").on("config.endpoint"),
        ),
        (
            add_body("v1", with(json!({"token": ""}))),
            not_valid("empty value").on("config.token"),
        ),
        (
            json!({"name": "v1", "backend-type": "aws", "config": {}}),
            refusal(422, "not-supported", "no registered provider for \"aws\"").on("backend-type"),
        ),
        (
            json!({"name": "v1", "backend-type": "controller", "config": {}}),
            refusal(422, "not-supported", "cannot be added").on("backend-type"),
        ),
        (
            json!({"name": "v1", "backend-type": "vault", "config": bao.config(), "colour": "red"}),
            not_valid("unknown field `colour`"),
        ),
        (
            add_body(
                "v1",
                json!({"endpoint": format!("http://127.0.0.1:{dead_port}"), "token": "x"}),
            ),
            refusal(422, "unreachable", "backend not reachable"),
        ),
        (
            add_body("v1", with(json!({"token": CANARY}))),
            refusal(422, "unreachable", "auth token invalid: permission denied"),
        ),
        (
            json!({"name": "k1", "backend-type": "kubernetes", "config": {"endpoint": "https://127.0.0.1:1", "namespace": "n"}, "token-rotate-interval": "1h"}),
            not_valid("k8s config missing service account not valid").on("config.service-account"),
        ),
        (
            json!({"name": "k1", "backend-type": "kubernetes", "config": {"endpoint": "https://127.0.0.1:6443"}}),
            not_valid("namespace: expected string, got nothing").on("config.namespace"),
        ),
        (
            json!({"name": "k1", "backend-type": "kubernetes", "config": {"endpoint": format!("http://127.0.0.1:{dead_port}"), "namespace": "n"}}),
            refusal(422, "unreachable", "backend not reachable"),
        ),
    ];
    // Names, then intervals, refused the same way whatever the value.
    let names = [
        ("internal", "reserved name \"internal\" not valid"),
        ("auto", "reserved name \"auto\" not valid"),
        ("kubernetes", "reserved name"),
        ("foo-local", "-local"),
        ("My_Vault", "lowercase letters"),
        ("", "missing backend name not valid"),
    ];
    for (name, detail) in names {
        cases.push((add_body(name, ok.clone()), not_valid(detail).on("name")));
    }
    let intervals = [
        ("7d", "Go duration"),
        ("0", "token rotate interval cannot be 0"),
        ("10m", "less than 1h not valid"),
    ];
    for (interval, detail) in intervals {
        let body = json!({"name": "v1", "backend-type": "vault", "config": ok,
                          "token-rotate-interval": interval});
        cases.push((body, not_valid(detail).on("token-rotate-interval")));
    }
    for (body, expected) in cases {
        let a = app.add_backend(&token, body.clone()).await;
        expected.assert(&a, &body);
        assert_eq!(
            a.body["field"].as_str(),
            expected.field,
            "{body}: {}",
            a.text
        );
        assert!(!a.text.contains(CANARY), "a refusal must not echo a secret");
    }
    assert_eq!(app.backend_names(&token).await, vec!["internal"]);

    // A duplicate name, then a duplicate imported id.
    let first = app
        .add_backend(&token, json!({"name": "v1", "backend-type": "vault", "config": bao.config(), "import-id": "imported-1"}))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert_eq!(first.body["id"], "imported-1");
    let dup = app.add_backend(&token, add_body("v1", bao.config())).await;
    assert_problem(
        &dup,
        409,
        "already-exists",
        "secret backend \"v1\" already exists",
    );
    let dup_id = app
        .add_backend(&token, json!({"name": "v2", "backend-type": "vault", "config": bao.config(), "import-id": "imported-1"}))
        .await;
    assert_problem(
        &dup_id,
        409,
        "already-exists",
        "secret backend with ID \"imported-1\" already exists",
    );
    assert_eq!(app.backend_names(&token).await, vec!["internal", "v1"]);

    // Only a superuser adds.
    let reader = app.reader().await;
    let denied = app.add_backend(&reader, add_body("v3", bao.config())).await;
    assert_problem(&denied, 403, "permission-denied", "permission denied");
}

#[tokio::test]
async fn a_sealed_openbao_is_refused_then_reported() {
    let bao = OpenBao::start_own().await;
    let (app, token) = TestApp::with_admin().await;
    let added = app
        .add_backend(&token, add_body("mine", bao.config()))
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);

    bao.seal().await;
    let a = app
        .add_backend(&token, add_body("other", bao.config()))
        .await;
    assert_problem(&a, 422, "unreachable", "vault is sealed");
    assert_eq!(app.backend_names(&token).await, vec!["internal", "mine"]);

    // The background check records it; listing does not wait for it.
    app.controller.health_round().await.unwrap();
    let show = app.get(&token, "/api/v1/secret-backends/mine").await;
    assert_eq!(show.body["status"], "error");
    assert_eq!(show.body["message"], "vault is sealed");

    bao.unseal().await;
    app.controller.health_round().await.unwrap();
    let show = app.get(&token, "/api/v1/secret-backends/mine").await;
    assert_eq!(show.body["status"], "active", "{}", show.text);
    assert!(show.body.get("message").is_none());
}

#[tokio::test]
async fn connection_test_reports_each_step() {
    let bao = OpenBao::shared();
    let (app, token) = TestApp::with_admin().await;
    let a = app
        .test_backend(
            &token,
            json!({"backend-type": "vault", "config": bao.config()}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["ok"], true);
    let names: Vec<&str> = strings(&a.body["steps"], "name");
    assert_eq!(
        names,
        ["reachable", "initialised", "unsealed", "authenticated"]
    );
    let bad = app
        .test_backend(
            &token,
            json!({"backend-type": "vault", "config": {"endpoint": bao.addr, "token": CANARY}}),
        )
        .await;
    assert_eq!(bad.body["ok"], false);
    assert_eq!(
        bad.body["steps"][3]["detail"],
        "auth token invalid: permission denied"
    );
    assert!(!bad.text.contains(CANARY));
}

#[tokio::test]
async fn bodies_over_one_mib_are_refused() {
    let (app, token) = TestApp::with_admin().await;
    let huge = "x".repeat(1024 * 1024 + 1);
    let a = app
        .add_backend(
            &token,
            json!({"name": "v", "backend-type": "vault", "config": {"endpoint": huge}}),
        )
        .await;
    assert_problem(&a, 413, "too-large", "larger than");
}

#[tokio::test]
async fn reveal_is_superuser_only() {
    let app = TestApp::new().await;
    let reader = app.reader().await;
    let a = app
        .get(&reader, "/api/v1/secret-backends?reveal=true")
        .await;
    assert_problem(&a, 403, "permission-denied", "permission denied");
}

#[tokio::test]
async fn a_restart_keeps_backends_and_users() {
    let bao = OpenBao::shared();
    let (app, token) = TestApp::with_admin().await;
    let add = app
        .add_backend(&token, add_body("kept", bao.config()))
        .await;
    assert_eq!(add.status, StatusCode::CREATED);
    let TestApp { dir, .. } = app;
    let app = TestApp::open(dir).await;
    // Sessions survive too: the token still works after the restart.
    assert_eq!(app.backend_names(&token).await, vec!["internal", "kept"]);
    let show = app.get(&token, "/api/v1/secret-backends/kept").await;
    assert_eq!(show.body["id"], add.body["id"]);
}

/// Over a real socket: the console's deep links get `index.html`, unknown API paths a problem.
#[tokio::test]
async fn serves_the_console_with_deep_links() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let client = reqwest::Client::new();
    for path in ["/", "/backends", "/backends/myvault/edit"] {
        let r = fetch(&client, format!("{base}{path}")).await;
        assert_eq!(r.status(), 200, "{path}");
        assert!(
            r.text().await.unwrap().contains("<title>console</title>"),
            "{path}"
        );
    }
    let r = fetch(&client, format!("{base}/api/v1/nope")).await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

/// A working token with a recognisable value goes through add, show, list, a failed duplicate and
/// remove: it never comes back in an answer, and never reaches the log.
#[tokio::test]
async fn a_secret_canary_never_reaches_answers_or_logs() {
    let captured = captured_log();
    let bao = OpenBao::shared();
    // Its own value: the plain CANARY is the token OpenBao must not know in other tests.
    let canary = format!("{CANARY}-working-token");
    // A real token on the OpenBao whose value is the canary.
    let created = bao
        .request(reqwest::Method::POST, "auth/token/create", &bao.token)
        .json(&json!({"id": canary, "policies": ["root"]}))
        .send()
        .await
        .unwrap();
    assert!(
        created.status().is_success() || created.status().as_u16() == 400,
        "{}",
        created.status()
    );

    let (app, token) = TestApp::with_admin().await;
    let config = json!({"endpoint": bao.addr, "token": canary});
    let mut answers = Vec::new();
    let add = app
        .add_backend(&token, add_body("canary", config.clone()))
        .await;
    assert_eq!(add.status, StatusCode::CREATED, "{}", add.text);
    answers.push(add.text);
    for path in [
        "/api/v1/secret-backends",
        "/api/v1/secret-backends/canary",
        "/api/v1/secret-backends?names=canary",
    ] {
        answers.push(app.get(&token, path).await.text);
    }
    answers.push(
        app.add_backend(&token, add_body("canary", config.clone()))
            .await
            .text,
    );
    answers.push(
        app.test_backend(&token, json!({"backend-type": "vault", "config": config}))
            .await
            .text,
    );
    app.controller.health_round().await.unwrap();
    answers.push(
        app.delete(&token, "/api/v1/secret-backends/canary")
            .await
            .text,
    );

    for answer in &answers {
        assert!(
            !answer.contains(CANARY),
            "an answer holds the secret: {answer}"
        );
    }
    let log = String::from_utf8_lossy(&captured.lock().unwrap()).into_owned();
    assert!(
        log.contains("secret backend added"),
        "the log is captured: {log}"
    );
    assert!(!log.contains(&canary), "the log holds the secret: {log}");
}

/// Without a login, anyone learns the controller is the embedded one, offering everything.
#[tokio::test]
async fn the_embedded_controller_offers_every_capability() {
    let app = TestApp::new().await;
    let a = app
        .call(Method::GET, "/api/v1/controller", None, None)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["kind"], "embedded");
    let capabilities = a.body["capabilities"].as_object().unwrap();
    assert_eq!(capabilities["change-feed"], "live");
    for (name, offered) in capabilities {
        if name != "change-feed" {
            assert_eq!(offered, &serde_json::json!(true), "{name}");
        }
    }
}

/// The OpenAPI document is generated from the routes: every endpoint of the contract is in it,
/// with its body and its problem responses.
#[tokio::test]
async fn the_openapi_document_covers_every_endpoint() {
    let app = TestApp::new().await;
    let a = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["openapi"], "3.1.0");
    let expected = [
        ("post", "/auth/login"),
        ("post", "/auth/logout"),
        ("get", "/whoami"),
        ("get", "/controller"),
        ("get", "/backend-types"),
        ("get", "/secret-backends"),
        ("post", "/secret-backends"),
        ("get", "/secret-backends/{name}"),
        ("patch", "/secret-backends/{name}"),
        ("delete", "/secret-backends/{name}"),
        ("post", "/secret-backends/{name}/check"),
        ("post", "/secret-backends/{name}/rotate-token"),
        ("post", "/backend-checks"),
        ("get", "/models"),
        ("post", "/models"),
        ("get", "/models/{name}"),
        ("put", "/models/{name}/secret-backend"),
        ("get", "/models/{name}/secrets"),
        ("post", "/models/{name}/secrets"),
        ("get", "/users"),
        ("post", "/users"),
        ("put", "/users/{name}/password"),
        ("delete", "/users/{name}"),
        ("post", "/events/ticket"),
        ("get", "/events"),
        ("get", "/audit"),
    ];
    let paths = a.body["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            operations += 1;
            assert!(
                expected.contains(&(method.as_str(), path.as_str())),
                "undocumented in the contract: {method} {path}"
            );
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.contains_key("4XX") && responses.contains_key("500"),
                "{method} {path}"
            );
            assert_eq!(
                responses["4XX"]["content"]["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/Problem"
            );
        }
    }
    assert_eq!(operations, expected.len(), "every endpoint is documented");
    let schemas = a.body["components"]["schemas"].as_object().unwrap();
    for name in [
        "AddBackendRequest",
        "UpdateBackendRequest",
        "SecretBackend",
        "Model",
        "Problem",
        "ErrorCode",
        "LoginSession",
        "SetPasswordRequest",
    ] {
        assert!(schemas.contains_key(name), "{name}");
    }
    let add = &paths["/secret-backends"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        ["$ref"];
    assert_eq!(add, "#/components/schemas/AddBackendRequest");
}

/// A secret sent with the wrong JSON type is refused without being repeated back.
#[tokio::test]
async fn a_badly_typed_secret_is_not_repeated_in_the_refusal() {
    let app = TestApp::new().await;
    let a = app
        .try_login(json!({"username": "admin", "password": 424242424242u64}))
        .await;
    assert_problem(
        &a,
        400,
        "not-valid",
        "invalid type: integer, expected a string",
    );
    assert!(!a.text.contains("424242424242"), "{}", a.text);
    let token = app.admin().await;
    app.add_model(&token, "m1", "iaas").await;
    let a = app
        .add_secret(&token, "m1", "db", json!({"password": 31337313373u64}))
        .await;
    assert_problem(&a, 400, "not-valid", "invalid type");
    assert!(!a.text.contains("31337313373"), "{}", a.text);
}
