//! The rules of `docs/rules.md` beyond add/remove: update with merge semantics, rename, token-rotate
//! rules, reveal and its audit, token rotation against a real OpenBao, users and stale edits.

mod support;

use axum::http::StatusCode;
use serde_json::json;
use support::*;

#[tokio::test]
async fn update_merges_resets_and_guards_immutable_keys() {
    let bao = OpenBao::shared();
    let mounted = json!({"config": bao.config_with(json!({"mount-path": "juju"}))});
    let (app, token, _) = TestApp::with_vault(&bao, "v", mounted).await;

    // Set a key, reset another: the stored config is merged, not replaced.
    let a = app
        .patch(
            &token,
            "v",
            json!({"config": {"tls-server-name": "vault.example"}, "reset": ["mount-path"]}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        a.body["config"],
        json!({"endpoint": bao.addr, "tls-server-name": "vault.example"})
    );
    assert_eq!(
        a.body["sensitive-set"],
        json!(["token"]),
        "the token is kept"
    );

    let cases = [
        (
            json!({"config": {"endpoint": "http://127.0.0.1:1"}}),
            not_valid("cannot change immutable field \"endpoint\""),
        ),
        (json!({"reset": ["endpoint"]}), not_valid("endpoint")),
        (
            json!({"config": {"tokn": "x"}}),
            not_valid("unknown key \"tokn\""),
        ),
        (
            json!({"config": {"mount-path": ""}}),
            not_valid("empty value"),
        ),
        (
            json!({"config": {"client-cert": CERT}}),
            not_valid("vault config missing client key not valid"),
        ),
        (
            json!({"token-rotate-interval": "7d"}),
            not_valid("Go duration"),
        ),
        (
            json!({"token-rotate-interval": "10m"}),
            not_valid("less than 1h not valid"),
        ),
        (
            json!({"name": "internal"}),
            not_valid("reserved name \"internal\" not valid"),
        ),
        (json!({"name": "x-local"}), not_valid("-local")),
        (
            json!({"config": {"token": CANARY}}),
            refusal(422, "unreachable", "auth token invalid: permission denied"),
        ),
        (
            json!({"colour": "red"}),
            not_valid("unknown field `colour`"),
        ),
    ];
    let before = app.get(&token, "/api/v1/secret-backends/v").await;
    for (body, expected) in cases {
        let a = app.patch(&token, "v", body.clone()).await;
        expected.assert(&a, &body);
        assert!(!a.text.contains(CANARY));
    }
    let after = app.get(&token, "/api/v1/secret-backends/v").await;
    assert_eq!(before.body, after.body, "refused updates change nothing");
    assert_eq!(before.headers["etag"], after.headers["etag"]);

    // Built-ins are immutable; unknown names are not found.
    let a = app.patch(&token, "internal", json!({"config": {}})).await;
    assert_problem(
        &a,
        400,
        "not-valid",
        "built-in secret backends are immutable",
    );
    let a = app.patch(&token, "nope", json!({"config": {}})).await;
    assert_problem(&a, 404, "not-found", "secret backend \"nope\" not found");
    let reader = app.reader().await;
    let a = app
        .patch(&reader, "v", json!({"config": {"mount-path": "x"}}))
        .await;
    assert_problem(&a, 403, "permission-denied", "permission denied");
}

#[tokio::test]
async fn force_skips_only_the_ping() {
    let bao = OpenBao::shared();
    let (app, token, _) = TestApp::with_vault(&bao, "v", json!({})).await;
    // A token OpenBao does not know: refused by the ping, saved with force.
    let a = app
        .patch(&token, "v", json!({"config": {"token": CANARY}}))
        .await;
    assert_problem(&a, 422, "unreachable", "auth token invalid");
    let a = app
        .patch(
            &token,
            "v",
            json!({"config": {"token": CANARY}, "force": true}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert!(!a.text.contains(CANARY));
    // Force does not skip validation.
    let a = app
        .patch(&token, "v", json!({"config": {"tokn": "x"}, "force": true}))
        .await;
    assert_problem(&a, 400, "not-valid", "unknown key");
    // The background check now finds the bad token.
    app.controller.health_round().await.unwrap();
    let a = app.get(&token, "/api/v1/secret-backends/v").await;
    assert_eq!(a.body["status"], "error");
    assert_eq!(a.body["message"], "auth token invalid: permission denied");
    // Check now re-checks on request.
    app.patch(&token, "v", json!({"config": {"token": bao.token}}))
        .await;
    let a = app.check_backend(&token, "v").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["status"], "active");
}

#[tokio::test]
async fn rename_follows_name_rules_and_moves_model_settings() {
    let bao = OpenBao::shared();
    let (app, token, _) = TestApp::with_vault(&bao, "v", json!({})).await;
    app.add_vault(&token, "w", &bao, json!({})).await;
    app.add_model(&token, "m1", "iaas").await;
    app.set_model_backend(&token, "m1", "v").await;

    let a = app.patch(&token, "v", json!({"name": "w"})).await;
    assert_problem(
        &a,
        409,
        "already-exists",
        "secret backend \"w\" already exists",
    );
    let a = app.patch(&token, "v", json!({"name": "Bad"})).await;
    assert_problem(&a, 400, "not-valid", "lowercase");
    let a = app.patch(&token, "v", json!({"name": "v2"})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["name"], "v2");
    assert_eq!(a.body["models"], json!(["m1"]));
    let m = app.get(&token, "/api/v1/models/m1").await;
    assert_eq!(
        m.body["secret-backend"], "v2",
        "the model follows the rename"
    );

    // In use (holds secret content): no rename.
    let s = app
        .add_secret(&token, "m1", "db", json!({"password": "x"}))
        .await;
    assert_eq!(s.status, StatusCode::CREATED, "{}", s.text);
    let a = app.patch(&token, "v2", json!({"name": "v3"})).await;
    assert_problem(
        &a,
        409,
        "in-use",
        "cannot rename a secret backend that is in use",
    );
}

#[tokio::test]
async fn token_rotate_interval_on_update_and_zero_turns_it_off() {
    let bao = OpenBao::shared();
    let (app, token, added) =
        TestApp::with_vault(&bao, "v", json!({"token-rotate-interval": "2h"})).await;
    assert_eq!(added.body["token-rotate-interval"], "2h0m0s");
    let next = added.body["next-rotation"].as_str().unwrap().to_owned();
    assert!(
        next.as_str() > added.body["checked-at"].as_str().unwrap(),
        "next rotation is ahead"
    );

    let a = app
        .patch(&token, "v", json!({"token-rotate-interval": "48h"}))
        .await;
    assert_eq!(a.body["token-rotate-interval"], "48h0m0s");
    let a = app
        .patch(&token, "v", json!({"token-rotate-interval": "0"}))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert!(a.body.get("token-rotate-interval").is_none(), "{}", a.text);
    assert!(a.body.get("next-rotation").is_none());
    let a = app.rotate_token(&token, "v").await;
    assert_problem(&a, 400, "not-valid", "no token rotate interval");
    let a = app.rotate_token(&token, "internal").await;
    assert_problem(
        &a,
        422,
        "not-supported",
        "token refresh on secret backend of type \"controller\" not supported",
    );
}

/// Rotation against the real OpenBao: the stored token changes and the new one works.
#[tokio::test]
async fn rotating_a_vault_token_mints_a_working_orphan_token() {
    let bao = OpenBao::start_own().await;
    let (app, token, added) =
        TestApp::with_vault(&bao, "v", json!({"token-rotate-interval": "1h"})).await;

    let a = app.rotate_token(&token, "v").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert!(a.body["last-rotation"]["at"].is_string());
    assert!(a.body["last-rotation"]["error"].is_null());
    assert_ne!(
        a.headers["etag"], added.headers["etag"],
        "a new token is a new version"
    );

    let revealed = app
        .get(&token, "/api/v1/secret-backends/v?reveal=true")
        .await;
    let new_token = revealed.body["config"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_token, bao.token, "the stored token changed");
    assert!(bao.token_works(&new_token).await, "the new token works");
    // An orphan token with the interval as TTL.
    let lookup_self = bao.request(reqwest::Method::GET, "auth/token/lookup-self", &new_token);
    let lookup = json_answer(lookup_self).await;
    assert_eq!(lookup["data"]["orphan"], true);
    let ttl = lookup["data"]["ttl"].as_u64().unwrap();
    assert!((3500..=3600).contains(&ttl), "ttl {ttl}");

    // The scheduler rotates what is due.
    app.controller.rotate_due().await.unwrap();
    let unchanged = app
        .get(&token, "/api/v1/secret-backends/v?reveal=true")
        .await;
    assert_eq!(
        unchanged.body["config"]["token"],
        new_token.as_str(),
        "nothing was due yet"
    );
    make_rotation_due(&app).await;
    app.controller.rotate_due().await.unwrap();
    let rotated = app
        .get(&token, "/api/v1/secret-backends/v?reveal=true")
        .await;
    let newer = rotated.body["config"]["token"].as_str().unwrap().to_owned();
    assert_ne!(newer, new_token);
    assert!(bao.token_works(&newer).await);

    // A failed rotation is recorded, keeps the token, and is retried in 2 minutes.
    bao.seal().await;
    let a = app.rotate_token(&token, "v").await;
    assert_problem(&a, 422, "unreachable", "cannot rotate the token");
    let a = app
        .get(&token, "/api/v1/secret-backends/v?reveal=true")
        .await;
    let error = a.body["last-rotation"]["error"].as_str().unwrap();
    assert!(error.to_lowercase().contains("sealed"), "{error}");
    assert_eq!(a.body["config"]["token"], newer.as_str());
    let at = a.body["last-rotation"]["at"].as_str().unwrap();
    let next = a.body["next-rotation"].as_str().unwrap();
    let secs = |t: &str| time_secs(t);
    assert_eq!(secs(next) - secs(at), 120, "retry in 2 minutes");
}

async fn make_rotation_due(app: &TestApp) {
    app.store
        .call(|c| {
            c.execute("UPDATE secret_backends SET next_rotation_at = 0", [])?;
            Ok(())
        })
        .await
        .unwrap();
}

/// Seconds of an RFC 3339 UTC time of the form 2026-11-25T17:41:32Z (same day is enough here).
fn time_secs(t: &str) -> i64 {
    let clock = &t[11..19];
    let parts: Vec<i64> = clock.split(':').map(|p| p.parse().unwrap()).collect();
    let day: i64 = t[8..10].parse().unwrap();
    day * 86_400 + parts[0] * 3600 + parts[1] * 60 + parts[2]
}

#[tokio::test]
async fn reveal_is_for_superusers_and_audited_without_values() {
    let bao = OpenBao::shared();
    let (app, token, _) = TestApp::with_vault(&bao, "v", json!({})).await;
    let reader = app.reader().await;
    for path in [
        "/api/v1/secret-backends/v?reveal=true",
        "/api/v1/secret-backends?reveal=true",
    ] {
        let a = app.get(&reader, path).await;
        assert_problem(&a, 403, "permission-denied", "permission denied");
    }
    let plain = app.get(&reader, "/api/v1/secret-backends/v").await;
    assert!(plain.body["config"].get("token").is_none());
    assert_eq!(plain.body["sensitive-set"], json!(["token"]));

    let a = app
        .get(&token, "/api/v1/secret-backends/v?reveal=true")
        .await;
    assert_eq!(a.body["config"]["token"], bao.token.as_str());
    let a = app
        .get(&token, "/api/v1/secret-backends?reveal=true&names=v")
        .await;
    assert_eq!(a.body["backends"][0]["config"]["token"], bao.token.as_str());

    let audit = app.get(&token, "/api/v1/audit?backend=v").await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.text);
    let reveals: Vec<_> = audit.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "reveal")
        .collect();
    assert_eq!(reveals.len(), 2, "{}", audit.text);
    assert_eq!(reveals[0]["user"], "admin");
    assert_eq!(reveals[0]["keys"], json!(["token"]));
    assert!(
        !audit.text.contains(&bao.token),
        "the audit never holds values"
    );
    let denied = app.get(&reader, "/api/v1/audit").await;
    assert_problem(&denied, 403, "permission-denied", "permission denied");
}

#[tokio::test]
async fn stale_if_match_is_refused_with_412() {
    let bao = OpenBao::shared();
    let (app, token, added) = TestApp::with_vault(&bao, "v", json!({})).await;
    let first_etag = added.headers["etag"].to_str().unwrap().to_owned();
    // Another admin changes it.
    let changed = app
        .patch(&token, "v", json!({"config": {"mount-path": "a"}}))
        .await;
    assert_ne!(changed.headers["etag"].to_str().unwrap(), first_etag);
    // The first admin's edit, based on what they saw, is refused.
    let stale = app
        .patch_if_match(
            &token,
            "v",
            &first_etag,
            json!({"config": {"mount-path": "b"}}),
        )
        .await;
    assert_problem(&stale, 412, "conflict", "changed by someone else");
    let now = app.get(&token, "/api/v1/secret-backends/v").await;
    assert_eq!(now.body["config"]["mount-path"], "a");
    // With the current tag it goes through.
    let fresh = app
        .patch_if_match(
            &token,
            "v",
            now.etag(),
            json!({"config": {"mount-path": "b"}}),
        )
        .await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.text);
}

#[tokio::test]
async fn users_have_hashed_passwords_and_per_model_access() {
    let (app, token) = TestApp::with_admin().await;
    app.add_model(&token, "m1", "iaas").await;
    let a = app.add_user(&token, json!({"name": "bob", "password": "bob-password", "access": "login", "models": {"m1": "write"}})).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert!(!a.text.contains("bob-password"));
    let refused = [
        (
            json!({"name": "bob", "password": "bob-password", "access": "login"}),
            refusal(409, "already-exists", "user \"bob\" already exists"),
        ),
        (
            json!({"name": "carol", "password": "short", "access": "login"}),
            not_valid("at least 8 characters"),
        ),
        (
            json!({"name": "dave", "password": "dave-password", "access": "login",
                   "models": {"nope": "read"}}),
            refusal(404, "not-found", "model \"nope\" not found"),
        ),
    ];
    for (body, expected) in refused {
        expected.assert(&app.add_user(&token, body.clone()).await, &body);
    }

    let bob = app.login("bob", "bob-password").await;
    let me = app.get(&bob, "/api/v1/whoami").await;
    assert_eq!(me.body["models"], json!({"m1": "write"}));
    let a = app.get(&bob, "/api/v1/users").await;
    assert_problem(&a, 403, "permission-denied", "permission denied");
    let users = app.get(&token, "/api/v1/users").await;
    let names: Vec<&str> = strings(&users.body["users"], "name");
    assert_eq!(names, ["admin", "bob", "reader"]);
    assert!(!users.text.contains("argon2"), "no hashes in answers");
    // Stored hashed.
    let hash: String = app
        .store
        .call(|c| {
            Ok(c.query_row(
                "SELECT password_hash FROM users WHERE name = 'bob'",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"));
}

#[tokio::test]
async fn a_malformed_pem_is_refused_naming_the_field_not_as_unreachable() {
    let bao = OpenBao::shared();
    let (app, token) = TestApp::with_admin().await;
    let not_base64 = "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n";
    let broken_key = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        "QUJD"
    );
    let cases = [
        (
            json!({"ca-cert": not_base64}),
            "config.ca-cert",
            "ca-cert: certificate not valid: the PEM block is not base64",
        ),
        (
            json!({"client-cert": not_base64, "client-key": broken_key}),
            "config.client-cert",
            "client-cert: certificate not valid: the PEM block is not base64",
        ),
        (
            json!({"client-cert": CERT, "client-key": broken_key}),
            "config.client-key",
            "client-key: private key not valid: the PEM block does not hold a key",
        ),
        (
            json!({"client-cert": CERT, "client-key": CERT}),
            "config.client-key",
            "client-key: private key not valid: no \"PRIVATE KEY\" PEM block found",
        ),
    ];
    for (extra, field, detail) in cases {
        let config = bao.config_with(extra);
        let body = json!({"name": "v", "backend-type": "vault", "config": config});
        let a = app.add_backend(&token, body).await;
        assert_problem(&a, 400, "not-valid", detail);
        assert_eq!(a.body["field"], field, "{}", a.text);
        assert_eq!(a.body["detail"], detail, "{}", a.text);
        // The connection test refuses it the same way.
        let check = json!({"backend-type": "vault", "config": config});
        let c = app.test_backend(&token, check).await;
        assert_problem(&c, 400, "not-valid", detail);
    }
    assert_eq!(app.backend_names(&token).await, vec!["internal".to_owned()]);

    // On update too, and a kubernetes ca-cert likewise.
    app.add_vault(&token, "v", &bao, json!({})).await;
    let a = app
        .patch(&token, "v", json!({"config": {"ca-cert": not_base64}}))
        .await;
    assert_problem(&a, 400, "not-valid", "ca-cert: certificate not valid");
    assert_eq!(a.body["field"], "config.ca-cert");
    let k8s = json!({"name": "k", "backend-type": "kubernetes", "config": {
        "endpoint": "https://127.0.0.1:1", "namespace": "n", "ca-cert": not_base64}});
    let a = app.add_backend(&token, k8s).await;
    assert_problem(&a, 400, "not-valid", "ca-cert: certificate not valid");
    assert_eq!(a.body["field"], "config.ca-cert");
}

#[tokio::test]
async fn an_overlong_mount_path_is_refused_and_nothing_is_created_in_openbao() {
    let bao = OpenBao::shared();
    let (app, token) = TestApp::with_admin().await;
    let mounts_before = bao.mounts().await;
    let prefix = format!("sbc{}", std::process::id());
    let huge = format!("{prefix}{}", "x".repeat(900 * 1024));

    let mut config = bao.config();
    config["mount-path"] = json!(huge);
    let body = json!({"name": "huge", "backend-type": "vault", "config": config});
    let a = app.add_backend(&token, body).await;
    assert_problem(
        &a,
        400,
        "not-valid",
        &format!(
            "mount-path: value of {} characters not valid: at most 128 allowed",
            huge.len()
        ),
    );
    assert_eq!(a.body["field"], "config.mount-path");
    assert!(a.text.len() < 1000, "the value is not repeated back");
    let missing = app.get(&token, "/api/v1/secret-backends/huge").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "no backend stored");

    // Nor on update, and a model's secret then goes to the old mount path.
    app.add_vault(&token, "v", &bao, json!({})).await;
    let a = app
        .patch(&token, "v", json!({"config": {"mount-path": huge}}))
        .await;
    assert_problem(&a, 400, "not-valid", "at most 128 allowed");
    let v = app.get(&token, "/api/v1/secret-backends/v").await;
    assert!(v.body["config"].get("mount-path").is_none(), "{}", v.text);
    // A character Vault's mount paths do not take is refused as well.
    let a = app
        .patch(&token, "v", json!({"config": {"mount-path": "a b"}}))
        .await;
    assert_problem(&a, 400, "not-valid", "mount-path: \"a b\" not valid");

    let mounts_after = bao.mounts().await;
    assert!(
        mounts_after.iter().all(|m| !m.contains(&prefix)),
        "no mount was created: {mounts_after:?}"
    );
    assert!(
        mounts_before.iter().all(|m| mounts_after.contains(m)),
        "{mounts_before:?} {mounts_after:?}"
    );
}

#[tokio::test]
async fn an_update_that_changes_nothing_is_refused_and_not_audited() {
    let bao = OpenBao::shared();
    let mounted = json!({"config": bao.config_with(json!({"mount-path": "juju"})),
                         "token-rotate-interval": "2h"});
    let (app, token, _) = TestApp::with_vault(&bao, "v", mounted).await;
    let before = app.get(&token, "/api/v1/secret-backends/v").await;
    let entries = audit_len(&app, &token).await;

    for body in [json!({}), json!({"force": true})] {
        let a = app.patch(&token, "v", body).await;
        assert_problem(
            &a,
            400,
            "not-valid",
            "must specify a config file or key/reset values",
        );
        assert_eq!(
            a.body["detail"],
            "must specify a config file or key/reset values"
        );
        assert!(a.body.get("field").is_none(), "{}", a.text);
    }
    // Values that are already the backend's change nothing either.
    for body in [
        json!({"config": {"mount-path": "juju"}}),
        json!({"reset": ["namespace"]}),
        json!({"name": "v"}),
        json!({"token-rotate-interval": "120m"}),
        json!({"config": {"token": bao.token}, "force": true}),
    ] {
        let a = app.patch(&token, "v", body.clone()).await;
        assert_problem(
            &a,
            400,
            "not-valid",
            "must specify a config file or key/reset values: the given values are the backend's current ones",
        );
    }
    let after = app.get(&token, "/api/v1/secret-backends/v").await;
    assert_eq!(before.headers["etag"], after.headers["etag"]);
    assert_eq!(
        audit_len(&app, &token).await,
        entries,
        "nothing was audited"
    );

    // A real change still goes through, and is audited once.
    let a = app
        .patch(&token, "v", json!({"config": {"mount-path": "juju2"}}))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(audit_len(&app, &token).await, entries + 1);
}

#[tokio::test]
async fn messages_print_durations_and_names_as_juju_does() {
    let bao = OpenBao::shared();
    let (app, token) = TestApp::with_admin().await;
    let mut body = json!({"name": "v", "backend-type": "vault", "config": bao.config(),
                          "token-rotate-interval": "10m"});
    let a = app.add_backend(&token, body.clone()).await;
    assert_problem(&a, 400, "not-valid", "");
    assert_eq!(
        a.body["detail"],
        "token rotate interval \"10m0s\" less than 1h not valid"
    );
    body["token-rotate-interval"] = json!("1h");
    body["name"] = json!("My_Vault");
    let a = app.add_backend(&token, body).await;
    assert_eq!(
        a.body["detail"],
        "\"My_Vault\" is not a valid name: secret backend names may only contain lowercase \
         letters, digits and hyphens, start with a letter, not end with a hyphen, and have at most \
         63 characters (this keeps URLs and juju commands simple)"
    );
    app.add_vault(&token, "v", &bao, json!({})).await;
    let a = app
        .patch(&token, "v", json!({"token-rotate-interval": "0.5h"}))
        .await;
    assert_eq!(
        a.body["detail"],
        "token rotate interval \"30m0s\" less than 1h not valid"
    );
}

/// How many audit entries the backend `v` has.
async fn audit_len(app: &TestApp, token: &str) -> usize {
    let a = app.get(token, "/api/v1/audit?backend=v").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body["entries"].as_array().unwrap().len()
}
