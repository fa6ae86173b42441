#![no_main]
//! KOMBIT's privilege list as a token carries it (`omsorg_core::fuzzing::privileges`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| omsorg_core::fuzzing::privileges(data));
