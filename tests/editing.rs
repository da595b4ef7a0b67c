//! Editing rules: every edit's inverse restores the diagram exactly, refusals explain
//! themselves and change nothing, and undo/redo walk the history.

use archplay::model::edit::{next_id, wire_refusal};
use archplay::model::{
    Action, Component, ComponentId, Diagram, Edit, History, Kind, ParamValue, Refusal, RunSettings,
    TimelineEvent, Traffic, Wire, apply,
};
use archplay::sim::rng::SimRng;

fn example() -> Diagram {
    Diagram::from_json(include_str!(
        "../public/examples/load-balancer-failover.json"
    ))
    .unwrap()
}

fn id(s: &str) -> ComponentId {
    ComponentId::from(s)
}

/// A random edit that may or may not be acceptable: about half are refused.
fn random_edit(d: &Diagram, rng: &mut SimRng) -> Edit {
    // (An id that is not there once every component is gone: such edits are refused.)
    let pick = |rng: &mut SimRng| match d.components.len() {
        0 => id("gone"),
        n => d.components[rng.below(n as u64) as usize].id.clone(),
    };
    match rng.below(12) {
        0 => {
            let kind = Kind::ALL[rng.below(Kind::ALL.len() as u64) as usize];
            let mut c = Component::new(next_id(d, kind).as_str(), kind);
            c.x = rng.unit() * 1000.0;
            Edit::Insert {
                components: vec![c],
                wires: vec![],
            }
        }
        1 => Edit::Remove {
            components: vec![pick(rng)],
            wires: vec![],
        },
        2 => Edit::Move {
            positions: vec![
                (pick(rng), rng.unit() * 900.0, rng.unit() * 600.0),
                (pick(rng), 1.0, 2.0),
            ],
        },
        3 => {
            let (a, b) = (pick(rng), pick(rng));
            Edit::Insert {
                components: vec![],
                wires: vec![Wire::new(a.as_str(), b.as_str())],
            }
        }
        4 => match d.wires.get(rng.below(d.wires.len().max(1) as u64) as usize) {
            Some(w) => Edit::Remove {
                components: vec![],
                wires: vec![(w.from.clone(), w.to.clone())],
            },
            None => Edit::Batch(vec![]),
        },
        5 => Edit::SetParam {
            ids: vec![pick(rng), pick(rng)],
            name: "workers".into(),
            value: if rng.unit() < 0.2 {
                None
            } else {
                Some(ParamValue::Number((rng.below(40) as f64) - 2.0))
            },
        },
        6 => Edit::SetLabel {
            id: pick(rng),
            label: format!("label {}", rng.below(100)),
        },
        7 => Edit::SetRun(RunSettings {
            duration_s: rng.below(200) as f64 - 10.0,
            warmup_s: rng.below(30) as f64,
            seed: rng.below(1000),
            chaos_per_hour: rng.below(5000) as f64 - 100.0,
        }),
        8 => Edit::InsertTimeline {
            index: rng.below(d.timeline.len() as u64 + 2) as usize,
            entry: TimelineEvent {
                at_s: rng.below(120) as f64 - 5.0,
                action: if rng.unit() < 0.5 {
                    Action::Kill { target: pick(rng) }
                } else {
                    Action::RateScale {
                        scale: rng.unit() * 1200.0,
                    }
                },
            },
        },
        10 => Edit::SetTraffic(Traffic {
            rate_scale: rng.unit() * 1200.0 - 100.0,
        }),
        9 => Edit::RemoveTimeline {
            index: rng.below(d.timeline.len() as u64 + 1) as usize,
        },
        _ => Edit::Batch(vec![
            Edit::Move {
                positions: vec![(pick(rng), 0.0, 0.0)],
            },
            Edit::SetLabel {
                id: pick(rng),
                label: "batched".into(),
            },
        ]),
    }
}

#[test]
fn every_inverse_restores_the_diagram_exactly() {
    let mut rng = SimRng::new(2024);
    let mut d = example();
    let mut accepted = 0;
    let mut refused = 0;
    for _ in 0..3_000 {
        if d.components.is_empty() {
            d = example();
        }
        let before = d.clone();
        let edit = random_edit(&d, &mut rng);
        match apply(&mut d, &edit) {
            Ok(inverse) => {
                accepted += 1;
                d.validate()
                    .unwrap_or_else(|p| panic!("{edit:?} left an invalid diagram: {p:?}"));
                let after = d.clone();
                let redo = apply(&mut d, &inverse)
                    .unwrap_or_else(|r| panic!("inverse of {edit:?} refused: {r}"));
                assert_eq!(d, before, "undoing {edit:?}");
                apply(&mut d, &redo).unwrap();
                assert_eq!(d, after, "redoing {edit:?}");
            }
            Err(_) => {
                refused += 1;
                assert_eq!(d, before, "a refused {edit:?} changed the diagram");
            }
        }
    }
    assert!(
        accepted > 500 && refused > 200,
        "accepted {accepted}, refused {refused}"
    );
}

#[test]
fn wires_that_make_no_sense_are_refused_with_a_reason() {
    let mut d = example();
    let before = d.clone();
    let wire = |a: &str, b: &str| Edit::Insert {
        components: vec![],
        wires: vec![Wire::new(a, b)],
    };
    let cases: [(Edit, &str); 5] = [
        (wire("web-1", "web-1"), "cannot be wired to itself"),
        (wire("lb", "web-1"), "already wired"),
        (
            wire("db", "dns"),
            "Database → DNS: a database answers queries",
        ),
        (wire("web-1", "users"), "nothing sends requests to them"),
        (wire("db", "ghost"), "there is no component ghost"),
    ];
    for (edit, expect) in cases {
        let why = apply(&mut d, &edit).unwrap_err().to_string();
        assert!(why.contains(expect), "{why}");
        assert_eq!(d, before);
    }
    // A loop through two web servers.
    apply(&mut d, &wire("web-1", "web-2")).unwrap();
    let why = wire_refusal(&d, &id("web-2"), &id("web-1")).unwrap();
    assert!(matches!(why, Refusal::WouldLoop(_)), "{why}");
    assert!(
        why.to_string().contains("web-1 → web-2 → web-1")
            || why.to_string().contains("web-2 → web-1 → web-2")
    );
}

#[test]
fn invalid_settings_are_refused_never_clamped() {
    let mut d = example();
    let set = |ids: &[&str], name: &str, v: f64| Edit::SetParam {
        ids: ids.iter().map(|s| id(s)).collect(),
        name: name.into(),
        value: Some(ParamValue::Number(v)),
    };
    let why = apply(&mut d, &set(&["web-1"], "workers", 0.0))
        .unwrap_err()
        .to_string();
    assert!(
        why.contains("web-1") && why.contains("workers 0") && why.contains("1–100000"),
        "{why}"
    );
    let why = apply(&mut d, &set(&["users"], "read_pct", 80.0))
        .unwrap_err()
        .to_string();
    assert!(why.contains("add up to 120 %"), "{why}");
    let why = apply(&mut d, &set(&["web-1", "lb"], "workers", 8.0)).unwrap_err();
    assert_eq!(why, Refusal::MixedKinds);
    assert_eq!(d, example(), "nothing changed");

    // Several servers edited together, then undone together.
    let inverse = apply(&mut d, &set(&["web-1", "web-2", "web-3"], "workers", 12.0)).unwrap();
    for w in ["web-1", "web-2", "web-3"] {
        assert_eq!(d.component(&id(w)).unwrap().number("workers"), 12.0);
    }
    apply(&mut d, &inverse).unwrap();
    assert_eq!(d, example());
}

#[test]
fn removing_a_component_takes_its_wires_and_undo_puts_everything_back_in_place() {
    let mut d = example();
    let inverse = apply(
        &mut d,
        &Edit::Remove {
            components: vec![id("web-2")],
            wires: vec![],
        },
    )
    .unwrap();
    assert!(d.component(&id("web-2")).is_none());
    assert!(
        d.wires
            .iter()
            .all(|w| w.from.as_str() != "web-2" && w.to.as_str() != "web-2")
    );
    assert_eq!(d.wires.len(), example().wires.len() - 2);
    apply(&mut d, &inverse).unwrap();
    assert_eq!(d, example(), "same components and wires, in the same order");
}

#[test]
fn history_undoes_and_redoes_in_order() {
    let mut d = example();
    let mut h = History::new(100);
    assert!(!h.can_undo() && !h.undo(&mut d));
    let states: Vec<Diagram> = (0..5)
        .map(|i| {
            h.apply(
                &mut d,
                &Edit::Move {
                    positions: vec![(id("lb"), f64::from(i) * 10.0, 0.0)],
                },
            )
            .unwrap();
            d.clone()
        })
        .collect();
    assert!(h.undo(&mut d) && h.undo(&mut d));
    assert_eq!(d, states[2]);
    assert!(h.redo(&mut d));
    assert_eq!(d, states[3]);
    // A new edit forgets the redo branch.
    h.apply(
        &mut d,
        &Edit::SetLabel {
            id: id("lb"),
            label: "edge".into(),
        },
    )
    .unwrap();
    assert!(!h.can_redo() && !h.redo(&mut d));
    while h.undo(&mut d) {}
    assert_eq!(d, example());
    // A refused edit leaves no step behind.
    let steps_before = h.can_undo();
    assert!(
        h.apply(
            &mut d,
            &Edit::Batch(vec![Edit::SetLabel {
                id: id("ghost"),
                label: String::new()
            }])
        )
        .is_err()
    );
    assert_eq!(h.can_undo(), steps_before);
}

#[test]
fn history_keeps_at_most_its_limit() {
    let mut d = example();
    let mut h = History::new(3);
    for i in 0..10 {
        h.apply(
            &mut d,
            &Edit::Move {
                positions: vec![(id("lb"), f64::from(i), 0.0)],
            },
        )
        .unwrap();
    }
    let mut undone = 0;
    while h.undo(&mut d) {
        undone += 1;
    }
    assert_eq!(undone, 3);
    assert_eq!(d.component(&id("lb")).unwrap().x, 6.0);
}

#[test]
fn new_ids_take_the_first_free_number() {
    let mut d = example();
    assert_eq!(next_id(&d, Kind::WebServer), id("web-4"));
    assert_eq!(next_id(&d, Kind::Database), id("db-1"));
    apply(
        &mut d,
        &Edit::Remove {
            components: vec![id("web-2")],
            wires: vec![],
        },
    )
    .unwrap();
    assert_eq!(next_id(&d, Kind::WebServer), id("web-2"));
    let dup = Edit::Insert {
        components: vec![Component::new("web-1", Kind::WebServer)],
        wires: vec![],
    };
    assert!(matches!(apply(&mut d, &dup), Err(Refusal::BadId(..))));
}

#[test]
fn replacing_the_document_is_one_undoable_step() {
    let mut d = example();
    let mut h = History::new(10);
    let other = Diagram::from_json(include_str!("../public/examples/single-server.json")).unwrap();
    h.apply(&mut d, &Edit::Replace(Box::new(other.clone())))
        .unwrap();
    assert_eq!(d, other);
    assert!(h.undo(&mut d));
    assert_eq!(d, example());
    let mut broken = other.clone();
    broken.run.duration_s = -1.0;
    assert!(h.apply(&mut d, &Edit::Replace(Box::new(broken))).is_err());
    assert_eq!(d, example(), "an invalid document is refused whole");
}

#[test]
fn duplicating_copies_components_and_the_wires_among_them_with_fresh_ids() {
    use archplay::model::edit::copies;
    let mut d = example();
    let picked: Vec<Component> = ["lb", "web-1", "db"]
        .iter()
        .map(|i| d.component(&id(i)).unwrap().clone())
        .collect();
    let edit = copies(&d, &picked, &d.wires.clone(), 24.0, 48.0).unwrap();
    let inverse = apply(&mut d, &edit).unwrap();
    let lb2 = d
        .component(&id("lb-1"))
        .expect("a fresh id from the kind's prefix");
    assert_eq!((lb2.x, lb2.y), (400.0 + 24.0, 220.0 + 48.0));
    assert!(d.component(&id("web-4")).is_some() && d.component(&id("db-1")).is_some());
    let copied: Vec<(String, String)> = d
        .wires
        .iter()
        .skip(example().wires.len())
        .map(|w| (w.from.to_string(), w.to.to_string()))
        .collect();
    // lb → web-1 and web-1 → db were inside the set; users → dns → lb and lb → web-2 were not.
    assert_eq!(
        copied,
        [
            ("lb-1".into(), "web-4".into()),
            ("web-4".into(), "db-1".into())
        ]
    );
    apply(&mut d, &inverse).unwrap();
    assert_eq!(d, example());
    assert!(copies(&d, &[], &[], 0.0, 0.0).is_none());
}

/// A data center at (0, 0), 432 × 288, holding web-1 (centre inside) but not web-2 (box
/// overlapping the edge, centre outside), and a small data center nested inside it, whose box
/// holds dc-1's centre but not its box.
fn with_data_centers() -> Diagram {
    let mut d = Diagram::new("regions");
    let mut dc = Component::new("dc-1", Kind::DataCenter);
    dc.x = 0.0;
    dc.y = 0.0;
    let mut inner = Component::new("dc-2", Kind::DataCenter)
        .with("width", 216.0)
        .with("height", 144.0);
    inner.x = 192.0;
    inner.y = 120.0;
    let mut web1 = Component::new("web-1", Kind::WebServer);
    web1.x = 24.0;
    web1.y = 48.0;
    let mut web2 = Component::new("web-2", Kind::WebServer);
    web2.x = 360.0; // centre at x = 444, right of the box's edge at 432
    web2.y = 48.0;
    let mut db = Component::new("db-1", Kind::Database);
    db.x = 216.0; // centre (300, 184): inside both boxes (and off the grid)
    db.y = 152.0;
    d.components = vec![dc, inner, web1, web2, db];
    d
}

#[test]
fn a_data_center_holds_the_components_whose_centre_it_contains() {
    use archplay::model::geometry::{contents, data_center_of, with_contents};
    let d = with_data_centers();
    assert_eq!(
        contents(&d, &id("dc-1")),
        [id("dc-2"), id("web-1"), id("db-1")]
    );
    assert_eq!(
        contents(&d, &id("dc-2")),
        [id("db-1")],
        "not dc-1: its box is bigger"
    );
    assert!(contents(&d, &id("web-1")).is_empty(), "not a data center");
    // The innermost box is the one a component is in.
    assert_eq!(
        data_center_of(&d, &id("db-1")).map(|c| c.id.as_str()),
        Some("dc-2")
    );
    assert_eq!(
        data_center_of(&d, &id("web-1")).map(|c| c.id.as_str()),
        Some("dc-1")
    );
    assert!(data_center_of(&d, &id("web-2")).is_none());
    assert_eq!(
        with_contents(&d, &[id("web-2"), id("dc-2")]),
        [id("dc-2"), id("web-2"), id("db-1")]
    );
}

#[test]
fn moving_a_data_center_moves_what_it_holds_on_the_grid_and_undo_puts_it_back() {
    use archplay::model::edit::move_by;
    let mut d = with_data_centers();
    let before = d.clone();
    let edit = move_by(&d, &[id("dc-1")], 50.0, -20.0).unwrap();
    let inverse = apply(&mut d, &edit).unwrap();
    let at = |d: &Diagram, s: &str| {
        let c = d.component(&id(s)).unwrap();
        (c.x, c.y)
    };
    // The box lands on the grid (50 → 48, -20 → -24) and everything moves with it.
    assert_eq!(at(&d, "dc-1"), (48.0, -24.0));
    assert_eq!(at(&d, "dc-2"), (240.0, 96.0));
    assert_eq!(at(&d, "web-1"), (72.0, 24.0));
    assert_eq!(
        at(&d, "db-1"),
        (264.0, 128.0),
        "off the grid, kept in place relative to the box"
    );
    assert_eq!(at(&d, "web-2"), (360.0, 48.0), "outside the box: stays");
    apply(&mut d, &inverse).unwrap();
    assert_eq!(d, before);
    assert_eq!(move_by(&d, &[], 24.0, 0.0), None);
}

#[test]
fn resizing_a_data_center_snaps_and_keeps_a_usable_size() {
    use archplay::model::edit::resize;
    let mut d = with_data_centers();
    let size = |d: &Diagram| {
        let c = d.component(&id("dc-1")).unwrap();
        (c.number("width"), c.number("height"))
    };
    let edit = resize(&d, &id("dc-1"), 500.0, 301.0).unwrap();
    apply(&mut d, &edit).unwrap();
    assert_eq!(size(&d), (504.0, 312.0));
    // Dragged to nothing: the smallest box (216 × 144, both on the grid).
    let edit = resize(&d, &id("dc-1"), -40.0, 3.0).unwrap();
    apply(&mut d, &edit).unwrap();
    assert_eq!(size(&d), (216.0, 144.0));
    assert_eq!(
        resize(&d, &id("dc-1"), 220.0, 140.0),
        None,
        "same size after snapping"
    );
    assert_eq!(
        resize(&d, &id("web-1"), 300.0, 300.0),
        None,
        "not a data center"
    );
    assert_eq!(resize(&d, &id("dc-1"), f64::NAN, 300.0), None);
    // Typed into the inspector, a size below the minimum is refused, not clamped.
    let typed = Edit::SetParam {
        ids: vec![id("dc-1")],
        name: "width".into(),
        value: Some(ParamValue::Number(100.0)),
    };
    assert!(matches!(apply(&mut d, &typed), Err(Refusal::BadParam(..))));
}

#[test]
fn data_centers_cannot_be_wired() {
    let d = with_data_centers();
    for (from, to) in [("web-1", "dc-1"), ("dc-1", "web-1")] {
        let why = wire_refusal(&d, &id(from), &id(to))
            .expect("refused")
            .to_string();
        assert!(why.contains("box around components"), "{why}");
    }
}

#[test]
fn a_read_only_diagram_allows_exactly_the_edits_that_leave_the_architecture_alone() {
    // Judged independently of the classification: compare the components and wires before and
    // after each accepted edit.
    let mut rng = SimRng::new(7);
    let mut d = example();
    let (mut run_settings, mut architecture) = (0, 0);
    for _ in 0..3000 {
        let edit = random_edit(&d, &mut rng);
        let before = (d.components.clone(), d.wires.clone());
        if apply(&mut d, &edit).is_err() {
            continue;
        }
        let unchanged = before == (d.components.clone(), d.wires.clone());
        // (An accepted edit may also change nothing, such as resetting a parameter already at
        // its default; only the direction that matters is asserted.)
        if edit.is_run_setting() {
            assert!(
                unchanged,
                "a run setting changed the architecture: {edit:?}"
            );
            run_settings += 1;
        } else if !unchanged {
            architecture += 1;
        }
    }
    assert!(
        run_settings > 100 && architecture > 100,
        "{run_settings} / {architecture}"
    );
    assert!(!Edit::Replace(Box::new(example())).is_run_setting());
    assert!(!Edit::Batch(vec![]).is_run_setting());
    assert_eq!(
        Refusal::ReadOnly.to_string(),
        "this diagram is read-only here; open it in Archplay to change it"
    );
}

#[test]
fn round_trips_between_regions_are_edited_undone_and_checked() {
    let mut d = example();
    let set = |ms: Option<f64>| Edit::SetRegionLatency {
        a: "virginia".into(),
        b: "tokyo".into(),
        round_trip_ms: ms,
    };
    let before = d.clone();
    let undo = apply(&mut d, &set(Some(150.0))).unwrap();
    assert_eq!(d.region_latency.len(), 1);
    // The same pair written the other way round is the same pair.
    let again = apply(
        &mut d,
        &Edit::SetRegionLatency {
            a: "tokyo".into(),
            b: "virginia".into(),
            round_trip_ms: Some(120.0),
        },
    )
    .unwrap();
    assert_eq!(d.region_latency.len(), 1);
    assert_eq!(d.region_latency[0].round_trip_ms, 120.0);
    apply(&mut d, &again).unwrap();
    apply(&mut d, &undo).unwrap();
    assert_eq!(d, before, "undo restores the defaults");
    assert!(matches!(
        apply(&mut d, &set(Some(-5.0))),
        Err(Refusal::BadSettings(why)) if why.contains("outside")
    ));
    assert_eq!(apply(&mut d, &set(None)), Err(Refusal::Empty));
    assert_eq!(d, before, "refusals change nothing");
}
