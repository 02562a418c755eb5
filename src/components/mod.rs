//! Pieces that several pages use.

mod alert;
mod command_box;
mod config_view;
mod status;
mod text_field;

pub use alert::{Alert, Progress};
pub use command_box::{CommandBox, download_text};
pub use config_view::{ConfigView, SensitiveValue};
pub use status::StatusCell;
pub use text_field::TextField;
