//! The component palette: the kinds a learner can place on the canvas.

use leptos::prelude::*;

/// The palette panel.
#[component]
pub fn Palette() -> impl IntoView {
    view! {
        <aside class="ap-panel ap-palette" data-testid="palette" aria-labelledby="ap-palette-title">
            <h2 class="ap-panel__title" id="ap-palette-title">"Components"</h2>
            <p class="ap-panel__empty">"Users, load balancers, servers and databases will be listed here."</p>
        </aside>
    }
}
