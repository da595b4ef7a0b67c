//! The canvas: where the diagram is drawn and edited.

use leptos::prelude::*;

/// The canvas area, with its background grid.
#[component]
pub fn Canvas() -> impl IntoView {
    view! {
        <main class="ap-canvas" data-testid="canvas" aria-label="Diagram canvas">
            <svg class="ap-canvas__svg" aria-hidden="true">
                <defs>
                    <pattern id="ap-grid" width="24" height="24" patternUnits="userSpaceOnUse">
                        <circle cx="1" cy="1" r="1" class="ap-canvas__dot" />
                    </pattern>
                </defs>
                <rect width="100%" height="100%" fill="url(#ap-grid)" />
            </svg>
            <p class="ap-canvas__empty">"An empty architecture. Start with a single server."</p>
        </main>
    }
}
