//! The inspector: the settings of whatever is selected.

use leptos::prelude::*;

/// The inspector panel.
#[component]
pub fn Inspector() -> impl IntoView {
    view! {
        <aside class="ap-panel ap-inspector" data-testid="inspector" aria-labelledby="ap-inspector-title">
            <h2 class="ap-panel__title" id="ap-inspector-title">"Inspector"</h2>
            <p class="ap-panel__empty">"Select a component to see its settings."</p>
        </aside>
    }
}
