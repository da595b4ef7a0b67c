//! The network between regions as the running simulation sees it: the region each node runs
//! in, the round trips between regions (with the diagram's overrides), and which pairs of
//! regions are cut off from each other by a partition.
//!
//! A wire's latency already includes the crossing (see `model::regions`); this is for what
//! decides *where* to go (GeoDNS's nearest data center) and whether anything gets there at all.

use serde::{Deserialize, Serialize};

use crate::model::Diagram;
use crate::model::regions::{self, REGIONS};

const N: usize = REGIONS.len();

/// Regions, round trips and partitions.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct Network {
    /// Per node, in diagram order: its region's index in [`REGIONS`], if it has one.
    region: Vec<Option<u8>>,
    /// Round trips in ms between regions.
    round_trip: [[f64; N]; N],
    /// Region pairs (lower index first) the network between is cut.
    cut: Vec<(u8, u8)>,
}

impl Network {
    /// The network of `diagram`, whose components are the nodes in order.
    pub fn new(diagram: &Diagram) -> Self {
        let region = diagram
            .components
            .iter()
            .map(|c| {
                regions::region_of(diagram, &c.id)
                    .and_then(regions::index)
                    .map(|i| i as u8)
            })
            .collect();
        let mut round_trip = [[0.0; N]; N];
        for (i, a) in REGIONS.iter().enumerate() {
            for (j, b) in REGIONS.iter().enumerate() {
                round_trip[i][j] =
                    regions::round_trip_ms(a, b, &diagram.region_latency).unwrap_or(0.0);
            }
        }
        Network {
            region,
            round_trip,
            cut: Vec::new(),
        }
    }

    /// The region node `node` runs in.
    pub fn region(&self, node: u32) -> Option<u8> {
        self.region.get(node as usize).copied().flatten()
    }

    /// The round trip in ms between two regions; 0 when either is unknown (no crossing).
    pub fn round_trip_ms(&self, a: Option<u8>, b: Option<u8>) -> f64 {
        match (a, b) {
            (Some(a), Some(b)) => self.round_trip[a as usize][b as usize],
            _ => 0.0,
        }
    }

    fn pair(a: &str, b: &str) -> Option<(u8, u8)> {
        let (a, b) = (regions::index(a)? as u8, regions::index(b)? as u8);
        (a != b).then_some((a.min(b), a.max(b)))
    }

    /// Cuts the network between regions `a` and `b`; false if it was already cut (or the
    /// pair is not two known regions).
    pub fn partition(&mut self, a: &str, b: &str) -> bool {
        match Self::pair(a, b) {
            Some(p) if !self.cut.contains(&p) => {
                self.cut.push(p);
                true
            }
            _ => false,
        }
    }

    /// Mends the network between `a` and `b`; false if it was not cut.
    pub fn heal(&mut self, a: &str, b: &str) -> bool {
        let Some(p) = Self::pair(a, b) else {
            return false;
        };
        let before = self.cut.len();
        self.cut.retain(|&c| c != p);
        self.cut.len() != before
    }

    /// Whether anything sent from node `from` can reach node `to` now.
    #[inline]
    pub fn reachable(&self, from: u32, to: u32) -> bool {
        if self.cut.is_empty() {
            return true;
        }
        match (self.region(from), self.region(to)) {
            (Some(a), Some(b)) if a != b => !self.cut.contains(&(a.min(b), a.max(b))),
            _ => true,
        }
    }

    /// Whether the network between regions `a` and `b` is cut now.
    pub fn is_cut(&self, a: &str, b: &str) -> bool {
        Self::pair(a, b).is_some_and(|p| self.cut.contains(&p))
    }

    /// Whether any partition is in force.
    pub fn partitioned(&self) -> bool {
        !self.cut.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Component, Kind, Wire};

    fn at(mut c: Component, x: f64, y: f64) -> Component {
        (c.x, c.y) = (x, y);
        c
    }

    fn two_regions() -> Diagram {
        let mut d = Diagram::new("t");
        d.components = vec![
            Component::new("users", Kind::Users).with_choice("region", "tokyo"),
            Component::new("east", Kind::DataCenter)
                .with_choice("region", "virginia")
                .with("width", 300.0)
                .with("height", 200.0),
            at(Component::new("web-1", Kind::WebServer), 50.0, 50.0),
            at(Component::new("loose", Kind::WebServer), 900.0, 900.0),
        ];
        d.wires = vec![Wire::new("users", "web-1")];
        d
    }

    #[test]
    fn regions_round_trips_and_partitions() {
        let mut net = Network::new(&two_regions());
        let (tokyo, virginia) = (
            regions::index("tokyo").map(|i| i as u8),
            regions::index("virginia").map(|i| i as u8),
        );
        assert_eq!(net.region(0), tokyo);
        assert_eq!(net.region(2), virginia, "inside the east box");
        assert_eq!(net.region(3), None, "outside every box");
        assert_eq!(net.round_trip_ms(tokyo, virginia), 180.0);
        assert_eq!(net.round_trip_ms(None, virginia), 0.0);
        assert!(net.reachable(0, 2));
        assert!(net.partition("virginia", "tokyo"));
        assert!(!net.partition("tokyo", "virginia"), "the same pair");
        assert!(!net.partition("tokyo", "tokyo"));
        assert!(!net.reachable(0, 2) && !net.reachable(2, 0));
        assert!(net.reachable(0, 3), "no region: not cut off");
        assert!(net.heal("tokyo", "virginia"));
        assert!(!net.heal("tokyo", "virginia"));
        assert!(net.reachable(0, 2) && !net.partitioned());
    }
}
