//! Same diagram and seed, same results — bit for bit. The browser test
//! (`tests/browser/determinism.rs`) checks the wasm32 build against the same fixture.

use archplay::model::Diagram;
use archplay::sim::Simulation;

const FIXTURE: &str = include_str!("fixtures/reference-network-60s.json");

fn report_json(d: &Diagram) -> String {
    let mut sim = Simulation::new(d).unwrap();
    sim.run_to_end(u64::MAX);
    serde_json::to_string_pretty(&sim.report()).unwrap()
}

fn example() -> Diagram {
    let mut d =
        Diagram::from_json(include_str!("../public/examples/reference-network.json")).unwrap();
    d.run.duration_s = 60.0;
    d
}

#[test]
fn the_same_seed_gives_an_identical_report() {
    let d = example();
    assert_eq!(report_json(&d), report_json(&d));
}

#[test]
fn a_different_seed_gives_a_different_run() {
    let a = example();
    let mut b = example();
    b.run.seed += 1;
    assert_ne!(report_json(&a), report_json(&b));
}

#[test]
fn stepping_in_small_budgets_changes_nothing() {
    // The UI advances a few thousand events per frame; the result must not depend on how the
    // run was sliced.
    let d = example();
    let mut sim = Simulation::new(&d).unwrap();
    while sim.run_to_end(997) == archplay::sim::StepOutcome::BudgetExhausted {}
    assert_eq!(
        serde_json::to_string_pretty(&sim.report()).unwrap(),
        report_json(&d)
    );
}

#[test]
fn the_native_run_matches_the_checked_in_fixture() {
    // The fixture is what this build computes natively; the browser test compares wasm32 with
    // it. Regenerate with scripts/update-fixtures.sh when the engine's behaviour changes on
    // purpose.
    assert_eq!(report_json(&example()).trim(), FIXTURE.trim());
}

#[test]
fn caches_and_replication_match_their_checked_in_fixtures() {
    // The browser test compares wasm32 with the same files.
    for (example, fixture) in [
        (
            include_str!("../public/examples/replication-failover.json"),
            include_str!("fixtures/replication-failover-60s.json"),
        ),
        (
            include_str!("../public/examples/cache-stampede.json"),
            include_str!("fixtures/cache-stampede-60s.json"),
        ),
        (
            include_str!("../public/examples/global-cdn.json"),
            include_str!("fixtures/global-cdn-60s.json"),
        ),
        (
            include_str!("../public/examples/sticky-sessions.json"),
            include_str!("fixtures/sticky-sessions-60s.json"),
        ),
        (
            include_str!("../public/examples/photo-queue.json"),
            include_str!("fixtures/photo-queue-60s.json"),
        ),
        (
            include_str!("../public/examples/celebrity-shard.json"),
            include_str!("fixtures/celebrity-shard-60s.json"),
        ),
        (
            include_str!("../public/examples/geo-dns.json"),
            include_str!("fixtures/geo-dns-60s.json"),
        ),
        (
            include_str!("../public/examples/resharding.json"),
            include_str!("fixtures/resharding-60s.json"),
        ),
    ] {
        let mut d = Diagram::from_json(example).unwrap();
        d.run.duration_s = 60.0;
        assert_eq!(report_json(&d).trim(), fixture.trim(), "{}", d.name);
    }
}

#[test]
fn sampling_wire_crossings_changes_nothing_and_follows_the_traffic() {
    use archplay::sim::CrossingKind;
    let d = example();
    let mut sim = Simulation::new(&d).unwrap();
    sim.trace_crossings(10, 100_000);
    sim.run_to_end(u64::MAX);
    let traced = serde_json::to_string_pretty(&sim.report()).unwrap();
    assert_eq!(traced, report_json(&d), "tracing is read-only");

    let crossings = sim.take_crossings();
    let seen = sim.crossings_seen();
    assert_eq!(crossings.len() as u64, seen / 10, "every 10th kept");
    // Every request crosses users → lb → web and back (4 crossings); 30 % also web → db and
    // back (2 more): 4.6 per request, 900 req/s for 60 s.
    let per_request = seen as f64 / (900.0 * 60.0);
    assert!(
        (per_request - 4.6).abs() < 0.1,
        "{per_request} crossings per request"
    );
    let id = |i: u32| sim.component_id(i).unwrap().as_str().to_string();
    for c in &crossings {
        let (from, to) = (id(c.from), id(c.to));
        let (caller, callee) = if c.answer { (to, from) } else { (from, to) };
        assert!(
            d.wires
                .iter()
                .any(|w| w.from.as_str() == caller && w.to.as_str() == callee),
            "{caller} → {callee} is not a wire"
        );
        // Only reads and writes reach the database.
        if callee == "db" {
            assert_ne!(c.kind, CrossingKind::Static);
        }
    }
    assert!(crossings.windows(2).all(|w| w[0].at_s <= w[1].at_s + 1e-3));
}

/// `d` with its users' record keys drawn `popularity` ("uniform" or "zipf") from `keys`.
fn with_key_model(mut d: Diagram, popularity: &str, keys: f64) -> Diagram {
    use archplay::model::ParamValue;
    let users = d.components.iter_mut().find(|c| c.id.as_str() == "users");
    let params = &mut users.expect("a users component").params;
    params.insert("key_popularity".into(), ParamValue::Text(popularity.into()));
    params.insert("keys".into(), ParamValue::Number(keys));
    d
}

#[test]
fn the_key_model_changes_nothing_where_no_component_reads_keys() {
    // The reference network has no cache, replica, CDN edge or shard router: nothing looks at
    // a request's record key, so how keys are chosen cannot change the run. (The engine then
    // draws none at all, which keeps a skewed sampler off the busiest path.)
    let zipf = report_json(&with_key_model(example(), "zipf", 100_000.0));
    assert_eq!(
        zipf,
        report_json(&with_key_model(example(), "uniform", 10.0))
    );

    // With a cache in front of the database the keys decide what hits.
    let mut cached =
        Diagram::from_json(include_str!("../public/examples/cache-stampede.json")).unwrap();
    cached.run.duration_s = 20.0;
    assert_ne!(
        report_json(&with_key_model(cached.clone(), "zipf", 100_000.0)),
        report_json(&with_key_model(cached, "uniform", 10.0))
    );
}
