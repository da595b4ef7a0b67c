//! The shell's layout in the browser: measures the window, applies `crate::layout`'s rule as
//! classes on the shell, and draws the tabs that stand in for side panels when there is no room
//! for them all (see `crate::layout` for the three arrangements).

use leptos::ev;
use leptos::prelude::*;

use crate::layout::{LayoutKind, PHONE_MAX};

/// A panel a tab can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// The open lesson.
    Lesson,
    /// The component palette.
    Components,
    /// The inspector.
    Inspector,
    /// The charts and the log.
    Charts,
}

impl Tab {
    fn label(self) -> &'static str {
        match self {
            Tab::Lesson => "Lesson",
            Tab::Components => "Components",
            Tab::Inspector => "Inspector",
            Tab::Charts => "Charts",
        }
    }

    fn id(self) -> &'static str {
        match self {
            Tab::Lesson => "lesson",
            Tab::Components => "components",
            Tab::Inspector => "inspector",
            Tab::Charts => "charts",
        }
    }
}

/// The shell's layout state, shared through context.
#[derive(Clone, Copy)]
pub struct Layout {
    width: RwSignal<f64>,
    /// The tab shown in compact layouts.
    pub tab: RwSignal<Tab>,
    /// On a phone: whether the sheet is unfolded.
    pub sheet_open: RwSignal<bool>,
}

impl Layout {
    /// Measures the window (and keeps measuring it) and provides the state.
    pub fn provide() -> Layout {
        let width = RwSignal::new(window_width());
        let handle = window_event_listener(ev::resize, move |_| width.set(window_width()));
        on_cleanup(move || handle.remove());
        let layout = Layout {
            width,
            tab: RwSignal::new(Tab::Components),
            sheet_open: RwSignal::new(true),
        };
        provide_context(layout);
        layout
    }

    /// The layout in context.
    pub fn get() -> Layout {
        expect_context::<Layout>()
    }

    /// The layout now (tracked).
    pub fn kind(&self, lesson_open: bool) -> LayoutKind {
        LayoutKind::for_width(self.width.get(), lesson_open)
    }

    /// Whether the lesson keeps a column of its own beside the tabs (a desktop too narrow for
    /// four columns, wide enough for three).
    fn lesson_column(&self, lesson_open: bool) -> bool {
        lesson_open
            && self.kind(true) == LayoutKind::Compact
            && self.width.get() > crate::layout::COMPACT_MAX
    }

    /// The tab shown: the one chosen, unless the lesson and the charts have places of their
    /// own in this layout, when the palette stands in for them.
    pub fn shown(&self, lesson_open: bool) -> Tab {
        let tab = self.tab.get();
        if self.lesson_column(lesson_open) && matches!(tab, Tab::Lesson | Tab::Charts) {
            Tab::Components
        } else {
            tab
        }
    }

    /// The shell's classes for the layout and the tab shown.
    pub fn classes(&self, lesson_open: bool) -> String {
        let kind = self.kind(lesson_open);
        let shape = match kind {
            LayoutKind::Wide => "ap-app--wide",
            LayoutKind::Compact => "ap-app--compact",
            LayoutKind::Phone => "ap-app--compact ap-app--phone",
        };
        let mut class = format!("{shape} ap-app--tab-{}", self.shown(lesson_open).id());
        if self.lesson_column(lesson_open) {
            class.push_str(" ap-app--lesson-column");
        }
        if kind == LayoutKind::Phone && !self.sheet_open.get() {
            class.push_str(" ap-app--sheet-folded");
        }
        class
    }

    /// A lesson opened: its tab comes to the front, unless it gets a column of its own.
    pub fn lesson_opened(&self) {
        if self.width.get_untracked() <= crate::layout::COMPACT_MAX {
            self.show(Tab::Lesson);
        } else if self.tab.get_untracked() != Tab::Inspector {
            self.tab.set(Tab::Components);
        }
    }

    /// A component was selected on the canvas: where the palette was showing, its settings
    /// show instead.
    pub fn component_selected(&self) {
        if self.tab.get_untracked() == Tab::Components {
            self.tab.set(Tab::Inspector);
        }
    }

    /// Shows `tab`; on a phone, choosing the tab already shown folds or unfolds the sheet.
    pub fn choose(&self, tab: Tab) {
        if self.tab.get_untracked() == tab {
            self.sheet_open.update(|open| *open = !*open);
        } else {
            self.show(tab);
        }
    }

    /// Shows `tab`, unfolded.
    pub fn show(&self, tab: Tab) {
        self.tab.set(tab);
        self.sheet_open.set(true);
    }

    /// A palette item was chosen to be placed: on a phone, fold the sheet so the canvas can be
    /// tapped.
    pub fn placing_started(&self) {
        if self.width.get_untracked() <= PHONE_MAX {
            self.sheet_open.set(false);
        }
    }
}

fn window_width() -> f64 {
    window()
        .inner_width()
        .ok()
        .and_then(|w| w.as_f64())
        .unwrap_or(1280.0)
}

/// The tabs of the compact layouts (hidden by CSS in the wide one), for the panels this page
/// has.
#[component]
pub fn PanelTabs(
    /// The palette is shown (not in read-only embeds).
    palette: bool,
    /// The inspector is shown.
    inspector: bool,
    /// The charts are shown.
    results: bool,
    /// Whether a lesson is open.
    lesson_open: Signal<bool>,
) -> impl IntoView {
    let layout = Layout::get();
    let tab = move |t: Tab| {
        view! {
            <button
                class="ap-tab ap-tabs__tab"
                role="tab"
                data-testid=format!("panel-tab-{}", t.id())
                aria-selected=move || (layout.shown(lesson_open.get()) == t).to_string()
                aria-expanded=move || {
                    (layout.shown(lesson_open.get()) == t && layout.sheet_open.get()).to_string()
                }
                on:click=move |_| layout.choose(t)
            >
                {t.label()}
            </button>
        }
    };
    view! {
        <nav class="ap-tabs" role="tablist" aria-label="Panels" data-testid="panel-tabs">
            {move || lesson_open.get().then(|| tab(Tab::Lesson))}
            {palette.then(|| tab(Tab::Components))}
            {inspector.then(|| tab(Tab::Inspector))}
            {results.then(|| tab(Tab::Charts))}
        </nav>
    }
}
