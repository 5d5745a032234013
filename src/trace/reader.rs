//! Streaming line reader over a trace file: one reused line buffer, never
//! the whole file in memory. A file starting with the gzip magic bytes
//! (`1f 8b`) is decompressed on the fly (multi-member gzip included), so
//! `.gz` traces need no option. Line endings `\n` and `\r\n` are accepted.
//!
//! Hostile or broken input ends with an error instead of exhausting memory
//! or time: only regular files are opened (`input`), a line may hold at
//! most [`MAX_LINE_BYTES`], a file (and its decompressed text) at most
//! [`MAX_TRACE_BYTES`], and gzip may expand at most [`MAX_GZIP_RATIO`]
//! times once [`GZIP_RATIO_FREE_BYTES`] have come out.

use super::error::TraceError;
use super::input::{open_regular, InputProblem};
use flate2::bufread::MultiGzDecoder;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Read buffer size [B].
const BUFFER_BYTES: usize = 256 * 1024;

/// Longest accepted line, line ending excluded [B]: 64 KiB. Every supported
/// format has lines of at most a few hundred bytes, so a longer one means a
/// binary file, a wrong format or a missing line break, not a trace.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Largest accepted trace [B], for the file and for its decompressed text
/// alike: 1 TiB, far above the public traces (the largest MSR Cambridge
/// volume is about 30 GB of text) and a bound on a runaway read.
pub const MAX_TRACE_BYTES: u64 = 1 << 40;

/// Most times gzip may expand a trace [decompressed B per compressed B].
/// Text traces compress 4-20 times; gzip itself cannot exceed about 1032,
/// which a file of one repeated byte reaches. Above 100 the file is a
/// decompression bomb rather than a trace.
pub const MAX_GZIP_RATIO: u64 = 100;

/// Decompressed bytes read before [`MAX_GZIP_RATIO`] applies [B]: 16 MiB, so
/// that a small, very regular trace is never refused for its ratio.
pub const GZIP_RATIO_FREE_BYTES: u64 = 16 << 20;

/// Counts the bytes read through it (the compressed side of a gzip file).
struct Counted<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Lines of a (possibly gzip-compressed) text file, with line numbers.
pub struct LineReader {
    input: Box<dyn BufRead + Send>,
    path: PathBuf,
    buf: Vec<u8>,
    line: u64,
    /// Bytes of text handed out so far (decompressed, line endings included).
    text_bytes: u64,
    /// Compressed bytes read so far, for a gzip file.
    compressed: Option<Arc<AtomicU64>>,
}

impl LineReader {
    /// Opens `path`, detecting gzip by its first two bytes.
    ///
    /// # Errors
    /// [`TraceError::Open`] if the file cannot be opened or read,
    /// [`TraceError::NotRegular`] if it is not a regular file,
    /// [`TraceError::TooLarge`] if it exceeds [`MAX_TRACE_BYTES`].
    pub fn open(path: &Path) -> Result<LineReader, TraceError> {
        let open_err = |cause| TraceError::Open {
            path: path.to_path_buf(),
            cause,
        };
        let (file, size) = open_regular(path).map_err(|p| match p {
            InputProblem::NotRegular { kind } => TraceError::NotRegular {
                path: path.to_path_buf(),
                kind,
            },
            InputProblem::Io(cause) => open_err(cause),
        })?;
        if size > MAX_TRACE_BYTES {
            return Err(TraceError::TooLarge {
                path: path.to_path_buf(),
                bytes: size,
                limit: MAX_TRACE_BYTES,
                what: "the file",
            });
        }
        let count = Arc::new(AtomicU64::new(0));
        let counted = Counted {
            inner: file,
            count: Arc::clone(&count),
        };
        let mut raw = BufReader::with_capacity(BUFFER_BYTES, counted);
        let is_gzip = raw.fill_buf().map_err(open_err)?.starts_with(&[0x1f, 0x8b]);
        if is_gzip {
            let input = BufReader::with_capacity(BUFFER_BYTES, MultiGzDecoder::new(raw));
            let mut r = LineReader::new(Box::new(input), path);
            r.compressed = Some(count);
            Ok(r)
        } else {
            Ok(LineReader::new(Box::new(raw), path))
        }
    }

    /// Lines of `input`, reported as coming from `path`.
    pub fn new(input: Box<dyn BufRead + Send>, path: &Path) -> LineReader {
        LineReader {
            input,
            path: path.to_path_buf(),
            buf: Vec::with_capacity(256),
            line: 0,
            text_bytes: 0,
            compressed: None,
        }
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next line without its line ending, with its number (from 1), or
    /// `None` at the end. Bytes that are not UTF-8 are replaced, so such a
    /// line fails to parse with a readable message instead of stopping the
    /// read.
    ///
    /// # Errors
    /// [`TraceError::Read`] if reading or decompressing fails,
    /// [`TraceError::LineTooLong`] for a line above [`MAX_LINE_BYTES`],
    /// [`TraceError::TooLarge`] or [`TraceError::GzipRatio`] past the
    /// limits of the module doc.
    pub fn next_line(&mut self) -> Result<Option<(u64, &str)>, TraceError> {
        self.buf.clear();
        let n = self.read_bounded_line()?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        self.text_bytes += n as u64;
        self.check_expansion()?;
        let mut end = self.buf.len();
        while end > 0 && matches!(self.buf[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        self.buf.truncate(end);
        if end > MAX_LINE_BYTES {
            return Err(self.too_long());
        }
        if std::str::from_utf8(&self.buf).is_err() {
            let fixed = String::from_utf8_lossy(&self.buf).into_owned();
            self.buf = fixed.into_bytes();
        }
        // Checked (or replaced) just above, so this cannot fail.
        let text = std::str::from_utf8(&self.buf).unwrap_or("");
        Ok(Some((self.line, text)))
    }

    /// Reads up to and including the next `\n` into `buf`, refusing a line
    /// longer than [`MAX_LINE_BYTES`] (plus its `\r\n`) before it is all
    /// in memory. Returns the bytes read (0 at the end).
    fn read_bounded_line(&mut self) -> Result<usize, TraceError> {
        let mut total = 0;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(cause) => {
                    return Err(TraceError::Read {
                        path: self.path.clone(),
                        line: self.line + 1,
                        cause,
                    })
                }
            };
            if chunk.is_empty() {
                return Ok(total);
            }
            let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            self.buf.extend_from_slice(&chunk[..take]);
            self.input.consume(take);
            total += take;
            // Room for `\r\n`; the exact check follows in `next_line`.
            if self.buf.len() > MAX_LINE_BYTES + 2 {
                self.line += 1;
                return Err(self.too_long());
            }
            if done {
                return Ok(total);
            }
        }
    }

    fn too_long(&self) -> TraceError {
        TraceError::LineTooLong {
            path: self.path.clone(),
            line: self.line,
            limit: MAX_LINE_BYTES,
        }
    }

    /// The size and gzip-ratio limits, checked as the text comes out.
    fn check_expansion(&self) -> Result<(), TraceError> {
        if self.text_bytes > MAX_TRACE_BYTES {
            return Err(TraceError::TooLarge {
                path: self.path.clone(),
                bytes: self.text_bytes,
                limit: MAX_TRACE_BYTES,
                what: "the decompressed text",
            });
        }
        if let Some(count) = &self.compressed {
            let compressed = count.load(Ordering::Relaxed).max(1);
            if self.text_bytes > GZIP_RATIO_FREE_BYTES
                && self.text_bytes > compressed.saturating_mul(MAX_GZIP_RATIO)
            {
                return Err(TraceError::GzipRatio {
                    path: self.path.clone(),
                    line: self.line,
                    decompressed: self.text_bytes,
                    compressed,
                    limit: MAX_GZIP_RATIO,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn reads_plain_and_gzip_alike_with_crlf() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("t.txt");
        std::fs::write(&plain, "a,b\r\n\nc\n").unwrap();
        let gz = dir.path().join("t.txt.gz");
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).unwrap(),
            flate2::Compression::default(),
        );
        enc.write_all(b"a,b\r\n\nc\n").unwrap();
        enc.finish().unwrap();
        for p in [&plain, &gz] {
            let mut r = LineReader::open(p).unwrap();
            let mut got = Vec::new();
            while let Some((n, l)) = r.next_line().unwrap() {
                got.push((n, l.to_string()));
            }
            assert_eq!(
                got,
                vec![(1, "a,b".into()), (2, String::new()), (3, "c".into())]
            );
        }
    }

    #[test]
    fn a_line_above_the_limit_is_refused_with_its_number() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("long.csv");
        let mut text = String::from("short\n");
        text.push_str(&"x".repeat(MAX_LINE_BYTES));
        text.push_str("\r\n");
        text.push_str(&"y".repeat(MAX_LINE_BYTES + 1));
        text.push('\n');
        std::fs::write(&p, text).unwrap();
        let mut r = LineReader::open(&p).unwrap();
        assert_eq!(r.next_line().unwrap().unwrap().1, "short");
        // Exactly the limit is fine, one byte more is not.
        assert_eq!(r.next_line().unwrap().unwrap().1.len(), MAX_LINE_BYTES);
        let e = r.next_line().unwrap_err().to_string();
        assert!(e.contains("long.csv:3:") && e.contains("65536"), "{e}");
    }

    #[test]
    fn a_gzip_bomb_is_refused_with_its_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let gz = dir.path().join("bomb.gz");
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).unwrap(),
            flate2::Compression::best(),
        );
        let block = vec![b'\n'; 1 << 20];
        for _ in 0..32 {
            enc.write_all(&block).unwrap();
        }
        enc.finish().unwrap();
        let mut r = LineReader::open(&gz).unwrap();
        let e = loop {
            match r.next_line() {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("the bomb was read to its end"),
                Err(e) => break e.to_string(),
            }
        };
        assert!(
            e.contains("bomb.gz") && e.contains("100") && e.contains("gunzip"),
            "{e}"
        );
    }

    #[test]
    fn a_fifo_or_a_device_is_refused_without_blocking() {
        let e = LineReader::open(Path::new("/dev/zero")).err().unwrap();
        assert!(e.to_string().contains("character device"), "{e}");
    }

    #[test]
    fn missing_file_names_the_path() {
        let e = LineReader::open(Path::new("/nonexistent/x.csv"))
            .err()
            .unwrap();
        assert!(e.to_string().starts_with("/nonexistent/x.csv: cannot open"));
    }
}
