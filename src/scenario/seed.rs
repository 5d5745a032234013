//! The scenario's `seed`: a `u64`. JSON numbers beyond `u64` reach serde as
//! floating point, and serde's own message would then speak of a
//! "floating point" value; this deserializer states the seed's range
//! instead.

use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// Deserializes `seed` (present: `Some`; the field's `default` gives `None`).
pub(crate) fn deserialize_seed<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    d.deserialize_any(SeedVisitor).map(Some)
}

const RANGE: &str =
    "a seed is a whole number from 0 to 18446744073709551615 (2^64 - 1); write e.g. \"seed\": 42";

struct SeedVisitor;

impl<'de> Visitor<'de> for SeedVisitor {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number from 0 to 18446744073709551615")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::custom(format!("seed {v} is negative; {RANGE}")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
        if v.is_finite() && v.fract() == 0.0 && v >= 0.0 {
            // Integral but beyond u64 (smaller ones arrive as visit_u64).
            Err(E::custom(format!("seed {v:e} is too large; {RANGE}")))
        } else if v.is_finite() && v.fract() == 0.0 {
            Err(E::custom(format!("seed {v:e} is negative; {RANGE}")))
        } else {
            Err(E::custom(format!(
                "seed {v} is not a whole number; {RANGE}"
            )))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        Err(E::custom(format!(
            "seed \"{v}\" is a string; write it without quotes: {RANGE}"
        )))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<u64, E> {
        Err(E::custom(format!("seed {v} is not a number; {RANGE}")))
    }

    fn visit_unit<E: de::Error>(self) -> Result<u64, E> {
        Err(E::custom(format!(
            "seed null is not a number; remove `seed` for the default 1, or: {RANGE}"
        )))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<u64, A::Error> {
        Err(de::Error::custom(format!("seed is an array; {RANGE}")))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<u64, A::Error> {
        Err(de::Error::custom(format!("seed is an object; {RANGE}")))
    }
}
