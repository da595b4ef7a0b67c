//! What the engine counts: failure causes, time-weighted levels, per-component counters.
//!
//! Counters only ever grow; summaries and per-second samples are differences between two
//! snapshots, so warm-up exclusion and sampling never disturb each other.

use serde::{Deserialize, Serialize};

use super::time::SimTime;

/// Why a request failed. Every failure is counted at the component where it happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// The queue in front of the workers was full (a rejection).
    QueueFull,
    /// The load balancer was at its connection limit (a rejection).
    LbOverloaded,
    /// The database's write ceiling was reached (a rejection).
    WriteCeiling,
    /// The run's cap on requests in flight was reached (a rejection).
    InFlightCap,
    /// The request outlived the component's timeout.
    Timeout,
    /// Sent to a component that was down.
    ConnectionRefused,
    /// The component went down while holding the request.
    Crashed,
    /// The load balancer had no backend in rotation.
    NoHealthyBackend,
    /// The network between two regions was cut (a partition).
    Unreachable,
    /// The client had no cached answer and DNS was down.
    DnsFailure,
    /// The server had no session for a logged-in user (it lives elsewhere, or was lost).
    LoggedOut,
}

impl Cause {
    /// Number of causes, for per-cause arrays.
    pub const COUNT: usize = 11;

    /// Every cause, in report order.
    pub const ALL: [Cause; Cause::COUNT] = [
        Cause::QueueFull,
        Cause::LbOverloaded,
        Cause::WriteCeiling,
        Cause::InFlightCap,
        Cause::Timeout,
        Cause::ConnectionRefused,
        Cause::Crashed,
        Cause::NoHealthyBackend,
        Cause::Unreachable,
        Cause::DnsFailure,
        Cause::LoggedOut,
    ];

    /// The snake_case name used in reports.
    pub fn id(self) -> &'static str {
        match self {
            Cause::QueueFull => "queue_full",
            Cause::LbOverloaded => "lb_overloaded",
            Cause::WriteCeiling => "write_ceiling",
            Cause::InFlightCap => "in_flight_cap",
            Cause::Timeout => "timeout",
            Cause::ConnectionRefused => "connection_refused",
            Cause::Crashed => "crashed",
            Cause::NoHealthyBackend => "no_healthy_backend",
            Cause::Unreachable => "unreachable",
            Cause::DnsFailure => "dns_failure",
            Cause::LoggedOut => "logged_out",
        }
    }

    /// Rejections are refusals at the door; the rest are failures of admitted work.
    pub fn is_rejection(self) -> bool {
        matches!(
            self,
            Cause::QueueFull | Cause::LbOverloaded | Cause::WriteCeiling | Cause::InFlightCap
        )
    }
}

/// `value × nanos`, exactly. Both nearly always fit in 32 bits (a level below 4 billion held
/// for under 4.3 s), and then one 64-bit multiply does; wasm32 has no 64×64→128 multiply, so
/// the general case there is a call to a library routine, which was 6 % of a browser run.
#[inline(always)]
fn area(value: u64, nanos: u64) -> u128 {
    if (value | nanos) >> 32 == 0 {
        u128::from(value * nanos)
    } else {
        u128::from(value) * u128::from(nanos)
    }
}

/// A quantity that changes at instants (busy workers, queue length) and its integral over time,
/// for time averages: mean = area / elapsed.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq)]
pub struct Level {
    value: u64,
    max: u64,
    area: u128,
    since: SimTime,
}

impl Level {
    /// The current value.
    pub fn value(&self) -> u64 {
        self.value
    }

    /// Sets the value at `now`, accumulating the area under the old one.
    pub fn set(&mut self, now: SimTime, value: u64) {
        self.area += area(self.value, (now - self.since).as_nanos());
        self.since = now;
        self.value = value;
        self.max = self.max.max(value);
    }

    /// Adds one at `now`.
    pub fn inc(&mut self, now: SimTime) {
        self.set(now, self.value + 1);
    }

    /// Subtracts one at `now` (never below zero).
    pub fn dec(&mut self, now: SimTime) {
        self.set(now, self.value.saturating_sub(1));
    }

    /// The integral of the value (value × nanoseconds) from the start up to `now`.
    pub fn area_at(&self, now: SimTime) -> u128 {
        self.area + area(self.value, (now - self.since).as_nanos())
    }

    /// Largest value since the last [`Level::reset_max`].
    pub fn max(&self) -> u64 {
        self.max
    }

    /// Restarts the maximum from the current value (at the end of warm-up).
    pub fn reset_max(&mut self) {
        self.max = self.value;
    }
}

/// Monotone counters of one component. Subtract two snapshots for a window.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq)]
pub struct Counters {
    /// Requests that reached the component.
    pub arrivals: u64,
    /// Requests it answered successfully.
    pub completed: u64,
    /// Requests that failed here, by [`Cause`] (index = position in [`Cause::ALL`]).
    pub failed: [u64; Cause::COUNT],
    /// Requests that passed through carrying a failure from further downstream.
    pub downstream_failed: u64,
    /// Sum of waiting times before service (ns) and how many.
    pub wait_sum: u128,
    /// Number of waits in `wait_sum`.
    pub waits: u64,
    /// Sum of service times (ns) and how many.
    pub service_sum: u128,
    /// Number of services in `service_sum`.
    pub services: u64,
    /// Sum of times spent in the component by requests answered successfully, arrival to
    /// answer (ns): latency is over requests that were served.
    pub sojourn_sum: u128,
    /// Number of sojourns in `sojourn_sum`.
    pub sojourns: u64,
    /// Sum of times spent in the component by requests answered with a failure (ns; a
    /// rejection's is 0). With `sojourn_sum`, Little's law holds over every answer.
    pub failed_time_sum: u128,
    /// Number of failed answers in `failed_time_sum`.
    pub failed_times: u64,
    /// Instances a server group launched (scale-outs and replacements).
    pub launched: u64,
    /// Failed instances a server group noticed and replaced.
    pub replaced: u64,
    /// Kind-specific hit count (DNS answers from the client's cache).
    pub hits: u64,
    /// Kind-specific miss count (DNS lookups).
    pub misses: u64,
    /// Items a cache dropped to make room.
    pub evictions: u64,
    /// Cache hits that returned an older version than the database held.
    pub stale_reads: u64,
    /// Sum of how long those versions had been out of date (ns).
    pub stale_age_sum: u128,
    /// Writes committed at a failed primary that never reached this promoted replica.
    pub lost_writes: u64,
    /// Sessions that died with this component.
    pub sessions_lost: u64,
    /// Jobs acknowledged: done (queues), processed successfully (consumer pools).
    pub jobs_done: u64,
    /// Jobs a queue gave up on after the most attempts.
    pub dead_lettered: u64,
    /// Jobs a consumer pool failed to process (no acknowledgement).
    pub jobs_failed: u64,
    /// Jobs a queue lost when it went down (not persistent).
    pub jobs_lost: u64,
    /// Client retries after a failed connection (GeoDNS).
    pub retries: u64,
    /// Local writes a concurrent write from another primary overwrote (last writer wins).
    pub conflicts: u64,
    /// Bytes a CDN edge served from its cache.
    pub edge_bytes: u64,
    /// Bytes a CDN edge fetched from the origin.
    pub origin_bytes: u64,
    /// Area under "requests in the component".
    pub in_system_area: u128,
    /// Area under "busy workers".
    pub busy_area: u128,
    /// Area under "workers" (they change as a group's instances come and go).
    pub capacity_area: u128,
    /// Area under "queue length".
    pub queue_area: u128,
    /// Area under "running instances" (server groups).
    pub instances_area: u128,
}

impl Counters {
    /// Busy workers as a share of the workers there were, in % (stations; 0 with none).
    pub fn utilisation_pct(&self) -> f64 {
        if self.capacity_area > 0 {
            100.0 * self.busy_area as f64 / self.capacity_area as f64
        } else {
            0.0
        }
    }

    /// Failures here of every cause.
    pub fn failed_total(&self) -> u64 {
        self.failed.iter().sum()
    }

    /// Failures here that were rejections.
    pub fn rejected_total(&self) -> u64 {
        Cause::ALL
            .iter()
            .zip(self.failed)
            .filter(|(c, _)| c.is_rejection())
            .map(|(_, n)| n)
            .sum()
    }

    /// Counts one failure of `cause`.
    pub fn fail(&mut self, cause: Cause) {
        self.failed[cause as usize] += 1;
    }

    /// `self - earlier`, field by field.
    pub fn since(&self, earlier: &Counters) -> Counters {
        let mut failed = [0; Cause::COUNT];
        for (i, f) in failed.iter_mut().enumerate() {
            *f = self.failed[i] - earlier.failed[i];
        }
        Counters {
            arrivals: self.arrivals - earlier.arrivals,
            completed: self.completed - earlier.completed,
            failed,
            downstream_failed: self.downstream_failed - earlier.downstream_failed,
            wait_sum: self.wait_sum - earlier.wait_sum,
            waits: self.waits - earlier.waits,
            service_sum: self.service_sum - earlier.service_sum,
            services: self.services - earlier.services,
            sojourn_sum: self.sojourn_sum - earlier.sojourn_sum,
            sojourns: self.sojourns - earlier.sojourns,
            failed_time_sum: self.failed_time_sum - earlier.failed_time_sum,
            failed_times: self.failed_times - earlier.failed_times,
            launched: self.launched - earlier.launched,
            replaced: self.replaced - earlier.replaced,
            hits: self.hits - earlier.hits,
            misses: self.misses - earlier.misses,
            evictions: self.evictions - earlier.evictions,
            stale_reads: self.stale_reads - earlier.stale_reads,
            stale_age_sum: self.stale_age_sum - earlier.stale_age_sum,
            lost_writes: self.lost_writes - earlier.lost_writes,
            sessions_lost: self.sessions_lost - earlier.sessions_lost,
            jobs_done: self.jobs_done - earlier.jobs_done,
            dead_lettered: self.dead_lettered - earlier.dead_lettered,
            jobs_failed: self.jobs_failed - earlier.jobs_failed,
            jobs_lost: self.jobs_lost - earlier.jobs_lost,
            retries: self.retries - earlier.retries,
            conflicts: self.conflicts - earlier.conflicts,
            edge_bytes: self.edge_bytes - earlier.edge_bytes,
            origin_bytes: self.origin_bytes - earlier.origin_bytes,
            in_system_area: self.in_system_area - earlier.in_system_area,
            busy_area: self.busy_area - earlier.busy_area,
            capacity_area: self.capacity_area - earlier.capacity_area,
            queue_area: self.queue_area - earlier.queue_area,
            instances_area: self.instances_area - earlier.instances_area,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_integrates_piecewise_constant_values() {
        // 0 for 1 s, 2 for 3 s, 1 for 2 s: area = 0 + 6 + 2 = 8 unit-seconds over 6 s.
        let s = |secs: u64| SimTime::from_nanos(secs * 1_000_000_000);
        let mut l = Level::default();
        l.set(s(1), 2);
        l.set(s(4), 1);
        assert_eq!(l.area_at(s(6)), 8 * 1_000_000_000);
        assert_eq!(l.max(), 2);
        l.dec(s(6));
        l.dec(s(7));
        assert_eq!(l.value(), 0, "never below zero");
    }

    #[test]
    fn area_is_exact_on_both_sides_of_the_32_bit_fast_path() {
        let wide = |a: u64, b: u64| u128::from(a) * u128::from(b);
        let edge = u64::from(u32::MAX);
        for (a, b) in [
            (0, u64::MAX),
            (edge, edge),
            (edge + 1, edge),
            (3, 5_000_000_000), // a level held 5 s
            (u64::MAX, u64::MAX),
        ] {
            assert_eq!(area(a, b), wide(a, b), "{a} × {b}");
        }
        // 2³² − 1 squared is 2⁶⁴ − 2³³ + 1: it fits, and a 64-bit multiply gives it.
        assert_eq!(area(edge, edge), (1u128 << 64) - (1u128 << 33) + 1);
        // A level of 10 held an hour is 3.6e13 unit-ns, beyond 32 bits, still exact.
        assert_eq!(area(10, 3_600_000_000_000), 36_000_000_000_000);
    }

    #[test]
    fn causes_are_indexed_in_order() {
        for (i, c) in Cause::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i);
        }
        let mut c = Counters::default();
        c.fail(Cause::QueueFull);
        c.fail(Cause::Timeout);
        assert_eq!(c.failed_total(), 2);
        assert_eq!(c.rejected_total(), 1);
    }
}
