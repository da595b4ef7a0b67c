//! Chart geometry, free of the DOM: linear scales, "nice" axis ticks, value labels with units,
//! and SVG paths for series with gaps. The UI's chart component holds these in memos and only
//! draws; everything that can be wrong about a chart is decided here, with native tests.

use std::fmt::Write as _;

use crate::model::catalogue::MetricSpec;

/// A linear map from a domain (data values) to a range (pixels).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    /// Domain start and end.
    pub d0: f64,
    /// Domain end.
    pub d1: f64,
    /// Range start (pixels).
    pub r0: f64,
    /// Range end (pixels).
    pub r1: f64,
}

impl Scale {
    /// Maps `[d0, d1]` onto `[r0, r1]`; an empty domain is widened so the map stays finite.
    pub fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Scale {
        let (d0, d1) = if (d1 - d0).abs() < f64::EPSILON * d0.abs().max(1.0) {
            (d0 - 0.5, d0 + 0.5)
        } else {
            (d0, d1)
        };
        Scale { d0, d1, r0, r1 }
    }

    /// The pixel for data value `v`.
    pub fn map(&self, v: f64) -> f64 {
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }

    /// The data value at pixel `p`.
    pub fn invert(&self, p: f64) -> f64 {
        self.d0 + (p - self.r0) / (self.r1 - self.r0) * (self.d1 - self.d0)
    }
}

/// A step of 1, 2 or 5 × 10ⁿ that cuts `span` into about `count` pieces, as (1, 2, 5 or 10; n).
fn nice_step_parts(span: f64, count: usize) -> (f64, i32) {
    if !(span.is_finite() && span > 0.0) {
        return (1.0, 0);
    }
    let raw = span / count.max(1) as f64;
    let exponent = raw.log10().floor() as i32;
    let residual = raw / 10f64.powi(exponent);
    let nice = if residual <= 1.0 {
        1.0
    } else if residual <= 2.0 {
        2.0
    } else if residual <= 5.0 {
        5.0
    } else {
        10.0
    };
    (nice, exponent)
}

/// `k × m × 10ⁿ`, divided rather than multiplied by the power for negative `n`, so 3 × 0.2 is
/// 0.6 and not 0.6000000000000001.
fn times_power(k: f64, m: f64, n: i32) -> f64 {
    if n >= 0 {
        k * m * 10f64.powi(n)
    } else {
        k * m / 10f64.powi(-n)
    }
}

/// A step of 1, 2 or 5 × 10ⁿ that cuts `span` into about `count` pieces.
pub fn nice_step(span: f64, count: usize) -> f64 {
    let (m, n) = nice_step_parts(span, count);
    times_power(1.0, m, n)
}

/// An axis for values from `min` to `max`: a domain widened to whole steps, and the ticks in it
/// (about `count` of them, at multiples of a 1-2-5 step). A value axis starts at zero when all
/// values are positive (`from_zero`), so heights compare honestly.
pub fn axis(min: f64, max: f64, count: usize, from_zero: bool) -> (f64, f64, Vec<f64>) {
    let (mut lo, mut hi) = if min.is_finite() && max.is_finite() && min <= max {
        (min, max)
    } else {
        (0.0, 1.0)
    };
    if from_zero && lo > 0.0 {
        lo = 0.0;
    }
    if hi - lo <= 0.0 {
        hi = lo + if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
    }
    let (m, e) = nice_step_parts(hi - lo, count);
    let step = times_power(1.0, m, e);
    let (first, last) = ((lo / step).floor(), (hi / step).ceil());
    let ticks: Vec<f64> = (0..=(last - first) as i64)
        .map(|i| times_power(first + i as f64, m, e))
        .collect();
    (ticks[0], ticks[ticks.len() - 1], ticks)
}

/// `v` for an axis label or a tooltip: three significant figures at most, thousands as k and
/// millions as M, then the unit symbol (`12.5 ms`, `1.2k req/s`, `45 %`).
pub fn format_value(v: f64, unit: &str) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let (scaled, suffix) = match v.abs() {
        a if a >= 1e9 => (v / 1e9, "G"),
        a if a >= 1e6 => (v / 1e6, "M"),
        a if a >= 1e4 => (v / 1e3, "k"),
        _ => (v, ""),
    };
    let digits = match scaled.abs() {
        a if a >= 100.0 || a == 0.0 => 0,
        a if a >= 10.0 => 1,
        _ => 2,
    };
    let mut text = format!("{scaled:.digits$}");
    if text.contains('.') {
        while text.ends_with('0') {
            text.pop();
        }
        if text.ends_with('.') {
            text.pop();
        }
    }
    if text == "-0" {
        text = "0".into();
    }
    match (suffix, unit) {
        ("", "") => text,
        (s, "") => format!("{text}{s}"),
        (s, u) => format!("{text}{s} {u}"),
    }
}

/// An SVG path through `points` (x, y in data units), mapped by the scales; a non-finite y
/// breaks the line, so a gap in the data is a gap on the chart.
pub fn line_path(points: &[(f64, f64)], x: &Scale, y: &Scale) -> String {
    let mut d = String::new();
    let mut pen_down = false;
    for &(px, py) in points {
        if !(px.is_finite() && py.is_finite()) {
            pen_down = false;
            continue;
        }
        let command = if pen_down { 'L' } else { 'M' };
        let _ = write!(d, "{command}{:.1} {:.1}", x.map(px), y.map(py));
        pen_down = true;
    }
    d
}

/// The index of the point whose x is nearest to `at` (points sorted by x), for hover read-outs.
pub fn nearest(points: &[(f64, f64)], at: f64) -> Option<usize> {
    if points.is_empty() || !at.is_finite() {
        return None;
    }
    let i = points.partition_point(|p| p.0 < at);
    match (i.checked_sub(1), points.get(i)) {
        (Some(before), Some(after)) => {
            if at - points[before].0 <= after.0 - at {
                Some(before)
            } else {
                Some(i)
            }
        }
        (Some(before), None) => Some(before),
        (None, _) => Some(0),
    }
}

/// A component's live badge: each of its kind's headline metrics as `short value` from the
/// latest sample (`row`, in the order of `names`), joined by " · ".
pub fn badge(metrics: &[MetricSpec], names: &[&str], row: &[f64]) -> String {
    metrics
        .iter()
        .filter_map(|m| {
            let short = m.badge?;
            let value = row.get(names.iter().position(|n| *n == m.name)?)?;
            Some(format!("{short} {}", format_value(*value, m.unit.symbol())))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    #[test]
    fn badges_show_the_kinds_headline_metrics() {
        let web = Kind::WebServer.spec().metrics;
        let names: Vec<&str> = web.iter().map(|m| m.name).collect();
        // arrivals, throughput, errors, utilisation, queue, wait_ms
        let row = [120.0, 118.0, 0.0, 45.26, 3.0, 1.5];
        assert_eq!(badge(web, &names, &row), "busy 45.3 % · queue 3");
        // A sample missing a column shows what it has.
        assert_eq!(badge(web, &names[..4], &row[..4]), "busy 45.3 %");
        assert_eq!(badge(Kind::DataCenter.spec().metrics, &[], &[]), "");
    }

    #[test]
    fn scales_map_and_invert() {
        let s = Scale::new(0.0, 200.0, 300.0, 0.0);
        assert_eq!(s.map(0.0), 300.0);
        assert_eq!(s.map(200.0), 0.0);
        assert_eq!(s.map(50.0), 225.0);
        assert_eq!(s.invert(225.0), 50.0);
        // An empty domain is widened around its value.
        let flat = Scale::new(5.0, 5.0, 0.0, 100.0);
        assert_eq!(flat.map(5.0), 50.0);
    }

    #[test]
    fn nice_steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(10.0, 5), 2.0);
        assert_eq!(nice_step(1000.0, 4), 500.0);
        assert_eq!(nice_step(0.07, 5), 0.02);
        assert_eq!(nice_step(0.0, 5), 1.0);
        assert_eq!(nice_step(f64::NAN, 5), 1.0);
    }

    #[test]
    fn axes_cover_the_data_with_whole_steps() {
        let (lo, hi, ticks) = axis(3.0, 87.0, 5, true);
        assert_eq!((lo, hi), (0.0, 100.0));
        assert_eq!(ticks, [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        let (lo, hi, ticks) = axis(0.1, 0.7, 4, false);
        assert_eq!((lo, hi), (0.0, 0.8));
        assert_eq!(ticks, [0.0, 0.2, 0.4, 0.6, 0.8], "no 0.6000000000000001");
        // Nothing to show yet: a unit axis, not a division by zero.
        assert_eq!(axis(0.0, 0.0, 4, true).1, 1.0);
        assert_eq!(axis(f64::NAN, 3.0, 4, true).1, 1.0);
        // Negative values keep their sign.
        let (lo, hi, _) = axis(-12.0, 30.0, 4, true);
        assert!(lo <= -12.0 && hi >= 30.0);
    }

    #[test]
    fn values_read_with_units_and_three_figures() {
        assert_eq!(format_value(12.5, "ms"), "12.5 ms");
        assert_eq!(format_value(0.0, "ms"), "0 ms");
        assert_eq!(format_value(123.456, "ms"), "123 ms");
        assert_eq!(format_value(1234.0, "req/s"), "1234 req/s");
        assert_eq!(format_value(12_345.0, "req/s"), "12.3k req/s");
        assert_eq!(format_value(2_500_000.0, ""), "2.5M");
        assert_eq!(format_value(45.0, "%"), "45 %");
        assert_eq!(format_value(0.004, "ms"), "0 ms");
        assert_eq!(format_value(0.05, ""), "0.05");
        assert_eq!(format_value(f64::INFINITY, "ms"), "–");
    }

    #[test]
    fn paths_break_at_gaps() {
        let x = Scale::new(0.0, 10.0, 0.0, 100.0);
        let y = Scale::new(0.0, 1.0, 50.0, 0.0);
        let pts = [
            (0.0, 0.0),
            (1.0, 1.0),
            (2.0, f64::NAN),
            (3.0, 0.5),
            (4.0, 0.5),
        ];
        assert_eq!(
            line_path(&pts, &x, &y),
            "M0.0 50.0L10.0 0.0M30.0 25.0L40.0 25.0"
        );
        assert_eq!(line_path(&[], &x, &y), "");
    }

    #[test]
    fn hover_finds_the_nearest_sample() {
        let pts = [(1.0, 0.0), (2.0, 0.0), (4.0, 0.0)];
        assert_eq!(nearest(&pts, 0.0), Some(0));
        assert_eq!(nearest(&pts, 2.9), Some(1));
        assert_eq!(nearest(&pts, 3.1), Some(2));
        assert_eq!(nearest(&pts, 9.0), Some(2));
        assert_eq!(nearest(&[], 1.0), None);
    }
}
