//! Multi-primary replication across regions: conflicts appear only when one record is written
//! at two primaries within the time a write takes to get from one to the other, at the rate
//! that implies; a partition makes that time as long as the partition; after it heals the
//! primaries converge on the last writer.

mod support;

use archplay::model::{Action, Component, Diagram, Kind, TimelineEvent, Wire};
use archplay::sim::{BuildError, Simulation};
use support::{component, partition, place, run, server};

/// A data center in `region` at height `y` with users there (`writes` writes a second over
/// `keys` records, uniformly), a web server and a database `db-<name>`.
fn region(d: &mut Diagram, name: &str, region: &str, y: f64, writes: f64, keys: f64) {
    d.components.push(
        Component::new(&format!("users-{name}"), Kind::Users)
            .with("rate", writes.max(1.0))
            .with("read_pct", if writes > 0.0 { 0.0 } else { 100.0 })
            .with("write_pct", if writes > 0.0 { 100.0 } else { 0.0 })
            .with("static_pct", 0.0)
            .with("keys", keys)
            .with_choice("key_popularity", "uniform")
            .with_choice("region", region),
    );
    d.components.push(place(
        Component::new(&format!("dc-{name}"), Kind::DataCenter)
            .with_choice("region", region)
            .with("width", 600.0)
            .with("height", 200.0),
        200.0,
        y,
    ));
    let web = format!("web-{name}");
    let db = format!("db-{name}");
    d.components
        .push(place(server(&web, 64, 1.0, "constant"), 240.0, y + 40.0));
    d.components.push(place(
        Component::new(&db, Kind::Database)
            .with("workers", 256.0)
            .with("write_ms", 5.0),
        500.0,
        y + 40.0,
    ));
    d.wires
        .push(Wire::new(&format!("users-{name}"), &web).latency(0.0));
    d.wires.push(Wire::new(&web, &db).latency(0.0));
}

/// Virginia and Oregon (35 ms apart one way), their databases primaries of one set.
fn two_primaries(east_writes: f64, west_writes: f64, keys: f64, secs: f64) -> Diagram {
    let mut d = Diagram::new("multi-primary");
    region(&mut d, "east", "virginia", 0.0, east_writes, keys);
    region(&mut d, "west", "oregon", 400.0, west_writes, keys);
    d.wires.push(Wire::new("db-east", "db-west").latency(0.0));
    d.run.duration_s = secs;
    d.run.warmup_s = 0.0;
    d
}

fn conflicts(d: &Diagram) -> (u64, u64) {
    let r = run(d);
    let of = |id: &str| {
        component(&r, id)
            .multi_primary
            .expect("a primary of the set")
    };
    let (e, w) = (of("db-east"), of("db-west"));
    assert_eq!(e.diverged_keys, w.diverged_keys, "the set's figure");
    (e.conflicts + w.conflicts, e.diverged_keys)
}

#[test]
fn conflicts_come_at_the_rate_concurrent_writes_imply() {
    // Two independent Poisson streams of writes, w each a second, over K records: a pair of
    // writes to one record, one from each region, is concurrent when they are committed less
    // than the one-way time L apart, so conflicts come at w·w·2L/K a second (per-record rates
    // w/K are low enough, 0.1/s × 0.07 s, that three-way overlaps are negligible).
    let (w, k, l, secs) = (100.0, 1_000.0, 0.035, 1_000.0);
    let want = w * w * 2.0 * l / k * secs;
    let (got, _) = conflicts(&two_primaries(w, w, k, secs));
    // A Poisson count: 4 standard deviations.
    let allowed = 4.0 * want.sqrt();
    assert!(
        (got as f64 - want).abs() < allowed,
        "{got} conflicts, theory {want:.0} ± {allowed:.0}"
    );
}

#[test]
fn no_conflicts_when_only_one_region_writes_or_the_primaries_are_together() {
    let (got, _) = conflicts(&two_primaries(100.0, 0.0, 100.0, 200.0));
    assert_eq!(got, 0, "only the East writes");
    // Both data centers in Virginia, wired with no latency: nothing is ever concurrent.
    let mut d = two_primaries(100.0, 100.0, 100.0, 200.0);
    for c in &mut d.components {
        if c.kind == Kind::DataCenter || c.kind == Kind::Users {
            *c = c.clone().with_choice("region", "virginia");
        }
    }
    assert_eq!(conflicts(&d).0, 0, "no time between them");
}

#[test]
fn a_partition_makes_every_overlapping_write_a_conflict_and_healing_converges() {
    // 10 writes a second each side over 100 records; the network is cut from 10 s to 40 s and
    // traffic stops at 50 s.
    let mut d = two_primaries(10.0, 10.0, 100.0, 60.0);
    d.timeline = partition("virginia", "oregon", 10.0, 40.0);
    d.timeline.push(TimelineEvent {
        at_s: 50.0,
        action: Action::RateScale { scale: 0.0 },
    });
    // Mid-partition: the primaries disagree about most records.
    let mut mid = d.clone();
    mid.run.duration_s = 39.0;
    let r = run(&mid);
    let p = component(&r, "db-east").multi_primary.unwrap();
    // 29 s at 0.1 writes/s per record and side: each side has written a record with
    // probability 1 − e^(−2.9) ≈ 0.945.
    assert!(p.diverged_keys > 85, "{}", p.diverged_keys);
    assert!(p.writes_in_flight > 500, "{}", p.writes_in_flight);
    // Without the partition, 30 s of this traffic conflicts about 10·10·0.07/100·30 ≈ 2 times;
    // with it, every record written on both sides during it conflicts at least once.
    let (got, diverged) = conflicts(&d);
    assert!(got >= 85, "{got}");
    assert_eq!(diverged, 0, "converged after healing");
    let r = run(&d);
    assert_eq!(
        component(&r, "db-east")
            .multi_primary
            .unwrap()
            .writes_in_flight,
        0
    );
}

#[test]
fn a_multi_primary_set_must_be_wired_pairwise_and_small() {
    let mut d = two_primaries(10.0, 10.0, 100.0, 10.0);
    region(&mut d, "asia", "tokyo", 800.0, 10.0, 100.0);
    d.wires.push(Wire::new("db-west", "db-asia").latency(0.0));
    let err = Simulation::new(&d).err().expect("refused");
    assert!(matches!(&err, BuildError::MultiPrimary { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("db-east: it is in one set with db-asia but not wired to it"),
        "{err}"
    );
    d.wires.push(Wire::new("db-east", "db-asia").latency(0.0));
    assert!(Simulation::new(&d).is_ok());
}
