//! What both benchmarks measure the same way: the raw Argon2id limit, a
//! closed loop of concurrent workers, and percentiles.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::SaltString;
use omsorg_core::pin_hash;

/// The runtime every benchmark's backend and clients share (one worker
/// per core, as the backend runs). The backend logs as it does in
/// production (its default filter, in JSON), to nowhere: without this the
/// tests' helpers would capture every SQL statement and request at debug
/// level into memory, which costs a shift change's logins more CPU than
/// the backend spends on them besides Argon2.
pub fn runtime() -> tokio::runtime::Runtime {
    omsorg_server::telemetry::init_writing_to(
        omsorg_server::config::LogFormat::Json,
        std::io::sink,
    );
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The physical limit: one thread per core verifying with the backend's
/// Argon2id parameters for `secs`, each in its own kept memory (the
/// fastest way the backend has); verifications per second.
pub fn raw_limit(cores: usize, secs: u64) -> f64 {
    let pepper = b"bench-pepper-of-sixteen".to_vec();
    let salt = SaltString::generate(&mut OsRng);
    let phc = pin_hash::hash(b"2580", &pepper, salt.as_str()).unwrap();
    let count = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..cores {
            let (count, pepper, phc) = (count.clone(), pepper.clone(), phc.clone());
            scope.spawn(move || {
                let mut memory = pin_hash::Memory::default();
                while Instant::now() < deadline {
                    assert!(pin_hash::verify_in(b"2580", &pepper, &phc, &mut memory).unwrap());
                    count.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    count.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

/// `workers` tasks each running `op` back to back for `secs`; completed
/// operations per second.
#[allow(dead_code)] // used by one of the two benchmarks
pub async fn closed_loop<F, Fut>(workers: usize, secs: u64, op: F) -> f64
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let count = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let tasks: Vec<_> = (0..workers)
        .map(|_| {
            let (op, count) = (op.clone(), count.clone());
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    op().await;
                    count.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    count.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

/// A signature as the pad exports it: a 900 × 300 RGBA PNG (a 450 × 150 CSS
/// pixel pad at device pixel ratio 2) with a few pen strokes of varying
/// width on a transparent background.
pub fn drawn_signature_png() -> Vec<u8> {
    let (w, h) = (900u32, 300u32);
    let mut pixels = vec![0u8; (w * h * 4) as usize];
    let mut dot = |x: f32, y: f32, r: f32| {
        let (x0, x1) = ((x - r).max(0.0) as u32, ((x + r) as u32).min(w - 1));
        let (y0, y1) = ((y - r).max(0.0) as u32, ((y + r) as u32).min(h - 1));
        for py in y0..=y1 {
            for px in x0..=x1 {
                if (px as f32 - x).powi(2) + (py as f32 - y).powi(2) <= r * r {
                    let i = ((py * w + px) * 4) as usize;
                    pixels[i..i + 4].copy_from_slice(&[20, 30, 90, 255]);
                }
            }
        }
    };
    for stroke in 0..3 {
        for step in 0..2000 {
            let t = step as f32 / 2000.0;
            let x = 60.0 + t * 780.0;
            let y = 150.0 + (t * 18.0 + stroke as f32).sin() * (60.0 - stroke as f32 * 15.0);
            dot(x, y, 2.0 + (t * 9.0).cos().abs() * 2.5);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&pixels).unwrap();
    writer.finish().unwrap();
    out
}

/// CPU time so far of this process's threads, in seconds, by thread name
/// (`/proc/self/task/*/schedstat`, Linux): where a burst's time went.
#[allow(dead_code)] // used by one of the benchmarks
pub fn cpu_by_thread() -> std::collections::BTreeMap<String, f64> {
    let mut by_name = std::collections::BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return by_name;
    };
    for task in tasks.flatten() {
        let path = task.path();
        let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        let ns: f64 = std::fs::read_to_string(path.join("schedstat"))
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse().ok())
            .unwrap_or(0.0);
        *by_name.entry(name.trim().to_string()).or_insert(0.0) += ns / 1e9;
    }
    by_name
}
