//! Diagram builders shared by the native integration tests.
#![allow(dead_code)]

use archplay::model::{Component, Diagram, Kind, Wire};
use archplay::sim::{Report, Simulation, StepOutcome};

/// Users sending only static requests (no downstream calls) from one user and one key.
pub fn poisson_users(rate: f64) -> Component {
    Component::new("users", Kind::Users)
        .with("rate", rate)
        .with("read_pct", 0.0)
        .with("write_pct", 0.0)
        .with("static_pct", 100.0)
        .with("users", 1.0)
        .with("keys", 1.0)
        .with_choice("key_popularity", "uniform")
}

/// A server with `c` workers, mean service `mean_ms` of the given distribution, an effectively
/// unbounded queue and no timeout.
pub fn server(id: &str, c: u32, mean_ms: f64, dist: &str) -> Component {
    Component::new(id, Kind::WebServer)
        .with("workers", f64::from(c))
        .with("service_ms", mean_ms)
        .with_choice("service", dist)
        .with("queue_capacity", 10_000_000.0)
        .with("timeout_ms", 3_600_000.0)
}

/// `users → web` with zero-latency wires, run for `secs` after `warmup` seconds.
pub fn single_queue(
    rate: f64,
    c: u32,
    mean_ms: f64,
    dist: &str,
    secs: f64,
    warmup: f64,
    seed: u64,
) -> Diagram {
    let mut d = Diagram::new("single queue");
    d.components.push(poisson_users(rate));
    d.components.push(server("web", c, mean_ms, dist));
    d.wires.push(Wire::new("users", "web").latency(0.0));
    d.run.duration_s = warmup + secs;
    d.run.warmup_s = warmup;
    d.run.seed = seed;
    d
}

/// Runs a diagram to its end and returns the report.
pub fn run(d: &Diagram) -> Report {
    let mut sim = Simulation::new(d).expect("the test diagram builds");
    assert_eq!(sim.run_to_end(u64::MAX), StepOutcome::Reached);
    sim.report()
}

/// The report of component `id`.
pub fn component<'a>(r: &'a Report, id: &str) -> &'a archplay::sim::ComponentReport {
    r.components
        .iter()
        .find(|c| c.id == id)
        .expect("component in report")
}
