//! A backend's status as the CLI's table shows it (`error: vault is sealed`), and short forms of
//! status messages, for lists and pickers; the detail page and the API's `message` keep the full
//! text.
//!
//! A ping that fails in the HTTP client reports the whole error chain ("error sending request for
//! url (...): client error (Connect): tcp connect error: Connection refused (os error 111)"). That
//! is what an admin needs when digging, but in a list it is a 200-character line. The short form
//! keeps what the service said before the chain ("backend not reachable") and replaces the chain
//! with its cause, in the words Go's libraries (and so Juju) use: "connection refused", "no such
//! host", "x509: certificate signed by unknown authority".

use crate::{BackendStatus, SecretBackend};

/// The longest short message: `juju secret-backends` cuts a message at 80 characters.
pub const SHORT_MESSAGE_LEN: usize = 80;

/// Where an HTTP client's error chain starts in a message.
const CHAIN_STARTS: [&str; 4] = [
    "error sending request",
    "error following redirect",
    "error trying to connect",
    "client error (",
];

/// A one-line sentence of at most [`SHORT_MESSAGE_LEN`] characters that says what `full` says,
/// cut at a word with "…" when it is still too long.
pub fn short_message(full: &str) -> String {
    let line = full
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let start = CHAIN_STARTS.iter().filter_map(|m| line.find(m)).min();
    let text = match start {
        Some(at) => format!("{}{}", &line[..at], chain_cause(&line[at..])),
        None => line.to_owned(),
    };
    cut(&text, SHORT_MESSAGE_LEN)
}

impl SecretBackend {
    /// The backend's status as `juju secret-backends` shows it: `active`, or `error: <message>`.
    pub fn status_text(&self) -> String {
        self.status_text_with(str::to_owned)
    }

    /// [`SecretBackend::status_text`] with the message's short form ([`short_message`]): one
    /// line of a list or a picker.
    pub fn short_status_text(&self) -> String {
        self.status_text_with(short_message)
    }

    fn status_text_with(&self, message_form: fn(&str) -> String) -> String {
        match (self.status, &self.message) {
            (BackendStatus::Error, Some(message)) => format!("error: {}", message_form(message)),
            (status, _) => status.as_str().to_owned(),
        }
    }
}

/// The cause at the end of an error chain, as a few plain words.
fn chain_cause(chain: &str) -> String {
    let lower = chain.to_ascii_lowercase();
    let known: [(&[&str], &str); 9] = [
        (&["connection refused"], "connection refused"),
        (
            &[
                "dns error",
                "failed to lookup address",
                "name or service not known",
                "no such host",
            ],
            "no such host",
        ),
        (&["timed out", "deadline has elapsed"], "timed out"),
        (&["connection reset"], "connection reset by peer"),
        (&["no route to host"], "no route to host"),
        (&["network is unreachable"], "network is unreachable"),
        (
            &["unknownissuer", "unknown issuer"],
            "x509: certificate signed by unknown authority",
        ),
        (
            &["notvalidforname", "not valid for name"],
            "x509: certificate is not valid for this host name",
        ),
        (&["expired"], "x509: certificate has expired"),
    ];
    for (needles, words) in known {
        if needles.iter().any(|n| lower.contains(n)) {
            return words.to_owned();
        }
    }
    if lower.contains("invalid peer certificate") || lower.contains("certificate") {
        return "x509: certificate not valid".to_owned();
    }
    // A plain-HTTP server behind an https:// endpoint; Go's words for it.
    if lower.contains("corrupt message") || lower.contains("invalidcontenttype") {
        return "tls: first record does not look like a TLS handshake".to_owned();
    }
    if lower.contains("handshake") {
        return "TLS handshake failed".to_owned();
    }
    if lower.contains("connection closed before message completed") {
        return "connection closed by the server".to_owned();
    }
    // Otherwise the innermost cause, without the URL, the layers and the OS error number.
    let last = chain
        .rsplit(": ")
        .map(str::trim)
        .find(|s| !s.is_empty() && !s.contains("://"))
        .unwrap_or(chain);
    let last = match last.find(" (os error") {
        Some(at) => &last[..at],
        None => last,
    };
    lower_first(last)
}

/// "Connection refused" reads as the rest of a Go error: "connection refused"; an acronym stays.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            let mut out: String = first.to_lowercase().collect();
            out.push_str(&text[first.len_utf8()..]);
            out
        }
        _ => text.to_owned(),
    }
}

/// `text` cut to at most `max` characters, at a space when there is one, ending in "…".
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    // Room for the ellipsis.
    let limit = text
        .char_indices()
        .nth(max - 1)
        .map_or(text.len(), |(at, _)| at);
    let head = &text[..limit];
    let head = match head.rfind(' ') {
        Some(at) if at > max / 2 => &head[..at],
        _ => head,
    };
    format!("{}…", head.trim_end_matches([' ', ':', ',']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_reads_like_the_cli_table() {
        let mut backend =
            crate::fixtures::backend("v", crate::BackendType::Vault, serde_json::json!({}));
        assert_eq!(backend.status_text(), "active");
        assert_eq!(backend.short_status_text(), "active");
        backend.status = BackendStatus::Error;
        assert_eq!(backend.status_text(), "error");
        let long = format!("backend not reachable: {}", "x ".repeat(60));
        backend.message = Some(long.clone());
        assert_eq!(backend.status_text(), format!("error: {long}"));
        assert_eq!(
            backend.short_status_text(),
            format!("error: {}", short_message(&long))
        );
    }

    #[test]
    fn a_refused_connection_reads_as_juju_would_say_it() {
        let full = "backend not reachable: error sending request for url \
                    (http://127.0.0.1:1/v1/sys/health?standbyok=true&perfstandbyok=true&sealedcode=200&uninitcode=200): \
                    client error (Connect): tcp connect error: Connection refused (os error 111)";
        assert_eq!(
            short_message(full),
            "backend not reachable: connection refused"
        );
    }

    #[test]
    fn common_causes_have_plain_words() {
        let cases = [
            (
                "backend not reachable: error sending request for url (http://nohost.invalid:8200/v1/sys/health): \
                 client error (Connect): dns error: failed to lookup address information: Name or service not known",
                "backend not reachable: no such host",
            ),
            (
                "backend not reachable: error sending request for url (http://10.1.2.3:8200/v1/sys/health): \
                 operation timed out",
                "backend not reachable: timed out",
            ),
            (
                "backend not reachable: error sending request for url (https://127.0.0.1:8200/v1/sys/health): \
                 client error (Connect): invalid peer certificate: UnknownIssuer",
                "backend not reachable: x509: certificate signed by unknown authority",
            ),
            (
                "backend not reachable: error sending request for url (https://127.0.0.1:18299/v1/sys/health?a=1): \
                 client error (Connect): received corrupt message of type InvalidContentType",
                "backend not reachable: tls: first record does not look like a TLS handshake",
            ),
            (
                "cannot access backend: error sending request for url (http://127.0.0.1:8200/v1/auth/token/lookup-self): \
                 client error (SendRequest): connection closed before message completed",
                "cannot access backend: connection closed by the server",
            ),
            (
                "backend not reachable: checking secrets namespace: error sending request for url \
                 (https://k8s:6443/api/v1/namespaces/x): client error (Connect): tcp connect error: \
                 No route to host (os error 113)",
                "backend not reachable: checking secrets namespace: no route to host",
            ),
            (
                "backend not reachable: error sending request for url (http://h/): something new: \
                 Weird failure (os error 5)",
                "backend not reachable: weird failure",
            ),
        ];
        for (full, short) in cases {
            assert_eq!(short_message(full), short, "{full}");
        }
    }

    #[test]
    fn short_messages_stay_as_they_are() {
        for m in [
            "vault is sealed",
            "auth token invalid: permission denied",
            "backend not reachable: sys/health answered 503 Service Unavailable",
            "",
        ] {
            assert_eq!(short_message(m), m);
        }
    }

    #[test]
    fn long_messages_are_cut_at_a_word() {
        let long = format!(
            "backend not reachable: checking secrets namespace: {}",
            "namespaces \"very-long\" is forbidden: User \"system:anonymous\" cannot get resource \
             \"namespaces\" in API group \"\" in the namespace \"very-long\""
        );
        let short = short_message(&long);
        assert!(short.chars().count() <= SHORT_MESSAGE_LEN, "{short}");
        assert!(short.ends_with('…'), "{short}");
        let kept = short.trim_end_matches('…');
        assert!(long.starts_with(kept), "{short}");
        assert_eq!(long[kept.len()..].chars().next(), Some(' '), "{short}");

        let word = "x".repeat(200);
        let short = short_message(&word);
        assert_eq!(short.chars().count(), SHORT_MESSAGE_LEN);

        let multi = "first line\nsecond line";
        assert_eq!(short_message(multi), "first line");
        let wide = "é".repeat(100);
        assert_eq!(short_message(&wide).chars().count(), SHORT_MESSAGE_LEN);
    }
}
