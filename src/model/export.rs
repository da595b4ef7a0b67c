//! The diagram as a standalone SVG picture, for slides and documents: data centers, wires with
//! arrowheads, and components with their icons, names and kinds, in the light theme, with fonts
//! and colours written into the file so it looks the same anywhere. Pure string building, tested
//! natively; the browser saves it as `.svg` or draws it onto a canvas for `.png`.

use std::fmt::Write as _;

use super::catalogue::{Domain, Kind};
use super::diagram::{Component, Diagram};
use super::geometry::{NODE_HEIGHT, NODE_WIDTH, Rect, bounds, component_rect};

/// Space around the diagram, in canvas units.
pub const MARGIN: f64 = 24.0;

/// The light theme's colours (the app's stylesheet uses the same values).
const BG: &str = "#f4f6fa";
const SURFACE: &str = "#ffffff";
const SURFACE_2: &str = "#eef1f7";
const BORDER: &str = "#d3d9e4";
const REGION_BORDER: &str = "#6b7a90";
const TEXT: &str = "#17202f";
const MUTED: &str = "#4a5568";
const ACCENT: &str = "#2456c7";
const FONT: &str =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

/// `text` with the five XML special characters escaped, safe inside elements and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0 text; drop them.
            c if c.is_control() && c != '\t' && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

/// A file name from a diagram's title, with extension `ext`: lower case, words joined by dashes
/// (`diagram.<ext>` when the title has no letters or digits).
pub fn file_name(title: &str, ext: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        format!("diagram.{ext}")
    } else {
        format!("{}.{ext}", words.join("-"))
    }
}

/// The area the picture covers: the diagram's bounds plus the margin (a small blank picture for
/// an empty diagram).
pub fn frame(d: &Diagram) -> Rect {
    let b = bounds(d).unwrap_or(Rect {
        x: 0.0,
        y: 0.0,
        w: NODE_WIDTH,
        h: NODE_HEIGHT,
    });
    Rect {
        x: b.x - MARGIN,
        y: b.y - MARGIN,
        w: b.w + 2.0 * MARGIN,
        h: b.h + 2.0 * MARGIN,
    }
}

fn region_label(c: &Component) -> String {
    let value = c.choice("region");
    let region = c.kind.spec().param("region").and_then(|p| match p.domain {
        Domain::Choice { options, .. } => {
            options.iter().find(|o| o.value == value).map(|o| o.label)
        }
        Domain::Number { .. } => None,
    });
    match region {
        Some(r) => format!("{} · {r}", c.display_name()),
        None => c.display_name().to_string(),
    }
}

/// Largest PNG side, in pixels: browsers refuse canvases much beyond this.
pub const MAX_PNG_SIDE: f64 = 8192.0;

/// A PNG's size in pixels for a picture framing `f`: twice the canvas units (sharp on
/// high-density screens and in slides), or less to keep within [`MAX_PNG_SIDE`].
pub fn png_size(f: &Rect) -> (f64, f64) {
    let scale = (MAX_PNG_SIDE / f.w.max(f.h).max(1.0)).min(2.0);
    (
        (f.w * scale).round().max(1.0),
        (f.h * scale).round().max(1.0),
    )
}

/// The diagram as an SVG document.
pub fn to_svg(d: &Diagram) -> String {
    let f = frame(d);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="{x} {y} {w} {h}" font-family="{FONT}">"#,
        x = f.x,
        y = f.y,
        w = f.w,
        h = f.h,
    );
    let _ = write!(s, "<title>{}</title>", escape(&d.name));
    let _ = write!(
        s,
        r#"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="{MUTED}"/></marker></defs>"#
    );
    let _ = write!(
        s,
        r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{BG}"/>"#,
        f.x, f.y, f.w, f.h
    );

    // Data centers first (largest underneath), then wires, then components, as on the canvas.
    let mut regions: Vec<&Component> = d
        .components
        .iter()
        .filter(|c| c.kind == Kind::DataCenter)
        .collect();
    regions.sort_by(|a, b| {
        component_rect(b)
            .area()
            .total_cmp(&component_rect(a).area())
    });
    for c in regions {
        let r = component_rect(c);
        let _ = write!(
            s,
            r#"<g transform="translate({} {})"><rect width="{w}" height="{h}" rx="12" fill="{ACCENT}" fill-opacity="0.05" stroke="{REGION_BORDER}" stroke-width="1.5" stroke-dasharray="10 5"/><path d="M0 12a12 12 0 0 1 12-12h{}a12 12 0 0 1 12 12v24h-{w}z" fill="{SURFACE_2}" stroke="{REGION_BORDER}" stroke-width="1.5"/>{}<text x="42" y="23" font-size="13" font-weight="600" fill="{TEXT}">{}</text></g>"#,
            r.x,
            r.y,
            r.w - 24.0,
            icon(Kind::DataCenter, 10.0, 6.0, MUTED),
            escape(&region_label(c)),
            w = r.w,
            h = r.h,
        );
    }
    for w in &d.wires {
        let (Some(a), Some(b)) = (d.component(&w.from), d.component(&w.to)) else {
            continue;
        };
        let (x1, y1) = (a.x + NODE_WIDTH, a.y + NODE_HEIGHT / 2.0);
        let (x2, y2) = (b.x, b.y + NODE_HEIGHT / 2.0);
        let bend = ((x2 - x1).abs() / 2.0).max(40.0);
        let _ = write!(
            s,
            r#"<path d="M{x1} {y1} C{} {y1} {} {y2} {x2} {y2}" fill="none" stroke="{MUTED}" stroke-width="2" marker-end="url(#arrow)"/>"#,
            x1 + bend,
            x2 - bend
        );
    }
    for c in d.components.iter().filter(|c| c.kind != Kind::DataCenter) {
        let _ = write!(
            s,
            r#"<g transform="translate({} {})"><rect width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="8" fill="{SURFACE}" stroke="{BORDER}" stroke-width="1.5"/>{}<text x="46" y="28" font-size="14" font-weight="600" fill="{TEXT}">{}</text><text x="46" y="46" font-size="12" fill="{MUTED}">{}</text></g>"#,
            c.x,
            c.y,
            icon(c.kind, 12.0, 20.0, ACCENT),
            escape(c.display_name()),
            escape(c.kind.spec().name),
        );
    }
    s.push_str("</svg>");
    s
}

/// A kind's icon at `(x, y)`, stroked in `colour`.
fn icon(kind: Kind, x: f64, y: f64, colour: &str) -> String {
    format!(
        r#"<path transform="translate({x} {y})" d="{}" fill="none" stroke="{colour}" stroke-width="1.75" stroke-linecap="round" stroke-linejoin="round"/>"#,
        kind.spec().icon
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Wire;

    fn sample() -> Diagram {
        let mut d = Diagram::new("Tom & Jerry's <shop>");
        let mut users = Component::new("users", Kind::Users);
        users.label = r#"<script>alert("x")</script>"#.into();
        let mut web = Component::new("web-1", Kind::WebServer);
        web.x = 240.0;
        web.y = 96.0;
        let mut dc = Component::new("dc-1", Kind::DataCenter);
        dc.x = 216.0;
        dc.y = 48.0;
        d.components = vec![users, web, dc];
        d.wires = vec![Wire::new("users", "web-1")];
        d
    }

    #[test]
    fn escaping_covers_markup_and_drops_control_characters() {
        assert_eq!(escape("a<b>&\"c'\u{7}d"), "a&lt;b&gt;&amp;&quot;c&apos;d");
    }

    #[test]
    fn the_picture_frames_the_diagram_and_draws_every_part() {
        let d = sample();
        let svg = to_svg(&d);
        // Bounds: x from 0 (users) to 216 + 432 (the data center), y from 0 to 48 + 288.
        assert!(
            svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" width="696" height="384" viewBox="-24 -24 696 384""#),
            "{}",
            &svg[..120]
        );
        assert!(svg.ends_with("</svg>"));
        assert_eq!(svg.matches("marker-end=").count(), 1, "one wire");
        assert_eq!(svg.matches(r#"rx="8""#).count(), 2, "two component boxes");
        assert_eq!(svg.matches(r#"rx="12""#).count(), 1, "one data-center box");
        // From (0 + 168, 32) to (240, 128).
        assert!(svg.contains(r#"d="M168 32 C208 32 200 128 240 128""#));
        assert!(svg.contains("dc-1 · Virginia (US-East)"));
        assert!(svg.contains("<title>Tom &amp; Jerry&apos;s &lt;shop&gt;</title>"));
    }

    #[test]
    fn hostile_labels_cannot_break_out_of_the_text() {
        let svg = to_svg(&sample());
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
        // Every '<' starts a tag the exporter wrote: an element is either `<a …>…</a>` (two)
        // or `<a …/>` (one), so a stray '<' from a label would break the count.
        assert_eq!(
            svg.matches('<').count(),
            2 * svg.matches("</").count() + svg.matches("/>").count()
        );
    }

    #[test]
    fn pngs_are_twice_the_size_unless_that_is_too_big() {
        let r = |w, h| Rect {
            x: 0.0,
            y: 0.0,
            w,
            h,
        };
        assert_eq!(png_size(&r(1000.0, 600.0)), (2000.0, 1200.0));
        assert_eq!(png_size(&r(16384.0, 100.0)), (8192.0, 50.0));
        assert_eq!(png_size(&r(0.0, 0.0)), (1.0, 1.0));
    }

    #[test]
    fn file_names_come_from_the_title() {
        assert_eq!(
            file_name("Tom & Jerry's <shop>", "svg"),
            "tom-jerry-s-shop.svg"
        );
        assert_eq!(file_name("  ", "png"), "diagram.png");
        assert_eq!(file_name("Ünïcode Çafé", "json"), "ünïcode-çafé.json");
    }

    #[test]
    fn an_empty_diagram_is_a_small_blank_picture() {
        let svg = to_svg(&Diagram::new("empty"));
        assert!(svg.contains(r#"viewBox="-24 -24 216 112""#), "{svg}");
    }
}
