//! The console's pages as values: every link and navigation names a [`Route`], and
//! [`Route::path`] is the one place that spells their paths (the router's patterns in `app.rs`
//! match them). Also the login page's `next`, checked before it is followed, and the document
//! title of each page.

/// A page of the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Login,
    Backends,
    AddBackend,
    Backend(String),
    EditBackend(String),
    Models,
    Model(String),
    Audit,
}

impl Route {
    /// The page's path, relative to the console's base path.
    pub fn path(&self) -> String {
        match self {
            Route::Login => "/login".to_owned(),
            Route::Backends => "/backends".to_owned(),
            Route::AddBackend => "/backends/new".to_owned(),
            Route::Backend(name) => format!("/backends/{name}"),
            Route::EditBackend(name) => format!("/backends/{name}/edit"),
            Route::Models => "/models".to_owned(),
            Route::Model(name) => format!("/models/{name}"),
            Route::Audit => "/audit".to_owned(),
        }
    }

    /// The page a path (relative to the base path, with `%XX` escapes as in a URL) shows; `None`
    /// for the root and for any path the console does not know.
    pub fn parse(path: &str) -> Option<Route> {
        let path = path.trim_end_matches('/');
        let segments: Vec<String> = path.split('/').skip(1).map(decode_path_segment).collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        Some(match segments.as_slice() {
            ["login"] => Route::Login,
            ["backends"] => Route::Backends,
            ["backends", "new"] => Route::AddBackend,
            ["backends", name] => Route::Backend((*name).to_owned()),
            ["backends", name, "edit"] => Route::EditBackend((*name).to_owned()),
            ["models"] => Route::Models,
            ["models", name] => Route::Model((*name).to_owned()),
            ["audit"] => Route::Audit,
            _ => return None,
        })
    }

    /// What the page is called in the document title.
    fn title(&self) -> String {
        match self {
            Route::Login => "Log in".to_owned(),
            Route::Backends => "Backends".to_owned(),
            Route::AddBackend => "Add a backend".to_owned(),
            Route::Backend(name) => name.clone(),
            Route::EditBackend(name) => format!("Edit {name}"),
            Route::Models => "Models".to_owned(),
            Route::Model(name) => format!("Model {name}"),
            Route::Audit => "Audit".to_owned(),
        }
    }
}

/// The login page's path with `next`, the page to go to once logged in.
pub fn login_path(next: &str) -> String {
    match safe_next(next) {
        Some(next) if next != Route::Backends.path() => {
            format!("{}?next={}", Route::Login.path(), encode_query_value(next))
        }
        _ => Route::Login.path(),
    }
}

/// `next` if it is a path of this console that is safe to go to after a login: it starts with a
/// single `/` (not `//host`, `/\host`, a scheme or anything absolute), has no backslash, space or
/// control character (browsers drop or turn those into `/`), no `..` segment, is not the login
/// page itself, and is of a sane length. Anything else is `None` (go to the backends).
pub fn safe_next(next: &str) -> Option<&str> {
    let path = next.split(['?', '#']).next().unwrap_or_default();
    let ok = next.len() <= 2048
        && next.starts_with('/')
        && !next.starts_with("//")
        && !next
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
        && !path
            .split('/')
            .any(|segment| segment == ".." || segment == ".")
        && !path.contains(':')
        && path != "/login"
        && !path.starts_with("/login/");
    ok.then_some(next)
}

/// A query value with everything but unreserved characters and `/` percent-encoded.
fn encode_query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// `%XX` sequences decoded (as the router decodes route parameters); invalid ones kept as typed.
fn decode_path_segment(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The document title for a console path (relative to the base path), so that tabs and history
/// entries are told apart: `myvault · Secret backends`, `Edit myvault · Secret backends`.
pub fn page_title(path: &str) -> String {
    const CONSOLE: &str = "Secret backends";
    if path.trim_end_matches('/').is_empty() {
        return CONSOLE.to_owned();
    }
    let page = Route::parse(path).map_or_else(|| "Page not found".to_owned(), |r| r.title());
    format!("{page} · {CONSOLE}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_console_path_is_a_safe_destination() {
        for path in [
            "/backends",
            "/backends/myvault",
            "/backends/myvault/edit",
            "/models/m1",
            "/audit?backend=x",
            "/backends/new",
        ] {
            assert_eq!(safe_next(path), Some(path), "{path}");
        }
    }

    #[wasm_bindgen_test]
    fn anything_that_could_leave_the_console_is_refused() {
        for hostile in [
            "",
            "backends",
            "https://evil.example/",
            "//evil.example/backends",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            " /backends",
            "javascript:alert(1)",
            "/javascript:alert(1)",
            "data:text/html,x",
            "/backends/../../elsewhere",
            "/./backends",
            "/login",
            "/login?next=/backends",
            "/login/",
        ] {
            assert_eq!(safe_next(hostile), None, "{hostile:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(3000))), None);
    }

    #[wasm_bindgen_test]
    fn the_login_path_carries_a_safe_destination_only() {
        for (next, login) in [
            (
                "/backends/myvault/edit",
                "/login?next=/backends/myvault/edit",
            ),
            (
                "/audit?backend=a&limit=5",
                "/login?next=/audit%3Fbackend%3Da%26limit%3D5",
            ),
            ("/backends", "/login"),
            ("//evil.example", "/login"),
        ] {
            assert_eq!(login_path(next), login, "{next}");
        }
    }

    #[wasm_bindgen_test]
    fn the_title_names_the_page() {
        for (path, title) in [
            ("/backends", "Backends · Secret backends"),
            ("/backends/myvault", "myvault · Secret backends"),
            ("/backends/myvault/edit", "Edit myvault · Secret backends"),
            ("/backends/new", "Add a backend · Secret backends"),
            ("/models", "Models · Secret backends"),
            ("/models/m%201", "Model m 1 · Secret backends"),
            ("/nowhere/at/all", "Page not found · Secret backends"),
            ("/", "Secret backends"),
        ] {
            assert_eq!(page_title(path), title, "{path}");
        }
    }
}
