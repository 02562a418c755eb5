//! The peer's test knobs and its connection-level refusals: a delay before every answer,
//! dropped and refused connections, an unknown model, calls before login or to facades it does
//! not offer.

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::{admin_socket, call, connect, connect_as, login, peer};

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn every_answer_waits_for_the_delay() {
    let peer = peer(3).await;
    let mut socket = admin_socket(&peer, "/api").await;
    peer.set_delay(Duration::from_millis(300)).await;
    let started = Instant::now();
    let pong = call(&mut socket, "Pinger", 1, "Ping", json!({})).await;
    assert_eq!(pong["response"], json!({}));
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn dropped_connections_are_closed_by_the_peer_and_new_ones_can_be_refused() {
    let peer = peer(3).await;
    let mut socket = admin_socket(&peer, "/api").await;
    assert_eq!(peer.open_connections().await, 1);

    peer.drop_connections().await;
    let closed = tokio::time::timeout(WAIT, futures::StreamExt::next(&mut socket)).await;
    assert!(
        matches!(
            closed,
            Ok(None | Some(Ok(tokio_tungstenite::tungstenite::Message::Close(_))) | Some(Err(_)))
        ),
        "{closed:?}"
    );
    let deadline = Instant::now() + WAIT;
    while peer.open_connections().await > 0 {
        assert!(
            Instant::now() < deadline,
            "the peer still counts the dropped connection"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    peer.refuse_connections(true).await;
    let refused = connect_as(&peer, "/api", "juju-apiserver")
        .await
        .unwrap_err();
    assert!(refused.contains("503"), "{refused}");
    peer.refuse_connections(false).await;
    admin_socket(&peer, "/api").await;
}

#[tokio::test]
async fn an_unknown_model_refuses_every_call_as_juju_does() {
    let peer = peer(3).await;
    let unknown = "0b0e2a8e-1111-4222-8333-944455556666";
    let mut socket = connect(&peer, &format!("/model/{unknown}/api")).await;
    let refused = login(&mut socket, "admin", "pw").await;
    assert_eq!(refused["error"], format!("unknown model: \"{unknown}\""));
    assert_eq!(refused["error-code"], "model not found");
}

#[tokio::test]
async fn facades_are_refused_before_login_and_where_juju_does_not_offer_them() {
    let peer = peer(3).await;
    let mut socket = connect(&peer, "/api").await;
    let early = call(
        &mut socket,
        "ModelManager",
        10,
        "ListModelSummaries",
        json!({"user-tag": "user-admin"}),
    )
    .await;
    assert_eq!(
        early["error"],
        "unknown version (10) of interface \"ModelManager\""
    );
    assert_eq!(early["error-code"], "not implemented");

    login(&mut socket, "admin", "pw").await;
    let old = call(
        &mut socket,
        "SecretBackends",
        2,
        "ListSecretBackends",
        json!({}),
    )
    .await;
    assert_eq!(
        old["error"],
        "unknown version (2) of interface \"SecretBackends\""
    );
    let unknown = call(&mut socket, "Nope", 1, "Nope", json!({})).await;
    assert_eq!(unknown["error"], "unknown object type \"Nope\"");
    let controller_model = call(&mut socket, "ModelConfig", 3, "ModelGet", json!({})).await;
    assert_eq!(controller_model["error-code"], "peer-violation");
    assert!(peer.take_violations()[0].contains("acts on the controller model"));

    let uuid = peer.add_model("m1", "iaas", "admin").await;
    let mut model = admin_socket(&peer, &format!("/model/{uuid}/api")).await;
    let controller_only = call(
        &mut model,
        "SecretBackends",
        1,
        "ListSecretBackends",
        json!({"names": [], "reveal": false}),
    )
    .await;
    assert_eq!(
        controller_only["error"],
        "facade \"SecretBackends\" not supported for model API connection"
    );
    assert_eq!(controller_only["error-code"], "not supported");
}

#[tokio::test]
async fn model_info_reports_an_inaccessible_model_as_permission_denied() {
    let peer = peer(3).await;
    let uuid = peer.add_model("k8s", "caas", "admin").await;
    let mut admin = admin_socket(&peer, "/api").await;
    let tag = json!({"entities": [{"tag": format!("model-{uuid}")}]});
    let info = call(&mut admin, "ModelManager", 10, "ModelInfo", tag.clone()).await;
    let model = &info["response"]["results"][0]["result"];
    assert_eq!(model["name"], "k8s");
    assert_eq!(model["type"], "caas");
    assert_eq!(model["owner-tag"], "user-admin");

    let mut bob = connect(&peer, "/api").await;
    login(&mut bob, "bob", "pw").await;
    let refused = call(&mut bob, "ModelManager", 10, "ModelInfo", tag).await;
    assert_eq!(
        refused["response"]["results"][0]["error"]["code"],
        "unauthorized access"
    );
    let mine = call(
        &mut bob,
        "ModelManager",
        10,
        "ListModelSummaries",
        json!({"user-tag": "user-bob", "all": true}),
    )
    .await;
    assert_eq!(mine["response"]["results"], json!([]));
}

#[tokio::test]
async fn a_caas_models_local_backend_is_listed_only_while_it_holds_secrets() {
    let peer = peer(3).await;
    peer.add_model("k8s", "caas", "admin").await;
    let names = |listed: serde_json::Value| -> Vec<String> {
        listed
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["result"]["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(peer.backends().await), ["internal"]);
    peer.set_backend_secrets("k8s-local", 3).await;
    let listed = peer.backends().await;
    let local = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["result"]["name"] == "k8s-local")
        .unwrap();
    assert_eq!(local["result"]["backend-type"], "kubernetes");
    assert_eq!(local["num-secrets"], 3);
}

#[tokio::test]
async fn a_wrong_json_type_is_a_violation() {
    let peer = peer(3).await;
    let mut socket = admin_socket(&peer, "/api").await;
    let as_text = json!({"args": [{"name": "v", "backend-type": "vault", "config": {"endpoint": "http://x"}, "token-rotate-interval": "1h"}]});
    let answer = call(
        &mut socket,
        "SecretBackends",
        1,
        "AddSecretBackends",
        as_text,
    )
    .await;
    assert_eq!(answer["error-code"], "peer-violation", "{answer}");
    let violations = peer.take_violations();
    assert!(
        violations[0].contains("token-rotate-interval"),
        "{violations:?}"
    );
}
