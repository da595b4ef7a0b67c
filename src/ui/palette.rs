//! The component palette, generated from the catalogue: a kind added to the catalogue appears
//! here with no change to this file.

use leptos::prelude::*;

use super::icons::kind_icon;
use crate::model::catalogue::by_group;

/// The palette panel: every kind, by group, with its icon, name and one line; hovering or
/// focusing an item shows the longer explanation.
#[component]
pub fn Palette() -> impl IntoView {
    let groups = by_group()
        .into_iter()
        .map(|(group, kinds)| {
            let items = kinds
                .into_iter()
                .map(|spec| {
                    let details_id = format!("ap-palette-details-{}", spec.id);
                    let described_by = details_id.clone();
                    view! {
                        <li
                            class="ap-palette__item"
                            data-testid=format!("palette-{}", spec.id)
                            data-kind=spec.id
                            tabindex="0"
                            aria-describedby=described_by
                        >
                            {kind_icon(spec.kind)}
                            <span class="ap-palette__text">
                                <span class="ap-palette__name">{spec.name}</span>
                                <span class="ap-palette__summary">{spec.summary}</span>
                                <span class="ap-palette__details" id=details_id>{spec.details}</span>
                            </span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="ap-palette__group" aria-label=group.name()>
                    <h3 class="ap-palette__group-title">{group.name()}</h3>
                    <ul class="ap-palette__list">{items}</ul>
                </section>
            }
        })
        .collect_view();
    view! {
        <aside class="ap-panel ap-palette" data-testid="palette" aria-labelledby="ap-palette-title">
            <h2 class="ap-panel__title" id="ap-palette-title">"Components"</h2>
            {groups}
        </aside>
    }
}
