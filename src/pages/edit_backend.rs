//! `/backends/{name}/edit`: change keys, replace or reset a sensitive key without ever seeing it,
//! reset keys, rename, change or turn off rotation. Immutable keys are read-only with the reason.
//! A review lists what will change before saving; an unreachable backend can be saved anyway
//! (force skips only the ping); a stale edit (someone else saved first) offers a reload.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use secret_backends_api::{BackendType, EventKind, SecretBackend, UpdateBackendRequest};
use wasm_bindgen::JsCast;

use super::load_by_name;
use crate::api::{ApiError, Tagged};
use crate::commands;
use crate::components::{
    Alert, BackendForm, BusyButton, CommandBox, EditedKey, Loaded, Offer, PlainField, Refusal,
    SensitiveField, Setting, SettingField, refusal_of,
};
use crate::form::{self, Change, Edit};
use crate::routes::Route;
use crate::session::{PageState, use_session};

#[component]
pub fn EditBackendPage() -> impl IntoView {
    let session = use_session();
    let (name, backend) =
        load_by_name(move |name| async move { session.api.backend_get(&name).await });
    view! {
        <section class="sbc-page" data-testid="edit-backend-page">
            <Loaded resource=backend label="Loading the backend…" error_heading=name let:tagged>
                {if tagged.value.built_in {
                    view! {
                        <h1>{tagged.value.name.clone()}</h1>
                        <Alert message="built-in secret backends are immutable" />
                    }
                        .into_any()
                } else {
                    view! {
                        <EditForm
                            backend=tagged
                            reload=Callback::new(move |()| backend.refetch())
                        />
                    }
                        .into_any()
                }}
            </Loaded>
        </section>
    }
}

/// What the review shows, with the form it was made from: saving sends it only while the form is
/// still exactly that.
#[derive(Debug, Clone, PartialEq)]
struct Reviewed {
    edit: Edit,
    request: UpdateBackendRequest,
    changes: Vec<Change>,
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
    let reviewing = RwSignal::new(None::<Reviewed>);
    // The admin changed the form after the review, which was closed: say why it went.
    let outdated = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let (backend_type, sensitive_set) =
        original.with_value(|b| (b.backend_type, b.sensitive_set.clone()));

    let save = Action::new_local(move |request: &UpdateBackendRequest| {
        let request = request.clone();
        let name = original.with_value(|b| b.name.clone());
        let tag = etag.get_value();
        async move {
            session
                .api
                .backend_update(&name, &request, tag.as_deref())
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
                &Route::Backend(saved.value.name.clone()).path(),
                Default::default(),
            );
        }
        Some(Err(e)) => show_error(error, form_ref, backend_type, e),
        None => {}
    });

    // What is saved is what is on screen: any edit after the review closes it.
    Effect::new(move || {
        let stale = edit
            .with(|now| reviewing.with_untracked(|r| r.as_ref().is_some_and(|r| r.edit != *now)));
        if stale {
            reviewing.set(None);
            outdated.set(true);
        }
    });

    let review = move |_| {
        error.set(None);
        outdated.set(false);
        let now = edit.get_untracked();
        match original.with_value(|b| form::update_request(b, &now, false)) {
            Ok((request, changes)) => reviewing.set(Some(Reviewed {
                edit: now,
                request,
                changes,
            })),
            Err(e) => {
                reviewing.set(None);
                show_error(error, form_ref, backend_type, e.into());
            }
        }
    };
    let send = move |force: bool| {
        let Some(reviewed) = reviewing.get_untracked() else {
            return;
        };
        if edit.with_untracked(|now| *now != reviewed.edit) {
            // Never send a review the form no longer matches (the effect above closes it too).
            reviewing.set(None);
            outdated.set(true);
            return;
        }
        let mut request = reviewed.request;
        request.force = force;
        error.set(None);
        save.dispatch(request);
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

    let fields = backend_type
        .fields()
        .iter()
        .map(|spec| {
            let set = sensitive_set.iter().any(|k| k == spec.name);
            let field = EditedKey {
                spec: *spec,
                edit,
                error: refusal_of(error, format!("config.{}", spec.name)),
            };
            if spec.sensitive {
                view! { <SensitiveField field=field set=set /> }.into_any()
            } else {
                view! { <PlainField field=field /> }.into_any()
            }
        })
        .collect_view();

    let title = original.with_value(|b| format!("Edit {}", b.name));
    view! {
        <h1>{title}</h1>
        <form
            class="sbc-form"
            novalidate
            data-testid="edit-backend-form"
            node_ref=form_ref
            on:submit=move |ev| {
                ev.prevent_default();
                review(());
            }
        >
            {move || {
                error
                    .get()
                    .map(|e| {
                        let general = e
                            .field()
                            .is_none_or(|f| field_input_id(backend_type, f).is_none());
                        let force = reviewing
                            .with(Option::is_some)
                            .then(|| Offer {
                                testid: "unreachable",
                                note: "The backend did not answer with the new settings. You can \
                                    save anyway (force): the settings are stored without the \
                                    check, and the backend shows an error until it answers.",
                                button_testid: "save-force",
                                button: "Save anyway",
                                run: Callback::new(move |()| send(true)),
                            });
                        let stale = Offer {
                            testid: "stale-edit",
                            note: "Someone else changed this backend after you opened it. Reload \
                                to see their version; your changes here will be discarded.",
                            button_testid: "reload",
                            button: "Reload",
                            run: reload,
                        };
                        // A refusal about one input is shown under that input only.
                        // Force skips the ping of a reviewed change only.
                        view! { <Refusal error=e alert=general force=force reload=stale /> }
                    })
            }}
            // Locked while saving: what is being saved stays what is on screen.
            <fieldset class="sbc-fieldset" prop:disabled=move || save.pending().get()>
                <legend class="sbc-visually-hidden">"Settings of the backend"</legend>
                <SettingField
                    form=BackendForm::Edit
                    setting=Setting::Name
                    value=name_value
                    refusal=error
                />
                {fields}
                <SettingField
                    form=BackendForm::Edit
                    setting=Setting::RotateInterval
                    value=rotate_value
                    refusal=error
                />
            </fieldset>
            // Always in the page, so that screen readers announce the note when it appears.
            <div role="status" data-testid="review-outdated">
                {move || {
                    outdated
                        .get()
                        .then(|| {
                            view! {
                                <p class="sbc-warning">
                                    "You changed the form after the review, so it was closed: \
                                     review the changes again before saving."
                                </p>
                            }
                        })
                }}
            </div>
            <div class="sbc-actions">
                <button
                    type="submit"
                    class="sbc-button sbc-button--primary"
                    data-testid="review-changes"
                    prop:disabled=move || save.pending().get()
                >
                    {move || {
                        if reviewing.with(Option::is_some) {
                            "Review again"
                        } else {
                            "Review changes"
                        }
                    }}
                </button>
            </div>
        </form>
        {move || {
            reviewing
                .get()
                .map(|Reviewed { request, changes, .. }| {
                    let empty = changes.is_empty();
                    let command = original
                        .with_value(|b| commands::update_command(&b.name, &request));
                    view! {
                        <div
                            class="sbc-review"
                            role="region"
                            aria-label="Review of the changes"
                            data-testid="review"
                        >
                            <h2>"Review"</h2>
                            {if empty {
                                view! { <p data-testid="review-empty">"Nothing changed."</p> }
                                    .into_any()
                            } else {
                                view! {
                                    <ul>
                                        {changes
                                            .into_iter()
                                            .map(|c| {
                                                view! {
                                                    <li data-testid=format!(
                                                        "change-{}",
                                                        c.key,
                                                    )>{c.description}</li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }}
                            <CommandBox
                                command=Signal::derive(move || command.clone())
                                testid="update-command"
                            />
                            <div class="sbc-actions">
                                <button
                                    type="button"
                                    class="sbc-button"
                                    data-testid="back-to-edit"
                                    on:click=move |_| reviewing.set(None)
                                >
                                    "Back to editing"
                                </button>
                                <BusyButton
                                    testid="save"
                                    label="Save"
                                    busy_label="Saving… (checking the backend)"
                                    busy=save.pending()
                                    blocked=empty
                                    class="sbc-button sbc-button--primary"
                                    on_click=Callback::new(move |()| send(false))
                                />
                            </div>
                        </div>
                    }
                })
        }}
    }
}

/// The id of the input a refusal names (`name`, `config.<key>`, `token-rotate-interval`), when
/// this form has it.
fn field_input_id(backend_type: BackendType, field: &str) -> Option<String> {
    let on_this_form = match field.strip_prefix("config.") {
        Some(key) => backend_type.field(key).is_some(),
        None => matches!(field, "name" | "token-rotate-interval"),
    };
    on_this_form.then(|| BackendForm::Edit.input_id(field))
}

/// Shows a refusal, and moves the focus to the input it names (if it is on screen), where it is
/// shown: the admin lands on what to fix.
fn show_error(
    error: RwSignal<Option<ApiError>>,
    form: NodeRef<leptos::html::Form>,
    backend_type: BackendType,
    refusal: ApiError,
) {
    let target = refusal
        .field()
        .and_then(|f| field_input_id(backend_type, f));
    error.set(Some(refusal));
    let Some(target) = target else { return };
    request_animation_frame(move || {
        let Some(form) = form.try_get_untracked().flatten() else {
            return;
        };
        let input = form
            .query_selector(&format!("#{target}"))
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(input) = input {
            let _ = input.focus();
        }
    });
}
