//! The lesson player: the Lessons menu, the panel beside the canvas with the current step's
//! narrative, task, live checkpoint, hints, figures and worked solution, deep links
//! (`#lesson=<id>&step=<n>`) and saved progress. The rules — the format, judging a checkpoint,
//! reaching a step by playing the earlier ones — live in [`crate::lesson`]; this file only
//! shows them and hands their results to the editor and the runner.

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::editor::Editor;
use super::persistence::read_chosen_file;
use super::run::Runner;
use crate::lesson::check::{Judged, Measured, Observation};
use crate::lesson::progress::Progress;
use crate::lesson::session::{Preparation, Session};
use crate::lesson::text::paragraphs;
use crate::lesson::{LESSONS, Lesson, Place, Start, find};
use crate::sim::Simulation;

/// Where progress is kept between visits.
const PROGRESS_KEY: &str = "archplay-lesson-progress";

/// The lesson player's state, shared through context.
#[derive(Clone, Copy)]
pub struct Lessons {
    /// The open lesson, if any.
    lesson: RwSignal<Option<Lesson>>,
    /// The step shown, from 0.
    step: RwSignal<usize>,
    /// The run (by [`Runner::builds`]) and simulated second in which the step began.
    began: RwSignal<(u64, f64)>,
    /// Hints shown so far on this step.
    hints: RwSignal<usize>,
    /// Whether the worked solution is shown.
    solution: RwSignal<bool>,
    /// The step's figures as measured the moment its checkpoint passed.
    measured: RwSignal<Option<Vec<Measured>>>,
    /// Steps passed, saved between visits.
    progress: RwSignal<Progress>,
    /// A step being reached by replaying the earlier ones, and how far it has got (0–1).
    preparing: RwSignal<Option<f64>>,
    /// The replay in progress, and its number (a newer open abandons an older replay).
    replay: StoredValue<Option<Preparation>, LocalStorage>,
    replays: StoredValue<u64>,
    embedded: bool,
    editor: Editor,
    runner: Runner,
    /// The shell's layout (not in embeds): a lesson opening brings its tab to the front.
    layout: Option<super::layout::Layout>,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn page_address() -> String {
    let page = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    page.split('#').next().unwrap_or_default().to_string()
}

impl Lessons {
    /// The player, provided as context; opens the lesson a link names, now and whenever the
    /// address's fragment changes.
    pub fn provide(editor: Editor, runner: Runner, embedded: bool) -> Lessons {
        // An embed keeps its own state: progress lasts for the visit and never touches the
        // browser's storage.
        let progress = (!embedded)
            .then(storage)
            .flatten()
            .and_then(|s| s.get_item(PROGRESS_KEY).ok().flatten())
            .map(|t| Progress::from_json(&t))
            .unwrap_or_default();
        let lessons = Lessons {
            lesson: RwSignal::new(None),
            step: RwSignal::new(0),
            began: RwSignal::new((0, 0.0)),
            hints: RwSignal::new(0),
            solution: RwSignal::new(false),
            measured: RwSignal::new(None),
            progress: RwSignal::new(progress),
            preparing: RwSignal::new(None),
            replay: StoredValue::new_local(None),
            replays: StoredValue::new(0),
            embedded,
            editor,
            runner,
            layout: use_context::<super::layout::Layout>(),
        };
        provide_context(lessons);
        // Saving progress is the only thing this effect does: it syncs the browser's storage
        // with the progress signal.
        if !embedded {
            Effect::new(move |_| {
                let text = lessons.progress.with(Progress::to_json);
                if let Some(s) = storage() {
                    let _ = s.set_item(PROGRESS_KEY, &text);
                }
            });
        }
        lessons.follow_address();
        let handle = window_event_listener(ev::hashchange, move |_| lessons.follow_address());
        on_cleanup(move || handle.remove());
        lessons
    }

    /// The player provided by [`Lessons::provide`].
    pub fn get() -> Lessons {
        expect_context::<Lessons>()
    }

    /// Whether a lesson is open, or one is being prepared (tracked).
    pub fn is_open(&self) -> bool {
        self.lesson.with(Option::is_some) || self.preparing.with(Option::is_some)
    }

    /// Opens the lesson the address names, if it names one.
    fn follow_address(&self) {
        let Some(hash) = web_sys::window().and_then(|w| w.location().hash().ok()) else {
            return;
        };
        let Some(place) = Place::from_fragment(&hash) else {
            return;
        };
        if !self.embedded {
            // As with share links: a reload shows the autosaved work, not the link again.
            super::share::clear_fragment();
        }
        let this = *self;
        if let Some(built_in) = find(&place.lesson) {
            match built_in.lesson() {
                Ok(l) => this.open(l, place.step),
                Err(why) => this.say_not_opened(&place.lesson, &why.to_string()),
            }
            return;
        }
        // A lesson the app does not ship: a teacher's file next to the app's own.
        let id = place.lesson.clone();
        if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            this.say_not_opened(&id, "a lesson id is letters, digits and '-'");
            return;
        }
        wasm_bindgen_futures::spawn_local(async move {
            match fetch_text(&format!("lessons/{id}.json")).await {
                Ok(text) => match Lesson::from_json(&text) {
                    Ok(l) => this.open(l, place.step),
                    Err(why) => this.say_not_opened(&id, &why.to_string()),
                },
                Err(why) => this.say_not_opened(&id, &why),
            }
        });
    }

    fn say_not_opened(&self, id: &str, why: &str) {
        let id: String = id.chars().take(64).collect();
        self.editor.notice.set(Some(format!(
            "The lesson '{id}' could not be opened: {why}. Your diagram is unchanged."
        )));
    }

    /// Opens step `step` of `lesson` as a link to it does: earlier steps' solutions are played
    /// to reach it — a slice at a time between frames when that takes a while, so the page
    /// stays responsive — and the diagram and the run (paused) are put on screen.
    pub fn open(&self, lesson: Lesson, step: usize) {
        self.replays.update_value(|n| *n += 1);
        let number = self.replays.get_value();
        self.replay.set_value(Some(Preparation::new(lesson, step)));
        // The panel (and the layout around the canvas) first, then the work, so the diagram is
        // fitted to the canvas as it will be.
        self.preparing.set(Some(0.0));
        // Where panels share tabs, the lesson's comes to the front.
        if let Some(layout) = self.layout {
            layout.lesson_opened();
        }
        let this = *self;
        gloo_timers::callback::Timeout::new(0, move || this.continue_replay(number)).forget();
    }

    /// Work done per slice of a replay, in simulation events: a few tens of milliseconds.
    const REPLAY_SLICE: u64 = 100_000;

    fn continue_replay(&self, number: u64) {
        if self.replays.get_value() != number {
            return;
        }
        let outcome = self.replay.try_update_value(|p| {
            p.as_mut().map(|p| {
                p.advance(Self::REPLAY_SLICE)
                    .map(|done| (done, p.fraction()))
            })
        });
        match outcome.flatten() {
            Some(Ok((false, fraction))) => {
                self.preparing.set(Some(fraction));
                let this = *self;
                gloo_timers::callback::Timeout::new(0, move || this.continue_replay(number))
                    .forget();
            }
            Some(Ok((true, _))) => {
                self.preparing.set(None);
                if let Some(p) = self.replay.try_update_value(Option::take).flatten() {
                    let lesson = p.lesson().clone();
                    let step = p.target();
                    self.install(lesson, step, p.finish());
                }
            }
            Some(Err(why)) => {
                self.preparing.set(None);
                let id = self
                    .replay
                    .try_update_value(|p| p.take().map(|p| p.lesson().id.clone()))
                    .flatten()
                    .unwrap_or_default();
                self.say_not_opened(&id, &why);
            }
            None => self.preparing.set(None),
        }
    }

    /// Puts a reached step on screen.
    fn install(&self, lesson: Lesson, step: usize, session: Session) {
        let (diagram, run, since) = session.into_parts();
        let what = format!(
            "Lesson \"{}\", step {} of {}",
            lesson.title,
            step + 1,
            lesson.steps.len()
        );
        if self.embedded {
            self.editor.load(diagram, &what);
        } else {
            self.editor
                .replace(diagram, &format!("{what}; Undo brings back your diagram"));
        }
        match run {
            Some((sim, built_from)) => self.runner.adopt(sim, built_from),
            None => self.runner.reset(),
        }
        self.enter_at(lesson, step, since);
    }

    fn enter_at(&self, lesson: Lesson, step: usize, since: f64) {
        self.progress.update(|p| p.visit(&lesson.id, step));
        self.lesson.set(Some(lesson));
        self.step.set(step);
        self.began.set((self.runner.builds(), since));
        self.hints.set(0);
        self.solution.set(false);
        self.measured.set(None);
    }

    /// Moves to the next step. After a pass the learner carries on with their own diagram and
    /// run; otherwise the step opens as its link does (as if the earlier ones were solved).
    pub fn next(&self) {
        let Some(lesson) = self.lesson.get_untracked() else {
            return;
        };
        let next = self.step.get_untracked() + 1;
        if next >= lesson.steps.len() {
            return;
        }
        if !self.passed_now() {
            return self.open(lesson, next);
        }
        let step = lesson.steps[next].clone();
        if let Some(start) = &step.start {
            match Start::diagram(start) {
                Ok(d) => {
                    self.editor
                        .replace(d, &format!("Step {}: {}", next + 1, step.title));
                    self.runner.reset();
                }
                Err(why) => return self.say_not_opened(&lesson.id, &why),
            }
        }
        for m in &step.setup {
            let Some(edit) = self.editor.doc.with_untracked(|d| m.edit(&d.diagram)) else {
                continue;
            };
            if let Err(why) = self.editor.apply(edit, &m.describe()) {
                self.editor.notice.set(Some(format!(
                    "Step {}: '{}' not done: {why}",
                    next + 1,
                    m.describe()
                )));
            }
        }
        let since = self
            .runner
            .with_observed(|s| s.now().as_secs_f64())
            .unwrap_or(0.0);
        self.enter_at(lesson, next, since);
        self.editor
            .announcement
            .set(format!("Step {}: {}", next + 1, step.title));
    }

    /// Closes the lesson (the diagram stays), abandoning a replay in progress.
    pub fn close(&self) {
        self.replays.update_value(|n| *n += 1);
        self.replay.set_value(None);
        self.preparing.set(None);
        self.lesson.set(None);
        if let Some(layout) = self.layout
            && layout.tab.get_untracked() == super::layout::Tab::Lesson
        {
            layout.show(super::layout::Tab::Components);
        }
    }

    /// The current step's checkpoint and figures, judged now (tracking the run and the
    /// diagram).
    fn judge(&self) -> Option<(Vec<Judged>, Vec<Measured>)> {
        let index = self.step.get();
        let (builds, since) = self.began.get();
        self.runner.tick.track();
        self.lesson.with(|l| {
            let step = l.as_ref()?.steps.get(index)?;
            self.editor.doc.with(|d| {
                let since_s = if self.runner.builds() == builds {
                    since
                } else {
                    0.0
                };
                let judge = |sim: Option<&Simulation>| {
                    let obs = Observation {
                        diagram: &d.diagram,
                        sim,
                        since_s,
                    };
                    (
                        step.check.judge(&obs),
                        step.figures.iter().map(|f| f.measure(&obs)).collect(),
                    )
                };
                Some(
                    self.runner
                        .with_sim(|sim| judge(Some(sim)))
                        .unwrap_or_else(|| judge(None)),
                )
            })
        })
    }

    /// Whether the current step has been passed (live or before).
    fn passed_now(&self) -> bool {
        let step = self.step.get_untracked();
        self.lesson.with_untracked(|l| {
            l.as_ref()
                .is_some_and(|l| self.progress.with_untracked(|p| p.passed(&l.id, step)))
        })
    }

    /// The current step as a fragment (`#lesson=…&step=…`) and its title, if a lesson is open.
    pub fn current_place(&self) -> Option<(String, String)> {
        let step = self.step.get_untracked();
        self.lesson.with_untracked(|l| {
            let l = l.as_ref()?;
            let place = Place {
                lesson: l.id.clone(),
                step,
            };
            let title = format!("{}, step {}", l.title, step + 1);
            Some((place.fragment(), title))
        })
    }

    /// A link to the current step.
    fn link(&self) -> Option<String> {
        let lesson = self
            .lesson
            .with_untracked(|l| l.as_ref().map(|l| l.id.clone()))?;
        let place = Place {
            lesson,
            step: self.step.get_untracked(),
        };
        Some(format!("{}{}", page_address(), place.fragment()))
    }
}

async fn fetch_text(url: &str) -> Result<String, String> {
    use wasm_bindgen_futures::JsFuture;
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| "it could not be fetched".to_string())?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| "it could not be fetched".to_string())?;
    if !response.ok() {
        return Err(format!(
            "there is no lessons/{} here",
            url.trim_start_matches("lessons/")
        ));
    }
    let text = JsFuture::from(response.text().map_err(|_| "unreadable".to_string())?)
        .await
        .map_err(|_| "it could not be read".to_string())?;
    let text = text.as_string().ok_or("it could not be read")?;
    if text.len() > crate::lesson::MAX_LESSON_BYTES {
        return Err("it is too big".into());
    }
    Ok(text)
}

/// The Lessons button and its list.
#[component]
pub fn LessonsButton() -> impl IntoView {
    let lessons = Lessons::get();
    let editor = Editor::get();
    let shown = RwSignal::new(false);
    let file_input = NodeRef::<html::Input>::new();
    let items = LESSONS
        .iter()
        .filter_map(|built_in| {
            let lesson = built_in.lesson().ok()?;
            let id = built_in.id;
            let steps = lesson.steps.len();
            let done = move || lessons.progress.with(|p| p.done(id, steps));
            let title = lesson.title.clone();
            let summary = lesson.summary.clone();
            Some(view! {
                <li class="ap-gallery__item">
                    <a
                        class="ap-gallery__open"
                        data-testid=format!("lesson-open-{id}")
                        href=format!("#lesson={id}&step=1")
                        on:click=move |e: ev::MouseEvent| {
                            if e.ctrl_key() || e.meta_key() || e.shift_key() || e.button() != 0 {
                                return;
                            }
                            e.prevent_default();
                            shown.set(false);
                            let at = lessons.progress.with_untracked(|p| p.resume_at(id));
                            lessons.open(lesson.clone(), if at < steps { at } else { 0 });
                        }
                    >
                        <span class="ap-gallery__name">{title}</span>
                        <span class="ap-gallery__description">{summary}</span>
                        <span class="ap-lesson-list__done">
                            {move || match done() {
                                0 => format!("{steps} steps"),
                                d if d == steps => format!("Done: all {steps} steps"),
                                d => format!("{d} of {steps} steps done"),
                            }}
                        </span>
                    </a>
                </li>
            })
        })
        .collect_view();
    let on_file = move |e: ev::Event| {
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
            match text.and_then(|t| Lesson::from_json(&t).map_err(|e| e.to_string())) {
                Ok(l) => {
                    shown.set(false);
                    lessons.open(l, 0);
                }
                Err(why) => editor.notice.set(Some(format!(
                    "{name} was not opened: {why}. Your diagram is unchanged."
                ))),
            }
        });
        input.set_value("");
    };
    super::popover::close_on_escape_or_outside(
        move || shown.get_untracked(),
        move || shown.set(false),
        "[data-testid=lessons]",
        "[data-testid=lesson-list]",
    );
    view! {
        <button
            class="ap-button"
            data-testid="lessons"
            aria-expanded=move || shown.get().to_string()
            title="Guided lessons: from one server to millions of users"
            on:click=move |_| shown.update(|s| *s = !*s)
        >
            "Lessons"
        </button>
        <div class="ap-popover ap-gallery" role="dialog" aria-label="Lessons" data-testid="lesson-list" hidden=move || !shown.get()>
            <p class="ap-popover__label">"Lessons: do each step, and the live simulation checks it"</p>
            <ul class="ap-gallery__list">{items}</ul>
            <div class="ap-popover__actions">
                <button
                    class="ap-button"
                    data-testid="lesson-open-file"
                    title="Open a lesson file written for Archplay (docs/lessons.md)"
                    on:click=move |_| {
                        if let Some(input) = file_input.get_untracked() {
                            input.click();
                        }
                    }
                >
                    "Open a lesson file…"
                </button>
                <input
                    node_ref=file_input
                    class="ap-visually-hidden"
                    data-testid="lesson-file"
                    type="file"
                    accept=".json,application/json"
                    tabindex="-1"
                    aria-hidden="true"
                    on:change=on_file
                />
                <button
                    class="ap-button"
                    on:click=move |_| {
                        super::popover::close_and_refocus(|| shown.set(false), "[data-testid=lessons]")
                    }
                >
                    "Close"
                </button>
            </div>
        </div>
    }
}

/// One paragraph's styled spans.
fn spans(spans: Vec<crate::lesson::text::Span>) -> impl IntoView + use<> {
    spans
        .into_iter()
        .map(|s| {
            if s.bold {
                view! { <strong>{s.text}</strong> }.into_any()
            } else if s.code {
                view! { <code>{s.text}</code> }.into_any()
            } else {
                s.text.into_any()
            }
        })
        .collect_view()
}

/// Styled text from a lesson, as paragraphs.
fn rich(text: &str) -> impl IntoView + use<> {
    paragraphs(text)
        .into_iter()
        .map(|p| view! { <p>{spans(p)}</p> })
        .collect_view()
}

/// Styled text from a lesson, inline (its paragraphs run together).
fn rich_inline(text: &str) -> impl IntoView + use<> {
    paragraphs(text).into_iter().map(spans).collect_view()
}

/// The panel beside the canvas while a lesson is open.
#[component]
pub fn LessonPanel() -> impl IntoView {
    let lessons = Lessons::get();
    let copied = RwSignal::new(false);
    let verdict = Memo::new(move |_| lessons.judge());
    // A pass is recorded the moment the checkpoint holds; it stays passed when the run moves on.
    Effect::new(move |_| {
        let met = verdict.with(|v| {
            v.as_ref()
                .is_some_and(|(j, _)| !j.is_empty() && j.iter().all(|c| c.met))
        });
        if !met {
            return;
        }
        if lessons.measured.with_untracked(Option::is_none) {
            lessons
                .measured
                .set(verdict.with_untracked(|v| v.as_ref().map(|(_, m)| m.clone())));
        }
        let step = lessons.step.get_untracked();
        let Some(id) = lessons
            .lesson
            .with_untracked(|l| l.as_ref().map(|l| l.id.clone()))
        else {
            return;
        };
        if lessons.progress.with_untracked(|p| !p.passed(&id, step)) {
            lessons.progress.update(|p| {
                p.pass(&id, step);
            });
            lessons
                .editor
                .announcement
                .set(format!("Step {} passed", step + 1));
        }
    });
    let passed = move || {
        let step = lessons.step.get();
        lessons.lesson.with(|l| {
            l.as_ref()
                .is_some_and(|l| lessons.progress.with(|p| p.passed(&l.id, step)))
        })
    };
    let current = move || {
        let step = lessons.step.get();
        lessons
            .lesson
            .with(|l| l.as_ref().and_then(|l| l.steps.get(step).cloned()))
    };
    let copy_link = move |_| {
        let (Some(link), Some(clipboard)) = (
            lessons.link(),
            web_sys::window().map(|w| w.navigator().clipboard()),
        ) else {
            return;
        };
        let promise = clipboard.write_text(&link);
        wasm_bindgen_futures::spawn_local(async move {
            if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                copied.set(true);
            }
        });
    };
    let dots = move || {
        let now = lessons.step.get();
        lessons.lesson.with(|l| {
            let Some(l) = l.as_ref() else {
                return Vec::new();
            };
            (0..l.steps.len())
                .map(|i| {
                    let done = lessons.progress.with(|p| p.passed(&l.id, i));
                    let title = l.steps[i].title.clone();
                    let lesson = l.clone();
                    view! {
                        <li>
                            <button
                                class="ap-lesson__dot"
                                class:ap-lesson__dot--current=i == now
                                class:ap-lesson__dot--done=done
                                data-testid=format!("lesson-dot-{}", i + 1)
                                aria-current=(i == now).then_some("step")
                                title=format!("Step {}: {title}{}", i + 1, if done { " (passed)" } else { "" })
                                on:click=move |_| lessons.open(lesson.clone(), i)
                            >
                                {if done { "✓".to_string() } else { (i + 1).to_string() }}
                            </button>
                        </li>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    let header = move || {
        lessons.lesson.with(|l| {
            l.as_ref().map(|l| {
                view! {
                    <p class="ap-lesson__lesson">{l.title.clone()}</p>
                    <p class="ap-lesson__chapter">{l.chapter.clone()}</p>
                }
            })
        })
    };
    let is_last = move || {
        let step = lessons.step.get();
        lessons
            .lesson
            .with(|l| l.as_ref().is_none_or(|l| step + 1 >= l.steps.len()))
    };
    let next_lesson = move || {
        let id = lessons.lesson.with(|l| l.as_ref().map(|l| l.id.clone()))?;
        let at = LESSONS.iter().position(|b| b.id == id)?;
        LESSONS.get(at + 1)?.lesson().ok()
    };
    view! {
        <aside class="ap-panel ap-lesson" data-testid="lesson-panel" aria-label="Lesson">
            <div class="ap-lesson__top">
                <div class="ap-lesson__titles">{header}</div>
                <button class="ap-button ap-lesson__close" data-testid="lesson-close" title="Close the lesson (your diagram stays)" on:click=move |_| lessons.close()>
                    "Close"
                </button>
            </div>
            <ol class="ap-lesson__dots" aria-label="Steps">{dots}</ol>
            {move || lessons.preparing.get().map(|f| view! {
                <p class="ap-lesson__preparing" data-testid="lesson-preparing" role="status">
                    {format!("Preparing the step: replaying the earlier steps… {:.0} %", f * 100.0)}
                </p>
            })}
            {move || current().map(|step| {
                let hints = step.hints.clone();
                let hint_count = hints.len();
                let solution: Vec<String> = step.solution.iter().map(|m| m.describe()).collect();
                let figures = step.figures.clone();
                view! {
                    <h2 class="ap-lesson__title" data-testid="lesson-step-title">
                        {format!("{}. {}", lessons.step.get_untracked() + 1, step.title)}
                    </h2>
                    <div class="ap-lesson__text">{rich(&step.text)}</div>
                    <div class="ap-lesson__task" data-testid="lesson-task">
                        <strong>"Your task: "</strong>
                        {rich_inline(&step.task)}
                    </div>
                    <ul class="ap-lesson__check" data-testid="lesson-check" aria-live="polite">
                        {move || verdict.get().map(|(judged, _)| {
                            judged
                                .into_iter()
                                .map(|j| view! {
                                    <li class="ap-lesson__condition" class:ap-lesson__condition--met=j.met data-testid="lesson-condition" data-met=j.met.to_string()>
                                        <span class="ap-lesson__mark" aria-hidden="true">{if j.met { "✓" } else { "○" }}</span>
                                        <span>{j.said}</span>
                                        {j.seen.map(|s| {
                                            let s = if j.pending { s } else { format!("now {s}") };
                                            view! { <span class="ap-lesson__seen">{s}</span> }
                                        })}
                                    </li>
                                })
                                .collect_view()
                        })}
                    </ul>
                    {move || passed().then(|| view! {
                        <div class="ap-lesson__passed" data-testid="lesson-passed" role="status">
                            <strong>"Passed. "</strong>
                            {rich_inline(&step.pass)}
                        </div>
                    })}
                    {(!figures.is_empty()).then(|| {
                        let figures = figures.clone();
                        view! {
                            <div class="ap-lesson__figures" data-testid="lesson-figures">
                                <p class="ap-lesson__label">"The chapter's figures, measured"</p>
                                {figures
                                    .into_iter()
                                    .enumerate()
                                    .map(|(i, f)| {
                                        let unit = f.unit.clone();
                                        let measured = move || {
                                            lessons.measured.with(|m| {
                                                m.as_ref().and_then(|m| m.get(i).cloned())
                                            })
                                        };
                                        let unit2 = unit.clone();
                                        view! {
                                            <div class="ap-lesson__figure">
                                                <p><strong>{f.label.clone()}</strong></p>
                                                <p>{format!("Chapter: {} {unit}", f.chapter)}</p>
                                                <p>
                                                    {move || match measured() {
                                                        Some(Measured { value: Some(v), agrees }) => format!(
                                                            "Measured when you passed: {} {unit2}{}",
                                                            crate::lesson::moves::format_number(if v.abs() >= 100.0 { v.round() } else { (v * 10.0).round() / 10.0 }),
                                                            match agrees {
                                                                Some(true) => " — agrees",
                                                                Some(false) => " — differs",
                                                                None => "",
                                                            }
                                                        ),
                                                        _ => "Measured here when you pass the step.".into(),
                                                    }}
                                                </p>
                                                <p class="ap-lesson__note">{rich_inline(&f.note)}</p>
                                            </div>
                                        }
                                    })
                                    .collect_view()}
                            </div>
                        }
                    })}
                    <div class="ap-lesson__help">
                        {(hint_count > 0).then(|| view! {
                            <button
                                class="ap-button"
                                data-testid="lesson-hint"
                                disabled=move || { lessons.hints.get() >= hint_count }
                                on:click=move |_| lessons.hints.update(|h| *h += 1)
                            >
                                {move || if lessons.hints.get() == 0 { "Hint".to_string() } else { "Another hint".to_string() }}
                            </button>
                        })}
                        <button
                            class="ap-button"
                            data-testid="lesson-show-me"
                            aria-expanded=move || lessons.solution.get().to_string()
                            on:click=move |_| lessons.solution.update(|s| *s = !*s)
                        >
                            {move || if lessons.solution.get() { "Hide the solution" } else { "Show me how" }}
                        </button>
                    </div>
                    <ul class="ap-lesson__hints" data-testid="lesson-hints">
                        {move || hints.iter().take(lessons.hints.get()).map(|h| view! { <li>{rich_inline(h)}</li> }).collect_view()}
                    </ul>
                    {move || lessons.solution.get().then(|| view! {
                        <ol class="ap-lesson__solution" data-testid="lesson-solution">
                            {solution.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view()}
                        </ol>
                    })}
                }
            })}
            <div class="ap-lesson__nav">
                <button
                    class="ap-button"
                    data-testid="lesson-prev"
                    disabled=move || lessons.step.get() == 0
                    on:click=move |_| {
                        if let Some(l) = lessons.lesson.get_untracked() {
                            lessons.open(l, lessons.step.get_untracked().saturating_sub(1));
                        }
                    }
                >
                    "Back"
                </button>
                <button class="ap-button" data-testid="lesson-link" title="Copy a link that opens this step" on:click=copy_link>
                    {move || if copied.get() { "Link copied" } else { "Link to this step" }}
                </button>
                {move || if is_last() {
                    next_lesson().map(|l| {
                        let title = l.title.clone();
                        view! {
                            <button
                                class="ap-button ap-button--primary"
                                class:ap-button--quiet=move || !passed()
                                data-testid="lesson-next"
                                on:click=move |_| lessons.open(l.clone(), 0)
                            >
                                {format!("Next lesson: {title}")}
                            </button>
                        }.into_any()
                    }).unwrap_or_else(|| ().into_any())
                } else {
                    view! {
                        <button
                            class="ap-button"
                            class:ap-button--primary=passed
                            data-testid="lesson-next"
                            title=move || if passed() {
                                "Go on with your diagram and run as they are"
                            } else {
                                "Skip ahead: the next step opens as if you had done this one"
                            }
                            on:click=move |_| lessons.next()
                        >
                            "Next step"
                        </button>
                    }.into_any()
                }}
            </div>
        </aside>
    }
}
