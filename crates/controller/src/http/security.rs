//! The response headers that make the service safe to put in front of a controller.
//!
//! - `Content-Security-Policy` on every answer: scripts only from the service itself (plus the
//!   hashes of the start-up scripts trunk writes inline into `index.html`, and
//!   `'wasm-unsafe-eval'`, which compiling WebAssembly needs); styles, images, fonts and
//!   connections only from the service; no plugins, no `<base>`, forms post only here; who may
//!   frame the console is the operator's choice (`--frame-ancestors`, default nobody).
//! - `Cross-Origin-Opener-Policy: same-origin`, `X-Content-Type-Options: nosniff`,
//!   `Referrer-Policy: no-referrer`.
//! - `Strict-Transport-Security` when the service serves HTTPS.
//!
//! The policy is worked out once, when the router is built, from the `index.html` it serves: a
//! console built again while the service runs needs a restart to be allowed its new script.

use std::path::Path;

use axum::http::{HeaderName, HeaderValue, header};
use base64::Engine;
use sha2::{Digest, Sha256};

/// How the service is reached, which changes some headers.
#[derive(Clone, Debug)]
pub struct Options {
    /// Served over HTTPS: adds `Strict-Transport-Security` (and, for sessions, `Secure` cookies).
    pub tls: bool,
    /// The sources of the policy's `frame-ancestors`, checked by [`frame_ancestors`].
    pub frame_ancestors: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tls: false,
            frame_ancestors: "'none'".to_owned(),
        }
    }
}

/// The headers every answer carries, given the console's `index.html` (if there is one).
pub fn headers(options: &Options, index_html: Option<&str>) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = vec![
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&content_security_policy(
                index_html,
                &options.frame_ancestors,
            ))
            // Built from base64 hashes and sources `frame_ancestors` has checked: always valid.
            .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'")),
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
    ];
    if options.tls {
        headers.push((
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000"),
        ));
    }
    headers
}

/// Reads the console's `index.html` from `dist`; `None` (and a warning) where there is none.
pub fn read_index_html(dist: &Path) -> Option<String> {
    match std::fs::read_to_string(dist.join("index.html")) {
        Ok(html) => Some(html),
        Err(e) => {
            tracing::warn!(dist = %dist.display(), error = %e, "no console to serve");
            None
        }
    }
}

/// The policy for a console whose page is `index_html`.
pub fn content_security_policy(index_html: Option<&str>, frame_ancestors: &str) -> String {
    let hashes: String = index_html
        .map(inline_script_hashes)
        .unwrap_or_default()
        .iter()
        .map(|hash| format!(" 'sha256-{hash}'"))
        .collect();
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}"
    )
}

/// The base64 SHA-256 of each inline `<script>` (one without `src`) in `html`, in order: the
/// exact text between the tags, as the browser hashes it.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start + "<script".len()..];
        let Some(tag_end) = rest.find('>') else { break };
        let attributes = &rest[..tag_end];
        rest = &rest[tag_end + 1..];
        let Some(close) = rest.find("</script") else {
            break;
        };
        let body = &rest[..close];
        rest = &rest[close..];
        if !has_src(attributes) {
            let digest = Sha256::digest(body.as_bytes());
            hashes.push(base64::engine::general_purpose::STANDARD.encode(digest));
        }
    }
    hashes
}

fn has_src(attributes: &str) -> bool {
    attributes
        .split(|c: char| c.is_ascii_whitespace())
        .any(|a| a == "src" || a.starts_with("src="))
}

/// Checks `--frame-ancestors`: `'none'`, or a space-separated list of CSP source expressions
/// (`'self'`, a scheme such as `https:`, or a host source such as `https://dash.example.com`).
/// Anything that could end the directive or the header (`;`, `,`, quotes elsewhere, control
/// characters) is refused, so the flag can only ever say who may frame the console.
pub fn frame_ancestors(value: &str) -> Result<String, String> {
    if value.chars().any(|c| c.is_control()) {
        return Err("frame-ancestors cannot contain control characters".to_owned());
    }
    let sources: Vec<&str> = value.split_ascii_whitespace().collect();
    if sources.is_empty() {
        return Err("frame-ancestors needs 'none' or at least one source".to_owned());
    }
    if sources.len() > 1 && sources.contains(&"'none'") {
        return Err("frame-ancestors 'none' cannot be combined with other sources".to_owned());
    }
    for source in &sources {
        let keyword = matches!(*source, "'none'" | "'self'");
        let plain = source
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._:/*".contains(c));
        if !keyword && !plain {
            return Err(format!(
                "frame-ancestors source {source:?} is not valid: use 'none', 'self', a scheme \
                 such as https:, or an origin such as https://dashboard.example.com"
            ));
        }
    }
    Ok(sources.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUNK_PAGE: &str = "<html><head>\n<script type=\"module\">\nimport init from '/a.js';\nawait init();\n</script>\n<script src=\"/x.js\"></script></head></html>";

    #[test]
    fn only_inline_scripts_are_hashed_over_their_exact_text() {
        let hashes = inline_script_hashes(TRUNK_PAGE);
        let body = "\nimport init from '/a.js';\nawait init();\n";
        let expected =
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body.as_bytes()));
        assert_eq!(hashes, vec![expected]);
    }

    #[test]
    fn the_policy_allows_only_the_service_and_the_inline_hashes() {
        let policy = content_security_policy(Some(TRUNK_PAGE), "'none'");
        let hash = &inline_script_hashes(TRUNK_PAGE)[0];
        assert!(policy.contains(&format!(
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';"
        )));
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert!(!policy.contains("'unsafe-eval'"), "{policy}");
        assert!(policy.contains("connect-src 'self'"));
        assert!(policy.contains("object-src 'none'"));
        assert!(policy.ends_with("frame-ancestors 'none'"));
    }

    #[test]
    fn without_a_console_no_inline_script_is_allowed() {
        let policy = content_security_policy(None, "'self'");
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval';"));
        assert!(policy.ends_with("frame-ancestors 'self'"));
    }

    #[test]
    fn frame_ancestors_takes_sources_and_refuses_what_could_break_the_header() {
        assert_eq!(frame_ancestors("'none'").unwrap(), "'none'");
        assert_eq!(
            frame_ancestors(" 'self'   https://dash.example.com:8443 ").unwrap(),
            "'self' https://dash.example.com:8443"
        );
        assert_eq!(frame_ancestors("https:").unwrap(), "https:");
        for bad in [
            "",
            "'none' 'self'",
            "https://a.example; script-src *",
            "https://a.example,https://b.example",
            "'unsafe-inline'",
            "https://a.example\r\nX-Evil: 1",
        ] {
            assert!(frame_ancestors(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn hsts_only_over_tls() {
        let names = |tls| {
            headers(
                &Options {
                    tls,
                    ..Options::default()
                },
                None,
            )
            .into_iter()
            .map(|(name, _)| name)
            .collect::<Vec<_>>()
        };
        assert!(!names(false).contains(&header::STRICT_TRANSPORT_SECURITY));
        assert!(names(true).contains(&header::STRICT_TRANSPORT_SECURITY));
    }
}
