//! The application shell: header, palette, canvas, inspector and run bar in one responsive grid.

use leptos::prelude::*;

use super::canvas::Canvas;
use super::header::Header;
use super::inspector::Inspector;
use super::palette::Palette;
use super::run_bar::RunBar;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <div class="ap-app" data-testid="app-shell">
            <Header />
            <Palette />
            <Canvas />
            <Inspector />
            <RunBar />
        </div>
    }
}
