//! Embed mode in the page: reading the options from the address, the slim bar an embed shows
//! instead of the header (with "Open in Archplay"), and the Embed dialog that writes the
//! `<iframe>` snippet with a live preview. The rules are in [`crate::share::embed`].

use leptos::prelude::*;

use super::editor::Editor;
use super::header::Logo;
use super::run::Runner;
use crate::share::embed::{
    ChartId, EmbedOptions, FrameSize, OptionProblem, Panels, SANDBOX, frame_url, parse, snippet,
};
use crate::share::{Shared, encode};

/// The embed options, provided as context: `None` in the full app.
#[derive(Clone, Debug)]
pub struct Embedding(pub Option<EmbedOptions>);

impl Embedding {
    /// The options of this page, if it is embedded.
    pub fn get() -> Option<EmbedOptions> {
        use_context::<Embedding>().and_then(|e| e.0)
    }

    /// Whether run-wide chart `chart` shows (always, in the full app).
    pub fn shows(chart: ChartId) -> bool {
        Self::get().is_none_or(|o| o.charts.contains(&chart))
    }
}

/// Reads the embed options from the page's query string; `None` for the full app.
pub fn from_address() -> Option<(EmbedOptions, Vec<OptionProblem>)> {
    let search = web_sys::window()?.location().search().ok()?;
    parse(&search)
}

/// The page's address without query and fragment: where the full editor lives.
fn app_address() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|href| {
            href.split(['?', '#'])
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .unwrap_or_default()
}

/// The current diagram (and speed) as a `#d=…` fragment.
fn current_fragment(editor: Editor, runner: Runner) -> String {
    let shared = Shared {
        diagram: editor.doc.with_untracked(|d| d.diagram.clone()),
        speed: Some(runner.speed.get_untracked().label().to_string()),
    };
    format!("#d={}", encode(&shared))
}

/// The bar an embedded instance shows instead of the header: the diagram's name and a link
/// that opens it, as it is now, in the full editor.
#[component]
pub fn EmbedBar() -> impl IntoView {
    let editor = Editor::get();
    let runner = Runner::get();
    let name = move || editor.doc.with(|d| d.diagram.name.clone());
    let read_only = editor.read_only;
    // The address is written when the link is used, so it carries the diagram as it is then
    // (a click's default action reads `href` after this handler).
    let on_open = move |e: leptos::ev::MouseEvent| {
        if let Some(a) = e
            .current_target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlAnchorElement>(t).ok())
        {
            a.set_href(&format!(
                "{}{}",
                app_address(),
                current_fragment(editor, runner)
            ));
        }
    };
    view! {
        <header class="ap-embedbar" data-testid="embed-bar">
            <Logo class="ap-header__logo ap-embedbar__logo" />
            <h1 class="ap-embedbar__title" data-testid="embed-title" title=name>{name}</h1>
            {read_only.then(|| view! { <span class="ap-embedbar__tag">"read-only"</span> })}
            <a
                class="ap-button ap-embedbar__open"
                data-testid="open-in-archplay"
                href=app_address()
                target="_blank"
                rel="noopener"
                title="Open this diagram in the full Archplay editor (a new tab)"
                on:click=on_open
            >
                "Open in Archplay ↗"
            </a>
        </header>
    }
}

/// The Embed button and its dialog: options, size, the snippet to copy, and a live preview of
/// exactly that snippet.
#[component]
pub fn EmbedButton() -> impl IntoView {
    let editor = Editor::get();
    let runner = Runner::get();
    // The diagram is captured when the dialog opens: the snippet holds it as it was then.
    let fragment = RwSignal::new(None::<String>);
    let options = RwSignal::new(EmbedOptions::default());
    let size = RwSignal::new(FrameSize::CHOICES[1]);
    let copied = RwSignal::new(false);
    // With a lesson open, the embed can start at its step instead (`#lesson=…&step=…`).
    let lessons = use_context::<super::lesson::Lessons>();
    let lesson_step = RwSignal::new(None::<(String, String)>);
    let use_lesson = RwSignal::new(false);
    // Whether this host lets a sandboxed frame load the app (checked when the dialog opens):
    // without the header the snippet's frame, and the preview here, stay blank.
    let host_allows_embeds = RwSignal::new(None::<bool>);
    let check_host = move || {
        if host_allows_embeds.get_untracked().is_some() {
            return;
        }
        wasm_bindgen_futures::spawn_local(async move {
            host_allows_embeds.set(Some(host_sends_cors_header().await.unwrap_or(true)));
        });
    };
    let url = move || {
        let lesson = use_lesson
            .get()
            .then(|| lesson_step.get().map(|(f, _)| f))
            .flatten();
        lesson
            .or_else(|| fragment.get())
            .map(|f| options.with(|o| frame_url(&app_address(), o, &f)))
            .unwrap_or_default()
    };
    let code = move || {
        let title = match (use_lesson.get(), lesson_step.get()) {
            (true, Some((_, title))) => title,
            _ => editor.doc.with_untracked(|d| d.diagram.name.clone()),
        };
        snippet(&url(), &title, size.get())
    };
    let open = move |_| {
        copied.set(false);
        let step = lessons.and_then(|l| l.current_place());
        use_lesson.set(step.is_some());
        lesson_step.set(step);
        fragment.set(Some(current_fragment(editor, runner)));
        check_host();
    };
    let copy = move |_| {
        let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
            return;
        };
        let promise = clipboard.write_text(&code());
        wasm_bindgen_futures::spawn_local(async move {
            copied.set(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
        });
    };
    let flag = move |label: &'static str,
                     testid: &'static str,
                     get: fn(&EmbedOptions) -> bool,
                     set: fn(&mut EmbedOptions, bool)| {
        view! {
            <label class="ap-check">
                <input
                    type="checkbox"
                    data-testid=testid
                    prop:checked=move || options.with(get)
                    on:change=move |e| {
                        let on = event_target_checked(&e);
                        options.update(|o| set(o, on));
                    }
                />
                {label}
            </label>
        }
    };
    let chart_box = move |chart: ChartId| {
        view! {
            <label class="ap-check">
                <input
                    type="checkbox"
                    data-testid=format!("embed-chart-{}", chart.id())
                    prop:checked=move || options.with(|o| o.charts.contains(&chart))
                    on:change=move |e| {
                        let on = event_target_checked(&e);
                        options.update(|o| {
                            o.charts.retain(|c| *c != chart);
                            if on {
                                o.charts.push(chart);
                                o.charts.sort();
                            }
                        });
                    }
                />
                {chart.label()}
            </label>
        }
    };
    view! {
        <button class="ap-button" data-testid="embed" title="Put this diagram, live, in another page (an <iframe> snippet)" on:click=open>
            "Embed"
        </button>
        <Show when=move || fragment.with(Option::is_some)>
            <div class="ap-dialog ap-dialog--wide" role="dialog" aria-modal="true" aria-labelledby="ap-embed-title" data-testid="embed-dialog">
                <h2 id="ap-embed-title" class="ap-dialog__title">"Embed this diagram"</h2>
                <p class="ap-dialog__note">
                    "Paste the snippet into a course page. The diagram travels inside it, as it is now; "
                    "the embed keeps its own state and never touches anyone's saved work."
                </p>
                <div class="ap-embed">
                    <fieldset class="ap-embed__options">
                        <legend>"Options"</legend>
                        {move || lesson_step.get().map(|(_, title)| view! {
                            <label class="ap-check">
                                <input
                                    type="checkbox"
                                    data-testid="embed-lesson"
                                    prop:checked=move || use_lesson.get()
                                    on:change=move |e| use_lesson.set(event_target_checked(&e))
                                />
                                {format!("Start at this lesson step ({title}) rather than the diagram as it is")}
                            </label>
                        })}
                        {flag("Start running when shown", "embed-autoplay", |o| o.autoplay, |o, b| o.autoplay = b)}
                        {flag("Read-only (can run and break things, not edit)", "embed-readonly", |o| o.read_only, |o, b| o.read_only = b)}
                        <label class="ap-field__label" for="ap-embed-panels">"Panels"</label>
                        <select
                            id="ap-embed-panels"
                            data-testid="embed-panels"
                            on:change=move |e| {
                                let v = event_target_value(&e);
                                if let Some(p) = Panels::ALL.into_iter().find(|p| p.id() == v) {
                                    options.update(|o| o.panels = p);
                                }
                            }
                        >
                            {Panels::ALL
                                .into_iter()
                                .map(|p| view! {
                                    <option value=p.id() selected=move || options.with(|o| o.panels == p)>{p.label()}</option>
                                })
                                .collect_view()}
                        </select>
                        <span class="ap-field__label">"Charts"</span>
                        {ChartId::ALL.into_iter().map(chart_box).collect_view()}
                        <label class="ap-field__label" for="ap-embed-size">"Size"</label>
                        <select
                            id="ap-embed-size"
                            data-testid="embed-size"
                            on:change=move |e| {
                                if let Some(s) = event_target_value(&e)
                                    .parse::<usize>()
                                    .ok()
                                    .and_then(|i| FrameSize::CHOICES.get(i))
                                {
                                    size.set(*s);
                                }
                            }
                        >
                            {FrameSize::CHOICES
                                .into_iter()
                                .enumerate()
                                .map(|(i, s)| view! {
                                    <option value=i.to_string() selected=move || size.get() == s>{s.label()}</option>
                                })
                                .collect_view()}
                        </select>
                        <label class="ap-field__label" for="ap-embed-code">"Snippet"</label>
                        <textarea id="ap-embed-code" class="ap-embed__code" data-testid="embed-code" readonly rows="5" prop:value=code></textarea>
                        <p class="ap-popover__meta" data-testid="embed-length">
                            {move || format!("{} characters", code().chars().count())}
                            {move || if copied.get() { " · copied to the clipboard" } else { "" }}
                        </p>
                        <div class="ap-dialog__buttons">
                            <button class="ap-button ap-button--primary" data-testid="embed-copy" on:click=copy>"Copy snippet"</button>
                            <button class="ap-button" data-testid="embed-close" on:click=move |_| fragment.set(None)>"Close"</button>
                        </div>
                    </fieldset>
                    <div class="ap-embed__preview">
                        <span class="ap-field__label">"Preview (live, as the snippet shows it)"</span>
                        {move || (host_allows_embeds.get() == Some(false)).then(|| view! {
                            <p class="ap-popover__warning" data-testid="embed-cors-warning" role="alert">
                                "This host does not send “Access-Control-Allow-Origin: *” with Archplay's files, so a sandboxed frame cannot load them: the preview, and the snippet on a course page, stay blank until it does (docs/embedding.md)."
                            </p>
                        })}
                        <iframe
                            data-testid="embed-preview"
                            title="Preview of the embedded diagram"
                            sandbox=SANDBOX
                            src=url
                            style:width=move || size.get().width.map_or("100%".to_string(), |w| format!("{w}px"))
                            style:height=move || format!("{}px", size.get().height)
                        ></iframe>
                    </div>
                </div>
            </div>
        </Show>
    }
}

/// Whether the server that sent this page adds `Access-Control-Allow-Origin` to its answers
/// (asked by fetching the page itself, same-origin, so the header can be read). `None` if
/// it could not be asked.
async fn host_sends_cors_header() -> Option<bool> {
    use wasm_bindgen::JsCast;
    let window = web_sys::window()?;
    let href = window.location().href().ok()?;
    // A GET of the page (a few KB; a HEAD is aborted by some servers' keep-alive handling).
    let promise = window.fetch_with_str(&href);
    let response: web_sys::Response = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    let allows = response
        .headers()
        .get("access-control-allow-origin")
        .ok()
        .flatten()
        .is_some();
    // Read the body to its end, so the request is finished rather than left open.
    if let Ok(body) = response.array_buffer() {
        let _ = wasm_bindgen_futures::JsFuture::from(body).await;
    }
    Some(allows)
}
