//! `archplay`: the native command-line runner. Runs a diagram file with the same engine as the
//! browser and prints a summary (text), the full report (JSON) or the per-second series (CSV).
//! Bad input exits with status 2 and a message naming the problem; it never panics.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use archplay::model::Diagram;
use archplay::sim::{Report, Simulation, StepOutcome};

const USAGE: &str = "\
usage:
  archplay run <diagram.json | share link> [--seconds N] [--seed S] [--warmup W] [--format text|json|csv]
  archplay bench [--seconds N]
  archplay bench --chapter [--seconds N]
  archplay lesson <lesson.json | id> [--check]
  archplay reference
  archplay version
  archplay help

run      simulate a diagram and print a summary (text), the report (json) or the
         per-second series (csv). --seconds, --seed and --warmup override the
         diagram's run settings.
bench    simulate the reference workloads and variants of the network (cache, shards,
         queue), each three times, and print the fastest run's events/s and requests/s. --chapter instead runs the whole
         chapter's architecture at 10,000 req/s (an hour by default) and prints its time
         and memory at each quarter.
lesson   print a lesson's steps; --check plays each step's solution (opened by its
         link, and played through from the start) and its mistakes against the engine
         and says whether every checkpoint passes and fails as it should (docs/lessons.md).
reference
         print the catalogue of component kinds as Markdown (docs/diagram-format.md).

See docs/cli.md for the report's fields.
";

/// Events one `run` may process before giving up: far beyond any sensible diagram, and a few
/// minutes of work, so absurd parameters end with a message instead of a hang.
const EVENT_LIMIT: u64 = 2_000_000_000;

/// A command-line problem, printed with exit status 2.
struct Usage(String);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("bench") => bench(&args[1..]),
        Some("lesson") => lesson(&args[1..]),
        Some("reference") => {
            print!("{}", archplay::model::reference_markdown());
            Ok(())
        }
        Some("version" | "--version" | "-V") => {
            println!(
                "archplay {} (diagram format {})",
                env!("CARGO_PKG_VERSION"),
                archplay::model::FORMAT_VERSION
            );
            Ok(())
        }
        Some("help" | "--help" | "-h") => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(Usage(format!("unknown command '{other}'"))),
        None => Err(Usage("no command given".into())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Usage(msg)) => {
            eprintln!("archplay: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// `archplay lesson`: prints a lesson, or checks it by playing it.
fn lesson(args: &[String]) -> Result<(), Usage> {
    use archplay::lesson::{Lesson, find, session::check_lesson};
    let mut path = None;
    let mut check = false;
    for a in args {
        match a.as_str() {
            "--check" => check = true,
            s if s.starts_with("--") => return Err(Usage(format!("unknown option '{s}'"))),
            s if path.is_none() => path = Some(s.to_string()),
            s => return Err(Usage(format!("unexpected argument '{s}'"))),
        }
    }
    let path = path.ok_or_else(|| Usage("lesson needs a lesson file or id".into()))?;
    let text = match find(&path) {
        Some(built_in) => built_in.json.to_string(),
        None => {
            std::fs::read_to_string(&path).map_err(|e| Usage(format!("cannot read {path}: {e}")))?
        }
    };
    let lesson = Lesson::from_json(&text).map_err(|e| Usage(format!("{path}: {e}")))?;
    println!("{} ({} steps)", lesson.title, lesson.steps.len());
    if !check {
        for (i, step) in lesson.steps.iter().enumerate() {
            println!("  {}. {} - {}", i + 1, step.title, step.task);
        }
        return Ok(());
    }
    let checks = check_lesson(&lesson).map_err(|e| Usage(format!("{path}: {e}")))?;
    let mut problems = Vec::new();
    for c in &checks {
        let step = &lesson.steps[c.index];
        let at = |o: &archplay::lesson::session::Outcome| {
            o.passed_at
                .map_or("never".to_string(), |t| format!("at {t:.0} s"))
        };
        println!(
            "  {}. {}: solution passes {}; {} mistake(s) {}",
            c.index + 1,
            step.title,
            at(&c.solution),
            c.mistakes.len(),
            if c.mistakes.iter().all(|m| m.passed_at.is_none()) {
                "never pass"
            } else {
                "PASS"
            }
        );
        for (f, (value, agrees)) in step.figures.iter().zip(&c.figures) {
            println!(
                "     figure {}: measured {} vs the chapter's {} {} ({})",
                f.label,
                value.map_or("-".into(), |v| format!("{v:.2}")),
                f.chapter,
                f.unit,
                match agrees {
                    Some(true) => "agrees",
                    Some(false) => "differs",
                    None => "no measurement",
                }
            );
        }
        problems.extend(c.problems(&lesson));
    }
    if problems.is_empty() {
        println!("every checkpoint passes and fails as it should");
        Ok(())
    } else {
        // Not a usage problem: say what failed and exit 1.
        eprintln!("archplay: {path}:\n{}", problems.join("\n"));
        std::process::exit(1);
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Text,
    Json,
    Csv,
}

struct RunArgs {
    path: String,
    seconds: Option<f64>,
    seed: Option<u64>,
    warmup: Option<f64>,
    format: Format,
}

fn parse_run(args: &[String]) -> Result<RunArgs, Usage> {
    let mut path = None;
    let mut out = RunArgs {
        path: String::new(),
        seconds: None,
        seed: None,
        warmup: None,
        format: Format::Text,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| Usage(format!("{name} needs a value")))
        };
        match a.as_str() {
            "--seconds" => out.seconds = Some(number(&value("--seconds")?, "--seconds")?),
            "--warmup" => out.warmup = Some(number(&value("--warmup")?, "--warmup")?),
            "--seed" => {
                let v = value("--seed")?;
                out.seed = Some(v.parse().map_err(|_| {
                    Usage(format!(
                        "--seed must be a whole number from 0 to {}, not '{v}'",
                        u64::MAX
                    ))
                })?);
            }
            "--format" => {
                out.format = match value("--format")?.as_str() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    "csv" => Format::Csv,
                    other => {
                        return Err(Usage(format!(
                            "--format must be text, json or csv, not '{other}'"
                        )));
                    }
                }
            }
            flag if flag.starts_with("--") => {
                return Err(Usage(format!("unknown option '{flag}'")));
            }
            p if path.is_none() => path = Some(p.to_string()),
            extra => return Err(Usage(format!("unexpected argument '{extra}'"))),
        }
    }
    out.path = path.ok_or_else(|| Usage("run needs a diagram file".into()))?;
    Ok(out)
}

fn number(v: &str, name: &str) -> Result<f64, Usage> {
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(Usage(format!(
            "{name} must be a non-negative number, not '{v}'"
        ))),
    }
}

/// A diagram from a file, or from a share link (anything with a `#d=` part, or a bare `v1.`
/// payload): the link's repairs, if any, are listed on standard error.
fn load(path: &str) -> Result<Diagram, Usage> {
    if path.contains("#d=") || path.starts_with("d=v") || path.starts_with("v1.") {
        let decoded = archplay::share::decode(path)
            .map_err(|e| Usage(format!("the share link cannot be opened: {e}")))?;
        for repair in &decoded.repairs {
            eprintln!("archplay: link repaired: {repair}");
        }
        return Ok(decoded.shared.diagram);
    }
    let text =
        std::fs::read_to_string(path).map_err(|e| Usage(format!("cannot read {path}: {e}")))?;
    Diagram::from_json(&text).map_err(|e| Usage(format!("{path}: {e}")))
}

fn run(args: &[String]) -> Result<(), Usage> {
    let a = parse_run(args)?;
    let mut diagram = load(&a.path)?;
    if let Some(s) = a.seconds {
        diagram.run.duration_s = s;
    }
    if let Some(w) = a.warmup {
        diagram.run.warmup_s = w;
    }
    if let Some(s) = a.seed {
        diagram.run.seed = s;
    }
    let mut sim = Simulation::new(&diagram).map_err(|e| Usage(format!("{}: {e}", a.path)))?;
    if sim.run_to_end(EVENT_LIMIT) == StepOutcome::BudgetExhausted {
        return Err(Usage(format!(
            "{}: stopped after {EVENT_LIMIT} events at {} of simulated time; shorten the run or lower the request rate",
            a.path,
            sim.now()
        )));
    }
    let report = sim.report();
    match a.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("reports serialise")
        ),
        Format::Text => print!("{}", text_report(&diagram, &report)),
        Format::Csv => print!("{}", sim.series_csv()),
    }
    Ok(())
}

fn text_report(d: &Diagram, r: &Report) -> String {
    let mut s = String::new();
    let q = &r.requests;
    let l = &r.latency_ms;
    let _ = writeln!(
        s,
        "{}: seed {}, {:.1} s simulated ({:.1} s warm-up excluded), {} events",
        if d.name.is_empty() {
            "diagram"
        } else {
            &d.name
        },
        r.seed,
        r.simulated_s,
        r.window_start_s,
        r.events
    );
    let _ = writeln!(
        s,
        "requests    sent {}  ok {}  failed {}  rejected {}  in flight {}",
        q.sent, q.ok, q.failed, q.rejected, q.in_flight
    );
    let causes: Vec<String> = r
        .errors_by_cause
        .iter()
        .map(|(c, n)| format!("{c} {n}"))
        .collect();
    let _ = writeln!(
        s,
        "throughput  {:.1} req/s   errors {:.3} %{}",
        r.throughput_per_s,
        r.error_rate * 100.0,
        if causes.is_empty() {
            String::new()
        } else {
            format!(" ({})", causes.join(", "))
        }
    );
    let _ = writeln!(
        s,
        "latency     mean {:.2} ms  p50 {:.2}  p95 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2} ms",
        l.mean, l.p50, l.p95, l.p99, l.p999, l.max
    );
    let _ = writeln!(s, "cost        ${:.2}/h", r.cost_per_hour);
    let _ = writeln!(
        s,
        "\n{:<14} {:<14} {:>10} {:>7} {:>13} {:>19} {:>19} {:>8}",
        "component",
        "kind",
        "arrivals/s",
        "util",
        "queue mean/max",
        "wait mean/p99 ms",
        "time in mean/p99",
        "errors"
    );
    for c in &r.components {
        let (util, queue, wait) = match &c.station {
            Some(st) => (
                format!("{:.1}%", st.utilisation * 100.0),
                format!("{:.2}/{}", st.mean_queue, st.max_queue),
                format!("{:.2}/{:.2}", st.mean_wait_ms, st.p99_wait_ms),
            ),
            None => ("-".into(), "-".into(), "-".into()),
        };
        let errors: u64 = c.failed.values().sum();
        let _ = writeln!(
            s,
            "{:<14} {:<14} {:>10.1} {:>7} {:>13} {:>19} {:>19} {:>8}{}",
            c.id,
            c.kind.id(),
            c.arrival_rate,
            util,
            queue,
            wait,
            format!("{:.2}/{:.2}", c.mean_sojourn_ms, c.p99_sojourn_ms),
            errors,
            if c.up { "" } else { "  DOWN" }
        );
    }
    if !r.log.is_empty() {
        let _ = writeln!(s, "\nlog");
        for e in &r.log {
            let _ = writeln!(
                s,
                "{:>10.3} s  {:<5}  {:<12}  {}",
                e.time_s,
                format!("{:?}", e.level).to_lowercase(),
                e.component.as_deref().unwrap_or("-"),
                e.message
            );
        }
        if r.log_dropped > 0 {
            let _ = writeln!(s, "({} older entries dropped)", r.log_dropped);
        }
    }
    s
}

/// The per-second series as one wide CSV table: time, the system columns, then each
/// component's columns prefixed with its id.
/// The reference workloads, shipped as examples.
const WORKLOADS: [(&str, &str); 3] = [
    (
        "M/M/1 (ρ = 0.9)",
        include_str!("../../public/examples/mm1.json"),
    ),
    (
        "M/M/4 (ρ = 0.9)",
        include_str!("../../public/examples/mm4.json"),
    ),
    (
        "users → LB → 4 servers → database, 900 req/s",
        include_str!("../../public/examples/reference-network.json"),
    ),
];

fn bench(args: &[String]) -> Result<(), Usage> {
    let mut seconds = None;
    let mut chapter = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seconds" => {
                let v = it
                    .next()
                    .ok_or_else(|| Usage("--seconds needs a value".into()))?;
                seconds = Some(number(v, "--seconds")?);
            }
            "--chapter" => chapter = true,
            other => return Err(Usage(format!("unexpected argument '{other}'"))),
        }
    }
    if chapter {
        return bench_chapter(seconds.unwrap_or(3_600.0));
    }
    println!(
        "{:<48} {:>12} {:>14} {:>14} {:>9}",
        "workload", "sim seconds", "events/s", "requests/s", "wall s"
    );
    let mut engine_network = None;
    let mut variants: Vec<(&str, f64)> = Vec::new();
    let network = WORKLOADS[2].1;
    let workloads = WORKLOADS
        .iter()
        .map(|(name, json)| (*name, Diagram::from_json(json)))
        .chain([
            (VARIANTS[0], Ok(with_cache(network)?)),
            (VARIANTS[1], Ok(with_shards(network)?)),
            (VARIANTS[2], Ok(with_queue(network)?)),
        ]);
    for (name, d) in workloads {
        let mut d = d.map_err(|e| Usage(format!("bench workload {name}: {e}")))?;
        if let Some(s) = seconds {
            d.run.duration_s = s;
        }
        d.run.warmup_s = 0.0;
        // The best of a few runs: the machine's other work only ever slows one down.
        let mut best: Option<(f64, archplay::sim::Report)> = None;
        for _ in 0..BENCH_REPEATS {
            let mut sim =
                Simulation::new(&d).map_err(|e| Usage(format!("bench workload {name}: {e}")))?;
            let start = Instant::now();
            sim.run_to_end(u64::MAX);
            let wall = start.elapsed().as_secs_f64();
            if best.as_ref().is_none_or(|(b, _)| wall < *b) {
                best = Some((wall, sim.report()));
            }
        }
        let (wall, r) = best.expect("at least one run");
        let done = r.requests.ok + r.requests.failed + r.requests.rejected;
        println!(
            "{:<48} {:>12.0} {:>14.0} {:>14.0} {:>9.2}",
            name,
            r.simulated_s,
            r.events as f64 / wall,
            done as f64 / wall,
            wall
        );
        if engine_network.is_none() && name.starts_with("users") {
            engine_network = Some(done as f64 / wall);
        } else if VARIANTS.contains(&name) {
            variants.push((name, done as f64 / wall));
        }
    }
    // The same network as a bare hand-written loop, timed now on this machine: the ratio says
    // how much the engine's generality and metrics cost, whatever the machine's speed.
    let seconds = seconds.unwrap_or(1200.0);
    let (mut wall, mut bare) = (f64::INFINITY, None);
    for _ in 0..BENCH_REPEATS {
        let start = Instant::now();
        let run = archplay::sim::bare::reference_network(seconds, 0.0, 1);
        wall = wall.min(start.elapsed().as_secs_f64());
        bare = Some(run);
    }
    let bare = bare.expect("at least one run");
    let bare_rate = bare.requests as f64 / wall;
    println!(
        "{:<48} {:>12.0} {:>14.0} {:>14.0} {:>9.2}",
        "the same network, bare hand-written loop",
        seconds,
        bare.events as f64 / wall,
        bare_rate,
        wall
    );
    if let Some(engine) = engine_network {
        println!(
            "engine / bare loop on the network: {:.2} (the bare loop keeps no metrics)",
            engine / bare_rate
        );
        for (name, rate) in variants {
            let with = name.trim_start_matches("the same network ");
            println!(
                "network / network {with}: {:.2} (requests/s without over with)",
                engine / rate
            );
        }
    }
    Ok(())
}

/// Runs the whole chapter's architecture (two data centers behind GeoDNS, CDN edges,
/// auto-scaled web tiers with shared sessions, caches, four shards with replicas in both
/// regions, a photo queue) at 10,000 req/s for `seconds`, printing at each quarter the wall
/// time, the pace, and the memory resident then and at its peak.
fn bench_chapter(seconds: f64) -> Result<(), Usage> {
    let mut d = Diagram::from_json(include_str!("../../public/examples/whole-chapter.json"))
        .map_err(|e| Usage(format!("the chapter's diagram: {e}")))?;
    d.run.duration_s = seconds;
    d.run.warmup_s = 0.0;
    let mut sim = Simulation::new(&d).map_err(|e| Usage(format!("the chapter's diagram: {e}")))?;
    println!(
        "{:>12} {:>9} {:>14} {:>12} {:>12}",
        "sim seconds", "wall s", "requests/s", "RSS MB", "peak MB"
    );
    let start = Instant::now();
    for quarter in 1..=4 {
        let until = archplay::sim::SimTime::ZERO
            + archplay::sim::SimDuration::from_secs_f64(seconds * f64::from(quarter) / 4.0);
        sim.step_until(until, u64::MAX);
        let wall = start.elapsed().as_secs_f64();
        let (rss, peak) = memory_mb();
        println!(
            "{:>12.0} {:>9.2} {:>14.0} {:>12} {:>12}",
            sim.now().as_secs_f64(),
            wall,
            sim.requests_done() as f64 / wall,
            rss.map_or("?".into(), |m| format!("{m:.1}")),
            peak.map_or("?".into(), |m| format!("{m:.1}")),
        );
    }
    let r = sim.report();
    println!(
        "{} requests, {:.2} % errors, p95 {:.1} ms, {} events",
        r.requests.sent,
        100.0 * (r.requests.failed + r.requests.rejected) as f64 / r.requests.sent.max(1) as f64,
        r.latency_ms.p95,
        r.events
    );
    Ok(())
}

/// Resident memory now and at its peak, in MB (Linux; `None` elsewhere).
fn memory_mb() -> (Option<f64>, Option<f64>) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Runs of each bench workload; the fastest counts.
const BENCH_REPEATS: usize = 3;

/// The variants of the reference network the bench compares with it.
const VARIANTS: [&str; 3] = [
    "the same network with a cache before the database",
    "the same network with the database in 4 shards",
    "the same network with writes through a queue",
];

/// The reference network with its database split over four shards (consistent hashing)
/// behind a shard router: what sharding costs the engine per request.
fn with_shards(json: &str) -> Result<Diagram, Usage> {
    use archplay::model::{Component, Kind, Wire};
    let mut d = Diagram::from_json(json).map_err(|e| Usage(format!("bench workload: {e}")))?;
    let db = d
        .components
        .iter()
        .find(|c| c.kind == Kind::Database)
        .cloned()
        .ok_or_else(|| Usage("bench workload has no database".into()))?;
    d.components.retain(|c| c.kind != Kind::Database);
    d.wires.retain(|w| w.to != db.id);
    d.components
        .push(Component::new("router", Kind::ShardRouter));
    for i in 1..=4 {
        let mut shard = db.clone();
        shard.id = format!("shard-{i}").as_str().into();
        d.components.push(shard);
        d.wires.push(Wire::new("router", &format!("shard-{i}")));
    }
    wire_web_servers_to(&mut d, "router");
    d.validate()
        .map_err(|p| Usage(format!("bench workload with shards: {p:?}")))?;
    Ok(d)
}

/// The reference network with its writes turned into jobs on a queue, processed by a pool of
/// consumers: what queueing costs the engine per request.
fn with_queue(json: &str) -> Result<Diagram, Usage> {
    use archplay::model::{Component, Kind, Wire};
    let mut d = Diagram::from_json(json).map_err(|e| Usage(format!("bench workload: {e}")))?;
    d.components
        .push(Component::new("queue", Kind::MessageQueue));
    d.components.push(
        Component::new("workers", Kind::Consumer)
            .with("workers", 64.0)
            .with("service_ms", 50.0),
    );
    d.wires.push(Wire::new("queue", "workers"));
    wire_web_servers_to(&mut d, "queue");
    d.validate()
        .map_err(|p| Usage(format!("bench workload with a queue: {p:?}")))?;
    Ok(d)
}

/// Wires every web server of `d` to component `to`.
fn wire_web_servers_to(d: &mut Diagram, to: &str) {
    use archplay::model::{Kind, Wire};
    let webs: Vec<_> = d
        .components
        .iter()
        .filter(|c| c.kind == Kind::WebServer)
        .map(|c| c.id.clone())
        .collect();
    for web in webs {
        d.wires.push(Wire::new(web.as_str(), to));
    }
}

/// The reference network with a cache (LRU, 10,000 records, cache-aside from every web
/// server) in front of its database: what caching costs the engine per request.
fn with_cache(json: &str) -> Result<Diagram, Usage> {
    let mut d = Diagram::from_json(json).map_err(|e| Usage(format!("bench workload: {e}")))?;
    d.components.push(
        archplay::model::Component::new("cache", archplay::model::Kind::Cache)
            .with("capacity", 10_000.0)
            .with("workers", 8.0)
            .with("service_ms", 0.5)
            .with("queue_capacity", 100_000.0),
    );
    wire_web_servers_to(&mut d, "cache");
    d.validate()
        .map_err(|p| Usage(format!("bench workload with a cache: {p:?}")))?;
    Ok(d)
}
