//! The Juju peer, spoken to in raw Juju RPC over a verified TLS WebSocket (`support`): what
//! it accepts, how it answers, and that it refuses (and records) shapes Juju would not accept.

mod support;

use juju_peer::{JujuPeer, PeerOptions};
use serde_json::{Value, json};
use support::{admin_socket, call, connect, connect_as, login, peer};

fn list_args() -> Value {
    json!({"names": [], "reveal": true})
}

#[tokio::test]
async fn the_certificate_names_only_its_name_not_the_address() {
    let peer = peer(3).await;
    let refused = connect_as(&peer, "/api", "localhost").await.unwrap_err();
    assert!(refused.contains("not valid for name"), "{refused}");
    let refused = connect_as(&peer, "/api", "127.0.0.1").await.unwrap_err();
    assert!(refused.contains("not valid for name"), "{refused}");
    connect(&peer, "/api").await;

    let renamed = JujuPeer::start(PeerOptions {
        certificate_name: "controller.example".into(),
        ..PeerOptions::default()
    })
    .await;
    connect_as(&renamed, "/api", "controller.example")
        .await
        .unwrap();
    assert!(
        connect_as(&renamed, "/api", "juju-apiserver")
            .await
            .is_err()
    );
}

#[tokio::test]
async fn login_takes_the_right_password_and_reports_access_and_facades() {
    let peer = peer(3).await;
    let mut socket = connect(&peer, "/api").await;

    let before = call(
        &mut socket,
        "SecretBackends",
        1,
        "ListSecretBackends",
        list_args(),
    )
    .await;
    assert_eq!(before["error-code"], "not implemented", "{before}");

    let wrong = login(&mut socket, "admin", "nope").await;
    assert_eq!(wrong["error"], "invalid entity name or password");
    assert_eq!(wrong["error-code"], "unauthorized access");

    let ok = login(&mut socket, "admin", "pw").await["response"].clone();
    assert_eq!(ok["user-info"]["controller-access"], "superuser");
    assert_eq!(ok["user-info"]["identity"], "user-admin");
    assert_eq!(ok["server-version"], "3.6.4");
    let facades = ok["facades"].as_array().unwrap();
    assert!(facades.contains(&json!({"name": "SecretBackends", "versions": [1]})));
    assert!(facades.contains(&json!({"name": "ModelConfig", "versions": [3]})));

    // The password never reaches the record.
    let recorded = peer.requests().await;
    assert!(
        recorded.iter().all(|r| !r.to_string().contains("\"pw\"")),
        "{recorded:?}"
    );
    assert_eq!(recorded[2]["params"]["credentials"], "…");
}

#[tokio::test]
async fn backends_add_list_update_remove_with_nanosecond_intervals() {
    let peer = peer(3).await;
    let mut socket = admin_socket(&peer, "/api").await;

    let listed = call(
        &mut socket,
        "SecretBackends",
        1,
        "ListSecretBackends",
        list_args(),
    )
    .await;
    let names: Vec<&Value> = listed["response"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["result"]["name"])
        .collect();
    assert_eq!(names, [&json!("internal")]);

    let hour = 3_600_000_000_000u64;
    let add = json!({"args": [{"name": "v", "backend-type": "vault", "token-rotate-interval": hour,
        "config": {"endpoint": "http://127.0.0.1:8200", "token": "s.secret"}}]});
    let added = call(
        &mut socket,
        "SecretBackends",
        1,
        "AddSecretBackends",
        add.clone(),
    )
    .await;
    assert_eq!(added["response"], json!({"results": [{}]}));
    let again = call(&mut socket, "SecretBackends", 1, "AddSecretBackends", add).await;
    assert_eq!(
        again["response"]["results"][0]["error"]["code"],
        "already exists"
    );

    let hidden = call(
        &mut socket,
        "SecretBackends",
        1,
        "ListSecretBackends",
        json!({"names": ["v"], "reveal": false}),
    )
    .await;
    let v = &hidden["response"]["results"][0];
    assert_eq!(v["result"]["token-rotate-interval"], hour);
    assert_eq!(
        v["result"]["config"],
        json!({"endpoint": "http://127.0.0.1:8200"})
    );
    assert_eq!(v["status"], "active");

    let update = json!({"args": [{"name": "v", "token-rotate-interval": 2 * hour, "config": {"namespace": "ns"}, "reset": [], "name-change": "w"}]});
    let updated = call(
        &mut socket,
        "SecretBackends",
        1,
        "UpdateSecretBackends",
        update,
    )
    .await;
    assert_eq!(updated["response"], json!({"results": [{}]}));
    let held = peer.backends().await;
    let w = held
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["result"]["name"] == "w")
        .unwrap();
    assert_eq!(w["result"]["token-rotate-interval"], 2 * hour);
    assert_eq!(w["result"]["config"]["token"], "s.secret");
    assert_eq!(w["result"]["config"]["namespace"], "ns");

    peer.set_backend_secrets("w", 2).await;
    let remove =
        |force: bool| json!({"args": [{"name": "w", "force": force}, {"name": "unknown"}]});
    let in_use = call(
        &mut socket,
        "SecretBackends",
        1,
        "RemoveSecretBackends",
        remove(false),
    )
    .await;
    let results = &in_use["response"]["results"];
    assert_eq!(
        results[0]["error"]["message"],
        "removing backend with 2 stored secret revisions not supported"
    );
    assert_eq!(results[0]["error"]["code"], "not supported");
    assert_eq!(
        results[1],
        json!({}),
        "Juju 3.6 removes an unknown name without complaint"
    );
    let forced = call(
        &mut socket,
        "SecretBackends",
        1,
        "RemoveSecretBackends",
        remove(true),
    )
    .await;
    assert_eq!(forced["response"], json!({"results": [{}, {}]}));
    assert_eq!(peer.backends().await.as_array().unwrap().len(), 1);

    // Sensitive config values never reach the record either.
    assert!(
        peer.requests()
            .await
            .iter()
            .all(|r| !r.to_string().contains("s.secret"))
    );
}

#[tokio::test]
async fn a_misspelt_field_is_a_violation_answered_and_recorded() {
    let peer = peer(3).await;
    let mut socket = admin_socket(&peer, "/api").await;
    let misspelt = json!({"args": [{"name": "v", "backend_type": "vault", "config": {"endpoint": "http://x"}}]});
    let answer = call(
        &mut socket,
        "SecretBackends",
        1,
        "AddSecretBackends",
        misspelt,
    )
    .await;
    assert_eq!(answer["error-code"], "peer-violation", "{answer}");
    let violations = peer.take_violations();
    assert_eq!(violations.len(), 1);
    assert!(
        violations[0].contains("unknown field 'backend_type'"),
        "{violations:?}"
    );
    assert!(
        peer.backends().await.as_array().unwrap().len() == 1,
        "nothing was added"
    );
}

#[tokio::test]
async fn a_login_user_may_list_but_not_add() {
    let peer = peer(3).await;
    let mut socket = connect(&peer, "/api").await;
    login(&mut socket, "bob", "pw").await;
    let listed = call(
        &mut socket,
        "SecretBackends",
        1,
        "ListSecretBackends",
        json!({"names": null, "reveal": false}),
    )
    .await;
    assert!(listed["response"]["results"].is_array(), "{listed}");
    let add = json!({"args": [{"name": "v", "backend-type": "vault", "config": {"endpoint": "http://x"}}]});
    let refused = call(&mut socket, "SecretBackends", 1, "AddSecretBackends", add).await;
    assert_eq!(refused["error"], "permission denied");
    assert_eq!(refused["error-code"], "unauthorized access");
}

#[tokio::test]
async fn juju_3_sets_a_models_backend_through_model_config() {
    let peer = peer(3).await;
    let uuid = peer.add_model("m1", "iaas", "admin").await;
    peer.add_backend("v", "vault", json!({"endpoint": "http://x"}))
        .await;
    let mut socket = admin_socket(&peer, &format!("/model/{uuid}/api")).await;

    let got = call(&mut socket, "ModelConfig", 3, "ModelGet", json!({})).await;
    assert_eq!(
        got["response"]["config"]["secret-backend"],
        json!({"value": "auto", "source": "default"})
    );

    let bad = call(
        &mut socket,
        "ModelConfig",
        3,
        "ModelSet",
        json!({"config": {"secret-backend": "nope"}}),
    )
    .await;
    assert_eq!(bad["error"], "secret backend \"nope\" not found");
    assert_eq!(bad["error-code"], "not found");

    let set = call(
        &mut socket,
        "ModelConfig",
        3,
        "ModelSet",
        json!({"config": {"secret-backend": "v"}}),
    )
    .await;
    assert_eq!(set["response"], json!({}));
    assert_eq!(peer.model_secret_backend(&uuid).await, "v");

    let summaries = admin_socket(&peer, "/api").await;
    let mut summaries = summaries;
    let listed = call(
        &mut summaries,
        "ModelManager",
        10,
        "ListModelSummaries",
        json!({"user-tag": "user-admin", "all": true}),
    )
    .await;
    assert_eq!(
        listed["response"]["results"][0]["result"]["uuid"],
        uuid.as_str()
    );
}

#[tokio::test]
async fn juju_4_has_get_and_set_model_secret_backend() {
    let peer = peer(4).await;
    let uuid = peer.add_model("m1", "iaas", "admin").await;
    let mut socket = admin_socket(&peer, &format!("/model/{uuid}/api")).await;

    let got = call(&mut socket, "ModelConfig", 4, "ModelGet", json!({})).await;
    assert!(
        got["response"]["config"].get("secret-backend").is_none(),
        "{got}"
    );
    let v3 = call(&mut socket, "ModelConfig", 3, "ModelGet", json!({})).await;
    assert_eq!(v3["error-code"], "not implemented");

    let set = call(
        &mut socket,
        "ModelConfig",
        4,
        "SetModelSecretBackend",
        json!({"secret-backend-name": "internal"}),
    )
    .await;
    assert_eq!(set["response"], json!({}));
    let got = call(
        &mut socket,
        "ModelConfig",
        4,
        "GetModelSecretBackend",
        json!({}),
    )
    .await;
    assert_eq!(got["response"]["result"], "internal");
    let unknown = call(
        &mut socket,
        "ModelConfig",
        4,
        "SetModelSecretBackend",
        json!({"secret-backend-name": "nope"}),
    )
    .await;
    assert_eq!(
        unknown["response"]["error"]["code"],
        "secret backend not found"
    );
}
