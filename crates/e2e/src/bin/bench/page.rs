//! What the bench measures in headless Chromium, each in a fresh browser (a new WebDriver
//! session: a new profile, an empty cache). Times are taken in the page itself
//! (`performance.now()`, from the navigation's start), not across WebDriver's round trips.

use std::time::Duration;

use fantoccini::wd::{TimeoutConfiguration, WebDriverCompatibleCommand};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::Outcome;

/// What a first load cost, read when the page showed what it was waited for.
#[derive(Clone, Copy, Debug)]
pub struct FirstLoad {
    /// From the navigation's start, in milliseconds.
    pub ready_ms: f64,
    /// Bytes received (Resource Timing's `transferSize`: encoded bodies and headers), the
    /// navigation included.
    pub bytes: f64,
    pub requests: f64,
}

/// Runs `then` after the next frame has been rendered: a `requestAnimationFrame` callback runs
/// before that frame's style, layout and paint, and a message posted from it is handled after.
const AFTER_NEXT_FRAME: &str = "const afterNextFrame = (then) => requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = then;
        channel.port2.postMessage(null);
    });";

/// Installed before any of the page's own scripts: watches the document from its first node and
/// records the moment every selector matches, with the bytes and requests received by then.
fn ready_watch(selectors: &[&str]) -> String {
    format!(
        "(() => {{
            const selectors = {selectors};
            let resolve;
            window.__benchReady = new Promise((r) => (resolve = r));
            const observer = new MutationObserver(() => {{
                if (!selectors.every((s) => document.querySelector(s))) return;
                observer.disconnect();
                const ready_ms = performance.now();
                const entries = performance.getEntriesByType('navigation')
                    .concat(performance.getEntriesByType('resource'));
                const bytes = entries.reduce((sum, e) => sum + e.transferSize, 0);
                resolve({{ ready_ms, bytes, requests: entries.length }});
            }});
            observer.observe(document, {{ childList: true, subtree: true, attributes: true }});
        }})();",
        selectors = json!(selectors)
    )
}

/// A Chrome DevTools Protocol command through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    method: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or("")
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.method, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// A new headless Chromium whose scripts may run for `script_timeout`.
async fn fresh_browser(script_timeout: Duration) -> Outcome<Client> {
    let browser = secret_backends_e2e::new_browser(false).await;
    browser
        .update_timeouts(TimeoutConfiguration::new(
            Some(script_timeout),
            Some(Duration::from_secs(120)),
            None,
        ))
        .await
        .map_err(|e| e.to_string())?;
    Ok(browser)
}

/// Loads `url` in a fresh browser and waits until every one of `selectors` matches.
pub async fn first_load(url: &str, selectors: &[&str]) -> Outcome<FirstLoad> {
    let browser = fresh_browser(Duration::from_secs(60)).await?;
    let measured = async {
        let watch = Cdp {
            method: "Page.addScriptToEvaluateOnNewDocument",
            params: json!({ "source": ready_watch(selectors) }),
        };
        browser.issue_cmd(watch).await.map_err(|e| e.to_string())?;
        browser.goto(url).await.map_err(|e| format!("{url}: {e}"))?;
        let ready = browser
            .execute_async(
                "const done = arguments[arguments.length - 1]; window.__benchReady.then(done);",
                vec![],
            )
            .await
            .map_err(|e| format!("{url} never showed {selectors:?}: {e}"))?;
        let number = |key: &str| ready[key].as_f64().ok_or(format!("no {key} in {ready}"));
        Ok(FirstLoad {
            ready_ms: number("ready_ms")?,
            bytes: number("bytes")?,
            requests: number("requests")?,
        })
    }
    .await;
    let _ = browser.close().await;
    measured
}

/// With many backends: the time from submitting the login to the first row of the list shown,
/// and the latency of each filter keystroke typed after it (milliseconds).
pub struct ListInBrowser {
    pub login_to_rows_ms: f64,
    /// The console's files (both modules, the styles, the snippet) received by the first row:
    /// the first load and what the login brought (encoded bytes).
    pub console_bytes_at_rows: f64,
    /// Each keystroke: from its input event until the next frame has been rendered.
    pub keystrokes_ms: Vec<f64>,
    /// Each keystroke: from its input event until the console's work is done and the page is
    /// laid out again (ready to be painted): what decides whether the next frame is late.
    pub keystroke_work_ms: Vec<f64>,
}

/// The filter's text after each keystroke: a backend's name typed, then erased again.
pub fn keystrokes(name: &str) -> Vec<String> {
    let typed = (1..=name.len()).map(|n| name[..n].to_owned());
    let erased = (0..name.len()).rev().map(|n| name[..n].to_owned());
    typed.chain(erased).collect()
}

/// Logs in at `base_url` in a fresh browser, then types `keystrokes` into the list's filter.
pub async fn list_in_browser(
    base_url: &str,
    password: &str,
    keystrokes: &[String],
) -> Outcome<ListInBrowser> {
    let browser = fresh_browser(Duration::from_secs(600)).await?;
    let measured = async {
        browser
            .goto(&format!("{base_url}/login"))
            .await
            .map_err(|e| e.to_string())?;
        let fill = |testid: &'static str, text: String| {
            let browser = browser.clone();
            async move {
                let selector = format!("[data-testid=\"{testid}\"]");
                let input = browser
                    .wait()
                    .at_most(Duration::from_secs(60))
                    .for_element(Locator::Css(&selector))
                    .await
                    .map_err(|e| format!("no {testid}: {e}"))?;
                input.send_keys(&text).await.map_err(|e| e.to_string())
            }
        };
        fill("login-username", "admin".into()).await?;
        fill("login-password", password.into()).await?;
        let login = format!(
            "const done = arguments[arguments.length - 1];
            {AFTER_NEXT_FRAME}
            const started = performance.now();
            const observer = new MutationObserver(() => {{
                if (!document.querySelector('[data-testid^=\"backend-row-\"]')) return;
                observer.disconnect();
                afterNextFrame(() => {{
                    const elapsed = performance.now() - started;
                    const bytes = performance.getEntriesByType('resource')
                        .filter((e) => ['/secret-backends-console', '/snippets/']
                            .some((part) => new URL(e.name).pathname.includes(part)))
                        .reduce((sum, e) => sum + e.transferSize, 0);
                    done([elapsed, bytes]);
                }});
            }});
            observer.observe(document, {{ childList: true, subtree: true }});
            document.querySelector('[data-testid=\"login-submit\"]').click();"
        );
        let at_rows = browser
            .execute_async(&login, vec![])
            .await
            .map_err(|e| format!("login to rows: {e}"))?;
        let (login_to_rows_ms, console_bytes_at_rows) = match (at_rows[0].as_f64(), at_rows[1].as_f64()) {
            (Some(ms), Some(bytes)) => (ms, bytes),
            _ => return Err(format!("login to rows: not two numbers: {at_rows}")),
        };
        let typing = format!(
            "const [texts, done] = [arguments[0], arguments[arguments.length - 1]];
            {AFTER_NEXT_FRAME}
            const waitReady = (then) => document.querySelector('.sbc[data-state=\"ready\"] [data-testid=\"filter\"]')
                ? then() : setTimeout(() => waitReady(then), 20);
            const [times, work] = [[], []];
            const next = () => {{
                if (times.length === texts.length) return done([times, work]);
                const input = document.querySelector('[data-testid=\"filter\"]');
                input.value = texts[times.length];
                const started = performance.now();
                input.dispatchEvent(new Event('input', {{ bubbles: true }}));
                // A message is handled after every microtask, so after the console's effects;
                // reading a box then makes the browser lay the page out.
                const settled = new MessageChannel();
                settled.port1.onmessage = () => {{
                    document.querySelector('[data-testid=\"backends-table\"]').getBoundingClientRect();
                    work.push(performance.now() - started);
                }};
                settled.port2.postMessage(null);
                afterNextFrame(() => {{
                    times.push(performance.now() - started);
                    setTimeout(next, 0);
                }});
            }};
            waitReady(next);"
        );
        let times = browser
            .execute_async(&typing, vec![json!(keystrokes)])
            .await
            .map_err(|e| format!("typing in the filter: {e}"))?;
        let series = |n: usize| -> Outcome<Vec<f64>> {
            Ok(times[n]
                .as_array()
                .ok_or("no keystroke times")?
                .iter()
                .filter_map(Value::as_f64)
                .collect())
        };
        Ok(ListInBrowser {
            login_to_rows_ms,
            console_bytes_at_rows,
            keystrokes_ms: series(0)?,
            keystroke_work_ms: series(1)?,
        })
    }
    .await;
    let _ = browser.close().await;
    measured
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_typed_then_erased_one_keystroke_at_a_time() {
        assert_eq!(
            keystrokes("ab1"),
            ["a", "ab", "ab1", "ab", "a", ""].map(String::from)
        );
        assert_eq!(keystrokes("bench-0042").len(), 20);
    }

    #[test]
    fn the_watch_names_its_selectors_as_a_script_literal() {
        let script = ready_watch(&[".sbc[data-state=\"ready\"]", "input[name=\"token\"]"]);
        assert!(script.contains(r#"[".sbc[data-state=\"ready\"]","input[name=\"token\"]"]"#));
    }
}
