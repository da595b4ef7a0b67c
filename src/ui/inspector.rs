//! The inspector, generated from the catalogue: every parameter of the selected component(s) with
//! its unit, range, default and help. Several selected components of one kind are edited
//! together. A value the catalogue does not allow is refused with the reason beside the field;
//! nothing is ever clamped.

use leptos::ev;
use leptos::prelude::*;

use crate::model::regions::{REGIONS, round_trip_ms};

use super::editor::Editor;
use super::icons::kind_icon;
use crate::model::catalogue::{Domain, ParamSpec, unused_because};
use crate::model::{ComponentId, Edit, Kind, ParamValue};

/// What the inspector shows: nothing, one kind (one or more components), or a mix.
#[derive(Clone, Debug, PartialEq)]
enum Subject {
    Nothing,
    Wire(ComponentId, ComponentId),
    Components(Kind, Vec<ComponentId>),
    Mixed(usize),
}

/// The inspector panel.
#[component]
pub fn Inspector() -> impl IntoView {
    let editor = Editor::get();
    let subject = Memo::new(move |_| {
        if let Some((from, to)) = editor.selected_wire.get() {
            return Subject::Wire(from, to);
        }
        let ids = editor.selection.get();
        if ids.is_empty() {
            return Subject::Nothing;
        }
        let kinds: Vec<Kind> = editor.doc.with(|d| {
            ids.iter()
                .filter_map(|id| d.diagram.component(id))
                .map(|c| c.kind)
                .collect()
        });
        match kinds.first() {
            None => Subject::Nothing,
            Some(&k) if kinds.iter().all(|x| *x == k) => Subject::Components(k, ids),
            Some(_) => Subject::Mixed(ids.len()),
        }
    });
    let body = move || {
        match subject.get() {
        Subject::Nothing => view! {
            <p class="ap-panel__empty">"Select a component to see its settings."</p>
            {alerts_form(editor)}
        }
        .into_any(),
        Subject::Mixed(n) => view! {
            <p class="ap-panel__empty">
                {format!("{n} components of different kinds are selected. Select one kind to edit them together.")}
            </p>
        }
        .into_any(),
        Subject::Components(kind, ids) => form(editor, kind, ids).into_any(),
        Subject::Wire(from, to) => wire_form(editor, from, to).into_any(),
    }
    };
    view! {
        <aside class="ap-panel ap-inspector" data-testid="inspector" aria-labelledby="ap-inspector-title">
            <h2 class="ap-panel__title" id="ap-inspector-title">"Inspector"</h2>
            {editor.read_only.then(|| view! {
                <p class="ap-panel__empty">"Read-only: the settings are shown, not changed."</p>
            })}
            // A disabled fieldset disables every field inside it.
            <fieldset class="ap-inspector__body" disabled=editor.read_only>
                {body}
            </fieldset>
        </aside>
    }
}

fn form(editor: Editor, kind: Kind, ids: Vec<ComponentId>) -> impl IntoView {
    let spec = kind.spec();
    let heading = if ids.len() == 1 {
        ids[0].to_string()
    } else {
        format!("{} {}s", ids.len(), spec.name.to_lowercase())
    };
    let label_field = (ids.len() == 1).then(|| label_field(editor, ids[0].clone()));
    // Components that name their region (users, CDN edges, data centers) also show the round
    // trips from it, editable for this diagram.
    let network = (ids.len() == 1 && spec.params.iter().any(|p| p.name == "region"))
        .then(|| round_trips(editor, ids[0].clone()));
    let fields = spec
        .params
        .iter()
        .map(|p| param_field(editor, p, ids.clone()))
        .collect_view();
    view! {
        <div class="ap-inspector__head">
            {kind_icon(kind)}
            <div>
                <div class="ap-inspector__name" data-testid="inspector-subject">{heading}</div>
                <div class="ap-inspector__kind">{spec.name}</div>
            </div>
        </div>
        {label_field}
        <form class="ap-inspector__form" on:submit=|e: ev::SubmitEvent| e.prevent_default()>
            {fields}
        </form>
        {network}
    }
}

/// The round trips from a component's region to every other, each editable (an empty field
/// or the default value goes back to the default).
fn round_trips(editor: Editor, id: ComponentId) -> impl IntoView {
    let region = {
        let id = id.clone();
        move || {
            editor.doc.with(|d| {
                d.diagram
                    .component(&id)
                    .map(|c| c.choice("region").to_string())
                    .unwrap_or_default()
            })
        }
    };
    // A memo: the rows (and their error messages) are rebuilt only when the region changes.
    let region = Memo::new(move |_| region());
    let label_of = |r: &str| -> &'static str {
        match Kind::DataCenter.spec().param("region").map(|p| &p.domain) {
            Some(Domain::Choice { options, .. }) => options
                .iter()
                .find(|o| o.value == r)
                .map_or("", |o| o.label),
            _ => "",
        }
    };
    let rows = move || {
        let from = region.get();
        REGIONS
            .iter()
            .filter(|r| **r != from)
            .map(|to| {
                let (from, to) = (from.clone(), to.to_string());
                let default = round_trip_ms(&from, &to, &[]).unwrap_or(0.0);
                let current = {
                    let (from, to) = (from.clone(), to.clone());
                    move || {
                        editor.doc.with(|d| {
                            round_trip_ms(&from, &to, &d.diagram.region_latency).unwrap_or(0.0)
                        })
                    }
                };
                let error = RwSignal::new(None::<String>);
                let field_id = format!("ap-field-rtt-{to}");
                let commit = {
                    let (from, to) = (from.clone(), to.clone());
                    move |raw: String| {
                        let raw = raw.trim().to_string();
                        let value = if raw.is_empty() {
                            None
                        } else {
                            match raw.parse::<f64>() {
                                Ok(v) if v == default => None,
                                Ok(v) => Some(v),
                                Err(_) => {
                                    error.set(Some(format!("“{raw}” is not a number")));
                                    return;
                                }
                            }
                        };
                        let edit = Edit::SetRegionLatency {
                            a: from.clone(),
                            b: to.clone(),
                            round_trip_ms: value,
                        };
                        match editor.apply(edit, &format!("Round trip {from} – {to} set")) {
                            Ok(()) | Err(crate::model::Refusal::Empty) => error.set(None),
                            Err(why) => error.set(Some(why.to_string())),
                        }
                    }
                };
                view! {
                    <div class="ap-field ap-field--row" class:ap-field--invalid=move || error.with(Option::is_some)>
                        <label class="ap-field__label" for=field_id.clone()>{label_of(&to)}</label>
                        <input
                            id=field_id
                            class="ap-field__input"
                            data-testid=format!("rtt-{to}")
                            type="text"
                            inputmode="decimal"
                            prop:value=move || format_number(current())
                            on:change=move |e| commit(event_target_value(&e))
                        />
                        <p class="ap-field__help">{format!("ms; default {}", format_number(default))}</p>
                        <p class="ap-field__error" role="alert">{move || error.get()}</p>
                    </div>
                }
            })
            .collect_view()
    };
    view! {
        <section class="ap-inspector__network" data-testid="round-trips">
            <h3 class="ap-inspector__section">{move || format!("Round trips from {}", label_of(&region.get()))}</h3>
            <p class="ap-field__help">
                "A wire between two regions pays half the round trip each way. Changes apply to this diagram."
            </p>
            {rows}
        </section>
    }
}

/// A wire's two settings: one-way latency and load-balancing weight.
/// The diagram's alert rules: each threshold (0 turns its rule off) and the hold.
fn alerts_form(editor: Editor) -> impl IntoView {
    type Get = fn(&crate::model::Alerts) -> f64;
    type Set = fn(&mut crate::model::Alerts, f64);
    let rules: [(&str, &str, Get, Set, &str); 5] = [
        (
            "p95_ms",
            "p95 latency above (ms)",
            |a| a.p95_ms,
            |a, v| a.p95_ms = v,
            "The chapter's: 1000.",
        ),
        (
            "error_pct",
            "Error rate above (%)",
            |a| a.error_pct,
            |a, v| a.error_pct = v,
            "The chapter's: 2.",
        ),
        (
            "hit_rate_pct",
            "Cache hit rate below (%)",
            |a| a.hit_rate_pct,
            |a, v| a.hit_rate_pct = v,
            "Each cache's; the chapter's: 75.",
        ),
        (
            "queue_age_s",
            "Oldest queued job over (s)",
            |a| a.queue_age_s,
            |a, v| a.queue_age_s = v,
            "Each queue's; 60 by default.",
        ),
        (
            "hold_s",
            "For (s)",
            |a| a.hold_s,
            |a, v| a.hold_s = v,
            "Seconds in a row before an alert fires; 5 by default.",
        ),
    ];
    let fields = rules
        .into_iter()
        .map(|(name, label, get, set, help)| {
            let error = RwSignal::new(None::<String>);
            let commit = move |raw: String| {
                let Ok(v) = raw.trim().parse::<f64>() else {
                    error.set(Some(format!("“{raw}” is not a number")));
                    return;
                };
                let mut alerts = editor.doc.with_untracked(|d| d.diagram.alerts.clone());
                set(&mut alerts, v);
                match editor.apply(Edit::SetAlerts(alerts), &format!("Alert rule: {label} {v}")) {
                    Ok(()) => error.set(None),
                    Err(why) => error.set(Some(why.to_string())),
                }
            };
            let id = format!("ap-field-alert-{name}");
            view! {
                <div class="ap-field" class:ap-field--invalid=move || error.with(Option::is_some)>
                    <label class="ap-field__label" for=id.clone()>{label}</label>
                    <input
                        id=id
                        class="ap-field__input"
                        data-testid=format!("alert-{name}")
                        type="text"
                        inputmode="decimal"
                        prop:value=move || editor.doc.with(|d| format_number(get(&d.diagram.alerts)))
                        on:change=move |e| commit(event_target_value(&e))
                    />
                    <p class="ap-field__help">{help}</p>
                    <p class="ap-field__error" role="alert">{move || error.get()}</p>
                </div>
            }
        })
        .collect_view();
    view! {
        <h3 class="ap-inspector__section" id="ap-alerts-title">"Alert rules"</h3>
        <p class="ap-field__help">"An alert fires into the log when its condition holds long enough, and resolves when it stops; 0 turns a rule off."</p>
        <form class="ap-inspector__form" aria-labelledby="ap-alerts-title" on:submit=|e: ev::SubmitEvent| e.prevent_default()>
            {fields}
        </form>
    }
}

fn wire_form(editor: Editor, from: ComponentId, to: ComponentId) -> impl IntoView {
    let heading = format!("{from} → {to}");
    let (from_id, to_id) = (from.clone(), to.clone());
    let field = move |name: &'static str, label: &'static str, help: &'static str| {
        let error = RwSignal::new(None::<String>);
        let (from, to) = (from.clone(), to.clone());
        let current = {
            let (from, to) = (from.clone(), to.clone());
            move || {
                editor.doc.with(|d| {
                    d.diagram
                        .wires
                        .iter()
                        .find(|w| w.from == from && w.to == to)
                        .map(|w| (w.latency_ms, w.weight))
                })
            }
        };
        let shown = current.clone();
        let commit = move |raw: String| {
            let Ok(v) = raw.trim().parse::<f64>() else {
                error.set(Some(format!("“{raw}” is not a number")));
                return;
            };
            let Some((latency_ms, weight)) = current() else {
                return;
            };
            let (latency_ms, weight) = if name == "latency_ms" {
                (v, weight)
            } else {
                (latency_ms, v)
            };
            let edit = Edit::SetWire {
                from: from.clone(),
                to: to.clone(),
                latency_ms,
                weight,
            };
            match editor.apply(edit, &format!("{label} set")) {
                Ok(()) => error.set(None),
                Err(why) => error.set(Some(why.to_string())),
            }
        };
        let field_id = format!("ap-field-wire-{name}");
        view! {
            <div class="ap-field" class:ap-field--invalid=move || error.with(Option::is_some)>
                <label class="ap-field__label" for=field_id.clone()>{label}</label>
                <input
                    id=field_id
                    class="ap-field__input"
                    data-testid=format!("param-{name}")
                    type="text"
                    inputmode="decimal"
                    prop:value=move || {
                        shown()
                            .map(|(l, w)| format_number(if name == "latency_ms" { l } else { w }))
                            .unwrap_or_default()
                    }
                    on:change=move |e| commit(event_target_value(&e))
                />
                <p class="ap-field__help">{help}</p>
                <p class="ap-field__error" data-testid=format!("param-{name}-error") role="alert">
                    {move || error.get()}
                </p>
            </div>
        }
    };
    // A fault while a run is live: extra delay on this wire from now on.
    let runner = super::run::Runner::get();
    let fault = {
        let (from, to) = (from_id.clone(), to_id.clone());
        move || {
            let (from, to) = (from.clone(), to.clone());
            // Drawn again when a run starts or ends, not on every tick (that would take the
            // field from under the user's typing).
            if runner.phase.get() == super::run::Phase::Idle {
                return None;
            }
            let now = runner.wire_delay_untracked(&from, &to)?;
            let error = RwSignal::new(None::<String>);
            let commit = move |raw: String| {
                let ms = raw.trim().trim_end_matches("ms").trim().parse::<f64>();
                match ms {
                    Ok(ms) if runner.delay_wire(&from, &to, ms) => error.set(None),
                    Ok(ms) => error.set(Some(format!("{ms} ms is not a delay this wire can take"))),
                    Err(_) => error.set(Some(format!("“{raw}” is not a number of ms"))),
                }
            };
            Some(view! {
                <div class="ap-field" class:ap-field--invalid=move || error.with(Option::is_some)>
                    <label class="ap-field__label" for="ap-field-wire-delay">"Fault: added delay (ms)"</label>
                    <input
                        id="ap-field-wire-delay"
                        class="ap-field__input"
                        data-testid="wire-delay"
                        type="text"
                        inputmode="decimal"
                        prop:value=format_number(now)
                        on:change=move |e| commit(event_target_value(&e))
                    />
                    <p class="ap-field__help">"A congested or degraded link, in the running simulation from now on (and on the timeline); 0 takes it away."</p>
                    <p class="ap-field__error" data-testid="wire-delay-error" role="alert">{move || error.get()}</p>
                </div>
            })
        }
    };
    view! {
        <div class="ap-inspector__head">
            <div>
                <div class="ap-inspector__name" data-testid="inspector-subject">{heading}</div>
                <div class="ap-inspector__kind">"Wire (Delete removes it)"</div>
            </div>
        </div>
        <form class="ap-inspector__form" on:submit=|e: ev::SubmitEvent| e.prevent_default()>
            {field(
                "latency_ms",
                "Latency (ms)",
                "One-way network time; the answer pays it again on the way back. Default 0.25 ms (one data center); allowed 0 – 60000.",
            )}
            {field(
                "weight",
                "Weight",
                "Share of traffic from a weighted load balancer. Default 1; allowed above 0, up to 1000.",
            )}
            {fault}
        </form>
    }
}

fn label_field(editor: Editor, id: ComponentId) -> impl IntoView {
    let value = {
        let id = id.clone();
        move || {
            editor.doc.with(|d| {
                d.diagram
                    .component(&id)
                    .map(|c| c.label.clone())
                    .unwrap_or_default()
            })
        }
    };
    let on_change = move |e: ev::Event| {
        let label = event_target_value(&e);
        let what = format!("Renamed {id}");
        // A refusal (a label over 200 characters) is announced by apply.
        let _ = editor.apply(
            Edit::SetLabel {
                id: id.clone(),
                label,
            },
            &what,
        );
    };
    view! {
        <div class="ap-field">
            <label class="ap-field__label" for="ap-field-label">"Label"</label>
            <input
                id="ap-field-label"
                class="ap-field__input"
                data-testid="param-label"
                type="text"
                maxlength="200"
                placeholder="Shown on the canvas"
                prop:value=value
                on:change=on_change
            />
        </div>
    }
}

/// The shared value of parameter `p` over `ids`, or `None` when they differ.
fn shared_value(editor: Editor, ids: &[ComponentId], p: &ParamSpec) -> Option<String> {
    editor.doc.with(|d| {
        let values: Vec<String> = ids
            .iter()
            .filter_map(|id| d.diagram.component(id))
            .map(|c| match &p.domain {
                Domain::Number { .. } => format_number(c.number(p.name)),
                Domain::Choice { .. } => c.choice(p.name).to_string(),
            })
            .collect();
        let first = values.first()?.clone();
        values.iter().all(|v| *v == first).then_some(first)
    })
}

/// Whole numbers without a trailing ".0"; others as Rust prints them (shortest round-trip).
fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn param_field(editor: Editor, p: &'static ParamSpec, ids: Vec<ComponentId>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let field_id = format!("ap-field-{}", p.name);
    let help_id = format!("{field_id}-help");
    let error_id = format!("{field_id}-error");
    let unit = p.unit.symbol();
    let label = if unit.is_empty() {
        p.label.to_string()
    } else {
        format!("{} ({unit})", p.label)
    };
    let (default, range) = match &p.domain {
        Domain::Number {
            min, max, default, ..
        } => (
            format!(
                "{}{}",
                format_number(*default),
                if unit.is_empty() {
                    String::new()
                } else {
                    format!(" {unit}")
                }
            ),
            format!("{} – {}", format_number(*min), format_number(*max)),
        ),
        Domain::Choice { default, options } => (
            options
                .iter()
                .find(|o| o.value == *default)
                .map_or(default.to_string(), |o| o.label.to_string()),
            String::new(),
        ),
    };
    let commit = {
        let ids = ids.clone();
        move |raw: String| {
            let value = match &p.domain {
                Domain::Number { .. } => match raw.trim().parse::<f64>() {
                    Ok(v) if v.is_finite() => ParamValue::Number(v),
                    _ => {
                        error.set(Some(format!("“{raw}” is not a number")));
                        return;
                    }
                },
                Domain::Choice { .. } => ParamValue::Text(raw),
            };
            let edit = Edit::SetParam {
                ids: ids.clone(),
                name: p.name.to_string(),
                value: Some(value),
            };
            match editor.apply(edit, &format!("{} set", p.label)) {
                Ok(()) => error.set(None),
                Err(why) => error.set(Some(why.to_string())),
            }
        }
    };
    let value = {
        let ids = ids.clone();
        move || shared_value(editor, &ids, p)
    };
    // A setting that has no effect with the others (workers under a machine-size preset) says
    // so; it stays editable, so it can be set before switching.
    let unused = {
        let ids = ids.clone();
        move || {
            editor.doc.with(|d| {
                let reasons: Vec<&'static str> = ids
                    .iter()
                    .filter_map(|id| d.diagram.component(id))
                    .map(|c| unused_because(c, p.name))
                    .collect::<Option<Vec<_>>>()?;
                reasons.first().map(|why| format!("Not used now: {why}."))
            })
        }
    };
    let unused_id = format!("{field_id}-unused");
    let described_by = format!("{help_id} {error_id} {unused_id}");
    let input = match &p.domain {
        Domain::Number { .. } => {
            let shown = value.clone();
            let mixed = value.clone();
            view! {
                <input
                    id=field_id.clone()
                    class="ap-field__input"
                    data-testid=format!("param-{}", p.name)
                    type="text"
                    inputmode="decimal"
                    placeholder=move || if mixed().is_none() { "mixed" } else { "" }
                    prop:value=move || shown().unwrap_or_default()
                    aria-describedby=described_by
                    aria-invalid=move || error.with(Option::is_some).to_string()
                    on:change=move |e| commit(event_target_value(&e))
                />
            }
            .into_any()
        }
        Domain::Choice { options, .. } => {
            let opts = options
                .iter()
                .map(|o| {
                    let value = value.clone();
                    view! {
                        <option value=o.value selected=move || value().as_deref() == Some(o.value)>
                            {o.label}
                        </option>
                    }
                })
                .collect_view();
            view! {
                <select
                    id=field_id.clone()
                    class="ap-field__input"
                    data-testid=format!("param-{}", p.name)
                    aria-describedby=described_by
                    on:change=move |e| commit(event_target_value(&e))
                >
                    {opts}
                </select>
            }
            .into_any()
        }
    };
    let is_unused = {
        let unused = unused.clone();
        move || unused().is_some()
    };
    view! {
        <div
            class="ap-field"
            class:ap-field--invalid=move || error.with(Option::is_some)
            class:ap-field--unused=is_unused
        >
            <label class="ap-field__label" for=field_id.clone()>{label}</label>
            {input}
            <p class="ap-field__unused" id=unused_id data-testid=format!("param-{}-unused", p.name)>
                {unused}
            </p>
            <p class="ap-field__help" id=help_id>
                {p.help}
                " "
                <span class="ap-field__meta">
                    {format!("Default {default}")}
                    {(!range.is_empty()).then(|| format!("; allowed {range}"))}
                    "."
                </span>
            </p>
            <p class="ap-field__error" id=error_id data-testid=format!("param-{}-error", p.name) role="alert">
                {move || error.get()}
            </p>
        </div>
    }
}
