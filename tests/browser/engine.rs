//! The engine in wasm32: bit-identical to the native build, and every shipped example loads and
//! runs.

use archplay::model::Diagram;
use archplay::sim::Simulation;
use wasm_bindgen_test::wasm_bindgen_test;

const FIXTURE: &str = include_str!("../fixtures/reference-network-60s.json");

const EXAMPLES: [(&str, &str); 19] = [
    (
        "single-server",
        include_str!("../../public/examples/single-server.json"),
    ),
    (
        "web-and-database",
        include_str!("../../public/examples/web-and-database.json"),
    ),
    (
        "vertical-scaling",
        include_str!("../../public/examples/vertical-scaling.json"),
    ),
    (
        "load-balancer-failover",
        include_str!("../../public/examples/load-balancer-failover.json"),
    ),
    (
        "reference-network",
        include_str!("../../public/examples/reference-network.json"),
    ),
    ("mm1", include_str!("../../public/examples/mm1.json")),
    ("mm4", include_str!("../../public/examples/mm4.json")),
    (
        "data-center-outage",
        include_str!("../../public/examples/data-center-outage.json"),
    ),
    (
        "geo-dns",
        include_str!("../../public/examples/geo-dns.json"),
    ),
    (
        "multi-primary",
        include_str!("../../public/examples/multi-primary.json"),
    ),
    (
        "replication-failover",
        include_str!("../../public/examples/replication-failover.json"),
    ),
    (
        "cache-stampede",
        include_str!("../../public/examples/cache-stampede.json"),
    ),
    (
        "global-cdn",
        include_str!("../../public/examples/global-cdn.json"),
    ),
    (
        "sticky-sessions",
        include_str!("../../public/examples/sticky-sessions.json"),
    ),
    (
        "photo-queue",
        include_str!("../../public/examples/photo-queue.json"),
    ),
    (
        "auto-scaling",
        include_str!("../../public/examples/auto-scaling.json"),
    ),
    (
        "resharding",
        include_str!("../../public/examples/resharding.json"),
    ),
    (
        "whole-chapter",
        include_str!("../../public/examples/whole-chapter.json"),
    ),
    (
        "celebrity-shard",
        include_str!("../../public/examples/celebrity-shard.json"),
    ),
];

/// Caches, replication, CDN edges and sessions, natively (`scripts/update-fixtures.sh`).
const DATA_FIXTURES: [(&str, &str); 8] = [
    (
        include_str!("../../public/examples/replication-failover.json"),
        include_str!("../fixtures/replication-failover-60s.json"),
    ),
    (
        include_str!("../../public/examples/cache-stampede.json"),
        include_str!("../fixtures/cache-stampede-60s.json"),
    ),
    (
        include_str!("../../public/examples/global-cdn.json"),
        include_str!("../fixtures/global-cdn-60s.json"),
    ),
    (
        include_str!("../../public/examples/sticky-sessions.json"),
        include_str!("../fixtures/sticky-sessions-60s.json"),
    ),
    (
        include_str!("../../public/examples/photo-queue.json"),
        include_str!("../fixtures/photo-queue-60s.json"),
    ),
    (
        include_str!("../../public/examples/celebrity-shard.json"),
        include_str!("../fixtures/celebrity-shard-60s.json"),
    ),
    (
        include_str!("../../public/examples/geo-dns.json"),
        include_str!("../fixtures/geo-dns-60s.json"),
    ),
    (
        include_str!("../../public/examples/resharding.json"),
        include_str!("../fixtures/resharding-60s.json"),
    ),
];

#[wasm_bindgen_test]
fn caches_and_replication_match_their_native_fixtures_bit_for_bit() {
    for (example, fixture) in DATA_FIXTURES {
        let mut d = Diagram::from_json(example).expect("the example loads");
        d.run.duration_s = 60.0;
        let mut sim = Simulation::new(&d).expect("the example builds");
        sim.run_to_end(u64::MAX);
        let json = serde_json::to_string_pretty(&sim.report()).expect("reports serialise");
        assert_eq!(json.trim(), fixture.trim(), "{}", d.name);
    }
}

#[wasm_bindgen_test]
fn the_browser_run_matches_the_native_fixture_bit_for_bit() {
    let mut d = Diagram::from_json(EXAMPLES[4].1).expect("the example loads");
    d.run.duration_s = 60.0;
    let mut sim = Simulation::new(&d).expect("the example builds");
    sim.run_to_end(u64::MAX);
    let json = serde_json::to_string_pretty(&sim.report()).expect("reports serialise");
    assert_eq!(json.trim(), FIXTURE.trim());
}

#[wasm_bindgen_test]
fn every_example_loads_and_runs_in_the_browser() {
    for (name, text) in EXAMPLES {
        let mut d = Diagram::from_json(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        d.run.duration_s = d.run.duration_s.min(10.0);
        d.run.warmup_s = 0.0;
        let mut sim = Simulation::new(&d).unwrap_or_else(|e| panic!("{name}: {e}"));
        sim.run_to_end(u64::MAX);
        assert!(sim.report().requests.ok > 0, "{name}: nothing succeeded");
    }
}
