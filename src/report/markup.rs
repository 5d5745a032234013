//! A tiny document model ([`Block`]) rendered both as Markdown and as a
//! self-contained HTML page, so the two reports say exactly the same thing.
//!
//! Inline text is plain, except that a `backticked` span is code and
//! `[text](file.csv)` is a link (Markdown's own syntax). Charts are
//! linked as PNG files in Markdown and inlined as SVG in HTML (no network,
//! no external files, printable).

use std::fmt::Write as _;

/// One block of the report.
#[derive(Clone, Debug)]
pub enum Block {
    /// A heading of level 1–3.
    Heading(u8, String),
    /// A paragraph.
    Para(String),
    /// A bulleted list.
    List(Vec<String>),
    /// A table: header cells and rows.
    Table(Vec<String>, Vec<Vec<String>>),
    /// A shell code block.
    Code(String),
    /// A chart: file stem, alt text/caption, and its SVG text.
    Chart {
        /// File stem (`timeline` → `timeline.png`).
        stem: String,
        /// Caption.
        caption: String,
        /// The SVG document.
        svg: String,
    },
}

/// The blocks as Markdown.
pub fn to_markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::Heading(level, text) => {
                let _ = writeln!(out, "{} {text}\n", "#".repeat(usize::from(*level)));
            }
            Block::Para(text) => {
                let _ = writeln!(out, "{text}\n");
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(out, "- {i}");
                }
                out.push('\n');
            }
            Block::Table(header, rows) => {
                let cells = |r: &[String]| {
                    r.iter()
                        .map(|c| c.replace('|', "\\|"))
                        .collect::<Vec<_>>()
                        .join(" | ")
                };
                let _ = writeln!(out, "| {} |", cells(header));
                let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
                for r in rows {
                    let _ = writeln!(out, "| {} |", cells(r));
                }
                out.push('\n');
            }
            Block::Code(text) => {
                let _ = writeln!(out, "```sh\n{}\n```\n", text.trim_end());
            }
            Block::Chart { stem, caption, .. } => {
                let _ = writeln!(out, "![{caption}]({stem}.png)\n\n*{caption}*\n");
            }
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

const STYLE: &str = "body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#111;line-height:1.45}\
table{border-collapse:collapse;margin:1em 0;font-size:0.92em}th,td{border:1px solid #bbb;padding:0.25em 0.6em;text-align:right}\
th:first-child,td:first-child{text-align:left}th{background:#f2f2f2}code,pre{font-family:monospace;background:#f6f6f6}\
pre{padding:0.6em;overflow-x:auto}figure{margin:1.5em 0;break-inside:avoid}figure svg{max-width:100%;height:auto;display:block}\
figcaption{font-size:0.9em;color:#333}@media print{body{max-width:none}h2{break-after:avoid}}";

/// The blocks as a self-contained HTML page titled `title`.
pub fn to_html(title: &str, blocks: &[Block]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(title)
    );
    for b in blocks {
        match b {
            Block::Heading(level, text) => {
                let _ = writeln!(out, "<h{level}>{}</h{level}>", inline(text));
            }
            Block::Para(text) => {
                let _ = writeln!(out, "<p>{}</p>", inline(text));
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for i in items {
                    let _ = writeln!(out, "<li>{}</li>", inline(i));
                }
                out.push_str("</ul>\n");
            }
            Block::Table(header, rows) => {
                out.push_str("<table>\n<thead><tr>");
                for h in header {
                    let _ = write!(out, "<th>{}</th>", inline(h));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for r in rows {
                    out.push_str("<tr>");
                    for c in r {
                        let _ = write!(out, "<td>{}</td>", inline(c));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
            Block::Code(text) => {
                let _ = writeln!(out, "<pre><code>{}</code></pre>", escape(text.trim_end()));
            }
            Block::Chart { stem, caption, svg } => {
                let _ = writeln!(
                    out,
                    "<figure id=\"fig-{stem}\" class=\"chart\">\n{}\n<figcaption>{}</figcaption>\n</figure>",
                    svg.trim_end(),
                    inline(caption)
                );
            }
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Escapes text, turns `backticked` spans into `<code>` and, outside
/// them, Markdown links `[text](target)` (a target without spaces, such as
/// a file beside the report) into `<a href>`.
fn inline(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in escape(s).split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            links(&mut out, part);
        }
    }
    out
}

/// Appends `text` (already escaped) with its `[text](target)` links as
/// anchors.
fn links(out: &mut String, mut text: &str) {
    while let Some(open) = text.find('[') {
        let rest = &text[open + 1..];
        let link = rest.find("](").and_then(|mid| {
            let target = &rest[mid + 2..];
            let end = target.find(')')?;
            let (label, href) = (&rest[..mid], &target[..end]);
            let plain = !label.contains(['[', ']']) && !href.is_empty();
            (plain && !href.contains(char::is_whitespace)).then_some((
                label,
                href,
                mid + 2 + end + 1,
            ))
        });
        match link {
            Some((label, href, used)) => {
                out.push_str(&text[..open]);
                let _ = write!(out, "<a href=\"{href}\">{label}</a>");
                text = &rest[used..];
            }
            None => {
                out.push_str(&text[..=open]);
                text = rest;
            }
        }
    }
    out.push_str(text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_renderers_show_the_same_table_and_code_spans() {
        let blocks = vec![
            Block::Heading(1, "T <1>".into()),
            Block::Table(
                vec!["a".into(), "b|c".into()],
                vec![vec!["`x`".into(), "2".into()]],
            ),
        ];
        let md = to_markdown(&blocks);
        assert!(md.contains("| a | b\\|c |\n|---|---|\n| `x` | 2 |"), "{md}");
        let html = to_html("t", &blocks);
        assert!(html.contains("<h1>T &lt;1&gt;</h1>"), "{html}");
        assert!(html.contains("<td><code>x</code></td>"), "{html}");
    }

    #[test]
    fn links_become_anchors_and_brackets_stay_text() {
        let blocks = vec![Block::Para(
            "full table in [points.csv](points.csv); `[a](b)` and width [s] (as is)".into(),
        )];
        let html = to_html("t", &blocks);
        assert!(
            html.contains(
                "<p>full table in <a href=\"points.csv\">points.csv</a>; <code>[a](b)</code> and width [s] (as is)</p>"
            ),
            "{html}"
        );
        assert!(to_markdown(&blocks).contains("[points.csv](points.csv)"));
    }
}
