//! The actions the audit trail records: one list, each with the word it has on the wire
//! (`AuditEntry::action`) and in the store. The words are a contract: they never change, even
//! where their word order differs (`add-user` but `secret-add`).

use serde::{Deserialize, Serialize};

/// What an audited change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AuditAction {
    /// A secret backend was added.
    #[serde(rename = "add")]
    AddBackend,
    /// A secret backend's name, config or token rotation changed.
    #[serde(rename = "update")]
    UpdateBackend,
    /// A secret backend was removed.
    #[serde(rename = "remove")]
    RemoveBackend,
    /// A superuser read a secret backend's sensitive values.
    #[serde(rename = "reveal")]
    RevealBackend,
    /// A secret backend's token was rotated (or the rotation failed).
    #[serde(rename = "rotate")]
    RotateToken,
    /// A model was added.
    #[serde(rename = "add-model")]
    AddModel,
    /// A model's `secret-backend` setting changed.
    #[serde(rename = "model-backend")]
    SetModelBackend,
    /// A secret revision was added to a model.
    #[serde(rename = "secret-add")]
    AddSecret,
    /// A user was added.
    #[serde(rename = "add-user")]
    AddUser,
    /// A user's password was changed (their other sessions ended).
    #[serde(rename = "change-user-password")]
    ChangeUserPassword,
    /// A user was removed (their sessions ended).
    #[serde(rename = "remove-user")]
    RemoveUser,
}

impl AuditAction {
    /// Every action, for lists and tests.
    pub const ALL: [AuditAction; 11] = [
        AuditAction::AddBackend,
        AuditAction::UpdateBackend,
        AuditAction::RemoveBackend,
        AuditAction::RevealBackend,
        AuditAction::RotateToken,
        AuditAction::AddModel,
        AuditAction::SetModelBackend,
        AuditAction::AddSecret,
        AuditAction::AddUser,
        AuditAction::ChangeUserPassword,
        AuditAction::RemoveUser,
    ];

    /// The action's word, as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::AddBackend => "add",
            AuditAction::UpdateBackend => "update",
            AuditAction::RemoveBackend => "remove",
            AuditAction::RevealBackend => "reveal",
            AuditAction::RotateToken => "rotate",
            AuditAction::AddModel => "add-model",
            AuditAction::SetModelBackend => "model-backend",
            AuditAction::AddSecret => "secret-add",
            AuditAction::AddUser => "add-user",
            AuditAction::ChangeUserPassword => "change-user-password",
            AuditAction::RemoveUser => "remove-user",
        }
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_action_s_word_is_its_wire_word() {
        for action in AuditAction::ALL {
            assert_eq!(json!(action), json!(action.as_str()));
            assert_eq!(
                serde_json::from_value::<AuditAction>(json!(action.as_str())).unwrap(),
                action
            );
        }
    }

    #[test]
    fn the_words_are_the_ones_already_recorded() {
        let words: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(
            words,
            [
                "add",
                "update",
                "remove",
                "reveal",
                "rotate",
                "add-model",
                "model-backend",
                "secret-add",
                "add-user",
                "change-user-password",
                "remove-user"
            ]
        );
    }

    #[test]
    fn an_unknown_word_is_not_an_action() {
        assert!(serde_json::from_value::<AuditAction>(json!("add-backend")).is_err());
    }
}
