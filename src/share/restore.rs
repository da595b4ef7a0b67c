//! Restoring what a link holds: repair what can be repaired, say exactly what was dropped or
//! changed, and refuse only what cannot be made into a valid diagram. A link is someone else's
//! data: it may come from an older build, a newer one, or a hand that edited it.
//!
//! Repairs, in order: components of unknown kinds (or with no usable id) are dropped; duplicate
//! ids are re-keyed (`web-1` → `web-1-2`); parameters the kind does not have, or whose values are
//! not finite or out of range, are reset to their defaults; wires and timeline entries that name
//! missing components, wires to themselves and repeated wires are dropped. Whatever is still wrong
//! after that (a loop of wires, say) refuses the link. Restoring a restored diagram changes
//! nothing.
//!
//! [`super::decode`] has checked every list against the format's limits before the JSON was
//! even built, and each repair here costs the same whatever came before it, so a link's repair
//! time grows linearly with its size (which is capped) however hostile it is.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::{Decoded, LinkError, Repairs, Shared};
use crate::model::shown::{quoted, thousands};
use crate::model::{Diagram, Kind, ParamValue};

/// Longest diagram name a link keeps, in characters (a name is a title, not a document).
pub const MAX_NAME_CHARS: usize = 200;

/// Restores the envelope `value` (the JSON of a [`Shared`]).
pub fn restore(value: Value) -> Result<Decoded, LinkError> {
    let Value::Object(mut envelope) = value else {
        return Err(LinkError::NotADiagram("it is not a JSON object".into()));
    };
    let Some(Value::Object(mut diagram)) = envelope.remove("diagram") else {
        return Err(LinkError::NotADiagram("there is no 'diagram' in it".into()));
    };
    let speed = match envelope.remove("speed") {
        Some(Value::String(s)) if s.chars().count() <= 32 => Some(s),
        _ => None,
    };
    let mut repairs = Repairs::default();
    if let Some(Value::String(name)) = diagram.get_mut("name")
        && name.chars().count() > MAX_NAME_CHARS
    {
        let total = name.chars().count();
        *name = name.chars().take(MAX_NAME_CHARS).collect();
        repairs.push(|| {
            format!(
                "shortened the diagram's name from {} to {MAX_NAME_CHARS} characters",
                thousands(total as u64)
            )
        });
    }
    repair_components(&mut diagram, &mut repairs);
    let ids: BTreeSet<String> = diagram
        .get("components")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c.get("id").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    repair_wires(&mut diagram, &ids, &mut repairs);
    repair_timeline(&mut diagram, &ids, &mut repairs);
    repair_region_latency(&mut diagram, &mut repairs);
    let text = Value::Object(diagram).to_string();
    let diagram = Diagram::from_json(&text).map_err(|e| LinkError::Invalid(e.to_string()))?;
    Ok(Decoded {
        shared: Shared { diagram, speed },
        repairs,
    })
}

fn repair_components(diagram: &mut Map<String, Value>, repairs: &mut Repairs) {
    let Some(Value::Array(components)) = diagram.get_mut("components") else {
        return;
    };
    let mut seen: BTreeSet<String> = BTreeSet::new();
    // The next suffix to try for each repeated id: the n-th copy of an id costs one try, not n.
    let mut next_suffix: BTreeMap<String, u64> = BTreeMap::new();
    let mut kept = Vec::with_capacity(components.len());
    for (i, mut c) in std::mem::take(components).into_iter().enumerate() {
        let Some(id) = c.get("id").and_then(Value::as_str).map(str::to_string) else {
            repairs.push(|| format!("dropped component #{}: it has no id", i + 1));
            continue;
        };
        let kind = c
            .get("kind")
            .and_then(Value::as_str)
            .and_then(Kind::from_id);
        let Some(kind) = kind else {
            let named = c.get("kind").and_then(Value::as_str).unwrap_or("none");
            repairs.push(|| {
                format!(
                    "dropped component {}: unknown kind '{}'",
                    quoted(&id),
                    quoted(named)
                )
            });
            continue;
        };
        let id = if seen.contains(&id) {
            let from = next_suffix.get(&id).copied().unwrap_or(2);
            let (n, fresh) = (from..)
                .map(|n| (n, format!("{id}-{n}")))
                .find(|(_, candidate)| !seen.contains(candidate))
                .expect("some suffix is free");
            next_suffix.insert(id.clone(), n + 1);
            repairs.push(|| {
                format!(
                    "renamed a repeated {} to {}: ids must be unique",
                    quoted(&id),
                    quoted(&fresh)
                )
            });
            c["id"] = Value::String(fresh.clone());
            fresh
        } else {
            id
        };
        seen.insert(id.clone());
        if let Some(Value::Object(params)) = c.get_mut("params") {
            params.retain(|name, v| {
                let value = match v {
                    Value::Number(n) => n.as_f64().map(ParamValue::Number),
                    Value::String(s) => Some(ParamValue::Text(s.clone())),
                    _ => None,
                };
                let problem = match value {
                    Some(value) => crate::model::validate::param_problem(kind, name, &value),
                    None => Some(format!("{name} is neither a number nor a choice")),
                };
                match problem {
                    Some(why) => {
                        repairs.push(|| {
                            format!(
                                "reset {}.{} to its default: {why}",
                                quoted(&id),
                                quoted(name)
                            )
                        });
                        false
                    }
                    None => true,
                }
            });
        }
        for axis in ["x", "y"] {
            if c.get(axis)
                .is_some_and(|v| !v.as_f64().is_some_and(f64::is_finite))
            {
                repairs.push(|| {
                    format!(
                        "moved {} to {axis} = 0: its position was not a number",
                        quoted(&id)
                    )
                });
                c[axis] = Value::from(0.0);
            }
        }
        kept.push(c);
    }
    *components = kept;
}

fn repair_wires(diagram: &mut Map<String, Value>, ids: &BTreeSet<String>, repairs: &mut Repairs) {
    let Some(Value::Array(wires)) = diagram.get_mut("wires") else {
        return;
    };
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    wires.retain(|w| {
        let end = |k: &str| w.get(k).and_then(Value::as_str).map(str::to_string);
        let (Some(from), Some(to)) = (end("from"), end("to")) else {
            repairs.push(|| "dropped a wire without both ends".into());
            return false;
        };
        let why = if !ids.contains(&from) || !ids.contains(&to) {
            Some("one of its ends is not in the diagram")
        } else if from == to {
            Some("it joins a component to itself")
        } else if !seen.insert((from.clone(), to.clone())) {
            Some("it repeats another wire")
        } else {
            None
        };
        if let Some(why) = why {
            repairs.push(|| {
                format!(
                    "dropped the wire {} → {}: {why}",
                    quoted(&from),
                    quoted(&to)
                )
            });
            return false;
        }
        true
    });
}

fn repair_timeline(
    diagram: &mut Map<String, Value>,
    ids: &BTreeSet<String>,
    repairs: &mut Repairs,
) {
    let caches: BTreeSet<String> = match diagram.get("components") {
        Some(Value::Array(cs)) => cs
            .iter()
            .filter(|c| {
                matches!(
                    c.get("kind").and_then(Value::as_str),
                    Some("cache" | "cdn_edge")
                )
            })
            .filter_map(|c| c.get("id").and_then(Value::as_str).map(str::to_string))
            .collect(),
        _ => BTreeSet::new(),
    };
    let Some(Value::Array(timeline)) = diagram.get_mut("timeline") else {
        return;
    };
    timeline.retain(|e| {
        let flush = e.get("action").and_then(Value::as_str) == Some("flush");
        match e.get("target").and_then(Value::as_str) {
            Some(target) if !ids.contains(target) => {
                repairs.push(|| {
                    format!(
                        "dropped a timeline entry for {}: it is not in the diagram",
                        quoted(target)
                    )
                });
                false
            }
            Some(target) if flush && !caches.contains(target) => {
                repairs.push(|| {
                    format!(
                        "dropped a flush of {}: only a cache or a CDN edge can be flushed",
                        quoted(target)
                    )
                });
                false
            }
            _ => true,
        }
    });
}

/// Drops round trips between regions that are not usable (unknown regions, bad numbers), so
/// the defaults apply to those pairs.
fn repair_region_latency(diagram: &mut Map<String, Value>, repairs: &mut Repairs) {
    let Some(Value::Array(overrides)) = diagram.get_mut("region_latency") else {
        return;
    };
    overrides.retain(|o| {
        let problem =
            match serde_json::from_value::<crate::model::regions::RegionLatency>(o.clone()) {
                Ok(o) => crate::model::regions::override_problem(&o),
                Err(e) => Some(e.to_string()),
            };
        if let Some(why) = &problem {
            repairs.push(|| {
                format!(
                    "dropped a region round trip ({}); the default applies",
                    quoted(why)
                )
            });
        }
        problem.is_none()
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope(components: Value, wires: Value) -> Value {
        json!({
            "diagram": {
                "format": "archplay-diagram",
                "version": 1,
                "name": "hostile",
                "components": components,
                "wires": wires,
                "timeline": [{ "at_s": 5, "action": "kill", "target": "ghost" }],
            },
            "speed": "10×",
        })
    }

    #[test]
    fn repairs_are_made_and_reported_one_by_one() {
        let v = envelope(
            json!([
                { "id": "users", "kind": "users", "params": { "rate": 1e300, "bogus": 1 } },
                { "id": "web", "kind": "web_server" },
                { "id": "web", "kind": "web_server", "params": { "workers": 3 } },
                { "id": "mf", "kind": "mainframe" },
                { "kind": "database" },
            ]),
            json!([
                { "from": "users", "to": "web" },
                { "from": "users", "to": "web" },
                { "from": "users", "to": "mf" },
                { "from": "web", "to": "web" },
            ]),
        );
        let d = restore(v).unwrap();
        let ids: Vec<&str> = d
            .shared
            .diagram
            .components
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(ids, ["users", "web", "web-2"]);
        assert_eq!(d.shared.diagram.components[2].number("workers"), 3.0);
        assert_eq!(
            d.shared.diagram.components[0].number("rate"),
            100.0,
            "default"
        );
        assert_eq!(d.shared.diagram.wires.len(), 1);
        assert!(d.shared.diagram.timeline.is_empty());
        assert_eq!(d.shared.speed.as_deref(), Some("10×"));
        let expected = [
            "reset users.bogus to its default",
            "reset users.rate to its default",
            "renamed a repeated web to web-2",
            "dropped component mf: unknown kind 'mainframe'",
            "dropped component #5: it has no id",
            "dropped the wire users → web: it repeats another wire",
            "dropped the wire users → mf: one of its ends is not in the diagram",
            "dropped the wire web → web: it joins a component to itself",
            "dropped a timeline entry for ghost",
        ];
        assert_eq!(d.repairs.len(), expected.len(), "{:#?}", d.repairs);
        for (got, want) in d.repairs.kept().iter().zip(expected) {
            assert!(got.starts_with(want), "{got:?} should start with {want:?}");
        }
    }

    #[test]
    fn a_flush_of_something_that_is_not_a_cache_is_dropped() {
        let mut v = envelope(
            json!([
                { "id": "users", "kind": "users" },
                { "id": "web", "kind": "web_server" },
                { "id": "hot", "kind": "cache" },
            ]),
            json!([{ "from": "users", "to": "web" }, { "from": "web", "to": "hot" }]),
        );
        v["diagram"]["timeline"] = json!([
            { "at_s": 5, "action": "flush", "target": "web" },
            { "at_s": 6, "action": "flush", "target": "hot" },
        ]);
        let d = restore(v).unwrap();
        assert_eq!(d.shared.diagram.timeline.len(), 1);
        assert_eq!(
            d.repairs.kept(),
            ["dropped a flush of web: only a cache or a CDN edge can be flushed"]
        );
    }

    #[test]
    fn unusable_round_trips_between_regions_are_dropped() {
        let mut v = envelope(json!([{ "id": "users", "kind": "users" }]), json!([]));
        v["diagram"]["timeline"] = json!([]);
        v["diagram"]["region_latency"] = json!([
            { "a": "virginia", "b": "tokyo", "round_trip_ms": 150 },
            { "a": "virginia", "b": "atlantis", "round_trip_ms": 10 },
            { "a": "virginia", "b": "sydney", "round_trip_ms": -1 },
            { "a": "virginia" },
        ]);
        let d = restore(v).unwrap();
        assert_eq!(d.shared.diagram.region_latency.len(), 1);
        assert_eq!(d.repairs.len(), 3, "{:?}", d.repairs);
        assert!(d.repairs.kept()[0].contains("unknown region 'atlantis'"));
    }

    #[test]
    fn restoring_is_idempotent() {
        let v = envelope(
            json!([
                { "id": "users", "kind": "users", "params": { "rate": -5 } },
                { "id": "users", "kind": "web_server" },
            ]),
            json!([{ "from": "users", "to": "users-2" }]),
        );
        let once = restore(v).unwrap();
        let again = restore(serde_json::to_value(&once.shared).unwrap()).unwrap();
        assert_eq!(again.shared, once.shared);
        assert!(again.repairs.is_empty(), "{:?}", again.repairs);
    }

    #[test]
    fn what_cannot_be_repaired_is_refused_with_the_reason() {
        // A loop of wires is not a repair the link can make for the user.
        let v = envelope(
            json!([
                { "id": "lb", "kind": "load_balancer" },
                { "id": "lb2", "kind": "load_balancer" },
            ]),
            json!([{ "from": "lb", "to": "lb2" }, { "from": "lb2", "to": "lb" }]),
        );
        let err = restore(v).unwrap_err();
        assert!(
            matches!(&err, LinkError::Invalid(why) if why.contains("loop")),
            "{err}"
        );
        assert!(matches!(
            restore(json!([1, 2])),
            Err(LinkError::NotADiagram(_))
        ));
        assert!(matches!(
            restore(json!({ "speed": "1×" })),
            Err(LinkError::NotADiagram(_))
        ));
    }
}
