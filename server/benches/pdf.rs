//! Making the signed declaration's PDF/A alone (issue "Substitute access",
//! goal <= 50 ms). Not a test: it prints figures.
//!
//! `cargo bench -p omsorg-server --bench pdf`; `OMSORG_BENCH_PDFS` sets the
//! count (default 200). The signature is a drawn 900 × 300 PNG, as the pad
//! exports one at device pixel ratio 2.

#[allow(dead_code)]
mod common;

use std::time::Instant;

use common::{drawn_signature_png, ms, percentile};
use omsorg_server::declaration_pdf::{render, Facts};

fn main() {
    let n: usize = std::env::var("OMSORG_BENCH_PDFS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let signature = drawn_signature_png();
    let facts = Facts::example(&signature);
    let first = render(&facts).expect("render");
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let pdf = render(&facts).expect("render");
        times.push(t.elapsed());
        assert!(pdf.len() > 1000);
    }
    times.sort();
    println!(
        "declaration PDF/A ({} KiB signature PNG, {} KiB PDF), {n} renders: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms (goal <= 50 ms)",
        signature.len() / 1024,
        first.len() / 1024,
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.95)),
        ms(*times.last().unwrap()),
    );
}
