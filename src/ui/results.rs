//! The results panel under the canvas: live charts of the whole system, charts of the selected
//! component (one per metric its kind publishes, so later kinds chart themselves), the event
//! log with filters, and CSV export of the series.

use leptos::prelude::*;

use super::chart::{Chart, Line, Marker};
use super::editor::Editor;
use super::embed::Embedding;
use super::persistence::{download, text_blob};
use super::run::Runner;
use crate::model::cost::{HOURS_PER_MONTH, diagram_per_hour};
use crate::model::export::file_name;
use crate::share::embed::ChartId;
use crate::sim::remote::Observed;
use crate::sim::{Cause, LogLevel};

/// Markers for the charts: components going down (failures) and coming back or rejoining.
fn markers(sim: &dyn Observed) -> Vec<Marker> {
    sim.log()
        .entries()
        // Warnings (failed probes, alerts firing) and resolved alerts stay in the log; the
        // charts mark what broke and what came back.
        .filter(|e| e.level != LogLevel::Warn && !e.message.starts_with("resolved:"))
        .map(|e| Marker {
            at: e.time_s,
            text: e.message.clone(),
            bad: e.level == LogLevel::Error,
        })
        .collect()
}

/// The chart style of a kept run's lines: thin and grey, under the current run's.
const KEPT_STYLE: usize = 6;

fn global(sim: &dyn Observed, name: &str) -> Vec<(f64, f64)> {
    sim.series().global.column(name).unwrap_or_default()
}

/// Which tab of the panel is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Charts,
    Log,
}

/// The results panel.
#[component]
pub fn Results() -> impl IntoView {
    let editor = Editor::get();
    let runner = Runner::get();
    let tab = RwSignal::new(Tab::Charts);
    let marks = Memo::new(move |_| runner.with_observed(markers).unwrap_or_default());
    // A kept run's lines come first, so the current run is drawn over them.
    let kept_lines = move |names: &[(&'static str, &'static str)]| -> Vec<Line> {
        runner.kept.with(|k| {
            k.as_ref()
                .map(|k| {
                    names
                        .iter()
                        .map(|(name, label)| Line {
                            label: format!("{label}, {}", k.label),
                            style: KEPT_STYLE,
                            points: k.column(name).to_vec(),
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
    };
    let series = move |names: &'static [(&'static str, &'static str)]| {
        Signal::derive(move || {
            let mut lines = kept_lines(names);
            lines.extend(
                runner
                    .with_observed(|sim| {
                        names
                            .iter()
                            .enumerate()
                            .map(|(style, (name, label))| Line {
                                label: (*label).to_string(),
                                style,
                                points: global(sim, name),
                            })
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default(),
            );
            lines
        })
    };
    let throughput = series(&[("sent", "in"), ("ok", "answered")]);
    let latency = series(&[("p50_ms", "p50"), ("p95_ms", "p95"), ("p99_ms", "p99")]);
    // One line per cause that has caused an error in this run.
    let errors = Signal::derive(move || {
        runner
            .with_observed(|sim| {
                let total = Line {
                    label: "all".into(),
                    style: 0,
                    points: global(sim, "errors"),
                };
                let causes = Cause::ALL.into_iter().filter_map(|cause| {
                    let points = global(sim, &format!("errors_{}", cause.id()));
                    points
                        .iter()
                        .any(|p| p.1 > 0.0)
                        .then(|| (cause.id().replace('_', " "), points))
                });
                std::iter::once(total)
                    .chain(causes.enumerate().map(|(i, (label, points))| Line {
                        label,
                        style: 1 + i % 5,
                        points,
                    }))
                    .collect()
            })
            .unwrap_or_default()
    });

    // The selected component's own charts, from the metrics its kind publishes.
    let selected = move || {
        editor.selection.with(|s| match s.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        })
    };
    let component_charts = move || {
        let id = selected()?;
        let kind = editor
            .doc
            .with(|d| d.diagram.component(&id).map(|c| c.kind))?;
        let index = editor
            .doc
            .with(|d| d.diagram.components.iter().position(|c| c.id == id))?;
        let charts = kind
            .spec()
            .metrics
            .iter()
            .map(|m| {
                let lines = Signal::derive(move || {
                    runner
                        .with_observed(|sim| {
                            let points = sim
                                .series()
                                .nodes
                                .get(index)
                                .and_then(|s| s.column(m.name))
                                .unwrap_or_default();
                            vec![Line {
                                label: m.label.to_string(),
                                style: 0,
                                points,
                            }]
                        })
                        .unwrap_or_default()
                });
                view! {
                    <Chart
                        title=format!("{id}: {}", m.label)
                        unit=m.unit.symbol()
                        testid=format!("chart-{id}-{}", m.name)
                        lines=lines
                        markers=marks
                    />
                }
            })
            .collect_view();
        Some(charts)
    };

    let level = RwSignal::new(None::<LogLevel>);
    let only = RwSignal::new(String::new());
    let log = move || {
        let level = level.get();
        let only = only.get();
        runner
            .with_observed(|sim| {
                let rows: Vec<_> = sim
                    .log()
                    .entries()
                    .filter(|e| level.is_none_or(|l| e.level == l))
                    .filter(|e| only.is_empty() || e.component.as_deref() == Some(only.as_str()))
                    .map(|e| {
                        let lvl = match e.level {
                            LogLevel::Info => "info",
                            LogLevel::Warn => "warn",
                            LogLevel::Error => "error",
                        };
                        view! {
                            <li class=format!("ap-log__entry ap-log__entry--{lvl}")>
                                <span class="ap-log__time">{format!("{:.3} s", e.time_s)}</span>
                                <span class="ap-log__level">{lvl}</span>
                                <span class="ap-log__message">{e.message.clone()}</span>
                            </li>
                        }
                    })
                    .collect();
                if rows.is_empty() {
                    view! { <li class="ap-log__empty">"Nothing logged yet."</li> }.into_any()
                } else {
                    rows.collect_view().into_any()
                }
            })
            .unwrap_or_else(|| {
                view! { <li class="ap-log__empty">"Run the diagram to see its log."</li> }
                    .into_any()
            })
    };
    let component_ids = move || {
        editor.doc.with(|d| {
            d.diagram
                .components
                .iter()
                .map(|c| {
                    let id = c.id.to_string();
                    view! { <option value=id.clone()>{id.clone()}</option> }
                })
                .collect_view()
        })
    };
    let export_csv = move |_| {
        let name = editor
            .doc
            .with_untracked(|d| file_name(&d.diagram.name, "csv"));
        let Some(csv) = runner.series_csv() else {
            editor
                .notice
                .set(Some("Nothing to export yet: run the diagram first.".into()));
            return;
        };
        let saved = text_blob(&csv, "text/csv").and_then(|b| download(&name, &b));
        if saved.is_err() {
            editor
                .notice
                .set(Some("The browser refused to save the file.".into()));
        }
    };

    // What the machines cost, from the diagram: comparable before and after a change; and,
    // when a run has scaled away from that, what it is paying now.
    let cost = move || {
        let hour = editor.doc.with(|d| diagram_per_hour(&d.diagram));
        let month = (hour * HOURS_PER_MONTH).round() as u64;
        // Thousands separated, as a bill is.
        let digits = month.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let now = runner.with_observed(|sim| sim.cost_per_hour());
        match now {
            Some(now) if (now - hour).abs() > 0.005 => {
                format!("${hour:.2}/h · ${grouped}/month · now ${now:.2}/h")
            }
            _ => format!("${hour:.2}/h · ${grouped}/month"),
        }
    };
    view! {
        <section class="ap-results" data-testid="results" aria-label="Results">
            <div class="ap-results__bar" role="tablist" aria-label="Results view">
                <button
                    class="ap-tab"
                    role="tab"
                    data-testid="tab-charts"
                    aria-selected=move || (tab.get() == Tab::Charts).to_string()
                    on:click=move |_| tab.set(Tab::Charts)
                >
                    "Charts"
                </button>
                <button
                    class="ap-tab"
                    role="tab"
                    data-testid="tab-log"
                    aria-selected=move || (tab.get() == Tab::Log).to_string()
                    on:click=move |_| tab.set(Tab::Log)
                >
                    "Log"
                </button>
                <span class="ap-results__cost" data-testid="cost" title="What the machines cost: per hour, and a month of it (730 hours)">
                    {cost}
                </span>
                <button
                    class="ap-button ap-results__keep"
                    data-testid="keep-run"
                    title="Keep this run's charts and draw the next run over them"
                    on:click=move |_| {
                        if !runner.keep_for_comparison() {
                            editor.notice.set(Some("Nothing to keep yet: run the diagram first.".into()));
                        }
                    }
                >
                    "Keep for comparison"
                </button>
                <Show when=move || runner.kept.with(Option::is_some)>
                    <button
                        class="ap-button"
                        data-testid="clear-kept"
                        title="Stop drawing the kept run"
                        on:click=move |_| runner.kept.set(None)
                    >
                        "Clear comparison"
                    </button>
                </Show>
                <button class="ap-button ap-results__export" data-testid="export-csv" title="Save the per-second series as CSV" on:click=export_csv>
                    "CSV"
                </button>
            </div>
            <Show when=move || tab.get() == Tab::Charts>
                <div class="ap-results__charts">
                    {Embedding::shows(ChartId::Throughput).then(|| view! {
                        <Chart title=ChartId::Throughput.label().into() unit="req/s" testid="chart-throughput".into() lines=throughput markers=marks />
                    })}
                    {Embedding::shows(ChartId::Latency).then(|| view! {
                        <Chart title=ChartId::Latency.label().into() unit="ms" testid="chart-latency".into() lines=latency markers=marks />
                    })}
                    {Embedding::shows(ChartId::Errors).then(|| view! {
                        <Chart title=ChartId::Errors.label().into() unit="req/s" testid="chart-errors".into() lines=errors markers=marks />
                    })}
                    {component_charts}
                </div>
            </Show>
            <Show when=move || tab.get() == Tab::Log>
                <div class="ap-log" data-testid="log">
                    <div class="ap-log__filters">
                        <label>
                            "Level "
                            <select
                                data-testid="log-level"
                                on:change=move |e| {
                                    level.set(match event_target_value(&e).as_str() {
                                        "info" => Some(LogLevel::Info),
                                        "warn" => Some(LogLevel::Warn),
                                        "error" => Some(LogLevel::Error),
                                        _ => None,
                                    })
                                }
                            >
                                <option value="">"All"</option>
                                <option value="info">"Info"</option>
                                <option value="warn">"Warnings"</option>
                                <option value="error">"Errors"</option>
                            </select>
                        </label>
                        <label>
                            "Component "
                            <select data-testid="log-component" on:change=move |e| only.set(event_target_value(&e))>
                                <option value="">"All"</option>
                                {component_ids}
                            </select>
                        </label>
                    </div>
                    <ol class="ap-log__entries">{log}</ol>
                </div>
            </Show>
        </section>
    }
}
