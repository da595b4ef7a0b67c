//! Running a simulation somewhere else — in the browser, a worker thread — while the page
//! shows its figures.
//!
//! The page hands over a [snapshot](Simulation::snapshot) with [`ToRemote::Start`]; the other
//! side keeps an [`Ahead`], advances it in slices and sends [`FromRemote::Progress`] now and
//! then: only what changed on screen (new per-second rows, new log entries, who is up, the
//! clock), which the page folds into its [`Figures`]. When the run reaches its stop, or the
//! page sends [`ToRemote::Stop`], [`FromRemote::Done`] brings the whole state back. Messages
//! are compact bytes ([`encode`], [`decode`]). Nothing here touches the web: the worker and
//! the page each wrap it in a few lines, and it is tested natively.

use serde::{Deserialize, Serialize};

use super::engine::Simulation;
use super::log::{EventLog, LogEntry};
use super::series::{Series, SeriesStore};
use super::snapshot::SnapshotError;
use super::time::SimTime;
use crate::model::ComponentId;

/// What the page asks of the remote side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ToRemote {
    /// Carry on simulation `snapshot` until `until` (or its end), as run number `run`.
    Start {
        /// Tells this run's answers from those of runs the page has given up on.
        run: u64,
        /// Where to start, from [`Simulation::snapshot`].
        #[serde(with = "bytes")]
        snapshot: Vec<u8>,
        /// Where to stop (the run's end at the latest).
        until: SimTime,
    },
    /// Stop run `run` now and send its state back.
    Stop {
        /// The run to stop.
        run: u64,
    },
}

/// What the remote side tells the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FromRemote {
    /// Ready for work: the snapshot layout it reads (see [`super::fingerprint`]).
    Ready {
        /// Must equal the page's own for snapshots to travel between them.
        fingerprint: u64,
    },
    /// Run `run` has moved on.
    Progress {
        /// Which run.
        run: u64,
        /// What changed since the last message.
        figures: FiguresDelta,
    },
    /// Run `run` has stopped: reached its stop or end, or was asked to.
    Done {
        /// Which run.
        run: u64,
        /// What changed since the last message.
        figures: FiguresDelta,
        /// The whole state, to carry on from.
        #[serde(with = "bytes")]
        snapshot: Vec<u8>,
    },
    /// Run `run` could not go on.
    Failed {
        /// Which run.
        run: u64,
        /// Why, for the page to show.
        why: String,
    },
}

/// A snapshot inside a message as one run of bytes (a copy each way) rather than serde's
/// default for a `Vec<u8>`, a sequence encoded and decoded byte by byte: for a big diagram's
/// tens of megabytes that took a tenth of a second each way.
mod bytes {
    use std::fmt;

    use serde::de::{Error, SeqAccess, Visitor};
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct Bytes;
        impl<'de> Visitor<'de> for Bytes {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
                let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
                while let Some(b) = seq.next_element()? {
                    v.push(b);
                }
                Ok(v)
            }
        }
        d.deserialize_byte_buf(Bytes)
    }
}

/// Encodes a message.
pub fn encode<T: Serialize>(message: &T) -> Result<Vec<u8>, SnapshotError> {
    postcard::to_allocvec(message).map_err(|e| SnapshotError::Unencodable(e.to_string()))
}

/// Decodes a message.
pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, SnapshotError> {
    postcard::from_bytes(bytes).map_err(|e| SnapshotError::Corrupt(e.to_string()))
}

/// What changed on screen since the previous message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FiguresDelta {
    /// Simulated time now.
    pub now: SimTime,
    /// The run has reached its duration.
    pub finished: bool,
    /// Requests finished so far (for the pace shown).
    pub requests_done: u64,
    /// What the machines running now cost per hour.
    pub cost_per_hour: f64,
    /// Each component up (in diagram order).
    pub up: Vec<bool>,
    /// New system-wide rows, flattened.
    pub global_rows: Vec<f64>,
    /// New rows of each component, flattened.
    pub node_rows: Vec<Vec<f64>>,
    /// New log entries.
    #[serde(with = "super::log::entry_tuples")]
    pub log: Vec<LogEntry>,
}

/// The remote side of a run: a simulation carried on ahead of the page.
pub struct Ahead {
    run: u64,
    sim: Simulation,
    until: SimTime,
    /// The newest series row and log entry already sent.
    sent_row_s: f64,
    sent_log: u64,
}

impl Ahead {
    /// Takes up `snapshot` as run `run`, to go on until `until`. The page already shows
    /// everything up to the snapshot.
    pub fn start(run: u64, snapshot: &[u8], until: SimTime) -> Result<Ahead, SnapshotError> {
        let sim = Simulation::from_snapshot(snapshot)?;
        Ok(Ahead {
            run,
            sent_row_s: sim.series().global.last_time().unwrap_or(f64::NEG_INFINITY),
            sent_log: sim.log().written(),
            until: until.min(sim.end()),
            sim,
        })
    }

    /// Which run this is.
    pub fn run(&self) -> u64 {
        self.run
    }

    /// Advances by at most `events` events; true once the stop (or the end) is reached.
    pub fn advance(&mut self, events: u64) -> bool {
        self.sim.step_until(self.until, events);
        self.reached()
    }

    /// Whether the run stands at its stop (or its end).
    pub fn reached(&self) -> bool {
        self.sim.now() >= self.until || self.sim.finished()
    }

    /// The simulation as it stands.
    pub fn sim(&self) -> &Simulation {
        &self.sim
    }

    /// What changed since the last call (or the start).
    pub fn progress(&mut self) -> FiguresDelta {
        let sim = &self.sim;
        let series = sim.series();
        let delta = FiguresDelta {
            now: sim.now(),
            finished: sim.finished(),
            requests_done: sim.requests_done(),
            cost_per_hour: sim.cost_per_hour(),
            up: sim.nodes.iter().map(|n| n.up).collect(),
            global_rows: series.global.rows_after(self.sent_row_s),
            node_rows: series
                .nodes
                .iter()
                .map(|s| s.rows_after(self.sent_row_s))
                .collect(),
            log: sim.log().since(self.sent_log).cloned().collect(),
        };
        if let Some(t) = series.global.last_time() {
            self.sent_row_s = t;
        }
        self.sent_log = sim.log().written();
        delta
    }

    /// The message that ends the run: the last changes and the whole state.
    pub fn done(mut self) -> FromRemote {
        let figures = self.progress();
        match self.sim.snapshot() {
            Ok(snapshot) => FromRemote::Done {
                run: self.run,
                figures,
                snapshot,
            },
            Err(e) => FromRemote::Failed {
                run: self.run,
                why: e.to_string(),
            },
        }
    }
}

/// Runs a small fixed network (users, a load balancer, two servers, a database) flat out for
/// `events` events, and says how many it processed. A worker does this once as it starts: a
/// browser's WebAssembly engine first runs every function from a quickly made baseline
/// translation and optimises only what has run a lot, so a worker's first real run would
/// otherwise spend its first few hundred milliseconds in slow code.
pub fn warm_up(events: u64) -> u64 {
    const NETWORK: &str = r#"{
      "format": "archplay-diagram", "version": 1,
      "components": [
        {"id": "users", "kind": "users", "params": {"rate": 2000}},
        {"id": "lb", "kind": "load_balancer"},
        {"id": "web-1", "kind": "web_server"},
        {"id": "web-2", "kind": "web_server"},
        {"id": "db", "kind": "database"}
      ],
      "wires": [
        {"from": "users", "to": "lb"}, {"from": "lb", "to": "web-1"}, {"from": "lb", "to": "web-2"},
        {"from": "web-1", "to": "db"}, {"from": "web-2", "to": "db"}
      ],
      "run": {"duration_s": 3600, "warmup_s": 0, "seed": 11}
    }"#;
    let Ok(diagram) = crate::model::Diagram::from_json(NETWORK) else {
        return 0;
    };
    let Ok(mut sim) = Simulation::new(&diagram) else {
        return 0;
    };
    sim.run_to_end(events);
    sim.events()
}

/// What the page shows of a run going on elsewhere: the figures as of the last message.
#[derive(Clone, Debug)]
pub struct Figures {
    ids: Vec<ComponentId>,
    now: SimTime,
    end: SimTime,
    finished: bool,
    requests_done: u64,
    cost_per_hour: f64,
    up: Vec<bool>,
    series: SeriesStore,
    log: EventLog,
}

impl Figures {
    /// The figures of `sim` as it stands (where a remote run takes up from).
    pub fn of(sim: &Simulation) -> Figures {
        Figures {
            ids: sim.nodes.iter().map(|n| n.id.clone()).collect(),
            now: sim.now(),
            end: sim.end(),
            finished: sim.finished(),
            requests_done: sim.requests_done(),
            cost_per_hour: sim.cost_per_hour(),
            up: sim.nodes.iter().map(|n| n.up).collect(),
            series: sim.series().clone(),
            log: sim.log().clone(),
        }
    }

    /// Folds in what changed.
    pub fn apply(&mut self, delta: FiguresDelta) {
        self.now = delta.now;
        self.finished = delta.finished;
        self.requests_done = delta.requests_done;
        self.cost_per_hour = delta.cost_per_hour;
        if delta.up.len() == self.up.len() {
            self.up = delta.up;
        }
        self.series.global.extend_rows(&delta.global_rows);
        for (series, rows) in self.series.nodes.iter_mut().zip(&delta.node_rows) {
            series.extend_rows(rows);
        }
        for entry in delta.log {
            self.log.push_entry(entry);
        }
    }
}

/// What a panel reads of a run, wherever it is computed: the simulation itself when it runs in
/// the page, or the [`Figures`] of one running elsewhere.
pub trait Observed {
    /// Simulated time now.
    fn now(&self) -> SimTime;
    /// The run's end.
    fn end(&self) -> SimTime;
    /// Whether the run has reached its end.
    fn finished(&self) -> bool;
    /// Requests finished so far.
    fn requests_done(&self) -> u64;
    /// The per-second series.
    fn series(&self) -> &SeriesStore;
    /// Component `id`'s series.
    fn component_series(&self, id: &ComponentId) -> Option<&Series>;
    /// Whether component `id` is up (`None`: no such component).
    fn is_up(&self, id: &ComponentId) -> Option<bool>;
    /// The event log.
    fn log(&self) -> &EventLog;
    /// What the machines running now cost per hour.
    fn cost_per_hour(&self) -> f64;
    /// The series as CSV.
    fn series_csv(&self) -> String;
}

impl Observed for Simulation {
    fn now(&self) -> SimTime {
        Simulation::now(self)
    }
    fn end(&self) -> SimTime {
        Simulation::end(self)
    }
    fn finished(&self) -> bool {
        Simulation::finished(self)
    }
    fn requests_done(&self) -> u64 {
        Simulation::requests_done(self)
    }
    fn series(&self) -> &SeriesStore {
        Simulation::series(self)
    }
    fn component_series(&self, id: &ComponentId) -> Option<&Series> {
        Simulation::component_series(self, id)
    }
    fn is_up(&self, id: &ComponentId) -> Option<bool> {
        Simulation::is_up(self, id)
    }
    fn log(&self) -> &EventLog {
        Simulation::log(self)
    }
    fn cost_per_hour(&self) -> f64 {
        Simulation::cost_per_hour(self)
    }
    fn series_csv(&self) -> String {
        Simulation::series_csv(self)
    }
}

impl Observed for Figures {
    fn now(&self) -> SimTime {
        self.now
    }
    fn end(&self) -> SimTime {
        self.end
    }
    fn finished(&self) -> bool {
        self.finished
    }
    fn requests_done(&self) -> u64 {
        self.requests_done
    }
    fn series(&self) -> &SeriesStore {
        &self.series
    }
    fn component_series(&self, id: &ComponentId) -> Option<&Series> {
        let i = self.ids.iter().position(|c| c == id)?;
        self.series.nodes.get(i)
    }
    fn is_up(&self, id: &ComponentId) -> Option<bool> {
        let i = self.ids.iter().position(|c| c == id)?;
        self.up.get(i).copied()
    }
    fn log(&self) -> &EventLog {
        &self.log
    }
    fn cost_per_hour(&self) -> f64 {
        self.cost_per_hour
    }
    fn series_csv(&self) -> String {
        let ids: Vec<&str> = self.ids.iter().map(ComponentId::as_str).collect();
        self.series.to_csv(&ids)
    }
}
