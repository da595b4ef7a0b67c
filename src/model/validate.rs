//! Loading and validating diagrams. Every problem names the component (or wire, or timeline
//! entry) and says what is wrong; loading never panics.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::FORMAT_VERSION;
use super::catalogue::{Domain, Kind, connection_refusal};
use super::diagram::{
    Action, Component, Diagram, FORMAT_MARKER, ParamValue, RunSettings, TimelineEvent,
};

/// Why a document could not be loaded.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum LoadError {
    /// Not JSON, or JSON of the wrong shape.
    Syntax(String),
    /// Not an Archplay diagram.
    NotADiagram(String),
    /// Written by a newer Archplay.
    TooNew {
        /// The document's version.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// Well-formed but wrong: each problem is listed.
    Invalid(Vec<Problem>),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Syntax(msg) => write!(f, "not a valid diagram file: {msg}"),
            LoadError::NotADiagram(msg) => write!(f, "not an Archplay diagram: {msg}"),
            LoadError::TooNew { found, supported } => write!(
                f,
                "this diagram is format version {found}, newer than this Archplay reads \
                 (up to {supported}); update Archplay to open it"
            ),
            LoadError::Invalid(problems) => {
                f.write_str(&super::shown::problems_paragraph("diagram", problems))
            }
        }
    }
}

impl std::error::Error for LoadError {}

/// One thing wrong with a diagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where: `component web-1`, `wire lb → web-1`, `timeline entry 3`, `run settings`.
    pub place: String,
    /// What is wrong, as a sentence fragment.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

/// Largest document accepted, so a hostile file cannot exhaust memory.
pub const MAX_DOCUMENT_BYTES: usize = 8 * 1024 * 1024;
/// Most components in one diagram.
pub const MAX_COMPONENTS: usize = 2_000;
/// Most wires in one diagram.
pub const MAX_WIRES: usize = 10_000;
/// Most timeline entries.
pub const MAX_TIMELINE: usize = 10_000;
/// Longest run: one simulated week.
pub const MAX_DURATION_S: f64 = 7.0 * 86_400.0;
/// Largest wire latency: one minute.
pub const MAX_LATENCY_MS: f64 = 60_000.0;

impl Diagram {
    /// Parses and validates a document in the diagram format. A leading byte-order mark (as
    /// some Windows editors write) is skipped.
    pub fn from_json(text: &str) -> Result<Diagram, LoadError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.len() > MAX_DOCUMENT_BYTES {
            return Err(LoadError::Syntax(format!(
                "the file is {} bytes; the limit is {MAX_DOCUMENT_BYTES}",
                text.len()
            )));
        }
        // The lists' lengths first, without building anything: a document over the limits is
        // refused before it costs the memory of its parse.
        let lists = super::lists::ListLengths::of_diagram(text.as_bytes())
            .map_err(|e| LoadError::Syntax(e.to_string()))?;
        if let Some(message) = lists.over_limit() {
            return Err(LoadError::Invalid(vec![Problem {
                place: "document".into(),
                message,
            }]));
        }
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| LoadError::Syntax(e.to_string()))?;
        precheck(&value)?;
        let diagram: Diagram =
            serde_json::from_value(value).map_err(|e| LoadError::Syntax(e.to_string()))?;
        diagram.validate().map_err(LoadError::Invalid)?;
        Ok(diagram)
    }

    /// Checks everything the format promises; returns every problem found, not just the first.
    pub fn validate(&self) -> Result<(), Vec<Problem>> {
        let mut problems = Vec::new();
        let mut report = |place: String, message: String| problems.push(Problem { place, message });

        if self.format != FORMAT_MARKER {
            report(
                "document".into(),
                format!(
                    "format is '{}', expected '{FORMAT_MARKER}'",
                    super::shown::quoted(&self.format)
                ),
            );
        }
        if self.version != FORMAT_VERSION {
            report(
                "document".into(),
                format!(
                    "version {} is not supported (this build reads {FORMAT_VERSION})",
                    self.version
                ),
            );
        }
        if self.components.len() > MAX_COMPONENTS {
            report(
                "document".into(),
                format!(
                    "{} components; at most {MAX_COMPONENTS} are allowed",
                    self.components.len()
                ),
            );
        }
        if self.wires.len() > MAX_WIRES {
            report(
                "document".into(),
                format!(
                    "{} wires; at most {MAX_WIRES} are allowed",
                    self.wires.len()
                ),
            );
        }
        if self.timeline.len() > MAX_TIMELINE {
            report(
                "document".into(),
                format!(
                    "{} timeline entries; at most {MAX_TIMELINE} are allowed",
                    self.timeline.len()
                ),
            );
        }

        let mut kinds: BTreeMap<&str, Kind> = BTreeMap::new();
        for c in &self.components {
            let place = format!("component {}", super::shown::quoted(c.id.as_str()));
            if let Some(msg) = id_problem(c.id.as_str()) {
                report(place.clone(), msg);
            }
            if kinds.insert(c.id.as_str(), c.kind).is_some() {
                report(
                    place.clone(),
                    "the id is used by another component too".into(),
                );
            }
            if c.label.chars().count() > 200 {
                report(place.clone(), "label is longer than 200 characters".into());
            }
            if !c.x.is_finite() || !c.y.is_finite() {
                report(place.clone(), "position is not a finite number".into());
            }
            for (name, value) in &c.params {
                if let Some(msg) = param_problem(c.kind, name, value) {
                    report(place.clone(), msg);
                }
            }
            if let Some(msg) = kind_rule_problem(c) {
                report(place, msg);
            }
        }

        let mut seen_wires = BTreeSet::new();
        for w in &self.wires {
            let place = format!(
                "wire {} → {}",
                super::shown::quoted(w.from.as_str()),
                super::shown::quoted(w.to.as_str())
            );
            let (from, to) = (kinds.get(w.from.as_str()), kinds.get(w.to.as_str()));
            if from.is_none() {
                report(
                    place.clone(),
                    format!(
                        "no component has id '{}'",
                        super::shown::quoted(w.from.as_str())
                    ),
                );
            }
            if to.is_none() {
                report(
                    place.clone(),
                    format!(
                        "no component has id '{}'",
                        super::shown::quoted(w.to.as_str())
                    ),
                );
            }
            if w.from == w.to {
                report(
                    place.clone(),
                    "a component cannot be wired to itself".into(),
                );
            } else if let (Some(&f), Some(&t)) = (from, to)
                && let Some(why) = connection_refusal(f, t)
            {
                report(place.clone(), why);
            }
            if !seen_wires.insert((w.from.as_str(), w.to.as_str())) {
                report(
                    place.clone(),
                    "the same two components are wired twice".into(),
                );
            }
            if !(w.latency_ms.is_finite() && (0.0..=MAX_LATENCY_MS).contains(&w.latency_ms)) {
                report(
                    place.clone(),
                    format!(
                        "latency {} ms is outside 0–{MAX_LATENCY_MS} ms",
                        w.latency_ms
                    ),
                );
            }
            if !(w.weight.is_finite() && w.weight > 0.0 && w.weight <= 1_000.0) {
                report(place, format!("weight {} is outside (0, 1000]", w.weight));
            }
        }
        if let Some(cycle) = find_loop(self) {
            report(
                "wires".into(),
                format!("requests would go round a loop: {}", cycle.join(" → ")),
            );
        }

        for problem in run_problems(&self.run) {
            report("run settings".into(), problem);
        }
        for problem in alert_problems(&self.alerts) {
            report("alerts".into(), problem);
        }
        if !(self.traffic.rate_scale.is_finite()
            && (0.0..=1_000.0).contains(&self.traffic.rate_scale))
        {
            report(
                "traffic".into(),
                format!("rate scale {} is outside 0–1000", self.traffic.rate_scale),
            );
        }

        for (i, ev) in self.timeline.iter().enumerate() {
            if let Some(why) = timeline_problem(self, ev) {
                report(format!("timeline entry {}", i + 1), why);
            }
        }

        for (i, o) in self.region_latency.iter().enumerate() {
            if let Some(why) = super::regions::override_problem(o) {
                report(format!("region latency {}", i + 1), why);
            }
        }

        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// Friendlier messages than serde's for the two mistakes people make most: not a diagram at all,
/// and an unknown component kind.
fn precheck(value: &serde_json::Value) -> Result<(), LoadError> {
    let Some(obj) = value.as_object() else {
        return Err(LoadError::NotADiagram(
            "the file is not a JSON object".into(),
        ));
    };
    if let Some(format) = obj.get("format").and_then(|f| f.as_str())
        && format != FORMAT_MARKER
    {
        return Err(LoadError::NotADiagram(format!(
            "its format is '{}'",
            super::shown::quoted(format)
        )));
    }
    match obj.get("version").and_then(|v| v.as_u64()) {
        None => return Err(LoadError::NotADiagram("it has no numeric 'version'".into())),
        Some(v) if v > u64::from(FORMAT_VERSION) => {
            return Err(LoadError::TooNew {
                found: u32::try_from(v).unwrap_or(u32::MAX),
                supported: FORMAT_VERSION,
            });
        }
        Some(_) => {}
    }
    let mut problems = Vec::new();
    if let Some(components) = obj.get("components").and_then(|c| c.as_array()) {
        for (i, c) in components.iter().enumerate() {
            let id = c
                .get("id")
                .and_then(|v| v.as_str())
                .map_or_else(|| format!("#{}", i + 1), super::shown::quoted);
            match c.get("kind").and_then(|k| k.as_str()) {
                Some(kind) if Kind::from_id(kind).is_none() => {
                    let known: Vec<&str> = Kind::ALL.iter().map(|k| k.id()).collect();
                    problems.push(Problem {
                        place: format!("component {id}"),
                        message: format!(
                            "unknown kind '{}' (known kinds: {})",
                            super::shown::quoted(kind),
                            known.join(", ")
                        ),
                    });
                }
                None => problems.push(Problem {
                    place: format!("component {id}"),
                    message: "has no 'kind'".into(),
                }),
                Some(_) => {}
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(LoadError::Invalid(problems))
    }
}

pub(crate) fn id_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        Some("the id is empty".into())
    } else if id.len() > 64 {
        Some("the id is longer than 64 characters".into())
    } else if !id
        .chars()
        .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
    {
        Some(format!(
            "id '{}' may only use letters, digits, '-', '_' and '.'",
            super::shown::quoted(id)
        ))
    } else {
        None
    }
}

pub(crate) fn param_problem(kind: Kind, name: &str, value: &ParamValue) -> Option<String> {
    let Some(spec) = kind.spec().param(name) else {
        return Some(format!(
            "a {} has no parameter '{}'",
            kind.spec().name.to_lowercase(),
            super::shown::quoted(name)
        ));
    };
    match (&spec.domain, value) {
        (
            Domain::Number {
                min, max, integer, ..
            },
            ParamValue::Number(v),
        ) => {
            // "12 ms", or a bare "12" for a count.
            let with_unit = |x: f64| match spec.unit.symbol() {
                "" => x.to_string(),
                unit => format!("{x} {unit}"),
            };
            if !v.is_finite() {
                Some(format!("{name} is not a finite number"))
            } else if v < min || v > max {
                Some(format!(
                    "{name} {} is outside the allowed range {min}–{}",
                    with_unit(*v),
                    with_unit(*max)
                ))
            } else if *integer && v.fract() != 0.0 {
                Some(format!("{name} must be a whole number, not {v}"))
            } else {
                None
            }
        }
        (Domain::Choice { options, .. }, ParamValue::Text(v)) => {
            if options.iter().any(|o| o.value == v) {
                None
            } else {
                let allowed: Vec<&str> = options.iter().map(|o| o.value).collect();
                Some(format!(
                    "{name} '{}' is not one of: {}",
                    super::shown::quoted(v),
                    allowed.join(", ")
                ))
            }
        }
        (Domain::Number { .. }, ParamValue::Text(v)) => Some(format!(
            "{name} must be a number, not '{}'",
            super::shown::quoted(v)
        )),
        (Domain::Choice { .. }, ParamValue::Number(v)) => {
            Some(format!("{name} must be one of its options, not {v}"))
        }
    }
}

/// Rules that span several parameters of one component.
fn kind_rule_problem(c: &Component) -> Option<String> {
    match c.kind {
        Kind::Users => {
            let total = c.number("read_pct") + c.number("write_pct") + c.number("static_pct");
            ((total - 100.0).abs() > 1e-6)
                .then(|| format!("reads, writes and static assets add up to {total} %, not 100 %"))
        }
        Kind::WebServer if c.choice("autoscale") == "cpu" => {
            let (min, max) = (c.number("min_instances"), c.number("max_instances"));
            let (out, inn) = (c.number("scale_out_cpu_pct"), c.number("scale_in_cpu_pct"));
            if min > max {
                Some(format!("min instances {min} is above max instances {max}"))
            } else if inn >= out {
                Some(format!(
                    "scale-in threshold {inn} % must be below the scale-out threshold {out} %"
                ))
            } else {
                None
            }
        }
        Kind::Dns
        | Kind::GeoDns
        | Kind::LoadBalancer
        | Kind::WebServer
        | Kind::Database
        | Kind::Replica
        | Kind::Cache
        | Kind::SessionStore
        | Kind::CdnEdge
        | Kind::MessageQueue
        | Kind::Consumer
        | Kind::ShardRouter
        | Kind::DataCenter => None,
    }
}

/// A loop in the wires, as the ids along it (first repeated at the end), if there is one.
pub(crate) fn find_loop(d: &Diagram) -> Option<Vec<String>> {
    let index: BTreeMap<&str, usize> = d
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); d.components.len()];
    for w in &d.wires {
        if let (Some(&f), Some(&t)) = (index.get(w.from.as_str()), index.get(w.to.as_str()))
            && f != t
        {
            out[f].push(t);
        }
    }
    // Iterative depth-first search with colours: 0 unseen, 1 on the stack, 2 done.
    let mut colour = vec![0u8; out.len()];
    for start in 0..out.len() {
        if colour[start] != 0 {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        colour[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&child) = out[node].get(*next) {
                *next += 1;
                match colour[child] {
                    0 => {
                        colour[child] = 1;
                        stack.push((child, 0));
                    }
                    1 => {
                        let from = stack.iter().position(|&(n, _)| n == child).unwrap_or(0);
                        let mut ids: Vec<String> = stack[from..]
                            .iter()
                            .map(|&(n, _)| d.components[n].id.to_string())
                            .collect();
                        ids.push(d.components[child].id.to_string());
                        return Some(ids);
                    }
                    _ => {}
                }
            } else {
                colour[node] = 2;
                stack.pop();
            }
        }
    }
    None
}

/// What is wrong with run settings, in words (empty when nothing is).
pub(crate) fn run_problems(run: &RunSettings) -> Vec<String> {
    let mut problems = Vec::new();
    if !(run.duration_s.is_finite() && run.duration_s > 0.0 && run.duration_s <= MAX_DURATION_S) {
        problems.push(format!(
            "duration {} s is outside (0, {MAX_DURATION_S}] s",
            run.duration_s
        ));
    }
    if !(run.warmup_s.is_finite() && run.warmup_s >= 0.0 && run.warmup_s < run.duration_s) {
        problems.push(format!(
            "warm-up {} s must be at least 0 and shorter than the run",
            run.warmup_s
        ));
    }
    if !(run.chaos_per_hour.is_finite() && (0.0..=MAX_CHAOS_PER_HOUR).contains(&run.chaos_per_hour))
    {
        problems.push(format!(
            "chaos monkey rate {} kills an hour is outside 0–{MAX_CHAOS_PER_HOUR}",
            run.chaos_per_hour
        ));
    }
    problems
}

/// What is wrong with alert rules, in words (empty when nothing is).
pub(crate) fn alert_problems(a: &super::Alerts) -> Vec<String> {
    let rules = [
        ("p95 latency", a.p95_ms, 600_000.0, "ms"),
        ("error rate", a.error_pct, 100.0, "%"),
        ("cache hit rate", a.hit_rate_pct, 100.0, "%"),
        ("oldest queued job", a.queue_age_s, 86_400.0, "s"),
    ];
    let mut problems: Vec<String> = rules
        .iter()
        .filter(|(_, v, max, _)| !(v.is_finite() && (0.0..=*max).contains(v)))
        .map(|(what, v, max, unit)| {
            format!("the {what} threshold {v} {unit} is outside 0–{max} {unit}")
        })
        .collect();
    if !(a.hold_s.is_finite() && a.hold_s.fract() == 0.0 && (1.0..=3_600.0).contains(&a.hold_s)) {
        problems.push(format!(
            "alerts must hold a whole number of seconds from 1 to 3600, not {}",
            a.hold_s
        ));
    }
    problems
}

/// The longest delay a fault may add to a wire.
pub const MAX_WIRE_DELAY_MS: f64 = 60_000.0;

/// The chaos monkey's highest rate: one kill a second.
pub const MAX_CHAOS_PER_HOUR: f64 = 3_600.0;

/// What is wrong with a timeline entry of diagram `d`, in words, if anything.
pub(crate) fn timeline_problem(d: &Diagram, ev: &TimelineEvent) -> Option<String> {
    if !(ev.at_s.is_finite() && ev.at_s >= 0.0 && ev.at_s <= MAX_DURATION_S) {
        return Some(format!(
            "time {} s is outside 0–{MAX_DURATION_S} s",
            ev.at_s
        ));
    }
    match &ev.action {
        Action::Kill { target } | Action::Restore { target } => {
            d.component(target).is_none().then(|| {
                format!(
                    "no component has id '{}'",
                    super::shown::quoted(target.as_str())
                )
            })
        }
        Action::Flush { target } => match d.component(target) {
            None => Some(format!(
                "no component has id '{}'",
                super::shown::quoted(target.as_str())
            )),
            Some(c) if !matches!(c.kind, Kind::Cache | Kind::CdnEdge) => Some(format!(
                "only a cache or a CDN edge can be flushed, and {target} is neither"
            )),
            Some(_) => None,
        },
        Action::RateScale { scale } => (!(scale.is_finite() && (0.0..=1_000.0).contains(scale)))
            .then(|| format!("rate scale {scale} is outside 0–1000")),
        Action::Deploy => None,
        Action::Reshard { target, shards } => match d.component(target) {
            None => Some(format!(
                "no component has id '{}'",
                super::shown::quoted(target.as_str())
            )),
            Some(c) if c.kind != Kind::ShardRouter => Some(format!(
                "only a shard router can reshard, and {target} is not one"
            )),
            Some(_) => {
                let wired = d.wires.iter().filter(|w| &w.from == target).count() as u32;
                (*shards == 0 || *shards > wired).then(|| {
                    format!("{target} has {wired} shard databases wired; it cannot use {shards}")
                })
            }
        },
        Action::DelayWire { from, to, ms } => {
            if !d.wires.iter().any(|w| &w.from == from && &w.to == to) {
                Some(format!("there is no wire from {from} to {to}"))
            } else if !(ms.is_finite() && (0.0..=MAX_WIRE_DELAY_MS).contains(ms)) {
                Some(format!(
                    "a delay of {ms} ms is outside 0–{MAX_WIRE_DELAY_MS} ms"
                ))
            } else {
                None
            }
        }
        Action::Partition { a, b } | Action::Heal { a, b } => super::regions::pair_problem(a, b),
    }
}
