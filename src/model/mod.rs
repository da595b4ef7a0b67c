//! The diagram document: what an architecture is made of, independent of any view of it.
//!
//! - [`catalogue`]: the kinds of component, their parameters, wiring rules and metrics;
//! - [`Diagram`]: the document itself, serialised as the documented JSON format;
//! - loading ([`Diagram::from_json`]) validates and reports every problem by place;
//! - [`edit`]: changes as data, applied by a pure function that returns the inverse;
//! - [`History`]: undo and redo on top of that;
//! - [`geometry`]: viewport, snapping and bounds for the canvas.
//!
//! Documents are versioned from the first release; [`FORMAT_VERSION`] is the version this build
//! writes. A version number never changes meaning once released.

pub mod catalogue;
pub mod cost;
mod diagram;
pub mod edit;
pub mod examples;
pub mod export;
pub mod geometry;
mod history;
pub mod lists;
mod reference;
pub mod regions;
pub mod run_fields;
pub mod shown;
pub mod tidy;
pub(crate) mod validate;

pub use catalogue::{Kind, catalogue};
pub use diagram::{
    Action, Alerts, Component, ComponentId, DEFAULT_LATENCY_MS, Diagram, FORMAT_MARKER, ParamValue,
    RunSettings, TimelineEvent, Traffic, Wire,
};
pub use edit::{Edit, Refusal, apply};
pub use history::History;
pub use reference::reference_markdown;
pub use validate::{
    LoadError, MAX_COMPONENTS, MAX_DOCUMENT_BYTES, MAX_TIMELINE, MAX_WIRES, Problem,
};

/// The diagram format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
