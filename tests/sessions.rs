//! Sessions: a stateless web tier (sessions in a shared store) loses nothing when a server
//! dies; a stateful one with sticky sessions loses about 1/n of the active sessions and those
//! users' next requests fail as logged out; without stickiness a stateful tier barely works;
//! and sticky sessions leave a server that joins later nearly idle.

mod support;

use archplay::model::{Action, Component, ComponentId, Diagram, Kind, TimelineEvent, Wire};
use archplay::sim::{Report, Simulation};
use support::{component, run};

const WEBS: usize = 4;

/// Users → load balancer → four web servers → database; `sessions` is the web servers' mode,
/// `affinity` the balancer's; a session store when sessions are shared.
fn tier(sessions: &str, affinity: &str, seconds: f64) -> Diagram {
    let mut d = Diagram::new("sessions");
    d.components.push(
        Component::new("users", Kind::Users)
            .with("rate", 2_000.0)
            .with("users", 4_000.0)
            .with("read_pct", 90.0)
            .with("write_pct", 10.0)
            .with("static_pct", 0.0),
    );
    d.components.push(
        Component::new("lb", Kind::LoadBalancer)
            .with("check_interval_s", 1.0)
            .with("unhealthy_threshold", 2.0)
            .with_choice("affinity", affinity),
    );
    d.components.push(
        Component::new("db", Kind::Database)
            .with("workers", 1_000.0)
            .with("read_ms", 1.0)
            .with("write_ms", 1.0),
    );
    d.wires.push(Wire::new("users", "lb"));
    if sessions == "shared" {
        d.components
            .push(Component::new("store", Kind::SessionStore).with("workers", 500.0));
    }
    for i in 1..=WEBS {
        let id = format!("web-{i}");
        d.components.push(
            Component::new(&id, Kind::WebServer)
                .with("workers", 500.0)
                .with("service_ms", 1.0)
                .with_choice("sessions", sessions),
        );
        d.wires.push(Wire::new("lb", &id));
        d.wires.push(Wire::new(&id, "db"));
        if sessions == "shared" {
            d.wires.push(Wire::new(&id, "store"));
        }
    }
    d.run.duration_s = seconds;
    d.run.warmup_s = 0.0;
    d.run.seed = 21;
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

fn logged_out(r: &Report) -> u64 {
    r.errors_by_cause.get("logged_out").copied().unwrap_or(0)
}

#[test]
fn a_stateless_tier_loses_no_session_when_a_server_dies() {
    let mut d = tier("shared", "none", 40.0);
    at(&mut d, 20.0, kill("web-2"));
    let r = run(&d);
    assert_eq!(logged_out(&r), 0, "{:?}", r.errors_by_cause);
    let store = component(&r, "store").sessions.unwrap();
    assert_eq!(store.lost, 0);
    assert!(store.held > 3_900, "every user logged in once: {store:?}");
    for i in 1..=WEBS {
        assert!(
            component(&r, &format!("web-{i}")).sessions.is_none(),
            "web servers hold none"
        );
    }
}

#[test]
fn a_stateful_sticky_tier_loses_about_one_nth_of_the_sessions() {
    let mut d = tier("local", "session", 40.0);
    at(&mut d, 20.0, kill("web-2"));
    let mut sim = Simulation::new(&d).unwrap();
    sim.run_for(archplay::sim::SimDuration::from_millis(19_900), u64::MAX);
    // All 4,000 users have logged in (each sends a request every 2 s) and each stayed with
    // the server that logged them in. Only a user whose second request left before the
    // first had logged them in can land elsewhere: a handful.
    let held: u64 = (1..=WEBS)
        .map(|i| {
            sim.report()
                .components
                .iter()
                .find(|c| c.id == format!("web-{i}"))
                .unwrap()
                .sessions
                .unwrap()
                .held
        })
        .sum();
    assert!(held > 3_950, "{held}");
    let before = logged_out(&sim.report());
    assert!(before < 20, "{before}");
    sim.run_to_end(u64::MAX);
    let r = sim.report();
    let lost = component(&r, "web-2").sessions.unwrap().lost;
    // Round-robin logins put a quarter of the users on web-2; binomial(4000, 1/4) has a
    // standard deviation of 27, so ±110 is 4σ.
    assert!(
        (lost as f64 - held as f64 / 4.0).abs() < 110.0,
        "lost {lost} of {held}"
    );
    // Each of those users' next request (within 20 s: they send one every 2 s) finds them
    // logged out, once: then they log in again elsewhere.
    let out = logged_out(&r) - before;
    assert!(out.abs_diff(lost) < 30, "logged out {out}, lost {lost}");
    assert!(
        sim.log()
            .entries()
            .any(|e| e.message.starts_with("web-2 down, losing"))
    );
}

#[test]
fn a_stateful_tier_without_sticky_sessions_logs_most_users_out() {
    // Round-robin over four servers: a request lands where its user's session is only a
    // quarter of the time; then the user logs in anew, and so on.
    let r = run(&tier("local", "none", 20.0));
    let out = logged_out(&r) as f64;
    assert!(
        out > 0.4 * r.requests.sent as f64,
        "{out} of {}",
        r.requests.sent
    );
}

#[test]
fn sticky_sessions_leave_a_server_added_later_almost_idle() {
    let arrivals_after_join = |sessions: &str, affinity: &str| {
        let mut d = tier(sessions, affinity, 60.0);
        at(&mut d, 0.0, kill("web-4"));
        at(
            &mut d,
            30.0,
            Action::Restore {
                target: ComponentId::from("web-4"),
            },
        );
        let mut sim = Simulation::new(&d).unwrap();
        sim.run_to_end(u64::MAX);
        let mean = |id: &str| {
            let col = sim
                .component_series(&ComponentId::from(id))
                .unwrap()
                .column("arrivals")
                .unwrap();
            col[40..60].iter().map(|(_, v)| v).sum::<f64>() / 20.0
        };
        (mean("web-4"), mean("web-1"))
    };
    // Sticky: everyone logged in while web-4 was out, and stays where they are.
    let (joined, old) = arrivals_after_join("local", "session");
    assert!(
        joined < 0.05 * old,
        "sticky: web-4 {joined}/s, web-1 {old}/s"
    );
    // Stateless and round-robin: the new server takes its quarter at once.
    let (joined, old) = arrivals_after_join("shared", "none");
    assert!(
        (joined - old).abs() < 0.15 * old,
        "stateless: web-4 {joined}/s, web-1 {old}/s"
    );
}

#[test]
fn losing_the_session_store_logs_everyone_out() {
    let mut d = tier("shared", "none", 30.0);
    at(&mut d, 10.0, kill("store"));
    at(
        &mut d,
        11.0,
        Action::Restore {
            target: ComponentId::from("store"),
        },
    );
    let r = run(&d);
    let lost = component(&r, "store").sessions.unwrap().lost;
    assert!(lost > 3_900, "{lost}");
    // Every user whose session was lost is logged out on their next request, once.
    assert!(
        logged_out(&r).abs_diff(lost) < 50,
        "{} vs {lost}",
        logged_out(&r)
    );
}

#[test]
fn shared_sessions_need_a_session_store() {
    let mut d = tier("shared", "none", 10.0);
    d.wires.retain(|w| w.to.as_str() != "store");
    let err = Simulation::new(&d).err().unwrap();
    assert!(
        err.to_string().contains("is not wired to a session store"),
        "{err}"
    );
}

#[test]
fn the_series_show_when_sessions_and_writes_were_lost() {
    let mut d = tier("local", "session", 30.0);
    at(&mut d, 20.0, kill("web-2"));
    let mut sim = Simulation::new(&d).unwrap();
    sim.run_to_end(u64::MAX);
    let lost = sim
        .component_series(&ComponentId::from("web-2"))
        .unwrap()
        .column("sessions_lost")
        .unwrap();
    let total: f64 = lost.iter().map(|(_, v)| v).sum();
    assert_eq!(
        total,
        component(&sim.report(), "web-2").sessions.unwrap().lost as f64
    );
    assert!(
        lost.iter().all(|(t, v)| (*t == 20.0) == (*v > 0.0)),
        "{lost:?}"
    );
}
