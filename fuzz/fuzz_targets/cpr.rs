#![no_main]
//! `Cpr::parse` on arbitrary bytes (see `omsorg_core::fuzzing::cpr`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| omsorg_core::fuzzing::cpr(data));
