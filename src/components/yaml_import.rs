//! The add form's "Fill from a Juju --config YAML file": paste or upload one.

use std::collections::BTreeMap;

use leptos::prelude::*;
use secret_backends_api::{BackendType, FieldInfo};

use crate::commands;
use crate::components::Alert;
use crate::form;

/// Paste or upload a Juju `--config` YAML file to fill the form; unknown keys are reported.
///
/// A file replaces what an earlier file filled in: a setting the earlier file had and this one
/// has not is cleared. A file that cannot be read changes nothing.
#[component]
pub fn YamlImport(
    backend_type: RwSignal<BackendType>,
    values: RwSignal<BTreeMap<String, String>>,
    rotate: RwSignal<String>,
    imported: RwSignal<Option<commands::ImportedFile>>,
    outcome: RwSignal<Option<Result<Vec<String>, String>>>,
    fields: Memo<Vec<FieldInfo>>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let apply = move |file_name: Option<String>| {
        let t = backend_type.get_untracked();
        let file = match crate::config_file::parse_config_yaml(t, &text.get_untracked()) {
            Ok(file) => file,
            Err(e) => {
                outcome.set(Some(Err(e)));
                return;
            }
        };
        let inputs: BTreeMap<String, String> = file
            .config
            .iter()
            .map(|(key, value)| (key.clone(), form::value_text(value)))
            .collect();
        let previous = imported.get_untracked();
        values.update(|v| {
            if let Some(previous) = &previous {
                for key in previous.config.keys() {
                    v.remove(key);
                }
            }
            v.extend(inputs.clone());
        });
        if file.token_rotate.is_some() || previous.is_some_and(|p| p.token_rotate.is_some()) {
            rotate.set(file.token_rotate.clone().unwrap_or_default());
        }
        // The file's settings as the form types them, to tell later edits from the file.
        let known = fields.get_untracked();
        let config = form::config_from_inputs(
            t,
            inputs
                .iter()
                .filter(|(k, _)| known.iter().any(|f| &f.name == *k))
                .map(|(k, v)| (k.as_str(), v.clone())),
        );
        imported.set(Some(commands::ImportedFile {
            file_name,
            config,
            token_rotate: file.token_rotate,
        }));
        outcome.set(Some(Ok(file.unknown)));
    };
    let on_file = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let file_name = file.name();
        leptos::task::spawn_local(async move {
            if let Ok(content) = wasm_bindgen_futures::JsFuture::from(file.text()).await
                && let Some(content) = content.as_string()
            {
                text.set(content);
                apply(Some(file_name));
            }
        });
    };
    view! {
        <details class="sbc-import" data-testid="yaml-import">
            <summary>"Fill from a Juju --config YAML file"</summary>
            <div class="sbc-field">
                <label for="sbc-yaml">"YAML"</label>
                <textarea
                    id="sbc-yaml"
                    class="sbc-input"
                    rows="5"
                    spellcheck="false"
                    data-testid="yaml-text"
                    placeholder="endpoint: http://10.0.0.1:8200\ntoken: s.eujhj"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
            </div>
            <div class="sbc-field">
                <label for="sbc-yaml-file">"or a file"</label>
                <input
                    id="sbc-yaml-file"
                    type="file"
                    accept=".yaml,.yml,text/yaml"
                    data-testid="yaml-file"
                    on:change=on_file
                />
            </div>
            <button
                type="button"
                class="sbc-button"
                data-testid="yaml-apply"
                on:click=move |_| apply(None)
            >
                "Fill the form"
            </button>
            {move || {
                outcome
                    .get()
                    .map(|o| match o {
                        Ok(unknown) if unknown.is_empty() => {
                            view! {
                                <p role="status" data-testid="yaml-result">
                                    "The form is filled from the file."
                                </p>
                            }
                                .into_any()
                        }
                        Ok(unknown) => {
                            view! {
                                <div class="sbc-warning" role="status" data-testid="yaml-unknown">
                                    {format!(
                                        "Filled the form. Not used, because {} backends have no \
                                         such keys: {}",
                                        backend_type.get_untracked().as_str(),
                                        unknown.join(", "),
                                    )}
                                </div>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <Alert message=e /> }.into_any(),
                    })
            }}
        </details>
    }
}
