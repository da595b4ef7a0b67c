//! One small line icon per component kind (24 × 24, drawn with `currentColor`); the path data
//! lives in the catalogue, so exports draw the same icons.

use leptos::prelude::*;

use crate::model::Kind;

/// The icon for `kind`, decorative (the name is always shown beside it).
pub fn kind_icon(kind: Kind) -> impl IntoView {
    view! {
        <svg class="ap-icon" width="24" height="24" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d=kind.spec().icon />
        </svg>
    }
}
