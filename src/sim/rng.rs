//! The run's one random-number generator and the distributions the engine samples.
//!
//! Transcendental functions come from `libm`, not `std`, so a seed gives bit-identical samples
//! natively and in wasm32 (std defers to the platform's maths library, which may round
//! differently). Integer draws use explicit `u64`/`u32` types, never `usize`, for the same reason.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use rand::{Rng, RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::time::SimDuration;

/// The simulation's random source: xoshiro256++ seeded from the run's seed.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct SimRng(Xoshiro256PlusPlus);

impl SimRng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        SimRng(Xoshiro256PlusPlus::seed_from_u64(seed))
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// Uniform in `(0, 1]`, safe to take the logarithm of.
    pub fn unit_open0(&mut self) -> f64 {
        1.0 - self.unit()
    }

    /// 32 uniform random bits.
    pub fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }

    /// Uniform integer in `[0, n)`; `n` must be positive.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0.random_range(0..n)
    }

    /// Exponential with the given mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        mean * self.standard_exponential()
    }

    /// Exponential with mean 1, by Marsaglia and Tsang's ziggurat: one 64-bit draw and a table
    /// look-up in about 99 % of calls, so sampling costs no logarithm.
    pub fn standard_exponential(&mut self) -> f64 {
        let z = ziggurat();
        loop {
            let bits = self.0.next_u64();
            let i = (bits & 0xff) as usize;
            // The top 52 bits as a uniform in [0, 1), independent of the layer index.
            let u = (bits >> 12) as f64 * (1.0 / (1u64 << 52) as f64);
            let x = u * z.x[i];
            if x < z.x[i + 1] {
                return x;
            }
            if i == 0 {
                // The tail beyond R is again exponential, shifted.
                return ZIG_EXP_R - libm::log(self.unit_open0());
            }
            if z.f[i + 1] + (z.f[i] - z.f[i + 1]) * self.unit() < libm::exp(-x) {
                return x;
            }
        }
    }

    /// Standard normal, by Marsaglia's polar method (needs only `ln` and `sqrt`).
    pub fn standard_normal(&mut self) -> f64 {
        loop {
            let u = 2.0 * self.unit() - 1.0;
            let v = 2.0 * self.unit() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * libm::sqrt(-2.0 * libm::log(s) / s);
            }
        }
    }
}

/// Start of the exponential ziggurat's tail (256 layers).
const ZIG_EXP_R: f64 = 7.697_117_470_131_05;
/// Area of each of the 256 layers.
const ZIG_EXP_V: f64 = 0.003_949_659_822_581_557;

/// The exponential ziggurat's layer edges `x` (decreasing, `x[256] = 0`) and `f = e^-x`.
struct Ziggurat {
    x: [f64; 257],
    f: [f64; 257],
}

/// The tables, computed once with `libm` so every platform gets the same bits.
fn ziggurat() -> &'static Ziggurat {
    static TABLES: OnceLock<Ziggurat> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut x = [0.0; 257];
        x[0] = ZIG_EXP_V / libm::exp(-ZIG_EXP_R);
        x[1] = ZIG_EXP_R;
        for i in 2..256 {
            x[i] = -libm::log(ZIG_EXP_V / x[i - 1] + libm::exp(-x[i - 1]));
        }
        x[256] = 0.0;
        let mut f = [0.0; 257];
        for i in 0..257 {
            f[i] = libm::exp(-x[i]);
        }
        Ziggurat { x, f }
    })
}

/// How a service time (or any positive duration) is distributed.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub enum Distribution {
    /// Always the mean.
    Constant {
        /// The value, in seconds.
        mean: f64,
    },
    /// Exponential: coefficient of variation 1, memoryless.
    Exponential {
        /// Mean, in seconds.
        mean: f64,
    },
    /// Log-normal with a given mean and coefficient of variation.
    LogNormal {
        /// Location of the underlying normal.
        mu: f64,
        /// Scale of the underlying normal.
        sigma: f64,
    },
}

impl Distribution {
    /// A log-normal distribution with the given mean (seconds) and coefficient of variation.
    pub fn lognormal(mean: f64, cv: f64) -> Self {
        let sigma2 = libm::log1p(cv * cv);
        Distribution::LogNormal {
            mu: libm::log(mean) - sigma2 / 2.0,
            sigma: libm::sqrt(sigma2),
        }
    }

    /// The distribution's mean, in seconds.
    pub fn mean(&self) -> f64 {
        match *self {
            Distribution::Constant { mean } | Distribution::Exponential { mean } => mean,
            Distribution::LogNormal { mu, sigma } => libm::exp(mu + sigma * sigma / 2.0),
        }
    }

    /// Draws one duration.
    pub fn sample(&self, rng: &mut SimRng) -> SimDuration {
        let secs = match *self {
            Distribution::Constant { mean } => mean,
            Distribution::Exponential { mean } => rng.exponential(mean),
            Distribution::LogNormal { mu, sigma } => libm::exp(mu + sigma * rng.standard_normal()),
        };
        SimDuration::from_secs_f64(secs)
    }
}

/// Zipf-distributed ranks in `1..=n` with exponent `s >= 0`: rank k has probability
/// proportional to `k^-s`. Up to [`Zipf::TABLE_LIMIT`] keys it samples from an alias table (two
/// draws, no transcendental functions); beyond that by rejection-inversion (Hörmann & Derflinger,
/// 1996: O(1) per draw and no table, so `n` can be in the hundreds of millions).
#[derive(Serialize, Deserialize, Clone, Debug)]
pub enum Zipf {
    /// Walker's alias method, built with Vose's algorithm. Column `i` is `(keep, alias)`: keep
    /// rank `i` when a uniform 32-bit draw is below `keep` (a probability in units of 2⁻³²),
    /// else take rank `alias`. One 8-byte column per key keeps a draw to one cache line.
    Alias(Vec<(u32, u32)>),
    /// Rejection-inversion over a continuous envelope.
    RejectionInversion(RejectionInversion),
}

impl Zipf {
    /// Largest `n` sampled from a table (about 3 MB of table at this size).
    pub const TABLE_LIMIT: u64 = 1 << 18;

    /// A sampler over `1..=n` (n ≥ 1) with exponent `s` (s ≥ 0).
    pub fn new(n: u64, s: f64) -> Self {
        let n = n.max(1);
        let s = s.max(0.0);
        if n > Self::TABLE_LIMIT {
            return Zipf::RejectionInversion(RejectionInversion::new(n, s));
        }
        let weights: Vec<f64> = (1..=n).map(|k| libm::pow(k as f64, -s)).collect();
        let total: f64 = weights.iter().sum();
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut keep = vec![1.0; n as usize];
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<u32>, Vec<u32>) =
            (0..n as u32).partition(|&i| scaled[i as usize] < 1.0);
        while let (Some(l), Some(g)) = (small.pop(), large.pop()) {
            keep[l as usize] = scaled[l as usize];
            alias[l as usize] = g;
            scaled[g as usize] = (scaled[g as usize] + scaled[l as usize]) - 1.0;
            if scaled[g as usize] < 1.0 {
                small.push(g);
            } else {
                large.push(g);
            }
        }
        let columns = keep
            .iter()
            .zip(alias)
            .map(|(&k, a)| ((k * 4_294_967_296.0).min(u32::MAX as f64) as u32, a))
            .collect();
        Zipf::Alias(columns)
    }

    /// Draws a rank; 1 is the most popular.
    pub fn sample(&self, rng: &mut SimRng) -> u64 {
        match self {
            Zipf::Alias(columns) => {
                let i = rng.below(columns.len() as u64) as usize;
                let (keep, alias) = columns[i];
                if rng.next_u32() < keep {
                    i as u64 + 1
                } else {
                    u64::from(alias) + 1
                }
            }
            Zipf::RejectionInversion(r) => r.sample(rng),
        }
    }
}

/// Zipf sampling by rejection-inversion, for key spaces too large for a table.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct RejectionInversion {
    n: f64,
    s: f64,
    h_integral_x1: f64,
    h_integral_n: f64,
    threshold: f64,
}

impl RejectionInversion {
    fn new(n: u64, s: f64) -> Self {
        let n = n as f64;
        let mut z = RejectionInversion {
            n,
            s,
            h_integral_x1: 0.0,
            h_integral_n: 0.0,
            threshold: 0.0,
        };
        z.h_integral_x1 = z.h_integral(1.5) - 1.0;
        z.h_integral_n = z.h_integral(n + 0.5);
        z.threshold = 2.0 - z.h_integral_inverse(z.h_integral(2.5) - z.h(2.0));
        z
    }

    fn sample(&self, rng: &mut SimRng) -> u64 {
        loop {
            let u = self.h_integral_n + rng.unit() * (self.h_integral_x1 - self.h_integral_n);
            let x = self.h_integral_inverse(u);
            let k = (x + 0.5).floor().clamp(1.0, self.n);
            if k - x <= self.threshold || u >= self.h_integral(k + 0.5) - self.h(k) {
                return k as u64;
            }
        }
    }

    /// `x^-s`.
    fn h(&self, x: f64) -> f64 {
        libm::exp(-self.s * libm::log(x))
    }

    /// An antiderivative of `h`: `(x^(1-s) - 1) / (1 - s)`, or `ln x` at `s = 1`.
    fn h_integral(&self, x: f64) -> f64 {
        let log_x = libm::log(x);
        helper2((1.0 - self.s) * log_x) * log_x
    }

    fn h_integral_inverse(&self, x: f64) -> f64 {
        let t = (x * (1.0 - self.s)).max(-1.0);
        libm::exp(helper1(t) * x)
    }
}

/// `ln(1 + x) / x`, accurate near 0.
fn helper1(x: f64) -> f64 {
    if x.abs() > 1e-8 {
        libm::log1p(x) / x
    } else {
        1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x))
    }
}

/// `(e^x - 1) / x`, accurate near 0.
fn helper2(x: f64) -> f64 {
    if x.abs() > 1e-8 {
        libm::expm1(x) / x
    } else {
        1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_and_cv(samples: &[f64]) -> (f64, f64) {
        let n = samples.len() as f64;
        let mean = samples.iter().sum::<f64>() / n;
        let var = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var.sqrt() / mean)
    }

    #[test]
    fn the_same_seed_gives_the_same_stream() {
        let mut a = SimRng::new(42);
        let mut b = SimRng::new(42);
        let mut c = SimRng::new(43);
        let xs: Vec<u64> = (0..8).map(|_| a.below(1_000_000)).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.below(1_000_000)).collect();
        let zs: Vec<u64> = (0..8).map(|_| c.below(1_000_000)).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn exponential_has_mean_and_cv_one() {
        // 200k draws: the sample mean's standard error is 1/sqrt(200k) ≈ 0.22 %; allow 1 %.
        let mut rng = SimRng::new(7);
        let xs: Vec<f64> = (0..200_000).map(|_| rng.exponential(2.0)).collect();
        let (mean, cv) = mean_and_cv(&xs);
        assert!((mean - 2.0).abs() < 0.02, "mean {mean}");
        assert!((cv - 1.0).abs() < 0.02, "cv {cv}");
    }

    #[test]
    fn exponential_tails_match_e_to_the_minus_x() {
        // P(X > x) = e^-x, checked at points inside the ziggurat's layers and beyond its tail
        // start R ≈ 7.7, over 4M draws, within 4 standard errors.
        let mut rng = SimRng::new(17);
        let n = 4_000_000u64;
        let points = [0.05, 0.5, 1.0, 2.0, 4.0, 7.0, 8.0, 10.0];
        let mut above = [0u64; 8];
        for _ in 0..n {
            let x = rng.standard_exponential();
            assert!(x >= 0.0);
            for (i, p) in points.iter().enumerate() {
                if x > *p {
                    above[i] += 1;
                }
            }
        }
        for (i, p) in points.iter().enumerate() {
            let want = (-p).exp();
            let got = above[i] as f64 / n as f64;
            let se = (want * (1.0 - want) / n as f64).sqrt();
            assert!(
                (got - want).abs() < 4.0 * se + 1e-7,
                "P(X > {p}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn lognormal_matches_its_mean_and_cv() {
        // CV 0.5: sd of the sample mean ≈ 0.5/sqrt(200k) ≈ 0.11 %; the sample CV converges
        // more slowly, so 3 % there.
        let mut rng = SimRng::new(11);
        let d = Distribution::lognormal(0.010, 0.5);
        assert!((d.mean() - 0.010).abs() < 1e-12);
        let xs: Vec<f64> = (0..200_000)
            .map(|_| d.sample(&mut rng).as_secs_f64())
            .collect();
        let (mean, cv) = mean_and_cv(&xs);
        assert!((mean / 0.010 - 1.0).abs() < 0.01, "mean {mean}");
        assert!((cv - 0.5).abs() < 0.015, "cv {cv}");
    }

    #[test]
    fn zipf_frequencies_follow_the_power_law() {
        // n = 10, s = 1: P(k) = (1/k) / H_10 with H_10 = 2.928968… Compare each rank's
        // frequency over 500k draws to within 4 standard errors.
        let n = 10u64;
        let harmonic: f64 = (1..=n).map(|k| 1.0 / k as f64).sum();
        let z = Zipf::new(n, 1.0);
        let mut rng = SimRng::new(3);
        let draws = 500_000;
        let mut counts = vec![0u64; n as usize + 1];
        for _ in 0..draws {
            counts[z.sample(&mut rng) as usize] += 1;
        }
        assert_eq!(counts[0], 0, "ranks start at 1");
        for k in 1..=n {
            let p = (1.0 / k as f64) / harmonic;
            let freq = counts[k as usize] as f64 / draws as f64;
            let se = (p * (1.0 - p) / draws as f64).sqrt();
            assert!((freq - p).abs() < 4.0 * se, "rank {k}: {freq} vs {p}");
        }
    }

    #[test]
    fn zipf_beyond_the_table_follows_the_power_law_too() {
        // n = 2^20 (rejection-inversion), s = 1.1: check the first five ranks' frequencies
        // over 1M draws against k^-s / H, within 4 standard errors.
        let n = 1u64 << 20;
        let s = 1.1;
        assert!(n > Zipf::TABLE_LIMIT);
        let h: f64 = (1..=n).map(|k| (k as f64).powf(-s)).sum();
        let z = Zipf::new(n, s);
        let mut rng = SimRng::new(21);
        let draws = 1_000_000;
        let mut counts = [0u64; 6];
        for _ in 0..draws {
            let k = z.sample(&mut rng);
            assert!((1..=n).contains(&k));
            if k <= 5 {
                counts[k as usize] += 1;
            }
        }
        for k in 1..=5u64 {
            let p = (k as f64).powf(-s) / h;
            let freq = counts[k as usize] as f64 / draws as f64;
            let se = (p * (1.0 - p) / draws as f64).sqrt();
            assert!((freq - p).abs() < 4.0 * se, "rank {k}: {freq} vs {p}");
        }
    }

    #[test]
    fn zipf_with_s_zero_is_uniform_and_stays_in_range() {
        let z = Zipf::new(4, 0.0);
        let mut rng = SimRng::new(5);
        let mut counts = [0u64; 5];
        for _ in 0..400_000 {
            counts[z.sample(&mut rng) as usize] += 1;
        }
        for &c in &counts[1..] {
            // p = 1/4, se ≈ 0.00068 of 400k → 4 se ≈ 1,100 draws.
            assert!((c as f64 - 100_000.0).abs() < 1_100.0, "{counts:?}");
        }
        let big = Zipf::new(100_000_000, 1.2);
        for _ in 0..10_000 {
            let k = big.sample(&mut rng);
            assert!((1..=100_000_000).contains(&k));
        }
    }
}
