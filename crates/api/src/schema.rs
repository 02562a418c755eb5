//! The secret-backend types and the schema of each one's config (`domain.md` section 2).
//!
//! The service serves these tables at `/api/v1/backend-types`; the console builds its forms, masks
//! and validation from them; `validate` checks config against them.

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// The kinds of secret backend that exist. Nothing else does.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
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
}

const fn field(name: &'static str, kind: FieldKind, description: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        kind,
        required: false,
        immutable: false,
        sensitive: false,
        description,
    }
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

static VAULT_FIELDS: &[FieldSpec] = &[
    required_immutable(field(
        "endpoint",
        FieldKind::Url,
        "The address of the Vault or OpenBao server, e.g. https://10.0.0.1:8200.",
    )),
    sensitive(field(
        "token",
        FieldKind::String,
        "An admin token; the controller uses it to create policies and child tokens.",
    )),
    field(
        "namespace",
        FieldKind::String,
        "A Vault Enterprise namespace (not a mount path).",
    ),
    field(
        "mount-path",
        FieldKind::String,
        "Prefix under which the controller creates one KV mount per model.",
    ),
    field(
        "ca-cert",
        FieldKind::Pem,
        "PEM text of the CA certificate that signed the server's certificate.",
    ),
    field(
        "client-cert",
        FieldKind::Pem,
        "PEM text of a TLS client certificate; goes with client-key.",
    ),
    sensitive(field(
        "client-key",
        FieldKind::Pem,
        "PEM text of the TLS client key; goes with client-cert.",
    )),
    field(
        "tls-server-name",
        FieldKind::String,
        "The server name to expect in the server's certificate (SNI).",
    ),
];

static KUBERNETES_FIELDS: &[FieldSpec] = &[
    required_immutable(field(
        "endpoint",
        FieldKind::Url,
        "The address of the cluster's API server.",
    )),
    required_immutable(field(
        "namespace",
        FieldKind::String,
        "The namespace that holds the secrets.",
    )),
    field(
        "service-account",
        FieldKind::String,
        "The service account whose tokens the controller mints; required with token rotation.",
    ),
    field(
        "ca-certs",
        FieldKind::List,
        "PEM texts of the CA certificates of the API server.",
    ),
    field(
        "ca-cert",
        FieldKind::Pem,
        "PEM text of the CA certificate of the API server.",
    ),
    sensitive(field(
        "token",
        FieldKind::String,
        "A bearer token for the API server.",
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
    field(
        "client-cert",
        FieldKind::Pem,
        "PEM text of a TLS client certificate; goes with client-key.",
    ),
    sensitive(field(
        "client-key",
        FieldKind::Pem,
        "PEM text of the TLS client key; goes with client-cert.",
    )),
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
