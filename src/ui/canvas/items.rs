//! The items on the canvas: components, data centers and wires. Each is created once per id and
//! reads only its own signals ([`Item`]), which one effect keeps in step with the document and
//! one with the selection: an edit to one component notifies that component (and its wires),
//! not the whole diagram. (A signal read by hundreds of items costs quadratic time to notify in
//! the reactive graph; hundreds of signals read by one item each cost linear time.)

use std::collections::BTreeMap;

use leptos::ev;
use leptos::prelude::*;

use super::{Gestures, client, client_point};
use crate::model::catalogue::Domain;
use crate::model::geometry::{NODE_HEIGHT, NODE_WIDTH, Point};
use crate::model::{Component, ComponentId, Diagram, Edit, Kind};
use crate::ui::editor::{Editor, WireDraft};
use crate::ui::icons::kind_icon;
use crate::ui::run::Runner;

/// What a component's box shows.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Shown {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    name: String,
    /// The kind's name, and a server group's size.
    kind_line: String,
    /// Data centers: the region's display name.
    region: Option<&'static str>,
}

fn shown(c: &Component) -> Shown {
    let (w, h, region) = match c.kind {
        Kind::DataCenter => {
            let value = c.choice("region");
            let label = c.kind.spec().param("region").and_then(|p| match p.domain {
                Domain::Choice { options, .. } => {
                    options.iter().find(|o| o.value == value).map(|o| o.label)
                }
                Domain::Number { .. } => None,
            });
            (c.number("width"), c.number("height"), label)
        }
        _ => (NODE_WIDTH, NODE_HEIGHT, None),
    };
    Shown {
        x: c.x,
        y: c.y,
        w,
        h,
        name: c.display_name().to_string(),
        kind_line: crate::model::cost::group_summary(c)
            .unwrap_or_else(|| c.kind.spec().name.to_string()),
        region,
    }
}

/// What a running simulation says about a component.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Live {
    /// Up or down.
    pub up: bool,
    /// Its headline figures (see the catalogue's metrics).
    pub badge: String,
}

/// One component's view state: what it shows (`None` once removed), whether it is selected,
/// whether it is being dragged, and what the live run says about it.
#[derive(Clone, Copy)]
pub(crate) struct Item {
    shown: RwSignal<Option<Shown>>,
    selected: RwSignal<bool>,
    live: RwSignal<Option<Live>>,
    /// Read by the item's drawing to decide whether to follow the drag at all.
    pub moving: RwSignal<bool>,
}

/// Every component's [`Item`], by id, created on first use and owned by the canvas. Entries
/// outlive their components (a removed one shows nothing) so an id that comes back, by undo,
/// finds its signals; ids are reused, so the map stays the size of the largest diagram.
#[derive(Clone, Copy)]
pub(crate) struct Items {
    map: StoredValue<BTreeMap<ComponentId, Item>>,
    owner: StoredValue<Owner>,
}

impl Items {
    /// An empty registry owned by the current (canvas) owner.
    pub fn new() -> Items {
        Items {
            map: StoredValue::new(BTreeMap::new()),
            owner: StoredValue::new(Owner::current().expect("created inside a component")),
        }
    }

    /// The item for `id`, created from the document and selection if it is new.
    pub fn get(&self, editor: Editor, id: &ComponentId) -> Item {
        if let Some(item) = self.map.with_value(|m| m.get(id).copied()) {
            return item;
        }
        let now = editor
            .doc
            .with_untracked(|d| d.diagram.component(id).map(shown));
        let selected = editor.selection.with_untracked(|s| s.contains(id));
        let item = self.owner.with_value(|o| {
            o.with(|| Item {
                shown: RwSignal::new(now),
                selected: RwSignal::new(selected),
                live: RwSignal::new(None),
                moving: RwSignal::new(false),
            })
        });
        self.map.update_value(|m| {
            m.insert(id.clone(), item);
        });
        item
    }

    /// Brings every item in line with the document, notifying only those that changed.
    pub fn sync_doc(&self, d: &Diagram) {
        self.map.with_value(|m| {
            for (id, item) in m {
                let now = d.component(id).map(shown);
                if item.shown.with_untracked(|s| *s != now) {
                    item.shown.set(now);
                }
            }
        });
    }

    /// Brings every item in line with the live run (`None` for every item when nothing runs).
    pub fn sync_live(&self, live: impl Fn(&ComponentId) -> Option<Live>) {
        self.map.with_value(|m| {
            for (id, item) in m {
                let now = live(id);
                if item.live.with_untracked(|l| *l != now) {
                    item.live.set(now);
                }
            }
        });
    }

    /// Brings every item in line with the selection.
    pub fn sync_selection(&self, selection: &[ComponentId]) {
        Self::set_flags(self, selection, |i| i.selected);
    }

    /// Marks exactly `ids` as moving with the drag.
    pub fn set_moving(&self, ids: &[ComponentId]) {
        Self::set_flags(self, ids, |i| i.moving);
    }

    fn set_flags(&self, ids: &[ComponentId], flag: impl Fn(&Item) -> RwSignal<bool>) {
        self.map.with_value(|m| {
            for (id, item) in m {
                let want = ids.contains(id);
                if flag(item).get_untracked() != want {
                    flag(item).set(want);
                }
            }
        });
    }
}

/// Selects `id` on a pointer press (Shift toggles it in the selection).
fn press_select(editor: Editor, id: &ComponentId, shift: bool) {
    editor.selected_wire.set(None);
    let already = editor.selection.with_untracked(|s| s.contains(id));
    if shift {
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
}

/// Focusing a component selects it.
fn on_focus(editor: Editor, id: ComponentId) -> impl Fn(ev::FocusEvent) + 'static {
    move |_| {
        editor.selected_wire.set(None);
        if !editor.selection.with_untracked(|s| s.contains(&id)) {
            editor.selection.set(vec![id.clone()]);
        }
    }
}

/// Hovering a component while drawing a wire makes it the wire's target.
fn on_wire_enter(editor: Editor, id: ComponentId) -> impl Fn(ev::PointerEvent) + 'static {
    move |_| {
        if let Some(w) = editor.wiring.get_untracked() {
            editor.wiring.set(Some(WireDraft {
                over: Some(id.clone()),
                ..w
            }));
        }
    }
}

/// A touch (or pen) pointer is captured by the element it went down on, so the components a
/// finger drags a wire over would never hear it enter: let it go, and they do, as under a mouse.
fn release_touch_capture(e: &ev::PointerEvent) {
    use wasm_bindgen::JsCast;
    if e.pointer_type() == "mouse" {
        return;
    }
    if let Some(el) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    {
        // Fails only if the pointer is not captured, which is what we want anyway.
        let _ = el.release_pointer_capture(e.pointer_id());
    }
}

/// Leaving it clears the target.
fn on_wire_leave(editor: Editor) -> impl Fn(ev::PointerEvent) + 'static {
    move |_| {
        if let Some(w) = editor.wiring.get_untracked() {
            editor.wiring.set(Some(WireDraft { over: None, ..w }));
        }
    }
}

/// Keys on a focused component: W starts a wire from it; Enter finishes a wire at it, or else
/// opens the inspector.
fn on_item_key(
    editor: Editor,
    runner: Runner,
    id: ComponentId,
) -> impl Fn(ev::KeyboardEvent) + 'static {
    move |e: ev::KeyboardEvent| match e.key().as_str() {
        "w" | "W" => {
            e.prevent_default();
            editor.start_wire(id.clone(), None);
        }
        "k" | "K" => {
            // Take it down in the running simulation, or bring it back.
            e.prevent_default();
            match runner.is_up_untracked(&id) {
                Some(up) => {
                    runner.kill_or_restore(&id, !up);
                }
                None => editor
                    .announcement
                    .set("Run the diagram first: K takes a component down while it runs".into()),
            }
        }
        "f" | "F" => {
            // Empty a cache in the running simulation.
            let is_cache = matches!(
                editor
                    .doc
                    .with_untracked(|d| d.diagram.component(&id).map(|c| c.kind)),
                Some(Kind::Cache | Kind::CdnEdge)
            );
            if !is_cache {
                return;
            }
            e.prevent_default();
            if !runner.flush(&id) {
                editor
                    .announcement
                    .set("Run the diagram first: F empties a cache while it runs".into());
            }
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
}

/// The right-click (or long-press) menu of component `id`.
fn on_context_menu(gestures: Gestures, id: ComponentId) -> impl Fn(ev::MouseEvent) + 'static {
    move |e: ev::MouseEvent| {
        e.prevent_default();
        e.stop_propagation();
        gestures.open_menu(id.clone(), client_point(&e));
    }
}

/// An item's `translate(x y)`, following a drag in progress.
fn translate(gestures: Gestures, item: Item) -> impl Fn() -> Option<String> + Copy + 'static {
    move || {
        let o = gestures.offset_of(item);
        item.shown.with(|s| {
            s.as_ref()
                .map(|s| format!("translate({} {})", s.x + o.x, s.y + o.y))
        })
    }
}

/// Whether the live run has `item` down.
fn is_down(item: Item) -> bool {
    item.live.with(|l| l.as_ref().is_some_and(|l| !l.up))
}

/// One component's box. Clicking selects it (Shift adds to the selection); dragging moves the
/// selection; its port starts a wire.
pub(super) fn node_view(
    id: ComponentId,
    kind: Kind,
    editor: Editor,
    gestures: Gestures,
) -> impl IntoView {
    let item = gestures.items.get(editor, &id);
    let layout = use_context::<crate::ui::layout::Layout>();
    let data = item.shown;
    let selected = move || item.selected.get();
    let down = move || is_down(item);
    let badge = move || {
        item.live.with(|l| match l {
            Some(l) if !l.up => "DOWN".to_string(),
            Some(l) => l.badge.clone(),
            None => String::new(),
        })
    };
    let transform = translate(gestures, item);
    let on_pointerdown = {
        let id = id.clone();
        move |e: ev::PointerEvent| {
            e.stop_propagation();
            // Wiring by taps (or W): this component is the target.
            if editor
                .wiring
                .with_untracked(|w| w.as_ref().is_some_and(|w| w.end.is_none()))
            {
                editor.finish_wire(Some(id.clone()));
                return;
            }
            press_select(editor, &id, e.shift_key());
            if let Some(layout) = layout {
                layout.component_selected();
            }
            gestures.start_drag(editor, client(&e));
            if e.pointer_type() == "touch" {
                gestures.start_press(id.clone(), client(&e));
            }
        }
    };
    let (on_focus, on_enter, on_leave, on_key) = (
        on_focus(editor, id.clone()),
        on_wire_enter(editor, id.clone()),
        on_wire_leave(editor),
        on_item_key(editor, Runner::get(), id.clone()),
    );
    let on_port_down = {
        let id = id.clone();
        move |e: ev::PointerEvent| {
            e.stop_propagation();
            e.prevent_default();
            release_touch_capture(&e);
            let Some(s) = data.get_untracked() else {
                return;
            };
            editor.start_wire(
                id.clone(),
                Some(Point {
                    x: s.x + NODE_WIDTH,
                    y: s.y + NODE_HEIGHT / 2.0,
                }),
            );
        }
    };
    let spec = kind.spec();
    let name = move || data.with(|s| s.as_ref().map(|s| s.name.clone()).unwrap_or_default());
    let kind_line = move || {
        data.with(|s| {
            s.as_ref()
                .map_or_else(|| spec.name.to_string(), |s| s.kind_line.clone())
        })
    };
    let label = move || {
        let state = if down() { ", down" } else { "" };
        format!("{} {}{state}", spec.name, name())
    };
    let on_menu = on_context_menu(gestures, id.clone());
    view! {
        <g
            class="ap-node"
            class:ap-node--selected=selected
            class:ap-node--down=down
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
            on:keydown=on_key
            on:contextmenu=on_menu
        >
            <title>{move || format!("{}: drag to move; drag its ○ port to another component to wire it (or W, then Enter there); right click or long press for its actions (K takes it down in a run). ? lists every shortcut.", name())}</title>
            <rect class="ap-node__box" width=NODE_WIDTH height=NODE_HEIGHT rx="8" />
            <text class="ap-node__badge" data-testid=format!("badge-{id}") x="2" y=NODE_HEIGHT + 16.0>{badge}</text>
            <g transform="translate(12 20)">{kind_icon(kind)}</g>
            <text class="ap-node__name" x="46" y="28">{name}</text>
            <text class="ap-node__kind" x="46" y="46">{kind_line}</text>
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

/// Height of a data center's title bar, which is where it is grabbed.
const HEADER: f64 = 36.0;
/// Side of a data center's resize handle.
const HANDLE: f64 = 16.0;

/// A data center: a box with a title bar. The bar selects and drags it (with what it holds);
/// the corner handle resizes it; its inside belongs to the canvas, so panning and box selection
/// work there.
pub(super) fn region_view(id: ComponentId, editor: Editor, gestures: Gestures) -> impl IntoView {
    let item = gestures.items.get(editor, &id);
    let data = item.shown;
    let selected = move || item.selected.get();
    // The size shown: the resize in progress, or the diagram's.
    let size = {
        let id = id.clone();
        Memo::new(move |_| {
            let resizing = gestures.resize.with(|r| {
                r.as_ref()
                    .filter(|r| r.id == id)
                    .map(|r| (r.size.0.max(NODE_WIDTH), r.size.1.max(HEADER + 24.0)))
            });
            resizing.or_else(|| data.with(|s| s.as_ref().map(|s| (s.w, s.h))))
        })
    };
    let width = move || size.get().map_or(0.0, |s| s.0);
    let height = move || size.get().map_or(0.0, |s| s.1);
    let transform = translate(gestures, item);
    let on_header_down = {
        let id = id.clone();
        move |e: ev::PointerEvent| {
            e.stop_propagation();
            press_select(editor, &id, e.shift_key());
            gestures.start_drag(editor, client(&e));
        }
    };
    let on_handle_down = {
        let id = id.clone();
        move |e: ev::PointerEvent| {
            e.stop_propagation();
            e.prevent_default();
            gestures.start_resize(editor, id.clone(), client(&e));
        }
    };
    let (on_focus, on_enter, on_leave, on_key) = (
        on_focus(editor, id.clone()),
        on_wire_enter(editor, id.clone()),
        on_wire_leave(editor),
        on_item_key(editor, Runner::get(), id.clone()),
    );
    let title = move || {
        data.with(|s| {
            s.as_ref()
                .map(|s| match s.region {
                    Some(r) => format!("{} · {r}", s.name),
                    None => s.name.clone(),
                })
                .unwrap_or_default()
        })
    };
    let down = move || is_down(item);
    let label = move || {
        let state = if down() { ", down" } else { "" };
        format!(
            "Data center {}{state} (moving it moves what is inside)",
            title()
        )
    };
    let on_menu = on_context_menu(gestures, id.clone());
    view! {
        <g
            class="ap-region"
            class:ap-region--selected=selected
            class:ap-region--down=down
            data-testid=format!("node-{id}")
            data-kind="data_center"
            transform=transform
            tabindex="0"
            role="button"
            aria-label=label
            aria-pressed=move || selected().to_string()
            on:focus=on_focus
            on:keydown=on_key
        >
            <rect class="ap-region__box" width=width height=height rx="12" />
            <path
                class="ap-region__header"
                d=move || {
                    let w = width();
                    format!("M0 12a12 12 0 0 1 12-12h{}a12 12 0 0 1 12 12v{}h-{w}z", w - 24.0, HEADER - 12.0)
                }
                on:pointerdown=on_header_down
                on:pointerenter=on_enter
                on:pointerleave=on_leave
                on:contextmenu=on_menu
            />
            <g class="ap-region__icon" transform="translate(10 6)">{kind_icon(Kind::DataCenter)}</g>
            <text class="ap-region__title" x="42" y="23">
                {title}
                {move || down().then_some(" — DOWN")}
            </text>
            <rect
                class="ap-region__handle"
                data-testid=format!("resize-{id}")
                x=move || width() - HANDLE
                y=move || height() - HANDLE
                width=HANDLE
                height=HANDLE
                on:pointerdown=on_handle_down
            >
                <title>"Drag to resize"</title>
            </rect>
        </g>
    }
}

/// The point a fraction `t` of the way along the wire from a component at `a` to one at `b`
/// (top-left corners): the same cubic curve [`wire_view`] draws.
pub(super) fn wire_point(a: (f64, f64), b: (f64, f64), t: f64) -> Point {
    let (x1, y1) = (a.0 + NODE_WIDTH, a.1 + NODE_HEIGHT / 2.0);
    let (x2, y2) = (b.0, b.1 + NODE_HEIGHT / 2.0);
    let bend = ((x2 - x1).abs() / 2.0).max(40.0);
    let (c1, c2) = ((x1 + bend, y1), (x2 - bend, y2));
    let u = 1.0 - t;
    let (w0, w1, w2, w3) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    Point {
        x: w0 * x1 + w1 * c1.0 + w2 * c2.0 + w3 * x2,
        y: w0 * y1 + w1 * c1.1 + w2 * c2.1 + w3 * y2,
    }
}

/// One wire: a curve from the right edge of `from` to the left edge of `to`, with an arrowhead.
/// It follows its ends while they are dragged.
pub(super) fn wire_view(
    from: ComponentId,
    to: ComponentId,
    editor: Editor,
    gestures: Gestures,
) -> impl IntoView {
    let (a, b) = (
        gestures.items.get(editor, &from),
        gestures.items.get(editor, &to),
    );
    let corner = move |item: Item| {
        let o = gestures.offset_of(item);
        item.shown
            .with(|s| s.as_ref().map(|s| (s.x + o.x, s.y + o.y)))
    };
    let path = move || {
        let (ax, ay) = corner(a)?;
        let (bx, by) = corner(b)?;
        let (x1, y1) = (ax + NODE_WIDTH, ay + NODE_HEIGHT / 2.0);
        let (x2, y2) = (bx, by + NODE_HEIGHT / 2.0);
        let bend = ((x2 - x1).abs() / 2.0).max(40.0);
        Some(format!(
            "M{x1} {y1} C{} {y1} {} {y2} {x2} {y2}",
            x1 + bend,
            x2 - bend
        ))
    };
    let name = |item: Item| item.shown.with(|s| s.as_ref().map(|s| s.name.clone()));
    let label = move || {
        format!(
            "Wire from {} to {} (Delete removes it)",
            name(a).unwrap_or_default(),
            name(b).unwrap_or_default()
        )
    };
    let on_key = {
        let (from, to) = (from.clone(), to.clone());
        move |e: ev::KeyboardEvent| {
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
        }
    };
    let key = (from.clone(), to.clone());
    let selected = {
        let key = key.clone();
        move || editor.selected_wire.with(|s| s.as_ref() == Some(&key))
    };
    let select = move || {
        editor.selection.set(Vec::new());
        editor.selected_wire.set(Some(key.clone()));
    };
    let select_again = select.clone();
    let hit_path = path;
    view! {
        // A wide transparent stroke under the visible one makes the wire easy to click.
        <path
            class="ap-wire__hit"
            d=hit_path
            on:pointerdown=move |e: ev::PointerEvent| {
                e.stop_propagation();
                select();
            }
        />
        <path
            class="ap-wire"
            class:ap-wire--selected=selected
            on:focus=move |_| select_again()
            data-testid=format!("wire-{from}-{to}")
            d=path
            marker-end="url(#ap-arrow)"
            tabindex="0"
            role="img"
            aria-label=label
            on:keydown=on_key
        />
    }
}
