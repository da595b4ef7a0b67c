//! Embed mode: the options an `<iframe>` passes in the query string (`?embed=1&autoplay=1…`),
//! and the snippet the Embed dialog hands to a teacher. Pure text in, text out, so the rules are
//! tested natively; the page only reads `location.search` and applies the result.
//!
//! The diagram itself still travels in the fragment (`#d=…` or `#example=…`), never in the
//! query, so an embed's diagram is not sent to the host either.

use std::fmt;

/// Which panels an embedded instance shows around its canvas and run bar.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Panels {
    /// Canvas and run bar only.
    None,
    /// The charts and log under the canvas (the default).
    #[default]
    Charts,
    /// Everything the full editor shows: palette, inspector, charts and log.
    All,
}

impl Panels {
    /// Every choice, in the Embed dialog's order.
    pub const ALL: [Panels; 3] = [Panels::None, Panels::Charts, Panels::All];

    /// The query-string value.
    pub fn id(self) -> &'static str {
        match self {
            Panels::None => "none",
            Panels::Charts => "charts",
            Panels::All => "all",
        }
    }

    /// What the Embed dialog calls it.
    pub fn label(self) -> &'static str {
        match self {
            Panels::None => "Canvas and run bar only",
            Panels::Charts => "Charts and log",
            Panels::All => "Everything (palette, inspector, charts)",
        }
    }
}

/// The run-wide charts an embed can show (a selected component's own charts always appear).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChartId {
    /// Requests sent and answered per second.
    Throughput,
    /// Latency percentiles.
    Latency,
    /// Errors per second, by cause.
    Errors,
}

impl ChartId {
    /// Every chart, in the order the results panel draws them.
    pub const ALL: [ChartId; 3] = [ChartId::Throughput, ChartId::Latency, ChartId::Errors];

    /// The query-string value.
    pub fn id(self) -> &'static str {
        match self {
            ChartId::Throughput => "throughput",
            ChartId::Latency => "latency",
            ChartId::Errors => "errors",
        }
    }

    /// The chart's title.
    pub fn label(self) -> &'static str {
        match self {
            ChartId::Throughput => "Throughput",
            ChartId::Latency => "Latency",
            ChartId::Errors => "Errors by cause",
        }
    }
}

/// How an embedded instance behaves. `Default` is what `?embed=1` alone means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbedOptions {
    /// Start running as soon as the diagram is loaded.
    pub autoplay: bool,
    /// The diagram cannot be edited (it can still be run, and components killed and restored).
    pub read_only: bool,
    /// Which panels show.
    pub panels: Panels,
    /// Which run-wide charts show, in [`ChartId::ALL`] order, without repeats.
    pub charts: Vec<ChartId>,
}

impl Default for EmbedOptions {
    fn default() -> Self {
        EmbedOptions {
            autoplay: false,
            read_only: false,
            panels: Panels::default(),
            charts: ChartId::ALL.to_vec(),
        }
    }
}

/// Something in the query that was not understood; the rest still applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptionProblem {
    /// A name this version does not know.
    Unknown(String),
    /// A known name with a value it cannot take.
    BadValue {
        /// The option.
        name: &'static str,
        /// What was given.
        value: String,
        /// What it can be.
        expected: String,
    },
}

impl fmt::Display for OptionProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionProblem::Unknown(name) => write!(f, "unknown option '{name}' ignored"),
            OptionProblem::BadValue {
                name,
                value,
                expected,
            } => write!(
                f,
                "option '{name}' cannot be '{value}' (it takes {expected}); its default applies"
            ),
        }
    }
}

/// Longest option value quoted back in a message.
const QUOTE_MAX: usize = 40;

fn quoted(value: &str) -> String {
    let mut q: String = value.chars().take(QUOTE_MAX).collect();
    if value.chars().count() > QUOTE_MAX {
        q.push('…');
    }
    q
}

/// `%XX` and `+` decoding for one query-string part. Malformed escapes are kept as written.
fn unescape(part: &str) -> String {
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn flag(name: &'static str, value: &str) -> Result<bool, OptionProblem> {
    match value {
        "" | "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(OptionProblem::BadValue {
            name,
            value: quoted(value),
            expected: "1 or 0".into(),
        }),
    }
}

fn charts(value: &str) -> Result<Vec<ChartId>, OptionProblem> {
    let mut chosen = Vec::new();
    for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match ChartId::ALL.into_iter().find(|c| c.id() == name) {
            Some(c) if !chosen.contains(&c) => chosen.push(c),
            Some(_) => {}
            None => {
                return Err(OptionProblem::BadValue {
                    name: "charts",
                    value: quoted(value),
                    expected: format!(
                        "a comma-separated list of {}, or none",
                        ChartId::ALL.map(ChartId::id).join(", ")
                    ),
                });
            }
        }
    }
    // "none" is spelled as an empty list; keep the panel's order whatever the link's order.
    chosen.sort();
    Ok(chosen)
}

/// Reads the query string (`location.search`, with or without its `?`). `None` when the page is
/// not embedded (no `embed`, or `embed=0`); otherwise the options, with anything not understood
/// listed (its default applies).
pub fn parse(search: &str) -> Option<(EmbedOptions, Vec<OptionProblem>)> {
    let search = search.strip_prefix('?').unwrap_or(search);
    let pairs: Vec<(String, String)> = search
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (unescape(k), unescape(v))
        })
        .collect();
    let embed = pairs.iter().rev().find(|(k, _)| k == "embed")?;
    if !flag("embed", &embed.1).unwrap_or(false) {
        return None;
    }
    let mut options = EmbedOptions::default();
    let mut problems = Vec::new();
    for (key, value) in &pairs {
        let outcome = match key.as_str() {
            "embed" => Ok(()),
            "autoplay" => flag("autoplay", value).map(|b| options.autoplay = b),
            "readonly" => flag("readonly", value).map(|b| options.read_only = b),
            "panels" => match Panels::ALL.into_iter().find(|p| p.id() == value) {
                Some(p) => {
                    options.panels = p;
                    Ok(())
                }
                None => Err(OptionProblem::BadValue {
                    name: "panels",
                    value: quoted(value),
                    expected: Panels::ALL.map(Panels::id).join(", "),
                }),
            },
            "charts" if value == "none" => {
                options.charts.clear();
                Ok(())
            }
            "charts" => charts(value).map(|c| options.charts = c),
            other => Err(OptionProblem::Unknown(quoted(other))),
        };
        if let Err(problem) = outcome {
            problems.push(problem);
        }
    }
    Some((options, problems))
}

/// The query string (with its `?`) that [`parse`] reads back as `options`; only what differs
/// from the defaults is written, so snippets stay short.
pub fn query(options: &EmbedOptions) -> String {
    let defaults = EmbedOptions::default();
    let mut q = String::from("?embed=1");
    if options.autoplay {
        q.push_str("&autoplay=1");
    }
    if options.read_only {
        q.push_str("&readonly=1");
    }
    if options.panels != defaults.panels {
        q.push_str("&panels=");
        q.push_str(options.panels.id());
    }
    if options.charts != defaults.charts {
        q.push_str("&charts=");
        if options.charts.is_empty() {
            q.push_str("none");
        } else {
            let names: Vec<&str> = options.charts.iter().map(|c| c.id()).collect();
            q.push_str(&names.join(","));
        }
    }
    q
}

/// An iframe's size: a fixed width in pixels or the container's full width, and a height.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameSize {
    /// Width in CSS pixels; `None` for the full width of the container.
    pub width: Option<u32>,
    /// Height in CSS pixels.
    pub height: u32,
}

impl FrameSize {
    /// The Embed dialog's choices, narrowest first; the last is the full width.
    pub const CHOICES: [FrameSize; 4] = [
        FrameSize {
            width: Some(400),
            height: 560,
        },
        FrameSize {
            width: Some(640),
            height: 480,
        },
        FrameSize {
            width: Some(960),
            height: 600,
        },
        FrameSize {
            width: None,
            height: 600,
        },
    ];

    /// "640 × 480", "full width × 600".
    pub fn label(self) -> String {
        match self.width {
            Some(w) => format!("{w} × {} px", self.height),
            None => format!("full width × {} px", self.height),
        }
    }
}

/// The address an embed loads: the app's own address (`page`, query and fragment dropped), the
/// options' query, and the fragment holding the diagram (`#d=…` or `#example=…`).
pub fn frame_url(page: &str, options: &EmbedOptions, fragment: &str) -> String {
    let page = page.split(['?', '#']).next().unwrap_or(page);
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    format!("{page}{}#{fragment}", query(options))
}

/// `text` safe inside a double-quoted HTML attribute.
pub fn escape_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The sandbox an embed asks for: scripts only, plus popups so "Open in Archplay" can open the
/// full editor in a new tab. Without `allow-same-origin` the embed has an opaque origin: it can
/// neither read nor write the host's storage or the main app's autosave.
pub const SANDBOX: &str = "allow-scripts allow-popups allow-popups-to-escape-sandbox";

/// The `<iframe>` snippet for a page: `url` from [`frame_url`], `title` naming the diagram for
/// screen readers.
pub fn snippet(url: &str, title: &str, size: FrameSize) -> String {
    let width = match size.width {
        Some(w) => w.to_string(),
        None => "100%".into(),
    };
    format!(
        "<iframe src=\"{}\" title=\"{}\" width=\"{width}\" height=\"{}\" sandbox=\"{SANDBOX}\" loading=\"lazy\" style=\"border: 1px solid #ccc; border-radius: 8px; max-width: 100%;\"></iframe>",
        escape_attribute(url),
        escape_attribute(&format!("Archplay: {title}")),
        size.height,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_options() -> Vec<EmbedOptions> {
        let chart_sets: Vec<Vec<ChartId>> = (0..8u8)
            .map(|bits| {
                ChartId::ALL
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| bits & (1 << i) != 0)
                    .map(|(_, c)| c)
                    .collect()
            })
            .collect();
        let mut all = Vec::new();
        for autoplay in [false, true] {
            for read_only in [false, true] {
                for panels in Panels::ALL {
                    for charts in &chart_sets {
                        all.push(EmbedOptions {
                            autoplay,
                            read_only,
                            panels,
                            charts: charts.clone(),
                        });
                    }
                }
            }
        }
        all
    }

    #[test]
    fn every_combination_of_options_survives_its_query() {
        let all = all_options();
        assert_eq!(all.len(), 2 * 2 * 3 * 8);
        for options in all {
            let q = query(&options);
            assert_eq!(parse(&q), Some((options.clone(), vec![])), "{q}");
        }
    }

    #[test]
    fn defaults_write_the_shortest_query() {
        assert_eq!(query(&EmbedOptions::default()), "?embed=1");
        assert_eq!(parse("?embed=1"), Some((EmbedOptions::default(), vec![])));
        assert_eq!(parse("embed"), Some((EmbedOptions::default(), vec![])));
    }

    #[test]
    fn a_page_without_embed_or_with_embed_off_is_the_full_app() {
        assert_eq!(parse(""), None);
        assert_eq!(parse("?"), None);
        assert_eq!(parse("?autoplay=1"), None);
        assert_eq!(parse("?embed=0&autoplay=1"), None);
        assert_eq!(parse("?embed=maybe"), None);
        // The last of repeated names wins, as URLSearchParams.get would not; state it.
        assert_eq!(parse("?embed=1&embed=0"), None);
    }

    #[test]
    fn values_are_read_in_their_spellings_and_escapes() {
        let (o, problems) = parse("?embed=true&autoplay=yes&readonly&panels=all").unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert!(o.autoplay && o.read_only);
        assert_eq!(o.panels, Panels::All);
        // Commas escaped by a careful URL builder, repeats and any order.
        let (o, _) = parse("?embed=1&charts=errors%2Cthroughput%2cerrors").unwrap();
        assert_eq!(o.charts, vec![ChartId::Throughput, ChartId::Errors]);
        let (o, _) = parse("?embed=1&charts=none").unwrap();
        assert!(o.charts.is_empty());
    }

    #[test]
    fn what_is_not_understood_is_named_and_the_rest_applies() {
        let (o, problems) =
            parse("?embed=1&autoplay=1&autoplya=1&panels=sideways&charts=latency,cpu&readonly=2")
                .unwrap();
        assert!(o.autoplay, "the good option still applies");
        assert_eq!(o.panels, Panels::Charts);
        assert_eq!(o.charts, ChartId::ALL.to_vec());
        assert!(!o.read_only);
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "unknown option 'autoplya' ignored",
                "option 'panels' cannot be 'sideways' (it takes none, charts, all); its default applies",
                "option 'charts' cannot be 'latency,cpu' (it takes a comma-separated list of throughput, latency, errors, or none); its default applies",
                "option 'readonly' cannot be '2' (it takes 1 or 0); its default applies",
            ]
        );
    }

    #[test]
    fn hostile_queries_are_quoted_short_and_never_panic() {
        let long = "x".repeat(10_000);
        let (_, problems) = parse(&format!("?embed=1&{long}=1&panels={long}")).unwrap();
        for p in &problems {
            assert!(p.to_string().chars().count() < 200, "{p}");
        }
        for q in [
            "?embed=1&%",
            "?embed=1&%4",
            "?embed=1&%zz=1",
            "?embed=1&%ff%fe=1",
            "?embed=1&&&==&",
            "?embed=1&panels=%00",
            "?%65mbed=1",
        ] {
            let _ = parse(q);
        }
        // An escaped name is still the name.
        assert!(parse("?%65mbed=1").is_some());
    }

    #[test]
    fn the_documentation_names_every_option_value_and_example() {
        let doc = include_str!("../../docs/embedding.md");
        for name in ["embed", "autoplay", "readonly", "panels", "charts"] {
            assert!(doc.contains(&format!("| `{name}` |")), "option {name}");
        }
        for p in Panels::ALL {
            assert!(doc.contains(&format!("`{}`", p.id())), "panels {}", p.id());
        }
        for c in ChartId::ALL {
            assert!(doc.contains(&format!("`{}`", c.id())), "chart {}", c.id());
        }
        for e in crate::model::examples::EXAMPLES {
            assert!(doc.contains(&format!("`{}`", e.file)), "example {}", e.file);
        }
        assert!(doc.contains(SANDBOX), "the sandbox the snippet asks for");
    }

    #[test]
    fn frame_urls_keep_the_fragment_and_drop_the_apps_own_query() {
        let o = EmbedOptions {
            autoplay: true,
            ..EmbedOptions::default()
        };
        assert_eq!(
            frame_url(
                "https://x.org/play/?embed=1&panels=all#d=old",
                &o,
                "#d=v1.abc"
            ),
            "https://x.org/play/?embed=1&autoplay=1#d=v1.abc"
        );
        assert_eq!(
            frame_url("https://x.org/play/", &o, "example=mm1"),
            "https://x.org/play/?embed=1&autoplay=1#example=mm1"
        );
    }

    #[test]
    fn the_snippet_escapes_what_it_quotes() {
        let s = snippet(
            "https://x.org/?embed=1&autoplay=1#d=v1.a",
            "\"><script>alert(1)</script>",
            FrameSize {
                width: Some(640),
                height: 480,
            },
        );
        assert_eq!(
            s,
            "<iframe src=\"https://x.org/?embed=1&amp;autoplay=1#d=v1.a\" \
             title=\"Archplay: &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\" \
             width=\"640\" height=\"480\" \
             sandbox=\"allow-scripts allow-popups allow-popups-to-escape-sandbox\" \
             loading=\"lazy\" style=\"border: 1px solid #ccc; border-radius: 8px; max-width: 100%;\"></iframe>"
        );
        let full = snippet("u", "t", FrameSize::CHOICES[3]);
        assert!(full.contains("width=\"100%\" height=\"600\""), "{full}");
    }
}
