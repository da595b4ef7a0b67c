//! A log-linear histogram of durations (HDR-style): exact below 128 ns, then 128 buckets per
//! power of two, so any recorded value is reported within 0.4 % (half a bucket) of itself.
//! Memory is bounded: at most 7,424 counters, allocated only up to the largest value seen.

use serde::{Deserialize, Serialize};

const SUB_BITS: u32 = 7;
const SUB: u64 = 1 << SUB_BITS;

/// Counts of nanosecond values in log-linear buckets.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    sum: u128,
    min: u64,
    max: u64,
}

fn bucket_of(v: u64) -> usize {
    if v < SUB {
        v as usize
    } else {
        let exp = 63 - v.leading_zeros();
        let shift = exp - SUB_BITS;
        let sub = (v >> shift) - SUB;
        ((shift as u64 + 1) * SUB + sub) as usize
    }
}

/// The midpoint of bucket `i`, as a value.
fn midpoint_of(i: usize) -> f64 {
    let i = i as u64;
    if i < SUB {
        i as f64
    } else {
        let shift = i / SUB - 1;
        let sub = i % SUB;
        let low = (SUB + sub) << shift;
        low as f64 + ((1u64 << shift) as f64 - 1.0) / 2.0
    }
}

impl Histogram {
    /// An empty histogram.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one value (nanoseconds).
    pub fn record(&mut self, v: u64) {
        let b = bucket_of(v);
        if b >= self.counts.len() {
            self.counts.resize(b + 1, 0);
        }
        self.counts[b] += 1;
        if self.total == 0 || v < self.min {
            self.min = v;
        }
        self.max = self.max.max(v);
        self.total += 1;
        self.sum += u128::from(v);
    }

    /// Number of values recorded.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// Exact mean of the recorded values, or 0 if none.
    pub fn mean(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.sum as f64 / self.total as f64
        }
    }

    /// How many recorded values were at most `v` (exact for `v` below 128 ns, bucket-exact
    /// above).
    pub fn count_at_most(&self, v: u64) -> u64 {
        let b = bucket_of(v);
        self.counts.iter().take(b + 1).sum()
    }

    /// Largest value recorded (exact), or 0.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// The value at quantile `q` in `[0, 1]` (the smallest bucket whose cumulative count
    /// reaches `ceil(q·n)`), reported at the bucket's midpoint and clamped to the exact
    /// min and max. 0 if empty.
    pub fn quantile(&self, q: f64) -> f64 {
        let mut out = [0.0];
        self.quantiles(&[q], &mut out);
        out[0]
    }

    /// Several quantiles in one pass; `qs` must be increasing.
    pub fn quantiles(&self, qs: &[f64], out: &mut [f64]) {
        debug_assert!(qs.windows(2).all(|w| w[0] <= w[1]) && qs.len() == out.len());
        if self.total == 0 || qs.is_empty() {
            out.iter_mut().for_each(|o| *o = 0.0);
            return;
        }
        let mut next = 0;
        let mut seen = 0;
        let mut want = Self::rank(qs[0], self.total);
        let first = bucket_of(self.min);
        for (i, &c) in self.counts.iter().enumerate().skip(first) {
            seen += c;
            while seen >= want {
                out[next] = midpoint_of(i).clamp(self.min as f64, self.max as f64);
                next += 1;
                if next == qs.len() {
                    return;
                }
                want = Self::rank(qs[next], self.total);
            }
        }
        out[next..].iter_mut().for_each(|o| *o = self.max as f64);
    }

    fn rank(q: f64, total: u64) -> u64 {
        ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1)
    }

    /// Adds every value of `other` to this histogram.
    pub fn merge(&mut self, other: &Histogram) {
        if other.total == 0 {
            return;
        }
        if self.counts.len() < other.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.min = if self.total == 0 {
            other.min
        } else {
            self.min.min(other.min)
        };
        self.max = self.max.max(other.max);
        self.total += other.total;
        self.sum += other.sum;
    }

    /// Forgets every value, keeping the allocation.
    pub fn clear(&mut self) {
        if self.total == 0 {
            return;
        }
        // Only buckets between the smallest and largest value can be non-zero.
        let (lo, hi) = (bucket_of(self.min), bucket_of(self.max));
        self.counts[lo..=hi].iter_mut().for_each(|c| *c = 0);
        self.total = 0;
        self.sum = 0;
        self.min = 0;
        self.max = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_values_are_exact() {
        let mut h = Histogram::new();
        for v in 0..128 {
            h.record(v);
        }
        assert_eq!(h.quantile(0.5), 63.0);
        assert_eq!(h.quantile(1.0), 127.0);
        assert_eq!(h.count(), 128);
    }

    #[test]
    fn every_value_is_reported_within_half_a_percent() {
        let mut v: u64 = 1;
        while v < u64::MAX / 3 {
            let mut h = Histogram::new();
            h.record(v);
            h.record(v + 1); // a second value so the clamp to min/max does not hide the bucket
            let got = h.quantile(0.5);
            let err = (got - v as f64).abs() / v as f64;
            assert!(err <= 1.0 / 128.0, "value {v} reported as {got} ({err})");
            v = v * 3 + 7;
        }
    }

    #[test]
    fn quantiles_of_a_uniform_ramp() {
        // Values 1..=1_000_000 ns: the p-th quantile is p·10^6 up to bucket resolution (0.4 %).
        let mut h = Histogram::new();
        for v in 1..=1_000_000u64 {
            h.record(v);
        }
        for q in [0.5, 0.9, 0.99, 0.999] {
            let want = q * 1e6;
            let got = h.quantile(q);
            assert!((got - want).abs() / want < 0.004, "q{q}: {got} vs {want}");
        }
        assert_eq!(h.mean(), 500_000.5);
        assert_eq!(h.max(), 1_000_000);
    }

    #[test]
    fn quantiles_in_one_pass_agree_with_one_at_a_time_and_merge_adds() {
        let mut a = Histogram::new();
        let mut b = Histogram::new();
        for v in (1..=10_000u64).map(|i| i * 37) {
            if v % 3 == 0 { a.record(v) } else { b.record(v) }
        }
        let mut all = a.clone();
        all.merge(&b);
        assert_eq!(all.count(), 10_000);
        let qs = [0.1, 0.5, 0.5, 0.95, 0.999, 1.0];
        let mut out = [0.0; 6];
        all.quantiles(&qs, &mut out);
        for (q, got) in qs.iter().zip(out) {
            assert_eq!(got, all.quantile(*q));
            let want = q * 370_000.0;
            assert!((got - want).abs() / want < 0.005, "q{q}: {got} vs {want}");
        }
        all.clear();
        assert_eq!((all.count(), all.quantile(0.5)), (0, 0.0));
        all.record(5);
        assert_eq!(all.quantile(1.0), 5.0, "cleared buckets are really empty");
    }

    #[test]
    fn clear_empties() {
        let mut h = Histogram::new();
        h.record(5_000);
        h.clear();
        assert_eq!(h.count(), 0);
        assert_eq!(h.quantile(0.99), 0.0);
    }
}
