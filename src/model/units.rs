//! Physical quantities with their unit in the type: bytes, bandwidth, event
//! frequency. Parsing from scenario strings lives in `scenario`; this module
//! only holds the values and the arithmetic the model needs.

use std::fmt;

/// A whole number of bytes [B].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bytes(pub u64);

/// 1 KiB [B].
pub const KIB: u64 = 1024;
/// 1 MiB [B].
pub const MIB: u64 = 1024 * KIB;
/// 1 GiB [B].
pub const GIB: u64 = 1024 * MIB;
/// 1 TiB [B].
pub const TIB: u64 = 1024 * GIB;

impl Bytes {
    /// `n` KiB.
    pub const fn kib(n: u64) -> Bytes {
        Bytes(n * KIB)
    }
    /// `n` MiB.
    pub const fn mib(n: u64) -> Bytes {
        Bytes(n * MIB)
    }
    /// `n` GiB.
    pub const fn gib(n: u64) -> Bytes {
        Bytes(n * GIB)
    }
    /// `n` TiB.
    pub const fn tib(n: u64) -> Bytes {
        Bytes(n * TIB)
    }
    /// The value in GiB, for reports and per-GiB rules [GiB].
    pub fn as_gib_f64(self) -> f64 {
        self.0 as f64 / GIB as f64
    }
}

impl fmt::Display for Bytes {
    /// Shows the largest binary unit that keeps the value at or above 1.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0 as f64;
        let (div, unit) = if self.0 >= TIB {
            (TIB, "TiB")
        } else if self.0 >= GIB {
            (GIB, "GiB")
        } else if self.0 >= MIB {
            (MIB, "MiB")
        } else if self.0 >= KIB {
            (KIB, "KiB")
        } else {
            return write!(f, "{}B", self.0);
        };
        let x = v / div as f64;
        if x.fract() == 0.0 {
            write!(f, "{x}{unit}")
        } else {
            write!(f, "{x:.2}{unit}")
        }
    }
}

/// A data rate [B/s]. Finite and positive when it comes from a scenario.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Bandwidth {
    /// Bytes per second [B/s].
    pub bytes_per_sec: f64,
}

impl Bandwidth {
    /// `n` MiB/s.
    pub fn mib_per_sec(n: f64) -> Bandwidth {
        Bandwidth {
            bytes_per_sec: n * MIB as f64,
        }
    }
    /// The value in MiB/s, for reports [MiB/s].
    pub fn as_mib_per_sec(self) -> f64 {
        self.bytes_per_sec / MIB as f64
    }
}

impl fmt::Display for Bandwidth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3}MiB/s", self.as_mib_per_sec())
    }
}

/// A frequency of events, such as IOs [1/s].
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Frequency {
    /// Events per second [1/s].
    pub per_sec: f64,
}

impl fmt::Display for Frequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/s", self.per_sec)
    }
}
