//! A cache's contents: at most `capacity` keys, each holding the version of the record it was
//! filled with, an expiry (TTL) and, for measurement only, the moment the primary moved past
//! that version. Eviction is LRU, LFU, FIFO or Random, each in O(1) or O(log n) per operation,
//! so a cache of millions of items costs no more per request than a small one.
//!
//! Hit ratios are not configured anywhere: they come out of the capacity, the TTL, the policy
//! and the keys the users actually ask for (tested against the Che approximation).

use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

use super::rng::SimRng;
use super::time::{SimDuration, SimTime};

/// How a full cache chooses what to drop.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Eviction {
    /// Least recently used.
    Lru,
    /// Least frequently used: every key's uses are counted (cached or not, so memory is
    /// bounded by the key space), the least used cached item makes way, and a newcomer used
    /// less than every cached item is not admitted. Ties go to the least recently used.
    Lfu,
    /// First in, first out: the oldest fill, whatever its use since.
    Fifo,
    /// A uniformly random item.
    Random,
}

impl Eviction {
    /// From the catalogue's choice value.
    pub fn from_choice(v: &str) -> Eviction {
        match v {
            "lfu" => Eviction::Lfu,
            "fifo" => Eviction::Fifo,
            "random" => Eviction::Random,
            _ => Eviction::Lru,
        }
    }
}

/// Hashes record keys (already well spread: ranks under a popularity model) with one multiply,
/// deterministically on every platform. Lookups only; nothing iterates the map.
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }

    fn write_u64(&mut self, v: u64) {
        // Fibonacci hashing, then fold the high bits down for the table's low-bit indexing.
        let h = v.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = h ^ (h >> 29);
    }
}

/// A map from record keys, with [`KeyHasher`].
pub(crate) type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

const NIL: u32 = u32::MAX;

#[derive(Serialize, Deserialize, Clone, Debug)]
struct Entry {
    key: u64,
    version: u64,
    expires: SimTime,
    /// When the primary committed a newer version than this one (measurement only).
    superseded: Option<SimTime>,
    /// Written through ahead of the database: not committed yet, so newer, not older, than
    /// what the database holds until its own commit.
    pending: bool,
    /// Neighbours in the recency (LRU) or insertion (FIFO) list.
    prev: u32,
    next: u32,
    /// Uses while cached, and the tick of the last one (LFU).
    uses: u64,
    tick: u64,
    /// Neighbours in the expiry list (oldest expiry at its tail), when items expire.
    xprev: u32,
    xnext: u32,
}

/// What a lookup found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// The key was cached: its version, and when it went stale if it has.
    Hit {
        version: u64,
        superseded: Option<SimTime>,
    },
    /// Not cached.
    Miss,
    /// Cached but past its TTL: dropped, and a miss.
    Expired,
}

/// The contents of one cache node.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct CacheStore {
    capacity: usize,
    ttl: Option<SimDuration>,
    eviction: Eviction,
    index: KeyMap<u32>,
    /// A slab: never longer than `capacity`, so when the cache is full every slot is live.
    slots: Vec<Entry>,
    free: Vec<u32>,
    head: u32,
    tail: u32,
    /// LFU order of the cached items: (uses, tick of last use, slot), smallest first.
    by_use: BTreeSet<(u64, u64, u32)>,
    /// LFU: uses of every key asked for.
    uses: KeyMap<u64>,
    ticks: u64,
    /// The expiry list, newest fill at its head: every fill lives the same TTL, so the tail
    /// holds the item that expires first.
    xhead: u32,
    xtail: u32,
}

impl CacheStore {
    /// An empty cache of `capacity` items (at least one); `ttl` of `None` never expires.
    pub fn new(capacity: usize, ttl: Option<SimDuration>, eviction: Eviction) -> Self {
        CacheStore {
            capacity: capacity.max(1),
            ttl,
            eviction,
            index: KeyMap::default(),
            slots: Vec::new(),
            free: Vec::new(),
            head: NIL,
            tail: NIL,
            by_use: BTreeSet::new(),
            uses: KeyMap::default(),
            ticks: 0,
            xhead: NIL,
            xtail: NIL,
        }
    }

    /// Items held, expired or not (an expired item stays until it is looked up or reclaimed
    /// to make room).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Items held that have not expired at `now`: what a reader of the cache could still get.
    /// Counts back from the expiry list's tail, so it costs one step per expired item held.
    pub fn live(&self, now: SimTime) -> usize {
        let mut expired = 0;
        let mut slot = self.xtail;
        while slot != NIL && self.slots[slot as usize].expires <= now {
            expired += 1;
            slot = self.slots[slot as usize].xprev;
        }
        self.index.len() - expired
    }

    /// Drops every item expired at `now`, as memcached and Redis reclaim expired memory before
    /// they evict a live item. Returns how many were dropped.
    pub fn reclaim(&mut self, now: SimTime) -> usize {
        let mut dropped = 0;
        while self.xtail != NIL && self.slots[self.xtail as usize].expires <= now {
            self.remove_slot(self.xtail);
            dropped += 1;
        }
        dropped
    }

    /// Most items it holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How long an item lives, if it expires.
    pub fn ttl(&self) -> Option<SimDuration> {
        self.ttl
    }

    /// The eviction policy.
    pub fn eviction(&self) -> Eviction {
        self.eviction
    }

    /// Caches `key` at `version` unless a live (unexpired) copy is already there: a fill from
    /// the database never overwrites what a later write put in. Returns `Some(evicted)` if it
    /// stored the item, `None` if it kept the copy it had.
    pub fn fill(
        &mut self,
        key: u64,
        version: u64,
        superseded: Option<SimTime>,
        now: SimTime,
        rng: &mut SimRng,
    ) -> Option<bool> {
        if let Some(&slot) = self.index.get(&key) {
            if self.slots[slot as usize].expires > now {
                return None;
            }
            self.remove_slot(slot);
        }
        Some(self.put(key, version, superseded, now, rng))
    }

    /// Looks `key` up at `now`, counting a use on a hit.
    pub fn get(&mut self, key: u64, now: SimTime) -> Lookup {
        if self.eviction == Eviction::Lfu {
            *self.uses.entry(key).or_default() += 1;
        }
        let Some(&slot) = self.index.get(&key) else {
            return Lookup::Miss;
        };
        if self.slots[slot as usize].expires <= now {
            self.remove_slot(slot);
            return Lookup::Expired;
        }
        self.touch(slot);
        let e = &self.slots[slot as usize];
        Lookup::Hit {
            version: e.version,
            superseded: e.superseded,
        }
    }

    /// Whether `key` is cached (expired or not), without counting a use.
    #[cfg(test)]
    pub fn contains(&self, key: u64) -> bool {
        self.index.contains_key(&key)
    }

    /// Caches a write's `version` of `key` ahead of its commit (write-through).
    pub fn put_pending(&mut self, key: u64, version: u64, now: SimTime, rng: &mut SimRng) -> bool {
        let evicted = self.put(key, version, None, now, rng);
        if let Some(&slot) = self.index.get(&key) {
            self.slots[slot as usize].pending = true;
        }
        evicted
    }

    /// Caches `key` at `version` from `now`, evicting if full. An existing entry is replaced.
    /// `superseded` says when the primary had already moved past `version` (a fill that lost a
    /// race with a write). Returns true if an item was evicted to make room.
    pub fn put(
        &mut self,
        key: u64,
        version: u64,
        superseded: Option<SimTime>,
        now: SimTime,
        rng: &mut SimRng,
    ) -> bool {
        let expires = self.ttl.map_or(SimTime::MAX, |t| now + t);
        if let Some(&slot) = self.index.get(&key) {
            let e = &mut self.slots[slot as usize];
            e.version = version;
            e.superseded = superseded;
            e.pending = false;
            e.expires = expires;
            self.touch(slot);
            if self.ttl.is_some() {
                self.xunlink(slot);
                self.xpush_front(slot);
            }
            // A refill starts a new FIFO life, as a fresh insertion would.
            if self.eviction == Eviction::Fifo {
                self.unlink(slot);
                self.push_front(slot);
            }
            return false;
        }
        self.ticks += 1;
        let uses = match self.eviction {
            Eviction::Lfu => self.uses.get(&key).copied().unwrap_or(1),
            _ => 1,
        };
        // Expired items make room first: only a cache full of live items evicts.
        if self.index.len() >= self.capacity && self.ttl.is_some() {
            self.reclaim(now);
        }
        let evicted = self.index.len() >= self.capacity;
        if evicted
            && self.eviction == Eviction::Lfu
            && self
                .by_use
                .first()
                .is_some_and(|&(u, tick, _)| (uses, self.ticks) < (u, tick))
        {
            return false; // not admitted: used less than anything cached
        }
        if evicted {
            let victim = match self.eviction {
                Eviction::Lru | Eviction::Fifo => self.tail,
                Eviction::Lfu => self.by_use.first().map_or(self.tail, |&(_, _, s)| s),
                // Full means every slot is live (the slab never outgrows the capacity).
                Eviction::Random => rng.below(self.slots.len() as u64) as u32,
            };
            self.remove_slot(victim);
        }
        let entry = Entry {
            key,
            version,
            expires,
            superseded,
            pending: false,
            prev: NIL,
            next: NIL,
            uses,
            tick: self.ticks,
            xprev: NIL,
            xnext: NIL,
        };
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = entry;
                s
            }
            None => {
                self.slots.push(entry);
                (self.slots.len() - 1) as u32
            }
        };
        self.index.insert(key, slot);
        self.push_front(slot);
        if self.ttl.is_some() {
            self.xpush_front(slot);
        }
        if self.eviction == Eviction::Lfu {
            self.by_use.insert((uses, self.ticks, slot));
        }
        evicted
    }

    /// Drops `key` if cached (an invalidation). Returns whether it was.
    pub fn remove(&mut self, key: u64) -> bool {
        match self.index.get(&key) {
            Some(&slot) => {
                self.remove_slot(slot);
                true
            }
            None => false,
        }
    }

    /// Notes that the primary committed version `committed` of `key` at `now`: a cached copy
    /// of an older version is stale from now on (if it was not already). A copy written through
    /// ahead of its commit is newer, not older; its own commit makes it an ordinary copy.
    pub fn supersede(&mut self, key: u64, committed: u64, now: SimTime) {
        if let Some(&slot) = self.index.get(&key) {
            let e = &mut self.slots[slot as usize];
            if e.version == committed {
                e.pending = false;
            } else if !e.pending && e.superseded.is_none() {
                e.superseded = Some(now);
            }
        }
    }

    /// Empties the cache (a flush, or the machine losing its memory). Returns the items dropped.
    pub fn clear(&mut self) -> usize {
        let n = self.index.len();
        self.index.clear();
        self.slots.clear();
        self.free.clear();
        self.by_use.clear();
        self.head = NIL;
        self.tail = NIL;
        self.xhead = NIL;
        self.xtail = NIL;
        n
    }

    fn touch(&mut self, slot: u32) {
        match self.eviction {
            Eviction::Lru => {
                self.unlink(slot);
                self.push_front(slot);
            }
            Eviction::Lfu => {
                self.ticks += 1;
                let uses = self.uses.get(&self.slots[slot as usize].key).copied();
                let e = &mut self.slots[slot as usize];
                self.by_use.remove(&(e.uses, e.tick, slot));
                e.uses = uses.unwrap_or(e.uses + 1);
                e.tick = self.ticks;
                self.by_use.insert((e.uses, e.tick, slot));
            }
            Eviction::Fifo | Eviction::Random => {}
        }
    }

    fn remove_slot(&mut self, slot: u32) {
        self.unlink(slot);
        if self.ttl.is_some() {
            self.xunlink(slot);
        }
        let e = &self.slots[slot as usize];
        self.index.remove(&e.key);
        if self.eviction == Eviction::Lfu {
            self.by_use.remove(&(e.uses, e.tick, slot));
        }
        self.free.push(slot);
    }

    fn push_front(&mut self, slot: u32) {
        let old = self.head;
        {
            let e = &mut self.slots[slot as usize];
            e.prev = NIL;
            e.next = old;
        }
        if old != NIL {
            self.slots[old as usize].prev = slot;
        } else {
            self.tail = slot;
        }
        self.head = slot;
    }

    fn unlink(&mut self, slot: u32) {
        let (prev, next) = {
            let e = &self.slots[slot as usize];
            (e.prev, e.next)
        };
        if prev != NIL {
            self.slots[prev as usize].next = next;
        } else if self.head == slot {
            self.head = next;
        }
        if next != NIL {
            self.slots[next as usize].prev = prev;
        } else if self.tail == slot {
            self.tail = prev;
        }
        let e = &mut self.slots[slot as usize];
        e.prev = NIL;
        e.next = NIL;
    }

    fn xpush_front(&mut self, slot: u32) {
        let old = self.xhead;
        {
            let e = &mut self.slots[slot as usize];
            e.xprev = NIL;
            e.xnext = old;
        }
        if old != NIL {
            self.slots[old as usize].xprev = slot;
        } else {
            self.xtail = slot;
        }
        self.xhead = slot;
    }

    fn xunlink(&mut self, slot: u32) {
        let (prev, next) = {
            let e = &self.slots[slot as usize];
            (e.xprev, e.xnext)
        };
        if prev != NIL {
            self.slots[prev as usize].xnext = next;
        } else if self.xhead == slot {
            self.xhead = next;
        }
        if next != NIL {
            self.slots[next as usize].xprev = prev;
        } else if self.xtail == slot {
            self.xtail = prev;
        }
        let e = &mut self.slots[slot as usize];
        e.xprev = NIL;
        e.xnext = NIL;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> SimTime {
        SimTime::from_nanos(ms * 1_000_000)
    }

    fn cached(c: &CacheStore, keys: &[u64]) -> Vec<u64> {
        keys.iter().copied().filter(|k| c.contains(*k)).collect()
    }

    #[test]
    fn lru_drops_the_least_recently_used() {
        let mut rng = SimRng::new(1);
        let mut c = CacheStore::new(3, None, Eviction::Lru);
        for k in 1..=3 {
            assert!(!c.put(k, 0, None, t(k), &mut rng));
        }
        assert!(matches!(c.get(1, t(4)), Lookup::Hit { .. }));
        assert!(c.put(4, 0, None, t(5), &mut rng), "full: evicts");
        assert_eq!(
            cached(&c, &[1, 2, 3, 4]),
            [1, 3, 4],
            "2 was least recently used"
        );
        assert_eq!(c.len(), 3);
    }

    /// A lookup that fills on a miss, as a read-through cache does.
    fn read(c: &mut CacheStore, key: u64, now: SimTime, rng: &mut SimRng) {
        if !matches!(c.get(key, now), Lookup::Hit { .. }) {
            c.put(key, 0, None, now, rng);
        }
    }

    #[test]
    fn fifo_ignores_use_and_lfu_keeps_the_popular() {
        let mut rng = SimRng::new(1);
        let mut fifo = CacheStore::new(3, None, Eviction::Fifo);
        let mut lfu = CacheStore::new(3, None, Eviction::Lfu);
        for c in [&mut fifo, &mut lfu] {
            for k in [1, 2, 3, 1, 1, 1, 3, 4] {
                read(c, k, t(k), &mut rng);
            }
        }
        assert_eq!(
            cached(&fifo, &[1, 2, 3, 4]),
            [2, 3, 4],
            "1 was filled first"
        );
        assert_eq!(cached(&lfu, &[1, 2, 3, 4]), [1, 3, 4], "2 was used least");
        // Uses now: 1 four times, 3 twice, 4 once. A newcomer used once ties with 4 and
        // replaces it (the older use); one used less than everything cached is not admitted.
        read(&mut lfu, 5, t(6), &mut rng);
        assert_eq!(cached(&lfu, &[1, 3, 4, 5]), [1, 3, 5]);
        // 4 has been asked for twice now: it comes back in place of 5 (once).
        read(&mut lfu, 4, t(7), &mut rng);
        assert_eq!(cached(&lfu, &[1, 3, 4, 5]), [1, 3, 4]);
    }

    #[test]
    fn random_eviction_keeps_the_size_and_spreads_its_victims() {
        let mut rng = SimRng::new(9);
        let mut c = CacheStore::new(10, None, Eviction::Random);
        let mut survivors_of_first = 0;
        for round in 0..2000 {
            c.clear();
            for k in 0..10 {
                c.put(k, 0, None, t(0), &mut rng);
            }
            c.put(100 + round, 0, None, t(1), &mut rng);
            assert_eq!(c.len(), 10);
            survivors_of_first += u64::from(c.contains(0));
        }
        // Each item is the victim with probability 1/10: key 0 survives ~1800 of 2000 times
        // (binomial, sd ≈ 13).
        assert!(
            (1740..=1860).contains(&survivors_of_first),
            "{survivors_of_first}"
        );
    }

    #[test]
    fn entries_expire_after_their_ttl() {
        let mut rng = SimRng::new(1);
        let mut c = CacheStore::new(10, Some(SimDuration::from_millis(100)), Eviction::Lru);
        c.put(7, 3, None, t(0), &mut rng);
        assert_eq!(
            c.get(7, t(99)),
            Lookup::Hit {
                version: 3,
                superseded: None
            }
        );
        assert_eq!(c.get(7, t(100)), Lookup::Expired);
        assert_eq!(c.get(7, t(101)), Lookup::Miss, "dropped on expiry");
        assert_eq!(c.len(), 0);
    }

    #[test]
    fn a_newer_commit_marks_other_versions_stale_once() {
        let mut rng = SimRng::new(1);
        let mut c = CacheStore::new(10, None, Eviction::Lru);
        c.put(1, 5, None, t(0), &mut rng);
        c.supersede(1, 5, t(1));
        assert_eq!(
            c.get(1, t(2)),
            Lookup::Hit {
                version: 5,
                superseded: None
            },
            "the cached version is the committed one"
        );
        c.supersede(1, 6, t(3));
        c.supersede(1, 7, t(4));
        assert_eq!(
            c.get(1, t(5)),
            Lookup::Hit {
                version: 5,
                superseded: Some(t(3))
            },
            "stale since the first newer commit"
        );
        c.put(1, 7, None, t(6), &mut rng);
        assert!(matches!(
            c.get(1, t(7)),
            Lookup::Hit {
                superseded: None,
                ..
            }
        ));
        assert!(c.remove(1));
        assert!(!c.remove(1));
    }

    #[test]
    fn the_lists_stay_consistent_under_random_operations() {
        // Against a simple model: a Vec in recency order (LRU).
        let mut rng = SimRng::new(3);
        let mut c = CacheStore::new(8, None, Eviction::Lru);
        let mut model: Vec<u64> = Vec::new();
        for step in 0..20_000u64 {
            let key = rng.below(20);
            let now = t(step);
            match rng.below(3) {
                0 => {
                    let hit = matches!(c.get(key, now), Lookup::Hit { .. });
                    assert_eq!(hit, model.contains(&key));
                    if hit {
                        model.retain(|k| *k != key);
                        model.insert(0, key);
                    }
                }
                1 => {
                    c.put(key, step, None, now, &mut rng);
                    model.retain(|k| *k != key);
                    model.insert(0, key);
                    model.truncate(8);
                }
                _ => {
                    assert_eq!(c.remove(key), model.contains(&key));
                    model.retain(|k| *k != key);
                }
            }
            assert_eq!(c.len(), model.len());
        }
    }
}

/// Hit ratios against independent truth: the Che approximation and its relatives, for
/// requests drawn independently from a Zipf popularity (the independent reference model).
#[cfg(test)]
mod theory {
    use super::*;
    use crate::sim::rng::Zipf;

    const KEYS: u64 = 10_000;

    fn zipf_probabilities(s: f64) -> Vec<f64> {
        let w: Vec<f64> = (1..=KEYS).map(|i| (i as f64).powf(-s)).collect();
        let h: f64 = w.iter().sum();
        w.into_iter().map(|x| x / h).collect()
    }

    /// Solves `Σ occupancy(p_i T) = C` for T by bisection, then returns `Σ p_i occupancy(p_i T)`:
    /// the hit ratio predicted when each item is cached with probability `occupancy(p_i T)`.
    fn characteristic_time_hit_ratio(p: &[f64], capacity: f64, occupancy: fn(f64) -> f64) -> f64 {
        let filled = |t: f64| p.iter().map(|&pi| occupancy(pi * t)).sum::<f64>();
        let (mut lo, mut hi) = (0.0, 1.0);
        while filled(hi) < capacity {
            hi *= 2.0;
        }
        for _ in 0..200 {
            let mid = (lo + hi) / 2.0;
            if filled(mid) < capacity {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        p.iter().map(|&pi| pi * occupancy(pi * lo)).sum()
    }

    /// Che: an LRU cache holds item i with probability 1 − e^(−p_i T).
    fn che_lru(p: &[f64], c: f64) -> f64 {
        characteristic_time_hit_ratio(p, c, |x| 1.0 - (-x).exp())
    }

    /// FIFO and Random: p_i T / (1 + p_i T).
    fn fifo_random(p: &[f64], c: f64) -> f64 {
        characteristic_time_hit_ratio(p, c, |x| x / (1.0 + x))
    }

    /// LFU under a fixed popularity keeps the C most popular items.
    fn top_c(p: &[f64], c: usize) -> f64 {
        p.iter().take(c).sum()
    }

    /// The simulated hit ratio: `warm` requests to fill the cache, then `n` measured, each a
    /// lookup that fills on a miss.
    fn simulate(eviction: Eviction, s: f64, capacity: usize, warm: u64, n: u64) -> f64 {
        let mut rng = SimRng::new(2024);
        let zipf = Zipf::new(KEYS, s);
        let mut cache = CacheStore::new(capacity, None, eviction);
        let now = SimTime::ZERO;
        let mut hits = 0u64;
        for i in 0..warm + n {
            let key = zipf.sample(&mut rng) - 1;
            match cache.get(key, now) {
                Lookup::Hit { .. } => hits += u64::from(i >= warm),
                Lookup::Miss | Lookup::Expired => {
                    cache.put(key, 0, None, now, &mut rng);
                }
            }
        }
        hits as f64 / n as f64
    }

    // Each measured ratio comes from 10⁶ requests: its standard error is below 0.05
    // percentage points even allowing for correlation between successive states, so the 1
    // point tolerance is the approximations' own accuracy, which the literature puts well
    // inside it for N = 10⁴ and these capacities.
    const WARM: u64 = 300_000;
    const N: u64 = 1_000_000;

    #[test]
    fn lru_matches_the_che_approximation() {
        for s in [0.8, 1.2] {
            let p = zipf_probabilities(s);
            for c in [100, 1000] {
                let want = che_lru(&p, c as f64);
                let got = simulate(Eviction::Lru, s, c, WARM, N);
                assert!(
                    (got - want).abs() < 0.01,
                    "LRU s={s} C={c}: simulated {got:.4}, Che {want:.4}"
                );
            }
        }
    }

    #[test]
    fn fifo_and_random_match_their_approximation() {
        for s in [0.8, 1.2] {
            let p = zipf_probabilities(s);
            for c in [100, 1000] {
                let want = fifo_random(&p, c as f64);
                for e in [Eviction::Fifo, Eviction::Random] {
                    let got = simulate(e, s, c, WARM, N);
                    assert!(
                        (got - want).abs() < 0.01,
                        "{e:?} s={s} C={c}: simulated {got:.4}, approximation {want:.4}"
                    );
                }
            }
        }
    }

    #[test]
    fn lfu_keeps_the_most_popular_items() {
        for s in [0.8, 1.2] {
            let p = zipf_probabilities(s);
            for c in [100, 1000] {
                let want = top_c(&p, c);
                let got = simulate(Eviction::Lfu, s, c, 2_000_000, N);
                assert!(
                    (got - want).abs() < 0.01,
                    "LFU s={s} C={c}: simulated {got:.4}, top-C sum {want:.4}"
                );
            }
        }
    }

    #[test]
    fn the_policies_rank_as_theory_says() {
        // Under a fixed popularity: LFU ≥ LRU ≥ FIFO ≈ Random, all from the same requests.
        let (s, c) = (0.8, 100);
        let lfu = simulate(Eviction::Lfu, s, c, 2_000_000, N);
        let lru = simulate(Eviction::Lru, s, c, WARM, N);
        let fifo = simulate(Eviction::Fifo, s, c, WARM, N);
        assert!(
            lfu > lru && lru > fifo,
            "LFU {lfu:.4}, LRU {lru:.4}, FIFO {fifo:.4}"
        );
    }

    /// A read-through cache with a TTL, fed by Poisson reads over K equally popular keys: each
    /// key alternates between cached (the TTL T from a miss) and absent (until its next read,
    /// exponential with rate λ/K), so by renewal theory it is cached a share x/(1 + x) of the
    /// time, x = λT/K, and so is the hit ratio. Expired items are not live, and never force a
    /// live one out: with room for the live ones, nothing is evicted.
    #[test]
    fn expired_items_are_not_live_and_are_reclaimed_before_live_ones_are_evicted() {
        let (keys, rate, ttl_s) = (10_000u64, 2_500.0, 2.0);
        for eviction in [
            Eviction::Lru,
            Eviction::Lfu,
            Eviction::Fifo,
            Eviction::Random,
        ] {
            let mut rng = SimRng::new(3);
            let mut c = CacheStore::new(5_000, Some(SimDuration::from_secs_f64(ttl_s)), eviction);
            let (mut hits, mut reads, mut evictions) = (0u64, 0u64, 0u64);
            let mut now_s = 0.0;
            let mut live_sum = 0.0;
            let mut samples = 0.0;
            let mut next_sample = 10.0;
            while now_s < 200.0 {
                now_s += rng.exponential(1.0 / rate);
                let now = SimTime::from_nanos((now_s * 1e9) as u64);
                while next_sample < now_s {
                    let at = SimTime::from_nanos((next_sample * 1e9) as u64);
                    let live = c.live(at);
                    assert!(live <= c.len());
                    live_sum += live as f64;
                    samples += 1.0;
                    next_sample += 1.0;
                }
                let key = rng.below(keys);
                let hit = matches!(c.get(key, now), Lookup::Hit { .. });
                if now_s > 10.0 {
                    reads += 1;
                    hits += u64::from(hit);
                }
                if !hit {
                    evictions += u64::from(c.put(key, 0, None, now, &mut rng));
                }
            }
            let x = rate * ttl_s / keys as f64;
            let share = x / (1.0 + x);
            let hit_ratio = hits as f64 / reads as f64;
            assert!(
                (hit_ratio / share - 1.0).abs() < 0.02,
                "{eviction:?}: {hit_ratio}"
            );
            let live = live_sum / samples;
            let want = keys as f64 * share;
            assert!(
                (live / want - 1.0).abs() < 0.02,
                "{eviction:?}: {live} vs {want}"
            );
            assert_eq!(evictions, 0, "{eviction:?}: room for every live item");
        }
    }

    #[test]
    fn a_full_cache_evicts_a_live_item_only_when_none_has_expired() {
        let cached = |c: &CacheStore, keys: &[u64]| -> Vec<u64> {
            keys.iter().copied().filter(|k| c.contains(*k)).collect()
        };
        let mut rng = SimRng::new(1);
        let ttl = Some(SimDuration::from_secs_f64(10.0));
        let mut c = CacheStore::new(3, ttl, Eviction::Lru);
        let s = |x: u64| SimTime::from_nanos(x * 1_000_000_000);
        c.put(1, 0, None, s(0), &mut rng);
        c.put(2, 0, None, s(5), &mut rng);
        c.put(3, 0, None, s(6), &mut rng);
        // Key 1 is the most recently used, and the only one expired at 11 s.
        assert!(matches!(c.get(1, s(9)), Lookup::Hit { .. }));
        assert_eq!(c.live(s(11)), 2);
        assert!(
            !c.put(4, 0, None, s(11), &mut rng),
            "room made by the expired item"
        );
        assert_eq!(cached(&c, &[1, 2, 3, 4]), [2, 3, 4]);
        // A refill renews the expiry: 2 now lives to 22 s, so 3 expires first.
        c.put(2, 1, None, s(12), &mut rng);
        assert_eq!(c.live(s(17)), 2, "3 expired at 16 s");
        assert_eq!(c.reclaim(s(17)), 1);
        assert_eq!(cached(&c, &[2, 3, 4]), [2, 4]);
        // Full of live items: an eviction, by the policy.
        c.put(5, 0, None, s(18), &mut rng);
        assert!(c.put(6, 0, None, s(19), &mut rng));
        assert_eq!(c.len(), 3);
    }
}
