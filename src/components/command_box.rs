//! The `juju` command that does what a form does, with a copy button; and a helper that saves text
//! as a file (exports).

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::Button;

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
    /// The box's heading, when a page shows more than one command.
    #[prop(default = "Equivalent juju command")]
    title: &'static str,
) -> impl IntoView {
    // Set when the clipboard accepted the text; cleared by the next click.
    let copied = RwSignal::new(false);
    let copy = Callback::new(move |()| {
        copied.set(false);
        let text = command.get_untracked();
        copy_text(&text, move || {
            copied.try_set(true);
        });
    });
    let title_id = format!("{testid}-title");
    let labelled_by = title_id.clone();
    view! {
        <section
            class="sbc-command"
            aria-labelledby=labelled_by
            data-testid=format!("{testid}-box")
        >
            <h3 class="sbc-command__title" id=title_id>
                {title}
            </h3>
            // Focusable, as it scrolls sideways when a word is wider than the box.
            // Each shell word is unbreakable: lines break at the spaces between words only.
            <pre class="sbc-command__pre" tabindex="0">
                <code class="sbc-command__code" data-testid=testid>
                    {move || command_words(&command.get())}
                </code>
            </pre>
            <p class="sbc-command__actions">
                <CopyButton
                    testid=format!("{testid}-copy")
                    what=" the juju command"
                    copied=copied
                    on_copy=copy
                />
                <Show when=move || command.with(|c| has_placeholder(c))>
                    <span class="sbc-muted sbc-command__hint" data-testid=format!("{testid}-hint")>
                        "Replace the "
                        <code>"<placeholders>"</code>
                        " of sensitive values before running it."
                    </span>
                </Show>
                <span
                    class="sbc-visually-hidden"
                    role="status"
                    data-testid=format!("{testid}-status")
                >
                    {move || copied.get().then_some("Copied to the clipboard")}
                </span>
            </p>
        </section>
    }
}

/// A command's words, each kept on one line (`secret-backend=x` does not break at its hyphen),
/// so that a long command wraps at its spaces only.
pub fn command_words(command: &str) -> impl IntoView + use<> {
    let words: Vec<String> = command.split(' ').map(str::to_owned).collect();
    words
        .into_iter()
        .enumerate()
        .map(|(i, word)| {
            view! {
                {(i > 0).then_some(" ")}
                <span class="sbc-command__word">{word}</span>
            }
        })
        .collect_view()
}

/// Whether `command` holds a placeholder for a sensitive value (`token=<token>`): a `<` that opens
/// a key's name (letters, digits, `-`, `_`) closed by `>`.
pub fn has_placeholder(command: &str) -> bool {
    command.split('<').skip(1).any(|after| {
        after.split_once('>').is_some_and(|(name, _)| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
    })
}

/// Copies `text` to the clipboard and calls `done` once it is there. Does nothing where there is
/// no clipboard (an insecure origin, an old browser): the button then simply never says "Copied".
pub fn copy_text(text: &str, done: impl FnOnce() + 'static) {
    let Some(promise) = write_clipboard(text) else {
        return;
    };
    leptos::task::spawn_local(async move {
        if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
            done();
        }
    });
}

/// `navigator.clipboard.writeText(text)`, or `None` where there is no clipboard.
fn write_clipboard(text: &str) -> Option<js_sys::Promise> {
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

/// "Copy", then "Copied" once the clipboard took the text (`copied`).
#[component]
pub fn CopyButton(
    /// The button's `data-testid`.
    #[prop(into)]
    testid: String,
    /// What it copies, for a screen reader, after "Copy": " the juju command".
    #[prop(into)]
    what: String,
    #[prop(into)] copied: Signal<bool>,
    on_copy: Callback<()>,
) -> impl IntoView {
    view! {
        <Button testid=testid on_click=on_copy>
            {move || if copied.get() { "Copied" } else { "Copy" }}
            <span class="sbc-visually-hidden">{what}</span>
        </Button>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::*;

    use super::has_placeholder;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn only_commands_with_a_placeholder_have_one() {
        for (command, placeholder) in [
            (
                "juju add-secret-backend v vault endpoint=http://10.0.0.1:8200 token=<token>",
                true,
            ),
            ("juju update-secret-backend v client-key=<client-key>", true),
            ("juju remove-secret-backend v --force", false),
            (
                "juju add-secret-backend v vault ca-cert=\"$(cat ca-cert.pem)\"",
                false,
            ),
            ("juju model-config -m m secret-backend=auto", false),
            ("a < b > c", false),
            ("<>", false),
        ] {
            assert_eq!(has_placeholder(command), placeholder, "{command}");
        }
    }
}
