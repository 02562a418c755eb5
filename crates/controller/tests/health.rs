//! Health checks that scale: each server checked once a round, so a sealed server shows on every
//! backend that uses it at the next round, and listing answers from what is known, never waiting
//! on a check.

mod support;

use std::time::Duration;

use secret_backends_api::{BackendStatus, BackendType};
use secret_backends_controller::embedded::Background;
use secret_backends_controller::embedded::store::{self, BackendRow};
use serde_json::{Value, json};
use support::{OpenBao, TestApp, entry, eventually};

/// `(status, message)` of each backend in the list answer, by name.
fn statuses(list: &Value, names: &[String]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|name| {
            let backend = entry(&list["backends"], "name", name);
            let text = |key: &str| backend[key].as_str().unwrap_or_default().to_owned();
            (text("status"), text("message"))
        })
        .collect()
}

#[tokio::test]
async fn a_sealed_server_shows_on_every_backend_that_uses_it_within_ten_seconds() {
    let own = OpenBao::start_own().await;
    let shared = OpenBao::shared();
    let (app, token) = TestApp::with_admin().await;
    let on_own: Vec<String> = (1..=5).map(|i| format!("sealable-{i}")).collect();
    for name in &on_own {
        app.add_vault(&token, name, &own, json!({})).await;
    }
    app.add_vault(&token, "elsewhere", &shared, json!({})).await;
    app.controller.spawn_background(Background {
        health_every: Duration::from_secs(2),
        ..Default::default()
    });

    own.seal().await;
    let sealed = vec![("error".to_owned(), "vault is sealed".to_owned()); on_own.len()];
    let list = || app.get(&token, "/api/v1/secret-backends");
    eventually(
        Duration::from_secs(10),
        "every backend on it sealed",
        || async { statuses(&list().await.body, &on_own) == sealed },
    )
    .await;
    let other = statuses(&list().await.body, &["elsewhere".to_owned()]);
    assert_eq!(other, [("active".to_owned(), String::new())]);

    own.unseal().await;
    let active = vec![("active".to_owned(), String::new()); on_own.len()];
    eventually(
        Duration::from_secs(10),
        "every backend on it active",
        || async { statuses(&list().await.body, &on_own) == active },
    )
    .await;
}

/// A server that accepts connections and never answers: its check hangs until the call's
/// timeout. Each accepted connection is reported on the channel.
fn silent_server() -> (String, std::sync::mpsc::Receiver<std::net::TcpStream>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let (accepted, connections) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            if accepted.send(stream).is_err() {
                return;
            }
        }
    });
    (addr, connections)
}

#[tokio::test]
async fn listing_answers_while_a_check_hangs() {
    let (app, token) = TestApp::with_admin().await;
    let (endpoint, connections) = silent_server();
    // Stored as it is (an add would ping, and be refused).
    let row = BackendRow {
        id: "silent-id".into(),
        name: "silent".into(),
        backend_type: BackendType::Vault,
        config: [
            ("endpoint".to_owned(), Value::from(endpoint)),
            ("token".to_owned(), Value::from("t")),
        ]
        .into(),
        token_rotate_secs: None,
        revision: 1,
        status: BackendStatus::Active,
        message: None,
        checked_at: None,
        next_rotation_at: None,
        last_rotation_at: None,
        last_rotation_error: None,
    };
    app.store
        .call(move |c| store::backend_insert(c, &row, 1))
        .await
        .unwrap();

    let controller = app.controller.clone();
    let round = tokio::spawn(async move { controller.health_round().await });
    let _held = tokio::task::spawn_blocking(move || connections.recv().unwrap())
        .await
        .unwrap();
    // The round is waiting on the silent server now; the list answers from the store.
    let list = app.get(&token, "/api/v1/secret-backends").await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(
        entry(&list.body["backends"], "name", "silent")["status"],
        "active"
    );
    assert!(
        !round.is_finished(),
        "the round ended before the list was asked"
    );
    round.await.unwrap().unwrap();
    let shown = app.get(&token, "/api/v1/secret-backends/silent").await;
    assert_eq!(shown.body["status"], "error", "{}", shown.text);
}
