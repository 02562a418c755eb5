//! The console embedded in a host page (`examples/embed/index.html`, served at `/embed/…`):
//! host links stay the host's, console links stay under the base path, token mode, `onEvent`,
//! two themed consoles, the host's CSS, re-theming through `--sbc-*` from any ancestor, the custom
//! element, and mount/unmount leaving nothing.

use secret_backends_e2e::{ADMIN_PASSWORD, Session};
use serde_json::{Value, json};

/// A session on the host page whose console is unmounted.
async fn start_unmounted_host() -> Session {
    let s = Session::start_with_host_page().await;
    open_host(&s, "/embed/secrets/backends").await;
    host_unmount(&s).await;
    s
}

/// Mounts the host page's console (`window.host.mount`), logged in with `token` when given.
async fn host_mount(s: &Session, token: Option<&str>) {
    let options = token.map_or(json!({}), |token| json!({ "token": token }));
    s.eval(
        "window.host.mount(arguments[0]); return null;",
        vec![options],
    )
    .await;
}

/// Unmounts the host page's console (`window.host.unmount`).
async fn host_unmount(s: &Session) {
    s.js("window.host.unmount(); return null;").await;
}

/// Adds a `<secret-backends-console>` (base path `/embed/secrets`) with `id` and `theme` to the
/// element `parent` (a selector), once `setup` (statements about `el`) has run.
async fn add_console_element(s: &Session, parent: &str, id: &str, theme: &str, setup: &str) {
    s.js_async(&format!(
        r#"
        await import('/secret-backends-console-element.js');
        const el = document.createElement('secret-backends-console');
        el.setAttribute('base-path', '/embed/secrets');
        el.setAttribute('theme', '{theme}');
        el.id = '{id}';
        {setup}
        document.querySelector('{parent}').append(el);
        return null;"#
    ))
    .await;
}

/// Opens `path` of the host page and waits until the host has loaded the console's module.
async fn open_host(s: &Session, path: &str) {
    s.open(path).await;
    s.css("body[data-host-ready=\"true\"]").await;
}

#[tokio::test]
async fn host_links_stay_the_hosts_and_console_links_stay_under_the_base_path() {
    let s = Session::start_with_host_page().await;
    open_host(&s, "/embed/secrets/backends").await;
    // No token from the host: the console asks for a login, inside its panel and base path.
    s.wait_path("/embed/secrets/login").await;
    s.css("#console-panel [data-testid=\"login-form\"]").await;
    s.login_admin().await;
    s.wait_path("/embed/secrets/backends").await;
    s.testid("backend-row-internal").await;

    s.js("window.__noReload = 'still here'; return null;").await;
    s.follow_link_in("backend-row-internal", "/embed/secrets/backends/internal")
        .await;
    assert_eq!(
        s.js("return window.__noReload;").await,
        json!("still here"),
        "the console navigated without a reload"
    );
    // Browser back stays inside the console's history.
    s.browser.back().await.unwrap();
    s.wait_path("/embed/secrets/backends").await;

    // A host link outside the base path is the host's: a real navigation.
    s.click("host-about").await;
    s.wait_path("/embed/about").await;
    s.css("body[data-host-ready=\"true\"]").await;
    assert_eq!(
        s.js("return window.__noReload ?? null;").await,
        Value::Null,
        "the host navigated"
    );
    assert_eq!(
        s.js("return document.querySelectorAll('.sbc').length;")
            .await,
        json!(0)
    );
    s.close().await.unwrap();
}

#[tokio::test]
async fn a_host_token_skips_the_login_and_on_event_reports_changes() {
    let s = Session::start_with_host_page().await;
    open_host(&s, "/embed/secrets/backends").await;
    s.js_async(&format!(
        "await window.host.loginAndMount('admin', '{ADMIN_PASSWORD}'); return null;"
    ))
    .await;
    s.testid("backend-row-internal").await;
    assert!(!s.has("login-form").await);
    s.wait_text("current-user", "admin").await;

    let (addr, token) = secret_backends_e2e::openbao();
    s.click("add-backend").await;
    s.wait_path("/embed/secrets/backends/new").await;
    s.submit_vault_form("hosted", &addr, &token).await;
    s.wait_path("/embed/secrets/backends/hosted").await;
    s.wait_text("backend-status", "active").await;
    let events = s.js("return window.host.events;").await;
    assert_eq!(events, json!([{"kind": "backend-added", "name": "hosted"}]));
    s.close().await.unwrap();
}

#[tokio::test]
async fn two_consoles_keep_their_themes_and_the_hosts_css_out() {
    let s = Session::start_with_host_page().await;
    open_host(&s, "/embed/secrets/backends?theme=light&second=dark").await;
    s.wait_count(".sbc", 2).await;
    let themes = s.js("return [...document.querySelectorAll('.sbc')].map(e => [e.dataset.theme, getComputedStyle(e).backgroundColor]);").await;
    let themes = themes.as_array().unwrap();
    assert_eq!(themes[0][0], "light");
    assert_eq!(themes[1][0], "dark");
    assert_ne!(
        themes[0][1], themes[1][1],
        "each console paints its own theme: {themes:?}"
    );

    // The host styles `a`, `button` and tables broadly; inside the console they do not apply,
    // and the console's styles do not reach the host.
    s.css("#console-panel [data-testid=\"login-submit\"]").await;
    let styles = s
        .js(r#"
        const button = document.querySelector('#console-panel [data-testid="login-submit"]');
        const hostLink = document.querySelector('[data-testid="host-home"]');
        return {
            buttonRadius: getComputedStyle(button).borderTopLeftRadius,
            buttonBackground: getComputedStyle(button).backgroundColor,
            hostLinkTransform: getComputedStyle(hostLink).textTransform,
            hostBodyFont: getComputedStyle(document.body).fontFamily,
        };"#)
        .await;
    assert_eq!(styles["buttonRadius"], "2px", "{styles}");
    assert_eq!(
        styles["buttonBackground"], "rgb(108, 113, 196)",
        "the host re-themed it through --sbc-primary-bg: {styles}"
    );
    assert_eq!(styles["hostLinkTransform"], "uppercase", "{styles}");
    assert!(
        styles["hostBodyFont"].as_str().unwrap().contains("Georgia"),
        "{styles}"
    );
    s.close().await.unwrap();
}

/// The computed look of a console's parts: the root's colours and font, the title's size and
/// weight, a field label's weight and a link's colour.
const CONSOLE_LOOK: &str = r#"
    const root = document.querySelector(arguments[0] + ' .sbc');
    const style = (selector, property) => getComputedStyle(root.querySelector(selector))[property];
    return {
        background: getComputedStyle(root).backgroundColor,
        color: getComputedStyle(root).color,
        font: getComputedStyle(root).fontFamily,
        titleSize: style('h1', 'fontSize'),
        titleWeight: style('h1', 'fontWeight'),
        labelWeight: style('.sbc-field label', 'fontWeight'),
        submitBackground: style('[data-testid="login-submit"]', 'backgroundColor'),
    };"#;

/// `docs/embedding.md`: a host re-themes the console by setting `--sbc-*` on any ancestor (its
/// panel, the page's root, the custom element); the console itself never sets them.
#[tokio::test]
async fn a_host_re_themes_the_console_from_any_ancestor() {
    let s = Session::start_with_host_page().await;
    open_host(&s, "/embed/secrets/backends?theme=light").await;
    s.css("#console-panel [data-testid=\"login-submit\"]").await;
    let look = |scope: &'static str| {
        let s = &s;
        async move { s.eval(CONSOLE_LOOK, vec![json!(scope)]).await }
    };
    let before = look("#console-panel").await;
    assert_eq!(before["background"], "rgb(255, 255, 255)", "{before}");
    assert_eq!(before["titleSize"], "32px", "{before}");

    // On the mount element's parent and on the page's root: not on `.sbc` itself.
    s.js(r#"
        const panel = document.getElementById('console-panel');
        panel.style.setProperty('--sbc-bg', 'rgb(1, 2, 3)');
        panel.style.setProperty('--sbc-fg', 'rgb(250, 240, 230)');
        panel.style.setProperty('--sbc-font', '"Courier New", monospace');
        panel.style.setProperty('--sbc-text-h1', '40px');
        panel.style.setProperty('--sbc-weight-light', '700');
        document.documentElement.style.setProperty('--sbc-weight-medium', '800');
        return null;"#)
        .await;
    let after = look("#console-panel").await;
    assert_eq!(after["background"], "rgb(1, 2, 3)", "{after}");
    assert_eq!(after["color"], "rgb(250, 240, 230)", "{after}");
    assert!(
        after["font"]
            .as_str()
            .unwrap()
            .starts_with("\"Courier New\""),
        "{after}"
    );
    assert_eq!(after["titleSize"], "40px", "{after}");
    assert_eq!(after["titleWeight"], "700", "{after}");
    assert_eq!(after["labelWeight"], "800", "{after}");
    // The host page's own rule on `.sbc` still wins over its ancestors' values.
    assert_eq!(after["submitBackground"], "rgb(108, 113, 196)", "{after}");

    // The custom element: properties set on `<secret-backends-console>` reach its console.
    host_unmount(&s).await;
    s.js("document.documentElement.removeAttribute('style'); return null;")
        .await;
    s.wait_count(".sbc", 0).await;
    let style = "el.style.setProperty('--sbc-primary-bg', 'rgb(10, 20, 30)');
        el.style.setProperty('--sbc-text-h1', '20px');";
    add_console_element(&s, "body", "themed-element", "light", style).await;
    s.css("#themed-element [data-testid=\"login-submit\"]")
        .await;
    let element = look("#themed-element").await;
    assert_eq!(element["submitBackground"], "rgb(10, 20, 30)", "{element}");
    assert_eq!(element["titleSize"], "20px", "{element}");
    assert_eq!(element["background"], "rgb(255, 255, 255)", "{element}");
    s.close().await.unwrap();
}

#[tokio::test]
async fn the_custom_element_mounts_with_a_token_property_and_unmounts_when_removed() {
    let s = start_unmounted_host().await;
    s.wait_count(".sbc", 0).await;
    let api = s.api().await;
    let token = api.token();
    let set_token = format!("el.token = '{token}';");
    add_console_element(
        &s,
        "#console-panel",
        "element-under-test",
        "dark",
        &set_token,
    )
    .await;
    s.css("#element-under-test .sbc[data-theme=\"dark\"]").await;
    s.testid("backend-row-internal").await;
    let attrs = s.js("const el = document.getElementById('element-under-test'); return [el.getAttribute('token'), el.outerHTML.length];").await;
    assert_eq!(
        attrs[0],
        Value::Null,
        "the token is a property, never an attribute"
    );
    let html = s.js("return document.documentElement.outerHTML;").await;
    assert!(
        !html.as_str().unwrap().contains(token),
        "the token is nowhere in the DOM"
    );
    s.js("document.getElementById('element-under-test').remove(); return null;")
        .await;
    s.wait_count(".sbc", 0).await;
    s.close().await.unwrap();
}

/// Mount and unmount 50 times: no DOM, listener, timer or event stream is left behind.
#[tokio::test]
async fn mounting_and_unmounting_fifty_times_leaves_nothing_behind() {
    let s = start_unmounted_host().await;
    // Count what the console creates and releases.
    s.js(r#"
        const counts = window.__counts = {listeners: 0, intervals: 0, timeouts: 0, streams: 0};
        const add = window.addEventListener, remove = window.removeEventListener;
        window.addEventListener = function (...a) { counts.listeners++; return add.apply(this, a); };
        window.removeEventListener = function (...a) { counts.listeners--; return remove.apply(this, a); };
        const si = window.setInterval, ci = window.clearInterval;
        const live = new Set();
        window.setInterval = function (...a) { const id = si.apply(this, a); live.add(id); counts.intervals = live.size; return id; };
        window.clearInterval = function (id) { live.delete(id); counts.intervals = live.size; return ci.call(this, id); };
        const ES = window.EventSource;
        window.EventSource = class extends ES {
            constructor(...a) { super(...a); counts.streams++; }
            close() { if (this.readyState !== 2) counts.streams--; super.close(); }
        };
        return null;"#).await;
    let api = s.api().await;
    let token = api.token();
    let nodes_before = s
        .js("return document.getElementsByTagName('*').length;")
        .await;
    // A console without a token (its login page) and one with a token, each used, then removed.
    host_mount(&s, None).await;
    s.css("#console-panel [data-testid=\"login-form\"]").await;
    host_unmount(&s).await;
    assert_eq!(
        s.js("return window.__counts.listeners;").await,
        json!(0),
        "the login page's console left a listener"
    );
    // One full cycle, waiting for the console to load and open its change feed.
    host_mount(&s, Some(token)).await;
    s.testid("backend-row-internal").await;
    s.wait_state("ready").await;
    // The change feed opens.
    s.wait_js("return window.__counts.streams;", json!(1)).await;
    host_unmount(&s).await;
    for _ in 0..50 {
        s.js(&format!(
            "window.host.mount({{token: '{token}'}}); window.host.unmount(); return null;"
        ))
        .await;
    }
    // Let any pending async work (ticket requests) finish before counting.
    s.js_async("await new Promise(r => setTimeout(r, 0)); await fetch('/healthz'); return null;")
        .await;
    s.next_frame().await;
    let counts = s.js("return window.__counts;").await;
    assert_eq!(
        counts,
        json!({"listeners": 0, "intervals": 0, "timeouts": 0, "streams": 0}),
        "left behind: {counts}"
    );
    let nodes_after = s
        .js("return document.getElementsByTagName('*').length;")
        .await;
    assert_eq!(nodes_after, nodes_before, "no DOM left behind");
    s.close().await.unwrap();
}

/// Imports the built `module` (a path under `/assets/sbc/`, where the host page's server has the
/// built files), inits it and mounts a console with it into the host's second panel under
/// `base`; returns the paths of every resource the page has fetched by then.
async fn mount_in_second_panel(s: &Session, module: &str, base: &str) -> Vec<String> {
    let outcome = s
        .js_async(&format!(
            r#"
        const [module, base] = [{module}, {base}];
        const m = await import(module);
        await m.default();
        const panel = document.getElementById('second-panel');
        panel.hidden = false;
        history.pushState(null, '', base + '/login');
        window.__mounted = m.mountConsole(panel, {{basePath: base}});
        return performance.getEntriesByType('resource').map(r => new URL(r.name).pathname);"#,
            module = json!(module),
            base = json!(base),
        ))
        .await;
    serde_json::from_value(outcome.clone()).unwrap_or_else(|_| panic!("{outcome}"))
}

/// The built files work from any URL prefix: the module finds its wasm next to itself.
#[tokio::test]
async fn the_built_files_work_from_another_url_prefix() {
    let s = Session::start_with_host_page().await;
    open_host(&s, "/embed/about").await;
    let loaded = mount_in_second_panel(
        &s,
        "/assets/sbc/secret-backends-console.js",
        "/embed/secrets",
    )
    .await;
    assert!(
        loaded.contains(&"/assets/sbc/secret-backends-console_bg.wasm".to_owned()),
        "{loaded:?}"
    );
    s.css("#second-panel [data-testid=\"login-form\"]").await;
    s.close().await.unwrap();
}

/// The full module is a module of its own too: a host that imports it directly gets the same
/// `default` (init) and `mountConsole`, finding its wasm next to itself, in one module.
#[tokio::test]
async fn a_host_may_import_the_full_module_directly() {
    let s = Session::start_with_host_page().await;
    open_host(&s, "/embed/about").await;
    let loaded = mount_in_second_panel(
        &s,
        "/assets/sbc/secret-backends-console-full.js",
        "/embed/full",
    )
    .await;
    assert!(
        loaded.contains(&"/assets/sbc/secret-backends-console-full_bg.wasm".to_owned()),
        "{loaded:?}"
    );
    // The full module's own console: it asks for the login in the panel.
    s.css("#second-panel [data-testid=\"login-form\"]").await;
    s.close().await.unwrap();
}
