//! Message queues and consumer pools: jobs that web servers enqueue (answering at once) and
//! workers process later. Jobs live in a slab of their own — they are not requests: nobody
//! waits for them — with a token that moves on at every delivery, so an acknowledgement or a
//! timeout from an earlier delivery is recognised and ignored.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::model::Component;

use super::histogram::Histogram;
use super::rng::Distribution;
use super::time::{SimDuration, SimTime};

/// One job.
#[derive(Serialize, Deserialize, Clone, Copy, Debug)]
pub(crate) struct Job {
    /// When it was enqueued.
    pub created: SimTime,
    /// The queue holding it.
    pub queue: u32,
    /// The consumer pool working on it (while delivered).
    pub consumer: u32,
    /// Deliveries so far.
    pub attempts: u32,
    /// Moves on at every delivery.
    pub token: u32,
    /// Whether it is on the ready list (rather than delivered, or waiting out a backoff).
    pub ready: bool,
    /// Whether the slot holds a job (false once released).
    pub live: bool,
}

impl Job {
    /// A job enqueued at `now` on `queue`.
    pub fn new(now: SimTime, queue: u32) -> Self {
        Job {
            created: now,
            queue,
            consumer: u32::MAX,
            attempts: 0,
            token: 0,
            ready: true,
            live: true,
        }
    }
}

/// Every job in flight, with reusable slots.
#[derive(Serialize, Deserialize, Debug, Default)]
pub(crate) struct Jobs {
    slots: Vec<Job>,
    free: Vec<u32>,
}

impl Jobs {
    /// Stores a new job and returns its handle. A reused slot keeps counting its tokens, so
    /// events about the job that had it before can never match the new one.
    pub fn alloc(&mut self, mut job: Job) -> u32 {
        match self.free.pop() {
            Some(i) => {
                job.token = self.slots[i as usize].token;
                self.slots[i as usize] = job;
                i
            }
            None => {
                self.slots.push(job);
                (self.slots.len() - 1) as u32
            }
        }
    }

    /// The job with handle `id`.
    pub fn get(&self, id: u32) -> &Job {
        &self.slots[id as usize]
    }

    /// The job with handle `id`, mutably.
    pub fn get_mut(&mut self, id: u32) -> &mut Job {
        &mut self.slots[id as usize]
    }

    /// Frees a finished job's slot. The token moves on, so late events about it are ignored.
    pub fn release(&mut self, id: u32) {
        let j = &mut self.slots[id as usize];
        if !j.live {
            return;
        }
        j.live = false;
        j.token = j.token.wrapping_add(1);
        self.free.push(id);
    }

    /// Slots, live or free.
    pub fn len(&self) -> u32 {
        self.slots.len() as u32
    }
}

/// A message queue's state.
#[derive(Serialize, Deserialize, Debug)]
pub(crate) struct MessageQueue {
    /// Most jobs held (ready, delivered or backing off).
    pub capacity: u64,
    /// Jobs survive the queue going down.
    pub persistent: bool,
    /// How long a delivered job waits for its acknowledgement.
    pub visibility: SimDuration,
    /// Deliveries before the dead-letter queue.
    pub max_attempts: u32,
    /// First redelivery delay; doubles per attempt.
    pub backoff: SimDuration,
    /// Jobs ready for delivery, oldest first.
    pub ready: VecDeque<u32>,
    /// Jobs held in all (ready, delivered, backing off).
    pub held: u64,
    /// Round-robin position over the consumer pools.
    pub next_pool: usize,
    /// Time from enqueue to acknowledgement, this second.
    pub interval_latency: Histogram,
    /// Time from enqueue to acknowledgement, since warm-up.
    pub latency: Histogram,
}

impl MessageQueue {
    /// Reads a validated `message_queue` component.
    pub fn from_component(c: &Component) -> Self {
        MessageQueue {
            capacity: c.number("capacity") as u64,
            persistent: c.choice("persistent") == "yes",
            visibility: SimDuration::from_secs_f64(c.number("visibility_timeout_s")),
            max_attempts: c.number("max_attempts") as u32,
            backoff: SimDuration::from_secs_f64(c.number("backoff_s")),
            ready: VecDeque::new(),
            held: 0,
            next_pool: 0,
            interval_latency: Histogram::new(),
            latency: Histogram::new(),
        }
    }

    /// Takes `c`'s current settings, keeping the jobs.
    pub fn update(&mut self, c: &Component) {
        let next = MessageQueue::from_component(c);
        self.capacity = next.capacity;
        self.persistent = next.persistent;
        self.visibility = next.visibility;
        self.max_attempts = next.max_attempts;
        self.backoff = next.backoff;
    }

    /// The wait before redelivering a job that has had `attempts` deliveries.
    pub fn backoff_after(&self, attempts: u32) -> SimDuration {
        let doublings = attempts.saturating_sub(1).min(30);
        SimDuration::from_nanos(self.backoff.as_nanos().saturating_mul(1u64 << doublings))
    }
}

/// A consumer pool's state.
#[derive(Serialize, Deserialize, Debug)]
pub(crate) struct ConsumerPool {
    /// Jobs processed at once.
    pub workers: u64,
    /// Processing time.
    pub service: Distribution,
    /// Share of jobs whose processing fails, 0–1.
    pub failure: f64,
    /// What it costs per hour.
    pub cost_per_hour: f64,
    /// Deliveries its workers hold (on their way or being processed): (delivery id, job,
    /// the job's token at delivery). A crash empties it: work from before the crash is
    /// recognised by its absence.
    pub in_progress: Vec<(u32, u32, u32)>,
}

impl ConsumerPool {
    /// Reads a validated `consumer` component.
    pub fn from_component(c: &Component) -> Self {
        let mean = c.number("service_ms") / 1000.0;
        let service = match c.choice("service") {
            "constant" => Distribution::Constant { mean },
            "lognormal" if mean > 0.0 => Distribution::lognormal(mean, c.number("service_cv")),
            "lognormal" => Distribution::Constant { mean },
            _ => Distribution::Exponential { mean },
        };
        ConsumerPool {
            workers: c.number("workers") as u64,
            service,
            failure: c.number("failure_pct") / 100.0,
            cost_per_hour: c.number("cost_per_hour"),
            in_progress: Vec::new(),
        }
    }

    /// Takes `c`'s current settings, keeping the work in progress.
    pub fn update(&mut self, c: &Component) {
        let next = ConsumerPool::from_component(c);
        self.workers = next.workers;
        self.service = next.service;
        self.failure = next.failure;
        self.cost_per_hour = next.cost_per_hour;
    }

    /// Takes delivery `delivery` out of the work in progress: its job and token; `None` if it
    /// is not there (the pool crashed since).
    pub fn finish(&mut self, delivery: u32) -> Option<(u32, u32)> {
        let i = self
            .in_progress
            .iter()
            .position(|(d, _, _)| *d == delivery)?;
        let (_, job, token) = self.in_progress.swap_remove(i);
        Some((job, token))
    }

    /// Whether delivery `delivery` is in progress here.
    pub fn holds(&self, delivery: u32) -> bool {
        self.in_progress.iter().any(|(d, _, _)| *d == delivery)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    #[test]
    fn backoff_doubles_from_the_first_redelivery() {
        let q = MessageQueue::from_component(
            &Component::new("q", Kind::MessageQueue).with("backoff_s", 1.0),
        );
        let secs = |a| q.backoff_after(a).as_secs_f64();
        assert_eq!([secs(1), secs(2), secs(3), secs(4)], [1.0, 2.0, 4.0, 8.0]);
        assert!(secs(1000).is_finite(), "no overflow");
    }

    #[test]
    fn a_released_slot_ignores_late_events() {
        let mut jobs = Jobs::default();
        let job = Job {
            token: 7,
            ..Job::new(SimTime::ZERO, 0)
        };
        let id = jobs.alloc(job);
        jobs.release(id);
        assert_ne!(jobs.get(id).token, 7);
        jobs.release(id);
        assert_eq!(jobs.free.len(), 1, "a second release does nothing");
        assert_eq!(jobs.alloc(job), id, "the slot is reused");
        assert_eq!(jobs.get(id).token, 8, "and keeps counting its tokens");
    }
}
