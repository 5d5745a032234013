//! snapsim: a discrete-event simulator of incremental block-volume snapshots.
pub mod engine;
pub mod model;
pub mod scenario;
