//! Cookie sessions: the session cookie's header values, where a request's session token comes
//! from, and the check that keeps cross-site requests from using the cookie.
//!
//! A login that asks for a `cookie` session gets its token in an `HttpOnly`, `SameSite=Strict`
//! cookie on `/` (named `__Host-sbc-session` and `Secure` when the service serves HTTPS), never
//! in the body, so the console's page never holds it. The cookie carries no `Max-Age`: the
//! server ends the session (idle time, lifetime, logout).
//!
//! A request's token is its `Authorization: Bearer` header's, or else the cookie's. The browser
//! sends a cookie by itself, so a cookie-authenticated request that changes something (any
//! method but `GET`, `HEAD` and `OPTIONS`) must also show that the console's own page sent it:
//! the header `X-Requested-By: secret-backends-console` (which a form post cannot send, and a
//! cross-origin script cannot send without a CORS preflight the service never grants), and, when
//! the browser sends them, `Sec-Fetch-Site: same-origin` (or `none`) and an `Origin` that is the
//! request's own. A bearer token is not ambient, so bearer requests are not checked.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use secret_backends_api::ErrorCode;

use super::AppState;
use crate::error::{Error, Result};

/// The session cookie's name over plain HTTP.
pub const COOKIE: &str = "sbc-session";
/// The session cookie's name over HTTPS: the `__Host-` prefix makes browsers refuse it unless it
/// is `Secure`, on `/`, and set by this host (no `Domain`), so no other host can plant one.
pub const SECURE_COOKIE: &str = "__Host-sbc-session";
/// The header a cookie-authenticated change must carry, and its value.
pub const REQUESTED_BY: &str = secret_backends_api::REQUESTED_BY.0;
pub const REQUESTED_BY_CONSOLE: &str = secret_backends_api::REQUESTED_BY.1;

/// The cookie's name and attributes, without its value.
fn cookie_attributes(tls: bool) -> (&'static str, &'static str) {
    if tls {
        (SECURE_COOKIE, "; Path=/; HttpOnly; SameSite=Strict; Secure")
    } else {
        (COOKIE, "; Path=/; HttpOnly; SameSite=Strict")
    }
}

/// The `Set-Cookie` value that starts a cookie session with `token`.
pub fn set_cookie(token: &str, tls: bool) -> String {
    let (name, attributes) = cookie_attributes(tls);
    format!("{name}={token}{attributes}")
}

/// The `Set-Cookie` value that makes the browser forget the session cookie.
pub fn clear_cookie(tls: bool) -> String {
    let (name, attributes) = cookie_attributes(tls);
    format!("{name}={attributes}; Max-Age=0")
}

/// A `Set-Cookie` header value; our values are ASCII without control characters.
pub fn header_value(cookie: String) -> Result<HeaderValue> {
    HeaderValue::try_from(cookie).map_err(Error::internal)
}

/// The bearer token of `Authorization`, if there is one.
fn bearer_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// The session cookie's token (either name; the `__Host-` one first), if there is one.
pub fn cookie_token(headers: &HeaderMap) -> Option<String> {
    let pairs: Vec<(&str, &str)> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .collect();
    [SECURE_COOKIE, COOKIE].iter().find_map(|wanted| {
        pairs
            .iter()
            .find(|(name, value)| name == wanted && !value.is_empty())
            .map(|(_, value)| value.trim_matches('"').to_owned())
    })
}

/// Whether a cookie-authenticated request must be refused as possibly cross-site: a change
/// without the console's header, or one the browser says comes from another site or origin.
/// `host` is the request's `Host`; `tls`, whether the service serves HTTPS.
pub fn is_cross_site(method: &Method, headers: &HeaderMap, host: Option<&str>, tls: bool) -> bool {
    if [Method::GET, Method::HEAD, Method::OPTIONS].contains(method) {
        return false;
    }
    let value = |name: &str| headers.get(name).map(|v| v.to_str().unwrap_or_default());
    if value(REQUESTED_BY) != Some(REQUESTED_BY_CONSOLE) {
        return true;
    }
    if let Some(site) = value("sec-fetch-site")
        && !matches!(site, "same-origin" | "none")
    {
        return true;
    }
    match value(header::ORIGIN.as_str()) {
        Some(origin) => !is_own_origin(origin, host, tls),
        None => false,
    }
}

/// Whether `origin` is the request's own: its scheme and `Host`. Over plain HTTP `https://` is
/// accepted too, for a service behind a TLS proxy (the browser's scheme is the proxy's).
fn is_own_origin(origin: &str, host: Option<&str>, tls: bool) -> bool {
    let Some(host) = host.filter(|h| !h.is_empty()) else {
        return false;
    };
    let schemes: &[&str] = if tls {
        &["https://"]
    } else {
        &["http://", "https://"]
    };
    schemes.iter().any(|scheme| {
        origin
            .strip_prefix(scheme)
            .is_some_and(|rest| rest.eq_ignore_ascii_case(host))
    })
}

/// The refusal of a request [`is_cross_site`] finds.
pub fn cross_site_refused() -> Error {
    Error::refused(ErrorCode::PermissionDenied, "cross-site request refused")
}

/// The session token of a request, unchecked against the store: the bearer token, or else the
/// session cookie's (then refused if the request may be cross-site); `unauthorized` without
/// either.
pub struct SessionToken {
    pub token: String,
    /// The token came from the cookie (a logout then clears it).
    pub from_cookie: bool,
}

impl FromRequestParts<AppState> for SessionToken {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        if let Some(token) = bearer_token(&parts.headers) {
            return Ok(SessionToken {
                token,
                from_cookie: false,
            });
        }
        let token = cookie_token(&parts.headers).ok_or_else(Error::unauthorized)?;
        // HTTP/2 carries the host in the URI's authority instead of a `Host` header.
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()));
        if is_cross_site(&parts.method, &parts.headers, host, state.tls) {
            return Err(cross_site_refused());
        }
        Ok(SessionToken {
            token,
            from_cookie: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    const CONSOLE: (&str, &str) = (REQUESTED_BY, REQUESTED_BY_CONSOLE);
    const HOST: Option<&str> = Some("console.example:8443");

    #[test]
    fn the_cookie_is_http_only_strict_on_the_root_and_host_bound_over_tls() {
        assert_eq!(
            set_cookie("abc", false),
            "sbc-session=abc; Path=/; HttpOnly; SameSite=Strict"
        );
        assert_eq!(
            set_cookie("abc", true),
            "__Host-sbc-session=abc; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
        for tls in [false, true] {
            assert!(!set_cookie("abc", tls).contains("Max-Age"));
            assert!(!set_cookie("abc", tls).contains("Expires"));
            assert!(!set_cookie("abc", tls).contains("Domain"));
        }
    }

    #[test]
    fn clearing_repeats_name_and_attributes_with_no_value_and_no_age() {
        assert_eq!(
            clear_cookie(false),
            "sbc-session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
        );
        assert_eq!(
            clear_cookie(true),
            "__Host-sbc-session=; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=0"
        );
    }

    #[test]
    fn the_token_comes_from_either_cookie_name_among_others() {
        let h = headers(&[("cookie", "theme=dark; sbc-session=t1; x=y")]);
        assert_eq!(cookie_token(&h).as_deref(), Some("t1"));
        let h = headers(&[
            ("cookie", "sbc-session=t1"),
            ("cookie", "__Host-sbc-session=t2"),
        ]);
        assert_eq!(cookie_token(&h).as_deref(), Some("t2"));
        for none in [
            "sbc-session=",
            "other=t1",
            "xsbc-session=t1",
            "sbc-sessionx=t1",
        ] {
            let h = headers(&[("cookie", none)]);
            assert_eq!(cookie_token(&h), None, "{none}");
        }
        assert_eq!(cookie_token(&HeaderMap::new()), None);
    }

    #[test]
    fn bearer_needs_the_scheme_and_a_token() {
        let h = headers(&[("authorization", "Bearer  t1 ")]);
        assert_eq!(bearer_token(&h).as_deref(), Some("t1"));
        for none in ["Basic dTpw", "Bearer ", "t1"] {
            let h = headers(&[("authorization", none)]);
            assert_eq!(bearer_token(&h), None, "{none}");
        }
    }

    #[test]
    fn reads_are_never_cross_site_refusals() {
        for method in [Method::GET, Method::HEAD, Method::OPTIONS] {
            let h = headers(&[("sec-fetch-site", "cross-site"), ("origin", "https://evil")]);
            assert!(!is_cross_site(&method, &h, HOST, true), "{method}");
        }
    }

    #[test]
    fn a_change_needs_the_console_s_header() {
        let post = Method::POST;
        assert!(is_cross_site(&post, &HeaderMap::new(), HOST, false));
        let wrong = headers(&[(REQUESTED_BY, "XMLHttpRequest")]);
        assert!(is_cross_site(&post, &wrong, HOST, false));
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            assert!(!is_cross_site(&method, &headers(&[CONSOLE]), HOST, false));
        }
    }

    #[test]
    fn a_change_from_another_site_or_origin_is_refused() {
        let post = Method::POST;
        for site in ["cross-site", "same-site", "junk"] {
            let h = headers(&[CONSOLE, ("sec-fetch-site", site)]);
            assert!(is_cross_site(&post, &h, HOST, true), "{site}");
        }
        for site in ["same-origin", "none"] {
            let h = headers(&[CONSOLE, ("sec-fetch-site", site)]);
            assert!(!is_cross_site(&post, &h, HOST, true), "{site}");
        }
        for origin in [
            "https://evil.example",
            "https://console.example",
            "https://console.example:8443.evil",
            "http://console.example:8443",
            "null",
        ] {
            let h = headers(&[CONSOLE, ("origin", origin)]);
            assert!(is_cross_site(&post, &h, HOST, true), "{origin}");
        }
        let own = headers(&[CONSOLE, ("origin", "https://Console.example:8443")]);
        assert!(!is_cross_site(&post, &own, HOST, true));
        assert!(is_cross_site(&post, &own, None, true), "no Host to compare");
    }

    #[test]
    fn over_plain_http_either_scheme_of_the_own_host_is_the_own_origin() {
        let post = Method::POST;
        for origin in [
            "http://console.example:8443",
            "https://console.example:8443",
        ] {
            let h = headers(&[CONSOLE, ("origin", origin)]);
            assert!(!is_cross_site(&post, &h, HOST, false), "{origin}");
        }
    }
}
