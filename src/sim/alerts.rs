//! Alert rules on the per-second metrics, with the chapter's defaults: p95 latency above
//! 1,000 ms, error rate above 2 %, a cache's hit rate under 75 %, a queue's oldest job older
//! than a minute. A rule fires when its condition has held for [`HOLD_S`] consecutive seconds
//! and resolves at the first second it no longer holds; both go into the event log.

/// Seconds a condition must hold before its alert fires.
pub const HOLD_S: u32 = 5;

/// What a rule watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
#[derive(Clone, Debug)]
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

    /// The threshold, the unit and the condition's words.
    fn rule(&self) -> (f64, &'static str, &'static str, bool) {
        match self.watch {
            Watch::P95 => (1_000.0, "ms", "p95 latency", true),
            Watch::ErrorRate => (2.0, "%", "error rate", true),
            Watch::HitRate(_) => (75.0, "%", "cache hit rate", false),
            Watch::QueueAge(_) => (60.0, "s", "oldest queued job", true),
        }
    }

    /// Takes this second's value of what the rule watches (`None`: nothing to judge, such as
    /// a cache with no lookups); returns what to log.
    pub fn observe(&mut self, value: Option<f64>) -> Change {
        let (threshold, unit, what, above) = self.rule();
        let breached = value.is_some_and(|v| if above { v > threshold } else { v < threshold });
        let side = if above { "above" } else { "below" };
        if breached {
            self.held += 1;
            if !self.firing && self.held >= HOLD_S {
                self.firing = true;
                return Change::Fired(format!(
                    "alert: {what} {side} {threshold} {unit} for {HOLD_S} s (now {:.1} {unit})",
                    value.unwrap_or(0.0)
                ));
            }
        } else {
            self.held = 0;
            if self.firing && value.is_some() {
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
        let mut a = Alert::new(Watch::P95);
        for _ in 0..HOLD_S - 1 {
            assert_eq!(a.observe(Some(1_500.0)), Change::None);
        }
        assert!(
            matches!(a.observe(Some(1_500.0)), Change::Fired(m) if m.contains("p95 latency above 1000 ms for 5 s"))
        );
        assert_eq!(a.observe(Some(1_600.0)), Change::None, "fires once");
        assert!(
            matches!(a.observe(Some(200.0)), Change::Resolved(m) if m.contains("back under 1000 ms"))
        );
        // A blip shorter than the hold never fires.
        for v in [2_000.0, 2_000.0, 100.0, 2_000.0] {
            assert_eq!(a.observe(Some(v)), Change::None);
        }
    }

    #[test]
    fn a_hit_rate_alert_watches_from_below_and_ignores_idle_seconds() {
        let mut a = Alert::new(Watch::HitRate(3));
        for _ in 0..HOLD_S {
            a.observe(Some(10.0));
        }
        assert!(a.firing);
        assert_eq!(
            a.observe(None),
            Change::None,
            "no lookups: nothing to judge"
        );
        assert!(a.firing);
        assert!(matches!(a.observe(Some(90.0)), Change::Resolved(_)));
    }
}
