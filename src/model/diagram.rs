//! The diagram document: components, wires, traffic and run settings, and a timeline of
//! scheduled events. This is the file format (`docs/diagram-format.md`); it holds no view state.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::catalogue::{Domain, Kind};

/// Marker written in every document so a stray JSON file is recognised as not ours.
pub const FORMAT_MARKER: &str = "archplay-diagram";

/// A whole architecture diagram with its run settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Diagram {
    /// Always [`FORMAT_MARKER`].
    #[serde(default = "format_marker")]
    pub format: String,
    /// Format version; see [`super::FORMAT_VERSION`].
    pub version: u32,
    /// Title shown in the app and reports.
    #[serde(default)]
    pub name: String,
    /// A paragraph about what the diagram shows.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The components, in creation order.
    pub components: Vec<Component>,
    /// Directed wires: requests flow from `from` to `to`, answers flow back.
    #[serde(default)]
    pub wires: Vec<Wire>,
    /// Global traffic controls.
    #[serde(default)]
    pub traffic: Traffic,
    /// How long to run, warm-up, seed.
    #[serde(default)]
    pub run: RunSettings,
    /// Scheduled events: failures, recoveries, traffic changes.
    #[serde(default)]
    pub timeline: Vec<TimelineEvent>,
    /// Round trips between regions that differ from the defaults (see `model::regions`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub region_latency: Vec<super::regions::RegionLatency>,
    /// The alert rules' thresholds (the chapter's by default).
    #[serde(default, skip_serializing_if = "Alerts::is_default")]
    pub alerts: Alerts,
}

/// When alerts fire: a rule fires once its condition has held `hold_s` seconds in a row and
/// resolves at the first second it no longer holds. A threshold of 0 turns its rule off.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Alerts {
    /// The system's p95 latency above this many ms.
    pub p95_ms: f64,
    /// The system's error rate above this many %.
    pub error_pct: f64,
    /// A cache's hit rate below this many %.
    pub hit_rate_pct: f64,
    /// A queue's oldest job older than this many s.
    pub queue_age_s: f64,
    /// Seconds a condition must hold before its alert fires.
    pub hold_s: f64,
}

impl Default for Alerts {
    /// The chapter's: p95 over a second, errors over 2 %, cache hits under 75 %, a job
    /// waiting over a minute; for 5 s.
    fn default() -> Self {
        Alerts {
            p95_ms: 1_000.0,
            error_pct: 2.0,
            hit_rate_pct: 75.0,
            queue_age_s: 60.0,
            hold_s: 5.0,
        }
    }
}

impl Alerts {
    /// Whether these are the defaults (left out of a saved diagram).
    pub fn is_default(&self) -> bool {
        *self == Alerts::default()
    }
}

fn format_marker() -> String {
    FORMAT_MARKER.to_string()
}

/// A component's identifier, unique in its diagram (e.g. `web-2`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ComponentId(pub String);

impl ComponentId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ComponentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ComponentId {
    fn from(s: &str) -> Self {
        ComponentId(s.to_string())
    }
}

/// One box on the diagram.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// Unique id: letters, digits, `-`, `_` or `.`, at most 64 characters.
    pub id: ComponentId,
    /// What it is.
    pub kind: Kind,
    /// Display label; the id when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// Canvas position (world units), top-left corner.
    #[serde(default)]
    pub x: f64,
    /// Canvas position (world units), top-left corner.
    #[serde(default)]
    pub y: f64,
    /// Parameter values; a parameter left out takes its catalogue default.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, ParamValue>,
}

/// A parameter value: a number or a choice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// A numeric parameter.
    Number(f64),
    /// A choice parameter.
    Text(String),
}

impl Component {
    /// A component of `kind` with every parameter at its default.
    pub fn new(id: &str, kind: Kind) -> Self {
        Component {
            id: ComponentId::from(id),
            kind,
            label: String::new(),
            x: 0.0,
            y: 0.0,
            params: BTreeMap::new(),
        }
    }

    /// Sets a numeric parameter (builder style, for code that makes diagrams).
    pub fn with(mut self, name: &str, value: f64) -> Self {
        self.params
            .insert(name.to_string(), ParamValue::Number(value));
        self
    }

    /// Sets a choice parameter (builder style).
    pub fn with_choice(mut self, name: &str, value: &str) -> Self {
        self.params
            .insert(name.to_string(), ParamValue::Text(value.to_string()));
        self
    }

    /// The label to show: the label, or the id when there is none.
    pub fn display_name(&self) -> &str {
        if self.label.is_empty() {
            self.id.as_str()
        } else {
            &self.label
        }
    }

    /// The value of numeric parameter `name`, or its default.
    ///
    /// Panics if the catalogue has no numeric parameter of that name for this kind: that is a
    /// programming error, not bad input (validation rejects unknown names in documents).
    pub fn number(&self, name: &str) -> f64 {
        match self.params.get(name) {
            Some(ParamValue::Number(v)) => *v,
            _ => match self.kind.spec().param(name).map(|p| &p.domain) {
                Some(Domain::Number { default, .. }) => *default,
                _ => panic!("{} has no numeric parameter {name}", self.kind.id()),
            },
        }
    }

    /// The value of choice parameter `name`, or its default. Panics like [`Component::number`].
    pub fn choice(&self, name: &str) -> &str {
        match self.params.get(name) {
            Some(ParamValue::Text(v)) => v,
            _ => match self.kind.spec().param(name).map(|p| &p.domain) {
                Some(Domain::Choice { default, .. }) => default,
                _ => panic!("{} has no choice parameter {name}", self.kind.id()),
            },
        }
    }
}

/// A directed connection: `from` sends requests to `to`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wire {
    /// The caller.
    pub from: ComponentId,
    /// The callee.
    pub to: ComponentId,
    /// One-way network latency; the answer pays it again on the way back.
    #[serde(default = "default_latency_ms")]
    pub latency_ms: f64,
    /// Share of traffic for weighted load balancing.
    #[serde(default = "default_weight")]
    pub weight: f64,
}

/// One-way latency inside one data center.
pub const DEFAULT_LATENCY_MS: f64 = 0.25;

fn default_latency_ms() -> f64 {
    DEFAULT_LATENCY_MS
}

fn default_weight() -> f64 {
    1.0
}

impl Wire {
    /// A wire with the default latency and weight.
    pub fn new(from: &str, to: &str) -> Self {
        Wire {
            from: ComponentId::from(from),
            to: ComponentId::from(to),
            latency_ms: DEFAULT_LATENCY_MS,
            weight: 1.0,
        }
    }

    /// Sets the one-way latency (builder style).
    pub fn latency(mut self, ms: f64) -> Self {
        self.latency_ms = ms;
        self
    }
}

/// Global traffic controls, applied on top of each users component's own rate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Traffic {
    /// Multiplies every users component's rate.
    #[serde(default = "one")]
    pub rate_scale: f64,
}

fn one() -> f64 {
    1.0
}

impl Default for Traffic {
    fn default() -> Self {
        Traffic { rate_scale: 1.0 }
    }
}

/// How a run is set up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSettings {
    /// Simulated seconds to run.
    #[serde(default = "default_duration")]
    pub duration_s: f64,
    /// Simulated seconds at the start left out of summaries.
    #[serde(default = "default_warmup")]
    pub warmup_s: f64,
    /// Seed of the run's random numbers.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// The chaos monkey: random instances of web servers killed per hour (0: off). Each is
    /// noticed and replaced as its group is set to.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub chaos_per_hour: f64,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

fn default_duration() -> f64 {
    60.0
}
fn default_warmup() -> f64 {
    5.0
}
fn default_seed() -> u64 {
    1
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            duration_s: default_duration(),
            warmup_s: default_warmup(),
            seed: default_seed(),
            chaos_per_hour: 0.0,
        }
    }
}

/// Something that happens at a scheduled simulated time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    /// When, in simulated seconds from the start.
    pub at_s: f64,
    /// What happens.
    #[serde(flatten)]
    pub action: Action,
}

/// A scheduled action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Take a component down: it drops what it holds and refuses new requests.
    Kill {
        /// The component.
        target: ComponentId,
    },
    /// Bring a component back up, empty.
    Restore {
        /// The component.
        target: ComponentId,
    },
    /// Empty a cache or purge a CDN edge (it stays up): every read misses until it fills
    /// again.
    Flush {
        /// The cache or CDN edge.
        target: ComponentId,
    },
    /// Publish a new version of every static asset: versioned names make the CDN edges'
    /// copies unreachable.
    Deploy,
    /// Set the global traffic multiplier (a spike, a lull).
    RateScale {
        /// The new [`Traffic::rate_scale`].
        scale: f64,
    },
    /// Move a shard router to `shards` of its wired databases, copying the keys that change
    /// shard at its migration rate.
    Reshard {
        /// The shard router.
        target: ComponentId,
        /// Shards in use from now on.
        shards: u32,
    },
    /// Add a delay to a wire (a congested or degraded link) from now on; 0 takes it away.
    DelayWire {
        /// The wire's caller.
        from: ComponentId,
        /// The wire's callee.
        to: ComponentId,
        /// Extra one-way latency, in ms.
        ms: f64,
    },
    /// Cut the network between two regions: nothing crosses until it heals.
    Partition {
        /// One region.
        a: String,
        /// The other.
        b: String,
    },
    /// Mend a partition between two regions.
    Heal {
        /// One region.
        a: String,
        /// The other.
        b: String,
    },
}

impl Action {
    /// The component the action is about, if it is about one.
    pub fn target(&self) -> Option<&ComponentId> {
        match self {
            Action::Kill { target }
            | Action::Restore { target }
            | Action::Flush { target }
            | Action::Reshard { target, .. } => Some(target),
            Action::DelayWire { from, .. } => Some(from),
            Action::RateScale { .. }
            | Action::Deploy
            | Action::Partition { .. }
            | Action::Heal { .. } => None,
        }
    }
}

impl Diagram {
    /// An empty diagram at the current format version.
    pub fn new(name: &str) -> Self {
        Diagram {
            format: format_marker(),
            version: super::FORMAT_VERSION,
            name: name.to_string(),
            description: String::new(),
            components: Vec::new(),
            wires: Vec::new(),
            traffic: Traffic::default(),
            run: RunSettings::default(),
            timeline: Vec::new(),
            region_latency: Vec::new(),
            alerts: Alerts::default(),
        }
    }

    /// The component with id `id`.
    pub fn component(&self, id: &ComponentId) -> Option<&Component> {
        self.components.iter().find(|c| &c.id == id)
    }

    /// Serialises to the documented JSON format, pretty-printed.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a diagram always serialises")
    }
}
