//! A backend that stops answering, as the model page and the list show it; the model page's
//! `juju` commands; and the list's wording and layout, in headless Chromium.
//!
//! A backend that does not answer is made for real: it is added through a TCP relay to the run's
//! OpenBao (so the service's ping passes), then the relay is shut, so its endpoint refuses
//! connections, and the backend is checked again.

use std::sync::{Arc, Mutex};

use secret_backends_controller::controller::Backends;
use secret_backends_e2e::{Seed, Session, admin, openbao};
use serde_json::json;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Juju cuts the messages of `juju secret-backends` at this many characters.
const SHORT: usize = 80;

/// A TCP relay from a local port to the run's OpenBao, until it is shut.
struct Relay {
    endpoint: String,
    accept: JoinHandle<()>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Relay {
    async fn start() -> Relay {
        let (addr, _) = openbao();
        let target = addr
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(Mutex::new(Vec::new()));
        let open = connections.clone();
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let target = target.clone();
                let relayed = tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(&target).await else {
                        return;
                    };
                    let (client_read, client_write) = client.into_split();
                    let (server_read, server_write) = server.into_split();
                    tokio::join!(
                        pump(client_read, server_write),
                        pump(server_read, client_write)
                    );
                });
                open.lock().unwrap().push(relayed);
            }
        });
        Relay {
            endpoint,
            accept,
            connections,
        }
    }

    /// Closes the port and every relayed connection: the endpoint now refuses connections.
    async fn shut(self) {
        self.accept.abort();
        // Awaiting the cancelled task means its listener is dropped, so the port is closed.
        let _ = self.accept.await;
        let open: Vec<_> = self.connections.lock().unwrap().drain(..).collect();
        for connection in open {
            connection.abort();
            let _ = connection.await;
        }
    }
}

/// Copies bytes from one socket to the other until the first one ends.
async fn pump(from: OwnedReadHalf, to: OwnedWriteHalf) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        if from.readable().await.is_err() {
            return;
        }
        let n = match from.try_read(&mut buf) {
            Ok(0) => return,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(_) => return,
        };
        let mut sent = 0;
        while sent < n {
            if to.writable().await.is_err() {
                return;
            }
            match to.try_write(&buf[sent..n]) {
                Ok(k) => sent += k,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(_) => return,
            }
        }
    }
}

/// Adds a vault backend that answered when it was added and no longer does (checked since);
/// returns the message of its failed check.
async fn add_dead_vault(s: &Session, name: &str) -> String {
    let relay = Relay::start().await;
    let vault = Seed::new().vault_with(name, json!({ "endpoint": relay.endpoint }));
    s.seed(vault).await;
    relay.shut().await;
    let checked = s
        .embedded()
        .backend_check(&admin(), name)
        .await
        .unwrap()
        .value;
    assert_eq!(checked.status.as_str(), "error", "{name} still answers");
    checked.message.expect("a failed check says why")
}

#[tokio::test]
async fn a_model_page_shows_a_backend_that_does_not_answer_as_unhealthy_and_warns() {
    let relay = Relay::start().await;
    let seed = Seed::new()
        .model("web")
        // A secret in internal, which then drains to the vault.
        .secret("web", "db")
        .vault_with("gone-vault", json!({ "endpoint": relay.endpoint }))
        // Set while it answered; then it stops answering.
        .model_backend("web", "gone-vault");
    let s = Session::start_with(seed).await;
    relay.shut().await;
    s.embedded()
        .backend_check(&admin(), "gone-vault")
        .await
        .unwrap();

    s.open_logged_in("/models/web").await;
    s.wait_text("model-effective", "gone-vault").await;
    // The model's use of the backend and the backend's health are two facts.
    s.wait_text("model-backend-use-gone-vault", "active").await;
    let health = s
        .wait_text("model-backend-health-gone-vault", "error")
        .await;
    assert!(
        health.contains("not reachable"),
        "the health says why: {health:?}"
    );
    let warning = s
        .wait_text(
            "model-health-warning-gone-vault",
            "New secrets and new revisions of this model will fail to be stored until it answers",
        )
        .await;
    assert!(warning.contains("gone-vault is not healthy"), "{warning:?}");
    // The health is not shown as "active".
    let class = s
        .css("[data-testid=\"model-backend-health-gone-vault\"] .sbc-status")
        .await
        .attr("class")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(class.contains("sbc-status--error"), "{class:?}");
    // A backend that answers has no warning.
    s.wait_text("model-backend-use-internal", "draining").await;
    s.wait_text("model-backend-health-internal", "active").await;
    assert!(!s.has("model-health-warning-internal").await);
    for theme in ["light", "dark"] {
        s.choose_theme(theme).await;
        let violations = s.accessibility_violations().await;
        assert!(violations.is_empty(), "{theme}: {violations:#?}");
    }
    s.close().await.unwrap();
}

#[tokio::test]
async fn the_list_and_the_picker_show_a_short_message_and_the_detail_page_the_whole_one() {
    let s = Session::start_with(Seed::new().model("web")).await;
    let full = add_dead_vault(&s, "gone-vault").await;
    assert!(
        full.chars().count() > SHORT,
        "the whole message is long enough to be cut: {full:?}"
    );

    s.open_logged_in("/backends").await;
    s.wait_text("backend-status-gone-vault", "error").await;
    let cell = s
        .css("[data-testid=\"backend-status-gone-vault\"] .sbc-status")
        .await
        .text()
        .await
        .unwrap();
    let message = cell.trim_start_matches("error: ");
    assert!(
        message.chars().count() <= SHORT,
        "the list's message is at most {SHORT} characters: {message:?}"
    );
    assert!(!cell.contains(&full), "{cell:?}");

    // The detail page keeps the whole message.
    s.follow_link_in("backend-row-gone-vault", "/backends/gone-vault")
        .await;
    s.wait_text("backend-status", &full).await;

    // The model page's picker shows the short one.
    s.go("/models/web").await;
    let option = s
        .css("[data-testid=\"backend-picker\"] option[value=\"gone-vault\"]")
        .await
        .text()
        .await
        .unwrap();
    assert!(option.starts_with("gone-vault (error: "), "{option:?}");
    assert!(
        !option.contains(&full),
        "the picker shows the short message: {option:?}"
    );
    assert!(
        option.chars().count() <= "gone-vault (error: )".len() + SHORT,
        "{option:?}"
    );
    s.close().await.unwrap();
}

#[tokio::test]
async fn the_model_page_labels_the_juju_3_and_4_commands_and_a_forced_change_has_none() {
    let s = Session::start_with(Seed::new().model("web").vault("e2e-vault")).await;
    add_dead_vault(&s, "gone-vault").await;

    s.open_logged_in("/models/web").await;
    s.pick_backend("e2e-vault").await;
    s.wait_text(
        "model-command-3x",
        "juju model-config -m web secret-backend=e2e-vault",
    )
    .await;
    s.wait_text(
        "model-command-4x",
        "juju model-secret-backend -m web e2e-vault",
    )
    .await;
    let commands = s.wait_text("model-command-box", "Juju 3.x").await;
    assert!(commands.contains("Juju 4.x"), "{commands:?}");
    // What a change does to existing secrets, in the how-to's words.
    s.wait_text(
        "model-backend-form",
        "existing ones are read from the old backend while it is draining, and moved over in the background",
    )
    .await;

    // A backend that does not answer: refused, then set anyway, which the CLI cannot do.
    s.pick_backend("gone-vault").await;
    s.wait_text("model-command-4x", "gone-vault").await;
    s.click("set-backend").await;
    let refused = s
        .wait_text("alert", "cannot ping backend \"gone-vault\"")
        .await;
    assert!(
        refused.chars().count() <= SHORT,
        "the refusal is one short sentence: {refused:?}"
    );
    s.wait_text(
        "set-backend-unreachable",
        "The juju CLI has no equivalent of setting it anyway",
    )
    .await;
    s.click("set-backend-force").await;
    let done = s.wait_text("set-backend-done", "now gone-vault").await;
    assert!(
        done.contains("new secret revisions go to gone-vault at once"),
        "{done:?}"
    );
    assert!(done.contains("moved over in the background"), "{done:?}");
    s.wait_text("model-command-forced", "no equivalent of a forced change")
        .await;
    assert!(
        !s.has("model-command-4x").await,
        "no command is offered for a forced change"
    );
    let violations = s.accessibility_violations().await;
    assert!(violations.is_empty(), "{violations:#?}");
    // Another choice is an ordinary change again.
    s.pick_backend("internal").await;
    s.wait_text(
        "model-command-4x",
        "juju model-secret-backend -m web internal",
    )
    .await;
    s.wait_gone("[data-testid=\"model-command-forced\"]").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn counts_of_one_are_singular() {
    let s = Session::start_logged_in(Seed::new(), "/backends").await;
    // A fresh controller has one backend: internal.
    s.wait_count("[data-testid^=\"backend-row-\"]", 1).await;
    let count = s.wait_text("backends-count", "1 backend").await;
    assert_eq!(count.trim(), "1 backend");
    s.close().await.unwrap();
}

#[tokio::test]
async fn export_sits_in_the_filter_row_and_keeps_its_height_when_opened() {
    let s = Session::start().await;
    s.window_width(1366).await;
    s.open_logged_in("/backends").await;
    s.testid("backends-table").await;
    let measure = r#"
        const r = (id) => document.querySelector(`[data-testid="${id}"]`).getBoundingClientRect();
        return { export_bottom: r("export").bottom, filter_bottom: r("filter").bottom,
                 export_top: r("export").top, filter_top: r("filter").top, height: r("export").height };
    "#;
    let closed = s.js(measure).await;
    let gap = (closed["export_bottom"].as_f64().unwrap()
        - closed["filter_bottom"].as_f64().unwrap())
    .abs();
    assert!(
        gap <= 2.0,
        "Export is in line with the filter (bottoms {gap}px apart): {closed}"
    );
    assert!(
        closed["export_top"].as_f64().unwrap() < closed["filter_bottom"].as_f64().unwrap(),
        "Export is on the filter's row: {closed}"
    );

    s.click("export").await;
    s.testid("export-panel").await;
    let open = s.js(measure).await;
    assert_eq!(
        open["height"], closed["height"],
        "the Export button keeps its height when the panel opens"
    );
    let panel_top = s.js(r#"return document.querySelector('[data-testid="export-panel"]').getBoundingClientRect().top;"#,
    )
    .await;
    assert!(
        panel_top.as_f64().unwrap() >= open["export_bottom"].as_f64().unwrap(),
        "the panel opens below the row: {panel_top} {open}"
    );

    // The same on a backend's page.
    s.go("/backends/internal").await;
    s.wait_text("backend-name", "internal").await;
    let button = r#"return document.querySelector('[data-testid="export"]').getBoundingClientRect().height;"#;
    let before = s.js(button).await;
    s.click("export").await;
    s.testid("export-panel").await;
    assert_eq!(s.js(button).await, before);
    s.close().await.unwrap();
}
