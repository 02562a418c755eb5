//! The `juju` command that does what a form does, with a copy button; and a helper that saves text
//! as a file (exports).

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// A titled box with the equivalent `juju` command and a "Copy" button. Sensitive values are
/// placeholders in the command (see `commands`), so copying it leaks nothing.
#[component]
pub fn CommandBox(
    /// The command to show; follows the form as it changes.
    #[prop(into)]
    command: Signal<String>,
    /// The `data-testid` of the `<code>`; the button's is `{testid}-copy`.
    #[prop(default = "command")]
    testid: &'static str,
) -> impl IntoView {
    // Set when the clipboard accepted the text; cleared by the next click.
    let copied = RwSignal::new(false);
    let copy = move |_| {
        copied.set(false);
        let text = command.get_untracked();
        if let Some(promise) = write_clipboard(&text) {
            leptos::task::spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                    copied.try_set(true);
                }
            });
        }
    };
    let title_id = format!("{testid}-title");
    let labelled_by = title_id.clone();
    view! {
        <section class="sbc-command" aria-labelledby=labelled_by data-testid=format!("{testid}-box")>
            <h3 class="sbc-command__title" id=title_id>"Equivalent juju command"</h3>
            <pre class="sbc-command__pre"><code class="sbc-command__code" data-testid=testid>
                {move || command.get()}
            </code></pre>
            <p class="sbc-command__actions">
                <button
                    type="button"
                    class="sbc-button"
                    data-testid=format!("{testid}-copy")
                    on:click=copy
                >
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                    <span class="sbc-visually-hidden">" the juju command"</span>
                </button>
                <span class="sbc-muted sbc-command__hint">
                    "Replace the "<code>"<placeholders>"</code>" of sensitive values before running it."
                </span>
                <span class="sbc-visually-hidden" role="status" data-testid=format!("{testid}-status")>
                    {move || copied.get().then_some("Copied to the clipboard")}
                </span>
            </p>
        </section>
    }
}

/// `navigator.clipboard.writeText(text)`, or `None` where there is no clipboard (an insecure
/// origin, an old browser): the promise settles when the text is (or is not) copied.
pub(crate) fn write_clipboard(text: &str) -> Option<js_sys::Promise> {
    let navigator = web_sys::window()?.navigator();
    let clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard")).ok()?;
    if clipboard.is_undefined() || clipboard.is_null() {
        return None;
    }
    Some(
        clipboard
            .unchecked_into::<web_sys::Clipboard>()
            .write_text(text),
    )
}

/// Saves `text` as a file named `filename` (a download): a Blob, an object URL, a temporary
/// `<a download>` clicked from code, then the URL revoked. Failures are ignored: there is nothing
/// useful to tell the admin beyond the missing file.
pub fn download_text(filename: &str, mime: &str, text: &str) {
    let _ = try_download(filename, mime, text);
}

fn try_download(filename: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let result = click_link(filename, &url);
    // The click has started the download; revoke on the next turn so that every browser has
    // read the URL by then.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::ZERO,
    );
    result
}

fn click_link(filename: &str, url: &str) -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    link.set_href(url);
    link.set_download(filename);
    link.set_hidden(true);
    let parent = document
        .body()
        .ok_or_else(|| JsValue::from_str("no body"))?;
    parent.append_child(&link)?;
    link.click();
    link.remove();
    Ok(())
}
