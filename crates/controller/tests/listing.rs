//! The whole list is built once per change and kept (`embedded/backends/listed.rs`): every
//! change shows in the next list, whatever made it.

mod support;

use serde_json::json;
use support::{OpenBao, TestApp, entry};

#[tokio::test]
async fn each_change_shows_in_the_next_list() {
    let bao = OpenBao::shared();
    let (app, token) = TestApp::with_admin().await;
    let listed = || async {
        let list = app.get(&token, "/api/v1/secret-backends").await;
        assert_eq!(list.status, 200, "{}", list.text);
        list.body["backends"].clone()
    };
    app.add_vault(&token, "kept", &bao, json!({})).await;
    let first = listed().await;
    assert_eq!(entry(&first, "name", "kept")["secrets"], 0);
    assert_eq!(listed().await, first, "nothing changed, the same answer");

    // A rename (while no secret is stored there: Juju refuses renaming a backend in use).
    let renamed = app.patch(&token, "kept", json!({"name": "renamed"})).await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let after = listed().await;
    assert_eq!(entry(&after, "name", "renamed")["secrets"], 0);
    assert!(!after.to_string().contains("\"kept\""), "{after}");

    app.add_model(&token, "m1", "iaas").await;
    app.set_model_backend(&token, "m1", "renamed").await;
    assert_eq!(
        entry(&listed().await, "name", "renamed")["models"],
        json!(["m1"])
    );
    app.add_secret(&token, "m1", "db", json!({"password": "p"}))
        .await;
    assert_eq!(entry(&listed().await, "name", "renamed")["secrets"], 1);

    // A filtered list is never the kept one, nor is a revealed one.
    let one = app
        .get(&token, "/api/v1/secret-backends?names=renamed")
        .await;
    assert_eq!(one.body["backends"].as_array().unwrap().len(), 1);
    let revealed = app.get(&token, "/api/v1/secret-backends?reveal=true").await;
    let config = &entry(&revealed.body["backends"], "name", "renamed")["config"];
    assert_eq!(config["token"], bao.token);
}
