//! A bare, hand-written event loop of the reference network, for calibrating `archplay bench`.
//!
//! Users (Poisson, 900 req/s) → round-robin load balancer → 4 single-worker servers
//! (exponential, 4 ms) → for 30 % of requests an async call to a 2-worker database
//! (exponential, 5 ms); every wire 0.25 ms each way. It is the engine's reference workload with
//! nothing but what the queueing needs: one binary heap, FIFO queues, a slab of birth times and
//! a latency sum — no metrics, no failures, no generality. Timing both on the same machine at
//! the same moment gives a speed ratio that does not depend on how fast (or how busy) the
//! machine is, and the mean latency it measures is an independent check of the engine's.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use super::rng::SimRng;

const NS: f64 = 1e9;
const WIRE: u64 = 250_000;
const SERVERS: usize = 4;

/// What one bare run did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BareOutcome {
    /// Requests answered.
    pub requests: u64,
    /// Events processed.
    pub events: u64,
    /// Mean end-to-end latency of the answered requests, in seconds.
    pub mean_latency_s: f64,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Arrival,
    AtLb(u32),
    AtWeb(u32, u8),
    WebDone(u32, u8),
    AtDb(u32),
    DbDone(u32),
    BackAtWeb(u32),
    BackAtLb(u32),
    BackAtUser(u32),
}

/// Simulates `seconds` of the reference network; requests sent in the first `warmup` seconds
/// are not counted.
pub fn reference_network(seconds: f64, warmup: f64, seed: u64) -> BareOutcome {
    let end = (seconds * NS) as u64;
    let warm = (warmup * NS) as u64;
    let mut rng = SimRng::new(seed);
    let mut heap: BinaryHeap<Reverse<(u64, u64, Ev)>> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut push = |heap: &mut BinaryHeap<_>, t: u64, e: Ev| {
        seq += 1;
        heap.push(Reverse((t, seq, e)));
    };
    let mut born: Vec<u64> = Vec::new();
    let mut free: Vec<u32> = Vec::new();
    let mut web_busy = [false; SERVERS];
    let mut web_queue: [VecDeque<u32>; SERVERS] = Default::default();
    let mut db_busy = 0u32;
    let mut db_queue: VecDeque<u32> = VecDeque::new();
    let mut next_server = 0u8;
    let (mut requests, mut events, mut latency_sum) = (0u64, 0u64, 0u128);
    let exp_ns = |rng: &mut SimRng, mean_s: f64| (rng.exponential(mean_s) * NS) as u64;

    push(&mut heap, exp_ns(&mut rng, 1.0 / 900.0), Ev::Arrival);
    while let Some(Reverse((now, _, ev))) = heap.pop() {
        if now > end {
            break;
        }
        events += 1;
        match ev {
            Ev::Arrival => {
                let r = match free.pop() {
                    Some(r) => {
                        born[r as usize] = now;
                        r
                    }
                    None => {
                        born.push(now);
                        (born.len() - 1) as u32
                    }
                };
                push(&mut heap, now + WIRE, Ev::AtLb(r));
                push(&mut heap, now + exp_ns(&mut rng, 1.0 / 900.0), Ev::Arrival);
            }
            Ev::AtLb(r) => {
                let k = next_server;
                next_server = (next_server + 1) % SERVERS as u8;
                push(&mut heap, now + WIRE, Ev::AtWeb(r, k));
            }
            Ev::AtWeb(r, k) => {
                if web_busy[k as usize] {
                    web_queue[k as usize].push_back(r);
                } else {
                    web_busy[k as usize] = true;
                    push(&mut heap, now + exp_ns(&mut rng, 0.004), Ev::WebDone(r, k));
                }
            }
            Ev::WebDone(r, k) => {
                // 30 % of requests (reads and writes) call the database.
                if rng.unit() < 0.3 {
                    push(&mut heap, now + WIRE, Ev::AtDb(r));
                } else {
                    push(&mut heap, now + WIRE, Ev::BackAtLb(r));
                }
                match web_queue[k as usize].pop_front() {
                    Some(next) => {
                        push(
                            &mut heap,
                            now + exp_ns(&mut rng, 0.004),
                            Ev::WebDone(next, k),
                        );
                    }
                    None => web_busy[k as usize] = false,
                }
            }
            Ev::AtDb(r) => {
                if db_busy < 2 {
                    db_busy += 1;
                    push(&mut heap, now + exp_ns(&mut rng, 0.005), Ev::DbDone(r));
                } else {
                    db_queue.push_back(r);
                }
            }
            Ev::DbDone(r) => {
                push(&mut heap, now + WIRE, Ev::BackAtWeb(r));
                match db_queue.pop_front() {
                    Some(next) => push(&mut heap, now + exp_ns(&mut rng, 0.005), Ev::DbDone(next)),
                    None => db_busy -= 1,
                }
            }
            Ev::BackAtWeb(r) => push(&mut heap, now + WIRE, Ev::BackAtLb(r)),
            Ev::BackAtLb(r) => push(&mut heap, now + WIRE, Ev::BackAtUser(r)),
            Ev::BackAtUser(r) => {
                let b = born[r as usize];
                if b >= warm {
                    requests += 1;
                    latency_sum += u128::from(now - b);
                }
                free.push(r);
            }
        }
    }
    BareOutcome {
        requests,
        events,
        mean_latency_s: if requests == 0 {
            0.0
        } else {
            latency_sum as f64 / requests as f64 / NS
        },
    }
}
