//! Caches in the whole engine: the hit ratio that emerges from real keys matches the Che
//! approximation; stale reads exist exactly when the write policy allows them, with ages the
//! TTL bounds; killing the only cache sends every read to the database within a second; keys
//! split between caches, so losing one loses only its share; warming and read-through wiring.

mod support;

use archplay::model::{Action, Component, ComponentId, Diagram, Kind, TimelineEvent, Wire};
use archplay::sim::{CacheReport, Simulation};
use support::{che_lru_hit_ratio, component, run};

const KEYS: f64 = 10_000.0;

/// Users (Zipf keys) → web → cache(s) and database (cache-aside), fast enough everywhere that
/// nothing queues much: what is measured is the caching.
fn cache_aside(rate: f64, read_pct: f64, caches: &[Component], seconds: f64, seed: u64) -> Diagram {
    let mut d = Diagram::new("cache-aside");
    d.components.push(
        Component::new("users", Kind::Users)
            .with("rate", rate)
            .with("read_pct", read_pct)
            .with("write_pct", 100.0 - read_pct)
            .with("static_pct", 0.0)
            .with("users", 10_000.0)
            .with("keys", KEYS)
            .with_choice("key_popularity", "zipf")
            .with("zipf_s", 0.8),
    );
    d.components.push(
        Component::new("web", Kind::WebServer)
            .with("workers", 2_000.0)
            .with("service_ms", 0.1)
            .with("queue_capacity", 1_000_000.0),
    );
    d.components.push(
        Component::new("db", Kind::Database)
            .with("workers", 2_000.0)
            .with("read_ms", 2.0)
            .with("write_ms", 4.0)
            .with("queue_capacity", 1_000_000.0),
    );
    d.wires.push(Wire::new("users", "web"));
    d.wires.push(Wire::new("web", "db"));
    for c in caches {
        d.wires.push(Wire::new("web", c.id.as_str()));
        d.components.push(c.clone());
    }
    d.run.duration_s = seconds;
    d.run.warmup_s = 0.0;
    d.run.seed = seed;
    d
}

fn cache(id: &str, capacity: f64) -> Component {
    Component::new(id, Kind::Cache)
        .with("capacity", capacity)
        .with("ttl_s", 0.0)
        .with("workers", 1_000.0)
        .with("service_ms", 0.5)
        .with("queue_capacity", 1_000_000.0)
}

fn cache_report(r: &archplay::sim::Report, id: &str) -> CacheReport {
    component(r, id)
        .cache
        .expect("a cache reports cache figures")
}

#[test]
fn the_hit_ratio_that_emerges_matches_the_che_approximation() {
    // 2,000 reads/s for 400 s after 100 s of warm-up: 800,000 measured lookups, a standard
    // error well under 0.1 point; the tolerance (1 point) is Che's own accuracy.
    for capacity in [200.0, 2_000.0] {
        let mut d = cache_aside(2_000.0, 100.0, &[cache("cache", capacity)], 500.0, 7);
        d.run.warmup_s = 100.0;
        let r = run(&d);
        let c = cache_report(&r, "cache");
        let want = che_lru_hit_ratio(0.8, KEYS as u64, capacity);
        assert!(
            (c.hit_ratio - want).abs() < 0.01,
            "C={capacity}: engine {:.4}, Che {want:.4}",
            c.hit_ratio
        );
        // Every miss went on to the database, and only the misses (give or take the few in
        // flight across the end of warm-up).
        assert!(component(&r, "db").arrivals.abs_diff(c.misses) <= 10);
        assert_eq!(r.requests.failed + r.requests.rejected, 0);
        assert!(c.items <= capacity as u64);
    }
}

#[test]
fn write_through_with_no_ttl_serves_no_stale_read() {
    let c = cache("cache", 2_000.0).with_choice("write_policy", "write_through");
    let r = run(&cache_aside(2_000.0, 80.0, &[c], 120.0, 3));
    let c = cache_report(&r, "cache");
    assert!(c.hits > 100_000, "{c:?}");
    assert_eq!(c.stale_reads, 0, "{c:?}");
}

#[test]
fn ttl_only_serves_stale_reads_no_older_than_the_ttl() {
    let ttl = 5.0;
    let c = cache("cache", 2_000.0)
        .with_choice("write_policy", "ttl_only")
        .with("ttl_s", ttl);
    let r = run(&cache_aside(2_000.0, 80.0, &[c], 120.0, 3));
    let c = cache_report(&r, "cache");
    assert!(
        c.stale_reads > 1_000,
        "hot keys are written every few seconds: {c:?}"
    );
    // A copy is filled at most one database round trip (a few ms here) after the read that
    // fetched it, and lives for the TTL: no stale copy can be older than TTL plus that trip.
    assert!(c.max_stale_age_ms <= ttl * 1000.0 + 50.0, "{c:?}");
    assert!(c.mean_stale_age_ms > 0.0 && c.mean_stale_age_ms < ttl * 1000.0);
}

#[test]
fn invalidation_keeps_stale_reads_rare() {
    // Invalidate-on-write leaves only the race where a read's fill lands after a write's
    // invalidation: far fewer stale reads than leaving copies to expire.
    let run_with = |policy: &str| {
        let c = cache("cache", 2_000.0)
            .with_choice("write_policy", policy)
            .with("ttl_s", 60.0);
        cache_report(&run(&cache_aside(2_000.0, 80.0, &[c], 120.0, 5)), "cache")
    };
    let invalidate = run_with("invalidate");
    let ttl_only = run_with("ttl_only");
    assert!(
        invalidate.stale_reads * 20 < ttl_only.stale_reads,
        "invalidate {invalidate:?}, ttl_only {ttl_only:?}"
    );
}

fn kill_at(d: &mut Diagram, id: &str, at_s: f64) {
    d.timeline.push(TimelineEvent {
        at_s,
        action: Action::Kill {
            target: ComponentId::from(id),
        },
    });
}

/// Arrivals per second at `id` during the second ending at `t` (whole seconds).
fn arrivals_in_second(sim: &Simulation, id: &str, t: f64) -> f64 {
    let s = sim.component_series(&ComponentId::from(id)).unwrap();
    s.column("arrivals")
        .unwrap()
        .into_iter()
        .find(|(time, _)| (*time - t).abs() < 1e-9)
        .map(|(_, v)| v)
        .unwrap()
}

#[test]
fn killing_the_only_cache_sends_every_read_to_the_database_within_a_second() {
    let rate = 1_000.0;
    let mut d = cache_aside(rate, 100.0, &[cache("cache", 2_000.0)], 40.0, 11);
    kill_at(&mut d, "cache", 30.0);
    let mut sim = Simulation::new(&d).unwrap();
    sim.run_to_end(u64::MAX);
    let before = arrivals_in_second(&sim, "db", 30.0);
    let after = arrivals_in_second(&sim, "db", 31.0);
    // Before: only the misses (hit ratio ≈ 0.53 here). After: every read. One second of
    // Poisson(1000) arrivals has a standard deviation of ≈ 32; allow 4σ.
    assert!(before < 0.6 * rate, "before the kill: {before}");
    assert!(
        (after - rate).abs() < 130.0,
        "the second after the kill: {after}"
    );
    // The users see no errors: a dead cache is a miss to the application.
    let r = sim.report();
    assert_eq!(
        r.errors_by_cause.get("connection_refused"),
        None,
        "{:?}",
        r.errors_by_cause
    );
    assert!(
        sim.log()
            .entries()
            .any(|e| e.message.starts_with("cache down"))
    );
}

#[test]
fn keys_are_split_between_caches_so_losing_one_loses_its_share() {
    let rate = 2_000.0;
    let caches = [cache("cache-1", 1_000.0), cache("cache-2", 1_000.0)];
    let mut d = cache_aside(rate, 100.0, &caches, 60.0, 13);
    kill_at(&mut d, "cache-1", 30.0);
    let mut sim = Simulation::new(&d).unwrap();
    sim.run_to_end(u64::MAX);
    let r = sim.report();
    let (a, b) = (cache_report(&r, "cache-1"), cache_report(&r, "cache-2"));
    // Both took their share of lookups until one died; the survivor keeps hitting.
    assert!(a.hits > 10_000 && b.hits > 20_000, "{a:?} {b:?}");
    let db_before = arrivals_in_second(&sim, "db", 29.0);
    let db_after = (45..=60)
        .map(|t| arrivals_in_second(&sim, "db", f64::from(t)))
        .sum::<f64>()
        / 16.0;
    let survivor_hits = (45..=60)
        .map(|t| {
            let s = sim.component_series(&ComponentId::from("cache-2")).unwrap();
            s.column("hit_rate").unwrap()[t - 1].1
        })
        .sum::<f64>()
        / 16.0;
    // After: the dead cache's half of the reads all miss, the other half still hit at the
    // survivor's rate, so the database sees about (1 + (1 − h)) / 2 of the reads.
    let h = survivor_hits / 100.0;
    let expected = rate * (1.0 + (1.0 - h)) / 2.0;
    assert!(db_after > db_before * 1.3, "{db_before} → {db_after}");
    assert!(
        (db_after - expected).abs() < 0.05 * rate,
        "database after: {db_after}, expected about {expected} (survivor hit rate {h:.3})"
    );
}

#[test]
fn a_warmed_cache_starts_hitting_at_once_and_a_cold_one_does_not() {
    let first_second_hit_rate = |warm: &str| {
        let c = cache("cache", 2_000.0).with_choice("warm", warm);
        let mut sim = Simulation::new(&cache_aside(2_000.0, 100.0, &[c], 5.0, 17)).unwrap();
        sim.run_to_end(u64::MAX);
        let s = sim.component_series(&ComponentId::from("cache")).unwrap();
        s.column("hit_rate").unwrap()[0].1
    };
    let cold = first_second_hit_rate("none");
    let warm = first_second_hit_rate("hottest");
    // Warm: the 2,000 hottest keys are exactly what LFU would hold: about 62 % of reads here.
    assert!(warm > 55.0, "warm {warm}");
    assert!(cold < warm - 15.0, "cold {cold}, warm {warm}");
}

#[test]
fn read_through_wiring_fills_on_a_miss_and_has_no_fallback() {
    // web → cache → database: the cache reads through; with the cache gone, so is the path.
    let mut d = Diagram::new("read-through");
    d.components.push(
        Component::new("users", Kind::Users)
            .with("rate", 1_000.0)
            .with("read_pct", 100.0)
            .with("write_pct", 0.0)
            .with("static_pct", 0.0)
            .with("keys", KEYS)
            .with_choice("key_popularity", "zipf")
            .with("zipf_s", 0.8),
    );
    d.components
        .push(Component::new("web", Kind::WebServer).with("workers", 500.0));
    d.components.push(cache("cache", 2_000.0));
    d.components.push(
        Component::new("db", Kind::Database)
            .with("workers", 500.0)
            .with("read_ms", 2.0),
    );
    d.wires.push(Wire::new("users", "web"));
    d.wires.push(Wire::new("web", "cache"));
    d.wires.push(Wire::new("cache", "db"));
    d.run.duration_s = 60.0;
    kill_at(&mut d, "cache", 50.0);
    let r = run(&d);
    let c = cache_report(&r, "cache");
    assert!(
        component(&r, "db").arrivals.abs_diff(c.misses) <= 10,
        "misses read through"
    );
    assert!(c.hit_ratio > 0.5, "{c:?}");
    assert!(
        r.errors_by_cause
            .get("connection_refused")
            .copied()
            .unwrap_or(0)
            > 5_000,
        "{:?}",
        r.errors_by_cause
    );
}

#[test]
fn cached_runs_are_deterministic() {
    let c = cache("cache", 500.0)
        .with_choice("eviction", "random")
        .with("ttl_s", 3.0)
        .with_choice("write_policy", "ttl_only");
    let d = cache_aside(1_500.0, 90.0, &[c], 30.0, 99);
    let a = serde_json::to_string(&run(&d)).unwrap();
    let b = serde_json::to_string(&run(&d)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn a_flush_empties_the_cache_and_the_database_takes_the_reads_until_it_refills() {
    let rate = 1_000.0;
    let mut d = cache_aside(rate, 100.0, &[cache("cache", 2_000.0)], 40.0, 23);
    d.timeline.push(TimelineEvent {
        at_s: 30.0,
        action: Action::Flush {
            target: ComponentId::from("cache"),
        },
    });
    let mut sim = Simulation::new(&d).unwrap();
    sim.run_to_end(u64::MAX);
    let db = |t: f64| arrivals_in_second(&sim, "db", t);
    // The second after the flush sees far more misses than the second before, and the cache
    // refills: ten seconds later the database is back near where it was.
    assert!(db(31.0) > 1.3 * db(30.0), "{} → {}", db(30.0), db(31.0));
    assert!(db(40.0) < db(31.0), "{} then {}", db(31.0), db(40.0));
    let entry = sim
        .log()
        .entries()
        .find(|e| e.message.starts_with("cache flushed"))
        .expect("the flush is logged");
    assert_eq!(entry.time_s, 30.0);
    // The cache stayed up: the users saw no error.
    assert_eq!(sim.report().requests.failed, 0);
}

#[test]
fn only_a_cache_can_be_flushed() {
    let mut d = cache_aside(100.0, 100.0, &[cache("cache", 10.0)], 10.0, 1);
    d.timeline.push(TimelineEvent {
        at_s: 1.0,
        action: Action::Flush {
            target: ComponentId::from("db"),
        },
    });
    let err = d.validate().unwrap_err();
    assert!(
        err.iter().any(|p| p
            .message
            .contains("only a cache or a CDN edge can be flushed")),
        "{err:?}"
    );
}

#[test]
fn a_cache_reports_its_live_items_and_reclaims_expired_ones_before_evicting() {
    // Uniform reads over K keys at λ, TTL T, no writes: each key is cached for T after a miss
    // and then absent until its next read (exponential, rate λ/K), so by renewal theory it is
    // cached a share x/(1 + x) of the time, x = λT/K: 1/3 here, about 3,333 live items. With
    // room for 5,000, expired items make room for new ones and nothing live is evicted.
    let (rate, ttl, keys) = (2_500.0, 2.0, 10_000.0);
    let c = cache("cache", 5_000.0)
        .with_choice("write_policy", "ttl_only")
        .with("ttl_s", ttl);
    let mut d = cache_aside(rate, 100.0, &[c], 200.0, 5);
    d.components[0] = d.components[0]
        .clone()
        .with_choice("key_popularity", "uniform")
        .with("keys", keys);
    d.run.warmup_s = 20.0;
    let r = run(&d);
    let c = cache_report(&r, "cache");
    let x = rate * ttl / keys;
    let share = x / (1.0 + x);
    assert!((c.hit_ratio / share - 1.0).abs() < 0.02, "{c:?}");
    // Items at the end are one sample of a binomial-like count: sd ≈ √(K·s(1−s)) ≈ 47.
    let want = keys * share;
    assert!(
        (c.items as f64 - want).abs() < 5.0 * 47.0,
        "{} vs {want}",
        c.items
    );
    assert_eq!(c.evictions, 0, "{c:?}");
    // Per second, the items column says the same.
    let mut sim = Simulation::new(&d).unwrap();
    sim.run_to_end(u64::MAX);
    let items = sim
        .component_series(&ComponentId::from("cache"))
        .and_then(|s| s.column("items"))
        .unwrap();
    let late: Vec<f64> = items
        .iter()
        .filter(|(t, _)| *t > 20.0)
        .map(|(_, v)| *v)
        .collect();
    let mean = late.iter().sum::<f64>() / late.len() as f64;
    assert!((mean / want - 1.0).abs() < 0.02, "{mean} vs {want}");
}
