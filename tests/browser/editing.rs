//! The editing components in the browser: the real app mounted and driven through DOM events
//! — palette, canvas items, wiring with refusals, the inspector, undo and redo, data centers.
//! (The end-to-end specs drive the built site with real input; these check the components'
//! wiring to the editing rules from inside the wasm module.)

use archplay::ui::App;
use leptos::mount::UnmountHandle;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Element, HtmlElement, HtmlInputElement, KeyboardEvent, KeyboardEventInit};

/// The mounted app: its host element, and the handle that unmounts it when dropped.
struct Mounted {
    host: Element,
    _handle: UnmountHandle<leptos::tachys::view::any_view::AnyViewState>,
}

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser test has a document")
}

/// Mounts the real app on an empty diagram (no autosave from an earlier test).
fn mount() -> Mounted {
    let storage = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .expect("local storage");
    storage.clear().expect("clear storage");
    let host = document().create_element("div").expect("a div");
    document()
        .body()
        .expect("a body")
        .append_child(&host)
        .expect("attach");
    let handle = leptos::mount::mount_to(host.clone().unchecked_into::<HtmlElement>(), || {
        leptos::prelude::IntoAny::into_any(App())
    });
    Mounted {
        host,
        _handle: handle,
    }
}

impl Mounted {
    fn get(&self, testid: &str) -> Option<Element> {
        self.host
            .query_selector(&format!("[data-testid=\"{testid}\"]"))
            .expect("valid selector")
    }

    fn must(&self, testid: &str) -> Element {
        self.get(testid)
            .unwrap_or_else(|| panic!("no element with data-testid {testid}"))
    }

    fn announced(&self) -> String {
        self.must("announcer").text_content().unwrap_or_default()
    }
}

/// Lets pending reactive effects run (they are scheduled as microtasks and tasks).
async fn settle() {
    for _ in 0..3 {
        let p = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .expect("window")
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
                .expect("timeout");
        });
        wasm_bindgen_futures::JsFuture::from(p)
            .await
            .expect("timer");
    }
}

fn key(el: &Element, key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let e = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("event");
    el.dispatch_event(&e).expect("dispatch");
}

fn focus(el: &Element) {
    el.unchecked_ref::<HtmlElement>().focus().expect("focus");
}

fn click(el: &Element) {
    el.unchecked_ref::<HtmlElement>().click();
}

/// The `translate(x y)` of a canvas item.
fn position(el: &Element) -> (f64, f64) {
    let t = el.get_attribute("transform").expect("a transform");
    let inner = t
        .trim_start_matches("translate(")
        .trim_end_matches(')')
        .to_string();
    let mut parts = inner
        .split(' ')
        .map(|v| v.parse::<f64>().expect("a number"));
    (parts.next().expect("x"), parts.next().expect("y"))
}

/// Puts `value` into an inspector field (text or select) and commits it, as a change event does.
fn set_field(el: &Element, value: &str) {
    match el.dyn_ref::<web_sys::HtmlSelectElement>() {
        Some(select) => select.set_value(value),
        None => el.unchecked_ref::<HtmlInputElement>().set_value(value),
    }
    let input = el;
    let e = web_sys::Event::new_with_event_init_dict("change", &{
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        init
    })
    .expect("event");
    input.dispatch_event(&e).expect("dispatch");
}

#[wasm_bindgen_test]
async fn the_palette_adds_components_and_the_canvas_shows_them() {
    let app = mount();
    key(&app.must("palette-load_balancer"), "Enter");
    key(&app.must("palette-web_server"), "Enter");
    settle().await;
    let lb = app.must("node-lb-1");
    assert_eq!(
        lb.get_attribute("data-kind").as_deref(),
        Some("load_balancer")
    );
    assert_eq!(lb.get_attribute("tabindex").as_deref(), Some("0"));
    assert!(app.get("port-lb-1").is_some(), "a port to wire from");
    assert!(app.get("node-web-1").is_some());
    assert!(
        app.announced().contains("Added web server web-1"),
        "{}",
        app.announced()
    );
    // The newest component is selected; its box says so without colour alone.
    let web = app.must("node-web-1");
    assert_eq!(web.get_attribute("aria-pressed").as_deref(), Some("true"));
    assert_eq!(lb.get_attribute("aria-pressed").as_deref(), Some("false"));
}

#[wasm_bindgen_test]
async fn arrows_move_the_selection_on_the_grid_and_undo_moves_it_back() {
    let app = mount();
    key(&app.must("palette-users"), "Enter");
    settle().await;
    let users = app.must("node-users-1");
    let before = position(&users);
    focus(&users);
    key(&users, "ArrowRight");
    key(&users, "ArrowDown");
    settle().await;
    assert_eq!(position(&users), (before.0 + 24.0, before.1 + 24.0));
    click(&app.must("undo"));
    settle().await;
    assert_eq!(
        position(&users),
        (before.0 + 24.0, before.1),
        "one step back"
    );
    click(&app.must("redo"));
    settle().await;
    assert_eq!(position(&users), (before.0 + 24.0, before.1 + 24.0));
}

#[wasm_bindgen_test]
async fn keyboard_wiring_makes_a_wire_or_says_why_not() {
    let app = mount();
    key(&app.must("palette-load_balancer"), "Enter");
    key(&app.must("palette-web_server"), "Enter");
    key(&app.must("palette-database"), "Enter");
    settle().await;
    let (lb, web, db) = (
        app.must("node-lb-1"),
        app.must("node-web-1"),
        app.must("node-db-1"),
    );
    key(&lb, "w");
    key(&web, "Enter");
    settle().await;
    let wire = app.must("wire-lb-1-web-1");
    assert_eq!(wire.get_attribute("tabindex").as_deref(), Some("0"));
    assert!(
        wire.get_attribute("aria-label")
            .is_some_and(|l| l.contains("Wire from lb-1 to web-1"))
    );
    // A database does not send requests: refused, with the reason on the canvas.
    key(&db, "w");
    key(&lb, "Enter");
    settle().await;
    assert!(app.get("wire-db-1-lb-1").is_none());
    let why = app.must("wire-refusal").text_content().unwrap_or_default();
    assert!(why.contains("a database answers queries"), "{why}");
    // Delete on a focused wire removes it.
    key(&wire, "Delete");
    settle().await;
    assert!(app.get("wire-lb-1-web-1").is_none());
}

#[wasm_bindgen_test]
async fn the_inspector_edits_refuses_and_undoes_settings() {
    let app = mount();
    key(&app.must("palette-web_server"), "Enter");
    settle().await;
    let workers = app.must("param-workers");
    let input = workers.unchecked_ref::<HtmlInputElement>();
    assert_eq!(input.value(), "4", "the catalogue's default");
    set_field(&workers, "12");
    settle().await;
    assert_eq!(
        app.must("param-workers")
            .unchecked_ref::<HtmlInputElement>()
            .value(),
        "12"
    );
    // Out of range: refused with a message, the diagram keeps 12.
    set_field(&app.must("param-workers"), "0");
    settle().await;
    let error = app
        .must("param-workers-error")
        .text_content()
        .unwrap_or_default();
    assert!(!error.is_empty(), "a refusal is explained");
    click(&app.must("undo"));
    settle().await;
    assert_eq!(
        app.must("param-workers")
            .unchecked_ref::<HtmlInputElement>()
            .value(),
        "4",
        "undo restores the default"
    );
    // Under a machine-size preset the workers setting has no effect, and says so.
    let unused = |app: &Mounted| {
        app.must("param-workers-unused")
            .text_content()
            .unwrap_or_default()
    };
    assert_eq!(unused(&app), "", "custom size: workers are used");
    set_field(&app.must("param-size"), "c8");
    settle().await;
    assert!(
        unused(&app).contains("the machine size sets the workers"),
        "{}",
        unused(&app)
    );
}

#[wasm_bindgen_test]
async fn a_data_center_has_a_title_a_resize_handle_and_moves_with_the_keyboard() {
    let app = mount();
    key(&app.must("palette-data_center"), "Enter");
    settle().await;
    let dc = app.must("node-dc-1");
    assert_eq!(
        dc.get_attribute("data-kind").as_deref(),
        Some("data_center")
    );
    assert!(app.get("resize-dc-1").is_some());
    assert!(app.get("port-dc-1").is_none(), "data centers are not wired");
    let title = dc.text_content().unwrap_or_default();
    assert!(title.contains("dc-1 · Virginia (US-East)"), "{title}");
    let before = position(&dc);
    focus(&dc);
    key(&dc, "ArrowLeft");
    settle().await;
    assert_eq!(position(&dc), (before.0 - 24.0, before.1));
    // Its size is a setting like any other.
    let width = app
        .must("param-width")
        .unchecked_ref::<HtmlInputElement>()
        .value();
    assert_eq!(width, "432");
}
