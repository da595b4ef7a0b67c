//! The Leptos user interface. Components here read signals and call into `model`, `sim` and
//! `share`; the rules live there, with native tests.

mod app;
mod canvas;
mod chart;
mod editor;
mod embed;
mod export;
mod gallery;
mod header;
mod icons;
mod inspector;
mod layout;
mod lesson;
mod palette;
mod persistence;
mod popover;
mod results;
mod run;
mod run_bar;
mod share;
mod shortcuts;

pub use app::App;

/// Where a pointer event happened relative to the element whose handler received it, and that
/// element's size on screen: `(x, y, width, height)` in CSS pixels.
pub(crate) fn point_in_target(e: &leptos::ev::PointerEvent) -> Option<(f64, f64, f64, f64)> {
    let el: web_sys::Element = wasm_bindgen::JsCast::dyn_into(e.current_target()?).ok()?;
    let r = el.get_bounding_client_rect();
    Some((
        f64::from(e.client_x()) - r.left(),
        f64::from(e.client_y()) - r.top(),
        r.width(),
        r.height(),
    ))
}

/// Browser entry point: route panics to the console, then mount [`App`] on `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
    // The loading screen index.html shows until now.
    if let Some(splash) = leptos::prelude::document().get_element_by_id("ap-splash") {
        splash.remove();
    }
}

/// A benchmark hook, `window.wasmBindings.benchReferenceNetwork(seconds)`, for
/// `scripts/bench-run.sh`: simulates the reference network for `seconds` (at most a day) with the
/// engine alone — no page, no drawing — and returns the requests it finished, so the benchmark
/// can tell this browser's engine speed apart from the live runner's.
#[wasm_bindgen::prelude::wasm_bindgen(js_name = benchReferenceNetwork)]
pub fn bench_reference_network(seconds: f64) -> f64 {
    let json = include_str!("../../public/examples/reference-network.json");
    let Ok(mut diagram) = crate::model::Diagram::from_json(json) else {
        return 0.0;
    };
    diagram.run.duration_s = if seconds.is_finite() {
        seconds.clamp(1.0, 86_400.0)
    } else {
        1.0
    };
    diagram.run.warmup_s = 0.0;
    let Ok(mut sim) = crate::sim::Simulation::new(&diagram) else {
        return 0.0;
    };
    sim.run_to_end(u64::MAX);
    sim.requests_done() as f64
}
