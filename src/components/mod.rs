//! Pieces that several pages use.

mod alert;
mod command_box;
mod config_view;
mod export_panel;
mod sensitive_field;
mod status;
mod text_field;

pub use alert::{Alert, Progress};
pub use command_box::{CommandBox, command_words, copy_text, download_text};
pub use config_view::{ConfigView, SensitiveValue};
pub use export_panel::ExportPanel;
pub use sensitive_field::SensitiveField;
pub use status::StatusCell;
pub use text_field::TextField;
