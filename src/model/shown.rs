//! Showing text that came from someone else's file or link: names, ids, kinds, choice values.
//!
//! Such text may hold control characters (ESC starts a terminal escape sequence that can set a
//! window title, clear the screen or overwrite a line; CR rewinds a line so a forged one can be
//! printed over it; bidirectional overrides reorder what a reader sees) and may be megabytes
//! long. Everything shown to a person goes through [`escape_controls`], and anything quoted in a
//! message through [`quoted`], which also shortens it.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Longest quotation of input in a message, in characters.
pub const QUOTE_CHARS: usize = 80;

/// Whether `ch` must not reach a terminal or a reader raw: C0 controls other than newline,
/// DEL, C1 controls (U+0080–U+009F: 8-bit escape sequences), and the Unicode controls that
/// reorder or hide text (bidirectional embeddings, overrides and isolates, the line and
/// paragraph separators).
pub fn is_unsafe(ch: char) -> bool {
    (ch.is_control() && ch != '\n')
        || matches!(ch, '\u{200E}' | '\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character ([`is_unsafe`]) written as a visible escape: `\x1b`,
/// `\r`, `\t`, `\u{202e}`. Newlines are kept. Borrows when there is nothing to escape.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        push_escaped(&mut out, ch);
    }
    Cow::Owned(out)
}

fn push_escaped(out: &mut String, ch: char) {
    match ch {
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_unsafe(c) && (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if is_unsafe(c) => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// `text` fit to quote in a one-line message: unsafe characters and newlines escaped, and cut to
/// [`QUOTE_CHARS`] characters with the length said ("abc…" then "(70,000 characters)").
pub fn quoted(text: &str) -> String {
    quoted_to(text, QUOTE_CHARS)
}

/// [`quoted`] with a chosen length.
pub fn quoted_to(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut cut = false;
    for (count, ch) in text.chars().enumerate() {
        if count == max_chars {
            cut = true;
            break;
        }
        if ch == '\n' {
            out.push_str("\\n");
        } else {
            push_escaped(&mut out, ch);
        }
    }
    if cut {
        let total = text.chars().count();
        let _ = write!(out, "… ({} characters)", thousands(total as u64));
    }
    out
}

/// `n` with thousands separated by commas: 299980 → "299,980".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// Lines of a list shown to a person: the first `shown`, then "… and N more" for the rest.
pub fn first_lines<I>(lines: I, shown: usize) -> Vec<String>
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let mut out = Vec::new();
    let mut more = 0u64;
    for line in lines {
        if out.len() < shown {
            out.push(line.as_ref().to_string());
        } else {
            more += 1;
        }
    }
    if more > 0 {
        out.push(format!("… and {} more", thousands(more)));
    }
    out
}

/// "the diagram has 3 problems:" and the problems, one per line (the first 20, then a count):
/// how a document that fails validation is described, whatever kind of document it is.
pub fn problems_paragraph<T: std::fmt::Display>(document: &str, problems: &[T]) -> String {
    let n = problems.len();
    let mut out = format!(
        "the {document} has {} problem{}:",
        thousands(n as u64),
        if n == 1 { "" } else { "s" }
    );
    for line in first_lines(problems.iter().map(ToString::to_string), 20) {
        let _ = write!(out, "\n  - {line}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_plain_text_is_borrowed() {
        assert!(matches!(escape_controls("web-1 → db"), Cow::Borrowed(_)));
        assert_eq!(escape_controls("a\nb"), "a\nb", "newlines stay");
        assert_eq!(
            escape_controls("\x1b]0;pwned\x07x\ry\tz\u{7f}\u{9b}2J"),
            "\\x1b]0;pwned\\x07x\\ry\\tz\\x7f\\x9b2J"
        );
        assert_eq!(
            escape_controls("a\u{202e}b\u{2066}"),
            "a\\u{202e}b\\u{2066}"
        );
        let escaped = escape_controls("\x1b[2J\x1b[H0 errors\r");
        assert!(!escaped.chars().any(is_unsafe), "{escaped}");
    }

    #[test]
    fn quotations_are_one_short_line() {
        assert_eq!(quoted("web-1"), "web-1");
        assert_eq!(quoted("a\nb\x1b"), "a\\nb\\x1b");
        let long = "x".repeat(70_000);
        let q = quoted(&long);
        assert!(q.starts_with(&"x".repeat(QUOTE_CHARS)), "{q}");
        assert!(q.ends_with("… (70,000 characters)"), "{q}");
        assert!(q.chars().count() < QUOTE_CHARS + 30);
        // Cut by characters, never inside one.
        assert_eq!(quoted_to("ééé", 2), "éé… (3 characters)");
    }

    #[test]
    fn long_lists_are_summarised() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(299_980), "299,980");
        assert_eq!(thousands(1_234_567), "1,234,567");
        let lines = first_lines((0..300_000).map(|i| format!("line {i}")), 20);
        assert_eq!(lines.len(), 21);
        assert_eq!(lines[19], "line 19");
        assert_eq!(lines[20], "… and 299,980 more");
        assert_eq!(first_lines(["a", "b"], 20), ["a", "b"]);
        assert_eq!(
            problems_paragraph("lesson", &["x"]),
            "the lesson has 1 problem:\n  - x"
        );
        let many = problems_paragraph("diagram", &vec!["p"; 1_998]);
        assert!(
            many.starts_with("the diagram has 1,998 problems:\n  - p"),
            "{many}"
        );
        assert!(many.ends_with("\n  - … and 1,978 more"), "{many}");
    }
}
