//! The run summary: everything measured between the end of warm-up and now. Serialised as the
//! runner's JSON report (`docs/cli.md`); maps are ordered so the output is byte-stable.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::Kind;

use super::engine::{Behaviour, Simulation};
use super::log::LogEntry;
use super::metrics::Cause;

/// A summary of a run's measured window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The run's seed.
    pub seed: u64,
    /// Simulated time reached, in seconds.
    pub simulated_s: f64,
    /// Start of the measured window (the end of warm-up, or 0), in seconds.
    pub window_start_s: f64,
    /// Length of the measured window, in seconds.
    pub measured_s: f64,
    /// Events processed in the window.
    pub events: u64,
    /// Request accounting for the window.
    pub requests: RequestCounts,
    /// Successful requests per second.
    pub throughput_per_s: f64,
    /// Failed and rejected requests as a fraction of those that finished.
    pub error_rate: f64,
    /// Failed and rejected requests by cause.
    pub errors_by_cause: BTreeMap<&'static str, u64>,
    /// End-to-end latency of successful requests, in milliseconds.
    pub latency_ms: Latency,
    /// What the servers and databases cost per hour.
    pub cost_per_hour: f64,
    /// Per-component figures, in diagram order.
    pub components: Vec<ComponentReport>,
    /// The event log (oldest entries may have been dropped; see `log_dropped`).
    pub log: Vec<LogEntry>,
    /// Log entries dropped for lack of room.
    pub log_dropped: u64,
}

/// Where requests ended up. Conservation: `in_flight_at_start + sent = ok + failed + rejected +
/// in_flight`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RequestCounts {
    /// In flight when the window opened.
    pub in_flight_at_start: u64,
    /// Sent by users during the window.
    pub sent: u64,
    /// Answered successfully.
    pub ok: u64,
    /// Failed after being admitted.
    pub failed: u64,
    /// Refused at some component's door.
    pub rejected: u64,
    /// Still in flight now.
    pub in_flight: u64,
}

/// A latency distribution, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Latency {
    /// How many values.
    pub count: u64,
    /// Mean (exact).
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Largest (exact).
    pub max: f64,
}

impl Latency {
    fn of(h: &super::histogram::Histogram) -> Self {
        let ms = |ns: f64| ns / 1e6;
        Latency {
            count: h.count(),
            mean: ms(h.mean()),
            p50: ms(h.quantile(0.50)),
            p95: ms(h.quantile(0.95)),
            p99: ms(h.quantile(0.99)),
            p999: ms(h.quantile(0.999)),
            max: ms(h.max() as f64),
        }
    }
}

/// One component's figures for the window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComponentReport {
    /// Component id.
    pub id: String,
    /// Its kind.
    pub kind: Kind,
    /// Whether it is up now.
    pub up: bool,
    /// Requests that reached it.
    pub arrivals: u64,
    /// Requests it answered successfully.
    pub completed: u64,
    /// Requests refused here (queue full, connection limit, write ceiling).
    pub rejected: u64,
    /// Requests that failed here, by cause (rejections included).
    pub failed: BTreeMap<&'static str, u64>,
    /// Requests that came back failed from further downstream.
    pub downstream_failed: u64,
    /// Arrivals per second.
    pub arrival_rate: f64,
    /// Mean requests inside the component (queued, in service or waiting on downstream).
    pub mean_in_system: f64,
    /// Mean time inside the component of the requests it answered successfully, arrival to
    /// answer, in ms (rejections and failures are counted in `rejected` and `failed`, not
    /// here). Consumer pools: the mean time a delivered job held a worker.
    pub mean_sojourn_ms: f64,
    /// 99th percentile of the time inside of the requests answered successfully, in ms.
    pub p99_sojourn_ms: f64,
    /// Mean time inside of the requests answered with a failure (here or downstream), in ms;
    /// a rejection at the door counts 0. Little's law holds over every answer:
    /// `mean_in_system × measured_s ≈ completed × mean_sojourn_ms + failed answers ×
    /// mean_failed_ms` (÷ 1000).
    pub mean_failed_ms: f64,
    /// Workers (stations only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub station: Option<StationReport>,
    /// Answers from the client's cache (DNS only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns: Option<DnsReport>,
    /// Backends in rotation now (load balancers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backends_in_rotation: Option<u64>,
    /// Hits, misses, evictions and staleness (caches only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<CacheReport>,
    /// Lag, staleness and promotion (read replicas only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica: Option<ReplicaReport>,
    /// Conflicts and divergence (primaries of a multi-primary set only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_primary: Option<MultiPrimaryReport>,
    /// Sessions held and lost (web servers keeping sessions, session stores).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions: Option<SessionReport>,
    /// Assets served and fetched, and what they cost (CDN edges only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cdn: Option<CdnReport>,
    /// Jobs held, done, rejected and dead-lettered (message queues only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueReport>,
    /// Shards in use, keys per shard, a resharding's progress (shard routers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub router: Option<RouterReport>,
    /// Jobs processed and failed, utilisation (consumer pools only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumers: Option<ConsumerReport>,
    /// Instances running, launched and replaced (web servers run as a group of instances).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instances: Option<InstancesReport>,
}

/// Consumer-pool figures.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ConsumerReport {
    /// Jobs processed at once.
    pub workers: u64,
    /// Jobs processed and acknowledged.
    pub jobs_done: u64,
    /// Jobs whose processing failed (the queue delivers them again).
    pub jobs_failed: u64,
    /// Mean share of the workers busy with a job (on its way to them or being processed), 0–1.
    pub utilisation: f64,
    /// Mean processing time, in ms.
    pub mean_service_ms: f64,
    /// What the pool costs per hour ($).
    pub cost_per_hour: f64,
}

/// A web server's group of instances.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct InstancesReport {
    /// Running (serving) now.
    pub running: u64,
    /// Booting now.
    pub booting: u64,
    /// The count the group is keeping launched now (its policy's latest decision).
    pub desired: u64,
    /// Running instances, averaged over the window.
    pub mean_running: f64,
    /// Most running at once in the window.
    pub max_running: u64,
    /// Instances launched in the window: scale-outs, replacements and restarts.
    pub launched: u64,
    /// Failed instances noticed and replaced in the window.
    pub replaced: u64,
}

/// Shard-router figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RouterReport {
    /// Shards in use now.
    pub shards: u32,
    /// Keys each wired shard holds under the layout in force, in wiring order.
    pub keys_per_shard: Vec<u64>,
    /// Keys a resharding still has to copy.
    pub keys_to_move: u64,
}

/// Message-queue figures.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct QueueReport {
    /// Jobs held now (waiting, delivered or backing off).
    pub depth: u64,
    /// Jobs enqueued.
    pub enqueued: u64,
    /// Jobs processed and acknowledged.
    pub done: u64,
    /// Jobs refused because the queue was full.
    pub rejected: u64,
    /// Jobs given up after the most attempts.
    pub dead_lettered: u64,
    /// Jobs lost when the queue went down (not persistent).
    pub lost: u64,
    /// Time from enqueue to acknowledgement, in ms.
    pub job_latency_ms: Latency,
}

/// CDN edge figures.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CdnReport {
    /// Assets served from the edge's cache.
    pub hits: u64,
    /// Assets it had to fetch from the origin.
    pub misses: u64,
    /// hits / (hits + misses).
    pub hit_ratio: f64,
    /// GB sent to users from the edge.
    pub edge_gb: f64,
    /// GB fetched from the origin.
    pub origin_gb: f64,
    /// What that transfer cost: the edge's GB at its rate plus the origin's at its own ($).
    pub transfer_cost: f64,
    /// Assets held now that have not expired.
    pub items: u64,
}

/// Session figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SessionReport {
    /// Logged-in users' sessions held now.
    pub held: u64,
    /// Sessions that died with it (their users were logged out).
    pub lost: u64,
}

/// Read-replica figures.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ReplicaReport {
    /// How far behind the primary it is now, in ms (the age of the oldest write not applied).
    pub lag_ms: f64,
    /// The largest lag seen at a per-second sample, in ms.
    pub max_lag_ms: f64,
    /// Reads that returned an older version than the primary held.
    pub stale_reads: u64,
    /// How long those versions had been out of date, on average, in ms.
    pub mean_stale_age_ms: f64,
    /// The oldest stale version served, in ms.
    pub max_stale_age_ms: f64,
    /// Promoted to primary after the primary failed.
    pub promoted: bool,
    /// Writes committed at the failed primary that it never received (lost at promotion).
    pub lost_writes: u64,
}

/// Figures of a primary in a multi-primary set.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MultiPrimaryReport {
    /// Its copies a concurrent write from another primary overwrote (last writer wins): the
    /// writes lost to conflicts.
    pub conflicts: u64,
    /// Records whose copies differ between the set's primaries now (the set's figure).
    pub diverged_keys: u64,
    /// Writes on their way between the set's primaries, or held back by a partition or a
    /// primary that is down (the set's figure).
    pub writes_in_flight: u64,
}

/// Cache figures.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CacheReport {
    /// Reads answered from the cache.
    pub hits: u64,
    /// Reads it did not have (or had expired).
    pub misses: u64,
    /// hits / (hits + misses).
    pub hit_ratio: f64,
    /// Live items dropped to make room (expired items are reclaimed first and not counted).
    pub evictions: u64,
    /// Hits that returned an older version than the database held.
    pub stale_reads: u64,
    /// How long those versions had been out of date, on average, in ms.
    pub mean_stale_age_ms: f64,
    /// The oldest stale version served, in ms.
    pub max_stale_age_ms: f64,
    /// Items held now that have not expired.
    pub items: u64,
    /// Most items it can hold.
    pub capacity: u64,
}

/// Queueing figures of a web server or database.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StationReport {
    /// Workers.
    pub workers: u64,
    /// Mean fraction of workers busy (or waiting on downstream), 0–1.
    pub utilisation: f64,
    /// Mean queue length.
    pub mean_queue: f64,
    /// Longest queue seen.
    pub max_queue: u64,
    /// Mean wait for a worker, in ms.
    pub mean_wait_ms: f64,
    /// Probability that a request had to wait at all.
    pub p_wait: f64,
    /// 99th percentile of the wait, in ms.
    pub p99_wait_ms: f64,
    /// Mean service time, in ms.
    pub mean_service_ms: f64,
    /// Machine cost per hour.
    pub cost_per_hour: f64,
}

/// DNS figures.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct DnsReport {
    /// Lookups made.
    pub lookups: u64,
    /// Requests answered from the client's cache.
    pub cached: u64,
    /// Fraction answered from cache.
    pub cached_fraction: f64,
    /// Client retries after a failed connection (GeoDNS).
    pub retries: u64,
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

fn by_cause(failed: &[u64; Cause::COUNT]) -> BTreeMap<&'static str, u64> {
    Cause::ALL
        .iter()
        .zip(failed)
        .filter(|(_, n)| **n > 0)
        .map(|(c, n)| (c.id(), *n))
        .collect()
}

pub(crate) fn build(sim: &Simulation) -> Report {
    let now = sim.now;
    let base = &sim.baseline;
    let window = (now - base.time).as_secs_f64();
    let window_ns = window * 1e9;
    let ms = |ns: f64| ns / 1e6;

    let mut failed_e2e = [0u64; Cause::COUNT];
    for (i, f) in failed_e2e.iter_mut().enumerate() {
        *f = sim.e2e.failed[i] - base.e2e.failed[i];
    }
    let rejected: u64 = Cause::ALL
        .iter()
        .zip(failed_e2e)
        .filter(|(c, _)| c.is_rejection())
        .map(|(_, n)| n)
        .sum();
    let failed_all: u64 = failed_e2e.iter().sum();
    let ok = sim.e2e.ok - base.e2e.ok;

    let components = sim
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let d = n.counters_at(now).since(&base.nodes[i]);
            let station = match &n.behaviour {
                Behaviour::Station(s) => Some(StationReport {
                    workers: s.workers,
                    utilisation: ratio(d.busy_area as f64, d.capacity_area as f64),
                    mean_queue: ratio(d.queue_area as f64, window_ns),
                    max_queue: n.queue_len.max(),
                    mean_wait_ms: ms(ratio(d.wait_sum as f64, d.waits as f64)),
                    p_wait: 1.0
                        - ratio(
                            n.wait_hist.count_at_most(0) as f64,
                            n.wait_hist.count() as f64,
                        ),
                    p99_wait_ms: ms(n.wait_hist.quantile(0.99)),
                    mean_service_ms: ms(ratio(d.service_sum as f64, d.services as f64)),
                    cost_per_hour: s.cost_per_hour,
                }),
                _ => None,
            };
            let dns = matches!(n.behaviour, Behaviour::Dns(_)).then(|| DnsReport {
                lookups: d.misses,
                cached: d.hits,
                cached_fraction: ratio(d.hits as f64, (d.hits + d.misses) as f64),
                retries: d.retries,
            });
            let router = match &n.behaviour {
                Behaviour::Router(r) => Some(RouterReport {
                    shards: r.active,
                    keys_per_shard: r.keys.clone(),
                    keys_to_move: r.migration.as_ref().map_or(0, |m| m.left),
                }),
                _ => None,
            };
            let multi_primary = sim.peer_of[i].map(|set| {
                let p = &sim.peers[set as usize];
                MultiPrimaryReport {
                    conflicts: d.conflicts,
                    diverged_keys: p.diverged(),
                    writes_in_flight: p.in_flight() as u64,
                }
            });
            let cache = match &n.behaviour {
                Behaviour::Station(s) => s.cache.as_deref().map(|c| CacheReport {
                    hits: d.hits,
                    misses: d.misses,
                    hit_ratio: ratio(d.hits as f64, (d.hits + d.misses) as f64),
                    evictions: d.evictions,
                    stale_reads: d.stale_reads,
                    mean_stale_age_ms: ms(ratio(d.stale_age_sum as f64, d.stale_reads as f64)),
                    max_stale_age_ms: ms(c.stale_age_max as f64),
                    items: c.store.live(now) as u64,
                    capacity: c.store.capacity() as u64,
                }),
                _ => None,
            };
            let replica = match &n.behaviour {
                Behaviour::Station(s) => s.replica.as_deref().map(|r| ReplicaReport {
                    lag_ms: ms(r.lag_at(now).as_nanos() as f64),
                    max_lag_ms: ms(r.lag_max as f64),
                    stale_reads: d.stale_reads,
                    mean_stale_age_ms: ms(ratio(d.stale_age_sum as f64, d.stale_reads as f64)),
                    max_stale_age_ms: ms(r.stale_age_max as f64),
                    promoted: r.promoted,
                    lost_writes: d.lost_writes,
                }),
                _ => None,
            };
            let keeps_sessions = match &n.behaviour {
                Behaviour::Station(s) => {
                    s.session_store || s.sessions == super::station::SessionMode::Local
                }
                _ => false,
            };
            let sessions = keeps_sessions.then_some(SessionReport {
                held: n.sessions_held,
                lost: d.sessions_lost,
            });
            let cdn = match &n.behaviour {
                Behaviour::Station(s) => s.cdn.as_deref().map(|c| {
                    let (edge_gb, origin_gb) =
                        (d.edge_bytes as f64 / 1e9, d.origin_bytes as f64 / 1e9);
                    CdnReport {
                        hits: d.hits,
                        misses: d.misses,
                        hit_ratio: ratio(d.hits as f64, (d.hits + d.misses) as f64),
                        edge_gb,
                        origin_gb,
                        transfer_cost: edge_gb * c.cost_per_gb + origin_gb * c.origin_cost_per_gb,
                        items: c.store.live(now) as u64,
                    }
                }),
                _ => None,
            };
            let queue = match &n.behaviour {
                Behaviour::Queue(q) => Some(QueueReport {
                    depth: q.held,
                    enqueued: d.arrivals - d.failed_total(),
                    done: d.jobs_done,
                    rejected: d.rejected_total(),
                    dead_lettered: d.dead_lettered,
                    lost: d.jobs_lost,
                    job_latency_ms: Latency::of(&q.latency),
                }),
                _ => None,
            };
            let consumers = match &n.behaviour {
                Behaviour::Consumers(c) => Some(ConsumerReport {
                    workers: c.workers,
                    jobs_done: d.jobs_done,
                    jobs_failed: d.jobs_failed,
                    utilisation: ratio(d.busy_area as f64, c.workers as f64 * window_ns),
                    mean_service_ms: ms(ratio(d.service_sum as f64, d.services as f64)),
                    cost_per_hour: c.cost_per_hour,
                }),
                _ => None,
            };
            let instances = match &n.behaviour {
                Behaviour::Station(s) => s.group.as_deref().map(|g| InstancesReport {
                    running: if n.up { u64::from(g.running()) } else { 0 },
                    booting: if n.up { u64::from(g.booting()) } else { 0 },
                    desired: u64::from(g.desired),
                    mean_running: ratio(d.instances_area as f64, window_ns),
                    max_running: g.running_level.max(),
                    launched: d.launched,
                    replaced: d.replaced,
                }),
                _ => None,
            };
            // A consumer pool's jobs hold its workers from delivery to done: that is the time
            // inside it, and by Little's law its mean is the area over the deliveries.
            let (mean_in_system, mean_sojourn_ms) = match &n.behaviour {
                Behaviour::Consumers(_) => (
                    ratio(d.busy_area as f64, window_ns),
                    ms(ratio(d.busy_area as f64, d.arrivals as f64)),
                ),
                _ => (
                    ratio(d.in_system_area as f64, window_ns),
                    ms(ratio(d.sojourn_sum as f64, d.sojourns as f64)),
                ),
            };
            let backends_in_rotation = match &n.behaviour {
                Behaviour::LoadBalancer(lb) => Some(lb.in_rotation() as u64),
                _ => None,
            };
            ComponentReport {
                id: n.id.to_string(),
                kind: n.kind,
                up: n.up,
                arrivals: d.arrivals,
                completed: d.completed,
                rejected: d.rejected_total(),
                failed: by_cause(&d.failed),
                downstream_failed: d.downstream_failed,
                arrival_rate: ratio(d.arrivals as f64, window),
                mean_in_system,
                mean_sojourn_ms,
                p99_sojourn_ms: ms(n.sojourn_hist.quantile(0.99)),
                mean_failed_ms: ms(ratio(d.failed_time_sum as f64, d.failed_times as f64)),
                station,
                dns,
                backends_in_rotation,
                cache,
                replica,
                multi_primary,
                sessions,
                cdn,
                queue,
                router,
                consumers,
                instances,
            }
        })
        .collect();

    Report {
        seed: sim.seed,
        simulated_s: now.as_secs_f64(),
        window_start_s: base.time.as_secs_f64(),
        measured_s: window,
        events: sim.events - base.events,
        requests: RequestCounts {
            in_flight_at_start: u64::from(base.in_flight),
            sent: sim.e2e.sent - base.e2e.sent,
            ok,
            failed: failed_all - rejected,
            rejected,
            in_flight: u64::from(sim.requests.live()),
        },
        throughput_per_s: ratio(ok as f64, window),
        error_rate: ratio(failed_all as f64, (ok + failed_all) as f64),
        errors_by_cause: by_cause(&failed_e2e),
        latency_ms: Latency::of(&sim.latency),
        cost_per_hour: sim.cost_per_hour(),
        components,
        log: sim.log.entries().cloned().collect(),
        log_dropped: sim.log.dropped(),
    }
}
