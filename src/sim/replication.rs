//! Replication: a database's committed writes reach its read replicas after the wire's
//! latency plus a sampled lag (the time to ship and apply them). Writes to different records
//! apply independently (parallel apply); writes to one record apply in commit order, so a
//! late copy of an old write never overwrites a newer one. A replica answers reads with what
//! it has applied; a read of a record it has not caught up on is stale, and how long it has
//! been out of date is known exactly from the writes still on their way.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde::{Deserialize, Serialize};

use super::cache::KeyMap;
use super::rng::{Distribution, SimRng};
use super::time::{SimDuration, SimTime};

/// A committed write on its way to a replica.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Shipped {
    /// When the replica has it (and applies it).
    pub apply_at: SimTime,
    /// Its place in the primary's commit order.
    pub seq: u64,
    /// The record.
    pub key: u64,
    /// The write's version.
    pub version: u64,
    /// When the primary committed it.
    pub committed_at: SimTime,
}

/// A read replica's own state.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct ReplicaRole {
    /// The version of each record it has applied, and that write's commit order.
    data: KeyMap<(u64, u64)>,
    /// Writes committed at the primary and not received here yet, soonest first.
    pending: BinaryHeap<Reverse<Shipped>>,
    /// The replication lag on top of the wire's latency.
    lag: Distribution,
    /// Writes that never arrived because the primary died first or a partition cut it off
    /// (kept until a promotion decides their fate, or the primary can send them again).
    pub unreceived: Vec<Shipped>,
    /// Promoted to primary: no longer a replica.
    pub promoted: bool,
    /// The oldest stale version served (ns out of date), since the last reset.
    pub stale_age_max: u64,
    /// The largest lag seen at a sample (ns), since the last reset.
    pub lag_max: u64,
    /// When the apply event that counts is scheduled (others are stale and ignored).
    next_event: Option<SimTime>,
}

impl ReplicaRole {
    /// A replica with mean lag `mean_lag` (exponential; constant zero when zero).
    pub fn new(mean_lag: SimDuration) -> Self {
        let mean = mean_lag.as_secs_f64();
        ReplicaRole {
            data: KeyMap::default(),
            pending: BinaryHeap::new(),
            lag: if mean > 0.0 {
                Distribution::Exponential { mean }
            } else {
                Distribution::Constant { mean: 0.0 }
            },
            unreceived: Vec::new(),
            promoted: false,
            stale_age_max: 0,
            lag_max: 0,
            next_event: None,
        }
    }

    /// Ships a write committed at `now` (commit order `seq`) over a wire of `latency`.
    /// Returns when it arrives, and the time to schedule an apply event for, if one is needed
    /// (it is now the first due).
    #[allow(clippy::too_many_arguments)]
    pub fn ship(
        &mut self,
        now: SimTime,
        latency: SimDuration,
        seq: u64,
        key: u64,
        version: u64,
        rng: &mut SimRng,
    ) -> (SimTime, Option<SimTime>) {
        let apply_at = now + latency + self.lag.sample(rng);
        self.resend(Shipped {
            apply_at,
            seq,
            key,
            version,
            committed_at: now,
        })
    }

    /// Puts a shipped write (back) on its way; see [`ReplicaRole::ship`].
    pub fn resend(&mut self, w: Shipped) -> (SimTime, Option<SimTime>) {
        self.pending.push(Reverse(w));
        let schedule = self.next_event.is_none_or(|t| w.apply_at < t);
        if schedule {
            self.next_event = Some(w.apply_at);
        }
        (w.apply_at, schedule.then_some(w.apply_at))
    }

    /// An apply event at `now`: applies every write that has arrived, and returns when the
    /// next event is due. An event that a sooner one replaced does nothing.
    pub fn apply_due(&mut self, now: SimTime) -> Option<SimTime> {
        if self.next_event != Some(now) {
            return None;
        }
        self.next_event = None;
        while let Some(Reverse(p)) = self.pending.peek().copied() {
            if p.apply_at > now {
                self.next_event = Some(p.apply_at);
                return Some(p.apply_at);
            }
            self.pending.pop();
            let newer = self.data.get(&p.key).is_none_or(|&(_, seq)| p.seq > seq);
            if newer {
                self.data.insert(p.key, (p.version, p.seq));
            }
        }
        None
    }

    /// The primary died at `now`: what has not arrived never will (unless it comes back).
    pub fn cut_off(&mut self, now: SimTime) {
        let (arrived, lost): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|p| p.0.apply_at <= now);
        self.pending = arrived.into_iter().collect();
        self.unreceived.extend(lost.into_iter().map(|p| p.0));
        // Whatever has arrived is due by now; the scheduled event still applies it.
    }

    /// The version of `key` this replica holds.
    pub fn version(&self, key: u64) -> u64 {
        self.data.get(&key).map_or(0, |&(v, _)| v)
    }

    /// Sets the version it holds of `key` (a resync), as of commit order `seq`.
    pub fn set_version(&mut self, key: u64, version: u64, seq: u64) {
        self.data.insert(key, (version, seq));
    }

    /// When this replica's copy of `key` went out of date: the commit of the earliest write
    /// to it still on its way and newer than what it holds, if any.
    pub fn stale_since(&self, key: u64) -> Option<SimTime> {
        let held = self.data.get(&key).map_or(0, |&(_, seq)| seq);
        self.pending
            .iter()
            .filter(|p| p.0.key == key && p.0.seq > held)
            .map(|p| p.0.committed_at)
            .min()
    }

    /// How far behind the primary it is at `now`: the age of the oldest write not applied.
    pub fn lag_at(&self, now: SimTime) -> SimDuration {
        self.pending
            .iter()
            .map(|p| p.0.committed_at)
            .chain(self.unreceived.iter().map(|w| w.committed_at))
            .min()
            .map_or(SimDuration::ZERO, |t| now.saturating_since(t))
    }

    /// Writes committed at the primary and not applied here.
    pub fn behind(&self) -> usize {
        self.pending.len() + self.unreceived.len()
    }

    /// Everything still on its way, taken out (a promotion: it will never arrive).
    pub fn take_pending(&mut self) -> Vec<Shipped> {
        let mut all: Vec<Shipped> = std::mem::take(&mut self.pending)
            .into_iter()
            .map(|p| p.0)
            .collect();
        all.append(&mut self.unreceived);
        all.sort_unstable();
        self.next_event = None;
        all
    }

    /// The lag distribution.
    pub fn lag_distribution(&self) -> Distribution {
        self.lag
    }

    /// Changes the lag of writes shipped from now on.
    pub fn set_lag(&mut self, lag: Distribution) {
        self.lag = lag;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> SimTime {
        SimTime::from_nanos(v * 1_000_000)
    }

    #[test]
    fn writes_to_one_record_apply_in_commit_order() {
        let mut rng = SimRng::new(1);
        let mut r = ReplicaRole::new(SimDuration::ZERO);
        let wire = SimDuration::from_millis(10);
        assert_eq!(
            r.ship(ms(0), wire, 1, 7, 101, &mut rng),
            (ms(10), Some(ms(10)))
        );
        // A later write that (by its lag) would arrive first.
        let late = Shipped {
            apply_at: ms(8),
            seq: 2,
            key: 7,
            version: 102,
            committed_at: ms(5),
        };
        assert_eq!(r.resend(late), (ms(8), Some(ms(8))));
        assert_eq!(r.apply_due(ms(10)), None, "the replaced event does nothing");
        assert_eq!(r.version(7), 0);
        assert_eq!(r.stale_since(7), Some(ms(0)));
        assert_eq!(r.lag_at(ms(8)), SimDuration::from_millis(8));
        assert_eq!(r.apply_due(ms(8)), Some(ms(10)));
        assert_eq!(r.version(7), 102);
        assert_eq!(r.stale_since(7), None, "holds the newest already");
        assert_eq!(r.apply_due(ms(10)), None);
        assert_eq!(
            r.version(7),
            102,
            "the older write does not overwrite the newer"
        );
        assert_eq!(r.lag_at(ms(20)), SimDuration::ZERO);
    }

    #[test]
    fn the_lag_of_each_write_is_its_own() {
        // Parallel apply: a slow write does not hold back writes to other records.
        let mut rng = SimRng::new(5);
        let mut r = ReplicaRole::new(SimDuration::from_millis(100));
        let mut total = 0.0;
        for i in 0..10_000u64 {
            let (at, _) = r.ship(ms(i), SimDuration::ZERO, i, i, i, &mut rng);
            total += (at - ms(i)).as_secs_f64();
        }
        let mean = total / 10_000.0;
        assert!((mean - 0.1).abs() < 0.005, "{mean}");
        assert_eq!(r.behind(), 10_000);
    }

    #[test]
    fn a_dead_primary_cuts_off_what_has_not_arrived() {
        let mut rng = SimRng::new(1);
        let mut r = ReplicaRole::new(SimDuration::ZERO);
        r.ship(ms(0), SimDuration::from_millis(5), 1, 1, 1, &mut rng);
        r.ship(ms(4), SimDuration::from_millis(5), 2, 2, 2, &mut rng);
        r.cut_off(ms(6));
        assert_eq!(r.unreceived.len(), 1);
        assert_eq!(r.apply_due(ms(5)), None);
        assert_eq!((r.version(1), r.version(2)), (1, 0));
        assert_eq!(r.take_pending().len(), 1);
        assert_eq!(r.behind(), 0);
    }
}
