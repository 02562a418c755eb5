//! `/backends/new`: add a vault backend. The form comes from the type's schema (sensitive keys
//! are password inputs); it is checked with the shared rules before sending; an error from the
//! service is shown next to the field it names; nothing typed is lost on an error.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use secret_backends_api::{BackendCheck, BackendCheckRequest, BackendType, FieldKind, FieldSpec};

use crate::api::ApiError;
use crate::app::{PageState, use_session};
use crate::components::{Alert, Progress, TextField};
use crate::form;

/// A refusal: the sentence, and the input it concerns (`None`: the whole form).
#[derive(Debug, Clone, PartialEq, Eq)]
struct FormError {
    field: Option<String>,
    message: String,
}

impl From<&ApiError> for FormError {
    fn from(e: &ApiError) -> Self {
        FormError {
            field: e.field().map(str::to_owned),
            message: e.message(),
        }
    }
}

#[component]
pub fn AddBackendPage() -> impl IntoView {
    let session = use_session();
    session.state.set(PageState::Ready);
    let navigate = use_navigate();
    let backend_type = BackendType::Vault;

    let name = RwSignal::new(String::new());
    let rotate = RwSignal::new(String::new());
    let inputs: Vec<(&'static FieldSpec, RwSignal<String>)> = backend_type
        .fields()
        .iter()
        .map(|f| (f, RwSignal::new(String::new())))
        .collect();
    let inputs = StoredValue::new(inputs);
    let error = RwSignal::new(None::<FormError>);

    let current_config = move || {
        inputs.with_value(|inputs| {
            form::config_from_inputs(
                backend_type,
                inputs.iter().map(|(f, v)| (f.name, v.get_untracked())),
            )
        })
    };

    let add = Action::new_local(move |request: &secret_backends_api::AddBackendRequest| {
        let request = request.clone();
        async move { session.api.add_backend(&request).await }
    });
    Effect::new(move || match add.value().get() {
        Some(Ok(backend)) => navigate(&format!("/backends/{}", backend.name), Default::default()),
        Some(Err(e)) => error.set(Some(FormError::from(&e))),
        None => {}
    });

    let check = Action::new_local(move |request: &BackendCheckRequest| {
        let request = request.clone();
        async move { session.api.check_backend(&request).await }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match form::add_request(
            &name.get_untracked(),
            backend_type,
            current_config(),
            &rotate.get_untracked(),
        ) {
            Ok(request) => {
                error.set(None);
                add.dispatch(request);
            }
            Err(e) => error.set(Some(FormError {
                field: e.field,
                message: e.detail,
            })),
        }
    };
    let on_check =
        move |_| match secret_backends_api::validate::config(backend_type, &current_config()) {
            Ok(config) => {
                error.set(None);
                check.dispatch(BackendCheckRequest {
                    backend_type: backend_type.as_str().to_owned(),
                    config,
                });
            }
            Err(e) => error.set(Some(FormError {
                field: e.field,
                message: e.detail,
            })),
        };

    let field_error = move |field: String| {
        Signal::derive(move || {
            error.with(|e| {
                e.as_ref()
                    .filter(|e| e.field.as_deref() == Some(field.as_str()))
                    .map(|e| e.message.clone())
            })
        })
    };
    let form_error = move || error.with(|e| e.as_ref().map(|e| e.message.clone()));

    let config_fields = inputs.with_value(|inputs| {
        inputs
            .iter()
            .map(|(spec, value)| {
                let key = format!("config.{}", spec.name);
                view! { <SchemaField spec=**spec value=*value error=field_error(key) /> }
            })
            .collect_view()
    });

    view! {
        <section class="sbc-page" data-testid="add-backend-page">
            <h1>"Add a vault backend"</h1>
            <form class="sbc-form" data-testid="add-backend-form" novalidate on:submit=on_submit>
                {move || form_error().map(|m| view! { <Alert message=m /> })}
                <TextField
                    id="sbc-field-name"
                    label="Name"
                    required=true
                    hint="Lowercase letters, digits and -, starting with a letter."
                    value=name
                    error=field_error("name".to_owned())
                    testid="field-name"
                />
                {config_fields}
                <TextField
                    id="sbc-field-token-rotate-interval"
                    label="Token rotate interval"
                    hint="Optional. A Go duration such as 24h or 90m (at least 1h); empty for no rotation."
                    value=rotate
                    error=field_error("token-rotate-interval".to_owned())
                    testid="field-token-rotate-interval"
                />
                <div class="sbc-actions">
                    <button type="button" class="sbc-button" data-testid="test-connection"
                        prop:disabled=move || check.pending().get() on:click=on_check>
                        "Test connection"
                    </button>
                    <button type="submit" class="sbc-button sbc-button--primary" data-testid="add-submit"
                        prop:disabled=move || add.pending().get()>
                        {move || if add.pending().get() { "Adding… (checking the backend)" } else { "Add backend" }}
                    </button>
                </div>
                {move || add.pending().get().then(|| view! { <Progress label="Checking the backend and saving…" /> })}
                <CheckResult check=check />
            </form>
        </section>
    }
}

/// The steps of a connection test, as they come back.
#[component]
fn CheckResult(
    check: Action<BackendCheckRequest, Result<BackendCheck, ApiError>>,
) -> impl IntoView {
    move || {
        if check.pending().get() {
            return view! { <Progress label="Testing the connection…" /> }.into_any();
        }
        match check.value().get() {
            None => ().into_any(),
            Some(Err(e)) => view! { <Alert message=e.message() /> }.into_any(),
            Some(Ok(result)) => {
                let steps = result
                    .steps
                    .into_iter()
                    .map(|s| {
                        let mark = if s.ok { "✓" } else { "✗" };
                        let class = if s.ok {
                            "sbc-step sbc-step--ok"
                        } else {
                            "sbc-step sbc-step--failed"
                        };
                        let testid = format!("check-step-{}", s.name);
                        view! {
                            <li class=class data-testid=testid>
                                <span aria-hidden="true">{mark}" "</span>
                                <strong>{s.name}</strong>": "{s.detail}
                            </li>
                        }
                    })
                    .collect_view();
                let summary = if result.ok {
                    "Connection test passed."
                } else {
                    "Connection test failed."
                };
                view! {
                    <div class="sbc-check" role="status" data-testid="check-result">
                        <p>{summary}</p>
                        <ol class="sbc-steps">{steps}</ol>
                    </div>
                }
                .into_any()
            }
        }
    }
}

/// A config key's input, shaped by its schema: PEM text as a text area, sensitive keys masked.
#[component]
fn SchemaField(
    spec: FieldSpec,
    value: RwSignal<String>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let id = format!("sbc-field-{}", spec.name);
    let testid = format!("field-{}", spec.name);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = format!("{hint_id} {error_id}");
    let input = match spec.kind {
        FieldKind::Pem | FieldKind::List => view! {
            <textarea
                id=id.clone()
                rows="4"
                spellcheck="false"
                autocomplete="off"
                class=if spec.sensitive { "sbc-input sbc-input--masked" } else { "sbc-input" }
                data-testid=testid
                aria-describedby=described
                aria-invalid=move || error.get().is_some().to_string()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
        }
        .into_any(),
        _ => view! {
            <input
                id=id.clone()
                class="sbc-input"
                type=if spec.sensitive { "password" } else { "text" }
                autocomplete=if spec.sensitive { "new-password" } else { "off" }
                spellcheck="false"
                data-testid=testid
                aria-describedby=described
                aria-invalid=move || error.get().is_some().to_string()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        }
        .into_any(),
    };
    view! {
        <div class="sbc-field">
            <label for=id>
                {spec.name}
                {spec.required.then(|| view! { <span class="sbc-required" aria-hidden="true">" *"</span><span class="sbc-visually-hidden">" (required)"</span> })}
                {spec.sensitive.then(|| view! { <span class="sbc-badge">"sensitive"</span> })}
            </label>
            {input}
            <p class="sbc-hint" id=hint_id>{spec.description}</p>
            <p class="sbc-field-error" id=error_id>{move || error.get()}</p>
        </div>
    }
}
