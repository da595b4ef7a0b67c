//! DNS: the client's resolver. Each user caches the answer for the TTL; only requests that miss
//! that cache pay for a lookup. Wired to several targets, DNS answers round-robin; GeoDNS
//! chooses by region or weight (see `geo_dns`).

use serde::{Deserialize, Serialize};

use crate::model::Component;

use super::geo_dns::GeoDns;
use super::time::{SimDuration, SimTime};

/// A DNS node's state: per-user cached answers, and how new answers are chosen.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct Dns {
    lookup: SimDuration,
    ttl: SimDuration,
    /// Per global user: when the cached answer expires, and which target it names.
    cache: Vec<(SimTime, u32)>,
    next: u32,
    /// GeoDNS: answers by the user's region (or by weight), among healthy targets. Plain DNS
    /// answers round-robin.
    pub geo: Option<GeoDns>,
}

impl Dns {
    /// Reads a validated `dns` or `geo_dns` component, with room for `users` users.
    pub fn from_component(c: &Component, users: u32) -> Self {
        Dns {
            lookup: SimDuration::from_secs_f64(c.number("lookup_ms") / 1000.0),
            ttl: SimDuration::from_secs_f64(c.number("ttl_s")),
            cache: vec![(SimTime::ZERO, 0); users as usize],
            next: 0,
            geo: None,
        }
    }

    /// Takes `c`'s settings, keeping the answers clients have cached (and GeoDNS's view of
    /// its targets' health).
    pub fn update(&mut self, c: &Component) {
        self.lookup = SimDuration::from_secs_f64(c.number("lookup_ms") / 1000.0);
        self.ttl = SimDuration::from_secs_f64(c.number("ttl_s"));
        if let Some(g) = &mut self.geo {
            g.update(c);
        }
    }

    /// The answer `user`'s client has cached at `now`, if any.
    pub fn cached(&self, user: u32, now: SimTime) -> Option<u32> {
        let (expires, target) = self.cache[user as usize];
        (expires > now).then_some(target)
    }

    /// The client drops its cached answer (a connection failed: it will look again).
    pub fn forget(&mut self, user: u32) {
        self.cache[user as usize].0 = SimTime::ZERO;
    }

    /// The next target round-robin over `targets` (at least one).
    pub fn round_robin(&mut self, targets: u32) -> u32 {
        let target = self.next % targets;
        self.next = (self.next + 1) % targets;
        target
    }

    /// A lookup by `user` at `now` answered with `target`: the client caches it for the TTL
    /// from when it arrives. Returns the delay: `round_trip` to DNS and back plus the lookup.
    pub fn answer(
        &mut self,
        user: u32,
        now: SimTime,
        round_trip: SimDuration,
        target: u32,
    ) -> SimDuration {
        let delay = round_trip + self.lookup;
        self.cache[user as usize] = (now + delay + self.ttl, target);
        delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    #[test]
    fn answers_are_cached_for_the_ttl() {
        let c = Component::new("dns", Kind::Dns)
            .with("lookup_ms", 30.0)
            .with("ttl_s", 60.0);
        let mut dns = Dns::from_component(&c, 2);
        let s = |x: f64| SimTime::ZERO + SimDuration::from_secs_f64(x);
        let rtt = SimDuration::from_millis(10);
        assert_eq!(dns.cached(0, s(0.0)), None);
        let target = dns.round_robin(2);
        assert_eq!(target, 0);
        assert_eq!(
            dns.answer(0, s(0.0), rtt, target),
            SimDuration::from_millis(40)
        );
        assert_eq!(dns.cached(0, s(59.0)), Some(0));
        // The answer expires 60 s after it arrived (at 0.04 s).
        assert_eq!(dns.cached(0, s(60.03)), Some(0));
        assert_eq!(dns.cached(0, s(60.05)), None);
        // Round-robin over targets for new lookups.
        assert_eq!(dns.round_robin(2), 1);
        assert_eq!(dns.round_robin(2), 0);
        // A client that forgets looks again.
        dns.answer(1, s(1.0), rtt, 1);
        assert_eq!(dns.cached(1, s(2.0)), Some(1));
        dns.forget(1);
        assert_eq!(dns.cached(1, s(2.0)), None);
    }
}
