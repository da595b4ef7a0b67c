//! The canvas: draws the diagram (components and wires) in an SVG under the viewport's pan and
//! zoom, accepts components dropped from the palette, and turns pointer and keyboard gestures
//! into edits. The rules behind each gesture live in `model::edit`.

use leptos::ev;
use leptos::prelude::*;

use super::editor::Editor;
use super::icons::kind_icon;
use crate::model::geometry::{NODE_HEIGHT, NODE_WIDTH, Point, Rect, Viewport, bounds, node_rect};
use crate::model::{Component, ComponentId, Edit, Kind, Wire};

/// MIME type of a palette drag's payload (the kind's identifier).
pub const DRAG_KIND: &str = "application/x-archplay-kind";

/// A drag of selected nodes in progress: where it started (screen) and how far it has gone.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct NodeDrag {
    start: Point,
    offset: Point,
}

/// A gesture on the empty background: panning the view, or (with Shift) selecting by box.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Background {
    /// Panning: the last pointer position (client coordinates).
    Pan { last: Point },
    /// Box select: both corners in canvas-local screen coordinates.
    Select { start: Point, end: Point },
}

/// The canvas area.
#[component]
pub fn Canvas() -> impl IntoView {
    let editor = Editor::get();
    let drag = RwSignal::new(None::<NodeDrag>);
    let background = RwSignal::new(None::<Background>);
    let canvas_ref = NodeRef::<leptos::html::Main>::new();

    // Screen point of an event relative to the canvas's top-left corner.
    let local = move |client_x: f64, client_y: f64| -> Point {
        let rect = canvas_ref
            .get_untracked()
            .map(|el| el.get_bounding_client_rect());
        match rect {
            Some(r) => Point {
                x: client_x - r.left(),
                y: client_y - r.top(),
            },
            None => Point {
                x: client_x,
                y: client_y,
            },
        }
    };

    // Node drags follow the pointer anywhere on the page and commit one Move when released.
    let move_handle = window_event_listener(ev::pointermove, move |e| {
        if let Some(w) = editor.wiring.get_untracked()
            && w.end.is_some()
        {
            let screen = local(f64::from(e.client_x()), f64::from(e.client_y()));
            let end = editor.viewport.get_untracked().to_world(screen);
            editor.wiring.set(Some(crate::ui::editor::WireDraft {
                end: Some(end),
                ..w
            }));
        }
        match background.get_untracked() {
            Some(Background::Pan { last }) => {
                let now = Point {
                    x: f64::from(e.client_x()),
                    y: f64::from(e.client_y()),
                };
                editor
                    .viewport
                    .update(|v| *v = v.pan(now.x - last.x, now.y - last.y));
                background.set(Some(Background::Pan { last: now }));
            }
            Some(Background::Select { start, .. }) => {
                let end = local(f64::from(e.client_x()), f64::from(e.client_y()));
                background.set(Some(Background::Select { start, end }));
            }
            None => {}
        }
        if let Some(d) = drag.get_untracked() {
            drag.set(Some(NodeDrag {
                offset: Point {
                    x: f64::from(e.client_x()) - d.start.x,
                    y: f64::from(e.client_y()) - d.start.y,
                },
                ..d
            }));
        }
    });
    let up_handle = window_event_listener(ev::pointerup, move |_| {
        if let Some(Background::Select { start, end }) = background.get_untracked() {
            let v = editor.viewport.get_untracked();
            let area = Rect::from_corners(v.to_world(start), v.to_world(end));
            let ids: Vec<ComponentId> = editor.doc.with_untracked(|d| {
                d.diagram
                    .components
                    .iter()
                    .filter(|c| area.intersects(&node_rect(c.x, c.y)))
                    .map(|c| c.id.clone())
                    .collect()
            });
            editor.announcement.set(format!("{} selected", ids.len()));
            editor.selection.set(ids);
        }
        background.set(None);
        if let Some(w) = editor.wiring.get_untracked()
            && w.end.is_some()
        {
            editor.finish_wire(w.over);
        }
        if let Some(d) = drag.get_untracked() {
            drag.set(None);
            let zoom = editor.viewport.get_untracked().zoom;
            if d.offset.x.abs() > 2.0 || d.offset.y.abs() > 2.0 {
                editor.move_selection(d.offset.x / zoom, d.offset.y / zoom);
            }
        }
    });
    on_cleanup(move || {
        move_handle.remove();
        up_handle.remove();
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
        let screen = local(f64::from(e.client_x()), f64::from(e.client_y()));
        let world = editor.viewport.get_untracked().to_world(screen);
        // Drop so the pointer sits in the middle of the new box.
        editor.add(
            kind,
            Point {
                x: world.x - NODE_WIDTH / 2.0,
                y: world.y - NODE_HEIGHT / 2.0,
            },
        );
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
                editor.refusal.set(None);
                editor.selection.set(Vec::new());
            }
            _ => return,
        }
        e.prevent_default();
    };

    let on_wheel = move |e: ev::WheelEvent| {
        e.prevent_default();
        let at = local(f64::from(e.client_x()), f64::from(e.client_y()));
        let factor = (-e.delta_y() * 0.0015).exp();
        editor.viewport.update(|v| *v = v.zoom_at(at, factor));
    };
    let size = move || {
        canvas_ref
            .get_untracked()
            .map(|el| {
                let r = el.get_bounding_client_rect();
                (r.width(), r.height())
            })
            .unwrap_or((800.0, 600.0))
    };
    let zoom_by = move |factor: f64| {
        let (w, h) = size();
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
    let fit = move |_| {
        let (w, h) = size();
        if let Some(b) = editor.doc.with_untracked(|d| bounds(&d.diagram)) {
            editor.viewport.set(Viewport::fit(b, w, h, 48.0));
        }
    };
    let on_background_down = move |e: ev::PointerEvent| {
        let here = local(f64::from(e.client_x()), f64::from(e.client_y()));
        if e.shift_key() {
            background.set(Some(Background::Select {
                start: here,
                end: here,
            }));
        } else {
            editor.selection.set(Vec::new());
            editor.selected_wire.set(None);
            background.set(Some(Background::Pan {
                last: Point {
                    x: f64::from(e.client_x()),
                    y: f64::from(e.client_y()),
                },
            }));
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
        format!("translate({} {}) scale({})", v.x, v.y, v.zoom)
    };
    let wires = move || {
        editor.doc.with(|d| {
            let diagram = &d.diagram;
            diagram
                .wires
                .iter()
                .filter_map(|w| {
                    let a = diagram.component(&w.from)?;
                    let b = diagram.component(&w.to)?;
                    Some(wire_view(w, a, b, editor))
                })
                .collect_view()
        })
    };
    let nodes = move || {
        editor.doc.with(|d| {
            d.diagram
                .components
                .iter()
                .map(|c| node_view(c.clone(), editor, drag))
                .collect_view()
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

    view! {
        <main
            class="ap-canvas"
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
                    width="100%"
                    height="100%"
                    fill="url(#ap-grid)"
                    on:pointerdown=on_background_down
                />
                <g transform=transform>{wires} {nodes} {draft}</g>
                {selection_box}
            </svg>
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
            </div>
            {refusal}
            <Show when=empty>
                <p class="ap-canvas__empty">
                    "An empty architecture. Drag a component here from the palette, or focus one and press Enter."
                </p>
            </Show>
        </main>
    }
}

/// One wire: a curve from the right edge of `a` to the left edge of `b`, with an arrowhead.
fn wire_view(w: &Wire, a: &Component, b: &Component, editor: Editor) -> impl IntoView + use<> {
    let (x1, y1) = (a.x + NODE_WIDTH, a.y + NODE_HEIGHT / 2.0);
    let (x2, y2) = (b.x, b.y + NODE_HEIGHT / 2.0);
    let bend = ((x2 - x1).abs() / 2.0).max(40.0);
    let d = format!(
        "M{x1} {y1} C{} {y1} {} {y2} {x2} {y2}",
        x1 + bend,
        x2 - bend
    );
    let label = format!(
        "Wire from {} to {} (Delete removes it)",
        a.display_name(),
        b.display_name()
    );
    let (from, to) = (w.from.clone(), w.to.clone());
    let on_key = move |e: ev::KeyboardEvent| {
        if matches!(e.key().as_str(), "Delete" | "Backspace") {
            e.prevent_default();
            e.stop_propagation();
            let what = format!("Removed the wire from {from} to {to}");
            // A refusal is announced by apply.
            let _ = editor.apply(
                Edit::Remove {
                    components: vec![],
                    wires: vec![(from.clone(), to.clone())],
                },
                &what,
            );
        }
    };
    let key = (w.from.clone(), w.to.clone());
    let selected = {
        let key = key.clone();
        move || editor.selected_wire.with(|s| s.as_ref() == Some(&key))
    };
    let select = move || {
        editor.selection.set(Vec::new());
        editor.selected_wire.set(Some(key.clone()));
    };
    let select_again = select.clone();
    let hit_d = d.clone();
    view! {
        // A wide transparent stroke under the visible one makes the wire easy to click.
        <path
            class="ap-wire__hit"
            d=hit_d
            on:pointerdown=move |e: ev::PointerEvent| {
                e.stop_propagation();
                select();
            }
        />
        <path
            class="ap-wire"
            class:ap-wire--selected=selected
            on:focus=move |_| select_again()
            data-testid=format!("wire-{}-{}", w.from, w.to)
            d=d
            marker-end="url(#ap-arrow)"
            tabindex="0"
            role="img"
            aria-label=label
            on:keydown=on_key
        />
    }
}

/// One component's box. Clicking selects it (shift adds to the selection); dragging moves the
/// selection.
fn node_view(c: Component, editor: Editor, drag: RwSignal<Option<NodeDrag>>) -> impl IntoView {
    let id: ComponentId = c.id.clone();
    let selected = {
        let id = id.clone();
        move || editor.selection.with(|s| s.contains(&id))
    };
    let transform = {
        let selected = selected.clone();
        move || {
            let zoom = editor.viewport.get().zoom;
            let (dx, dy) = match drag.get() {
                Some(d) if selected() => (d.offset.x / zoom, d.offset.y / zoom),
                _ => (0.0, 0.0),
            };
            format!("translate({} {})", c.x + dx, c.y + dy)
        }
    };
    let on_pointerdown = {
        let id = id.clone();
        move |e: ev::PointerEvent| {
            e.stop_propagation();
            editor.selected_wire.set(None);
            let already = editor.selection.with_untracked(|s| s.contains(&id));
            if e.shift_key() {
                let id = id.clone();
                editor.selection.update(move |s| {
                    if already {
                        s.retain(|x| x != &id);
                    } else {
                        s.push(id);
                    }
                });
            } else if !already {
                editor.selection.set(vec![id.clone()]);
            }
            drag.set(Some(NodeDrag {
                start: Point {
                    x: f64::from(e.client_x()),
                    y: f64::from(e.client_y()),
                },
                offset: Point::default(),
            }));
        }
    };
    let on_focus = {
        let id = id.clone();
        move |_| {
            editor.selected_wire.set(None);
            if !editor.selection.with_untracked(|s| s.contains(&id)) {
                editor.selection.set(vec![id.clone()]);
            }
        }
    };
    let on_enter = {
        let id = id.clone();
        move |_| {
            if let Some(w) = editor.wiring.get_untracked() {
                editor.wiring.set(Some(crate::ui::editor::WireDraft {
                    over: Some(id.clone()),
                    ..w
                }));
            }
        }
    };
    let on_leave = move |_| {
        if let Some(w) = editor.wiring.get_untracked() {
            editor
                .wiring
                .set(Some(crate::ui::editor::WireDraft { over: None, ..w }));
        }
    };
    let on_node_key = {
        let id = id.clone();
        move |e: ev::KeyboardEvent| match e.key().as_str() {
            "w" | "W" => {
                e.prevent_default();
                editor.start_wire(id.clone(), None);
            }
            "Enter" if editor.wiring.with_untracked(Option::is_some) => {
                e.prevent_default();
                editor.finish_wire(Some(id.clone()));
            }
            "Enter" => {
                // Enter opens the inspector: focus its first setting.
                e.prevent_default();
                let first = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| {
                        d.query_selector("[data-testid=inspector] .ap-field__input")
                            .ok()
                            .flatten()
                    })
                    .and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok());
                if let Some(el) = first {
                    let _ = el.focus();
                }
            }
            _ => {}
        }
    };
    let on_port_down = {
        let id = id.clone();
        move |e: ev::PointerEvent| {
            e.stop_propagation();
            e.prevent_default();
            let Some(c) = editor
                .doc
                .with_untracked(|d| d.diagram.component(&id).map(|c| (c.x, c.y)))
            else {
                return;
            };
            editor.start_wire(
                id.clone(),
                Some(Point {
                    x: c.0 + NODE_WIDTH,
                    y: c.1 + NODE_HEIGHT / 2.0,
                }),
            );
        }
    };
    let spec = c.kind.spec();
    let name = c.display_name().to_string();
    let label = format!("{} {name}", spec.name);
    view! {
        <g
            class="ap-node"
            class:ap-node--selected=selected.clone()
            data-testid=format!("node-{id}")
            data-kind=spec.id
            transform=transform
            tabindex="0"
            role="button"
            aria-label=label
            aria-pressed=move || selected().to_string()
            on:pointerdown=on_pointerdown
            on:pointerenter=on_enter
            on:pointerleave=on_leave
            on:focus=on_focus
            on:keydown=on_node_key
        >
            <rect class="ap-node__box" width=NODE_WIDTH height=NODE_HEIGHT rx="8" />
            <g transform="translate(12 20)">{kind_icon(c.kind)}</g>
            <text class="ap-node__name" x="46" y="28">{name}</text>
            <text class="ap-node__kind" x="46" y="46">{spec.name}</text>
            <circle
                class="ap-node__port"
                data-testid=format!("port-{id}")
                cx=NODE_WIDTH
                cy=NODE_HEIGHT / 2.0
                r="7"
                on:pointerdown=on_port_down
            >
                <title>"Drag to another component to wire them"</title>
            </circle>
        </g>
    }
}
