#![no_main]
//! Substitute-ID ranges (see `omsorg_core::fuzzing::substitute_id_range`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| omsorg_core::fuzzing::substitute_id_range(data));
