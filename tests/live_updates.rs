//! Editing a component while the simulation runs: the new settings take effect at once and what
//! is in progress carries on (the inspector's edits during a live run).

mod support;

use archplay::model::{Component, Kind};
use archplay::sim::{SimDuration, Simulation, UpdateError};
use support::{poisson_users, single_queue};

fn column(sim: &Simulation, node: usize, name: &str, from: f64, to: f64) -> Vec<f64> {
    sim.series().nodes[node]
        .column(name)
        .unwrap()
        .into_iter()
        .filter(|(t, _)| *t > from && *t <= to)
        .map(|(_, v)| v)
        .collect()
}

#[test]
fn more_workers_drain_a_backlog_at_the_rate_queueing_predicts() {
    // 300 req/s into one worker at 10 ms (ρ = 3): the queue grows by about 200 a second.
    let d = single_queue(300.0, 1, 10.0, "exponential", 40.0, 0.0, 5);
    let mut sim = Simulation::new(&d).unwrap();
    sim.run_for(SimDuration::from_secs(10), u64::MAX);
    let backlog = column(&sim, 1, "queue", 9.0, 10.0)[0];
    // 10 s × (300 − 100) = 2,000, with Poisson noise of a few percent.
    assert!((1700.0..2300.0).contains(&backlog), "backlog {backlog}");

    // Six workers now (capacity 600/s, ρ = 0.5): the backlog drains at 600 − 300 = 300/s, so in
    // about backlog / 300 ≈ 7 s, after which the queue is what M/M/6 at ρ = 0.5 keeps (tiny).
    sim.update_component(&support::server("web", 6, 10.0, "exponential"))
        .unwrap();
    sim.run_for(SimDuration::from_secs(30), u64::MAX);
    let drain_s = backlog / 300.0;
    let during = column(&sim, 1, "throughput", 10.0, 10.0 + drain_s.floor());
    let mean_during = during.iter().sum::<f64>() / during.len() as f64;
    assert!(
        (mean_during - 600.0).abs() < 30.0,
        "while draining, all six workers are busy: {mean_during} req/s"
    );
    let settled = column(&sim, 1, "queue", 10.0 + drain_s + 5.0, 40.0);
    let mean_queue = settled.iter().sum::<f64>() / settled.len() as f64;
    assert!(mean_queue < 1.0, "queue after draining {mean_queue}");
    assert!(
        sim.log()
            .entries()
            .any(|e| e.message == "web: settings changed"),
        "the change is logged"
    );
}

#[test]
fn a_new_rate_takes_effect_at_once() {
    let d = single_queue(100.0, 8, 1.0, "exponential", 30.0, 0.0, 9);
    let mut sim = Simulation::new(&d).unwrap();
    sim.run_for(SimDuration::from_secs(10), u64::MAX);
    sim.update_component(&poisson_users(400.0)).unwrap();
    sim.run_for(SimDuration::from_secs(20), u64::MAX);
    let before: f64 = column(&sim, 0, "sent", 0.0, 10.0).iter().sum();
    let after: f64 = column(&sim, 0, "sent", 10.0, 30.0).iter().sum();
    // Poisson counts: 1,000 ± 32 before, 8,000 ± 89 after; 5 standard deviations each.
    assert!(
        (before - 1000.0).abs() < 5.0 * 1000f64.sqrt(),
        "before {before}"
    );
    assert!(
        (after - 8000.0).abs() < 5.0 * 8000f64.sqrt(),
        "after {after}"
    );
}

#[test]
fn the_same_edits_at_the_same_times_give_the_same_run() {
    let run = || {
        let d = single_queue(200.0, 2, 5.0, "exponential", 20.0, 0.0, 3);
        let mut sim = Simulation::new(&d).unwrap();
        sim.run_for(SimDuration::from_secs(5), u64::MAX);
        sim.update_component(&support::server("web", 3, 4.0, "lognormal"))
            .unwrap();
        sim.run_for(SimDuration::from_secs(5), u64::MAX);
        sim.update_component(&poisson_users(150.0)).unwrap();
        sim.run_to_end(u64::MAX);
        sim.report()
    };
    assert_eq!(run(), run());
}

#[test]
fn components_the_run_does_not_know_are_refused_with_a_reason() {
    let d = single_queue(100.0, 1, 1.0, "exponential", 10.0, 0.0, 1);
    let mut sim = Simulation::new(&d).unwrap();
    let stranger = Component::new("web-9", Kind::WebServer);
    let err = sim.update_component(&stranger).unwrap_err();
    assert_eq!(err, UpdateError::NoSuchComponent("web-9".into()));
    assert!(err.to_string().contains("Reset"), "{err}");
    let changed = Component::new("web", Kind::Database);
    assert_eq!(
        sim.update_component(&changed).unwrap_err(),
        UpdateError::KindChanged("web".into())
    );
}
