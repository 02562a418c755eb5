//! Enums stored as text: each is written as its wire word (its serde name) and read back through
//! the same names, so the API and the database share one list of words per enum. A word the enum
//! does not know is an error, never a default: a row that cannot be read must not be read wrong.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// An enum value as a column: `Word(BackendStatus::Active)` is stored as `active`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word<T>(pub T);

/// The stored word does not name a value of the enum.
#[derive(Debug, thiserror::Error)]
#[error("unknown {kind} {word:?} in the store: {reason}")]
pub struct UnknownWord {
    pub kind: &'static str,
    pub word: String,
    reason: serde_json::Error,
}

impl<T: Serialize> ToSql for Word<T> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match serde_json::to_value(&self.0) {
            Ok(Value::String(word)) => Ok(ToSqlOutput::from(word)),
            Ok(other) => Err(rusqlite::Error::ToSqlConversionFailure(
                format!("{other} is not a word").into(),
            )),
            Err(e) => Err(rusqlite::Error::ToSqlConversionFailure(Box::new(e))),
        }
    }
}

impl<T: DeserializeOwned> FromSql for Word<T> {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let word = value.as_str()?;
        serde_json::from_value(Value::String(word.to_owned()))
            .map(Word)
            .map_err(|reason| {
                FromSqlError::Other(Box::new(UnknownWord {
                    kind: short_type_name::<T>(),
                    word: word.to_owned(),
                    reason,
                }))
            })
    }
}

/// `BackendStatus` rather than `secret_backends_api::wire::BackendStatus`.
fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    full.rsplit("::").next().unwrap_or(full)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;
    use secret_backends_api::{
        Access, AuditAction, BackendStatus, BackendType, ModelAccess, ModelType,
    };

    fn round_trip<T>(value: T) -> T
    where
        T: Serialize + DeserializeOwned,
    {
        let c = Connection::open_in_memory().unwrap();
        c.query_row("SELECT ?1", [Word(value)], |r| r.get::<_, Word<T>>(0))
            .unwrap()
            .0
    }

    fn read<T: DeserializeOwned>(text: &str) -> rusqlite::Result<T> {
        let c = Connection::open_in_memory().unwrap();
        c.query_row("SELECT ?1", [text], |r| r.get::<_, Word<T>>(0))
            .map(|w| w.0)
    }

    #[test]
    fn every_stored_enum_reads_back_as_written_in_its_wire_word() {
        for status in [BackendStatus::Active, BackendStatus::Error] {
            assert_eq!(round_trip(status), status);
            assert_eq!(read::<BackendStatus>(status.as_str()).unwrap(), status);
        }
        for t in [
            BackendType::Controller,
            BackendType::Kubernetes,
            BackendType::Vault,
        ] {
            assert_eq!(round_trip(t), t);
            assert_eq!(read::<BackendType>(t.as_str()).unwrap(), t);
        }
        for t in [ModelType::Iaas, ModelType::Caas] {
            assert_eq!(read::<ModelType>(t.as_str()).unwrap(), t);
        }
        assert_eq!(read::<Access>("superuser").unwrap(), Access::Superuser);
        assert_eq!(read::<Access>("login").unwrap(), Access::Login);
        for (word, access) in [
            ("read", ModelAccess::Read),
            ("write", ModelAccess::Write),
            ("admin", ModelAccess::Admin),
        ] {
            assert_eq!(read::<ModelAccess>(word).unwrap(), access);
        }
        for action in AuditAction::ALL {
            assert_eq!(read::<AuditAction>(action.as_str()).unwrap(), action);
        }
    }

    #[test]
    fn an_unknown_word_is_an_error_not_a_default() {
        // Before, these read as `error`, `iaas`, `login` and `read`.
        for outcome in [
            read::<BackendStatus>("paused").map(|_| ()),
            read::<ModelType>("lxd").map(|_| ()),
            read::<Access>("admin").map(|_| ()),
            read::<ModelAccess>("owner").map(|_| ()),
            read::<BackendType>("aws").map(|_| ()),
            read::<AuditAction>("delete").map(|_| ()),
            read::<BackendStatus>("Active").map(|_| ()),
        ] {
            let error = outcome.unwrap_err();
            assert!(
                matches!(error, rusqlite::Error::FromSqlConversionFailure(..)),
                "{error:?}"
            );
        }
        let message = read::<ModelType>("lxd").unwrap_err().to_string();
        assert!(message.contains("unknown ModelType \"lxd\""), "{message}");
    }

    #[test]
    fn a_number_is_not_a_word() {
        let c = Connection::open_in_memory().unwrap();
        let outcome = c.query_row("SELECT 1", [], |r| r.get::<_, Word<BackendStatus>>(0));
        assert!(outcome.is_err());
    }
}
