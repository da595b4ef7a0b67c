//! Replication against independent truth: reads spread over the replicas and reroute around
//! a dead one; a replica behind the primary serves stale reads (none when it keeps up);
//! synchronous replication loses no write when the primary dies, asynchronous loses about
//! write rate × lag; the most up-to-date replica is promoted and takes the writes;
//! read-your-writes sends a recent writer's reads to the primary.

mod support;

use archplay::model::{Action, Component, ComponentId, Diagram, Kind, TimelineEvent, Wire};
use archplay::sim::{BuildError, ReplicaReport, Report, Simulation};
use support::{component, run};

/// Users → web → database and `replicas` read replicas (each wired from the database), with
/// capacity to spare everywhere.
fn replicated(rate: f64, write_pct: f64, replicas: usize, lag_ms: f64, seconds: f64) -> Diagram {
    let mut d = Diagram::new("replicated");
    d.components.push(
        Component::new("users", Kind::Users)
            .with("rate", rate)
            .with("read_pct", 100.0 - write_pct)
            .with("write_pct", write_pct)
            .with("static_pct", 0.0)
            .with("users", 1_000.0)
            .with("keys", 1_000.0)
            .with_choice("key_popularity", "zipf")
            .with("zipf_s", 1.0),
    );
    d.components.push(
        Component::new("web", Kind::WebServer)
            .with("workers", 2_000.0)
            .with("service_ms", 0.1)
            .with("queue_capacity", 1_000_000.0),
    );
    d.components.push(
        Component::new("db", Kind::Database)
            .with("workers", 500.0)
            .with("read_ms", 2.0)
            .with("write_ms", 2.0)
            .with("queue_capacity", 1_000_000.0)
            .with("failover_s", 5.0),
    );
    d.wires.push(Wire::new("users", "web"));
    d.wires.push(Wire::new("web", "db"));
    for i in 1..=replicas {
        let id = format!("replica-{i}");
        d.components.push(
            Component::new(&id, Kind::Replica)
                .with("workers", 500.0)
                .with("read_ms", 2.0)
                .with("lag_ms", lag_ms)
                .with("queue_capacity", 1_000_000.0),
        );
        d.wires.push(Wire::new("db", &id).latency(0.0));
        d.wires.push(Wire::new("web", &id));
    }
    d.run.duration_s = seconds;
    d.run.warmup_s = 0.0;
    d.run.seed = 5;
    d
}

fn at(d: &mut Diagram, at_s: f64, action: Action) {
    d.timeline.push(TimelineEvent { at_s, action });
}

fn kill(id: &str) -> Action {
    Action::Kill {
        target: ComponentId::from(id),
    }
}

fn replica(r: &Report, id: &str) -> ReplicaReport {
    component(r, id)
        .replica
        .expect("a replica reports replica figures")
}

#[test]
fn reads_spread_over_the_replicas_and_writes_go_to_the_primary() {
    let r = run(&replicated(1_000.0, 10.0, 3, 50.0, 60.0));
    let writes = r.requests.sent as f64 * 0.1;
    let db = component(&r, "db").arrivals as f64;
    assert!(
        (db - writes).abs() < 0.1 * writes,
        "db {db}, writes {writes}"
    );
    for id in ["replica-1", "replica-2", "replica-3"] {
        let a = component(&r, id).arrivals as f64;
        assert!((a - 18_000.0).abs() < 500.0, "{id}: {a}");
    }
    assert_eq!(r.requests.failed + r.requests.rejected, 0);
}

#[test]
fn a_replica_that_keeps_up_serves_no_stale_read_and_a_lagging_one_does() {
    // Zero lag over a zero-latency wire: every write is applied the instant it commits.
    let r = run(&replicated(1_000.0, 20.0, 2, 0.0, 60.0));
    assert_eq!(replica(&r, "replica-1").stale_reads, 0);
    // A 1 s mean lag: the hottest records are written several times a second, so reads of
    // them are often behind; the age of a stale read is about the lag, and bounded by it
    // plus the queueing of writes behind slow ones.
    let r = run(&replicated(1_000.0, 20.0, 2, 1_000.0, 60.0));
    let rep = replica(&r, "replica-1");
    assert!(rep.stale_reads > 1_000, "{rep:?}");
    assert!(
        rep.mean_stale_age_ms > 200.0 && rep.mean_stale_age_ms < 3_000.0,
        "{rep:?}"
    );
    assert!(rep.max_lag_ms > 1_000.0, "{rep:?}");
}

#[test]
fn a_dead_replica_is_routed_around() {
    let mut d = replicated(1_000.0, 10.0, 2, 50.0, 60.0);
    at(&mut d, 30.0, kill("replica-1"));
    let mut sim = Simulation::new(&d).unwrap();
    sim.run_to_end(u64::MAX);
    let r = sim.report();
    // Only the reads it held when it died fail; after that replica-2 takes them all.
    assert!(r.requests.failed < 50, "{:?}", r.errors_by_cause);
    let s = sim
        .component_series(&ComponentId::from("replica-2"))
        .unwrap()
        .column("arrivals")
        .unwrap();
    let (before, after) = (s[20].1, s[45].1);
    assert!(before > 350.0 && before < 550.0, "{before}");
    assert!(after > 800.0, "{after}");
}

/// Writes lost when the primary dies at 30 s, over several seeds.
fn lost_writes(sync: bool, lag_ms: f64, seeds: u64) -> (u64, u64) {
    let (mut lost, mut failed) = (0, 0);
    for seed in 1..=seeds {
        let mut d = replicated(1_000.0, 20.0, 2, lag_ms, 45.0);
        d.run.seed = seed;
        if sync {
            d.components[2] = d.components[2].clone().with_choice("replication", "sync");
        }
        at(&mut d, 30.0, kill("db"));
        let r = run(&d);
        lost += ["replica-1", "replica-2"]
            .iter()
            .map(|id| replica(&r, id).lost_writes)
            .sum::<u64>();
        failed += r.requests.failed;
        assert!(
            ["replica-1", "replica-2"]
                .iter()
                .any(|id| replica(&r, id).promoted),
            "a replica was promoted"
        );
    }
    (lost, failed)
}

#[test]
fn synchronous_replication_loses_no_write_when_the_primary_dies() {
    let (lost, _) = lost_writes(true, 200.0, 5);
    assert_eq!(lost, 0);
}

#[test]
fn asynchronous_replication_loses_about_write_rate_times_lag() {
    // 200 writes/s and a 200 ms mean lag: the primary dies with about 200 × 0.2 = 40 writes
    // on their way to each replica. The better of two replicas is promoted, so a little fewer
    // are lost; the order of magnitude is what the product predicts.
    let seeds = 5;
    let (lost, _) = lost_writes(false, 200.0, seeds);
    let per_failure = lost as f64 / seeds as f64;
    assert!(
        (40.0 / 3.0..=40.0 * 3.0).contains(&per_failure),
        "{per_failure} writes lost per failure"
    );
}

#[test]
fn the_promoted_replica_takes_the_writes_and_stops_serving_reads_as_a_replica() {
    let mut d = replicated(1_000.0, 20.0, 2, 100.0, 60.0);
    at(&mut d, 30.0, kill("db"));
    let mut sim = Simulation::new(&d).unwrap();
    sim.run_to_end(u64::MAX);
    let r = sim.report();
    let promoted = ["replica-1", "replica-2"]
        .into_iter()
        .find(|id| replica(&r, id).promoted)
        .expect("one was promoted");
    let other = if promoted == "replica-1" {
        "replica-2"
    } else {
        "replica-1"
    };
    let entry = sim
        .log()
        .entries()
        .find(|e| e.message.contains("promoted to primary"))
        .expect("logged");
    assert!((35.0..35.1).contains(&entry.time_s), "{}", entry.time_s);
    // Writes fail during the five seconds of failover (about 200/s), then succeed again.
    let refused = r
        .errors_by_cause
        .get("connection_refused")
        .copied()
        .unwrap_or(0);
    assert!((800..1_300).contains(&refused), "{refused}");
    let series = |id: &str, t: usize| {
        sim.component_series(&ComponentId::from(id))
            .unwrap()
            .column("arrivals")
            .unwrap()[t]
            .1
    };
    // After: the promoted node takes the writes (about 200/s), the other replica every read.
    assert!(
        (150.0..260.0).contains(&series(promoted, 50)),
        "{}",
        series(promoted, 50)
    );
    assert!(series(other, 50) > 700.0, "{}", series(other, 50));
    // Besides those, only what the database held when it died failed.
    assert!(r.requests.failed - refused < 20, "{:?}", r.errors_by_cause);
}

#[test]
fn read_your_writes_sends_a_recent_writers_reads_to_the_primary() {
    // Ten users who each write about once a second: with a 5 s window a read reaches a
    // replica only before its user's first write (about a second) or after a 5 s gap
    // between writes (e^-5 ≈ 0.7 %): a few percent of reads. Without it the primary sees
    // only the writes.
    let mut d = replicated(200.0, 5.0, 2, 100.0, 30.0);
    d.components[0] = d.components[0].clone().with("users", 10.0);
    d.components[2] = d.components[2].clone().with("read_your_writes_s", 5.0);
    let r = run(&d);
    let replica_reads: u64 = ["replica-1", "replica-2"]
        .iter()
        .map(|id| component(&r, id).arrivals)
        .sum();
    let reads = r.requests.sent as f64 * 0.95;
    assert!(
        (replica_reads as f64) < 0.1 * reads,
        "{replica_reads} of {reads} reads went to replicas"
    );
    d.components[2] = d.components[2].clone().with("read_your_writes_s", 0.0);
    let r = run(&d);
    let db = component(&r, "db").arrivals as f64;
    let writes = r.requests.sent as f64 * 0.05;
    assert!(
        (db - writes).abs() < 0.3 * writes + 10.0,
        "db {db}, writes {writes}"
    );
}

#[test]
fn a_replica_needs_exactly_one_database_feeding_it() {
    let mut d = replicated(10.0, 10.0, 1, 0.0, 5.0);
    d.wires
        .retain(|w| w.to.as_str() != "replica-1" || w.from.as_str() != "db");
    let err = Simulation::new(&d).err().unwrap();
    assert_eq!(
        err,
        BuildError::ReplicaFeed {
            replica: ComponentId::from("replica-1"),
            feeds: 0
        }
    );
    assert!(err.to_string().contains("wire a database to it"));
}

#[test]
fn replicated_runs_are_deterministic() {
    let mut d = replicated(800.0, 20.0, 3, 300.0, 40.0);
    at(&mut d, 20.0, kill("db"));
    at(
        &mut d,
        30.0,
        Action::Restore {
            target: ComponentId::from("db"),
        },
    );
    let a = serde_json::to_string(&run(&d)).unwrap();
    assert_eq!(a, serde_json::to_string(&run(&d)).unwrap());
    assert!(
        a.contains("rejoins as a replica"),
        "the old primary rejoins"
    );
}
