//! Sharding: which of N shards holds a key. Hash modulo N, consistent hashing with V virtual
//! nodes per shard on a ring, or key ranges. Pure functions of the key and the layout, so the
//! fraction of keys that move when shards are added is exact for the keys asked about.

use serde::{Deserialize, Serialize};

/// How keys are spread over shards.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// `hash(key) mod N`.
    Modulo,
    /// The first virtual node clockwise from `hash(key)` on a ring of `V` per shard.
    Consistent {
        /// Virtual nodes per shard.
        vnodes: u32,
    },
    /// Contiguous key ranges of equal width over `0..keys`.
    Range {
        /// The key space.
        keys: u64,
    },
}

/// A 64-bit mix (SplitMix64's finaliser): well spread, deterministic everywhere.
pub fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Where keys live for one layout: `shards` shards under `strategy`, the ring (if any) laid
/// out with `seed`.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Layout {
    strategy: Strategy,
    shards: u32,
    /// Consistent hashing: (point on the ring, shard), sorted by point.
    ring: Vec<(u64, u32)>,
    seed: u64,
}

impl Layout {
    /// A layout of `shards` shards (at least one).
    pub fn new(strategy: Strategy, shards: u32, seed: u64) -> Self {
        let shards = shards.max(1);
        let ring = match strategy {
            Strategy::Consistent { vnodes } => {
                let mut ring: Vec<(u64, u32)> = (0..shards)
                    .flat_map(|s| {
                        (0..vnodes.max(1))
                            .map(move |v| (mix(seed ^ mix(u64::from(s) << 32 | u64::from(v))), s))
                    })
                    .collect();
                ring.sort_unstable();
                ring
            }
            _ => Vec::new(),
        };
        Layout {
            strategy,
            shards,
            ring,
            seed,
        }
    }

    /// The strategy.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// Shards in the layout.
    pub fn shards(&self) -> u32 {
        self.shards
    }

    /// The shard holding `key`.
    pub fn shard_of(&self, key: u64) -> u32 {
        match self.strategy {
            Strategy::Modulo => (mix(key ^ self.seed) % u64::from(self.shards)) as u32,
            Strategy::Consistent { .. } => {
                let h = mix(key ^ self.seed.rotate_left(17));
                let i = self.ring.partition_point(|(p, _)| *p < h);
                self.ring[i % self.ring.len()].1
            }
            Strategy::Range { keys } => {
                let width = keys.max(1).div_ceil(u64::from(self.shards)).max(1);
                (key / width).min(u64::from(self.shards) - 1) as u32
            }
        }
    }

    /// The same strategy and seed with `shards` shards (resharding).
    pub fn resized(&self, shards: u32) -> Layout {
        Layout::new(self.strategy, shards, self.seed)
    }
}

/// The fraction of `keys` whose shard differs between two layouts.
pub fn moved_fraction(from: &Layout, to: &Layout, keys: impl Iterator<Item = u64>) -> f64 {
    let (mut moved, mut total) = (0u64, 0u64);
    for k in keys {
        total += 1;
        moved += u64::from(from.shard_of(k) != to.shard_of(k));
    }
    if total == 0 {
        0.0
    } else {
        moved as f64 / total as f64
    }
}

/// The most loaded shard's share over the mean, for keys equally popular.
pub fn max_over_mean(layout: &Layout, keys: impl Iterator<Item = u64>) -> f64 {
    let mut counts = vec![0u64; layout.shards() as usize];
    let mut total = 0u64;
    for k in keys {
        counts[layout.shard_of(k) as usize] += 1;
        total += 1;
    }
    let mean = total as f64 / f64::from(layout.shards());
    counts.into_iter().max().unwrap_or(0) as f64 / mean
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: u64 = 100_000;

    fn moved(strategy: Strategy, from: u32, to: u32, seed: u64) -> f64 {
        let a = Layout::new(strategy, from, seed);
        moved_fraction(&a, &a.resized(to), 0..KEYS)
    }

    #[test]
    fn modulo_moves_most_keys() {
        // Exactly the keys whose hash mod 4 and mod 8 (or 5) differ: 1/2 and 4/5 of them, up
        // to sampling noise over 100,000 keys (σ ≈ 0.16 points).
        for seed in [1, 2, 3] {
            let m = moved(Strategy::Modulo, 4, 8, seed);
            assert!((m - 0.5).abs() < 0.01, "4 → 8: {m}");
            let m = moved(Strategy::Modulo, 4, 5, seed);
            assert!((m - 0.8).abs() < 0.01, "4 → 5: {m}");
        }
    }

    #[test]
    fn consistent_hashing_moves_the_ideal_share_on_average_over_ring_layouts() {
        // 1 − old/new: 50 % for 4 → 8, 20 % for 4 → 5, averaged over 60 ring layouts.
        let consistent = Strategy::Consistent { vnodes: 100 };
        for (to, ideal) in [(8, 0.5), (5, 0.2)] {
            let runs: Vec<f64> = (0..60).map(|seed| moved(consistent, 4, to, seed)).collect();
            let mean = runs.iter().sum::<f64>() / runs.len() as f64;
            assert!((mean - ideal).abs() < 0.01, "4 → {to}: mean {mean}");
            // Any one layout varies: with 100 virtual nodes, 4 → 8 stays within a few points.
            if to == 8 {
                let (lo, hi) = runs
                    .iter()
                    .fold((1.0f64, 0.0f64), |(lo, hi), &m| (lo.min(m), hi.max(m)));
                assert!(lo > 0.42 && hi < 0.58, "4 → 8 over layouts: {lo}–{hi}");
            }
        }
    }

    #[test]
    fn more_virtual_nodes_even_out_the_load() {
        let spread = |vnodes| {
            (0..20)
                .map(|seed| {
                    let l = Layout::new(Strategy::Consistent { vnodes }, 8, seed);
                    max_over_mean(&l, 0..KEYS)
                })
                .sum::<f64>()
                / 20.0
        };
        let (few, many) = (spread(10), spread(400));
        // About 1.15 at 100 virtual nodes (the figure); fewer is worse, more better.
        let at_100 = spread(100);
        assert!((at_100 - 1.15).abs() < 0.08, "100 vnodes: {at_100}");
        assert!(few > at_100 && at_100 > many, "{few} > {at_100} > {many}");
        assert!(max_over_mean(&Layout::new(Strategy::Modulo, 8, 1), 0..KEYS) < 1.02);
    }

    #[test]
    fn ranges_are_contiguous_and_cover_every_shard() {
        let l = Layout::new(Strategy::Range { keys: 1_000 }, 4, 0);
        assert_eq!(
            [
                l.shard_of(0),
                l.shard_of(249),
                l.shard_of(250),
                l.shard_of(999)
            ],
            [0, 0, 1, 3]
        );
        assert_eq!(
            l.shard_of(5_000),
            3,
            "keys past the range go to the last shard"
        );
        // A fifth shard moves every boundary: keys 200–249, 400–499, 600–749 and 800–999
        // change shards, exactly half of them.
        assert_eq!(moved_fraction(&l, &l.resized(5), 0..1_000), 0.5);
    }
}

/// A resharding in progress: keys are copied in increasing order; one not copied yet is still
/// served from where the old layout put it.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct Migration {
    /// The layout being left, and the shards in use under it.
    pub from: Layout,
    pub from_active: u32,
    /// Keys below this have been considered (copied if they move).
    pub cursor: u64,
    /// Keys that move and are not copied yet.
    pub left: u64,
}

/// A shard router's state in a run.
#[derive(Serialize, Deserialize, Debug)]
pub(crate) struct Router {
    /// Where keys live (over the shards in use, less the pinned shard).
    pub layout: Layout,
    /// Shard by user rather than by record.
    pub by_user: bool,
    /// Shard databases wired (the most that can be in use).
    pub wired: u32,
    /// Shards in use.
    pub active: u32,
    /// The hottest keys (ranks below this) live alone on the last shard in use.
    pub pinned: u64,
    /// Share of reads that fan out to every shard.
    pub cross_shard: f64,
    /// Keys copied a second while resharding.
    pub migration_rate: f64,
    /// The resharding under way.
    pub migration: Option<Migration>,
    /// Keys (or users) there are: what a resharding walks.
    pub space: u64,
    /// Requests sent to each shard this second.
    pub window: Vec<u64>,
    /// The busiest shard's share of last second's requests, in percent.
    pub hottest_pct: f64,
    /// Round-robin position over a shard's read replicas.
    pub next_replica: usize,
    /// The strategy's name and the ring's settings, to lay out a new number of shards.
    strategy: (String, u32, u64),
    /// Keys each wired shard holds under the layout in force (counted exactly up to a million
    /// keys, from an even sample past that).
    pub keys: Vec<u64>,
}

/// Most keys a router walks to count or compare layouts; past this it samples evenly.
const SAMPLED_KEYS: u64 = 1_000_000;

/// Why a router cannot be built as configured.
pub(crate) fn router_problem(c: &crate::model::Component, wired: u32) -> Option<String> {
    let active = match c.number("shards") as u32 {
        0 => wired,
        n => n,
    };
    if active > wired {
        return Some(format!(
            "{active} shards in use but only {wired} databases wired"
        ));
    }
    (c.number("pinned_keys") > 0.0 && active < 2)
        .then(|| "pinning hot keys needs at least two shards in use".to_string())
}

impl Router {
    /// Reads a validated `shard_router` component wired to `wired` shard databases; `space`
    /// is the key space (or the number of users, sharding by user), for ranges and resharding.
    pub fn from_component(c: &crate::model::Component, wired: u32, space: u64) -> Self {
        let active = match c.number("shards") as u32 {
            0 => wired,
            n => n.min(wired),
        }
        .max(1);
        let pinned = c.number("pinned_keys") as u64;
        let mut r = Router {
            layout: Layout::new(Strategy::Modulo, 1, 0),
            by_user: c.choice("shard_key") == "user",
            wired,
            active,
            pinned: if active >= 2 { pinned } else { 0 },
            cross_shard: c.number("cross_shard_pct") / 100.0,
            migration_rate: c.number("migration_keys_per_s"),
            migration: None,
            space: space.max(1),
            window: vec![0; wired.max(1) as usize],
            hottest_pct: 0.0,
            next_replica: 0,
            strategy: Self::strategy_of(c),
            keys: Vec::new(),
        };
        r.layout = r.layout_for(active);
        r.count_keys();
        r
    }

    /// Counts the keys each shard holds under the layout in force.
    fn count_keys(&mut self) {
        let step = self.space.div_ceil(SAMPLED_KEYS).max(1);
        let mut counts = vec![0u64; self.wired.max(1) as usize];
        let mut seen = 0u64;
        for k in (0..self.space).step_by(step as usize) {
            counts[self.place(&self.layout, self.active, k) as usize] += 1;
            seen += 1;
        }
        let scale = self.space as f64 / seen.max(1) as f64;
        self.keys = counts
            .into_iter()
            .map(|c| (c as f64 * scale).round() as u64)
            .collect();
    }

    fn strategy_of(c: &crate::model::Component) -> (String, u32, u64) {
        (
            c.choice("strategy").to_string(),
            c.number("vnodes") as u32,
            c.number("ring_seed") as u64,
        )
    }

    /// The layout over `active` shards in use (the last kept for pinned keys).
    fn layout_for(&self, active: u32) -> Layout {
        let (name, vnodes, seed) = &self.strategy;
        let strategy = match name.as_str() {
            "modulo" => Strategy::Modulo,
            "range" => Strategy::Range {
                keys: self.space.saturating_sub(self.pinned),
            },
            _ => Strategy::Consistent { vnodes: *vnodes },
        };
        let spread = if self.pinned > 0 { active - 1 } else { active };
        Layout::new(strategy, spread, *seed)
    }

    /// Takes `c`'s settings, keeping the shards in use and any resharding under way.
    pub fn update(&mut self, c: &crate::model::Component) {
        self.by_user = c.choice("shard_key") == "user";
        self.cross_shard = c.number("cross_shard_pct") / 100.0;
        self.migration_rate = c.number("migration_keys_per_s");
        if self.migration.is_none() {
            let pinned = c.number("pinned_keys") as u64;
            self.pinned = if self.active >= 2 { pinned } else { 0 };
            self.strategy = Self::strategy_of(c);
            self.layout = self.layout_for(self.active);
            self.count_keys();
        }
    }

    /// The shard holding `key` under `layout` over `active` shards (pinned keys on the last).
    fn place(&self, layout: &Layout, active: u32, key: u64) -> u32 {
        if key < self.pinned {
            active - 1
        } else {
            // Ranges cover the unpinned keys from the first unpinned one.
            layout.shard_of(key - self.pinned)
        }
    }

    /// The shard holding `key` now: where the layout puts it, or, while resharding, where the
    /// old layout put it if it has not been copied yet.
    pub fn shard_for(&self, key: u64) -> u32 {
        match &self.migration {
            Some(m) if key >= m.cursor => self.place(&m.from, m.from_active, key),
            _ => self.place(&self.layout, self.active, key),
        }
    }

    /// The next key a resharding copies, with its old and new shard, moving the cursor past
    /// it; `None` (and the resharding over) when no key is left to move.
    pub fn next_move(&mut self) -> Option<(u64, u32, u32)> {
        let m = self.migration.as_ref()?;
        let (from, from_active) = (m.from.clone(), m.from_active);
        let mut k = m.cursor;
        while k < self.space {
            let (old, new) = (
                self.place(&from, from_active, k),
                self.place(&self.layout, self.active, k),
            );
            k += 1;
            if old != new {
                let m = self.migration.as_mut()?;
                m.cursor = k;
                m.left = m.left.saturating_sub(1);
                return Some((k - 1, old, new));
            }
        }
        self.migration = None;
        None
    }

    /// Starts moving to `shards` shards in use (at most those wired). Returns how many keys
    /// move and out of how many (sampled evenly when the space is over a million keys), or
    /// `None` when nothing changes.
    pub fn reshard(&mut self, shards: u32) -> Option<(u64, u64)> {
        let shards = shards.clamp(if self.pinned > 0 { 2 } else { 1 }, self.wired);
        if shards == self.active {
            return None;
        }
        // A resharding under way is overtaken: the keys it had not copied yet are judged
        // against the layout in force.
        let from = self.layout.clone();
        let old_active = self.active;
        self.active = shards;
        self.layout = self.layout_for(shards);
        let step = self.space.div_ceil(SAMPLED_KEYS).max(1);
        let (mut moved, mut seen) = (0u64, 0u64);
        for k in (0..self.space).step_by(step as usize) {
            seen += 1;
            moved +=
                u64::from(self.place(&from, old_active, k) != self.place(&self.layout, shards, k));
        }
        let left = if step == 1 {
            moved
        } else {
            (moved as f64 / seen as f64 * self.space as f64).round() as u64
        };
        self.migration = Some(Migration {
            from,
            from_active: old_active,
            cursor: 0,
            left,
        });
        self.count_keys();
        Some((moved, seen))
    }
}

impl Router {
    /// Closes the second: the busiest shard's share of it.
    pub fn close_window(&mut self) {
        let total: u64 = self.window.iter().sum();
        let max = self.window.iter().copied().max().unwrap_or(0);
        self.hottest_pct = if total > 0 {
            100.0 * max as f64 / total as f64
        } else {
            0.0
        };
        self.window.iter_mut().for_each(|w| *w = 0);
    }
}
