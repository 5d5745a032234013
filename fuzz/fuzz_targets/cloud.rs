//! Fuzz target `cloud`: see `snapsim::fuzzing`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    snapsim::fuzzing::run_target("cloud", data);
});
