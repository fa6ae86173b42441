use anyhow::Result;
use omsorg_e2e::*;
use thirtyfour::prelude::*;

/// The names in the picker, in screen order.
async fn listed_names(driver: &WebDriver) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for el in driver.find_all(By::Css(".municipality .name")).await? {
        names.push(el.text().await?);
    }
    Ok(names)
}

async fn open_picker(driver: &WebDriver) -> Result<()> {
    let button = wait_css(driver, "#login-kombit").await?;
    assert_eq!(button.text().await?, "Log ind med KOMBIT");
    button.click().await?;
    wait_css(driver, "#municipality-screen").await?;
    Ok(())
}

/// What the page itself can fetch: the CSP must stop the web view from
/// reaching any HTTP server (only the shell talks to the backend).
async fn web_view_fetch(driver: &WebDriver, url: &str) -> Result<String> {
    let ret = driver
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0], { mode: 'no-cors' })
               .then(() => done('fetched'), (e) => done('blocked: ' + e));",
            vec![serde_json::json!(url)],
        )
        .await?;
    Ok(ret.json().as_str().unwrap_or_default().to_string())
}

#[tokio::test]
async fn picker_lists_municipalities_from_backend_and_falls_back_to_cache_when_it_is_down(
) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let x = Xvfb::start().await?;
    let idp = DevIdp::start().await?;
    let mut backend = Backend::start(&idp.issuer, dir.path()).await?;
    let env = [
        ("OMSORG_API_URL", backend.url.clone()),
        (
            "OMSORG_DATA_DIR",
            dir.path().join("app").display().to_string(),
        ),
    ];
    let driver = Driver::start(&x.display, &env).await?;

    // First start, backend up: Danish login screen, then the live list.
    let app = driver.launch_app().await?;
    wait_css(&app, "#login-screen").await?;
    screenshot(&app, "01-login.png").await?;
    open_picker(&app).await?;
    wait_css(&app, ".municipality").await?;
    assert_eq!(listed_names(&app).await?, ["Aarhus", "København"]);
    assert!(
        app.find(By::Id("load-error")).await.is_err(),
        "no error while online"
    );

    // The search narrows the list, accent-insensitively.
    let search = app.find(By::Id("municipality-search")).await?;
    search.send_keys("kob").await?;
    assert_eq!(listed_names(&app).await?, ["København"]);
    search.clear().await?;
    search.send_keys(" ").await?;
    assert_eq!(listed_names(&app).await?, ["Aarhus", "København"]);
    screenshot(&app, "02-municipalities.png").await?;

    // The web view itself cannot reach the backend.
    let fetched = web_view_fetch(&app, &format!("{}/healthz", backend.url)).await?;
    assert!(
        fetched.starts_with("blocked"),
        "web view fetched the backend: {fetched}"
    );
    app.quit().await?;

    // Backend down, app started again: a clear message, "Prøv igen", and the
    // cached list. Never a blank screen.
    backend.stop();
    let app = driver.launch_app().await?;
    open_picker(&app).await?;
    let message = wait_css(&app, "#error-message").await?.text().await?;
    assert!(message.contains("ingen forbindelse"), "message: {message}");
    wait_css(&app, "#offline-notice").await?;
    assert_eq!(listed_names(&app).await?, ["Aarhus", "København"]);
    assert_eq!(wait_css(&app, "#retry").await?.text().await?, "Prøv igen");
    screenshot(&app, "03-offline-cached-list.png").await?;

    // Backend back: "Prøv igen" brings the live list and the notice goes.
    backend.restart().await?;
    app.find(By::Id("retry")).await?.click().await?;
    // Between the tap and the answer the picker shows "Henter…" (no list,
    // no notice), so wait for the live list itself, not only for the notice
    // to go.
    wait_for(45, "the live list after Prøv igen", || async {
        let live = app.find(By::Id("load-error")).await.is_err()
            && listed_names(&app).await.ok()? == ["Aarhus", "København"];
        live.then_some(())
    })
    .await?;
    app.quit().await?;
    Ok(())
}

#[tokio::test]
async fn first_start_with_backend_down_explains_and_recovers_on_retry() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let x = Xvfb::start().await?;
    let idp = DevIdp::start().await?;
    let mut backend = Backend::stopped(&idp.issuer, dir.path(), free_port());
    let env = [
        ("OMSORG_API_URL", backend.url.clone()),
        (
            "OMSORG_DATA_DIR",
            dir.path().join("app").display().to_string(),
        ),
    ];
    let driver = Driver::start(&x.display, &env).await?;
    let app = driver.launch_app().await?;
    open_picker(&app).await?;

    let message = wait_css(&app, "#error-message").await?.text().await?;
    assert!(message.contains("ingen forbindelse"), "message: {message}");
    assert!(
        app.find(By::Id("offline-notice")).await.is_err(),
        "nothing cached yet"
    );
    assert!(listed_names(&app).await?.is_empty());
    screenshot(&app, "04-offline-first-start.png").await?;

    backend.restart().await?;
    app.find(By::Id("retry")).await?.click().await?;
    wait_css(&app, ".municipality").await?;
    assert_eq!(listed_names(&app).await?, ["Aarhus", "København"]);

    // English is available and the choice of language sticks.
    app.find(By::Id("back")).await?.click().await?;
    app.find(By::Id("lang-toggle")).await?.click().await?;
    assert_eq!(
        wait_css(&app, "#login-kombit").await?.text().await?,
        "Sign in with KOMBIT"
    );
    let lang = app
        .execute("return document.documentElement.lang", vec![])
        .await?;
    assert_eq!(lang.json(), "en");
    app.quit().await?;

    // The language is the shell's setting: it survives a restart.
    let app = driver.launch_app().await?;
    assert_eq!(
        wait_css(&app, "#login-kombit").await?.text().await?,
        "Sign in with KOMBIT"
    );
    app.quit().await?;
    Ok(())
}
