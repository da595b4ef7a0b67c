//! Running the diagram live: the [`Runner`] owns a [`Simulation`] built from the diagram and
//! advances it once per animation frame, by the simulated time the chosen speed asks for, within
//! a strict wall-clock budget per frame. "As fast as possible" hands the run to the simulation
//! worker (`src/worker.rs`, see [`crate::sim::remote`]) while the page shows the figures it sends
//! and keeps drawing at the display's pace; the run comes back (whole) when it stops, is paused,
//! slows down, or is changed. Without a worker (a sandboxed embed, an old browser) the page
//! runs it itself, a frame's budget at a time. Panels read the run's series and log through
//! [`Runner::with_observed`] when [`Runner::tick`] moves on.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::editor::Editor;
use crate::model::{Action, ComponentId, Diagram, Edit, TimelineEvent};
use crate::sim::remote::{Figures, FiguresDelta, FromRemote, Observed, ToRemote, decode, encode};
use crate::sim::{
    CrossingKind, LiveChange, SimDuration, SimTime, Simulation, StepOutcome, live_change,
};

/// Wall-clock milliseconds of simulating per frame, at most (plus one slice), at the timed
/// speeds: half a 60 Hz frame, leaving the rest for drawing.
pub const FRAME_BUDGET_MS: f64 = 8.0;
/// The budget when running as fast as possible in the page (no worker): most of a frame, so
/// frames stay under 20 ms.
pub const MAX_SPEED_BUDGET_MS: f64 = 13.0;
/// Where Trunk puts the simulation worker's loader (index.html), relative to the page.
const WORKER_URL: &str = "./archplay-worker_loader.js";
/// Wall milliseconds after the app starts before the simulation worker is started.
const WORKER_HEAD_START_MS: u32 = 1_500;
/// Events per slice: the budget is checked between slices.
const SLICE_EVENTS: u64 = 10_000;
/// Panels are refreshed at most this often (wall milliseconds): ten times a second.
const TICK_MS: f64 = 100.0;
/// A frame longer than this (a background tab) counts as this long, so the simulation does not
/// leap ahead when the page comes back.
const MAX_FRAME_MS: f64 = 100.0;
/// How long a dot takes to cross a wire on screen (wall milliseconds). Real crossings take well
/// under a frame at most speeds; the dots show which requests crossed, slowed down to be seen.
pub const DOT_MS: f64 = 700.0;
/// About this many dots set off per wall second, whatever the traffic: crossings are sampled
/// more thinly as the rate grows.
const DOTS_PER_S: f64 = 40.0;
/// Most dots on screen at once.
const MAX_DOTS: usize = 160;

/// A sampled request (or answer) crossing a wire, as drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Dot {
    /// The wire's caller.
    pub caller: ComponentId,
    /// The wire's callee.
    pub callee: ComponentId,
    /// What the request is.
    pub kind: CrossingKind,
    /// An answer going back towards the caller.
    pub answer: bool,
    /// The answer carries an error.
    pub failed: bool,
    /// How far along the wire from caller to callee, 0 to 1.
    pub position: f64,
}

/// A finished (or paused) run kept to compare the next one against: its system-wide series.
#[derive(Clone, Debug, PartialEq)]
pub struct Kept {
    /// How the charts name it.
    pub label: String,
    /// `(column, points)` for every system-wide column.
    pub columns: Vec<(&'static str, Vec<(f64, f64)>)>,
}

impl Kept {
    /// The kept points of column `name` (empty if it has none).
    pub fn column(&self, name: &str) -> &[(f64, f64)] {
        self.columns
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(&[], |(_, p)| p.as_slice())
    }
}

/// The simulation worker, as far as the page knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WorkerState {
    /// Not started (the app starts it soon after it opens; an embed, the first time a run
    /// goes as fast as possible).
    Unborn,
    /// Started, not yet ready.
    Starting,
    /// Ready: takes runs.
    Ready,
    /// Cannot be used here (no workers, a sandboxed page, another build, or it failed).
    Unusable,
}

/// A change to make to the run once it is back from the worker.
type Deferred = Box<dyn FnOnce(Runner)>;

/// A run handed to the worker: which, and what the page shows of it meanwhile.
struct Away {
    run: u64,
    figures: Figures,
    /// The page has asked for it back.
    recalled: bool,
    /// The run finished in the worker: its whole state, not yet decoded. The figures show
    /// everything on screen, and a big diagram's state takes most of a second to decode, so it
    /// is decoded only when something needs the simulation itself (see [`Runner::unpark`]).
    finished_state: Option<Vec<u8>>,
}

/// A dot in flight: the crossing and when it set off (wall milliseconds).
#[derive(Clone, Debug)]
struct Flying {
    dot: Dot,
    born_ms: f64,
}

/// How fast simulated time runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speed {
    /// A tenth of real time.
    Tenth,
    /// Real time.
    One,
    /// Ten times real time.
    Ten,
    /// A hundred times real time.
    Hundred,
    /// As fast as the machine allows.
    Max,
}

impl Speed {
    /// Every speed, slowest first.
    pub const ALL: [Speed; 5] = [
        Speed::Tenth,
        Speed::One,
        Speed::Ten,
        Speed::Hundred,
        Speed::Max,
    ];

    /// Simulated seconds per wall second, or `None` for as fast as possible.
    pub fn factor(self) -> Option<f64> {
        match self {
            Speed::Tenth => Some(0.1),
            Speed::One => Some(1.0),
            Speed::Ten => Some(10.0),
            Speed::Hundred => Some(100.0),
            Speed::Max => None,
        }
    }

    /// The label in the speed menu (also its value).
    pub fn label(self) -> &'static str {
        match self {
            Speed::Tenth => "0.1×",
            Speed::One => "1×",
            Speed::Ten => "10×",
            Speed::Hundred => "100×",
            Speed::Max => "As fast as possible",
        }
    }
}

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Nothing built yet (or reset).
    Idle,
    /// Advancing every frame.
    Running,
    /// Built, holding still.
    Paused,
    /// Reached the run's duration.
    Finished,
}

/// The live run, shared through context.
#[derive(Clone, Copy)]
pub struct Runner {
    sim: StoredValue<Option<Simulation>, LocalStorage>,
    /// The diagram as the simulation knows it: as built, plus the edits applied live since.
    built_from: StoredValue<Option<Diagram>, LocalStorage>,
    /// The document generation ([`Editor::replaced`]) the simulation was built from.
    generation: StoredValue<u64>,
    /// Simulations built (or adopted) so far: a lesson step notices a fresh run by it.
    builds: StoredValue<u64>,
    /// Where the run is.
    pub phase: RwSignal<Phase>,
    /// Simulated seconds so far.
    pub clock: RwSignal<f64>,
    /// The run's duration, in simulated seconds.
    pub end: RwSignal<f64>,
    /// The chosen speed.
    pub speed: RwSignal<Speed>,
    /// Moves on whenever there are new results to show (at most ten times a second).
    pub tick: RwSignal<u64>,
    /// Simulated seconds per wall-clock second over the last refresh, while running: how many
    /// times real time the run goes.
    pub real_time: RwSignal<f64>,
    /// True when the diagram has changed since the simulation was built.
    pub stale: RwSignal<bool>,
    /// Set when an undo or redo changed the diagram while a run exists: the run keeps what
    /// already happened in it, and the canvas says so until Reset.
    pub undone_in_run: RwSignal<bool>,
    /// True while the simulation worker has the run.
    pub in_worker: RwSignal<bool>,
    /// A step in progress stops here (simulated seconds).
    stop_at: StoredValue<Option<f64>>,
    last_frame: StoredValue<Option<f64>>,
    last_tick: StoredValue<(f64, f64)>,
    /// Dots in flight, and the crossings count and wall time when sampling was last tuned.
    flying: StoredValue<Vec<Flying>, LocalStorage>,
    sampling: StoredValue<(f64, u64)>,
    /// Moves on every frame that moves a dot.
    pub flow: RwSignal<u64>,
    /// A run kept for comparison, drawn faintly under the current one.
    pub kept: RwSignal<Option<Kept>>,
    /// Where "as fast as possible" in the page posts its next slice (created on first use).
    task_port: StoredValue<Option<web_sys::MessagePort>, LocalStorage>,
    /// The simulation worker and how it is.
    worker: StoredValue<Option<web_sys::Worker>, LocalStorage>,
    worker_state: StoredValue<WorkerState>,
    /// The run the worker has, if it has one; runs are numbered so late answers are ignored.
    away: StoredValue<Option<Away>, LocalStorage>,
    runs_sent: StoredValue<u64>,
    /// Changes asked for while the run was away, applied when it is back.
    deferred: StoredValue<Vec<Deferred>, LocalStorage>,
    editor: Editor,
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

impl Runner {
    /// A runner for `editor`'s diagram, provided as context to everything below.
    pub fn provide(editor: Editor) -> Runner {
        let runner = Runner {
            sim: StoredValue::new_local(None),
            built_from: StoredValue::new_local(None),
            generation: StoredValue::new(0),
            builds: StoredValue::new(0),
            phase: RwSignal::new(Phase::Idle),
            clock: RwSignal::new(0.0),
            end: RwSignal::new(editor.doc.with_untracked(|d| d.diagram.run.duration_s)),
            speed: RwSignal::new(Speed::One),
            tick: RwSignal::new(0),
            real_time: RwSignal::new(0.0),
            stale: RwSignal::new(false),
            undone_in_run: RwSignal::new(false),
            in_worker: RwSignal::new(false),
            stop_at: StoredValue::new(None),
            last_frame: StoredValue::new(None),
            last_tick: StoredValue::new((0.0, 0.0)),
            flying: StoredValue::new_local(Vec::new()),
            sampling: StoredValue::new((0.0, 0)),
            flow: RwSignal::new(0),
            task_port: StoredValue::new_local(None),
            worker: StoredValue::new_local(None),
            worker_state: StoredValue::new(WorkerState::Unborn),
            away: StoredValue::new_local(None),
            runs_sent: StoredValue::new(0),
            deferred: StoredValue::new_local(Vec::new()),
            kept: RwSignal::new(None),
            editor,
        };
        // Choosing "as fast as possible" starts the worker (so it is ready by Run); slowing
        // down takes the run back from it (the page paces the timed speeds).
        Effect::new(move |_| {
            if runner.speed.get() == Speed::Max {
                if runner.worker_state.get_value() == WorkerState::Unborn {
                    runner.start_worker();
                }
            } else {
                runner.recall();
            }
        });
        // Edits reach the run: new settings apply live; a new structure needs a Reset.
        Effect::new(move |_| editor.doc.with(|d| runner.follow(&d.diagram)));
        // A new document (New, Open, an example) ends the run of the old one — unless a run of
        // the new one has already started (Run pressed, or autoplay, before this effect ran).
        Effect::new(move |first: Option<()>| {
            editor.replaced.track();
            if first.is_some() && !runner.built_from_current() {
                runner.reset();
            }
        });
        provide_context(runner);
        runner
    }

    /// The runner provided by [`Runner::provide`].
    pub fn get() -> Runner {
        expect_context::<Runner>()
    }

    /// The dots in flight now (tracking [`Runner::flow`]).
    pub fn dots(&self) -> Vec<Dot> {
        self.flow.track();
        let now = now_ms();
        self.flying.with_value(|f| {
            f.iter()
                .map(|d| {
                    let t = ((now - d.born_ms) / DOT_MS).clamp(0.0, 1.0);
                    Dot {
                        position: if d.dot.answer { 1.0 - t } else { t },
                        ..d.dot.clone()
                    }
                })
                .collect()
        })
    }

    /// Takes the crossings the run sampled this frame as new dots, retires finished ones, and
    /// tunes the sampling so about [`DOTS_PER_S`] set off each second.
    fn collect_dots(&self, wall: f64) {
        let speed = self.speed.get_untracked();
        let fresh = self.sim.try_update_value(|s| {
            let sim = s.as_mut()?;
            if speed == Speed::Max {
                // Far too fast to follow by eye: no dots, and no sampling cost.
                sim.trace_crossings(0, 0);
                return Some(Vec::new());
            }
            let seen = sim.crossings_seen();
            let (since, seen_then) = self.sampling.get_value();
            if since == 0.0 || seen < seen_then {
                sim.trace_crossings(1, MAX_DOTS);
                self.sampling.set_value((wall, sim.crossings_seen()));
            } else if wall - since >= 500.0 {
                let rate = (seen - seen_then) as f64 / ((wall - since) / 1000.0);
                sim.trace_crossings((rate / DOTS_PER_S).max(1.0) as u64, MAX_DOTS);
                self.sampling.set_value((wall, seen));
            }
            let crossings = sim.take_crossings();
            Some(
                crossings
                    .into_iter()
                    .filter_map(|c| {
                        let (from, to) = (sim.component_id(c.from)?, sim.component_id(c.to)?);
                        let (caller, callee) = if c.answer { (to, from) } else { (from, to) };
                        Some(Flying {
                            dot: Dot {
                                caller: caller.clone(),
                                callee: callee.clone(),
                                kind: c.kind,
                                answer: c.answer,
                                failed: c.failed,
                                position: 0.0,
                            },
                            born_ms: wall,
                        })
                    })
                    .collect::<Vec<_>>(),
            )
        });
        let fresh = fresh.flatten().unwrap_or_default();
        let mut moved = false;
        self.flying.update_value(|f| {
            let before = f.len();
            f.retain(|d| wall - d.born_ms < DOT_MS);
            f.extend(fresh);
            if f.len() > MAX_DOTS {
                f.drain(..f.len() - MAX_DOTS);
            }
            moved = before > 0 || !f.is_empty();
        });
        if moved {
            self.flow.update(|n| *n += 1);
        }
    }

    /// Reads the simulation, if one is built and in the page (tracking [`Runner::tick`]):
    /// `None` while the worker has it.
    pub fn with_sim<R>(&self, f: impl FnOnce(&Simulation) -> R) -> Option<R> {
        self.tick.track();
        if self.is_parked() {
            // Read from reactive code: decode outside it; the tick then brings the reader back.
            let runner = *self;
            gloo_timers::callback::Timeout::new(0, move || {
                runner.unpark();
            })
            .forget();
            return None;
        }
        if self.is_away() {
            return None;
        }
        self.sim.with_value(|s| s.as_ref().map(f))
    }

    /// Reads the run's figures wherever it is computed, if there is a run (tracking
    /// [`Runner::tick`]).
    pub fn with_observed<R>(&self, f: impl FnOnce(&dyn Observed) -> R) -> Option<R> {
        self.tick.track();
        self.observed_untracked(f)
    }

    fn observed_untracked<R>(&self, f: impl FnOnce(&dyn Observed) -> R) -> Option<R> {
        let mut f = Some(f);
        let away = self.away.with_value(|a| {
            a.as_ref()
                .and_then(|a| f.take().map(|f| f(&a.figures as &dyn Observed)))
        });
        match (away, f) {
            (Some(r), _) => Some(r),
            (None, Some(f)) => self
                .sim
                .with_value(|s| s.as_ref().map(|s| f(s as &dyn Observed))),
            (None, None) => None,
        }
    }

    fn is_away(&self) -> bool {
        self.away.with_value(Option::is_some)
    }

    /// Whether a run that finished in the worker is kept as bytes (see [`Away::finished_state`]).
    fn is_parked(&self) -> bool {
        self.away
            .with_value(|a| a.as_ref().is_some_and(|a| a.finished_state.is_some()))
    }

    /// Decodes the state of a run that finished in the worker, if it is still kept as bytes;
    /// true if it was.
    fn unpark(&self) -> bool {
        let bytes = self
            .away
            .try_update_value(|a| a.as_mut().and_then(|a| a.finished_state.take()))
            .flatten();
        let Some(bytes) = bytes else {
            return false;
        };
        match Simulation::from_snapshot(&bytes) {
            Ok(sim) => {
                self.set_away(None);
                self.sim.set_value(Some(sim));
                self.bump();
            }
            Err(e) => self.worker_failed(&e.to_string()),
        }
        true
    }

    fn set_away(&self, away: Option<Away>) {
        let there = away.as_ref().is_some_and(|a| a.finished_state.is_none());
        self.away.set_value(away);
        if self.in_worker.get_untracked() != there {
            self.in_worker.set(there);
        }
    }

    /// While the worker has the run: asks for it back and keeps `change` to make once it is
    /// here (true). False when the run is in the page (make the change now).
    fn defer(&self, change: impl FnOnce(Runner) + 'static) -> bool {
        if self.unpark() || !self.is_away() {
            return false;
        }
        self.recall();
        self.deferred.update_value(|d| d.push(Box::new(change)));
        true
    }

    /// Builds the simulation from the diagram if there is none; false (with a notice saying
    /// why) if the diagram cannot be simulated.
    /// Whether there is a simulation and it was built from the document now on screen (not from
    /// one that New, Open or a link has since replaced).
    fn built_from_current(&self) -> bool {
        self.sim.with_value(Option::is_some)
            && self.generation.get_value() == self.editor.replaced.get_untracked()
    }

    fn ensure_built(&self) -> bool {
        if self.built_from_current() {
            return true;
        }
        if self.sim.with_value(Option::is_some) {
            self.reset();
        }
        let diagram = self.editor.doc.with_untracked(|d| d.diagram.clone());
        match Simulation::new(&diagram) {
            Ok(sim) => {
                self.end.set(sim.end().as_secs_f64());
                self.sim.set_value(Some(sim));
                self.builds.update_value(|n| *n += 1);
                self.built_from.set_value(Some(diagram));
                self.generation
                    .set_value(self.editor.replaced.get_untracked());
                self.stale.set(false);
                self.editor.notice.set(None);
                true
            }
            Err(e) => {
                self.editor.notice.set(Some(format!("Cannot run: {e}")));
                false
            }
        }
    }

    /// Brings the run in line with the edited diagram `now`, as far as a running simulation can
    /// follow (see [`live_change`]).
    fn follow(&self, now: &Diagram) {
        if self.sim.with_value(Option::is_none) {
            self.end.set(now.run.duration_s);
            return;
        }
        let change = self
            .built_from
            .with_value(|b| b.as_ref().map(|b| live_change(b, now)));
        match change {
            Some(LiveChange::Restart) => {
                if !self.stale.get_untracked() {
                    self.stale.set(true);
                }
            }
            Some(LiveChange::Apply { .. }) if self.is_away() => {
                // Not deferred when the run is back at once (it had finished there): apply now.
                if !self.defer(|r| r.editor.doc.with_untracked(|d| r.follow(&d.diagram))) {
                    self.follow(now);
                }
            }
            Some(change @ LiveChange::Apply { .. }) => {
                let refused = self
                    .sim
                    .try_update_value(|s| s.as_mut()?.apply_live(&change).err());
                match refused.flatten() {
                    Some(why) => self
                        .editor
                        .notice
                        .set(Some(format!("Not applied to the run: {why}"))),
                    None => self.built_from.set_value(Some(now.clone())),
                }
                self.bump();
            }
            Some(LiveChange::Nothing) | None => {}
        }
    }

    /// How many simulations have been built (or adopted): changes whenever a fresh run begins.
    pub fn builds(&self) -> u64 {
        self.builds.get_value()
    }

    /// Takes over a simulation built elsewhere (a lesson step opened by link, whose earlier
    /// steps were played to reach it) for the diagram now on screen, paused where it is.
    /// `built_from` is the diagram as that simulation knows it.
    pub fn adopt(&self, sim: Simulation, built_from: Diagram) {
        self.reset();
        let now = sim.now().as_secs_f64();
        self.end.set(sim.end().as_secs_f64());
        self.sim.set_value(Some(sim));
        self.builds.update_value(|n| *n += 1);
        self.built_from.set_value(Some(built_from));
        self.generation
            .set_value(self.editor.replaced.get_untracked());
        self.clock.set(now);
        self.phase.set(
            if self
                .sim
                .with_value(|s| s.as_ref().is_some_and(Simulation::finished))
            {
                Phase::Finished
            } else {
                Phase::Paused
            },
        );
        self.editor.doc.with_untracked(|d| self.follow(&d.diagram));
        self.bump();
    }

    /// Starts (or resumes) running at the chosen speed.
    pub fn run(&self) {
        if self.phase.get_untracked() == Phase::Finished {
            self.reset();
        }
        if !self.ensure_built() {
            return;
        }
        self.stop_at.set_value(None);
        self.start();
    }

    /// Advances one simulated second, then pauses.
    pub fn step(&self) {
        if self.defer(|r| r.step()) {
            return;
        }
        if self.phase.get_untracked() == Phase::Finished || !self.ensure_built() {
            return;
        }
        let at = self.clock.get_untracked() + 1.0;
        self.stop_at.set_value(Some(at));
        self.start();
    }

    fn start(&self) {
        let was_running = self.phase.get_untracked() == Phase::Running;
        self.phase.set(Phase::Running);
        self.editor.announcement.set("Running".into());
        if !was_running {
            self.last_frame.set_value(None);
            self.request_frame();
        }
    }

    /// Holds the simulation where it is.
    pub fn pause(&self) {
        if self.phase.get_untracked() == Phase::Running {
            self.phase.set(Phase::Paused);
            self.recall();
            self.real_time.set(0.0);
            self.editor
                .announcement
                .set(format!("Paused at {:.1} s", self.clock.get_untracked()));
            self.bump();
        }
    }

    /// Throws the run away: the next Run starts from the diagram as it is now.
    /// Undoes the diagram's last edit. A run keeps what has already happened in it (a kill
    /// stays a kill: the simulated past is not rewritten), so while one exists the undo is of
    /// the diagram alone, and the canvas says so.
    pub fn undo(&self) {
        self.editor.undo();
        self.note_history_move();
    }

    /// Redoes the last undone edit; as [`Runner::undo`].
    pub fn redo(&self) {
        self.editor.redo();
        self.note_history_move();
    }

    fn note_history_move(&self) {
        if self.phase.get_untracked() != Phase::Idle {
            self.undone_in_run.set(true);
            let done = self.editor.announcement.get_untracked();
            self.editor.announcement.set(format!(
                "{done} in the diagram; the run goes on with what has happened in it. Reset to run the diagram as it is now"
            ));
        }
    }

    pub fn reset(&self) {
        let had_run = self.phase.get_untracked() != Phase::Idle;
        self.recall();
        self.set_away(None);
        self.deferred.set_value(Vec::new());
        self.last_tick.set_value((0.0, 0.0));
        self.sim.set_value(None);
        self.flying.set_value(Vec::new());
        self.sampling.set_value((0.0, 0));
        self.flow.update(|n| *n += 1);
        self.built_from.set_value(None);
        self.phase.set(Phase::Idle);
        self.clock.set(0.0);
        self.real_time.set(0.0);
        self.stale.set(false);
        self.undone_in_run.set(false);
        self.end
            .set(self.editor.doc.with_untracked(|d| d.diagram.run.duration_s));
        if had_run {
            self.editor.announcement.set("Reset".into());
        }
        self.bump();
    }

    /// Takes `id` down (or brings it back with `restore`) in the running simulation now, and
    /// records it on the diagram's timeline at the current simulated time, so a rerun repeats it.
    pub fn kill_or_restore(&self, id: &ComponentId, restore: bool) -> bool {
        let id2 = id.clone();
        if self.defer(move |r| {
            r.kill_or_restore(&id2, restore);
        }) {
            return true;
        }
        let Some(done) = self.sim.try_update_value(|s| {
            s.as_mut().map(|sim| {
                if restore {
                    sim.restore(id)
                } else {
                    sim.kill(id)
                }
            })
        }) else {
            return false;
        };
        if done != Some(true) {
            return false;
        }
        let action = if restore {
            Action::Restore { target: id.clone() }
        } else {
            Action::Kill { target: id.clone() }
        };
        self.record(
            action,
            &format!("{} {id}", if restore { "Restored" } else { "Killed" }),
        );
        true
    }

    /// Puts `action`, just done live, on the diagram's timeline at the current simulated time,
    /// so a rerun repeats it, and announces `what` with the time.
    fn record(&self, action: Action, what: &str) {
        let at_s = self.clock.get_untracked();
        let index = self.editor.doc.with_untracked(|d| d.diagram.timeline.len());
        let _ = self.editor.apply(
            Edit::InsertTimeline {
                index,
                entry: TimelineEvent { at_s, action },
            },
            &format!("{what} at {at_s:.1} s (added to the timeline)"),
        );
        self.bump();
    }

    /// Empties cache `id` in the running simulation now and records the flush on the timeline.
    /// False if there is no run or `id` is not a cache.
    pub fn flush(&self, id: &ComponentId) -> bool {
        let id2 = id.clone();
        if self.defer(move |r| {
            r.flush(&id2);
        }) {
            return true;
        }
        let done = self
            .sim
            .try_update_value(|s| s.as_mut().is_some_and(|sim| sim.flush(id)))
            .unwrap_or(false);
        if !done {
            return false;
        }
        self.record(
            Action::Flush { target: id.clone() },
            &format!("Flushed {id}"),
        );
        true
    }

    /// Moves shard router `id` to `shards` shards in the running simulation now, and records
    /// it on the timeline. False if there is no run or nothing changed.
    pub fn reshard(&self, id: &ComponentId, shards: u32) -> bool {
        let id2 = id.clone();
        if self.defer(move |r| {
            r.reshard(&id2, shards);
        }) {
            return true;
        }
        let done = self
            .sim
            .try_update_value(|s| s.as_mut().is_some_and(|sim| sim.reshard(id, shards)))
            .unwrap_or(false);
        if done {
            self.record(
                Action::Reshard {
                    target: id.clone(),
                    shards,
                },
                &format!("Resharded {id} to {shards} shards"),
            );
        }
        done
    }

    /// Adds `ms` of delay to the wire `from` → `to` in the running simulation now (0 takes it
    /// away), and records it on the timeline. False if there is no run or no such wire.
    pub fn delay_wire(&self, from: &ComponentId, to: &ComponentId, ms: f64) -> bool {
        let (from2, to2) = (from.clone(), to.clone());
        if self.defer(move |r| {
            r.delay_wire(&from2, &to2, ms);
        }) {
            return true;
        }
        let done = self
            .sim
            .try_update_value(|s| s.as_mut().is_some_and(|sim| sim.delay_wire(from, to, ms)))
            .unwrap_or(false);
        if done {
            let what = if ms > 0.0 {
                format!("Slowed the wire {from} → {to} by {ms} ms")
            } else {
                format!("The wire {from} → {to} is back to normal")
            };
            self.record(
                Action::DelayWire {
                    from: from.clone(),
                    to: to.clone(),
                    ms,
                },
                &what,
            );
        }
        done
    }

    /// The delay a fault has added to the wire `from` → `to` in the run, if there is a run.
    pub fn wire_delay_untracked(&self, from: &ComponentId, to: &ComponentId) -> Option<f64> {
        self.unpark();
        self.sim
            .with_value(|s| s.as_ref().map(|sim| sim.wire_delay_ms(from, to)))
    }

    /// Shard router `id`'s shards in use and wired in the running simulation.
    pub fn router_shards_untracked(&self, id: &ComponentId) -> Option<(u32, u32)> {
        self.unpark();
        self.sim
            .with_value(|s| s.as_ref().and_then(|sim| sim.router_shards(id)))
    }

    /// Cuts (or, with `heal`, mends) the network between regions `a` and `b` in the running
    /// simulation now, and records it on the timeline. False if there is no run or nothing
    /// changed.
    pub fn partition_or_heal(&self, a: &str, b: &str, heal: bool) -> bool {
        let (a2, b2) = (a.to_string(), b.to_string());
        if self.defer(move |r| {
            r.partition_or_heal(&a2, &b2, heal);
        }) {
            return true;
        }
        let done = self
            .sim
            .try_update_value(|s| {
                s.as_mut().is_some_and(|sim| {
                    if heal {
                        sim.heal(a, b)
                    } else {
                        sim.partition(a, b)
                    }
                })
            })
            .unwrap_or(false);
        if !done {
            return false;
        }
        let (a, b) = (a.to_string(), b.to_string());
        if heal {
            let what = format!("Healed the network between {a} and {b}");
            self.record(Action::Heal { a, b }, &what);
        } else {
            let what = format!("Cut the network between {a} and {b}");
            self.record(Action::Partition { a, b }, &what);
        }
        true
    }

    /// Whether the running simulation has the network between `a` and `b` cut.
    pub fn is_partitioned_untracked(&self, a: &str, b: &str) -> bool {
        self.unpark();
        self.sim
            .with_value(|s| s.as_ref().is_some_and(|sim| sim.is_partitioned(a, b)))
    }

    /// Publishes new static assets in the running simulation now, and records the deploy on
    /// the timeline. False if there is no run.
    pub fn deploy(&self) -> bool {
        if self.defer(|r| {
            r.deploy();
        }) {
            return true;
        }
        let done = self
            .sim
            .try_update_value(|s| {
                s.as_mut().map(|sim| {
                    sim.deploy();
                })
            })
            .flatten()
            .is_some();
        if !done {
            return false;
        }
        self.record(Action::Deploy, "Deployed new static assets");
        true
    }

    /// Keeps the current run's system-wide series to compare the next run against.
    pub fn keep_for_comparison(&self) -> bool {
        let seed = self.editor.doc.with_untracked(|d| d.diagram.run.seed);
        let kept = self.observed_untracked(|sim| Kept {
            label: format!("kept (seed {seed}, {:.0} s)", sim.now().as_secs_f64()),
            columns: crate::sim::GLOBAL_METRICS
                .iter()
                .map(|&n| (n, sim.series().global.column(n).unwrap_or_default()))
                .collect(),
        });
        let Some(kept) = kept else {
            return false;
        };
        self.editor.announcement.set(format!(
            "This run is kept: the next one is drawn over it ({})",
            kept.label
        ));
        self.kept.set(Some(kept));
        true
    }

    /// The run's per-second series as CSV, if there is a run.
    pub fn series_csv(&self) -> Option<String> {
        self.observed_untracked(|sim| sim.series_csv())
    }

    /// A traffic spike now: five times the current traffic for ten simulated seconds, in the
    /// run and on the diagram's timeline (one undoable step). False when nothing runs.
    pub fn spike(&self) -> bool {
        const FACTOR: f64 = 5.0;
        const LENGTH_S: f64 = 10.0;
        if self.defer(|r| {
            r.spike();
        }) {
            return true;
        }
        let at_s = self.clock.get_untracked();
        let base = self
            .editor
            .doc
            .with_untracked(|d| d.diagram.traffic.rate_scale);
        let peak = (base * FACTOR).min(1_000.0);
        let started = self.sim.try_update_value(|s| {
            let sim = s.as_mut()?;
            sim.set_rate_scale(peak);
            let back = SimTime::ZERO + SimDuration::from_secs_f64(at_s + LENGTH_S);
            sim.schedule_action(back, Action::RateScale { scale: base });
            Some(())
        });
        if started.flatten().is_none() {
            return false;
        }
        let index = self.editor.doc.with_untracked(|d| d.diagram.timeline.len());
        let entry = |at_s, scale| TimelineEvent {
            at_s,
            action: Action::RateScale { scale },
        };
        let _ = self.editor.apply(
            Edit::Batch(vec![
                Edit::InsertTimeline {
                    index,
                    entry: entry(at_s, peak),
                },
                Edit::InsertTimeline {
                    index: index + 1,
                    entry: entry(at_s + LENGTH_S, base),
                },
            ]),
            &format!(
                "Traffic spike: {peak}× from {at_s:.1} s for {LENGTH_S} s (added to the timeline)"
            ),
        );
        self.bump();
        true
    }

    /// Whether `id` is up in the run (`None` when nothing has been run), without tracking.
    pub fn is_up_untracked(&self, id: &ComponentId) -> Option<bool> {
        self.observed_untracked(|sim| sim.is_up(id)).flatten()
    }

    fn bump(&self) {
        self.tick.update(|t| *t += 1);
    }

    /// Schedules the next slice of work: on the next animation frame at the timed speeds
    /// (their pace follows the display), or as the next task when running as fast as possible,
    /// so the browser renders between slices whenever a frame is due but the simulation does
    /// not sit idle waiting for one.
    fn request_frame(&self) {
        let runner = *self;
        if self.speed.get_untracked() == Speed::Max {
            let port = self.task_port.with_value(Clone::clone).or_else(|| {
                let channel = web_sys::MessageChannel::new().ok()?;
                let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| {
                    runner.frame(now_ms());
                });
                channel
                    .port1()
                    .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
                // The handler lives as long as the page: one per runner.
                on_message.forget();
                let port = channel.port2();
                self.task_port.set_value(Some(port.clone()));
                Some(port)
            });
            if let Some(port) = port
                && port.post_message(&wasm_bindgen::JsValue::NULL).is_ok()
            {
                return;
            }
        }
        let callback = Closure::once_into_js(move |timestamp: f64| runner.frame(timestamp));
        if let Some(w) = web_sys::window() {
            let _ = w.request_animation_frame(callback.unchecked_ref());
        }
    }

    /// One animation frame: advance by the speed's share of the wall time since the last
    /// frame, but never for longer than the budget.
    fn frame(&self, timestamp: f64) {
        if self.phase.get_untracked() != Phase::Running || self.is_away() {
            return;
        }
        let dt = self
            .last_frame
            .get_value()
            .map_or(0.0, |last| (timestamp - last).clamp(0.0, MAX_FRAME_MS));
        self.last_frame.set_value(Some(timestamp));
        let clock = self.clock.get_untracked();
        let end = self.end.get_untracked();
        let speed = self.speed.get_untracked();
        let budget = match speed {
            Speed::Max => MAX_SPEED_BUDGET_MS,
            _ => FRAME_BUDGET_MS,
        };
        let mut target = match speed.factor() {
            Some(f) => clock + dt / 1000.0 * f,
            None => end,
        };
        // A step goes straight to its stop, whatever the speed.
        if let Some(stop) = self.stop_at.get_value() {
            target = stop;
        }
        let target = target.min(end);
        let until = SimTime::ZERO + SimDuration::from_secs_f64(target);
        if speed == Speed::Max && self.send_away(until) {
            return;
        }
        let started = now_ms();
        let outcome = self.sim.try_update_value(|s| {
            let sim = s.as_mut()?;
            loop {
                let outcome = sim.step_until(until, SLICE_EVENTS);
                if outcome == StepOutcome::Reached || now_ms() - started > budget {
                    return Some((sim.now().as_secs_f64(), sim.finished()));
                }
            }
        });
        let Some(Some((now, finished))) = outcome else {
            self.phase.set(Phase::Idle);
            return;
        };
        self.clock.set(now);
        let wall = now_ms();
        self.collect_dots(wall);
        self.moved_on(wall, finished);
        if self.arrived(now, finished) {
            return;
        }
        self.request_frame();
    }

    /// The run moved on (the clock is set): refreshes the panels (at most ten times a second)
    /// and the pace in multiples of real time.
    fn moved_on(&self, wall: f64, finished: bool) {
        let (last_ms, last_clock) = self.last_tick.get_value();
        let clock = self.clock.get_untracked();
        if wall - last_ms >= TICK_MS || finished {
            if last_ms > 0.0 && wall > last_ms {
                let wall_s = (wall - last_ms) / 1000.0;
                self.real_time.set(((clock - last_clock) / wall_s).max(0.0));
            }
            self.last_tick.set_value((wall, clock));
            self.bump();
        }
    }

    /// Whether the run stops at `now`: it finished, or a step reached its stop (then it is
    /// paused).
    fn arrived(&self, now: f64, finished: bool) -> bool {
        if finished {
            self.phase.set(Phase::Finished);
            self.real_time.set(0.0);
            self.editor
                .announcement
                .set(format!("Finished at {now:.1} s"));
            self.bump();
            return true;
        }
        if self.stop_at.get_value().is_some_and(|s| now >= s - 1e-9) {
            self.stop_at.set_value(None);
            self.pause();
            return true;
        }
        false
    }

    /// Hands the run to the worker to carry on until `until`, if the worker is ready (starting
    /// it the first time). False: run it in the page.
    fn send_away(&self, until: SimTime) -> bool {
        match self.worker_state.get_value() {
            WorkerState::Unborn => {
                self.start_worker();
                return false;
            }
            WorkerState::Ready => {}
            WorkerState::Starting | WorkerState::Unusable => return false,
        }
        let handed = self.sim.with_value(|s| {
            let sim = s.as_ref()?;
            Some((sim.snapshot().ok()?, Figures::of(sim)))
        });
        let Some((snapshot, figures)) = handed else {
            return false;
        };
        // The pace the run bar shows counts from here.
        self.last_tick
            .set_value((now_ms(), self.clock.get_untracked()));
        let run = self.runs_sent.get_value() + 1;
        self.runs_sent.set_value(run);
        if !self.post(&ToRemote::Start {
            run,
            snapshot,
            until,
        }) {
            self.worker_state.set_value(WorkerState::Unusable);
            return false;
        }
        self.set_away(Some(Away {
            run,
            figures,
            recalled: false,
            finished_state: None,
        }));
        true
    }

    /// Asks the worker for the run back (it answers with the whole state), if it has it.
    fn recall(&self) {
        let run = self.away.try_update_value(|a| {
            let a = a
                .as_mut()
                .filter(|a| !a.recalled && a.finished_state.is_none())?;
            a.recalled = true;
            Some(a.run)
        });
        if let Some(Some(run)) = run {
            self.post(&ToRemote::Stop { run });
        }
    }

    fn post(&self, message: &ToRemote) -> bool {
        let Ok(bytes) = encode(message) else {
            return false;
        };
        self.worker.with_value(|w| {
            w.as_ref().is_some_and(|w| {
                let array = js_sys::Uint8Array::from(bytes.as_slice());
                let transfer = js_sys::Array::of1(&array.buffer());
                w.post_message_with_transfer(&array, &transfer).is_ok()
            })
        })
    }

    /// Starts the simulation worker once the page has settled, so that the first "as fast as
    /// possible" finds it loaded, compiled and warmed up (one started by that choice spends the
    /// first few hundred milliseconds of the run getting there). Embeds wait for the choice:
    /// a course page may hold many of them.
    pub fn start_worker_soon(&self) {
        let runner = *self;
        gloo_timers::callback::Timeout::new(WORKER_HEAD_START_MS, move || {
            if runner.worker_state.try_get_value() == Some(WorkerState::Unborn) {
                runner.start_worker();
            }
        })
        .forget();
    }

    /// Starts the simulation worker; until it says it is ready, runs stay in the page.
    fn start_worker(&self) {
        let runner = *self;
        let options = web_sys::WorkerOptions::new();
        options.set_name("archplay-simulation");
        let Ok(worker) = web_sys::Worker::new_with_options(WORKER_URL, &options) else {
            // A sandboxed embed (an opaque origin) cannot start one: the page runs it.
            self.worker_state.set_value(WorkerState::Unusable);
            return;
        };
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let bytes = js_sys::Uint8Array::new(&e.data()).to_vec();
                match decode::<FromRemote>(&bytes) {
                    Ok(message) => runner.on_worker(message),
                    Err(_) => runner.worker_failed("an unreadable message"),
                }
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            runner.worker_failed("it stopped with an error");
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        self.worker.set_value(Some(worker));
        self.worker_state.set_value(WorkerState::Starting);
    }

    /// The worker cannot be used: the run it had (if any) carries on in the page from where it
    /// was handed over.
    fn worker_failed(&self, why: &str) {
        web_sys::console::warn_1(&format!("Archplay: simulation worker unusable: {why}").into());
        self.worker_state.set_value(WorkerState::Unusable);
        if let Some(w) = self.worker.try_update_value(Option::take).flatten() {
            w.terminate();
        }
        // A finished run kept as bytes no longer needs the worker.
        if self.is_away() && !self.is_parked() {
            self.set_away(None);
            self.back_home();
        }
    }

    fn on_worker(&self, message: FromRemote) {
        let ours = |run: u64| {
            self.away
                .with_value(|a| a.as_ref().is_some_and(|a| a.run == run))
        };
        match message {
            FromRemote::Ready { fingerprint } => {
                if fingerprint == crate::sim::fingerprint() {
                    self.worker_state.set_value(WorkerState::Ready);
                } else {
                    self.worker_failed("it is from another build of the app");
                }
            }
            FromRemote::Progress { run, figures } if ours(run) => {
                self.show_progress(figures);
            }
            FromRemote::Done {
                run,
                figures,
                snapshot,
            } if ours(run) && figures.finished && self.deferred.with_value(Vec::is_empty) => {
                // Finished with nothing waiting to be done to it: keep the state as bytes.
                let now = self.show_progress(figures);
                self.away.update_value(|a| {
                    if let Some(a) = a {
                        a.finished_state = Some(snapshot);
                    }
                });
                self.in_worker.set(false);
                self.bump();
                if self.phase.get_untracked() == Phase::Running {
                    self.arrived(now, true);
                }
            }
            FromRemote::Done {
                run,
                figures: _,
                snapshot,
            } if ours(run) => match Simulation::from_snapshot(&snapshot) {
                Ok(sim) => {
                    self.set_away(None);
                    self.sim.set_value(Some(sim));
                    self.back_home();
                }
                Err(e) => self.worker_failed(&e.to_string()),
            },
            FromRemote::Failed { run, why } if ours(run) => self.worker_failed(&why),
            // Answers about runs given up on (a reset, a pause that crossed a progress message).
            _ => {}
        }
    }

    /// Shows what the worker sent about the run it has (its figures, clock and pace); returns
    /// the run's simulated time in seconds.
    fn show_progress(&self, figures: FiguresDelta) -> f64 {
        let (now, finished) = (figures.now.as_secs_f64(), figures.finished);
        self.away.update_value(|a| {
            if let Some(a) = a {
                a.figures.apply(figures);
            }
        });
        self.clock.set(now);
        self.moved_on(now_ms(), finished);
        now
    }

    /// The run is in the page again: show where it is, make the changes asked for meanwhile,
    /// and carry on if it is still running.
    fn back_home(&self) {
        let Some((now, finished)) = self
            .sim
            .with_value(|s| s.as_ref().map(|s| (s.now().as_secs_f64(), s.finished())))
        else {
            return;
        };
        self.clock.set(now);
        self.bump();
        let running = self.phase.get_untracked() == Phase::Running;
        if running {
            self.moved_on(now_ms(), finished);
            if self.arrived(now, finished) {
                // Stopped here (finished, or a step's stop): a deferred Step or Run restarts
                // the frame loop itself, so this must not start a second one.
                self.run_deferred();
                return;
            }
        }
        // Still running: deferred changes apply first (none of them starts a loop while the
        // phase is Running), then the run carries on, back to the worker at full speed.
        self.run_deferred();
        if self.phase.get_untracked() == Phase::Running {
            self.last_frame.set_value(None);
            self.request_frame();
        }
    }

    fn run_deferred(&self) {
        let changes = self
            .deferred
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        for change in changes {
            change(*self);
        }
    }
}
