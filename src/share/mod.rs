//! Share links: a diagram and its run settings packed into a URL fragment.
//!
//! A link is `…#d=v<version>.<payload>`: the payload is the JSON envelope of [`Shared`],
//! compressed with raw deflate and written in URL-safe base64 without padding. The fragment is
//! never sent to a server. The version comes before the payload, so a decoder knows what it is
//! reading before it decompresses anything; a version number never changes meaning once
//! released ([`LINK_VERSION`] is the one this build writes). Decoding never panics: every way a
//! link can be wrong has its own [`LinkError`] with words for the user, the inflated size is
//! capped (a decompression bomb is refused as soon as it passes the cap), and what a link holds is
//! repaired where it can be ([`restore`]) with a list of what was dropped.

pub mod embed;
pub mod restore;

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::model::{Diagram, MAX_DOCUMENT_BYTES};

/// The share-link envelope version this build writes.
pub const LINK_VERSION: u32 = 1;
/// Longest link payload read (characters): far beyond any real diagram, refused before work.
pub const MAX_PAYLOAD_CHARS: usize = 4 * 1024 * 1024;
/// Links longer than this are flagged as too long for most chat apps.
pub const LONG_LINK_CHARS: usize = 8_000;

/// What a link carries: the diagram (with its run settings, traffic and timeline) and the
/// playback speed it was shared at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shared {
    /// The diagram.
    pub diagram: Diagram,
    /// The run bar's speed label when shared (`"1×"`, `"10×"`, …), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<String>,
}

/// A decoded link: what it held, and what restoring it had to drop or change.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    /// The diagram and settings.
    pub shared: Shared,
    /// What was repaired ("dropped component x: unknown kind 'mainframe'").
    pub repairs: Repairs,
}

/// What restoring a link repaired: the first [`Repairs::KEPT`] sentences, and how many more.
/// A hostile link can ask for a repair per component, parameter and wire; a person reads the
/// first few and the count, so only those are kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Repairs {
    kept: Vec<String>,
    more: usize,
}

impl Repairs {
    /// Sentences kept; the rest are only counted.
    pub const KEPT: usize = 20;

    /// Notes a repair; `sentence` is only built while fewer than [`Repairs::KEPT`] are kept.
    pub fn push(&mut self, sentence: impl FnOnce() -> String) {
        if self.kept.len() < Self::KEPT {
            self.kept.push(sentence());
        } else {
            self.more += 1;
        }
    }

    /// Whether nothing was repaired.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// How many repairs were made.
    pub fn len(&self) -> usize {
        self.kept.len() + self.more
    }

    /// The first repairs' sentences.
    pub fn kept(&self) -> &[String] {
        &self.kept
    }

    /// The sentences to show: those kept, then "… and N more repairs" if any were only counted.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = self.kept.clone();
        if self.more > 0 {
            lines.push(format!(
                "… and {} more repairs",
                crate::model::shown::thousands(self.more as u64)
            ));
        }
        lines
    }
}

/// Why a link could not be opened. The current diagram is never touched by a failed decode.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum LinkError {
    /// There is no `d=` diagram in the link.
    NoDiagram,
    /// The link names no version, or one this build does not know.
    UnknownVersion(String),
    /// The link comes from a newer Archplay.
    TooNew {
        /// Its version.
        found: u32,
    },
    /// The payload is longer than any real diagram's.
    TooLong(usize),
    /// The payload is not URL-safe base64 (it was cut or mangled when copied).
    NotBase64,
    /// The payload does not inflate (it was cut short or corrupted).
    Corrupted,
    /// The payload inflates to more than [`MAX_DOCUMENT_BYTES`].
    TooBig,
    /// The inflated payload is not a diagram envelope.
    NotADiagram(String),
    /// The diagram breaks the format's rules even after repair.
    Invalid(String),
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::NoDiagram => f.write_str("the link holds no diagram (no '#d=' part)"),
            LinkError::UnknownVersion(v) => write!(
                f,
                "the link's format '{v}' is not one this version of Archplay reads"
            ),
            LinkError::TooNew { found } => write!(
                f,
                "the link was made by a newer Archplay (link version {found}; this one reads up to {LINK_VERSION})"
            ),
            LinkError::TooLong(n) => write!(
                f,
                "the link is {n} characters long; at most {MAX_PAYLOAD_CHARS} are read"
            ),
            LinkError::NotBase64 => f.write_str(
                "the link is damaged: it has characters a share link never contains (was it cut or changed when copied?)",
            ),
            LinkError::Corrupted => f.write_str(
                "the link is damaged: its data does not unpack (was it cut short when copied?)",
            ),
            LinkError::TooBig => write!(
                f,
                "the link unpacks to more than {} MB, more than any diagram",
                MAX_DOCUMENT_BYTES / 1_048_576
            ),
            LinkError::NotADiagram(why) => write!(f, "the link does not hold a diagram: {why}"),
            LinkError::Invalid(why) => write!(f, "the link's diagram cannot be used: {why}"),
        }
    }
}

impl std::error::Error for LinkError {}

/// The fragment value for `shared`: `v1.<payload>`.
pub fn encode(shared: &Shared) -> String {
    let json = serde_json::to_vec(shared).expect("a diagram always serialises");
    let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
    format!("v{LINK_VERSION}.{}", URL_SAFE_NO_PAD.encode(packed))
}

/// A full link: `base` (the page's address, without a fragment) plus `#d=` and the payload.
pub fn link(base: &str, shared: &Shared) -> String {
    let base = base.split('#').next().unwrap_or(base);
    format!("{base}#d={}", encode(shared))
}

/// Finds the `v…` payload in a whole link, a fragment (`#d=…`, `d=…`) or the bare payload.
fn payload(text: &str) -> Result<&str, LinkError> {
    let text = text.trim();
    let fragment = match text.split_once('#') {
        Some((_, f)) => f,
        None => text,
    };
    if fragment.starts_with('v') {
        return Ok(fragment);
    }
    fragment
        .split('&')
        .find_map(|part| part.strip_prefix("d="))
        .ok_or(LinkError::NoDiagram)
}

/// Opens a link (whole, fragment or bare payload): checks the version, unpacks within the size
/// cap, repairs what it can and validates the result.
pub fn decode(text: &str) -> Result<Decoded, LinkError> {
    let payload = payload(text)?;
    if payload.len() > MAX_PAYLOAD_CHARS {
        return Err(LinkError::TooLong(payload.len()));
    }
    let (version, data) = payload
        .split_once('.')
        .ok_or_else(|| LinkError::UnknownVersion(payload.chars().take(12).collect()))?;
    match version
        .strip_prefix('v')
        .and_then(|n| n.parse::<u32>().ok())
    {
        Some(LINK_VERSION) => {}
        Some(found) if found > LINK_VERSION => return Err(LinkError::TooNew { found }),
        _ => {
            return Err(LinkError::UnknownVersion(
                version.chars().take(12).collect(),
            ));
        }
    }
    let packed = URL_SAFE_NO_PAD
        .decode(data.trim_end_matches('='))
        .map_err(|_| LinkError::NotBase64)?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_DOCUMENT_BYTES)
        .map_err(|e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => LinkError::TooBig,
            _ => LinkError::Corrupted,
        })?;
    // The lists' lengths before the tree: a 21 KB link of 300,000 components is refused
    // without the quarter gigabyte its parse would take.
    let lists = crate::model::lists::ListLengths::of_envelope(&json)
        .map_err(|e| LinkError::NotADiagram(e.to_string()))?;
    if let Some(why) = lists.over_limit() {
        return Err(LinkError::Invalid(format!("it has {why}")));
    }
    let value: serde_json::Value =
        serde_json::from_slice(&json).map_err(|e| LinkError::NotADiagram(e.to_string()))?;
    restore::restore(value)
}

/// What an address's fragment asks the page to open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fragment<'a> {
    /// Nothing to open.
    Nothing,
    /// A diagram packed into the link (`#d=v1.…`): [`decode`] it.
    Diagram,
    /// A shipped example by its file name (`#example=single-server`): short, readable links
    /// for course material that always open the current version of the example.
    Example(&'a str),
}

/// Reads a whole address or its fragment. A fragment naming both a diagram and an example opens
/// the diagram.
pub fn fragment(text: &str) -> Fragment<'_> {
    let Some((_, fragment)) = text.split_once('#') else {
        return Fragment::Nothing;
    };
    let parts = || fragment.split('&');
    if fragment.starts_with('v') || parts().any(|p| p.starts_with("d=")) {
        return Fragment::Diagram;
    }
    parts()
        .find_map(|p| p.strip_prefix("example="))
        .map_or(Fragment::Nothing, Fragment::Example)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Component, Kind, Wire};

    #[test]
    fn fragments_say_what_to_open() {
        assert_eq!(fragment("https://x.org/"), Fragment::Nothing);
        assert_eq!(fragment("#"), Fragment::Nothing);
        assert_eq!(fragment("#section-2"), Fragment::Nothing);
        assert_eq!(fragment("https://x.org/#d=v1.abc"), Fragment::Diagram);
        assert_eq!(fragment("#v1.abc"), Fragment::Diagram);
        assert_eq!(
            fragment("https://x.org/?embed=1#example=mm1"),
            Fragment::Example("mm1")
        );
        assert_eq!(
            fragment("#example=mm1&d=v1.abc"),
            Fragment::Diagram,
            "a packed diagram wins"
        );
        // The name is handed on as written; the page looks it up among the shipped examples.
        assert_eq!(fragment("#example="), Fragment::Example(""));
    }

    fn sample() -> Shared {
        let mut d = Diagram::new("Shared <b>bold</b> & more");
        d.components = vec![
            Component::new("users", Kind::Users).with("rate", 250.0),
            Component::new("web-1", Kind::WebServer).with_choice("size", "c8"),
        ];
        d.wires = vec![Wire::new("users", "web-1").latency(12.5)];
        d.run.seed = 42;
        d.traffic.rate_scale = 2.0;
        Shared {
            diagram: d,
            speed: Some("10×".into()),
        }
    }

    #[test]
    fn a_link_round_trips() {
        let s = sample();
        let l = link("https://example.org/archplay/?embed=1#old", &s);
        assert!(
            l.starts_with("https://example.org/archplay/?embed=1#d=v1."),
            "{l}"
        );
        let back = decode(&l).unwrap();
        assert_eq!(back.shared, s);
        assert!(back.repairs.is_empty());
        // The fragment alone and the bare payload decode the same.
        let fragment = &l[l.find('#').unwrap()..];
        assert_eq!(decode(fragment).unwrap().shared, s);
        assert_eq!(decode(&encode(&s)).unwrap().shared, s);
        // URL-safe: nothing a chat app or a URL parser would mangle.
        assert!(
            encode(&s)
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        );
    }

    #[test]
    fn links_compress() {
        let mut s = sample();
        for i in 2..=40 {
            let id = format!("web-{i}");
            s.diagram
                .components
                .push(Component::new(&id, Kind::WebServer));
        }
        let json = serde_json::to_string(&s).unwrap();
        let encoded = encode(&s);
        assert!(
            encoded.len() * 4 < json.len(),
            "{} characters for {} bytes of JSON",
            encoded.len(),
            json.len()
        );
    }
}
