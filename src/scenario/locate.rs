//! Where a JSON path is in a scenario's text, for semantic errors: the
//! validator works on parsed values, which no longer know their line and
//! column, so an error's path (`volumes[0].performance.channels`) is looked
//! up again in the text it came from.
//!
//! The lookup is a small JSON scanner that follows the path's keys and
//! indices ([`JsonPath`] syntax; paths it cannot parse get no location). When the path's last keys are absent (an error about a missing
//! or defaulted value), it gives the position of the nearest enclosing value
//! that is present. The text has already parsed as JSON when this runs; on
//! anything unexpected it gives up (`None`) rather than guess.

use super::error::Location;
use super::json_path::{JsonPath, Segment};

/// The scanner over the text's bytes.
struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scan<'_> {
    fn ws(&mut self) {
        while self.b.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    /// A string starting at the cursor; returns its decoded text.
    fn string(&mut self) -> Option<String> {
        self.ws();
        let start = self.i;
        if self.b.get(self.i) != Some(&b'"') {
            return None;
        }
        self.i += 1;
        while let Some(&c) = self.b.get(self.i) {
            self.i += 1;
            match c {
                b'\\' => self.i += 1,
                b'"' => {
                    let raw = std::str::from_utf8(&self.b[start..self.i]).ok()?;
                    return serde_json::from_str(raw).ok();
                }
                _ => {}
            }
        }
        None
    }

    /// Skips one value of any kind.
    fn skip(&mut self) -> Option<()> {
        self.ws();
        match *self.b.get(self.i)? {
            b'"' => self.string().map(|_| ()),
            b'{' | b'[' => {
                let mut depth = 0usize;
                while let Some(&c) = self.b.get(self.i) {
                    match c {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
                None
            }
            _ => {
                while self
                    .b
                    .get(self.i)
                    .is_some_and(|c| !matches!(c, b',' | b'}' | b']') && !c.is_ascii_whitespace())
                {
                    self.i += 1;
                }
                Some(())
            }
        }
    }

    /// Follows `path` from the value at the cursor; returns the offset of
    /// the deepest value reached.
    fn follow(&mut self, path: &[Segment]) -> Option<usize> {
        self.ws();
        let here = self.i;
        let Some((step, rest)) = path.split_first() else {
            return Some(here);
        };
        match (step, self.b.get(self.i)) {
            (Segment::Key(want), Some(b'{')) => {
                self.i += 1;
                if self.eat(b'}').is_some() {
                    return Some(here);
                }
                loop {
                    let key = self.string()?;
                    self.eat(b':')?;
                    if key == *want {
                        return self.follow(rest);
                    }
                    self.skip()?;
                    if self.eat(b',').is_none() {
                        return Some(here);
                    }
                }
            }
            (Segment::Index(want), Some(b'[')) => {
                self.i += 1;
                if self.eat(b']').is_some() {
                    return Some(here);
                }
                for k in 0.. {
                    if k == *want {
                        return self.follow(rest);
                    }
                    self.skip()?;
                    if self.eat(b',').is_none() {
                        return Some(here);
                    }
                }
                None
            }
            _ => Some(here),
        }
    }
}

/// Line and column (1-based, in characters) of the value at `path` in
/// `text`, or of the nearest enclosing value present.
pub(crate) fn locate(text: &str, path: &str) -> Option<Location> {
    let parsed;
    let steps = if path == "(top level)" {
        &[][..]
    } else {
        parsed = JsonPath::parse(path).ok()?;
        parsed.segments()
    };
    let at = Scan {
        b: text.as_bytes(),
        i: 0,
    }
    .follow(steps)?;
    let before = text.get(..at)?;
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some(Location { line, column })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"{
  "name": "x",
  "volumes": [
    { "name": "a", "size": "1TiB" },
    {
      "name": "b \"q\"",
      "performance": { "channels": 0, "snapshot_reads": {"weight": -1} },
      "tags": ["[x]", {"k": 1}]
    }
  ],
  "sweep": { "grid": { "volumes[0].size": ["1TiB", "2TiB", "3TiB"] } }
}"#;

    fn at(path: &str) -> (usize, usize) {
        let l = locate(TEXT, path).unwrap();
        (l.line, l.column)
    }

    #[test]
    fn finds_values_by_path() {
        assert_eq!(at("(top level)"), (1, 1));
        assert_eq!(at("name"), (2, 11));
        assert_eq!(at("volumes[0].size"), (4, 28));
        assert_eq!(at("volumes[1].performance.channels"), (7, 36));
        assert_eq!(at("volumes[1].performance.snapshot_reads.weight"), (7, 68));
        assert_eq!(at("volumes[1].tags[1].k"), (8, 29));
    }

    #[test]
    fn an_absent_key_points_at_the_nearest_value_present() {
        assert_eq!(at("volumes[0].iops"), (4, 5));
        assert_eq!(at("volumes[7].size"), (3, 14));
        assert_eq!(at("volumes[1].performance.base_latency.median"), (7, 22));
    }

    #[test]
    fn odd_paths_give_up() {
        assert_eq!(locate(TEXT, "volumes[x]"), None);
        assert_eq!(locate(TEXT, "volumes[0"), None);
    }
}
