//! The catalogue of component kinds: the single source of truth for what can be placed on a
//! diagram, which parameters each kind has (unit, range, default, help), what it may be wired to,
//! and which metrics it publishes. The palette, the inspector, validation and `docs/` all read it.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::diagram::Component;

/// A kind of component. Closed on purpose: adding one makes the compiler list every place to
/// touch. Identifiers in the diagram format are the snake_case names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Clients generating open-loop traffic.
    Users,
    /// A DNS provider resolving the site's name.
    Dns,
    /// A geographic DNS: answers each user with the nearest healthy data center.
    GeoDns,
    /// A load balancer spreading requests over backends.
    LoadBalancer,
    /// A CDN edge: a cache of static assets near the users.
    CdnEdge,
    /// A web / application server.
    WebServer,
    /// A database primary.
    Database,
    /// A read replica: a copy of a database, fed by its replication stream.
    #[serde(rename = "read_replica")]
    Replica,
    /// An in-memory cache (Redis, Memcached) in front of a database.
    Cache,
    /// A shared store for logged-in users' sessions (Redis), so web servers keep none.
    SessionStore,
    /// A shard router: sends each request to the database shard holding its key.
    ShardRouter,
    /// A message queue: web servers enqueue jobs and answer at once.
    MessageQueue,
    /// A pool of workers taking jobs from a message queue.
    Consumer,
    /// A data center: a box on the canvas around the components that run in it.
    DataCenter,
}

impl Kind {
    /// Every kind, in palette order.
    pub const ALL: [Kind; 14] = [
        Kind::Users,
        Kind::Dns,
        Kind::GeoDns,
        Kind::LoadBalancer,
        Kind::CdnEdge,
        Kind::WebServer,
        Kind::Database,
        Kind::Replica,
        Kind::Cache,
        Kind::SessionStore,
        Kind::ShardRouter,
        Kind::MessageQueue,
        Kind::Consumer,
        Kind::DataCenter,
    ];

    /// The identifier used in the diagram format.
    pub fn id(self) -> &'static str {
        self.spec().id
    }

    /// Looks a kind up by its format identifier.
    pub fn from_id(id: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.id() == id)
    }

    /// The catalogue entry for this kind.
    pub fn spec(self) -> &'static KindSpec {
        match self {
            Kind::Users => &USERS,
            Kind::Dns => &DNS,
            Kind::GeoDns => &GEO_DNS,
            Kind::LoadBalancer => &LOAD_BALANCER,
            Kind::CdnEdge => &CDN_EDGE,
            Kind::WebServer => &WEB_SERVER,
            Kind::Database => &DATABASE,
            Kind::Replica => &REPLICA,
            Kind::Cache => &CACHE,
            Kind::SessionStore => &SESSION_STORE,
            Kind::ShardRouter => &SHARD_ROUTER,
            Kind::MessageQueue => &MESSAGE_QUEUE,
            Kind::Consumer => &CONSUMER,
            Kind::DataCenter => &DATA_CENTER,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.spec().name)
    }
}

/// Palette groups, in display order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Group {
    /// Where requests come from.
    Traffic,
    /// Name resolution and the edge of the network.
    Edge,
    /// Servers that run application code.
    Compute,
    /// Databases and caches.
    Data,
    /// Queues and workers.
    Async,
    /// Data centers and regions.
    Regions,
}

impl Group {
    /// The group's display name.
    pub fn name(self) -> &'static str {
        match self {
            Group::Traffic => "Traffic",
            Group::Edge => "Edge",
            Group::Compute => "Compute",
            Group::Data => "Data",
            Group::Async => "Async",
            Group::Regions => "Regions",
        }
    }
}

/// Everything the product knows about one kind.
#[derive(Debug)]
pub struct KindSpec {
    /// The kind itself.
    pub kind: Kind,
    /// Identifier in the diagram format (snake_case).
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Palette group.
    pub group: Group,
    /// One line for the palette.
    pub summary: &'static str,
    /// A few sentences for hover help and the docs.
    pub details: &'static str,
    /// Prefix for generated component ids (`web` gives `web-1`, `web-2`, …).
    pub id_prefix: &'static str,
    /// A 24 × 24 line icon, as SVG path data (stroked, not filled).
    pub icon: &'static str,
    /// Parameters, in inspector order.
    pub params: &'static [ParamSpec],
    /// Kinds this kind may send requests to, with the reason when it may not.
    pub targets: &'static [Kind],
    /// Metrics this kind publishes each simulated second, in chart order.
    pub metrics: &'static [MetricSpec],
}

impl KindSpec {
    /// The parameter called `name`.
    pub fn param(&self, name: &str) -> Option<&'static ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// Every kind's spec, in palette order.
pub fn catalogue() -> impl Iterator<Item = &'static KindSpec> {
    Kind::ALL.into_iter().map(Kind::spec)
}

/// The catalogue grouped for the palette: every group that has kinds, in [`Group`] order, each
/// with its kinds in catalogue order.
pub fn by_group() -> Vec<(Group, Vec<&'static KindSpec>)> {
    let mut groups: Vec<(Group, Vec<&'static KindSpec>)> = Vec::new();
    for spec in catalogue() {
        match groups.iter_mut().find(|(g, _)| *g == spec.group) {
            Some((_, kinds)) => kinds.push(spec),
            None => groups.push((spec.group, vec![spec])),
        }
    }
    groups.sort_by_key(|(g, _)| *g);
    groups
}

/// One parameter of a kind.
#[derive(Clone, Copy, Debug)]
pub struct ParamSpec {
    /// Key in the diagram format.
    pub name: &'static str,
    /// Inspector label.
    pub label: &'static str,
    /// Unit of the value.
    pub unit: Unit,
    /// Allowed values and the default.
    pub domain: Domain,
    /// A short help text.
    pub help: &'static str,
}

/// The values a parameter may take.
#[derive(Clone, Copy, Debug)]
pub enum Domain {
    /// A number in `[min, max]`; `integer` numbers must be whole.
    Number {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
        /// Value when the diagram leaves it out.
        default: f64,
        /// Whether only whole numbers are allowed.
        integer: bool,
    },
    /// One of a fixed list of options.
    Choice {
        /// Allowed values, in display order.
        options: &'static [Choice],
        /// Value when the diagram leaves it out.
        default: &'static str,
    },
}

/// One option of a choice parameter.
#[derive(Debug)]
pub struct Choice {
    /// Value in the diagram format.
    pub value: &'static str,
    /// Display label.
    pub label: &'static str,
}

/// Units of parameters and metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Unit {
    /// A plain number or a choice.
    None,
    /// A count of things.
    Count,
    /// Requests per second.
    PerSecond,
    /// Milliseconds.
    Millis,
    /// Seconds.
    Seconds,
    /// Percent, 0–100.
    Percent,
    /// A multiplier.
    Factor,
    /// US dollars per hour.
    DollarsPerHour,
    /// US dollars per gigabyte transferred.
    DollarsPerGb,
    /// Kilobytes.
    Kilobytes,
    /// Megabytes per second.
    MegabytesPerSecond,
    /// Canvas units (pixels at 100 % zoom).
    Pixels,
}

impl Unit {
    /// The symbol shown after a value.
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::None => "",
            Unit::Count => "",
            Unit::PerSecond => "req/s",
            Unit::Millis => "ms",
            Unit::Seconds => "s",
            Unit::Percent => "%",
            Unit::Factor => "×",
            Unit::DollarsPerHour => "$/h",
            Unit::DollarsPerGb => "$/GB",
            Unit::Kilobytes => "KB",
            Unit::MegabytesPerSecond => "MB/s",
            Unit::Pixels => "px",
        }
    }
}

/// One metric a kind publishes in its per-second samples.
#[derive(Debug)]
pub struct MetricSpec {
    /// Key in reports and CSV headers.
    pub name: &'static str,
    /// Chart label.
    pub label: &'static str,
    /// Unit of the value.
    pub unit: Unit,
    /// A short name if the metric belongs on the component's live badge on the canvas.
    pub badge: Option<&'static str>,
}

const fn num(min: f64, max: f64, default: f64) -> Domain {
    Domain::Number {
        min,
        max,
        default,
        integer: false,
    }
}

const fn int(min: f64, max: f64, default: f64) -> Domain {
    Domain::Number {
        min,
        max,
        default,
        integer: true,
    }
}

const fn choice(value: &'static str, label: &'static str) -> Choice {
    Choice { value, label }
}

const fn metric(name: &'static str, label: &'static str, unit: Unit) -> MetricSpec {
    MetricSpec {
        name,
        label,
        unit,
        badge: None,
    }
}

/// A metric also shown, as `short value`, on the component's badge while a run is live.
const fn headline(
    name: &'static str,
    label: &'static str,
    unit: Unit,
    short: &'static str,
) -> MetricSpec {
    MetricSpec {
        name,
        label,
        unit,
        badge: Some(short),
    }
}

/// Metrics of databases: a station's, and conflicts between primaries.
const DB_METRICS: &[MetricSpec] = &[
    metric("arrivals", "Arrivals", Unit::PerSecond),
    metric("throughput", "Completed", Unit::PerSecond),
    metric("errors", "Errors", Unit::PerSecond),
    headline("utilisation", "Utilisation", Unit::Percent, "busy"),
    headline("queue", "Queue length", Unit::Count, "queue"),
    metric("wait_ms", "Mean wait", Unit::Millis),
    metric("conflicts", "Write conflicts", Unit::PerSecond),
];

/// Metrics of web servers: a station's, and the sessions held in memory.
const WEB_METRICS: &[MetricSpec] = &[
    metric("arrivals", "Arrivals", Unit::PerSecond),
    metric("throughput", "Completed", Unit::PerSecond),
    metric("errors", "Errors", Unit::PerSecond),
    headline("utilisation", "Utilisation", Unit::Percent, "busy"),
    headline("queue", "Queue length", Unit::Count, "queue"),
    metric("wait_ms", "Mean wait", Unit::Millis),
    metric("sessions", "Sessions held", Unit::Count),
    metric("sessions_lost", "Sessions lost", Unit::Count),
    metric("instances", "Instances running", Unit::Count),
    metric("cost_per_hour", "Cost", Unit::DollarsPerHour),
];

/// Machine sizes for vertical scaling, from the chapter's 4-core/16 GB to 32-core/256 GB.
/// Cost per hour grows faster than cores at the high end.
pub const SIZES: &[SizePreset] = &[
    SizePreset {
        value: "c4",
        label: "4 cores / 16 GB",
        cores: 4,
        cost_per_hour: 0.20,
    },
    SizePreset {
        value: "c8",
        label: "8 cores / 32 GB",
        cores: 8,
        cost_per_hour: 0.40,
    },
    SizePreset {
        value: "c16",
        label: "16 cores / 64 GB",
        cores: 16,
        cost_per_hour: 0.85,
    },
    SizePreset {
        value: "c32",
        label: "32 cores / 128 GB",
        cores: 32,
        cost_per_hour: 1.90,
    },
    SizePreset {
        value: "c32m",
        label: "32 cores / 256 GB",
        cores: 32,
        cost_per_hour: 2.60,
    },
];

/// A machine size: how many workers it runs and what it costs.
#[derive(Debug)]
pub struct SizePreset {
    /// Value of the `size` parameter.
    pub value: &'static str,
    /// Display label.
    pub label: &'static str,
    /// Cores, which is also the number of workers.
    pub cores: u32,
    /// On-demand price.
    pub cost_per_hour: f64,
}

/// Looks up a size preset by its `size` parameter value (`custom` has none).
pub fn size_preset(value: &str) -> Option<&'static SizePreset> {
    SIZES.iter().find(|s| s.value == value)
}

const SIZE_CHOICES: &[Choice] = &[
    choice("custom", "Custom (workers and cost below)"),
    choice("c4", "4 cores / 16 GB"),
    choice("c8", "8 cores / 32 GB"),
    choice("c16", "16 cores / 64 GB"),
    choice("c32", "32 cores / 128 GB"),
    choice("c32m", "32 cores / 256 GB"),
];

const SERVICE_DIST: &[Choice] = &[
    choice("exponential", "Exponential"),
    choice("constant", "Constant"),
    choice("lognormal", "Log-normal"),
];

const REGIONS: &[Choice] = &[
    choice("virginia", "Virginia (US-East)"),
    choice("new_york", "New York"),
    choice("oregon", "Oregon (US-West)"),
    choice("los_angeles", "Los Angeles"),
    choice("ireland", "Ireland (EU-West)"),
    choice("tokyo", "Tokyo"),
    choice("singapore", "Singapore (AP-Southeast)"),
    choice("sydney", "Sydney"),
];

static USERS: KindSpec = KindSpec {
    kind: Kind::Users,
    id: "users",
    name: "Users",
    group: Group::Traffic,
    summary: "Browsers and mobile apps sending requests.",
    details: "Open-loop traffic: requests arrive at the configured rate whether or not earlier \
              ones were answered, so an overloaded system builds queues instead of slowing its \
              users down. Each request is a read, a write or a static asset, for a key drawn \
              from a popularity model, from one of a population of users.",
    id_prefix: "users",
    // A person.
    icon: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21c0-4.4 3.6-7 8-7s8 2.6 8 7",
    params: &[
        ParamSpec {
            name: "rate",
            label: "Request rate",
            unit: Unit::PerSecond,
            domain: num(0.0, 1_000_000.0, 100.0),
            help: "Mean requests per second before the rate profile is applied.",
        },
        ParamSpec {
            name: "arrivals",
            label: "Arrival process",
            unit: Unit::None,
            domain: Domain::Choice {
                options: &[
                    choice("poisson", "Poisson (random)"),
                    choice("deterministic", "Deterministic (evenly spaced)"),
                ],
                default: "poisson",
            },
            help: "Poisson arrivals are independent, like real users; deterministic ones are \
                   evenly spaced.",
        },
        ParamSpec {
            name: "profile",
            label: "Rate profile",
            unit: Unit::None,
            domain: Domain::Choice {
                options: &[
                    choice("constant", "Constant"),
                    choice("step", "Step to peak"),
                    choice("ramp", "Ramp to peak"),
                    choice("spike", "Spike"),
                    choice("diurnal", "Diurnal (day/night)"),
                ],
                default: "constant",
            },
            help: "How the rate changes over time. Step: jumps to the peak at the start time. \
                   Ramp: climbs linearly to the peak over the profile duration. Spike: the \
                   peak for the profile duration, then back. Diurnal: a cosine between the \
                   rate and the peak with the profile duration as its period.",
        },
        ParamSpec {
            name: "peak_rate",
            label: "Peak rate",
            unit: Unit::PerSecond,
            domain: num(0.0, 1_000_000.0, 200.0),
            help: "The rate the profile moves to (unused when constant).",
        },
        ParamSpec {
            name: "profile_start",
            label: "Profile start",
            unit: Unit::Seconds,
            domain: num(0.0, 86_400.0, 30.0),
            help: "When the step, ramp or spike begins.",
        },
        ParamSpec {
            name: "profile_duration",
            label: "Profile duration",
            unit: Unit::Seconds,
            domain: num(0.001, 86_400.0, 30.0),
            help: "Ramp length, spike length, or the diurnal period.",
        },
        ParamSpec {
            name: "read_pct",
            label: "Reads",
            unit: Unit::Percent,
            domain: num(0.0, 100.0, 60.0),
            help: "Share of requests that read data. Reads, writes and static assets add up \
                   to 100 %.",
        },
        ParamSpec {
            name: "write_pct",
            label: "Writes",
            unit: Unit::Percent,
            domain: num(0.0, 100.0, 10.0),
            help: "Share of requests that change data.",
        },
        ParamSpec {
            name: "static_pct",
            label: "Static assets",
            unit: Unit::Percent,
            domain: num(0.0, 100.0, 30.0),
            help: "Share of requests for images, scripts and styles, which need no database.",
        },
        ParamSpec {
            name: "keys",
            label: "Distinct keys",
            unit: Unit::Count,
            domain: int(1.0, 100_000_000.0, 100_000.0),
            help: "How many different records the requests touch.",
        },
        ParamSpec {
            name: "key_popularity",
            label: "Key popularity",
            unit: Unit::None,
            domain: Domain::Choice {
                options: &[
                    choice("uniform", "Uniform"),
                    choice("zipf", "Zipf (skewed)"),
                ],
                default: "zipf",
            },
            help: "Uniform: every key equally likely. Zipf: the k-th most popular key is \
                   requested in proportion to 1/k^s, so a few keys are hot.",
        },
        ParamSpec {
            name: "zipf_s",
            label: "Zipf exponent s",
            unit: Unit::None,
            domain: num(0.0, 5.0, 1.0),
            help: "Skew of the Zipf model: 0 is uniform, 1 is typical of web content, higher \
                   is more skewed.",
        },
        ParamSpec {
            name: "users",
            label: "Distinct users",
            unit: Unit::Count,
            domain: int(1.0, 1_000_000.0, 10_000.0),
            help: "How many different users send the requests (for DNS caching and sticky \
                   routing).",
        },
        ParamSpec {
            name: "region",
            label: "Region",
            unit: Unit::None,
            domain: Domain::Choice {
                options: REGIONS,
                default: "virginia",
            },
            help: "Where these users are.",
        },
    ],
    targets: &[
        Kind::Dns,
        Kind::GeoDns,
        Kind::LoadBalancer,
        Kind::WebServer,
        Kind::CdnEdge,
    ],
    metrics: &[
        headline("sent", "Sent", Unit::PerSecond, "sending"),
        metric("ok", "Succeeded", Unit::PerSecond),
        metric("errors", "Errors", Unit::PerSecond),
        metric("p50_ms", "Latency p50", Unit::Millis),
        metric("p95_ms", "Latency p95", Unit::Millis),
        metric("p99_ms", "Latency p99", Unit::Millis),
    ],
};

static DNS: KindSpec = KindSpec {
    kind: Kind::Dns,
    id: "dns",
    name: "DNS",
    group: Group::Edge,
    summary: "Turns www.example.com into the address of what it is wired to.",
    details: "Clients cache an answer for the TTL, so only requests that miss the client's cache \
              pay for a lookup. Wired to several targets it answers round-robin. If it is \
              down, clients with a cached answer carry on and the rest fail.",
    id_prefix: "dns",
    // A globe.
    icon: "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM3 12h18M12 3c2.5 2.7 3.8 5.7 3.8 9s-1.3 6.3-3.8 9c-2.5-2.7-3.8-5.7-3.8-9s1.3-6.3 3.8-9z",
    params: &[
        ParamSpec {
            name: "lookup_ms",
            label: "Lookup time",
            unit: Unit::Millis,
            domain: num(0.0, 10_000.0, 30.0),
            help: "Time to resolve a name when the client has no cached answer.",
        },
        ParamSpec {
            name: "ttl_s",
            label: "TTL",
            unit: Unit::Seconds,
            domain: num(0.0, 604_800.0, 300.0),
            help: "How long clients cache an answer.",
        },
    ],
    targets: &[Kind::LoadBalancer, Kind::WebServer],
    metrics: &[
        headline("lookups", "Lookups", Unit::PerSecond, "lookups"),
        metric("cached", "Cached answers", Unit::PerSecond),
        metric("errors", "Failed lookups", Unit::PerSecond),
    ],
};

static GEO_DNS: KindSpec = KindSpec {
    kind: Kind::GeoDns,
    id: "geo_dns",
    name: "GeoDNS",
    group: Group::Edge,
    summary: "Sends each user to the nearest healthy data center, or splits traffic by weight.",
    details: "Wire it to each data center's entry point (a load balancer or web server inside a \
              data-center box). Nearest answers with the healthy entry point with the smallest \
              round trip from the user's region; weighted splits answers by the wires' weights \
              (the chapter's 40/30/20/10). It probes every entry point: after the failure \
              threshold in a row (an entry point down, its data center down, or a load balancer \
              with no backend left) it stops answering with it, and after the healthy threshold \
              it answers with it again. Clients cache answers for the TTL; when a connection \
              fails they look the name up again and retry once, so after detection a data \
              center's users carry on elsewhere, paying the longer round trip.",
    id_prefix: "geodns",
    // A globe with a pin.
    icon: "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM3 12h18M12 3c2.5 2.7 3.8 5.7 3.8 9s-1.3 6.3-3.8 9M16.5 5.5a2 2 0 1 1 4 0c0 1.5-2 3.5-2 3.5s-2-2-2-3.5z",
    params: &[
        ParamSpec {
            name: "policy",
            label: "Policy",
            unit: Unit::None,
            domain: Domain::Choice {
                options: &[
                    choice("nearest", "Nearest data center"),
                    choice("weighted", "Weighted split"),
                ],
                default: "nearest",
            },
            help: "Nearest: the healthy entry point with the smallest round trip from the \
                   user's region. Weighted: healthy entry points in proportion to their wires' \
                   weights.",
        },
        ParamSpec {
            name: "lookup_ms",
            label: "Lookup time",
            unit: Unit::Millis,
            domain: num(0.0, 10_000.0, 30.0),
            help: "Time to resolve a name when the client has no cached answer.",
        },
        ParamSpec {
            name: "ttl_s",
            label: "TTL",
            unit: Unit::Seconds,
            domain: num(0.0, 604_800.0, 60.0),
            help: "How long clients cache an answer (GeoDNS records are kept short).",
        },
        ParamSpec {
            name: "check_interval_s",
            label: "Health-check interval",
            unit: Unit::Seconds,
            domain: num(0.1, 3_600.0, 10.0),
            help: "Time between probes of each entry point.",
        },
        ParamSpec {
            name: "unhealthy_threshold",
            label: "Failure threshold",
            unit: Unit::Count,
            domain: int(1.0, 100.0, 3.0),
            help: "Failed probes in a row before GeoDNS stops answering with an entry point.",
        },
        ParamSpec {
            name: "healthy_threshold",
            label: "Healthy threshold",
            unit: Unit::Count,
            domain: int(1.0, 100.0, 2.0),
            help: "Passed probes in a row before it answers with the entry point again.",
        },
        ParamSpec {
            name: "client_retry",
            label: "Client retry",
            unit: Unit::None,
            domain: Domain::Choice {
                options: &[
                    choice("once", "Look up again and retry once"),
                    choice("none", "No retry"),
                ],
                default: "once",
            },
            help: "What a client does when its connection fails: look the name up again \
                   (ignoring its cached answer) and retry once, or give up.",
        },
    ],
    targets: &[Kind::LoadBalancer, Kind::WebServer],
    metrics: &[
        headline("lookups", "Lookups", Unit::PerSecond, "lookups"),
        metric("cached", "Cached answers", Unit::PerSecond),
        metric("errors", "Failed lookups", Unit::PerSecond),
        metric("retries", "Client retries", Unit::PerSecond),
        metric("healthy", "Healthy data centers", Unit::Count),
    ],
};

static LOAD_BALANCER: KindSpec = KindSpec {
    kind: Kind::LoadBalancer,
    id: "load_balancer",
    name: "Load balancer",
    group: Group::Edge,
    summary: "Spreads requests over the servers behind it and routes around dead ones.",
    details: "Users reach only the load balancer's public address; the servers sit on a private \
              network. Health checks probe each backend every interval; after the failure \
              threshold in a row a backend leaves the rotation, and it returns after the \
              healthy threshold of successes. Until a dead backend is detected it keeps \
              receiving traffic, and those requests fail.",
    id_prefix: "lb",
    // One line in, three out.
    icon: "M3 12h6M9 12l6-6h6M9 12h12M9 12l6 6h6",
    params: &[
        ParamSpec {
            name: "algorithm",
            label: "Algorithm",
            unit: Unit::None,
            domain: Domain::Choice {
                options: &[
                    choice("round_robin", "Round-robin"),
                    choice("least_connections", "Least connections"),
                    choice("random", "Random"),
                    choice("weighted", "Weighted round-robin"),
                    choice("user_hash", "Hash by user (sticky)"),
                ],
                default: "round_robin",
            },
            help: "How a backend is chosen. Weighted uses each wire's weight; hash by user \
                   sends each user to the same backend while it is healthy.",
        },
        ParamSpec {
            name: "affinity",
            label: "Session affinity",
            unit: Unit::None,
            domain: Domain::Choice {
                options: &[choice("none", "None"), choice("session", "Sticky sessions")],
                default: "none",
            },
            help: "Sticky sessions: a logged-in user goes back to the server holding their \
                   session (kept in its memory) while it is in rotation; others go by the \
                   algorithm.",
        },
        ParamSpec {
            name: "max_connections",
            label: "Max connections",
            unit: Unit::Count,
            domain: int(1.0, 10_000_000.0, 100_000.0),
            help: "Requests in flight through the balancer; beyond this new ones are rejected.",
        },
        ParamSpec {
            name: "check_interval_s",
            label: "Health-check interval",
            unit: Unit::Seconds,
            domain: num(0.1, 3_600.0, 5.0),
            help: "Time between probes of each backend.",
        },
        ParamSpec {
            name: "unhealthy_threshold",
            label: "Failure threshold",
            unit: Unit::Count,
            domain: int(1.0, 100.0, 2.0),
            help: "Failed probes in a row before a backend leaves the rotation.",
        },
        ParamSpec {
            name: "healthy_threshold",
            label: "Recovery threshold",
            unit: Unit::Count,
            domain: int(1.0, 100.0, 2.0),
            help: "Successful probes in a row before a backend returns to the rotation.",
        },
    ],
    targets: &[Kind::WebServer, Kind::LoadBalancer],
    metrics: &[
        metric("arrivals", "Arrivals", Unit::PerSecond),
        metric("errors", "Errors", Unit::PerSecond),
        headline(
            "in_rotation",
            "Backends in rotation",
            Unit::Count,
            "in rotation",
        ),
        metric("connections", "Open connections", Unit::Count),
    ],
};

/// Parameters shared by every station that serves requests with a pool of workers.
macro_rules! station_params {
    ($workers:expr, $queue:expr, $timeout:expr) => {
        [
            ParamSpec {
                name: "size",
                label: "Machine size",
                unit: Unit::None,
                domain: Domain::Choice {
                    options: SIZE_CHOICES,
                    default: "custom",
                },
                help: "Vertical scaling: a preset sets the workers (one per core) and the cost; \
                       custom uses the two parameters below.",
            },
            ParamSpec {
                name: "workers",
                label: "Workers",
                unit: Unit::Count,
                domain: int(1.0, 100_000.0, $workers),
                help: "Requests served at once (custom size only).",
            },
            ParamSpec {
                name: "cost_per_hour",
                label: "Cost",
                unit: Unit::DollarsPerHour,
                domain: num(0.0, 1_000.0, 0.20),
                help: "What the machine costs to run (custom size only).",
            },
            ParamSpec {
                name: "speed",
                label: "Speed factor",
                unit: Unit::Factor,
                domain: num(0.01, 100.0, 1.0),
                help: "Faster hardware: service times are divided by this.",
            },
            ParamSpec {
                name: "service",
                label: "Service-time distribution",
                unit: Unit::None,
                domain: Domain::Choice {
                    options: SERVICE_DIST,
                    default: "exponential",
                },
                help: "Shape of the time a worker spends on one request.",
            },
            ParamSpec {
                name: "service_cv",
                label: "Service-time CV",
                unit: Unit::None,
                domain: num(0.01, 10.0, 1.0),
                help: "Coefficient of variation (standard deviation / mean) for log-normal \
                       service times.",
            },
            ParamSpec {
                name: "queue_capacity",
                label: "Queue capacity",
                unit: Unit::Count,
                domain: int(0.0, 10_000_000.0, $queue),
                help: "Requests that may wait for a worker; beyond this they are rejected.",
            },
            ParamSpec {
                name: "timeout_ms",
                label: "Request timeout",
                unit: Unit::Millis,
                domain: num(1.0, 3_600_000.0, $timeout),
                help: "A request still unanswered this long after it arrived fails with a \
                       timeout.",
            },
        ]
    };
}

const WEB_STATION: [ParamSpec; 8] = station_params!(4.0, 1_000.0, 30_000.0);
const DB_STATION: [ParamSpec; 8] = station_params!(16.0, 10_000.0, 30_000.0);
const CACHE_STATION: [ParamSpec; 8] = station_params!(8.0, 10_000.0, 30_000.0);
const REPLICA_STATION: [ParamSpec; 8] = station_params!(16.0, 10_000.0, 30_000.0);
const SESSION_STATION: [ParamSpec; 8] = station_params!(8.0, 10_000.0, 30_000.0);
const CDN_STATION: [ParamSpec; 8] = station_params!(1_000.0, 100_000.0, 30_000.0);

static WEB_SERVER: KindSpec = KindSpec {
    kind: Kind::WebServer,
    id: "web_server",
    name: "Web server",
    group: Group::Compute,
    summary: "Runs the application: answers requests, calling the database when needed.",
    details: "A pool of workers with a bounded queue. A worker serves a request for a sampled \
              service time; reads and writes then call what the server is wired to (round-robin \
              over its wires) and, with blocking calls, the worker waits for the answer, so \
              slow databases tie up web workers. Static assets need no downstream call.",
    id_prefix: "web",
    // A server rack.
    icon: "M4 4h16v6H4zM4 14h16v6H4zM7 7h.01M7 17h.01",
    params: &[
        WEB_STATION[0],
        WEB_STATION[1],
        WEB_STATION[2],
        WEB_STATION[3],
        WEB_STATION[4],
        ParamSpec {
            name: "service_ms",
            label: "Service time",
            unit: Unit::Millis,
            domain: num(0.0, 600_000.0, 20.0),
            help: "Mean time a worker spends on one request, before any downstream call.",
        },
        WEB_STATION[5],
        ParamSpec {
            name: "call_mode",
            label: "Downstream calls",
            unit: Unit::None,
            domain: Domain::Choice {
                options: &[
                    choice("blocking", "Blocking (a thread per request)"),
                    choice("async", "Async (event loop)"),
                ],
                default: "blocking",
            },
            help: "Blocking: the worker waits for the database's answer, so a slow database \
                   ties up web workers. Async: the worker is free while the call is out.",
        },
        ParamSpec {
            name: "sessions",
            label: "Sessions",
            unit: Unit::None,
            domain: Domain::Choice {
                options: &[
                    choice("none", "No logins"),
                    choice("local", "In this server's memory (stateful)"),
                    choice("shared", "In a shared session store (stateless)"),
                ],
                default: "none",
            },
            help: "Users log in with their first request. Stateful: the session lives on the \
                   server that logged them in, so a request that lands on another server, or \
                   follows that server's death, finds them logged out. Stateless: every \
                   request checks the session store it is wired to, so any server will do.",
        },
        WEB_STATION[6],
        WEB_STATION[7],
        ParamSpec {
            name: "instances",
            label: "Instances",
            unit: Unit::Count,
            domain: int(1.0, 1_000.0, 1.0),
            help: "Identical servers behind this box, sharing its queue (horizontal scaling). \
                   With auto-scaling, the count it starts with (kept within min–max).",
        },
        ParamSpec {
            name: "autoscale",
            label: "Auto-scaling",
            unit: Unit::None,
            domain: Domain::Choice {
                options: &[choice("off", "Off"), choice("cpu", "On CPU")],
                default: "off",
            },
            help: "On CPU: add instances when the group's CPU stays above a threshold, remove \
                   them when it stays below another (the chapter's policy by default).",
        },
        ParamSpec {
            name: "min_instances",
            label: "Min instances",
            unit: Unit::Count,
            domain: int(1.0, 1_000.0, 10.0),
            help: "Fewest instances auto-scaling keeps.",
        },
        ParamSpec {
            name: "max_instances",
            label: "Max instances",
            unit: Unit::Count,
            domain: int(1.0, 1_000.0, 100.0),
            help: "Most instances auto-scaling launches.",
        },
        ParamSpec {
            name: "scale_out_cpu_pct",
            label: "Scale out above",
            unit: Unit::Percent,
            domain: num(1.0, 100.0, 70.0),
            help: "CPU (mean utilisation of the running instances) that adds instances when \
                   it holds for the scale-out time.",
        },
        ParamSpec {
            name: "scale_out_after_s",
            label: "Scale out after",
            unit: Unit::Seconds,
            domain: num(0.0, 86_400.0, 300.0),
            help: "How long CPU must stay above the threshold.",
        },
        ParamSpec {
            name: "scale_out_step",
            label: "Scale-out step",
            unit: Unit::Count,
            domain: int(1.0, 1_000.0, 5.0),
            help: "Instances added at a time.",
        },
        ParamSpec {
            name: "scale_in_cpu_pct",
            label: "Scale in below",
            unit: Unit::Percent,
            domain: num(0.0, 100.0, 30.0),
            help: "CPU that removes instances when it holds for the scale-in time.",
        },
        ParamSpec {
            name: "scale_in_after_s",
            label: "Scale in after",
            unit: Unit::Seconds,
            domain: num(0.0, 86_400.0, 600.0),
            help: "How long CPU must stay below the threshold.",
        },
        ParamSpec {
            name: "scale_in_step",
            label: "Scale-in step",
            unit: Unit::Count,
            domain: int(1.0, 1_000.0, 5.0),
            help: "Instances removed at a time (they finish what they hold first).",
        },
        ParamSpec {
            name: "cooldown_s",
            label: "Cooldown",
            unit: Unit::Seconds,
            domain: num(0.0, 86_400.0, 300.0),
            help: "No further scaling for this long after a change.",
        },
        ParamSpec {
            name: "boot_s",
            label: "Boot time",
            unit: Unit::Seconds,
            domain: num(0.0, 3_600.0, 180.0),
            help: "Time from launching an instance to its taking work (billed meanwhile).",
        },
        ParamSpec {
            name: "replace_after_s",
            label: "Replace failed after",
            unit: Unit::Seconds,
            domain: num(0.0, 3_600.0, 30.0),
            help: "Time to notice a failed instance (health checks) and launch a \
                   replacement, which then boots.",
        },
    ],
    targets: &[
        Kind::Database,
        Kind::Replica,
        Kind::Cache,
        Kind::SessionStore,
        Kind::ShardRouter,
        Kind::MessageQueue,
        Kind::WebServer,
        Kind::LoadBalancer,
    ],
    metrics: WEB_METRICS,
};

static DATABASE: KindSpec = KindSpec {
    kind: Kind::Database,
    id: "database",
    name: "Database",
    group: Group::Data,
    summary: "Stores the data: serves reads and writes from a connection pool.",
    details: "Queries run on a pool of connections with a bounded wait queue. Reads and writes \
              have their own service times (the chapter's 50–100 ms per query), and writes \
              beyond the write ceiling are rejected. Wire it to read replicas to replicate to \
              them, or to another database (one wire per pair, up to four) for multi-primary: \
              each takes writes and ships them to the others, and writes to one record made \
              at two primaries within the time between them are conflicts, settled by last \
              writer wins (the loser's write is lost, and counted).",
    id_prefix: "db",
    // A cylinder.
    icon: "M4 6c0-1.7 3.6-3 8-3s8 1.3 8 3-3.6 3-8 3-8-1.3-8-3zM4 6v12c0 1.7 3.6 3 8 3s8-1.3 8-3V6M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3",
    params: &[
        DB_STATION[0],
        DB_STATION[1],
        DB_STATION[2],
        DB_STATION[3],
        DB_STATION[4],
        ParamSpec {
            name: "read_ms",
            label: "Read time",
            unit: Unit::Millis,
            domain: num(0.0, 600_000.0, 50.0),
            help: "Mean time to serve a read query.",
        },
        ParamSpec {
            name: "write_ms",
            label: "Write time",
            unit: Unit::Millis,
            domain: num(0.0, 600_000.0, 100.0),
            help: "Mean time to serve a write query.",
        },
        ParamSpec {
            name: "max_writes_per_s",
            label: "Write ceiling",
            unit: Unit::PerSecond,
            domain: num(0.0, 10_000_000.0, 0.0),
            help: "Writes accepted per second (a one-second burst allowance); more are \
                   rejected. 0 means no ceiling.",
        },
        ParamSpec {
            name: "replication",
            label: "Replication",
            unit: Unit::None,
            domain: Domain::Choice {
                options: &[
                    choice("async", "Asynchronous (fast writes, can lose some)"),
                    choice("sync", "Synchronous (no loss, slower writes)"),
                ],
                default: "async",
            },
            help: "To the read replicas it is wired to. Asynchronous: a write is acknowledged \
                   once committed here and reaches the replicas after their lag. Synchronous: \
                   the write waits until every running replica has it.",
        },
        ParamSpec {
            name: "failover_s",
            label: "Failover after",
            unit: Unit::Seconds,
            domain: num(0.1, 3_600.0, 10.0),
            help: "When this database dies, how long until the failure is detected and the \
                   most up-to-date replica is promoted to take the writes.",
        },
        ParamSpec {
            name: "read_your_writes_s",
            label: "Read your writes",
            unit: Unit::Seconds,
            domain: num(0.0, 3_600.0, 0.0),
            help: "For this long after a user writes, their reads go to this database rather \
                   than a replica, so they see their own change. 0 turns it off.",
        },
        DB_STATION[5],
        DB_STATION[6],
        DB_STATION[7],
    ],
    targets: &[Kind::Replica, Kind::Database],
    metrics: DB_METRICS,
};

static REPLICA: KindSpec = KindSpec {
    kind: Kind::Replica,
    id: "read_replica",
    name: "Read replica",
    group: Group::Data,
    summary: "A copy of the database that serves reads, a little behind it.",
    details: "Wire a database to it: every write committed there reaches the replica after \
              the wire's latency plus a sampled replication lag, in commit order. Wire web \
              servers to the database and its replicas: reads spread over the running \
              replicas (the database when none is left), writes go to the database. A read \
              of a record the replica has not caught up on is a stale read. When the \
              database dies, the most up-to-date replica is promoted after the failover \
              delay; writes it had not received are lost.",
    id_prefix: "replica",
    // Two cylinders: a copy.
    icon: "M3 7c0-1.4 2.7-2.5 6-2.5s6 1.1 6 2.5-2.7 2.5-6 2.5S3 8.4 3 7zM3 7v10c0 1.4 2.7 2.5 6 2.5M15 7v3M13 13c0-1.4 2.2-2.5 4-2.5s4 1.1 4 2.5-2.2 2.5-4 2.5-4-1.1-4-2.5zM13 13v5c0 1.4 2.2 2.5 4 2.5s4-1.1 4-2.5v-5",
    params: &[
        REPLICA_STATION[0],
        REPLICA_STATION[1],
        REPLICA_STATION[2],
        REPLICA_STATION[3],
        REPLICA_STATION[4],
        ParamSpec {
            name: "read_ms",
            label: "Read time",
            unit: Unit::Millis,
            domain: num(0.0, 600_000.0, 50.0),
            help: "Mean time to serve a read query.",
        },
        ParamSpec {
            name: "lag_ms",
            label: "Replication lag",
            unit: Unit::Millis,
            domain: num(0.0, 3_600_000.0, 100.0),
            help: "Mean time (exponentially distributed) for a committed write to be applied \
                   here, on top of the wire's latency. Writes are applied in commit order.",
        },
        REPLICA_STATION[5],
        REPLICA_STATION[6],
        REPLICA_STATION[7],
    ],
    targets: &[],
    metrics: &[
        metric("arrivals", "Arrivals", Unit::PerSecond),
        metric("throughput", "Completed", Unit::PerSecond),
        metric("errors", "Errors", Unit::PerSecond),
        headline("utilisation", "Utilisation", Unit::Percent, "busy"),
        headline("lag_ms", "Replication lag", Unit::Millis, "lag"),
        metric("stale_reads", "Stale reads", Unit::PerSecond),
        metric("queue", "Queue length", Unit::Count),
        metric("lost_writes", "Writes lost at promotion", Unit::Count),
    ],
};

static CACHE: KindSpec = KindSpec {
    kind: Kind::Cache,
    id: "cache",
    name: "Cache",
    group: Group::Data,
    summary: "Keeps hot records in memory: 1–5 ms instead of a 50–100 ms query.",
    details: "Holds up to its capacity of records, each as the version it was filled with. \
              Wire a web server to a cache and a database (cache-aside): reads try the cache, \
              a miss reads the database and fills the cache; writes go to the database and then \
              update the cache, invalidate the key, or leave it to expire. Or wire web server → \
              cache → database (read-through). Several caches split the keys between them. The \
              hit rate is whatever the capacity, TTL, eviction and the users' key popularity \
              make it; a stale read is one that returned an older version than the database \
              holds. A cache that goes down or is flushed loses its contents.",
    id_prefix: "cache",
    // A lightning bolt: fast memory.
    icon: "M13 2 4 14h7l-1 8 9-12h-7z",
    params: &[
        ParamSpec {
            name: "capacity",
            label: "Capacity",
            unit: Unit::Count,
            domain: int(1.0, 10_000_000.0, 10_000.0),
            help: "Records it can hold; when full, the eviction policy makes room.",
        },
        ParamSpec {
            name: "ttl_s",
            label: "TTL",
            unit: Unit::Seconds,
            domain: num(0.0, 604_800.0, 300.0),
            help: "A record expires this long after it was filled; 0 keeps it until evicted. \
                   Too short reloads the database constantly; too long serves stale data.",
        },
        ParamSpec {
            name: "eviction",
            label: "Eviction",
            unit: Unit::None,
            domain: Domain::Choice {
                options: &[
                    choice("lru", "LRU (least recently used)"),
                    choice("lfu", "LFU (least frequently used)"),
                    choice("fifo", "FIFO (oldest first)"),
                    choice("random", "Random"),
                ],
                default: "lru",
            },
            help: "What a full cache drops to make room for a new record.",
        },
        ParamSpec {
            name: "write_policy",
            label: "On writes",
            unit: Unit::None,
            domain: Domain::Choice {
                options: &[
                    choice("invalidate", "Invalidate the key"),
                    choice("write_through", "Write through (update it)"),
                    choice("ttl_only", "Nothing: wait for the TTL"),
                ],
                default: "invalidate",
            },
            help: "What a write does to the cached copy: delete it once the database has the \
                   write, update the cache along with the database, or leave it to expire \
                   (stale reads until then).",
        },
        ParamSpec {
            name: "warm",
            label: "Warming",
            unit: Unit::None,
            domain: Domain::Choice {
                options: &[
                    choice("none", "None (starts cold)"),
                    choice("hottest", "Preload the hottest keys"),
                ],
                default: "none",
            },
            help: "Preload the most popular records at start and after a restart, so a \
                   restored cache does not send every read to the database at once.",
        },
        CACHE_STATION[0],
        CACHE_STATION[1],
        CACHE_STATION[2],
        CACHE_STATION[3],
        CACHE_STATION[4],
        ParamSpec {
            name: "service_ms",
            label: "Lookup time",
            unit: Unit::Millis,
            domain: num(0.0, 600_000.0, 1.0),
            help: "Mean time to serve one lookup or update (the chapter's 1–5 ms).",
        },
        CACHE_STATION[5],
        CACHE_STATION[6],
        CACHE_STATION[7],
    ],
    targets: &[Kind::Database],
    metrics: &[
        metric("arrivals", "Arrivals", Unit::PerSecond),
        headline("hit_rate", "Hit rate", Unit::Percent, "hit"),
        metric("misses", "Misses", Unit::PerSecond),
        metric("evictions", "Evictions", Unit::PerSecond),
        metric("stale_reads", "Stale reads", Unit::PerSecond),
        metric("stale_age_ms", "Mean stale age", Unit::Millis),
        headline("items", "Items cached", Unit::Count, "items"),
        metric("utilisation", "Utilisation", Unit::Percent),
        metric("errors", "Errors", Unit::PerSecond),
    ],
};

static CDN_EDGE: KindSpec = KindSpec {
    kind: Kind::CdnEdge,
    id: "cdn_edge",
    name: "CDN edge",
    group: Group::Edge,
    summary: "Serves images, scripts and styles from near the users.",
    details: "Wire users to CDN edges and the edges to the origin (a load balancer or web \
              server). Static-asset requests go to the nearest running edge (by the round \
              trip between the users' region and the edge's); a miss fetches the asset from \
              the origin across the network between them, then keeps it for the TTL. If no \
              edge is running, clients fall back to the origin. A deploy publishes new asset \
              versions (versioned names: every cached copy becomes unreachable); a flush \
              purges one edge. Bytes served from the edge and from the origin are counted \
              with their transfer cost.",
    id_prefix: "cdn",
    // A globe with a lightning bolt: fast and near.
    icon: "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM3 12h18M12 3c2.5 2.5 3.5 5.5 3.5 9s-1 6.5-3.5 9c-2.5-2.5-3.5-5.5-3.5-9s1-6.5 3.5-9z",
    params: &[
        ParamSpec {
            name: "region",
            label: "Region",
            unit: Unit::None,
            domain: Domain::Choice {
                options: REGIONS,
                default: "virginia",
            },
            help: "Where the edge is: users are served by the nearest one.",
        },
        ParamSpec {
            name: "capacity",
            label: "Capacity",
            unit: Unit::Count,
            domain: int(1.0, 10_000_000.0, 100_000.0),
            help: "Assets it can hold; when full, the least recently used makes room.",
        },
        ParamSpec {
            name: "ttl_s",
            label: "TTL",
            unit: Unit::Seconds,
            domain: num(0.0, 2_592_000.0, 86_400.0),
            help: "How long a fetched asset is kept (the origin's cache header); 0 keeps it \
                   until evicted.",
        },
        ParamSpec {
            name: "asset_kb",
            label: "Asset size",
            unit: Unit::Kilobytes,
            domain: num(0.1, 1_000_000.0, 200.0),
            help: "Mean size of one asset, for the bytes served and their cost.",
        },
        ParamSpec {
            name: "cost_per_gb",
            label: "Edge transfer cost",
            unit: Unit::DollarsPerGb,
            domain: num(0.0, 10.0, 0.085),
            help: "What the CDN charges per GB it serves.",
        },
        ParamSpec {
            name: "origin_cost_per_gb",
            label: "Origin transfer cost",
            unit: Unit::DollarsPerGb,
            domain: num(0.0, 10.0, 0.09),
            help: "What the origin's data center charges per GB it sends out (misses, and \
                   everything when the CDN is bypassed).",
        },
        CDN_STATION[0],
        CDN_STATION[1],
        CDN_STATION[2],
        CDN_STATION[3],
        CDN_STATION[4],
        ParamSpec {
            name: "service_ms",
            label: "Service time",
            unit: Unit::Millis,
            domain: num(0.0, 600_000.0, 2.0),
            help: "Mean time to serve one asset from the edge's cache.",
        },
        CDN_STATION[5],
        CDN_STATION[6],
        CDN_STATION[7],
    ],
    targets: &[Kind::LoadBalancer, Kind::WebServer],
    metrics: &[
        metric("arrivals", "Arrivals", Unit::PerSecond),
        headline("hit_rate", "Hit rate", Unit::Percent, "hit"),
        metric("edge_mb", "Served from the edge", Unit::MegabytesPerSecond),
        metric(
            "origin_mb",
            "Fetched from the origin",
            Unit::MegabytesPerSecond,
        ),
        metric("items", "Assets cached", Unit::Count),
        metric("errors", "Errors", Unit::PerSecond),
    ],
};

static SHARD_ROUTER: KindSpec = KindSpec {
    kind: Kind::ShardRouter,
    id: "shard_router",
    name: "Shard router",
    group: Group::Data,
    summary: "Splits the data over database shards by a shard key.",
    details: "Wire web servers to it and it to the shard databases (their order of wiring is \
              the shard order). Each request goes to the shard holding its shard key: the \
              record's key or the user. Hash modulo N spreads keys evenly but moves most of \
              them when N changes; consistent hashing with virtual nodes moves only about \
              1 − old/new; key ranges keep neighbours together. A celebrity key (Zipf \
              popularity) makes its shard hot, whatever the strategy, unless it is pinned to \
              a shard of its own. Resharding (a timeline action) moves to more or fewer of \
              the wired databases: the keys that change shard are copied at the migration \
              rate, loading both sides. Cross-shard reads fan out to every shard. A shard \
              with read replicas sends its reads to them and its writes to its primary.",
    id_prefix: "router",
    // A fork into three.
    icon: "M4 12h6M10 12l4-6h6M10 12h10M10 12l4 6h6",
    params: &[
        ParamSpec {
            name: "strategy",
            label: "Strategy",
            unit: Unit::None,
            domain: Domain::Choice {
                options: &[
                    choice("modulo", "Hash modulo N"),
                    choice("consistent", "Consistent hashing"),
                    choice("range", "Key ranges"),
                ],
                default: "consistent",
            },
            help: "How shard keys are spread over the shards.",
        },
        ParamSpec {
            name: "vnodes",
            label: "Virtual nodes",
            unit: Unit::Count,
            domain: int(1.0, 10_000.0, 100.0),
            help: "Points per shard on the consistent-hashing ring: more even out the load.",
        },
        ParamSpec {
            name: "shard_key",
            label: "Shard key",
            unit: Unit::None,
            domain: Domain::Choice {
                options: &[
                    choice("key", "The record's key"),
                    choice("user", "The user"),
                ],
                default: "key",
            },
            help: "What decides the shard: the record (popular records make hot shards) or the \
                   user (uniform).",
        },
        ParamSpec {
            name: "ring_seed",
            label: "Ring layout",
            unit: Unit::None,
            domain: int(0.0, 1_000_000.0, 1.0),
            help: "Which of the possible hash layouts: each gives a slightly different balance.",
        },
        ParamSpec {
            name: "shards",
            label: "Shards in use",
            unit: Unit::Count,
            domain: int(0.0, 1_000.0, 0.0),
            help: "How many of the wired databases hold data at the start (the first ones \
                   wired); the rest wait for resharding. 0 uses every one.",
        },
        ParamSpec {
            name: "migration_keys_per_s",
            label: "Migration rate",
            unit: Unit::PerSecond,
            domain: num(1.0, 1_000_000.0, 1_000.0),
            help: "Keys copied a second while resharding: each is a read at its old shard and \
                   a write at its new one, on top of the traffic. Until a key is copied, it is \
                   served from its old shard.",
        },
        ParamSpec {
            name: "pinned_keys",
            label: "Pinned hot keys",
            unit: Unit::Count,
            domain: int(0.0, 1_000_000.0, 0.0),
            help: "The most popular keys (a celebrity's) get the last shard in use to \
                   themselves; the rest spread over the others. 0: none.",
        },
        ParamSpec {
            name: "cross_shard_pct",
            label: "Cross-shard reads",
            unit: Unit::Percent,
            domain: num(0.0, 100.0, 0.0),
            help: "Share of reads that need every shard (a join across users): they fan out \
                   to all shards in use and finish with the slowest answer.",
        },
    ],
    targets: &[Kind::Database],
    metrics: &[
        metric("arrivals", "Arrivals", Unit::PerSecond),
        metric("errors", "Errors", Unit::PerSecond),
        headline(
            "hottest_pct",
            "Hottest shard's share",
            Unit::Percent,
            "hottest",
        ),
        metric("shards", "Shards in use", Unit::Count),
        metric("migrating", "Keys left to move", Unit::Count),
    ],
};

static MESSAGE_QUEUE: KindSpec = KindSpec {
    kind: Kind::MessageQueue,
    id: "message_queue",
    name: "Message queue",
    group: Group::Async,
    summary: "Holds jobs so web servers can answer now and the work happens later.",
    details: "A web server wired to a queue enqueues a job for every write and answers as soon \
              as the queue has it (the chapter's photo upload: a quick answer, the processing \
              later). Wire the queue to consumer pools: jobs go out in FIFO order to idle \
              workers. A job not acknowledged within the visibility timeout (its worker failed \
              or died) becomes visible again after a backoff; after the maximum attempts it \
              goes to the dead-letter queue. When full, new jobs are rejected. A persistent \
              queue keeps its jobs through a crash; otherwise they are lost.",
    id_prefix: "queue",
    // Stacked envelopes.
    icon: "M3 7h18v10H3zM3 7l9 6 9-6M6 4h12",
    params: &[
        ParamSpec {
            name: "capacity",
            label: "Capacity",
            unit: Unit::Count,
            domain: int(1.0, 100_000_000.0, 100_000.0),
            help: "Jobs it can hold (waiting or being worked on); beyond this new jobs are \
                   rejected.",
        },
        ParamSpec {
            name: "persistent",
            label: "Persistence",
            unit: Unit::None,
            domain: Domain::Choice {
                options: &[
                    choice("yes", "Persistent (survives a crash)"),
                    choice("no", "In memory (lost in a crash)"),
                ],
                default: "yes",
            },
            help: "Whether the jobs it holds survive it going down.",
        },
        ParamSpec {
            name: "visibility_timeout_s",
            label: "Visibility timeout",
            unit: Unit::Seconds,
            domain: num(0.01, 43_200.0, 30.0),
            help: "How long a delivered job stays hidden waiting for its acknowledgement before \
                   it is delivered again.",
        },
        ParamSpec {
            name: "max_attempts",
            label: "Max attempts",
            unit: Unit::Count,
            domain: int(1.0, 1_000.0, 5.0),
            help: "Deliveries before a job goes to the dead-letter queue.",
        },
        ParamSpec {
            name: "backoff_s",
            label: "Retry backoff",
            unit: Unit::Seconds,
            domain: num(0.0, 3_600.0, 1.0),
            help: "Wait before the first redelivery; it doubles with each attempt after that.",
        },
    ],
    targets: &[Kind::Consumer],
    metrics: &[
        metric("enqueued", "Enqueued", Unit::PerSecond),
        metric("dequeued", "Done", Unit::PerSecond),
        headline("depth", "Depth", Unit::Count, "depth"),
        headline("oldest_s", "Oldest job's age", Unit::Seconds, "oldest"),
        metric(
            "job_latency_ms",
            "Job latency (enqueue to done)",
            Unit::Millis,
        ),
        metric("rejected", "Rejected (full)", Unit::PerSecond),
        metric("dead_lettered", "Dead-lettered", Unit::PerSecond),
    ],
};

static CONSUMER: KindSpec = KindSpec {
    kind: Kind::Consumer,
    id: "consumer",
    name: "Consumers",
    group: Group::Async,
    summary: "Workers that take jobs from a queue and process them.",
    details: "A pool of workers fed by the queue wired to it: each idle worker takes the next \
              job, processes it for a sampled time and acknowledges it. A job that fails (the \
              failure share) or whose worker dies is not acknowledged, so the queue delivers \
              it again after its visibility timeout. With the pool down the backlog grows at \
              the arrival rate; back up, it drains at the service rate minus the arrival rate.",
    id_prefix: "workers",
    // Gears.
    icon: "M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zM12 2v3M12 19v3M4.2 4.2l2.1 2.1M17.7 17.7l2.1 2.1M2 12h3M19 12h3M4.2 19.8l2.1-2.1M17.7 6.3l2.1-2.1",
    params: &[
        ParamSpec {
            name: "workers",
            label: "Workers",
            unit: Unit::Count,
            domain: int(1.0, 100_000.0, 4.0),
            help: "Jobs processed at once.",
        },
        ParamSpec {
            name: "service_ms",
            label: "Processing time",
            unit: Unit::Millis,
            domain: num(0.0, 3_600_000.0, 2_000.0),
            help: "Mean time to process one job (resizing a photo, sending an email).",
        },
        ParamSpec {
            name: "service",
            label: "Processing-time distribution",
            unit: Unit::None,
            domain: Domain::Choice {
                options: SERVICE_DIST,
                default: "exponential",
            },
            help: "Shape of the processing time.",
        },
        ParamSpec {
            name: "service_cv",
            label: "Processing-time CV",
            unit: Unit::None,
            domain: num(0.01, 10.0, 1.0),
            help: "Coefficient of variation for log-normal processing times.",
        },
        ParamSpec {
            name: "failure_pct",
            label: "Failures",
            unit: Unit::Percent,
            domain: num(0.0, 100.0, 0.0),
            help: "Share of jobs whose processing fails (not acknowledged: the queue retries).",
        },
        ParamSpec {
            name: "cost_per_hour",
            label: "Cost",
            unit: Unit::DollarsPerHour,
            domain: num(0.0, 1_000.0, 0.20),
            help: "What the pool costs to run.",
        },
    ],
    targets: &[],
    metrics: &[
        metric("processed", "Processed", Unit::PerSecond),
        headline("utilisation", "Utilisation", Unit::Percent, "busy"),
        metric("failed", "Failed jobs", Unit::PerSecond),
    ],
};

static SESSION_STORE: KindSpec = KindSpec {
    kind: Kind::SessionStore,
    id: "session_store",
    name: "Session store",
    group: Group::Data,
    summary: "Keeps logged-in users' sessions outside the web servers (stateless web tier).",
    details: "Wire web servers with sessions set to shared to it: every logged-in request \
              checks its session here, so any server can answer any user and a web server \
              that dies loses nothing. It keeps sessions in memory: if it dies, every user \
              is logged out.",
    id_prefix: "sessions",
    // A key.
    icon: "M15 7a4 4 0 1 1-3.9 5H3v3h3v3h3v-3h2.1A4 4 0 0 1 15 7zM16.5 10.5h.01",
    params: &[
        SESSION_STATION[0],
        SESSION_STATION[1],
        SESSION_STATION[2],
        SESSION_STATION[3],
        SESSION_STATION[4],
        ParamSpec {
            name: "service_ms",
            label: "Lookup time",
            unit: Unit::Millis,
            domain: num(0.0, 600_000.0, 1.0),
            help: "Mean time to check or create one session.",
        },
        SESSION_STATION[5],
        SESSION_STATION[6],
        SESSION_STATION[7],
    ],
    targets: &[],
    metrics: &[
        metric("arrivals", "Arrivals", Unit::PerSecond),
        headline("utilisation", "Utilisation", Unit::Percent, "busy"),
        headline("sessions", "Sessions held", Unit::Count, "sessions"),
        metric("sessions_lost", "Sessions lost", Unit::Count),
        metric("errors", "Errors", Unit::PerSecond),
    ],
};

static DATA_CENTER: KindSpec = KindSpec {
    kind: Kind::DataCenter,
    id: "data_center",
    name: "Data center",
    group: Group::Regions,
    summary: "A building in one region: the components placed inside it run there.",
    details: "Draw it around components to put them in a region. Moving or copying it takes \
              what it holds along; deleting it removes only the box. Taking it down on the \
              timeline takes down everything inside at once, the way a whole data center \
              fails.",
    id_prefix: "dc",
    // A building.
    icon: "M4 21V5l8-3 8 3v16M4 21h16M9 21v-4h6v4M8 8h.01M12 8h.01M16 8h.01M8 12h.01M12 12h.01M16 12h.01",
    params: &[
        ParamSpec {
            name: "region",
            label: "Region",
            unit: Unit::None,
            domain: Domain::Choice {
                options: REGIONS,
                default: "virginia",
            },
            help: "Where the data center is.",
        },
        ParamSpec {
            name: "width",
            label: "Width",
            unit: Unit::Pixels,
            domain: int(DATA_CENTER_MIN_WIDTH, DATA_CENTER_MAX, 432.0),
            help: "Size of the box on the canvas (drag its corner to resize).",
        },
        ParamSpec {
            name: "height",
            label: "Height",
            unit: Unit::Pixels,
            domain: int(DATA_CENTER_MIN_HEIGHT, DATA_CENTER_MAX, 288.0),
            help: "Size of the box on the canvas (drag its corner to resize).",
        },
    ],
    targets: &[],
    metrics: &[],
};

/// Smallest data-center box: one component's box with a grid step around it.
pub const DATA_CENTER_MIN_WIDTH: f64 = 216.0;
/// Smallest data-center box height: room for the title and one component.
pub const DATA_CENTER_MIN_HEIGHT: f64 = 144.0;
/// Largest data-center box side (a multiple of the grid).
pub const DATA_CENTER_MAX: f64 = 19_992.0;

/// Parameters that only matter for some values of another: (kind, parameter, the parameter it
/// depends on, the values that make it matter, why it does not otherwise).
const DEPENDS: &[(Kind, &str, &str, &[&str], &str)] = &[
    (
        Kind::Users,
        "peak_rate",
        "profile",
        &["step", "ramp", "spike", "diurnal"],
        "the rate profile is constant",
    ),
    (
        Kind::Users,
        "profile_start",
        "profile",
        &["step", "ramp", "spike"],
        "only step, ramp and spike profiles have a start",
    ),
    (
        Kind::Users,
        "profile_duration",
        "profile",
        &["ramp", "spike", "diurnal"],
        "only ramp, spike and diurnal profiles have a duration",
    ),
    (
        Kind::Users,
        "zipf_s",
        "key_popularity",
        &["zipf"],
        "keys are uniformly popular",
    ),
    (
        Kind::WebServer,
        "min_instances",
        "autoscale",
        &["cpu"],
        "auto-scaling is off",
    ),
    (
        Kind::WebServer,
        "max_instances",
        "autoscale",
        &["cpu"],
        "auto-scaling is off",
    ),
    (
        Kind::WebServer,
        "scale_out_cpu_pct",
        "autoscale",
        &["cpu"],
        "auto-scaling is off",
    ),
    (
        Kind::WebServer,
        "scale_out_after_s",
        "autoscale",
        &["cpu"],
        "auto-scaling is off",
    ),
    (
        Kind::WebServer,
        "scale_out_step",
        "autoscale",
        &["cpu"],
        "auto-scaling is off",
    ),
    (
        Kind::WebServer,
        "scale_in_cpu_pct",
        "autoscale",
        &["cpu"],
        "auto-scaling is off",
    ),
    (
        Kind::WebServer,
        "scale_in_after_s",
        "autoscale",
        &["cpu"],
        "auto-scaling is off",
    ),
    (
        Kind::WebServer,
        "scale_in_step",
        "autoscale",
        &["cpu"],
        "auto-scaling is off",
    ),
    (
        Kind::WebServer,
        "cooldown_s",
        "autoscale",
        &["cpu"],
        "auto-scaling is off",
    ),
];

/// The same rules for every kind that has both parameters (machines with a size preset, a
/// service-time distribution): (parameter, the parameter it depends on, the values that make it
/// matter, why it does not otherwise).
const MACHINE_DEPENDS: &[(&str, &str, &[&str], &str)] = &[
    (
        "workers",
        "size",
        &["custom"],
        "the machine size sets the workers",
    ),
    (
        "cost_per_hour",
        "size",
        &["custom"],
        "the machine size sets the cost",
    ),
    (
        "service_cv",
        "service",
        &["lognormal"],
        "only log-normal times have a CV",
    ),
];

/// Why parameter `name` of `c` has no effect with `c`'s other settings (a machine-size preset
/// overrides the workers, say), or `None` when it is in use. The inspector greys such fields
/// out and says why.
pub fn unused_because(c: &Component, name: &str) -> Option<&'static str> {
    let spec = c.kind.spec();
    DEPENDS
        .iter()
        .filter(|(kind, ..)| *kind == c.kind)
        .map(|(_, param, on, values, why)| (*param, *on, *values, *why))
        .chain(
            MACHINE_DEPENDS
                .iter()
                .copied()
                .filter(|(param, on, ..)| spec.param(param).is_some() && spec.param(on).is_some()),
        )
        .find(|(param, ..)| *param == name)
        .and_then(|(_, on, values, why)| (!values.contains(&c.choice(on))).then_some(why))
}

/// Why `from` may not send requests to `to`, or `None` when it may.
pub fn connection_refusal(from: Kind, to: Kind) -> Option<String> {
    if from.spec().targets.contains(&to) {
        return None;
    }
    let reason = match (from, to) {
        (Kind::DataCenter, _) | (_, Kind::DataCenter) => {
            "a data center is a box around components; wire the components inside it".to_string()
        }
        (_, Kind::Users) => "users only send requests; nothing sends requests to them".to_string(),
        (Kind::Database, _) => "a database answers queries; it sends only its replication \
                                stream, to read replicas or to other primaries"
            .to_string(),
        (Kind::Replica, _) => {
            "a read replica answers reads; it does not send requests onward".to_string()
        }
        (Kind::Consumer, _) => {
            "consumers take jobs from the queue wired to them; they send nothing onward".to_string()
        }
        (Kind::SessionStore, _) => {
            "a session store answers session checks; it does not send requests onward".to_string()
        }
        (_, Kind::Dns | Kind::GeoDns) => "only users look names up in DNS".to_string(),
        _ => {
            let allowed: Vec<&str> = from.spec().targets.iter().map(|k| k.spec().name).collect();
            format!(
                "a {} can send requests to: {}",
                from.spec().name.to_lowercase(),
                allowed.join(", ").to_lowercase()
            )
        }
    };
    Some(format!(
        "{} → {}: {reason}",
        from.spec().name,
        to.spec().name
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_ids_round_trip_and_match_serde() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_id(kind.id()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.id()));
        }
        assert_eq!(Kind::from_id("mainframe"), None);
    }

    #[test]
    fn every_default_is_inside_its_domain() {
        for spec in catalogue() {
            for p in spec.params {
                match &p.domain {
                    Domain::Number {
                        min,
                        max,
                        default,
                        integer,
                    } => {
                        assert!(min <= default && default <= max, "{}.{}", spec.id, p.name);
                        if *integer {
                            assert_eq!(default.fract(), 0.0, "{}.{}", spec.id, p.name);
                        }
                    }
                    Domain::Choice { options, default } => {
                        assert!(
                            options.iter().any(|o| o.value == *default),
                            "{}.{}",
                            spec.id,
                            p.name
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn parameter_names_are_unique_per_kind() {
        for spec in catalogue() {
            let mut names: Vec<_> = spec.params.iter().map(|p| p.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), spec.params.len(), "{}", spec.id);
        }
    }

    #[test]
    fn the_palette_groups_hold_every_kind_once_in_group_order() {
        let groups = by_group();
        let kinds: Vec<Kind> = groups
            .iter()
            .flat_map(|(_, ks)| ks.iter().map(|k| k.kind))
            .collect();
        let mut sorted = kinds.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), Kind::ALL.len());
        assert_eq!(kinds.len(), Kind::ALL.len());
        assert!(groups.windows(2).all(|w| w[0].0 < w[1].0));
        for (g, ks) in &groups {
            assert!(ks.iter().all(|k| k.group == *g));
        }
    }

    #[test]
    fn size_presets_are_offered_as_choices() {
        for preset in SIZES {
            assert!(SIZE_CHOICES.iter().any(|c| c.value == preset.value));
        }
    }

    #[test]
    fn dependent_parameters_name_real_parameters_and_values() {
        for (kind, param, on, values, _) in DEPENDS {
            let spec = kind.spec();
            assert!(spec.param(param).is_some(), "{}.{param}", spec.id);
            let Some(ParamSpec {
                domain: Domain::Choice { options, .. },
                ..
            }) = spec.param(on)
            else {
                panic!("{}.{on} is not a choice", spec.id);
            };
            for v in *values {
                assert!(
                    options.iter().any(|o| o.value == *v),
                    "{}.{on} = {v}",
                    spec.id
                );
            }
        }
        let preset = Component::new("web", Kind::WebServer).with_choice("size", "c8");
        assert!(unused_because(&preset, "workers").is_some());
        assert!(unused_because(&preset, "service_ms").is_none());
        let custom = Component::new("web", Kind::WebServer);
        assert!(
            unused_because(&custom, "workers").is_none(),
            "custom is the default"
        );
        assert!(
            unused_because(&custom, "service_cv").is_some(),
            "exponential by default"
        );
    }

    #[test]
    fn refusals_explain_themselves() {
        assert_eq!(connection_refusal(Kind::Users, Kind::LoadBalancer), None);
        let why = connection_refusal(Kind::Database, Kind::Dns).unwrap();
        assert!(why.contains("Database → DNS"), "{why}");
        assert!(connection_refusal(Kind::WebServer, Kind::Users).is_some());
    }
}
