//! The simulation: build from a diagram, advance with a budget, read a report at any time.
//!
//! Requests are entities. Each one is born at a users node, travels wires (paying their
//! latency), waits in queues, is served, calls downstream, and its answer travels back the same
//! way; the latency a user sees is measured, never computed from a formula.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::geometry::contents;
use crate::model::{Action, ComponentId, Diagram, Kind, Problem};

use super::alerts::{Alert, Change, Watch};
use super::autoscaling::{Decision, ServerGroup, State as InstanceState};
use super::cache::{KeyMap, Lookup};
use super::dns::Dns;
use super::geo_dns::GeoDns;
use super::health::ProbeOutcome;
use super::histogram::Histogram;
use super::load_balancer::LoadBalancer;
use super::log::{EventLog, LogLevel};
use super::messaging::{ConsumerPool, Job, Jobs, MessageQueue};
use super::metrics::{Cause, Counters, Level};
use super::multi_primary::{Applied, MAX_PRIMARIES, PeerSet};
use super::network::Network;
use super::queue::EventQueue;
use super::replication::ReplicaRole;
use super::report::{self, Report};
use super::request::{Class, Hop, Requests};
use super::rng::SimRng;
use super::series::SeriesStore;
use super::sharding::Router;
use super::station::{DataRoute, SessionMode, Station, WritePolicy};
use super::time::{SimDuration, SimTime};
use super::trace::{Crossing, Trace};
use super::users::Users;

/// Most requests in flight at once; beyond it users' new requests are rejected
/// ([`Cause::InFlightCap`]), so memory stays bounded whatever the parameters.
pub const MAX_IN_FLIGHT: u32 = 500_000;
/// Most distinct users over all users nodes (DNS keeps one cache entry per user).
pub const MAX_TOTAL_USERS: u64 = 4_000_000;
/// Log entries kept.
const LOG_CAPACITY: usize = 10_000;
/// Per-second samples kept (one hour).
pub const SERIES_CAPACITY: usize = 3_600;

/// Why a diagram cannot be simulated.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum BuildError {
    /// The diagram breaks the format's rules.
    Invalid(Vec<Problem>),
    /// There is no users component, so nothing would happen.
    NoTraffic,
    /// A component that must send requests somewhere is not wired to anything.
    Unwired {
        /// The component.
        component: ComponentId,
        /// What it needs.
        needs: &'static str,
    },
    /// The users components together have more users than the engine tracks.
    TooManyUsers {
        /// Their total.
        total: u64,
    },
    /// A read replica needs exactly one database wired to it, feeding it writes.
    ReplicaFeed {
        /// The replica.
        replica: ComponentId,
        /// How many databases feed it.
        feeds: usize,
    },
    /// A shard router's settings do not fit its wiring.
    Sharding {
        /// The router.
        router: ComponentId,
        /// What is wrong.
        problem: String,
    },
    /// Databases wired to each other form a multi-primary set, which has rules.
    MultiPrimary {
        /// A database of the set.
        database: ComponentId,
        /// What is wrong.
        problem: String,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Invalid(problems) => f.write_str(&crate::model::shown::problems_paragraph(
                "diagram", problems,
            )),
            BuildError::NoTraffic => write!(
                f,
                "nothing to simulate: add a users component and wire it up"
            ),
            BuildError::Unwired { component, needs } => {
                write!(f, "component {component} is not wired to {needs}")
            }
            BuildError::TooManyUsers { total } => write!(
                f,
                "the users components have {total} users together; at most {MAX_TOTAL_USERS} are supported"
            ),
            BuildError::ReplicaFeed { replica, feeds: 0 } => write!(
                f,
                "read replica {replica} has no database feeding it: wire a database to it"
            ),
            BuildError::ReplicaFeed { replica, feeds } => write!(
                f,
                "read replica {replica} is fed by {feeds} databases; a replica copies exactly one"
            ),
            BuildError::Sharding { router, problem } => {
                write!(f, "shard router {router}: {problem}")
            }
            BuildError::MultiPrimary { database, problem } => {
                write!(f, "multi-primary database {database}: {problem}")
            }
        }
    }
}

impl std::error::Error for BuildError {}

/// Why [`Simulation::update_component`] could not apply an edit to a running simulation.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum UpdateError {
    /// The run has no component with this id (it was added after the run was built).
    NoSuchComponent(ComponentId),
    /// The component's kind differs from the one the run was built with.
    KindChanged(ComponentId),
    /// The new settings do not fit the running component.
    Refused(ComponentId, String),
}

impl fmt::Display for UpdateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UpdateError::NoSuchComponent(id) => {
                write!(f, "{id} was added after the run began; Reset to include it")
            }
            UpdateError::KindChanged(id) => {
                write!(
                    f,
                    "{id} changed kind since the run began; Reset to apply it"
                )
            }
            UpdateError::Refused(id, why) => write!(f, "{id}: {why}"),
        }
    }
}

impl std::error::Error for UpdateError {}

/// Whether a call to [`Simulation::step_until`] got where it was going.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepOutcome {
    /// Simulated time reached the target.
    Reached,
    /// The event budget ran out first; call again to continue.
    BudgetExhausted,
}

/// A scheduled happening. Small (12 bytes) because the queue holds many.
#[derive(Serialize, Deserialize, Clone, Copy, Debug)]
enum Event {
    /// A users node's next arrival (ignored if its generation is stale).
    Arrival { node: u32, generation: u32 },
    /// A request reaches a node.
    Deliver { req: u32, node: u32 },
    /// A worker finishes serving a request.
    ServiceDone { req: u32, node: u32 },
    /// An answer reaches the node that made the call.
    Response { req: u32, node: u32 },
    /// A load balancer probes one backend, or GeoDNS one entry point (`target` is the
    /// prober's wire index).
    HealthCheck { node: u32, target: u32 },
    /// An entry of the diagram's timeline.
    Timeline { index: u32 },
    /// The once-a-second sample.
    Sample,
    /// The end of warm-up: summaries start here.
    WarmupEnd,
    /// A read replica's next shipped write is due.
    ReplicaApply { node: u32 },
    /// Every running replica has a synchronously replicated write: it can be acknowledged.
    SyncAck { req: u32, node: u32 },
    /// A replication group's failover delay is over: promote a replica if the primary is
    /// still down.
    Failover { group: u32 },
    /// A delivery of a job reaches the consumer pool.
    JobStart { consumer: u32, delivery: u32 },
    /// A consumer has finished processing a delivery.
    JobDone { consumer: u32, delivery: u32 },
    /// A consumer's acknowledgement reaches the queue.
    JobAck { job: u32, token: u32 },
    /// A delivered job's visibility timeout is over.
    JobTimeout { job: u32, token: u32 },
    /// A job's backoff is over: it is ready again.
    JobRetry { job: u32, token: u32 },
    /// The next write on a multi-primary channel arrives (`channel` is from × 4 + to).
    PeerDeliver { set: u32, channel: u32 },
    /// A server group's instance has booted.
    InstanceReady { node: u32, id: u32 },
    /// A server group noticed its failed instance: replace it.
    InstanceNoticed { node: u32, id: u32 },
    /// A shard router's resharding copies its next key.
    Migrate { node: u32 },
    /// The chaos monkey strikes (ignored if its generation is stale: the rate changed).
    Chaos { generation: u32 },
}

/// A wire as the engine uses it.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub node: u32,
    pub latency: SimDuration,
}

/// What a station's call downstream was for (the hop's `slot`), so the answer can be handled.
const SLOT_CALL: u32 = 0;
/// Cache-aside: asking the key's cache.
const SLOT_LOOKUP: u32 = 1;
/// A read sent to the database after a cache miss: the answer fills the cache.
const SLOT_FILL: u32 = 2;
/// A write sent to the database past a cache: the answer applies the cache's write policy.
const SLOT_WRITE: u32 = 3;
/// A session check at the session store: the answer lets the request go on.
const SLOT_SESSION: u32 = 4;
/// A shard router's copy of a key while resharding.
const SLOT_COPY: u32 = 5;
/// One shard's part of a cross-shard read.
const SLOT_PART: u32 = 6;

/// A user whose session died with the server (or store) holding it: their next request finds
/// them logged out.
const SESSION_LOST: u32 = u32::MAX;

/// Which of `n` caches holds `key`: hash-mod partitioning (the key is already a popularity
/// rank, so it is mixed first to spread hot keys).
fn partition(key: u64, n: usize) -> usize {
    let h = key.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    ((h >> 32) % n as u64) as usize
}

/// The primary's committed state of one record: the id of the last write committed, when, and
/// that write's place in the order writes reached the database. A database locks a row while
/// writing it, so writes to one record take effect in arrival order: a write that arrived
/// before the committed one but finished after it changes nothing.
#[derive(Serialize, Deserialize, Clone, Copy, Debug)]
pub(crate) struct Committed {
    pub version: u64,
    pub at: SimTime,
    pub seq: u64,
}

/// A database and its read replicas.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct Group {
    /// The node taking writes now (the database, or a promoted replica).
    pub primary: u32,
    /// The replicas now (a promoted one leaves; a restored old primary joins).
    pub replicas: Vec<u32>,
    /// The wire latency from the original database to each node it was wired to.
    pub latency: Vec<(u32, SimDuration)>,
    /// Writes wait for every running replica.
    pub sync: bool,
    /// Time from the primary's failure to a promotion.
    pub failover: SimDuration,
    /// Reads go to the primary this long after the user's last write.
    pub read_your_writes: SimDuration,
    /// A failover is scheduled.
    pub failing_over: bool,
    /// When the running replicas will have acknowledged the last write shipped.
    pub last_ack: SimTime,
}

impl Group {
    fn latency_to(&self, node: u32) -> SimDuration {
        self.latency
            .iter()
            .find(|(n, _)| *n == node)
            .map_or(SimDuration::ZERO, |(_, l)| *l)
    }
}

/// Kind-specific state.
#[derive(Serialize, Deserialize, Debug)]
pub(crate) enum Behaviour {
    Users(Users),
    Dns(Dns),
    LoadBalancer(LoadBalancer),
    Station(Station),
    /// A shard router.
    Router(Router),
    /// A message queue.
    Queue(MessageQueue),
    /// A pool of consumers.
    Consumers(ConsumerPool),
    /// A data center: the nodes inside its box, which go down and up with it.
    DataCenter {
        members: Vec<u32>,
    },
}

/// One component in the running simulation.
#[derive(Serialize, Deserialize, Debug)]
pub(crate) struct Node {
    pub id: ComponentId,
    pub kind: Kind,
    pub up: bool,
    /// Bumped each time the node goes down, to recognise work it held before.
    pub epoch: u32,
    pub targets: Vec<Target>,
    pub counters: Counters,
    pub in_system: Level,
    pub busy: Level,
    /// Stations: their workers over time.
    pub capacity: Level,
    pub queue_len: Level,
    pub wait_hist: Histogram,
    pub sojourn_hist: Histogram,
    /// Users only: latencies of this second, for the per-second percentiles.
    pub interval_latency: Histogram,
    /// Logged-in users' sessions held here (web servers in memory, session stores).
    pub sessions_held: u64,
    pub behaviour: Behaviour,
}

impl Node {
    /// Counters with the time-weighted areas brought up to `now`.
    pub(crate) fn counters_at(&self, now: SimTime) -> Counters {
        let mut c = self.counters;
        c.in_system_area = self.in_system.area_at(now);
        c.busy_area = self.busy.area_at(now);
        c.capacity_area = self.capacity.area_at(now);
        c.queue_area = self.queue_len.area_at(now);
        if let Behaviour::Station(s) = &self.behaviour
            && let Some(g) = s.group.as_deref()
        {
            c.instances_area = g.running_level.area_at(now);
        }
        c
    }
}

/// End-to-end counters over every users node.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct EndToEnd {
    pub sent: u64,
    pub ok: u64,
    pub failed: [u64; Cause::COUNT],
}

impl EndToEnd {
    pub(crate) fn failed_total(&self) -> u64 {
        self.failed.iter().sum()
    }
}

/// The state at the end of warm-up, subtracted from later totals for summaries.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct Baseline {
    pub time: SimTime,
    pub nodes: Vec<Counters>,
    pub e2e: EndToEnd,
    pub in_flight: u32,
    pub events: u64,
}

/// A running simulation of one diagram.
#[derive(Serialize, Deserialize)]
pub struct Simulation {
    pub(crate) now: SimTime,
    queue: EventQueue<Event>,
    pub(crate) rng: SimRng,
    pub(crate) requests: Requests,
    pub(crate) nodes: Vec<Node>,
    pub(crate) log: EventLog,
    pub(crate) e2e: EndToEnd,
    pub(crate) latency: Histogram,
    pub(crate) baseline: Baseline,
    pub(crate) series: SeriesStore,
    pub(crate) events: u64,
    pub(crate) rate_scale: f64,
    pub(crate) seed: u64,
    pub(crate) duration: SimTime,
    #[serde(with = "super::snapshot::as_json")]
    timeline: Vec<Action>,
    index: BTreeMap<ComponentId, u32>,
    trace: Option<Trace>,
    /// Every record written so far, as the databases committed it (lookups only).
    truth: KeyMap<Committed>,
    /// Whether anything reads records' versions (caches, replicas, multi-primary sets): without
    /// them the databases keep no record of what they committed, which nothing would read.
    tracks_versions: bool,
    /// Whether anything reads a request's record key (what `tracks_versions` covers, CDN edges
    /// and shard routers): without them no key is drawn, so a run does not pay for sampling a
    /// skewed key it never looks at.
    draws_keys: bool,
    /// The id the next write gets (ids are versions; 0 is a record never written).
    next_write: u64,
    /// Writes that have reached a database so far (their arrival order).
    db_writes: u64,
    /// The cache nodes, for marking their copies stale when a write commits.
    caches: Vec<u32>,
    /// Records in the users' key space (the most any users node asks for): what warming loads.
    key_space: u64,
    /// Replication groups.
    pub(crate) groups: Vec<Group>,
    /// Each node's replication group, if it is a database with replicas or a replica.
    group_of: Vec<Option<u32>>,
    /// When each user last wrote (read-your-writes).
    last_write: KeyMap<SimTime>,
    /// Where each logged-in user's session is (a web server or a session store), or
    /// [`SESSION_LOST`].
    sessions: KeyMap<u32>,
    /// Static assets' published version: a deploy moves it on, and versioned names make every
    /// copy of the old assets unreachable.
    asset_version: u64,
    /// Jobs held by message queues.
    jobs: Jobs,
    /// Deliveries of jobs so far (each gets its own id).
    deliveries: u32,
    /// Alert rules on the per-second metrics.
    alerts: Vec<Alert>,
    /// Their thresholds.
    alert_rules: crate::model::Alerts,
    /// Regions, round trips between them, partitions.
    network: Network,
    /// The chaos monkey's kills per hour (0: off).
    chaos_per_hour: f64,
    /// Bumped when the rate changes, so the strike already scheduled is void.
    chaos_generation: u32,
    /// Delays added to wires by faults: (from, to, extra one-way latency).
    wire_delays: Vec<(u32, u32, SimDuration)>,
    /// Every wire of the diagram as (from, to), sorted.
    wires: Vec<(u32, u32)>,
    /// Cross-shard reads waiting for their parts: parts still out, and the first failure.
    fan_outs: KeyMap<(u32, Option<Cause>)>,
    /// Multi-primary sets.
    pub(crate) peers: Vec<PeerSet>,
    /// Each database's multi-primary set, if it is in one.
    pub(crate) peer_of: Vec<Option<u32>>,
}

impl Simulation {
    /// Builds a simulation of `diagram`, validating it first.
    pub fn new(diagram: &Diagram) -> Result<Simulation, BuildError> {
        diagram.validate().map_err(BuildError::Invalid)?;
        let index: BTreeMap<ComponentId, u32> = diagram
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i as u32))
            .collect();
        let mut targets: Vec<Vec<(Target, f64)>> = vec![Vec::new(); diagram.components.len()];
        for w in &diagram.wires {
            let (from, to) = (index[&w.from], index[&w.to]);
            // A wire between regions also crosses the network between them.
            let ms = w.latency_ms + crate::model::regions::wire_penalty_ms(diagram, &w.from, &w.to);
            let latency = SimDuration::from_secs_f64(ms / 1000.0);
            targets[from as usize].push((Target { node: to, latency }, w.weight));
        }

        let total_users: u64 = diagram
            .components
            .iter()
            .filter(|c| c.kind == Kind::Users)
            .map(|c| c.number("users") as u64)
            .sum();
        if total_users == 0 {
            return Err(BuildError::NoTraffic);
        }
        if total_users > MAX_TOTAL_USERS {
            return Err(BuildError::TooManyUsers { total: total_users });
        }

        let network = Network::new(diagram);
        let mut all_wires: Vec<(u32, u32)> = diagram
            .wires
            .iter()
            .map(|w| (index[&w.from], index[&w.to]))
            .collect();
        all_wires.sort_unstable();
        let mut nodes = Vec::with_capacity(diagram.components.len());
        let mut first_user = 0u32;
        for (i, c) in diagram.components.iter().enumerate() {
            // A web server's wire to a session store carries session checks, not requests;
            // users' wires to CDN edges carry only static assets.
            let kind_of = |t: &Target| diagram.components[t.node as usize].kind;
            let (session_wires, data_wires): (Vec<_>, Vec<_>) = targets[i]
                .iter()
                .copied()
                .partition(|(t, _)| kind_of(t) == Kind::SessionStore);
            // A web server's wire to a message queue carries its writes, as jobs.
            let (queue_wires, data_wires): (Vec<_>, Vec<_>) = data_wires
                .into_iter()
                .partition(|(t, _)| c.kind == Kind::WebServer && kind_of(t) == Kind::MessageQueue);
            let (mut cdn_wires, data_wires): (Vec<_>, Vec<_>) = data_wires
                .into_iter()
                .partition(|(t, _)| c.kind == Kind::Users && kind_of(t) == Kind::CdnEdge);
            // Nearest edge first, by the round trip between the users and the edge.
            cdn_wires.sort_by(|(a, _), (b, _)| a.latency.cmp(&b.latency).then(a.node.cmp(&b.node)));
            let wires = &data_wires;
            let needs = match c.kind {
                Kind::Users => Some("a DNS, load balancer or web server"),
                Kind::CdnEdge => Some("its origin (a load balancer or web server)"),
                Kind::Dns | Kind::GeoDns => Some("a load balancer or web server"),
                Kind::LoadBalancer => Some("any backend"),
                Kind::WebServer
                | Kind::Database
                | Kind::Replica
                | Kind::Cache
                | Kind::SessionStore
                | Kind::Consumer
                | Kind::DataCenter => None,
                Kind::MessageQueue => Some("a consumer pool"),
                Kind::ShardRouter => Some("its shard databases"),
            };
            if let Some(needs) = needs
                && wires.is_empty()
            {
                return Err(BuildError::Unwired {
                    component: c.id.clone(),
                    needs,
                });
            }
            let behaviour = match c.kind {
                Kind::Users => {
                    let mut u = Users::from_component(c, first_user);
                    first_user += u.population;
                    u.cdn = cdn_wires.iter().map(|(t, _)| *t).collect();
                    Behaviour::Users(u)
                }
                Kind::Dns => Behaviour::Dns(Dns::from_component(c, total_users as u32)),
                Kind::GeoDns => {
                    let mut dns = Dns::from_component(c, total_users as u32);
                    dns.geo = Some(GeoDns::from_component(
                        c,
                        wires
                            .iter()
                            .map(|(t, w)| (network.region(t.node), *w))
                            .collect(),
                    ));
                    Behaviour::Dns(dns)
                }
                Kind::LoadBalancer => Behaviour::LoadBalancer(LoadBalancer::from_component(
                    c,
                    wires.iter().map(|(t, w)| (t.node, t.latency, *w)).collect(),
                )),
                Kind::WebServer
                | Kind::Database
                | Kind::Replica
                | Kind::Cache
                | Kind::SessionStore
                | Kind::CdnEdge => {
                    let mut station = Station::from_component(c);
                    station.job_queue = queue_wires.first().map(|(t, _)| *t);
                    if let SessionMode::Shared(wire) = &mut station.sessions {
                        *wire = session_wires.first().map(|(t, _)| *t);
                        if wire.is_none() {
                            return Err(BuildError::Unwired {
                                component: c.id.clone(),
                                needs: "a session store (its sessions are shared)",
                            });
                        }
                    }
                    if c.kind == Kind::WebServer {
                        station.wire_caches(wires.iter().map(|(t, _)| {
                            (*t, diagram.components[t.node as usize].kind == Kind::Cache)
                        }));
                    }
                    Behaviour::Station(station)
                }
                Kind::MessageQueue => Behaviour::Queue(MessageQueue::from_component(c)),
                Kind::ShardRouter => {
                    // What the router spreads: the records, or the users.
                    let space = if c.choice("shard_key") == "user" {
                        total_users
                    } else {
                        diagram
                            .components
                            .iter()
                            .filter(|u| u.kind == Kind::Users)
                            .map(|u| u.number("keys") as u64)
                            .max()
                            .unwrap_or(1)
                    };
                    let wired = wires.len() as u32;
                    if let Some(problem) = super::sharding::router_problem(c, wired) {
                        return Err(BuildError::Sharding {
                            router: c.id.clone(),
                            problem,
                        });
                    }
                    Behaviour::Router(Router::from_component(c, wired, space))
                }
                Kind::Consumer => Behaviour::Consumers(ConsumerPool::from_component(c)),
                Kind::DataCenter => Behaviour::DataCenter {
                    members: contents(diagram, &c.id)
                        .iter()
                        .map(|id| index[id])
                        .collect(),
                },
            };
            nodes.push(Node {
                id: c.id.clone(),
                kind: c.kind,
                up: true,
                epoch: 0,
                targets: wires.iter().map(|(t, _)| *t).collect(),
                counters: Counters::default(),
                in_system: Level::default(),
                busy: Level::default(),
                capacity: {
                    let mut l = Level::default();
                    if let Behaviour::Station(s) = &behaviour {
                        l.set(SimTime::ZERO, s.workers);
                    }
                    l
                },
                queue_len: Level::default(),
                wait_hist: Histogram::new(),
                sojourn_hist: Histogram::new(),
                interval_latency: Histogram::new(),
                sessions_held: 0,
                behaviour,
            });
        }

        let duration = SimTime::ZERO + SimDuration::from_secs_f64(diagram.run.duration_s);
        let warmup = SimTime::ZERO + SimDuration::from_secs_f64(diagram.run.warmup_s);
        let series = SeriesStore::new(&nodes, SERIES_CAPACITY);
        let mut queue = EventQueue::new();
        // A request crossing a wire (either way) is an event a fixed delay ahead: give the most
        // common wire latencies FIFO lanes (see `queue`).
        let mut latencies: BTreeMap<SimDuration, usize> = BTreeMap::new();
        for node in &nodes {
            for t in &node.targets {
                *latencies.entry(t.latency).or_default() += 1;
            }
        }
        let mut by_use: Vec<(usize, SimDuration)> =
            latencies.into_iter().map(|(d, n)| (n, d)).collect();
        by_use.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, d) in by_use {
            queue.add_lane(d);
        }
        let mut sim = Simulation {
            now: SimTime::ZERO,
            queue,
            rng: SimRng::new(diagram.run.seed),
            requests: Requests::default(),
            baseline: Baseline {
                time: SimTime::ZERO,
                nodes: vec![Counters::default(); nodes.len()],
                e2e: EndToEnd::default(),
                in_flight: 0,
                events: 0,
            },
            nodes,
            log: EventLog::new(LOG_CAPACITY),
            e2e: EndToEnd::default(),
            latency: Histogram::new(),
            series,
            events: 0,
            rate_scale: diagram.traffic.rate_scale,
            seed: diagram.run.seed,
            duration,
            timeline: diagram.timeline.iter().map(|e| e.action.clone()).collect(),
            index,
            trace: None,
            truth: KeyMap::default(),
            tracks_versions: false,
            draws_keys: false,
            next_write: 0,
            db_writes: 0,
            caches: Vec::new(),
            key_space: 0,
            groups: Vec::new(),
            group_of: Vec::new(),
            last_write: KeyMap::default(),
            sessions: KeyMap::default(),
            asset_version: 0,
            jobs: Jobs::default(),
            deliveries: 0,
            alerts: Vec::new(),
            alert_rules: diagram.alerts.clone(),
            network,
            fan_outs: KeyMap::default(),
            wire_delays: Vec::new(),
            wires: all_wires,
            peers: Vec::new(),
            peer_of: Vec::new(),
            chaos_per_hour: diagram.run.chaos_per_hour,
            chaos_generation: 0,
        };
        sim.schedule_chaos();
        sim.alerts = [Watch::P95, Watch::ErrorRate]
            .into_iter()
            .chain(
                (0..sim.nodes.len() as u32).filter_map(|n| match sim.nodes[n as usize].kind {
                    Kind::Cache => Some(Watch::HitRate(n)),
                    Kind::MessageQueue => Some(Watch::QueueAge(n)),
                    _ => None,
                }),
            )
            .map(Alert::new)
            .collect();
        sim.build_groups(diagram)?;
        sim.build_peers()?;
        sim.resolve_across_regions(diagram);
        sim.caches = (0..sim.nodes.len() as u32)
            .filter(|&n| sim.cache_role(n).is_some())
            .collect();
        sim.tracks_versions =
            !sim.caches.is_empty() || !sim.groups.is_empty() || !sim.peers.is_empty();
        sim.draws_keys = sim.tracks_versions
            || (0..sim.nodes.len() as u32).any(|n| {
                sim.is_cdn(n) || matches!(sim.nodes[n as usize].behaviour, Behaviour::Router(_))
            });
        sim.key_space = sim
            .nodes
            .iter()
            .filter_map(|n| match &n.behaviour {
                Behaviour::Users(u) => Some(u.key_space()),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        for c in sim.caches.clone() {
            sim.warm_cache(c);
        }

        for (i, e) in diagram.timeline.iter().enumerate() {
            let at = SimTime::ZERO + SimDuration::from_secs_f64(e.at_s);
            sim.queue.schedule(at, Event::Timeline { index: i as u32 });
        }
        if warmup > SimTime::ZERO {
            sim.queue.schedule(warmup, Event::WarmupEnd);
        }
        sim.queue
            .schedule(SimTime::ZERO + SimDuration::from_secs(1), Event::Sample);
        for n in 0..sim.nodes.len() as u32 {
            match &sim.nodes[n as usize].behaviour {
                Behaviour::Users(_) => sim.schedule_arrival(n, true),
                Behaviour::LoadBalancer(lb) => {
                    let first = SimTime::ZERO + lb.check_interval;
                    for b in 0..lb.backends.len() as u32 {
                        sim.queue
                            .schedule(first, Event::HealthCheck { node: n, target: b });
                    }
                }
                Behaviour::Dns(Dns { geo: Some(g), .. }) => {
                    let first = SimTime::ZERO + g.check_interval;
                    for t in 0..g.entries.len() as u32 {
                        sim.queue
                            .schedule(first, Event::HealthCheck { node: n, target: t });
                    }
                }
                Behaviour::Dns(_)
                | Behaviour::Station(_)
                | Behaviour::Router(_)
                | Behaviour::Queue(_)
                | Behaviour::Consumers(_)
                | Behaviour::DataCenter { .. } => {}
            }
        }
        Ok(sim)
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// What the machines running now cost per hour ($): every instance launched and not yet
    /// gone, at its size's price.
    pub fn cost_per_hour(&self) -> f64 {
        self.nodes
            .iter()
            .map(|n| match &n.behaviour {
                Behaviour::Station(s) => {
                    s.cost_per_hour * f64::from(s.group.as_ref().map_or(1, |g| g.billed()))
                }
                Behaviour::Consumers(c) => c.cost_per_hour,
                _ => 0.0,
            })
            .fold(0.0, |total, c| total + c)
    }

    /// The run's configured end.
    pub fn end(&self) -> SimTime {
        self.duration
    }

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Requests currently in flight.
    pub fn in_flight(&self) -> u32 {
        self.requests.live()
    }

    /// The per-second series as CSV: a header (`time_s`, the global metrics, then
    /// `<component>.<metric>` for each component's), then one row per simulated second.
    pub fn series_csv(&self) -> String {
        let ids: Vec<&str> = self.nodes.iter().map(|n| n.id.as_str()).collect();
        self.series.to_csv(&ids)
    }

    /// Starts (or, with `every` = 0, stops) sampling wire crossings: every `every`-th is kept,
    /// up to `capacity` not yet taken. Sampling reads the run and never changes it.
    pub fn trace_crossings(&mut self, every: u64, capacity: usize) {
        match (&mut self.trace, every) {
            (_, 0) => self.trace = None,
            (Some(t), n) => t.set_every(n),
            (None, n) => self.trace = Some(Trace::new(n, capacity)),
        }
    }

    /// The crossings sampled since the last call, oldest first.
    pub fn take_crossings(&mut self) -> Vec<Crossing> {
        self.trace.as_mut().map(Trace::take).unwrap_or_default()
    }

    /// Wire crossings counted since tracing began (sampled or not): their rate tells a caller
    /// how thinly to sample.
    pub fn crossings_seen(&self) -> u64 {
        self.trace.as_ref().map_or(0, Trace::seen)
    }

    /// The id of the component at `index` in the diagram the run was built from.
    pub fn component_id(&self, index: u32) -> Option<&ComponentId> {
        self.nodes.get(index as usize).map(|n| &n.id)
    }

    /// Requests that have finished (answered, failed or rejected) so far.
    pub fn requests_done(&self) -> u64 {
        self.e2e.sent - u64::from(self.requests.live())
    }

    /// Component `id`'s per-second series, or `None` if there is no such component.
    pub fn component_series(&self, id: &ComponentId) -> Option<&super::series::Series> {
        let &n = self.index.get(id)?;
        self.series.nodes.get(n as usize)
    }

    /// Whether component `id` is up, or `None` if there is no such component.
    pub fn is_up(&self, id: &ComponentId) -> Option<bool> {
        let &n = self.index.get(id)?;
        Some(self.nodes[n as usize].up)
    }

    /// Whether the run has reached its configured duration.
    pub fn finished(&self) -> bool {
        self.now >= self.duration
    }

    /// The event log so far.
    pub fn log(&self) -> &EventLog {
        &self.log
    }

    /// Per-second samples so far.
    pub fn series(&self) -> &SeriesStore {
        &self.series
    }

    /// A summary of the measured window so far (after warm-up, up to now).
    pub fn report(&self) -> Report {
        report::build(self)
    }

    /// Processes events in `(time, seq)` order until simulated time reaches `until` or
    /// `budget` events have been processed, whichever is first.
    pub fn step_until(&mut self, until: SimTime, budget: u64) -> StepOutcome {
        let mut left = budget;
        loop {
            if left == 0 {
                if self.queue.peek_time().is_some_and(|t| t <= until) {
                    return StepOutcome::BudgetExhausted;
                }
                break;
            }
            let Some((t, event)) = self.queue.pop_until(until) else {
                break;
            };
            left -= 1;
            self.now = t;
            self.events += 1;
            self.dispatch(event);
        }
        self.now = self.now.max(until);
        StepOutcome::Reached
    }

    /// Advances by `d` of simulated time, within `budget` events.
    pub fn run_for(&mut self, d: SimDuration, budget: u64) -> StepOutcome {
        self.step_until(self.now + d, budget)
    }

    /// Runs to the configured duration, within `budget` events.
    pub fn run_to_end(&mut self, budget: u64) -> StepOutcome {
        self.step_until(self.duration, budget)
    }

    /// Takes a component down now (as a timeline `kill` would).
    pub fn kill(&mut self, id: &ComponentId) -> bool {
        let Some(&n) = self.index.get(id) else {
            return false;
        };
        self.take_down(n);
        true
    }

    /// Empties cache `id` now (as a timeline `flush` would); false if it is not a cache.
    pub fn flush(&mut self, id: &ComponentId) -> bool {
        let now = self.now;
        let Some(&n) = self.index.get(id) else {
            return false;
        };
        let Behaviour::Station(s) = &mut self.nodes[n as usize].behaviour else {
            return false;
        };
        let dropped = match (s.cache.as_deref_mut(), s.cdn.as_deref_mut()) {
            (Some(role), _) => role.store.clear(),
            (None, Some(cdn)) => cdn.store.clear(),
            (None, None) => return false,
        };
        self.log.push(
            now,
            Some(id.as_str()),
            LogLevel::Error,
            format!("{id} flushed: {dropped} items dropped"),
        );
        true
    }

    /// Cuts the network between regions `a` and `b` now (as a timeline `partition` would):
    /// requests across it fail as unreachable, health checks across it fail, and replication
    /// across it stalls until it heals. False if it was cut already or the regions are not
    /// two known ones.
    pub fn partition(&mut self, a: &str, b: &str) -> bool {
        let now = self.now;
        if !self.network.partition(a, b) {
            return false;
        }
        self.log.push(
            now,
            None,
            LogLevel::Error,
            format!("network partition: {a} and {b} cut off from each other"),
        );
        self.refresh_peer_links();
        // Writes on their way across the cut never arrive; they are sent again on healing.
        for g in 0..self.groups.len() {
            let primary = self.groups[g].primary;
            for r in self.groups[g].replicas.clone() {
                if !self.network.reachable(primary, r)
                    && let Some(role) = self.replica_mut(r)
                {
                    role.cut_off(now);
                }
            }
        }
        true
    }

    /// Shard router `id`'s shards in use and wired, if it is one.
    pub fn router_shards(&self, id: &ComponentId) -> Option<(u32, u32)> {
        match &self.nodes[*self.index.get(id)? as usize].behaviour {
            Behaviour::Router(r) => Some((r.active, r.wired)),
            _ => None,
        }
    }

    /// Adds `ms` of one-way latency to the wire from `from` to `to` now (0 takes a delay
    /// away): requests and replication along it pay it, both ways. False if there is no such
    /// wire or the delay is not a sensible number.
    pub fn delay_wire(&mut self, from: &ComponentId, to: &ComponentId, ms: f64) -> bool {
        let (Some(&a), Some(&b)) = (self.index.get(from), self.index.get(to)) else {
            return false;
        };
        let wired = self.wires.binary_search(&(a, b)).is_ok();
        if !(wired && ms.is_finite() && ms >= 0.0) {
            return false;
        }
        self.wire_delays.retain(|&(x, y, _)| (x, y) != (a, b));
        let (level, message) = if ms > 0.0 {
            let extra = SimDuration::from_secs_f64(ms / 1000.0);
            self.wire_delays.push((a, b, extra));
            (
                LogLevel::Error,
                format!("wire {from} → {to} slowed by {ms} ms"),
            )
        } else {
            (LogLevel::Info, format!("wire {from} → {to} back to normal"))
        };
        self.log.push(self.now, Some(from.as_str()), level, message);
        true
    }

    /// The delay a fault adds to the wire from `a` to `b` now.
    fn wire_delay(&self, a: u32, b: u32) -> SimDuration {
        self.wire_delays
            .iter()
            .find(|&&(x, y, _)| (x, y) == (a, b))
            .map_or(SimDuration::ZERO, |&(_, _, d)| d)
    }

    /// The delay a fault has added to the wire from `from` to `to`, in ms.
    pub fn wire_delay_ms(&self, from: &ComponentId, to: &ComponentId) -> f64 {
        match (self.index.get(from), self.index.get(to)) {
            (Some(&a), Some(&b)) => self.wire_delay(a, b).as_secs_f64() * 1000.0,
            _ => 0.0,
        }
    }

    /// Whether the network between regions `a` and `b` is cut now.
    pub fn is_partitioned(&self, a: &str, b: &str) -> bool {
        self.network.is_cut(a, b)
    }

    /// Mends the network between `a` and `b` now: replication catches up with what it could
    /// not send. False if it was not cut.
    pub fn heal(&mut self, a: &str, b: &str) -> bool {
        let now = self.now;
        if !self.network.heal(a, b) {
            return false;
        }
        self.log.push(
            now,
            None,
            LogLevel::Info,
            format!("network between {a} and {b} healed"),
        );
        self.refresh_peer_links();
        for g in 0..self.groups.len() {
            let primary = self.groups[g].primary;
            if !self.nodes[primary as usize].up {
                continue;
            }
            for r in self.groups[g].replicas.clone() {
                if self.network.reachable(primary, r) {
                    self.resend_unreceived(g as u32, r);
                }
            }
        }
        true
    }

    /// Brings a component back up now.
    pub fn restore(&mut self, id: &ComponentId) -> bool {
        let Some(&n) = self.index.get(id) else {
            return false;
        };
        self.bring_up(n);
        true
    }

    /// Applies component `c`'s current settings to the running simulation, keeping what is in
    /// progress (queues, requests in service, health states, cached DNS answers); an edit in
    /// the inspector while a run is live. `c` must come from a valid diagram. What a component
    /// is wired to, and a users component's number of users, are fixed when the run is built.
    pub fn update_component(&mut self, c: &crate::model::Component) -> Result<(), UpdateError> {
        let Some(&n) = self.index.get(&c.id) else {
            return Err(UpdateError::NoSuchComponent(c.id.clone()));
        };
        let node = &mut self.nodes[n as usize];
        if node.kind != c.kind {
            return Err(UpdateError::KindChanged(c.id.clone()));
        }
        match &mut node.behaviour {
            Behaviour::Users(u) => u.update(c),
            Behaviour::Dns(d) => d.update(c),
            Behaviour::LoadBalancer(lb) => lb.update(c),
            Behaviour::Station(st) => st.update(c),
            Behaviour::Queue(q) => q.update(c),
            Behaviour::Consumers(p) => p.update(c),
            Behaviour::Router(r) => {
                if let Some(problem) = super::sharding::router_problem(c, r.wired) {
                    return Err(UpdateError::Refused(c.id.clone(), problem));
                }
                r.update(c);
            }
            Behaviour::DataCenter { .. } => {}
        }
        match node.behaviour {
            // A new rate takes effect now (Poisson arrivals are memoryless, so this is exact).
            Behaviour::Users(_) => self.schedule_arrival(n, true),
            // More workers start on the queue at once; a group launches or drains instances
            // to a new count.
            Behaviour::Station(_) if node.up => {
                self.sync_capacity(n);
                self.scale_group(n);
            }
            Behaviour::Queue(_) | Behaviour::Consumers(_) => self.pump_all(),
            _ => {}
        }
        let id = c.id.to_string();
        self.log.push(
            self.now,
            Some(&id),
            LogLevel::Info,
            format!("{id}: settings changed"),
        );
        Ok(())
    }

    /// Schedules `action` at simulated time `at` (now, if `at` is past), as if it had been on
    /// the diagram's timeline from the start: a spike started from the run bar, say.
    pub fn schedule_action(&mut self, at: SimTime, action: Action) {
        let index = self.timeline.len() as u32;
        self.timeline.push(action);
        self.queue
            .schedule(at.max(self.now), Event::Timeline { index });
    }

    /// Sets the global traffic multiplier now.
    pub fn set_rate_scale(&mut self, scale: f64) {
        if !(scale.is_finite() && scale >= 0.0) {
            return;
        }
        self.rate_scale = scale;
        for n in 0..self.nodes.len() as u32 {
            if matches!(self.nodes[n as usize].behaviour, Behaviour::Users(_)) {
                self.schedule_arrival(n, true);
            }
        }
        self.log.push(
            self.now,
            None,
            LogLevel::Info,
            format!("traffic scaled to {scale}×"),
        );
    }

    fn dispatch(&mut self, event: Event) {
        match event {
            Event::Arrival { node, generation } => self.on_arrival(node, generation),
            Event::Deliver { req, node } => self.on_deliver(req, node),
            Event::ServiceDone { req, node } => self.on_service_done(req, node),
            Event::Response { req, node } => self.on_response(req, node),
            Event::HealthCheck { node, target } => self.on_health_check(node, target),
            Event::Timeline { index } => self.on_timeline(index),
            Event::Sample => {
                self.take_sample();
                self.queue
                    .schedule(self.now + SimDuration::from_secs(1), Event::Sample);
            }
            Event::WarmupEnd => self.end_warmup(),
            Event::ReplicaApply { node } => self.on_replica_apply(node),
            Event::PeerDeliver { set, channel } => self.on_peer_deliver(set, channel),
            Event::InstanceReady { node, id } => self.on_instance_ready(node, id),
            Event::Migrate { node } => self.on_migrate(node),
            Event::InstanceNoticed { node, id } => self.on_instance_noticed(node, id),
            Event::Chaos { generation } => {
                if generation == self.chaos_generation {
                    self.on_chaos();
                }
            }
            Event::SyncAck { req, node } => self.on_sync_ack(req, node),
            Event::Failover { group } => self.on_failover(group),
            Event::JobStart { consumer, delivery } => self.on_job_start(consumer, delivery),
            Event::JobDone { consumer, delivery } => self.on_job_done(consumer, delivery),
            Event::JobAck { job, token } => self.on_job_ack(job, token),
            Event::JobTimeout { job, token } => self.on_job_timeout(job, token),
            Event::JobRetry { job, token } => self.on_job_retry(job, token),
        }
    }

    // ---- users ---------------------------------------------------------------------------

    /// Schedules a users node's next arrival. `restart` invalidates the pending one (after a
    /// rate change or a restore); Poisson arrivals are memoryless, so restarting is exact.
    fn schedule_arrival(&mut self, node: u32, restart: bool) {
        let now = self.now;
        let scale = self.rate_scale;
        let n = &mut self.nodes[node as usize];
        let Behaviour::Users(u) = &mut n.behaviour else {
            return;
        };
        if restart {
            u.generation = u.generation.wrapping_add(1);
        }
        if !n.up {
            return;
        }
        let generation = u.generation;
        let gap = if u.poisson {
            let max = u.max_rate() * scale;
            if max <= 0.0 {
                return; // silent until the rate changes
            }
            self.rng.exponential(1.0 / max)
        } else {
            let rate = u.rate_at(now.as_secs_f64()) * scale;
            if rate > 0.0 { 1.0 / rate } else { 0.1 }
        };
        let at = now + SimDuration::from_secs_f64(gap).max(SimDuration::from_nanos(1));
        self.queue.schedule(at, Event::Arrival { node, generation });
    }

    fn on_arrival(&mut self, node: u32, generation: u32) {
        let now = self.now;
        let scale = self.rate_scale;
        let n = &self.nodes[node as usize];
        let Behaviour::Users(u) = &n.behaviour else {
            return;
        };
        if u.generation != generation || !n.up {
            return;
        }
        // Thinning: a Poisson stream at the peak rate, each arrival kept with probability
        // rate(t)/peak, is a Poisson process with rate rate(t).
        let emit = if u.poisson {
            let max = u.max_rate();
            let rate = u.rate_at(now.as_secs_f64());
            rate >= max || self.rng.unit() * max < rate
        } else {
            u.rate_at(now.as_secs_f64()) * scale > 0.0
        };
        if emit {
            self.emit_request(node);
        }
        self.schedule_arrival(node, false);
    }

    fn emit_request(&mut self, node: u32) {
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        let Behaviour::Users(u) = &n.behaviour else {
            return;
        };
        let user = u.draw_user(&mut self.rng);
        let key = if self.draws_keys {
            u.draw_key(&mut self.rng)
        } else {
            0
        };
        let class = u.draw_class(&mut self.rng);
        let local_user = (user - u.first_user) as usize;
        let edges = if class == Class::Static {
            u.cdn.len()
        } else {
            0
        };
        n.counters.arrivals += 1;
        self.e2e.sent += 1;
        if self.requests.live() >= MAX_IN_FLIGHT {
            n.counters.fail(Cause::InFlightCap);
            self.e2e.failed[Cause::InFlightCap as usize] += 1;
            return;
        }
        // Static assets go to the nearest running CDN edge, if the users have any; with every
        // edge down, clients fall back to the origin.
        let edge = (0..edges).find_map(|i| {
            let t = match &self.nodes[node as usize].behaviour {
                Behaviour::Users(u) => u.cdn[i],
                _ => return None,
            };
            self.nodes[t.node as usize].up.then_some(t)
        });
        let n = &mut self.nodes[node as usize];
        if let Some(edge) = edge {
            let req = self.requests.alloc(now, node, user, key, class, 0);
            self.send(req, node, 0, edge, SimDuration::ZERO);
            return;
        }
        // Each user sticks to one of the users node's wires.
        let target = n.targets[local_user % n.targets.len()];
        let version = if class == Class::Write {
            self.next_write += 1;
            self.next_write
        } else {
            0
        };
        let req = self.requests.alloc(now, node, user, key, class, version);
        let to = &self.nodes[target.node as usize];
        if let Behaviour::Dns(_) = to.behaviour {
            self.resolve_then_send(req, node, target);
        } else {
            self.send(req, node, 0, target, SimDuration::ZERO);
        }
    }

    /// Gives each users node, per DNS node it is wired to, the DNS's answers as wires from the
    /// users: a resolved address is reached directly, across the network between the users'
    /// region and its own, not from wherever the DNS runs.
    fn resolve_across_regions(&mut self, diagram: &Diagram) {
        for u in 0..self.nodes.len() {
            if self.nodes[u].kind != Kind::Users {
                continue;
            }
            let users_id = &diagram.components[u].id;
            let mut via = Vec::new();
            for t in &self.nodes[u].targets {
                let dns = &diagram.components[t.node as usize];
                if !matches!(dns.kind, Kind::Dns | Kind::GeoDns) {
                    continue;
                }
                let answers = self.nodes[t.node as usize]
                    .targets
                    .iter()
                    .map(|a| {
                        let to = &diagram.components[a.node as usize].id;
                        let own = diagram
                            .wires
                            .iter()
                            .find(|w| w.from == dns.id && &w.to == to)
                            .map_or(0.0, |w| w.latency_ms);
                        let ms =
                            own + crate::model::regions::wire_penalty_ms(diagram, users_id, to);
                        Target {
                            node: a.node,
                            latency: SimDuration::from_secs_f64(ms / 1000.0),
                        }
                    })
                    .collect();
                via.push((t.node, answers));
            }
            if let Behaviour::Users(users) = &mut self.nodes[u].behaviour {
                users.via_dns = via;
            }
        }
    }

    /// The wire from `users` to answer number `answer` of DNS node `dns`.
    fn answer_wire(&self, users: u32, dns: u32, answer: u32) -> Target {
        let from_users = match &self.nodes[users as usize].behaviour {
            Behaviour::Users(u) => u
                .via_dns
                .iter()
                .find(|(d, _)| *d == dns)
                .map(|(_, a)| a[answer as usize]),
            _ => None,
        };
        from_users.unwrap_or(self.nodes[dns as usize].targets[answer as usize])
    }

    /// The client's resolver: a cached answer costs nothing; a lookup costs a round trip to
    /// DNS plus the lookup time; DNS down and no cached answer fails the request.
    fn resolve_then_send(&mut self, req: u32, users: u32, dns_wire: Target) {
        let now = self.now;
        let user = self.requests.get(req).user;
        let region = self.network.region(users);
        let dns_node = dns_wire.node;
        let n = &mut self.nodes[dns_node as usize];
        let up = n.up;
        let targets = n.targets.len() as u32;
        let Behaviour::Dns(dns) = &mut n.behaviour else {
            return;
        };
        n.counters.arrivals += 1;
        if let Some(target) = dns.cached(user, now) {
            n.counters.hits += 1;
            n.counters.completed += 1;
            let t = self.answer_wire(users, dns_node, target);
            self.send(req, users, 0, t, SimDuration::ZERO);
            return;
        }
        if up {
            let target = match &dns.geo {
                Some(g) => g.choose(
                    user,
                    region,
                    |a, b| self.network.round_trip_ms(a, b),
                    &mut self.rng,
                ),
                None => dns.round_robin(targets),
            };
            let delay = dns.answer(user, now, dns_wire.latency + dns_wire.latency, target);
            n.counters.misses += 1;
            n.counters.completed += 1;
            let t = self.answer_wire(users, dns_node, target);
            self.send(req, users, 0, t, delay);
            return;
        }
        n.counters.fail(Cause::DnsFailure);
        let r = self.requests.get_mut(req);
        r.failure = Some(Cause::DnsFailure);
        r.stack.push(Hop {
            caller: users,
            slot: 0,
            latency: dns_wire.latency,
            arrived: now,
            epoch: 0,
            instance: 0,
        });
        self.queue.schedule(
            now + dns_wire.latency + dns_wire.latency,
            Event::Response { req, node: users },
        );
    }

    /// A request from `users` failed to connect: if the user's name service is a GeoDNS
    /// whose clients retry, the client forgets its cached answer, looks the name up again and
    /// sends the request once more (its latency keeps counting from the first try). True if
    /// it did.
    fn retry_after_failure(&mut self, req: u32, users: u32) -> bool {
        let r = self.requests.get(req);
        let retryable = matches!(
            r.failure,
            Some(Cause::ConnectionRefused | Cause::Crashed | Cause::Unreachable)
        );
        if !retryable || r.retried {
            return false;
        }
        let user = r.user;
        let n = &self.nodes[users as usize];
        let Behaviour::Users(u) = &n.behaviour else {
            return false;
        };
        let wire = n.targets[(user - u.first_user) as usize % n.targets.len()];
        let d = &mut self.nodes[wire.node as usize];
        let Behaviour::Dns(Dns { geo: Some(g), .. }) = &d.behaviour else {
            return false;
        };
        if !g.retry {
            return false;
        }
        if let Behaviour::Dns(dns) = &mut d.behaviour {
            dns.forget(user);
        }
        d.counters.retries += 1;
        let r = self.requests.get_mut(req);
        r.retried = true;
        r.failure = None;
        self.resolve_then_send(req, users, wire);
        true
    }

    fn finish(&mut self, req: u32, users: u32) {
        if self.requests.get(req).failure.is_some() && self.retry_after_failure(req, users) {
            return;
        }
        let now = self.now;
        let r = self.requests.get(req);
        let latency = (now - r.born).as_nanos();
        let failure = r.failure;
        let n = &mut self.nodes[users as usize];
        match failure {
            None => {
                n.counters.completed += 1;
                n.interval_latency.record(latency);
                self.e2e.ok += 1;
                self.latency.record(latency);
            }
            Some(cause) => {
                n.counters.downstream_failed += 1;
                self.e2e.failed[cause as usize] += 1;
            }
        }
        self.requests.release(req);
    }

    // ---- moving requests -----------------------------------------------------------------

    /// Sends `req` from `caller` over `wire`, after an extra `delay` (a DNS lookup).
    fn send(&mut self, req: u32, caller: u32, slot: u32, mut wire: Target, delay: SimDuration) {
        if !self.wire_delays.is_empty() {
            wire.latency = wire.latency + self.wire_delay(caller, wire.node);
        }
        let at = self.now + delay + wire.latency;
        if let Some(trace) = &mut self.trace {
            let class = self.requests.get(req).class;
            let at_s = (self.now + delay).as_secs_f64();
            trace.offer(|| Crossing {
                at_s,
                from: caller,
                to: wire.node,
                kind: class.into(),
                answer: false,
                failed: false,
            });
        }
        self.requests.get_mut(req).stack.push(Hop {
            caller,
            slot,
            latency: wire.latency,
            arrived: at,
            epoch: 0,
            instance: 0,
        });
        self.queue.schedule(
            at,
            Event::Deliver {
                req,
                node: wire.node,
            },
        );
    }

    /// Records a failure at `node` (the first failure on a request's path wins).
    fn fail(&mut self, req: u32, node: u32, cause: Cause) {
        let r = self.requests.get_mut(req);
        if r.failure.is_none() {
            r.failure = Some(cause);
            self.nodes[node as usize].counters.fail(cause);
        }
    }

    /// Fails `req` at `node` and sends the error back to the caller.
    fn fail_and_respond(&mut self, req: u32, node: u32, cause: Cause) {
        self.fail(req, node, cause);
        self.respond(req, node);
    }

    /// `node` is done with `req` (successfully or not): the answer travels back to the caller.
    fn respond(&mut self, req: u32, node: u32) {
        let now = self.now;
        let r = self.requests.get(req);
        let hop = *r.stack.last().expect("a request at a node has a hop to it");
        let ok = r.failure.is_none();
        let n = &mut self.nodes[node as usize];
        n.in_system.dec(now);
        // Latency is over requests served; a failure's time inside is kept apart.
        let sojourn = (now - hop.arrived).as_nanos();
        if ok {
            n.counters.sojourn_sum += u128::from(sojourn);
            n.counters.sojourns += 1;
            n.sojourn_hist.record(sojourn);
            n.counters.completed += 1;
        } else {
            n.counters.failed_time_sum += u128::from(sojourn);
            n.counters.failed_times += 1;
        }
        if let Some(trace) = &mut self.trace {
            let class = r.class;
            trace.offer(|| Crossing {
                at_s: now.as_secs_f64(),
                from: node,
                to: hop.caller,
                kind: class.into(),
                answer: true,
                failed: !ok,
            });
        }
        self.queue.schedule(
            now + hop.latency,
            Event::Response {
                req,
                node: hop.caller,
            },
        );
    }

    fn on_deliver(&mut self, req: u32, node: u32) {
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        n.counters.arrivals += 1;
        n.in_system.inc(now);
        let epoch = n.epoch;
        let up = n.up;
        if let Some(hop) = self.requests.get_mut(req).stack.last_mut() {
            hop.arrived = now;
            hop.epoch = epoch;
        }
        if !up {
            self.fail_and_respond(req, node, Cause::ConnectionRefused);
            return;
        }
        if self.network.partitioned() {
            let caller = self.requests.get(req).stack.last().map(|h| h.caller);
            if caller.is_some_and(|c| !self.network.reachable(c, node)) {
                self.fail_and_respond(req, node, Cause::Unreachable);
                return;
            }
        }
        match self.nodes[node as usize].behaviour {
            Behaviour::LoadBalancer(_) => self.balance(req, node),
            Behaviour::Station(_) => self.station_arrive(req, node),
            Behaviour::Queue(_) => self.enqueue(req, node),
            Behaviour::Router(_) => self.route_shard(req, node),
            // Validation keeps users, DNS, consumers and data centers from being delivered to.
            Behaviour::Users(_)
            | Behaviour::Dns(_)
            | Behaviour::Consumers(_)
            | Behaviour::DataCenter { .. } => {
                self.fail_and_respond(req, node, Cause::ConnectionRefused);
            }
        }
    }

    fn on_response(&mut self, req: u32, node: u32) {
        let out = self
            .requests
            .get_mut(req)
            .stack
            .pop()
            .expect("an answer has a hop to pop");
        match self.nodes[node as usize].behaviour {
            Behaviour::Users(_) => self.finish(req, node),
            Behaviour::LoadBalancer(_) => self.balancer_answer(req, node, out.slot),
            Behaviour::Station(_) => self.station_answer(req, node, out.slot),
            Behaviour::Router(_) => self.router_answer(req, node, out.slot),
            Behaviour::Dns(_)
            | Behaviour::Queue(_)
            | Behaviour::Consumers(_)
            | Behaviour::DataCenter { .. } => {}
        }
    }

    /// True if `node` (or the instance of it serving `req`) went down after `req` arrived.
    fn crashed_since_arrival(&self, req: u32, node: u32) -> bool {
        let hop = self.requests.get(req).stack.last().expect("hop");
        let n = &self.nodes[node as usize];
        if hop.epoch != n.epoch {
            return true;
        }
        match &n.behaviour {
            Behaviour::Station(s) => match &s.group {
                Some(g) if hop.instance != 0 => !g.alive(hop.instance),
                _ => false,
            },
            _ => false,
        }
    }

    // ---- load balancer -------------------------------------------------------------------

    fn balance(&mut self, req: u32, node: u32) {
        let now = self.now;
        let user = self.requests.get(req).user;
        let n = &mut self.nodes[node as usize];
        let Behaviour::LoadBalancer(lb) = &mut n.behaviour else {
            return;
        };
        if n.busy.value() >= lb.max_connections {
            self.fail_and_respond(req, node, Cause::LbOverloaded);
            return;
        }
        let sticky = if lb.affinity {
            self.sessions
                .get(&u64::from(user))
                .and_then(|&holder| lb.sticky(holder))
        } else {
            None
        };
        match sticky.or_else(|| lb.choose(user, &mut self.rng)) {
            None => {
                self.fail_and_respond(req, node, Cause::NoHealthyBackend);
            }
            Some(i) => {
                let b = &mut lb.backends[i];
                b.active += 1;
                let wire = Target {
                    node: b.node,
                    latency: b.latency,
                };
                // A balancer's "busy" level is its open connections.
                n.busy.inc(now);
                self.send(req, node, i as u32, wire, SimDuration::ZERO);
            }
        }
    }

    fn balancer_answer(&mut self, req: u32, node: u32, slot: u32) {
        let now = self.now;
        if self.crashed_since_arrival(req, node) {
            self.fail(req, node, Cause::Crashed);
        } else {
            let n = &mut self.nodes[node as usize];
            if let Behaviour::LoadBalancer(lb) = &mut n.behaviour {
                let b = &mut lb.backends[slot as usize];
                b.active = b.active.saturating_sub(1);
            }
            n.busy.dec(now);
        }
        if self.requests.get(req).failure.is_some() {
            self.nodes[node as usize].counters.downstream_failed += 1;
        }
        self.respond(req, node);
    }

    /// A probe from `prober` (a load balancer or GeoDNS) of its target number `index`: it
    /// passes if the target is up and reachable, and (for GeoDNS) can serve: a load balancer
    /// with no backend in rotation fails it.
    fn on_health_check(&mut self, prober: u32, index: u32) {
        let now = self.now;
        let (target, interval) = match &self.nodes[prober as usize].behaviour {
            Behaviour::LoadBalancer(lb) => (lb.backends[index as usize].node, lb.check_interval),
            Behaviour::Dns(Dns { geo: Some(g), .. }) => (
                self.nodes[prober as usize].targets[index as usize].node,
                g.check_interval,
            ),
            _ => return,
        };
        self.queue.schedule(
            now + interval,
            Event::HealthCheck {
                node: prober,
                target: index,
            },
        );
        if !self.nodes[prober as usize].up {
            return;
        }
        let t = &self.nodes[target as usize];
        let serving = match &t.behaviour {
            Behaviour::LoadBalancer(lb) => lb.in_rotation() > 0,
            _ => true,
        };
        let passed = t.up && self.network.reachable(prober, target);
        let n = &mut self.nodes[prober as usize];
        let outcome = match &mut n.behaviour {
            Behaviour::LoadBalancer(lb) => lb.probe(index as usize, passed),
            Behaviour::Dns(Dns { geo: Some(g), .. }) => g.probe(index as usize, passed && serving),
            _ => return,
        };
        let prober_id = n.id.to_string();
        let target_id = self.nodes[target as usize].id.to_string();
        let (level, message) = match outcome {
            ProbeOutcome::Quiet => return,
            ProbeOutcome::Failed => (LogLevel::Warn, format!("health check failed: {target_id}")),
            ProbeOutcome::Removed => (
                LogLevel::Error,
                format!("{target_id} out of rotation (health checks failing)"),
            ),
            ProbeOutcome::Restored => (LogLevel::Info, format!("{target_id} back in rotation")),
        };
        self.log.push(now, Some(&prober_id), level, message);
    }

    // ---- stations (web servers, databases) ----------------------------------------------

    fn station_arrive(&mut self, req: u32, node: u32) {
        let now = self.now;
        let class = self.requests.get(req).class;
        let n = &mut self.nodes[node as usize];
        let Behaviour::Station(s) = &mut n.behaviour else {
            return;
        };
        if s.stores_data && class == Class::Write {
            self.db_writes += 1;
            self.requests.get_mut(req).db_seq = self.db_writes;
        }
        if class == Class::Write
            && let Some(bucket) = &mut s.write_limit
            && !bucket.take(now)
        {
            self.fail_and_respond(req, node, Cause::WriteCeiling);
            return;
        }
        if s.group.as_ref().is_some_and(|g| g.running() == 0) {
            // Every instance is booting or has failed: nothing takes the connection.
            self.fail_and_respond(req, node, Cause::ConnectionRefused);
            return;
        }
        if n.busy.value() < s.workers {
            self.start_service(req, node, SimDuration::ZERO);
        } else if (s.queue.len() as u64) < s.capacity {
            s.queue.push_back(req);
            let len = s.queue.len() as u64;
            n.queue_len.set(now, len);
        } else {
            self.fail_and_respond(req, node, Cause::QueueFull);
        }
    }

    fn start_service(&mut self, req: u32, node: u32, wait: SimDuration) {
        let now = self.now;
        let class = self.requests.get(req).class;
        let n = &mut self.nodes[node as usize];
        let Behaviour::Station(s) = &mut n.behaviour else {
            return;
        };
        if let Some(g) = &mut s.group
            && let Some(k) = g.pick()
        {
            let id = g.instances[k].id;
            if let Some(hop) = self.requests.get_mut(req).stack.last_mut() {
                hop.instance = id;
            }
        }
        let service = s.service_time(class).sample(&mut self.rng);
        n.busy.inc(now);
        n.counters.waits += 1;
        n.counters.wait_sum += u128::from(wait.as_nanos());
        n.wait_hist.record(wait.as_nanos());
        n.counters.services += 1;
        n.counters.service_sum += u128::from(service.as_nanos());
        self.queue
            .schedule(now + service, Event::ServiceDone { req, node });
    }

    /// Frees one worker and gives it the oldest queued request that has not timed out.
    fn free_worker(&mut self, node: u32, req: u32) {
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        n.busy.dec(now);
        if let Behaviour::Station(s) = &mut n.behaviour
            && let Some(g) = &mut s.group
        {
            let instance = self
                .requests
                .get(req)
                .stack
                .last()
                .map_or(0, |h| h.instance);
            g.release(instance);
        }
        self.fill_workers(node);
    }

    /// Gives idle workers the oldest queued requests that have not timed out.
    fn fill_workers(&mut self, node: u32) {
        let now = self.now;
        loop {
            let n = &mut self.nodes[node as usize];
            let Behaviour::Station(s) = &mut n.behaviour else {
                return;
            };
            if n.busy.value() >= s.workers {
                return;
            }
            let Some(next) = s.queue.pop_front() else {
                return;
            };
            let timeout = s.timeout;
            let len = s.queue.len() as u64;
            n.queue_len.set(now, len);
            let arrived = self.requests.get(next).stack.last().expect("hop").arrived;
            let waited = now - arrived;
            if waited > timeout {
                self.fail_and_respond(next, node, Cause::Timeout);
            } else {
                self.start_service(next, node, waited);
                return;
            }
        }
    }

    fn on_service_done(&mut self, req: u32, node: u32) {
        let now = self.now;
        if self.crashed_since_arrival(req, node) {
            // Its worker vanished with the crash; only the request is left to answer.
            self.fail_and_respond(req, node, Cause::Crashed);
            return;
        }
        let r = self.requests.get(req);
        let arrived = r.stack.last().expect("hop").arrived;
        let class = r.class;
        let n = &mut self.nodes[node as usize];
        let Behaviour::Station(s) = &mut n.behaviour else {
            return;
        };
        if now - arrived > s.timeout {
            self.free_worker(node, req);
            self.fail_and_respond(req, node, Cause::Timeout);
            return;
        }
        let sessions = s.sessions;
        if s.session_store {
            self.check_session(req, node);
            self.free_worker(node, req);
            self.respond(req, node);
            return;
        }
        if class != Class::Static {
            match sessions {
                SessionMode::None => {}
                SessionMode::Local => {
                    if !self.check_session(req, node) {
                        self.free_worker(node, req);
                        self.respond(req, node);
                        return;
                    }
                }
                SessionMode::Shared(Some(store)) => {
                    // The check comes before the work it guards: the worker waits for it.
                    self.send(req, node, SLOT_SESSION, store, SimDuration::ZERO);
                    return;
                }
                SessionMode::Shared(None) => {}
            }
        }
        self.after_session(req, node);
    }

    /// Web servers, once the user's session is known good: serve the request or call
    /// downstream. Other stations: their own work.
    fn after_session(&mut self, req: u32, node: u32) {
        let r = self.requests.get(req);
        let (class, key) = (r.class, r.key);
        let n = &mut self.nodes[node as usize];
        let Behaviour::Station(s) = &mut n.behaviour else {
            return;
        };
        let replica = s.replica.as_deref().is_some_and(|r| !r.promoted);
        if s.stores_data {
            self.read_or_commit(req, node);
            if class == Class::Write
                && let Some(at) = self.sync_ack_at(node)
            {
                // Synchronous replication: the connection waits for the replicas' answers.
                self.queue.schedule(at, Event::SyncAck { req, node });
                return;
            }
        } else if replica && class == Class::Read {
            self.replica_read(req, node);
        }
        let n = &mut self.nodes[node as usize];
        let Behaviour::Station(s) = &mut n.behaviour else {
            return;
        };
        if s.cache.is_some() {
            self.cache_serve(req, node);
            return;
        }
        if s.cdn.is_some() {
            self.cdn_serve(req, node);
            return;
        }
        if class == Class::Write
            && let Some(queue) = s.job_queue
        {
            // The write becomes a job: answered as soon as the queue has it.
            self.call(req, node, SLOT_CALL, queue);
            return;
        }
        if s.calls_downstream && class != Class::Static && !n.targets.is_empty() {
            if s.aside.is_some() {
                self.aside_call(req, node);
                return;
            }
            let wire = if s.data.is_some() && !s.caches_only {
                match self.route_data(req, node) {
                    Some(w) => w,
                    None => return,
                }
            } else if s.caches_only {
                n.targets[partition(key, n.targets.len())]
            } else {
                let i = s.next_target % n.targets.len();
                s.next_target = (i + 1) % n.targets.len();
                n.targets[i]
            };
            self.call(req, node, SLOT_CALL, wire);
        } else {
            self.free_worker(node, req);
            self.respond(req, node);
        }
    }

    /// Sends `req` downstream from station `node` for purpose `slot`. A blocking worker waits
    /// for the answer; an async one (and a cache's) moves on.
    fn call(&mut self, req: u32, node: u32, slot: u32, wire: Target) {
        if let Behaviour::Station(s) = &self.nodes[node as usize].behaviour
            && !s.holds_worker
        {
            self.free_worker(node, req);
        }
        self.send(req, node, slot, wire, SimDuration::ZERO);
    }

    fn station_answer(&mut self, req: u32, node: u32, slot: u32) {
        let now = self.now;
        if self.crashed_since_arrival(req, node) {
            self.fail_and_respond(req, node, Cause::Crashed);
            return;
        }
        match slot {
            // Gone on to the database after a miss: the answer will come from there.
            SLOT_LOOKUP if self.after_lookup(req, node) => return,
            // The session is good: now the request itself (its worker is still held, or
            // taken again if the server is async).
            // The worker waited for the check whatever the call mode (see on_service_done).
            SLOT_SESSION => {
                if self.requests.get(req).failure.is_none() {
                    self.after_session(req, node);
                } else {
                    self.free_worker(node, req);
                    self.nodes[node as usize].counters.downstream_failed += 1;
                    self.respond(req, node);
                }
                return;
            }
            SLOT_FILL if self.is_cdn(node) && self.requests.get(req).failure.is_none() => {
                self.cdn_fill(req, node);
            }
            SLOT_FILL | SLOT_WRITE => {
                if let Some(cache) = self.cache_for(req, node) {
                    let r = self.requests.get(req);
                    let (key, version, ok) = (r.key, r.version, r.failure.is_none());
                    if slot == SLOT_FILL {
                        if ok {
                            self.fill_cache(cache, key, version);
                        }
                    } else {
                        self.after_write(cache, key, ok);
                    }
                }
            }
            _ => {}
        }
        if let Behaviour::Station(s) = &self.nodes[node as usize].behaviour
            && s.holds_worker
        {
            self.free_worker(node, req);
        }
        let r = self.requests.get(req);
        let arrived = r.stack.last().expect("hop").arrived;
        if r.failure.is_some() {
            self.nodes[node as usize].counters.downstream_failed += 1;
        } else if let Behaviour::Station(s) = &self.nodes[node as usize].behaviour
            && now - arrived > s.timeout
        {
            self.fail(req, node, Cause::Timeout);
        }
        self.respond(req, node);
    }

    // ---- CDN -----------------------------------------------------------------------------

    fn is_cdn(&self, node: u32) -> bool {
        matches!(&self.nodes[node as usize].behaviour, Behaviour::Station(s) if s.cdn.is_some())
    }

    /// The name of `key`'s asset as currently published: a deploy renames every asset.
    fn asset_key(&self, key: u64) -> u64 {
        key ^ (self.asset_version << 40)
    }

    /// A CDN edge has served `req`: a cached asset is sent from here; a miss is fetched from
    /// the origin (and cached when it arrives).
    fn cdn_serve(&mut self, req: u32, node: u32) {
        let now = self.now;
        let key = self.asset_key(self.requests.get(req).key);
        let n = &mut self.nodes[node as usize];
        let Behaviour::Station(s) = &mut n.behaviour else {
            return;
        };
        let Some(cdn) = s.cdn.as_deref_mut() else {
            return;
        };
        match cdn.store.get(key, now) {
            Lookup::Hit { .. } => {
                n.counters.hits += 1;
                n.counters.edge_bytes += cdn.asset_bytes;
                self.free_worker(node, req);
                self.respond(req, node);
            }
            Lookup::Miss | Lookup::Expired => {
                n.counters.misses += 1;
                let wire = self.next_target(node);
                self.call(req, node, SLOT_FILL, wire);
            }
        }
    }

    /// The origin has sent the asset a CDN edge missed: keep it, and send it on.
    fn cdn_fill(&mut self, req: u32, node: u32) {
        let now = self.now;
        let key = self.asset_key(self.requests.get(req).key);
        let n = &mut self.nodes[node as usize];
        if let Behaviour::Station(s) = &mut n.behaviour
            && let Some(cdn) = s.cdn.as_deref_mut()
        {
            n.counters.origin_bytes += cdn.asset_bytes;
            n.counters.edge_bytes += cdn.asset_bytes;
            if cdn.store.put(key, 0, None, now, &mut self.rng) {
                n.counters.evictions += 1;
            }
        }
    }

    /// Publishes a new version of every static asset now (as a timeline `deploy` would).
    pub fn deploy(&mut self) {
        self.asset_version += 1;
        let v = self.asset_version + 1;
        self.log.push(
            self.now,
            None,
            LogLevel::Error,
            format!("deploy: version {v} of every static asset published; cached copies are now unreachable"),
        );
    }

    // ---- sharding ------------------------------------------------------------------------

    /// A shard router forwards `req` to the shard holding its shard key.
    /// A request at a shard router: to the shard holding its key (a shard with replicas:
    /// reads to a running replica, writes to its primary), or, for a cross-shard read, to
    /// every shard in use, answered when the last has answered.
    fn route_shard(&mut self, req: u32, node: u32) {
        let r = self.requests.get(req);
        let (key, user, class) = (r.key, u64::from(r.user), r.class);
        let Behaviour::Router(router) = &self.nodes[node as usize].behaviour else {
            return;
        };
        let fan_out = class == Class::Read
            && router.cross_shard > 0.0
            && self.rng.unit() < router.cross_shard;
        if fan_out {
            self.fan_out(req, node);
            return;
        }
        let shard = router.shard_for(if router.by_user { user } else { key });
        self.send_to_shard(req, node, shard, class, 0);
    }

    /// Sends `req` from router `node` to shard number `shard`, or to one of its replicas.
    fn send_to_shard(&mut self, req: u32, node: u32, shard: u32, class: Class, slot: u32) {
        let mut wire = self.nodes[node as usize].targets[shard as usize];
        let Behaviour::Router(router) = &mut self.nodes[node as usize].behaviour else {
            return;
        };
        router.window[shard as usize] += 1;
        if let Some(g) = self.group_of[wire.node as usize] {
            router.next_replica = router.next_replica.wrapping_add(1);
            let turn = router.next_replica;
            wire.node = self.shard_member(node, g, class, turn);
        }
        self.send(req, node, slot, wire, SimDuration::ZERO);
    }

    /// The node of replication group `g` (a shard with replicas) that router `node` sends a
    /// request of `class` to on its `turn`: writes to the current primary; reads to the running
    /// replicas in turn — those in the router's own region, if any run there — or the primary
    /// when none runs.
    fn shard_member(&self, node: u32, g: u32, class: Class, turn: usize) -> u32 {
        let group = &self.groups[g as usize];
        if class != Class::Read {
            return group.primary;
        }
        let here = self.network.region(node);
        let up = |r: &u32| self.nodes[*r as usize].up;
        let local = |r: &u32| here.is_some() && self.network.region(*r) == here;
        let prefer_local = group.replicas.iter().any(|r| up(r) && local(r));
        let eligible = |r: &&u32| up(r) && (!prefer_local || local(r));
        let count = group.replicas.iter().filter(eligible).count();
        if count == 0 {
            return group.primary;
        }
        *group
            .replicas
            .iter()
            .filter(eligible)
            .nth(turn % count)
            .expect("the count was taken over the same filter")
    }

    /// A cross-shard read: one part to every shard in use; the read waits for them all.
    fn fan_out(&mut self, req: u32, node: u32) {
        let now = self.now;
        let r = self.requests.get(req);
        let (user, key) = (r.user, r.key);
        let active = match &self.nodes[node as usize].behaviour {
            Behaviour::Router(router) => router.active,
            _ => return,
        };
        self.fan_outs.insert(u64::from(req), (active, None));
        for shard in 0..active {
            let part = self.requests.alloc(now, node, user, key, Class::Read, 0);
            let p = self.requests.get_mut(part);
            p.background = true;
            p.parent = req;
            self.send_to_shard(part, node, shard, Class::Read, SLOT_PART);
        }
    }

    /// An answer reaches a shard router: a resharding's copy is done; a fan-out part counts
    /// towards its read; anything else goes back to the caller.
    fn router_answer(&mut self, req: u32, node: u32, slot: u32) {
        let failure = self.requests.get(req).failure;
        if failure.is_some() {
            self.nodes[node as usize].counters.downstream_failed += 1;
        }
        match slot {
            SLOT_COPY => self.requests.release(req),
            SLOT_PART => {
                let parent = self.requests.get(req).parent;
                self.requests.release(req);
                let Some((left, failed)) = self.fan_outs.get_mut(&u64::from(parent)) else {
                    return;
                };
                *left -= 1;
                if failed.is_none() {
                    *failed = failure;
                }
                if *left == 0 {
                    let failed = *failed;
                    self.fan_outs.remove(&u64::from(parent));
                    if let Some(cause) = failed {
                        self.requests.get_mut(parent).failure.get_or_insert(cause);
                    }
                    self.respond(parent, node);
                }
            }
            _ => self.respond(req, node),
        }
    }

    /// Moves shard router `id` to `shards` of its wired databases now (as a timeline
    /// `reshard` would): logs how many keys move, and starts copying them. False if `id` is
    /// not a router or nothing changes.
    pub fn reshard(&mut self, id: &ComponentId, shards: u32) -> bool {
        let now = self.now;
        let Some(&node) = self.index.get(id) else {
            return false;
        };
        let n = &mut self.nodes[node as usize];
        let Behaviour::Router(router) = &mut n.behaviour else {
            return false;
        };
        let from = router.active;
        let Some((moved, of)) = router.reshard(shards) else {
            return false;
        };
        let (to, left, rate) = (
            router.active,
            router.migration.as_ref().map_or(0, |m| m.left),
            router.migration_rate,
        );
        let pct = 100.0 * moved as f64 / of.max(1) as f64;
        self.log.push(
            now,
            Some(id.as_str()),
            LogLevel::Warn,
            format!(
                "{id}: resharding {from} → {to} shards: {pct:.1} % of keys move ({left} to copy at {rate} a second)"
            ),
        );
        self.queue.schedule(now, Event::Migrate { node });
        true
    }

    /// A resharding copies its next key: a read at the old shard, a write at the new.
    fn on_migrate(&mut self, node: u32) {
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        let Behaviour::Router(router) = &mut n.behaviour else {
            return;
        };
        let rate = router.migration_rate;
        let was_migrating = router.migration.is_some();
        let Some((key, old, new)) = router.next_move() else {
            if was_migrating {
                let id = n.id.to_string();
                self.log.push(
                    now,
                    Some(&id),
                    LogLevel::Info,
                    format!("{id}: resharding done"),
                );
            }
            return;
        };
        if n.up {
            for (shard, class) in [(old, Class::Read), (new, Class::Write)] {
                let copy = self.requests.alloc(now, node, 0, key, class, 0);
                self.requests.get_mut(copy).background = true;
                self.send_to_shard(copy, node, shard, class, SLOT_COPY);
            }
        }
        let gap = SimDuration::from_secs_f64(1.0 / rate.max(1e-9));
        self.queue.schedule(now + gap, Event::Migrate { node });
    }

    // ---- message queues ------------------------------------------------------------------

    /// A write arrives at a queue as a job: held (and acknowledged to the web server at once),
    /// or rejected when the queue is full.
    fn enqueue(&mut self, req: u32, node: u32) {
        let now = self.now;
        let Behaviour::Queue(q) = &mut self.nodes[node as usize].behaviour else {
            return;
        };
        if q.held >= q.capacity {
            self.fail_and_respond(req, node, Cause::QueueFull);
            return;
        }
        let job = self.jobs.alloc(Job::new(now, node));
        q.held += 1;
        q.ready.push_back(job);
        self.respond(req, node);
        self.pump(node);
    }

    /// Delivers ready jobs, oldest first, to idle workers of the consumer pools wired to
    /// `queue` (round-robin over the pools).
    fn pump(&mut self, queue: u32) {
        let now = self.now;
        if !self.nodes[queue as usize].up {
            return;
        }
        loop {
            let n = &self.nodes[queue as usize];
            let Behaviour::Queue(q) = &n.behaviour else {
                return;
            };
            let Some(&job) = q.ready.front() else {
                return;
            };
            let pools = n.targets.len();
            let start = q.next_pool;
            let idle = (0..pools).map(|i| (start + i) % pools).find(|&i| {
                let t = self.nodes[queue as usize].targets[i];
                let p = &self.nodes[t.node as usize];
                p.up && matches!(&p.behaviour, Behaviour::Consumers(c) if p.busy.value() < c.workers)
            });
            let Some(i) = idle else {
                return;
            };
            let wire = self.nodes[queue as usize].targets[i];
            let visibility = match &mut self.nodes[queue as usize].behaviour {
                Behaviour::Queue(q) => {
                    q.ready.pop_front();
                    q.next_pool = (i + 1) % pools;
                    q.visibility
                }
                _ => return,
            };
            let j = self.jobs.get_mut(job);
            j.attempts += 1;
            j.token = j.token.wrapping_add(1);
            j.consumer = wire.node;
            j.ready = false;
            let token = j.token;
            self.deliveries = self.deliveries.wrapping_add(1);
            let delivery = self.deliveries;
            let pool = &mut self.nodes[wire.node as usize];
            pool.counters.arrivals += 1;
            pool.busy.inc(now);
            if let Behaviour::Consumers(c) = &mut pool.behaviour {
                c.in_progress.push((delivery, job, token));
            }
            self.queue.schedule(
                now + wire.latency,
                Event::JobStart {
                    consumer: wire.node,
                    delivery,
                },
            );
            self.queue
                .schedule(now + visibility, Event::JobTimeout { job, token });
        }
    }

    fn on_job_start(&mut self, consumer: u32, delivery: u32) {
        let now = self.now;
        let n = &mut self.nodes[consumer as usize];
        let Behaviour::Consumers(c) = &n.behaviour else {
            return;
        };
        if !c.holds(delivery) {
            return; // the pool crashed while the job was on its way
        }
        let service = c.service.sample(&mut self.rng);
        n.counters.services += 1;
        n.counters.service_sum += u128::from(service.as_nanos());
        self.queue
            .schedule(now + service, Event::JobDone { consumer, delivery });
    }

    fn on_job_done(&mut self, consumer: u32, delivery: u32) {
        let now = self.now;
        let n = &mut self.nodes[consumer as usize];
        let Behaviour::Consumers(c) = &mut n.behaviour else {
            return;
        };
        let Some((job, token)) = c.finish(delivery) else {
            return; // done before a crash: the worker is gone, and so is the result
        };
        n.busy.dec(now);
        let failed = c.failure > 0.0 && self.rng.unit() < c.failure;
        if failed {
            // No acknowledgement: the queue delivers it again after its visibility timeout.
            n.counters.jobs_failed += 1;
        } else {
            n.counters.jobs_done += 1;
            n.counters.completed += 1;
        }
        let queue = self.jobs.get(job).queue;
        if !failed && self.jobs.get(job).token == token {
            let back = self.nodes[queue as usize]
                .targets
                .iter()
                .find(|t| t.node == consumer)
                .map_or(SimDuration::ZERO, |t| t.latency);
            self.queue
                .schedule(now + back, Event::JobAck { job, token });
        }
        self.pump(queue);
    }

    fn on_job_ack(&mut self, job: u32, token: u32) {
        let now = self.now;
        let j = *self.jobs.get(job);
        if j.token != token || j.ready || !self.nodes[j.queue as usize].up {
            return; // a stale delivery's, or the queue is down and never hears it
        }
        let n = &mut self.nodes[j.queue as usize];
        let Behaviour::Queue(q) = &mut n.behaviour else {
            return;
        };
        let latency = (now - j.created).as_nanos();
        q.held = q.held.saturating_sub(1);
        q.latency.record(latency);
        q.interval_latency.record(latency);
        n.counters.jobs_done += 1;
        self.jobs.release(job);
    }

    fn on_job_timeout(&mut self, job: u32, token: u32) {
        let now = self.now;
        let j = *self.jobs.get(job);
        if j.token != token || j.ready {
            return; // acknowledged, or delivered again since
        }
        let n = &mut self.nodes[j.queue as usize];
        let Behaviour::Queue(q) = &mut n.behaviour else {
            return;
        };
        if j.attempts >= q.max_attempts {
            q.held = q.held.saturating_sub(1);
            n.counters.dead_lettered += 1;
            self.jobs.release(job);
            return;
        }
        let at = now + q.backoff_after(j.attempts);
        self.queue.schedule(at, Event::JobRetry { job, token });
    }

    fn on_job_retry(&mut self, job: u32, token: u32) {
        let j = self.jobs.get_mut(job);
        if j.token != token || j.ready {
            return;
        }
        j.ready = true;
        let queue = j.queue;
        if let Behaviour::Queue(q) = &mut self.nodes[queue as usize].behaviour {
            q.ready.push_back(job);
        }
        self.pump(queue);
    }

    /// Every queue's pump (a consumer pool or a queue came back).
    fn pump_all(&mut self) {
        for n in 0..self.nodes.len() as u32 {
            if matches!(self.nodes[n as usize].behaviour, Behaviour::Queue(_)) {
                self.pump(n);
            }
        }
    }

    // ---- sessions ------------------------------------------------------------------------

    /// Checks `req`'s user's session at `node` (a web server keeping sessions in memory, or a
    /// session store): a user with no session logs in here; one whose session is here goes
    /// on; one whose session is elsewhere, or died, is logged out (and logs in again with
    /// their next request). Returns whether the request may go on.
    fn check_session(&mut self, req: u32, node: u32) -> bool {
        let user = u64::from(self.requests.get(req).user);
        match self.sessions.get(&user).copied() {
            None => {
                self.sessions.insert(user, node);
                self.nodes[node as usize].sessions_held += 1;
                true
            }
            Some(h) if h == node => true,
            Some(h) => {
                self.sessions.remove(&user);
                if h != SESSION_LOST {
                    // Its session on the other server is useless now: the user logs in anew.
                    let other = &mut self.nodes[h as usize];
                    other.sessions_held = other.sessions_held.saturating_sub(1);
                }
                self.fail(req, node, Cause::LoggedOut);
                false
            }
        }
    }

    /// `node` lost its memory: the sessions it held are gone, and their users are logged out.
    fn lose_sessions(&mut self, node: u32) -> u64 {
        if self.nodes[node as usize].sessions_held == 0 {
            return 0;
        }
        let mut lost = 0;
        // Order does not matter: every entry held here changes the same way.
        for holder in self.sessions.values_mut() {
            if *holder == node {
                *holder = SESSION_LOST;
                lost += 1;
            }
        }
        let n = &mut self.nodes[node as usize];
        n.sessions_held = 0;
        n.counters.sessions_lost += lost;
        lost
    }

    // ---- server groups -------------------------------------------------------------------

    fn group_mut(&mut self, node: u32) -> Option<&mut ServerGroup> {
        match &mut self.nodes[node as usize].behaviour {
            Behaviour::Station(s) => s.group.as_deref_mut(),
            _ => None,
        }
    }

    /// Brings group `node` to its desired count: launches instances (they boot) or drains the
    /// newest, and sets its workers to the running instances'.
    fn scale_group(&mut self, node: u32) {
        let now = self.now;
        if !self.nodes[node as usize].up {
            return;
        }
        let Some(g) = self.group_mut(node) else {
            self.fill_workers(node);
            return;
        };
        let boot = g.boot;
        let (launched, _) = g.reconcile();
        self.nodes[node as usize].counters.launched += launched.len() as u64;
        for id in launched {
            self.queue
                .schedule(now + boot, Event::InstanceReady { node, id });
        }
        self.resize_group(node);
    }

    /// Sets the workers of group `node` to its running instances', and starts queued work.
    fn resize_group(&mut self, node: u32) {
        if let Behaviour::Station(s) = &mut self.nodes[node as usize].behaviour {
            s.resize();
        }
        self.sync_capacity(node);
        self.fill_workers(node);
    }

    /// Records a station's workers now, none while it is down: utilisation is the busy share
    /// of the workers there were.
    fn sync_capacity(&mut self, node: u32) {
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        let up = n.up;
        if let Behaviour::Station(s) = &mut n.behaviour {
            let workers = if up { s.workers } else { 0 };
            if n.capacity.value() != workers {
                n.capacity.set(now, workers);
            }
            if let Some(g) = s.group.as_deref_mut() {
                let running = if up { u64::from(g.running()) } else { 0 };
                if g.running_level.value() != running {
                    g.running_level.set(now, running);
                }
            }
        }
    }

    fn on_instance_ready(&mut self, node: u32, id: u32) {
        let now = self.now;
        if self.nodes[node as usize].up && self.group_mut(node).is_some_and(|g| g.ready(id, now)) {
            self.resize_group(node);
        }
    }

    /// Instance number `k` of group `node` fails now: the requests it was serving are lost,
    /// and the group notices after its detection time.
    fn fail_instance(&mut self, node: u32, k: usize) {
        let now = self.now;
        let Some(g) = self.group_mut(node) else {
            return;
        };
        let Some((id, busy)) = g.fail(k) else {
            return;
        };
        let notice = g.replace_after;
        let n = &mut self.nodes[node as usize];
        let left = n.busy.value().saturating_sub(u64::from(busy));
        n.busy.set(now, left);
        let name = n.id.to_string();
        self.log.push(
            now,
            Some(&name),
            LogLevel::Error,
            format!("{name}: instance #{id} failed, losing {busy} requests in service"),
        );
        self.queue
            .schedule(now + notice, Event::InstanceNoticed { node, id });
        self.resize_group(node);
    }

    fn on_instance_noticed(&mut self, node: u32, id: u32) {
        let now = self.now;
        if !self.group_mut(node).is_some_and(|g| g.forget(id)) {
            return;
        }
        self.nodes[node as usize].counters.replaced += 1;
        let name = self.nodes[node as usize].id.to_string();
        self.log.push(
            now,
            Some(&name),
            LogLevel::Warn,
            format!("{name}: failed instance #{id} detected, launching a replacement"),
        );
        self.scale_group(node);
    }

    /// Schedules the chaos monkey's next strike, if it is on.
    fn schedule_chaos(&mut self) {
        if self.chaos_per_hour > 0.0 {
            let gap = self.rng.exponential(3_600.0 / self.chaos_per_hour);
            let at = self.now + SimDuration::from_secs_f64(gap);
            let generation = self.chaos_generation;
            self.queue.schedule(at, Event::Chaos { generation });
        }
    }

    /// Sets the alert rules' thresholds from now on (rules keep how long they have held).
    pub fn set_alerts(&mut self, rules: crate::model::Alerts) {
        self.alert_rules = rules;
    }

    /// Sets the chaos monkey's rate (kills per hour; 0 turns it off) from now on. Strikes are
    /// memoryless, so starting the wait afresh is exact.
    pub fn set_chaos(&mut self, per_hour: f64) {
        if !(per_hour.is_finite() && per_hour >= 0.0) || per_hour == self.chaos_per_hour {
            return;
        }
        self.chaos_per_hour = per_hour;
        self.chaos_generation = self.chaos_generation.wrapping_add(1);
        self.schedule_chaos();
        let message = if per_hour > 0.0 {
            format!("chaos monkey on: {per_hour} kills an hour")
        } else {
            "chaos monkey off".to_string()
        };
        self.log.push(self.now, None, LogLevel::Info, message);
    }

    /// The chaos monkey kills one running instance, chosen uniformly among every running web
    /// server instance.
    fn on_chaos(&mut self) {
        self.schedule_chaos();
        let running: Vec<(u32, usize)> = (0..self.nodes.len() as u32)
            .filter(|&n| self.nodes[n as usize].up)
            .flat_map(|n| {
                let ks: Vec<usize> = match &self.nodes[n as usize].behaviour {
                    Behaviour::Station(s) => s.group.as_ref().map_or(Vec::new(), |g| {
                        g.instances
                            .iter()
                            .enumerate()
                            .filter(|(_, i)| i.state == InstanceState::Running)
                            .map(|(k, _)| k)
                            .collect()
                    }),
                    _ => Vec::new(),
                };
                ks.into_iter().map(move |k| (n, k))
            })
            .collect();
        if running.is_empty() {
            return;
        }
        let (node, k) = running[self.rng.below(running.len() as u64) as usize];
        self.log.push(
            self.now,
            None,
            LogLevel::Warn,
            "chaos monkey strikes".into(),
        );
        self.fail_instance(node, k);
    }

    /// Auto-scaling: each group with a policy judges this second's CPU.
    fn autoscale(&mut self) {
        let now = self.now;
        for node in 0..self.nodes.len() as u32 {
            if !self.nodes[node as usize].up {
                continue;
            }
            let cpu = self.series.nodes[node as usize]
                .last("utilisation")
                .unwrap_or(0.0);
            let Some(g) = self.group_mut(node) else {
                continue;
            };
            let (from, decision) = (g.desired, g.observe(now, cpu));
            let name = self.nodes[node as usize].id.to_string();
            let message = match decision {
                Decision::Hold => continue,
                Decision::Out { to } => {
                    format!("{name}: scaling out from {from} to {to} instances (CPU {cpu:.0} %)")
                }
                Decision::In { to } => {
                    format!("{name}: scaling in from {from} to {to} instances (CPU {cpu:.0} %)")
                }
            };
            self.log.push(now, Some(&name), LogLevel::Info, message);
            self.scale_group(node);
        }
    }

    // ---- replication ---------------------------------------------------------------------

    /// Finds each database with replicas wired to it (a group), checks every replica has
    /// exactly one, and points web servers wired to a group at it.
    fn build_groups(&mut self, diagram: &Diagram) -> Result<(), BuildError> {
        self.group_of = vec![None; self.nodes.len()];
        let mut feeds = vec![0usize; self.nodes.len()];
        for n in 0..self.nodes.len() {
            if self.nodes[n].kind != Kind::Database {
                continue;
            }
            let latency: Vec<(u32, SimDuration)> = self.nodes[n]
                .targets
                .iter()
                .filter(|t| self.nodes[t.node as usize].kind == Kind::Replica)
                .map(|t| (t.node, t.latency))
                .collect();
            if latency.is_empty() {
                continue;
            }
            let c = &diagram.components[n];
            let g = self.groups.len() as u32;
            self.group_of[n] = Some(g);
            for (r, _) in &latency {
                feeds[*r as usize] += 1;
                self.group_of[*r as usize] = Some(g);
            }
            self.groups.push(Group {
                primary: n as u32,
                replicas: latency.iter().map(|(r, _)| *r).collect(),
                latency,
                sync: c.choice("replication") == "sync",
                failover: SimDuration::from_secs_f64(c.number("failover_s")),
                read_your_writes: SimDuration::from_secs_f64(c.number("read_your_writes_s")),
                failing_over: false,
                last_ack: SimTime::ZERO,
            });
        }
        for (n, node) in self.nodes.iter().enumerate() {
            if node.kind == Kind::Replica && feeds[n] != 1 {
                return Err(BuildError::ReplicaFeed {
                    replica: node.id.clone(),
                    feeds: feeds[n],
                });
            }
        }
        for n in 0..self.nodes.len() {
            let node = &self.nodes[n];
            if node.kind != Kind::WebServer {
                continue;
            }
            let Some(group) = node
                .targets
                .iter()
                .find_map(|t| self.group_of[t.node as usize])
            else {
                continue;
            };
            let wires: Vec<Target> = node
                .targets
                .iter()
                .filter(|t| self.group_of[t.node as usize] == Some(group))
                .copied()
                .collect();
            if let Behaviour::Station(s) = &mut self.nodes[n].behaviour {
                s.data = Some(DataRoute {
                    group,
                    wires,
                    next: 0,
                });
            }
        }
        Ok(())
    }

    /// Finds the multi-primary sets: databases wired to each other, every pair directly.
    fn build_peers(&mut self) -> Result<(), BuildError> {
        let n = self.nodes.len();
        self.peer_of = vec![None; n];
        let is_db = |s: &Self, i: usize| s.nodes[i].kind == Kind::Database;
        // Wires between databases, either way, with their one-way latency.
        let mut link: BTreeMap<(u32, u32), SimDuration> = BTreeMap::new();
        for a in (0..n).filter(|&i| is_db(self, i)) {
            for t in &self.nodes[a].targets {
                if is_db(self, t.node as usize) {
                    let a = a as u32;
                    link.insert((a.min(t.node), a.max(t.node)), t.latency);
                }
            }
        }
        let mut seen = vec![false; n];
        for start in 0..n {
            if seen[start]
                || !link
                    .keys()
                    .any(|&(a, b)| a as usize == start || b as usize == start)
            {
                continue;
            }
            // The set: everything reachable over database-to-database wires.
            let mut members = vec![start as u32];
            seen[start] = true;
            let mut i = 0;
            while i < members.len() {
                let m = members[i];
                for &(a, b) in link.keys() {
                    let other = if a == m {
                        b
                    } else if b == m {
                        a
                    } else {
                        continue;
                    };
                    if !seen[other as usize] {
                        seen[other as usize] = true;
                        members.push(other);
                    }
                }
                i += 1;
            }
            members.sort_unstable();
            let id = |m: u32| self.nodes[m as usize].id.clone();
            let problem = |m: u32, problem: String| BuildError::MultiPrimary {
                database: id(m),
                problem,
            };
            if members.len() > MAX_PRIMARIES {
                return Err(problem(
                    members[0],
                    format!(
                        "{} databases are wired together; a multi-primary set has at most {MAX_PRIMARIES}",
                        members.len()
                    ),
                ));
            }
            if let Some(&m) = members
                .iter()
                .find(|&&m| self.group_of[m as usize].is_some())
            {
                return Err(problem(
                    m,
                    "a primary of a multi-primary set cannot also feed read replicas".into(),
                ));
            }
            let mut latency = vec![vec![SimDuration::ZERO; members.len()]; members.len()];
            for (i, &a) in members.iter().enumerate() {
                for (j, &b) in members.iter().enumerate().skip(i + 1) {
                    let Some(&l) = link.get(&(a, b)) else {
                        return Err(problem(
                            a,
                            format!(
                                "it is in one set with {} but not wired to it; wire every pair",
                                id(b)
                            ),
                        ));
                    };
                    latency[i][j] = l;
                    latency[j][i] = l;
                }
            }
            let set = self.peers.len() as u32;
            for &m in &members {
                self.peer_of[m as usize] = Some(set);
            }
            self.peers.push(PeerSet::new(members, latency));
        }
        Ok(())
    }

    /// Whether member `j` of multi-primary set `set` can receive from member `i` now.
    fn peer_link_open(&self, set: u32, i: usize, j: usize) -> bool {
        let p = &self.peers[set as usize];
        let (a, b) = (p.members[i], p.members[j]);
        self.nodes[a as usize].up && self.nodes[b as usize].up && self.network.reachable(a, b)
    }

    /// Holds back or sends on the writes between the members of every multi-primary set, as
    /// members go down or up and partitions come and go.
    fn refresh_peer_links(&mut self) {
        let now = self.now;
        for set in 0..self.peers.len() as u32 {
            let n = self.peers[set as usize].members.len();
            for i in 0..n {
                for j in i + 1..n {
                    if self.peer_link_open(set, i, j) {
                        for (from, to, at) in self.peers[set as usize].release(now, i, j) {
                            let channel = (from * MAX_PRIMARIES + to) as u32;
                            self.queue.schedule(at, Event::PeerDeliver { set, channel });
                        }
                    } else {
                        self.peers[set as usize].hold(i, j);
                    }
                }
            }
        }
    }

    /// A write from another primary arrives: applied, old news, or a conflict settled by
    /// last-writer-wins (counted at the primary whose copy it overwrote).
    fn on_peer_deliver(&mut self, set: u32, channel: u32) {
        let (from, to) = (
            channel as usize / MAX_PRIMARIES,
            channel as usize % MAX_PRIMARIES,
        );
        let p = &mut self.peers[set as usize];
        if p.deliver(from, to, self.now) == Some(Applied::Overwrote) {
            let node = p.members[to];
            self.nodes[node as usize].counters.conflicts += 1;
        }
    }

    /// A write committed at `node`, a member of multi-primary set `set`: keep it and send it to
    /// the others.
    fn commit_to_peers(&mut self, set: u32, node: u32, key: u64, version: u64) {
        let now = self.now;
        let Some(i) = self.peers[set as usize].index(node) else {
            return;
        };
        let open: Vec<bool> = (0..self.peers[set as usize].members.len())
            .map(|j| j != i && self.peer_link_open(set, i, j))
            .collect();
        for (j, at) in self.peers[set as usize].commit(i, key, version, now, |j| open[j]) {
            let channel = (i * MAX_PRIMARIES + j) as u32;
            self.queue.schedule(at, Event::PeerDeliver { set, channel });
        }
    }

    /// The replica role of `node`, if it is a replica.
    fn replica_mut(&mut self, node: u32) -> Option<&mut ReplicaRole> {
        match &mut self.nodes[node as usize].behaviour {
            Behaviour::Station(s) => s.replica.as_deref_mut(),
            _ => None,
        }
    }

    /// Where web server `node` sends `req` among the replication group it is wired to: writes
    /// (and, for read-your-writes, a recent writer's reads) to the primary; reads round-robin
    /// over the running replicas, or the primary when none is left.
    fn route_data(&mut self, req: u32, node: u32) -> Option<Target> {
        let now = self.now;
        let r = self.requests.get(req);
        let (class, user) = (r.class, r.user);
        let (g, start, n) = match &self.nodes[node as usize].behaviour {
            Behaviour::Station(s) => {
                let route = s.data.as_ref()?;
                (route.group, route.next, route.wires.len())
            }
            _ => return None,
        };
        let group = &self.groups[g as usize];
        let wire = |i: usize| match &self.nodes[node as usize].behaviour {
            Behaviour::Station(s) => s.data.as_ref().map(|r| r.wires[i % n]),
            _ => None,
        };
        let to_primary = (0..n)
            .filter_map(wire)
            .find(|t| t.node == group.primary)
            .or_else(|| wire(0));
        let recent_writer = group.read_your_writes > SimDuration::ZERO
            && self
                .last_write
                .get(&u64::from(user))
                .is_some_and(|&t| now.saturating_since(t) < group.read_your_writes);
        if class != Class::Read || recent_writer {
            return to_primary;
        }
        let chosen = (0..n).find_map(|i| {
            let t = wire(start + i)?;
            (group.replicas.contains(&t.node) && self.nodes[t.node as usize].up).then_some((i, t))
        });
        match chosen {
            Some((i, t)) => {
                if let Behaviour::Station(s) = &mut self.nodes[node as usize].behaviour
                    && let Some(route) = s.data.as_mut()
                {
                    route.next = (start + i + 1) % n;
                }
                Some(t)
            }
            None => to_primary,
        }
    }

    /// A write committed at `node` (a group's primary): ship it to every replica.
    fn ship(&mut self, node: u32, key: u64, version: u64, seq: u64) {
        let now = self.now;
        let mut last = now;
        let Some(g) = self.group_of[node as usize] else {
            return;
        };
        let group = &self.groups[g as usize];
        if group.primary != node {
            return;
        }
        let replicas = group.replicas.clone();
        for r in replicas {
            let latency = self.groups[g as usize].latency_to(r) + self.wire_delay(node, r);
            let reachable = self.network.reachable(node, r);
            let Behaviour::Station(s) = &mut self.nodes[r as usize].behaviour else {
                continue;
            };
            let Some(role) = s.replica.as_deref_mut() else {
                continue;
            };
            if !reachable {
                // Held back by a partition (a synchronous write does not wait for it).
                role.unreceived.push(super::replication::Shipped {
                    apply_at: now,
                    seq,
                    key,
                    version,
                    committed_at: now,
                });
                continue;
            }
            let (at, schedule) = role.ship(now, latency, seq, key, version, &mut self.rng);
            if let Some(t) = schedule {
                self.queue.schedule(t, Event::ReplicaApply { node: r });
            }
            if self.nodes[r as usize].up {
                last = last.max(at + latency);
            }
        }
        self.groups[g as usize].last_ack = last;
    }

    /// Sends replica `r` of group `g` the writes it never received (its primary was down, or
    /// cut off by a partition), each after the wire's latency and a fresh lag.
    fn resend_unreceived(&mut self, g: u32, r: u32) {
        let now = self.now;
        let latency = self.groups[g as usize].latency_to(r);
        let mut scheduled = Vec::new();
        if let Behaviour::Station(s) = &mut self.nodes[r as usize].behaviour
            && let Some(role) = s.replica.as_deref_mut()
        {
            let lag = role.lag_distribution();
            for mut w in std::mem::take(&mut role.unreceived) {
                w.apply_at = now + latency + lag.sample(&mut self.rng);
                if let (_, Some(t)) = role.resend(w) {
                    scheduled.push(t);
                }
            }
        }
        for at in scheduled {
            self.queue.schedule(at, Event::ReplicaApply { node: r });
        }
    }

    /// When a synchronous write just committed at `node` can be acknowledged: once every
    /// running replica has it and has said so. `None` for asynchronous replication.
    fn sync_ack_at(&self, node: u32) -> Option<SimTime> {
        let g = self.group_of[node as usize]?;
        let group = &self.groups[g as usize];
        (group.sync && group.primary == node).then_some(group.last_ack)
    }

    fn on_replica_apply(&mut self, node: u32) {
        let now = self.now;
        if let Some(next) = self.replica_mut(node).and_then(|r| r.apply_due(now)) {
            self.queue.schedule(next, Event::ReplicaApply { node });
        }
    }

    fn on_sync_ack(&mut self, req: u32, node: u32) {
        if self.crashed_since_arrival(req, node) {
            self.fail_and_respond(req, node, Cause::Crashed);
            return;
        }
        self.free_worker(node, req);
        self.respond(req, node);
    }

    /// The failover delay is over: if the primary is still down, promote the running replica
    /// that is furthest along. Writes it had not received are lost, and counted.
    fn on_failover(&mut self, g: u32) {
        let now = self.now;
        self.groups[g as usize].failing_over = false;
        let group = &self.groups[g as usize];
        if self.nodes[group.primary as usize].up {
            return;
        }
        let old = group.primary;
        let best = group
            .replicas
            .iter()
            .copied()
            .filter(|&r| self.nodes[r as usize].up)
            .min_by_key(|&r| match &self.nodes[r as usize].behaviour {
                Behaviour::Station(s) => s.replica.as_deref().map_or(usize::MAX, |x| x.behind()),
                _ => usize::MAX,
            });
        let Some(best) = best else {
            let id = self.nodes[old as usize].id.to_string();
            self.log.push(
                now,
                Some(&id),
                LogLevel::Error,
                format!("{id} is down and no replica is running to take over"),
            );
            return;
        };
        let lost = match self.replica_mut(best) {
            Some(role) => {
                role.promoted = true;
                role.take_pending()
            }
            None => Vec::new(),
        };
        // What the promoted replica had of each lost record is the truth from now on, and the
        // other replicas resync to it: the lost writes are gone everywhere.
        let mut resync: Vec<(u64, u64)> = Vec::new();
        for w in &lost {
            let version = self.replica_mut(best).map_or(0, |r| r.version(w.key));
            self.truth.insert(
                w.key,
                Committed {
                    version,
                    at: now,
                    seq: self.db_writes,
                },
            );
            resync.push((w.key, version));
        }
        let group = &mut self.groups[g as usize];
        group.primary = best;
        group.replicas.retain(|&r| r != best);
        let others = group.replicas.clone();
        for r in others {
            let seq = self.db_writes;
            if let Some(role) = self.replica_mut(r) {
                role.take_pending();
                for &(key, version) in &resync {
                    role.set_version(key, version, seq);
                }
            }
        }
        // Synchronous writes still on their way were never acknowledged: their clients got an
        // error, so nothing they were told is saved has gone.
        let acknowledged_lost = if self.groups[g as usize].sync {
            0
        } else {
            lost.len()
        };
        let n = &mut self.nodes[best as usize];
        n.counters.lost_writes += acknowledged_lost as u64;
        if let Behaviour::Station(s) = &mut n.behaviour {
            s.stores_data = true;
        }
        let (best_id, old_id) = (n.id.to_string(), self.nodes[old as usize].id.to_string());
        self.log.push(
            now,
            Some(&best_id),
            LogLevel::Error,
            format!("{best_id} promoted to primary ({old_id} down); {acknowledged_lost} unreplicated writes lost"),
        );
    }

    /// A group's primary went down: schedule the failover.
    fn primary_down(&mut self, node: u32) {
        let now = self.now;
        let Some(g) = self.group_of[node as usize] else {
            return;
        };
        let group = &mut self.groups[g as usize];
        if group.primary != node || group.replicas.is_empty() || group.failing_over {
            return;
        }
        group.failing_over = true;
        let at = now + group.failover;
        let replicas = group.replicas.clone();
        self.queue.schedule(at, Event::Failover { group: g });
        for r in replicas {
            if let Some(role) = self.replica_mut(r) {
                role.cut_off(now);
            }
        }
    }

    /// A node of a group came back: an old primary that has been replaced rejoins as a replica
    /// of the new one, resynced from it.
    fn rejoin(&mut self, node: u32) {
        let now = self.now;
        let Some(g) = self.group_of[node as usize] else {
            return;
        };
        let primary = self.groups[g as usize].primary;
        let is_replica = self.groups[g as usize].replicas.contains(&node);
        if primary == node {
            // Back before a failover: it sends its replicas what they never received.
            for r in self.groups[g as usize].replicas.clone() {
                if self.network.reachable(node, r) {
                    self.resend_unreceived(g, r);
                }
            }
            return;
        }
        if is_replica {
            return;
        }
        let lag = match &self.nodes[primary as usize].behaviour {
            Behaviour::Station(s) => s
                .replica
                .as_deref()
                .map(ReplicaRole::lag_distribution)
                .unwrap_or(super::rng::Distribution::Constant { mean: 0.0 }),
            _ => super::rng::Distribution::Constant { mean: 0.0 },
        };
        let mut role = ReplicaRole::new(SimDuration::ZERO);
        role.set_lag(lag);
        let mut keys: Vec<(u64, u64, u64)> = self
            .truth
            .iter()
            .map(|(k, c)| (*k, c.version, c.seq))
            .collect();
        keys.sort_unstable();
        for (key, version, seq) in keys {
            role.set_version(key, version, seq);
        }
        if let Behaviour::Station(s) = &mut self.nodes[node as usize].behaviour {
            s.stores_data = false;
            s.replica = Some(Box::new(role));
        }
        self.groups[g as usize].replicas.push(node);
        let (id, p) = (
            self.nodes[node as usize].id.to_string(),
            self.nodes[primary as usize].id.to_string(),
        );
        self.log.push(
            now,
            Some(&id),
            LogLevel::Info,
            format!("{id} rejoins as a replica of {p}"),
        );
    }

    /// A replica serving a read: it answers with what it has applied; if the primary has
    /// committed a newer version, the read is stale.
    fn replica_read(&mut self, req: u32, node: u32) {
        let now = self.now;
        let key = self.requests.get(req).key;
        let committed = self.truth.get(&key).map_or(0, |c| c.version);
        let n = &mut self.nodes[node as usize];
        let Behaviour::Station(s) = &mut n.behaviour else {
            return;
        };
        let Some(role) = s.replica.as_deref_mut() else {
            return;
        };
        let version = role.version(key);
        if version != committed {
            let since = role
                .stale_since(key)
                .or_else(|| self.truth.get(&key).map(|c| c.at))
                .unwrap_or(now);
            let age = now.saturating_since(since).as_nanos();
            n.counters.stale_reads += 1;
            n.counters.stale_age_sum += u128::from(age);
            role.stale_age_max = role.stale_age_max.max(age);
        }
        self.requests.get_mut(req).version = version;
    }

    // ---- data: versions, caches ----------------------------------------------------------

    /// A database serving `req`: a read returns the committed version of its record; a write
    /// commits, and every cached copy of an older version is stale from now on.
    fn read_or_commit(&mut self, req: u32, node: u32) {
        if !self.tracks_versions {
            return;
        }
        let now = self.now;
        let peer = self.peer_of[node as usize];
        let r = self.requests.get_mut(req);
        match r.class {
            // A primary of a multi-primary set answers with its own copy.
            Class::Read => match peer {
                Some(set) => {
                    let p = &self.peers[set as usize];
                    r.version = p.index(node).map_or(0, |i| p.version(i, r.key));
                }
                None => r.version = self.truth.get(&r.key).map_or(0, |c| c.version),
            },
            // A resharding's copy moves the record as it is.
            Class::Write if r.background => {}
            Class::Write => {
                let (key, version, seq, user) = (r.key, r.version, r.db_seq, r.user);
                self.last_write.insert(u64::from(user), now);
                if let Some(set) = peer {
                    self.commit_to_peers(set, node, key, version);
                }
                if self.truth.get(&key).is_some_and(|c| c.seq > seq) {
                    return; // overwritten already by a write that arrived after it
                }
                self.truth.insert(
                    key,
                    Committed {
                        version,
                        at: now,
                        seq,
                    },
                );
                for &c in &self.caches {
                    if let Behaviour::Station(s) = &mut self.nodes[c as usize].behaviour
                        && let Some(role) = &mut s.cache
                    {
                        role.store.supersede(key, version, now);
                    }
                }
                self.ship(node, key, version, seq);
            }
            Class::Static => {}
        }
    }

    /// The cache role of `node`, if it is a cache.
    fn cache_role(&self, node: u32) -> Option<&super::station::CacheRole> {
        match &self.nodes[node as usize].behaviour {
            Behaviour::Station(s) => s.cache.as_deref(),
            _ => None,
        }
    }

    /// The cache whose copy of `req`'s record a call from `node` concerns: `node` itself if it
    /// is a cache, else (cache-aside) the web server's cache for the key.
    fn cache_for(&self, req: u32, node: u32) -> Option<u32> {
        let Behaviour::Station(s) = &self.nodes[node as usize].behaviour else {
            return None;
        };
        if s.cache.is_some() {
            return Some(node);
        }
        let aside = s.aside.as_ref()?;
        let key = self.requests.get(req).key;
        Some(aside.caches[partition(key, aside.caches.len())].node)
    }

    /// A cache has served `req`: a hit answers it (counting a stale read if the copy was out of
    /// date); a miss answers "miss" to a cache-aside caller or reads through to the database; a
    /// write goes on to the database (write-through updates the copy first).
    fn cache_serve(&mut self, req: u32, node: u32) {
        let now = self.now;
        let r = self.requests.get(req);
        let (key, class, version, lookup_only) = (r.key, r.class, r.version, r.lookup_only);
        let n = &mut self.nodes[node as usize];
        let has_targets = !n.targets.is_empty();
        let Behaviour::Station(s) = &mut n.behaviour else {
            return;
        };
        let Some(role) = s.cache.as_deref_mut() else {
            return;
        };
        match class {
            Class::Read => match role.store.get(key, now) {
                Lookup::Hit {
                    version,
                    superseded,
                } => {
                    n.counters.hits += 1;
                    if let Some(t) = superseded {
                        let age = (now - t).as_nanos();
                        n.counters.stale_reads += 1;
                        n.counters.stale_age_sum += u128::from(age);
                        role.stale_age_max = role.stale_age_max.max(age);
                    }
                    let r = self.requests.get_mut(req);
                    r.version = version;
                    r.cache_hit = true;
                    self.free_worker(node, req);
                    self.respond(req, node);
                }
                Lookup::Miss | Lookup::Expired => {
                    n.counters.misses += 1;
                    self.requests.get_mut(req).cache_hit = false;
                    if lookup_only || !has_targets {
                        self.free_worker(node, req);
                        self.respond(req, node);
                    } else {
                        let wire = self.next_target(node);
                        self.call(req, node, SLOT_FILL, wire);
                    }
                }
            },
            Class::Write if has_targets => {
                if role.policy == WritePolicy::WriteThrough
                    && role.store.put_pending(key, version, now, &mut self.rng)
                {
                    n.counters.evictions += 1;
                }
                let wire = self.next_target(node);
                self.call(req, node, SLOT_WRITE, wire);
            }
            Class::Write | Class::Static => {
                self.free_worker(node, req);
                self.respond(req, node);
            }
        }
    }

    /// The station's next target, round-robin.
    fn next_target(&mut self, node: u32) -> Target {
        let n = &mut self.nodes[node as usize];
        let Behaviour::Station(s) = &mut n.behaviour else {
            return n.targets[0];
        };
        let i = s.next_target % n.targets.len();
        s.next_target = (i + 1) % n.targets.len();
        n.targets[i]
    }

    /// Cache-aside at a web server: a read asks the key's cache first; a write goes to the
    /// database (write-through puts the new version in the cache first, so no reader can see
    /// the old one after the write is acknowledged).
    fn aside_call(&mut self, req: u32, node: u32) {
        let now = self.now;
        let r = self.requests.get(req);
        let (key, class, version) = (r.key, r.class, r.version);
        let Behaviour::Station(s) = &mut self.nodes[node as usize].behaviour else {
            return;
        };
        let Some(aside) = s.aside.as_mut() else {
            return;
        };
        let cache = aside.caches[partition(key, aside.caches.len())];
        if class == Class::Read {
            let r = self.requests.get_mut(req);
            r.lookup_only = true;
            r.cache_hit = false;
            self.call(req, node, SLOT_LOOKUP, cache);
            return;
        }
        let store = aside.next_store();
        let store = self.route_data(req, node).unwrap_or(store);
        if self.nodes[cache.node as usize].up
            && let Behaviour::Station(cs) = &mut self.nodes[cache.node as usize].behaviour
            && let Some(role) = cs.cache.as_deref_mut()
            && role.policy == WritePolicy::WriteThrough
            && role.store.put_pending(key, version, now, &mut self.rng)
        {
            self.nodes[cache.node as usize].counters.evictions += 1;
        }
        self.call(req, node, SLOT_WRITE, store);
    }

    /// Cache-aside: the cache has answered. A hit is the answer; a miss, or a cache that
    /// failed (down, overloaded, too slow), sends the read to the database — every read, when
    /// the cache is gone: the stampede. Returns true if the request went on.
    fn after_lookup(&mut self, req: u32, node: u32) -> bool {
        let r = self.requests.get_mut(req);
        r.lookup_only = false;
        // A failed cache is a miss to the application; the failure stays counted at the cache.
        r.failure = None;
        if std::mem::take(&mut r.cache_hit) {
            return false;
        }
        let Behaviour::Station(s) = &mut self.nodes[node as usize].behaviour else {
            return false;
        };
        let Some(aside) = s.aside.as_mut() else {
            return false;
        };
        let store = aside.next_store();
        let store = self.route_data(req, node).unwrap_or(store);
        self.send(req, node, SLOT_FILL, store, SimDuration::ZERO);
        true
    }

    /// Fills `cache` with `version` of `key` (read from the database), unless it is down or
    /// already holds a live copy. A fill that lost a race with a write is stale from the start.
    fn fill_cache(&mut self, cache: u32, key: u64, version: u64) {
        let now = self.now;
        let superseded = self
            .truth
            .get(&key)
            .filter(|c| c.version != version)
            .map(|c| c.at);
        let n = &mut self.nodes[cache as usize];
        if !n.up {
            return;
        }
        if let Behaviour::Station(s) = &mut n.behaviour
            && let Some(role) = s.cache.as_deref_mut()
            && role
                .store
                .fill(key, version, superseded, now, &mut self.rng)
                == Some(true)
        {
            n.counters.evictions += 1;
        }
    }

    /// A write past `cache` has been answered: invalidation drops the copy once the database
    /// has the write; a failed write-through drops the copy it put in early.
    fn after_write(&mut self, cache: u32, key: u64, ok: bool) {
        if let Behaviour::Station(s) = &mut self.nodes[cache as usize].behaviour
            && let Some(role) = s.cache.as_deref_mut()
        {
            match (role.policy, ok) {
                (WritePolicy::Invalidate, true) | (WritePolicy::WriteThrough, false) => {
                    role.store.remove(key);
                }
                _ => {}
            }
        }
    }

    /// Preloads a warming cache with the hottest records (the lowest keys: key 0 is the most
    /// popular), as many as fit, coldest first so the hottest are the most recently used.
    fn warm_cache(&mut self, cache: u32) {
        let now = self.now;
        let key_space = self.key_space;
        let Behaviour::Station(s) = &mut self.nodes[cache as usize].behaviour else {
            return;
        };
        let Some(role) = s.cache.as_deref_mut() else {
            return;
        };
        if !role.warm {
            return;
        }
        let n = key_space.min(role.store.capacity() as u64);
        for key in (0..n).rev() {
            let version = self.truth.get(&key).map_or(0, |c| c.version);
            role.store.put(key, version, None, now, &mut self.rng);
        }
    }

    // ---- failures and the timeline -------------------------------------------------------

    fn take_down(&mut self, node: u32) {
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        if !n.up {
            return;
        }
        n.up = false;
        n.epoch = n.epoch.wrapping_add(1);
        let id = n.id.to_string();
        // Work in progress vanishes with the machine: workers and connections reset now;
        // requests it held are failed as their pending events come due.
        n.busy.set(now, 0);
        let mut dropped = Vec::new();
        let mut members = Vec::new();
        let mut lost = 0;
        let mut lost_jobs = 0;
        let mut jobs_to_drop: Vec<u32> = Vec::new();
        match &mut n.behaviour {
            Behaviour::Station(s) => {
                dropped.extend(s.queue.drain(..));
                n.queue_len.set(now, 0);
                // Every instance goes with the component.
                if let Some(g) = s.group.as_deref_mut() {
                    g.fail_all();
                    s.resize();
                }
                // A cache's contents are memory: they go with the machine.
                if let Some(role) = s.cache.as_deref_mut() {
                    lost = role.store.clear();
                }
                if let Some(cdn) = s.cdn.as_deref_mut() {
                    lost = cdn.store.clear();
                }
            }
            Behaviour::LoadBalancer(lb) => lb.backends.iter_mut().for_each(|b| b.active = 0),
            Behaviour::Users(u) => u.generation = u.generation.wrapping_add(1),
            Behaviour::Dns(_) => {}
            // Work in progress is lost; the queue delivers it again after its timeout.
            Behaviour::Consumers(c) => c.in_progress.clear(),
            // An in-memory queue loses every job it holds.
            Behaviour::Queue(q) if !q.persistent => {
                lost_jobs = q.held;
                q.held = 0;
                jobs_to_drop = q.ready.drain(..).collect();
            }
            Behaviour::Queue(_) | Behaviour::Router(_) => {}
            Behaviour::DataCenter { members: m } => members.clone_from(m),
        }
        if lost_jobs > 0 {
            n.counters.jobs_lost += lost_jobs;
            // Jobs out at consumers or backing off are forgotten too: their acknowledgements
            // and retries will find nothing (their tokens move on).
            let queue = node;
            for j in 0..self.jobs.len() {
                let job = self.jobs.get(j);
                if job.live && job.queue == queue && !job.ready {
                    jobs_to_drop.push(j);
                }
            }
            for j in std::mem::take(&mut jobs_to_drop) {
                self.jobs.release(j);
            }
        }
        let sessions_lost = self.lose_sessions(node);
        let message = if lost_jobs > 0 {
            format!("{id} down, losing {lost_jobs} jobs")
        } else if lost > 0 {
            format!("{id} down, losing {lost} cached items")
        } else if sessions_lost > 0 {
            format!("{id} down, losing {sessions_lost} sessions")
        } else if members.is_empty() {
            format!("{id} down")
        } else {
            let names: Vec<String> = members
                .iter()
                .map(|&m| self.nodes[m as usize].id.to_string())
                .collect();
            format!("{id} down, taking {} with it", names.join(", "))
        };
        self.log.push(now, Some(&id), LogLevel::Error, message);
        self.sync_capacity(node);
        for req in dropped {
            self.fail_and_respond(req, node, Cause::Crashed);
        }
        self.primary_down(node);
        for m in members {
            self.take_down(m);
        }
        self.refresh_peer_links();
    }

    fn bring_up(&mut self, node: u32) {
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        if n.up {
            return;
        }
        n.up = true;
        if let Behaviour::Station(s) = &mut n.behaviour
            && let Some(g) = s.group.as_deref_mut()
        {
            n.counters.launched += u64::from(g.restart(now));
            s.resize();
        }
        let id = n.id.to_string();
        let is_users = matches!(n.behaviour, Behaviour::Users(_));
        let members = match &n.behaviour {
            Behaviour::DataCenter { members } => members.clone(),
            _ => Vec::new(),
        };
        self.log
            .push(now, Some(&id), LogLevel::Info, format!("{id} up"));
        self.sync_capacity(node);
        if is_users {
            self.schedule_arrival(node, true);
        }
        self.warm_cache(node);
        self.rejoin(node);
        if matches!(
            self.nodes[node as usize].behaviour,
            Behaviour::Queue(_) | Behaviour::Consumers(_)
        ) {
            self.pump_all();
        }
        for m in members {
            self.bring_up(m);
        }
        self.refresh_peer_links();
    }

    fn on_timeline(&mut self, index: u32) {
        let Some(action) = self.timeline.get(index as usize).cloned() else {
            return;
        };
        match action {
            Action::Kill { target } => {
                self.kill(&target);
            }
            Action::Restore { target } => {
                self.restore(&target);
            }
            Action::Flush { target } => {
                self.flush(&target);
            }
            Action::Deploy => self.deploy(),
            Action::RateScale { scale } => self.set_rate_scale(scale),
            Action::Partition { a, b } => {
                self.partition(&a, &b);
            }
            Action::Reshard { target, shards } => {
                self.reshard(&target, shards);
            }
            Action::DelayWire { from, to, ms } => {
                self.delay_wire(&from, &to, ms);
            }
            Action::Heal { a, b } => {
                self.heal(&a, &b);
            }
        }
    }

    // ---- measurement ---------------------------------------------------------------------

    fn end_warmup(&mut self) {
        let now = self.now;
        self.baseline = Baseline {
            time: now,
            nodes: self.nodes.iter().map(|n| n.counters_at(now)).collect(),
            e2e: self.e2e,
            in_flight: self.requests.live(),
            events: self.events,
        };
        self.latency.clear();
        for n in &mut self.nodes {
            n.wait_hist.clear();
            n.sojourn_hist.clear();
            n.queue_len.reset_max();
            if let Behaviour::Station(s) = &mut n.behaviour {
                if let Some(g) = s.group.as_deref_mut() {
                    g.running_level.reset_max();
                }
                if let Some(role) = s.cache.as_deref_mut() {
                    role.stale_age_max = 0;
                }
                if let Some(role) = s.replica.as_deref_mut() {
                    role.stale_age_max = 0;
                    role.lag_max = 0;
                }
            }
            if let Behaviour::Queue(q) = &mut n.behaviour {
                q.latency.clear();
            }
        }
    }

    fn take_sample(&mut self) {
        let now = self.now;
        for n in &mut self.nodes {
            match &mut n.behaviour {
                Behaviour::Station(s) => {
                    if let Some(r) = s.replica.as_deref_mut() {
                        r.lag_max = r.lag_max.max(r.lag_at(now).as_nanos());
                    }
                }
                Behaviour::Router(r) => r.close_window(),
                _ => {}
            }
        }
        self.series.sample(
            now,
            &self.nodes,
            &self.jobs,
            &self.e2e,
            self.requests.live(),
        );
        for n in &mut self.nodes {
            n.interval_latency.clear();
            if let Behaviour::Queue(q) = &mut n.behaviour {
                q.interval_latency.clear();
            }
        }
        self.check_alerts();
        self.autoscale();
    }

    /// Judges this second's figures against the alert rules; firing and resolving go into the
    /// log.
    fn check_alerts(&mut self) {
        let now = self.now;
        let g = &self.series.global;
        let (ok, errors) = (g.last("ok").unwrap_or(0.0), g.last("errors").unwrap_or(0.0));
        for i in 0..self.alerts.len() {
            let watch = self.alerts[i].watch;
            let (value, node) = match watch {
                Watch::P95 => ((ok > 0.0).then(|| g.last("p95_ms")).flatten(), None),
                Watch::ErrorRate => (
                    (ok + errors > 0.0).then(|| 100.0 * errors / (ok + errors)),
                    None,
                ),
                Watch::HitRate(n) => {
                    let s = &self.series.nodes[n as usize];
                    (
                        (s.last("arrivals").unwrap_or(0.0) > 0.0)
                            .then(|| s.last("hit_rate"))
                            .flatten(),
                        Some(n),
                    )
                }
                Watch::QueueAge(n) => (self.series.nodes[n as usize].last("oldest_s"), Some(n)),
            };
            let id = node.map(|n| self.nodes[n as usize].id.to_string());
            let change = self.alerts[i].observe(value, &self.alert_rules);
            let (level, message) = match change {
                Change::None => continue,
                Change::Fired(m) => (LogLevel::Warn, m),
                Change::Resolved(m) => (LogLevel::Info, m),
            };
            let message = match &id {
                Some(id) => format!("{message} at {id}"),
                None => message,
            };
            self.log.push(now, id.as_deref(), level, message);
        }
    }
}
