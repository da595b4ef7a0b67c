//! The shortcut sheet: every key the editor answers to, on screen. `?` (or the header's `?`
//! button) opens it; Escape, the Close button or a press outside it closes it.

use leptos::ev;
use leptos::prelude::*;

/// What each key does, by where it applies.
const SHORTCUTS: &[(&str, &[(&str, &str)])] = &[
    (
        "On a component (click it, or Tab to it)",
        &[
            (
                "W",
                "start a wire from it; then Enter on another component finishes it",
            ),
            ("Enter", "finish a wire here, or else show its settings"),
            (
                "K",
                "take it down in the running simulation, or bring it back",
            ),
            ("F", "flush it (a cache or a CDN edge), while running"),
            ("Arrows", "move the selection (Shift: four times as far)"),
            ("Delete", "remove the selection (or the selected wire)"),
            ("Escape", "cancel a wire or a placement, and deselect"),
        ],
    ),
    (
        "In the palette",
        &[
            (
                "Enter",
                "add the focused kind next to the selected component",
            ),
            (
                "Click, then click the canvas",
                "place it there (a tap, then a tap, on a touch screen)",
            ),
        ],
    ),
    (
        "Anywhere",
        &[
            (
                "Ctrl+Z",
                "undo (of the diagram: a run keeps what happened in it)",
            ),
            ("Ctrl+Shift+Z, Ctrl+Y", "redo"),
            (
                "Ctrl+C, Ctrl+V, Ctrl+D",
                "copy, paste and duplicate the selection",
            ),
            ("?", "this sheet"),
        ],
    ),
    (
        "With a mouse or a finger",
        &[
            ("Drag a port", "wire"),
            (
                "Right click, or a long press",
                "a component's actions (take down, flush, …)",
            ),
            (
                "Wheel, or pinch",
                "zoom; drag the background to pan, Shift-drag to select",
            ),
        ],
    ),
];

/// The header's `?` button and the sheet it opens.
#[component]
pub fn ShortcutsButton() -> impl IntoView {
    let shown = RwSignal::new(false);
    let handle = window_event_listener(ev::keydown, move |e| {
        let typing = e
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if !typing && e.key() == "?" && !e.ctrl_key() && !e.meta_key() {
            e.prevent_default();
            shown.update(|s| *s = !*s);
        }
    });
    on_cleanup(move || handle.remove());
    super::popover::close_on_escape_or_outside(
        move || shown.get_untracked(),
        move || shown.set(false),
        "[data-testid=shortcuts]",
        "[data-testid=shortcuts-sheet]",
    );
    let sections = SHORTCUTS
        .iter()
        .map(|(place, keys)| {
            let rows = keys
                .iter()
                .map(|(key, what)| {
                    view! {
                        <dt class="ap-shortcuts__key"><kbd>{*key}</kbd></dt>
                        <dd class="ap-shortcuts__what">{*what}</dd>
                    }
                })
                .collect_view();
            view! {
                <section class="ap-shortcuts__section">
                    <h3 class="ap-shortcuts__place">{*place}</h3>
                    <dl class="ap-shortcuts__list">{rows}</dl>
                </section>
            }
        })
        .collect_view();
    view! {
        <button
            class="ap-button"
            data-testid="shortcuts"
            title="Keyboard shortcuts (?)"
            aria-label="Keyboard shortcuts"
            aria-expanded=move || shown.get().to_string()
            on:click=move |_| shown.update(|s| *s = !*s)
        >
            "?"
        </button>
        <div
            class="ap-dialog ap-dialog--wide ap-shortcuts"
            role="dialog"
            aria-label="Keyboard shortcuts"
            data-testid="shortcuts-sheet"
            hidden=move || !shown.get()
        >
            <h2 class="ap-dialog__title">"Shortcuts"</h2>
            <div class="ap-shortcuts__sections">{sections}</div>
            <div class="ap-dialog__buttons">
                <button
                    class="ap-button"
                    on:click=move |_| {
                        super::popover::close_and_refocus(|| shown.set(false), "[data-testid=shortcuts]")
                    }
                >
                    "Close"
                </button>
            </div>
        </div>
    }
}
