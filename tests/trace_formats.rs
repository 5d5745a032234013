//! Each trace format parses a hand-written fixture in
//! `tests/fixtures/traces/` into exactly the expected times, offsets,
//! sizes and operations; the error policy and device selection behave as
//! documented.

use snapsim::trace::{Record, RecordStream, TraceFormat};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/traces")
        .join(name)
}

/// (time ns, offset B, length B, write)
type Row = (u64, u64, u64, bool);

fn read(name: &str, format: TraceFormat, device: Option<&str>) -> Vec<Row> {
    let mut s = RecordStream::open(&fixture(name), format, device, false).unwrap();
    let mut out = Vec::new();
    while let Some((_, r)) = s.next_record().unwrap() {
        let Record {
            time_ns,
            offset,
            len,
            write,
        } = r;
        out.push((time_ns, offset, len, write));
    }
    out
}

const S: u64 = 1_000_000_000;
const MS: u64 = 1_000_000;

#[test]
fn cloudphysics_sectors_hex_opcodes_and_clamped_order() {
    let want = vec![
        (100 * S, 63 * 512, 4096, true),
        (101 * S, 0, 512, false),
        // Written at 100 s after a row at 101 s: clamped to 101 s.
        (101 * S, 2048 * 512, 1024, true),
    ];
    assert_eq!(
        read("cloudphysics.csv", TraceFormat::CloudPhysics, None),
        want
    );
    assert_eq!(
        read("cloudphysics.csv.gz", TraceFormat::CloudPhysics, None),
        want
    );
}

#[test]
fn msr_filetime_ticks_and_bytes() {
    assert_eq!(
        read("msr.csv", TraceFormat::Msr, None),
        vec![
            (128_166_385_295_514_663 * 100, 9_056_014_336, 2048, true),
            (128_166_385_295_514_878 * 100, 512, 4096, false),
        ]
    );
    assert_eq!(read("msr.csv", TraceFormat::Msr, Some("1")).len(), 1);
}

#[test]
fn msrcut_milliseconds_and_bytes() {
    assert_eq!(
        read("msrcut.trace", TraceFormat::MsrCut, None),
        vec![
            (0, 200_626_176, 4096, true),
            (223_412_000, 3_159_347_200, 36_864, false)
        ]
    );
}

#[test]
fn tencent_sectors_and_volume_selection() {
    let all = read("tencent.csv", TraceFormat::Tencent, None);
    assert_eq!(
        all,
        vec![
            (1_538_323_199 * S, 4_247_200 * 512, 128 * 512, true),
            (1_538_323_200 * S, 16 * 512, 8 * 512, false),
        ]
    );
    assert_eq!(
        read("tencent.csv", TraceFormat::Tencent, Some("1063")),
        vec![all[1]]
    );
}

#[test]
fn alibaba_microseconds_and_bytes() {
    assert_eq!(
        read("alibaba.csv", TraceFormat::Alibaba, None),
        vec![
            (1_577_808_000_000_046_000, 126_703_661_056, 4096, false),
            (1_577_808_000_000_100_000, 4096, 8192, true),
        ]
    );
}

#[test]
fn systor_rows_are_resorted_by_timestamp() {
    assert_eq!(
        read("systor.csv", TraceFormat::Systor, None),
        vec![
            (1_456_095_145_126_285_000, 4096, 8192, true),
            (1_456_095_145_133_076_000, 899_056_122_368, 131_072, false),
            (1_456_095_147_500_000_000, 0, 4096, false),
        ]
    );
}

#[test]
fn spc_sectors_and_case_insensitive_opcodes() {
    assert_eq!(
        read("spc.csv", TraceFormat::Spc, None),
        vec![
            (551_706_000, 20_941_264 * 512, 8192, true),
            (554_041_000, 20_939_840 * 512, 4096, false),
        ]
    );
}

#[test]
fn disksim_sectors_flag_one_is_read() {
    assert_eq!(
        read("disksim.txt", TraceFormat::Disksim, None),
        vec![
            (0, 174_224_064 * 512, 16 * 512, false),
            (221_000, 100 * 512, 8 * 512, true)
        ]
    );
}

#[test]
fn fio_v2_clock_advances_by_waits_and_v3_uses_timestamps() {
    assert_eq!(
        read("fio-v2.log", TraceFormat::Fio, None),
        vec![(0, 4096, 8192, true), (1_500_000, 0, 512, false)]
    );
    assert_eq!(
        read("fio-v3.log", TraceFormat::Fio, Some("/dev/sdb")),
        vec![(2 * MS, 4096, 4096, true), (7_500_000, 8192, 4096, false)]
    );
}

#[test]
fn blkparse_queue_or_dispatch_events() {
    assert_eq!(
        read("blkparse.txt", TraceFormat::Blkparse, None),
        vec![
            (0, 1000 * 512, 8 * 512, true),
            (S / 2, 2048 * 512, 16 * 512, false)
        ]
    );
    assert_eq!(
        read("blkparse.txt", TraceFormat::BlkparseD, Some("8,0")),
        vec![(2_000, 1000 * 512, 8 * 512, true)]
    );
}

#[test]
fn bad_lines_fail_with_file_and_line_or_are_counted_and_skipped() {
    let path = fixture("bad.csv");
    let mut s = RecordStream::open(&path, TraceFormat::CloudPhysics, None, false).unwrap();
    assert!(s.next_record().unwrap().is_some());
    let e = s.next_record().unwrap_err().to_string();
    assert!(e.contains("bad.csv:3: truncated line"), "{e}");
    assert!(e.contains("field `lbn` is missing"), "{e}");
    assert!(e.contains("\"on_error\": \"skip\""), "{e}");

    let mut s = RecordStream::open(&path, TraceFormat::CloudPhysics, None, true).unwrap();
    let mut n = 0;
    while s.next_record().unwrap().is_some() {
        n += 1;
    }
    assert_eq!(n, 2);
    assert_eq!(
        s.counts.malformed, 4,
        "truncated, non-numeric, negative, unknown opcode"
    );
    assert_eq!(s.counts.zero_size, 1);

    // Each kind of problem, line by line.
    let problems = [
        (4, "field `size` is not a whole number: \"abc\""),
        (5, "field `size` is negative: \"-512\""),
        (6, "unknown op \"35\""),
    ];
    let text = std::fs::read_to_string(&path).unwrap();
    for (line, want) in problems {
        let dir = tempfile::tempdir().unwrap();
        let one = dir.path().join("one.csv");
        let l = text.lines().nth(line - 1).unwrap();
        std::fs::write(&one, format!("{l}\n")).unwrap();
        let mut s = RecordStream::open(&one, TraceFormat::CloudPhysics, None, false).unwrap();
        let e = s.next_record().unwrap_err().to_string();
        assert!(e.contains("one.csv:1: ") && e.contains(want), "{e}");
    }
}

#[test]
fn device_on_a_format_without_devices_is_refused() {
    let e = RecordStream::open(
        &fixture("cloudphysics.csv"),
        TraceFormat::CloudPhysics,
        Some("1"),
        false,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("has no device field; remove \"device\""), "{e}");
}
