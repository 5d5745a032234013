//! Scenario JSON paths such as `volumes[0].workload.writes.rate`: parsing,
//! and reading or replacing the value a path names inside a scenario's
//! `serde_json::Value`. Sweeps use them to name the parameter they vary.
//!
//! The syntax is the one error messages use (serde_path_to_error's): object
//! keys joined by `.`, array indices in brackets. A path only ever names a
//! value that already exists; it never creates keys or grows arrays.

use serde_json::Value;
use std::fmt;

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// An object key.
    Key(String),
    /// An array index, 0-based.
    Index(usize),
}

/// A parsed path; displays exactly as written in canonical form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonPath {
    segments: Vec<Segment>,
}

impl JsonPath {
    /// Parses `text`.
    ///
    /// # Errors
    /// A message saying what is malformed, for example an empty key, an
    /// unclosed bracket or a non-numeric index.
    pub fn parse(text: &str) -> Result<JsonPath, String> {
        let example = "write keys joined by '.' and array indices in brackets, e.g. \"volumes[0].workload.writes.rate\"";
        let mut segments = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut expect_key = true;
        while i < bytes.len() {
            match bytes[i] {
                b'[' => {
                    let close = text[i..]
                        .find(']')
                        .map(|c| i + c)
                        .ok_or_else(|| format!("unclosed '[' in \"{text}\"; {example}"))?;
                    let digits = &text[i + 1..close];
                    let index = digits
                        .parse::<usize>()
                        .ok()
                        .filter(|_| digits.bytes().all(|b| b.is_ascii_digit()))
                        .ok_or_else(|| {
                            format!(
                                "index \"{digits}\" in \"{text}\" is not a whole number; {example}"
                            )
                        })?;
                    if segments.is_empty() {
                        return Err(format!("\"{text}\" must start with a key; {example}"));
                    }
                    segments.push(Segment::Index(index));
                    i = close + 1;
                    expect_key = false;
                }
                b'.' if !expect_key => {
                    i += 1;
                    expect_key = true;
                }
                _ if expect_key || segments.is_empty() => {
                    let end = text[i..]
                        .find(['.', '['])
                        .map(|e| i + e)
                        .unwrap_or(text.len());
                    let key = &text[i..end];
                    if key.is_empty()
                        || !key
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                    {
                        return Err(format!(
                            "key \"{key}\" in \"{text}\" is not valid; {example}"
                        ));
                    }
                    segments.push(Segment::Key(key.to_string()));
                    i = end;
                    expect_key = false;
                }
                _ => {
                    return Err(format!(
                        "unexpected '{}' in \"{text}\"; {example}",
                        &text[i..=i]
                    ))
                }
            }
        }
        if segments.is_empty() || expect_key {
            return Err(format!("\"{text}\" is empty or ends with '.'; {example}"));
        }
        Ok(JsonPath { segments })
    }

    /// The steps of the path.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The top-level key the path starts with.
    pub fn root_key(&self) -> &str {
        match &self.segments[0] {
            Segment::Key(k) => k,
            // `parse` refuses paths that start with an index.
            Segment::Index(_) => "",
        }
    }

    /// The value at this path in `doc`, if every step exists.
    pub fn get<'a>(&self, doc: &'a Value) -> Option<&'a Value> {
        let mut v = doc;
        for s in &self.segments {
            v = match s {
                Segment::Key(k) => v.as_object()?.get(k)?,
                Segment::Index(i) => v.as_array()?.get(*i)?,
            };
        }
        Some(v)
    }

    /// Replaces the value at this path in `doc`; returns false (and changes
    /// nothing) if the path does not exist.
    pub fn set(&self, doc: &mut Value, value: Value) -> bool {
        let mut v = doc;
        for s in &self.segments {
            let next = match s {
                Segment::Key(k) => v.as_object_mut().and_then(|o| o.get_mut(k)),
                Segment::Index(i) => v.as_array_mut().and_then(|a| a.get_mut(*i)),
            };
            match next {
                Some(n) => v = n,
                None => return false,
            }
        }
        *v = value;
        true
    }

    /// The longest prefix of the path that exists in `doc`, displayed; for
    /// error messages.
    pub fn existing_prefix(&self, doc: &Value) -> String {
        let mut best = JsonPath { segments: vec![] };
        for n in 1..=self.segments.len() {
            let p = JsonPath {
                segments: self.segments[..n].to_vec(),
            };
            if p.get(doc).is_none() {
                break;
            }
            best = p;
        }
        if best.segments.is_empty() {
            "(top level)".to_string()
        } else {
            best.to_string()
        }
    }

    /// Whether an error reported at `other` (a displayed path) concerns the
    /// value at this path or something inside it.
    pub fn covers(&self, other: &str) -> bool {
        let me = self.to_string();
        other == me
            || other
                .strip_prefix(&me)
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, s) in self.segments.iter().enumerate() {
            match s {
                Segment::Key(k) if n == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_gets_and_sets() {
        let p = JsonPath::parse("volumes[0].workload.writes.rate").unwrap();
        assert_eq!(p.to_string(), "volumes[0].workload.writes.rate");
        let mut doc = json!({"volumes": [{"workload": {"writes": {"rate": "1/s"}}}]});
        assert_eq!(p.get(&doc), Some(&json!("1/s")));
        assert!(p.set(&mut doc, json!("2/s")));
        assert_eq!(p.get(&doc), Some(&json!("2/s")));
        let q = JsonPath::parse("volumes[1].size").unwrap();
        assert!(!q.set(&mut doc, json!(1)));
        assert_eq!(q.existing_prefix(&doc), "volumes");
        assert!(p.covers("volumes[0].workload.writes.rate"));
        assert!(JsonPath::parse("volumes[0]")
            .unwrap()
            .covers("volumes[0].size"));
        assert!(!JsonPath::parse("volumes[1]")
            .unwrap()
            .covers("volumes[10].size"));
    }

    #[test]
    fn refuses_malformed_paths() {
        for bad in ["", "a.", ".a", "a..b", "a[", "a[x]", "[0]", "a b", "a[-1]"] {
            assert!(JsonPath::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
