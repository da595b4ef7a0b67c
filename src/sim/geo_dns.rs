//! GeoDNS: which entry point (a data center's load balancer or web server) a lookup answers
//! with. Nearest picks the healthy entry point with the smallest round trip from the user's
//! region; weighted splits answers by the wires' weights. Health checks move entry points in
//! and out of the answers; with none healthy it answers as if all were (failing open, as DNS
//! services do: an answer that may work beats none).
//!
//! Clients cache the answers (see `dns`); this file only decides them.

use serde::{Deserialize, Serialize};

use crate::model::Component;

use super::health::{Health, ProbeOutcome, Thresholds};
use super::load_balancer::mix64;
use super::rng::SimRng;
use super::time::SimDuration;

/// How an answer is chosen.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Policy {
    /// The nearest healthy entry point.
    Nearest,
    /// Healthy entry points in proportion to their weights.
    Weighted,
}

/// One entry point GeoDNS answers with.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct Entry {
    /// The region it runs in.
    pub region: Option<u8>,
    /// Its wire's weight (weighted policy).
    pub weight: f64,
    /// GeoDNS's view of its health.
    pub health: Health,
}

/// A GeoDNS node's choosing and checking state.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct GeoDns {
    pub policy: Policy,
    pub check_interval: SimDuration,
    thresholds: Thresholds,
    /// Clients look the name up again and retry once when a connection fails.
    pub retry: bool,
    /// The entry points, in wire order.
    pub entries: Vec<Entry>,
}

impl GeoDns {
    /// Reads a validated `geo_dns` component whose wires lead to entry points in `regions`
    /// with `weights`.
    pub fn from_component(c: &Component, entries: Vec<(Option<u8>, f64)>) -> Self {
        let mut g = GeoDns {
            policy: Policy::Nearest,
            check_interval: SimDuration::ZERO,
            thresholds: Thresholds {
                unhealthy: 1,
                healthy: 1,
            },
            retry: true,
            entries: entries
                .into_iter()
                .map(|(region, weight)| Entry {
                    region,
                    weight,
                    health: Health::default(),
                })
                .collect(),
        };
        g.update(c);
        g
    }

    /// Takes `c`'s settings, keeping each entry point's health.
    pub fn update(&mut self, c: &Component) {
        self.policy = match c.choice("policy") {
            "weighted" => Policy::Weighted,
            _ => Policy::Nearest,
        };
        self.check_interval = SimDuration::from_secs_f64(c.number("check_interval_s"));
        self.thresholds = Thresholds {
            unhealthy: c.number("unhealthy_threshold") as u32,
            healthy: c.number("healthy_threshold") as u32,
        };
        self.retry = c.choice("client_retry") == "once";
    }

    /// Entry points in service.
    pub fn healthy(&self) -> usize {
        self.entries.iter().filter(|e| e.health.in_service).count()
    }

    /// Records a probe of entry point `i`.
    pub fn probe(&mut self, i: usize, passed: bool) -> ProbeOutcome {
        self.entries[i].health.probe(passed, self.thresholds)
    }

    /// The entry point to answer `user` (in `region`) with. `round_trip_ms` gives the round
    /// trip between two regions.
    pub fn choose(
        &self,
        user: u32,
        region: Option<u8>,
        round_trip_ms: impl Fn(Option<u8>, Option<u8>) -> f64,
        rng: &mut SimRng,
    ) -> u32 {
        // Failing open: with nothing healthy, every entry point is a candidate.
        let any_healthy = self.healthy() > 0;
        let candidate = |e: &Entry| e.health.in_service || !any_healthy;
        let candidates = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| candidate(e));
        match self.policy {
            Policy::Nearest => {
                let best = candidates
                    .clone()
                    .map(|(_, e)| round_trip_ms(region, e.region))
                    .fold(f64::INFINITY, f64::min);
                let nearest: Vec<u32> = candidates
                    .filter(|(_, e)| round_trip_ms(region, e.region) <= best)
                    .map(|(i, _)| i as u32)
                    .collect();
                // Equally near entry points share the users, each user always the same one.
                nearest[(mix64(u64::from(user)) % nearest.len() as u64) as usize]
            }
            Policy::Weighted => {
                let total: f64 = candidates.clone().map(|(_, e)| e.weight).sum();
                let mut x = rng.unit() * total;
                let mut last = 0;
                for (i, e) in candidates {
                    last = i as u32;
                    if x < e.weight {
                        return last;
                    }
                    x -= e.weight;
                }
                last
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    /// Regions 0, 1, 2 on a line: 0–1 is 10 ms, 1–2 is 10 ms, 0–2 is 20 ms.
    fn line(a: Option<u8>, b: Option<u8>) -> f64 {
        match (a, b) {
            (Some(a), Some(b)) => 10.0 * (f64::from(a) - f64::from(b)).abs(),
            _ => 0.0,
        }
    }

    fn geo(policy: &str, entries: Vec<(Option<u8>, f64)>) -> GeoDns {
        let c = Component::new("g", Kind::GeoDns)
            .with_choice("policy", policy)
            .with("unhealthy_threshold", 2.0)
            .with("healthy_threshold", 1.0);
        GeoDns::from_component(&c, entries)
    }

    #[test]
    fn nearest_healthy_entry_point_with_failing_open() {
        let mut g = geo("nearest", vec![(Some(0), 1.0), (Some(2), 1.0)]);
        let mut rng = SimRng::new(1);
        assert_eq!(g.choose(7, Some(0), line, &mut rng), 0);
        assert_eq!(g.choose(7, Some(2), line, &mut rng), 1);
        // Region 1 is as near to both: users split between them, each always the same way.
        let split: Vec<u32> = (0..1000)
            .map(|u| g.choose(u, Some(1), line, &mut rng))
            .collect();
        let ones = split.iter().filter(|&&e| e == 1).count();
        assert!((400..600).contains(&ones), "{ones}");
        assert_eq!(g.choose(3, Some(1), line, &mut rng), split[3]);
        // Entry point 0 fails two probes: region 0's users go to the far one.
        assert_eq!(g.probe(0, false), ProbeOutcome::Failed);
        assert_eq!(g.probe(0, false), ProbeOutcome::Removed);
        assert_eq!(g.choose(7, Some(0), line, &mut rng), 1);
        // Both out: answers as if both were in.
        g.probe(1, false);
        g.probe(1, false);
        assert_eq!(g.healthy(), 0);
        assert_eq!(g.choose(7, Some(0), line, &mut rng), 0);
        assert_eq!(g.probe(1, true), ProbeOutcome::Restored);
        assert_eq!(g.choose(7, Some(0), line, &mut rng), 1);
    }

    #[test]
    fn weighted_splits_by_weight_among_the_healthy() {
        // The chapter's 40/30/20/10.
        let mut g = geo(
            "weighted",
            vec![(None, 40.0), (None, 30.0), (None, 20.0), (None, 10.0)],
        );
        let mut rng = SimRng::new(9);
        let n = 100_000;
        let mut counts = [0u32; 4];
        for u in 0..n {
            counts[g.choose(u, None, line, &mut rng) as usize] += 1;
        }
        for (i, want) in [0.4, 0.3, 0.2, 0.1].into_iter().enumerate() {
            let share = f64::from(counts[i]) / f64::from(n);
            // Binomial standard error is at most 0.0016 here; 4σ.
            assert!((share - want).abs() < 0.0064, "entry {i}: {share}");
        }
        // The 40 % entry point out: the rest share in proportion 30:20:10.
        g.probe(0, false);
        g.probe(0, false);
        let mut counts = [0u32; 4];
        for u in 0..n {
            counts[g.choose(u, None, line, &mut rng) as usize] += 1;
        }
        assert_eq!(counts[0], 0);
        let share = f64::from(counts[1]) / f64::from(n);
        assert!((share - 0.5).abs() < 0.0064, "{share}");
    }
}
