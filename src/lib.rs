//! Archplay: an architecture playground.
//!
//! The crate is layered in one direction:
//!
//! - [`sim`] — the deterministic discrete-event engine;
//! - [`model`] — the diagram document: components, wires, settings, validation;
//! - [`share`] — the share-link codec;
//! - [`lesson`] — guided lessons: their format, checkpoints on live metrics, progress;
//! - [`chart`] — chart geometry (scales, ticks, labels, paths);
//! - [`layout`] — which arrangement of panels a window of a given width gets;
//! - `ui` (feature `web`) — the Leptos components, which depend on the three above and never the
//!   reverse.
//!
//! Everything but `ui` builds and tests natively with `--no-default-features`, with no web crate in
//! the dependency graph.

pub mod chart;
pub mod layout;
pub mod lesson;
pub mod model;
pub mod share;
pub mod sim;

#[cfg(feature = "web")]
pub mod ui;
