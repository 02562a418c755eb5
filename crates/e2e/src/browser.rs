//! The browser's side of a [`Session`]: a headless Chromium through chromedriver, and finding,
//! clicking, typing and running scripts in its page.

use fantoccini::cookies::Cookie;
use fantoccini::elements::Element;
use fantoccini::wd::WindowHandle;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::{Session, WAIT, env, testid_selector};

/// WebDriver key codes for [`Session::press`].
pub mod keys {
    pub const TAB: &str = "\u{E004}";
    pub const SHIFT_TAB: &str = "\u{E008}\u{E004}";
    pub const ENTER: &str = "\u{E007}";
    pub const ESCAPE: &str = "\u{E00C}";
}

/// How many times a click finds its element again when the page replaced it between the find and
/// the click (a re-render under load); more than a few means the page never settles.
const CLICK_ATTEMPTS: usize = 5;

/// A new headless Chromium through the run's chromedriver (a new profile: no cache, no cookie).
/// `accept_insecure_certs`: for a service on a certificate made by the test, which no CA vouches
/// for.
pub async fn new_browser(accept_insecure_certs: bool) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert("acceptInsecureCerts".into(), json!(accept_insecure_certs));
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
    /// Loads `path` of the service: a fresh page load. The standalone console's cookie session
    /// outlives it; a console in a host's page loses the login it held in memory.
    pub async fn open(&self, path: &str) {
        self.browser
            .goto(&format!("{}{}", self.base_url, path))
            .await
            .unwrap();
    }

    /// The element with `data-testid`, once it exists.
    pub async fn testid(&self, id: &str) -> Element {
        self.css(&testid_selector(id)).await
    }

    /// The first element matching `selector`, once it exists.
    pub async fn css(&self, selector: &str) -> Element {
        self.browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("no element {selector} within {WAIT:?}: {e}"))
    }

    /// Clicks the element with `data-testid`.
    pub async fn click(&self, id: &str) {
        self.click_css(&testid_selector(id)).await;
    }

    /// Clicks the first element matching `selector`. An element the page re-rendered between the
    /// find and the click is stale: it is found again, after the page's next render.
    pub async fn click_css(&self, selector: &str) {
        for attempt in 1..=CLICK_ATTEMPTS {
            match self.css(selector).await.click().await {
                Ok(()) => return,
                Err(e) if e.is_stale_element_reference() && attempt < CLICK_ATTEMPTS => {
                    self.next_frame().await;
                }
                Err(e) => panic!("cannot click {selector}: {e}"),
            }
        }
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

    /// Presses `keys` (see [`keys`]) in the focused element, as a person at the keyboard does.
    pub async fn press(&self, keys: &str) {
        let focused = self.browser.active_element().await.unwrap();
        focused.send_keys(keys).await.unwrap();
    }

    /// The `value` of the input with `data-testid` (empty when it has none).
    pub async fn value(&self, id: &str) -> String {
        let input = self.testid(id).await;
        input.prop("value").await.unwrap().unwrap_or_default()
    }

    /// Chooses `value` in the `<select>` with `data-testid`.
    pub async fn select(&self, id: &str, value: &str) {
        self.testid(id)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("cannot choose {value} in {id}: {e}"));
    }

    /// Whether an element with `data-testid` exists now.
    pub async fn has(&self, id: &str) -> bool {
        let selector = testid_selector(id);
        self.browser.find(Locator::Css(&selector)).await.is_ok()
    }

    /// The texts of every element matching `selector`, in page order.
    pub async fn texts(&self, selector: &str) -> Vec<String> {
        let mut out = Vec::new();
        for e in self.browser.find_all(Locator::Css(selector)).await.unwrap() {
            out.push(e.text().await.unwrap_or_default());
        }
        out
    }

    /// The result of `script` (with `arguments` as `args`) run in the page.
    pub async fn eval(&self, script: &str, args: Vec<Value>) -> Value {
        self.browser
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// The result of `script` (taking no arguments) run in the page.
    pub async fn js(&self, script: &str) -> Value {
        self.eval(script, vec![]).await
    }

    /// The result of the async function `body` run in the page (a rejection as `"error: …"`).
    pub async fn js_async(&self, body: &str) -> Value {
        let script = format!(
            "const done = arguments[arguments.length - 1]; (async () => {{ {body} }})().then(done, e => done('error: ' + e));"
        );
        self.browser
            .execute_async(&script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{body}"))
    }

    /// Everything the page holds in browser storage, as text.
    pub async fn browser_storage(&self) -> String {
        let v = self
            .js("return JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage), document.cookie]);")
            .await;
        v.as_str().unwrap_or_default().to_owned()
    }

    /// The console's session cookie, as the browser keeps it (WebDriver sees `HttpOnly` cookies;
    /// the page does not): `sbc-session` over HTTP, `__Host-sbc-session` over HTTPS.
    pub async fn session_cookie(&self) -> Option<Cookie<'static>> {
        let cookies = self.browser.get_all_cookies().await.unwrap();
        cookies
            .into_iter()
            .find(|c| c.name() == "sbc-session" || c.name() == "__Host-sbc-session")
    }

    /// Opens a new window of the same browser (its cookies shared, as a new tab's) and switches
    /// to it; returns the window that was current.
    pub async fn new_window(&self) -> WindowHandle {
        let current = self.browser.window().await.unwrap();
        let opened = self.browser.new_window(false).await.unwrap();
        self.switch_to(opened.handle).await;
        current
    }

    /// Makes `window` the one the session's commands act on.
    pub async fn switch_to(&self, window: WindowHandle) {
        self.browser.switch_to_window(window).await.unwrap();
    }

    /// Whether the URL the browser is at contains `text` anywhere.
    pub async fn url_contains(&self, text: &str) -> bool {
        let url = self.browser.current_url().await.unwrap();
        url.as_str().contains(text)
    }

    /// The page's source contains `text` anywhere.
    pub async fn source_contains(&self, text: &str) -> bool {
        self.browser.source().await.unwrap().contains(text)
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

    /// Resizes the window to `width` (and 900 px high).
    pub async fn window_width(&self, width: u32) {
        self.browser.set_window_size(width, 900).await.unwrap();
    }

    /// Runs axe-core on the page as it is now; returns the serious and critical violations, one
    /// line each (rule, impact, what it says, where).
    pub async fn accessibility_violations(&self) -> Vec<String> {
        if self.js("return typeof window.axe !== 'undefined';").await != json!(true) {
            let axe = std::fs::read_to_string(env("AXE_CORE_JS")).expect("AXE_CORE_JS is readable");
            self.browser
                .execute(&axe, vec![])
                .await
                .expect("axe-core loads");
        }
        let result = self
            .js_async(
                r#"const r = await axe.run(document, {resultTypes: ['violations']});
                   return r.violations
                       .filter(v => v.impact === 'serious' || v.impact === 'critical')
                       .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);"#,
            )
            .await;
        serde_json::from_value(result.clone())
            .unwrap_or_else(|_| vec![format!("axe failed: {result}")])
    }
}
