//! One small line icon per component kind (24 × 24, drawn with `currentColor`).

use leptos::prelude::*;

use crate::model::Kind;

/// The icon for `kind`, decorative (the name is always shown beside it).
pub fn kind_icon(kind: Kind) -> impl IntoView {
    let path = match kind {
        // A person.
        Kind::Users => "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21c0-4.4 3.6-7 8-7s8 2.6 8 7",
        // A globe.
        Kind::Dns => {
            "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM3 12h18M12 3c2.5 2.7 3.8 5.7 3.8 9s-1.3 6.3-3.8 9c-2.5-2.7-3.8-5.7-3.8-9s1.3-6.3 3.8-9z"
        }
        // One line in, three out.
        Kind::LoadBalancer => "M3 12h6M9 12l6-6h6M9 12h12M9 12l6 6h6",
        // A server rack.
        Kind::WebServer => "M4 4h16v6H4zM4 14h16v6H4zM7 7h.01M7 17h.01",
        // A cylinder.
        Kind::Database => {
            "M4 6c0-1.7 3.6-3 8-3s8 1.3 8 3-3.6 3-8 3-8-1.3-8-3zM4 6v12c0 1.7 3.6 3 8 3s8-1.3 8-3V6M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3"
        }
    };
    view! {
        <svg class="ap-icon" width="24" height="24" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d=path />
        </svg>
    }
}
