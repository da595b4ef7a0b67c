//! Snapshots: the whole state of a running [`Simulation`] as bytes, and back.
//!
//! The browser runs "as fast as possible" in a worker thread: the page hands the worker a
//! snapshot, the worker simulates on from it and hands snapshots back while it runs. A restored
//! simulation carries on exactly as the original would have (same events, same random draws),
//! so where a run was computed never shows in its results.
//!
//! The bytes are [`postcard`] (compact serde) behind a marker. They are only meant to travel
//! between two copies of the same build: [`fingerprint`] tells two builds apart, and a
//! snapshot that does not decode is an error, never a panic.

use std::fmt;

use super::engine::Simulation;
use crate::model::Diagram;

/// Leads every snapshot.
const MARKER: &[u8; 6] = b"APSIM1";

/// Why bytes are not a snapshot this build can restore.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotError {
    /// The bytes do not start with the snapshot marker.
    NotASnapshot,
    /// The body does not decode as this build's simulation state.
    Corrupt(String),
    /// A value in the state would not encode (a defect in the engine's serde attributes).
    Unencodable(String),
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::NotASnapshot => write!(f, "not a simulation snapshot"),
            SnapshotError::Corrupt(why) => write!(f, "the snapshot does not decode: {why}"),
            SnapshotError::Unencodable(why) => write!(f, "the state does not encode: {why}"),
        }
    }
}

impl std::error::Error for SnapshotError {}

impl Simulation {
    /// The simulation's whole state, to [`Simulation::from_snapshot`] later or elsewhere.
    pub fn snapshot(&self) -> Result<Vec<u8>, SnapshotError> {
        let body =
            postcard::to_allocvec(self).map_err(|e| SnapshotError::Unencodable(e.to_string()))?;
        let mut bytes = Vec::with_capacity(MARKER.len() + body.len());
        bytes.extend_from_slice(MARKER);
        bytes.extend(body);
        Ok(bytes)
    }

    /// The simulation a snapshot was taken of, ready to carry on.
    pub fn from_snapshot(bytes: &[u8]) -> Result<Simulation, SnapshotError> {
        let body = bytes
            .strip_prefix(MARKER.as_slice())
            .ok_or(SnapshotError::NotASnapshot)?;
        let (sim, rest) = postcard::take_from_bytes::<Simulation>(body)
            .map_err(|e| SnapshotError::Corrupt(e.to_string()))?;
        if !rest.is_empty() {
            return Err(SnapshotError::Corrupt(format!(
                "{} bytes left over",
                rest.len()
            )));
        }
        Ok(sim)
    }
}

/// Identifies the snapshot layout of this build: a hash of the snapshot of a small fixed
/// simulation run for a second. Two builds whose snapshots could be mistaken for each other's
/// (a page and a worker script from different releases) give different fingerprints.
pub fn fingerprint() -> u64 {
    const PROBE: &str = r#"{
      "format": "archplay-diagram", "version": 1,
      "components": [
        {"id": "users", "kind": "users", "params": {"rate": 50}},
        {"id": "web", "kind": "web_server"},
        {"id": "db", "kind": "database"}
      ],
      "wires": [{"from": "users", "to": "web"}, {"from": "web", "to": "db"}],
      "run": {"duration_s": 2, "warmup_s": 0, "seed": 7}
    }"#;
    let Ok(diagram) = Diagram::from_json(PROBE) else {
        return 0;
    };
    let Ok(mut sim) = Simulation::new(&diagram) else {
        return 0;
    };
    sim.run_to_end(u64::MAX);
    let Ok(bytes) = sim.snapshot() else {
        return 0;
    };
    // FNV-1a: small, stable, and the same on every target.
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A field kept in a snapshot as its diagram-format JSON text: the diagram's own types (the
/// timeline's actions are internally tagged) describe themselves for JSON, which a compact
/// binary format cannot read back.
pub(crate) mod as_json {
    use serde::de::{DeserializeOwned, Error as _};
    use serde::ser::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        serde_json::to_string(value)
            .map_err(S::Error::custom)?
            .serialize(s)
    }

    pub fn deserialize<'de, T: DeserializeOwned, D: Deserializer<'de>>(
        d: D,
    ) -> Result<T, D::Error> {
        serde_json::from_str(&String::deserialize(d)?).map_err(D::Error::custom)
    }
}
