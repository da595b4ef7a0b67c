//! Regions: a wire between regions pays half the round trip between them each way, so users
//! far from the servers see it in every request; a diagram can override a pair.

mod support;

use archplay::model::regions::RegionLatency;
use archplay::model::{Component, Diagram, Kind, Wire};
use support::run;

/// Users in `region` → one web server (constant 10 ms, lightly loaded) inside a Virginia data
/// center.
fn far_users(region: &str) -> Diagram {
    let mut d = Diagram::new("regions");
    d.components.push(
        Component::new("users", Kind::Users)
            .with("rate", 20.0)
            .with("read_pct", 0.0)
            .with("write_pct", 0.0)
            .with("static_pct", 100.0)
            .with_choice("region", region),
    );
    let mut dc = Component::new("dc", Kind::DataCenter).with_choice("region", "virginia");
    dc.x = 200.0;
    dc.y = 0.0;
    d.components.push(dc);
    let mut web = Component::new("web", Kind::WebServer)
        .with("workers", 100.0)
        .with("service_ms", 10.0)
        .with_choice("service", "constant");
    web.x = 240.0;
    web.y = 48.0;
    d.components.push(web);
    d.wires.push(Wire::new("users", "web").latency(0.0));
    d.run.duration_s = 60.0;
    d.run.warmup_s = 0.0;
    d
}

#[test]
fn far_users_pay_the_round_trip_between_regions() {
    // Constant service and no queueing: every request takes exactly 10 ms plus the network.
    for (region, round_trip) in [
        ("virginia", 0.0),
        ("new_york", 20.0),
        ("tokyo", 180.0),
        ("sydney", 230.0),
    ] {
        let r = run(&far_users(region));
        let want = 10.0 + round_trip;
        assert!(
            (r.latency_ms.mean - want).abs() < 0.1,
            "{region}: {} ms, want {want}",
            r.latency_ms.mean
        );
    }
}

#[test]
fn a_diagram_can_override_a_round_trip() {
    let mut d = far_users("tokyo");
    d.region_latency.push(RegionLatency {
        a: "virginia".into(),
        b: "tokyo".into(),
        round_trip_ms: 150.0,
    });
    assert!((run(&d).latency_ms.mean - 160.0).abs() < 0.1);
    d.region_latency[0].b = "atlantis".into();
    let problems = d.validate().unwrap_err();
    assert!(
        problems[0].message.contains("unknown region 'atlantis'"),
        "{problems:?}"
    );
}

#[test]
fn components_outside_any_data_center_have_no_region() {
    let mut d = far_users("tokyo");
    d.components.retain(|c| c.kind != Kind::DataCenter);
    assert!((run(&d).latency_ms.mean - 10.0).abs() < 0.1);
}

#[test]
fn a_delayed_wire_adds_its_delay_both_ways_until_it_is_taken_away() {
    use archplay::model::{Action, ComponentId, TimelineEvent};
    use archplay::sim::Simulation;
    let mut d = far_users("virginia");
    let delay = |at_s, ms| TimelineEvent {
        at_s,
        action: Action::DelayWire {
            from: ComponentId::from("users"),
            to: ComponentId::from("web"),
            ms,
        },
    };
    d.timeline = vec![delay(20.0, 50.0), delay(40.0, 0.0)];
    let mut sim = Simulation::new(&d).unwrap();
    sim.run_to_end(u64::MAX);
    let p50 = sim
        .component_series(&ComponentId::from("users"))
        .and_then(|s| s.column("p50_ms"))
        .unwrap();
    // 10 ms of service; 50 ms more each way while the wire is slow (seconds wholly inside).
    for (t, v) in p50 {
        let want = if (22.0..=40.0).contains(&t) {
            110.0
        } else if t <= 20.0 || t >= 42.0 {
            10.0
        } else {
            continue;
        };
        assert!((v - want).abs() < 0.5, "second {t}: {v} ms, want {want}");
    }
    let log: Vec<String> = sim.log().entries().map(|e| e.message.clone()).collect();
    assert!(log.contains(&"wire users → web slowed by 50 ms".to_string()));
    assert!(log.contains(&"wire users → web back to normal".to_string()));
    // A wire that does not exist is refused by validation, with a reason.
    d.timeline = vec![TimelineEvent {
        at_s: 1.0,
        action: Action::DelayWire {
            from: ComponentId::from("web"),
            to: ComponentId::from("users"),
            ms: 5.0,
        },
    }];
    let problems = d.validate().unwrap_err();
    assert!(
        problems[0]
            .message
            .contains("there is no wire from web to users"),
        "{problems:?}"
    );
}
