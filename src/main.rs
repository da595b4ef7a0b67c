//! The browser entry point: install the panic hook and mount the app.

fn main() {
    archplay::ui::start();
}
