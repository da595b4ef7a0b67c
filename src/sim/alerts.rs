//! Alert rules on the per-second metrics, with the diagram's thresholds (the chapter's by
//! default: p95 latency above 1,000 ms, error rate above 2 %, a cache's hit rate under 75 %, a
//! queue's oldest job older than a minute). A rule fires when its condition has held for the
//! hold time in consecutive seconds and resolves at the first second it no longer holds; both
//! go into the event log. A threshold of 0 turns its rule off.

use serde::{Deserialize, Serialize};

use crate::model::Alerts;

/// What a rule watches.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Watch {
    /// The system's p95 latency, ms.
    P95,
    /// The system's error rate, %.
    ErrorRate,
    /// A cache's hit rate, % (node index).
    HitRate(u32),
    /// A queue's oldest job, s (node index).
    QueueAge(u32),
}

/// One rule and its state.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct Alert {
    /// What it watches.
    pub watch: Watch,
    /// Consecutive seconds its condition has held.
    pub held: u32,
    /// Whether it is firing.
    pub firing: bool,
}

/// What a second's figures did to an alert.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Change {
    /// Nothing to log.
    None,
    /// It fired: the message.
    Fired(String),
    /// It resolved: the message.
    Resolved(String),
}

impl Alert {
    /// A rule, quiet.
    pub fn new(watch: Watch) -> Self {
        Alert {
            watch,
            held: 0,
            firing: false,
        }
    }

    /// The threshold under `rules`, the unit and the condition's words.
    fn rule(&self, rules: &Alerts) -> (f64, &'static str, &'static str, bool) {
        match self.watch {
            Watch::P95 => (rules.p95_ms, "ms", "p95 latency", true),
            Watch::ErrorRate => (rules.error_pct, "%", "error rate", true),
            Watch::HitRate(_) => (rules.hit_rate_pct, "%", "cache hit rate", false),
            Watch::QueueAge(_) => (rules.queue_age_s, "s", "oldest queued job", true),
        }
    }

    /// Takes this second's value of what the rule watches (`None`: nothing to judge, such as
    /// a cache with no lookups) under `rules`; returns what to log.
    pub fn observe(&mut self, value: Option<f64>, rules: &Alerts) -> Change {
        let (threshold, unit, what, above) = self.rule(rules);
        let hold = rules.hold_s.max(1.0) as u32;
        let on = threshold > 0.0;
        let breached =
            on && value.is_some_and(|v| if above { v > threshold } else { v < threshold });
        let side = if above { "above" } else { "below" };
        if breached {
            self.held += 1;
            if !self.firing && self.held >= hold {
                self.firing = true;
                return Change::Fired(format!(
                    "alert: {what} {side} {threshold} {unit} for {hold} s (now {:.1} {unit})",
                    value.unwrap_or(0.0)
                ));
            }
        } else {
            self.held = 0;
            // A rule turned off resolves at once.
            if self.firing && (value.is_some() || !on) {
                self.firing = false;
                return Change::Resolved(format!(
                    "resolved: {what} back {} {threshold} {unit}",
                    if above { "under" } else { "over" }
                ));
            }
        }
        Change::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alert_fires_after_its_hold_and_resolves_at_once() {
        let rules = Alerts::default();
        let mut a = Alert::new(Watch::P95);
        for _ in 0..4 {
            assert_eq!(a.observe(Some(1_500.0), &rules), Change::None);
        }
        assert!(
            matches!(a.observe(Some(1_500.0), &rules), Change::Fired(m) if m.contains("p95 latency above 1000 ms for 5 s"))
        );
        assert_eq!(a.observe(Some(1_600.0), &rules), Change::None, "fires once");
        assert!(
            matches!(a.observe(Some(200.0), &rules), Change::Resolved(m) if m.contains("back under 1000 ms"))
        );
        // A blip shorter than the hold never fires.
        for v in [2_000.0, 2_000.0, 100.0, 2_000.0] {
            assert_eq!(a.observe(Some(v), &rules), Change::None);
        }
    }

    #[test]
    fn a_hit_rate_alert_watches_from_below_and_ignores_idle_seconds() {
        let rules = Alerts::default();
        let mut a = Alert::new(Watch::HitRate(3));
        for _ in 0..5 {
            a.observe(Some(10.0), &rules);
        }
        assert!(a.firing);
        assert_eq!(
            a.observe(None, &rules),
            Change::None,
            "no lookups: nothing to judge"
        );
        assert!(a.firing);
        assert!(matches!(a.observe(Some(90.0), &rules), Change::Resolved(_)));
    }

    #[test]
    fn thresholds_and_the_hold_are_the_diagrams_and_zero_turns_a_rule_off() {
        let rules = Alerts {
            error_pct: 10.0,
            hold_s: 2.0,
            ..Alerts::default()
        };
        let mut a = Alert::new(Watch::ErrorRate);
        assert_eq!(a.observe(Some(5.0), &rules), Change::None, "under 10 %");
        assert_eq!(a.observe(Some(12.0), &rules), Change::None);
        assert!(
            matches!(a.observe(Some(12.0), &rules), Change::Fired(m) if m == "alert: error rate above 10 % for 2 s (now 12.0 %)")
        );
        let off = Alerts {
            error_pct: 0.0,
            ..rules
        };
        assert!(matches!(a.observe(Some(50.0), &off), Change::Resolved(_)));
        for _ in 0..10 {
            assert_eq!(a.observe(Some(50.0), &off), Change::None);
        }
    }
}
