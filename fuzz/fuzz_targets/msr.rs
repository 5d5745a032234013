//! Fuzz target `msr`: see `snapsim::fuzzing`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    snapsim::fuzzing::run_target("msr", data);
});
