//! The run bar: run, pause, step, reset; the speed; the run's seed; the simulated clock, with a
//! progress bar when running as fast as possible; and a line saying what the run is doing.

use leptos::prelude::*;

use super::editor::Editor;
use super::run::{Phase, Runner, Speed};
use crate::chart::format_value;
use crate::model::Edit;

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
                let pace = runner.pace.get();
                let running = if runner.in_worker.get() {
                    "Running in a worker thread"
                } else {
                    "Running"
                };
                if pace > 0.0 {
                    format!("{running} · {} simulated", format_value(pace, "req/s"))
                } else {
                    running.to_string()
                }
            }
            Phase::Paused => "Paused".to_string(),
            Phase::Finished => format!("Finished after {} s · Run starts again", runner.end.get()),
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

    let on_seed = move |e: leptos::ev::Event| {
        let text = event_target_value(&e);
        let Ok(seed) = text.trim().parse::<u64>() else {
            editor.announcement.set(format!(
                "Not changed: the seed must be a whole number from 0, not {text}"
            ));
            // Put the field back to the diagram's seed.
            editor.doc.update(|_| {});
            return;
        };
        let mut run = editor.doc.with_untracked(|d| d.diagram.run.clone());
        if run.seed == seed {
            return;
        }
        run.seed = seed;
        let _ = editor.apply(Edit::SetRun(run), &format!("Seed set to {seed}"));
    };
    let length = move || editor.doc.with(|d| d.diagram.run.duration_s.to_string());
    let on_length = move |e: leptos::ev::Event| {
        let text = event_target_value(&e);
        let mut run = editor.doc.with_untracked(|d| d.diagram.run.clone());
        let edit = match number(&text, "s") {
            Some(secs) if secs == run.duration_s => return,
            Some(secs) => {
                run.duration_s = secs;
                // Keep the warm-up shorter than the run.
                run.warmup_s = run.warmup_s.min(secs / 2.0);
                Ok((
                    Edit::SetRun(run),
                    format!("The run lasts {secs} simulated seconds"),
                ))
            }
            None => Err(format!("{text} is not a number of seconds")),
        };
        apply_field(editor, edit);
    };
    let traffic = move || {
        editor
            .doc
            .with(|d| d.diagram.traffic.rate_scale.to_string())
    };
    let on_traffic = move |e: leptos::ev::Event| {
        let text = event_target_value(&e);
        let edit = match number(&text, "×") {
            Some(scale) => Ok((
                Edit::SetTraffic(crate::model::Traffic { rate_scale: scale }),
                format!("Traffic set to {scale}×"),
            )),
            None => Err(format!("{text} is not a number")),
        };
        apply_field(editor, edit);
    };
    let chaos = move || {
        editor
            .doc
            .with(|d| d.diagram.run.chaos_per_hour.to_string())
    };
    let on_chaos = move |e: leptos::ev::Event| {
        let text = event_target_value(&e);
        let mut run = editor.doc.with_untracked(|d| d.diagram.run.clone());
        let edit = match number(&text, "/h") {
            Some(rate) if rate == run.chaos_per_hour => return,
            Some(rate) => {
                run.chaos_per_hour = rate;
                let what = if rate > 0.0 {
                    format!("Chaos monkey: {rate} instance kills an hour")
                } else {
                    "Chaos monkey off".to_string()
                };
                Ok((Edit::SetRun(run), what))
            }
            None => Err(format!("{text} is not a number of kills an hour")),
        };
        apply_field(editor, edit);
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
            <span class="ap-runbar__clock" data-testid="clock" aria-label="Simulated time">{clock}</span>
            <Show when=show_progress>
                <progress
                    class="ap-runbar__progress"
                    data-testid="progress"
                    max="1"
                    value=progress
                    aria-label="Progress through the run"
                />
            </Show>
            <span class="ap-runbar__status" data-testid="run-status" role="status">{status}</span>
        </footer>
    }
}

/// A number typed into a run-bar field, with or without its unit after it.
fn number(text: &str, unit: &str) -> Option<f64> {
    text.trim().trim_end_matches(unit).trim().parse().ok()
}

/// Applies a run-bar field's edit (with what to announce), or says why not and shows the
/// diagram's value in the field again.
fn apply_field(editor: Editor, edit: Result<(Edit, String), String>) {
    let refused = match edit {
        Ok((edit, what)) => editor.apply(edit, &what).err().map(|why| why.to_string()),
        Err(why) => Some(why),
    };
    if let Some(why) = refused {
        editor.announcement.set(format!("Not changed: {why}"));
        editor.doc.update(|_| {});
    }
}
