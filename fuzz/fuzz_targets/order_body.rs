#![no_main]
//! An order's JSON body as the backend receives it: decoding never panics,
//! `Debug` never shows the CPR number, and the number in it goes through
//! the same checks as `omsorg_core::fuzzing::cpr`.
use omsorg_core::api::NewSubstituteAccess;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<NewSubstituteAccess>(data) else {
        return;
    };
    let shown = format!("{body:?}");
    assert!(shown.contains("<hidden>"));
    if body.cpr.len() >= 10
        && omsorg_core::cpr::Cpr::parse(&body.cpr).is_ok()
        && !body.user_id.contains(&body.cpr)
    {
        assert!(!shown.contains(&body.cpr), "the CPR number in Debug");
    }
    omsorg_core::fuzzing::cpr(body.cpr.as_bytes());
});
