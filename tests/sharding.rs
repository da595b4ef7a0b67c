//! Sharding in the whole engine: each shard's load is the popularity of the keys it holds,
//! computed independently from the layout; sharding by user spreads evenly; a dead shard fails
//! exactly its own keys' requests.

mod support;

use archplay::model::{Action, Component, ComponentId, Diagram, Kind, TimelineEvent, Wire};
use archplay::sim::sharding::{Layout, Strategy};
use support::{component, run};

const KEYS: u64 = 1_000;
const SHARDS: u32 = 4;

/// Users (Zipf 1.2 keys) → web → router → four shard databases.
fn sharded(strategy: &str, shard_key: &str) -> Diagram {
    let mut d = Diagram::new("shards");
    d.components.push(
        Component::new("users", Kind::Users)
            .with("rate", 2_000.0)
            .with("read_pct", 90.0)
            .with("write_pct", 10.0)
            .with("static_pct", 0.0)
            .with("users", 100_000.0)
            .with("keys", KEYS as f64)
            .with_choice("key_popularity", "zipf")
            .with("zipf_s", 1.2),
    );
    d.components
        .push(Component::new("web", Kind::WebServer).with("workers", 1_000.0));
    d.components.push(
        Component::new("router", Kind::ShardRouter)
            .with_choice("strategy", strategy)
            .with_choice("shard_key", shard_key),
    );
    d.wires.push(Wire::new("users", "web"));
    d.wires.push(Wire::new("web", "router"));
    for i in 1..=SHARDS {
        let id = format!("shard-{i}");
        d.components.push(
            Component::new(&id, Kind::Database)
                .with("workers", 1_000.0)
                .with("read_ms", 1.0)
                .with("write_ms", 1.0),
        );
        d.wires.push(Wire::new("router", &id));
    }
    d.run.duration_s = 120.0;
    d.run.warmup_s = 0.0;
    d
}

fn shares(r: &archplay::sim::Report) -> Vec<f64> {
    let counts: Vec<f64> = (1..=SHARDS)
        .map(|i| component(r, &format!("shard-{i}")).arrivals as f64)
        .collect();
    let total: f64 = counts.iter().sum();
    counts.into_iter().map(|c| c / total).collect()
}

#[test]
fn each_shard_carries_the_popularity_of_the_keys_it_holds() {
    let w: Vec<f64> = (1..=KEYS).map(|i| (i as f64).powf(-1.2)).collect();
    let h: f64 = w.iter().sum();
    for (name, strategy) in [
        ("modulo", Strategy::Modulo),
        ("consistent", Strategy::Consistent { vnodes: 100 }),
        ("range", Strategy::Range { keys: KEYS }),
    ] {
        // The same layout the router builds (ring layout 1, the default).
        let layout = Layout::new(strategy, SHARDS, 1);
        let mut expected = vec![0.0; SHARDS as usize];
        for (k, wk) in w.iter().enumerate() {
            expected[layout.shard_of(k as u64) as usize] += wk / h;
        }
        let got = shares(&run(&sharded(name, "key")));
        // 240,000 requests: each share's standard error is under 0.1 point.
        for (g, e) in got.iter().zip(&expected) {
            assert!((g - e).abs() < 0.01, "{name}: {got:?} vs {expected:?}");
        }
        // Under ranges the first shard holds the most popular keys: a hot shard.
        if name == "range" {
            assert!(got[0] > 0.6, "{got:?}");
        }
    }
}

#[test]
fn sharding_by_user_spreads_the_load_evenly() {
    let got = shares(&run(&sharded("modulo", "user")));
    for g in &got {
        assert!((g - 0.25).abs() < 0.01, "{got:?}");
    }
}

#[test]
fn a_dead_shard_fails_its_own_keys_only() {
    let mut d = sharded("consistent", "key");
    d.timeline.push(TimelineEvent {
        at_s: 0.0,
        action: Action::Kill {
            target: ComponentId::from("shard-2"),
        },
    });
    let r = run(&d);
    let alive = sharded("consistent", "key");
    let share = shares(&run(&alive))[1];
    let failed = r.requests.failed as f64 / r.requests.sent as f64;
    assert!(
        (failed - share).abs() < 0.01,
        "failed {failed}, shard-2's share {share}"
    );
}

/// `sharded`, with `wired` shard databases of which `active` are in use, serving `ms` (mean,
/// exponential) per query.
fn with_shards(strategy: &str, wired: u32, active: u32, ms: f64) -> Diagram {
    let mut d = sharded(strategy, "key");
    d.components.retain(|c| c.kind != Kind::Database);
    d.wires.retain(|w| !w.to.as_str().starts_with("shard-"));
    for i in 1..=wired {
        let id = format!("shard-{i}");
        d.components.push(
            Component::new(&id, Kind::Database)
                .with("workers", 1_000.0)
                .with("read_ms", ms)
                .with("write_ms", ms),
        );
        d.wires.push(Wire::new("router", &id).latency(0.0));
    }
    d.components[2] = d.components[2].clone().with("shards", f64::from(active));
    d
}

#[test]
fn resharding_live_moves_exactly_the_keys_the_layouts_disagree_on_and_copies_them() {
    // Modulo over 4 of 8 wired shards; at 10 s, 8. The keys that move are those whose shard
    // differs between the two layouts (computed here from the layouts themselves); each is
    // copied at 100 a second: a read at its old shard and a write at its new one.
    let mut d = with_shards("modulo", 8, 4, 1.0);
    d.components[2] = d.components[2].clone().with("migration_keys_per_s", 100.0);
    d.timeline.push(TimelineEvent {
        at_s: 10.0,
        action: Action::Reshard {
            target: ComponentId::from("router"),
            shards: 8,
        },
    });
    d.run.duration_s = 30.0;
    let four = Layout::new(Strategy::Modulo, 4, 1);
    let moved = (0..KEYS)
        .filter(|&k| four.shard_of(k) != four.resized(8).shard_of(k))
        .count() as u64;
    assert!((450..550).contains(&moved), "about half: {moved}");
    let mut sim = archplay::sim::Simulation::new(&d).unwrap();
    sim.run_to_end(u64::MAX);
    let r = sim.report();
    let log: Vec<(f64, String)> = sim
        .log()
        .entries()
        .map(|e| (e.time_s, e.message.clone()))
        .collect();
    let pct = 100.0 * moved as f64 / KEYS as f64;
    let start =
        format!("router: resharding 4 → 8 shards: {pct:.1} % of keys move ({moved} to copy");
    assert!(
        log.iter().any(|(t, m)| *t == 10.0 && m.starts_with(&start)),
        "{log:?}"
    );
    let done = log
        .iter()
        .find(|(_, m)| m == "router: resharding done")
        .map(|(t, _)| *t)
        .expect("done");
    // One key every 10 ms from 10 s.
    let want = 10.0 + moved as f64 / 100.0;
    assert!((done - want).abs() <= 0.011, "done at {done}, want {want}");
    // Every user request reached one shard; the copies added two queries per moved key.
    let router = component(&r, "router").arrivals;
    let at_shards: u64 = (1..=8)
        .map(|i| component(&r, &format!("shard-{i}")).arrivals)
        .sum();
    assert_eq!(at_shards, router + 2 * moved);
    // The new shards took no traffic before the resharding, and their share after it.
    let series = |id: &str| {
        sim.component_series(&ComponentId::from(id))
            .and_then(|s| s.column("arrivals"))
            .unwrap()
    };
    for i in 5..=8 {
        let s = series(&format!("shard-{i}"));
        assert!(s.iter().filter(|(t, _)| *t <= 10.0).all(|(_, v)| *v == 0.0));
        assert!(s.iter().filter(|(t, _)| *t > 17.0).all(|(_, v)| *v > 0.0));
    }
    let shards = sim
        .component_series(&ComponentId::from("router"))
        .and_then(|s| s.column("shards"))
        .unwrap();
    assert_eq!(shards.first().unwrap().1, 4.0);
    assert_eq!(shards.last().unwrap().1, 8.0);
    // The report counts each shard's keys under the new layout, and nothing left to copy.
    let router = component(&r, "router")
        .router
        .clone()
        .expect("router figures");
    let mut want = vec![0u64; 8];
    for k in 0..KEYS {
        want[four.resized(8).shard_of(k) as usize] += 1;
    }
    assert_eq!(
        (router.shards, router.keys_per_shard, router.keys_to_move),
        (8, want, 0)
    );
}

#[test]
fn a_cross_shard_read_waits_for_the_slowest_shard() {
    // Every request a read that needs all 4 shards, each answering in an exponential 10 ms
    // with no queueing: the read takes the largest of 4, whose mean is
    // 10 × (1 + 1/2 + 1/3 + 1/4) = 20.83 ms, and each shard sees every read.
    let mut d = with_shards("consistent", 4, 4, 10.0);
    d.components[0] = d.components[0]
        .clone()
        .with("read_pct", 100.0)
        .with("write_pct", 0.0);
    d.components[2] = d.components[2].clone().with("cross_shard_pct", 100.0);
    let r = run(&d);
    let router = component(&r, "router");
    let want = 10.0 * (1.0 + 0.5 + 1.0 / 3.0 + 0.25);
    assert!(
        (router.mean_sojourn_ms - want).abs() < 0.3,
        "{} vs {want}",
        router.mean_sojourn_ms
    );
    for i in 1..=4 {
        let a = component(&r, &format!("shard-{i}")).arrivals;
        assert!(
            a.abs_diff(router.arrivals) <= 4,
            "shard-{i}: {a} vs {}",
            router.arrivals
        );
    }
    // Co-located reads (none cross-shard) take one shard's 10 ms.
    d.components[2] = d.components[2].clone().with("cross_shard_pct", 0.0);
    let single = component(&run(&d), "router").mean_sojourn_ms;
    assert!((single - 10.0).abs() < 0.2, "{single}");
}

#[test]
fn a_pinned_celebrity_gets_a_shard_to_itself() {
    // Zipf 1.2 over 1,000 keys: the top key alone is 1/H of the traffic (H = Σ k^−1.2); pinned,
    // it is the whole of the last shard's load.
    let mut d = with_shards("consistent", 4, 4, 1.0);
    d.components[2] = d.components[2].clone().with("pinned_keys", 1.0);
    let h: f64 = (1..=KEYS).map(|i| (i as f64).powf(-1.2)).sum();
    let got = shares(&run(&d));
    assert!((got[3] - 1.0 / h).abs() < 0.01, "{got:?} vs {}", 1.0 / h);
    // The other keys spread over the other three shards by the ring, as if key 1 were key 0.
    let three = Layout::new(Strategy::Consistent { vnodes: 100 }, 3, 1);
    let mut want = [0.0; 3];
    for k in 1..KEYS {
        want[three.shard_of(k - 1) as usize] += ((k + 1) as f64).powf(-1.2) / h;
    }
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 0.01, "{got:?} vs {want:?}");
    }
}

#[test]
fn a_shard_with_replicas_reads_from_them_and_writes_to_its_primary() {
    let mut d = with_shards("consistent", 4, 4, 1.0);
    d.components
        .push(Component::new("shard-1-replica", Kind::Replica).with("read_ms", 1.0));
    d.wires
        .push(Wire::new("shard-1", "shard-1-replica").latency(0.0));
    let r = run(&d);
    let (primary, replica) = (component(&r, "shard-1"), component(&r, "shard-1-replica"));
    // 90 % reads: the replica takes them all, the primary only the writes.
    let share = replica.arrivals as f64 / (primary.arrivals + replica.arrivals) as f64;
    assert!((share - 0.9).abs() < 0.01, "{share}");
}

#[test]
fn a_router_asked_for_more_shards_than_wired_is_refused() {
    let d = with_shards("consistent", 4, 6, 1.0);
    let err = archplay::sim::Simulation::new(&d).err().expect("refused");
    assert!(
        err.to_string()
            .contains("shard router router: 6 shards in use but only 4 databases wired"),
        "{err}"
    );
}
