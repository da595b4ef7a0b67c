//! Sharing in the page: the Share button (copies a link holding the diagram and its settings,
//! shows its length, warns when chat apps may cut it), and opening a link — from the address on
//! load or when the fragment changes — without ever silently replacing the work on screen.

use leptos::ev;
use leptos::prelude::*;

use super::editor::Editor;
use super::persistence::save_file;
use super::run::{Runner, Speed};
use crate::model::examples::find;
use crate::share::{Decoded, Fragment, LONG_LINK_CHARS, Shared, decode, fragment, link};

/// A decoded link waiting for the user to say whether it may replace the diagram on screen.
#[derive(Clone, Copy)]
pub struct LinkOffer(pub RwSignal<Option<Decoded>>);

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

/// Removes the fragment from the address bar (without reloading), so a reload shows the
/// autosaved work rather than offering the link again.
pub(crate) fn clear_fragment() {
    let Some(w) = web_sys::window() else {
        return;
    };
    let (Ok(path), Ok(search)) = (w.location().pathname(), w.location().search()) else {
        return;
    };
    if let Ok(history) = w.history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{path}{search}")),
        );
    }
}

/// Opens `decoded` now: one undoable step (in an embed, the fresh document), with the repairs
/// (if any) said in the notice.
fn open(editor: Editor, runner: Runner, decoded: Decoded, embedded: bool) {
    let name = crate::model::shown::quoted(&decoded.shared.diagram.name);
    if let Some(speed) = decoded
        .shared
        .speed
        .as_deref()
        .and_then(|s| Speed::ALL.into_iter().find(|x| x.label() == s))
    {
        runner.speed.set(speed);
    }
    if embedded {
        editor.load(decoded.shared.diagram, &format!("Opened \"{name}\""));
    } else {
        editor.replace(
            decoded.shared.diagram,
            &format!("Opened the shared diagram \"{name}\"; Undo goes back"),
        );
    }
    if !decoded.repairs.is_empty() {
        editor.notice.set(Some(format!(
            "The link was repaired while opening: {}.",
            decoded.repairs.lines().join("; ")
        )));
    }
}

/// The shipped example `file` as a decoded link (nothing repaired, speed unchanged).
fn example(file: &str) -> Result<Decoded, String> {
    let shown: String = file.chars().take(40).collect();
    let example = find(file).ok_or_else(|| format!("there is no example called '{shown}'"))?;
    let diagram = example.diagram().map_err(|e| e.to_string())?;
    Ok(Decoded {
        shared: Shared {
            diagram,
            speed: None,
        },
        repairs: Default::default(),
    })
}

/// Reads a link from the address, if there is one: a packed diagram (`#d=…`) or a shipped
/// example (`#example=…`). In the full app an empty diagram is replaced at once and work on
/// screen is kept until the user chooses; an embed has no work of its own and opens it.
fn take_link_from_address(editor: Editor, runner: Runner, offer: LinkOffer, embedded: bool) {
    let Some(hash) = location().and_then(|l| l.hash().ok()) else {
        return;
    };
    let opened = match fragment(&hash) {
        Fragment::Nothing => return,
        Fragment::Diagram => decode(&hash).map_err(|e| e.to_string()),
        Fragment::Example(file) => example(file),
    };
    // An embed keeps its address, so reloading the frame shows the same diagram; the full app
    // drops it, so a reload shows the autosaved work rather than offering the link again.
    if !embedded {
        clear_fragment();
    }
    match opened {
        Ok(decoded) => {
            let empty = editor
                .doc
                .with_untracked(|d| d.diagram.components.is_empty());
            if embedded || empty {
                open(editor, runner, decoded, embedded);
            } else {
                offer.0.set(Some(decoded));
            }
        }
        Err(why) => editor.notice.set(Some(if embedded {
            format!("This embedded diagram could not be opened: {why}.")
        } else {
            format!("This link could not be opened: {why}. Your diagram is unchanged.")
        })),
    }
}

/// Watches the address for share links (on load and when the fragment changes) and offers
/// them; provides the [`LinkOffer`] the dialog reads.
pub fn follow_links(editor: Editor, runner: Runner, embedded: bool) -> LinkOffer {
    let offer = LinkOffer(RwSignal::new(None));
    take_link_from_address(editor, runner, offer, embedded);
    let handle = window_event_listener(ev::hashchange, move |_| {
        take_link_from_address(editor, runner, offer, embedded);
    });
    on_cleanup(move || handle.remove());
    offer
}

/// The question asked when a link arrives while there is work on screen.
#[component]
pub fn LinkDialog(offer: LinkOffer) -> impl IntoView {
    let editor = Editor::get();
    let runner = Runner::get();
    move || {
        offer.0.get().map(|decoded| {
            let name = crate::model::shown::quoted(&decoded.shared.diagram.name);
            let parts = decoded.shared.diagram.components.len();
            let open_it = {
                let decoded = decoded.clone();
                move |_| {
                    offer.0.set(None);
                    open(editor, runner, decoded.clone(), false);
                }
            };
            // Keeps a copy of the work on screen as a file before the link replaces it.
            let save_then_open = {
                let decoded = decoded.clone();
                move |_| {
                    let saved = editor.doc.with_untracked(|d| save_file(&d.diagram));
                    if saved.is_err() {
                        editor.notice.set(Some(
                            "The browser refused to save your diagram, so the link was not opened.".into(),
                        ));
                        return;
                    }
                    offer.0.set(None);
                    open(editor, runner, decoded.clone(), false);
                }
            };
            view! {
                <div class="ap-dialog" role="dialog" aria-modal="true" aria-labelledby="ap-link-title" data-testid="link-dialog">
                    <h2 id="ap-link-title" class="ap-dialog__title">"Open the shared diagram?"</h2>
                    <p>
                        {format!("The link holds \"{name}\" ({parts} components). ")}
                        "Opening it replaces the diagram on screen; Undo brings yours back. "
                        "Or save yours as a file first."
                    </p>
                    <div class="ap-dialog__buttons">
                        <button class="ap-button ap-button--primary" data-testid="link-open" on:click=open_it>
                            "Open the shared diagram"
                        </button>
                        <button class="ap-button" data-testid="link-save-open" on:click=save_then_open>
                            "Save mine as a file, then open"
                        </button>
                        <button class="ap-button" data-testid="link-keep" on:click=move |_| {
                            offer.0.set(None);
                            editor.announcement.set("Kept your diagram; the link was not opened".into());
                        }>
                            "Keep mine"
                        </button>
                    </div>
                </div>
            }
        })
    }
}

/// The Share button and its panel: the link, its length, a warning when long, copied for you.
#[component]
pub fn ShareButton() -> impl IntoView {
    let editor = Editor::get();
    let runner = Runner::get();
    let shown = RwSignal::new(None::<String>);
    let copied = RwSignal::new(false);
    let make = move |_| {
        let Some(l) = location() else {
            return;
        };
        let base = format!(
            "{}{}{}",
            l.origin().unwrap_or_default(),
            l.pathname().unwrap_or_default(),
            l.search().unwrap_or_default()
        );
        let shared = Shared {
            diagram: editor.doc.with_untracked(|d| d.diagram.clone()),
            speed: Some(runner.speed.get_untracked().label().to_string()),
        };
        let url = link(&base, &shared);
        copied.set(false);
        if let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) {
            let promise = clipboard.write_text(&url);
            wasm_bindgen_futures::spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                    copied.set(true);
                }
            });
        }
        editor.announcement.set(format!(
            "Share link made: {} characters",
            url.chars().count()
        ));
        shown.set(Some(url));
    };
    super::popover::close_on_escape_or_outside(
        move || shown.with_untracked(Option::is_some),
        move || shown.set(None),
        "[data-testid=share]",
        "[data-testid=share-panel]",
    );
    view! {
        <button class="ap-button" data-testid="share" title="Make a link holding this diagram and its run settings" on:click=make>
            "Share"
        </button>
        {move || {
            shown
                .get()
                .map(|url| {
                    let length = url.chars().count();
                    view! {
                        <div class="ap-popover" role="dialog" aria-label="Share link" data-testid="share-panel">
                            <label class="ap-popover__label" for="ap-share-link">
                                "Link to this diagram"
                            </label>
                            <input
                                id="ap-share-link"
                                class="ap-popover__link"
                                data-testid="share-link"
                                readonly
                                prop:value=url.clone()
                                on:focus=move |e| {
                                    if let Some(input) = e
                                        .target()
                                        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok())
                                    {
                                        input.select();
                                    }
                                }
                            />
                            <p class="ap-popover__meta" data-testid="share-length">
                                {format!("{length} characters")}
                                {move || if copied.get() { " · copied to the clipboard" } else { "" }}
                            </p>
                            {(length > LONG_LINK_CHARS)
                                .then(|| {
                                    view! {
                                        <p class="ap-popover__warning" data-testid="share-warning" role="alert">
                                            {format!(
                                                "Long link: some chat apps cut links over {LONG_LINK_CHARS} characters. Save the diagram as a file to be safe."
                                            )}
                                        </p>
                                    }
                                })}
                            <button
                                class="ap-button"
                                on:click=move |_| {
                                    super::popover::close_and_refocus(|| shown.set(None), "[data-testid=share]")
                                }
                            >
                                "Close"
                            </button>
                        </div>
                    }
                })
        }}
    }
}
