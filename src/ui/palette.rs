//! The component palette, generated from the catalogue: a kind added to the catalogue appears
//! here with no change to this file.

use leptos::ev;
use leptos::prelude::*;

use super::canvas::DRAG_KIND;
use super::editor::Editor;
use super::icons::kind_icon;
use crate::model::Kind;
use crate::model::catalogue::by_group;
use crate::model::geometry::{NODE_HEIGHT, NODE_WIDTH, Point};

/// Where a component added without a drop point (keyboard, double click) goes: beside the one
/// component selected, so a wire between them runs straight; or else the next free cell of a
/// grid at the top left of the visible canvas.
fn placement(editor: Editor) -> Point {
    let selected = editor
        .selection
        .with_untracked(|s| (s.len() == 1).then(|| s[0].clone()));
    if let Some(spot) = selected.and_then(|id| {
        let visible = visible_world(editor);
        editor
            .doc
            .with_untracked(|d| crate::model::geometry::beside(&d.diagram, &id, visible))
    }) {
        return spot;
    }
    let n = editor.doc.with_untracked(|d| d.diagram.components.len());
    let origin = editor
        .viewport
        .get_untracked()
        .to_world(Point { x: 48.0, y: 48.0 });
    Point {
        x: origin.x + (n % 3) as f64 * (NODE_WIDTH + 72.0),
        y: origin.y + (n / 3 % 6) as f64 * (NODE_HEIGHT + 48.0),
    }
}

/// The part of the world the canvas shows now, if the canvas is on the page.
fn visible_world(editor: Editor) -> Option<crate::model::geometry::Rect> {
    let canvas = document().query_selector("[data-testid=canvas]").ok()??;
    let r = canvas.get_bounding_client_rect();
    let view = editor.viewport.get_untracked();
    let a = view.to_world(Point { x: 0.0, y: 0.0 });
    let b = view.to_world(Point {
        x: r.width(),
        y: r.height(),
    });
    Some(crate::model::geometry::Rect {
        x: a.x,
        y: a.y,
        w: b.x - a.x,
        h: b.y - a.y,
    })
}

/// The palette panel: every kind, by group, with its icon, name and one line; hovering or
/// focusing an item shows the longer explanation. Drag an item onto the canvas to place it; or
/// click (tap) it and then the canvas; or press Enter (or double-click) to add it at the next
/// free spot.
#[component]
pub fn Palette() -> impl IntoView {
    let editor = Editor::get();
    let layout = use_context::<super::layout::Layout>();
    // The kind of pointer that last pressed an item ("mouse", "touch", "pen").
    let last_pointer = StoredValue::new(String::new());
    let groups = by_group()
        .into_iter()
        .map(|(group, kinds)| {
            let items = kinds
                .into_iter()
                .map(|spec| {
                    let details_id = format!("ap-palette-details-{}", spec.id);
                    let described_by = details_id.clone();
                    let kind: Kind = spec.kind;
                    let on_dragstart = move |e: ev::DragEvent| {
                        if let Some(dt) = e.data_transfer() {
                            let _ = dt.set_data(DRAG_KIND, kind.id());
                            dt.set_effect_allowed("copy");
                        }
                    };
                    let on_keydown = move |e: ev::KeyboardEvent| {
                        if e.key() == "Enter" || e.key() == " " {
                            e.prevent_default();
                            editor.add(kind, placement(editor));
                        }
                    };
                    view! {
                        <li
                            class="ap-palette__item"
                            data-testid=format!("palette-{}", spec.id)
                            data-kind=spec.id
                            tabindex="0"
                            role="button"
                            draggable="true"
                            aria-describedby=described_by
                            on:dragstart=on_dragstart
                            on:keydown=on_keydown
                            on:click=move |_| {
                                // Choose it, then tap or click the canvas to place it (touch
                                // screens cannot drag and drop).
                                editor.placing.set(Some(kind));
                                if let Some(layout) = layout {
                                    layout.placing_started();
                                }
                                editor.announcement.set(format!(
                                    "Tap or click the canvas to place a {}",
                                    kind.spec().name.to_lowercase()
                                ));
                            }
                            on:pointerdown=move |e: ev::PointerEvent| {
                                last_pointer.set_value(e.pointer_type());
                            }
                            on:dblclick=move |_| {
                                // Two taps in a row (a tab, then this item) can make a
                                // double click; with a finger, a tap chooses, never adds.
                                if last_pointer.get_value() == "touch" {
                                    return;
                                }
                                editor.placing.set(None);
                                editor.add(kind, placement(editor));
                            }
                            class:ap-palette__item--chosen=move || editor.placing.get() == Some(kind)
                        >
                            {kind_icon(spec.kind)}
                            <span class="ap-palette__text">
                                <span class="ap-palette__name">{spec.name}</span>
                                <span class="ap-palette__summary">{spec.summary}</span>
                                <span class="ap-palette__details" id=details_id>{spec.details}</span>
                            </span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="ap-palette__group" aria-label=group.name()>
                    <h3 class="ap-palette__group-title">{group.name()}</h3>
                    <ul class="ap-palette__list">{items}</ul>
                </section>
            }
        })
        .collect_view();
    view! {
        <aside class="ap-panel ap-palette" data-testid="palette" aria-labelledby="ap-palette-title">
            <h2 class="ap-panel__title" id="ap-palette-title">"Components"</h2>
            {groups}
        </aside>
    }
}
