// Starts the simulation worker: wasm-bindgen's no-modules glue, then its module, passed the
// way wasm-bindgen asks for now (Trunk's own loader shim passes a bare path, and Chromium warns
// "using deprecated parameters for the initialization function" on every load).
importScripts("./archplay-worker.js");
wasm_bindgen({ module_or_path: "./archplay-worker_bg.wasm" });
