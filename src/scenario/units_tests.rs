//! Unit tests of `units.rs`: exact values for valid input, and for invalid
//! input the words a user needs to fix it.

use super::*;
use crate::model::units::{GIB, MIB};

fn secs(s: u64) -> SimDuration {
    SimDuration::from_secs(s)
}

fn dur_err(text: &str) -> String {
    parse_duration(text).unwrap_err().to_string()
}

#[test]
fn durations_parse_exactly() {
    assert_eq!(parse_duration("90s").unwrap(), secs(90));
    assert_eq!(parse_duration("1h30m").unwrap(), secs(5400));
    assert_eq!(parse_duration("1.5h").unwrap(), secs(5400));
    assert_eq!(
        parse_duration("250ms").unwrap(),
        SimDuration::from_millis(250)
    );
    assert_eq!(parse_duration("0s").unwrap(), SimDuration::ZERO);
    assert_eq!(parse_duration("1d").unwrap(), secs(86_400));
    assert_eq!(parse_duration("2w").unwrap(), secs(14 * 86_400));
    assert_eq!(parse_duration("5min").unwrap(), secs(300));
    assert_eq!(parse_duration("3us").unwrap(), SimDuration(3_000));
    assert_eq!(parse_duration("3µs").unwrap(), SimDuration(3_000));
    assert_eq!(parse_duration("7ns").unwrap(), SimDuration(7));
    assert_eq!(parse_duration("1m30s").unwrap(), secs(90));
    assert_eq!(parse_duration("0.1s").unwrap(), SimDuration(100_000_000));
}

#[test]
fn durations_refuse_bad_input_with_a_fix() {
    let e = dur_err("90 secs");
    assert!(
        e.contains("\"90 secs\"") && e.contains("unknown unit \"secs\"") && e.contains("\"90s\""),
        "{e}"
    );
    let e = dur_err("90");
    assert!(e.contains("no unit") && e.contains("\"90s\""), "{e}");
    assert!(dur_err("").contains("empty"));
    assert!(dur_err("-5s").contains("negative"));
    assert!(dur_err("0.5ns").contains("whole number of nanoseconds"));
    assert!(dur_err("1000000w").contains("too long"));
    assert!(dur_err("1.h").contains("expected a number"));
    assert!(dur_err("h").contains("expected a number"));
}

#[test]
fn sizes_parse_exactly() {
    assert_eq!(parse_bytes("512KiB").unwrap(), Bytes(524_288));
    assert_eq!(parse_bytes("1.5GiB").unwrap(), Bytes(3 * GIB / 2));
    assert_eq!(parse_bytes("1TiB").unwrap(), Bytes::tib(1));
    assert_eq!(parse_bytes("400MB").unwrap(), Bytes(400_000_000));
    assert_eq!(parse_bytes("4096B").unwrap(), Bytes(4096));
    assert_eq!(parse_bytes("0B").unwrap(), Bytes(0));
    assert_eq!(parse_bytes("1PiB").unwrap(), Bytes(1 << 50));
    assert_eq!(parse_bytes("2.5KB").unwrap(), Bytes(2500));
}

#[test]
fn sizes_refuse_ambiguous_and_bare_input() {
    let e = parse_bytes("1G").unwrap_err().to_string();
    assert!(
        e.contains("ambiguous") && e.contains("\"1GiB\"") && e.contains("\"1GB\""),
        "{e}"
    );
    assert!(parse_bytes("1k")
        .unwrap_err()
        .to_string()
        .contains("\"1KiB\""));
    assert!(parse_bytes("1gb")
        .unwrap_err()
        .to_string()
        .contains("ambiguous"));
    assert!(parse_bytes("1gib")
        .unwrap_err()
        .to_string()
        .contains("\"1GiB\""));
    let e = parse_bytes("4096").unwrap_err().to_string();
    assert!(e.contains("add a unit, e.g. \"4096B\""), "{e}");
    assert!(parse_bytes("0.3B")
        .unwrap_err()
        .to_string()
        .contains("whole number of bytes"));
    assert!(parse_bytes("-1GiB")
        .unwrap_err()
        .to_string()
        .contains("negative"));
    assert!(parse_bytes("3 apples")
        .unwrap_err()
        .to_string()
        .contains("unknown unit"));
    assert!(parse_bytes("100000PB")
        .unwrap_err()
        .to_string()
        .contains("too large"));
}

#[test]
fn bandwidths_parse_in_bytes_per_second() {
    assert_eq!(parse_bandwidth("400MB/s").unwrap().bytes_per_sec, 400e6);
    assert_eq!(
        parse_bandwidth("48MiB/s").unwrap().bytes_per_sec,
        48.0 * MIB as f64
    );
    assert_eq!(parse_bandwidth("0.5B/s").unwrap().bytes_per_sec, 0.5);
}

#[test]
fn bandwidths_refuse_bits_zero_and_missing_rate() {
    let e = parse_bandwidth("100Mbps").unwrap_err().to_string();
    assert!(e.contains("not bits") && e.contains("\"12.5MB/s\""), "{e}");
    assert!(parse_bandwidth("1Gbit/s")
        .unwrap_err()
        .to_string()
        .contains("not bits"));
    assert!(parse_bandwidth("0MiB/s")
        .unwrap_err()
        .to_string()
        .contains("greater than zero"));
    assert!(parse_bandwidth("48MiB")
        .unwrap_err()
        .to_string()
        .contains("\"48MiB/s\""));
    assert!(parse_bandwidth("48MiB/min")
        .unwrap_err()
        .to_string()
        .contains("per second"));
    assert!(parse_bandwidth("48M/s")
        .unwrap_err()
        .to_string()
        .contains("\"48MiB/s\""));
}

#[test]
fn frequencies_parse_per_second() {
    assert_eq!(parse_frequency("3000/s").unwrap().per_sec, 3000.0);
    assert_eq!(parse_frequency("800/s").unwrap().per_sec, 800.0);
    assert_eq!(parse_frequency("2.5/s").unwrap().per_sec, 2.5);
    assert_eq!(parse_frequency("30/min").unwrap().per_sec, 0.5);
    assert_eq!(parse_frequency("36/h").unwrap().per_sec, 0.01);
    assert!((parse_frequency("1/d").unwrap().per_sec - 1.0 / 86400.0).abs() < 1e-18);
}

#[test]
fn frequencies_refuse_words_and_zero() {
    let e = parse_frequency("800 per second").unwrap_err().to_string();
    assert_eq!(
        e,
        "invalid frequency \"800 per second\": expected a number followed by \"/s\", \"/min\", \"/h\" or \"/d\", e.g. \"800/s\""
    );
    assert!(parse_frequency("0/s")
        .unwrap_err()
        .to_string()
        .contains("greater than zero"));
    assert!(parse_frequency("5/fortnight")
        .unwrap_err()
        .to_string()
        .contains("unknown unit"));
    assert!(parse_frequency("-5/s")
        .unwrap_err()
        .to_string()
        .contains("negative"));
    assert!(parse_frequency("800")
        .unwrap_err()
        .to_string()
        .contains("\"800/s\""));
}

#[test]
fn numbers_in_messages_are_short_at_any_magnitude() {
    assert_eq!(number_text(1e300), "1.000e300");
    assert_eq!(number_text(-3.3333e297), "-3.333e297");
    assert_eq!(number_text(1.5e-7), "1.500e-7");
    assert_eq!(number_text(999_999_999.0), "999999999");
    assert_eq!(number_text(1e9), "1.000e9");
    assert_eq!(number_text(0.9), "0.9");
    assert_eq!(number_text(0.0001), "0.0001");
    assert_eq!(number_text(7.0), "7");
    assert_eq!(number_text(0.0), "0");
    assert_eq!(number_text(f64::NAN), "NaN");
    assert_eq!(number_text(f64::INFINITY), "inf");
    assert!(number_text(f64::MAX).len() < 12);
}
