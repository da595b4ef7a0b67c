//! The run bar: simulation controls and the simulated clock.

use leptos::prelude::*;

/// The run bar.
#[component]
pub fn RunBar() -> impl IntoView {
    view! {
        <footer class="ap-runbar" data-testid="runbar" aria-label="Simulation controls">
            <span class="ap-runbar__clock" data-testid="clock" aria-label="Simulated time">"0.000 s"</span>
            <span class="ap-runbar__status">"Nothing to run yet"</span>
        </footer>
    }
}
