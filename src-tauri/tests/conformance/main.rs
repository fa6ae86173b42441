//! The shell's OpenID Connect client against a misbehaving provider: the
//! OpenID Foundation's RP tests for the code flow, and more.

mod op;

use std::time::Duration;

use omsorg_app::oidc::browser::Browser;
use omsorg_app::oidc::redirect::RedirectTarget;
use omsorg_app::oidc::{LoginRequest, Provider};
use omsorg_core::ErrorCode;
use op::Quirk;

/// A "browser" that follows the redirects itself, as a person's would.
struct FollowingBrowser;

impl Browser for FollowingBrowser {
    fn open(&self, url: &str) -> Result<(), String> {
        let url = url.to_string();
        tokio::spawn(async move {
            let _ = reqwest::get(url).await;
        });
        Ok(())
    }
}

type Outcome = (
    Result<omsorg_app::oidc::LoginResult, ErrorCode>,
    std::sync::Arc<std::sync::Mutex<op::Seen>>,
);

async fn login(quirk: Quirk) -> Outcome {
    login_as(quirk, false).await
}

async fn login_as(quirk: Quirk, fresh: bool) -> Outcome {
    let (issuer, seen) = op::start(quirk).await;
    let request = LoginRequest {
        issuer: issuer.clone(),
        client_id: op::CLIENT_ID.into(),
        hint: Some("101".into()),
        resource: None,
        // A login that must not end: waited for only briefly.
        timeout: Duration::from_secs(if quirk == Quirk::StateMismatch { 2 } else { 10 }),
        fresh,
    };
    let result = async {
        let mut provider = Provider::discover(&issuer, op::CLIENT_ID).await?;
        let target = RedirectTarget::loopback().await.unwrap();
        provider.login(&request, &FollowingBrowser, target).await
    }
    .await
    .map_err(|e| e.code);
    (result, seen)
}

#[tokio::test]
async fn the_code_flow_succeeds_only_where_the_provider_behaves() {
    use ErrorCode::*;
    let cases: &[(&str, Quirk, Result<(), ErrorCode>)] = &[
        ("rp-response_type-code", Quirk::None, Ok(())),
        ("rp-id_token-sig-rs256", Quirk::None, Ok(())),
        (
            "rp-nonce-invalid",
            Quirk::NonceInvalid,
            Err(LoginInvalidToken),
        ),
        ("rp-id_token-aud", Quirk::AudOther, Err(LoginInvalidToken)),
        ("rp-id_token-iat", Quirk::NoIat, Err(LoginInvalidToken)),
        (
            "rp-id_token-issuer-mismatch",
            Quirk::IssuerMismatch,
            Err(LoginInvalidToken),
        ),
        ("rp-id_token-sub", Quirk::NoSub, Err(LoginInvalidToken)),
        (
            "rp-id_token-bad-sig-rs256",
            Quirk::BadSignature,
            Err(LoginInvalidToken),
        ),
        (
            "rp-id_token-sig-none",
            Quirk::AlgNone,
            Err(LoginInvalidToken),
        ),
        (
            "rp-id_token-kid-absent-single-jwks",
            Quirk::KidAbsentSingleKey,
            Ok(()),
        ),
        (
            "rp-id_token-kid-absent-multiple-jwks",
            Quirk::KidAbsentMultipleKeys,
            Ok(()),
        ),
        (
            "rp-userinfo-bad-sub-claim",
            Quirk::UserinfoBadSub,
            Err(LoginInvalidToken),
        ),
        ("rp-userinfo-bearer-header", Quirk::None, Ok(())),
        (
            "rp-discovery-issuer-not-matching-config",
            Quirk::DiscoveryIssuerMismatch,
            Err(LoginInvalidToken),
        ),
        ("rp-key-rotation-op-sign-key", Quirk::KeyRotation, Ok(())),
        ("expired ID token", Quirk::Expired, Err(LoginInvalidToken)),
        // A redirect with another state is not believed, and the login
        // keeps waiting for its own (it never comes here).
        ("state mismatch", Quirk::StateMismatch, Err(LoginTimedOut)),
        (
            "a forged redirect before the real one",
            Quirk::ForgedRedirectFirst,
            Ok(()),
        ),
        (
            "azp names another client, aud only ours",
            Quirk::OnlyAudienceWrongAzp,
            Err(LoginInvalidToken),
        ),
        ("RFC 9207 iss, right", Quirk::IssParameter, Ok(())),
        (
            "RFC 9207 iss, another issuer",
            Quirk::IssParameterOther,
            Err(LoginInvalidToken),
        ),
        (
            "RFC 9207 iss promised, missing",
            Quirk::IssParameterMissing,
            Err(LoginInvalidToken),
        ),
        (
            "HS256 signed with the public key",
            Quirk::HmacWithPublicKey,
            Err(LoginInvalidToken),
        ),
        (
            "ID token issued in the future",
            Quirk::IatInFuture,
            Err(LoginClockSkew),
        ),
        ("no ID token", Quirk::NoIdToken, Err(LoginInvalidToken)),
        (
            "second audience, foreign azp",
            Quirk::ExtraAudienceWrongAzp,
            Err(LoginInvalidToken),
        ),
        (
            "cancelled at the provider",
            Quirk::AccessDenied,
            Err(LoginCancelled),
        ),
        (
            "token endpoint refuses",
            Quirk::TokenEndpointError,
            Err(LoginProviderError),
        ),
    ];
    let mut report = Vec::new();
    for (name, quirk, want) in cases {
        let (got, _) = login(*quirk).await;
        let got = got.map(|_| ());
        report.push(format!("{name:<42} {got:?}"));
        assert_eq!(&got, want, "{name}");
    }
    println!("conformance results:\n{}", report.join("\n"));
}

#[tokio::test]
async fn the_authorization_request_is_code_flow_with_pkce_s256_state_nonce_and_hint() {
    let (result, seen) = login(Quirk::None).await;
    let login = result.expect("login");
    assert_eq!(login.subject, "anna");
    // rp-scope-userinfo-claims: name and e-mail come from UserInfo.
    assert_eq!(login.email.as_deref(), Some("anna@kbh.example"));
    assert_eq!(login.name.as_deref(), Some("Anna Andersen"));
    let seen = seen.lock().unwrap();
    let auth = seen.authorize.as_ref().unwrap();
    assert_eq!(auth["response_type"], "code");
    assert_eq!(auth["code_challenge_method"], "S256");
    assert!(auth["code_challenge"].len() >= 43);
    assert!(auth["state"].len() >= 16 && auth["nonce"].len() >= 16);
    assert_eq!(auth["login_hint"], "101");
    assert!(auth["redirect_uri"].starts_with("http://127.0.0.1:"));
    let scopes: Vec<_> = auth["scope"].split(' ').collect();
    for s in ["openid", "profile", "email", "offline_access"] {
        assert!(scopes.contains(&s), "scope {s}");
    }
    let token = seen.token.as_ref().unwrap();
    assert_eq!(token["grant_type"], "authorization_code");
    assert!(token.contains_key("code_verifier"));
    assert_eq!(seen.userinfo_auth.as_deref(), Some("Bearer opaque-access"));
    // The refresh token stays with the caller; Debug never prints it.
    assert!(!format!("{login:?}").contains("opaque"));
}

/// Single sign-on: an ordinary login asks for no new authentication (no
/// prompt=login, no max_age) and takes the provider's session as it is. A
/// fresh one (after a PIN block) sends max_age=0 and is refused unless the
/// ID token's auth_time says the person authenticated just now.
#[tokio::test]
async fn only_a_fresh_login_demands_authentication_now_and_checks_auth_time() {
    let (result, seen) = login(Quirk::None).await;
    assert!(result.is_ok());
    let auth = seen.lock().unwrap().authorize.clone().unwrap();
    assert_eq!(auth["prompt"], "consent", "no prompt=login: {auth:?}");
    assert!(!auth.contains_key("max_age"));
    assert!(
        login(Quirk::AuthTimeOld).await.0.is_ok(),
        "an old session is fine"
    );

    let (result, seen) = login_as(Quirk::None, true).await;
    assert!(result.is_ok(), "{:?}", result.err());
    assert_eq!(
        seen.lock().unwrap().authorize.as_ref().unwrap()["max_age"],
        "0"
    );
    for quirk in [Quirk::AuthTimeOld, Quirk::NoAuthTime] {
        assert_eq!(
            login_as(quirk, true).await.0.err(),
            Some(ErrorCode::LoginInvalidToken),
            "{quirk:?}"
        );
    }
}

/// A "browser" on a phone: it follows the provider's answer to the app's
/// private-use scheme, which the OS hands the app as a deep link. Before
/// each new link it hands over every earlier one again, as Android does
/// when it re-delivers the activity's old intent on the next login.
struct PhoneBrowser {
    links: omsorg_app::session::DeepLinks,
    delivered: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Browser for PhoneBrowser {
    fn open(&self, url: &str) -> Result<(), String> {
        let (url, links, delivered) = (url.to_string(), self.links.clone(), self.delivered.clone());
        tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let answer = http.get(url).send().await.unwrap();
            let location = answer.headers()["location"].to_str().unwrap().to_string();
            let all = {
                let mut delivered = delivered.lock().unwrap();
                delivered.push(location);
                delivered.clone()
            };
            for link in all {
                links.deliver(link);
            }
        });
        Ok(())
    }
}

/// Mobile (RFC 8252 7.1): the redirect comes back on the app's private-use
/// scheme through the deep-link plugin, and a second login in the same app
/// run works even when the first login's link is delivered again first.
#[tokio::test]
async fn a_second_login_on_the_app_scheme_works_in_the_same_run() {
    use omsorg_app::oidc::redirect::APP_REDIRECT_URI;
    let (issuer, seen) = op::start(Quirk::None).await;
    let links = omsorg_app::session::DeepLinks::default();
    let delivered = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let browser = PhoneBrowser {
        links: links.clone(),
        delivered: delivered.clone(),
    };
    let request = LoginRequest {
        issuer: issuer.clone(),
        client_id: op::CLIENT_ID.into(),
        hint: None,
        resource: None,
        timeout: Duration::from_secs(10),
        fresh: false,
    };
    let mut states = Vec::new();
    for attempt in 1..=2 {
        let mut provider = Provider::discover(&issuer, op::CLIENT_ID).await.unwrap();
        let target = RedirectTarget::AppScheme {
            uri: APP_REDIRECT_URI.into(),
            urls: links.subscribe(),
        };
        let login = provider.login(&request, &browser, target).await;
        assert!(
            login.is_ok(),
            "login {attempt}: {:?}",
            login.err().map(|e| e.code)
        );
        let seen = seen.lock().unwrap();
        let auth = seen.authorize.as_ref().unwrap();
        assert_eq!(auth["redirect_uri"], APP_REDIRECT_URI);
        states.push(auth["state"].clone());
    }
    assert_ne!(states[0], states[1], "each login has its own state");
    let delivered = delivered.lock().unwrap();
    let first = delivered.iter().find(|l| l.contains(&states[0])).unwrap();
    assert!(first.starts_with(&format!("{APP_REDIRECT_URI}?code=")));
}

#[tokio::test]
async fn key_rotation_refetches_the_keys_once() {
    let (result, seen) = login(Quirk::KeyRotation).await;
    assert!(result.is_ok());
    assert_eq!(seen.lock().unwrap().jwks_fetches, 2);
}

/// `omsorg-login-check` runs the same client: identity on stdout, or the code on stderr.
#[tokio::test]
async fn the_diagnostic_cli_prints_the_identity_or_the_error_code() {
    let dir = tempfile::tempdir().unwrap();
    let browser = dir.path().join("follow.sh");
    std::fs::write(&browser, "#!/bin/sh\nexec curl -s -L -o /dev/null \"$1\"\n").unwrap();
    std::fs::set_permissions(
        &browser,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let run = |issuer: String| {
        let browser = browser.clone();
        async move {
            tokio::process::Command::new(env!("CARGO_BIN_EXE_omsorg-login-check"))
                .args([
                    "--issuer",
                    &issuer,
                    "--client-id",
                    op::CLIENT_ID,
                    "--hint",
                    "101",
                    "--timeout-secs",
                    "10",
                ])
                .env("OMSORG_BROWSER", &browser)
                .env_remove("RUST_LOG")
                .output()
                .await
                .unwrap()
        }
    };

    let (issuer, _) = op::start(Quirk::None).await;
    let out = run(issuer.clone()).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["sub"], "anna");
    assert_eq!(line["email"], "anna@kbh.example");
    assert_eq!(line["issuer"], issuer.as_str());
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("opaque"),
        "no token printed"
    );

    let (issuer, _) = op::start(Quirk::AlgNone).await;
    let out = run(issuer).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "login.invalid_token"
    );
    assert!(out.stdout.is_empty());

    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_omsorg-login-check"))
        .arg("--issuer")
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "usage error");
}

#[tokio::test]
async fn an_unreachable_provider_is_reported_as_such() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = Provider::discover(&issuer, op::CLIENT_ID)
        .await
        .err()
        .expect("no provider there");
    assert_eq!(err.code, ErrorCode::LoginProviderUnreachable);
}
