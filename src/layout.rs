//! The app shell's layout rule: which arrangement a window of a given width gets. Kept apart
//! from the UI so it is tested natively; `ui::layout` measures the window and applies it.
//!
//! - **Wide** (desktops): palette, canvas with the charts under it, and inspector side by side.
//! - **Compact** (tablets, and a desktop with a lesson open): the canvas takes the width; the
//!   lesson, the palette, the inspector and the charts share one column beside it, one at a
//!   time, chosen by tabs.
//! - **Phone**: the same tabs as a sheet under the canvas, which folds away so the canvas has
//!   the screen; the run bar stays at the bottom.

/// A window at most this wide is a phone.
pub const PHONE_MAX: f64 = 640.0;
/// A window at most this wide has no room for three columns.
pub const COMPACT_MAX: f64 = 1100.0;
/// With a lesson open (a fourth column), a window at most this wide uses tabs.
pub const COMPACT_WITH_LESSON_MAX: f64 = 1500.0;

/// The shell's arrangement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayoutKind {
    /// Every panel in its own column.
    Wide,
    /// The canvas, and one panel at a time in a column beside it.
    Compact,
    /// The canvas, and one panel at a time in a sheet under it.
    Phone,
}

impl LayoutKind {
    /// The layout for a window `width` CSS pixels wide, with or without a lesson open.
    pub fn for_width(width: f64, lesson_open: bool) -> LayoutKind {
        if width <= PHONE_MAX {
            LayoutKind::Phone
        } else if width <= COMPACT_MAX || (lesson_open && width <= COMPACT_WITH_LESSON_MAX) {
            LayoutKind::Compact
        } else {
            LayoutKind::Wide
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_follows_the_width_and_a_lesson_needs_more() {
        assert_eq!(LayoutKind::for_width(390.0, false), LayoutKind::Phone);
        assert_eq!(LayoutKind::for_width(640.0, true), LayoutKind::Phone);
        assert_eq!(LayoutKind::for_width(768.0, false), LayoutKind::Compact);
        assert_eq!(LayoutKind::for_width(1024.0, false), LayoutKind::Compact);
        assert_eq!(LayoutKind::for_width(1280.0, false), LayoutKind::Wide);
        assert_eq!(LayoutKind::for_width(1280.0, true), LayoutKind::Compact);
        assert_eq!(LayoutKind::for_width(1600.0, true), LayoutKind::Wide);
    }
}
