//! Edits as data. Every change the editor makes to a diagram — add, remove, move, wire, set a
//! parameter — is an [`Edit`]; [`apply`] folds it into the diagram and returns the edit that
//! undoes it, or refuses with a [`Refusal`] that says why. Nothing here knows about pointers or
//! the DOM: gestures become edits in the UI, and the rules live here with native tests.

use std::fmt;

use super::catalogue::{
    DATA_CENTER_MAX, DATA_CENTER_MIN_HEIGHT, DATA_CENTER_MIN_WIDTH, Kind, connection_refusal,
};
use super::diagram::{
    Action, Alerts, Component, ComponentId, Diagram, ParamValue, RunSettings, TimelineEvent,
    Traffic, Wire,
};
use super::geometry::{GRID, snap, with_contents};
use super::regions::{RegionLatency, override_problem};
use super::validate::{
    MAX_COMPONENTS, MAX_LATENCY_MS, MAX_TIMELINE, MAX_WIRES, alert_problems, find_loop, id_problem,
    param_problem, run_problems, timeline_problem,
};

/// One change to a diagram.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Add components (placed, duplicated or pasted) and wires among them or to others.
    Insert {
        /// New components; their ids must be unused.
        components: Vec<Component>,
        /// New wires.
        wires: Vec<Wire>,
    },
    /// Put removed components and wires back where they were: the undo of [`Edit::Remove`].
    /// Indices are positions in the diagram's lists after re-insertion, ascending.
    Restore {
        /// Components and the index each had.
        components: Vec<(usize, Component)>,
        /// Wires and the index each had.
        wires: Vec<(usize, Wire)>,
        /// Timeline entries that named removed components, and the index each had.
        timeline: Vec<(usize, TimelineEvent)>,
    },
    /// Remove components (with every wire that touches them and every timeline entry that names
    /// them) and wires.
    Remove {
        /// Components to remove.
        components: Vec<ComponentId>,
        /// Wires to remove, as (from, to).
        wires: Vec<(ComponentId, ComponentId)>,
    },
    /// Put components at new positions (a drag, an arrow key, a snap).
    Move {
        /// Each component and its new top-left corner.
        positions: Vec<(ComponentId, f64, f64)>,
    },
    /// Set (or, with `None`, reset to its default) one parameter on several components of one
    /// kind — the inspector's multi-edit.
    SetParam {
        /// The components.
        ids: Vec<ComponentId>,
        /// The parameter.
        name: String,
        /// The new value, or `None` for the default.
        value: Option<ParamValue>,
    },
    /// Set parameters that may differ per component (the inverse of a multi-edit).
    SetParams {
        /// (component, parameter, value or `None` for the default).
        changes: Vec<(ComponentId, String, Option<ParamValue>)>,
    },
    /// Rename a component's label (its id never changes).
    SetLabel {
        /// The component.
        id: ComponentId,
        /// The new label; empty shows the id.
        label: String,
    },
    /// Change a wire's latency and weight.
    SetWire {
        /// The caller.
        from: ComponentId,
        /// The callee.
        to: ComponentId,
        /// New one-way latency.
        latency_ms: f64,
        /// New weight.
        weight: f64,
    },
    /// Change the run settings (duration, warm-up, seed).
    SetRun(RunSettings),
    /// Change the traffic settings (the global rate multiplier).
    SetTraffic(Traffic),
    /// Change the alert rules' thresholds.
    SetAlerts(Alerts),
    /// Add a timeline entry at `index` (the end, for a new one).
    InsertTimeline {
        /// Position in the timeline.
        index: usize,
        /// The entry.
        entry: TimelineEvent,
    },
    /// Remove the timeline entry at `index`.
    RemoveTimeline {
        /// Position in the timeline.
        index: usize,
    },
    /// Set the round trip between two regions (`None`: back to the default).
    SetRegionLatency {
        /// One region.
        a: String,
        /// The other.
        b: String,
        /// The diagram's own figure, in ms, or `None` for the default.
        round_trip_ms: Option<f64>,
    },
    /// Several edits applied as one step (undone as one step).
    Batch(Vec<Edit>),
    /// Replace the whole document (New, Open): undoable like any other step. The new diagram
    /// must be valid.
    Replace(Box<Diagram>),
}

impl Edit {
    /// Whether the edit only changes how the diagram is run (run settings, traffic, the
    /// timeline of kills and restores) and leaves the architecture alone: what a read-only
    /// diagram still allows.
    pub fn is_run_setting(&self) -> bool {
        match self {
            Edit::SetRun(_)
            | Edit::SetTraffic(_)
            | Edit::SetAlerts(_)
            | Edit::InsertTimeline { .. }
            | Edit::RemoveTimeline { .. } => true,
            Edit::Batch(edits) => !edits.is_empty() && edits.iter().all(Edit::is_run_setting),
            _ => false,
        }
    }
}

/// Why an edit was refused. The diagram is unchanged when an edit is refused.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Refusal {
    /// No component has this id.
    NoSuchComponent(ComponentId),
    /// No wire joins these two.
    NoSuchWire(ComponentId, ComponentId),
    /// The id is taken or malformed.
    BadId(ComponentId, String),
    /// A component wired to itself.
    SelfLoop(ComponentId),
    /// The two are already wired.
    DuplicateWire(ComponentId, ComponentId),
    /// This kind may not send requests to that kind.
    IllegalPair(String),
    /// The wire would let requests go round in a circle.
    WouldLoop(Vec<String>),
    /// A parameter value outside its domain, or a parameter the kind lacks.
    BadParam(ComponentId, String),
    /// A multi-edit across kinds that do not share the parameter.
    MixedKinds,
    /// A wire's latency or weight out of range.
    BadWire(String),
    /// The diagram would exceed its size limits.
    TooBig(String),
    /// Run settings or a timeline entry that cannot be used.
    BadSettings(String),
    /// The edit changes nothing.
    Empty,
    /// The diagram is read-only here (an embed with `readonly=1`); running it is still allowed.
    ReadOnly,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NoSuchComponent(id) => write!(f, "there is no component {id}"),
            Refusal::NoSuchWire(a, b) => write!(f, "{a} is not wired to {b}"),
            Refusal::BadId(id, why) => write!(f, "{id}: {why}"),
            Refusal::SelfLoop(id) => write!(f, "{id} cannot be wired to itself"),
            Refusal::DuplicateWire(a, b) => write!(f, "{a} is already wired to {b}"),
            Refusal::IllegalPair(why) => f.write_str(why),
            Refusal::WouldLoop(path) => {
                write!(f, "requests would go round a loop: {}", path.join(" → "))
            }
            Refusal::BadParam(id, why) => write!(f, "{id}: {why}"),
            Refusal::MixedKinds => {
                f.write_str("the selected components do not all have this setting")
            }
            Refusal::BadWire(why) => f.write_str(why),
            Refusal::TooBig(why) => f.write_str(why),
            Refusal::BadSettings(why) => f.write_str(why),
            Refusal::Empty => f.write_str("nothing to change"),
            Refusal::ReadOnly => {
                f.write_str("this diagram is read-only here; open it in Archplay to change it")
            }
        }
    }
}

impl std::error::Error for Refusal {}

/// Applies `edit` to `diagram`. On success returns the edit that undoes it; on refusal the
/// diagram is exactly as it was.
pub fn apply(diagram: &mut Diagram, edit: &Edit) -> Result<Edit, Refusal> {
    // Apply to a copy for compound edits so a refusal half-way leaves nothing behind; simple
    // edits check everything before changing anything.
    match edit {
        Edit::Batch(edits) => {
            let mut working = diagram.clone();
            let mut inverses = Vec::with_capacity(edits.len());
            for e in edits {
                inverses.push(apply(&mut working, e)?);
            }
            inverses.reverse();
            *diagram = working;
            Ok(Edit::Batch(inverses))
        }
        Edit::Replace(new) => {
            if let Err(problems) = new.validate() {
                let first = problems
                    .first()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                return Err(Refusal::BadParam(ComponentId::from("document"), first));
            }
            let old = std::mem::replace(diagram, (**new).clone());
            Ok(Edit::Replace(Box::new(old)))
        }
        Edit::SetRun(run) => {
            if let Some(why) = run_problems(run).into_iter().next() {
                return Err(Refusal::BadSettings(why));
            }
            Ok(Edit::SetRun(std::mem::replace(
                &mut diagram.run,
                run.clone(),
            )))
        }
        Edit::SetTraffic(traffic) => {
            if !(traffic.rate_scale.is_finite() && (0.0..=1_000.0).contains(&traffic.rate_scale)) {
                return Err(Refusal::BadSettings(format!(
                    "rate scale {} is outside 0–1000",
                    traffic.rate_scale
                )));
            }
            Ok(Edit::SetTraffic(std::mem::replace(
                &mut diagram.traffic,
                traffic.clone(),
            )))
        }
        Edit::SetAlerts(alerts) => {
            if let Some(why) = alert_problems(alerts).into_iter().next() {
                return Err(Refusal::BadSettings(why));
            }
            Ok(Edit::SetAlerts(std::mem::replace(
                &mut diagram.alerts,
                alerts.clone(),
            )))
        }
        Edit::InsertTimeline { index, entry } => {
            if *index > diagram.timeline.len() {
                return Err(Refusal::BadSettings(format!(
                    "the timeline has no place {index}"
                )));
            }
            if diagram.timeline.len() >= MAX_TIMELINE {
                return Err(Refusal::TooBig(format!(
                    "a timeline holds at most {MAX_TIMELINE} entries"
                )));
            }
            if let Some(why) = timeline_problem(diagram, entry) {
                return Err(Refusal::BadSettings(why));
            }
            diagram.timeline.insert(*index, entry.clone());
            Ok(Edit::RemoveTimeline { index: *index })
        }
        Edit::RemoveTimeline { index } => {
            if *index >= diagram.timeline.len() {
                return Err(Refusal::BadSettings(format!(
                    "the timeline has no entry {}",
                    index + 1
                )));
            }
            let entry = diagram.timeline.remove(*index);
            Ok(Edit::InsertTimeline {
                index: *index,
                entry,
            })
        }
        Edit::Insert { components, wires } => insert(diagram, components, wires),
        Edit::Remove { components, wires } => remove(diagram, components, wires),
        Edit::Restore {
            components,
            wires,
            timeline,
        } => restore(diagram, components, wires, timeline),
        Edit::Move { positions } => {
            let mut old = Vec::with_capacity(positions.len());
            for (id, x, y) in positions {
                let c = find(diagram, id)?;
                if !x.is_finite() || !y.is_finite() {
                    return Err(Refusal::BadParam(
                        id.clone(),
                        "position is not a finite number".into(),
                    ));
                }
                old.push((id.clone(), c.x, c.y));
            }
            for (id, x, y) in positions {
                let c = find_mut(diagram, id).expect("checked");
                c.x = *x;
                c.y = *y;
            }
            Ok(Edit::Move { positions: old })
        }
        Edit::SetParam { ids, name, value } => {
            if ids.is_empty() {
                return Err(Refusal::Empty);
            }
            let changes: Vec<_> = ids
                .iter()
                .map(|id| (id.clone(), name.clone(), value.clone()))
                .collect();
            set_params(diagram, &changes, true)
        }
        Edit::SetParams { changes } => set_params(diagram, changes, false),
        Edit::SetLabel { id, label } => {
            if label.chars().count() > 200 {
                return Err(Refusal::BadParam(
                    id.clone(),
                    "label is longer than 200 characters".into(),
                ));
            }
            let c = find_mut(diagram, id)?;
            let old = std::mem::replace(&mut c.label, label.clone());
            Ok(Edit::SetLabel {
                id: id.clone(),
                label: old,
            })
        }
        Edit::SetWire {
            from,
            to,
            latency_ms,
            weight,
        } => {
            check_wire_numbers(*latency_ms, *weight)?;
            let w = diagram
                .wires
                .iter_mut()
                .find(|w| &w.from == from && &w.to == to)
                .ok_or_else(|| Refusal::NoSuchWire(from.clone(), to.clone()))?;
            let old = Edit::SetWire {
                from: from.clone(),
                to: to.clone(),
                latency_ms: w.latency_ms,
                weight: w.weight,
            };
            w.latency_ms = *latency_ms;
            w.weight = *weight;
            Ok(old)
        }
        Edit::SetRegionLatency {
            a,
            b,
            round_trip_ms,
        } => {
            let same = |o: &RegionLatency| (&o.a == a && &o.b == b) || (&o.a == b && &o.b == a);
            if let Some(ms) = round_trip_ms {
                let o = RegionLatency {
                    a: a.clone(),
                    b: b.clone(),
                    round_trip_ms: *ms,
                };
                if let Some(why) = override_problem(&o) {
                    return Err(Refusal::BadSettings(why));
                }
            }
            let old = diagram
                .region_latency
                .iter()
                .find(|o| same(o))
                .map(|o| o.round_trip_ms);
            if old == *round_trip_ms {
                return Err(Refusal::Empty);
            }
            diagram.region_latency.retain(|o| !same(o));
            if let Some(ms) = round_trip_ms {
                diagram.region_latency.push(RegionLatency {
                    a: a.clone(),
                    b: b.clone(),
                    round_trip_ms: *ms,
                });
            }
            Ok(Edit::SetRegionLatency {
                a: a.clone(),
                b: b.clone(),
                round_trip_ms: old,
            })
        }
    }
}

/// Why a new wire from `from` to `to` would be refused, checked against `diagram` as it is —
/// what the editor shows while the user drags a wire over a target.
pub fn wire_refusal(diagram: &Diagram, from: &ComponentId, to: &ComponentId) -> Option<Refusal> {
    if let Some(r) = pair_refusal(diagram, from, to) {
        return Some(r);
    }
    let mut with = diagram.clone();
    with.wires.push(Wire::new(from.as_str(), to.as_str()));
    find_loop(&with).map(Refusal::WouldLoop)
}

/// Every wire rule except the loop check, which needs the whole new wire set.
fn pair_refusal(diagram: &Diagram, from: &ComponentId, to: &ComponentId) -> Option<Refusal> {
    let (Some(a), Some(b)) = (diagram.component(from), diagram.component(to)) else {
        let missing = if diagram.component(from).is_none() {
            from
        } else {
            to
        };
        return Some(Refusal::NoSuchComponent(missing.clone()));
    };
    if from == to {
        return Some(Refusal::SelfLoop(from.clone()));
    }
    if diagram.wires.iter().any(|w| &w.from == from && &w.to == to) {
        return Some(Refusal::DuplicateWire(from.clone(), to.clone()));
    }
    connection_refusal(a.kind, b.kind).map(Refusal::IllegalPair)
}

/// The first free id for a new component of `kind`: its prefix and the smallest unused number
/// (`web-1`, `web-2`, …).
pub fn next_id(diagram: &Diagram, kind: Kind) -> ComponentId {
    let prefix = kind.spec().id_prefix;
    (1..)
        .map(|n| ComponentId(format!("{prefix}-{n}")))
        .find(|id| diagram.component(id).is_none())
        .expect("some number is free")
}

/// The edit that adds copies of `components` (and of the wires among them) to `diagram`, each
/// with a fresh id and shifted by `(dx, dy)`: duplicate, and paste from a clipboard holding
/// `components` and `wires`. Wires to components outside the copied set are not copied. `None`
/// when there is nothing to copy.
pub fn copies(
    diagram: &Diagram,
    components: &[Component],
    wires: &[Wire],
    dx: f64,
    dy: f64,
) -> Option<Edit> {
    if components.is_empty() {
        return None;
    }
    let mut scratch = diagram.clone();
    let mut renamed: Vec<(ComponentId, ComponentId)> = Vec::new();
    let mut new_components = Vec::new();
    for c in components {
        let id = next_id(&scratch, c.kind);
        let mut copy = c.clone();
        copy.id = id.clone();
        copy.x = c.x + dx;
        copy.y = c.y + dy;
        renamed.push((c.id.clone(), id));
        scratch.components.push(copy.clone());
        new_components.push(copy);
    }
    let new_id = |old: &ComponentId| {
        renamed
            .iter()
            .find(|(o, _)| o == old)
            .map(|(_, n)| n.clone())
    };
    let new_wires = wires
        .iter()
        .filter_map(|w| {
            let (from, to) = (new_id(&w.from)?, new_id(&w.to)?);
            Some(Wire {
                from,
                to,
                ..w.clone()
            })
        })
        .collect();
    Some(Edit::Insert {
        components: new_components,
        wires: new_wires,
    })
}

fn find<'a>(d: &'a Diagram, id: &ComponentId) -> Result<&'a Component, Refusal> {
    d.component(id)
        .ok_or_else(|| Refusal::NoSuchComponent(id.clone()))
}

fn find_mut<'a>(d: &'a mut Diagram, id: &ComponentId) -> Result<&'a mut Component, Refusal> {
    d.components
        .iter_mut()
        .find(|c| &c.id == id)
        .ok_or_else(|| Refusal::NoSuchComponent(id.clone()))
}

fn check_wire_numbers(latency_ms: f64, weight: f64) -> Result<(), Refusal> {
    if !(latency_ms.is_finite() && (0.0..=MAX_LATENCY_MS).contains(&latency_ms)) {
        return Err(Refusal::BadWire(format!(
            "latency {latency_ms} ms is outside 0–{MAX_LATENCY_MS} ms"
        )));
    }
    if !(weight.is_finite() && weight > 0.0 && weight <= 1_000.0) {
        return Err(Refusal::BadWire(format!(
            "weight {weight} is outside (0, 1000]"
        )));
    }
    Ok(())
}

fn insert(
    diagram: &mut Diagram,
    components: &[Component],
    wires: &[Wire],
) -> Result<Edit, Refusal> {
    if components.is_empty() && wires.is_empty() {
        return Err(Refusal::Empty);
    }
    if diagram.components.len() + components.len() > MAX_COMPONENTS {
        return Err(Refusal::TooBig(format!(
            "a diagram holds at most {MAX_COMPONENTS} components"
        )));
    }
    if diagram.wires.len() + wires.len() > MAX_WIRES {
        return Err(Refusal::TooBig(format!(
            "a diagram holds at most {MAX_WIRES} wires"
        )));
    }
    let mut working = diagram.clone();
    for c in components {
        if let Some(why) = id_problem(c.id.as_str()) {
            return Err(Refusal::BadId(c.id.clone(), why));
        }
        if working.component(&c.id).is_some() {
            return Err(Refusal::BadId(
                c.id.clone(),
                "the id is already used".into(),
            ));
        }
        for (name, value) in &c.params {
            if let Some(why) = param_problem(c.kind, name, value) {
                return Err(Refusal::BadParam(c.id.clone(), why));
            }
        }
        working.components.push(c.clone());
    }
    for w in wires {
        if let Some(refusal) = pair_refusal(&working, &w.from, &w.to) {
            return Err(refusal);
        }
        check_wire_numbers(w.latency_ms, w.weight)?;
        working.wires.push(w.clone());
    }
    if !wires.is_empty()
        && let Some(path) = find_loop(&working)
    {
        return Err(Refusal::WouldLoop(path));
    }
    *diagram = working;
    Ok(Edit::Remove {
        components: components.iter().map(|c| c.id.clone()).collect(),
        wires: wires
            .iter()
            .map(|w| (w.from.clone(), w.to.clone()))
            .collect(),
    })
}

fn remove(
    diagram: &mut Diagram,
    components: &[ComponentId],
    wires: &[(ComponentId, ComponentId)],
) -> Result<Edit, Refusal> {
    if components.is_empty() && wires.is_empty() {
        return Err(Refusal::Empty);
    }
    for id in components {
        find(diagram, id)?;
    }
    for (a, b) in wires {
        if !diagram.wires.iter().any(|w| &w.from == a && &w.to == b) {
            return Err(Refusal::NoSuchWire(a.clone(), b.clone()));
        }
    }
    let gone = |id: &ComponentId| components.contains(id);
    let wire_gone = |w: &Wire| {
        gone(&w.from) || gone(&w.to) || wires.iter().any(|(a, b)| &w.from == a && &w.to == b)
    };
    // A wire's delay goes with the wire.
    let event_gone = |e: &TimelineEvent| match &e.action {
        Action::DelayWire { from, to, .. } => {
            gone(from) || gone(to) || wires.iter().any(|(a, b)| a == from && b == to)
        }
        action => action.target().is_some_and(gone),
    };
    let removed_components = take_where(&mut diagram.components, |c| gone(&c.id));
    let removed_wires = take_where(&mut diagram.wires, wire_gone);
    let removed_events = take_where(&mut diagram.timeline, event_gone);
    Ok(Edit::Restore {
        components: removed_components,
        wires: removed_wires,
        timeline: removed_events,
    })
}

/// Removes the items matching `gone` from `items` and returns them with the index each had, in
/// order — exactly what [`Edit::Restore`] needs to put them back.
fn take_where<T>(items: &mut Vec<T>, gone: impl Fn(&T) -> bool) -> Vec<(usize, T)> {
    let mut taken = Vec::new();
    let mut kept = Vec::with_capacity(items.len());
    for (i, item) in items.drain(..).enumerate() {
        if gone(&item) {
            taken.push((i, item));
        } else {
            kept.push(item);
        }
    }
    *items = kept;
    taken
}

fn restore(
    diagram: &mut Diagram,
    components: &[(usize, Component)],
    wires: &[(usize, Wire)],
    timeline: &[(usize, TimelineEvent)],
) -> Result<Edit, Refusal> {
    if components.is_empty() && wires.is_empty() {
        return Err(Refusal::Empty);
    }
    let mut working = diagram.clone();
    for (i, c) in components {
        if working.component(&c.id).is_some() {
            return Err(Refusal::BadId(
                c.id.clone(),
                "the id is already used".into(),
            ));
        }
        working
            .components
            .insert((*i).min(working.components.len()), c.clone());
    }
    for (i, w) in wires {
        if working.component(&w.from).is_none() || working.component(&w.to).is_none() {
            return Err(Refusal::NoSuchWire(w.from.clone(), w.to.clone()));
        }
        working
            .wires
            .insert((*i).min(working.wires.len()), w.clone());
    }
    for (i, e) in timeline {
        working
            .timeline
            .insert((*i).min(working.timeline.len()), e.clone());
    }
    if let Some(path) = find_loop(&working) {
        return Err(Refusal::WouldLoop(path));
    }
    *diagram = working;
    Ok(Edit::Remove {
        components: components.iter().map(|(_, c)| c.id.clone()).collect(),
        wires: wires
            .iter()
            .map(|(_, w)| (w.from.clone(), w.to.clone()))
            .collect(),
    })
}

fn set_params(
    diagram: &mut Diagram,
    changes: &[(ComponentId, String, Option<ParamValue>)],
    same_kind: bool,
) -> Result<Edit, Refusal> {
    if changes.is_empty() {
        return Err(Refusal::Empty);
    }
    let mut old = Vec::with_capacity(changes.len());
    let mut kinds = Vec::new();
    for (id, name, value) in changes {
        let c = find(diagram, id)?;
        if c.kind.spec().param(name).is_none() {
            return Err(if same_kind && !kinds.is_empty() {
                Refusal::MixedKinds
            } else {
                Refusal::BadParam(
                    id.clone(),
                    format!(
                        "a {} has no setting '{name}'",
                        c.kind.spec().name.to_lowercase()
                    ),
                )
            });
        }
        if let Some(v) = value
            && let Some(why) = param_problem(c.kind, name, v)
        {
            return Err(Refusal::BadParam(id.clone(), why));
        }
        kinds.push(c.kind);
        old.push((id.clone(), name.clone(), c.params.get(name).cloned()));
    }
    let mut working = diagram.clone();
    for (id, name, value) in changes {
        let c = find_mut(&mut working, id).expect("checked");
        match value {
            Some(v) => c.params.insert(name.clone(), v.clone()),
            None => c.params.remove(name),
        };
    }
    // Rules across parameters (the users' mix adds up to 100 %) hold after the change; only
    // problems of the edited components count (the rest of the diagram is not this edit's).
    if let Err(problems) = working.validate()
        && let Some((id, message)) = problems.iter().find_map(|p| {
            changes
                .iter()
                .find(|(id, _, _)| p.place == format!("component {id}"))
                .map(|(id, _, _)| (id.clone(), p.message.clone()))
        })
    {
        return Err(Refusal::BadParam(id, message));
    }
    *diagram = working;
    Ok(Edit::SetParams { changes: old })
}

/// Moves `ids` — with everything the data centers among them hold — by about `(dx, dy)`: an
/// arrow key or a finished drag. The offset is adjusted so the first of them (in diagram order)
/// lands on the grid, and all move by that same offset, so they keep their places relative to
/// each other. `None` when nothing is selected.
pub fn move_by(diagram: &Diagram, ids: &[ComponentId], dx: f64, dy: f64) -> Option<Edit> {
    let anchor = diagram.components.iter().find(|c| ids.contains(&c.id))?;
    let (dx, dy) = (
        snap(anchor.x + dx) - anchor.x,
        snap(anchor.y + dy) - anchor.y,
    );
    let moving = with_contents(diagram, ids);
    let positions: Vec<(ComponentId, f64, f64)> = diagram
        .components
        .iter()
        .filter(|c| moving.contains(&c.id))
        .map(|c| (c.id.clone(), c.x + dx, c.y + dy))
        .collect();
    Some(Edit::Move { positions })
}

/// Resizes data center `id` to `w × h` (a corner drag): snapped to the grid and kept at least
/// the smallest box, since a drag cannot type a wrong number. `None` if `id` is not a data
/// center or its size would not change.
pub fn resize(diagram: &Diagram, id: &ComponentId, w: f64, h: f64) -> Option<Edit> {
    let c = diagram
        .component(id)
        .filter(|c| c.kind == Kind::DataCenter)?;
    if !(w.is_finite() && h.is_finite()) {
        return None;
    }
    // The domain's largest size is a multiple of the grid; the smallest is rounded up to one.
    let w = snap(w).clamp(
        (DATA_CENTER_MIN_WIDTH / GRID).ceil() * GRID,
        DATA_CENTER_MAX,
    );
    let h = snap(h).clamp(
        (DATA_CENTER_MIN_HEIGHT / GRID).ceil() * GRID,
        DATA_CENTER_MAX,
    );
    if w == c.number("width") && h == c.number("height") {
        return None;
    }
    Some(Edit::SetParams {
        changes: vec![
            (id.clone(), "width".into(), Some(ParamValue::Number(w))),
            (id.clone(), "height".into(), Some(ParamValue::Number(h))),
        ],
    })
}
