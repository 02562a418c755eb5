//! The names an admin gives backends, models and users, and the password rule for new users.

use crate::{LOCAL_BACKEND_SUFFIX, ValidationError};

/// Names an admin can never give a backend (the Juju 4 set).
pub const RESERVED_NAMES: [&str; 3] = ["internal", "auto", "kubernetes"];

/// The longest backend name.
pub const MAX_NAME_LEN: usize = 63;

/// The shortest password a new user may get.
pub const MIN_PASSWORD_LEN: usize = 8;

/// Checks a name for a user backend (on add and on rename).
pub fn backend_name(name: &str) -> Result<(), ValidationError> {
    let err = |detail: String| ValidationError::field("name", detail);
    if name.is_empty() {
        return Err(err("missing backend name not valid".to_owned()));
    }
    if RESERVED_NAMES.contains(&name) {
        return Err(err(format!("reserved name {name:?} not valid")));
    }
    // Juju's words for a name it refuses ("%q is not a valid name: model names may only contain
    // lowercase letters, digits and hyphens"), with this service's own, stricter rule spelt out.
    if name.ends_with(LOCAL_BACKEND_SUFFIX) {
        return Err(err(format!(
            "{name:?} is not a valid name: secret backend names ending in {LOCAL_BACKEND_SUFFIX:?} are reserved \
             for the built-in backends of Kubernetes models"
        )));
    }
    if !is_dns_label(name) {
        return Err(err(format!(
            "{name:?} is not a valid name: secret backend names may only contain lowercase \
             letters, digits and hyphens, start with a letter, not end with a hyphen, and have at \
             most {MAX_NAME_LEN} characters (this keeps URLs and juju commands simple)"
        )));
    }
    Ok(())
}

/// Checks a model name (Juju's rule: lowercase letters, digits and `-`, starting with a letter).
pub fn model_name(name: &str) -> Result<(), ValidationError> {
    entity_name("model", name)
}

/// Checks a user name (the same rule as model names).
pub fn user_name(name: &str) -> Result<(), ValidationError> {
    entity_name("user", name)
}

/// Checks a new user's password: at least [`MIN_PASSWORD_LEN`] characters.
pub fn password(password: &str) -> Result<(), ValidationError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(ValidationError::field(
            "password",
            format!("password not valid: use at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    Ok(())
}

fn entity_name(kind: &str, name: &str) -> Result<(), ValidationError> {
    if is_dns_label(name) {
        return Ok(());
    }
    Err(ValidationError::field(
        "name",
        format!(
            "{name:?} is not a valid name: {kind} names may only contain lowercase letters, digits \
             and hyphens, start with a letter and not end with a hyphen"
        ),
    ))
}

fn is_dns_label(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.len() <= MAX_NAME_LEN
        && !name.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_has_at_least_the_minimum_length() {
        let short = "x".repeat(MIN_PASSWORD_LEN - 1);
        let e = password(&short).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("password"));
        assert_eq!(e.detail, "password not valid: use at least 8 characters");
        // Characters, not bytes.
        assert!(password(&"é".repeat(MIN_PASSWORD_LEN)).is_ok());
        assert!(password(&"é".repeat(MIN_PASSWORD_LEN - 1)).is_err());
    }

    #[test]
    fn names_follow_the_rules() {
        assert!(backend_name("myvault").is_ok());
        assert!(backend_name("v-2").is_ok());
        assert_eq!(
            backend_name("").unwrap_err().detail,
            "missing backend name not valid"
        );
        for reserved in RESERVED_NAMES {
            let e = backend_name(reserved).unwrap_err();
            assert_eq!(e.detail, format!("reserved name {reserved:?} not valid"));
            assert_eq!(e.field.as_deref(), Some("name"));
        }
        assert!(
            backend_name("mymodel-local")
                .unwrap_err()
                .detail
                .contains("-local")
        );
        for bad in ["MyVault", "1vault", "-v", "vault_x", "vault x", "välkommen"] {
            assert_eq!(
                backend_name(bad).unwrap_err().detail,
                format!(
                    "{bad:?} is not a valid name: secret backend names may only contain lowercase \
                     letters, digits and hyphens, start with a letter, not end with a hyphen, and \
                     have at most 63 characters (this keeps URLs and juju commands simple)"
                ),
            );
        }
        assert_eq!(
            backend_name("mymodel-local").unwrap_err().detail,
            "\"mymodel-local\" is not a valid name: secret backend names ending in \"-local\" are \
             reserved for the built-in backends of Kubernetes models"
        );
        assert_eq!(
            model_name("My_Model").unwrap_err().detail,
            "\"My_Model\" is not a valid name: model names may only contain lowercase letters, \
             digits and hyphens, start with a letter and not end with a hyphen"
        );
        assert!(backend_name(&"a".repeat(63)).is_ok());
        assert!(backend_name(&"a".repeat(64)).is_err());
    }
}
