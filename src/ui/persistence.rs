//! Keeping work: autosave to `localStorage` (debounced, at most half a second behind) and
//! restore on reload; Save and Open as JSON files in the documented diagram format. A saved file
//! runs in the command-line runner unchanged.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::editor::Editor;
use crate::model::Diagram;
use crate::model::export::file_name;

/// Where the working diagram is autosaved. The `v1` names the storage layout, not the format.
pub const AUTOSAVE_KEY: &str = "archplay.autosave.v1";
/// Where an autosave that could not be restored is kept, so a failed restore loses nothing.
pub const REJECTED_KEY: &str = "archplay.autosave.rejected";
/// Autosave delay after the last change.
const AUTOSAVE_MS: u32 = 500;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The autosaved diagram, if there is one. An autosave that does not load is moved aside to
/// [`REJECTED_KEY`] and the reason returned.
pub fn restore() -> Result<Option<Diagram>, String> {
    let Some(store) = storage() else {
        return Ok(None);
    };
    let Some(text) = store.get_item(AUTOSAVE_KEY).ok().flatten() else {
        return Ok(None);
    };
    match Diagram::from_json(&text) {
        Ok(d) => Ok(Some(d)),
        Err(e) => {
            let _ = store.set_item(REJECTED_KEY, &text);
            let _ = store.remove_item(AUTOSAVE_KEY);
            Err(format!(
                "The autosaved diagram could not be restored ({e}). It was kept in this browser's storage under '{REJECTED_KEY}'."
            ))
        }
    }
}

/// Saves the diagram to `localStorage` shortly after every change. The effect only writes to
/// the outside world; it never writes a signal.
pub fn autosave(editor: Editor) {
    let pending: Rc<RefCell<Option<Timeout>>> = Rc::new(RefCell::new(None));
    Effect::new(move |_| {
        editor.doc.track();
        // Replacing the timeout cancels the previous one: only the last change is written, and
        // only then serialised, so a burst of edits to a large diagram pays for one JSON text.
        *pending.borrow_mut() = Some(Timeout::new(AUTOSAVE_MS, move || {
            let json = editor.doc.with_untracked(|d| d.diagram.to_json());
            if let Some(store) = storage() {
                let _ = store.set_item(AUTOSAVE_KEY, &json);
            }
        }));
    });
}

/// Offers the diagram as a JSON file download named after it.
pub fn save_file(diagram: &Diagram) -> Result<(), JsValue> {
    let blob = text_blob(&diagram.to_json(), "application/json")?;
    download(&file_name(&diagram.name, "json"), &blob)
}

/// `text` as a blob of type `mime`.
pub fn text_blob(text: &str, mime: &str) -> Result<web_sys::Blob, JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
}

/// Offers `blob` as a download called `name`.
pub fn download(name: &str, blob: &web_sys::Blob) -> Result<(), JsValue> {
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url)?;
    Ok(())
}

/// Reads the first file chosen in a file input and hands its text to `done`.
pub fn read_chosen_file(
    input: &web_sys::HtmlInputElement,
    done: impl FnOnce(Result<String, String>) + 'static,
) {
    let Some(file) = input.files().and_then(|f| f.get(0)) else {
        return;
    };
    if file.size() > crate::model::MAX_DOCUMENT_BYTES as f64 {
        done(Err(format!(
            "{} is {:.1} MB; diagrams are at most {} MB",
            file.name(),
            file.size() / 1_048_576.0,
            crate::model::MAX_DOCUMENT_BYTES / 1_048_576
        )));
        return;
    }
    let promise = file.text();
    wasm_bindgen_futures::spawn_local(async move {
        let text = wasm_bindgen_futures::JsFuture::from(promise).await;
        done(
            text.ok()
                .and_then(|t| t.as_string())
                .ok_or_else(|| "the file could not be read".to_string()),
        );
    });
}
