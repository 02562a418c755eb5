//! The secret-backend types and the schema of each one's config (`docs/rules.md#types`).
//!
//! The service serves these tables at `/api/v1/backend-types`; the console builds its forms, masks
//! and validation from them; `validate` checks config against them.

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// The kinds of secret backend that exist. Nothing else does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum BackendType {
    Controller,
    Kubernetes,
    Vault,
}

impl BackendType {
    pub const ALL: [BackendType; 3] = [
        BackendType::Controller,
        BackendType::Kubernetes,
        BackendType::Vault,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BackendType::Controller => "controller",
            BackendType::Kubernetes => "kubernetes",
            BackendType::Vault => "vault",
        }
    }

    /// Reads a type name as given by a user; an unknown one is Juju's "no registered provider".
    pub fn parse(name: &str) -> Result<BackendType, ValidationError> {
        BackendType::ALL
            .into_iter()
            .find(|t| t.as_str() == name)
            .ok_or_else(|| {
                ValidationError::field(
                    "backend-type",
                    format!("no registered provider for {name:?}"),
                )
                .with_code(crate::ErrorCode::NotSupported)
            })
    }

    /// Whether admins can add backends of this type (only the controller's own one is not).
    pub fn user_managed(self) -> bool {
        self != BackendType::Controller
    }

    /// Whether the controller can mint fresh tokens for backends of this type.
    pub fn token_rotate(self) -> bool {
        self != BackendType::Controller
    }

    /// The config keys of this type, in the order a form shows them.
    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            BackendType::Controller => &[],
            BackendType::Kubernetes => KUBERNETES_FIELDS,
            BackendType::Vault => VAULT_FIELDS,
        }
    }

    pub fn field(self, name: &str) -> Option<&'static FieldSpec> {
        self.fields().iter().find(|f| f.name == name)
    }

    /// The prefix Juju uses in this type's config errors (`vault config missing client key`).
    pub(crate) fn error_prefix(self) -> &'static str {
        match self {
            BackendType::Kubernetes => "k8s",
            other => other.as_str(),
        }
    }
}

impl std::fmt::Display for BackendType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a config value is written and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    /// Free text on one line.
    String,
    /// An `http://` or `https://` address.
    Url,
    /// PEM text (certificates, keys), several lines.
    Pem,
    /// `true` or `false`.
    Bool,
    /// A list of PEM texts.
    List,
}

/// What a text value must look like beyond its kind: the rules the server behind the backend
/// applies anyway, checked before anything is sent to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ValueRule {
    /// A Vault mount path: segments of letters, digits, `-`, `_` and `.` joined by `/`, not under
    /// one of Vault's own mounts (`sys`, `auth`, `audit`, `cubbyhole`, `identity`).
    MountPath,
    /// A DNS host name (labels of letters, digits and `-`, each 1 to 63 characters), as a TLS
    /// server name is.
    HostName,
    /// A Kubernetes namespace: a DNS label (lowercase letters, digits, `-`; 1 to 63 characters).
    DnsLabel,
    /// A Kubernetes object name such as a service account: a DNS subdomain (lowercase).
    DnsSubdomain,
    /// Sent in an HTTP header: visible ASCII without spaces.
    HeaderValue,
    /// One or more PEM `CERTIFICATE` blocks that parse as X.509 certificates.
    Certificates,
    /// A PEM private key a TLS client can use (PKCS #8, RSA or EC), not encrypted.
    PrivateKey,
}

/// One config key of a backend type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    /// Cannot change once the backend exists.
    pub immutable: bool,
    /// Write-only: absent from answers unless a superuser reveals it.
    pub sensitive: bool,
    pub description: &'static str,
    /// The longest value, in characters (for a list: of each entry).
    pub max_len: usize,
    /// What the value must look like, where the server has a rule.
    pub rule: Option<ValueRule>,
}

/// The longest URL (what browsers and most servers handle).
pub const MAX_URL_LEN: usize = 2048;
/// The longest token: Vault tokens are about 100 characters, Kubernetes service-account tokens
/// (JWTs) a few KB.
pub const MAX_TOKEN_LEN: usize = 8 * 1024;
/// The longest PEM text (a long certificate chain is a few tens of KB).
pub const MAX_PEM_LEN: usize = 64 * 1024;
/// The most PEM texts in a list.
pub const MAX_LIST_ITEMS: usize = 32;
/// The longest mount path: a model's mount adds `/<model>-<6 characters>` (at most 71 more), and
/// the whole stays a readable path.
pub const MAX_MOUNT_PATH_LEN: usize = 128;
/// The longest DNS name (RFC 1035).
pub const MAX_HOST_NAME_LEN: usize = 253;
/// The longest DNS label (RFC 1035), as Kubernetes namespaces are.
pub const MAX_DNS_LABEL_LEN: usize = 63;
/// The longest other text value (a namespace path, a user name, a password).
pub const MAX_TEXT_LEN: usize = 255;

const fn field(name: &'static str, kind: FieldKind, description: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        kind,
        required: false,
        immutable: false,
        sensitive: false,
        description,
        max_len: match kind {
            FieldKind::Url => MAX_URL_LEN,
            FieldKind::Pem | FieldKind::List => MAX_PEM_LEN,
            FieldKind::String | FieldKind::Bool => MAX_TEXT_LEN,
        },
        rule: None,
    }
}

const fn limited(mut f: FieldSpec, max_len: usize, rule: Option<ValueRule>) -> FieldSpec {
    f.max_len = max_len;
    f.rule = rule;
    f
}

/// A text field with its own length and rule.
const fn text(
    name: &'static str,
    description: &'static str,
    max_len: usize,
    rule: ValueRule,
) -> FieldSpec {
    limited(
        field(name, FieldKind::String, description),
        max_len,
        Some(rule),
    )
}

const fn certificates(f: FieldSpec) -> FieldSpec {
    limited(f, MAX_PEM_LEN, Some(ValueRule::Certificates))
}

const fn required_immutable(mut f: FieldSpec) -> FieldSpec {
    f.required = true;
    f.immutable = true;
    f
}

const fn sensitive(mut f: FieldSpec) -> FieldSpec {
    f.sensitive = true;
    f
}

/// The TLS client certificate both backend types take; it goes with [`CLIENT_KEY`].
const CLIENT_CERT: FieldSpec = certificates(field(
    "client-cert",
    FieldKind::Pem,
    "PEM text of a TLS client certificate; goes with client-key.",
));

/// The TLS client key both backend types take; it goes with [`CLIENT_CERT`].
const CLIENT_KEY: FieldSpec = sensitive(limited(
    field(
        "client-key",
        FieldKind::Pem,
        "PEM text of the TLS client key; goes with client-cert.",
    ),
    MAX_PEM_LEN,
    Some(ValueRule::PrivateKey),
));

static VAULT_FIELDS: &[FieldSpec] = &[
    required_immutable(field(
        "endpoint",
        FieldKind::Url,
        "The address of the Vault or OpenBao server, e.g. https://10.0.0.1:8200.",
    )),
    sensitive(text(
        "token",
        "An admin token; the controller uses it to create policies and child tokens.",
        MAX_TOKEN_LEN,
        ValueRule::HeaderValue,
    )),
    text(
        "namespace",
        "A Vault Enterprise namespace (not a mount path).",
        MAX_TEXT_LEN,
        ValueRule::HeaderValue,
    ),
    text(
        "mount-path",
        "Prefix under which the controller creates one KV mount per model.",
        MAX_MOUNT_PATH_LEN,
        ValueRule::MountPath,
    ),
    certificates(field(
        "ca-cert",
        FieldKind::Pem,
        "PEM text of the CA certificate that signed the server's certificate.",
    )),
    CLIENT_CERT,
    CLIENT_KEY,
    text(
        "tls-server-name",
        "The name the server's certificate must be valid for, instead of the endpoint's host.",
        MAX_HOST_NAME_LEN,
        ValueRule::HostName,
    ),
];

static KUBERNETES_FIELDS: &[FieldSpec] = &[
    required_immutable(field(
        "endpoint",
        FieldKind::Url,
        "The address of the cluster's API server.",
    )),
    required_immutable(text(
        "namespace",
        "The namespace that holds the secrets.",
        MAX_DNS_LABEL_LEN,
        ValueRule::DnsLabel,
    )),
    text(
        "service-account",
        "The service account whose tokens the controller mints; required with token rotation.",
        MAX_HOST_NAME_LEN,
        ValueRule::DnsSubdomain,
    ),
    certificates(field(
        "ca-certs",
        FieldKind::List,
        "PEM texts of the CA certificates of the API server.",
    )),
    certificates(field(
        "ca-cert",
        FieldKind::Pem,
        "PEM text of the CA certificate of the API server.",
    )),
    sensitive(text(
        "token",
        "A bearer token for the API server.",
        MAX_TOKEN_LEN,
        ValueRule::HeaderValue,
    )),
    field(
        "username",
        FieldKind::String,
        "A user name for basic authentication.",
    ),
    sensitive(field(
        "password",
        FieldKind::String,
        "The password for basic authentication.",
    )),
    CLIENT_CERT,
    CLIENT_KEY,
    field(
        "skip-tls-verify",
        FieldKind::Bool,
        "Do not verify the API server's certificate (insecure).",
    ),
    field(
        "prefer-incluster-address",
        FieldKind::Bool,
        "Use the in-cluster address of the API server when the controller runs in the cluster.",
    ),
];
