//! Message queues against independent truth: with the consumers down for T seconds the queue
//! holds about λT jobs and then drains in λT / (μ − λ) seconds; the chapter's photo upload
//! answers in about the web server's own time while the processing takes seconds; failing
//! jobs are retried with backoff and dead-lettered; a full queue rejects; an in-memory queue
//! loses its jobs in a crash and a persistent one keeps them.

mod support;

use archplay::model::{Action, Component, ComponentId, Diagram, Kind, TimelineEvent, Wire};
use archplay::sim::{QueueReport, Simulation};
use support::{component, run};

/// Users sending only writes at `rate` → a fast web server → a queue → a consumer pool of
/// `workers` taking `service_ms` (constant) per job.
fn pipeline(rate: f64, workers: f64, service_ms: f64, seconds: f64) -> Diagram {
    let mut d = Diagram::new("queue");
    d.components.push(
        Component::new("users", Kind::Users)
            .with("rate", rate)
            .with("read_pct", 0.0)
            .with("write_pct", 100.0)
            .with("static_pct", 0.0),
    );
    d.components.push(
        Component::new("web", Kind::WebServer)
            .with("workers", 100.0)
            .with("service_ms", 1.0),
    );
    d.components.push(
        Component::new("queue", Kind::MessageQueue)
            .with("visibility_timeout_s", 5.0)
            .with("backoff_s", 0.5),
    );
    d.components.push(
        Component::new("workers", Kind::Consumer)
            .with("workers", workers)
            .with("service_ms", service_ms)
            .with_choice("service", "constant"),
    );
    d.wires.push(Wire::new("users", "web"));
    d.wires.push(Wire::new("web", "queue"));
    d.wires.push(Wire::new("queue", "workers"));
    d.run.duration_s = seconds;
    d.run.warmup_s = 0.0;
    d
}

fn at(d: &mut Diagram, at_s: f64, action: Action) {
    d.timeline.push(TimelineEvent { at_s, action });
}

fn target(id: &str) -> ComponentId {
    ComponentId::from(id)
}

fn queue(r: &archplay::sim::Report) -> QueueReport {
    component(r, "queue")
        .queue
        .expect("a queue reports queue figures")
}

#[test]
fn a_backlog_grows_at_the_arrival_rate_and_drains_at_the_spare_rate() {
    // λ = 50 jobs/s; 10 workers at 100 ms: μ = 100 jobs/s. Consumers down from 20 s to 40 s.
    let mut d = pipeline(50.0, 10.0, 100.0, 90.0);
    at(
        &mut d,
        20.0,
        Action::Kill {
            target: target("workers"),
        },
    );
    at(
        &mut d,
        40.0,
        Action::Restore {
            target: target("workers"),
        },
    );
    let mut sim = Simulation::new(&d).unwrap();
    sim.run_to_end(u64::MAX);
    let depth = sim
        .component_series(&target("queue"))
        .unwrap()
        .column("depth")
        .unwrap();
    let at_s = |t: f64| depth.iter().find(|(s, _)| *s == t).unwrap().1;
    // λT = 1,000 jobs (Poisson: σ ≈ 32), plus the few that were being worked on.
    let backlog = at_s(40.0);
    assert!((backlog - 1_000.0).abs() < 130.0, "backlog {backlog}");
    assert!(at_s(19.0) < 20.0, "before: almost empty ({})", at_s(19.0));
    // Drains in λT / (μ − λ) = 20 s: empty around 60 s, not before 50 s.
    let drained = depth
        .iter()
        .find(|(t, v)| *t > 40.0 && *v < 10.0)
        .map(|(t, _)| *t)
        .expect("it drains");
    let expected = 40.0 + backlog / (100.0 - 50.0);
    assert!(
        (drained - expected).abs() < 4.0,
        "drained at {drained} s, expected {expected}"
    );
    let q = queue(&sim.report());
    assert_eq!(q.rejected + q.dead_lettered + q.lost, 0);
    // Conservation: everything enqueued is done or still held.
    assert_eq!(q.enqueued, q.done + q.depth);
}

#[test]
fn the_photo_upload_answers_in_the_web_servers_time() {
    // The chapter's case: the web server takes the upload (150 ms), enqueues the processing
    // and answers; the processing itself takes 3 s.
    let mut d = pipeline(20.0, 100.0, 3_000.0, 120.0);
    d.components[1] = d.components[1]
        .clone()
        .with("service_ms", 150.0)
        .with_choice("service", "constant");
    d.run.warmup_s = 20.0;
    let r = run(&d);
    assert!(
        (r.latency_ms.p50 - 150.0).abs() < 5.0 && r.latency_ms.p99 < 200.0,
        "users wait {:?}",
        r.latency_ms
    );
    let q = queue(&r);
    assert!(
        (q.job_latency_ms.mean - 3_000.0).abs() < 50.0,
        "the photo is ready {:?} ms after the upload",
        q.job_latency_ms
    );
}

#[test]
fn failing_jobs_are_retried_with_backoff_then_dead_lettered() {
    let mut d = pipeline(10.0, 10.0, 100.0, 120.0);
    d.components[3] = d.components[3].clone().with("failure_pct", 100.0);
    d.components[2] = d.components[2]
        .clone()
        .with("max_attempts", 3.0)
        .with("visibility_timeout_s", 1.0)
        .with("backoff_s", 1.0);
    let r = run(&d);
    let q = queue(&r);
    // Each job: delivered, times out at 1 s, waits 1 s; again, 1 s + 2 s; a third time, then
    // dead-lettered 1 s later: 6 s after enqueueing. Everything enqueued before the last 6 s is
    // dead by the end.
    assert_eq!(q.done, 0);
    let enqueued_early = q.enqueued as f64 * (114.0 / 120.0);
    assert!(
        (q.dead_lettered as f64 - enqueued_early).abs() < 60.0,
        "{} dead-lettered of {} ({enqueued_early:.0} expected)",
        q.dead_lettered,
        q.enqueued
    );
    assert_eq!(
        r.requests.failed, 0,
        "the users never knew: their uploads were answered"
    );
}

#[test]
fn a_full_queue_rejects_new_jobs() {
    let mut d = pipeline(50.0, 1.0, 100.0, 20.0);
    d.components[2] = d.components[2].clone().with("capacity", 100.0);
    at(
        &mut d,
        0.0,
        Action::Kill {
            target: target("workers"),
        },
    );
    let r = run(&d);
    let q = queue(&r);
    assert_eq!(q.depth, 100);
    assert!(q.rejected > 800, "{q:?}");
    assert_eq!(
        r.errors_by_cause.get("queue_full").copied(),
        Some(q.rejected)
    );
}

#[test]
fn an_in_memory_queue_loses_its_jobs_in_a_crash_and_a_persistent_one_keeps_them() {
    for (persistent, kept) in [("no", false), ("yes", true)] {
        let mut d = pipeline(50.0, 10.0, 100.0, 40.0);
        d.components[2] = d.components[2]
            .clone()
            .with_choice("persistent", persistent);
        at(
            &mut d,
            5.0,
            Action::Kill {
                target: target("workers"),
            },
        );
        at(
            &mut d,
            20.0,
            Action::Kill {
                target: target("queue"),
            },
        );
        at(
            &mut d,
            21.0,
            Action::Restore {
                target: target("queue"),
            },
        );
        let mut sim = Simulation::new(&d).unwrap();
        sim.run_for(archplay::sim::SimDuration::from_secs(22), u64::MAX);
        let q = queue(&sim.report());
        if kept {
            assert!(q.depth > 650 && q.lost == 0, "{q:?}");
        } else {
            assert!(q.lost > 650 && q.depth < 60, "{q:?}");
        }
    }
}

#[test]
fn a_consumer_pool_reports_the_jobs_it_processed() {
    // 50 jobs a second, 4 workers taking 40 ms each, no wire delay between queue and pool:
    // utilisation is λS/c = 0.5 (the utilisation law), and each job holds a worker for 40 ms.
    let mut d = pipeline(50.0, 4.0, 40.0, 600.0);
    d.wires[2] = Wire::new("queue", "workers").latency(0.0);
    d.run.warmup_s = 30.0;
    let r = run(&d);
    let q = queue(&r);
    let pool = component(&r, "workers");
    let c = pool.consumers.expect("a pool reports its consumers");
    assert_eq!(c.workers, 4);
    assert_eq!(c.jobs_failed, 0);
    // Every job processed is acknowledged at once (zero wire): the queue's count, up to the
    // jobs on their way at the window's edges.
    assert!(c.jobs_done.abs_diff(q.done) <= 8, "{c:?} vs {q:?}");
    let want = 50.0 * r.measured_s;
    assert!((c.jobs_done as f64 / want - 1.0).abs() < 0.02, "{c:?}");
    assert!((c.utilisation - 0.5).abs() < 0.02, "{c:?}");
    assert!((c.mean_service_ms - 40.0).abs() < 1e-6, "{c:?}");
    assert_eq!(pool.completed, c.jobs_done);
    assert!(
        pool.arrivals.abs_diff(c.jobs_done) <= 8,
        "{}",
        pool.arrivals
    );
    assert!(
        (pool.mean_sojourn_ms - 40.0).abs() < 0.5,
        "{}",
        pool.mean_sojourn_ms
    );
    assert!(
        (pool.mean_in_system - 2.0).abs() < 0.1,
        "{}",
        pool.mean_in_system
    );
}
