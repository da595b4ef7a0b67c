//! The examples gallery: every shipped example with its description, opened with one click
//! (an undoable step) and each with its own short link (`#example=<file>`) for course material.

use leptos::prelude::*;

use super::editor::Editor;
use crate::model::examples::{EXAMPLES, Example};

/// The page's address with `#example=<file>`: opens that example in any browser.
fn example_link(file: &str) -> String {
    let page = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let page = page.split('#').next().unwrap_or_default();
    format!("{page}#example={file}")
}

fn open(editor: Editor, example: &Example) {
    match example.diagram() {
        Ok(d) => {
            let what = format!("Opened the example \"{}\"; Undo goes back", d.name);
            editor.replace(d, &what);
        }
        Err(why) => editor.notice.set(Some(format!(
            "The example {} could not be opened: {why}",
            example.file
        ))),
    }
}

/// The Examples button and its gallery.
#[component]
pub fn Gallery() -> impl IntoView {
    let editor = Editor::get();
    let shown = RwSignal::new(false);
    let copied = RwSignal::new(None::<&'static str>);
    let items = EXAMPLES
        .iter()
        .filter_map(|example| {
            let d = example.diagram().ok()?;
            let file = example.file;
            let copy = move |_| {
                let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
                    return;
                };
                let promise = clipboard.write_text(&example_link(file));
                wasm_bindgen_futures::spawn_local(async move {
                    if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                        copied.set(Some(file));
                    }
                });
            };
            Some(view! {
                <li class="ap-gallery__item">
                    // A real link (open in a new tab, copy its address); a plain click opens the
                    // example here, undoably.
                    <a
                        class="ap-gallery__open"
                        data-testid=format!("example-{file}")
                        href=format!("#example={file}")
                        on:click=move |e: leptos::ev::MouseEvent| {
                            if e.ctrl_key() || e.meta_key() || e.shift_key() || e.button() != 0 {
                                return;
                            }
                            e.prevent_default();
                            shown.set(false);
                            open(editor, example);
                        }
                    >
                        <span class="ap-gallery__name">{d.name.clone()}</span>
                        <span class="ap-gallery__description">{d.description.clone()}</span>
                    </a>
                    <button
                        class="ap-button ap-gallery__link"
                        data-testid=format!("example-link-{file}")
                        title="Copy a link that opens this example"
                        on:click=copy
                    >
                        {move || if copied.get() == Some(file) { "Link copied" } else { "Copy link" }}
                    </button>
                </li>
            })
        })
        .collect_view();
    super::popover::close_on_escape_or_outside(
        move || shown.get_untracked(),
        move || shown.set(false),
        "[data-testid=examples]",
        "[data-testid=gallery]",
    );
    view! {
        <button
            class="ap-button"
            data-testid="examples"
            aria-expanded=move || shown.get().to_string()
            title="Open an example diagram (Undo goes back)"
            on:click=move |_| {
                copied.set(None);
                shown.update(|s| *s = !*s);
            }
        >
            "Examples"
        </button>
        <div class="ap-popover ap-gallery" role="dialog" aria-label="Examples" data-testid="gallery" hidden=move || !shown.get()>
            <p class="ap-popover__label">"Examples: from one server to millions of users"</p>
            <ul class="ap-gallery__list">{items}</ul>
            <button
                class="ap-button"
                on:click=move |_| {
                    super::popover::close_and_refocus(|| shown.set(false), "[data-testid=examples]")
                }
            >
                "Close"
            </button>
        </div>
    }
}
