//! How long a document's lists are, counted before the document is built.
//!
//! A 21 KB link can inflate to 300,000 one-line components: parsed into a JSON tree that is a
//! quarter of a gigabyte and a long frame before any limit is looked at. This reads the JSON
//! once without keeping anything (serde's `IgnoredAny` for every value), counts the
//! `components`, `wires` and `timeline` arrays, and reports syntax errors as the full parse
//! would, so the limits are checked first and a document over them is never built.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, Deserialize, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::validate::{MAX_COMPONENTS, MAX_TIMELINE, MAX_WIRES};

/// Accepts every JSON scalar as `$value`.
macro_rules! scalars {
    ($value:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
}

/// The lengths of a document's lists (0 for a list that is missing or not an array). A key
/// given twice counts at its longest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListLengths {
    /// `components`.
    pub components: usize,
    /// `wires`.
    pub wires: usize,
    /// `timeline`.
    pub timeline: usize,
}

impl ListLengths {
    /// Counts the lists of the diagram document `json`.
    pub fn of_diagram(json: &[u8]) -> Result<ListLengths, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_slice(json);
        let lists = (&mut de).deserialize_any(Lists { nested: false })?;
        de.end()?;
        Ok(lists)
    }

    /// Counts the lists of the diagram inside a share link's envelope (`{"diagram": …}`).
    pub fn of_envelope(json: &[u8]) -> Result<ListLengths, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_slice(json);
        let lists = (&mut de).deserialize_any(Lists { nested: true })?;
        de.end()?;
        Ok(lists)
    }

    /// The first list longer than the format allows, as "300,000 components; at most 2,000
    /// are allowed".
    pub fn over_limit(&self) -> Option<String> {
        [
            (self.components, "components", MAX_COMPONENTS),
            (self.wires, "wires", MAX_WIRES),
            (self.timeline, "timeline entries", MAX_TIMELINE),
        ]
        .into_iter()
        .find(|(n, _, max)| n > max)
        .map(|(n, what, max)| {
            format!(
                "{} {what}; at most {} are allowed",
                super::shown::thousands(n as u64),
                super::shown::thousands(max as u64)
            )
        })
    }

    fn longest(self, other: ListLengths) -> ListLengths {
        ListLengths {
            components: self.components.max(other.components),
            wires: self.wires.max(other.wires),
            timeline: self.timeline.max(other.timeline),
        }
    }
}

/// Visits a document (or, `nested`, an envelope holding one under `diagram`).
struct Lists {
    nested: bool,
}

impl<'de> Visitor<'de> for Lists {
    type Value = ListLengths;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ListLengths, A::Error> {
        let mut lists = ListLengths::default();
        while let Some(key) = map.next_key::<Key>()? {
            match (self.nested, key) {
                (true, Key::Diagram) => {
                    let inner = map.next_value_seed(Lists { nested: false })?;
                    lists = lists.longest(inner);
                }
                (false, Key::Components) => {
                    lists.components = lists.components.max(map.next_value::<Count>()?.0);
                }
                (false, Key::Wires) => lists.wires = lists.wires.max(map.next_value::<Count>()?.0),
                (false, Key::Timeline) => {
                    lists.timeline = lists.timeline.max(map.next_value::<Count>()?.0);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(lists)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ListLengths, A::Error> {
        IgnoredAny.visit_seq(seq)?;
        Ok(ListLengths::default())
    }

    scalars!(ListLengths::default());
}

impl<'de> de::DeserializeSeed<'de> for Lists {
    type Value = ListLengths;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ListLengths, D::Error> {
        d.deserialize_any(self)
    }
}

/// The keys the probe looks at; every other key is skipped without being kept.
enum Key {
    Diagram,
    Components,
    Wires,
    Timeline,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "diagram" => Key::Diagram,
                    "components" => Key::Components,
                    "wires" => Key::Wires,
                    "timeline" => Key::Timeline,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// An array's length (0 for anything else), its elements skipped.
struct Count(usize);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Count, D::Error> {
        d.deserialize_any(CountVisitor)
    }
}

struct CountVisitor;

impl<'de> Visitor<'de> for CountVisitor {
    type Value = Count;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Count, A::Error> {
        let mut n = 0;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            n += 1;
        }
        Ok(Count(n))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Count, A::Error> {
        IgnoredAny.visit_map(map)?;
        Ok(Count(0))
    }

    scalars!(Count(0));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_lists_without_building_them() {
        let doc =
            br#"{"name": "x", "components": [{"id": "a"}, {"id": "b", "params": {"x": [1, 2]}}],
            "wires": [], "timeline": {"not": "a list"}, "extra": [[1], [2]]}"#;
        assert_eq!(
            ListLengths::of_diagram(doc).unwrap(),
            ListLengths {
                components: 2,
                wires: 0,
                timeline: 0
            }
        );
        let envelope = br#"{"speed": "1x", "diagram": {"wires": [1, 2, 3]}}"#;
        assert_eq!(ListLengths::of_envelope(envelope).unwrap().wires, 3);
        // A key given twice counts at its longest, whichever comes last.
        let twice = br#"{"components": [1, 2, 3], "components": []}"#;
        assert_eq!(ListLengths::of_diagram(twice).unwrap().components, 3);
        // Anything that is not an object has no lists; bad JSON is an error, as it would be.
        assert_eq!(
            ListLengths::of_diagram(b"[1, 2]").unwrap(),
            ListLengths::default()
        );
        assert_eq!(
            ListLengths::of_diagram(b"7").unwrap(),
            ListLengths::default()
        );
        assert!(ListLengths::of_diagram(br#"{"components": [1, "#).is_err());
        assert!(ListLengths::of_diagram(b"{} x").is_err());
    }

    #[test]
    fn says_which_list_is_too_long() {
        let ok = ListLengths {
            components: MAX_COMPONENTS,
            wires: MAX_WIRES,
            timeline: MAX_TIMELINE,
        };
        assert_eq!(ok.over_limit(), None);
        let long = ListLengths {
            components: 300_000,
            ..ok
        };
        assert_eq!(
            long.over_limit().as_deref(),
            Some("300,000 components; at most 2,000 are allowed")
        );
        let wires = ListLengths {
            wires: MAX_WIRES + 1,
            ..ok
        };
        assert_eq!(
            wires.over_limit().as_deref(),
            Some("10,001 wires; at most 10,000 are allowed")
        );
    }
}
