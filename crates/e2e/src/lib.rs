//! End-to-end harness: the controller service in-process over a fresh store, serving the built
//! console (`dist/`), driven in headless Chromium through chromedriver.
//!
//! `cargo xtask test` builds the console, starts chromedriver and an OpenBao dev server on free
//! loopback ports, and exports `WEBDRIVER_URL`, `SECRET_BACKENDS_DIST`, `OPENBAO_ADDR` and
//! `OPENBAO_TOKEN`. Helpers wait on conditions (an element, a text), never on time.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use secret_backends_controller::Controller;
use secret_backends_controller::embedded::EmbeddedController;
use secret_backends_controller::store::Store;
use serde_json::json;

pub const ADMIN_PASSWORD: &str = "e2e-admin-password";

/// How long a condition may take before the test fails (a cold Chromium is slow here).
pub const WAIT: Duration = Duration::from_secs(30);

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the end-to-end tests with `cargo xtask test`")
    })
}

/// The OpenBao server of the run.
pub fn openbao() -> (String, String) {
    (env("OPENBAO_ADDR"), env("OPENBAO_TOKEN"))
}

/// A running service and a browser pointed at it.
pub struct Session {
    pub browser: Client,
    pub base_url: String,
    _data: tempfile::TempDir,
}

impl Session {
    /// Starts the service on a free port over a new store, and a new headless Chromium.
    pub async fn start() -> Session {
        let dist = PathBuf::from(env("SECRET_BACKENDS_DIST"));
        assert!(
            dist.join("index.html").exists(),
            "{} has no index.html: build the console first",
            dist.display()
        );
        let data = tempfile::tempdir().unwrap();
        let store = Store::open(data.path()).unwrap();
        let (controller, _) = EmbeddedController::open(store, Some(ADMIN_PASSWORD.into()))
            .await
            .unwrap();
        let app = secret_backends_controller::http::app(controller as Arc<dyn Controller>, &dist);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--no-first-run", "--disable-sync", "--window-size=1280,900"
                ]
            }),
        );
        // Both ring and aws-lc are linked in; rustls wants one chosen. (chromedriver is plain HTTP.)
        let _ = rustls::crypto::ring::default_provider().install_default();
        let browser = ClientBuilder::rustls()
            .expect("rustls")
            .capabilities(caps)
            .connect(&env("WEBDRIVER_URL"))
            .await
            .expect("cannot start Chromium through chromedriver");
        Session {
            browser,
            base_url,
            _data: data,
        }
    }

    pub async fn open(&self, path: &str) {
        self.browser
            .goto(&format!("{}{}", self.base_url, path))
            .await
            .unwrap();
    }

    /// The element with `data-testid`, once it exists.
    pub async fn testid(&self, id: &str) -> Element {
        self.css(&format!("[data-testid=\"{id}\"]")).await
    }

    pub async fn css(&self, selector: &str) -> Element {
        self.browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("no element {selector} within {WAIT:?}: {e}"))
    }

    pub async fn click(&self, id: &str) {
        self.testid(id).await.click().await.unwrap();
    }

    /// Types `text` into the input with `data-testid`, replacing what it held.
    pub async fn fill(&self, id: &str, text: &str) {
        let input = self.testid(id).await;
        input.clear().await.unwrap();
        input.send_keys(text).await.unwrap();
    }

    /// Waits until the element with `data-testid` shows text containing `expected`.
    pub async fn wait_text(&self, id: &str, expected: &str) -> String {
        let selector = format!("[data-testid=\"{id}\"]");
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let text = match self.browser.find(Locator::Css(&selector)).await {
                Ok(e) => e.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(expected) {
                return text;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{id} shows {text:?}, expected it to contain {expected:?}"
            );
            self.next_frame().await;
        }
    }

    /// Waits until no element matches `selector`.
    pub async fn wait_gone(&self, selector: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while self.browser.find(Locator::Css(selector)).await.is_ok() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{selector} is still there"
            );
            self.next_frame().await;
        }
    }

    /// Waits for the console root's `data-state` to be `state`.
    pub async fn wait_state(&self, state: &str) {
        self.css(&format!(".sbc[data-state=\"{state}\"]")).await;
    }

    /// Yields to the page for one animation frame: the page's next render, not a fixed time.
    pub async fn next_frame(&self) {
        let _ = self
            .browser
            .execute_async(
                "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => done());",
                vec![],
            )
            .await;
    }

    pub async fn path(&self) -> String {
        self.browser.current_url().await.unwrap().path().to_owned()
    }

    /// Waits until the browser is at `path`.
    pub async fn wait_path(&self, path: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let now = self.path().await;
            if now == path {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "at {now}, expected {path}"
            );
            self.next_frame().await;
        }
    }

    /// Logs in as `admin` through the login page.
    pub async fn login_admin(&self) {
        self.fill("login-username", "admin").await;
        self.fill("login-password", ADMIN_PASSWORD).await;
        self.click("login-submit").await;
    }

    /// Everything the page holds in browser storage, as text.
    pub async fn browser_storage(&self) -> String {
        let v = self
            .browser
            .execute(
                "return JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage), document.cookie]);",
                vec![],
            )
            .await
            .unwrap();
        v.as_str().unwrap_or_default().to_owned()
    }

    pub async fn close(self) -> Result<(), CmdError> {
        self.browser.close().await
    }
}
