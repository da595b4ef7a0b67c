//! GeoDNS and partitions between regions: users go to the nearest healthy data center; after a
//! data-center outage they succeed again once GeoDNS has detected it, paying the cross-region
//! round trip; a weighted policy splits traffic by weight; a partition stops requests, probes and
//! replication across it.

mod support;

use archplay::model::{Action, Component, ComponentId, Diagram, Kind, TimelineEvent, Wire};
use archplay::sim::{Simulation, StepOutcome};
use support::{component, partition, place, run, server};

fn data_center(id: &str, region: &str, y: f64) -> Component {
    place(
        Component::new(id, Kind::DataCenter)
            .with_choice("region", region)
            .with("width", 600.0)
            .with("height", 200.0),
        300.0,
        y,
    )
}

fn users(id: &str, region: &str, rate: f64) -> Component {
    Component::new(id, Kind::Users)
        .with("rate", rate)
        .with("read_pct", 100.0)
        .with("write_pct", 0.0)
        .with("static_pct", 0.0)
        .with("users", 2_000.0)
        .with_choice("region", region)
}

/// Users in Virginia and in Oregon, each 200 req/s, behind a GeoDNS (lookups free, checks every
/// 2 s, out after 3 failures) that answers with the load balancer of the East (Virginia) or the
/// West (Oregon) data center; each balancer has one web server (constant 10 ms, never
/// saturated) in its data center.
fn two_data_centers(policy: &str) -> Diagram {
    let mut d = Diagram::new("geo");
    d.components = vec![
        users("users-east", "virginia", 200.0),
        users("users-west", "oregon", 200.0),
        Component::new("geo", Kind::GeoDns)
            .with_choice("policy", policy)
            .with("lookup_ms", 0.0)
            .with("ttl_s", 60.0)
            .with("check_interval_s", 2.0)
            .with("unhealthy_threshold", 3.0)
            .with("healthy_threshold", 2.0),
        data_center("east", "virginia", 0.0),
        place(Component::new("lb-east", Kind::LoadBalancer), 320.0, 40.0),
        place(server("web-east", 64, 10.0, "constant"), 600.0, 40.0),
        data_center("west", "oregon", 400.0),
        place(Component::new("lb-west", Kind::LoadBalancer), 320.0, 440.0),
        place(server("web-west", 64, 10.0, "constant"), 600.0, 440.0),
    ];
    d.wires = vec![
        Wire::new("users-east", "geo").latency(0.0),
        Wire::new("users-west", "geo").latency(0.0),
        Wire::new("geo", "lb-east").latency(0.0),
        Wire::new("geo", "lb-west").latency(0.0),
        Wire::new("lb-east", "web-east").latency(0.0),
        Wire::new("lb-west", "web-west").latency(0.0),
    ];
    d.run.duration_s = 60.0;
    d.run.warmup_s = 0.0;
    d
}

fn at(at_s: f64, action: Action) -> TimelineEvent {
    TimelineEvent { at_s, action }
}

fn id(s: &str) -> ComponentId {
    ComponentId::from(s)
}

/// Runs `d` to the end and returns, for component `of`, the per-second column `name` as
/// (second, value).
fn column(d: &Diagram, of: &str, name: &str) -> Vec<(f64, f64)> {
    let mut sim = Simulation::new(d).expect("builds");
    assert_eq!(sim.run_to_end(u64::MAX), StepOutcome::Reached);
    sim.component_series(&id(of))
        .and_then(|s| s.column(name))
        .expect("series column")
}

#[test]
fn each_user_goes_to_the_nearest_data_center() {
    let d = two_data_centers("nearest");
    let r = run(&d);
    let sent = |u: &str| component(&r, u).arrivals as f64;
    let got = |lb: &str| component(&r, lb).arrivals as f64;
    assert_eq!(got("lb-east"), sent("users-east"));
    assert_eq!(got("lb-west"), sent("users-west"));
    // Same region all the way: the 10 ms of service and nothing else.
    assert!(
        (r.latency_ms.mean - 10.0).abs() < 0.01,
        "{}",
        r.latency_ms.mean
    );
}

#[test]
fn after_a_data_center_outage_its_users_succeed_again_within_the_detection_time() {
    let mut d = two_data_centers("nearest");
    d.run.duration_s = 90.0;
    d.timeline = vec![at(30.0, Action::Kill { target: id("west") })];
    let errors = column(&d, "users-west", "errors");
    let p50 = column(&d, "users-west", "p50_ms");
    // Detection takes at most the failure threshold's probes: 3 × 2 s.
    let detected_by: f64 = 30.0 + 3.0 * 2.0;
    let failing: Vec<f64> = errors
        .iter()
        .filter(|(_, e)| *e > 0.0)
        .map(|(t, _)| *t)
        .collect();
    assert!(
        !failing.is_empty(),
        "the outage fails requests until detected"
    );
    let first = failing[0];
    let last = *failing.last().unwrap();
    assert!(
        first > 30.0 && first <= 31.0,
        "first errors in second {first}"
    );
    // A sample at t covers (t − 1, t]: the last second with errors ends by detection.
    assert!(
        last <= detected_by.ceil(),
        "errors until {last}, detection by {detected_by}"
    );
    // Before the outage: 10 ms. After: 10 ms plus the Oregon–Virginia round trip (70 ms).
    for &(t, v) in &p50 {
        if t <= 30.0 {
            assert!((v - 10.0).abs() < 0.5, "second {t}: p50 {v}");
        } else if t > 45.0 {
            assert!((v - 80.0).abs() < 1.0, "second {t}: p50 {v}");
        }
    }
    // East users never noticed.
    let east = column(&d, "users-east", "errors");
    assert!(east.iter().all(|(_, e)| *e == 0.0));
}

#[test]
fn without_client_retries_cached_answers_keep_failing_until_they_expire() {
    let mut d = two_data_centers("nearest");
    d.run.duration_s = 90.0;
    d.components[2] = d.components[2].clone().with_choice("client_retry", "none");
    d.timeline = vec![at(30.0, Action::Kill { target: id("west") })];
    let errors = column(&d, "users-west", "errors");
    // Detected by 36 s, but answers cached before then (TTL 60 s) still name the dead data
    // center: errors go on well after detection, and stop once the last cached answer expired.
    let after_detection: f64 = errors
        .iter()
        .filter(|(t, _)| (40.0..=80.0).contains(t))
        .map(|(_, e)| e)
        .sum();
    assert!(after_detection > 100.0, "{after_detection}");
    assert!(
        errors
            .iter()
            .filter(|(t, _)| *t > 97.0)
            .all(|(_, e)| *e == 0.0)
    );
}

#[test]
fn a_weighted_policy_splits_traffic_by_the_wires_weights() {
    // The chapter's 40/30/20/10 over four data centers; every lookup answered afresh (TTL 0).
    let mut d = Diagram::new("split");
    d.components.push(users("users", "virginia", 2_000.0));
    d.components.push(
        Component::new("geo", Kind::GeoDns)
            .with_choice("policy", "weighted")
            .with("ttl_s", 0.0)
            .with("lookup_ms", 0.0),
    );
    d.wires.push(Wire::new("users", "geo").latency(0.0));
    for (i, w) in [40.0, 30.0, 20.0, 10.0].into_iter().enumerate() {
        let web = format!("web-{i}");
        d.components.push(server(&web, 64, 1.0, "constant"));
        let mut wire = Wire::new("geo", &web).latency(0.0);
        wire.weight = w;
        d.wires.push(wire);
    }
    d.run.duration_s = 50.0;
    d.run.warmup_s = 0.0;
    let r = run(&d);
    let total = component(&r, "users").arrivals as f64;
    assert!(total > 90_000.0);
    for (i, want) in [0.4, 0.3, 0.2, 0.1].into_iter().enumerate() {
        let share = component(&r, &format!("web-{i}")).arrivals as f64 / total;
        // Binomial: standard error at most 0.0016 here; 4σ.
        assert!((share - want).abs() < 0.0064, "web-{i}: {share}");
    }
}

#[test]
fn a_geo_dns_that_is_down_fails_only_lookups() {
    // As plain DNS: clients holding an answer carry on, the rest fail.
    let mut d = two_data_centers("nearest");
    d.timeline = vec![at(10.0, Action::Kill { target: id("geo") })];
    let r = run(&d);
    assert!(r.requests.failed > 0);
    assert_eq!(
        component(&r, "geo").failed.get("dns_failure").copied(),
        Some(r.requests.failed)
    );
}

/// One load balancer in Virginia with a backend in each data center; a database in Virginia
/// with a read replica in Oregon (the replica's wire has no latency of its own, so a write
/// reaches it after the 70 ms between the regions), and writes every second.
fn across_a_partition() -> Diagram {
    let mut d = Diagram::new("partition");
    d.components = vec![
        Component::new("users", Kind::Users)
            .with("rate", 100.0)
            .with("read_pct", 50.0)
            .with("write_pct", 50.0)
            .with("static_pct", 0.0)
            .with("users", 1_000.0)
            .with("keys", 100.0)
            .with_choice("region", "virginia"),
        data_center("east", "virginia", 0.0),
        place(
            Component::new("lb", Kind::LoadBalancer)
                .with("check_interval_s", 1.0)
                .with("unhealthy_threshold", 2.0)
                .with("healthy_threshold", 2.0),
            320.0,
            40.0,
        ),
        place(server("web-east", 64, 5.0, "constant"), 500.0, 40.0),
        place(
            Component::new("db", Kind::Database).with("failover_s", 3_600.0),
            700.0,
            40.0,
        ),
        data_center("west", "oregon", 400.0),
        place(server("web-west", 64, 5.0, "constant"), 500.0, 440.0),
        place(
            Component::new("replica", Kind::Replica).with("lag_ms", 0.0),
            700.0,
            440.0,
        ),
    ];
    d.wires = vec![
        Wire::new("users", "lb").latency(0.0),
        Wire::new("lb", "web-east").latency(0.0),
        Wire::new("lb", "web-west").latency(0.0),
        Wire::new("web-east", "db").latency(0.0),
        Wire::new("web-west", "db").latency(0.0),
        Wire::new("db", "replica").latency(0.0),
    ];
    d.run.duration_s = 60.0;
    d.run.warmup_s = 0.0;
    d.timeline = partition("virginia", "oregon", 20.0, 40.0);
    d
}

#[test]
fn a_partition_cuts_requests_probes_and_replication_until_it_heals() {
    let d = across_a_partition();
    let mut sim = Simulation::new(&d).expect("builds");
    assert_eq!(sim.run_to_end(u64::MAX), StepOutcome::Reached);
    let r = sim.report();
    // Requests the balancer sent west before its probes noticed (2 failures at 1 s), and calls
    // from the west's server to the database, failed as unreachable; none failed any other way.
    let unreachable = r.requests.failed;
    assert!(unreachable > 0);
    let counted: u64 = r
        .components
        .iter()
        .filter_map(|c| c.failed.get("unreachable"))
        .sum();
    assert_eq!(counted, unreachable);
    assert!(component(&r, "web-west").failed.get("unreachable").copied() > Some(0));
    // At most 2 s of the west's half of 100 req/s, plus Poisson slack.
    assert!(unreachable <= 150, "{unreachable}");
    let log: Vec<String> = sim.log().entries().map(|e| e.message.clone()).collect();
    assert!(
        log.iter()
            .any(|m| m == "web-west out of rotation (health checks failing)")
    );
    assert!(log.iter().any(|m| m == "web-west back in rotation"));
    // The replica's lag grows with the partition and catches up when it heals.
    let lag = sim
        .component_series(&id("replica"))
        .and_then(|s| s.column("lag_ms"))
        .expect("lag column");
    let lag_at = |t: f64| lag.iter().find(|(s, _)| *s == t).map(|(_, v)| *v).unwrap();
    assert!(lag_at(19.0) < 200.0, "{}", lag_at(19.0));
    for t in [30.0, 39.0] {
        // The oldest write held back was committed just after the cut, at 20 s.
        let want = (t - 20.0) * 1000.0;
        assert!(
            (lag_at(t) - want).abs() < 100.0,
            "second {t}: {}",
            lag_at(t)
        );
    }
    assert!(lag_at(41.0) < 200.0, "{}", lag_at(41.0));
}

#[test]
fn a_partition_names_two_known_regions() {
    let mut d = across_a_partition();
    d.timeline[0].action = Action::Partition {
        a: "virginia".into(),
        b: "virginia".into(),
    };
    d.timeline[1].action = Action::Heal {
        a: "atlantis".into(),
        b: "oregon".into(),
    };
    let problems = d.validate().unwrap_err();
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("virginia and virginia are the same region")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("unknown region 'atlantis'")),
        "{messages:?}"
    );
}
