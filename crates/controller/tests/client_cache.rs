//! One HTTP client per distinct TLS configuration, whatever the number of backends. The count is
//! the process's, so this file holds this one test only (each test file is its own process).

mod support;

use secret_backends_controller::embedded::drivers::http_clients;
use serde_json::json;
use support::{OpenBao, TestApp};

#[tokio::test]
async fn backends_with_the_same_tls_settings_share_one_client() {
    let bao = OpenBao::shared();
    let (app, token) = TestApp::with_admin().await;
    let before = http_clients().len();
    for i in 0..100 {
        app.add_vault(&token, &format!("shared-{i}"), &bao, json!({}))
            .await;
    }
    app.controller.health_round().await.unwrap();
    let check = app.check_backend(&token, "shared-7").await;
    assert_eq!(check.body["status"], "active", "{}", check.text);
    assert_eq!(http_clients().len(), before + 1, "100 backends, one client");

    // Another TLS setting is another client; another endpoint or token is not.
    let other_tls = json!({"config": bao.config_with(json!({"tls-server-name": "bao.example"}))});
    app.add_vault(&token, "other-tls", &bao, other_tls).await;
    assert_eq!(http_clients().len(), before + 2);
}
