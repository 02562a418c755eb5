//! The backends list with 10,000 backends, in headless Chromium against a fake service: the DOM
//! holds only the rows in view, while the table still tells screen readers how many rows there
//! are, scrolls to the last one, filters, sorts and keeps the row holding focus.

#![cfg(target_arch = "wasm32")]

use secret_backends_api::{BackendType, SecretBackend, fixtures};
use secret_backends_console::{ConsoleHandle, ConsoleOptions};
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

mod support;
use support::{admin, by_testid, click, console_at, fake_service, has, run, text_of, until};

wasm_bindgen_test_configure!(run_in_browser);

/// Rows rendered beyond each edge of the viewport (`src/pages/backends.rs`).
const OVERSCAN: usize = 10;

const ROWS: &str = "[data-testid^=\"backend-row-\"]";

/// `backend-00000` … and the built-in `internal`, last by name; secrets 0 to 6.
fn backends(n: usize) -> Vec<SecretBackend> {
    let mut list: Vec<SecretBackend> = (0..n)
        .map(|i| {
            let endpoint = json!({"endpoint": "http://10.0.0.1:8200"});
            let mut b = fixtures::backend(&format!("backend-{i:05}"), BackendType::Vault, endpoint);
            b.secrets = (i % 7) as u64;
            b
        })
        .collect();
    let mut internal = fixtures::backend("internal", BackendType::Controller, json!({}));
    internal.built_in = true;
    list.push(internal);
    list
}

/// The list of `n` backends and `internal`, scrolled to the top, once its first row shows.
async fn open_list(n: usize) -> (web_sys::HtmlElement, ConsoleHandle) {
    fake_service(json!({
        "GET /api/v1/whoami": [200, admin()],
        "GET /api/v1/secret-backends": [200, {"backends": backends(n)}],
    }));
    style_the_page();
    scroll_to(0.0);
    let options = ConsoleOptions {
        token: Some("host-token".into()),
        ..ConsoleOptions::default()
    };
    let (root, handle) = console_at("/backends", options);
    until("the first row", || has(&root, "backend-row-backend-00000")).await;
    (root, handle)
}

/// The console's stylesheet, which fixes the rows' height, as the standalone page links it.
fn style_the_page() {
    run(
        "if (!document.getElementById('sbc-style')) {
             const style = document.createElement('style');
             style.id = 'sbc-style';
             style.textContent = args;
             document.head.append(style);
         }",
        &json!(include_str!("../style/secret-backends-console.css")),
    );
}

fn scroll_to(y: f64) {
    run("window.scrollTo(0, args);", &json!(y));
}

/// The rendered rows: (name, `aria-rowindex`, secrets), top to bottom.
fn rendered(root: &web_sys::HtmlElement) -> Vec<(String, usize, u64)> {
    let rows = root.query_selector_all(ROWS).unwrap();
    (0..rows.length())
        .map(|i| {
            let row: web_sys::Element = rows.item(i).unwrap().dyn_into().unwrap();
            let cell = |selector: &str| {
                row.query_selector(selector)
                    .unwrap()
                    .unwrap()
                    .text_content()
                    .unwrap()
            };
            let index = row.get_attribute("aria-rowindex").unwrap().parse().unwrap();
            (cell("th a"), index, cell("td.sbc-number").parse().unwrap())
        })
        .collect()
}

/// How many rows a window may hold: those in view and the overscan on each side.
fn window_size(root: &web_sys::HtmlElement) -> usize {
    let row = root.query_selector(ROWS).unwrap().unwrap();
    let row_height = row.get_bounding_client_rect().height();
    let view_height = web_sys::window()
        .unwrap()
        .inner_height()
        .unwrap()
        .as_f64()
        .unwrap();
    (view_height / row_height).ceil() as usize + 2 * OVERSCAN + 1
}

fn rowcount(root: &web_sys::HtmlElement) -> String {
    by_testid(root, "backends-table")
        .get_attribute("aria-rowcount")
        .unwrap()
}

fn filter(root: &web_sys::HtmlElement, text: &str) {
    let input: web_sys::HtmlInputElement = by_testid(root, "filter").dyn_into().unwrap();
    input.set_value(text);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn ten_thousand_backends_put_only_a_window_of_rows_in_the_dom() {
    let (root, mut handle) = open_list(10_000).await;
    let most = window_size(&root);
    let rows = rendered(&root);
    assert!(
        rows.len() <= most && most < 100,
        "{} rows rendered, a window is {most}",
        rows.len()
    );
    assert_eq!(text_of(&root, "backends-count"), "10001 backends");
    assert_eq!(rowcount(&root), "10002", "every backend and the header");
    let indices: Vec<usize> = rows.iter().map(|r| r.1).collect();
    let expected: Vec<usize> = (2..2 + rows.len()).collect();
    assert_eq!(indices, expected, "the first rows, after the header");
    // The table is as tall as every row would make it: the scrollbar is true.
    let body = root.query_selector("tbody").unwrap().unwrap();
    let row_height = root
        .query_selector(ROWS)
        .unwrap()
        .unwrap()
        .get_bounding_client_rect()
        .height();
    let height = body.get_bounding_client_rect().height();
    assert!(
        (height - 10_001.0 * row_height).abs() < 2.0,
        "the body is {height} px for rows of {row_height} px"
    );

    // At the end of the page: the last backend, in its place.
    scroll_to(1e9);
    until("the last row", || has(&root, "backend-row-internal")).await;
    let rows = rendered(&root);
    assert!(rows.len() <= most, "{} rows at the end", rows.len());
    assert_eq!(rows.last().unwrap().1, 10_002);

    // Filtering to one name shows that row alone, wherever the page was scrolled.
    filter(&root, "backend-04242");
    until("one row", || rendered(&root).len() == 1).await;
    assert!(has(&root, "backend-row-backend-04242"));
    assert_eq!(rowcount(&root), "2");
    assert_eq!(text_of(&root, "backends-count"), "1 of 10001 backends");
    filter(&root, "");
    until("the whole list", || rowcount(&root) == "10002").await;

    // Sorting orders the rendered rows: by name, descending, starts with the last name.
    scroll_to(0.0);
    click(&root, "sort-backend");
    until("internal first", || {
        rendered(&root).first().is_some_and(|r| r.0 == "internal")
    })
    .await;
    let names: Vec<String> = rendered(&root).into_iter().map(|r| r.0).collect();
    let mut descending = names.clone();
    descending.sort_by(|a, b| b.cmp(a));
    assert_eq!(names, descending);
    assert_eq!(
        by_testid(&root, "sort-backend")
            .closest("th")
            .unwrap()
            .unwrap()
            .get_attribute("aria-sort")
            .as_deref(),
        Some("descending")
    );
    click(&root, "sort-secrets");
    until("no secrets first", || {
        rendered(&root).iter().all(|r| r.2 == 0)
    })
    .await;
    // 10,000 / 7 backends have none: far below the window, one with one shows last of all.
    scroll_to(1e9);
    until("the most secrets last", || {
        rendered(&root)
            .last()
            .is_some_and(|r| r.2 == 6 && r.1 == 10_002)
    })
    .await;
    let secrets: Vec<u64> = rendered(&root).into_iter().map(|r| r.2).collect();
    assert!(secrets.is_sorted(), "{secrets:?}");
    handle.unmount();
}

#[wasm_bindgen_test]
async fn the_row_holding_focus_stays_rendered_when_it_scrolls_away() {
    let (root, mut handle) = open_list(10_000).await;
    let link: web_sys::HtmlElement = root
        .query_selector("[data-testid=\"backend-row-backend-00003\"] a")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    link.focus().unwrap();
    scroll_to(200_000.0);
    until("rows far down", || {
        rendered(&root).iter().any(|r| r.1 > 4000)
    })
    .await;
    let rows = rendered(&root);
    assert_eq!(
        rows[0],
        ("backend-00003".to_owned(), 5, 3),
        "kept, in its place"
    );
    assert!(rows.len() <= window_size(&root) + 1, "{} rows", rows.len());
    let focused = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
        .unwrap();
    assert_eq!(&focused, link.unchecked_ref::<web_sys::Element>());

    // Once focus goes elsewhere, the row goes with the others out of view. (Focusing the filter
    // scrolls the page back to the top, where the row is in view again: scroll down once more.)
    by_testid(&root, "filter")
        .unchecked_ref::<web_sys::HtmlElement>()
        .focus()
        .unwrap();
    scroll_to(200_000.0);
    until("the row gone", || !has(&root, "backend-row-backend-00003")).await;
    assert!(rendered(&root).iter().all(|r| r.1 > 4000));
    handle.unmount();
}
