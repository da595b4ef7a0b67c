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
