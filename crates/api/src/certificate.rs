//! PEM text as config values hold it: what a certificate says about itself (subject and expiry, to
//! show beside the PEM), and the checks that a certificate really is a certificate and a key
//! really is a private key, so a pasted mistake is refused with the field's name instead of
//! surfacing later as an unreachable backend.
//!
//! Reading PEM is lenient where Go's `encoding/pem` (and so Juju) is: text around the blocks,
//! CRLF line ends and any line width are fine. What is inside a block must decode.

use x509_cert::Certificate;
use x509_cert::der::{self, Decode, Tag, Tagged};

/// The subject and expiry of a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateSummary {
    /// The subject, most specific part first (RFC 4514 order), e.g. `CN=vault.example, O=Example`.
    pub subject: String,
    /// The end of validity, RFC 3339 in UTC, e.g. `2027-01-01T00:00:00Z`.
    pub not_after: String,
}

/// The summary of the first certificate in `pem`, if it holds a readable one.
pub fn certificate_summary(pem: &str) -> Option<CertificateSummary> {
    let blocks = pem_blocks(pem).ok()?;
    let der = blocks
        .into_iter()
        .find(|b| b.label == CERTIFICATE)
        .and_then(|b| b.der)?;
    let cert = Certificate::from_der(&der).ok()?;
    let tbs = cert.tbs_certificate();
    Some(CertificateSummary {
        subject: subject_text(tbs.subject()),
        not_after: tbs.validity().not_after.to_date_time().to_string(),
    })
}

const CERTIFICATE: &str = "CERTIFICATE";

/// The labels of the private keys a TLS client can use (PKCS #8, PKCS #1 RSA, SEC1 EC), as Go's
/// `tls.X509KeyPair` and the service's TLS stack read them.
const KEY_LABELS: [&str; 3] = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"];

/// One `-----BEGIN <label>-----` … `-----END <label>-----` block.
struct PemBlock {
    label: String,
    /// The decoded content; `None` when it is not base64 or the block has headers (which only
    /// legacy encrypted keys have).
    der: Option<Vec<u8>>,
    encrypted: bool,
}

/// Why a text holds no readable PEM.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PemTextError {
    /// No `-----BEGIN` line at all.
    NoBlock,
    /// A block whose `-----END` line is missing or names another label.
    Unterminated(String),
}

fn pem_blocks(text: &str) -> Result<Vec<PemBlock>, PemTextError> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = boundary(line, "BEGIN") else {
            continue;
        };
        let mut body = String::new();
        let mut headers = false;
        let mut encrypted = false;
        let mut ended = false;
        for line in lines.by_ref() {
            if let Some(end) = boundary(line, "END") {
                ended = end == label;
                break;
            }
            if line.contains(':') {
                headers = true;
                encrypted |= line.contains("ENCRYPTED");
            } else {
                body.push_str(line);
            }
        }
        if !ended {
            return Err(PemTextError::Unterminated(label.to_owned()));
        }
        let der = if headers {
            None
        } else {
            decode_base64(label, &body)
        };
        blocks.push(PemBlock {
            label: label.to_owned(),
            der,
            encrypted: encrypted || label.starts_with("ENCRYPTED "),
        });
    }
    if blocks.is_empty() {
        return Err(PemTextError::NoBlock);
    }
    Ok(blocks)
}

/// The label of a `-----BEGIN <label>-----` (or END) line.
fn boundary<'a>(line: &'a str, which: &str) -> Option<&'a str> {
    line.strip_prefix("-----")?
        .strip_prefix(which)?
        .strip_prefix(' ')?
        .strip_suffix("-----")
}

/// Decodes a block's base64 by handing a canonical PEM to the strict RFC 7468 decoder.
fn decode_base64(label: &str, body: &str) -> Option<Vec<u8>> {
    if body.is_empty() || !body.is_ascii() {
        return None;
    }
    let mut canonical = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        canonical.push_str(std::str::from_utf8(chunk).ok()?);
        canonical.push('\n');
    }
    canonical.push_str(&format!("-----END {label}-----\n"));
    der::pem::decode_vec(canonical.as_bytes())
        .ok()
        .map(|(_, der)| der)
}

/// Checks that `text` holds one or more certificates and nothing else; the error is a reason to
/// follow "`<key>`: certificate not valid: ".
pub(crate) fn check_certificates(text: &str) -> Result<(), String> {
    let blocks = pem_blocks(text).map_err(|e| text_error(&e))?;
    for (i, block) in blocks.iter().enumerate() {
        let which = if blocks.len() > 1 {
            format!("PEM block {} ", i + 1)
        } else {
            "the PEM block ".to_owned()
        };
        if block.label != CERTIFICATE {
            let hint = if block.label.ends_with("PRIVATE KEY") {
                " (a key goes in client-key)"
            } else {
                ""
            };
            return Err(format!(
                "{which}is {:?}, expected \"CERTIFICATE\"{hint}",
                block.label
            ));
        }
        let Some(der) = &block.der else {
            return Err(format!("{which}is not base64"));
        };
        if Certificate::from_der(der).is_err() {
            return Err(format!("{which}is not an X.509 certificate"));
        }
    }
    Ok(())
}

/// Checks that `text` holds a private key a TLS client can use; the error is a reason to follow
/// "`<key>`: private key not valid: ". It never quotes the key.
pub(crate) fn check_private_key(text: &str) -> Result<(), String> {
    let blocks = pem_blocks(text).map_err(|e| text_error(&e))?;
    // As Go's tls.X509KeyPair does: the first block that is a key; other blocks are skipped.
    let Some(block) = blocks.iter().find(|b| b.label.ends_with("PRIVATE KEY")) else {
        return Err("no \"PRIVATE KEY\" PEM block found".to_owned());
    };
    if block.encrypted {
        return Err(
            "encrypted keys are not supported (give the key without a passphrase)".to_owned(),
        );
    }
    if !KEY_LABELS.contains(&block.label.as_str()) {
        return Err(format!(
            "{:?} is not supported; use \"PRIVATE KEY\", \"RSA PRIVATE KEY\" or \"EC PRIVATE KEY\"",
            block.label
        ));
    }
    let Some(der) = &block.der else {
        return Err("the PEM block is not base64".to_owned());
    };
    match der::Any::from_der(der) {
        Ok(any) if any.tag() == Tag::Sequence => Ok(()),
        _ => Err("the PEM block does not hold a key".to_owned()),
    }
}

fn text_error(e: &PemTextError) -> String {
    match e {
        PemTextError::NoBlock => "no PEM block found".to_owned(),
        PemTextError::Unterminated(label) => {
            format!("the PEM block has no \"-----END {label}-----\" line")
        }
    }
}

/// A subject as `CN=…, O=…`: most specific part first, short attribute names, values as written
/// (a value of a type that is not text shows as its OID's dotted form and `#…`).
fn subject_text(name: &x509_cert::name::Name) -> String {
    let mut parts: Vec<String> = Vec::new();
    for rdn in name.iter_rdn() {
        let atvs: Vec<String> = rdn
            .iter()
            .map(|atv| {
                let key = attribute_name(&atv.oid.to_string());
                let value = text_value(&atv.value).unwrap_or_else(|| "#…".to_owned());
                format!("{key}={value}")
            })
            .collect();
        parts.push(atvs.join("+"));
    }
    parts.reverse();
    parts.join(", ")
}

/// A few attribute names by OID; the table of a full OID database would cost the console's
/// download more than it gives.
fn attribute_name(oid: &str) -> String {
    match oid {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.5" => "SERIALNUMBER",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        "1.2.840.113549.1.9.1" => "emailAddress",
        other => other,
    }
    .to_owned()
}

fn text_value(value: &der::Any) -> Option<String> {
    use der::asn1::{Ia5StringRef, PrintableStringRef, TeletexStringRef, Utf8StringRef};
    let text = match value.tag() {
        Tag::Utf8String => Utf8StringRef::try_from(value).ok()?.as_str().to_owned(),
        Tag::PrintableString => PrintableStringRef::try_from(value)
            .ok()?
            .as_str()
            .to_owned(),
        Tag::Ia5String => Ia5StringRef::try_from(value).ok()?.as_str().to_owned(),
        Tag::TeletexString => TeletexStringRef::try_from(value).ok()?.as_str().to_owned(),
        _ => return None,
    };
    Some(text)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) use crate::fixtures::{CERT, KEY};

    #[test]
    fn a_certificate_tells_its_subject_and_expiry() {
        let summary = certificate_summary(CERT).unwrap();
        assert_eq!(
            summary.subject,
            "CN=vault.example.test, OU=Secrets, O=Example Org, C=GB"
        );
        assert_eq!(summary.not_after, "2036-11-27T17:00:23Z");
    }

    #[test]
    fn the_first_certificate_of_a_bundle_is_summarised() {
        let bundle = format!(
            "subject=whatever\r\n{}\r\n{CERT}",
            CERT.replace('\n', "\r\n")
        );
        assert_eq!(
            certificate_summary(&bundle).unwrap().subject,
            "CN=vault.example.test, OU=Secrets, O=Example Org, C=GB"
        );
        // Any line width is fine.
        let one_line: String = CERT.lines().filter(|l| !l.starts_with("-----")).collect();
        let rewrapped =
            format!("-----BEGIN CERTIFICATE-----\n{one_line}\n-----END CERTIFICATE-----");
        assert!(certificate_summary(&rewrapped).is_some());
    }

    #[test]
    fn what_is_not_a_certificate_has_no_summary() {
        assert_eq!(certificate_summary(""), None);
        assert_eq!(certificate_summary("/etc/ca.pem"), None);
        assert_eq!(certificate_summary(KEY), None);
        let broken = CERT.replace("MIIB+TCC", "MIIB+TCD");
        assert_eq!(certificate_summary(&broken), None);
    }

    #[test]
    fn certificates_are_checked() {
        assert_eq!(check_certificates(CERT), Ok(()));
        assert_eq!(check_certificates(&format!("{CERT}{CERT}")), Ok(()));
        assert_eq!(
            check_certificates(
                "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----"
            ),
            Err("the PEM block is not base64".to_owned())
        );
        assert_eq!(
            check_certificates("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"),
            Err("the PEM block is not an X.509 certificate".to_owned())
        );
        assert_eq!(
            check_certificates("-----BEGIN CERTIFICATE-----\nMIIB"),
            Err("the PEM block has no \"-----END CERTIFICATE-----\" line".to_owned())
        );
        assert_eq!(
            check_certificates(&format!("{CERT}{KEY}")),
            Err("PEM block 2 is \"PRIVATE KEY\", expected \"CERTIFICATE\" (a key goes in client-key)".to_owned())
        );
        assert_eq!(
            check_certificates("hello"),
            Err("no PEM block found".to_owned())
        );
    }

    #[test]
    fn keys_are_checked_without_quoting_them() {
        assert_eq!(check_private_key(KEY), Ok(()));
        // Go skips blocks that are not keys, and so does the check.
        assert_eq!(check_private_key(&format!("{CERT}{KEY}")), Ok(()));
        let rsa = KEY.replace("PRIVATE KEY", "RSA PRIVATE KEY");
        assert_eq!(check_private_key(&rsa), Ok(()));
        assert_eq!(
            check_private_key(CERT),
            Err("no \"PRIVATE KEY\" PEM block found".to_owned())
        );
        let encrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        assert!(
            check_private_key(encrypted)
                .unwrap_err()
                .contains("encrypted")
        );
        let pkcs8_encrypted = KEY.replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY");
        assert!(
            check_private_key(&pkcs8_encrypted)
                .unwrap_err()
                .contains("encrypted")
        );
        let secret_body =
            "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n-----END PRIVATE KEY-----";
        let e = check_private_key(secret_body).unwrap_err();
        assert_eq!(e, "the PEM block does not hold a key");
        assert!(!e.contains("c2Vj"));
    }
}
