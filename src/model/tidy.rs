//! Tidy: a layered, left-to-right layout of a diagram (a small Sugiyama pass), so requests
//! flow from left to right and wires stop crossing back over each other.
//!
//! The units laid out are the components outside any data center and the outermost data
//! centers, each moved whole with everything inside it (a data center's contents keep their
//! places in it: which region a component is in is part of the model, not of the drawing).
//! Layers come from the longest path along the wires between units (wires that close a loop,
//! such as two regions replicating to each other, are set aside first); within a layer, units
//! are ordered by the mean row of what sends to them (the barycentre heuristic), then by where
//! they were. The result is one [`Edit::Move`](super::Edit::Move), so one Undo takes it back.

use std::collections::BTreeMap;

use super::geometry::{GRID, NODE_HEIGHT, component_rect, data_center_of, snap};
use super::{ComponentId, Diagram, Kind};

/// Gap between layers, wide enough for a wire's curve and arrow.
const LAYER_GAP: f64 = 4.0 * GRID;
/// Gap between units in a layer.
const ROW_GAP: f64 = 2.0 * GRID;

/// New top-left corners for every component of `d` that moves, in diagram order.
pub fn tidy(d: &Diagram) -> Vec<(ComponentId, f64, f64)> {
    // Each component's unit: itself, or the outermost data center holding it.
    let unit_of: Vec<usize> = d
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut outer = i;
            let mut id = c.id.clone();
            while let Some(dc) = data_center_of(d, &id) {
                if dc.id == id {
                    break;
                }
                outer = d
                    .components
                    .iter()
                    .position(|x| x.id == dc.id)
                    .expect("a data center found in the diagram is in it");
                id = dc.id.clone();
            }
            outer
        })
        .collect();
    let units: Vec<usize> = {
        let mut u: Vec<usize> = unit_of.clone();
        u.sort_unstable();
        u.dedup();
        u
    };
    if units.is_empty() {
        return Vec::new();
    }
    let slot: BTreeMap<usize, usize> = units.iter().enumerate().map(|(k, &u)| (u, k)).collect();
    let index: BTreeMap<&ComponentId, usize> = d
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| (&c.id, i))
        .collect();
    // Edges between units, each once.
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); units.len()];
    for w in &d.wires {
        let (Some(&a), Some(&b)) = (index.get(&w.from), index.get(&w.to)) else {
            continue;
        };
        let (ua, ub) = (slot[&unit_of[a]], slot[&unit_of[b]]);
        if ua != ub && !succ[ua].contains(&ub) {
            succ[ua].push(ub);
        }
    }
    let succ = without_loops(succ);
    // Longest path from the sources: Kahn's order, then relax.
    let n = units.len();
    let mut indegree = vec![0usize; n];
    for s in &succ {
        for &b in s {
            indegree[b] += 1;
        }
    }
    let mut ready: Vec<usize> = (0..n).filter(|&k| indegree[k] == 0).collect();
    let mut layer = vec![0usize; n];
    let mut seen = 0;
    while let Some(k) = (!ready.is_empty()).then(|| ready.remove(0)) {
        seen += 1;
        for &b in &succ[k] {
            layer[b] = layer[b].max(layer[k] + 1);
            indegree[b] -= 1;
            if indegree[b] == 0 {
                ready.push(b);
            }
        }
    }
    debug_assert_eq!(seen, n, "loops were set aside");
    let rect = |k: usize| component_rect(&d.components[units[k]]);
    // Order within layers: by the mean row of the units sending to each (already placed,
    // layer by layer), then by the old position.
    let layers = layer.iter().copied().max().unwrap_or(0) + 1;
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (a, s) in succ.iter().enumerate() {
        for &b in s {
            preds[b].push(a);
        }
    }
    let mut row = vec![0.0f64; n];
    let mut columns: Vec<Vec<usize>> = Vec::with_capacity(layers);
    for l in 0..layers {
        let mut column: Vec<usize> = (0..n).filter(|&k| layer[k] == l).collect();
        let key = |k: usize| {
            let p = &preds[k];
            let bary = if p.is_empty() {
                f64::INFINITY
            } else {
                p.iter().map(|&q| row[q]).sum::<f64>() / p.len() as f64
            };
            (bary, rect(k).y, rect(k).x, k)
        };
        column.sort_by(|&a, &b| key(a).partial_cmp(&key(b)).expect("positions are finite"));
        for (r, &k) in column.iter().enumerate() {
            row[k] = r as f64;
        }
        columns.push(column);
    }
    // Place: columns left to right from the diagram's old top-left corner, each centred on
    // the tallest.
    let origin = units
        .iter()
        .fold((f64::INFINITY, f64::INFINITY), |(x, y), &u| {
            let r = component_rect(&d.components[u]);
            (x.min(r.x), y.min(r.y))
        });
    let height = |col: &[usize]| -> f64 {
        col.iter().map(|&k| rect(k).h).sum::<f64>() + ROW_GAP * (col.len().max(1) - 1) as f64
    };
    let tallest = columns.iter().map(|c| height(c)).fold(0.0, f64::max);
    let mut at: Vec<(f64, f64)> = vec![(0.0, 0.0); n];
    let mut x = snap(origin.0);
    for col in &columns {
        let width = col.iter().map(|&k| rect(k).w).fold(0.0, f64::max);
        let mut y = snap(origin.1 + (tallest - height(col)) / 2.0);
        for &k in col {
            at[k] = (x, y);
            y = snap(y + rect(k).h + ROW_GAP).max(y + NODE_HEIGHT.min(rect(k).h));
        }
        x = snap(x + width + LAYER_GAP);
    }
    // Every component moves with its unit.
    d.components
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let k = slot[&unit_of[i]];
            let home = component_rect(&d.components[units[k]]);
            let (dx, dy) = (at[k].0 - home.x, at[k].1 - home.y);
            (dx != 0.0 || dy != 0.0).then(|| (c.id.clone(), c.x + dx, c.y + dy))
        })
        .collect()
}

/// `succ` with the edges that close a loop removed (back edges of a depth-first search taken in
/// unit order), so what is left has no loop.
fn without_loops(mut succ: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    let n = succ.len();
    // 0 new, 1 on the current path, 2 done.
    let mut state = vec![0u8; n];
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (k, ref mut next)) = stack.last_mut() {
            if *next < succ[k].len() {
                let b = succ[k][*next];
                *next += 1;
                match state[b] {
                    0 => {
                        state[b] = 1;
                        stack.push((b, 0));
                    }
                    1 => {
                        // A back edge: drop it (and look at the same position again).
                        succ[k].retain(|&x| x != b);
                        if let Some(top) = stack.last_mut() {
                            top.1 -= 1;
                        }
                    }
                    _ => {}
                }
            } else {
                state[k] = 2;
                stack.pop();
            }
        }
    }
    succ
}

/// Whether a diagram has anything to tidy (two or more units).
pub fn can_tidy(d: &Diagram) -> bool {
    d.components
        .iter()
        .filter(|c| c.kind != Kind::DataCenter || data_center_of(d, &c.id).is_none())
        .take(2)
        .count()
        >= 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::geometry::Rect;
    use crate::model::{Component, Wire};

    fn placed(id: &str, kind: Kind, x: f64, y: f64) -> Component {
        let mut c = Component::new(id, kind);
        (c.x, c.y) = (x, y);
        c
    }

    fn apply(d: &mut Diagram, moves: &[(ComponentId, f64, f64)]) {
        for (id, x, y) in moves {
            let c = d.components.iter_mut().find(|c| &c.id == id).unwrap();
            (c.x, c.y) = (*x, *y);
        }
    }

    fn rect_of(d: &Diagram, id: &str) -> Rect {
        component_rect(d.component(&id.into()).unwrap())
    }

    #[test]
    fn requests_flow_left_to_right_in_layers_without_overlaps() {
        // Scattered, in an order that makes wires run backwards.
        let mut d = Diagram::new("scattered");
        d.components = vec![
            placed("db", Kind::Database, 0.0, 0.0),
            placed("web-2", Kind::WebServer, 600.0, 400.0),
            placed("users", Kind::Users, 900.0, 200.0),
            placed("web-1", Kind::WebServer, 300.0, 900.0),
            placed("lb", Kind::LoadBalancer, 50.0, 600.0),
        ];
        d.wires = vec![
            Wire::new("users", "lb"),
            Wire::new("lb", "web-1"),
            Wire::new("lb", "web-2"),
            Wire::new("web-1", "db"),
            Wire::new("web-2", "db"),
        ];
        let moves = tidy(&d);
        apply(&mut d, &moves);
        let x = |id| rect_of(&d, id).x;
        assert!(x("users") < x("lb") && x("lb") < x("web-1") && x("web-1") < x("db"));
        assert_eq!(x("web-1"), x("web-2"), "one layer");
        for w in &d.wires {
            assert!(
                x(w.from.as_str()) + 100.0 < x(w.to.as_str()),
                "{} → {} runs right",
                w.from,
                w.to
            );
        }
        let rects: Vec<Rect> = d.components.iter().map(component_rect).collect();
        for (i, a) in rects.iter().enumerate() {
            for b in &rects[i + 1..] {
                assert!(!a.intersects(b), "{a:?} overlaps {b:?}");
            }
        }
        // Tidying a tidy diagram changes nothing.
        assert_eq!(tidy(&d), Vec::new());
    }

    #[test]
    fn data_centers_move_whole_and_loops_between_them_are_fine() {
        let mut d = Diagram::new("regions");
        let mut east = placed("east", Kind::DataCenter, 800.0, 0.0);
        east = east.with("width", 500.0).with("height", 300.0);
        let mut west = placed("west", Kind::DataCenter, 0.0, 500.0);
        west = west.with("width", 500.0).with("height", 300.0);
        d.components = vec![
            east,
            placed("db-east", Kind::Database, 900.0, 100.0),
            west,
            placed("db-west", Kind::Database, 100.0, 600.0),
            placed("users", Kind::Users, 1500.0, 1500.0),
        ];
        d.wires = vec![
            Wire::new("users", "db-east"),
            Wire::new("db-east", "db-west"),
            Wire::new("db-west", "db-east"),
        ];
        let before = (
            rect_of(&d, "db-east").x - rect_of(&d, "east").x,
            rect_of(&d, "db-east").y - rect_of(&d, "east").y,
        );
        let moves = tidy(&d);
        apply(&mut d, &moves);
        let after = (
            rect_of(&d, "db-east").x - rect_of(&d, "east").x,
            rect_of(&d, "db-east").y - rect_of(&d, "east").y,
        );
        assert_eq!(
            before, after,
            "contents keep their place in their data center"
        );
        assert!(
            rect_of(&d, "users").x < rect_of(&d, "east").x,
            "users first"
        );
        assert!(!rect_of(&d, "east").intersects(&rect_of(&d, "west")));
        assert_eq!(
            data_center_of(&d, &"db-west".into()).map(|c| c.id.as_str()),
            Some("west"),
            "still in its region"
        );
        assert!(can_tidy(&d));
        assert!(!can_tidy(&Diagram::new("empty")));
    }
}
