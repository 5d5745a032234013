//! Unit-bearing values of the raw format: a string such as `"90s"` parsed
//! while the file is read, so a bad unit is reported with its JSON path, line
//! and column. Each keeps the text as written for later messages, and has a
//! hand-written JSON Schema (type string, pattern, description, examples).

use super::error::UnitError;
use super::units;
use crate::engine::SimDuration;
use crate::model::units::{Bandwidth, Bytes, Frequency};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// One kind of unit-bearing quantity: how it is parsed and described.
pub trait UnitKind {
    /// The parsed value.
    type Value: Copy + fmt::Debug + PartialEq;
    /// Name in messages: `duration`, `size`, …
    const NAME: &'static str;
    /// Name of the schema definition.
    const SCHEMA_NAME: &'static str;
    /// Schema description.
    const DESCRIPTION: &'static str;
    /// Schema pattern (a regular expression the text matches).
    const PATTERN: &'static str;
    /// Schema examples.
    const EXAMPLES: &'static [&'static str];
    /// Suffix that turns a bare number into a valid example (`s`, `B`, …).
    const NUMBER_SUFFIX: &'static str;
    /// Parses the text.
    fn parse(text: &str) -> Result<Self::Value, UnitError>;
}

/// A parsed unit-bearing value together with the text it was written as.
#[derive(Clone, Debug, PartialEq)]
pub struct Quantity<K: UnitKind> {
    /// The parsed value, in the kind's unit.
    pub value: K::Value,
    /// The text as written in the file.
    pub text: String,
    kind: PhantomData<K>,
}

impl<K: UnitKind> Quantity<K> {
    /// Parses `text`.
    ///
    /// # Errors
    /// As the kind's parser.
    pub fn parse(text: &str) -> Result<Quantity<K>, UnitError> {
        K::parse(text).map(|value| Quantity {
            value,
            text: text.to_string(),
            kind: PhantomData,
        })
    }
}

/// Durations [ns]: `"90s"`, `"1h30m"`.
#[derive(Clone, Debug, PartialEq)]
pub enum DurationKind {}
/// Sizes [B]: `"512KiB"`, `"1TiB"`.
#[derive(Clone, Debug, PartialEq)]
pub enum SizeKind {}
/// Bandwidths [B/s]: `"48MiB/s"`.
#[derive(Clone, Debug, PartialEq)]
pub enum BandwidthKind {}
/// Frequencies [1/s]: `"800/s"`.
#[derive(Clone, Debug, PartialEq)]
pub enum FrequencyKind {}

/// A duration as written, such as `"1h30m"`.
pub type DurationText = Quantity<DurationKind>;
/// A size as written, such as `"512KiB"`.
pub type SizeText = Quantity<SizeKind>;
/// A bandwidth as written, such as `"48MiB/s"`.
pub type BandwidthText = Quantity<BandwidthKind>;
/// A frequency as written, such as `"800/s"`.
pub type FrequencyText = Quantity<FrequencyKind>;

impl UnitKind for DurationKind {
    type Value = SimDuration;
    const NAME: &'static str = "duration";
    const SCHEMA_NAME: &'static str = "Duration";
    const DESCRIPTION: &'static str = "A duration: one or more <number><unit> groups with units ns, us (µs), ms, s, m (min), h, d, w. Must be a whole number of nanoseconds.";
    const PATTERN: &'static str = r"^\s*([0-9]+(\.[0-9]+)?\s*(ns|us|µs|μs|ms|s|m|min|h|d|w)\s*)+$";
    const EXAMPLES: &'static [&'static str] = &["90s", "1h30m", "1.5h", "250ms"];
    const NUMBER_SUFFIX: &'static str = "s";
    fn parse(text: &str) -> Result<SimDuration, UnitError> {
        units::parse_duration(text)
    }
}

impl UnitKind for SizeKind {
    type Value = Bytes;
    const NAME: &'static str = "size";
    const SCHEMA_NAME: &'static str = "Size";
    const DESCRIPTION: &'static str = "A size in bytes: a number and a unit, B, KiB, MiB, GiB, TiB, PiB (powers of 1024) or KB, MB, GB, TB, PB (powers of 1000). Must be a whole number of bytes.";
    const PATTERN: &'static str =
        r"^\s*[0-9]+(\.[0-9]+)?\s*(B|KiB|MiB|GiB|TiB|PiB|KB|MB|GB|TB|PB)\s*$";
    const EXAMPLES: &'static [&'static str] = &["4096B", "512KiB", "1.5GiB", "1TiB"];
    const NUMBER_SUFFIX: &'static str = "B";
    fn parse(text: &str) -> Result<Bytes, UnitError> {
        units::parse_bytes(text)
    }
}

impl UnitKind for BandwidthKind {
    type Value = Bandwidth;
    const NAME: &'static str = "bandwidth";
    const SCHEMA_NAME: &'static str = "Bandwidth";
    const DESCRIPTION: &'static str = "A bandwidth in bytes per second: a size unit followed by /s. Bits (Mbps) are refused. Must be greater than zero.";
    const PATTERN: &'static str =
        r"^\s*[0-9]+(\.[0-9]+)?\s*(B|KiB|MiB|GiB|TiB|PiB|KB|MB|GB|TB|PB)/s\s*$";
    const EXAMPLES: &'static [&'static str] = &["48MiB/s", "400MB/s", "1GiB/s"];
    const NUMBER_SUFFIX: &'static str = "MiB/s";
    fn parse(text: &str) -> Result<Bandwidth, UnitError> {
        units::parse_bandwidth(text)
    }
}

impl UnitKind for FrequencyKind {
    type Value = Frequency;
    const NAME: &'static str = "frequency";
    const SCHEMA_NAME: &'static str = "Frequency";
    const DESCRIPTION: &'static str = "A frequency: a number of events per second, minute, hour or day. Must be greater than zero.";
    const PATTERN: &'static str = r"^\s*[0-9]+(\.[0-9]+)?\s*/(s|min|h|d)\s*$";
    const EXAMPLES: &'static [&'static str] = &["800/s", "2.5/s", "30/min", "4/h"];
    const NUMBER_SUFFIX: &'static str = "/s";
    fn parse(text: &str) -> Result<Frequency, UnitError> {
        units::parse_frequency(text)
    }
}

struct QuantityVisitor<K>(PhantomData<K>);

impl<K: UnitKind> QuantityVisitor<K> {
    fn number<E: de::Error>(n: impl fmt::Display) -> E {
        E::custom(format!(
            "the number {n} is not a {}: write it as a string with a unit, e.g. \"{n}{}\"",
            K::NAME,
            K::NUMBER_SUFFIX
        ))
    }
}

impl<K: UnitKind> Visitor<'_> for QuantityVisitor<K> {
    type Value = Quantity<K>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a {} string with a unit, e.g. \"{}\"",
            K::NAME,
            K::EXAMPLES[0]
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity<K>, E> {
        Quantity::parse(v).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity<K>, E> {
        Err(Self::number(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity<K>, E> {
        Err(Self::number(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity<K>, E> {
        Err(Self::number(v))
    }
}

impl<'de, K: UnitKind> Deserialize<'de> for Quantity<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(QuantityVisitor(PhantomData))
    }
}

impl<K: UnitKind> JsonSchema for Quantity<K> {
    fn schema_name() -> Cow<'static, str> {
        K::SCHEMA_NAME.into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": K::PATTERN,
            "description": K::DESCRIPTION,
            "examples": K::EXAMPLES,
        })
    }
}
