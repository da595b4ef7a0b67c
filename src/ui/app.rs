//! The application shell: header, palette, canvas, inspector and run bar in one responsive grid,
//! sharing one [`Editor`] through context.

use leptos::ev;
use leptos::prelude::*;

use super::canvas::Canvas;
use super::editor::Editor;
use super::header::Header;
use super::inspector::Inspector;
use super::palette::Palette;
use super::results::Results;
use super::run::Runner;
use super::run_bar::RunBar;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let editor = Editor::provide();
    super::persistence::autosave(editor);
    let runner = Runner::provide(editor);
    let link_offer = super::share::follow_links(editor, runner);

    // Undo, redo, copy, paste and duplicate work wherever focus is, except while typing in a
    // field.
    let handle = window_event_listener(ev::keydown, move |e| {
        let typing = e
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if typing || !(e.ctrl_key() || e.meta_key()) {
            return;
        }
        match e.key().to_lowercase().as_str() {
            "z" if e.shift_key() => editor.redo(),
            "z" => editor.undo(),
            "y" => editor.redo(),
            "c" => editor.copy_selection(),
            "v" => editor.paste(),
            "d" => editor.duplicate_selection(),
            _ => return,
        }
        e.prevent_default();
    });
    on_cleanup(move || handle.remove());

    view! {
        <div class="ap-app" data-testid="app-shell">
            <Header />
            {move || {
                editor
                    .notice
                    .get()
                    .map(|text| {
                        view! {
                            <div class="ap-notice" data-testid="notice" role="alert">
                                <span>{text}</span>
                                <button class="ap-button" on:click=move |_| editor.notice.set(None)>
                                    "Dismiss"
                                </button>
                            </div>
                        }
                    })
            }}
            <Palette />
            <Canvas />
            <Results />
            <Inspector />
            <RunBar />
            <super::share::LinkDialog offer=link_offer />
            <p class="ap-visually-hidden" aria-live="polite" data-testid="announcer">
                {move || editor.announcement.get()}
            </p>
        </div>
    }
}
