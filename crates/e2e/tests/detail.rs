//! The backend detail page and its dialogs, and the layouts that must hold at 375 px: the remove
//! and rotate dialogs are keyboard dialogs, built-ins offer no "Check now", revealed values count
//! down and keep their rows short, PEM is shown as written, commands break at spaces, and the
//! audit trail fits a phone with relative times.

use secret_backends_api::UpdateBackendRequest;
use secret_backends_e2e::keys::{ESCAPE, SHIFT_TAB, TAB};
use secret_backends_e2e::{Seed, Session, config_change};
use serde_json::{Value, json};

/// A self-signed certificate (`O=Example, CN=vault.example`, valid until 2036-11-27).
const CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBqTCCAU+gAwIBAgIUYHX23TUR+PwPOsBfRBW2X8FWTmQwCgYIKoZIzj0EAwIw
KjEQMA4GA1UECgwHRXhhbXBsZTEWMBQGA1UEAwwNdmF1bHQuZXhhbXBsZTAeFw0y
NjExMzAxNzAwMjBaFw0zNjExMjcxNzAwMjBaMCoxEDAOBgNVBAoMB0V4YW1wbGUx
FjAUBgNVBAMMDXZhdWx0LmV4YW1wbGUwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC
AATVmUL3+Qjtr9EEfolIk07IX9H/oI1D2SVIC29/GxSd4znVSng6XrYp/umqv9kU
JoYECTGLPhmqyx7Nj+114TOVo1MwUTAdBgNVHQ4EFgQUn+KEwNueNngKORLmuFK/
+FDZUGowHwYDVR0jBBgwFoAUn+KEwNueNngKORLmuFK/+FDZUGowDwYDVR0TAQH/
BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiAd0yXoYwQ8jNgKChv4hqMJzJBLpzwA
6a2OTX5hCdtmAAIhAOgygtRhoS3ELpcs58pE0nYwLp2zaXcJ0i+7tQBKzrdW
-----END CERTIFICATE-----
";

/// A vault backend `name` whose CA certificate is [`CERT`].
fn with_certificate(name: &str) -> Seed {
    Seed::new().vault_with(name, json!({ "ca-cert": CERT }))
}

/// The `data-testid` of the focused element and whether it is inside the element with
/// `data-testid` `within`.
async fn focus(s: &Session, within: &str) -> (String, bool) {
    let v = s
        .eval(
            "const a = document.activeElement;
         return [a ? (a.getAttribute('data-testid') || a.tagName) : '',
                 !!(a && a.closest('[data-testid=\"' + arguments[0] + '\"]'))];",
            vec![json!(within)],
        )
        .await;
    (
        v[0].as_str().unwrap_or_default().to_owned(),
        v[1].as_bool().unwrap_or(false),
    )
}

/// Runs the measuring `script` on `selector` (its `arguments[0]`) and checks that it gives
/// `expected`; `what` says what holds then.
async fn assert_measures(s: &Session, script: &str, selector: &str, expected: Value, what: &str) {
    let measured = s.eval(script, vec![json!(selector)]).await;
    assert_eq!(measured, expected, "{what}");
}

/// Waits until the dialog with `data-testid` `dialog` is closed and the focus is back on the
/// button that opened it, `opener`.
async fn closed_with_focus_on(s: &Session, dialog: &str, opener: &str) {
    s.wait_gone(&format!("[data-testid=\"{dialog}\"]")).await;
    s.wait_focus(opener).await;
}

#[tokio::test]
async fn the_remove_dialog_takes_focus_keeps_it_and_gives_it_back_on_escape() {
    let s = Session::start_logged_in(Seed::new().vault("kb"), "/backends/kb").await;
    s.click("remove-backend").await;
    s.testid("remove-dialog").await;
    // The dialog focuses its confirm input.
    s.wait_focus("remove-confirm-input").await;

    // Tab goes round the dialog's controls and never reaches the page behind it.
    let mut seen = Vec::new();
    for _ in 0..8 {
        s.press(TAB).await;
        let (id, inside) = focus(&s, "remove-dialog").await;
        assert!(inside, "Tab left the dialog for {id}");
        seen.push(id);
    }
    assert!(
        seen.iter().any(|id| id == "remove-cancel")
            && seen.iter().any(|id| id == "remove-confirm-input"),
        "Tab cycles through the dialog: {seen:?}"
    );
    s.click("remove-confirm-input").await;
    s.press(SHIFT_TAB).await;
    let (id, inside) = focus(&s, "remove-dialog").await;
    assert!(inside, "Shift+Tab left the dialog for {id}");

    // Escape closes it and gives focus back to the Remove button.
    s.press(ESCAPE).await;
    closed_with_focus_on(&s, "remove-dialog", "remove-backend").await;

    // Cancel does the same, and the backend is still there.
    s.click("remove-backend").await;
    s.testid("remove-dialog").await;
    s.click("remove-cancel").await;
    closed_with_focus_on(&s, "remove-dialog", "remove-backend").await;
    s.wait_text("backend-name", "kb").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn the_remove_dialog_counts_one_secret_and_its_force_label_flows_as_text() {
    let s = Session::start_logged_in(Seed::new().vault_used_by("one", "m1"), "/backends/one").await;
    s.click("remove-backend").await;
    let text = s.wait_text("remove-in-use", "m1").await;
    assert!(
        text.contains("holds 1 secret (") && !text.contains("1 secrets"),
        "{text}"
    );
    // One label as running text: its last words wrap back to the label's left edge, rather than
    // standing in a column of their own right of the `auto` (the failure shows the geometry).
    let label = "[data-testid=\"remove-in-use\"] label";
    let one_paragraph = "the force label is one paragraph, not columns";
    assert_measures(&s, FLOWS_AS_TEXT, label, json!(true), one_paragraph).await;
    s.close().await.unwrap();
}

/// Whether the last words of the label `selector` wrap back to its left edge, rather than standing
/// in a column of their own right of its `code` (else the geometry, for the failure).
const FLOWS_AS_TEXT: &str = "const label = document.querySelector(arguments[0]);
         const code = label.querySelector('code');
         const tail = [...label.childNodes].find(n => n.nodeType === 3 && n.textContent.includes('no longer reachable'));
         const range = document.createRange();
         range.selectNodeContents(tail);
         const left = Math.min(...[...range.getClientRects()].map(r => r.left));
         return left < code.getBoundingClientRect().right - 1
             || JSON.stringify([left, code.getBoundingClientRect(), label.getBoundingClientRect(), getComputedStyle(label).display]);";

#[tokio::test]
async fn rotate_now_asks_first_and_says_when_the_next_rotation_falls() {
    let seed = Seed::new().vault("rot").rotate_every("rot", "2h");
    let s = Session::start_logged_in(seed, "/backends/rot").await;
    s.wait_text("rotation-last", "never").await;

    s.click("rotate-now").await;
    s.testid("rotate-dialog").await;
    s.wait_text("rotate-next-after", "1h30m0s").await;
    let (id, inside) = focus(&s, "rotate-dialog").await;
    assert!(inside, "the rotate dialog has the focus, not {id}");
    // Escape closes it and gives focus back to Rotate now.
    s.press(ESCAPE).await;
    closed_with_focus_on(&s, "rotate-dialog", "rotate-now").await;
    let last = s.wait_text("rotation-last", "never").await;
    assert_eq!(last, "never", "nothing rotated without the confirmation");
    let stored = s.stored_backend("rot").await;
    assert!(
        stored.last_rotation.is_none(),
        "nothing rotated: {:?}",
        stored.last_rotation
    );

    s.rotate_now().await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn built_in_backends_offer_no_check_now() {
    let s = Session::start_logged_in(Seed::new().vault("ext"), "/backends/internal").await;
    s.wait_text("backend-checked", "always available").await;
    assert!(
        !s.has("check-now").await,
        "internal is always available: nothing to check"
    );
    s.go("/backends/ext").await;
    s.wait_text("backend-name", "ext").await;
    s.testid("check-now").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn revealed_values_count_down_keep_hide_in_place_and_a_long_token_on_one_line() {
    // A kubernetes-sized token (a JWT runs to a thousand characters and more).
    let long_token = format!("s.{}", "Ab3x".repeat(400));
    // Forced: the service does not ask OpenBao about a token it never issued.
    let change = UpdateBackendRequest {
        force: true,
        ..config_change(json!({"token": long_token}))
    };
    let s = Session::start_with(Seed::new().vault("rv").update("rv", change)).await;
    s.window_width(1366).await;
    s.open_logged_in("/backends/rv").await;
    s.wait_text("config-token", "set").await;
    let right_gap = "const b = document.querySelector('[data-testid=\"' + arguments[0] + '\"]');
         const bar = b.closest('.sbc-toolbar');
         return bar.getBoundingClientRect().right - b.getBoundingClientRect().right;";
    let before = s.eval(right_gap, vec![json!("reveal")]).await;
    s.click("reveal").await;
    s.testid("revealed-token").await;

    let gap = s.eval(right_gap, vec![json!("hide-values")]).await;
    assert!(
        gap.as_f64().unwrap().abs() < 2.0,
        "Hide values stays at the end of the header, where Reveal was ({before}): {gap} px from it"
    );

    let first = s.wait_text("reveal-countdown", "Hidden in").await;
    let seconds = |t: &str| -> u64 {
        t.trim_start_matches("Hidden in ")
            .trim_end_matches(" s")
            .parse()
            .unwrap_or_else(|_| panic!("a countdown: {t:?}"))
    };
    let start = seconds(&first);
    assert!((25..=30).contains(&start), "{first}");
    s.wait_until(
        async || s.wait_text("reveal-countdown", "Hidden in").await,
        |now| seconds(now) < start,
        |now| format!("the countdown stays at {now}"),
    )
    .await;

    let height = s.eval("return document.querySelector('[data-testid=\"config-token\"] dd').getBoundingClientRect().height;",
        vec![],
    )
    .await;
    assert!(
        height.as_f64().unwrap() < 60.0,
        "a 1602-character token keeps its row short: {height} px"
    );
    let shown = s.testid("revealed-token").await.text().await.unwrap();
    assert_eq!(shown, long_token, "the whole token is there to copy");
    s.click("hide-values").await;
    s.wait_gone("[data-testid=\"revealed-token\"]").await;
    s.close().await.unwrap();
}

/// How many line boxes the text of the element `selector` takes.
const LINE_BOXES: &str = "const e = document.querySelector(arguments[0]);
     const range = document.createRange();
     range.selectNodeContents(e);
     const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
     return tops.size;";

#[tokio::test]
async fn pem_is_shown_as_written_at_any_width() {
    let s = Session::start_logged_in(with_certificate("tls"), "/backends/tls").await;
    let lines = CERT.trim_end().lines().count();
    for width in [1366, 375] {
        s.window_width(width).await;
        s.testid("config-ca-cert").await;
        let pem = "[data-testid=\"config-ca-cert\"] pre";
        let kept = format!("at {width} px the PEM keeps its {lines} lines of 64 characters");
        assert_measures(&s, LINE_BOXES, pem, json!(lines), &kept).await;
    }
    s.close().await.unwrap();
}

#[tokio::test]
async fn a_certificate_shows_its_subject_and_expiry() {
    let s = Session::start_logged_in(with_certificate("cert"), "/backends/cert").await;
    let summary = s.wait_text("certificate-ca-cert", "vault.example").await;
    assert!(summary.contains("2036-11-27"), "{summary}");
    s.close().await.unwrap();
}

#[tokio::test]
async fn the_detail_page_keeps_its_actions_off_the_facts_at_375_px() {
    let s = Session::start_with(Seed::new().vault("phone")).await;
    s.window_width(375).await;
    s.open_logged_in("/backends/phone").await;
    s.testid("remove-backend").await;
    let gap = s.eval("const actions = document.querySelector('[data-testid=\"remove-backend\"]').closest('.sbc-actions');
         const facts = document.querySelector('[data-testid=\"backend-facts\"]');
         return facts.getBoundingClientRect().top - actions.getBoundingClientRect().bottom;",
        vec![],
    )
    .await;
    assert!(
        gap.as_f64().unwrap() >= 8.0,
        "the action buttons keep a space above the facts: {gap} px"
    );
    s.close().await.unwrap();
}

/// The line breaks of an element's text that fall inside a word, as "before|after" pairs.
const MID_WORD_BREAKS: &str = "const e = document.querySelector(arguments[0]);
     const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
     const chars = [];
     for (let n = walker.nextNode(); n; n = walker.nextNode()) {
       for (let i = 0; i < n.length; i++) chars.push([n, i]);
     }
     const range = document.createRange();
     const top = ([n, i]) => { range.setStart(n, i); range.setEnd(n, i + 1);
       const r = range.getClientRects(); return r.length ? Math.round(r[0].top) : null; };
     const text = chars.map(([n, i]) => n.data[i]);
     const bad = [];
     let last = null;
     chars.forEach((c, k) => {
       if (/\\s/.test(text[k])) return;
       const t = top(c);
       if (last !== null && t !== null && t > last && k > 0 && !/\\s/.test(text[k - 1])) {
         bad.push(text.slice(Math.max(0, k - 8), k).join('') + '|' + text.slice(k, k + 8).join(''));
       }
       if (t !== null) last = t;
     });
     return bad;";

#[tokio::test]
async fn commands_break_at_spaces_and_hint_at_placeholders_only_when_they_have_one() {
    let s = Session::start_with(Seed::new().vault("cmd")).await;
    s.window_width(375).await;
    s.open_logged_in("/backends/new").await;
    let (name, endpoint) = ("a-rather-long-backend-name", "http://127.0.0.1:18200");
    s.fill_vault_form(name, endpoint, "not-a-real-token").await;
    s.fill("field-mount-path", "kv-for-the-production-models")
        .await;
    s.wait_text("add-command", "http://127.0.0.1:18200").await;
    let command = "[data-testid=\"add-command\"]";
    let at_spaces = "the command breaks at spaces only at 375 px";
    assert_measures(&s, MID_WORD_BREAKS, command, json!([]), at_spaces).await;
    s.testid("add-command-hint").await;

    s.go("/backends/cmd").await;
    s.click("remove-backend").await;
    s.wait_text("remove-command", "juju remove-secret-backend cmd")
        .await;
    assert!(
        !s.has("remove-command-hint").await,
        "no placeholder, no hint about placeholders"
    );
    s.close().await.unwrap();
}

/// Whether every element matching `selector` is within the window's width, and its `time`
/// element is one line with the exact time in its title.
const FITS_WITH_RELATIVE_TIMES: &str = "const rows = [...document.querySelectorAll(arguments[0])];
     const width = document.documentElement.clientWidth;
     const problems = [];
     if (rows.length === 0) problems.push('no rows');
     for (const row of rows) {
       const r = row.getBoundingClientRect();
       if (r.right > width + 0.5) problems.push('row ends at ' + r.right + ' of ' + width + ': ' + row.textContent);
       const t = row.querySelector('time');
       if (!t) { problems.push('no time in ' + row.textContent); continue; }
       if (!/ago$/.test(t.textContent.trim())) problems.push('not relative: ' + t.textContent);
       if (!/^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC$/.test(t.title)) problems.push('title: ' + t.title);
       if (t.getClientRects().length !== 1) problems.push('time on several lines: ' + t.textContent);
     }
     return problems;";

#[tokio::test]
async fn the_audit_trail_fits_375_px_with_relative_times() {
    let long = "a-mount-path-long-enough-to-need-wrapping-on-a-phone";
    let s = Session::start_with(Seed::new().vault_mounted("aud", long)).await;
    s.seed(Seed::new().remount("aud", "another-long-mount-path"))
        .await;
    s.window_width(375).await;
    s.open_logged_in("/audit").await;
    // The add and the update (whatever else the trail holds).
    s.wait_true(
        "return document.querySelectorAll('[data-testid=\"audit-row\"]').length >= 2;",
        vec![],
        "the audit trail shows the add and the update",
    )
    .await;
    let rows = "[data-testid=\"audit-row\"]";
    let page = "the audit page at 375 px";
    assert_measures(&s, FITS_WITH_RELATIVE_TIMES, rows, json!([]), page).await;

    s.go("/backends/aud").await;
    s.testid("backend-audit").await;
    let entries = "[data-testid=\"audit-entry\"]";
    let backend = "the backend's audit entries at 375 px";
    assert_measures(&s, FITS_WITH_RELATIVE_TIMES, entries, json!([]), backend).await;
    s.close().await.unwrap();
}
