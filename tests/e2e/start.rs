//! The first start: the login screen is drawn before the app's code has
//! loaded (`src-ui/prescreen.js`), says what the app's own login screen
//! says, and a tap made on it before the app runs is not lost.
//!
//! The debug app's window loads its development URL, where this suite
//! serves the release UI bundle (`OMSORG_E2E_UI`) and holds back its wasm
//! until the test has tapped: so the early screen is certainly the one
//! tapped, on any machine, however fast.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{ensure, Context, Result};
use omsorg_e2e::*;
use thirtyfour::prelude::*;
use tokio::sync::watch;

const DEV_URL: &str = "127.0.0.1:1420";

/// The login screen's texts, in order: title, language button, lead, login, enroll.
const TEXTS: &str =
    "return ['#login-title', '#lang-toggle', '.lead', '#login-kombit', '#enroll-device']
    .map((css) => document.querySelector('#login-screen ' + css).textContent.trim())";

/// Serves `dir` where the debug app looks; `.wasm` only once `release` says so.
async fn serve_holding_wasm(dir: PathBuf, release: watch::Receiver<bool>) -> Result<()> {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let addr: SocketAddr = DEV_URL.parse()?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("the test needs {DEV_URL} (the app's development URL)"))?;
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let (dir, mut release) = (dir.clone(), release.clone());
        async move {
            let rel = uri.path().trim_start_matches('/');
            let rel = if rel.is_empty() { "index.html" } else { rel };
            if rel.contains("..") {
                return StatusCode::NOT_FOUND.into_response();
            }
            let ext = Path::new(rel).extension().and_then(|e| e.to_str());
            if ext == Some("wasm") && release.wait_for(|go| *go).await.is_err() {
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
            let mime = match ext {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript",
                Some("wasm") => "application/wasm",
                Some("css") => "text/css",
                _ => "application/octet-stream",
            };
            match tokio::fs::read(dir.join(rel)).await {
                Ok(body) => ([(header::CONTENT_TYPE, mime)], body).into_response(),
                Err(_) => StatusCode::NOT_FOUND.into_response(),
            }
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(())
}

async fn texts(app: &WebDriver) -> Result<Vec<String>> {
    Ok(serde_json::from_value(
        app.execute(TEXTS, vec![]).await?.json().clone(),
    )?)
}

async fn page_lang(app: &WebDriver) -> Result<String> {
    let lang = app
        .execute("return document.documentElement.lang", vec![])
        .await?;
    Ok(lang.json().as_str().unwrap_or_default().to_string())
}

#[tokio::test]
async fn the_login_screen_is_there_before_the_app_and_keeps_its_taps() -> Result<()> {
    let (release, held) = watch::channel(false);
    serve_holding_wasm(required_path("OMSORG_E2E_UI"), held).await?;
    let dir = tempfile::tempdir()?;
    let x = Xvfb::start().await?;
    let env = vec![(
        "OMSORG_DATA_DIR",
        dir.path().join("app").display().to_string(),
    )];
    let driver = Driver::start(&x.display, &env).await?;
    let app = driver
        .launch_early(&required_path("OMSORG_E2E_GALLERY_APP"))
        .await?;

    // The app's code is held back, and the login screen is there: Danish,
    // as nobody has chosen otherwise.
    wait_css(&app, "main[data-early] #login-kombit").await?;
    ensure!(
        page_lang(&app).await? == "da",
        "the early screen is not said to be Danish"
    );
    let early_da = texts(&app).await?;
    ensure!(
        early_da[3] == "Log ind med KOMBIT",
        "early login button: {early_da:?}"
    );

    // English at once, then "Log ind": both wait for the app.
    app.find(By::Css("main[data-early] #lang-toggle"))
        .await?
        .click()
        .await?;
    let early_en = texts(&app).await?;
    ensure!(
        page_lang(&app).await? == "en",
        "the early screen did not switch to English"
    );
    ensure!(
        early_en != early_da,
        "the language button changed no text: {early_en:?}"
    );
    app.find(By::Css("main[data-early] #login-kombit"))
        .await?
        .click()
        .await?;
    ensure!(
        app.find(By::Css("#municipality-screen")).await.is_err(),
        "the municipality picker appeared before the app's code was served"
    );

    // The app starts: the early screen is gone, the tap is done (the
    // picker, in English), and the language is the shell's now.
    release.send(true)?;
    wait_css(&app, "#municipality-screen").await?;
    ensure!(
        app.find_all(By::Css("main[data-early], #login-screen"))
            .await?
            .is_empty(),
        "a login screen is still there beside the picker"
    );
    ensure!(
        page_lang(&app).await? == "en",
        "the app forgot the language chosen early"
    );
    let stored = wait_for(20, "the shell to store English", || async {
        let tag = app
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 window.__TAURI__.core.invoke('get_language').then(done, (e) => done(String(e)));",
                vec![],
            )
            .await
            .ok()?;
        (tag.json().as_str()? == "en").then_some(())
    })
    .await;
    ensure!(
        stored.is_ok(),
        "the language chosen on the early screen was not stored"
    );

    // The app's own login screen says what the early one said, in both
    // languages (a reload draws it without the early screen: the start
    // hint is for a first load only).
    app.refresh().await?;
    wait_css(&app, "main #login-screen").await?;
    ensure!(
        app.find(By::Css("main[data-early]")).await.is_err(),
        "a reload drew the early screen"
    );
    ensure!(
        texts(&app).await? == early_en,
        "English texts differ from the early screen's"
    );
    app.find(By::Css("#lang-toggle")).await?.click().await?;
    let ours_da = wait_for(20, "Danish texts", || async {
        let t = texts(&app).await.ok()?;
        (t[3] == "Log ind med KOMBIT").then_some(t)
    })
    .await?;
    ensure!(
        ours_da == early_da,
        "Danish texts differ: {ours_da:?} vs {early_da:?}"
    );
    app.quit().await?;
    Ok(())
}
