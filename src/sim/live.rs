//! What of an edited diagram a running simulation can take without starting again: new
//! settings on the components it was built with, a new traffic multiplier, a new chaos-monkey
//! rate. Anything else — a component or wire added or removed, a kind changed, a new length,
//! warm-up or seed — needs a fresh run.

use crate::model::{Component, Diagram};

use super::engine::{Simulation, UpdateError};

/// How a running simulation should follow an edit.
#[derive(Clone, Debug, PartialEq)]
pub enum LiveChange {
    /// Nothing it simulates changed (positions, labels, the timeline).
    Nothing,
    /// Apply these components' new settings and, if given, the new traffic multiplier.
    Apply {
        /// Components whose parameters changed.
        components: Vec<Component>,
        /// The new `traffic.rate_scale`, if it changed.
        rate_scale: Option<f64>,
        /// The new `run.chaos_per_hour`, if it changed.
        chaos_per_hour: Option<f64>,
        /// The new alert rules, if they changed.
        alerts: Option<crate::model::Alerts>,
    },
    /// The structure changed: the run must be rebuilt to include it.
    Restart,
}

/// How a simulation built from `built` can follow the diagram `now`.
pub fn live_change(built: &Diagram, now: &Diagram) -> LiveChange {
    let same_components = built.components.len() == now.components.len()
        && built
            .components
            .iter()
            .zip(&now.components)
            .all(|(a, b)| a.id == b.id && a.kind == b.kind);
    let chaos_aside = |d: &Diagram| {
        let mut run = d.run.clone();
        run.chaos_per_hour = 0.0;
        run
    };
    if !same_components || built.wires != now.wires || chaos_aside(built) != chaos_aside(now) {
        return LiveChange::Restart;
    }
    // The network between regions is fixed when the run is built: moving a component into
    // another region, or a new round trip, needs a fresh run.
    let penalties = |d: &Diagram| -> Vec<f64> {
        d.wires
            .iter()
            .map(|w| crate::model::regions::wire_penalty_ms(d, &w.from, &w.to))
            .collect()
    };
    if built.region_latency != now.region_latency || penalties(built) != penalties(now) {
        return LiveChange::Restart;
    }
    let components: Vec<Component> = built
        .components
        .iter()
        .zip(&now.components)
        .filter(|(a, b)| a.params != b.params)
        .map(|(_, b)| b.clone())
        .collect();
    let rate_scale = (built.traffic != now.traffic).then_some(now.traffic.rate_scale);
    let chaos_per_hour =
        (built.run.chaos_per_hour != now.run.chaos_per_hour).then_some(now.run.chaos_per_hour);
    let alerts = (built.alerts != now.alerts).then(|| now.alerts.clone());
    if components.is_empty() && rate_scale.is_none() && chaos_per_hour.is_none() && alerts.is_none()
    {
        LiveChange::Nothing
    } else {
        LiveChange::Apply {
            components,
            rate_scale,
            chaos_per_hour,
            alerts,
        }
    }
}

impl Simulation {
    /// Applies a [`LiveChange::Apply`] to the running simulation: the traffic multiplier, the
    /// chaos monkey's rate, the alert rules and each component's settings, stopping at the first
    /// component it refuses. `Nothing` and `Restart` change nothing here (a restart is the
    /// caller's to arrange). The app's runner and a lesson's session both follow edits this way.
    pub fn apply_live(&mut self, change: &LiveChange) -> Result<(), UpdateError> {
        let LiveChange::Apply {
            components,
            rate_scale,
            chaos_per_hour,
            alerts,
        } = change
        else {
            return Ok(());
        };
        if let Some(scale) = rate_scale {
            self.set_rate_scale(*scale);
        }
        if let Some(rate) = chaos_per_hour {
            self.set_chaos(*rate);
        }
        if let Some(rules) = alerts {
            self.set_alerts(rules.clone());
        }
        components.iter().try_for_each(|c| self.update_component(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Wire};

    fn base() -> Diagram {
        let mut d = Diagram::new("live");
        d.components = vec![
            Component::new("users", Kind::Users),
            Component::new("web", Kind::WebServer),
        ];
        d.wires = vec![Wire::new("users", "web")];
        d
    }

    #[test]
    fn moving_into_another_region_or_a_new_round_trip_needs_a_fresh_run() {
        let mut built = base();
        built.components[0] = built.components[0].clone().with_choice("region", "tokyo");
        let mut dc = Component::new("dc", Kind::DataCenter).with_choice("region", "virginia");
        dc.x = 600.0;
        built.components.push(dc);
        // Moving the web server into the Virginia box puts an ocean on its wire.
        let mut now = built.clone();
        now.components[1].x = 640.0;
        now.components[1].y = 48.0;
        assert_eq!(live_change(&built, &now), LiveChange::Restart);
        // Moving it about outside the box changes nothing.
        let mut now = built.clone();
        now.components[1].x = 10.0;
        assert_eq!(live_change(&built, &now), LiveChange::Nothing);
        let mut now = built.clone();
        now.region_latency
            .push(crate::model::regions::RegionLatency {
                a: "tokyo".into(),
                b: "virginia".into(),
                round_trip_ms: 1.0,
            });
        assert_eq!(live_change(&built, &now), LiveChange::Restart);
    }

    #[test]
    fn layout_labels_and_the_timeline_change_nothing() {
        let mut now = base();
        now.components[1].x = 300.0;
        now.components[1].label = "Front end".into();
        now.timeline.push(crate::model::TimelineEvent {
            at_s: 3.0,
            action: crate::model::Action::Kill {
                target: "web".into(),
            },
        });
        assert_eq!(live_change(&base(), &now), LiveChange::Nothing);
    }

    #[test]
    fn settings_and_traffic_are_applied_live() {
        let mut now = base();
        now.components[1] = now.components[1].clone().with("workers", 12.0);
        now.traffic.rate_scale = 3.0;
        now.run.chaos_per_hour = 60.0;
        assert_eq!(
            live_change(&base(), &now),
            LiveChange::Apply {
                components: vec![now.components[1].clone()],
                rate_scale: Some(3.0),
                chaos_per_hour: Some(60.0),
                alerts: None,
            }
        );
    }

    #[test]
    fn structure_and_run_settings_need_a_new_run() {
        let mut added = base();
        added.components.push(Component::new("db", Kind::Database));
        let mut rewired = base();
        rewired.wires[0].latency_ms = 5.0;
        let mut reseeded = base();
        reseeded.run.seed = 7;
        let mut rekinded = base();
        rekinded.components[1].kind = Kind::Database;
        for now in [added, rewired, reseeded, rekinded] {
            assert_eq!(live_change(&base(), &now), LiveChange::Restart);
        }
    }
}
