//! Compression: the console's files as the `.br`/`.gz` siblings the build wrote, the API's
//! answers compressed when the client accepts it, and the change feed never held back.

mod support;

use std::io::Read;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use support::{TestApp, json_answer};
use tower::ServiceExt;

const WASM: &str = "secret-backends-console_bg.wasm";

/// A `GET` through the router with `Accept-Encoding: accept` (none when empty): status, headers
/// and the body's bytes as sent.
async fn get_encoded(app: &TestApp, path: &str, accept: &str, token: Option<&str>) -> Answer {
    let mut request = Request::get(path);
    if !accept.is_empty() {
        request = request.header("accept-encoding", accept);
    }
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = app
        .router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body,
    }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

/// Writes `name` into the test's dist with `.br` and `.gz` siblings of recognisable (not really
/// compressed) bytes: the service must send the sibling's bytes as they are.
fn write_with_siblings(app: &TestApp, name: &str, plain: &[u8]) {
    let dist = app.dir.path().join("dist");
    std::fs::write(dist.join(name), plain).unwrap();
    std::fs::write(dist.join(format!("{name}.br")), b"brotli bytes").unwrap();
    std::fs::write(dist.join(format!("{name}.gz")), b"gzip bytes").unwrap();
}

#[tokio::test]
async fn the_consoles_files_are_sent_as_their_precompressed_siblings_when_accepted() {
    let app = TestApp::new().await;
    write_with_siblings(&app, WASM, b"\0asm plain module");
    let path = format!("/{WASM}");

    let br = get_encoded(&app, &path, "gzip, deflate, br", None).await;
    assert_eq!(br.status, StatusCode::OK);
    assert_eq!(br.body.as_ref(), b"brotli bytes");
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert_eq!(br.header("content-type"), Some("application/wasm"));
    assert_eq!(br.header("vary"), Some("accept-encoding"));

    let gzip = get_encoded(&app, &path, "gzip", None).await;
    assert_eq!(gzip.body.as_ref(), b"gzip bytes");
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    assert_eq!(gzip.header("vary"), Some("accept-encoding"));

    let plain = get_encoded(&app, &path, "", None).await;
    assert_eq!(plain.body.as_ref(), b"\0asm plain module");
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.header("vary"), Some("accept-encoding"));
}

#[tokio::test]
async fn a_deep_links_index_html_is_sent_precompressed_too() {
    let app = TestApp::new().await;
    write_with_siblings(&app, "index.html", b"<!doctype html><title>console</title>");

    let deep_link = get_encoded(&app, "/backends/myvault", "br", None).await;
    assert_eq!(deep_link.status, StatusCode::OK);
    assert_eq!(deep_link.body.as_ref(), b"brotli bytes");
    assert_eq!(deep_link.header("content-encoding"), Some("br"));
    assert_eq!(deep_link.header("vary"), Some("accept-encoding"));
    let plain = get_encoded(&app, "/backends/myvault", "", None).await;
    assert_eq!(
        plain.body.as_ref(),
        b"<!doctype html><title>console</title>"
    );
}

#[tokio::test]
async fn api_answers_are_gzip_or_brotli_when_accepted_and_decode_to_the_same_json() {
    let (app, token) = TestApp::with_admin().await;
    let path = "/api/v1/secret-backends";
    let plain = get_encoded(&app, path, "", Some(&token)).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.header("content-encoding"), None);
    let expected: Value = serde_json::from_slice(&plain.body).unwrap();

    let gzip = get_encoded(&app, path, "gzip", Some(&token)).await;
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    assert_eq!(gzip.header("vary"), Some("accept-encoding"));
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(gzip.body.as_ref())
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&decoded).unwrap(), expected);

    let br = get_encoded(&app, path, "br", Some(&token)).await;
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert_ne!(br.body, plain.body);
}

/// The change feed is never compressed: a compressor would hold its events until its buffer
/// fills. Each event arrives on its own through a client that accepts gzip and brotli.
#[tokio::test]
async fn the_change_feed_is_not_compressed_and_events_arrive_one_by_one() {
    let (app, token) = TestApp::with_admin().await;
    let base = app.serve().await;
    // reqwest without its decompression features sends the header and leaves the body alone.
    let client = reqwest::Client::new();
    let ticket = json_answer(
        client
            .post(format!("{base}/api/v1/events/ticket"))
            .bearer_auth(&token),
    )
    .await;
    let ticket = ticket["ticket"].as_str().unwrap();
    let mut feed = client
        .get(format!("{base}/api/v1/events?ticket={ticket}"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), 200);
    assert_eq!(feed.headers().get("content-encoding"), None);
    assert_eq!(feed.headers()["content-type"], "text/event-stream");

    for model in ["m1", "m2"] {
        app.add_model(&token, model, "iaas").await;
        let mut seen = String::new();
        while !seen.contains(&format!(r#""name":"{model}""#)) {
            let chunk = tokio::time::timeout(Duration::from_secs(10), feed.chunk())
                .await
                .unwrap_or_else(|_| panic!("no event for {model} yet; so far: {seen:?}"))
                .unwrap()
                .unwrap();
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}
