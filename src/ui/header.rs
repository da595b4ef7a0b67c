//! The top bar: product name, tagline, and the document's undo and redo.

use leptos::prelude::*;

use leptos::html;
use wasm_bindgen::JsCast;

use super::editor::Editor;
use super::export::{export_png, export_svg};
use super::persistence::{read_chosen_file, save_file};
use crate::model::Diagram;

/// Archplay's mark: three boxes wired together.
#[component]
pub(crate) fn Logo(class: &'static str) -> impl IntoView {
    view! {
        <svg class=class viewBox="0 0 32 32" aria-hidden="true">
            <rect x="3" y="3" width="10" height="10" rx="2" />
            <rect x="19" y="3" width="10" height="10" rx="2" />
            <rect x="11" y="19" width="10" height="10" rx="2" />
            <path d="M8 13v3h16v-3M16 16v3" fill="none" />
        </svg>
    }
}

/// The header with the product's name and the edit history buttons.
#[component]
pub fn Header() -> impl IntoView {
    let editor = Editor::get();
    let runner = super::run::Runner::get();
    let can_undo = move || editor.doc.with(|d| d.history.can_undo());
    let can_redo = move || editor.doc.with(|d| d.history.can_redo());
    let file_input = NodeRef::<html::Input>::new();
    let on_file = move |e: leptos::ev::Event| {
        let Some(input) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let name = input
            .files()
            .and_then(|f| f.get(0))
            .map(|f| f.name())
            .unwrap_or_default();
        read_chosen_file(&input, move |text| {
            match text.and_then(|t| Diagram::from_json(&t).map_err(|e| e.to_string())) {
                Ok(d) => editor.replace(d, &format!("Opened {name}; Undo goes back")),
                Err(why) => {
                    editor.notice.set(Some(format!(
                        "{name} was not opened: {why}. Your diagram is unchanged."
                    )));
                }
            }
        });
        // Choosing the same file again should fire another change.
        input.set_value("");
    };
    let on_save = move |_| {
        let result = editor.doc.with_untracked(|d| save_file(&d.diagram));
        if result.is_err() {
            editor
                .notice
                .set(Some("The browser refused to save the file.".into()));
        }
    };
    let on_export_svg = move |_| {
        if editor
            .doc
            .with_untracked(|d| export_svg(&d.diagram))
            .is_err()
        {
            editor
                .notice
                .set(Some("The browser refused to save the picture.".into()));
        }
    };
    let on_export_png = move |_| {
        let failed = move |why: String| editor.notice.set(Some(format!("No PNG: {why}.")));
        let started = editor
            .doc
            .with_untracked(|d| export_png(&d.diagram, failed));
        if started.is_err() {
            failed("the browser refused to draw the picture".into());
        }
    };
    view! {
        <header class="ap-header" data-testid="header">
            <Logo class="ap-header__logo" />
            <h1 class="ap-header__title">"Archplay"</h1>
            <p class="ap-header__tagline">"From one server to millions of users"</p>
            <div class="ap-header__actions">
                <button
                    class="ap-button"
                    data-testid="new"
                    title="Start an empty diagram (Undo brings this one back)"
                    on:click=move |_| editor.replace(Diagram::new("Untitled"), "New diagram; Undo goes back")
                >
                    "New"
                </button>
                <super::gallery::Gallery />
                <super::lesson::LessonsButton />
                <button
                    class="ap-button"
                    data-testid="open"
                    title="Open a diagram file (.json)"
                    on:click=move |_| {
                        if let Some(input) = file_input.get_untracked() {
                            input.click();
                        }
                    }
                >
                    "Open"
                </button>
                <input
                    node_ref=file_input
                    class="ap-visually-hidden"
                    data-testid="open-file"
                    type="file"
                    accept=".json,application/json"
                    tabindex="-1"
                    aria-hidden="true"
                    on:change=on_file
                />
                <button class="ap-button" data-testid="save" title="Save the diagram as a file (.json)" on:click=on_save>
                    "Save"
                </button>
                <super::share::ShareButton />
                <super::embed::EmbedButton />
                <button class="ap-button" data-testid="export-svg" title="Save a picture of the diagram (.svg)" on:click=on_export_svg>
                    "SVG"
                </button>
                <button class="ap-button" data-testid="export-png" title="Save a picture of the diagram (.png)" on:click=on_export_png>
                    "PNG"
                </button>
                <button
                    class="ap-button"
                    data-testid="undo"
                    title="Undo (Ctrl+Z)"
                    disabled=move || !can_undo()
                    on:click=move |_| runner.undo()
                >
                    "Undo"
                </button>
                <button
                    class="ap-button"
                    data-testid="redo"
                    title="Redo (Ctrl+Shift+Z or Ctrl+Y)"
                    disabled=move || !can_redo()
                    on:click=move |_| runner.redo()
                >
                    "Redo"
                </button>
                <super::shortcuts::ShortcutsButton />
            </div>
        </header>
    }
}
