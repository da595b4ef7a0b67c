//! The editor's state, shared by the panels through context: the document (diagram and its
//! history) and the view state (selection, viewport), kept apart as the house style asks.
//! Every change to the diagram goes through [`Editor::apply`], so every change can be undone and
//! is announced to screen readers.

use leptos::prelude::*;

use crate::model::edit::{copies, move_by, next_id, resize, wire_refusal};
use crate::model::geometry::{Point, Viewport, component_rect, snap, with_contents};
use crate::model::{Component, ComponentId, Diagram, Edit, History, Kind, Refusal, Wire};

/// Undo steps kept.
const HISTORY_LIMIT: usize = 500;

/// A wire being drawn: from a component towards the pointer (world units), perhaps over a
/// target.
#[derive(Clone, Debug, PartialEq)]
pub struct WireDraft {
    /// Where the wire starts.
    pub from: ComponentId,
    /// The loose end, in world units (pointer drags only).
    pub end: Option<Point>,
    /// The component under the pointer, if any.
    pub over: Option<ComponentId>,
}

/// The document: what is saved and shared.
#[derive(Clone, Debug)]
pub struct Doc {
    /// The diagram being edited.
    pub diagram: Diagram,
    /// Its undo/redo history.
    pub history: History,
}

/// Handles to the editor's signals; cheap to copy into closures.
#[derive(Clone, Copy)]
pub struct Editor {
    /// The document.
    pub doc: RwSignal<Doc>,
    /// Selected components (view state, never saved).
    pub selection: RwSignal<Vec<ComponentId>>,
    /// The selected wire, as (from, to), when a wire rather than components is selected.
    pub selected_wire: RwSignal<Option<(ComponentId, ComponentId)>>,
    /// Pan and zoom (view state).
    pub viewport: RwSignal<Viewport>,
    /// The last announcement, read by an `aria-live` region.
    pub announcement: RwSignal<String>,
    /// A wire being drawn (view state).
    pub wiring: RwSignal<Option<WireDraft>>,
    /// Why the last wire was refused, shown on the canvas until the next gesture.
    pub refusal: RwSignal<Option<String>>,
    /// A message about the document as a whole (a file that would not open), shown in a banner.
    pub notice: RwSignal<Option<String>>,
    /// Copied components and the wires among them (view state; the app's own clipboard).
    pub clipboard: RwSignal<Option<(Vec<Component>, Vec<Wire>)>>,
    /// A kind chosen in the palette, placed where the canvas is next tapped or clicked.
    pub placing: RwSignal<Option<Kind>>,
    /// Set when a whole document arrives (restored, opened, new): the canvas fits it in view.
    pub fit_pending: RwSignal<bool>,
    /// Counts whole documents replaced (New, Open, an example): a run of the old one ends.
    pub replaced: RwSignal<u64>,
    /// Only run settings may change (an embed with `readonly=1`); see [`Edit::is_run_setting`].
    pub read_only: bool,
}

/// Ids as a readable list for announcements.
fn id_list(ids: &[ComponentId]) -> String {
    ids.iter()
        .map(ComponentId::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Editor {
    /// An editor on the autosaved diagram (or an empty one), provided as context to everything
    /// below.
    pub fn provide() -> Editor {
        // The autosave from the last visit, if any; a broken one is set aside, not lost.
        let (diagram, notice) = match super::persistence::restore() {
            Ok(Some(d)) => (d, None),
            Ok(None) => (Diagram::new("Untitled"), None),
            Err(why) => (Diagram::new("Untitled"), Some(why)),
        };
        Self::provide_on(diagram, notice, false)
    }

    /// An editor for an embedded instance: it never reads the autosave; the diagram comes from
    /// its link.
    pub fn provide_embedded(read_only: bool) -> Editor {
        Self::provide_on(Diagram::new("Untitled"), None, read_only)
    }

    fn provide_on(diagram: Diagram, notice: Option<String>, read_only: bool) -> Editor {
        let editor = Editor {
            doc: RwSignal::new(Doc {
                diagram,
                history: History::new(HISTORY_LIMIT),
            }),
            selection: RwSignal::new(Vec::new()),
            selected_wire: RwSignal::new(None),
            viewport: RwSignal::new(Viewport::default()),
            announcement: RwSignal::new(String::new()),
            wiring: RwSignal::new(None),
            refusal: RwSignal::new(None),
            notice: RwSignal::new(notice),
            clipboard: RwSignal::new(None),
            placing: RwSignal::new(None),
            fit_pending: RwSignal::new(true),
            replaced: RwSignal::new(0),
            read_only,
        };
        provide_context(editor);
        editor
    }

    /// The editor provided by [`Editor::provide`].
    pub fn get() -> Editor {
        expect_context::<Editor>()
    }

    /// Applies `edit` as an undoable step and announces `what` — or announces why it was
    /// refused, and returns the refusal for the caller to show where the user is looking.
    pub fn apply(&self, edit: Edit, what: &str) -> Result<(), Refusal> {
        if self.read_only && !edit.is_run_setting() {
            self.announcement
                .set(format!("Not done: {}", Refusal::ReadOnly));
            return Err(Refusal::ReadOnly);
        }
        let mut outcome = Ok(());
        self.doc
            .update(|d| outcome = d.history.apply(&mut d.diagram, &edit));
        match &outcome {
            Ok(()) => {
                self.announcement.set(what.to_string());
                self.prune_selection();
            }
            Err(why) => self.announcement.set(format!("Not done: {why}")),
        }
        outcome
    }

    /// Undoes the last step.
    pub fn undo(&self) {
        let mut done = false;
        self.doc.update(|d| done = d.history.undo(&mut d.diagram));
        self.announcement
            .set(if done { "Undone" } else { "Nothing to undo" }.into());
        self.prune_selection();
    }

    /// Redoes the last undone step.
    pub fn redo(&self) {
        let mut done = false;
        self.doc.update(|d| done = d.history.redo(&mut d.diagram));
        self.announcement
            .set(if done { "Redone" } else { "Nothing to redo" }.into());
        self.prune_selection();
    }

    /// Adds a component of `kind` with its top-left corner at world point `at` (snapped) and
    /// selects it.
    pub fn add(&self, kind: Kind, at: Point) {
        let id = self.doc.with_untracked(|d| next_id(&d.diagram, kind));
        let mut c = Component::new(id.as_str(), kind);
        c.x = snap(at.x);
        c.y = snap(at.y);
        let what = format!("Added {} {id}", kind.spec().name.to_lowercase());
        let added = self.apply(
            Edit::Insert {
                components: vec![c],
                wires: vec![],
            },
            &what,
        );
        if added.is_ok() {
            self.selection.set(vec![id]);
        }
    }

    /// Adds a component of `kind` centred on world point `at` (a drop or a tap).
    pub fn add_centred(&self, kind: Kind, at: Point) {
        let r = component_rect(&Component::new("probe", kind));
        self.add(
            kind,
            Point {
                x: at.x - r.w / 2.0,
                y: at.y - r.h / 2.0,
            },
        );
    }

    /// Removes the selected components (a data center's box only: what it holds stays).
    pub fn delete_selection(&self) {
        let ids = self.selection.get_untracked();
        if ids.is_empty() {
            return;
        }
        let boxes = self.doc.with_untracked(|d| {
            ids.iter()
                .filter_map(|id| d.diagram.component(id))
                .any(|c| c.kind == Kind::DataCenter)
        });
        let what = if boxes {
            format!(
                "Deleted {} (what the data center held stays)",
                id_list(&ids)
            )
        } else {
            format!("Deleted {}", id_list(&ids))
        };
        // A refusal is announced by apply; there is nothing else to show.
        let _ = self.apply(
            Edit::Remove {
                components: ids,
                wires: vec![],
            },
            &what,
        );
    }

    /// Moves the selected components (and what selected data centers hold) by about a
    /// world-space offset, landing on the grid.
    pub fn move_selection(&self, dx: f64, dy: f64) {
        let ids = self.selection.get_untracked();
        let Some(edit) = self
            .doc
            .with_untracked(|d| move_by(&d.diagram, &ids, dx, dy))
        else {
            return;
        };
        let what = format!("Moved {}", id_list(&ids));
        let _ = self.apply(edit, &what);
    }

    /// Resizes data center `id` to about `w × h` (a corner drag).
    pub fn resize(&self, id: &ComponentId, w: f64, h: f64) {
        let Some(edit) = self.doc.with_untracked(|d| resize(&d.diagram, id, w, h)) else {
            return;
        };
        let size: Vec<String> = match &edit {
            Edit::SetParams { changes } => changes
                .iter()
                .filter_map(|(_, _, v)| match v {
                    Some(crate::model::ParamValue::Number(n)) => Some(n.to_string()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let what = format!("Resized {id} to {} px", size.join(" × "));
        let _ = self.apply(edit, &what);
    }

    /// Starts a wire from `from`; `end` is the pointer's world position for pointer drags.
    pub fn start_wire(&self, from: ComponentId, end: Option<Point>) {
        if self.read_only {
            let why = Refusal::ReadOnly.to_string();
            self.announcement.set(format!("Not done: {why}"));
            self.refusal.set(Some(why));
            return;
        }
        self.refusal.set(None);
        let what = format!(
            "Wiring from {from}: choose the component it sends requests to, or press Escape"
        );
        self.wiring.set(Some(WireDraft {
            from,
            end,
            over: None,
        }));
        self.announcement.set(what);
    }

    /// Turns the wire being dragged from `from` into one finished by a tap (or Enter) on its
    /// target: what a tap on a port, rather than a drag from it, asks for.
    pub fn wire_by_taps(&self, from: ComponentId) {
        self.wiring.set(Some(WireDraft {
            from: from.clone(),
            end: None,
            over: None,
        }));
        self.announcement.set(format!(
            "Wiring from {from}: tap the component it sends requests to, or the background to cancel"
        ));
    }

    /// Why a wire from the draft's start to `to` would be refused, if it would.
    pub fn refusal_for(&self, from: &ComponentId, to: &ComponentId) -> Option<String> {
        self.doc
            .with_untracked(|d| wire_refusal(&d.diagram, from, to))
            .map(|r| r.to_string())
    }

    /// Finishes the wire being drawn at `to` (or cancels it with `None`).
    pub fn finish_wire(&self, to: Option<ComponentId>) {
        let Some(draft) = self.wiring.get_untracked() else {
            return;
        };
        self.wiring.set(None);
        let Some(to) = to else {
            self.announcement.set("Wiring cancelled".into());
            return;
        };
        if to == draft.from {
            self.announcement.set("Wiring cancelled".into());
            return;
        }
        if let Some(why) = self.refusal_for(&draft.from, &to) {
            self.announcement.set(format!("Not wired: {why}"));
            self.refusal.set(Some(why));
            return;
        }
        let what = format!("Wired {} to {to}", draft.from);
        let _ = self.apply(
            Edit::Insert {
                components: vec![],
                wires: vec![Wire::new(draft.from.as_str(), to.as_str())],
            },
            &what,
        );
    }

    /// The selected components (with what selected data centers hold) and the wires among
    /// them.
    fn selected_parts(&self) -> (Vec<Component>, Vec<Wire>) {
        let ids = self.selection.get_untracked();
        self.doc.with_untracked(|d| {
            let ids = with_contents(&d.diagram, &ids);
            let components = d
                .diagram
                .components
                .iter()
                .filter(|c| ids.contains(&c.id))
                .cloned()
                .collect();
            let wires = d
                .diagram
                .wires
                .iter()
                .filter(|w| ids.contains(&w.from) && ids.contains(&w.to))
                .cloned()
                .collect();
            (components, wires)
        })
    }

    /// Copies the selection to the app's clipboard.
    pub fn copy_selection(&self) {
        let (components, wires) = self.selected_parts();
        if components.is_empty() {
            return;
        }
        self.announcement
            .set(format!("Copied {}", components.len()));
        self.clipboard.set(Some((components, wires)));
    }

    /// Adds copies of `parts` shifted by a grid step and selects them.
    fn add_copies(&self, parts: (Vec<Component>, Vec<Wire>), verb: &str) {
        let Some(edit) = self
            .doc
            .with_untracked(|d| copies(&d.diagram, &parts.0, &parts.1, 48.0, 48.0))
        else {
            return;
        };
        let new_ids: Vec<ComponentId> = match &edit {
            Edit::Insert { components, .. } => components.iter().map(|c| c.id.clone()).collect(),
            _ => Vec::new(),
        };
        let what = format!("{verb} {}", id_list(&new_ids));
        if self.apply(edit, &what).is_ok() {
            self.selection.set(new_ids);
        }
    }

    /// Pastes the clipboard (again and again, each time a step further).
    pub fn paste(&self) {
        if let Some(parts) = self.clipboard.get_untracked() {
            self.add_copies(parts.clone(), "Pasted");
            // The next paste lands beside this one, not on top of it.
            let shifted = parts
                .0
                .into_iter()
                .map(|mut c| {
                    c.x += 48.0;
                    c.y += 48.0;
                    c
                })
                .collect();
            self.clipboard.set(Some((shifted, parts.1)));
        }
    }

    /// Duplicates the selection in place, a step down and right.
    pub fn duplicate_selection(&self) {
        self.add_copies(self.selected_parts(), "Duplicated as");
    }

    /// Replaces the whole document (New, Open) as one undoable step.
    pub fn replace(&self, diagram: Diagram, what: &str) {
        self.selection.set(Vec::new());
        if let Err(why) = self.apply(Edit::Replace(Box::new(diagram)), what) {
            self.notice.set(Some(format!("Not opened: {why}")));
        } else {
            self.notice.set(None);
            self.fit_pending.set(true);
            self.replaced.update(|n| *n += 1);
        }
    }

    /// Puts `diagram` on screen as a fresh document with no history (an embed loading its link:
    /// there is nothing of the user's to go back to, and a read-only diagram cannot be
    /// replaced by an edit).
    pub fn load(&self, diagram: Diagram, what: &str) {
        self.selection.set(Vec::new());
        self.selected_wire.set(None);
        self.doc.set(Doc {
            diagram,
            history: History::new(HISTORY_LIMIT),
        });
        self.announcement.set(what.to_string());
        self.fit_pending.set(true);
        self.replaced.update(|n| *n += 1);
    }

    /// Drops selected ids (and a selected wire) that no longer exist (after a removal or an
    /// undo).
    fn prune_selection(&self) {
        if let Some((from, to)) = self.selected_wire.get_untracked() {
            let exists = self
                .doc
                .with_untracked(|d| d.diagram.wires.iter().any(|w| w.from == from && w.to == to));
            if !exists {
                self.selected_wire.set(None);
            }
        }
        let existing: Vec<ComponentId> = self
            .doc
            .with_untracked(|d| d.diagram.components.iter().map(|c| c.id.clone()).collect());
        self.selection
            .update(|s| s.retain(|id| existing.contains(id)));
    }
}
