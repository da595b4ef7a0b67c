//! The minimap: the whole diagram in miniature with the visible part outlined, shown when the
//! diagram does not fit in view. Pressing or dragging on it moves the view there.

use leptos::ev;
use leptos::prelude::*;

use crate::model::Kind;
use crate::model::geometry::{Point, Rect, Viewport, bounds, component_rect};
use crate::ui::editor::Editor;

/// The minimap's size in CSS pixels.
const WIDTH: f64 = 200.0;
const HEIGHT: f64 = 136.0;
const PAD: f64 = 6.0;

/// How the minimap maps world to its own pixels: the diagram's bounds, scaled to fit.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Map {
    world: Rect,
    scale: f64,
    /// Offsets that centre the diagram in the minimap.
    ox: f64,
    oy: f64,
}

impl Map {
    fn of(world: Rect) -> Map {
        let scale =
            ((WIDTH - 2.0 * PAD) / world.w.max(1.0)).min((HEIGHT - 2.0 * PAD) / world.h.max(1.0));
        Map {
            world,
            scale,
            ox: (WIDTH - world.w * scale) / 2.0,
            oy: (HEIGHT - world.h * scale) / 2.0,
        }
    }

    fn to_map(self, r: &Rect) -> Rect {
        Rect {
            x: self.ox + (r.x - self.world.x) * self.scale,
            y: self.oy + (r.y - self.world.y) * self.scale,
            w: r.w * self.scale,
            h: r.h * self.scale,
        }
    }

    fn to_world(self, p: Point) -> Point {
        Point {
            x: self.world.x + (p.x - self.ox) / self.scale,
            y: self.world.y + (p.y - self.oy) / self.scale,
        }
    }
}

/// The part of the world the canvas shows.
fn visible(v: &Viewport, (w, h): (f64, f64)) -> Rect {
    Rect::from_corners(
        v.to_world(Point { x: 0.0, y: 0.0 }),
        v.to_world(Point { x: w, y: h }),
    )
}

fn rects_path(rects: impl Iterator<Item = Rect>) -> String {
    let mut d = String::new();
    for r in rects {
        d.push_str(&format!(
            "M{:.1} {:.1}h{:.1}v{:.1}h{:.1}z",
            r.x,
            r.y,
            r.w.max(1.0),
            r.h.max(1.0),
            -r.w.max(1.0)
        ));
    }
    d
}

/// The minimap, for a canvas of `size` CSS pixels.
#[component]
pub fn Minimap(size: RwSignal<(f64, f64)>) -> impl IntoView {
    let editor = Editor::get();
    let map = Memo::new(move |_| editor.doc.with(|d| bounds(&d.diagram)).map(Map::of));
    // Shown only when some of the diagram is out of view.
    let needed = move || {
        let Some(m) = map.get() else {
            return false;
        };
        let seen = visible(&editor.viewport.get(), size.get());
        !seen.contains_rect(&m.world)
    };
    let shapes = move |regions: bool| {
        let Some(m) = map.get() else {
            return String::new();
        };
        editor.doc.with(|d| {
            rects_path(
                d.diagram
                    .components
                    .iter()
                    .filter(|c| (c.kind == Kind::DataCenter) == regions)
                    .map(|c| m.to_map(&component_rect(c))),
            )
        })
    };
    let view_rect = move || {
        let m = map.get()?;
        Some(m.to_map(&visible(&editor.viewport.get(), size.get())))
    };
    let dragging = StoredValue::new(false);
    let go = move |e: &ev::PointerEvent| {
        let Some(m) = map.get_untracked() else {
            return;
        };
        let Some((x, y, _, _)) = crate::ui::point_in_target(e) else {
            return;
        };
        let p = Point { x, y };
        let target = m.to_world(p);
        let (w, h) = size.get_untracked();
        editor.viewport.update(|v| {
            let now = v.to_world(Point {
                x: w / 2.0,
                y: h / 2.0,
            });
            *v = v.pan((now.x - target.x) * v.zoom, (now.y - target.y) * v.zoom);
        });
    };
    view! {
        <Show when=needed>
            <svg
                class="ap-minimap"
                data-testid="minimap"
                width=WIDTH
                height=HEIGHT
                role="img"
                aria-label="Minimap of the whole diagram; press or drag on it to move the view"
                on:pointerdown=move |e: ev::PointerEvent| {
                    e.stop_propagation();
                    dragging.set_value(true);
                    go(&e);
                }
                on:pointermove=move |e: ev::PointerEvent| {
                    if dragging.get_value() {
                        go(&e);
                    }
                }
                on:pointerup=move |_| dragging.set_value(false)
                on:pointerleave=move |_| dragging.set_value(false)
            >
                <path class="ap-minimap__regions" d=move || shapes(true) />
                <path class="ap-minimap__nodes" d=move || shapes(false) />
                {move || view_rect().map(|r| view! {
                    <rect class="ap-minimap__view" data-testid="minimap-view" x=r.x y=r.y width=r.w height=r.h />
                })}
            </svg>
        </Show>
    }
}
