//! Undo and redo, which fall out of edits-as-data: each applied edit leaves its inverse on the
//! undo stack; undoing applies that inverse and leaves *its* inverse on the redo stack.

use super::diagram::Diagram;
use super::edit::{Edit, Refusal, apply};

/// An undo/redo history for one diagram.
#[derive(Clone, Debug, Default)]
pub struct History {
    undo: Vec<Edit>,
    redo: Vec<Edit>,
    limit: usize,
}

impl History {
    /// A history keeping at most `limit` undo steps (the oldest are forgotten first).
    pub fn new(limit: usize) -> Self {
        History {
            undo: Vec::new(),
            redo: Vec::new(),
            limit: limit.max(1),
        }
    }

    /// Applies `edit` as a new step: it can be undone, and whatever was undone before can no
    /// longer be redone.
    pub fn apply(&mut self, diagram: &mut Diagram, edit: &Edit) -> Result<(), Refusal> {
        let inverse = apply(diagram, edit)?;
        self.undo.push(inverse);
        if self.undo.len() > self.limit {
            self.undo.remove(0);
        }
        self.redo.clear();
        Ok(())
    }

    /// Undoes the last step; `false` if there is none. A step that no longer applies (the
    /// diagram was replaced behind the history's back) is dropped with the rest of the history.
    pub fn undo(&mut self, diagram: &mut Diagram) -> bool {
        Self::step(diagram, &mut self.undo, &mut self.redo)
    }

    /// Redoes the last undone step; `false` if there is none.
    pub fn redo(&mut self, diagram: &mut Diagram) -> bool {
        Self::step(diagram, &mut self.redo, &mut self.undo)
    }

    fn step(diagram: &mut Diagram, from: &mut Vec<Edit>, to: &mut Vec<Edit>) -> bool {
        let Some(edit) = from.pop() else { return false };
        match apply(diagram, &edit) {
            Ok(inverse) => {
                to.push(inverse);
                true
            }
            Err(_) => {
                from.clear();
                to.clear();
                false
            }
        }
    }

    /// Whether there is a step to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether there is a step to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Forgets everything (a new or opened diagram).
    pub fn clear(&mut self) {
        self.undo.clear();
        self.redo.clear();
    }
}
