//! Fuzz target `spc`: see `snapsim::fuzzing`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    snapsim::fuzzing::run_target("spc", data);
});
