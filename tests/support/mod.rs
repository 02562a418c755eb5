//! What the console's wasm tests share: finding what an admin sees, and a fake service in place
//! of `window.fetch` that a whole console can be mounted against.

// Each test file uses its own part of it.
#![allow(dead_code)]

use secret_backends_api::{ErrorCode, Problem};
use secret_backends_console::{ConsoleHandle, ConsoleOptions, mount};
use serde_json::{Value, json};
use wasm_bindgen::{JsCast, JsValue};

pub fn by_testid(root: &web_sys::HtmlElement, testid: &str) -> web_sys::Element {
    root.query_selector(&format!("[data-testid=\"{testid}\"]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no {testid}"))
}

pub fn text_of(root: &web_sys::HtmlElement, testid: &str) -> String {
    by_testid(root, testid).text_content().unwrap_or_default()
}

/// The channel the standalone console's tabs share.
pub const TABS: &str = "secret-backends-console";

pub fn js(value: &Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap()
}

pub fn problem(code: ErrorCode) -> Value {
    serde_json::to_value(Problem::new(code, "refused by the fake service", None)).unwrap()
}

/// Runs `body` (statements, given `args`) in the page; returns what it returns, as JSON.
pub fn run(body: &str, args: &Value) -> Value {
    let script = format!("return JSON.stringify((() => {{ {body} }})() ?? null);");
    let result = js_sys::Function::new_with_args("args", &script)
        .call1(&JsValue::NULL, &js(args))
        .unwrap();
    serde_json::from_str(&result.as_string().unwrap()).unwrap()
}

/// Replaces `window.fetch` with a fake service: `answers` maps `"METHOD /path"` to
/// `[status, body]`; anything else is a 404 problem. Each request is recorded.
pub fn fake_service(answers: Value) {
    run(
        r#"window.__sbcAnswers = args.answers;
           window.__sbcRequests = [];
           window.fetch = async (request) => {
               const key = request.method + ' ' + new URL(request.url).pathname;
               window.__sbcRequests.push({
                   key,
                   headers: Object.fromEntries(request.headers),
                   body: request.method === 'GET' ? '' : await request.clone().text(),
               });
               const [status, body] = window.__sbcAnswers[key] || [404, args.missing];
               const text = status === 204 ? null : JSON.stringify(body);
               return new Response(text, {status, headers: {'content-type': 'application/json'}});
           };
           // Counts the closes of the tabs' channel, to see a console's end go at unmount.
           if (!window.__sbcClosed) {
               window.__sbcClosed = 0;
               const close = BroadcastChannel.prototype.close;
               BroadcastChannel.prototype.close = function () {
                   if (this.name === args.tabs) window.__sbcClosed += 1;
                   return close.call(this);
               };
           }"#,
        &json!({"answers": answers, "missing": problem(ErrorCode::NotFound), "tabs": TABS}),
    );
}

/// The requests the fake service received: `{key, headers, body}`.
pub fn requests() -> Vec<Value> {
    serde_json::from_value(run("return window.__sbcRequests;", &Value::Null)).unwrap()
}

/// Mounts a console at `path` (the browser's location) into a fresh element.
pub fn console_at(path: &str, options: ConsoleOptions) -> (web_sys::HtmlElement, ConsoleHandle) {
    run("history.replaceState(null, '', args);", &json!(path));
    let document = web_sys::window().unwrap().document().unwrap();
    let element: web_sys::HtmlElement = document.create_element("div").unwrap().dyn_into().unwrap();
    document.body().unwrap().append_child(&element).unwrap();
    let handle = mount(element.clone(), options);
    (element, handle)
}

pub fn standalone() -> ConsoleOptions {
    ConsoleOptions {
        standalone: true,
        ..ConsoleOptions::default()
    }
}

pub fn has(root: &web_sys::HtmlElement, testid: &str) -> bool {
    let selector = format!("[data-testid=\"{testid}\"]");
    root.query_selector(&selector).unwrap().is_some()
}

pub fn pathname() -> String {
    web_sys::window().unwrap().location().pathname().unwrap()
}

/// Waits, a few milliseconds at a time, until `holds`; fails saying `what` after 5 s.
pub async fn until(what: &str, holds: impl Fn() -> bool) {
    for _ in 0..500 {
        if holds() {
            return;
        }
        let pause = js_sys::Promise::new(&mut |resolve, _| {
            let window = web_sys::window().unwrap();
            window
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10)
                .unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(pause).await.unwrap();
    }
    panic!("{what}: not within 5 s");
}

pub fn click(root: &web_sys::HtmlElement, testid: &str) {
    by_testid(root, testid)
        .unchecked_ref::<web_sys::HtmlElement>()
        .click();
}

pub fn admin() -> Value {
    json!({"name": "admin", "access": "superuser"})
}
