//! Streaming line reader over a trace file: one reused line buffer, never
//! the whole file in memory. A file starting with the gzip magic bytes
//! (`1f 8b`) is decompressed on the fly (multi-member gzip included), so
//! `.gz` traces need no option. Line endings `\n` and `\r\n` are accepted.

use super::error::TraceError;
use flate2::bufread::MultiGzDecoder;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// Read buffer size [B].
const BUFFER_BYTES: usize = 256 * 1024;

/// Lines of a (possibly gzip-compressed) text file, with line numbers.
pub struct LineReader {
    input: Box<dyn BufRead + Send>,
    path: PathBuf,
    buf: Vec<u8>,
    line: u64,
}

impl LineReader {
    /// Opens `path`, detecting gzip by its first two bytes.
    ///
    /// # Errors
    /// [`TraceError::Open`] if the file cannot be opened or read.
    pub fn open(path: &Path) -> Result<LineReader, TraceError> {
        let open_err = |cause| TraceError::Open {
            path: path.to_path_buf(),
            cause,
        };
        let file = File::open(path).map_err(open_err)?;
        let mut raw = BufReader::with_capacity(BUFFER_BYTES, file);
        let is_gzip = raw.fill_buf().map_err(open_err)?.starts_with(&[0x1f, 0x8b]);
        let input: Box<dyn BufRead + Send> = if is_gzip {
            Box::new(BufReader::with_capacity(
                BUFFER_BYTES,
                MultiGzDecoder::new(raw),
            ))
        } else {
            Box::new(raw)
        };
        Ok(LineReader::new(input, path))
    }

    /// Lines of `input`, reported as coming from `path`.
    pub fn new(input: Box<dyn BufRead + Send>, path: &Path) -> LineReader {
        LineReader {
            input,
            path: path.to_path_buf(),
            buf: Vec::with_capacity(256),
            line: 0,
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
    /// [`TraceError::Read`] if reading or decompressing fails.
    pub fn next_line(&mut self) -> Result<Option<(u64, &str)>, TraceError> {
        self.buf.clear();
        let n = self
            .input
            .read_until(b'\n', &mut self.buf)
            .map_err(|cause| TraceError::Read {
                path: self.path.clone(),
                line: self.line + 1,
                cause,
            })?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        let mut end = self.buf.len();
        while end > 0 && matches!(self.buf[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        self.buf.truncate(end);
        if std::str::from_utf8(&self.buf).is_err() {
            let fixed = String::from_utf8_lossy(&self.buf).into_owned();
            self.buf = fixed.into_bytes();
        }
        // Checked (or replaced) just above, so this cannot fail.
        let text = std::str::from_utf8(&self.buf).unwrap_or("");
        Ok(Some((self.line, text)))
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
    fn missing_file_names_the_path() {
        let e = LineReader::open(Path::new("/nonexistent/x.csv"))
            .err()
            .unwrap();
        assert!(e.to_string().starts_with("/nonexistent/x.csv: cannot open"));
    }
}
