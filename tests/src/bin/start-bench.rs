//! `start-bench <omsorg app> <bare app> [runs]`: app start, measured from
//! outside the same way for both: from the WebDriver session request (which
//! launches the app under Xvfb, in a desktop session with a Secret Service)
//! until `#login-kombit` is in the DOM (the bare app's counter button has
//! that ID). The two alternate, `runs` times each (default 3); prints each
//! run, both medians and their ratio. A benchmark, not a test
//! (`cargo xtask bench` runs it).
//!
//! Omsorg's first screen is drawn before its code has loaded
//! (`src-ui/prescreen.js`; a tap on it waits for the code). The second
//! figure is until the button drawn by the app's own code is there
//! (`main:not([data-early])`), the same for the bare app: when a tap is
//! answered at once.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use omsorg_e2e::identity::Keyring;
use omsorg_e2e::{Driver, Xvfb};
use thirtyfour::By;

/// The button drawn by the app's own code (not by `prescreen.js`).
const BY_THE_APP: &str = "main:not([data-early]) #login-kombit";

/// One start: seconds until the login button is in the DOM, and until the
/// app's own code has drawn it.
async fn start(app: &Path) -> Result<(f64, f64)> {
    let dir = tempfile::tempdir()?;
    let x = Xvfb::start().await?;
    let keyring = Keyring::start(dir.path()).await?;
    let mut env = vec![(
        "OMSORG_DATA_DIR",
        dir.path().join("app").display().to_string(),
    )];
    env.extend(keyring.env());
    let driver = Driver::start(&x.display, &env).await?;
    // `OMSORG_BENCH_SELECTOR` measures to another element (e.g. `main`,
    // the first thing the UI draws), to see where the time goes.
    let target = std::env::var("OMSORG_BENCH_SELECTOR").unwrap_or_else(|_| "#login-kombit".into());
    let t = Instant::now();
    let launched = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs_f64()
        * 1000.0;
    let session = driver.launch_early(app).await?;
    let ceiling = t + Duration::from_secs(60);
    let mut shown = None;
    let running = loop {
        if shown.is_none() && session.find(By::Css(&target)).await.is_ok() {
            shown = Some(t.elapsed().as_secs_f64());
            if std::env::var_os("OMSORG_BENCH_TIMINGS").is_some() {
                let at = session
                    .execute(
                        "return `${Math.round(performance.now())} ms, ${document.readyState}`",
                        vec![],
                    )
                    .await?;
                println!(
                    "  found at page time {}",
                    at.json().as_str().unwrap_or_default()
                );
            }
        }
        if shown.is_some() && session.find(By::Css(BY_THE_APP)).await.is_ok() {
            break t.elapsed().as_secs_f64();
        }
        if Instant::now() > ceiling {
            bail!(
                "{} showed no {target} and {BY_THE_APP} in 60 s",
                app.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let secs = (shown.unwrap_or(running), running);
    // `OMSORG_BENCH_TIMINGS=1`: the page's own clock, to see where the time goes.
    if std::env::var_os("OMSORG_BENCH_TIMINGS").is_some() {
        let timings = session
            .execute(
                "const n = performance.getEntriesByType('navigation')[0] || {};
                 const r = performance.getEntriesByType('resource')
                   .map((e) => `${e.name.split('/').pop()} ${Math.round(e.startTime)}-${Math.round(e.responseEnd)}`);
                 const m = performance.getEntriesByType('mark').map((e) => `${e.name} ${Math.round(e.startTime)}`);
                 return `launched at epoch ${arguments[0].toFixed(1)} ms; page opened ${Math.round(performance.timeOrigin - arguments[0])} ms after launch; now ${Math.round(performance.now())} ms; dom ${Math.round(n.domContentLoadedEventEnd)}; ${m.join(', ')}; `
                   + `load ${Math.round(n.loadEventEnd)}; ` + r.join(', ');",
                vec![serde_json::json!(launched)],
            )
            .await?;
        println!(
            "  {}: {}",
            app.display(),
            timings.json().as_str().unwrap_or_default()
        );
        if app.ends_with("omsorg-app") {
            let ipc = session
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                     (async () => { const out = [];
                       for (let i = 0; i < 5; i++) { const t = performance.now();
                         await window.__TAURI__.core.invoke('get_language');
                         out.push((performance.now() - t).toFixed(1)); }
                       done(out.join(' ms, ') + ' ms'); })();",
                    vec![],
                )
                .await?;
            println!(
                "  get_language round trips: {}",
                ipc.json().as_str().unwrap_or_default()
            );
        }
    }
    session.quit().await?;
    Ok(secs)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(omsorg), Some(bare)) = (args.first(), args.get(1)) else {
        bail!("usage: start-bench <omsorg app> <bare app> [runs]");
    };
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(3);
    let (omsorg, bare) = (PathBuf::from(omsorg), PathBuf::from(bare));
    // One start of each first, unmeasured: the page cache warm for both.
    start(&omsorg).await?;
    start(&bare).await?;
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for run in 1..=runs {
        let o = start(&omsorg).await?;
        let b = start(&bare).await?;
        println!(
            "start run {run}: Omsorg {:.3} s (its code running {:.3} s), bare Tauri 2 + Yew {:.3} s",
            o.0, o.1, b.1
        );
        ours.push(o);
        theirs.push(b);
    }
    let part = |v: &[(f64, f64)], f: fn(&(f64, f64)) -> f64| median(v.iter().map(f).collect());
    let (o, b) = (part(&ours, |s| s.0), part(&theirs, |s| s.0));
    println!(
        "app start to the login button, median of {runs}: Omsorg {o:.3} s, bare Tauri 2 + Yew {b:.3} s, ratio {:.2}",
        o / b
    );
    let (o, b) = (part(&ours, |s| s.1), part(&theirs, |s| s.1));
    println!(
        "app start to the app's code running, median of {runs}: Omsorg {o:.3} s, bare Tauri 2 + Yew {b:.3} s, ratio {:.2}",
        o / b
    );
    Ok(())
}
