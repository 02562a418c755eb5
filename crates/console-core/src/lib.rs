//! The console's pure logic: what neither touches the DOM nor Leptos, so that it builds and is
//! tested natively (`cargo test -p secret-backends-console-core`) as well as for wasm32, where the
//! console uses it.
//!
//! - [`commands`]: an action as the equivalent `juju` command;
//! - [`export`]: the backends as `juju secret-backends --format yaml|json` prints them;
//! - [`config_file`]: reading a Juju `--config` YAML file into the add form;
//! - [`form`]: what an admin typed, checked with the shared rules and turned into a request;
//! - [`listing`]: the backends list's filter, sort and counts;
//! - [`windowing`]: which rows of a long table are in the DOM (those in view).

pub mod commands;
pub mod config_file;
pub mod export;
pub mod form;
pub mod listing;
pub mod windowing;
