//! Waiting on the page: every wait polls a condition once a rendered frame until it holds or
//! [`WAIT`] has passed, then fails saying what it saw.

use fantoccini::Locator;
use serde_json::{Value, json};

use crate::{Session, WAIT, testid_selector};

impl Session {
    /// Reads `probe` once a frame until `holds` says yes; returns what it read then. After
    /// [`WAIT`], fails with `failure` of the last reading.
    pub async fn wait_until<T>(
        &self,
        mut probe: impl AsyncFnMut() -> T,
        holds: impl Fn(&T) -> bool,
        failure: impl Fn(&T) -> String,
    ) -> T {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let now = probe().await;
            if holds(&now) {
                return now;
            }
            assert!(tokio::time::Instant::now() < deadline, "{}", failure(&now));
            self.next_frame().await;
        }
    }

    /// Reads `probe` until it equals `expected`; `what` names what it reads, for the failure.
    pub async fn wait_equal<T: PartialEq + std::fmt::Debug>(
        &self,
        probe: impl AsyncFnMut() -> T,
        expected: T,
        what: &str,
    ) {
        self.wait_until(
            probe,
            |now| *now == expected,
            |now| format!("{what} is {now:?}, expected {expected:?}"),
        )
        .await;
    }

    /// Waits until the first element matching the CSS `selector` shows text containing `expected`.
    pub async fn wait_css_text(&self, selector: &str, expected: &str) -> String {
        self.wait_until(
            async || match self.browser.find(Locator::Css(selector)).await {
                Ok(e) => e.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            },
            |text| text.contains(expected),
            |text| format!("{selector} shows {text:?}, expected it to contain {expected:?}"),
        )
        .await
    }

    /// Waits until the element with `data-testid` shows text containing `expected`.
    pub async fn wait_text(&self, id: &str, expected: &str) -> String {
        self.wait_css_text(&testid_selector(id), expected).await
    }

    /// Waits until the input with `data-testid` holds exactly `expected`.
    pub async fn wait_value(&self, id: &str, expected: &str) {
        let what = format!("the value of {id}");
        self.wait_equal(async || self.value(id).await, expected.to_owned(), &what)
            .await;
    }

    /// Waits until no element matches `selector`.
    pub async fn wait_gone(&self, selector: &str) {
        self.wait_until(
            async || self.browser.find(Locator::Css(selector)).await.is_ok(),
            |present| !present,
            |_| format!("{selector} is still there"),
        )
        .await;
    }

    /// Waits for the console root's `data-state` to be `state`.
    pub async fn wait_state(&self, state: &str) {
        self.css(&format!(".sbc[data-state=\"{state}\"]")).await;
    }

    /// Waits until the browser is at `path`.
    pub async fn wait_path(&self, path: &str) {
        self.wait_equal(async || self.path().await, path.to_owned(), "the path")
            .await;
    }

    /// Waits until `script` returns `true`; `what` says what was expected.
    pub async fn wait_true(&self, script: &str, args: Vec<Value>, what: &str) {
        let holds = async || self.eval(script, args.clone()).await == json!(true);
        self.wait_until(holds, |holds| *holds, |_| what.to_owned())
            .await;
    }

    /// Waits until `script` (taking no arguments) returns `expected`.
    pub async fn wait_js(&self, script: &str, expected: Value) {
        self.wait_equal(async || self.js(script).await, expected, script)
            .await;
    }

    /// Waits until `selector` matches exactly `count` elements.
    pub async fn wait_count(&self, selector: &str, count: usize) {
        let found = async || {
            let all = self.browser.find_all(Locator::Css(selector)).await;
            all.map(|v| v.len()).unwrap_or(0)
        };
        let what = format!("the number of {selector}");
        self.wait_equal(found, count, &what).await;
    }

    /// The `data-testid` of the focused element (or its tag name when it has none).
    pub async fn focused(&self) -> String {
        let v = self
            .js("const e = document.activeElement; return e ? (e.dataset.testid || e.tagName.toLowerCase()) : '';")
            .await;
        v.as_str().unwrap_or_default().to_owned()
    }

    /// Waits until the focus is on the element with `data-testid` `expected`.
    pub async fn wait_focus(&self, expected: &str) {
        let focused = async || self.focused().await;
        self.wait_equal(focused, expected.to_owned(), "the focused element")
            .await;
    }
}
