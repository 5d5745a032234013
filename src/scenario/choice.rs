//! Raw values that take one of several JSON shapes: a workload `pattern`
//! (a name or a one-key object), a `retain` policy (an integer or a one-key
//! object) and snapshot `tags` (an ordered string map). Their `Deserialize`
//! is written by hand so errors keep their JSON path and say which shapes
//! are allowed; their JSON Schema is derived from the `#[serde(untagged)]`
//! description below.

use super::quantity::{DurationText, SizeText};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

const PATTERN_FORMS: &str = "use \"uniform\", \"sequential\", {\"sequential\": {\"start\": \"1GiB\"}}, {\"zipf\": {\"exponent\": 1.1}} or {\"hotspot\": {\"io_percent\": 90, \"space_percent\": 10}}";

/// Spatial pattern of a stream: `"uniform"`, `"sequential"` or an object.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum RawPattern {
    /// `"uniform"` or `"sequential"` (from offset 0).
    Name(PatternName),
    /// A pattern with parameters.
    Object(PatternObject),
}

/// Patterns written as a bare name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PatternName {
    /// Every aligned offset equally likely.
    Uniform,
    /// Append from the region start, wrapping at its end.
    Sequential,
}

/// Patterns written as a one-key object.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum PatternObject {
    /// Append from `start`, wrapping at the region's end.
    Sequential {
        /// Offset of the first IO relative to the region start; less than the
        /// region length. Default "0B".
        start: Option<SizeText>,
    },
    /// Blocks ranked by a Zipf law, hot blocks scattered over the region.
    Zipf {
        /// Zipf exponent; greater than 0.
        exponent: f64,
    },
    /// `io_percent` % of IOs go to the first `space_percent` % of the region.
    Hotspot {
        /// Share of IOs aimed at the hot part [%], strictly between 0 and 100.
        io_percent: f64,
        /// Share of the region that is hot [%], strictly between 0 and 100.
        space_percent: f64,
    },
}

struct PatternVisitor;

impl<'de> Visitor<'de> for PatternVisitor {
    type Value = RawPattern;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a pattern; {PATTERN_FORMS}")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawPattern, E> {
        match v {
            "uniform" => Ok(RawPattern::Name(PatternName::Uniform)),
            "sequential" => Ok(RawPattern::Name(PatternName::Sequential)),
            _ => Err(E::custom(format!(
                "unknown pattern \"{v}\"; {PATTERN_FORMS}"
            ))),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawPattern, A::Error> {
        PatternObject::deserialize(MapAccessDeserializer::new(map)).map(RawPattern::Object)
    }
}

impl<'de> Deserialize<'de> for RawPattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PatternVisitor)
    }
}

/// Retention: an integer N (keep the last N) or a one-key object.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum RawRetain {
    /// Keep the newest N completed snapshots; N ≥ 1.
    Count(u32),
    /// A policy object.
    Policy(RetainPolicy),
}

/// Retention written as a one-key object.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RetainPolicy {
    /// Keep the newest N completed snapshots; N ≥ 1.
    Last(u32),
    /// Delete snapshots whose point in time is older than this; more than 0.
    /// The newest completed snapshot is always kept.
    MaxAge(DurationText),
}

struct RetainVisitor;

const RETAIN_FORMS: &str =
    "use a whole number N ≥ 1 such as 24, {\"last\": 24} or {\"max_age\": \"30d\"}";

impl<'de> Visitor<'de> for RetainVisitor {
    type Value = RawRetain;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a retention policy; {RETAIN_FORMS}")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawRetain, E> {
        u32::try_from(v)
            .map(RawRetain::Count)
            .map_err(|_| E::custom(format!("retain {v} is too large; {RETAIN_FORMS}")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawRetain, E> {
        match u64::try_from(v) {
            Ok(u) => self.visit_u64(u),
            Err(_) => Err(E::custom(format!("retain {v} is negative; {RETAIN_FORMS}"))),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawRetain, A::Error> {
        RetainPolicy::deserialize(MapAccessDeserializer::new(map)).map(RawRetain::Policy)
    }
}

impl<'de> Deserialize<'de> for RawRetain {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RetainVisitor)
    }
}

/// Snapshot tags: a JSON object of strings, kept in file order. Duplicate
/// keys are refused.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawTags(pub Vec<(String, String)>);

struct TagsVisitor;

impl<'de> Visitor<'de> for TagsVisitor {
    type Value = RawTags;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of string tags, e.g. {\"team\": \"db\"}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawTags, A::Error> {
        let mut tags: Vec<(String, String)> = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, String>()? {
            if tags.iter().any(|(k, _)| *k == key) {
                return Err(de::Error::custom(format!(
                    "tag \"{key}\" is given twice; keep only one"
                )));
            }
            tags.push((key, value));
        }
        Ok(RawTags(tags))
    }
}

impl<'de> Deserialize<'de> for RawTags {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(TagsVisitor)
    }
}

impl JsonSchema for RawTags {
    fn schema_name() -> Cow<'static, str> {
        "Tags".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "description": "Tags copied onto every snapshot, in file order.",
            "additionalProperties": { "type": "string" },
            "examples": [{ "team": "db", "tier": "gold" }],
        })
    }
}
