//! `/backends/{name}/edit`: change keys, replace or reset a sensitive key without ever seeing it,
//! reset keys, rename, change or turn off rotation. Immutable keys are read-only with the reason.
//! A review lists what will change before saving; an unreachable backend can be saved anyway
//! (force skips only the ping); a stale edit (someone else saved first) offers a reload.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use secret_backends_api::{
    ErrorCode, EventKind, FieldKind, FieldSpec, SecretBackend, UpdateBackendRequest,
};

use crate::api::{ApiError, Tagged};
use crate::app::{PageState, use_session};
use crate::commands;
use crate::components::{Alert, CommandBox, Progress, SensitiveField, TextField};
use crate::form::{self, Change, Edit};

#[component]
pub fn EditBackendPage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let name = Memo::new(move |_| params.read().get("name").unwrap_or_default());
    let backend = LocalResource::new(move || {
        let name = name.get();
        async move { session.api.backend(&name).await }
    });
    Effect::new(move || session.report(backend.get().as_ref()));
    view! {
        <section class="sbc-page" data-testid="edit-backend-page">
            {move || match backend.get() {
                None => view! { <Progress label="Loading the backend…" /> }.into_any(),
                Some(Err(e)) => view! {
                    <h1>{name.get()}</h1>
                    <Alert message=e.message() retry=Callback::new(move |()| backend.refetch()) />
                }.into_any(),
                Some(Ok(tagged)) if tagged.value.built_in => view! {
                    <h1>{tagged.value.name.clone()}</h1>
                    <Alert message="built-in secret backends are immutable" />
                }.into_any(),
                Some(Ok(tagged)) => view! {
                    <EditForm backend=tagged reload=Callback::new(move |()| backend.refetch()) />
                }.into_any(),
            }}
        </section>
    }
}

/// The edit form over one version of the backend (its ETag goes with the save).
#[component]
fn EditForm(backend: Tagged<SecretBackend>, reload: Callback<()>) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let Tagged {
        value: original,
        etag,
    } = backend;
    let original = StoredValue::new(original);
    let etag = StoredValue::new(etag);
    let edit = RwSignal::new(original.with_value(Edit::from_backend));
    let reviewing = RwSignal::new(None::<(UpdateBackendRequest, Vec<Change>)>);
    let error = RwSignal::new(None::<(Option<String>, String, Option<ErrorCode>)>);

    let save = Action::new_local(move |request: &UpdateBackendRequest| {
        let request = request.clone();
        let name = original.with_value(|b| b.name.clone());
        let tag = etag.get_value();
        async move {
            session
                .api
                .update_backend(&name, &request, tag.as_deref())
                .await
        }
    });
    Effect::new(move || match save.value().get() {
        Some(Ok(saved)) => {
            session.state.set(PageState::Ready);
            let old = original.with_value(|b| b.name.clone());
            if old != saved.value.name {
                session.notify(EventKind::BackendRemoved, &old);
                session.notify(EventKind::BackendAdded, &saved.value.name);
            } else {
                session.notify(EventKind::BackendUpdated, &saved.value.name);
            }
            navigate(
                &format!("/backends/{}", saved.value.name),
                Default::default(),
            );
        }
        Some(Err(e)) => error.set(Some(refusal(&e))),
        None => {}
    });

    let review = move |_| {
        error.set(None);
        match original.with_value(|b| edit.with(|e| form::update_request(b, e, false))) {
            Ok(reviewed) => reviewing.set(Some(reviewed)),
            Err(e) => error.set(Some((e.field, e.detail, Some(e.code)))),
        }
    };
    let send = move |force: bool| {
        if let Some((mut request, _)) = reviewing.get_untracked() {
            request.force = force;
            error.set(None);
            save.dispatch(request);
        }
    };
    let field_error = move |field: String| {
        Signal::derive(move || {
            error.with(|e| {
                e.as_ref()
                    .filter(|(f, _, _)| f.as_deref() == Some(field.as_str()))
                    .map(|(_, m, _)| m.clone())
            })
        })
    };

    let name_value = RwSignal::new(edit.with_untracked(|e| e.name.clone()));
    Effect::new(move || {
        let n = name_value.get();
        edit.update(|e| e.name = n);
    });
    let rotate_value = RwSignal::new(edit.with_untracked(|e| e.rotate.clone()));
    Effect::new(move || {
        let r = rotate_value.get();
        edit.update(|e| e.rotate = r);
    });

    let (backend_type, sensitive_set) =
        original.with_value(|b| (b.backend_type, b.sensitive_set.clone()));
    let fields = backend_type
        .fields()
        .iter()
        .map(|spec| {
            let set = sensitive_set.iter().any(|k| k == spec.name);
            let error = field_error(format!("config.{}", spec.name));
            if spec.sensitive {
                view! { <SensitiveField spec=*spec set=set edit=edit error=error /> }.into_any()
            } else {
                view! { <PlainField spec=*spec edit=edit error=error /> }.into_any()
            }
        })
        .collect_view();

    let title = original.with_value(|b| format!("Edit {}", b.name));
    view! {
        <h1>{title}</h1>
        <form class="sbc-form" novalidate data-testid="edit-backend-form" on:submit=move |ev| {
            ev.prevent_default();
            review(());
        }>
            {move || error.get().map(|(_, message, code)| {
                let conflict = code == Some(ErrorCode::Conflict);
                let unreachable = code == Some(ErrorCode::Unreachable) && reviewing.with(Option::is_some);
                view! {
                    <Alert message=message />
                    {conflict.then(|| view! {
                        <div class="sbc-warning" data-testid="stale-edit">
                            <p>"Someone else changed this backend after you opened it. Reload to see \
                               their version; your changes here will be discarded."</p>
                            <button type="button" class="sbc-button" data-testid="reload"
                                on:click=move |_| reload.run(())>"Reload"</button>
                        </div>
                    })}
                    {unreachable.then(|| view! {
                        <div class="sbc-warning" data-testid="unreachable">
                            <p>"The backend did not answer with the new settings. You can save anyway \
                               (force): the settings are stored without the check, and the backend \
                               shows an error until it answers."</p>
                            <button type="button" class="sbc-button sbc-button--danger" data-testid="save-force"
                                on:click=move |_| send(true)>"Save anyway"</button>
                        </div>
                    })}
                }
            })}
            <TextField id="sbc-edit-name" label="Name" testid="field-name" value=name_value required=true
                hint="Renaming is refused while the backend holds secrets."
                error=field_error("name".to_owned()) />
            {fields}
            <TextField id="sbc-edit-rotate" label="Token rotate interval" testid="field-token-rotate-interval"
                value=rotate_value hint="A Go duration (at least 1h); 0 turns rotation off."
                error=field_error("token-rotate-interval".to_owned()) />
            <div class="sbc-actions">
                <button type="submit" class="sbc-button sbc-button--primary" data-testid="review-changes">
                    "Review changes"
                </button>
            </div>
        </form>
        {move || reviewing.get().map(|(request, changes)| {
            let empty = changes.is_empty();
            let command = original.with_value(|b| commands::update_command(&b.name, &request));
            view! {
                <div class="sbc-review" role="region" aria-label="Review of the changes" data-testid="review">
                    <h2>"Review"</h2>
                    {if empty {
                        view! { <p data-testid="review-empty">"Nothing changed."</p> }.into_any()
                    } else {
                        view! {
                            <ul>{changes.into_iter().map(|c| view! {
                                <li data-testid=format!("change-{}", c.key)>{c.description}</li>
                            }).collect_view()}</ul>
                        }.into_any()
                    }}
                    <CommandBox command=Signal::derive(move || command.clone()) testid="update-command" />
                    <div class="sbc-actions">
                        <button type="button" class="sbc-button" data-testid="back-to-edit"
                            on:click=move |_| reviewing.set(None)>"Back to editing"</button>
                        <button type="button" class="sbc-button sbc-button--primary" data-testid="save"
                            prop:disabled=move || empty || save.pending().get()
                            on:click=move |_| send(false)>
                            {move || if save.pending().get() { "Saving… (checking the backend)" } else { "Save" }}
                        </button>
                    </div>
                </div>
            }
        })}
    }
}

fn refusal(e: &ApiError) -> (Option<String>, String, Option<ErrorCode>) {
    (e.field().map(str::to_owned), e.message(), e.code())
}

/// A non-sensitive key: prefilled; read-only with the reason when immutable; "Reset" when set.
#[component]
fn PlainField(
    spec: FieldSpec,
    edit: RwSignal<Edit>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let key = spec.name;
    let id = format!("sbc-edit-{key}");
    let hint_id = format!("{id}-hint");
    let value = move || edit.with(|e| e.values.get(key).cloned().unwrap_or_default());
    let is_reset = move || edit.with(|e| e.reset.contains(key));
    let was_set = edit.with_untracked(|e| e.values.get(key).is_some_and(|v| !v.is_empty()));
    let set_value = move |text: String| {
        edit.update(|e| {
            e.values.insert(key.to_owned(), text);
        })
    };
    let input = match spec.kind {
        FieldKind::Pem | FieldKind::List => view! {
            <textarea id=id.clone() class="sbc-input" rows="4" spellcheck="false"
                data-testid=format!("field-{key}") aria-describedby=hint_id.clone()
                readonly=spec.immutable prop:disabled=is_reset
                prop:value=value on:input=move |ev| set_value(event_target_value(&ev))></textarea>
        }.into_any(),
        FieldKind::Bool => view! {
            <select id=id.clone() class="sbc-input" data-testid=format!("field-{key}") aria-describedby=hint_id.clone()
                prop:disabled=move || spec.immutable || is_reset()
                prop:value=value on:change=move |ev| set_value(event_target_value(&ev))>
                <option value="">"(not set)"</option>
                <option value="true">"true"</option>
                <option value="false">"false"</option>
            </select>
        }.into_any(),
        _ => view! {
            <input id=id.clone() class="sbc-input" spellcheck="false" autocomplete="off"
                data-testid=format!("field-{key}") aria-describedby=hint_id.clone()
                readonly=spec.immutable prop:disabled=is_reset
                prop:value=value on:input=move |ev| set_value(event_target_value(&ev)) />
        }.into_any(),
    };
    view! {
        <div class="sbc-field">
            <label for=id>{key}</label>
            {input}
            <p class="sbc-hint" id=hint_id>
                {if spec.immutable {
                    "Immutable: set when the backend was added; it cannot change. ".to_owned()
                } else {
                    String::new()
                }}
                {spec.description}
            </p>
            {(!spec.immutable && was_set).then(|| view! {
                <label class="sbc-check">
                    <input type="checkbox" data-testid=format!("reset-{key}")
                        prop:checked=is_reset
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            edit.update(|e| { if on { e.reset.insert(key.to_owned()); } else { e.reset.remove(key); } });
                        } />
                    " Reset to default"
                </label>
            })}
            <p class="sbc-field-error">{move || error.get()}</p>
        </div>
    }
}
