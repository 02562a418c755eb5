//! Test fixtures shared by the crates' tests: a real certificate and its key, for config values
//! that must parse, and a backend to start from. Compiled only for this crate's tests and with the
//! `test-fixtures` feature, which the other crates enable for their tests only.

/// `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650
/// -subj "/C=GB/O=Example Org/OU=Secrets/CN=vault.example.test"`
pub const CERT: &str = "-----BEGIN CERTIFICATE-----
MIIB+TCCAZ+gAwIBAgIUfLZvC7cX7438GF/XvLS8vM05ggAwCgYIKoZIzj0EAwIw
UjELMAkGA1UEBhMCR0IxFDASBgNVBAoMC0V4YW1wbGUgT3JnMRAwDgYDVQQLDAdT
ZWNyZXRzMRswGQYDVQQDDBJ2YXVsdC5leGFtcGxlLnRlc3QwHhcNMjYxMTMwMTcw
MDIzWhcNMzYxMTI3MTcwMDIzWjBSMQswCQYDVQQGEwJHQjEUMBIGA1UECgwLRXhh
bXBsZSBPcmcxEDAOBgNVBAsMB1NlY3JldHMxGzAZBgNVBAMMEnZhdWx0LmV4YW1w
bGUudGVzdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABJWXqkRX9gKDHulbd0EB
apSk9pNJ6zN1UpijU7IBot1xoOTiHWuLHml9QP/7k2O/qlT78Fgr7R0XA/fgdVFb
2CKjUzBRMB0GA1UdDgQWBBSShKKxZeEI+OWo5moupLnE78oW/jAfBgNVHSMEGDAW
gBSShKKxZeEI+OWo5moupLnE78oW/jAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49
BAMCA0gAMEUCIFbxUKfgaxoq8s1dVSLgSLa2nbx7j2tQmIC5scM8NTGEAiEA5vxZ
8A8aIMUh+2sls/u9zD/N5pfmqHZtOcUQ226J+vQ=
-----END CERTIFICATE-----
";

/// The key of [`CERT`] (a throwaway made for these tests).
pub const KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgbJXVYPs4+TSP9eco
mmKYKIfhmcfiXk4Yo/Jz1/URIYehRANCAASVl6pEV/YCgx7pW3dBAWqUpPaTSesz
dVKYo1OyAaLdcaDk4h1rix5pfUD/+5Njv6pU+/BYK+0dFwP34HVRW9gi
-----END PRIVATE KEY-----
";

/// A user backend as the service lists it: `active`, no secrets, no sensitive key set, no
/// rotation, id `<name>-id`; tests change what they need.
pub fn backend(
    name: &str,
    backend_type: crate::BackendType,
    config: serde_json::Value,
) -> crate::SecretBackend {
    crate::SecretBackend {
        id: format!("{name}-id"),
        name: name.into(),
        backend_type,
        built_in: false,
        config: serde_json::from_value(config).expect("a config is a JSON object"),
        sensitive_set: vec![],
        token_rotate_interval: None,
        next_rotation: None,
        last_rotation: None,
        secrets: 0,
        status: crate::BackendStatus::Active,
        message: None,
        checked_at: None,
        models: vec![],
    }
}

/// The vault backend the console's tests show: a namespace, a token set (never its value), three
/// secrets, and a failed check.
pub fn sealed_vault() -> crate::SecretBackend {
    let mut b = backend(
        "myvault",
        crate::BackendType::Vault,
        serde_json::json!({"endpoint": "http://10.0.0.1:8200", "namespace": "team"}),
    );
    b.sensitive_set = vec!["token".into()];
    b.secrets = 3;
    b.status = crate::BackendStatus::Error;
    b.message = Some("vault is sealed".into());
    b
}
