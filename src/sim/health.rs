//! Health checking: a prober's view of one target, moved in and out of service by runs of
//! failed and passed probes. Load balancers check their backends this way, GeoDNS its data
//! centers' entry points.

use serde::{Deserialize, Serialize};

/// How many probes in a row change a target's state.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Thresholds {
    /// Failed probes in a row before a healthy target is taken out.
    pub unhealthy: u32,
    /// Passed probes in a row before an unhealthy target is put back.
    pub healthy: u32,
}

/// What a probe changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProbeOutcome {
    /// Nothing worth logging.
    Quiet,
    /// A probe failed; the target is still in service.
    Failed,
    /// The target was taken out of service.
    Removed,
    /// The target was put back in service.
    Restored,
}

/// One target as its prober sees it. Every target starts in service.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Health {
    /// Whether the prober sends it traffic.
    pub in_service: bool,
    failed: u32,
    passed: u32,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            in_service: true,
            failed: 0,
            passed: 0,
        }
    }
}

impl Health {
    /// Records a probe that `passed` or not.
    pub fn probe(&mut self, passed: bool, t: Thresholds) -> ProbeOutcome {
        if passed {
            self.failed = 0;
            self.passed += 1;
            if !self.in_service && self.passed >= t.healthy {
                self.in_service = true;
                return ProbeOutcome::Restored;
            }
            ProbeOutcome::Quiet
        } else {
            self.passed = 0;
            self.failed += 1;
            if self.in_service && self.failed >= t.unhealthy {
                self.in_service = false;
                ProbeOutcome::Removed
            } else if self.in_service {
                ProbeOutcome::Failed
            } else {
                ProbeOutcome::Quiet
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_apply_both_thresholds() {
        let t = Thresholds {
            unhealthy: 3,
            healthy: 2,
        };
        let mut h = Health::default();
        assert_eq!(h.probe(false, t), ProbeOutcome::Failed);
        assert_eq!(h.probe(false, t), ProbeOutcome::Failed);
        assert_eq!(h.probe(false, t), ProbeOutcome::Removed);
        assert!(!h.in_service);
        assert_eq!(h.probe(false, t), ProbeOutcome::Quiet);
        assert_eq!(h.probe(true, t), ProbeOutcome::Quiet);
        assert_eq!(h.probe(true, t), ProbeOutcome::Restored);
        assert!(h.in_service);
        // A pass in between starts the failure count again.
        assert_eq!(h.probe(false, t), ProbeOutcome::Failed);
        assert_eq!(h.probe(true, t), ProbeOutcome::Quiet);
        assert_eq!(h.probe(false, t), ProbeOutcome::Failed);
        assert_eq!(h.probe(false, t), ProbeOutcome::Failed);
        assert!(h.in_service);
    }
}
