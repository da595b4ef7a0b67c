//! Export the diagram as a picture: SVG as written by `model::export`, and PNG by drawing that
//! SVG onto a canvas at twice its size (sharp on high-density screens and in slides).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::persistence::{download, text_blob};
use crate::model::Diagram;
use crate::model::export::{file_name, frame, png_size, to_svg};

/// Offers the diagram as an SVG file.
pub fn export_svg(d: &Diagram) -> Result<(), JsValue> {
    let blob = text_blob(&to_svg(d), "image/svg+xml")?;
    download(&file_name(&d.name, "svg"), &blob)
}

/// Offers the diagram as a PNG file. Drawing happens once the browser has decoded the SVG;
/// `failed` hears about anything that goes wrong on the way.
pub fn export_png(d: &Diagram, failed: impl Fn(String) + Clone + 'static) -> Result<(), JsValue> {
    let (w, h) = png_size(&frame(d));
    let name = file_name(&d.name, "png");
    let svg = text_blob(&to_svg(d), "image/svg+xml")?;
    let url = web_sys::Url::create_object_url_with_blob(&svg)?;
    let img = web_sys::HtmlImageElement::new()?;
    let on_load = {
        let (img, url, failed) = (img.clone(), url.clone(), failed.clone());
        move || {
            let drawn = draw(&img, w, h, name, failed.clone());
            let _ = web_sys::Url::revoke_object_url(&url);
            if let Err(e) = drawn {
                failed(format!("the picture could not be drawn ({e:?})"));
            }
        }
    };
    let on_error = {
        let url = url.clone();
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
            failed("the browser could not read the picture".into());
        }
    };
    img.set_onload(Some(&Closure::once_into_js(on_load).unchecked_into()));
    img.set_onerror(Some(&Closure::once_into_js(on_error).unchecked_into()));
    img.set_src(&url);
    Ok(())
}

/// Draws the decoded picture onto a `w × h` canvas and offers it as PNG file `name`.
fn draw(
    img: &web_sys::HtmlImageElement,
    w: f64,
    h: f64,
    name: String,
    failed: impl Fn(String) + 'static,
) -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let canvas: web_sys::HtmlCanvasElement = document.create_element("canvas")?.unchecked_into();
    canvas.set_width(w as u32);
    canvas.set_height(h as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or("no 2d context")?
        .unchecked_into();
    ctx.draw_image_with_html_image_element_and_dw_and_dh(img, 0.0, 0.0, w, h)?;
    let done = Closure::once_into_js(move |blob: Option<web_sys::Blob>| {
        let saved = blob
            .ok_or_else(|| JsValue::from_str("no image"))
            .and_then(|b| download(&name, &b));
        if saved.is_err() {
            failed("the browser refused to save the picture".into());
        }
    });
    canvas.to_blob_with_type(done.unchecked_ref(), "image/png")
}
