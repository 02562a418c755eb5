//! A config key's input on the add and edit forms, shaped by the key's schema: a text area for
//! PEM text and lists, a choice for booleans, one line otherwise; sensitive keys masked. The add
//! form's field ([`SchemaField`]), the edit form's non-sensitive one ([`PlainField`]) and the
//! edit form's new value for a sensitive key ([`SensitiveField`](super::SensitiveField)) all
//! use the one [`ConfigInput`].

use std::collections::BTreeMap;

use leptos::prelude::*;
use secret_backends_api::{FieldInfo, FieldKind, FieldSpec};

use super::{Badge, FieldError, RequiredMark, TextField, refusal_of};
use crate::api::ApiError;
use crate::form::Edit;

/// The form a field is on. Each has its own input ids (the focus on a refusal and the tests find
/// inputs by them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendForm {
    Add,
    Edit,
}

impl BackendForm {
    /// The id of the input for a field as the service names it: `name`, `token-rotate-interval`
    /// or `config.<key>` (a bare key works too).
    pub fn input_id(self, field: &str) -> String {
        let key = field.strip_prefix("config.").unwrap_or(field);
        match (self, key) {
            (BackendForm::Add, key) => format!("sbc-field-{key}"),
            (BackendForm::Edit, "token-rotate-interval") => "sbc-edit-rotate".to_owned(),
            (BackendForm::Edit, key) => format!("sbc-edit-{key}"),
        }
    }
}

/// A backend's settings besides its config, on both forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    Name,
    RotateInterval,
}

/// A [`Setting`]'s input on `form`.
#[component]
pub fn SettingField(
    form: BackendForm,
    setting: Setting,
    value: RwSignal<String>,
    /// The form's refusal; shown here when it names this setting.
    refusal: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    // The field as the service names it, its label, its `data-testid`, and what to type.
    let (field, label, testid, hint) = match setting {
        Setting::Name => (
            "name",
            "Name",
            "field-name",
            match form {
                BackendForm::Add => "Lowercase letters, digits and -, starting with a letter.",
                BackendForm::Edit => "Renaming is refused while the backend holds secrets.",
            },
        ),
        Setting::RotateInterval => (
            "token-rotate-interval",
            "Token rotate interval",
            "field-token-rotate-interval",
            match form {
                BackendForm::Add => {
                    "Optional. A Go duration such as 24h or 90m (at least 1h); empty for no \
                     rotation."
                }
                BackendForm::Edit => "A Go duration (at least 1h); 0 turns rotation off.",
            },
        ),
    };
    view! {
        <TextField
            id=form.input_id(field)
            label=label
            testid=testid
            value=value
            required=setting == Setting::Name
            hint=hint
            error=refusal_of(refusal, field.to_owned())
        />
    }
}

/// The input element for a config key of `kind`.
#[component]
pub fn ConfigInput(
    kind: FieldKind,
    id: String,
    testid: String,
    #[prop(into)] value: Signal<String>,
    /// Called with the text on every change.
    set: Callback<String>,
    /// The ids of the paragraphs that describe the input (its hint, its error).
    #[prop(optional)]
    described_by: Option<String>,
    /// `aria-invalid`: whether a refusal concerns the input (left out without it).
    #[prop(optional)]
    invalid: Option<Signal<bool>>,
    /// Masked: a password input, or a text area whose text shows as dots.
    #[prop(optional)]
    sensitive: bool,
    /// The input's class; `sbc-input` unless given.
    #[prop(optional, into)]
    class: Option<Signal<&'static str>>,
    #[prop(optional)] readonly: bool,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    let masked = sensitive && matches!(kind, FieldKind::Pem | FieldKind::List);
    // What every kind of input has; each kind adds its own below.
    let common = view! {
        <{..}
            id=id
            class=move || {
                let class = class.map_or("sbc-input", |c| c.get());
                if masked { format!("{class} sbc-input--masked") } else { class.to_owned() }
            }
            data-testid=testid
            aria-describedby=described_by
            aria-invalid=move || invalid.map(|i| i.get().to_string())
            prop:value=value
        />
    };
    let on_input = move |ev| set.run(event_target_value(&ev));
    match kind {
        FieldKind::Pem | FieldKind::List => view! {
            <textarea
                {..common}
                rows="4"
                spellcheck="false"
                autocomplete="off"
                readonly=readonly
                prop:disabled=disabled
                on:input=on_input
            ></textarea>
        }
        .into_any(),
        FieldKind::Bool => view! {
            <select {..common} prop:disabled=move || readonly || disabled.get() on:change=on_input>
                <option value="">"(not set)"</option>
                <option value="true">"true"</option>
                <option value="false">"false"</option>
            </select>
        }
        .into_any(),
        _ => view! {
            <input
                {..common}
                type=if sensitive { "password" } else { "text" }
                autocomplete=if sensitive { "new-password" } else { "off" }
                spellcheck="false"
                readonly=readonly
                prop:disabled=disabled
                on:input=on_input
            />
        }
        .into_any(),
    }
}

/// A config key's field on the add form: PEM text as a text area, sensitive keys masked,
/// booleans as a choice.
#[component]
pub fn SchemaField(
    field: FieldInfo,
    values: RwSignal<BTreeMap<String, String>>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let key = StoredValue::new(field.name.clone());
    let id = BackendForm::Add.input_id(&field.name);
    let label_for = id.clone();
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let value = move || values.with(|v| v.get(&key.get_value()).cloned().unwrap_or_default());
    let set = Callback::new(move |text: String| {
        values.update(|v| {
            v.insert(key.get_value(), text);
        })
    });
    let hint = match field.kind {
        FieldKind::List => format!("{} Paste one PEM block after another.", field.description),
        _ => field.description.clone(),
    };
    view! {
        <div class="sbc-field">
            <label for=label_for>
                {field.name.clone()} {field.required.then(|| view! { <RequiredMark /> })}
                {field.sensitive.then(|| view! { <Badge text="sensitive" /> })}
            </label>
            <ConfigInput
                kind=field.kind
                id=id
                testid=format!("field-{}", field.name)
                value=Signal::derive(value)
                set=set
                described_by=format!("{hint_id} {error_id}")
                invalid=Signal::derive(move || error.with(Option::is_some))
                sensitive=field.sensitive
            />
            <p class="sbc-hint" id=hint_id>
                {hint}
            </p>
            <FieldError id=error_id error=error />
        </div>
    }
}

/// A config key on the edit form: its schema, the form's state, and the refusal about it.
#[derive(Clone, Copy)]
pub struct EditedKey {
    pub spec: FieldSpec,
    pub edit: RwSignal<Edit>,
    pub error: Signal<Option<String>>,
}

impl EditedKey {
    /// The id of its input.
    pub fn input_id(self) -> String {
        BackendForm::Edit.input_id(self.spec.name)
    }

    /// Whether it is to be reset to its default (reactive).
    pub fn is_reset(self) -> bool {
        self.edit.with(|e| e.reset.contains(self.spec.name))
    }
}

/// A non-sensitive key on the edit form: prefilled; when immutable, shown as a value, not as a
/// live input, with the reason; "Reset to default" when set, which strikes the old value
/// through.
#[component]
pub fn PlainField(field: EditedKey) -> impl IntoView {
    let EditedKey { spec, edit, error } = field;
    let key = spec.name;
    let id = field.input_id();
    let label_for = id.clone();
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let note_id = format!("{id}-reset-note");
    let value = move || edit.with(|e| e.values.get(key).cloned().unwrap_or_default());
    let is_reset = move || field.is_reset();
    let was_set = edit.with_untracked(|e| e.values.get(key).is_some_and(|v| !v.is_empty()));
    let set = Callback::new(move |text: String| {
        edit.update(|e| {
            e.values.insert(key.to_owned(), text);
        })
    });
    let class = move || {
        if spec.immutable {
            "sbc-input sbc-input--readonly"
        } else if is_reset() {
            "sbc-input sbc-input--reset"
        } else {
            "sbc-input"
        }
    };
    view! {
        <div class="sbc-field">
            <label for=label_for>
                {key} {spec.immutable.then(|| view! { <Badge text="read-only" /> })}
            </label>
            <ConfigInput
                kind=spec.kind
                id=id
                testid=format!("field-{key}")
                value=Signal::derive(value)
                set=set
                described_by=format!("{hint_id} {note_id} {error_id}")
                invalid=Signal::derive(move || error.with(Option::is_some))
                class=Signal::derive(class)
                readonly=spec.immutable
                disabled=Signal::derive(is_reset)
            />
            <p class="sbc-hint" id=hint_id>
                {if spec.immutable {
                    "Immutable: set when the backend was added; it cannot change. ".to_owned()
                } else {
                    String::new()
                }}
                {spec.description}
            </p>
            {(!spec.immutable && was_set)
                .then(|| {
                    view! {
                        <label class="sbc-check">
                            <input
                                type="checkbox"
                                data-testid=format!("reset-{key}")
                                prop:checked=is_reset
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    edit.update(|e| {
                                        if on {
                                            e.reset.insert(key.to_owned());
                                        } else {
                                            e.reset.remove(key);
                                        }
                                    });
                                }
                            />
                            " Reset to default"
                        </label>
                    }
                })}
            <p
                class="sbc-reset-note"
                id=note_id
                data-testid=format!("reset-note-{key}")
                hidden=move || !is_reset()
            >
                {move || {
                    is_reset()
                        .then_some("Will be reset to the default (the value above is cleared).")
                }}
            </p>
            <FieldError id=error_id error=error />
        </div>
    }
}
