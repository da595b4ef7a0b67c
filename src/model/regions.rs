//! Regions and the network between them. Every component runs somewhere: users where their
//! `region` says, everything else in the region of the data center box it sits in (outside
//! any box it has no region and pays only its wires' own latency). A wire between two regions
//! pays half the round trip between them on top of its own latency, each way.
//!
//! The round trips default to the chapter's figures to a Virginia origin (New York ~20 ms, Los
//! Angeles ~70 ms, Tokyo ~180 ms, Sydney ~230 ms) and typical figures between the others; a
//! diagram can override any pair (`region_latency`).

use serde::{Deserialize, Serialize};

/// The regions, as the catalogue's `region` choices name them.
pub const REGIONS: [&str; 8] = [
    "virginia",
    "new_york",
    "oregon",
    "los_angeles",
    "ireland",
    "tokyo",
    "singapore",
    "sydney",
];

/// Round trips in ms between regions, in [`REGIONS`] order (upper triangle, row by row).
const ROUND_TRIPS: [[f64; 8]; 8] = [
    // va     ny     or     la     ie     tk     sg     sy
    [0.0, 20.0, 70.0, 70.0, 80.0, 180.0, 220.0, 230.0], // virginia
    [0.0, 0.0, 75.0, 70.0, 75.0, 190.0, 230.0, 240.0],  // new_york
    [0.0, 0.0, 0.0, 25.0, 140.0, 100.0, 170.0, 160.0],  // oregon
    [0.0, 0.0, 0.0, 0.0, 140.0, 110.0, 170.0, 150.0],   // los_angeles
    [0.0, 0.0, 0.0, 0.0, 0.0, 220.0, 170.0, 280.0],     // ireland
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 70.0, 110.0],        // tokyo
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 95.0],          // singapore
    [0.0; 8],                                           // sydney
];

/// A diagram's own figure for the round trip between two regions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionLatency {
    /// One region.
    pub a: String,
    /// The other.
    pub b: String,
    /// Round trip between them, in ms.
    pub round_trip_ms: f64,
}

/// Most a round trip may be.
pub const MAX_ROUND_TRIP_MS: f64 = 10_000.0;

/// The position of `region` in [`REGIONS`].
pub fn index(region: &str) -> Option<usize> {
    REGIONS.iter().position(|r| *r == region)
}

/// The round trip between two regions in ms: the diagram's override if it has one, else the
/// default. `None` for an unknown region.
pub fn round_trip_ms(a: &str, b: &str, overrides: &[RegionLatency]) -> Option<f64> {
    let (i, j) = (index(a)?, index(b)?);
    if let Some(o) = overrides
        .iter()
        .find(|o| (o.a == a && o.b == b) || (o.a == b && o.b == a))
    {
        return Some(o.round_trip_ms);
    }
    Some(ROUND_TRIPS[i.min(j)][i.max(j)])
}

/// The region component `id` runs in: users' and CDN edges' own `region`; anything else, its
/// data center's; `None` outside any data center.
pub fn region_of<'a>(d: &'a super::Diagram, id: &super::ComponentId) -> Option<&'a str> {
    let c = d.component(id)?;
    if matches!(c.kind, super::Kind::Users | super::Kind::CdnEdge) {
        return Some(c.choice("region"));
    }
    super::geometry::data_center_of(d, id).map(|dc| dc.choice("region"))
}

/// The regions a partition could cut data center `dc` off from: those of the diagram's other
/// data centers and users, not its own, in [`REGIONS`] order.
pub fn partner_regions(d: &super::Diagram, dc: &super::ComponentId) -> Vec<&'static str> {
    let Some(own) = d
        .component(dc)
        .filter(|c| c.kind == super::Kind::DataCenter)
        .map(|c| c.choice("region"))
    else {
        return Vec::new();
    };
    REGIONS
        .into_iter()
        .filter(|&r| r != own)
        .filter(|&r| {
            d.components.iter().any(|c| {
                matches!(c.kind, super::Kind::DataCenter | super::Kind::Users)
                    && c.choice("region") == r
            })
        })
        .collect()
}

/// The latency the network between their regions adds to a wire from `from` to `to`, one way
/// (half the round trip), in ms: 0 within one region or when either has no region.
pub fn wire_penalty_ms(
    d: &super::Diagram,
    from: &super::ComponentId,
    to: &super::ComponentId,
) -> f64 {
    match (region_of(d, from), region_of(d, to)) {
        (Some(a), Some(b)) if a != b => round_trip_ms(a, b, &d.region_latency).unwrap_or(0.0) / 2.0,
        _ => 0.0,
    }
}

/// What is wrong with naming `a` and `b` as a pair of regions (unknown, or the same), if
/// anything.
pub fn pair_problem(a: &str, b: &str) -> Option<String> {
    for r in [a, b] {
        if index(r).is_none() {
            return Some(format!(
                "unknown region '{r}' (known: {})",
                REGIONS.join(", ")
            ));
        }
    }
    (a == b).then(|| format!("{a} and {b} are the same region"))
}

/// What is wrong with an override, if anything.
pub fn override_problem(o: &RegionLatency) -> Option<String> {
    if o.a == o.b && index(&o.a).is_some() {
        return Some(format!(
            "a region's latency to itself ({}) is always 0",
            o.a
        ));
    }
    if let Some(p) = pair_problem(&o.a, &o.b) {
        return Some(p);
    }
    (!(o.round_trip_ms.is_finite() && (0.0..=MAX_ROUND_TRIP_MS).contains(&o.round_trip_ms))).then(
        || {
            format!(
                "round trip {} ms between {} and {} is outside 0–{MAX_ROUND_TRIP_MS} ms",
                o.round_trip_ms, o.a, o.b
            )
        },
    )
}

/// The round-trip table as Markdown, for the format's documentation.
pub fn table_markdown() -> String {
    let mut s = String::from("| round trip (ms) |");
    for r in REGIONS {
        s.push_str(&format!(" `{r}` |"));
    }
    s.push_str("\n|---|");
    s.push_str(&"---:|".repeat(REGIONS.len()));
    s.push('\n');
    for a in REGIONS {
        s.push_str(&format!("| `{a}` |"));
        for b in REGIONS {
            let v = round_trip_ms(a, b, &[]).unwrap_or(0.0);
            s.push_str(&format!(" {v} |"));
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chapter_figures_to_virginia() {
        for (city, ms) in [
            ("new_york", 20.0),
            ("los_angeles", 70.0),
            ("tokyo", 180.0),
            ("sydney", 230.0),
        ] {
            assert_eq!(round_trip_ms("virginia", city, &[]), Some(ms));
            assert_eq!(round_trip_ms(city, "virginia", &[]), Some(ms), "symmetric");
        }
        assert_eq!(round_trip_ms("tokyo", "tokyo", &[]), Some(0.0));
        assert_eq!(round_trip_ms("mars", "tokyo", &[]), None);
    }

    #[test]
    fn every_pair_has_a_positive_round_trip_and_overrides_win() {
        for a in REGIONS {
            for b in REGIONS {
                let v = round_trip_ms(a, b, &[]).unwrap();
                assert_eq!(v > 0.0, a != b, "{a}–{b}");
            }
        }
        let o = [RegionLatency {
            a: "tokyo".into(),
            b: "virginia".into(),
            round_trip_ms: 150.0,
        }];
        assert_eq!(round_trip_ms("virginia", "tokyo", &o), Some(150.0));
        assert!(override_problem(&o[0]).is_none());
        let bad = RegionLatency {
            a: "tokyo".into(),
            b: "atlantis".into(),
            round_trip_ms: 1.0,
        };
        assert!(
            override_problem(&bad)
                .unwrap()
                .contains("unknown region 'atlantis'")
        );
    }

    #[test]
    fn a_data_center_can_be_cut_off_from_the_other_regions_in_use() {
        use crate::model::{Component, Diagram, Kind};
        let mut d = Diagram::new("t");
        d.components = vec![
            Component::new("east", Kind::DataCenter).with_choice("region", "virginia"),
            Component::new("east-2", Kind::DataCenter).with_choice("region", "virginia"),
            Component::new("asia", Kind::DataCenter).with_choice("region", "tokyo"),
            Component::new("eu", Kind::Users).with_choice("region", "ireland"),
            Component::new("web", Kind::WebServer),
        ];
        assert_eq!(partner_regions(&d, &"east".into()), ["ireland", "tokyo"]);
        assert_eq!(partner_regions(&d, &"asia".into()), ["virginia", "ireland"]);
        assert!(partner_regions(&d, &"web".into()).is_empty());
        assert!(partner_regions(&d, &"nowhere".into()).is_empty());
    }

    #[test]
    fn the_catalogue_offers_exactly_these_regions() {
        use crate::model::catalogue::Domain;
        let spec = crate::model::Kind::DataCenter.spec();
        let Some(Domain::Choice { options, .. }) = spec.param("region").map(|p| &p.domain) else {
            panic!("data centers have a region");
        };
        let ids: Vec<&str> = options.iter().map(|o| o.value).collect();
        assert_eq!(ids, REGIONS);
    }
}
