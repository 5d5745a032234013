//! The storage domain: volumes, workloads, snapshots, uploads and retention.
//!
//! Knows nothing about files, the command line or charts: it takes a
//! validated [`config::SimConfig`] and produces a [`crate::metrics`] run summary.

pub mod config;
pub mod units;
pub mod volume_type;
