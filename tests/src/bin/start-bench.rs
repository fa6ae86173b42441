//! `start-bench <omsorg app> <bare app> [runs]`: app start, measured from
//! outside the same way for both: from the WebDriver session request (which
//! launches the app under Xvfb, in a desktop session with a Secret Service)
//! until `#login-kombit` is in the DOM (the bare app's counter button has
//! that ID). The two alternate, `runs` times each (default 3); prints each
//! run, both medians and their ratio. A benchmark, not a test
//! (`cargo xtask bench` runs it).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use omsorg_e2e::identity::Keyring;
use omsorg_e2e::{Driver, Xvfb};
use thirtyfour::By;

/// One start: seconds until the login button is in the DOM.
async fn start(app: &Path) -> Result<f64> {
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
    let session = driver.launch(app).await?;
    let ceiling = t + Duration::from_secs(60);
    loop {
        if session.find(By::Css(&target)).await.is_ok() {
            break;
        }
        if Instant::now() > ceiling {
            bail!("{} showed no {target} in 60 s", app.display());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let secs = t.elapsed().as_secs_f64();
    // `OMSORG_BENCH_TIMINGS=1`: the page's own clock, to see where the time goes.
    if std::env::var_os("OMSORG_BENCH_TIMINGS").is_some() {
        let timings = session
            .execute(
                "const n = performance.getEntriesByType('navigation')[0] || {};
                 const r = performance.getEntriesByType('resource')
                   .map((e) => `${e.name.split('/').pop()} ${Math.round(e.startTime)}-${Math.round(e.responseEnd)}`);
                 const m = performance.getEntriesByType('mark').map((e) => `${e.name} ${Math.round(e.startTime)}`);
                 return `page opened ${Math.round(performance.timeOrigin - arguments[0])} ms after launch; now ${Math.round(performance.now())} ms; dom ${Math.round(n.domContentLoadedEventEnd)}; ${m.join(', ')}; `
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
        println!("start run {run}: Omsorg {o:.3} s, bare Tauri 2 + Yew {b:.3} s");
        ours.push(o);
        theirs.push(b);
    }
    let (o, b) = (median(ours), median(theirs));
    println!(
        "app start to the login button, median of {runs}: Omsorg {o:.3} s, bare Tauri 2 + Yew {b:.3} s, ratio {:.2}",
        o / b
    );
    Ok(())
}
