//! Using a vault backend for real: one KV version 1 mount per model, secret content under it, and
//! orphan tokens for rotation. Errors are sentences without config values.

use std::collections::BTreeMap;
use std::time::Duration;

use secret_backends_api::Config;
use serde::Deserialize;
use serde_json::json;

use crate::ping::{cause, http_client, text};

/// The content of one secret revision.
pub type Content = BTreeMap<String, String>;

/// Where a model's secrets live: `<mount-path>/<model>-<last 6 of the model uuid>`.
pub fn model_mount(config: &Config, model_name: &str, model_uuid: &str) -> String {
    let suffix: String = {
        let chars: Vec<char> = model_uuid.chars().filter(|c| *c != '-').collect();
        chars[chars.len().saturating_sub(6)..].iter().collect()
    };
    let leaf = format!("{model_name}-{suffix}");
    match text(config, "mount-path").map(|p| p.trim_matches('/')) {
        Some(prefix) if !prefix.is_empty() => format!("{prefix}/{leaf}"),
        _ => leaf,
    }
}

/// The key of a revision in its model's mount (Juju's `<secret id>-<revision>`).
pub fn revision_key(secret_uri: &str, revision: u64) -> String {
    let id = secret_uri.strip_prefix("secret:").unwrap_or(secret_uri);
    format!("{id}-{revision}")
}

struct Vault {
    client: reqwest::Client,
    base: String,
    token: Option<String>,
    namespace: Option<String>,
}

impl Vault {
    fn new(config: &Config) -> Result<Vault, String> {
        Ok(Vault {
            client: http_client(config)?,
            base: text(config, "endpoint")
                .ok_or("no endpoint")?
                .trim_end_matches('/')
                .to_owned(),
            token: text(config, "token").map(str::to_owned),
            namespace: text(config, "namespace").map(str::to_owned),
        })
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut req = self
            .client
            .request(method, format!("{}/v1/{path}", self.base));
        if let Some(token) = &self.token {
            req = req.header("X-Vault-Token", token);
        }
        if let Some(ns) = &self.namespace {
            req = req.header("X-Vault-Namespace", ns);
        }
        req
    }

    /// Sends and turns a non-success answer into a sentence (Vault's own `errors`, no values).
    async fn send(
        &self,
        what: &str,
        req: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, String> {
        let resp = req
            .send()
            .await
            .map_err(|e| format!("{what}: backend not reachable: {}", cause(&e)))?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status();
        #[derive(Deserialize)]
        struct Errors {
            #[serde(default)]
            errors: Vec<String>,
        }
        let errors = resp
            .json::<Errors>()
            .await
            .map(|e| e.errors)
            .unwrap_or_default();
        let detail = if status == reqwest::StatusCode::FORBIDDEN {
            "permission denied".to_owned()
        } else if errors.is_empty() {
            format!("HTTP {status}")
        } else {
            errors.join("; ")
        };
        Err(format!("{what}: {detail}"))
    }
}

/// Makes sure the model's KV v1 mount exists.
pub async fn ensure_mount(config: &Config, mount: &str) -> Result<(), String> {
    let vault = Vault::new(config)?;
    let existing = vault
        .request(reqwest::Method::GET, &format!("sys/mounts/{mount}"))
        .send()
        .await;
    if existing.is_ok_and(|r| r.status().is_success()) {
        return Ok(());
    }
    let body = json!({"type": "kv", "options": {"version": "1"}, "description": "Juju secrets"});
    match vault
        .send(
            "cannot create the secrets mount",
            vault
                .request(reqwest::Method::POST, &format!("sys/mounts/{mount}"))
                .json(&body),
        )
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.contains("already in use") => Ok(()),
        Err(e) => Err(e),
    }
}

pub async fn put(config: &Config, mount: &str, key: &str, content: &Content) -> Result<(), String> {
    let vault = Vault::new(config)?;
    vault
        .send(
            "cannot store secret content",
            vault
                .request(reqwest::Method::PUT, &format!("{mount}/{key}"))
                .json(content),
        )
        .await
        .map(|_| ())
}

pub async fn get(config: &Config, mount: &str, key: &str) -> Result<Content, String> {
    #[derive(Deserialize)]
    struct Answer {
        data: Content,
    }
    let vault = Vault::new(config)?;
    let resp = vault
        .send(
            "cannot read secret content",
            vault.request(reqwest::Method::GET, &format!("{mount}/{key}")),
        )
        .await?;
    resp.json::<Answer>()
        .await
        .map(|a| a.data)
        .map_err(|_| "cannot read secret content: unexpected answer".to_owned())
}

pub async fn delete(config: &Config, mount: &str, key: &str) -> Result<(), String> {
    let vault = Vault::new(config)?;
    vault
        .send(
            "cannot delete secret content",
            vault.request(reqwest::Method::DELETE, &format!("{mount}/{key}")),
        )
        .await
        .map(|_| ())
}

/// Creates an orphan token whose TTL is `ttl`, with the policies of the configured token.
pub async fn create_orphan_token(config: &Config, ttl: Duration) -> Result<String, String> {
    #[derive(Deserialize)]
    struct Auth {
        client_token: String,
    }
    #[derive(Deserialize)]
    struct Answer {
        auth: Auth,
    }
    let vault = Vault::new(config)?;
    let body = json!({
        "ttl": format!("{}s", ttl.as_secs()),
        "renewable": true,
        "display_name": "juju-secret-backend",
    });
    let resp = vault
        .send(
            "cannot create a token",
            vault
                .request(reqwest::Method::POST, "auth/token/create-orphan")
                .json(&body),
        )
        .await?;
    resp.json::<Answer>()
        .await
        .map(|a| a.auth.client_token)
        .map_err(|_| "cannot create a token: unexpected answer".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mounts_follow_juju_naming() {
        let uuid = "7d6a8f3e-1b2c-4d5e-9f80-a1b2c3d4e5f6";
        let bare: Config = [("endpoint".to_owned(), "http://x".into())].into();
        assert_eq!(model_mount(&bare, "mymodel", uuid), "mymodel-d4e5f6");
        let mut prefixed = bare.clone();
        prefixed.insert("mount-path".into(), "/juju/secrets/".into());
        assert_eq!(
            model_mount(&prefixed, "mymodel", uuid),
            "juju/secrets/mymodel-d4e5f6"
        );
        assert_eq!(revision_key("secret:abc123", 2), "abc123-2");
    }
}
