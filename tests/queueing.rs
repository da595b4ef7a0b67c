//! The engine against queueing theory: M/M/1, M/M/c (Erlang C), M/D/1 (Pollaczek–Khinchine),
//! load balancing as a Jackson network (random) and as E_k/M/1 (round-robin), Little's law and
//! conservation. Every expected figure is computed here from the closed form, never taken from a
//! previous run.
//!
//! Statistics: each check runs 10 independent seeds and compares their mean with theory within
//! 5 standard errors estimated from the replications (Student's t with 9 degrees of freedom
//! exceeds 5 with probability 0.07 %) plus the histogram's 0.4 % resolution for percentiles;
//! `assert_agrees` also insists the standard error is small (a few %), so a loose check cannot
//! pass by being noisy. For scale: at ρ = 0.9 one run of 200k customers has ≈ 4 % relative sd
//! on the mean sojourn (1.8 % at 10⁶, scaling as 1/√n), so 10 replications give ≈ 1.3 % and a
//! bound of ≈ 6.5 %. Warm-up (5 % of each run) removes the empty-start bias; the relaxation time
//! at ρ = 0.9, μ = 1000/s is under a second. Runs are deterministic, so a check never flakes.

mod support;

use archplay::model::{Component, Diagram, Kind, Wire};
use support::{assert_agrees, component, run, server, single_queue};

const SEEDS: [u64; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const MU: f64 = 1000.0; // per worker: 1 ms mean service

/// Runs `make(seed)` for every seed and collects `measure(report)`.
fn replicate(
    make: impl Fn(u64) -> Diagram,
    measure: impl Fn(&archplay::sim::Report) -> f64,
) -> Vec<f64> {
    SEEDS.iter().map(|&s| measure(&run(&make(s)))).collect()
}

/// Seconds needed for `customers` arrivals at `rate`, plus 5 % warm-up.
fn span(customers: f64, rate: f64) -> (f64, f64) {
    let secs = customers / rate;
    (secs, secs * 0.05)
}

fn mm1(rho: f64, customers: f64) {
    let lambda = rho * MU;
    let (secs, warm) = span(customers, lambda);
    let make = |seed| single_queue(lambda, 1, 1000.0 / MU, "exponential", secs, warm, seed);
    let mean_ms = 1000.0 / (MU - lambda);
    let p99_ms = 1000.0 * 100f64.ln() / (MU - lambda);
    let means = replicate(make, |r| component(r, "web").mean_sojourn_ms);
    assert_agrees(
        &format!("M/M/1 ρ={rho} mean sojourn (ms)"),
        &means,
        mean_ms,
        0.0,
        0.03,
    );
    let p99s = replicate(make, |r| component(r, "web").p99_sojourn_ms);
    assert_agrees(
        &format!("M/M/1 ρ={rho} p99 sojourn (ms)"),
        &p99s,
        p99_ms,
        0.004,
        0.04,
    );
    let util = replicate(make, |r| component(r, "web").station.unwrap().utilisation);
    assert_agrees(&format!("M/M/1 ρ={rho} utilisation"), &util, rho, 0.0, 0.01);
}

#[test]
fn mm1_at_half_load_matches_one_over_mu_minus_lambda() {
    mm1(0.5, 100_000.0);
}

#[test]
fn mm1_at_ninety_percent_load_matches_one_over_mu_minus_lambda() {
    mm1(0.9, 200_000.0);
}

/// Erlang C: the probability that an arrival waits in M/M/c with offered load `a = λ/μ`.
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut term = 1.0; // a^k / k!
    let mut sum = 1.0;
    for k in 1..c {
        term *= a / f64::from(k);
        sum += term;
    }
    let tail = term * a / f64::from(c) / (1.0 - a / f64::from(c));
    tail / (sum + tail)
}

fn mmc(c: u32, rho: f64, customers: f64) {
    let lambda = rho * MU * f64::from(c);
    let (secs, warm) = span(customers, lambda);
    let make = |seed| single_queue(lambda, c, 1000.0 / MU, "exponential", secs, warm, seed);
    let pw = erlang_c(c, lambda / MU);
    let decay = f64::from(c) * MU - lambda; // P(W > t) = C e^{-decay t}
    let mean_wait_ms = 1000.0 * pw / decay;
    let p99_wait_ms = 1000.0 * (pw / 0.01).ln() / decay;

    let p_wait = replicate(make, |r| component(r, "web").station.unwrap().p_wait);
    assert_agrees(&format!("M/M/{c} P(wait)"), &p_wait, pw, 0.0, 0.02);
    let waits = replicate(make, |r| component(r, "web").station.unwrap().mean_wait_ms);
    assert_agrees(
        &format!("M/M/{c} mean wait (ms)"),
        &waits,
        mean_wait_ms,
        0.0,
        0.04,
    );
    let p99 = replicate(make, |r| component(r, "web").station.unwrap().p99_wait_ms);
    assert_agrees(
        &format!("M/M/{c} p99 wait (ms)"),
        &p99,
        p99_wait_ms,
        0.004,
        0.04,
    );
}

#[test]
fn erlang_c_two_workers() {
    // c = 2, ρ = 0.9: C(2, 1.8) = 0.8526…, mean wait 4.26 ms, p99 wait 21.3 ms.
    mmc(2, 0.9, 200_000.0);
}

#[test]
fn erlang_c_eight_workers() {
    // c = 8, ρ = 0.9: C(8, 7.2) ≈ 0.67, mean wait ≈ 0.84 ms.
    mmc(8, 0.9, 300_000.0);
}

#[test]
fn erlang_c_formula_is_right() {
    // Hand-checked values: C(1, a) = a (M/M/1), and C(2, 1) = 1/3.
    assert!((erlang_c(1, 0.7) - 0.7).abs() < 1e-12);
    assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn md1_mean_wait_matches_pollaczek_khinchine() {
    // M/D/1: Wq = ρ / (2 μ (1 − ρ)); at ρ = 0.9, μ = 1000/s that is 4.5 ms, half of M/M/1's.
    let rho = 0.9;
    let lambda = rho * MU;
    let (secs, warm) = span(200_000.0, lambda);
    let make = |seed| single_queue(lambda, 1, 1000.0 / MU, "constant", secs, warm, seed);
    let want_ms = 1000.0 * rho / (2.0 * MU * (1.0 - rho));
    let waits = replicate(make, |r| component(r, "web").station.unwrap().mean_wait_ms);
    assert_agrees("M/D/1 mean wait (ms)", &waits, want_ms, 0.0, 0.03);
}

/// users → load balancer (`algorithm`) → k single-worker servers, zero-latency wires.
fn balanced(algorithm: &str, k: u32, rho: f64, customers: f64, seed: u64) -> Diagram {
    let lambda = rho * MU * f64::from(k);
    let (secs, warm) = span(customers, lambda);
    let mut d = single_queue(lambda, 1, 1.0, "exponential", secs, warm, seed);
    d.components.truncate(1);
    d.wires.clear();
    d.components
        .push(Component::new("lb", Kind::LoadBalancer).with_choice("algorithm", algorithm));
    d.wires.push(Wire::new("users", "lb").latency(0.0));
    for i in 1..=k {
        let id = format!("web-{i}");
        d.components
            .push(server(&id, 1, 1000.0 / MU, "exponential"));
        d.wires.push(Wire::new("lb", &id).latency(0.0));
    }
    d
}

fn mean_server_sojourn(r: &archplay::sim::Report) -> f64 {
    let servers: Vec<_> = r
        .components
        .iter()
        .filter(|c| c.kind == Kind::WebServer)
        .collect();
    let total: u64 = servers.iter().map(|c| c.completed).sum();
    servers
        .iter()
        .map(|c| c.mean_sojourn_ms * c.completed as f64)
        .sum::<f64>()
        / total as f64
}

#[test]
fn random_balancing_makes_each_server_an_mm1_at_lambda_over_k() {
    // A random split of a Poisson stream is Poisson (a Jackson network, exact): each of k = 4
    // servers is M/M/1 at ρ = 0.9, mean sojourn 1/(μ − λ/k) = 10 ms.
    let k = 4;
    let want_ms = 1000.0 / (MU - 0.9 * MU);
    let means = replicate(
        |s| balanced("random", k, 0.9, 200_000.0, s),
        mean_server_sojourn,
    );
    assert_agrees(
        "random LB, per-server mean sojourn (ms)",
        &means,
        want_ms,
        0.0,
        0.03,
    );
}

/// The E_k/M/1 root: σ = A*(μ(1 − σ)) with Erlang-k interarrivals of phase rate `lambda`.
fn ek_m1_sigma(k: u32, lambda: f64, mu: f64) -> f64 {
    let mut sigma = 0.5;
    for _ in 0..10_000 {
        sigma = (lambda / (lambda + mu * (1.0 - sigma))).powi(k as i32);
    }
    sigma
}

#[test]
fn round_robin_makes_each_server_an_ek_m1() {
    // Round-robin gives each server every k-th arrival: Erlang-k interarrivals, not Poisson.
    // G/M/1 theory: sojourn is exponential with rate μ(1 − σ), σ the root of
    // σ = (λ / (λ + μ(1 − σ)))^k. At k = 4, ρ = 0.9: σ ≈ 0.849, mean ≈ 6.6 ms — about a third
    // below the 10 ms a Poisson split would give.
    let k = 4;
    let lambda = 0.9 * MU * f64::from(k);
    let sigma = ek_m1_sigma(k, lambda, MU);
    let want_ms = 1000.0 / (MU * (1.0 - sigma));
    let jackson_ms = 1000.0 / (MU - lambda / f64::from(k));
    assert!(
        want_ms < 0.7 * jackson_ms,
        "theory: {want_ms} vs {jackson_ms}"
    );
    let means = replicate(
        |s| balanced("round_robin", k, 0.9, 200_000.0, s),
        mean_server_sojourn,
    );
    assert_agrees(
        "round-robin LB, per-server mean sojourn (ms)",
        &means,
        want_ms,
        0.0,
        0.03,
    );
}

#[test]
fn littles_law_holds_at_every_component() {
    // L = λW on each component's own sample path: mean number inside = arrival rate × mean
    // time inside. Exact up to the requests straddling the window's edges (< 0.5 %).
    let d = Diagram::from_json(include_str!("../public/examples/reference-network.json")).unwrap();
    let mut d = d;
    d.run.duration_s = 120.0;
    d.run.warmup_s = 10.0;
    let r = run(&d);
    for c in r.components.iter().filter(|c| c.kind != Kind::Users) {
        let l = c.mean_in_system;
        let lambda_w = c.arrival_rate * c.mean_sojourn_ms / 1000.0;
        assert!(l > 0.0, "{} saw traffic", c.id);
        assert!(
            (l / lambda_w - 1.0).abs() < 0.005,
            "{}: L = {l:.4} but λW = {lambda_w:.4}",
            c.id
        );
    }
}

#[test]
fn requests_are_conserved_through_failures_and_overload() {
    // in flight at the window's start + sent = ok + failed + rejected + in flight at its end,
    // exactly, with crashes (kill), rejections (small queue) and refusals (dead backend) all
    // happening in the window.
    let mut d =
        Diagram::from_json(include_str!("../public/examples/reference-network.json")).unwrap();
    d.run.duration_s = 60.0;
    d.run.warmup_s = 5.0;
    for c in &mut d.components {
        if c.id.as_str() == "web-1" {
            *c = c.clone().with("queue_capacity", 2.0);
        }
    }
    d.timeline = serde_json::from_str(
        r#"[{"at_s": 10, "action": "kill", "target": "web-2"},
            {"at_s": 20, "action": "kill", "target": "db"},
            {"at_s": 25, "action": "restore", "target": "db"},
            {"at_s": 40, "action": "restore", "target": "web-2"}]"#,
    )
    .unwrap();
    let r = run(&d);
    let q = r.requests;
    assert!(
        q.failed > 0 && q.rejected > 0,
        "the scenario fails and rejects: {q:?}"
    );
    assert_eq!(
        q.in_flight_at_start + q.sent,
        q.ok + q.failed + q.rejected + q.in_flight,
        "{q:?}"
    );
    let by_cause: u64 = r.errors_by_cause.values().sum();
    assert_eq!(by_cause, q.failed + q.rejected);
}

/// The engine on the reference network (users → round-robin LB → 4 servers → async database)
/// against `sim::bare`, a separate hand-written loop of the same network that shares nothing
/// with the engine but the random-number generator: their mean end-to-end latencies must agree
/// within 5 standard errors of the difference (10 seeds each, 300 s ≈ 270k requests per run).
/// No closed form covers the database (its arrivals are the servers' thinned departures), so
/// two implementations are the independent truth here.
#[test]
fn engine_agrees_with_a_bare_loop_on_the_reference_network() {
    let json = include_str!("../public/examples/reference-network.json");
    let engine: Vec<f64> = SEEDS
        .iter()
        .map(|&seed| {
            let mut d = Diagram::from_json(json).unwrap();
            d.run.duration_s = 300.0;
            d.run.warmup_s = 15.0;
            d.run.seed = seed;
            run(&d).latency_ms.mean
        })
        .collect();
    let bare: Vec<f64> = SEEDS
        .iter()
        .map(|&seed| {
            1000.0 * archplay::sim::bare::reference_network(300.0, 15.0, 100 + seed).mean_latency_s
        })
        .collect();
    let (e, e_se) = support::mean_and_se(&engine);
    let (b, b_se) = support::mean_and_se(&bare);
    let se = (e_se * e_se + b_se * b_se).sqrt();
    assert!(
        se < 0.03 * b,
        "too noisy to judge: se {se:.3} ms on {b:.3} ms"
    );
    assert!(
        (e - b).abs() <= 5.0 * se,
        "engine {e:.3} ± {e_se:.3} ms, bare loop {b:.3} ± {b_se:.3} ms: differ by more than 5 se"
    );
}

/// M/M/c/K: `c` workers, `places` waiting places (K = c + places), Poisson arrivals at
/// `lambda`, exponential service of mean `mean_ms`. Returns (mean number inside, share of
/// arrivals turned away) from the birth–death stationary distribution:
/// p_n ∝ aⁿ/n! for n ≤ c and aᶜ/c! · (a/c)ⁿ⁻ᶜ above, a = λ/μ.
fn mmck(lambda: f64, mean_ms: f64, c: u32, places: u32) -> (f64, f64) {
    let a = lambda * mean_ms / 1000.0;
    let k = c + places;
    let mut p = Vec::new();
    let mut term = 1.0;
    for n in 0..=k {
        if n > 0 {
            term *= a / f64::from(n.min(c));
        }
        p.push(term);
    }
    let total: f64 = p.iter().sum();
    let l = p
        .iter()
        .enumerate()
        .map(|(n, pn)| n as f64 * pn / total)
        .sum();
    (l, p[k as usize] / total)
}

#[test]
fn latency_is_over_served_requests_and_littles_law_covers_every_answer() {
    // M/M/2/6, overloaded (a = 2.4 on 2 workers): a fifth of the arrivals are turned away at
    // the door. The requests served wait in a full-ish queue: their mean sojourn is
    // L / λ_admitted. Counting a rejection as a 0 ms sojourn would report the station faster
    // the more it rejects.
    let (lambda, mean_ms, c, places) = (60.0, 40.0, 2, 4);
    let (l, p_reject) = mmck(lambda, mean_ms, c, places);
    let w_ms = 1000.0 * l / (lambda * (1.0 - p_reject));
    let (secs, warm) = span(100_000.0, lambda);
    let make = |seed| {
        let mut d = single_queue(lambda, c, mean_ms, "exponential", secs, warm, seed);
        d.components[1] = d.components[1]
            .clone()
            .with("queue_capacity", f64::from(places));
        d
    };
    let reports: Vec<archplay::sim::Report> = SEEDS.iter().map(|&s| run(&make(s))).collect();
    let web = |r: &archplay::sim::Report| component(r, "web").clone();
    let sojourns: Vec<f64> = reports.iter().map(|r| web(r).mean_sojourn_ms).collect();
    assert_agrees(
        "M/M/2/6 served mean sojourn (ms)",
        &sojourns,
        w_ms,
        0.0,
        0.02,
    );
    let rejected: Vec<f64> = reports
        .iter()
        .map(|r| web(r).rejected as f64 / web(r).arrivals as f64)
        .collect();
    assert_agrees("M/M/2/6 share rejected", &rejected, p_reject, 0.0, 0.02);
    for r in &reports {
        let w = web(r);
        assert!(w.rejected > 1_000);
        assert_eq!(w.mean_failed_ms, 0.0, "a rejection spends no time inside");
        // L·T = (completed × W_served + failed answers × W_failed), failures being only
        // rejections here; exact up to the requests straddling the window's edges.
        let area = w.mean_in_system * r.measured_s;
        let served = w.completed as f64 * w.mean_sojourn_ms / 1000.0;
        assert!((area / served - 1.0).abs() < 0.002, "{area} vs {served}");
    }
}
