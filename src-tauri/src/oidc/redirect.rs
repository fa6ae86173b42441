//! Where the provider sends the browser back: a loopback port (desktop,
//! RFC 8252 section 7.3) or the app's private-use URI scheme delivered by the
//! deep-link plugin (mobile, section 7.1).

use std::collections::HashMap;

use tokio::sync::mpsc;

use super::loopback::Loopback;

/// The private-use redirect URI registered for mobile (tauri.conf.json > plugins > deep-link).
pub const APP_REDIRECT_URI: &str = "dk.omsorg.app:/oauth2redirect";

pub enum RedirectTarget {
    Loopback(Loopback),
    /// URLs the OS opened the app with; the first one for `uri` is the redirect.
    AppScheme {
        uri: String,
        urls: mpsc::UnboundedReceiver<String>,
    },
}

impl RedirectTarget {
    pub async fn loopback() -> std::io::Result<RedirectTarget> {
        Ok(RedirectTarget::Loopback(Loopback::bind().await?))
    }

    pub fn redirect_uri(&self) -> &str {
        match self {
            RedirectTarget::Loopback(l) => &l.redirect_uri,
            RedirectTarget::AppScheme { uri, .. } => uri,
        }
    }

    /// The redirect's query parameters.
    pub async fn receive(&mut self) -> std::io::Result<HashMap<String, String>> {
        match self {
            RedirectTarget::Loopback(l) => l.receive().await,
            RedirectTarget::AppScheme { uri, urls } => loop {
                let Some(url) = urls.recv().await else {
                    return Err(std::io::Error::other("deep links closed"));
                };
                // Other deep links (not ours, or not a redirect) are not a login answer.
                if let Some(query) = url
                    .strip_prefix(uri.as_str())
                    .and_then(|r| r.strip_prefix('?'))
                {
                    return Ok(url::form_urlencoded::parse(query.as_bytes())
                        .into_owned()
                        .collect());
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn app_scheme_takes_the_first_redirect_and_ignores_other_links() {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut target = RedirectTarget::AppScheme {
            uri: APP_REDIRECT_URI.into(),
            urls: rx,
        };
        tx.send("dk.omsorg.app:/something-else?code=no".into())
            .unwrap();
        tx.send("https://evil.example/oauth2redirect?code=no".into())
            .unwrap();
        tx.send(format!("{APP_REDIRECT_URI}?code=c%201&state=s"))
            .unwrap();
        let params = target.receive().await.unwrap();
        assert_eq!(params["code"], "c 1");
        assert_eq!(params["state"], "s");
        drop(tx);
        assert!(
            target.receive().await.is_err(),
            "closed channel is an error, not a hang"
        );
    }

    #[tokio::test]
    async fn loopback_answers_only_its_callback_path() {
        let mut target = RedirectTarget::loopback().await.unwrap();
        let uri = target.redirect_uri().to_string();
        assert!(uri.starts_with("http://127.0.0.1:") && uri.ends_with("/callback"));
        let base = uri.trim_end_matches("/callback").to_string();
        let probe = tokio::spawn(async move {
            let favicon = reqwest::get(format!("{base}/favicon.ico"))
                .await
                .unwrap()
                .status();
            let done = reqwest::get(format!("{base}/callback?code=abc&state=xyz"))
                .await
                .unwrap();
            (favicon, done.status(), done.text().await.unwrap())
        });
        let params = target.receive().await.unwrap();
        assert_eq!(params["code"], "abc");
        let (favicon, status, page) = probe.await.unwrap();
        assert_eq!(favicon, 404);
        assert_eq!(status, 200);
        assert!(page.contains("Omsorg"));
    }
}
