//! What an architecture costs to run: every machine's price per hour (a size preset's, or the
//! component's own `cost_per_hour`), and the month it adds up to. The engine's report charges
//! the same machines, so the editor can show the bill before a run.

use super::catalogue::size_preset;
use super::{Component, Diagram};

/// Hours in an average month (365 × 24 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// How many instances component `c` starts with: a web server's `instances` (kept within
/// min–max when it auto-scales); one for anything else.
pub fn initial_instances(c: &Component) -> u32 {
    if c.kind.spec().param("instances").is_none() {
        return 1;
    }
    let n = c.number("instances") as u32;
    if c.choice("autoscale") == "cpu" {
        let (min, max) = (
            c.number("min_instances") as u32,
            c.number("max_instances") as u32,
        );
        n.clamp(min, max.max(min))
    } else {
        n
    }
}

/// How a server group reads on the canvas, in place of its kind's name: "Web server ×3" for a
/// fixed group, "Auto-scaled 10–100" when it auto-scales; `None` for a single server or
/// anything else.
pub fn group_summary(c: &Component) -> Option<String> {
    c.kind.spec().param("instances")?;
    if c.choice("autoscale") == "cpu" {
        let (min, max) = (c.number("min_instances"), c.number("max_instances"));
        return Some(format!("Auto-scaled {min}–{max}"));
    }
    let n = c.number("instances");
    (n > 1.0).then(|| format!("{} ×{n}", c.kind.spec().name))
}

/// What component `c` costs per hour ($) as it starts: each machine with a size or a cost of
/// its own, times its instances; zero for users, DNS, load balancers and boxes.
pub fn per_hour(c: &Component) -> f64 {
    f64::from(initial_instances(c)) * per_instance_per_hour(c)
}

/// What one instance of component `c` costs per hour ($).
pub fn per_instance_per_hour(c: &Component) -> f64 {
    let spec = c.kind.spec();
    if spec.param("size").is_some()
        && let Some(p) = size_preset(c.choice("size"))
    {
        return p.cost_per_hour;
    }
    if spec.param("cost_per_hour").is_some() {
        c.number("cost_per_hour")
    } else {
        0.0
    }
}

/// What the whole diagram costs per hour ($).
pub fn diagram_per_hour(d: &Diagram) -> f64 {
    // A fold from +0: an empty sum of floats is −0, which prints as "$-0.00".
    d.components
        .iter()
        .fold(0.0, |total, c| total + per_hour(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use crate::model::examples::EXAMPLES;
    use crate::sim::Simulation;

    #[test]
    fn the_editor_and_the_engine_charge_the_same_machines() {
        for e in EXAMPLES {
            let d = e.diagram().unwrap();
            let sim = Simulation::new(&d).unwrap();
            let engine = sim.report().cost_per_hour;
            assert!(
                (diagram_per_hour(&d) - engine).abs() < 1e-9,
                "{}: {engine}",
                e.file
            );
        }
    }

    #[test]
    fn nothing_costs_plus_zero() {
        let empty = diagram_per_hour(&Diagram::new("empty"));
        assert!(empty == 0.0 && empty.is_sign_positive());
        assert_eq!(format!("{empty:.2}"), "0.00");
    }

    #[test]
    fn groups_start_with_their_instances_and_say_so() {
        let one = Component::new("web", Kind::WebServer);
        assert_eq!((initial_instances(&one), group_summary(&one)), (1, None));
        let three = one
            .clone()
            .with("instances", 3.0)
            .with("cost_per_hour", 0.5);
        assert_eq!(initial_instances(&three), 3);
        assert_eq!(group_summary(&three).as_deref(), Some("Web server ×3"));
        assert_eq!(per_hour(&three), 1.5);
        // Auto-scaling starts within min–max (the chapter's 10–100 by default).
        let auto = three.with_choice("autoscale", "cpu");
        assert_eq!(initial_instances(&auto), 10);
        assert_eq!(group_summary(&auto).as_deref(), Some("Auto-scaled 10–100"));
        let db = Component::new("db", Kind::Database).with("instances", 3.0);
        assert_eq!((initial_instances(&db), group_summary(&db)), (1, None));
    }

    #[test]
    fn a_preset_sets_the_price_and_custom_machines_name_their_own() {
        let big = Component::new("db", Kind::Database).with_choice("size", "c32m");
        assert_eq!(per_hour(&big), 2.60);
        let custom = Component::new("web", Kind::WebServer).with("cost_per_hour", 0.5);
        assert_eq!(per_hour(&custom), 0.5);
        assert_eq!(per_hour(&Component::new("lb", Kind::LoadBalancer)), 0.0);
        let mut d = Diagram::new("bill");
        d.components = vec![big, custom];
        assert!((diagram_per_hour(&d) * HOURS_PER_MONTH - 3.10 * 730.0).abs() < 1e-9);
    }
}
