//! Checkpoints: when a step counts as done, judged from what the learner can see — the live
//! series (the charts), the run's report, the event log, and the diagram itself.
//!
//! A [`Checkpoint`] holds when all its [`Condition`]s hold at one moment. Series conditions
//! look only at seconds simulated since the step began (in the current run), so what happened
//! before the learner acted never counts.

use serde::{Deserialize, Serialize};

use crate::model::{ComponentId, Diagram, Kind, ParamValue};
use crate::sim::{GLOBAL_METRICS, Simulation};

use super::moves::format_number;

/// All of these conditions at once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// The conditions.
    pub all: Vec<Condition>,
}

/// How a series is summed up over its window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stat {
    /// The mean of the window's seconds.
    #[default]
    Mean,
    /// The largest second.
    Max,
    /// The smallest second.
    Min,
    /// The newest second.
    Last,
    /// The sum over the window (a per-second rate summed is a count).
    Sum,
}

impl Stat {
    fn word(self) -> &'static str {
        match self {
            Stat::Mean => "mean",
            Stat::Max => "highest",
            Stat::Min => "lowest",
            Stat::Last => "latest",
            Stat::Sum => "total",
        }
    }
}

/// One condition, as written in a lesson file: exactly one of `metric`, `report`, `log`,
/// `count`, `param`, `wired`, `down`, `up` or `elapsed_s` says what is looked at, and the
/// comparisons (`below`, `above`, `at_most`, `at_least`, `is`) say what must hold.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// A series column: a system-wide one (`p95_ms`, `errors`, …) or, with `of`, one of the
    /// component's (its charts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// A number in the run's report (`docs/cli.md`), by dotted path (`latency_ms.p95`); with
    /// `of`, inside that component's entry (`replica.lost_writes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
    /// An event-log entry containing this text (any case), logged since the step began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
    /// How many components of this kind the diagram has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<Kind>,
    /// A parameter of component `of`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    /// A wire from the first to the second exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wired: Option<(ComponentId, ComponentId)>,
    /// This component is down in the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub down: Option<ComponentId>,
    /// This component is up in the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up: Option<ComponentId>,
    /// Simulated seconds since the step began (in this run), compared like a number.
    #[serde(default, skip_serializing_if = "is_false")]
    pub elapsed_s: bool,
    /// The component a `metric`, `report`, `log` or `param` is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<ComponentId>,
    /// How a `metric` is summed up over its window (default `mean`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stat: Option<Stat>,
    /// A `metric`'s window: the newest this many seconds (default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub over_s: Option<u32>,
    /// Holds when the value is less than this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<f64>,
    /// Holds when the value is more than this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above: Option<f64>,
    /// Holds when the value is this or less.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<f64>,
    /// Holds when the value is this or more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<f64>,
    /// Holds when a choice parameter (or report text) is exactly this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is: Option<String>,
    /// How the panel words the condition (otherwise it is worded from the fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub say: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A figure the chapter quotes, measured live beside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    /// What it is ("Keys that move, modulo 4 → 8").
    pub label: String,
    /// Where the number comes from: a condition's source (`metric`, `report`, `count`, …)
    /// without comparisons.
    pub measure: Condition,
    /// The chapter's figure: a number, or a range `[low, high]` ("50–100 ms").
    pub chapter: Quoted,
    /// Its unit, shown after both numbers ("%", "ms").
    #[serde(default)]
    pub unit: String,
    /// How far the measurement may be from the chapter's figure and still agree.
    pub within: f64,
    /// Whether the lesson expects the simulation to agree (the tests hold it to this).
    #[serde(default = "yes")]
    pub agrees: bool,
    /// Said beside the numbers: why they agree, or why not.
    pub note: String,
}

fn yes() -> bool {
    true
}

/// A figure as the chapter quotes it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Quoted {
    /// One number.
    Number(f64),
    /// A range, low to high.
    Range([f64; 2]),
}

impl Quoted {
    /// How far `x` is outside the quoted figure (0 inside a range or on the number).
    pub fn distance(self, x: f64) -> f64 {
        match self {
            Quoted::Number(n) => (x - n).abs(),
            Quoted::Range([lo, hi]) => (lo - x).max(x - hi).max(0.0),
        }
    }
}

impl std::fmt::Display for Quoted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Quoted::Number(n) => f.write_str(&format_number(*n)),
            Quoted::Range([lo, hi]) => write!(f, "{}–{}", format_number(*lo), format_number(*hi)),
        }
    }
}

/// What a condition looks at, once read.
#[derive(Clone, Debug, PartialEq)]
enum Source<'a> {
    Metric {
        name: &'a str,
        of: Option<&'a ComponentId>,
        stat: Stat,
        over_s: u32,
    },
    Report {
        path: &'a str,
        of: Option<&'a ComponentId>,
    },
    Log {
        text: &'a str,
        of: Option<&'a ComponentId>,
    },
    Count(Kind),
    Param {
        name: &'a str,
        of: &'a ComponentId,
    },
    Wired(&'a ComponentId, &'a ComponentId),
    Down(&'a ComponentId),
    Up(&'a ComponentId),
    Elapsed,
}

/// A value looked at.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A number.
    Number(f64),
    /// A choice or other text.
    Text(String),
    /// A yes-or-no fact (a log entry seen, a wire drawn, a component down).
    Fact(bool),
    /// Not there yet (no run, too few seconds), with why.
    Waiting(String),
}

/// What the learner's system looks like now, for judging a step.
#[derive(Clone, Copy)]
pub struct Observation<'a> {
    /// The diagram on screen.
    pub diagram: &'a Diagram,
    /// The run, if there is one.
    pub sim: Option<&'a Simulation>,
    /// Simulated second at which the step began in this run (0 for a run started since).
    pub since_s: f64,
}

/// One condition judged.
#[derive(Clone, Debug, PartialEq)]
pub struct Judged {
    /// The condition in words.
    pub said: String,
    /// The value seen, in words ("340 ms"), or why there is none yet ("press Run").
    pub seen: Option<String>,
    /// Nothing to judge yet (no run, too few seconds measured): `seen` says why.
    pub pending: bool,
    /// Whether it holds.
    pub met: bool,
}

impl Condition {
    fn source(&self) -> Result<Source<'_>, String> {
        let mut found = Vec::new();
        if let Some(name) = &self.metric {
            found.push(Source::Metric {
                name,
                of: self.of.as_ref(),
                stat: self.stat.unwrap_or_default(),
                over_s: self.over_s.unwrap_or(5),
            });
        }
        if let Some(path) = &self.report {
            found.push(Source::Report {
                path,
                of: self.of.as_ref(),
            });
        }
        if let Some(text) = &self.log {
            found.push(Source::Log {
                text,
                of: self.of.as_ref(),
            });
        }
        if let Some(kind) = self.count {
            found.push(Source::Count(kind));
        }
        if let Some(name) = &self.param {
            let of = self.of.as_ref().ok_or("\"param\" needs \"of\"")?;
            found.push(Source::Param { name, of });
        }
        if let Some((a, b)) = &self.wired {
            found.push(Source::Wired(a, b));
        }
        if let Some(id) = &self.down {
            found.push(Source::Down(id));
        }
        if let Some(id) = &self.up {
            found.push(Source::Up(id));
        }
        if self.elapsed_s {
            found.push(Source::Elapsed);
        }
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => Err(
                "says nothing to look at (metric, report, log, count, param, wired, \
                      down, up or elapsed_s)"
                    .into(),
            ),
            _ => Err("looks at more than one thing; write one condition for each".into()),
        }
    }

    fn comparisons(&self) -> usize {
        [self.below, self.above, self.at_most, self.at_least]
            .iter()
            .filter(|c| c.is_some())
            .count()
            + usize::from(self.is.is_some())
    }

    /// What is wrong with the condition against `diagram` (empty: nothing).
    pub fn problems(&self, diagram: &Diagram) -> Vec<String> {
        self.problems_as(diagram, true)
    }

    fn problems_as(&self, diagram: &Diagram, needs_test: bool) -> Vec<String> {
        let mut problems = Vec::new();
        let source = match self.source() {
            Ok(s) => s,
            Err(why) => return vec![why],
        };
        let known = |id: &ComponentId| diagram.component(id).is_some();
        let factual = matches!(
            source,
            Source::Log { .. } | Source::Wired(..) | Source::Down(_) | Source::Up(_)
        );
        if needs_test && !factual && self.comparisons() == 0 {
            problems.push("has no comparison (below, above, at_most, at_least or is)".into());
        }
        if factual && self.comparisons() > 0 {
            problems.push("a log, wired, down or up condition takes no comparison".into());
        }
        if self.of.is_some()
            && !matches!(
                source,
                Source::Metric { .. }
                    | Source::Report { .. }
                    | Source::Log { .. }
                    | Source::Param { .. }
            )
        {
            problems.push("\"of\" only goes with metric, report, log or param".into());
        }
        if (self.stat.is_some() || self.over_s.is_some())
            && !matches!(source, Source::Metric { .. })
        {
            problems.push("\"stat\" and \"over_s\" only go with metric".into());
        }
        match source {
            Source::Metric {
                name, of, over_s, ..
            } => {
                if over_s == 0 || over_s > 3_600 {
                    problems.push("over_s must be 1 to 3600".into());
                }
                match of {
                    None if !GLOBAL_METRICS.contains(&name) => problems.push(format!(
                        "'{name}' is not a system-wide series (one of {})",
                        GLOBAL_METRICS.join(", ")
                    )),
                    Some(id) => match diagram.component(id) {
                        None => problems.push(format!("there is no component {id}")),
                        Some(c) => {
                            let names: Vec<&str> =
                                c.kind.spec().metrics.iter().map(|m| m.name).collect();
                            if !names.contains(&name) {
                                problems.push(format!(
                                    "a {} has no series '{name}' (it has {})",
                                    c.kind.spec().name,
                                    names.join(", ")
                                ));
                            }
                        }
                    },
                    None => {}
                }
            }
            Source::Report { of: Some(id), .. }
            | Source::Log { of: Some(id), .. }
            | Source::Param { of: id, .. }
            | Source::Down(id)
            | Source::Up(id)
                if !known(id) =>
            {
                problems.push(format!("there is no component {id}"));
            }
            Source::Param { name, of } => {
                if let Some(c) = diagram.component(of)
                    && c.kind.spec().param(name).is_none()
                {
                    problems.push(format!("{of} has no parameter '{name}'"));
                }
            }
            // A wire may be drawn by the learner, so only the ids' shape matters here.
            Source::Wired(a, b) if a.as_str().is_empty() || b.as_str().is_empty() => {
                problems.push("wired needs two component ids".into());
            }
            _ => {}
        }
        problems
    }

    /// Looks at what the condition is about.
    pub fn value(&self, obs: &Observation) -> Value {
        let Ok(source) = self.source() else {
            return Value::Waiting("the condition is malformed".into());
        };
        let need_run = || Value::Waiting("press Run".into());
        match source {
            Source::Metric {
                name,
                of,
                stat,
                over_s,
            } => {
                let Some(sim) = obs.sim else {
                    return need_run();
                };
                let series = match of {
                    None => Some(&sim.series().global),
                    Some(id) => sim.component_series(id),
                };
                let Some(points) = series.and_then(|s| s.column(name)) else {
                    return Value::Waiting(format!("no series {name}"));
                };
                let fresh: Vec<f64> = points
                    .iter()
                    .filter(|(t, _)| *t > obs.since_s + 1e-9)
                    .map(|&(_, v)| v)
                    .collect();
                let n = over_s as usize;
                if fresh.len() < n {
                    return Value::Waiting(format!("measuring: {} of {n} s", fresh.len()));
                }
                let window = &fresh[fresh.len() - n..];
                Value::Number(match stat {
                    Stat::Mean => window.iter().sum::<f64>() / n as f64,
                    Stat::Max => window.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    Stat::Min => window.iter().copied().fold(f64::INFINITY, f64::min),
                    Stat::Last => window[n - 1],
                    Stat::Sum => window.iter().sum(),
                })
            }
            Source::Report { path, of } => {
                let Some(sim) = obs.sim else {
                    return need_run();
                };
                let Ok(mut v) = serde_json::to_value(sim.report()) else {
                    return Value::Waiting("no report".into());
                };
                if let Some(id) = of {
                    let entry = v
                        .get("components")
                        .and_then(|c| c.as_array())
                        .and_then(|list| {
                            list.iter()
                                .find(|c| c.get("id").and_then(|i| i.as_str()) == Some(id.as_str()))
                        })
                        .cloned();
                    match entry {
                        Some(e) => v = e,
                        None => return Value::Waiting(format!("{id} is not in this run")),
                    }
                }
                for key in path.split('.') {
                    match v.get(key) {
                        Some(next) => v = next.clone(),
                        None => return Value::Waiting(format!("no {path} in the report")),
                    }
                }
                match v {
                    serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
                    serde_json::Value::Bool(b) => Value::Number(f64::from(u8::from(b))),
                    serde_json::Value::String(s) => Value::Text(s),
                    _ => Value::Waiting(format!("{path} is not a number")),
                }
            }
            Source::Log { text, of } => {
                let Some(sim) = obs.sim else {
                    return need_run();
                };
                let text = text.to_lowercase();
                Value::Fact(sim.log().entries().any(|e| {
                    e.time_s + 1e-9 >= obs.since_s
                        && of.is_none_or(|id| e.component.as_deref() == Some(id.as_str()))
                        && e.message.to_lowercase().contains(&text)
                }))
            }
            Source::Count(kind) => Value::Number(
                obs.diagram
                    .components
                    .iter()
                    .filter(|c| c.kind == kind)
                    .count() as f64,
            ),
            Source::Param { name, of } => match obs.diagram.component(of) {
                None => Value::Waiting(format!("there is no {of}")),
                Some(c) => match (c.params.get(name), c.kind.spec().param(name)) {
                    (Some(ParamValue::Number(n)), _) => Value::Number(*n),
                    (Some(ParamValue::Text(t)), _) => Value::Text(t.clone()),
                    (None, Some(spec)) => match &spec.domain {
                        crate::model::catalogue::Domain::Number { default, .. } => {
                            Value::Number(*default)
                        }
                        crate::model::catalogue::Domain::Choice { default, .. } => {
                            Value::Text((*default).to_string())
                        }
                    },
                    (None, None) => Value::Waiting(format!("{of} has no {name}")),
                },
            },
            Source::Wired(a, b) => {
                Value::Fact(obs.diagram.wires.iter().any(|w| &w.from == a && &w.to == b))
            }
            Source::Down(id) | Source::Up(id) => match obs.sim.and_then(|s| s.is_up(id)) {
                None => need_run(),
                Some(up) => Value::Fact(up == matches!(source, Source::Up(_))),
            },
            Source::Elapsed => match obs.sim {
                None => need_run(),
                Some(sim) => Value::Number(sim.now().as_secs_f64() - obs.since_s),
            },
        }
    }

    /// Judges the condition now.
    pub fn judge(&self, obs: &Observation) -> Judged {
        let value = self.value(obs);
        let met = match &value {
            Value::Fact(b) => *b,
            Value::Number(x) => {
                self.below.is_none_or(|b| *x < b)
                    && self.above.is_none_or(|a| *x > a)
                    && self.at_most.is_none_or(|m| *x <= m)
                    && self.at_least.is_none_or(|m| *x >= m)
                    && self
                        .is
                        .as_ref()
                        .is_none_or(|t| t.trim().parse::<f64>().is_ok_and(|v| v == *x))
            }
            Value::Text(t) => {
                self.is.as_ref().is_some_and(|want| want == t)
                    && self.below.is_none()
                    && self.above.is_none()
                    && self.at_most.is_none()
                    && self.at_least.is_none()
            }
            Value::Waiting(_) => false,
        };
        let seen = match &value {
            Value::Number(x) => Some(self.with_unit(*x)),
            Value::Text(t) => Some(t.clone()),
            Value::Fact(_) => None,
            Value::Waiting(why) => Some(why.clone()),
        };
        Judged {
            said: self.say.clone().unwrap_or_else(|| self.words()),
            seen,
            met,
            pending: matches!(value, Value::Waiting(_)),
        }
    }

    fn unit(&self) -> &'static str {
        let name = self
            .metric
            .as_deref()
            .or(self.report.as_deref())
            .unwrap_or("");
        if name.ends_with("_ms") || name.contains("latency_ms") {
            " ms"
        } else if name.ends_with("_pct") || name == "utilisation" || name == "hit_rate" {
            " %"
        } else if self.elapsed_s || name.ends_with("_s") {
            " s"
        } else {
            ""
        }
    }

    fn with_unit(&self, x: f64) -> String {
        let rounded = if x.abs() >= 100.0 {
            x.round()
        } else {
            (x * 10.0).round() / 10.0
        };
        format!("{}{}", format_number(rounded), self.unit())
    }

    /// The condition in words, from its fields.
    pub fn words(&self) -> String {
        let subject = match self.source() {
            Err(why) => return why,
            Ok(Source::Metric {
                name,
                of,
                stat,
                over_s,
            }) => format!(
                "{} {name}{} over {over_s} s",
                stat.word(),
                of.map(|id| format!(" of {id}")).unwrap_or_default()
            ),
            Ok(Source::Report { path, of }) => format!(
                "{path}{} in the report",
                of.map(|id| format!(" of {id}")).unwrap_or_default()
            ),
            Ok(Source::Log { text, of }) => {
                return format!(
                    "the log says \"{text}\"{}",
                    of.map(|id| format!(" about {id}")).unwrap_or_default()
                );
            }
            Ok(Source::Count(kind)) => format!("number of {}s", kind.spec().name.to_lowercase()),
            Ok(Source::Param { name, of }) => format!("{of}'s {name}"),
            Ok(Source::Wired(a, b)) => return format!("{a} is wired to {b}"),
            Ok(Source::Down(id)) => return format!("{id} is down"),
            Ok(Source::Up(id)) => return format!("{id} is up"),
            Ok(Source::Elapsed) => "time since the step began".into(),
        };
        let mut tests = Vec::new();
        let n = |x: f64| format!("{}{}", format_number(x), self.unit());
        if let Some(x) = self.below {
            tests.push(format!("below {}", n(x)));
        }
        if let Some(x) = self.above {
            tests.push(format!("above {}", n(x)));
        }
        if let Some(x) = self.at_most {
            tests.push(format!("at most {}", n(x)));
        }
        if let Some(x) = self.at_least {
            tests.push(format!("at least {}", n(x)));
        }
        if let Some(t) = &self.is {
            tests.push(format!("is {t}"));
        }
        let mut s = format!("{subject} {}", tests.join(" and "));
        if let Some(first) = s.get(..1) {
            s = first.to_uppercase() + &s[1..];
        }
        s
    }
}

impl Checkpoint {
    /// What is wrong with the checkpoint against `diagram`.
    pub fn problems(&self, diagram: &Diagram) -> Vec<String> {
        if self.all.is_empty() {
            return vec!["has no conditions".into()];
        }
        self.all
            .iter()
            .enumerate()
            .flat_map(|(i, c)| {
                c.problems(diagram)
                    .into_iter()
                    .map(move |p| format!("condition {}: {p}", i + 1))
            })
            .collect()
    }

    /// Every condition judged now.
    pub fn judge(&self, obs: &Observation) -> Vec<Judged> {
        self.all.iter().map(|c| c.judge(obs)).collect()
    }

    /// Whether every condition holds now.
    pub fn passes(&self, obs: &Observation) -> bool {
        self.all.iter().all(|c| c.judge(obs).met)
    }
}

/// A figure measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    /// The measurement, if there is one yet.
    pub value: Option<f64>,
    /// Whether it is within the figure's `within` of the chapter's.
    pub agrees: Option<bool>,
}

impl Figure {
    /// What is wrong with the figure against `diagram`.
    pub fn problems(&self, diagram: &Diagram) -> Vec<String> {
        let mut p = self.measure.problems_as(diagram, false);
        if self.measure.comparisons() > 0 {
            p.push("a figure's measure takes no comparison".into());
        }
        if self.within.is_nan() || self.within < 0.0 {
            p.push("within must be 0 or more".into());
        }
        if let Quoted::Range([lo, hi]) = self.chapter
            && (lo.is_nan() || hi.is_nan() || lo > hi)
        {
            p.push("a range is [low, high]".into());
        }
        p
    }

    /// Measures it now.
    pub fn measure(&self, obs: &Observation) -> Measured {
        match self.measure.value(obs) {
            Value::Number(x) => Measured {
                value: Some(x),
                agrees: Some(self.chapter.distance(x) <= self.within),
            },
            _ => Measured {
                value: None,
                agrees: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Component, Wire};

    fn diagram() -> Diagram {
        let mut d = Diagram::new("check");
        d.components = vec![
            Component::new("users", Kind::Users).with("rate", 100.0),
            Component::new("web", Kind::WebServer),
        ];
        d.wires = vec![Wire::new("users", "web")];
        d
    }

    fn cond(json: &str) -> Condition {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn malformed_conditions_are_named() {
        let d = diagram();
        let p = |json: &str| cond(json).problems(&d).join("; ");
        assert!(p(r#"{"below": 3}"#).contains("nothing to look at"));
        assert!(
            p(r#"{"metric": "p95_ms", "count": "web_server", "below": 3}"#)
                .contains("more than one")
        );
        assert!(p(r#"{"metric": "p95_ms"}"#).contains("no comparison"));
        assert!(p(r#"{"metric": "p96_ms", "below": 1}"#).contains("not a system-wide"));
        assert!(p(r#"{"metric": "lag_ms", "of": "web", "below": 1}"#).contains("has no series"));
        assert!(p(r#"{"metric": "errors", "of": "nope", "below": 1}"#).contains("no component"));
        assert!(p(r#"{"param": "workers", "of": "web", "at_least": 8}"#).is_empty());
        assert!(p(r#"{"param": "wheels", "of": "web", "at_least": 8}"#).contains("no parameter"));
        assert!(p(r#"{"down": "web", "below": 1}"#).contains("no comparison"));
        assert!(serde_json::from_str::<Condition>(r#"{"metrc": "x"}"#).is_err());
    }

    #[test]
    fn diagram_conditions_judge_the_diagram() {
        let mut d = diagram();
        let obs = |d: &Diagram| {
            let c = cond(r#"{"count": "web_server", "at_least": 2}"#);
            c.judge(&Observation {
                diagram: d,
                sim: None,
                since_s: 0.0,
            })
        };
        let before = obs(&d);
        assert!(!before.met);
        assert_eq!(before.said, "Number of web servers at least 2");
        assert_eq!(before.seen.as_deref(), Some("1"));
        d.components.push(Component::new("web-2", Kind::WebServer));
        assert!(obs(&d).met);
        let choice = cond(r#"{"param": "service", "of": "web", "is": "exponential"}"#);
        let o = Observation {
            diagram: &d,
            sim: None,
            since_s: 0.0,
        };
        assert_eq!(choice.value(&o), Value::Text("exponential".into()));
        assert!(choice.judge(&o).met);
        let wired = cond(r#"{"wired": ["users", "web"]}"#);
        assert!(wired.judge(&o).met);
        let metric = cond(r#"{"metric": "p95_ms", "below": 200}"#);
        assert_eq!(metric.judge(&o).seen.as_deref(), Some("press Run"));
        assert!(!metric.judge(&o).met);
    }

    #[test]
    fn series_windows_start_when_the_step_began() {
        let d = diagram();
        let mut sim = Simulation::new(&d).unwrap();
        sim.run_for(crate::sim::SimDuration::from_secs_f64(10.0), u64::MAX);
        let sent = cond(r#"{"metric": "sent", "over_s": 5, "stat": "sum", "at_least": 1}"#);
        let at = |since_s: f64| {
            sent.value(&Observation {
                diagram: &d,
                sim: Some(&sim),
                since_s,
            })
        };
        // Ten rows exist; from 0 the newest five count; from 7 s only three are new.
        let Value::Number(five) = at(0.0) else {
            panic!("{:?}", at(0.0))
        };
        let column = sim.series().global.column("sent").unwrap();
        let expected: f64 = column[column.len() - 5..].iter().map(|p| p.1).sum();
        assert_eq!(five, expected);
        assert_eq!(at(7.0), Value::Waiting("measuring: 3 of 5 s".into()));
    }
}
