//! The canvas: draws the diagram (data centers, wires, components) in an SVG under the
//! viewport's pan and zoom, accepts components dropped from the palette, and turns pointer,
//! touch and keyboard gestures into edits. The rules behind each gesture live in `model::edit`
//! and `model::geometry`; this module only tracks gestures in progress.
//!
//! Rendering is keyed and fine-grained so large diagrams stay smooth: each item is created once
//! per id and updates only the attributes that change; a drag in progress moves only the items
//! being dragged (and the wires that touch them) until it is committed as one edit.

mod items;
mod minimap;

use leptos::ev;
use leptos::prelude::*;

use super::editor::{Editor, WireDraft};
use super::run::Runner;
use crate::chart::badge;
use crate::model::geometry::{
    NODE_HEIGHT, NODE_WIDTH, Point, Rect, Viewport, bounds, component_rect, with_contents,
};
use crate::model::{ComponentId, Kind};
use crate::sim::CrossingKind;

use items::{Item, Items, Live, node_view, region_view, wire_view};
use minimap::Minimap;

/// MIME type of a palette drag's payload (the kind's identifier).
pub const DRAG_KIND: &str = "application/x-archplay-kind";

/// A drag of selected items in progress: where it started (client coordinates) and how far it
/// has gone (world units).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct NodeDrag {
    start: Point,
    offset: Point,
}

/// A data center's corner being dragged: its size so far (world units, unsnapped).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Resize {
    id: ComponentId,
    start: Point,
    from: (f64, f64),
    size: (f64, f64),
}

/// A gesture on the empty background: panning the view, selecting by box (with Shift), or
/// pinching with two fingers.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Background {
    /// Panning: the last pointer position (client coordinates).
    Pan { last: Point },
    /// Box select: both corners in canvas-local screen coordinates.
    Select { start: Point, end: Point },
    /// Two-finger pinch: the view and the fingers' distance and midpoint when it began.
    Pinch {
        view: Viewport,
        distance: f64,
        midpoint: Point,
    },
}

/// Gestures in progress, shared by the canvas and the items it draws.
#[derive(Clone, Copy)]
pub(crate) struct Gestures {
    /// Items being dragged.
    pub drag: RwSignal<Option<NodeDrag>>,
    /// Every item's signals; those moving with the drag are flagged there.
    pub items: Items,
    /// A data center being resized.
    pub resize: RwSignal<Option<Resize>>,
    /// A component's context menu, open at a client point.
    pub menu: RwSignal<Option<(ComponentId, Point)>>,
    /// A finger held on a component: where it went down, and which press it is (a long press
    /// opens the context menu, as a right click does; moving or lifting it first cancels).
    press: StoredValue<(Option<Point>, u32)>,
}

/// How long a finger must rest on a component to open its menu, in ms.
const LONG_PRESS_MS: u32 = 550;
/// How far a resting finger may wander (CSS px) and still be a long press.
const LONG_PRESS_SLOP: f64 = 10.0;

impl Gestures {
    /// The drag offset (world units) if `item` is being dragged. Only items that move subscribe
    /// to the drag, so a drag step updates them alone.
    pub fn offset_of(&self, item: Item) -> Point {
        if item.moving.get() {
            self.drag.with(|d| d.map(|d| d.offset).unwrap_or_default())
        } else {
            Point::default()
        }
    }

    /// Starts dragging the selection (and what its data centers hold) from client point `at`.
    pub fn start_drag(&self, editor: Editor, at: Point) {
        if editor.read_only {
            return;
        }
        let ids = editor.selection.get_untracked();
        let moving = editor
            .doc
            .with_untracked(|d| with_contents(&d.diagram, &ids));
        self.items.set_moving(&moving);
        self.drag.set(Some(NodeDrag {
            start: at,
            offset: Point::default(),
        }));
    }

    /// Opens `id`'s context menu at client point `at`.
    pub fn open_menu(&self, id: ComponentId, at: Point) {
        self.menu.set(Some((id, at)));
    }

    /// A touch went down on `id` at client point `at`: if it rests there long enough, the
    /// drag it started is dropped and the component's menu opens.
    pub fn start_press(&self, id: ComponentId, at: Point) {
        let press = self.press.get_value().1.wrapping_add(1);
        self.press.set_value((Some(at), press));
        let this = *self;
        gloo_timers::callback::Timeout::new(LONG_PRESS_MS, move || {
            if this.press.get_value() != (Some(at), press) {
                return;
            }
            this.press.set_value((None, press));
            this.drag.set(None);
            this.items.set_moving(&[]);
            this.open_menu(id, at);
        })
        .forget();
    }

    /// The pointer moved to `at`: a press that wandered is no longer a long press.
    fn press_moved(&self, at: Point) {
        if let (Some(from), press) = self.press.get_value()
            && (at.x - from.x).hypot(at.y - from.y) > LONG_PRESS_SLOP
        {
            self.press.set_value((None, press));
        }
    }

    /// The pointer was lifted: no long press.
    fn press_ended(&self) {
        let press = self.press.get_value().1;
        self.press.set_value((None, press));
    }

    /// Starts resizing data center `id` from client point `at`.
    pub fn start_resize(&self, editor: Editor, id: ComponentId, at: Point) {
        if editor.read_only {
            return;
        }
        let size = editor.doc.with_untracked(|d| {
            d.diagram
                .component(&id)
                .map(|c| (c.number("width"), c.number("height")))
        });
        if let Some(size) = size {
            self.resize.set(Some(Resize {
                id,
                start: at,
                from: size,
                size,
            }));
        }
    }
}

fn client(e: &ev::PointerEvent) -> Point {
    Point {
        x: f64::from(e.client_x()),
        y: f64::from(e.client_y()),
    }
}

fn client_point(e: &ev::MouseEvent) -> Point {
    Point {
        x: f64::from(e.client_x()),
        y: f64::from(e.client_y()),
    }
}

fn distance(a: Point, b: Point) -> f64 {
    ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
}

fn midpoint(a: Point, b: Point) -> Point {
    Point {
        x: (a.x + b.x) / 2.0,
        y: (a.y + b.y) / 2.0,
    }
}

/// The canvas area.
#[component]
pub fn Canvas() -> impl IntoView {
    let editor = Editor::get();
    let gestures = Gestures {
        drag: RwSignal::new(None),
        items: Items::new(),
        resize: RwSignal::new(None),
        menu: RwSignal::new(None),
        press: StoredValue::new((None, 0)),
    };
    let runner = Runner::get();
    // Live state (up or down, headline figures) follows the run through one effect.
    Effect::new(move |_| {
        let shown = runner.with_observed(|sim| {
            editor.doc.with_untracked(|d| {
                gestures.items.sync_live(|id| {
                    let up = sim.is_up(id)?;
                    let c = d.diagram.component(id)?;
                    let group = crate::model::cost::group_summary(c).is_some();
                    let badge = sim
                        .component_series(id)
                        .filter(|s| !s.is_empty())
                        .map(|s| {
                            let row = &s.row(s.len() - 1)[1..];
                            let figures = badge(c.kind.spec().metrics, s.names(), row);
                            match s.names().iter().position(|n| *n == "instances") {
                                Some(i) if group => format!("{} up · {figures}", row[i]),
                                _ => figures,
                            }
                        })
                        .unwrap_or_default();
                    Some(Live { up, badge })
                })
            })
        });
        if shown.is_none() {
            gestures.items.sync_live(|_| None);
        }
    });
    // The items follow the document and the selection through one effect each.
    Effect::new(move |_| editor.doc.with(|d| gestures.items.sync_doc(&d.diagram)));
    Effect::new(move |_| editor.selection.with(|s| gestures.items.sync_selection(s)));
    let background = RwSignal::new(None::<Background>);
    // Fingers (or pens) down on the background, for pinch zoom: (pointer id, client point).
    let touches = StoredValue::new(Vec::<(i32, Point)>::new());
    let canvas_ref = NodeRef::<leptos::html::Main>::new();
    // The canvas's size in CSS pixels, for the minimap and fitting.
    let size = RwSignal::new((800.0, 600.0));

    let measure = move || {
        if let Some(el) = canvas_ref.get_untracked() {
            let r = el.get_bounding_client_rect();
            if r.width() > 0.0 {
                size.set((r.width(), r.height()));
            }
        }
    };
    // A document that just arrived is shown whole (never enlarged past 100 %).
    let fit_now = move || {
        measure();
        let (w, h) = size.get_untracked();
        if let Some(b) = editor.doc.with_untracked(|d| bounds(&d.diagram)) {
            editor.viewport.set(Viewport::fit(b, w, h, 48.0));
        }
    };
    canvas_ref.on_load(move |_| measure());
    Effect::new(move |_| {
        if editor.fit_pending.get() && canvas_ref.get().is_some() {
            editor.fit_pending.set(false);
            fit_now();
        }
    });
    let resize_handle = window_event_listener(ev::resize, move |_| measure());

    // Screen point of a client point relative to the canvas's top-left corner.
    let local = move |p: Point| -> Point {
        match canvas_ref
            .get_untracked()
            .map(|el| el.get_bounding_client_rect())
        {
            Some(r) => Point {
                x: p.x - r.left(),
                y: p.y - r.top(),
            },
            None => p,
        }
    };

    // Drags follow the pointer anywhere on the page and commit one edit when released.
    let move_handle = window_event_listener(ev::pointermove, move |e| {
        let here = client(&e);
        gestures.press_moved(here);
        if let Some(w) = editor.wiring.get_untracked()
            && w.end.is_some()
        {
            let end = editor.viewport.get_untracked().to_world(local(here));
            editor.wiring.set(Some(WireDraft {
                end: Some(end),
                ..w
            }));
        }
        let pinching = touches.with_value(|t| t.len() >= 2);
        touches.update_value(|t| {
            if let Some(slot) = t.iter_mut().find(|(id, _)| *id == e.pointer_id()) {
                slot.1 = here;
            }
        });
        match background.get_untracked() {
            Some(Background::Pinch {
                view,
                distance: d0,
                midpoint: m0,
            }) if pinching => {
                let (a, b) = touches.with_value(|t| (t[0].1, t[1].1));
                let (m, m0) = (local(midpoint(a, b)), local(m0));
                let zoomed = view.zoom_at(m0, distance(a, b) / d0.max(1.0));
                editor.viewport.set(zoomed.pan(m.x - m0.x, m.y - m0.y));
            }
            Some(Background::Pan { last }) => {
                editor
                    .viewport
                    .update(|v| *v = v.pan(here.x - last.x, here.y - last.y));
                background.set(Some(Background::Pan { last: here }));
            }
            Some(Background::Select { start, .. }) => {
                background.set(Some(Background::Select {
                    start,
                    end: local(here),
                }));
            }
            _ => {}
        }
        let zoom = editor.viewport.get_untracked().zoom;
        if let Some(d) = gestures.drag.get_untracked() {
            gestures.drag.set(Some(NodeDrag {
                offset: Point {
                    x: (here.x - d.start.x) / zoom,
                    y: (here.y - d.start.y) / zoom,
                },
                ..d
            }));
        }
        if let Some(r) = gestures.resize.get_untracked() {
            let size = (
                r.from.0 + (here.x - r.start.x) / zoom,
                r.from.1 + (here.y - r.start.y) / zoom,
            );
            gestures.resize.set(Some(Resize { size, ..r }));
        }
    });
    let end_pointer = move |e: &ev::PointerEvent| {
        gestures.press_ended();
        touches.update_value(|t| t.retain(|(id, _)| *id != e.pointer_id()));
        if let Some(Background::Select { start, end }) = background.get_untracked() {
            let v = editor.viewport.get_untracked();
            let area = Rect::from_corners(v.to_world(start), v.to_world(end));
            // Components the box touches; data centers only if it holds them whole.
            let ids: Vec<ComponentId> = editor.doc.with_untracked(|d| {
                d.diagram
                    .components
                    .iter()
                    .filter(|c| match c.kind {
                        Kind::DataCenter => area.contains_rect(&component_rect(c)),
                        _ => area.intersects(&component_rect(c)),
                    })
                    .map(|c| c.id.clone())
                    .collect()
            });
            editor.announcement.set(format!("{} selected", ids.len()));
            editor.selection.set(ids);
        }
        background.set(None);
        if let Some(w) = editor.wiring.get_untracked()
            && let Some(end) = w.end
        {
            if w.over.is_none() && tapped_port(editor, &w.from, end) {
                // A tap on the port, not a drag: the next component tapped is the target.
                editor.wire_by_taps(w.from);
            } else {
                editor.finish_wire(w.over);
            }
        }
        if let Some(d) = gestures.drag.get_untracked() {
            gestures.drag.set(None);
            gestures.items.set_moving(&[]);
            if d.offset.x.abs() > 1.0 || d.offset.y.abs() > 1.0 {
                editor.move_selection(d.offset.x, d.offset.y);
            }
        }
        if let Some(r) = gestures.resize.get_untracked() {
            gestures.resize.set(None);
            editor.resize(&r.id, r.size.0, r.size.1);
        }
    };
    let up_handle = window_event_listener(ev::pointerup, move |e| end_pointer(&e));
    let cancel_handle = window_event_listener(ev::pointercancel, move |e| end_pointer(&e));
    on_cleanup(move || {
        resize_handle.remove();
        move_handle.remove();
        up_handle.remove();
        cancel_handle.remove();
    });

    let on_drop = move |e: ev::DragEvent| {
        e.prevent_default();
        let Some(kind) = e
            .data_transfer()
            .and_then(|dt| dt.get_data(DRAG_KIND).ok())
            .and_then(|id| Kind::from_id(&id))
        else {
            return;
        };
        let at = Point {
            x: f64::from(e.client_x()),
            y: f64::from(e.client_y()),
        };
        editor.add_centred(kind, editor.viewport.get_untracked().to_world(local(at)));
    };

    let on_keydown = move |e: ev::KeyboardEvent| {
        let step = if e.shift_key() { 96.0 } else { 24.0 };
        match e.key().as_str() {
            "Delete" | "Backspace" => editor.delete_selection(),
            "ArrowLeft" => editor.move_selection(-step, 0.0),
            "ArrowRight" => editor.move_selection(step, 0.0),
            "ArrowUp" => editor.move_selection(0.0, -step),
            "ArrowDown" => editor.move_selection(0.0, step),
            "Escape" => {
                editor.finish_wire(None);
                editor.placing.set(None);
                editor.refusal.set(None);
                editor.selection.set(Vec::new());
            }
            _ => return,
        }
        e.prevent_default();
    };

    let on_wheel = move |e: ev::WheelEvent| {
        e.prevent_default();
        let at = local(Point {
            x: f64::from(e.client_x()),
            y: f64::from(e.client_y()),
        });
        // Trackpad pinches arrive as wheel events with Ctrl held and small deltas.
        let rate = if e.ctrl_key() { 0.01 } else { 0.0015 };
        let factor = (-e.delta_y() * rate).exp();
        editor.viewport.update(|v| *v = v.zoom_at(at, factor));
    };
    let zoom_by = move |factor: f64| {
        let (w, h) = size.get_untracked();
        editor.viewport.update(|v| {
            *v = v.zoom_at(
                Point {
                    x: w / 2.0,
                    y: h / 2.0,
                },
                factor,
            )
        });
    };
    let fit = move |_| fit_now();
    let on_background_down = move |e: ev::PointerEvent| {
        gestures.menu.set(None);
        // Wiring by taps: a tap on the background cancels it.
        if editor
            .wiring
            .with_untracked(|w| w.as_ref().is_some_and(|w| w.end.is_none()))
        {
            editor.finish_wire(None);
        }
        let here = client(&e);
        if e.pointer_type() != "mouse" {
            touches.update_value(|t| {
                t.retain(|(id, _)| *id != e.pointer_id());
                t.push((e.pointer_id(), here));
            });
            let pair = touches.with_value(|t| (t.len() == 2).then(|| (t[0].1, t[1].1)));
            if let Some((a, b)) = pair {
                background.set(Some(Background::Pinch {
                    view: editor.viewport.get_untracked(),
                    distance: distance(a, b),
                    midpoint: midpoint(a, b),
                }));
                return;
            }
        }
        // A component chosen in the palette is placed where the canvas is tapped.
        if let Some(kind) = editor.placing.get_untracked() {
            editor.placing.set(None);
            editor.add_centred(kind, editor.viewport.get_untracked().to_world(local(here)));
            return;
        }
        if e.shift_key() {
            let at = local(here);
            background.set(Some(Background::Select { start: at, end: at }));
        } else {
            editor.selection.set(Vec::new());
            editor.selected_wire.set(None);
            background.set(Some(Background::Pan { last: here }));
        }
    };
    let selection_box = move || match background.get() {
        Some(Background::Select { start, end }) => {
            let r = Rect::from_corners(start, end);
            Some(view! {
                <rect class="ap-selection-box" data-testid="selection-box" x=r.x y=r.y width=r.w height=r.h />
            })
        }
        _ => None,
    };
    let zoom_label = move || format!("{:.0} %", editor.viewport.get().zoom * 100.0);
    let transform = move || {
        let v = editor.viewport.get();
        format!(
            "transform: translate({}px, {}px) scale({})",
            v.x, v.y, v.zoom
        )
    };

    // Data centers, largest first so nested ones are drawn on top.
    let region_ids = move || {
        editor.doc.with(|d| {
            let mut regions: Vec<(f64, ComponentId)> = d
                .diagram
                .components
                .iter()
                .filter(|c| c.kind == Kind::DataCenter)
                .map(|c| (component_rect(c).area(), c.id.clone()))
                .collect();
            regions.sort_by(|a, b| b.0.total_cmp(&a.0));
            regions.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
        })
    };
    let node_ids = move || {
        editor.doc.with(|d| {
            d.diagram
                .components
                .iter()
                .filter(|c| c.kind != Kind::DataCenter)
                .map(|c| (c.id.clone(), c.kind))
                .collect::<Vec<_>>()
        })
    };
    let wire_ids = move || {
        editor.doc.with(|d| {
            d.diagram
                .wires
                .iter()
                .map(|w| (w.from.clone(), w.to.clone()))
                .collect::<Vec<_>>()
        })
    };
    // Sampled requests flowing along the wires while a run is live: reads as dots, writes as
    // squares, static assets as diamonds, errors as crosses, so no colour is needed to tell
    // them apart. One path per shape keeps it to four elements however many dots fly.
    let flow_paths = Memo::new(move |_| {
        let mut paths: [String; 4] = Default::default();
        for dot in runner.dots() {
            let ends = editor.doc.with_untracked(|d| {
                let a = d.diagram.component(&dot.caller)?;
                let b = d.diagram.component(&dot.callee)?;
                Some(((a.x, a.y), (b.x, b.y)))
            });
            let Some((a, b)) = ends else {
                continue;
            };
            let p = items::wire_point(a, b, dot.position);
            let (slot, shape) = match (dot.failed, dot.kind) {
                (true, _) => (3, format!("M{} {}l7 7m0 -7l-7 7", p.x - 3.5, p.y - 3.5)),
                (false, CrossingKind::Read) => (
                    0,
                    format!("M{} {}a4 4 0 1 0 8 0a4 4 0 1 0 -8 0", p.x - 4.0, p.y),
                ),
                (false, CrossingKind::Write) => {
                    (1, format!("M{} {}h7v7h-7z", p.x - 3.5, p.y - 3.5))
                }
                (false, CrossingKind::Static) => {
                    (2, format!("M{} {}l4 4l-4 4l-4 -4z", p.x, p.y - 4.0))
                }
            };
            paths[slot].push_str(&shape);
        }
        paths
    });
    let flow_d = move |i: usize| move || flow_paths.with(|p| p[i].clone());
    let flow = view! {
        <path class="ap-flow ap-flow--read" data-testid="flow-reads" d=flow_d(0) />
        <path class="ap-flow ap-flow--write" data-testid="flow-writes" d=flow_d(1) />
        <path class="ap-flow ap-flow--static" data-testid="flow-statics" d=flow_d(2) />
        <path class="ap-flow ap-flow--error" data-testid="flow-errors" d=flow_d(3) />
    };
    let flow_legend = move || {
        (runner.phase.get() != super::run::Phase::Idle
            && runner.speed.get() != super::run::Speed::Max)
            .then(|| {
                view! {
                    <p class="ap-canvas__legend" data-testid="flow-legend" aria-hidden="true">
                        "Sampled requests: ● read ■ write ◆ static ✕ error"
                    </p>
                }
            })
    };
    // The run and the diagram on screen disagree: say so where the user is looking.
    let diverged = move || {
        if runner.phase.get() == super::run::Phase::Idle {
            return None;
        }
        let text = if runner.undone_in_run.get() {
            "Undo and redo change the diagram, not this run: what has happened in the run stays. Reset to run the diagram as it is now."
        } else if runner.stale.get() {
            "The diagram has changed since this run began, and the run is of the diagram as it was. Reset to run this one."
        } else {
            return None;
        };
        Some(view! {
            <div class="ap-canvas__diverged" data-testid="run-diverged" role="status">
                <span>{text}</span>
                <button class="ap-button" data-testid="diverged-reset" on:click=move |_| runner.reset()>
                    "Reset"
                </button>
            </div>
        })
    };
    let empty = move || editor.doc.with(|d| d.diagram.components.is_empty());
    // The wire being drawn, red and dashed over a target that would refuse it.
    let draft = move || {
        let w = editor.wiring.get()?;
        let end = w.end?;
        let (x1, y1) = editor.doc.with(|d| {
            d.diagram
                .component(&w.from)
                .map(|c| (c.x + NODE_WIDTH, c.y + NODE_HEIGHT / 2.0))
        })?;
        let refused = w
            .over
            .as_ref()
            .and_then(|to| editor.refusal_for(&w.from, to));
        let class = if refused.is_some() {
            "ap-wire ap-wire--draft ap-wire--refused"
        } else {
            "ap-wire ap-wire--draft"
        };
        Some(view! {
            <path class=class d=format!("M{x1} {y1} L{} {}", end.x, end.y) marker-end="url(#ap-arrow)" />
            {refused.map(|why| view! {
                <text class="ap-wire__why" data-testid="wire-refusal" x=end.x + 12.0 y=end.y - 10.0>{why}</text>
            })}
        })
    };
    let refusal = move || {
        editor.refusal.get().map(|why| {
            view! {
                <p class="ap-canvas__refusal" data-testid="wire-refusal" role="alert">
                    {why}
                </p>
            }
        })
    };
    let placing_hint = move || {
        editor.placing.get().map(|kind| {
            view! {
                <p class="ap-canvas__hint" data-testid="placing-hint" role="status">
                    {format!("Tap or click the canvas to place a {}; Escape cancels.", kind.spec().name.to_lowercase())}
                </p>
            }
        })
    };

    view! {
        <main
            class="ap-canvas"
            class:ap-canvas--placing=move || editor.placing.with(Option::is_some)
            data-testid="canvas"
            aria-label="Diagram canvas"
            node_ref=canvas_ref
            on:dragover=move |e: ev::DragEvent| e.prevent_default()
            on:drop=on_drop
            on:keydown=on_keydown
            on:wheel=on_wheel
        >
            <svg class="ap-canvas__svg">
                <defs>
                    <pattern id="ap-grid" width="24" height="24" patternUnits="userSpaceOnUse">
                        <circle cx="1" cy="1" r="1" class="ap-canvas__dot" />
                    </pattern>
                    <marker
                        id="ap-arrow"
                        viewBox="0 0 10 10"
                        refX="9"
                        refY="5"
                        markerWidth="8"
                        markerHeight="8"
                        orient="auto-start-reverse"
                    >
                        <path d="M0 0L10 5L0 10z" class="ap-wire__head" />
                    </marker>
                </defs>
                <rect
                    class="ap-canvas__background"
                    width="100%"
                    height="100%"
                    fill="url(#ap-grid)"
                    on:pointerdown=on_background_down
                />
            </svg>
            // The diagram lives in its own compositor layer, moved by a CSS transform: panning
            // and zooming move the layer without laying out or repainting the items in it.
            <div class="ap-canvas__world" style=transform>
                <svg class="ap-canvas__content" width="1" height="1">
                    <g class="ap-layer-regions">
                        <For each=region_ids key=|id| id.clone() children=move |id| region_view(id, editor, gestures) />
                    </g>
                    <g class="ap-layer-wires">
                        <For each=wire_ids key=|k| k.clone() children=move |(from, to)| wire_view(from, to, editor, gestures) />
                    </g>
                    <g class="ap-layer-flow" aria-hidden="true">{flow}</g>
                    <g class="ap-layer-nodes">
                        <For each=node_ids key=|k| k.clone() children=move |(id, kind)| node_view(id, kind, editor, gestures) />
                    </g>
                    {draft}
                </svg>
            </div>
            <svg class="ap-canvas__overlay" aria-hidden="true">{selection_box}</svg>
            <div class="ap-canvas__controls" role="toolbar" aria-label="Zoom">
                <button class="ap-button" data-testid="zoom-out" title="Zoom out" on:click=move |_| zoom_by(0.8)>
                    "−"
                </button>
                <span class="ap-canvas__zoom" data-testid="zoom-level">{zoom_label}</span>
                <button class="ap-button" data-testid="zoom-in" title="Zoom in" on:click=move |_| zoom_by(1.25)>
                    "+"
                </button>
                <button class="ap-button" data-testid="fit-view" title="Fit the diagram in view" on:click=fit>
                    "Fit"
                </button>
                <button
                    class="ap-button"
                    data-testid="tidy"
                    title="Lay the diagram out left to right, in layers along its wires (one Undo takes it back)"
                    disabled=move || editor.read_only || !editor.doc.with(|d| crate::model::tidy::can_tidy(&d.diagram))
                    on:click=move |_| {
                        let positions = editor.doc.with_untracked(|d| crate::model::tidy::tidy(&d.diagram));
                        if positions.is_empty() {
                            editor.announcement.set("Already tidy".into());
                            return;
                        }
                        if editor
                            .apply(
                                crate::model::Edit::Move { positions },
                                "Tidied: left to right, in layers along the wires (Undo goes back)",
                            )
                            .is_ok()
                        {
                            fit_now();
                        }
                    }
                >
                    "Tidy"
                </button>
            </div>
            <Minimap size=size />
            {move || {
                let (id, at) = gestures.menu.get()?;
                let p = local(at);
                let up = runner.is_up_untracked(&id);
                let (label, restore) = match up {
                    Some(false) => (format!("Bring {id} back"), true),
                    _ => (format!("Take {id} down"), false),
                };
                let close = move || gestures.menu.set(None);
                let act = {
                    let id = id.clone();
                    move |_| {
                        runner.kill_or_restore(&id, restore);
                        close();
                    }
                };
                let kind = editor
                    .doc
                    .with_untracked(|d| d.diagram.component(&id).map(|c| c.kind));
                let is_cache = matches!(kind, Some(Kind::Cache | Kind::CdnEdge));
                let is_cdn = kind == Some(Kind::CdnEdge);
                let deploy = move |_| {
                    runner.deploy();
                    close();
                };
                let flush = {
                    let id = id.clone();
                    move |_| {
                        runner.flush(&id);
                        close();
                    }
                };
                // A shard router can move to any number of its wired databases.
                let reshards = runner.router_shards_untracked(&id).map(|(active, wired)| {
                    (1..=wired)
                        .filter(|&n| n != active)
                        .take(12)
                        .map(|n| {
                            let id = id.clone();
                            view! {
                                <button
                                    class="ap-menu__item"
                                    role="menuitem"
                                    data-testid=format!("menu-reshard-{n}")
                                    title="Copies the keys that change shard; also added to the timeline"
                                    on:click=move |_| {
                                        runner.reshard(&id, n);
                                        close();
                                    }
                                >
                                    {format!("Reshard {active} → {n} shards")}
                                </button>
                            }
                        })
                        .collect::<Vec<_>>()
                });
                // A data center can be cut off from (or reconnected to) each other region in use.
                let (own, partners) = editor.doc.with_untracked(|d| {
                    let own = d
                        .diagram
                        .component(&id)
                        .filter(|c| c.kind == Kind::DataCenter)
                        .map(|c| c.choice("region").to_string());
                    (own, crate::model::regions::partner_regions(&d.diagram, &id))
                });
                let partitions = own.map(|own| {
                    partners
                        .into_iter()
                        .map(|other| {
                            let cut = runner.is_partitioned_untracked(&own, other);
                            let own = own.clone();
                            let label = if cut {
                                format!("Heal the network {own} ↔ {other}")
                            } else {
                                format!("Cut the network {own} ↔ {other}")
                            };
                            view! {
                                <button
                                    class="ap-menu__item"
                                    role="menuitem"
                                    data-testid=format!("menu-partition-{other}")
                                    disabled=up.is_none()
                                    title=if up.is_none() { "Run the diagram first" } else { "A network partition between the two regions; also added to the timeline" }
                                    on:click=move |_| {
                                        runner.partition_or_heal(&own, other, cut);
                                        close();
                                    }
                                >
                                    {label}
                                </button>
                            }
                        })
                        .collect::<Vec<_>>()
                });
                Some(view! {
                    <div
                        class="ap-menu"
                        data-testid="node-menu"
                        role="menu"
                        style=format!("left: {}px; top: {}px", p.x, p.y)
                        on:keydown=move |e: ev::KeyboardEvent| {
                            if e.key() == "Escape" {
                                close();
                            }
                        }
                    >
                        <button
                            class="ap-menu__item"
                            role="menuitem"
                            data-testid="menu-kill"
                            disabled=up.is_none()
                            title=if up.is_none() { "Run the diagram first" } else { "Also added to the diagram's timeline" }
                            on:click=act
                        >
                            {label}
                            " (K)"
                        </button>
                        {is_cache.then(|| view! {
                            <button
                                class="ap-menu__item"
                                role="menuitem"
                                data-testid="menu-flush"
                                disabled=up != Some(true)
                                title=if up.is_none() { "Run the diagram first" } else { "Empty the cache; also added to the timeline" }
                                on:click=flush
                            >
                                {format!("Flush {id}")}
                                " (F)"
                            </button>
                        })}
                        {partitions}
                        {reshards}
                        {is_cdn.then(|| view! {
                            <button
                                class="ap-menu__item"
                                role="menuitem"
                                data-testid="menu-deploy"
                                disabled=up.is_none()
                                title="Publish new versions of every static asset; also added to the timeline"
                                on:click=deploy
                            >
                                "Deploy new assets"
                            </button>
                        })}
                        <button class="ap-menu__item" role="menuitem" on:click=move |_| close()>
                            "Cancel"
                        </button>
                    </div>
                })
            }}
            {flow_legend}
            {diverged}
            {refusal}
            {placing_hint}
            <Show when=empty>
                <p class="ap-canvas__empty">
                    "An empty architecture. Drag a component here from the palette, or tap one and then here, or focus one and press Enter."
                </p>
            </Show>
        </main>
    }
}

/// Whether a wire drag that ends at world point `end` never left the port of `from` it began
/// on: a tap, not a drag.
fn tapped_port(editor: Editor, from: &ComponentId, end: Point) -> bool {
    editor.doc.with_untracked(|d| {
        d.diagram.component(from).is_some_and(|c| {
            let port = Point {
                x: c.x + NODE_WIDTH,
                y: c.y + NODE_HEIGHT / 2.0,
            };
            (end.x - port.x).hypot(end.y - port.y) < 12.0
        })
    })
}
