//! Load-balancer health checks: a dead backend keeps receiving traffic until detected, then
//! traffic spreads over the survivors; a restored backend returns after passing checks.

mod support;

use archplay::model::{Action, Component, Diagram, Kind, TimelineEvent, Wire};
use archplay::sim::{Simulation, StepOutcome};
use support::{poisson_users, server};

const INTERVAL_S: f64 = 2.0;
const THRESHOLD: f64 = 3.0;
const KILL_AT: f64 = 30.0;
const RESTORE_AT: f64 = 60.0;

fn diagram(seed: u64) -> Diagram {
    let mut d = Diagram::new("failover");
    d.components.push(poisson_users(600.0));
    d.components.push(
        Component::new("lb", Kind::LoadBalancer)
            .with("check_interval_s", INTERVAL_S)
            .with("unhealthy_threshold", THRESHOLD)
            .with("healthy_threshold", 2.0),
    );
    d.wires.push(Wire::new("users", "lb"));
    for i in 1..=3 {
        let id = format!("web-{i}");
        d.components.push(server(&id, 4, 5.0, "exponential"));
        d.wires.push(Wire::new("lb", &id));
    }
    d.timeline = vec![
        TimelineEvent {
            at_s: KILL_AT,
            action: Action::Kill {
                target: "web-2".into(),
            },
        },
        TimelineEvent {
            at_s: RESTORE_AT,
            action: Action::Restore {
                target: "web-2".into(),
            },
        },
    ];
    d.run.duration_s = 90.0;
    d.run.warmup_s = 0.0;
    d.run.seed = seed;
    d
}

fn run(seed: u64) -> Simulation {
    let mut sim = Simulation::new(&diagram(seed)).unwrap();
    assert_eq!(sim.run_to_end(u64::MAX), StepOutcome::Reached);
    sim
}

#[test]
fn errors_stop_within_detection_time_and_traffic_moves_to_the_survivors() {
    // Detection needs THRESHOLD failed probes: at most interval × threshold after the kill, plus
    // up to one interval for the first probe to land: 30 + 6 + 2 = 38 s.
    let deadline = KILL_AT + INTERVAL_S * THRESHOLD + INTERVAL_S;
    for seed in [1, 2, 3] {
        let sim = run(seed);
        let errors = sim.series().global.column("errors").unwrap();
        // Row at time t covers (t − 1, t].
        let erroring: Vec<f64> = errors
            .iter()
            .filter(|(_, e)| *e > 0.0)
            .map(|(t, _)| *t)
            .collect();
        assert!(
            !erroring.is_empty(),
            "seed {seed}: the dead backend got traffic before detection"
        );
        let first = erroring.first().unwrap();
        let last = erroring.last().unwrap();
        assert!(
            *first > KILL_AT && *first <= KILL_AT + 1.0,
            "seed {seed}: errors began at {first}"
        );
        assert!(
            *last <= deadline + 1.0,
            "seed {seed}: errors went on until {last}, past {deadline}"
        );

        // While web-2 is out, web-1 and web-3 share everything, about half each.
        let web = |i: usize| sim.series().nodes[i + 1].column("arrivals").unwrap();
        let (w1, w2, w3) = (web(1), web(2), web(3));
        let window = |col: &Vec<(f64, f64)>| -> f64 {
            col.iter()
                .filter(|(t, _)| *t > deadline + 1.0 && *t <= RESTORE_AT)
                .map(|(_, v)| v)
                .sum()
        };
        let (a1, a2, a3) = (window(&w1), window(&w2), window(&w3));
        assert_eq!(
            a2, 0.0,
            "seed {seed}: web-2 got traffic while out of rotation"
        );
        let share = a1 / (a1 + a3);
        assert!(
            (share - 0.5).abs() < 0.02,
            "seed {seed}: web-1 took {share} of the traffic"
        );
    }
}

#[test]
fn the_log_tells_the_story_and_the_backend_returns() {
    let sim = run(7);
    let log: Vec<(f64, String)> = sim
        .log()
        .entries()
        .map(|e| (e.time_s, e.message.clone()))
        .collect();
    let find = |text: &str| log.iter().find(|(_, m)| m == text).map(|(t, _)| *t);
    let down = find("web-2 down").expect("kill logged");
    let failed = find("health check failed: web-2").expect("a failed probe is logged");
    let out = find("web-2 out of rotation (health checks failing)").expect("removal logged");
    let up = find("web-2 up").expect("restore logged");
    let back = find("web-2 back in rotation").expect("return logged");
    assert_eq!(down, KILL_AT);
    assert!(down <= failed && failed < out && out <= KILL_AT + INTERVAL_S * (THRESHOLD + 1.0));
    assert_eq!(up, RESTORE_AT);
    // Two passing probes (healthy threshold 2), each at most one interval apart.
    assert!(back > up && back <= up + 2.0 * INTERVAL_S, "back at {back}");
    // And it serves again.
    let arrivals = sim.series().nodes[3].column("arrivals").unwrap();
    let after: f64 = arrivals
        .iter()
        .filter(|(t, _)| *t > back + 1.0)
        .map(|(_, v)| v)
        .sum();
    assert!(after > 0.0);
}

/// Two data centers, one server in each behind a load balancer outside both: killing the east
/// data center takes its server down with it, the balancer routes around it as for any dead
/// backend, and restoring the data center brings the server back.
#[test]
fn a_data_center_outage_takes_down_everything_inside_it() {
    let mut d = Diagram::new("two data centers");
    d.components.push(poisson_users(300.0));
    d.components.push(
        Component::new("lb", Kind::LoadBalancer)
            .with("check_interval_s", INTERVAL_S)
            .with("unhealthy_threshold", THRESHOLD)
            .with("healthy_threshold", 2.0),
    );
    d.wires.push(Wire::new("users", "lb"));
    for (i, dc) in ["dc-east", "dc-west"].into_iter().enumerate() {
        let mut b = Component::new(dc, Kind::DataCenter);
        b.x = 480.0;
        b.y = 600.0 * i as f64;
        let mut web = server(&format!("web-{}", i + 1), 4, 5.0, "exponential");
        web.x = b.x + 48.0;
        web.y = b.y + 96.0;
        d.wires.push(Wire::new("lb", web.id.as_str()));
        d.components.push(b);
        d.components.push(web);
    }
    d.timeline = vec![
        TimelineEvent {
            at_s: KILL_AT,
            action: Action::Kill {
                target: "dc-east".into(),
            },
        },
        TimelineEvent {
            at_s: RESTORE_AT,
            action: Action::Restore {
                target: "dc-east".into(),
            },
        },
    ];
    d.run.duration_s = 90.0;
    d.run.warmup_s = 0.0;
    let mut sim = Simulation::new(&d).unwrap();
    assert_eq!(sim.run_to_end(u64::MAX), StepOutcome::Reached);

    let log: Vec<(f64, String)> = sim
        .log()
        .entries()
        .map(|e| (e.time_s, e.message.clone()))
        .collect();
    let find = |text: &str| log.iter().find(|(_, m)| m == text).map(|(t, _)| *t);
    assert_eq!(
        find("dc-east down, taking web-1 with it"),
        Some(KILL_AT),
        "{log:?}"
    );
    assert_eq!(find("web-1 down"), Some(KILL_AT));
    assert_eq!(find("web-2 down"), None, "the other data center stays up");
    assert_eq!(find("web-1 up"), Some(RESTORE_AT));
    let back = find("web-1 back in rotation").expect("the server returns to the rotation");
    assert!(back > RESTORE_AT && back <= RESTORE_AT + 2.0 * INTERVAL_S);

    // Components in diagram order: users, lb, dc-east, web-1, dc-west, web-2.
    let arrivals = |i: usize, from: f64, to: f64| -> f64 {
        sim.series().nodes[i]
            .column("arrivals")
            .unwrap()
            .iter()
            .filter(|(t, _)| *t > from && *t <= to)
            .map(|(_, v)| v)
            .sum()
    };
    let detected = KILL_AT + INTERVAL_S * (THRESHOLD + 1.0) + 1.0;
    assert_eq!(
        arrivals(3, detected, RESTORE_AT),
        0.0,
        "web-1 is out of rotation"
    );
    assert!(arrivals(5, detected, RESTORE_AT) > 0.9 * 300.0 * (RESTORE_AT - detected));
    assert!(arrivals(3, back + 1.0, 90.0) > 0.0, "web-1 serves again");
}
