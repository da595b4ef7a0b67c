//! Load balancer: chooses a backend per request by its algorithm, among the backends in
//! rotation; health checks move backends in and out of rotation.

use serde::{Deserialize, Serialize};

use crate::model::Component;

use super::health::{Health, ProbeOutcome, Thresholds};
use super::rng::SimRng;
use super::time::SimDuration;

/// How a backend is chosen.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Algorithm {
    RoundRobin,
    LeastConnections,
    Random,
    Weighted,
    UserHash,
}

/// One backend as the balancer sees it.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct Backend {
    /// The backend node.
    pub node: u32,
    /// One-way wire latency.
    pub latency: SimDuration,
    /// Weight for weighted round-robin.
    pub weight: f64,
    /// Whether the balancer currently sends it traffic (`in_service`).
    pub health: Health,
    /// Requests sent to it and not yet answered.
    pub active: u32,
    /// Smooth weighted round-robin state.
    current: f64,
}

/// A load balancer's state.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct LoadBalancer {
    pub algorithm: Algorithm,
    /// Sticky sessions: a logged-in user goes back to the backend holding their session.
    pub affinity: bool,
    pub max_connections: u64,
    pub check_interval: SimDuration,
    thresholds: Thresholds,
    pub backends: Vec<Backend>,
    cursor: usize,
}

impl LoadBalancer {
    /// Reads a validated `load_balancer` component with its backends as (node, latency, weight).
    pub fn from_component(c: &Component, backends: Vec<(u32, SimDuration, f64)>) -> Self {
        let algorithm = match c.choice("algorithm") {
            "least_connections" => Algorithm::LeastConnections,
            "random" => Algorithm::Random,
            "weighted" => Algorithm::Weighted,
            "user_hash" => Algorithm::UserHash,
            _ => Algorithm::RoundRobin,
        };
        LoadBalancer {
            algorithm,
            affinity: c.choice("affinity") == "session",
            max_connections: c.number("max_connections") as u64,
            check_interval: SimDuration::from_secs_f64(c.number("check_interval_s")),
            thresholds: Thresholds {
                unhealthy: c.number("unhealthy_threshold") as u32,
                healthy: c.number("healthy_threshold") as u32,
            },
            backends: backends
                .into_iter()
                .map(|(node, latency, weight)| Backend {
                    node,
                    latency,
                    weight,
                    health: Health::default(),
                    active: 0,
                    current: 0.0,
                })
                .collect(),
            cursor: 0,
        }
    }

    /// Takes `c`'s current settings (algorithm, limits, health-check timing), keeping each
    /// backend's health and open connections.
    pub fn update(&mut self, c: &Component) {
        let next = LoadBalancer::from_component(c, Vec::new());
        self.algorithm = next.algorithm;
        self.affinity = next.affinity;
        self.max_connections = next.max_connections;
        self.check_interval = next.check_interval;
        self.thresholds = next.thresholds;
    }

    /// The backend that is node `holder`, if it is in rotation (sticky sessions).
    pub fn sticky(&self, holder: u32) -> Option<usize> {
        self.backends
            .iter()
            .position(|b| b.node == holder && b.health.in_service)
    }

    /// Backends in rotation.
    pub fn in_rotation(&self) -> usize {
        self.backends.iter().filter(|b| b.health.in_service).count()
    }

    /// Chooses a backend for a request from `user`, or `None` if none is in rotation.
    pub fn choose(&mut self, user: u32, rng: &mut SimRng) -> Option<usize> {
        let n = self.backends.len();
        match self.algorithm {
            Algorithm::RoundRobin => {
                for step in 0..n {
                    let i = (self.cursor + step) % n;
                    if self.backends[i].health.in_service {
                        self.cursor = (i + 1) % n;
                        return Some(i);
                    }
                }
                None
            }
            Algorithm::Random => {
                let k = self.in_rotation();
                if k == 0 {
                    return None;
                }
                let pick = rng.below(k as u64) as usize;
                self.backends
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| b.health.in_service)
                    .nth(pick)
                    .map(|(i, _)| i)
            }
            Algorithm::LeastConnections => {
                // Fewest active; ties go to the first after the cursor, so equal backends
                // take turns.
                let mut best: Option<usize> = None;
                for step in 0..n {
                    let i = (self.cursor + step) % n;
                    let b = &self.backends[i];
                    if b.health.in_service
                        && best.is_none_or(|j| b.active < self.backends[j].active)
                    {
                        best = Some(i);
                    }
                }
                if let Some(i) = best {
                    self.cursor = (i + 1) % n;
                }
                best
            }
            Algorithm::Weighted => {
                // Smooth weighted round-robin (as in nginx): deterministic, evenly interleaved.
                let total: f64 = self
                    .backends
                    .iter()
                    .filter(|b| b.health.in_service)
                    .map(|b| b.weight)
                    .sum();
                let mut best: Option<usize> = None;
                for i in 0..n {
                    if !self.backends[i].health.in_service {
                        continue;
                    }
                    self.backends[i].current += self.backends[i].weight;
                    if best.is_none_or(|j| self.backends[i].current > self.backends[j].current) {
                        best = Some(i);
                    }
                }
                if let Some(i) = best {
                    self.backends[i].current -= total;
                }
                best
            }
            Algorithm::UserHash => {
                // Rendezvous hashing: when a backend leaves, only its users move.
                self.backends
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| b.health.in_service)
                    .max_by_key(|(_, b)| mix64((u64::from(user) << 32) ^ u64::from(b.node)))
                    .map(|(i, _)| i)
            }
        }
    }

    /// Records a probe of backend `i`, which `passed` or not.
    pub fn probe(&mut self, i: usize, passed: bool) -> ProbeOutcome {
        self.backends[i].health.probe(passed, self.thresholds)
    }
}

/// SplitMix64's finaliser: a fast, well-mixed 64-bit hash.
pub(crate) fn mix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    fn lb(algorithm: &str, weights: &[f64]) -> LoadBalancer {
        let c = Component::new("lb", Kind::LoadBalancer).with_choice("algorithm", algorithm);
        let backends = weights
            .iter()
            .enumerate()
            .map(|(i, &w)| (i as u32 + 10, SimDuration::ZERO, w))
            .collect();
        LoadBalancer::from_component(&c, backends)
    }

    #[test]
    fn round_robin_skips_backends_out_of_rotation() {
        let mut b = lb("round_robin", &[1.0, 1.0, 1.0]);
        let mut rng = SimRng::new(1);
        b.backends[1].health.in_service = false;
        let picks: Vec<_> = (0..4).map(|_| b.choose(0, &mut rng).unwrap()).collect();
        assert_eq!(picks, [0, 2, 0, 2]);
        b.backends
            .iter_mut()
            .for_each(|x| x.health.in_service = false);
        assert_eq!(b.choose(0, &mut rng), None);
    }

    #[test]
    fn weighted_round_robin_honours_weights_exactly() {
        // Weights 5:1:1 over 7 picks give exactly 5, 1, 1, interleaved (a a b a c a a).
        let mut b = lb("weighted", &[5.0, 1.0, 1.0]);
        let mut rng = SimRng::new(1);
        let picks: Vec<_> = (0..7).map(|_| b.choose(0, &mut rng).unwrap()).collect();
        assert_eq!(picks, [0, 0, 1, 0, 2, 0, 0]);
    }

    #[test]
    fn least_connections_prefers_the_idle() {
        let mut b = lb("least_connections", &[1.0, 1.0, 1.0]);
        let mut rng = SimRng::new(1);
        b.backends[0].active = 3;
        b.backends[1].active = 1;
        b.backends[2].active = 2;
        assert_eq!(b.choose(0, &mut rng), Some(1));
    }

    #[test]
    fn user_hash_is_sticky_and_moves_only_the_lost_backends_users() {
        let mut b = lb("user_hash", &[1.0, 1.0, 1.0, 1.0]);
        let mut rng = SimRng::new(1);
        let before: Vec<usize> = (0..1000).map(|u| b.choose(u, &mut rng).unwrap()).collect();
        let again: Vec<usize> = (0..1000).map(|u| b.choose(u, &mut rng).unwrap()).collect();
        assert_eq!(before, again, "sticky");
        b.backends[2].health.in_service = false;
        for u in 0..1000u32 {
            let now = b.choose(u, &mut rng).unwrap();
            if before[u as usize] != 2 {
                assert_eq!(now, before[u as usize], "user {u} moved needlessly");
            } else {
                assert_ne!(now, 2);
            }
        }
        // Each backend gets about a quarter of the users.
        for i in 0..4 {
            let share = before.iter().filter(|&&x| x == i).count();
            assert!((180..320).contains(&share), "backend {i}: {share}");
        }
    }

    #[test]
    fn probes_apply_both_thresholds() {
        let c = Component::new("lb", Kind::LoadBalancer)
            .with("unhealthy_threshold", 3.0)
            .with("healthy_threshold", 2.0);
        let mut b = LoadBalancer::from_component(&c, vec![(1, SimDuration::ZERO, 1.0)]);
        assert_eq!(b.probe(0, false), ProbeOutcome::Failed);
        assert_eq!(b.probe(0, false), ProbeOutcome::Failed);
        assert_eq!(b.probe(0, false), ProbeOutcome::Removed);
        assert_eq!(b.probe(0, false), ProbeOutcome::Quiet);
        assert_eq!(b.probe(0, true), ProbeOutcome::Quiet);
        assert_eq!(b.probe(0, true), ProbeOutcome::Restored);
        assert!(b.backends[0].health.in_service);
    }
}
