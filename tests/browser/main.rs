//! Browser tests, run in headless Chromium by `wasm-pack test --headless --chrome -- --test browser`.
//! Natively this binary is empty.
#![cfg(all(target_arch = "wasm32", feature = "web"))]

mod editing;
mod engine;
mod lessons;
mod shell;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
