//! The deterministic discrete-event engine.
//!
//! Time is an integer ([`SimTime`], nanoseconds); pending events sit in an [`EventQueue`] ordered
//! by `(time, seq)`, so events scheduled for the same instant run in the order they were
//! scheduled and a run is a pure function of its model and seed.

mod queue;
mod time;

pub use queue::EventQueue;
pub use time::{SimDuration, SimTime};
