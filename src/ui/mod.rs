//! The Leptos user interface. Components here read signals and call into `model`, `sim` and
//! `share`; the rules live there, with native tests.

mod app;
mod canvas;
mod chart;
mod editor;
mod export;
mod header;
mod icons;
mod inspector;
mod palette;
mod persistence;
mod results;
mod run;
mod run_bar;
mod share;

pub use app::App;

/// Browser entry point: route panics to the console, then mount [`App`] on `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
