//! Every screen at every form factor, in the real app window: phone
//! (390 × 844), tablet portrait and landscape (800 × 1280, 1280 × 800) and
//! wall screen (1920 × 1080). The app's window loads the screen gallery, a
//! test-only build of the real UI whose shell answers from fixtures
//! (`src-ui/src/gallery.rs`), so each screen is reached in a few taps
//! without a backend while the real flows keep running at one size in the
//! other suites. At each size every screen is photographed
//! (`test-artifacts/gallery/<size>/<screen>.png`) and must have no
//! horizontal scrolling, no clipped, overflowing or overlapping text, no
//! touch target under 48 × 48 CSS px, and 0 axe-core violations of the
//! WCAG 2.1 A/AA rules; again with the text at 200 % (WCAG 1.4.4). Then
//! each screen is walked with the keyboard alone: every control is reached
//! in order with a visible focus, and Tab leads out again (no trap).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use omsorg_e2e::*;
use serde_json::{json, Value};
use thirtyfour::prelude::*;

/// The debug app loads its development URL; the gallery is served there.
const DEV_URL: &str = "127.0.0.1:1420";
/// In a tap: type the text after it into the element before it.
const TYPE: &str = " << ";
const LAYOUT: &str = include_str!("layout.js");
const FOCUS: &str = include_str!("focus.js");

/// Phone, tablet portrait, tablet landscape, wall screen.
const SIZES: [(&str, u32, u32); 4] = [
    ("phone", 390, 844),
    ("tablet-portrait", 800, 1280),
    ("tablet-landscape", 1280, 800),
    ("wall", 1920, 1080),
];

/// A screen: the scene the gallery starts in, the taps that reach the
/// screen from there (`css` to tap, `css << text` to type), and what shows it.
struct Screen {
    name: &'static str,
    scene: &'static str,
    taps: &'static [&'static str],
    shown: &'static str,
}

const fn screen(
    name: &'static str,
    scene: &'static str,
    taps: &'static [&'static str],
    shown: &'static str,
) -> Screen {
    Screen {
        name,
        scene,
        taps,
        shown,
    }
}

const SCREENS: &[Screen] = &[
    screen("login", "login", &[], "#login-screen"),
    screen("login-english", "login-en", &[], "#login-screen"),
    screen(
        "municipality-picker",
        "login",
        &["#login-kombit"],
        ".municipality[data-code='101']",
    ),
    screen(
        "browser-wait",
        "login",
        &["#login-kombit", ".municipality[data-code='101']"],
        "#browser-wait-screen",
    ),
    screen(
        "enroll-device",
        "login",
        &["#enroll-device"],
        "#enroll-screen",
    ),
    screen("pin-setup", "pin-setup", &[], "#pin-setup-screen"),
    screen("lock", "lock", &[], "#lock-screen"),
    screen("home", "home", &[], "#home-screen #substitute-ids-button"),
    screen("change-pin", "home", &["#change-pin"], "#pin-current"),
    screen(
        "new-enrollment-code",
        "home",
        &["#new-enrollment-code"],
        "#code-unit option",
    ),
    screen(
        "enrollment-code-shown",
        "home",
        &["#new-enrollment-code", "#code-mode-wall", "#code-create"],
        "#enrollment-code",
    ),
    screen(
        "order-1-photo-id",
        "order-0",
        &["#order-substitute"],
        "#order-progress",
    ),
    screen(
        "order-2-person",
        "order-1",
        &["#order-substitute"],
        "#confirm-name",
    ),
    screen(
        "order-3-period",
        "order-2",
        &["#order-substitute"],
        "#end-day",
    ),
    screen(
        "order-4-user-id",
        "order-3",
        &["#order-substitute"],
        "#reserved-user-id",
    ),
    screen(
        "order-5-declaration",
        "order-4",
        &["#order-substitute"],
        "#declaration-text",
    ),
    screen(
        "order-6-review",
        "order-5",
        &["#order-substitute"],
        "#order-review",
    ),
    screen(
        "order-receipt",
        "order-5",
        &["#order-substitute", "#order-send"],
        "#receipt-password",
    ),
    screen("my-orders", "home", &["#my-orders-button"], "#my-orders li"),
    screen(
        "declaration-search",
        "home",
        &["#declarations-button", "#search-go"],
        "#declaration-results li",
    ),
    screen(
        "substitute-ids",
        "home",
        &["#substitute-ids-button"],
        "#substitute-ids",
    ),
    screen("units", "home", &["#units-button"], "#unit-list li"),
    screen("people", "home", &["#people-button"], "#people-list li"),
    screen("devices", "home", &["#devices-button"], "#devices-list li"),
    screen(
        "shared-tablet-login",
        "shared-tablet",
        &[],
        "#shared-login-screen",
    ),
    screen(
        "shared-tablet-home",
        "shared-tablet",
        &[
            "#shared-user-id << carl",
            "#shared-pin << 1397",
            "#shared-login-submit",
        ],
        "#home-screen",
    ),
    screen(
        "kiosk-wall-screen",
        "shared-wall",
        &[],
        "#shared-login-screen",
    ),
    screen(
        "kiosk-administration",
        "device-admin",
        &[],
        "#device-admin-screen",
    ),
];

/// Serves the gallery build (`OMSORG_E2E_GALLERY`) where the debug app looks.
async fn serve(dir: PathBuf) -> Result<()> {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let addr: SocketAddr = DEV_URL.parse()?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("the gallery needs {DEV_URL} (the app's development URL)"))?;
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let dir = dir.clone();
        async move {
            let rel = uri.path().trim_start_matches('/');
            let rel = if rel.is_empty() { "index.html" } else { rel };
            if rel.contains("..") {
                return StatusCode::NOT_FOUND.into_response();
            }
            let mime = match Path::new(rel).extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript",
                Some("wasm") => "application/wasm",
                Some("css") => "text/css",
                Some("png") => "image/png",
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

/// Opens `screen` from its scene; the window then shows it.
async fn open(app: &WebDriver, s: &Screen) -> Result<()> {
    app.goto(format!("http://{DEV_URL}/?{}", s.scene)).await?;
    // A fresh page each time: wait for this load's UI, not the last one's.
    wait_for(45, "the gallery page to load", || async {
        let ret = app
            .execute("return location.search + '|' + document.readyState", vec![])
            .await
            .ok()?;
        (ret.json().as_str()? == format!("?{}|complete", s.scene)).then_some(())
    })
    .await?;
    // The app's code running: what is tapped is its screen, not the early
    // login screen it replaces.
    wait_css(app, BY_APP).await?;
    for tap in s.taps {
        // The screen laid out before it is touched: a click aims at where
        // the element is, and a list still settling moves it.
        let (css, text) = tap.split_once(TYPE).unwrap_or((tap, ""));
        let el = wait_css(app, css).await?;
        next_frame(app).await?;
        if text.is_empty() {
            el.click().await?;
        } else {
            el.send_keys(text).await?;
        }
    }
    wait_css(app, s.shown).await?;
    next_frame(app).await
}

/// The window's inner size set to `width` × `height` CSS px.
async fn resize(app: &WebDriver, width: u32, height: u32) -> Result<()> {
    app.set_window_rect(0, 0, width, height).await?;
    wait_for(20, "the window to take its size", || async {
        let ret = app
            .execute(
                "return [document.documentElement.clientWidth, window.innerHeight]",
                vec![],
            )
            .await
            .ok()?;
        let v = ret.json();
        (v[0].as_u64()? as u32 <= width
            && v[0].as_u64()? as u32 + 20 >= width
            && v[1].as_u64()? as u32 == height)
            .then_some(())
    })
    .await
}

async fn layout(app: &WebDriver, targets: bool) -> Result<Value> {
    Ok(app
        .execute(LAYOUT, vec![json!(targets)])
        .await?
        .json()
        .clone())
}

/// The WCAG 2.1 A and AA rules of axe-core (`OMSORG_E2E_AXE`), run on the page.
async fn axe(app: &WebDriver, source: &str) -> Result<Vec<String>> {
    let loaded = app.execute("return typeof axe", vec![]).await?;
    if loaded.json() != "object" {
        app.execute(source, vec![]).await?;
    }
    let ret = app
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {
               runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
               resultTypes: ['violations'],
             }).then(
               (r) => done(r.violations.map((v) => `${v.id} (${v.impact}): ${v.help}: `
                 + v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(', '))),
               (e) => done(['axe failed: ' + e]));",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(ret.json().clone())?)
}

fn fails(v: &Value) -> Vec<String> {
    v["fails"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn every_screen_is_right_at_every_size_and_accessible() -> Result<()> {
    let t = Instant::now();
    let dist = required_path("OMSORG_E2E_GALLERY");
    let debug_app = required_path("OMSORG_E2E_GALLERY_APP");
    let axe_source = std::fs::read_to_string(required_path("OMSORG_E2E_AXE"))?;
    serve(dist).await?;
    let dir = tempfile::tempdir()?;
    let x = Xvfb::start_sized(2000, 1400).await?;
    let env = vec![
        (
            "OMSORG_DATA_DIR",
            dir.path().join("app").display().to_string(),
        ),
        ("LANG", "en_US.UTF-8".to_string()),
        ("LC_ALL", "en_US.UTF-8".to_string()),
        ("TZ", "America/New_York".to_string()),
    ];
    let driver = Driver::start(&x.display, &env).await?;
    let app = driver.launch(&debug_app).await?;
    let shots = artifacts_dir().join("gallery");

    let mut problems = Vec::new();
    let mut count = 0;
    let mut wall_font = 0.0;
    let mut tablet_font = 0.0;
    for (size, width, height) in SIZES {
        resize(&app, width, height).await?;
        std::fs::create_dir_all(shots.join(size))?;
        for s in SCREENS {
            open(&app, s).await?;
            let at = format!("{size}/{}", s.name);
            screenshot(&app, &format!("gallery/{at}.png")).await?;
            count += 1;
            // Danish names and texts, said to be Danish (WCAG 3.1.1), and
            // English when the person chose English.
            let lang = app
                .execute("return document.documentElement.lang", vec![])
                .await?;
            let want = if s.scene.ends_with("-en") { "en" } else { "da" };
            if lang.json() != want {
                problems.push(format!(
                    "{at}: the page's language is {}, not {want}",
                    lang.json()
                ));
            }
            let measured = layout(&app, true).await?;
            problems.extend(fails(&measured).into_iter().map(|f| format!("{at}: {f}")));
            problems.extend(
                axe(&app, &axe_source)
                    .await?
                    .into_iter()
                    .map(|f| format!("{at}: axe: {f}")),
            );
            if s.name == "kiosk-wall-screen" {
                let font = measured["rootFontPx"].as_f64().unwrap_or_default();
                match size {
                    "wall" => wall_font = font,
                    "tablet-landscape" => tablet_font = font,
                    _ => {}
                }
            }
            // Text at 200 % (the root size doubled: every text size is in
            // rem or em): still no scrolling sideways, nothing clipped or
            // overlapping.
            app.execute(
                "const r = document.documentElement;
                 r.style.fontSize = (2 * parseFloat(getComputedStyle(r).fontSize)) + 'px';",
                vec![],
            )
            .await?;
            next_frame(&app).await?;
            screenshot(&app, &format!("gallery/{at}-text-200.png")).await?;
            let zoomed = layout(&app, false).await?;
            problems.extend(
                fails(&zoomed)
                    .into_iter()
                    .map(|f| format!("{at} at 200 % text: {f}")),
            );
        }
    }
    assert!(
        wall_font >= tablet_font * 1.25,
        "a wall screen's type is read from a distance: {wall_font} px against {tablet_font} px on a tablet"
    );

    // The keyboard alone, at the tablet size.
    let mut tab_stops = 0;
    resize(&app, 1280, 800).await?;
    for s in SCREENS {
        open(&app, s).await?;
        app.execute(
            "document.activeElement && document.activeElement.blur()",
            vec![],
        )
        .await?;
        let expected: Value = app
            .execute(FOCUS, vec![json!("list")])
            .await?
            .json()
            .clone();
        let expected: Vec<String> = serde_json::from_value(expected)?;
        tab_stops += expected.len();
        let mut reached = Vec::new();
        for _ in 0..expected.len() + 2 {
            app.action_chain().send_keys(Key::Tab).perform().await?;
            let now: Value = app
                .execute(FOCUS, vec![json!("active")])
                .await?
                .json()
                .clone();
            if let Some(problem) = now["problem"].as_str() {
                problems.push(format!("keyboard/{}: {problem}", s.name));
            }
            // Each control once, in the order first reached.
            if let Some(id) = now["id"].as_str().map(String::from) {
                if !reached.contains(&id) {
                    reached.push(id);
                }
            }
        }
        if reached.len() < expected.len() || reached[..expected.len()] != expected[..] {
            problems.push(format!(
                "keyboard/{}: Tab reached {reached:?}, the controls in order are {expected:?}",
                s.name
            ));
        }
    }
    record_figure(&format!(
        "screen gallery: {count} screenshots ({} screens x {} sizes, and each again at 200 % text), \
         {tab_stops} controls reached by Tab, {} problems, in {:.0} s",
        SCREENS.len(),
        SIZES.len(),
        problems.len(),
        t.elapsed().as_secs_f64()
    ))?;
    if !problems.is_empty() {
        bail!(
            "{} layout, accessibility or keyboard problems:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }
    app.quit().await?;
    Ok(())
}
