//! A snapshot taken mid-run and restored carries on exactly as the original: the page hands
//! "as fast as possible" runs to a worker thread this way, so a run's results must not depend
//! on where (or in how many pieces) it was computed.

use archplay::model::{ComponentId, Diagram};
use archplay::sim::{SimDuration, SimTime, Simulation, SnapshotError, StepOutcome, fingerprint};

/// Everything a run shows: the report, the per-second series and the event log.
fn outcome(sim: &Simulation) -> (String, String, String) {
    (
        serde_json::to_string_pretty(&sim.report()).unwrap(),
        sim.series_csv(),
        serde_json::to_string(&sim.log().entries().collect::<Vec<_>>()).unwrap(),
    )
}

fn examples() -> Vec<Diagram> {
    let mut paths: Vec<_> = std::fs::read_dir("public/examples")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 19, "the shipped examples");
    paths
        .iter()
        .map(|p| {
            let mut d = Diagram::from_json(&std::fs::read_to_string(p).unwrap()).unwrap();
            // Long enough for every example's timeline to matter, short enough for CI.
            d.run.duration_s = d.run.duration_s.min(240.0);
            d
        })
        .collect()
}

fn at(seconds: f64) -> SimTime {
    SimTime::ZERO + SimDuration::from_secs_f64(seconds)
}

#[test]
fn every_example_restored_mid_run_finishes_as_the_uninterrupted_run() {
    for d in examples() {
        let mut whole = Simulation::new(&d).unwrap();
        whole.run_to_end(u64::MAX);

        // Hand the run over twice, as the page does when it moves a run to the worker and back.
        let mut sim = Simulation::new(&d).unwrap();
        sim.step_until(at(d.run.duration_s / 3.0), u64::MAX);
        let mut sim = Simulation::from_snapshot(&sim.snapshot().unwrap()).unwrap();
        // Mid-slice too: the budget stops between events at the same instant.
        sim.step_until(at(d.run.duration_s * 2.0 / 3.0), 12_345);
        let mut sim = Simulation::from_snapshot(&sim.snapshot().unwrap()).unwrap();
        sim.run_to_end(u64::MAX);

        assert!(sim.finished(), "{}", d.name);
        assert_eq!(outcome(&sim), outcome(&whole), "{}", d.name);
        assert_eq!(sim.events(), whole.events(), "{}", d.name);
    }
}

#[test]
fn live_interventions_and_tracing_survive_a_snapshot() {
    let d = Diagram::from_json(include_str!(
        "../public/examples/load-balancer-failover.json"
    ))
    .unwrap();
    let web = ComponentId::from("web-2");
    let run = |hand_over: bool| {
        let mut sim = Simulation::new(&d).unwrap();
        sim.trace_crossings(7, 1_000);
        sim.step_until(at(20.0), u64::MAX);
        assert!(sim.kill(&web));
        sim.set_rate_scale(2.0);
        if hand_over {
            sim = Simulation::from_snapshot(&sim.snapshot().unwrap()).unwrap();
        }
        sim.step_until(at(40.0), u64::MAX);
        assert!(sim.restore(&web));
        if hand_over {
            sim = Simulation::from_snapshot(&sim.snapshot().unwrap()).unwrap();
        }
        sim.run_to_end(u64::MAX);
        let crossings = sim.take_crossings();
        (
            outcome(&sim),
            crossings,
            sim.crossings_seen(),
            sim.is_up(&web),
        )
    };
    let (handed, whole) = (run(true), run(false));
    assert_eq!(handed, whole);
    assert_eq!(handed.3, Some(true));
    assert!(!handed.1.is_empty());
}

#[test]
fn bytes_that_are_not_a_snapshot_are_refused_without_a_panic() {
    let d = Diagram::from_json(include_str!("../public/examples/reference-network.json")).unwrap();
    let mut sim = Simulation::new(&d).unwrap();
    sim.step_until(at(5.0), u64::MAX);
    let good = sim.snapshot().unwrap();

    assert_eq!(
        Simulation::from_snapshot(b"hello").err(),
        Some(SnapshotError::NotASnapshot)
    );
    assert_eq!(
        Simulation::from_snapshot(&[]).err(),
        Some(SnapshotError::NotASnapshot)
    );
    // Cut short anywhere: an error naming the problem.
    for len in (0..good.len()).step_by(good.len() / 97 + 1) {
        assert!(
            Simulation::from_snapshot(&good[..len]).is_err(),
            "cut at {len}"
        );
    }
    // Trailing bytes are refused too.
    let mut long = good.clone();
    long.push(0);
    assert!(matches!(
        Simulation::from_snapshot(&long),
        Err(SnapshotError::Corrupt(_))
    ));
    // Flipped bits decode to an error or to some state; neither panics here.
    for i in (6..good.len()).step_by(good.len() / 211 + 1) {
        let mut bad = good.clone();
        bad[i] ^= 0x5a;
        let _ = Simulation::from_snapshot(&bad);
    }
    let restored = Simulation::from_snapshot(&good).unwrap();
    assert_eq!(restored.now(), sim.now());
}

#[test]
fn the_fingerprint_is_stable_and_depends_on_the_state() {
    let f = fingerprint();
    assert_ne!(f, 0);
    assert_eq!(f, fingerprint());
    // The probe's snapshot changes with its run: a different state gives different bytes, so a
    // build whose layout differs cannot share this fingerprint by accident of equal state.
    let d = Diagram::from_json(include_str!("../public/examples/mm1.json")).unwrap();
    let mut a = Simulation::new(&d).unwrap();
    let mut b = Simulation::new(&d).unwrap();
    a.step_until(at(1.0), u64::MAX);
    b.step_until(at(1.0), u64::MAX);
    assert_eq!(a.snapshot().unwrap(), b.snapshot().unwrap());
    assert_eq!(b.step_until(at(2.0), u64::MAX), StepOutcome::Reached);
    assert_ne!(a.snapshot().unwrap(), b.snapshot().unwrap());
}
