//! Diagram builders shared by the native integration tests.
#![allow(dead_code)]

use archplay::model::{Action, Component, Diagram, Kind, TimelineEvent, Wire};
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

/// Mean and standard error of independent estimates.
pub fn mean_and_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Asserts that independent replications agree with a closed form: the replications' mean is
/// within 5 standard errors (plus `resolution`, the measurement's own granularity, relative) of
/// `want`, and the standard error itself is below `max_rel_se` of `want`, so the check can never
/// pass by being vague.
pub fn assert_agrees(what: &str, estimates: &[f64], want: f64, resolution: f64, max_rel_se: f64) {
    let (mean, se) = mean_and_se(estimates);
    assert!(
        se <= max_rel_se * want.abs(),
        "{what}: replications too noisy to judge (se {se:.4} vs {want:.4}); run longer"
    );
    let allowed = 5.0 * se + resolution * want.abs();
    assert!(
        (mean - want).abs() <= allowed,
        "{what}: measured {mean:.4} ± {se:.4} (5 se + resolution = {allowed:.4}) but theory says {want:.4} \
         ({:+.2} %); replications {estimates:?}",
        (mean / want - 1.0) * 100.0
    );
}

/// Che's approximation of an LRU cache's hit ratio under independent requests for `keys`
/// records with Zipf(`s`) popularity: solve `Σ (1 − e^(−p_i T)) = capacity` for T, then the
/// hit ratio is `Σ p_i (1 − e^(−p_i T))`.
pub fn che_lru_hit_ratio(s: f64, keys: u64, capacity: f64) -> f64 {
    let w: Vec<f64> = (1..=keys).map(|i| (i as f64).powf(-s)).collect();
    let h: f64 = w.iter().sum();
    let p: Vec<f64> = w.into_iter().map(|x| x / h).collect();
    let filled = |t: f64| p.iter().map(|&pi| 1.0 - (-pi * t).exp()).sum::<f64>();
    let (mut lo, mut hi) = (0.0, 1.0);
    while filled(hi) < capacity {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if filled(mid) < capacity {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    p.iter().map(|&pi| pi * (1.0 - (-pi * lo).exp())).sum()
}

/// `c` at canvas position (`x`, `y`): inside a data-center box or not decides its region.
pub fn place(mut c: Component, x: f64, y: f64) -> Component {
    (c.x, c.y) = (x, y);
    c
}

/// A partition between regions `a` and `b` from `from_s` until it heals at `to_s`.
pub fn partition(a: &str, b: &str, from_s: f64, to_s: f64) -> Vec<TimelineEvent> {
    let (a, b) = (a.to_string(), b.to_string());
    vec![
        TimelineEvent {
            at_s: from_s,
            action: Action::Partition {
                a: a.clone(),
                b: b.clone(),
            },
        },
        TimelineEvent {
            at_s: to_s,
            action: Action::Heal { a, b },
        },
    ]
}
