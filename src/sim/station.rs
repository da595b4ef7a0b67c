//! A queueing station: `c` workers in front of a bounded FIFO queue. Web servers and databases
//! are stations that differ in their service times and in whether they call downstream.

use std::collections::VecDeque;

use crate::model::{Component, Kind, catalogue::size_preset};

use super::request::Class;
use super::rng::Distribution;
use super::time::{SimDuration, SimTime};

/// A station's state.
#[derive(Clone, Debug)]
pub(crate) struct Station {
    /// Workers (servers, in queueing terms).
    pub workers: u64,
    /// Requests waiting for a worker, oldest first.
    pub queue: VecDeque<u32>,
    /// Most requests that may wait.
    pub capacity: u64,
    /// Requests older than this (since arriving here) fail.
    pub timeout: SimDuration,
    /// Service time of reads (web servers: of everything).
    pub read_time: Distribution,
    /// Service time of writes.
    pub write_time: Distribution,
    /// Service time of static assets.
    pub static_time: Distribution,
    /// Whether reads and writes call downstream after service (web servers).
    pub calls_downstream: bool,
    /// Whether the worker waits for the downstream answer (blocking) or is freed (async).
    pub holds_worker: bool,
    /// The write ceiling, if any.
    pub write_limit: Option<TokenBucket>,
    /// Round-robin position over downstream targets.
    pub next_target: usize,
    /// What the machine costs per hour.
    pub cost_per_hour: f64,
}

impl Station {
    /// Reads a validated `web_server` or `database` component.
    pub fn from_component(c: &Component) -> Self {
        let (workers, cost_per_hour) = match size_preset(c.choice("size")) {
            Some(p) => (u64::from(p.cores), p.cost_per_hour),
            None => (c.number("workers") as u64, c.number("cost_per_hour")),
        };
        let speed = c.number("speed");
        let dist = |mean_ms: f64| {
            let mean = mean_ms / 1000.0 / speed;
            match c.choice("service") {
                "constant" => Distribution::Constant { mean },
                "lognormal" if mean > 0.0 => Distribution::lognormal(mean, c.number("service_cv")),
                "lognormal" => Distribution::Constant { mean },
                _ => Distribution::Exponential { mean },
            }
        };
        let (read_time, write_time, static_time, calls_downstream, write_limit) = match c.kind {
            Kind::Database => {
                let ceiling = c.number("max_writes_per_s");
                (
                    dist(c.number("read_ms")),
                    dist(c.number("write_ms")),
                    dist(c.number("read_ms")),
                    false,
                    (ceiling > 0.0).then(|| TokenBucket::new(ceiling)),
                )
            }
            _ => {
                let d = dist(c.number("service_ms"));
                (d, d, d, true, None)
            }
        };
        Station {
            workers,
            queue: VecDeque::new(),
            capacity: c.number("queue_capacity") as u64,
            timeout: SimDuration::from_secs_f64(c.number("timeout_ms") / 1000.0),
            read_time,
            write_time,
            static_time,
            calls_downstream,
            holds_worker: c.kind != Kind::WebServer || c.choice("call_mode") != "async",
            write_limit,
            next_target: 0,
            cost_per_hour,
        }
    }

    /// The service-time distribution for a request of `class`.
    /// Takes `c`'s current settings, keeping what is in progress: the queue (even if longer
    /// than a smaller capacity: those already waiting stay), the round-robin position and the
    /// write ceiling's tokens when the ceiling is unchanged.
    pub fn update(&mut self, c: &Component) {
        let mut next = Station::from_component(c);
        next.queue = std::mem::take(&mut self.queue);
        next.next_target = self.next_target;
        if let (Some(old), Some(new)) = (&self.write_limit, &next.write_limit)
            && old.rate == new.rate
        {
            next.write_limit = self.write_limit.clone();
        }
        *self = next;
    }

    pub fn service_time(&self, class: Class) -> &Distribution {
        match class {
            Class::Read => &self.read_time,
            Class::Write => &self.write_time,
            Class::Static => &self.static_time,
        }
    }
}

/// A token bucket: `rate` tokens per second, holding at most one second's worth.
#[derive(Clone, Debug)]
pub(crate) struct TokenBucket {
    rate: f64,
    tokens: f64,
    at: SimTime,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(rate: f64) -> Self {
        TokenBucket {
            rate,
            tokens: rate.max(1.0),
            at: SimTime::ZERO,
        }
    }

    /// Takes a token at `now` if there is one.
    pub fn take(&mut self, now: SimTime) -> bool {
        let elapsed = (now - self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.rate.max(1.0));
        self.at = now;
        // A hair of tolerance so that accruing 0.1 ten times counts as one whole token.
        if self.tokens >= 1.0 - 1e-9 {
            self.tokens = (self.tokens - 1.0).max(0.0);
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_size_preset_sets_workers_and_cost() {
        let c = Component::new("db", Kind::Database)
            .with_choice("size", "c32m")
            .with("workers", 3.0);
        let s = Station::from_component(&c);
        assert_eq!(s.workers, 32);
        assert_eq!(s.cost_per_hour, 2.60);
        let custom =
            Station::from_component(&Component::new("db", Kind::Database).with("workers", 3.0));
        assert_eq!(custom.workers, 3);
    }

    #[test]
    fn speed_divides_service_times() {
        let c = Component::new("web", Kind::WebServer)
            .with("service_ms", 20.0)
            .with("speed", 4.0);
        assert!((Station::from_component(&c).read_time.mean() - 0.005).abs() < 1e-15);
    }

    #[test]
    fn the_token_bucket_admits_its_rate() {
        // 10 writes/s with a one-second burst: 10 at once, then one per 100 ms.
        let mut b = TokenBucket::new(10.0);
        let t = |ms: u64| SimTime::ZERO + SimDuration::from_millis(ms);
        assert_eq!((0..12).filter(|_| b.take(t(0))).count(), 10);
        assert!(!b.take(t(50)));
        assert!(b.take(t(100)));
        let admitted = (1..=100).filter(|i| b.take(t(100 + i * 10))).count();
        assert_eq!(admitted, 10, "one second at 10/s");
    }
}
