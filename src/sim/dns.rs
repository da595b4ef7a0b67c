//! DNS: the client's resolver. Each user caches the answer for the TTL; only requests that miss
//! that cache pay for a lookup. Wired to several targets, DNS answers round-robin.

use crate::model::Component;

use super::time::{SimDuration, SimTime};

/// A DNS node's state: per-user cached answers.
#[derive(Clone, Debug)]
pub(crate) struct Dns {
    lookup: SimDuration,
    ttl: SimDuration,
    /// Per global user: when the cached answer expires, and which target it names.
    cache: Vec<(SimTime, u32)>,
    next: u32,
}

/// The outcome of resolving a name for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// The client's cache answered: no delay.
    Cached { target: u32 },
    /// A lookup was made; the request continues after `delay`.
    LookedUp { target: u32, delay: SimDuration },
    /// No cached answer and DNS is down.
    Failed,
}

impl Dns {
    /// Reads a validated `dns` component, with room for `users` users.
    pub fn from_component(c: &Component, users: u32) -> Self {
        Dns {
            lookup: SimDuration::from_secs_f64(c.number("lookup_ms") / 1000.0),
            ttl: SimDuration::from_secs_f64(c.number("ttl_s")),
            cache: vec![(SimTime::ZERO, 0); users as usize],
            next: 0,
        }
    }

    /// Takes `c`'s lookup time and TTL, keeping the answers clients have cached.
    pub fn update(&mut self, c: &Component) {
        self.lookup = SimDuration::from_secs_f64(c.number("lookup_ms") / 1000.0);
        self.ttl = SimDuration::from_secs_f64(c.number("ttl_s"));
    }

    /// Resolves for `user` at `now`. `round_trip` is the network time to DNS and back;
    /// `targets` is how many targets DNS is wired to (at least one).
    pub fn resolve(
        &mut self,
        user: u32,
        now: SimTime,
        round_trip: SimDuration,
        up: bool,
        targets: u32,
    ) -> Resolution {
        let entry = &mut self.cache[user as usize];
        if entry.0 > now {
            return Resolution::Cached { target: entry.1 };
        }
        if !up {
            return Resolution::Failed;
        }
        let target = self.next % targets;
        self.next = (self.next + 1) % targets;
        let delay = round_trip + self.lookup;
        *entry = (now + delay + self.ttl, target);
        Resolution::LookedUp { target, delay }
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
        assert_eq!(
            dns.resolve(0, s(0.0), rtt, true, 2),
            Resolution::LookedUp {
                target: 0,
                delay: SimDuration::from_millis(40)
            }
        );
        assert_eq!(
            dns.resolve(0, s(59.0), rtt, true, 2),
            Resolution::Cached { target: 0 }
        );
        // The answer expires 60 s after it arrived (at 0.04 s).
        assert_eq!(
            dns.resolve(0, s(60.03), rtt, false, 2),
            Resolution::Cached { target: 0 }
        );
        assert_eq!(dns.resolve(0, s(60.05), rtt, false, 2), Resolution::Failed);
        // Round-robin over targets for new lookups.
        assert_eq!(
            dns.resolve(1, s(1.0), rtt, true, 2),
            Resolution::LookedUp {
                target: 1,
                delay: SimDuration::from_millis(40)
            }
        );
    }
}
