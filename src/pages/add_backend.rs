//! `/backends/new`: add a vault or kubernetes backend. The form is built from
//! `/api/v1/backend-types` (strings, URLs, PEM text areas, booleans, lists; sensitive keys as
//! password inputs; required ones marked); a Juju `--config` YAML file can fill it; it is checked
//! with the shared rules before sending; "Test connection" shows the ping's steps; an error from
//! the service is shown next to the field it names (and only there); nothing typed is lost on an
//! error. Each type keeps its own values: changing the type shows that type's, and drops the
//! connection test's result. After a file filled the form, the `--config` command is offered
//! beside the `key=value` one. A controller that cannot test a config without saving it (a Juju
//! controller) gets no "Test connection", and the reason in its place.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use secret_backends_api::{
    AddBackendRequest, BackendCheck, BackendCheckRequest, BackendType, BackendTypeInfo, EventKind,
};

use crate::api::ApiError;
use crate::commands;
use crate::components::{
    Alert, BackendForm, BusyButton, CommandBox, Loaded, NotOffered, Page, Progress, SchemaField,
    Setting, SettingField, YamlImport, refusal_of,
};
use crate::controller::{Capability, use_controller};
use crate::form;
use crate::routes::Route;
use crate::session::use_session;

#[component]
pub fn AddBackendPage() -> impl IntoView {
    let session = use_session();
    let types = LocalResource::new(move || async move { session.api.backend_types().await });
    view! {
        <Page testid="add-backend-page" title="Add a secret backend">
            <Loaded resource=types label="Loading the backend types…" let:types>
                <AddForm types=types />
            </Loaded>
        </Page>
    }
}

#[component]
fn AddForm(types: Vec<BackendTypeInfo>) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let types: Vec<BackendTypeInfo> = types.into_iter().filter(|t| t.user_managed).collect();
    let types = StoredValue::new(types);
    let chosen = RwSignal::new(BackendType::Vault);
    let name = RwSignal::new(String::new());
    let rotate = RwSignal::new(String::new());
    // One value per key of the chosen type.
    let values = RwSignal::new(BTreeMap::<String, String>::new());
    // What a `--config` file filled in, as the form types it (for the `--config` command).
    let imported = RwSignal::new(None::<commands::ImportedFile>);
    let import_outcome = RwSignal::new(None::<Result<Vec<String>, String>>);
    // What was typed for the other types, kept aside so that nothing typed for one type reaches
    // another type's inputs (a vault token is not a kubernetes token), and nothing is lost by
    // switching back.
    let drafts = StoredValue::new(BTreeMap::<BackendType, Draft>::new());
    // A refusal, the service's or the form's own check's.
    let error = RwSignal::new(None::<ApiError>);
    // The type whose config the connection test on screen was run with.
    let checked_for = RwSignal::new(None::<BackendType>);

    let fields = Memo::new(move |_| {
        let t = chosen.get();
        types.with_value(|all| {
            all.iter()
                .find(|i| i.backend_type == t)
                .map(|i| i.fields.clone())
                .unwrap_or_default()
        })
    });
    let current_config = move || {
        let t = chosen.get_untracked();
        values.with_untracked(|v| {
            form::config_from_inputs(
                t,
                fields
                    .get_untracked()
                    .iter()
                    .filter_map(|f| v.get(&f.name).map(|text| (f.name.as_str(), text.clone()))),
            )
        })
    };
    let draft = move || AddBackendRequest {
        name: name.get(),
        backend_type: chosen.get().as_str().to_owned(),
        config: {
            values.track();
            current_config()
        },
        token_rotate_interval: Some(rotate.get()).filter(|r| !r.trim().is_empty()),
        import_id: None,
    };

    let add = Action::new_local(move |request: &AddBackendRequest| {
        let request = request.clone();
        async move { session.api.backend_add(&request).await }
    });
    Effect::new(move || match add.value().get() {
        Some(Ok(backend)) => {
            session.notify(EventKind::BackendAdded, &backend.name);
            navigate(
                &Route::Backend(backend.name.clone()).path(),
                Default::default(),
            );
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let check = Action::new_local(move |request: &BackendCheckRequest| {
        let request = request.clone();
        async move { session.api.backend_test(&request).await }
    });

    let choose_type = move |next: BackendType| {
        let previous = chosen.get_untracked();
        if next == previous {
            return;
        }
        let kept = Draft {
            values: values.get_untracked(),
            rotate: rotate.get_untracked(),
            imported: imported.get_untracked(),
        };
        let restored = drafts.try_update_value(|d| {
            d.insert(previous, kept);
            d.remove(&next).unwrap_or_default()
        });
        let restored = restored.unwrap_or_default();
        values.set(restored.values);
        rotate.set(restored.rotate);
        imported.set(restored.imported);
        import_outcome.set(None);
        error.set(None);
        // A test result says nothing about the other type's form.
        checked_for.set(None);
        chosen.set(next);
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = chosen.get_untracked();
        match form::add_request(
            &name.get_untracked(),
            t,
            current_config(),
            &rotate.get_untracked(),
        ) {
            Ok(request) => {
                error.set(None);
                add.dispatch(request);
            }
            Err(e) => error.set(Some(e.into())),
        }
    };
    let on_check = move |()| {
        let t = chosen.get_untracked();
        match secret_backends_api::validate::config(t, &current_config()) {
            Ok(config) => {
                error.set(None);
                checked_for.set(Some(t));
                check.dispatch(BackendCheckRequest {
                    backend_type: t.as_str().to_owned(),
                    config,
                });
            }
            Err(e) => error.set(Some(e.into())),
        }
    };
    // The alert above the form is for refusals that no input on screen shows next to itself.
    let general_error = move || {
        let shown_by_a_field = |field: &str| {
            field == "name"
                || field == "token-rotate-interval"
                || field
                    .strip_prefix("config.")
                    .is_some_and(|key| fields.with(|f| f.iter().any(|f| f.name == key)))
        };
        error.with(|e| {
            e.as_ref()
                .filter(|e| !e.field().is_some_and(shown_by_a_field))
                .map(ApiError::message)
        })
    };
    // A refusal shown under an input takes the focus there: the input names it (through
    // aria-describedby) for a screen reader, as the alert above the form would have.
    Effect::new(move || {
        let Some(field) = error.with(|e| e.as_ref().and_then(|e| e.field().map(str::to_owned)))
        else {
            return;
        };
        if general_error().is_some() {
            return;
        }
        let id = BackendForm::Add.input_id(&field);
        if let Some(input) = document()
            .get_element_by_id(&id)
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = input.focus();
        }
    });
    let check_visible = Signal::derive(move || checked_for.get() == Some(chosen.get()));
    // Without a connection test the add itself checks: Juju pings the backend when it saves.
    let testable = use_controller().offers(Capability::ConnectionTest);
    let file_command = Signal::derive(move || {
        imported.with(|file| {
            file.as_ref()
                .and_then(|file| commands::add_command_with_file(&draft(), file))
        })
    });

    let type_choices = types.with_value(|all| {
        all.iter()
            .map(|t| {
                let bt = t.backend_type;
                let id = format!("sbc-type-{}", bt.as_str());
                let label_for = id.clone();
                let testid = format!("type-{}", bt.as_str());
                view! {
                    <label class="sbc-check" for=label_for>
                        <input
                            type="radio"
                            name="backend-type"
                            id=id
                            data-testid=testid
                            prop:checked=move || chosen.get() == bt
                            on:change=move |_| choose_type(bt)
                        />
                        " "
                        {bt.as_str()}
                    </label>
                }
            })
            .collect_view()
    });

    view! {
        <form class="sbc-form" data-testid="add-backend-form" novalidate on:submit=on_submit>
            <fieldset class="sbc-fieldset">
                <legend>"Type"</legend>
                <div class="sbc-choices">{type_choices}</div>
            </fieldset>
            <YamlImport
                backend_type=chosen
                values=values
                rotate=rotate
                imported=imported
                outcome=import_outcome
                fields=fields
            />
            {move || general_error().map(|m| view! { <Alert message=m /> })}
            <SettingField form=BackendForm::Add setting=Setting::Name value=name refusal=error />
            {move || {
                fields
                    .get()
                    .into_iter()
                    .map(|f| {
                        let error = refusal_of(error, format!("config.{}", f.name));
                        view! { <SchemaField field=f values=values error=error /> }
                    })
                    .collect_view()
            }}
            <SettingField
                form=BackendForm::Add
                setting=Setting::RotateInterval
                value=rotate
                refusal=error
            />
            {(!testable).then(|| view! { <NotOffered capability=Capability::ConnectionTest /> })}
            <div class="sbc-actions">
                {testable
                    .then(|| {
                        view! {
                            <BusyButton
                                testid="test-connection"
                                label="Test connection"
                                busy=check.pending()
                                on_click=Callback::new(on_check)
                            />
                        }
                    })}
                <BusyButton
                    testid="add-submit"
                    label="Add backend"
                    busy_label="Adding… (checking the backend)"
                    busy=add.pending()
                    submit=true
                    class="sbc-button sbc-button--primary"
                />
            </div>
            {move || {
                add.pending()
                    .get()
                    .then(|| view! { <Progress label="Checking the backend and saving…" /> })
            }}
            <CheckResult check=check visible=check_visible />
            <CommandBox
                command=Signal::derive(move || commands::add_command(&draft()))
                testid="add-command"
            />
            {move || {
                file_command
                    .get()
                    .is_some()
                    .then(|| {
                        view! {
                            <p class="sbc-muted" data-testid="add-command-config-note">
                                {move || {
                                    if imported
                                        .with(|f| f.as_ref().is_some_and(|f| f.file_name.is_none()))
                                    {
                                        format!(
                                            "Or with the file (save the pasted text as {}): ",
                                            commands::PASTED_CONFIG_FILE,
                                        )
                                    } else {
                                        "Or with the file: ".to_owned()
                                    }
                                }}
                                "Juju reads "
                                <code>"--config"</code>
                                ", and the key=value arguments override it."
                            </p>
                            <CommandBox
                                command=Signal::derive(move || {
                                    file_command.get().unwrap_or_default()
                                })
                                testid="add-command-config"
                                title="Equivalent juju command with the config file"
                            />
                        }
                    })
            }}
        </form>
    }
}

/// What was typed for one backend type, kept while another type is chosen.
#[derive(Debug, Clone, Default)]
struct Draft {
    values: BTreeMap<String, String>,
    rotate: String,
    imported: Option<commands::ImportedFile>,
}

/// The steps of a connection test, as they come back; shown while `visible` (the test was run
/// with the type on screen).
#[component]
fn CheckResult(
    check: Action<BackendCheckRequest, Result<BackendCheck, ApiError>>,
    visible: Signal<bool>,
) -> impl IntoView {
    move || {
        if !visible.get() {
            return ().into_any();
        }
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
                                <strong>{s.name}</strong>
                                ": "
                                {s.detail}
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
