//! The run's one random-number generator and the distributions the engine samples.
//!
//! Transcendental functions come from `libm`, not `std`, so a seed gives bit-identical samples
//! natively and in wasm32 (std defers to the platform's maths library, which may round
//! differently). Integer draws use explicit `u64`/`u32` types, never `usize`, for the same reason.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::time::SimDuration;

/// The simulation's random source: xoshiro256++ seeded from the run's seed.
#[derive(Clone, Debug)]
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

    /// Uniform integer in `[0, n)`; `n` must be positive.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0.random_range(0..n)
    }

    /// Exponential with the given mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * libm::log(self.unit_open0())
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

/// How a service time (or any positive duration) is distributed.
#[derive(Clone, Copy, Debug, PartialEq)]
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
/// proportional to `k^-s`. Rejection-inversion (Hörmann & Derflinger, 1996): O(1) per draw and
/// no table, so `n` can be in the hundreds of millions.
#[derive(Clone, Debug)]
pub struct Zipf {
    n: f64,
    s: f64,
    h_integral_x1: f64,
    h_integral_n: f64,
    threshold: f64,
}

impl Zipf {
    /// A sampler over `1..=n` (n ≥ 1) with exponent `s` (s ≥ 0).
    pub fn new(n: u64, s: f64) -> Self {
        let n = n.max(1) as f64;
        let s = s.max(0.0);
        let mut z = Zipf {
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

    /// Draws a rank; 1 is the most popular.
    pub fn sample(&self, rng: &mut SimRng) -> u64 {
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
