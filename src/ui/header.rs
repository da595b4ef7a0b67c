//! The top bar: product name, tagline, and the document's undo and redo.

use leptos::prelude::*;

use super::editor::Editor;

/// The header with the product's name and the edit history buttons.
#[component]
pub fn Header() -> impl IntoView {
    let editor = Editor::get();
    let can_undo = move || editor.doc.with(|d| d.history.can_undo());
    let can_redo = move || editor.doc.with(|d| d.history.can_redo());
    view! {
        <header class="ap-header" data-testid="header">
            <svg class="ap-header__logo" viewBox="0 0 32 32" aria-hidden="true">
                <rect x="3" y="3" width="10" height="10" rx="2" />
                <rect x="19" y="3" width="10" height="10" rx="2" />
                <rect x="11" y="19" width="10" height="10" rx="2" />
                <path d="M8 13v3h16v-3M16 16v3" fill="none" />
            </svg>
            <h1 class="ap-header__title">"Archplay"</h1>
            <p class="ap-header__tagline">"From one server to millions of users"</p>
            <div class="ap-header__actions">
                <button
                    class="ap-button"
                    data-testid="undo"
                    title="Undo (Ctrl+Z)"
                    disabled=move || !can_undo()
                    on:click=move |_| editor.undo()
                >
                    "Undo"
                </button>
                <button
                    class="ap-button"
                    data-testid="redo"
                    title="Redo (Ctrl+Shift+Z or Ctrl+Y)"
                    disabled=move || !can_redo()
                    on:click=move |_| editor.redo()
                >
                    "Redo"
                </button>
            </div>
        </header>
    }
}
