//! The top bar: product name and tagline.

use leptos::prelude::*;

/// The header with the product's name.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="ap-header" data-testid="header">
            <svg class="ap-header__logo" viewBox="0 0 32 32" aria-hidden="true">
                <rect x="3" y="3" width="10" height="10" rx="2" />
                <rect x="19" y="3" width="10" height="10" rx="2" />
                <rect x="11" y="19" width="10" height="10" rx="2" />
                <path d="M8 13v3h16v-3M16 16v3" fill="none" />
            </svg>
            <h1 class="ap-header__title">"Archplay"</h1>
            <p class="ap-header__tagline">"From one server to millions of users"</p>
        </header>
    }
}
