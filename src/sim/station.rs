//! A queueing station: `c` workers in front of a bounded FIFO queue. Web servers and databases
//! are stations that differ in their service times and in whether they call downstream.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::model::{Component, Kind, catalogue::size_preset};

use super::autoscaling::ServerGroup;
use super::cache::{CacheStore, Eviction};
use super::engine::Target;
use super::replication::ReplicaRole;
use super::request::Class;
use super::rng::Distribution;
use super::time::{SimDuration, SimTime};

/// A station's state.
#[derive(Serialize, Deserialize, Clone, Debug)]
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
    /// Databases: commits writes and answers reads with the committed version.
    pub stores_data: bool,
    /// Caches: the contents and how writes treat them.
    pub cache: Option<Box<CacheRole>>,
    /// CDN edges: the assets held, and what they cost to send.
    pub cdn: Option<Box<CdnRole>>,
    /// Read replicas: what they have applied and what is on its way.
    pub replica: Option<Box<ReplicaRole>>,
    /// Web servers wired to a replicated database: reads to replicas, writes to the primary.
    pub data: Option<DataRoute>,
    /// Web servers: where logged-in users' sessions live.
    pub sessions: SessionMode,
    /// Session stores: checks and creates sessions.
    pub session_store: bool,
    /// Web servers wired to a message queue: where writes go, as jobs.
    pub job_queue: Option<Target>,
    /// Web servers wired to caches and databases: cache-aside.
    pub aside: Option<Aside>,
    /// Web servers wired only to caches: each key goes to its own cache.
    pub caches_only: bool,
    /// Web servers: the instances behind the box (workers and queue room are per instance).
    pub group: Option<Box<ServerGroup>>,
    /// Workers and queue room of one instance.
    pub per_instance: (u64, u64),
}

/// A CDN edge's own state.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct CdnRole {
    /// The assets it holds (LRU, with the origin's TTL).
    pub store: CacheStore,
    /// Size of one asset.
    pub asset_bytes: u64,
    /// $ per GB served from the edge.
    pub cost_per_gb: f64,
    /// $ per GB sent by the origin.
    pub origin_cost_per_gb: f64,
}

/// Where a web server keeps logged-in users' sessions.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SessionMode {
    /// No logins.
    None,
    /// In its own memory (stateful).
    Local,
    /// In the session store at the end of this wire (stateless).
    Shared(Option<Target>),
}

/// A web server's wires to one replication group (a database and its replicas): which node
/// takes a request is decided per request from the group's current state.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct DataRoute {
    /// The group.
    pub group: u32,
    /// Wires to the group's nodes (the primary and the replicas).
    pub wires: Vec<Target>,
    /// Round-robin position over the replicas.
    pub next: usize,
}

/// A web server's cache-aside wiring: which wires lead to caches (keys split between them)
/// and which to the data behind them (used round-robin).
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct Aside {
    /// Wires to caches.
    pub caches: Vec<Target>,
    /// Wires to everything else (databases).
    pub stores: Vec<Target>,
    next: usize,
}

impl Aside {
    /// The next database, round-robin.
    pub fn next_store(&mut self) -> Target {
        let i = self.next % self.stores.len();
        self.next = (i + 1) % self.stores.len();
        self.stores[i]
    }
}

/// What a write does to a cached copy of its record.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WritePolicy {
    /// Drop the cached copy once the database has the write.
    Invalidate,
    /// Update the cached copy with the write, along with the database.
    WriteThrough,
    /// Leave it: it is stale until it expires.
    TtlOnly,
}

/// A cache node's own state.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct CacheRole {
    /// What it holds.
    pub store: CacheStore,
    /// What writes do to it.
    pub policy: WritePolicy,
    /// Preload the hottest keys at start and after a restart.
    pub warm: bool,
    /// The oldest stale version served (ns out of date), since the last reset.
    pub stale_age_max: u64,
}

impl CacheRole {
    fn from_component(c: &Component) -> Self {
        let ttl = c.number("ttl_s");
        CacheRole {
            store: CacheStore::new(
                c.number("capacity") as usize,
                (ttl > 0.0).then(|| SimDuration::from_secs_f64(ttl)),
                Eviction::from_choice(c.choice("eviction")),
            ),
            policy: match c.choice("write_policy") {
                "write_through" => WritePolicy::WriteThrough,
                "ttl_only" => WritePolicy::TtlOnly,
                _ => WritePolicy::Invalidate,
            },
            warm: c.choice("warm") == "hottest",
            stale_age_max: 0,
        }
    }
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
            Kind::Replica => (
                dist(c.number("read_ms")),
                dist(c.number("read_ms")),
                dist(c.number("read_ms")),
                false,
                None,
            ),
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
        let mut station = Station {
            workers,
            queue: VecDeque::new(),
            capacity: c.number("queue_capacity") as u64,
            timeout: SimDuration::from_secs_f64(c.number("timeout_ms") / 1000.0),
            read_time,
            write_time,
            static_time,
            calls_downstream,
            // A cache forwards a miss and moves on; a web server blocks unless it is async.
            holds_worker: match c.kind {
                Kind::WebServer => c.choice("call_mode") != "async",
                Kind::Cache | Kind::CdnEdge => false,
                _ => true,
            },
            write_limit,
            next_target: 0,
            cost_per_hour,
            stores_data: c.kind == Kind::Database,
            cache: (c.kind == Kind::Cache).then(|| Box::new(CacheRole::from_component(c))),
            cdn: (c.kind == Kind::CdnEdge).then(|| {
                let ttl = c.number("ttl_s");
                Box::new(CdnRole {
                    store: CacheStore::new(
                        c.number("capacity") as usize,
                        (ttl > 0.0).then(|| SimDuration::from_secs_f64(ttl)),
                        Eviction::Lru,
                    ),
                    asset_bytes: (c.number("asset_kb") * 1000.0) as u64,
                    cost_per_gb: c.number("cost_per_gb"),
                    origin_cost_per_gb: c.number("origin_cost_per_gb"),
                })
            }),
            replica: (c.kind == Kind::Replica).then(|| {
                Box::new(ReplicaRole::new(SimDuration::from_secs_f64(
                    c.number("lag_ms") / 1000.0,
                )))
            }),
            data: None,
            sessions: match c.kind {
                Kind::WebServer => match c.choice("sessions") {
                    "local" => SessionMode::Local,
                    "shared" => SessionMode::Shared(None),
                    _ => SessionMode::None,
                },
                _ => SessionMode::None,
            },
            session_store: c.kind == Kind::SessionStore,
            job_queue: None,
            aside: None,
            caches_only: false,
            group: None,
            per_instance: (workers, c.number("queue_capacity") as u64),
        };
        if c.kind == Kind::WebServer {
            station.group = Some(Box::new(ServerGroup::from_component(c)));
            station.resize();
        }
        station
    }

    /// Sets how a web server uses its wires, given each wire and whether it leads to a cache:
    /// caches and databases together make cache-aside; caches alone split the keys.
    pub fn wire_caches(&mut self, wires: impl Iterator<Item = (Target, bool)>) {
        let (caches, stores): (Vec<_>, Vec<_>) = wires.partition(|(_, cache)| *cache);
        let caches: Vec<Target> = caches.into_iter().map(|(t, _)| t).collect();
        let stores: Vec<Target> = stores.into_iter().map(|(t, _)| t).collect();
        if caches.is_empty() {
            return;
        }
        if stores.is_empty() {
            self.caches_only = true;
        } else {
            self.aside = Some(Aside {
                caches,
                stores,
                next: 0,
            });
        }
    }

    /// Takes `c`'s current settings, keeping what is in progress: the queue (even if longer
    /// than a smaller capacity: those already waiting stay), the round-robin position and the
    /// write ceiling's tokens when the ceiling is unchanged.
    pub fn update(&mut self, c: &Component) {
        let mut next = Station::from_component(c);
        // The instances launched stay; the group takes the new policy and count.
        if let (Some(old), Some(_)) = (&mut self.group, &next.group) {
            old.update(c);
            next.group = self.group.take();
            next.resize();
        }
        next.queue = std::mem::take(&mut self.queue);
        next.next_target = self.next_target;
        next.aside = self.aside.take();
        next.job_queue = self.job_queue;
        next.caches_only = self.caches_only;
        next.data = self.data.take();
        next.stores_data = self.stores_data;
        // The session store's wire was found when the run was built.
        if let (SessionMode::Shared(wire), SessionMode::Shared(None)) =
            (self.sessions, next.sessions)
        {
            next.sessions = SessionMode::Shared(wire);
        }
        if let (Some(old), Some(new)) = (&mut self.cdn, &mut next.cdn)
            && old.store.capacity() == new.store.capacity()
            && old.store.ttl() == new.store.ttl()
        {
            std::mem::swap(&mut old.store, &mut new.store);
        }
        // A replica keeps what it has applied and what is on its way; a new lag applies to
        // writes shipped from now on.
        if let (Some(old), Some(new)) = (&mut self.replica, &mut next.replica) {
            let lag = new.lag_distribution();
            std::mem::swap(old, new);
            new.set_lag(lag);
        }
        // A running cache keeps its contents unless its shape changed (a new capacity, TTL or
        // eviction policy starts it cold, as a reconfigured cache server would).
        if let (Some(old), Some(new)) = (&mut self.cache, &mut next.cache) {
            let same_shape = old.store.capacity() == new.store.capacity()
                && old.store.ttl() == new.store.ttl()
                && old.store.eviction() == new.store.eviction();
            if same_shape {
                std::mem::swap(&mut old.store, &mut new.store);
            }
            new.stale_age_max = old.stale_age_max;
        }
        if let (Some(old), Some(new)) = (&self.write_limit, &next.write_limit)
            && old.rate == new.rate
        {
            next.write_limit = self.write_limit.clone();
        }
        *self = next;
    }

    /// Sets workers and queue room to the running instances' (a group), after a change.
    pub fn resize(&mut self) {
        if let Some(g) = &self.group {
            let running = u64::from(g.running());
            self.workers = self.per_instance.0 * running;
            self.capacity = self.per_instance.1 * running;
        }
    }

    /// The service-time distribution for a request of `class`.
    pub fn service_time(&self, class: Class) -> &Distribution {
        match class {
            Class::Read => &self.read_time,
            Class::Write => &self.write_time,
            Class::Static => &self.static_time,
        }
    }
}

/// A token bucket: `rate` tokens per second, holding at most one second's worth.
#[derive(Serialize, Deserialize, Clone, Debug)]
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
