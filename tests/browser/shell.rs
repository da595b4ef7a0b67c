//! The app shell mounts and lays out its five regions.

use archplay::ui::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Element, HtmlElement};

/// Mounts the real app into a fresh `<div>` and returns that host element.
fn mount_app() -> Element {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser test has a document");
    let host = document.create_element("div").expect("create a div");
    document
        .body()
        .expect("the test page has a body")
        .append_child(&host)
        .expect("attach the host");
    let handle = leptos::mount::mount_to(host.clone().unchecked_into::<HtmlElement>(), App);
    // Keep the app mounted for the rest of the test.
    handle.forget();
    host
}

fn by_testid(root: &Element, id: &str) -> Option<Element> {
    root.query_selector(&format!("[data-testid=\"{id}\"]"))
        .expect("valid selector")
}

#[wasm_bindgen_test]
fn shell_has_header_palette_canvas_inspector_and_run_bar() {
    let host = mount_app();
    let shell = by_testid(&host, "app-shell").expect("the shell is rendered");
    for region in ["header", "palette", "canvas", "inspector", "runbar"] {
        let el = by_testid(&shell, region);
        assert!(el.is_some(), "region {region} is missing from the shell");
    }
    let title = shell
        .query_selector("h1")
        .expect("valid selector")
        .and_then(|h| h.text_content());
    assert_eq!(title.as_deref(), Some("Archplay"));
}

#[wasm_bindgen_test]
fn regions_are_labelled_landmarks() {
    let host = mount_app();
    let canvas = by_testid(&host, "canvas").expect("canvas");
    assert_eq!(canvas.tag_name().to_lowercase(), "main");
    assert_eq!(
        canvas.get_attribute("aria-label").as_deref(),
        Some("Diagram canvas")
    );
    let palette = by_testid(&host, "palette").expect("palette");
    let label_id = palette
        .get_attribute("aria-labelledby")
        .expect("the palette names its heading");
    let heading = host
        .query_selector(&format!("#{label_id}"))
        .expect("valid selector")
        .expect("the palette's heading exists");
    assert_eq!(heading.text_content().as_deref(), Some("Components"));
}

#[wasm_bindgen_test]
fn the_clock_starts_at_zero() {
    let host = mount_app();
    let clock = by_testid(&host, "clock").expect("clock");
    assert_eq!(clock.text_content().as_deref(), Some("0.000 s"));
}

#[wasm_bindgen_test]
fn the_palette_lists_every_kind_in_the_catalogue_by_group() {
    let host = mount_app();
    let palette = by_testid(&host, "palette").expect("palette");
    for spec in archplay::model::catalogue() {
        let item = by_testid(&palette, &format!("palette-{}", spec.id))
            .unwrap_or_else(|| panic!("no palette item for {}", spec.id));
        assert_eq!(item.get_attribute("data-kind").as_deref(), Some(spec.id));
        let text = item.text_content().unwrap_or_default();
        assert!(
            text.contains(spec.name) && text.contains(spec.summary),
            "{text}"
        );
        assert_eq!(
            item.get_attribute("tabindex").as_deref(),
            Some("0"),
            "focusable"
        );
    }
    let groups = palette
        .query_selector_all("section")
        .expect("valid selector");
    assert_eq!(
        groups.length() as usize,
        archplay::model::catalogue::by_group().len()
    );
}
