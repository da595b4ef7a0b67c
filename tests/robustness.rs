//! Absurd and hostile input: a clear error or a bounded run, never a panic, a hang or unbounded
//! memory.

mod support;

use archplay::model::{Component, Diagram, Kind, LoadError, Wire};
use archplay::sim::{BuildError, MAX_IN_FLIGHT, Simulation, StepOutcome};
use support::{poisson_users, server, single_queue};

fn build_error(d: &Diagram) -> String {
    match Simulation::new(d) {
        Ok(_) => panic!("expected a build error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_billion_requests_per_second_is_refused_with_the_limit() {
    let d = single_queue(1e9, 1, 1.0, "exponential", 10.0, 0.0, 1);
    let msg = build_error(&d);
    assert!(
        msg.contains("component users") && msg.contains("rate") && msg.contains("1000000"),
        "{msg}"
    );
}

#[test]
fn zero_workers_is_refused() {
    let d = single_queue(10.0, 0, 1.0, "exponential", 10.0, 0.0, 1);
    let msg = build_error(&d);
    assert!(
        msg.contains("component web") && msg.contains("workers"),
        "{msg}"
    );
}

#[test]
fn zero_service_time_runs_and_ends() {
    let d = single_queue(1000.0, 1, 0.0, "exponential", 10.0, 0.0, 1);
    let mut sim = Simulation::new(&d).unwrap();
    assert_eq!(sim.run_to_end(10_000_000), StepOutcome::Reached);
    let r = sim.report();
    assert!(r.requests.ok > 9_000);
    assert_eq!(r.latency_ms.max, 0.0, "no service time and no wire latency");
}

#[test]
fn a_wire_loop_is_refused_naming_the_loop() {
    let mut d = Diagram::new("loop");
    d.components.push(poisson_users(10.0));
    d.components.push(server("web-1", 1, 1.0, "exponential"));
    d.components.push(server("web-2", 1, 1.0, "exponential"));
    d.wires.push(Wire::new("users", "web-1"));
    d.wires.push(Wire::new("web-1", "web-2"));
    d.wires.push(Wire::new("web-2", "web-1"));
    let msg = build_error(&d);
    assert!(
        msg.contains("loop") && msg.contains("web-1 → web-2 → web-1"),
        "{msg}"
    );
}

#[test]
fn an_overload_is_bounded_by_the_in_flight_cap() {
    // A million requests a second into one slow worker with an unbounded queue: requests pile up
    // until the in-flight cap, after which new ones are rejected and counted.
    let d = single_queue(1_000_000.0, 1, 10.0, "exponential", 1.0, 0.0, 1);
    let mut sim = Simulation::new(&d).unwrap();
    let mut peak = 0;
    while sim.run_to_end(100_000) == StepOutcome::BudgetExhausted {
        peak = peak.max(sim.in_flight());
    }
    let r = sim.report();
    assert!(peak <= MAX_IN_FLIGHT, "peak in flight {peak}");
    assert!(
        r.errors_by_cause.get("in_flight_cap").copied().unwrap_or(0) > 100_000,
        "{:?}",
        r.errors_by_cause
    );
}

#[test]
fn a_budget_keeps_every_step_short() {
    let d = single_queue(100_000.0, 8, 0.05, "exponential", 5.0, 0.0, 1);
    let mut sim = Simulation::new(&d).unwrap();
    let mut calls = 0;
    loop {
        let before = sim.events();
        let outcome = sim.run_to_end(5_000);
        assert!(sim.events() - before <= 5_000);
        calls += 1;
        if outcome == StepOutcome::Reached {
            break;
        }
    }
    assert!(calls > 100, "the run needed many slices ({calls})");
}

#[test]
fn unwired_users_and_missing_traffic_are_explained() {
    let mut d = Diagram::new("nothing");
    d.components.push(server("web", 1, 1.0, "exponential"));
    assert_eq!(Simulation::new(&d).err(), Some(BuildError::NoTraffic));
    d.components.push(poisson_users(10.0));
    let msg = build_error(&d);
    assert!(msg.contains("users") && msg.contains("not wired"), "{msg}");
}

#[test]
fn hostile_documents_get_messages_not_panics() {
    let cases: &[(&str, &str)] = &[
        ("", "not a valid diagram"),
        ("[1, 2]", "not a JSON object"),
        ("{\"version\": 1}", "components"),
        (
            "{\"format\": \"excalidraw\", \"version\": 2}",
            "format is 'excalidraw'",
        ),
        ("{\"version\": 99, \"components\": []}", "format version 99"),
        (
            "{\"version\": 1, \"components\": [{\"id\": \"x\", \"kind\": \"mainframe\"}]}",
            "component x: unknown kind 'mainframe'",
        ),
        (
            "{\"version\": 1, \"components\": [{\"id\": \"w\", \"kind\": \"web_server\", \"params\": {\"workers\": 1e400}}]}",
            "not a valid diagram",
        ),
        (
            "{\"version\": 1, \"components\": [{\"id\": \"w\", \"kind\": \"web_server\", \"params\": {\"workers\": \"many\"}}]}",
            "workers must be a number",
        ),
        (
            "{\"version\": 1, \"components\": [{\"id\": \"w\", \"kind\": \"web_server\", \"params\": {\"horsepower\": 3}}]}",
            "no parameter 'horsepower'",
        ),
        (
            "{\"version\": 1, \"components\": [{\"id\": \"a b\", \"kind\": \"dns\"}, {\"id\": \"a b\", \"kind\": \"dns\"}]}",
            "used by another component",
        ),
        (
            "{\"version\": 1, \"components\": [{\"id\": \"db\", \"kind\": \"database\"}, {\"id\": \"dns\", \"kind\": \"dns\"}], \"wires\": [{\"from\": \"db\", \"to\": \"dns\"}]}",
            "Database → DNS",
        ),
        (
            "{\"version\": 1, \"components\": [], \"wires\": [{\"from\": \"ghost\", \"to\": \"nowhere\"}]}",
            "no component has id 'ghost'",
        ),
        (
            "{\"version\": 1, \"components\": [], \"run\": {\"duration_s\": -5}}",
            "duration -5 s",
        ),
    ];
    for (text, expect) in cases {
        let err = Diagram::from_json(text).expect_err(text);
        let msg = err.to_string();
        assert!(
            msg.contains(expect),
            "{text}\n  gave: {msg}\n  expected to mention: {expect}"
        );
    }
    let huge = format!(
        "{{\"version\": 1, \"name\": \"{}\", \"components\": []}}",
        "x".repeat(9 << 20)
    );
    assert!(matches!(Diagram::from_json(&huge), Err(LoadError::Syntax(m)) if m.contains("limit")));
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let mut d = Diagram::new("many problems");
    d.components.push(
        Component::new("web", Kind::WebServer)
            .with("workers", 0.0)
            .with("speed", 1e9),
    );
    d.components.push(Component::new("web", Kind::Database));
    match d.validate() {
        Err(problems) => assert!(problems.len() >= 3, "{problems:?}"),
        Ok(()) => panic!("invalid diagram accepted"),
    }
}
