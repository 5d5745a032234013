//! Errors of the scenario format: [`UnitError`] for one unit-bearing string,
//! [`ScenarioError`] for a whole file. Every message names the file, the JSON
//! path of the offending value (and its line/column when the parser knows
//! it), the value itself, and how to fix it.

use std::fmt;
use thiserror::Error;

/// A unit-bearing string (duration, size, bandwidth, frequency) that does not
/// parse. Displays as `invalid <quantity> "<text>": <problem and fix>`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid {quantity} \"{text}\": {problem}")]
pub struct UnitError {
    /// What was being parsed: `duration`, `size`, `bandwidth` or `frequency`.
    pub quantity: &'static str,
    /// The offending text, as written.
    pub text: String,
    /// What is wrong and how to fix it.
    pub problem: String,
}

impl UnitError {
    pub(crate) fn new(quantity: &'static str, text: &str, problem: impl Into<String>) -> UnitError {
        UnitError {
            quantity,
            text: text.to_string(),
            problem: problem.into(),
        }
    }
}

/// A line and column in the scenario file, both 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Line number, starting at 1.
    pub line: usize,
    /// Column number, starting at 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Why a scenario file could not be loaded.
#[derive(Debug, Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{origin}: cannot read the scenario file ({cause}); check the path and permissions")]
    Read {
        /// The file name.
        origin: String,
        /// The underlying IO error (shown in the message, so not chained).
        cause: std::io::Error,
    },
    /// The path is a FIFO, directory, device or socket, or `-`.
    #[error("{origin}: cannot read the scenario file: {problem}; give the path of a scenario file (JSON), e.g. scenarios/quickstart.json")]
    NotRegular {
        /// The file name.
        origin: String,
        /// What it is instead (`it is a FIFO (named pipe), not a regular file`).
        problem: String,
    },
    /// The file is larger than [`super::MAX_SCENARIO_BYTES`].
    #[error("{origin}: the scenario file has more than {limit} B (16 MiB); a scenario is a few KiB: use `count` to stamp out many identical volumes, or check that this is the scenario file")]
    TooLarge {
        /// The file name.
        origin: String,
        /// The limit [B].
        limit: u64,
    },
    /// The text is not valid JSON.
    #[error("{origin}: invalid JSON at {location}: {message}; fix the syntax there (look for a trailing comma, a missing quote, comma or brace)")]
    Syntax {
        /// The file name.
        origin: String,
        /// Where the parser stopped.
        location: Location,
        /// The parser's description of the problem.
        message: String,
    },
    /// A value is missing, misspelt, of the wrong type or out of range.
    #[error("{origin}: {path}{}: {message}", location.map(|l| format!(" ({l})")).unwrap_or_default())]
    Invalid {
        /// The file name.
        origin: String,
        /// JSON path of the offending value, such as `volumes[0].size`;
        /// `(top level)` for the file's outer object.
        path: String,
        /// Line and column, when the error was found while parsing.
        location: Option<Location>,
        /// What is wrong, the offending value and how to fix it.
        message: String,
    },
}

impl ScenarioError {
    /// JSON path of the offending value, if the error is about one.
    pub fn path(&self) -> Option<&str> {
        match self {
            ScenarioError::Invalid { path, .. } => Some(path),
            _ => None,
        }
    }
}

/// A semantic error found after parsing: a JSON path and a message, still
/// without the file name (added by [`Invalid::in_file`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Invalid {
    pub path: String,
    pub message: String,
}

impl Invalid {
    /// An error about the value at `path`.
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Invalid {
        Invalid {
            path: path.into(),
            message: message.into(),
        }
    }

    /// Attaches the file name.
    pub fn in_file(self, origin: &str) -> ScenarioError {
        ScenarioError::Invalid {
            origin: origin.to_string(),
            path: self.path,
            location: None,
            message: self.message,
        }
    }
}
