//! Auto-scaling and self-healing: under a step in load a group grows exactly when its policy's
//! rule has held (plus the boot time), shrinks after the load falls, and never leaves min–max;
//! the chaos monkey kills instances at its rate and each is replaced; instances are billed.

mod support;

use archplay::model::{Action, ComponentId, Diagram, TimelineEvent, Wire};
use archplay::sim::{Simulation, StepOutcome};
use support::{poisson_users, server};

/// 200 req/s (then `scale` times that from 600 s to 1,200 s) to a group of instances with 4
/// workers each serving 20 ms (200 req/s an instance), starting at 2, within 2–10: +2 above
/// 70 % CPU for 60 s, −2 below 30 % for 120 s, 30 s to boot, 60 s cooldown (the chapter's
/// policy with its minutes read as seconds, so a run fits in the per-second series).
fn stepped(scale: f64, secs: f64) -> Diagram {
    let mut d = Diagram::new("autoscaling");
    d.components.push(poisson_users(200.0));
    d.components.push(
        server("web", 4, 20.0, "constant")
            .with("queue_capacity", 1_000.0)
            .with("instances", 2.0)
            .with_choice("autoscale", "cpu")
            .with("min_instances", 2.0)
            .with("max_instances", 10.0)
            .with("scale_out_step", 2.0)
            .with("scale_in_step", 2.0)
            .with("scale_out_after_s", 60.0)
            .with("scale_in_after_s", 120.0)
            .with("cooldown_s", 60.0)
            .with("boot_s", 30.0),
    );
    d.wires.push(Wire::new("users", "web").latency(0.0));
    let at = |at_s, scale| TimelineEvent {
        at_s,
        action: Action::RateScale { scale },
    };
    d.timeline = vec![at(600.0, scale), at(1_200.0, 1.0)];
    d.run.duration_s = secs;
    d.run.warmup_s = 0.0;
    d
}

/// Runs `d` and returns the group's running instances per second, and the log's messages.
fn instances(d: &Diagram) -> (Vec<(f64, f64)>, Vec<String>) {
    let mut sim = Simulation::new(d).expect("builds");
    assert_eq!(sim.run_to_end(u64::MAX), StepOutcome::Reached);
    let column = sim
        .component_series(&ComponentId::from("web"))
        .and_then(|s| s.column("instances"))
        .expect("instances column");
    let log = sim.log().entries().map(|e| e.message.clone()).collect();
    (column, log)
}

/// The running count at second `t`.
fn at(series: &[(f64, f64)], t: f64) -> f64 {
    series
        .iter()
        .find(|(s, _)| *s == t)
        .map(|(_, v)| *v)
        .unwrap()
}

/// The first second from `from` on at which the count is `n`.
fn first(series: &[(f64, f64)], from: f64, n: f64) -> f64 {
    series
        .iter()
        .find(|(t, v)| *t >= from && *v == n)
        .map(|(t, _)| *t)
        .unwrap_or(f64::INFINITY)
}

#[test]
fn a_step_in_load_scales_out_by_the_rule_and_back_in_when_it_falls() {
    // Worked by hand, with CPU judged in one-minute averages (periods ending at 60 s, 120 s,
    // …), leaving out periods that began before the group last changed. At 600 s the load goes
    // to 800 req/s: 2 instances are at 100 % over 600–660 s, so at 660 s desired is 4, running
    // at 660 + 30 = 690 s. The period 660–720 s began before that: left out. 4 instances are
    // at 100 % over 720–780 s (the cooldown ended at 720 s): desired 6, running at 810 s.
    // 800 / (6 × 200) = 67 %: it stays. At 1,200 s the load is back at 200 req/s (17 %): two
    // cold minutes, so −2 at 1,320 s (25 %: still cold) and, two fresh minutes later, −2 at
    // 1,440 s (50 %: it stays at 2, the minimum).
    let (n, log) = instances(&stepped(4.0, 1_600.0));
    let near = |got: f64, want: f64| (got - want).abs() <= 1.0;
    assert_eq!(at(&n, 600.0), 2.0);
    assert!(
        near(first(&n, 600.0, 4.0), 690.0),
        "{}",
        first(&n, 600.0, 4.0)
    );
    assert!(
        near(first(&n, 600.0, 6.0), 810.0),
        "{}",
        first(&n, 600.0, 6.0)
    );
    assert_eq!(at(&n, 1_199.0), 6.0, "settled at 67 %");
    assert!(
        near(first(&n, 1_200.0, 4.0), 1_320.0),
        "{}",
        first(&n, 1_200.0, 4.0)
    );
    assert!(
        near(first(&n, 1_200.0, 2.0), 1_440.0),
        "{}",
        first(&n, 1_200.0, 2.0)
    );
    assert_eq!(at(&n, 1_600.0), 2.0);
    assert!(n.iter().all(|(_, v)| (2.0..=10.0).contains(v)));
    let scaling: Vec<&String> = log.iter().filter(|m| m.contains("scaling")).collect();
    assert_eq!(scaling.len(), 4, "{scaling:?}");
    assert!(scaling[0].starts_with("web: scaling out from 2 to 4 instances (CPU 100 %)"));
    assert!(scaling[3].starts_with("web: scaling in from 4 to 2 instances"));
}

#[test]
fn never_beyond_the_maximum() {
    // Ten times the load needs 10 instances at 100 %: +2 a minute up to the maximum.
    let (n, _) = instances(&stepped(10.0, 1_100.0));
    let peak = n.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    assert_eq!(peak, 10.0);
    assert!(n.iter().all(|(_, v)| (2.0..=10.0).contains(v)));
    assert_eq!(at(&n, 1_100.0), 10.0);
}

#[test]
fn the_group_bills_every_instance_launched() {
    // Booting instances are billed: between 660 s and 690 s the bill is for 4 while 2 run.
    let mut d = stepped(4.0, 680.0);
    d.components[1] = d.components[1].clone().with("cost_per_hour", 0.5);
    let mut sim = Simulation::new(&d).unwrap();
    sim.run_to_end(u64::MAX);
    let web = ComponentId::from("web");
    let column = |name| {
        sim.component_series(&web)
            .and_then(|s| s.column(name))
            .unwrap()
    };
    let (cost, running) = (column("cost_per_hour"), column("instances"));
    assert_eq!(at(&cost, 600.0), 1.0);
    assert_eq!((at(&cost, 670.0), at(&running, 670.0)), (2.0, 2.0));
    assert_eq!(sim.report().cost_per_hour, 2.0);
}

/// `instances` fixed instances (4 workers, 20 ms each) at 200 req/s, and the chaos monkey.
fn monkey(instances: f64, per_hour: f64, secs: f64) -> Diagram {
    let mut d = Diagram::new("chaos");
    d.components.push(poisson_users(200.0));
    d.components.push(
        server("web", 4, 20.0, "constant")
            .with("instances", instances)
            .with("replace_after_s", 30.0)
            .with("boot_s", 60.0),
    );
    d.wires.push(Wire::new("users", "web").latency(0.0));
    d.run.duration_s = secs;
    d.run.warmup_s = 0.0;
    d.run.chaos_per_hour = per_hour;
    d
}

#[test]
fn the_chaos_monkey_kills_at_its_rate_and_every_instance_is_replaced() {
    // 360 kills an hour for an hour, among 20 instances: each is gone for 30 s (noticed) + 60 s
    // (booting), so about 9 are missing at a time and there is always one to kill: the kills
    // are a Poisson count with mean 360.
    let d = monkey(20.0, 360.0, 3_600.0);
    let mut sim = Simulation::new(&d).unwrap();
    sim.run_to_end(u64::MAX);
    let log: Vec<String> = sim.log().entries().map(|e| e.message.clone()).collect();
    let kills = log.iter().filter(|m| m.contains("failed, losing")).count() as f64;
    assert!((kills - 360.0).abs() < 4.0 * 360f64.sqrt(), "{kills}");
    let replaced = log
        .iter()
        .filter(|m| m.contains("detected, launching"))
        .count() as f64;
    // Each is noticed 30 s later (the last few may still be pending at the end).
    assert!(
        kills - replaced <= 12.0,
        "{kills} killed, {replaced} replaced"
    );
    let n = sim
        .component_series(&ComponentId::from("web"))
        .and_then(|s| s.column("instances"))
        .unwrap();
    let missing = n.iter().map(|(_, v)| 20.0 - v).sum::<f64>() / n.len() as f64;
    // Little's law: kills a second × time gone = 0.1 × 90 = 9 missing on average.
    assert!((missing - 9.0).abs() < 1.5, "{missing}");
    // The report says the same as the log and the series.
    let g = sim.report().components[1]
        .instances
        .expect("a group reports its instances");
    assert_eq!(g.replaced as f64, replaced, "{g:?}");
    assert_eq!(g.launched, g.replaced, "replacements only: {g:?}");
    assert_eq!(g.max_running, 20);
    assert!((20.0 - g.mean_running - 9.0).abs() < 1.5, "{g:?}");
    assert!(
        (g.mean_running - (20.0 - missing)).abs() < 0.05,
        "{g:?} vs {missing}"
    );
    assert_eq!(g.desired, 20);
}

#[test]
fn a_rare_monkey_costs_a_little_capacity_and_the_group_heals() {
    // 12 kills an hour among 10 instances: requests in service on a killed instance fail as
    // crashed; nothing else fails (the rest carry 200 req/s easily).
    let d = monkey(10.0, 12.0, 3_600.0);
    let mut sim = Simulation::new(&d).unwrap();
    sim.run_to_end(u64::MAX);
    let r = sim.report();
    let crashed = r.components[1].failed.get("crashed").copied().unwrap_or(0);
    assert_eq!(r.requests.failed, crashed);
    assert!(crashed > 0);
    let n = sim
        .component_series(&ComponentId::from("web"))
        .and_then(|s| s.column("instances"))
        .unwrap();
    assert!(n.iter().any(|(_, v)| *v < 10.0));
    assert!(n.iter().rev().take(200).any(|(_, v)| *v == 10.0), "healed");
}

#[test]
fn a_fixed_group_is_as_fast_as_one_server_with_all_the_workers() {
    // Sharing one queue, 3 instances of 4 workers are an M/D/12 station, like a server with 12.
    let users = || poisson_users(500.0);
    let mut group = Diagram::new("group");
    group.components = vec![
        users(),
        server("web", 4, 20.0, "constant").with("instances", 3.0),
    ];
    group.wires = vec![Wire::new("users", "web").latency(0.0)];
    let mut single = group.clone();
    single.components[1] = server("web", 12, 20.0, "constant");
    let (a, b) = (support::run(&group), support::run(&single));
    assert_eq!(a.latency_ms.mean, b.latency_ms.mean);
    assert_eq!(a.requests.ok, b.requests.ok);
}
