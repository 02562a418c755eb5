//! Removing a backend that holds secret content with force loses nothing it can save: the
//! content first moves to the backend each model falls back to; a backend that does not answer
//! is removed anyway, and the answer and the audit trail name exactly what was left behind.

mod support;

use axum::http::StatusCode;
use secret_backends_api::Config;
use secret_backends_controller::embedded::drivers::vault::model_mount;
use serde_json::{Value, json};
use support::*;

/// A secret added to `model`: its URI.
async fn secret(app: &TestApp, token: &str, model: &str, label: &str, content: Value) -> String {
    let added = app.add_secret(token, model, label, content).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    added.body["uri"].as_str().unwrap().to_owned()
}

/// A model's uuid.
async fn model_uuid(app: &TestApp, token: &str, model: &str) -> String {
    let m = app.get(token, &format!("/api/v1/models/{model}")).await;
    m.body["uuid"].as_str().unwrap().to_owned()
}

/// Where a revision's content is kept by the controller itself: its backend id and content.
async fn stored(app: &TestApp, uri: &str, revision: u64) -> (String, Option<Value>) {
    let uri = uri.to_owned();
    let (backend, content): (String, Option<String>) = app
        .store
        .call(move |c| {
            Ok(c.query_row(
                "SELECT backend_id, content FROM secret_revisions
                 WHERE secret_uri = ?1 AND revision = ?2",
                rusqlite::params![uri, revision],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .await
        .unwrap();
    (backend, content.map(|c| serde_json::from_str(&c).unwrap()))
}

/// The KV path of a revision on a vault backend with `mount_path`.
fn kv_path(mount_path: &str, model: &str, uuid: &str, uri: &str, revision: u64) -> String {
    let config: Config = [("mount-path".to_owned(), json!(mount_path))].into();
    let id = uri.trim_start_matches("secret:");
    format!("{}/{id}-{revision}", model_mount(&config, model, uuid))
}

/// The newest audit entry about `backend`.
async fn last_audit(app: &TestApp, token: &str, backend: &str) -> Answer {
    app.get(token, &format!("/api/v1/audit?backend={backend}&limit=1"))
        .await
}

#[tokio::test]
async fn a_forced_removal_of_a_reachable_vault_moves_every_revision_to_each_models_new_backend() {
    let bao = OpenBao::shared();
    let (app, token) = TestApp::with_admin().await;
    let old = json!({"config": bao.config_with(json!({"mount-path": "rm-old"}))});
    app.add_vault(&token, "old", &bao, old).await;
    let new = json!({"config": bao.config_with(json!({"mount-path": "rm-new"}))});
    app.add_vault(&token, "new", &bao, new).await;
    // m1 (IaaS) and k1 (CaaS) write to "old": once it is gone they fall back to auto.
    for (model, model_type) in [("m1", "iaas"), ("m2", "iaas"), ("k1", "caas")] {
        app.add_model(&token, model, model_type).await;
        app.set_model_backend(&token, model, "old").await;
    }
    let db = secret(&app, &token, "m1", "db", json!({"password": "one"})).await;
    secret(&app, &token, "m1", "db", json!({"password": "two"})).await;
    let k = secret(&app, &token, "k1", "k", json!({"k": "kube"})).await;
    // m2 has moved on to "new" but its content is still draining out of "old".
    let api = secret(&app, &token, "m2", "api", json!({"key": "api"})).await;
    app.set_model_backend(&token, "m2", "new").await;
    let (m1, m2) = (
        model_uuid(&app, &token, "m1").await,
        model_uuid(&app, &token, "m2").await,
    );
    let old_path = kv_path("rm-old", "m1", &m1, &db, 2);
    assert_eq!(
        bao.kv_read(&old_path).await,
        Some(json!({"password": "two"}))
    );

    let a = app
        .delete(&token, "/api/v1/secret-backends/old?force=true")
        .await;
    assert_eq!(
        a.status,
        StatusCode::NO_CONTENT,
        "nothing left behind: {}",
        a.text
    );
    assert!(!app.backend_names(&token).await.contains(&"old".to_owned()));

    // Every revision is where its model writes now, with its content.
    let internal = app.get(&token, "/api/v1/secret-backends/internal").await;
    let internal_id = internal.body["id"].as_str().unwrap();
    assert_eq!(
        stored(&app, &db, 1).await,
        (internal_id.to_owned(), Some(json!({"password": "one"})))
    );
    assert_eq!(
        stored(&app, &db, 2).await,
        (internal_id.to_owned(), Some(json!({"password": "two"})))
    );
    let k1 = model_uuid(&app, &token, "k1").await;
    assert_eq!(stored(&app, &k, 1).await, (k1, Some(json!({"k": "kube"}))));
    let new_id = app.get(&token, "/api/v1/secret-backends/new").await.body["id"].clone();
    assert_eq!(json!(stored(&app, &api, 1).await.0), new_id);
    assert_eq!(
        bao.kv_read(&kv_path("rm-new", "m2", &m2, &api, 1)).await,
        Some(json!({"key": "api"}))
    );
    assert_eq!(
        bao.kv_read(&old_path).await,
        None,
        "the old copy is deleted"
    );

    for (model, backend) in [("m1", "internal"), ("m2", "new"), ("k1", "k1-local")] {
        let m = app.get(&token, &format!("/api/v1/models/{model}")).await;
        assert_eq!(m.body["effective-backend"], backend);
        let backends = m.body["secret-backends"].as_object().unwrap();
        assert_eq!(backends.len(), 1, "nothing left draining: {}", m.text);
    }
    let record = last_audit(&app, &token, "old").await;
    assert_eq!(
        record.body["entries"][0]["detail"],
        "forced: 2 models moved to auto; nothing left behind"
    );
}

#[tokio::test]
async fn a_forced_removal_of_a_sealed_vault_names_exactly_the_secrets_left_behind() {
    let bao = OpenBao::start_own().await;
    let (app, token) = TestApp::with_admin().await;
    app.add_vault(&token, "sealed", &bao, json!({})).await;
    for model in ["m1", "m2", "m3"] {
        app.add_model(&token, model, "iaas").await;
    }
    // m3's secret stays in internal: not concerned by the removal.
    let kept = secret(&app, &token, "m3", "kept", json!({"k": "v"})).await;
    for model in ["m1", "m2"] {
        app.set_model_backend(&token, model, "sealed").await;
    }
    let canary = json!({"password": CANARY});
    let db = secret(&app, &token, "m1", "db", canary.clone()).await;
    secret(&app, &token, "m1", "db", canary.clone()).await;
    let api = secret(&app, &token, "m2", "api", canary).await;
    bao.seal().await;

    // Without force: refused as before, nothing moved or forgotten.
    let refused = app.delete(&token, "/api/v1/secret-backends/sealed").await;
    assert_problem(
        &refused,
        409,
        "in-use",
        "backend \"sealed\" still contains secret content",
    );
    assert!(
        app.backend_names(&token)
            .await
            .contains(&"sealed".to_owned())
    );

    let a = app
        .delete(&token, "/api/v1/secret-backends/sealed?force=true")
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let reason = "vault is sealed";
    assert_eq!(
        a.body,
        json!({
            "name": "sealed",
            "message": format!(
                "secret backend \"sealed\" removed; the content of 2 secrets could not be moved: \
                 {db} revisions 1, 2 (\"db\" in model \"m1\"), {api} revision 1 \
                 (\"api\" in model \"m2\"): {reason}"
            ),
            "left-behind": [
                {"model": "m1", "uri": db, "label": "db", "revisions": [1, 2], "reason": reason},
                {"model": "m2", "uri": api, "label": "api", "revisions": [1], "reason": reason},
            ],
        })
    );
    assert!(
        !app.backend_names(&token)
            .await
            .contains(&"sealed".to_owned())
    );
    for model in ["m1", "m2"] {
        let secrets = app
            .get(&token, &format!("/api/v1/models/{model}/secrets"))
            .await;
        assert_eq!(
            secrets.body["secrets"],
            json!([]),
            "forgotten: {}",
            secrets.text
        );
    }
    let m3 = app.get(&token, "/api/v1/models/m3/secrets").await;
    assert_eq!(m3.body["secrets"][0]["uri"], kept.as_str());

    let record = last_audit(&app, &token, "sealed").await;
    let entry = &record.body["entries"][0];
    assert_eq!(entry["action"], "remove");
    let detail = entry["detail"].as_str().unwrap();
    assert!(detail.starts_with("forced: 2 models moved to auto; the content of 2 secrets"));
    for named in [
        format!("{db} revisions 1, 2 (\"db\" in model \"m1\")"),
        format!("{api} revision 1 (\"api\" in model \"m2\")"),
    ] {
        assert!(detail.contains(&named), "{named} in {detail}");
    }
    assert!(!a.text.contains(CANARY), "no value in the answer");
    let all = app.get(&token, "/api/v1/audit").await;
    assert!(!all.text.contains(CANARY), "no value in the audit trail");
}
