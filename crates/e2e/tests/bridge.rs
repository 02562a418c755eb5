//! The console in bridge mode, in front of a Juju test peer (which fails the test if the bridge
//! sent it a shape Juju would refuse): an admin logs in with their Juju user, lists, adds,
//! edits and removes a backend, and sets a model's backend; what a Juju controller does not
//! offer is not offered, and says why.

use secret_backends_e2e::Session;
use serde_json::Value;

const VAULT: &str = "http://127.0.0.1:8200";

/// The backend `name` as the peer holds it (revealed), once it holds it.
async fn held(s: &Session, name: &str) -> Value {
    let found = s
        .wait_until(
            async || {
                let backends = s.peer().backends().await;
                backends
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|b| b["result"]["name"] == name)
                    .map(|b| b["result"].clone())
            },
            Option::is_some,
            |_| format!("the peer never held {name}"),
        )
        .await;
    found.unwrap()
}

/// Waits until the peer's model `uuid` writes to `backend`.
async fn wait_model_backend(s: &Session, uuid: &str, backend: &str) {
    s.wait_until(
        async || s.peer().model_secret_backend(uuid).await,
        |setting| setting == backend,
        |setting| format!("the model's backend is still {setting}"),
    )
    .await;
}

#[tokio::test]
async fn an_admin_manages_a_juju_controllers_backends_and_a_models_backend() {
    let s = Session::start_bridged().await;
    let uuid = s.peer().add_model("web", "iaas", "admin").await;

    // The login page says whose login it is.
    s.open_to_login("/backends").await;
    s.testid("login-juju").await;
    s.login_admin().await;
    s.wait_path("/backends").await;
    s.wait_state("ready").await;
    s.testid("backend-row-internal").await;
    // The list is polled, not live; the audit trail is not offered.
    s.testid("not-offered-change-feed").await;
    assert!(!s.source_contains("href=\"/audit\"").await);

    // Add: no connection test (Juju checks on save), and Juju holds the token.
    s.go("/backends/new").await;
    s.testid("not-offered-connection-test").await;
    assert!(!s.has("test-connection").await);
    s.submit_vault_form("myvault", VAULT, "juju-vault-token")
        .await;
    s.wait_path("/backends/myvault").await;
    assert_eq!(
        held(&s, "myvault").await["config"]["token"],
        "juju-vault-token"
    );

    // The backend's page: no rotation times, no audit, no usage.
    s.wait_state("ready").await;
    s.testid("not-offered-rotation-times").await;
    s.testid("not-offered-audit").await;
    assert!(!s.has("rotate-now").await);

    // Edit: a key set, reviewed and saved in Juju.
    s.click("edit-backend").await;
    s.wait_path("/backends/myvault/edit").await;
    s.fill("field-tls-server-name", "vault.internal").await;
    s.click("review-changes").await;
    s.wait_text("change-tls-server-name", "vault.internal")
        .await;
    s.click("save").await;
    s.wait_path("/backends/myvault").await;
    assert_eq!(
        held(&s, "myvault").await["config"]["tls-server-name"],
        "vault.internal"
    );

    // A model's backend, set through the model's own connection.
    s.go("/models/web").await;
    s.wait_state("ready").await;
    s.testid("not-offered-secrets").await;
    s.set_model_backend("myvault").await;
    wait_model_backend(&s, &uuid, "myvault").await;
    s.wait_text("model-setting", "myvault").await;

    // Back to auto, then remove the backend.
    s.set_model_backend("auto").await;
    wait_model_backend(&s, &uuid, "auto").await;
    s.go("/backends/myvault").await;
    s.wait_state("ready").await;
    s.click("remove-backend").await;
    s.confirm_remove("myvault").await;
    s.wait_removed_from_list("myvault").await;
    let names: Vec<Value> = s
        .peer()
        .backends()
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["result"]["name"].clone())
        .collect();
    assert_eq!(names, ["internal"]);
    s.close().await.unwrap();
}
