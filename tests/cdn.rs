//! CDN edges: static assets go to the nearest edge and arrive in a fraction of the time the
//! origin across the ocean takes; the edge's hit ratio is Che's; bytes from the edge and the
//! origin add up; a deploy makes every cached copy unreachable; with the edge down, clients
//! fall back to the origin.

mod support;

use archplay::model::{Action, Component, ComponentId, Diagram, Kind, TimelineEvent, Wire};
use archplay::sim::{CdnReport, Simulation};
use support::{che_lru_hit_ratio, component, run};

/// Tokyo users, a web server in a Virginia data center (the origin), and CDN edges in
/// `edges` (region names), all wired from the users and to the origin.
fn with_edges(edges: &[&str], capacity: f64, seconds: f64) -> Diagram {
    let mut d = Diagram::new("cdn");
    d.components.push(
        Component::new("users", Kind::Users)
            .with("rate", 1_000.0)
            .with("read_pct", 0.0)
            .with("write_pct", 0.0)
            .with("static_pct", 100.0)
            .with("keys", 10_000.0)
            .with_choice("key_popularity", "zipf")
            .with("zipf_s", 0.8)
            .with_choice("region", "tokyo"),
    );
    let mut dc = Component::new("dc", Kind::DataCenter).with_choice("region", "virginia");
    dc.x = 200.0;
    d.components.push(dc);
    let mut web = Component::new("origin", Kind::WebServer)
        .with("workers", 1_000.0)
        .with("service_ms", 5.0)
        .with_choice("service", "constant");
    web.x = 240.0;
    web.y = 48.0;
    d.components.push(web);
    d.wires.push(Wire::new("users", "origin").latency(0.0));
    for region in edges {
        let id = format!("cdn-{region}");
        d.components.push(
            Component::new(&id, Kind::CdnEdge)
                .with_choice("region", region)
                .with("capacity", capacity)
                .with("ttl_s", 0.0)
                .with("service_ms", 2.0)
                .with_choice("service", "constant")
                .with("asset_kb", 100.0),
        );
        d.wires.push(Wire::new("users", &id).latency(0.0));
        d.wires.push(Wire::new(&id, "origin").latency(0.0));
    }
    d.run.duration_s = seconds;
    d.run.warmup_s = 0.0;
    d
}

fn cdn(r: &archplay::sim::Report, id: &str) -> CdnReport {
    component(r, id)
        .cdn
        .expect("a CDN edge reports CDN figures")
}

#[test]
fn assets_come_from_the_nearest_edge_with_ches_hit_ratio() {
    let mut d = with_edges(&["virginia", "tokyo"], 1_000.0, 400.0);
    d.run.warmup_s = 100.0;
    let r = run(&d);
    let near = cdn(&r, "cdn-tokyo");
    assert_eq!(
        component(&r, "cdn-virginia").arrivals,
        0,
        "the far edge gets nothing"
    );
    // 300,000 measured lookups: the standard error is below 0.1 point; 1 point is Che's own.
    assert!(
        (near.hit_ratio - che_lru_hit_ratio(0.8, 10_000, 1_000.0)).abs() < 0.01,
        "{near:?} vs {}",
        che_lru_hit_ratio(0.8, 10_000, 1_000.0)
    );
    // Bytes: every asset served leaves the edge; only misses came from the origin (give or
    // take the few hundred fetches in flight across the end of warm-up).
    let gb = 100.0 / 1e6; // per asset
    let slack = 300.0 * gb;
    assert!((near.edge_gb - (near.hits + near.misses) as f64 * gb).abs() < slack);
    assert!((near.origin_gb - near.misses as f64 * gb).abs() < slack);
    assert!((near.transfer_cost - (near.edge_gb * 0.085 + near.origin_gb * 0.09)).abs() < 1e-9);
    // A hit costs 2 ms at the edge next door; a miss adds the 180 ms round trip to Virginia
    // and the origin's 5 ms.
    let want = near.hit_ratio * 2.0 + (1.0 - near.hit_ratio) * (2.0 + 180.0 + 5.0);
    assert!(
        (r.latency_ms.mean - want).abs() < 2.0,
        "{} vs {want}",
        r.latency_ms.mean
    );
}

#[test]
fn a_deploy_makes_every_cached_copy_unreachable() {
    let mut d = with_edges(&["tokyo"], 1_000.0, 40.0);
    d.timeline.push(TimelineEvent {
        at_s: 30.0,
        action: Action::Deploy,
    });
    let mut sim = Simulation::new(&d).unwrap();
    sim.run_to_end(u64::MAX);
    let hit = |t: usize| {
        sim.component_series(&ComponentId::from("cdn-tokyo"))
            .unwrap()
            .column("hit_rate")
            .unwrap()[t - 1]
            .1
    };
    // The second after the deploy starts from an empty (unreachable) cache: as cold as the
    // very first second; by the end it has refilled.
    assert!(hit(31) < hit(30) - 15.0, "{} → {}", hit(30), hit(31));
    assert!(
        (hit(31) - hit(1)).abs() < 8.0,
        "{} vs cold start {}",
        hit(31),
        hit(1)
    );
    assert!(hit(40) > hit(31) + 10.0);
    assert!(sim.log().entries().any(|e| e.message.starts_with("deploy")));
}

#[test]
fn with_the_edge_down_clients_fall_back_to_the_origin() {
    let mut d = with_edges(&["tokyo"], 1_000.0, 40.0);
    d.timeline.push(TimelineEvent {
        at_s: 20.0,
        action: Action::Kill {
            target: ComponentId::from("cdn-tokyo"),
        },
    });
    let mut sim = Simulation::new(&d).unwrap();
    sim.run_to_end(u64::MAX);
    let origin = |t: usize| {
        sim.component_series(&ComponentId::from("origin"))
            .unwrap()
            .column("arrivals")
            .unwrap()[t - 1]
            .1
    };
    // Before: only the edge's misses; after: every asset, about 1,000/s (Poisson, ±4σ).
    assert!(origin(15) < 700.0, "{}", origin(15));
    assert!((origin(30) - 1_000.0).abs() < 130.0, "{}", origin(30));
    // Only what the edge held when it died failed: mostly its fetches in flight across the
    // ocean (about miss rate × 185 ms ≈ 100).
    let failed = sim.report().requests.failed;
    assert!(failed < 250, "{failed}");
}

#[test]
fn an_edge_without_an_origin_is_refused() {
    let mut d = with_edges(&["tokyo"], 10.0, 5.0);
    d.wires.retain(|w| w.from.as_str() != "cdn-tokyo");
    let err = Simulation::new(&d).err().unwrap();
    assert!(
        err.to_string()
            .contains("cdn-tokyo is not wired to its origin"),
        "{err}"
    );
}
