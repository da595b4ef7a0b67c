//! Per-second time series: one row a simulated second for the whole system and for each
//! component, with the metrics its kind publishes (see the catalogue). Kept in bounded rings.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::model::Kind;

use super::dns::Dns;
use super::engine::{Behaviour, EndToEnd, Node};
use super::histogram::Histogram;
use super::messaging::Jobs;
use super::metrics::{Cause, Counters};
use super::time::SimTime;

/// Names of the system-wide series, after `time_s`: traffic, latency, and then the errors of
/// each [`Cause`] in [`Cause::ALL`] order (`errors_<cause id>`, per second).
pub const GLOBAL_METRICS: [&str; 18] = [
    "sent",
    "ok",
    "errors",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "in_flight",
    "errors_queue_full",
    "errors_lb_overloaded",
    "errors_write_ceiling",
    "errors_in_flight_cap",
    "errors_timeout",
    "errors_connection_refused",
    "errors_crashed",
    "errors_no_healthy_backend",
    "errors_unreachable",
    "errors_dns_failure",
    "errors_logged_out",
];

/// Where the per-cause error columns start in [`GLOBAL_METRICS`].
const CAUSE_COLUMNS: usize = 7;

/// Hits as a percentage of lookups (caches, CDN edges); 0 with no lookups.
fn hit_rate(d: &Counters) -> f64 {
    let lookups = d.hits + d.misses;
    if lookups > 0 {
        100.0 * d.hits as f64 / lookups as f64
    } else {
        0.0
    }
}

/// Column names travel in a snapshot as text and come back as the catalogue's own names.
mod metric_names {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::model::Kind;

    use super::GLOBAL_METRICS;

    /// The published name equal to `name`: a system-wide column or a kind's metric.
    fn known(name: &str) -> Option<&'static str> {
        GLOBAL_METRICS
            .iter()
            .copied()
            .chain(
                Kind::ALL
                    .iter()
                    .flat_map(|k| k.spec().metrics.iter().map(|m| m.name)),
            )
            .find(|n| *n == name)
    }

    pub fn serialize<S: Serializer>(names: &[&'static str], s: S) -> Result<S::Ok, S::Error> {
        names.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<&'static str>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|n| known(n).ok_or_else(|| D::Error::custom(format!("unknown metric {n:?}"))))
            .collect()
    }
}

/// One table of samples: a time column and named value columns, oldest rows dropped first.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Series {
    #[serde(with = "metric_names")]
    names: Vec<&'static str>,
    data: VecDeque<f64>,
    capacity: usize,
}

impl Series {
    fn new(names: Vec<&'static str>, capacity: usize) -> Self {
        Series {
            names,
            data: VecDeque::new(),
            capacity,
        }
    }

    fn stride(&self) -> usize {
        self.names.len() + 1
    }

    fn push(&mut self, time_s: f64, values: &[f64]) {
        debug_assert_eq!(values.len(), self.names.len());
        if self.len() == self.capacity {
            self.data.drain(..self.stride());
        }
        self.data.push_back(time_s);
        self.data.extend(values.iter().copied());
    }

    /// Rows sampled after `time_s`, oldest first, flattened (time, then the values).
    pub(crate) fn rows_after(&self, time_s: f64) -> Vec<f64> {
        let s = self.stride();
        let first = (0..self.len())
            .find(|&i| self.data[i * s] > time_s)
            .unwrap_or(self.len());
        self.data.range(first * s..).copied().collect()
    }

    /// Appends flattened rows as [`Series::rows_after`] gives them (a copy catching up).
    pub(crate) fn extend_rows(&mut self, rows: &[f64]) {
        for row in rows.chunks_exact(self.stride()) {
            self.push(row[0], &row[1..]);
        }
    }

    /// The time of the newest row, if any.
    pub(crate) fn last_time(&self) -> Option<f64> {
        let n = self.len();
        (n > 0).then(|| self.data[(n - 1) * self.stride()])
    }

    /// The value columns' names (the time column, `time_s`, comes first in every row).
    pub fn names(&self) -> &[&'static str] {
        &self.names
    }

    /// Rows kept.
    pub fn len(&self) -> usize {
        self.data.len() / self.stride()
    }

    /// True when no sample has been taken.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Row `i` (0 is the oldest kept): time, then the values.
    pub fn row(&self, i: usize) -> Vec<f64> {
        let s = self.stride();
        self.data.range(i * s..(i + 1) * s).copied().collect()
    }

    /// The newest value of column `name`, if there is a row.
    pub fn last(&self, name: &str) -> Option<f64> {
        let col = self.names.iter().position(|n| *n == name)? + 1;
        let n = self.len();
        (n > 0).then(|| self.data[(n - 1) * self.stride() + col])
    }

    /// The `(time, value)` points of column `name`.
    pub fn column(&self, name: &str) -> Option<Vec<(f64, f64)>> {
        let col = self.names.iter().position(|n| *n == name)? + 1;
        let s = self.stride();
        Some(
            (0..self.len())
                .map(|i| (self.data[i * s], self.data[i * s + col]))
                .collect(),
        )
    }
}

/// Every series of a run.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct SeriesStore {
    /// The whole system.
    pub global: Series,
    /// One per component, in diagram order.
    pub nodes: Vec<Series>,
    prev_nodes: Vec<Counters>,
    prev_e2e: EndToEnd,
    prev_time: SimTime,
    /// Scratch space: this second's latencies over every users node.
    merged: Histogram,
}

impl SeriesStore {
    /// The series as CSV, with `ids` naming the components in order.
    pub(crate) fn to_csv(&self, ids: &[&str]) -> String {
        use std::fmt::Write as _;
        let mut s = String::from("time_s");
        for n in self.global.names() {
            let _ = write!(s, ",{n}");
        }
        for (id, series) in ids.iter().zip(&self.nodes) {
            for n in series.names() {
                let _ = write!(s, ",{id}.{n}");
            }
        }
        s.push('\n');
        for i in 0..self.global.len() {
            let row = self.global.row(i);
            let _ = write!(s, "{}", row[0]);
            for v in &row[1..] {
                let _ = write!(s, ",{v}");
            }
            for series in &self.nodes {
                for v in series.row(i).iter().skip(1) {
                    let _ = write!(s, ",{v}");
                }
            }
            s.push('\n');
        }
        s
    }

    pub(crate) fn new(nodes: &[Node], capacity: usize) -> Self {
        SeriesStore {
            global: Series::new(GLOBAL_METRICS.to_vec(), capacity),
            nodes: nodes
                .iter()
                .map(|n| {
                    Series::new(
                        n.kind.spec().metrics.iter().map(|m| m.name).collect(),
                        capacity,
                    )
                })
                .collect(),
            prev_nodes: vec![Counters::default(); nodes.len()],
            prev_e2e: EndToEnd::default(),
            prev_time: SimTime::ZERO,
            merged: Histogram::new(),
        }
    }

    /// Appends one row to every series: rates and means over the time since the last sample.
    pub(crate) fn sample(
        &mut self,
        now: SimTime,
        nodes: &[Node],
        jobs: &Jobs,
        e2e: &EndToEnd,
        in_flight: u32,
    ) {
        let dt = (now - self.prev_time).as_secs_f64();
        if dt <= 0.0 {
            return;
        }
        let t = now.as_secs_f64();
        let ms = |ns: f64| ns / 1e6;
        // Latency percentiles of this second, over every users node.
        self.merged.clear();
        for n in nodes.iter().filter(|n| n.kind == Kind::Users) {
            self.merged.merge(&n.interval_latency);
        }
        let mut p = [0.0; 3];
        self.merged.quantiles(&[0.50, 0.95, 0.99], &mut p);
        let errors = (e2e.failed_total() - self.prev_e2e.failed_total()) as f64;
        let mut row = [0.0; GLOBAL_METRICS.len()];
        row[..CAUSE_COLUMNS].copy_from_slice(&[
            (e2e.sent - self.prev_e2e.sent) as f64 / dt,
            (e2e.ok - self.prev_e2e.ok) as f64 / dt,
            errors / dt,
            ms(p[0]),
            ms(p[1]),
            ms(p[2]),
            f64::from(in_flight),
        ]);
        for (i, cause) in Cause::ALL.into_iter().enumerate() {
            let c = cause as usize;
            row[CAUSE_COLUMNS + i] = (e2e.failed[c] - self.prev_e2e.failed[c]) as f64 / dt;
        }
        self.global.push(t, &row);
        self.prev_e2e = *e2e;
        for (i, n) in nodes.iter().enumerate() {
            let now_c = n.counters_at(now);
            let d = now_c.since(&self.prev_nodes[i]);
            let rate = |x: u64| x as f64 / dt;
            let values: Vec<f64> = match n.kind {
                Kind::Users => {
                    n.interval_latency.quantiles(&[0.50, 0.95, 0.99], &mut p);
                    vec![
                        rate(d.arrivals),
                        rate(d.completed),
                        rate(d.failed_total() + d.downstream_failed),
                        ms(p[0]),
                        ms(p[1]),
                        ms(p[2]),
                    ]
                }
                Kind::Dns => vec![rate(d.misses), rate(d.hits), rate(d.failed_total())],
                Kind::GeoDns => {
                    let healthy = match &n.behaviour {
                        Behaviour::Dns(Dns { geo: Some(g), .. }) => g.healthy() as f64,
                        _ => 0.0,
                    };
                    vec![
                        rate(d.misses),
                        rate(d.hits),
                        rate(d.failed_total()),
                        rate(d.retries),
                        healthy,
                    ]
                }
                Kind::LoadBalancer => {
                    let in_rotation = match &n.behaviour {
                        Behaviour::LoadBalancer(lb) => lb.in_rotation() as f64,
                        _ => 0.0,
                    };
                    vec![
                        rate(d.arrivals),
                        rate(d.failed_total() + d.downstream_failed),
                        in_rotation,
                        n.busy.value() as f64,
                    ]
                }
                Kind::DataCenter => Vec::new(),
                Kind::Replica => {
                    let lag = match &n.behaviour {
                        Behaviour::Station(s) => s
                            .replica
                            .as_deref()
                            .map_or(0.0, |r| r.lag_at(now).as_nanos() as f64),
                        _ => 0.0,
                    };
                    let span_ns = dt * 1e9;
                    vec![
                        rate(d.arrivals),
                        rate(d.completed),
                        rate(d.failed_total()),
                        d.utilisation_pct(),
                        ms(lag),
                        rate(d.stale_reads),
                        d.queue_area as f64 / span_ns,
                        d.lost_writes as f64,
                    ]
                }
                Kind::Cache => {
                    let items = match &n.behaviour {
                        Behaviour::Station(s) => s.cache.as_ref().map_or(0, |c| c.store.live(now)),
                        _ => 0,
                    };
                    vec![
                        rate(d.arrivals),
                        hit_rate(&d),
                        rate(d.misses),
                        rate(d.evictions),
                        rate(d.stale_reads),
                        if d.stale_reads > 0 {
                            ms(d.stale_age_sum as f64 / d.stale_reads as f64)
                        } else {
                            0.0
                        },
                        items as f64,
                        d.utilisation_pct(),
                        rate(d.failed_total()),
                    ]
                }
                Kind::WebServer | Kind::Database => {
                    let span_ns = dt * 1e9;
                    let mut row = vec![
                        rate(d.arrivals),
                        rate(d.completed),
                        rate(d.failed_total()),
                        d.utilisation_pct(),
                        d.queue_area as f64 / span_ns,
                        if d.waits > 0 {
                            ms(d.wait_sum as f64 / d.waits as f64)
                        } else {
                            0.0
                        },
                    ];
                    if n.kind == Kind::WebServer {
                        row.push(n.sessions_held as f64);
                        row.push(d.sessions_lost as f64);
                        let (running, cost) = match &n.behaviour {
                            Behaviour::Station(s) => s.group.as_ref().map_or((1.0, 0.0), |g| {
                                (
                                    f64::from(g.running()),
                                    s.cost_per_hour * f64::from(g.billed()),
                                )
                            }),
                            _ => (0.0, 0.0),
                        };
                        row.push(running);
                        row.push(cost);
                    } else {
                        row.push(rate(d.conflicts));
                    }
                    row
                }
                Kind::CdnEdge => {
                    let items = match &n.behaviour {
                        Behaviour::Station(s) => s.cdn.as_ref().map_or(0, |c| c.store.live(now)),
                        _ => 0,
                    };
                    vec![
                        rate(d.arrivals),
                        hit_rate(&d),
                        d.edge_bytes as f64 / 1e6 / dt,
                        d.origin_bytes as f64 / 1e6 / dt,
                        items as f64,
                        rate(d.failed_total()),
                    ]
                }
                Kind::ShardRouter => {
                    let (hottest, shards, left) = match &n.behaviour {
                        Behaviour::Router(r) => (
                            r.hottest_pct,
                            f64::from(r.active),
                            r.migration.as_ref().map_or(0.0, |m| m.left as f64),
                        ),
                        _ => (0.0, 0.0, 0.0),
                    };
                    vec![
                        rate(d.arrivals),
                        rate(d.failed_total() + d.downstream_failed),
                        hottest,
                        shards,
                        left,
                    ]
                }
                Kind::MessageQueue => {
                    let (depth, oldest, latency) = match &n.behaviour {
                        Behaviour::Queue(q) => {
                            let oldest = q
                                .ready
                                .front()
                                .map_or(0.0, |&j| (now - jobs.get(j).created).as_secs_f64());
                            (q.held as f64, oldest, q.interval_latency.mean())
                        }
                        _ => (0.0, 0.0, 0.0),
                    };
                    vec![
                        rate(d.arrivals),
                        rate(d.jobs_done),
                        depth,
                        oldest,
                        ms(latency),
                        rate(d.failed_total()),
                        rate(d.dead_lettered),
                    ]
                }
                Kind::Consumer => {
                    let workers = match &n.behaviour {
                        Behaviour::Consumers(c) => c.workers.max(1) as f64,
                        _ => 1.0,
                    };
                    vec![
                        rate(d.jobs_done),
                        100.0 * d.busy_area as f64 / (workers * dt * 1e9),
                        rate(d.jobs_failed),
                    ]
                }
                Kind::SessionStore => {
                    vec![
                        rate(d.arrivals),
                        d.utilisation_pct(),
                        n.sessions_held as f64,
                        d.sessions_lost as f64,
                        rate(d.failed_total()),
                    ]
                }
            };
            self.nodes[i].push(t, &values);
            self.prev_nodes[i] = now_c;
        }
        self.prev_time = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_ring_drops_its_oldest_rows() {
        let mut s = Series::new(vec!["a", "b"], 2);
        s.push(1.0, &[10.0, 11.0]);
        s.push(2.0, &[20.0, 21.0]);
        s.push(3.0, &[30.0, 31.0]);
        assert_eq!(s.len(), 2);
        assert_eq!(s.row(0), [2.0, 20.0, 21.0]);
        assert_eq!(s.column("b").unwrap(), [(2.0, 21.0), (3.0, 31.0)]);
        assert!(s.column("c").is_none());
    }

    #[test]
    fn the_error_columns_follow_the_causes() {
        for (i, cause) in Cause::ALL.into_iter().enumerate() {
            assert_eq!(
                GLOBAL_METRICS[CAUSE_COLUMNS + i],
                format!("errors_{}", cause.id())
            );
        }
        assert_eq!(GLOBAL_METRICS.len(), CAUSE_COLUMNS + Cause::COUNT);
    }
}
