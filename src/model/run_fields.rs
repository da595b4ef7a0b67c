//! What the run bar's fields accept, said in each field's own words.
//!
//! The diagram's validation speaks the format's language ("duration 0 s is outside (0, 604800]
//! s", "rate scale -1 is outside 0–1000"); a person typing into a field labelled "Length (s)"
//! or "Traffic ×" needs to hear about *that* field, what it means and what it takes.

use super::shown::{quoted, thousands};
use super::validate::{MAX_CHAOS_PER_HOUR, MAX_DURATION_S};

/// Highest traffic multiplier.
pub const MAX_TRAFFIC: f64 = 1_000.0;

/// A field of the run bar that takes a typed value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunField {
    /// The run's length in simulated seconds.
    Length,
    /// The random seed.
    Seed,
    /// The multiplier on every users component's rate.
    Traffic,
    /// Chaos-monkey kills an hour.
    Chaos,
}

impl RunField {
    /// The field's label, as on screen.
    pub fn label(self) -> &'static str {
        match self {
            RunField::Length => "Length (s)",
            RunField::Seed => "Seed",
            RunField::Traffic => "Traffic ×",
            RunField::Chaos => "Chaos /h",
        }
    }

    /// What `text` typed into the field means, or why the field cannot take it. The field's
    /// unit may be typed after the number ("90 s", "2×", "30/h").
    pub fn parse(self, text: &str) -> Result<f64, String> {
        let unit = match self {
            RunField::Length => "s",
            RunField::Seed => "",
            RunField::Traffic => "×",
            RunField::Chaos => "/h",
        };
        let bare = text.trim().trim_end_matches(unit).trim();
        let typed = quoted(text.trim());
        let (range_ok, rule): (fn(f64) -> bool, String) = match self {
            RunField::Length => (
                |x| x > 0.0 && x <= MAX_DURATION_S,
                format!(
                    "simulated seconds, more than 0 and at most {} (a week)",
                    thousands(MAX_DURATION_S as u64)
                ),
            ),
            RunField::Seed => (
                |x| x >= 0.0 && x.fract() == 0.0,
                "a whole number from 0".to_string(),
            ),
            RunField::Traffic => (
                |x| (0.0..=MAX_TRAFFIC).contains(&x),
                format!(
                    "how many times the users' rates, from 0 to {}",
                    thousands(MAX_TRAFFIC as u64)
                ),
            ),
            RunField::Chaos => (
                |x| (0.0..=MAX_CHAOS_PER_HOUR).contains(&x),
                format!(
                    "instance kills an hour, from 0 (off) to {}",
                    thousands(MAX_CHAOS_PER_HOUR as u64)
                ),
            ),
        };
        let refuse = || format!("{} takes {rule}, not “{typed}”", self.label());
        if self == RunField::Seed {
            // Whole numbers beyond 2⁵³ are exact only as integers.
            return bare.parse::<u64>().map(|s| s as f64).map_err(|_| refuse());
        }
        match bare.parse::<f64>() {
            Ok(x) if x.is_finite() && range_ok(x) => Ok(x),
            _ => Err(refuse()),
        }
    }

    /// A seed typed into the Seed field.
    pub fn parse_seed(text: &str) -> Result<u64, String> {
        text.trim()
            .parse::<u64>()
            .map_err(|_| RunField::Seed.parse(text).err().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_values_are_read_with_or_without_their_unit() {
        assert_eq!(RunField::Length.parse("90"), Ok(90.0));
        assert_eq!(RunField::Length.parse(" 90 s "), Ok(90.0));
        assert_eq!(RunField::Traffic.parse("2.5×"), Ok(2.5));
        assert_eq!(RunField::Traffic.parse("0"), Ok(0.0));
        assert_eq!(RunField::Chaos.parse("30/h"), Ok(30.0));
        assert_eq!(RunField::parse_seed("18446744073709551615"), Ok(u64::MAX));
    }

    #[test]
    fn bad_values_are_refused_in_the_fields_own_words() {
        assert_eq!(
            RunField::Length.parse("abc").unwrap_err(),
            "Length (s) takes simulated seconds, more than 0 and at most 604,800 (a week), not “abc”"
        );
        assert!(
            RunField::Length
                .parse("0")
                .unwrap_err()
                .contains("more than 0")
        );
        assert!(RunField::Length.parse("1e9").is_err());
        assert!(RunField::Length.parse("NaN").is_err());
        assert_eq!(
            RunField::Traffic.parse("-1").unwrap_err(),
            "Traffic × takes how many times the users' rates, from 0 to 1,000, not “-1”"
        );
        assert!(RunField::Chaos.parse("inf").is_err());
        assert_eq!(
            RunField::parse_seed("-1").unwrap_err(),
            "Seed takes a whole number from 0, not “-1”"
        );
        assert!(RunField::parse_seed("1.5").is_err());
        // No double spaces, and what was typed is quoted briefly.
        let long = RunField::Traffic.parse(&"9".repeat(500)).unwrap_err();
        assert!(!long.contains("  ") && long.len() < 250, "{long}");
    }
}
