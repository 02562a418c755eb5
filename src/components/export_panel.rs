//! Export backends as `juju secret-backends --format yaml|json` prints them: shown, copied or
//! saved as a file. What is exported is what the page holds: never sensitive values, which the
//! console does not have unless revealed (and revealed values are not exported).

use leptos::prelude::*;
use secret_backends_api::SecretBackend;

use crate::components::download_text;
use crate::export::{export_json, export_yaml};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Yaml,
    Json,
}

/// The format choices: the format, its radio button's `data-testid`, its label.
const FORMATS: [(Format, &str, &str); 2] = [
    (Format::Yaml, "export-yaml", " YAML"),
    (Format::Json, "export-json", " JSON"),
];

/// An "Export" button that opens the export of `backends`. The two are siblings in the page's
/// row; the opened panel takes a line of its own below it (`.sbc-export`), so the button keeps
/// its height.
#[component]
pub fn ExportPanel(
    /// What to export.
    #[prop(into)]
    backends: Signal<Vec<SecretBackend>>,
    /// The file name without extension.
    file_stem: String,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let format = RwSignal::new(Format::Yaml);
    let text = move || {
        backends.with(|b| match format.get() {
            Format::Yaml => export_yaml(b),
            Format::Json => export_json(b),
        })
    };
    let stem = StoredValue::new(file_stem);
    let save = move |_| {
        let (ext, mime) = match format.get_untracked() {
            Format::Yaml => ("yaml", "application/yaml"),
            Format::Json => ("json", "application/json"),
        };
        download_text(&format!("{}.{ext}", stem.get_value()), mime, &text());
    };
    view! {
        <button
            type="button"
            class="sbc-button"
            data-testid="export"
            aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)
        >
            "Export"
        </button>
        <Show when=move || open.get()>
            <section class="sbc-export" aria-label="Export" data-testid="export-panel">
                <fieldset class="sbc-fieldset">
                    <legend>"Format, as juju secret-backends --format prints it"</legend>
                    <div class="sbc-choices">
                        {FORMATS
                            .into_iter()
                            .map(|(choice, testid, label)| {
                                view! {
                                    <label class="sbc-check">
                                        <input
                                            type="radio"
                                            name="sbc-export-format"
                                            data-testid=testid
                                            prop:checked=move || format.get() == choice
                                            on:change=move |_| format.set(choice)
                                        />
                                        {label}
                                    </label>
                                }
                            })
                            .collect_view()}
                    </div>
                </fieldset>
                <pre class="sbc-command__code" data-testid="export-text">
                    {text}
                </pre>
                <button
                    type="button"
                    class="sbc-button"
                    data-testid="export-download"
                    on:click=save
                >
                    "Save as a file"
                </button>
            </section>
        </Show>
    }
}
