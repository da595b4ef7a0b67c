//! Users: open-loop request generation with a rate profile, a request mix, a key-popularity
//! model and a population of users.

use serde::{Deserialize, Serialize};

use crate::model::Component;

use super::request::Class;
use super::rng::{SimRng, Zipf};

/// How the rate changes over time.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub(crate) enum Profile {
    Constant,
    Step,
    Ramp,
    Spike,
    Diurnal,
}

/// Which keys requests touch.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) enum Keys {
    Uniform(u64),
    Zipf(Zipf),
}

/// A users node's generator state.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct Users {
    rate: f64,
    peak: f64,
    profile: Profile,
    start: f64,
    duration: f64,
    /// Poisson (true) or evenly spaced arrivals.
    pub poisson: bool,
    read_below: f64,
    write_below: f64,
    keys: Keys,
    /// Distinct users in this population.
    pub population: u32,
    /// Global number of this population's first user.
    pub first_user: u32,
    /// Bumped to invalidate the pending arrival event when the rate changes.
    pub generation: u32,
    /// What `keys` was built from (see [`key_model`]).
    key_model: (u64, Option<u64>),
    /// Wires to CDN edges, nearest first: where static assets go.
    pub cdn: Vec<super::engine::Target>,
    /// Per DNS node these users are wired to: each of its answers as a wire from these users
    /// (the answer's own latency plus the network between the users' region and its region).
    pub via_dns: Vec<(u32, Vec<super::engine::Target>)>,
}

/// A users component's key model: how many keys, and the Zipf exponent's bits if skewed.
fn key_model(c: &Component) -> (u64, Option<u64>) {
    let n = c.number("keys") as u64;
    match c.choice("key_popularity") {
        "zipf" => (n, Some(c.number("zipf_s").to_bits())),
        _ => (n, None),
    }
}

impl Users {
    /// Reads a validated `users` component; `first_user` numbers its users globally.
    pub fn from_component(c: &Component, first_user: u32) -> Self {
        let keys = match key_model(c) {
            (n, Some(s)) => Keys::Zipf(Zipf::new(n, f64::from_bits(s))),
            (n, None) => Keys::Uniform(n),
        };
        Users::from_component_with_keys(c, first_user, keys)
    }

    fn from_component_with_keys(c: &Component, first_user: u32, keys: Keys) -> Self {
        let profile = match c.choice("profile") {
            "step" => Profile::Step,
            "ramp" => Profile::Ramp,
            "spike" => Profile::Spike,
            "diurnal" => Profile::Diurnal,
            _ => Profile::Constant,
        };
        let read = c.number("read_pct") / 100.0;
        let write = c.number("write_pct") / 100.0;
        Users {
            rate: c.number("rate"),
            peak: c.number("peak_rate"),
            profile,
            start: c.number("profile_start"),
            duration: c.number("profile_duration"),
            poisson: c.choice("arrivals") != "deterministic",
            read_below: read,
            write_below: read + write,
            keys,
            population: c.number("users") as u32,
            first_user,
            generation: 0,
            key_model: key_model(c),
            cdn: Vec::new(),
            via_dns: Vec::new(),
        }
    }

    /// Takes `c`'s current settings, keeping the population (users are numbered across the
    /// whole diagram when the run is built) and, when the key model is unchanged, the key
    /// sampler (a Zipf table over millions of keys is costly to rebuild).
    pub fn update(&mut self, c: &Component) {
        let mut next = if key_model(c) == self.key_model {
            let keys = std::mem::replace(&mut self.keys, Keys::Uniform(1));
            Users::from_component_with_keys(c, self.first_user, keys)
        } else {
            Users::from_component(c, self.first_user)
        };
        next.population = self.population;
        next.generation = self.generation;
        next.cdn = std::mem::take(&mut self.cdn);
        *self = next;
    }

    /// The rate (req/s, before the global scale) at `t` seconds.
    pub fn rate_at(&self, t: f64) -> f64 {
        let (base, peak, start, dur) = (self.rate, self.peak, self.start, self.duration);
        match self.profile {
            Profile::Constant => base,
            Profile::Step => {
                if t >= start {
                    peak
                } else {
                    base
                }
            }
            Profile::Ramp => {
                if t <= start {
                    base
                } else if t >= start + dur {
                    peak
                } else {
                    base + (peak - base) * (t - start) / dur
                }
            }
            Profile::Spike => {
                if t >= start && t < start + dur {
                    peak
                } else {
                    base
                }
            }
            Profile::Diurnal => {
                let phase = 2.0 * std::f64::consts::PI * t / dur;
                base + (peak - base) * (1.0 - libm::cos(phase)) / 2.0
            }
        }
    }

    /// An upper bound of [`Users::rate_at`] over all time, for thinning.
    pub fn max_rate(&self) -> f64 {
        match self.profile {
            Profile::Constant => self.rate,
            _ => self.rate.max(self.peak),
        }
    }

    /// Draws the class of a new request.
    pub fn draw_class(&self, rng: &mut SimRng) -> Class {
        let u = rng.unit();
        if u < self.read_below {
            Class::Read
        } else if u < self.write_below {
            Class::Write
        } else {
            Class::Static
        }
    }

    /// How many records this users node asks for (keys 0 to this, 0 the most popular).
    pub fn key_space(&self) -> u64 {
        self.key_model.0
    }

    /// Draws the key of a new request (0 is the most popular under Zipf).
    pub fn draw_key(&self, rng: &mut SimRng) -> u64 {
        match &self.keys {
            Keys::Uniform(n) => rng.below(*n),
            Keys::Zipf(z) => z.sample(rng) - 1,
        }
    }

    /// Draws the global number of the user sending a new request.
    pub fn draw_user(&self, rng: &mut SimRng) -> u32 {
        self.first_user + rng.below(u64::from(self.population)) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    fn users(profile: &str) -> Users {
        let c = Component::new("u", Kind::Users)
            .with("rate", 100.0)
            .with("peak_rate", 300.0)
            .with("profile_start", 10.0)
            .with("profile_duration", 20.0)
            .with_choice("profile", profile);
        Users::from_component(&c, 0)
    }

    #[test]
    fn profiles_follow_their_definitions() {
        let step = users("step");
        assert_eq!((step.rate_at(9.9), step.rate_at(10.0)), (100.0, 300.0));
        let ramp = users("ramp");
        assert_eq!(ramp.rate_at(20.0), 200.0, "halfway up the ramp");
        assert_eq!(ramp.rate_at(40.0), 300.0);
        let spike = users("spike");
        assert_eq!((spike.rate_at(15.0), spike.rate_at(30.0)), (300.0, 100.0));
        let day = users("diurnal");
        assert!(
            (day.rate_at(10.0) - 300.0).abs() < 1e-9,
            "peak at half the period"
        );
        assert!(
            (day.rate_at(20.0) - 100.0).abs() < 1e-9,
            "trough at a full period"
        );
        for p in ["constant", "step", "ramp", "spike", "diurnal"] {
            let u = users(p);
            for t in 0..60 {
                assert!(u.rate_at(t as f64) <= u.max_rate() + 1e-9, "{p} at {t}");
            }
        }
    }

    #[test]
    fn the_mix_matches_its_shares() {
        // 60/10/30 by default; 100k draws, 4 standard errors ≈ 0.6 %.
        let u = users("constant");
        let mut rng = SimRng::new(9);
        let mut n = [0u32; 3];
        for _ in 0..100_000 {
            n[u.draw_class(&mut rng) as usize] += 1;
        }
        let share = |i: usize| f64::from(n[i]) / 100_000.0;
        assert!((share(0) - 0.6).abs() < 0.006, "{n:?}");
        assert!((share(1) - 0.1).abs() < 0.004, "{n:?}");
        assert!((share(2) - 0.3).abs() < 0.006, "{n:?}");
    }
}
