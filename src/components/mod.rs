//! Pieces that several pages use.

mod alert;
mod config_view;
mod status;

pub use alert::{Alert, Progress};
pub use config_view::{ConfigView, SensitiveValue};
pub use status::StatusCell;
