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
use secret_backends_controller::controller::Caller;
use secret_backends_controller::controller::{Backends, Models};
use secret_backends_controller::embedded::EmbeddedController;
use secret_backends_controller::embedded::store::Store;
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
    /// The service's controller, to set up data without the browser.
    pub controller: Arc<EmbeddedController>,
    _data: Arc<tempfile::TempDir>,
}

/// The superuser, as the controller sees it, for setting up data.
pub fn admin() -> Caller {
    Caller {
        name: "admin".into(),
        access: secret_backends_api::Access::Superuser,
    }
}

impl Session {
    /// Starts the service on a free port over a new store, and a new headless Chromium.
    pub async fn start() -> Session {
        Self::start_serving(false).await
    }

    /// Like [`Session::start`], and the example host page of `examples/embed/` at `/embed/…`
    /// (every path under it gets that page, as a host dashboard's router would).
    pub async fn start_with_host_page() -> Session {
        Self::start_serving(true).await
    }

    async fn start_serving(host_page: bool) -> Session {
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
        let mut app =
            secret_backends_controller::http::app(controller.clone() as Arc<dyn Controller>, &dist);
        if host_page {
            let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/embed");
            // The console's files again under another prefix, as a host's asset path.
            app = app.nest_service("/assets/sbc", tower_http::services::ServeDir::new(&dist));
            app = app.nest_service(
                "/embed",
                tower_http::services::ServeDir::new(&example).fallback(
                    tower_http::services::ServeFile::new(example.join("index.html")),
                ),
            );
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

        let browser = new_browser().await;
        Session {
            browser,
            base_url,
            controller,
            _data: Arc::new(data),
        }
    }

    /// A second browser on the same service (another admin, another tab).
    pub async fn another(&self) -> Session {
        Session {
            browser: new_browser().await,
            base_url: self.base_url.clone(),
            controller: self.controller.clone(),
            _data: self._data.clone(),
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
        if text.is_empty() {
            // Clearing fires no `input` event; typing and deleting a character does, like a person.
            input.send_keys("x\u{E003}").await.unwrap();
        } else {
            input.send_keys(text).await.unwrap();
        }
    }

    /// Waits until the first element matching the CSS `selector` shows text containing `expected`.
    pub async fn wait_css_text(&self, selector: &str, expected: &str) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let text = match self.browser.find(Locator::Css(selector)).await {
                Ok(e) => e.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(expected) {
                return text;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{selector} shows {text:?}, expected it to contain {expected:?}"
            );
            self.next_frame().await;
        }
    }

    /// Waits until the element with `data-testid` shows text containing `expected`.
    pub async fn wait_text(&self, id: &str, expected: &str) -> String {
        self.wait_css_text(&format!("[data-testid=\"{id}\"]"), expected)
            .await
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
        self.login_as("admin", ADMIN_PASSWORD).await;
    }

    /// Logs in through the login page.
    pub async fn login_as(&self, user: &str, password: &str) {
        self.fill("login-username", user).await;
        self.fill("login-password", password).await;
        self.click("login-submit").await;
    }

    /// Adds a vault backend on the run's OpenBao through the controller (not the browser);
    /// `config` entries are added to endpoint and token.
    pub async fn seed_vault(&self, name: &str, config: serde_json::Value) {
        let (addr, token) = openbao();
        let mut full = json!({"endpoint": addr, "token": token});
        for (k, v) in config.as_object().cloned().unwrap_or_default() {
            full[k] = v;
        }
        self.controller
            .backend_add(
                &admin(),
                secret_backends_api::AddBackendRequest {
                    name: name.into(),
                    backend_type: "vault".into(),
                    config: serde_json::from_value(full).unwrap(),
                    ..Default::default()
                },
            )
            .await
            .unwrap_or_else(|e| panic!("cannot add {name}: {e}"));
    }

    /// Adds an IaaS model through the controller, on `backend` when given (else `auto`).
    pub async fn seed_model(&self, name: &str, backend: Option<&str>) {
        self.controller
            .model_add(
                &admin(),
                secret_backends_api::AddModelRequest {
                    name: name.into(),
                    model_type: secret_backends_api::ModelType::Iaas,
                },
            )
            .await
            .unwrap_or_else(|e| panic!("cannot add model {name}: {e}"));
        if let Some(backend) = backend {
            self.seed_model_backend(name, backend).await;
        }
    }

    /// Sets a model's backend through the controller (not forced).
    pub async fn seed_model_backend(&self, model: &str, backend: &str) {
        self.controller
            .model_set_backend(
                &admin(),
                model,
                secret_backends_api::SetModelBackendRequest {
                    secret_backend: backend.into(),
                    force: false,
                },
                None,
            )
            .await
            .unwrap_or_else(|e| panic!("cannot set {model}'s backend to {backend}: {e}"));
    }

    /// Adds a secret with one key to `model` through the controller: its content goes to the
    /// model's backend.
    pub async fn seed_secret(&self, model: &str, label: &str) {
        self.controller
            .secret_add(
                &admin(),
                model,
                secret_backends_api::AddSecretRequest {
                    label: label.into(),
                    content: [("k".to_owned(), "v".to_owned())].into(),
                },
            )
            .await
            .unwrap_or_else(|e| panic!("cannot add secret {label} to {model}: {e}"));
    }

    /// Opens `path` on a fresh page load, logs in as the admin (the token lives in memory, so a
    /// load asks for a login first) and waits for the page.
    pub async fn open_logged_in(&self, path: &str) {
        self.open(path).await;
        self.wait_path("/login").await;
        self.login_admin().await;
        self.wait_path(path).await;
        self.wait_state("ready").await;
    }

    /// The result of `script` (with `arguments` as `args`) run in the page.
    pub async fn eval(&self, script: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
        self.browser
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// The result of `script` (taking no arguments) run in the page.
    pub async fn js(&self, script: &str) -> serde_json::Value {
        self.eval(script, vec![]).await
    }

    /// Waits until `script` returns `true`; `what` says what was expected.
    pub async fn wait_true(&self, script: &str, args: Vec<serde_json::Value>, what: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if self.eval(script, args.clone()).await == json!(true) {
                return;
            }
            assert!(tokio::time::Instant::now() < deadline, "{what}");
            self.next_frame().await;
        }
    }

    /// The texts of every element matching `selector`, in page order.
    pub async fn texts(&self, selector: &str) -> Vec<String> {
        let mut out = Vec::new();
        for e in self.browser.find_all(Locator::Css(selector)).await.unwrap() {
            out.push(e.text().await.unwrap_or_default());
        }
        out
    }

    /// Waits until `selector` matches exactly `count` elements.
    pub async fn wait_count(&self, selector: &str, count: usize) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let n = self
                .browser
                .find_all(Locator::Css(selector))
                .await
                .map(|v| v.len())
                .unwrap_or(0);
            if n == count {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{selector}: {n} elements, expected {count}"
            );
            self.next_frame().await;
        }
    }

    /// Whether an element with `data-testid` exists now.
    pub async fn has(&self, id: &str) -> bool {
        self.browser
            .find(Locator::Css(&format!("[data-testid=\"{id}\"]")))
            .await
            .is_ok()
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

/// A new headless Chromium through the run's chromedriver.
async fn new_browser() -> Client {
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
    ClientBuilder::rustls()
        .expect("rustls")
        .capabilities(caps)
        .connect(&env("WEBDRIVER_URL"))
        .await
        .expect("cannot start Chromium through chromedriver")
}

impl Session {
    /// Runs axe-core on the page as it is now; returns the serious and critical violations, one
    /// line each (rule, impact, what it says, where).
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let axe = std::fs::read_to_string(env("AXE_CORE_JS")).expect("AXE_CORE_JS is readable");
        let loaded = self
            .browser
            .execute("return typeof window.axe !== 'undefined';", vec![])
            .await
            .unwrap();
        if loaded != json!(true) {
            self.browser
                .execute(&axe, vec![])
                .await
                .expect("axe-core loads");
        }
        let result = self
            .browser
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   axe.run(document, {resultTypes: ['violations']})
                      .then(r => done(r.violations
                          .filter(v => v.impact === 'serious' || v.impact === 'critical')
                          .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)))
                      .catch(e => done(['axe failed: ' + e]));"#,
                vec![],
            )
            .await
            .unwrap();
        serde_json::from_value(result).unwrap_or_default()
    }

    /// Moves to a console path inside the page (no reload: the login and the theme stay), as the
    /// browser's back and forward buttons do.
    pub async fn go(&self, path: &str) {
        self.browser
            .execute(
                "history.pushState(null, '', arguments[0]); dispatchEvent(new PopStateEvent('popstate'));",
                vec![json!(path)],
            )
            .await
            .unwrap();
        self.wait_path(path).await;
    }

    /// Chooses the theme in the console's header.
    pub async fn choose_theme(&self, theme: &str) {
        self.browser
            .execute(
                "const s = document.querySelector('[data-testid=theme]'); s.value = arguments[0]; s.dispatchEvent(new Event('change'));",
                vec![json!(theme)],
            )
            .await
            .unwrap();
        self.css(&format!(".sbc[data-theme=\"{theme}\"]")).await;
    }
}
