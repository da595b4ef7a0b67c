//! Alerts: the chapter's default rules fire into the log when a run goes wrong for five
//! seconds, resolve when it recovers, and stay quiet when it is healthy.

use archplay::model::Diagram;
use archplay::sim::Simulation;

fn log_of(json: &str) -> Vec<(f64, String)> {
    let d = Diagram::from_json(json).unwrap();
    let mut sim = Simulation::new(&d).unwrap();
    sim.run_to_end(u64::MAX);
    sim.log()
        .entries()
        .map(|e| (e.time_s, e.message.clone()))
        .collect()
}

#[test]
fn a_healthy_system_raises_no_alert() {
    let log = log_of(include_str!("../public/examples/reference-network.json"));
    assert!(log.iter().all(|(_, m)| !m.starts_with("alert")), "{log:?}");
}

#[test]
fn the_stampede_fires_the_latency_alert_after_five_seconds_and_resolves_it() {
    let log = log_of(include_str!("../public/examples/cache-stampede.json"));
    let fired = log
        .iter()
        .find(|(_, m)| m.starts_with("alert: p95 latency above 1000 ms"))
        .expect("the stampede pushes p95 past a second");
    let resolved = log
        .iter()
        .find(|(t, m)| m.starts_with("resolved: p95 latency") && *t > fired.0)
        .expect("and it recovers");
    // The cache dies at 30 s; latency needs a while to pass a second, then five seconds of it.
    assert!(fired.0 > 35.0 && fired.0 < 50.0, "{fired:?}");
    assert!(
        resolved.0 > 50.0,
        "after the cache is back at 50 s: {resolved:?}"
    );
    // The dead cache's hit rate alert fires five seconds after it died.
    assert!(
        log.iter()
            .any(|(t, m)| *t == 35.0 && m.starts_with("alert: cache hit rate below 75 %"))
    );
}

#[test]
fn a_failover_fires_the_error_rate_alert() {
    let log = log_of(include_str!("../public/examples/replication-failover.json"));
    let fired = log
        .iter()
        .find(|(_, m)| m.starts_with("alert: error rate above 2 %"))
        .expect("writes fail for ten seconds");
    assert_eq!(fired.0, 35.0, "five seconds after the master died at 30 s");
    assert!(
        log.iter()
            .any(|(t, m)| m.starts_with("resolved: error rate") && *t >= 40.0)
    );
}

#[test]
fn the_diagrams_own_thresholds_decide_and_zero_turns_a_rule_off() {
    let base =
        Diagram::from_json(include_str!("../public/examples/replication-failover.json")).unwrap();
    let log = |d: &Diagram| {
        let json = d.to_json();
        log_of(&json)
    };
    // Writes are 10 % of the traffic: the failover's errors stay under 20 %, so a 20 % rule is
    // quiet where the chapter's 2 % fires; a longer hold fires later.
    let mut loose = base.clone();
    loose.alerts.error_pct = 20.0;
    assert!(
        log(&loose)
            .iter()
            .all(|(_, m)| !m.starts_with("alert: error rate"))
    );
    let mut patient = base.clone();
    patient.alerts.hold_s = 8.0;
    let fired = log(&patient)
        .into_iter()
        .find(|(_, m)| m.starts_with("alert: error rate above 2 % for 8 s"))
        .expect("fires after 8 s");
    assert_eq!(fired.0, 38.0);
    let mut off = base.clone();
    off.alerts.error_pct = 0.0;
    assert!(
        log(&off)
            .iter()
            .all(|(_, m)| !m.starts_with("alert: error rate"))
    );
    // Out-of-range rules are refused with a reason.
    let mut bad = base;
    bad.alerts.hold_s = 0.5;
    let problems = bad.validate().unwrap_err();
    assert!(
        problems[0].message.contains("whole number of seconds"),
        "{problems:?}"
    );
}
