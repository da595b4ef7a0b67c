//! A run carried on "elsewhere" (the browser's worker thread) through the message protocol in
//! `sim::remote`: what the page shows along the way and what it gets back must be exactly what
//! running in the page would have given.

use archplay::model::{ComponentId, Diagram};
use archplay::sim::remote::{
    Ahead, Figures, FromRemote, Observed, ToRemote, decode, encode, warm_up,
};
use archplay::sim::{SimDuration, SimTime, Simulation};

fn at(seconds: f64) -> SimTime {
    SimTime::ZERO + SimDuration::from_secs_f64(seconds)
}

fn example(name: &str, seconds: f64) -> Diagram {
    let path = format!("public/examples/{name}.json");
    let mut d = Diagram::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    d.run.duration_s = seconds;
    d
}

/// Everything a panel shows.
fn shown(o: &dyn Observed) -> (SimTime, bool, u64, String, Vec<String>, String) {
    (
        o.now(),
        o.finished(),
        o.requests_done(),
        o.series_csv(),
        o.log()
            .entries()
            .map(|e| {
                format!(
                    "{:.9} {:?} {:?} {}",
                    e.time_s, e.component, e.level, e.message
                )
            })
            .collect(),
        format!("{:.6}", o.cost_per_hour()),
    )
}

/// Plays the page and the remote side in one thread: hands `sim` over to run until `until`,
/// with a progress message every `every` events (each through the byte encoding), and returns
/// the simulation handed back with the figures the page had by then.
fn hand_over(sim: &Simulation, until: SimTime, every: u64) -> (Simulation, Figures, usize) {
    let mut figures = Figures::of(sim);
    let start = encode(&ToRemote::Start {
        run: 7,
        snapshot: sim.snapshot().unwrap(),
        until,
    })
    .unwrap();
    let ToRemote::Start {
        run,
        snapshot,
        until,
    } = decode(&start).unwrap()
    else {
        panic!("not a start")
    };
    let mut ahead = Ahead::start(run, &snapshot, until).unwrap();
    let mut messages = 0;
    while !ahead.advance(every) {
        let message = encode(&FromRemote::Progress {
            run: ahead.run(),
            figures: ahead.progress(),
        })
        .unwrap();
        let FromRemote::Progress {
            run: 7,
            figures: delta,
        } = decode(&message).unwrap()
        else {
            panic!("not a progress message of run 7")
        };
        figures.apply(delta);
        messages += 1;
    }
    let FromRemote::Done {
        run: 7,
        figures: delta,
        snapshot,
    } = decode(&encode(&ahead.done()).unwrap()).unwrap()
    else {
        panic!("not the end of run 7")
    };
    figures.apply(delta);
    (
        Simulation::from_snapshot(&snapshot).unwrap(),
        figures,
        messages,
    )
}

#[test]
fn the_page_sees_and_gets_back_what_running_in_the_page_gives() {
    // A server dies and comes back while the run is away: the log, the up flags and the series
    // all travel.
    let d = example("load-balancer-failover", 120.0);
    let mut page = Simulation::new(&d).unwrap();
    page.step_until(at(10.0), u64::MAX);
    let (mut back, figures, messages) = hand_over(&page, at(90.0), 5_000);
    assert!(messages > 10, "{messages} progress messages");

    let mut direct = Simulation::new(&d).unwrap();
    direct.step_until(at(90.0), u64::MAX);
    assert_eq!(shown(&figures), shown(&direct));
    assert_eq!(shown(&back), shown(&direct));
    for c in &d.components {
        assert_eq!(figures.is_up(&c.id), direct.is_up(&c.id), "{}", c.id);
    }
    assert!(
        direct.log().entries().count() > 2,
        "the example logs its failure"
    );

    // Carrying on in the page from what came back ends as the uninterrupted run.
    back.run_to_end(u64::MAX);
    direct.run_to_end(u64::MAX);
    assert_eq!(shown(&back), shown(&direct));
    assert_eq!(
        serde_json::to_string(&back.report()).unwrap(),
        serde_json::to_string(&direct.report()).unwrap()
    );
}

#[test]
fn figures_keep_up_when_more_rows_pass_than_the_series_keep() {
    // M/M/1 for two simulated hours, one progress message in the middle: the series keep the
    // last 3,600 seconds, and the page's copy must drop exactly the rows the engine dropped.
    let d = example("mm1", 7_200.0);
    let mut direct = Simulation::new(&d).unwrap();
    direct.run_to_end(u64::MAX);
    // Events enough for about 4,800 simulated seconds before the first message.
    let every = direct.events() * 2 / 3;
    let page = Simulation::new(&d).unwrap();
    let (back, figures, messages) = hand_over(&page, at(7_200.0), every);
    assert_eq!(messages, 1);
    assert_eq!(
        figures.series().global.len(),
        archplay::sim::SERIES_CAPACITY
    );
    assert_eq!(shown(&figures), shown(&direct));
    assert_eq!(shown(&back), shown(&direct));
    assert!(figures.finished());
}

#[test]
fn a_stop_before_the_end_hands_back_a_run_that_carries_on() {
    let d = example("reference-network", 60.0);
    let page = Simulation::new(&d).unwrap();
    let mut ahead = Ahead::start(1, &page.snapshot().unwrap(), at(60.0)).unwrap();
    // The page says stop part way (a pause): the remote side stops between slices.
    assert!(!ahead.advance(100_000));
    let stopped_at = ahead.sim().now();
    assert!(stopped_at > SimTime::ZERO && stopped_at < at(60.0));
    let FromRemote::Done { snapshot, .. } = ahead.done() else {
        panic!("a stop ends with the state")
    };
    let mut back = Simulation::from_snapshot(&snapshot).unwrap();
    assert_eq!(back.now(), stopped_at);
    back.run_to_end(u64::MAX);
    let mut direct = Simulation::new(&d).unwrap();
    direct.run_to_end(u64::MAX);
    assert_eq!(shown(&back), shown(&direct));
}

#[test]
fn figures_answer_for_components_by_id() {
    let d = example("single-server", 40.0);
    let mut sim = Simulation::new(&d).unwrap();
    sim.step_until(at(35.0), u64::MAX);
    let figures = Figures::of(&sim);
    let server = ComponentId::from("server");
    // The example kills the server at 30 s.
    assert_eq!(figures.is_up(&server), Some(false));
    assert_eq!(figures.is_up(&ComponentId::from("nobody")), None);
    assert_eq!(
        figures.component_series(&server).map(|s| s.len()),
        sim.component_series(&server).map(|s| s.len())
    );
    assert!(decode::<ToRemote>(b"\xff\xff\xff").is_err());
}

#[test]
fn a_worker_warms_up_on_a_network_that_runs_as_long_as_asked() {
    // The warm-up network must build (it is parsed from text) and have events to spare: a
    // warm-up that stopped early would leave the worker's first real run in slow code.
    assert_eq!(warm_up(50_000), 50_000);
    assert_eq!(warm_up(1), 1);
}
