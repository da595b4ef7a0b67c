//! What a learner does in a lesson, as data: the moves a step's solution and mistakes are
//! written in. Each is something the app lets a learner do by hand — set a parameter in the
//! inspector, place and wire a component, press Run, kill a component from its menu — so a
//! solution that passes here passes in the app.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{
    Action, Component, ComponentId, Diagram, Edit, Kind, ParamValue, Traffic, Wire, apply,
};

/// One move.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case", deny_unknown_fields)]
pub enum Move {
    /// Run the simulation for this many simulated seconds (building it first if there is no
    /// run, or continuing the run there is).
    Run {
        /// Simulated seconds.
        for_s: f64,
    },
    /// Throw the run away (the Reset button): the next run starts from the diagram as it is.
    Reset {},
    /// Set a component's parameter (the inspector).
    Set {
        /// The component.
        target: ComponentId,
        /// The parameter.
        param: String,
        /// A number or a choice.
        value: ParamValue,
    },
    /// Set the global traffic multiplier (the run bar's "Traffic ×").
    Traffic {
        /// The new multiplier.
        rate_scale: f64,
    },
    /// Set one alert rule's threshold (the inspector, with nothing selected): `p95_ms`,
    /// `error_pct`, `hit_rate_pct`, `queue_age_s` or `hold_s`.
    Alert {
        /// The rule.
        rule: String,
        /// Its new threshold (0 turns it off).
        value: f64,
    },
    /// Set how long a run lasts (the run bar's "Length (s)"); a run in progress must be Reset
    /// to take it.
    Length {
        /// Simulated seconds.
        duration_s: f64,
    },
    /// Set the chaos monkey's rate (the run bar's "Chaos /h").
    Chaos {
        /// Kills per hour.
        per_hour: f64,
    },
    /// Place a new component (from the palette).
    Add {
        /// Its id.
        id: ComponentId,
        /// Its kind.
        kind: Kind,
        /// Where (world units, top-left corner).
        #[serde(default)]
        x: f64,
        /// Where (world units, top-left corner).
        #[serde(default)]
        y: f64,
        /// Parameters other than the defaults.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        params: BTreeMap<String, ParamValue>,
    },
    /// Empty the diagram's timeline (the kills and restores recorded during earlier runs).
    ClearTimeline {},
    /// Delete a component and its wires.
    Remove {
        /// The component.
        target: ComponentId,
    },
    /// Draw a wire.
    Wire {
        /// The caller.
        from: ComponentId,
        /// The callee.
        to: ComponentId,
    },
    /// Delete a wire.
    Unwire {
        /// The caller.
        from: ComponentId,
        /// The callee.
        to: ComponentId,
    },
    /// Kill a component now (its menu, during a run).
    Kill {
        /// The component.
        target: ComponentId,
    },
    /// Bring a killed component back now.
    Restore {
        /// The component.
        target: ComponentId,
    },
    /// Empty a cache or purge a CDN edge now.
    Flush {
        /// The cache or edge.
        target: ComponentId,
    },
    /// Publish new versions of the static assets now.
    Deploy {},
    /// Cut the network between two regions now.
    Partition {
        /// One region.
        a: String,
        /// The other.
        b: String,
    },
    /// Mend a cut between two regions now.
    Heal {
        /// One region.
        a: String,
        /// The other.
        b: String,
    },
    /// Move a shard router to `shards` shards now.
    Reshard {
        /// The router.
        target: ComponentId,
        /// Shards from now on.
        shards: u32,
    },
}

impl Move {
    /// Whether the move only edits the diagram (no run, no live action).
    pub fn is_diagram_edit(&self) -> bool {
        matches!(
            self,
            Move::Set { .. }
                | Move::Traffic { .. }
                | Move::Chaos { .. }
                | Move::Length { .. }
                | Move::Alert { .. }
                | Move::Add { .. }
                | Move::ClearTimeline { .. }
                | Move::Remove { .. }
                | Move::Wire { .. }
                | Move::Unwire { .. }
        )
    }

    /// The edit this move makes to `diagram`, if it edits the diagram.
    pub fn edit(&self, diagram: &Diagram) -> Option<Edit> {
        Some(match self {
            Move::Set {
                target,
                param,
                value,
            } => Edit::SetParam {
                ids: vec![target.clone()],
                name: param.clone(),
                value: Some(value.clone()),
            },
            Move::Traffic { rate_scale } => Edit::SetTraffic(Traffic {
                rate_scale: *rate_scale,
            }),
            Move::Chaos { per_hour } => {
                let mut run = diagram.run.clone();
                run.chaos_per_hour = *per_hour;
                Edit::SetRun(run)
            }
            Move::Length { duration_s } => {
                let mut run = diagram.run.clone();
                run.duration_s = *duration_s;
                Edit::SetRun(run)
            }
            Move::Alert { rule, value } => {
                let mut alerts = diagram.alerts.clone();
                let slot = match rule.as_str() {
                    "p95_ms" => &mut alerts.p95_ms,
                    "error_pct" => &mut alerts.error_pct,
                    "hit_rate_pct" => &mut alerts.hit_rate_pct,
                    "queue_age_s" => &mut alerts.queue_age_s,
                    "hold_s" => &mut alerts.hold_s,
                    // An unknown rule edits nothing; `edit_diagram` says why.
                    _ => return None,
                };
                *slot = *value;
                Edit::SetAlerts(alerts)
            }
            Move::Add {
                id,
                kind,
                x,
                y,
                params,
            } => {
                let mut c = Component::new(id.as_str(), *kind);
                c.x = *x;
                c.y = *y;
                c.params = params.clone();
                Edit::Insert {
                    components: vec![c],
                    wires: Vec::new(),
                }
            }
            Move::ClearTimeline { .. } => Edit::Batch(
                (0..diagram.timeline.len())
                    .rev()
                    .map(|index| Edit::RemoveTimeline { index })
                    .collect(),
            ),
            Move::Remove { target } => Edit::Remove {
                components: vec![target.clone()],
                wires: Vec::new(),
            },
            Move::Wire { from, to } => Edit::Insert {
                components: Vec::new(),
                wires: vec![Wire::new(from.as_str(), to.as_str())],
            },
            Move::Unwire { from, to } => Edit::Remove {
                components: Vec::new(),
                wires: vec![(from.clone(), to.clone())],
            },
            _ => return None,
        })
    }

    /// Applies the move's diagram edit, if it has one; a live action only checks that its
    /// component exists. The reason when the edit is refused.
    pub fn edit_diagram(&self, diagram: &mut Diagram) -> Result<(), String> {
        if let Move::Alert { rule, .. } = self
            && self.edit(diagram).is_none()
        {
            return Err(format!(
                "there is no alert rule '{rule}' (p95_ms, error_pct, hit_rate_pct, queue_age_s, hold_s)"
            ));
        }
        if let Some(edit) = self.edit(diagram) {
            return match apply(diagram, &edit) {
                Ok(_) | Err(crate::model::Refusal::Empty) => Ok(()),
                Err(why) => Err(why.to_string()),
            };
        }
        match self.action().as_ref().and_then(Action::target) {
            Some(id) if diagram.component(id).is_none() => Err(format!("there is no {id}")),
            _ => Ok(()),
        }
    }

    /// The timeline action of a live move (what the app records when it is done during a run).
    pub fn action(&self) -> Option<Action> {
        Some(match self {
            Move::Kill { target } => Action::Kill {
                target: target.clone(),
            },
            Move::Restore { target } => Action::Restore {
                target: target.clone(),
            },
            Move::Flush { target } => Action::Flush {
                target: target.clone(),
            },
            Move::Deploy { .. } => Action::Deploy,
            Move::Partition { a, b } => Action::Partition {
                a: a.clone(),
                b: b.clone(),
            },
            Move::Heal { a, b } => Action::Heal {
                a: a.clone(),
                b: b.clone(),
            },
            Move::Reshard { target, shards } => Action::Reshard {
                target: target.clone(),
                shards: *shards,
            },
            _ => return None,
        })
    }

    /// The move in words, as the lesson panel's "Show me" lists it.
    pub fn describe(&self) -> String {
        let value = |v: &ParamValue| match v {
            ParamValue::Number(n) => format_number(*n),
            ParamValue::Text(t) => t.clone(),
        };
        match self {
            Move::Run { for_s } => format!("Run for {} s", format_number(*for_s)),
            Move::Reset { .. } => "Reset the run".into(),
            Move::Set {
                target,
                param,
                value: v,
            } => format!("Set {target}'s {param} to {}", value(v)),
            Move::Traffic { rate_scale } => {
                format!("Set Traffic × to {}", format_number(*rate_scale))
            }
            Move::Chaos { per_hour } => {
                format!("Set Chaos /h to {}", format_number(*per_hour))
            }
            Move::Length { duration_s } => {
                format!("Set Length (s) to {}", format_number(*duration_s))
            }
            Move::Alert { rule, value } => {
                format!("Set the alert rule {rule} to {}", format_number(*value))
            }
            Move::Add { id, kind, .. } => format!("Add a {} called {id}", kind.spec().name),
            Move::ClearTimeline { .. } => "Clear the timeline".into(),
            Move::Remove { target } => format!("Delete {target}"),
            Move::Wire { from, to } => format!("Wire {from} to {to}"),
            Move::Unwire { from, to } => format!("Delete the wire from {from} to {to}"),
            Move::Kill { target } => format!("Take {target} down (its menu)"),
            Move::Restore { target } => format!("Bring {target} back (its menu)"),
            Move::Flush { target } => format!("Flush {target} (its menu)"),
            Move::Deploy { .. } => "Deploy new asset versions".into(),
            Move::Partition { a, b } => format!("Cut the network between {a} and {b}"),
            Move::Heal { a, b } => format!("Heal the network between {a} and {b}"),
            Move::Reshard { target, shards } => format!("Reshard {target} to {shards} shards"),
        }
    }
}

/// A number as a person writes it: no trailing zeros, and thousands grouped from 10,000 up
/// ("75,000", "1.5", "3600").
pub fn format_number(x: f64) -> String {
    let plain = if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    if x.abs() < 10_000.0 {
        return plain;
    }
    let (sign, digits) = plain.split_at(usize::from(plain.starts_with('-')));
    let (whole, fraction) = digits.split_once('.').map_or((digits, ""), |(w, f)| (w, f));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_read_as_written_in_a_lesson() {
        let m: Vec<Move> = serde_json::from_str(
            r#"[{"do":"set","target":"web-1","param":"workers","value":16},
                {"do":"set","target":"db","param":"replication","value":"sync"},
                {"do":"add","id":"web-2","kind":"web_server","x":320,"y":80},
                {"do":"wire","from":"lb","to":"web-2"},
                {"do":"run","for_s":30},
                {"do":"kill","target":"web-1"},
                {"do":"deploy"}]"#,
        )
        .unwrap();
        assert_eq!(m[0].describe(), "Set web-1's workers to 16");
        assert_eq!(m[1].describe(), "Set db's replication to sync");
        assert_eq!(m[2].describe(), "Add a Web server called web-2");
        assert_eq!(m[4].describe(), "Run for 30 s");
        assert!(m[2].is_diagram_edit() && !m[4].is_diagram_edit() && !m[5].is_diagram_edit());
        assert_eq!(
            m[5].action(),
            Some(Action::Kill {
                target: "web-1".into()
            })
        );
        let unknown = serde_json::from_str::<Move>(r#"{"do":"explode"}"#).unwrap_err();
        assert!(unknown.to_string().contains("explode"), "{unknown}");
        let extra = serde_json::from_str::<Move>(r#"{"do":"reset","target":"x"}"#).unwrap_err();
        assert!(extra.to_string().contains("target"), "{extra}");
    }

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(0.25), "0.25");
        assert_eq!(format_number(1.0 / 3.0), "0.333");
        assert_eq!(format_number(3600.0), "3600");
        assert_eq!(format_number(75_000.0), "75,000");
        assert_eq!(format_number(-1_234_567.5), "-1,234,567.5");
        assert_eq!(format_number(100_000.0), "100,000");
    }
}
