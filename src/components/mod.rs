//! Pieces that several pages use, and the bigger parts of a page that have a file of their own.

mod ago;
mod alert;
mod busy_button;
mod command_box;
mod config_field;
mod config_view;
mod export_panel;
mod loaded;
mod modal;
mod model_backend_picker;
mod not_offered;
mod page;
mod refusal;
mod sensitive_field;
mod status;
mod table;
mod text_field;
mod yaml_import;

pub use ago::Ago;
pub use alert::{Alert, Fact, Note, Progress};
pub use busy_button::{ActionButton, BusyButton, Button};
pub use command_box::{CommandBox, CopyButton, command_words, copy_text, download_text};
pub use config_field::{
    BackendForm, ConfigInput, EditedKey, PlainField, SchemaField, Setting, SettingField,
};
pub use config_view::{ConfigView, SensitiveValue};
pub use export_panel::ExportPanel;
pub use loaded::Loaded;
pub use modal::Modal;
pub use model_backend_picker::ModelBackendPicker;
pub use not_offered::NotOffered;
pub use page::Page;
pub use refusal::{Offer, Refusal};
pub use sensitive_field::SensitiveField;
pub use status::StatusCell;
pub use table::{Table, first_viewport, follow_viewport, gap_row, keyed_body};
pub use text_field::{Badge, FieldError, FilterField, RequiredMark, TextField, refusal_of};
pub use yaml_import::YamlImport;
