//! A line chart: axes with units, one line per series told apart by dash pattern as well as
//! colour, markers for events, and a read-out of exact values — the latest ones, or those under
//! the pointer while it hovers. The geometry comes from [`crate::chart`]; this only draws.

use leptos::ev;
use leptos::prelude::*;

use crate::chart::{Scale, axis, format_value, line_path, nearest};

/// Size of a chart's plot, in CSS pixels.
const WIDTH: f64 = 300.0;
const HEIGHT: f64 = 132.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 8.0;
const BOTTOM: f64 = 20.0;

/// One line of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Its name in the read-out.
    pub label: String,
    /// Which of the chart styles draws it (colour and dash): 0, 1 or 2.
    pub style: usize,
    /// `(simulated seconds, value)`, oldest first.
    pub points: Vec<(f64, f64)>,
}

/// Something that happened, marked on the time axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// When, in simulated seconds.
    pub at: f64,
    /// What happened.
    pub text: String,
    /// A failure (drawn solid) rather than a recovery (drawn dashed).
    pub bad: bool,
}

/// A chart of `lines` against simulated time, with values in `unit`.
#[component]
pub fn Chart(
    /// The chart's title.
    title: String,
    /// Unit of the values.
    unit: &'static str,
    /// Stable test hook.
    testid: String,
    /// The lines to draw.
    lines: Signal<Vec<Line>>,
    /// Events to mark.
    #[prop(into)]
    markers: Signal<Vec<Marker>>,
) -> impl IntoView {
    let hover = RwSignal::new(None::<f64>);
    let geometry = Memo::new(move |_| {
        lines.with(|lines| {
            let (mut t0, mut t1, mut hi) = (f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
            for l in lines {
                for &(t, v) in &l.points {
                    t0 = t0.min(t);
                    t1 = t1.max(t);
                    if v.is_finite() {
                        hi = hi.max(v);
                    }
                }
            }
            if !t0.is_finite() {
                (t0, t1) = (0.0, 10.0);
            }
            // The first sample covers the second before it.
            let (x0, x1, xticks) = axis((t0 - 1.0).max(0.0), t1, 4, false);
            let (y0, y1, yticks) = axis(0.0, hi, 3, true);
            (
                Scale::new(x0, x1, LEFT, WIDTH - RIGHT),
                Scale::new(y0, y1, HEIGHT - BOTTOM, TOP),
                xticks,
                yticks,
            )
        })
    });
    let paths = move || {
        let (xs, ys, _, _) = geometry.get();
        lines.with(|lines| {
            lines
                .iter()
                .map(|l| {
                    let d = line_path(&l.points, &xs, &ys);
                    view! { <path class=format!("ap-chart__line ap-chart__line--{}", l.style) d=d /> }
                })
                .collect_view()
        })
    };
    let axes = move || {
        let (xs, ys, xticks, yticks) = geometry.get();
        let ygrid = yticks
            .iter()
            .map(|&v| {
                let y = ys.map(v);
                view! {
                    <line class="ap-chart__grid" x1=LEFT x2=WIDTH - RIGHT y1=y y2=y />
                    <text class="ap-chart__tick" x=LEFT - 4.0 y=y + 4.0 text-anchor="end">
                        {format_value(v, "")}
                    </text>
                }
            })
            .collect_view();
        let xlabels = xticks
            .iter()
            .map(|&t| {
                let x = xs.map(t);
                view! {
                    <text class="ap-chart__tick" x=x y=HEIGHT - 6.0 text-anchor="middle">
                        {format!("{} s", format_value(t, ""))}
                    </text>
                }
            })
            .collect_view();
        view! { {ygrid} {xlabels} }
    };
    let marks = move || {
        let (xs, _, _, _) = geometry.get();
        markers.with(|ms| {
            ms.iter()
                .filter(|m| m.at >= xs.d0 && m.at <= xs.d1)
                .map(|m| {
                    let x = xs.map(m.at);
                    let class = if m.bad {
                        "ap-chart__marker ap-chart__marker--bad"
                    } else {
                        "ap-chart__marker"
                    };
                    view! {
                        <g class=class>
                            <line x1=x x2=x y1=TOP y2=HEIGHT - BOTTOM />
                            <path d=format!("M{} {TOP}l5 -6h-10z", x) />
                            <title>{format!("{} s: {}", format_value(m.at, ""), m.text)}</title>
                        </g>
                    }
                })
                .collect_view()
        })
    };
    // The read-out: values at the hovered time, or the latest.
    let readout = move || {
        let at = hover.get();
        lines.with(|lines| {
            let when = at.or_else(|| lines.iter().filter_map(|l| l.points.last().map(|p| p.0)).reduce(f64::max));
            let time = when.map(|t| format!("{} s", format_value(t, ""))).unwrap_or_default();
            let values = lines
                .iter()
                .map(|l| {
                    let v = when
                        .and_then(|t| nearest(&l.points, t))
                        .map(|i| format_value(l.points[i].1, unit))
                        .unwrap_or_else(|| "–".into());
                    view! {
                        <span class=format!("ap-chart__key ap-chart__key--{}", l.style)>
                            <svg width="18" height="8" aria-hidden="true">
                                <line class=format!("ap-chart__line ap-chart__line--{}", l.style) x1="0" x2="18" y1="4" y2="4" />
                            </svg>
                            {l.label.clone()}
                            " "
                            <b>{v}</b>
                        </span>
                    }
                })
                .collect_view();
            view! {
                <span class="ap-chart__time">{time}</span>
                {values}
            }
        })
    };
    let cursor = move || {
        let t = hover.get()?;
        let (xs, _, _, _) = geometry.get();
        let x = xs.map(t);
        Some(view! { <line class="ap-chart__cursor" x1=x x2=x y1=TOP y2=HEIGHT - BOTTOM /> })
    };
    let on_move = move |e: ev::PointerEvent| {
        let (xs, _, _, _) = geometry.get_untracked();
        let Some((x, _, width, _)) = super::point_in_target(&e) else {
            return;
        };
        // The SVG may be drawn narrower or wider than its viewBox.
        let px = x * WIDTH / width.max(1.0);
        if (LEFT..=WIDTH - RIGHT).contains(&px) {
            hover.set(Some(xs.invert(px)));
        } else {
            hover.set(None);
        }
    };
    let label = title.clone();
    view! {
        <figure class="ap-chart" data-testid=testid>
            <figcaption class="ap-chart__title">{title}</figcaption>
            <svg
                class="ap-chart__svg"
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                aria-label=move || format!("{label} chart")
                on:pointermove=on_move
                on:pointerleave=move |_| hover.set(None)
            >
                <g class="ap-chart__axes">{axes}</g>
                <g class="ap-chart__marks">{marks}</g>
                <g class="ap-chart__lines">{paths}</g>
                {cursor}
            </svg>
            <div class="ap-chart__readout" aria-live="off">{readout}</div>
        </figure>
    }
}
