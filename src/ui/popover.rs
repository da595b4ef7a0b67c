//! Popovers (Examples, Lessons, Share) close the way people expect: Escape closes one and puts
//! focus back on the button that opened it; a press anywhere outside it and its button closes
//! it and leaves focus where the press put it.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Installs the closing rules for a popover `panel` opened by `button` (both CSS selectors),
/// for as long as the calling component lives. `is_open` reads (untracked) whether it is open;
/// `close` closes it.
pub(crate) fn close_on_escape_or_outside(
    is_open: impl Fn() -> bool + Clone + 'static,
    close: impl Fn() + Clone + 'static,
    button: &'static str,
    panel: &'static str,
) {
    let (open_k, close_k) = (is_open.clone(), close.clone());
    let keys = window_event_listener(ev::keydown, move |e| {
        if e.key() == "Escape" && open_k() {
            close_k();
            focus(button);
        }
    });
    let presses = window_event_listener(ev::pointerdown, move |e| {
        if !is_open() {
            return;
        }
        let inside = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| {
                [button, panel]
                    .iter()
                    .any(|s| el.closest(s).ok().flatten().is_some())
            });
        if !inside {
            close();
        }
    });
    on_cleanup(move || {
        keys.remove();
        presses.remove();
    });
}

/// Closes a popover from one of its own buttons, putting focus back on `button`.
pub(crate) fn close_and_refocus(close: impl Fn(), button: &'static str) {
    close();
    focus(button);
}

fn focus(selector: &str) {
    if let Some(el) = document()
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}
