//! Canvas geometry, free of the DOM: points and rectangles in world units, the viewport that
//! maps world to screen (pan and zoom), snapping, and fitting a diagram into view. The UI holds
//! a [`Viewport`] and converts pointer positions with it; these functions have native tests.

use serde::{Deserialize, Serialize};

use super::catalogue::Kind;
use super::diagram::{Component, ComponentId, Diagram};

/// Size of a component's box on the canvas, in world units.
pub const NODE_WIDTH: f64 = 168.0;
/// Height of a component's box.
pub const NODE_HEIGHT: f64 = 64.0;
/// Grid pitch for snapping.
pub const GRID: f64 = 24.0;
/// Zoom limits.
pub const MIN_ZOOM: f64 = 0.1;
/// Zoom limits.
pub const MAX_ZOOM: f64 = 4.0;

/// A point (world or screen units, as the context says).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Horizontal, growing to the right.
    pub x: f64,
    /// Vertical, growing downwards.
    pub y: f64,
}

/// An axis-aligned rectangle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width (non-negative).
    pub w: f64,
    /// Height (non-negative).
    pub h: f64,
}

impl Rect {
    /// The rectangle spanned by two corners in any order (a selection box).
    pub fn from_corners(a: Point, b: Point) -> Rect {
        Rect {
            x: a.x.min(b.x),
            y: a.y.min(b.y),
            w: (a.x - b.x).abs(),
            h: (a.y - b.y).abs(),
        }
    }

    /// Whether `p` lies inside (edges included).
    pub fn contains(&self, p: Point) -> bool {
        p.x >= self.x && p.x <= self.x + self.w && p.y >= self.y && p.y <= self.y + self.h
    }

    /// Whether `o` lies wholly inside (edges included).
    pub fn contains_rect(&self, o: &Rect) -> bool {
        o.x >= self.x
            && o.y >= self.y
            && o.x + o.w <= self.x + self.w
            && o.y + o.h <= self.y + self.h
    }

    /// Its area.
    pub fn area(&self) -> f64 {
        self.w * self.h
    }

    /// Whether the two rectangles overlap.
    pub fn intersects(&self, o: &Rect) -> bool {
        self.x <= o.x + o.w
            && o.x <= self.x + self.w
            && self.y <= o.y + o.h
            && o.y <= self.y + self.h
    }

    /// The smallest rectangle holding both.
    pub fn union(&self, o: &Rect) -> Rect {
        let x = self.x.min(o.x);
        let y = self.y.min(o.y);
        Rect {
            x,
            y,
            w: (self.x + self.w).max(o.x + o.w) - x,
            h: (self.y + self.h).max(o.y + o.h) - y,
        }
    }

    /// The centre.
    pub fn center(&self) -> Point {
        Point {
            x: self.x + self.w / 2.0,
            y: self.y + self.h / 2.0,
        }
    }
}

/// Pan and zoom: `screen = world × zoom + offset`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Viewport {
    /// Screen position of the world origin, x.
    pub x: f64,
    /// Screen position of the world origin, y.
    pub y: f64,
    /// Screen pixels per world unit.
    pub zoom: f64,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport {
            x: 0.0,
            y: 0.0,
            zoom: 1.0,
        }
    }
}

impl Viewport {
    /// The world point under screen point `p`.
    pub fn to_world(&self, p: Point) -> Point {
        Point {
            x: (p.x - self.x) / self.zoom,
            y: (p.y - self.y) / self.zoom,
        }
    }

    /// The screen point showing world point `p`.
    pub fn to_screen(&self, p: Point) -> Point {
        Point {
            x: p.x * self.zoom + self.x,
            y: p.y * self.zoom + self.y,
        }
    }

    /// Pans by a screen-space delta (a background drag).
    pub fn pan(&self, dx: f64, dy: f64) -> Viewport {
        Viewport {
            x: self.x + dx,
            y: self.y + dy,
            zoom: self.zoom,
        }
    }

    /// Zooms by `factor` keeping the world point under screen point `anchor` where it is (a
    /// wheel or pinch at the cursor). The zoom stays within [`MIN_ZOOM`, `MAX_ZOOM`].
    pub fn zoom_at(&self, anchor: Point, factor: f64) -> Viewport {
        if !(factor.is_finite() && factor > 0.0) {
            return *self;
        }
        let zoom = (self.zoom * factor).clamp(MIN_ZOOM, MAX_ZOOM);
        let world = self.to_world(anchor);
        Viewport {
            x: anchor.x - world.x * zoom,
            y: anchor.y - world.y * zoom,
            zoom,
        }
    }

    /// The viewport showing `bounds` (world) centred in a `width` × `height` screen with
    /// `padding` pixels around it, zoomed out as needed but never in beyond 1.
    pub fn fit(bounds: Rect, width: f64, height: f64, padding: f64) -> Viewport {
        let avail_w = (width - 2.0 * padding).max(1.0);
        let avail_h = (height - 2.0 * padding).max(1.0);
        let zoom = if bounds.w <= 0.0 || bounds.h <= 0.0 {
            1.0
        } else {
            (avail_w / bounds.w)
                .min(avail_h / bounds.h)
                .clamp(MIN_ZOOM, 1.0)
        };
        let c = bounds.center();
        Viewport {
            x: width / 2.0 - c.x * zoom,
            y: height / 2.0 - c.y * zoom,
            zoom,
        }
    }
}

/// `v` rounded to the nearest grid line.
pub fn snap(v: f64) -> f64 {
    (v / GRID).round() * GRID
}

/// A component's box, in world units.
pub fn node_rect(x: f64, y: f64) -> Rect {
    Rect {
        x,
        y,
        w: NODE_WIDTH,
        h: NODE_HEIGHT,
    }
}

/// A component's box: the fixed node size, or a data center's own width and height.
pub fn component_rect(c: &Component) -> Rect {
    match c.kind {
        Kind::DataCenter => Rect {
            x: c.x,
            y: c.y,
            w: c.number("width"),
            h: c.number("height"),
        },
        _ => node_rect(c.x, c.y),
    }
}

/// The box around every component, or `None` for an empty diagram.
pub fn bounds(d: &Diagram) -> Option<Rect> {
    d.components
        .iter()
        .map(component_rect)
        .reduce(|a, b| a.union(&b))
}

/// What the data center `dc` holds: every other component whose centre lies inside its box, and
/// every data center whose whole box does (with what that one holds). Empty if `dc` is not a
/// data center.
pub fn contents(d: &Diagram, dc: &ComponentId) -> Vec<ComponentId> {
    let Some(area) = d
        .component(dc)
        .filter(|c| c.kind == Kind::DataCenter)
        .map(component_rect)
    else {
        return Vec::new();
    };
    d.components
        .iter()
        .filter(|c| &c.id != dc)
        .filter(|c| match c.kind {
            Kind::DataCenter => area.contains_rect(&component_rect(c)),
            _ => area.contains(component_rect(c).center()),
        })
        .map(|c| c.id.clone())
        .collect()
}

/// `ids` and everything the data centers among them hold, each once, in diagram order: what
/// moves (or is copied) when `ids` are.
pub fn with_contents(d: &Diagram, ids: &[ComponentId]) -> Vec<ComponentId> {
    let mut take: Vec<bool> = d.components.iter().map(|c| ids.contains(&c.id)).collect();
    for id in ids {
        for inner in contents(d, id) {
            if let Some(i) = d.components.iter().position(|c| c.id == inner) {
                take[i] = true;
            }
        }
    }
    d.components
        .iter()
        .zip(take)
        .filter(|(_, t)| *t)
        .map(|(c, _)| c.id.clone())
        .collect()
}

/// The innermost data center holding `id` (the smallest box around its centre), if any.
pub fn data_center_of<'a>(d: &'a Diagram, id: &ComponentId) -> Option<&'a Component> {
    let centre = component_rect(d.component(id)?).center();
    d.components
        .iter()
        .filter(|c| c.kind == Kind::DataCenter && &c.id != id)
        .filter(|c| component_rect(c).contains(centre))
        .min_by(|a, b| {
            component_rect(a)
                .area()
                .total_cmp(&component_rect(b).area())
        })
}

/// Where a new component goes beside `id`: to its right, a gap wide enough for a wire's arrow,
/// at the same height; a step down at a time while that spot is taken (so components added
/// one after another from the same one fan out in a column). When the right would leave
/// `visible` (the part of the world on screen), it goes below instead, so what is added stays
/// in view. `None` if `id` is not a plain component (a data center has no one spot beside it).
pub fn beside(d: &Diagram, id: &ComponentId, visible: Option<Rect>) -> Option<Point> {
    let c = d.component(id).filter(|c| c.kind != Kind::DataCenter)?;
    let taken = |x: f64, y: f64| {
        let spot = node_rect(x, y);
        d.components
            .iter()
            .filter(|o| o.kind != Kind::DataCenter)
            .any(|o| component_rect(o).intersects(&spot))
    };
    let free = |x: f64, y0: f64, step: f64| {
        (0..50)
            .map(|k| y0 + f64::from(k) * step)
            .find(|&y| !taken(x, y))
    };
    let step = snap(NODE_HEIGHT + 2.0 * GRID);
    let right = snap(c.x + NODE_WIDTH + 4.0 * GRID);
    let fits = |p: Point| visible.is_none_or(|v| v.contains_rect(&node_rect(p.x, p.y)));
    let to_the_right = free(right, snap(c.y), step).map(|y| Point { x: right, y });
    if let Some(p) = to_the_right.filter(|p| fits(*p)) {
        return Some(p);
    }
    let below = free(snap(c.x), snap(c.y) + step, step).map(|y| Point { x: snap(c.x), y });
    below
        .filter(|p| fits(*p))
        .or(to_the_right)
        .or(Some(Point { x: right, y: c.y }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Point, b: Point) -> bool {
        (a.x - b.x).abs() < 1e-9 && (a.y - b.y).abs() < 1e-9
    }

    #[test]
    fn screen_and_world_round_trip() {
        let views = [
            Viewport::default(),
            Viewport {
                x: 120.0,
                y: -40.0,
                zoom: 0.35,
            },
            Viewport {
                x: -900.5,
                y: 33.25,
                zoom: 3.7,
            },
        ];
        for v in views {
            for p in [
                Point { x: 0.0, y: 0.0 },
                Point { x: 640.0, y: 480.0 },
                Point { x: -12.5, y: 7.75 },
            ] {
                assert!(close(v.to_screen(v.to_world(p)), p), "{v:?} {p:?}");
                assert!(close(v.to_world(v.to_screen(p)), p), "{v:?} {p:?}");
            }
        }
    }

    #[test]
    fn zooming_keeps_the_point_under_the_cursor() {
        let v = Viewport {
            x: 50.0,
            y: 20.0,
            zoom: 1.0,
        };
        let cursor = Point { x: 300.0, y: 200.0 };
        let before = v.to_world(cursor);
        let z = v.zoom_at(cursor, 1.5);
        assert_eq!(z.zoom, 1.5);
        assert!(close(z.to_world(cursor), before));
        // Clamped at the limits, still anchored.
        let far = v.zoom_at(cursor, 1e6);
        assert_eq!(far.zoom, MAX_ZOOM);
        assert!(close(far.to_world(cursor), before));
        assert_eq!(v.zoom_at(cursor, f64::NAN), v);
        assert_eq!(v.zoom_at(cursor, -2.0), v);
    }

    #[test]
    fn fit_shows_everything_centred() {
        let b = Rect {
            x: 100.0,
            y: 50.0,
            w: 2000.0,
            h: 400.0,
        };
        let v = Viewport::fit(b, 1000.0, 600.0, 20.0);
        let tl = v.to_screen(Point { x: b.x, y: b.y });
        let br = v.to_screen(Point {
            x: b.x + b.w,
            y: b.y + b.h,
        });
        assert!(
            tl.x >= 19.99 && br.x <= 980.01 && tl.y >= 0.0 && br.y <= 600.0,
            "{tl:?} {br:?}"
        );
        assert!(close(v.to_screen(b.center()), Point { x: 500.0, y: 300.0 }));
        // A small diagram is not blown up past 100 %.
        assert_eq!(
            Viewport::fit(
                Rect {
                    x: 0.0,
                    y: 0.0,
                    w: 10.0,
                    h: 10.0
                },
                1000.0,
                600.0,
                20.0
            )
            .zoom,
            1.0
        );
    }

    #[test]
    fn snapping_and_rectangles() {
        assert_eq!(snap(35.0), 24.0);
        assert_eq!(snap(37.0), 48.0);
        assert_eq!(snap(-13.0), -24.0);
        let r = Rect::from_corners(Point { x: 10.0, y: 90.0 }, Point { x: 0.0, y: 40.0 });
        assert_eq!(
            r,
            Rect {
                x: 0.0,
                y: 40.0,
                w: 10.0,
                h: 50.0
            }
        );
        assert!(r.contains(Point { x: 5.0, y: 40.0 }) && !r.contains(Point { x: 11.0, y: 50.0 }));
        assert!(r.intersects(&node_rect(8.0, 85.0)) && !r.intersects(&node_rect(20.0, 0.0)));
    }

    #[test]
    fn a_new_component_goes_beside_the_selected_one_and_fans_out_downwards() {
        let placed = |id: &str, kind: Kind, x: f64, y: f64| {
            let mut c = Component::new(id, kind);
            (c.x, c.y) = (x, y);
            c
        };
        let mut d = Diagram::new("beside");
        d.components
            .push(placed("lb", Kind::LoadBalancer, 96.0, 96.0));
        let first = beside(&d, &"lb".into(), None).unwrap();
        assert_eq!(first, Point { x: 360.0, y: 96.0 }, "right of it, same row");
        d.components
            .push(placed("web-1", Kind::WebServer, first.x, first.y));
        let second = beside(&d, &"lb".into(), None).unwrap();
        assert_eq!(second.x, first.x);
        assert!(
            second.y >= first.y + NODE_HEIGHT,
            "the spot was taken: {second:?}"
        );
        assert!(!node_rect(second.x, second.y).intersects(&node_rect(first.x, first.y)));
        // With the right edge of the screen just past lb, it goes below lb instead.
        let screen = Rect {
            x: 0.0,
            y: 0.0,
            w: 300.0,
            h: 2000.0,
        };
        let below = beside(&d, &"lb".into(), Some(screen)).unwrap();
        assert_eq!(below.x, 96.0);
        assert!(below.y >= 96.0 + NODE_HEIGHT, "{below:?}");
        d.components.push(Component::new("dc", Kind::DataCenter));
        assert_eq!(beside(&d, &"dc".into(), None), None);
        assert_eq!(beside(&d, &"ghost".into(), None), None);
    }
}
