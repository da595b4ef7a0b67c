//! The deterministic discrete-event engine.
//!
//! Build a [`Simulation`] from a [`crate::model::Diagram`], advance it with
//! [`Simulation::step_until`] / [`Simulation::run_for`] (each with an event budget, so a caller
//! can keep a frame short), and read a [`Report`] or the per-second [`SeriesStore`] at any time.
//!
//! Determinism by construction: time is an integer ([`SimTime`], nanoseconds); pending events
//! sit in an [`EventQueue`] ordered by `(time, seq)`, so same-instant events run in the order
//! they were scheduled; one seeded generator ([`rng::SimRng`]) draws every random number;
//! nothing iterates a hash map. The same diagram and seed give bit-identical reports natively
//! and in wasm32.

mod alerts;
mod autoscaling;
pub mod bare;
mod cache;
mod dns;
mod engine;
mod geo_dns;
mod health;
mod histogram;
mod live;
mod load_balancer;
mod log;
mod messaging;
mod metrics;
mod multi_primary;
mod network;
mod queue;
pub mod remote;
mod replication;
mod report;
mod request;
pub mod rng;
mod series;
pub mod sharding;
mod snapshot;
mod station;
mod time;
mod trace;
mod users;

pub use engine::{
    BuildError, MAX_IN_FLIGHT, MAX_TOTAL_USERS, SERIES_CAPACITY, Simulation, StepOutcome,
    UpdateError,
};
pub use histogram::Histogram;
pub use live::{LiveChange, live_change};
pub use log::{EventLog, LogEntry, LogLevel};
pub use metrics::Cause;
pub use queue::EventQueue;
pub use report::{
    CacheReport, CdnReport, ComponentReport, ConsumerReport, DnsReport, InstancesReport, Latency,
    MultiPrimaryReport, QueueReport, ReplicaReport, Report, RequestCounts, RouterReport,
    SessionReport, StationReport,
};
pub use series::{GLOBAL_METRICS, Series, SeriesStore};
pub use snapshot::{SnapshotError, fingerprint};
pub use time::{SimDuration, SimTime};
pub use trace::{Crossing, CrossingKind};
