//! The catalogue as Markdown: the reference section of `docs/diagram-format.md` is generated
//! from here (`archplay reference`), and a test keeps the file in step with the code.

use std::fmt::Write as _;

use super::catalogue::{Domain, SIZES, catalogue};

/// Every kind with its parameters (unit, default, range, help), wiring rules and metrics.
pub fn reference_markdown() -> String {
    let mut s = String::new();
    for spec in catalogue() {
        let _ = writeln!(s, "### `{}` — {}\n", spec.id, spec.name);
        let _ = writeln!(s, "*Group: {}.* {}\n", spec.group.name(), spec.summary);
        let _ = writeln!(s, "{}\n", spec.details);
        let targets: Vec<String> = spec
            .targets
            .iter()
            .map(|k| format!("`{}`", k.id()))
            .collect();
        let _ = writeln!(
            s,
            "Sends requests to: {}.\n",
            if targets.is_empty() {
                "nothing (wires may not start here)".to_string()
            } else {
                targets.join(", ")
            }
        );
        let _ = writeln!(s, "| parameter | unit | default | allowed | meaning |");
        let _ = writeln!(s, "|---|---|---|---|---|");
        for p in spec.params {
            let unit = if p.unit.symbol().is_empty() {
                "—"
            } else {
                p.unit.symbol()
            };
            let (default, allowed) = match &p.domain {
                Domain::Number {
                    min,
                    max,
                    default,
                    integer,
                } => (
                    format!("{default}"),
                    format!("{}{min} – {max}", if *integer { "whole, " } else { "" }),
                ),
                Domain::Choice { options, default } => (
                    format!("`{default}`"),
                    options
                        .iter()
                        .map(|o| format!("`{}`", o.value))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            };
            let _ = writeln!(
                s,
                "| `{}` | {unit} | {default} | {allowed} | {} |",
                p.name,
                p.help.split_whitespace().collect::<Vec<_>>().join(" ")
            );
        }
        let metrics: Vec<String> = spec
            .metrics
            .iter()
            .map(|m| {
                format!(
                    "`{}` ({}{})",
                    m.name,
                    m.label.to_lowercase(),
                    if m.unit.symbol().is_empty() {
                        String::new()
                    } else {
                        format!(", {}", m.unit.symbol())
                    }
                )
            })
            .collect();
        let _ = writeln!(
            s,
            "\nPublishes each simulated second: {}.\n",
            metrics.join(", ")
        );
    }
    let _ = writeln!(s, "### Machine sizes\n");
    let _ = writeln!(s, "| `size` | machine | workers | cost |");
    let _ = writeln!(s, "|---|---|---|---|");
    for z in SIZES {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | ${:.2}/h |",
            z.value, z.label, z.cores, z.cost_per_hour
        );
    }
    let _ = writeln!(s, "\n### Regions\n");
    let _ = writeln!(
        s,
        "A wire between components in different regions (users by their `region`, anything \
         else by the data center box it sits in) adds half the round trip below to its own \
         latency, each way. A diagram overrides a pair with `region_latency`: \
         `[{{ \"a\": \"virginia\", \"b\": \"tokyo\", \"round_trip_ms\": 150 }}]`.\n"
    );
    s.push_str(&super::regions::table_markdown());
    s
}
