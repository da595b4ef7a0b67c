//! The run bar: run, pause, step, reset; the speed; the run's seed; the simulated clock, with a
//! progress bar when running as fast as possible; and a line saying what the run is doing.

use leptos::prelude::*;

use super::editor::Editor;
use super::run::{Phase, Runner, Speed};
use crate::chart::format_value;
use crate::model::Edit;
use crate::model::run_fields::RunField;

/// The run bar.
#[component]
pub fn RunBar() -> impl IntoView {
    let editor = Editor::get();
    let runner = Runner::get();
    let running = move || runner.phase.get() == Phase::Running;
    let clock = move || format!("{:.3} s", runner.clock.get());
    let status = move || {
        let phase = runner.phase.get();
        let stale = runner.stale.get();
        let base = match phase {
            Phase::Idle => "Ready: press Run".to_string(),
            Phase::Running => {
                let times = runner.real_time.get();
                let running = if runner.in_worker.get() {
                    "Running in a worker thread"
                } else {
                    "Running"
                };
                // The pace as a multiple of real time; rates are for traffic.
                if times > 0.0 {
                    let times = if times >= 10.0 {
                        format_value(times.round(), "")
                    } else {
                        format!("{times:.1}")
                    };
                    format!("{running} at ×{times} real time")
                } else {
                    running.to_string()
                }
            }
            Phase::Paused => "Paused".to_string(),
            Phase::Finished => format!(
                "Finished: {} simulated seconds. Run to start again",
                format_value(runner.end.get(), "")
            ),
        };
        if stale {
            format!(
                "{base} · the diagram has changed since this run began: Reset to run the new version"
            )
        } else {
            base
        }
    };
    let progress = move || {
        let end = runner.end.get().max(1e-9);
        (runner.clock.get() / end).clamp(0.0, 1.0)
    };
    let show_progress =
        move || runner.speed.get() == Speed::Max && runner.phase.get() != Phase::Idle;
    let seed = move || editor.doc.with(|d| d.diagram.run.seed.to_string());

    // A refused value: which field, and why, said beside the field until the next edit.
    let problem = RwSignal::new(None::<(RunField, String)>);
    let refuse = move |field: RunField, why: String| {
        editor.announcement.set(format!("Not changed: {why}"));
        problem.set(Some((field, why)));
        // Put the field back to the diagram's value.
        editor.doc.update(|_| {});
    };
    let on_seed = move |e: leptos::ev::Event| {
        let text = event_target_value(&e);
        let seed = match RunField::parse_seed(&text) {
            Ok(seed) => seed,
            Err(why) => return refuse(RunField::Seed, why),
        };
        problem.set(None);
        let mut run = editor.doc.with_untracked(|d| d.diagram.run.clone());
        if run.seed == seed {
            return;
        }
        run.seed = seed;
        let _ = editor.apply(Edit::SetRun(run), &format!("Seed set to {seed}"));
    };
    let length = move || editor.doc.with(|d| d.diagram.run.duration_s.to_string());
    let on_length = move |e: leptos::ev::Event| {
        let secs = match RunField::Length.parse(&event_target_value(&e)) {
            Ok(secs) => secs,
            Err(why) => return refuse(RunField::Length, why),
        };
        let mut run = editor.doc.with_untracked(|d| d.diagram.run.clone());
        if secs == run.duration_s {
            return problem.set(None);
        }
        run.duration_s = secs;
        // Keep the warm-up shorter than the run.
        run.warmup_s = run.warmup_s.min(secs / 2.0);
        apply_field(
            editor,
            problem,
            RunField::Length,
            Edit::SetRun(run),
            format!("The run lasts {secs} simulated seconds"),
        );
    };
    let traffic = move || {
        editor
            .doc
            .with(|d| d.diagram.traffic.rate_scale.to_string())
    };
    let on_traffic = move |e: leptos::ev::Event| {
        let scale = match RunField::Traffic.parse(&event_target_value(&e)) {
            Ok(scale) => scale,
            Err(why) => return refuse(RunField::Traffic, why),
        };
        apply_field(
            editor,
            problem,
            RunField::Traffic,
            Edit::SetTraffic(crate::model::Traffic { rate_scale: scale }),
            format!("Traffic set to {scale}×"),
        );
    };
    let chaos = move || {
        editor
            .doc
            .with(|d| d.diagram.run.chaos_per_hour.to_string())
    };
    let on_chaos = move |e: leptos::ev::Event| {
        let rate = match RunField::Chaos.parse(&event_target_value(&e)) {
            Ok(rate) => rate,
            Err(why) => return refuse(RunField::Chaos, why),
        };
        let mut run = editor.doc.with_untracked(|d| d.diagram.run.clone());
        if rate == run.chaos_per_hour {
            return problem.set(None);
        }
        run.chaos_per_hour = rate;
        let what = if rate > 0.0 {
            format!("Chaos monkey: {rate} instance kills an hour")
        } else {
            "Chaos monkey off".to_string()
        };
        apply_field(editor, problem, RunField::Chaos, Edit::SetRun(run), what);
    };
    let invalid = move |field: RunField| {
        move || problem.with(|p| p.as_ref().is_some_and(|(f, _)| *f == field))
    };
    let speed_options = Speed::ALL
        .into_iter()
        .map(|s| {
            view! {
                <option value=s.label() selected=move || runner.speed.get() == s>
                    {s.label()}
                </option>
            }
        })
        .collect_view();
    view! {
        <footer class="ap-runbar" data-testid="runbar" aria-label="Simulation controls">
            <Show when=show_progress>
                <progress
                    class="ap-runbar__progress"
                    data-testid="progress"
                    max="1"
                    value=progress
                    aria-label="Progress through the run"
                />
            </Show>
            <div class="ap-runbar__now">
            <div class="ap-runbar__buttons" role="group" aria-label="Run controls">
                <button
                    class="ap-button ap-button--primary"
                    data-testid="run"
                    title="Run the simulation"
                    disabled=running
                    on:click=move |_| runner.run()
                >
                    "Run"
                </button>
                <button
                    class="ap-button"
                    data-testid="pause"
                    title="Pause the simulation"
                    disabled=move || !running()
                    on:click=move |_| runner.pause()
                >
                    "Pause"
                </button>
                <button
                    class="ap-button"
                    data-testid="step"
                    title="Advance one simulated second"
                    disabled=move || running() || runner.phase.get() == Phase::Finished
                    on:click=move |_| runner.step()
                >
                    "Step"
                </button>
                <button
                    class="ap-button"
                    data-testid="reset"
                    title="Throw this run away and start again from the diagram"
                    disabled=move || runner.phase.get() == Phase::Idle
                    on:click=move |_| runner.reset()
                >
                    "Reset"
                </button>
            </div>
            <span class="ap-runbar__clock" data-testid="clock" aria-label="Simulated time">{clock}</span>
            <span class="ap-runbar__status" data-testid="run-status" role="status" title=status>{status}</span>
            </div>
            <div class="ap-runbar__settings" role="group" aria-label="Run settings">
            <label class="ap-runbar__field">
                <span>"Speed"</span>
                <select
                    class="ap-runbar__select"
                    data-testid="speed"
                    on:change=move |e| {
                        let v = event_target_value(&e);
                        if let Some(s) = Speed::ALL.into_iter().find(|s| s.label() == v) {
                            runner.speed.set(s);
                        }
                    }
                >
                    {speed_options}
                </select>
            </label>
            <label class="ap-runbar__field" title="Simulated seconds the run lasts (a new length needs a Reset)">
                <span>"Length (s)"</span>
                <input
                    class="ap-runbar__seed ap-runbar__traffic"
                    data-testid="duration"
                    aria-invalid=move || invalid(RunField::Length)().to_string()
                    type="text"
                    inputmode="decimal"
                    prop:value=length
                    on:change=on_length
                />
            </label>
            <label class="ap-runbar__field">
                <span>"Seed"</span>
                <input
                    class="ap-runbar__seed"
                    data-testid="seed"
                    aria-invalid=move || invalid(RunField::Seed)().to_string()
                    type="text"
                    inputmode="numeric"
                    prop:value=seed
                    on:change=on_seed
                />
            </label>
            <label class="ap-runbar__field" title="Multiplies every users component's rate; applies to a live run at once">
                <span>"Traffic ×"</span>
                <input
                    class="ap-runbar__seed ap-runbar__traffic"
                    data-testid="traffic"
                    aria-invalid=move || invalid(RunField::Traffic)().to_string()
                    type="text"
                    inputmode="decimal"
                    prop:value=traffic
                    on:change=on_traffic
                />
            </label>
            <label class="ap-runbar__field" title="The chaos monkey: web-server instances killed an hour at random (0: off); applies to a live run at once">
                <span>"Chaos /h"</span>
                <input
                    class="ap-runbar__seed ap-runbar__traffic"
                    data-testid="chaos"
                    aria-invalid=move || invalid(RunField::Chaos)().to_string()
                    type="text"
                    inputmode="decimal"
                    prop:value=chaos
                    on:change=on_chaos
                />
            </label>
            <button
                class="ap-button"
                data-testid="spike"
                title="Five times the traffic for ten simulated seconds (added to the timeline)"
                disabled=move || matches!(runner.phase.get(), Phase::Idle | Phase::Finished)
                on:click=move |_| {
                    runner.spike();
                }
            >
                "Spike"
            </button>
            </div>
            {move || {
                problem
                    .get()
                    .map(|(field, why)| {
                        view! {
                            <p
                                class="ap-runbar__problem"
                                data-testid="runbar-problem"
                                data-field=field.label()
                                role="alert"
                            >
                                {why}
                                <button
                                    class="ap-button ap-runbar__problem-close"
                                    aria-label="Dismiss"
                                    on:click=move |_| problem.set(None)
                                >
                                    "×"
                                </button>
                            </p>
                        }
                    })
            }}
        </footer>
    }
}

/// Applies a run-bar field's edit (announcing `what`), or says beside the field why the
/// diagram refused it and shows the diagram's value in the field again.
fn apply_field(
    editor: Editor,
    problem: RwSignal<Option<(RunField, String)>>,
    field: RunField,
    edit: Edit,
    what: String,
) {
    match editor.apply(edit, &what) {
        Ok(()) => problem.set(None),
        Err(why) => {
            let why = format!("{}: {why}", field.label());
            editor.announcement.set(format!("Not changed: {why}"));
            problem.set(Some((field, why)));
            editor.doc.update(|_| {});
        }
    }
}
