//! The little markup a lesson's text may use: paragraphs separated by blank lines, `**bold**`
//! and `` `code` ``. Anything else is shown as written (the panel renders text, never HTML).

/// A run of text in one style.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// The text.
    pub text: String,
    /// Inside `**…**`.
    pub bold: bool,
    /// Inside `` `…` ``.
    pub code: bool,
}

/// Splits `text` into paragraphs of styled spans. An unclosed marker is shown as written.
pub fn paragraphs(text: &str) -> Vec<Vec<Span>> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(spans)
        .collect()
}

fn spans(paragraph: &str) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut push = |text: &str, bold: bool, code: bool| {
        if !text.is_empty() {
            out.push(Span {
                text: text.replace('\n', " "),
                bold,
                code,
            });
        }
    };
    let mut rest = paragraph;
    loop {
        let bold = rest.find("**");
        let code = rest.find('`');
        let (at, marker) = match (bold, code) {
            (Some(b), Some(c)) if c < b => (c, "`"),
            (Some(b), _) => (b, "**"),
            (None, Some(c)) => (c, "`"),
            (None, None) => break,
        };
        let after = &rest[at + marker.len()..];
        let Some(end) = after.find(marker) else {
            break;
        };
        push(&rest[..at], false, false);
        push(&after[..end], marker == "**", marker == "`");
        rest = &after[end + marker.len()..];
    }
    push(rest, false, false);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(t: &str) -> Span {
        Span {
            text: t.into(),
            bold: false,
            code: false,
        }
    }

    #[test]
    fn markup_is_read_and_the_rest_kept() {
        let p =
            paragraphs("A **bold** move with `ttl_s`.\n\nSecond\nline, 2 ** 3 and a lone `tick");
        assert_eq!(p.len(), 2);
        assert_eq!(
            p[0],
            vec![
                plain("A "),
                Span {
                    text: "bold".into(),
                    bold: true,
                    code: false
                },
                plain(" move with "),
                Span {
                    text: "ttl_s".into(),
                    bold: false,
                    code: true
                },
                plain("."),
            ]
        );
        assert_eq!(p[1], vec![plain("Second line, 2 ** 3 and a lone `tick")]);
        assert!(paragraphs("\n\n  \n\n").is_empty());
    }
}
