//! The application shell: header, palette, canvas, inspector and run bar in one responsive grid,
//! sharing one [`Editor`] through context.

use leptos::ev;
use leptos::prelude::*;

use super::canvas::Canvas;
use super::editor::Editor;
use super::embed::{EmbedBar, Embedding};
use super::header::Header;
use super::inspector::Inspector;
use super::layout::{Layout, PanelTabs};
use super::palette::Palette;
use super::results::Results;
use super::run::Runner;
use super::run_bar::RunBar;
use crate::share::embed::Panels;

/// The whole app — or, with `?embed=1`, an embedded instance: its diagram comes from its link
/// only, it never reads or writes the autosave, and it shows the panels its options ask for.
#[component]
pub fn App() -> impl IntoView {
    let embed = super::embed::from_address();
    let options = embed.as_ref().map(|(o, _)| o.clone());
    provide_context(Embedding(options.clone()));
    let editor = match &options {
        Some(o) => Editor::provide_embedded(o.read_only),
        None => Editor::provide(),
    };
    if options.is_none() {
        super::persistence::autosave(editor);
    }
    let layout = options.is_none().then(Layout::provide);
    let runner = Runner::provide(editor);
    if options.is_none() {
        runner.start_worker_soon();
    }
    if let Some((_, problems)) = embed.as_ref().filter(|(_, p)| !p.is_empty()) {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        editor
            .notice
            .set(Some(format!("Embed options: {}.", list.join("; "))));
    }
    let link_offer = super::share::follow_links(editor, runner, options.is_some());
    let lessons = super::lesson::Lessons::provide(editor, runner, options.is_some());
    if options.as_ref().is_some_and(|o| o.autoplay)
        && editor
            .doc
            .with_untracked(|d| !d.diagram.components.is_empty())
    {
        runner.run();
    }
    let panels = options.as_ref().map_or(Panels::All, |o| o.panels);
    let palette = panels == Panels::All && !editor.read_only;
    let results = panels != Panels::None;
    let inspector = panels == Panels::All;
    let base = match &options {
        Some(o) => format!("ap-app ap-app--embed ap-app--panels-{}", o.panels.id()),
        None => "ap-app".to_string(),
    };
    let class = move || {
        let open = lessons.is_open();
        let mut class = base.clone();
        if open {
            class.push_str(" ap-app--lesson");
        }
        if let Some(layout) = layout {
            class.push(' ');
            class.push_str(&layout.classes(open));
        }
        class
    };
    let lesson_open = Signal::derive(move || lessons.is_open());

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
            "z" if e.shift_key() => runner.redo(),
            "z" => runner.undo(),
            "y" => runner.redo(),
            "c" => editor.copy_selection(),
            "v" => editor.paste(),
            "d" => editor.duplicate_selection(),
            _ => return,
        }
        e.prevent_default();
    });
    on_cleanup(move || handle.remove());

    view! {
        <div class=class data-testid="app-shell">
            {if options.is_some() { view! { <EmbedBar /> }.into_any() } else { view! { <Header /> }.into_any() }}
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
            {layout.is_some().then(|| view! { <PanelTabs palette inspector results lesson_open /> })}
            {move || lessons.is_open().then(|| view! { <super::lesson::LessonPanel /> })}
            {palette.then(|| view! { <Palette /> })}
            <Canvas />
            {results.then(|| view! { <Results /> })}
            {inspector.then(|| view! { <Inspector /> })}
            <RunBar />
            {options.is_none().then(|| view! { <super::share::LinkDialog offer=link_offer /> })}
            <p class="ap-visually-hidden" aria-live="polite" data-testid="announcer">
                {move || editor.announcement.get()}
            </p>
        </div>
    }
}
