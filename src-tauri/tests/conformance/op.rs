//! A deliberately misbehaving OpenID Provider on loopback, one behaviour per
//! OpenID Foundation RP test (and a few more an attacker would try).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};

pub const CLIENT_ID: &str = "omsorg-app";
const KEY_1: &str = include_str!("fixtures/op-key-1.pem");
const KEY_2: &str = include_str!("fixtures/op-key-2.pem");

/// How the provider misbehaves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Quirk {
    None,
    NonceInvalid,
    AudOther,
    NoIat,
    IatInFuture,
    IssuerMismatch,
    NoSub,
    BadSignature,
    AlgNone,
    HmacWithPublicKey,
    KidAbsentSingleKey,
    KidAbsentMultipleKeys,
    UserinfoBadSub,
    DiscoveryIssuerMismatch,
    KeyRotation,
    Expired,
    StateMismatch,
    NoIdToken,
    ExtraAudienceWrongAzp,
    /// `aud` is ours alone, but `azp` names another client.
    OnlyAudienceWrongAzp,
    /// Advertises RFC 9207's `iss` in authorization responses and sends it.
    IssParameter,
    /// Advertises it, but the response's `iss` is another issuer (mix-up).
    IssParameterOther,
    /// Advertises it, but sends none.
    IssParameterMissing,
    /// Before the browser's redirect, something else on the device calls
    /// the redirect URI with a forged state.
    ForgedRedirectFirst,
    AccessDenied,
    TokenEndpointError,
    /// Ignores `max_age=0`: the ID token's `auth_time` is from an old session.
    AuthTimeOld,
    /// No `auth_time` in the ID token at all.
    NoAuthTime,
}

#[derive(Default)]
pub struct Seen {
    pub authorize: Option<HashMap<String, String>>,
    pub token: Option<HashMap<String, String>>,
    pub userinfo_auth: Option<String>,
    pub jwks_fetches: usize,
}

#[derive(Clone)]
struct Op {
    issuer: String,
    quirk: Quirk,
    seen: Arc<Mutex<Seen>>,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn jwk(pem: &str, kid: &str) -> Value {
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem).expect("fixture key");
    json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
           "n": b64(&key.n().to_bytes_be()), "e": b64(&key.e().to_bytes_be())})
}

/// Starts the provider; returns its issuer URL and what it saw.
pub async fn start(quirk: Quirk) -> (String, Arc<Mutex<Seen>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Seen::default()));
    let op = Op {
        issuer: issuer.clone(),
        quirk,
        seen: seen.clone(),
    };
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/userinfo", get(userinfo))
        .with_state(op);
    tokio::spawn(async move { axum::serve(listener, app).await });
    (issuer, seen)
}

async fn discovery(State(op): State<Op>) -> Json<Value> {
    let issuer = if op.quirk == Quirk::DiscoveryIssuerMismatch {
        format!("{}/other", op.issuer)
    } else {
        op.issuer.clone()
    };
    let i = &op.issuer;
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "userinfo_endpoint": format!("{i}/userinfo"),
        "jwks_uri": format!("{i}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": matches!(
            op.quirk,
            Quirk::IssParameter | Quirk::IssParameterOther | Quirk::IssParameterMissing
        ),
    }))
}

async fn jwks(State(op): State<Op>) -> Json<Value> {
    let fetches = {
        let mut seen = op.seen.lock().unwrap();
        seen.jwks_fetches += 1;
        seen.jwks_fetches
    };
    let keys = match op.quirk {
        Quirk::KidAbsentMultipleKeys => vec![jwk(KEY_2, "k2"), jwk(KEY_1, "k1")],
        // Rotation: the first fetch still has the old key only.
        Quirk::KeyRotation if fetches == 1 => vec![jwk(KEY_1, "k1")],
        Quirk::KeyRotation => vec![jwk(KEY_2, "k2")],
        _ => vec![jwk(KEY_1, "k1")],
    };
    Json(json!({ "keys": keys }))
}

async fn authorize(State(op): State<Op>, Query(q): Query<HashMap<String, String>>) -> Response {
    op.seen.lock().unwrap().authorize = Some(q.clone());
    let redirect = q.get("redirect_uri").cloned().unwrap_or_default();
    let mut state = q.get("state").cloned().unwrap_or_default();
    if op.quirk == Quirk::StateMismatch {
        state = "forged-state".into();
    }
    let mut query = if op.quirk == Quirk::AccessDenied {
        format!("error=access_denied&state={state}")
    } else {
        format!("code=the-code&state={state}")
    };
    let iss: String = url::form_urlencoded::byte_serialize(op.issuer.as_bytes()).collect();
    match op.quirk {
        Quirk::IssParameter => query.push_str(&format!("&iss={iss}")),
        Quirk::IssParameterOther => query.push_str("&iss=https%3A%2F%2Fattacker.example"),
        Quirk::ForgedRedirectFirst => {
            let forged = format!("{redirect}?code=stolen&state=forged-state");
            let _ = reqwest::get(forged).await;
        }
        _ => {}
    }
    Redirect::to(&format!("{redirect}?{query}")).into_response()
}

fn s256(verifier: &str) -> String {
    use sha2::Digest;
    b64(&sha2::Sha256::digest(verifier.as_bytes()))
}

async fn token(State(op): State<Op>, Form(form): Form<HashMap<String, String>>) -> Response {
    let authorize = op
        .seen
        .lock()
        .unwrap()
        .authorize
        .clone()
        .unwrap_or_default();
    op.seen.lock().unwrap().token = Some(form.clone());
    // A real provider checks PKCE; so does this one.
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    if authorize.get("code_challenge") != Some(&s256(&verifier))
        || op.quirk == Quirk::TokenEndpointError
    {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    let nonce = authorize.get("nonce").cloned().unwrap_or_default();
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "iss": op.issuer, "sub": "anna", "aud": CLIENT_ID, "iat": now, "exp": now + 300,
        "nonce": nonce, "name": "Anna Andersen",
    });
    // The person authenticated now when asked to (max_age=0); otherwise the
    // login passed through on a session from ten minutes ago.
    let asked_fresh = authorize.get("max_age").map(String::as_str) == Some("0");
    claims["auth_time"] = json!(match (op.quirk, asked_fresh) {
        (Quirk::AuthTimeOld, _) | (_, false) => now - 600,
        _ => now,
    });
    if op.quirk == Quirk::NoAuthTime {
        claims.as_object_mut().unwrap().remove("auth_time");
    }
    let (mut key, mut kid) = (KEY_1, Some("k1"));
    match op.quirk {
        Quirk::NonceInvalid => claims["nonce"] = json!("another-nonce"),
        Quirk::AudOther => claims["aud"] = json!("someone-else"),
        Quirk::NoIat => drop(claims.as_object_mut().unwrap().remove("iat")),
        Quirk::IatInFuture => claims["iat"] = json!(now + 3600),
        Quirk::IssuerMismatch => claims["iss"] = json!("http://127.0.0.1:9/not-the-issuer"),
        Quirk::NoSub => drop(claims.as_object_mut().unwrap().remove("sub")),
        Quirk::Expired => {
            claims["iat"] = json!(now - 7200);
            claims["exp"] = json!(now - 3600);
        }
        Quirk::BadSignature => key = KEY_2,
        Quirk::KidAbsentSingleKey => kid = None,
        Quirk::KidAbsentMultipleKeys => kid = None,
        Quirk::KeyRotation => (key, kid) = (KEY_2, Some("k2")),
        Quirk::OnlyAudienceWrongAzp => claims["azp"] = json!("another-client"),
        Quirk::ExtraAudienceWrongAzp => {
            claims["aud"] = json!([CLIENT_ID, "another-client"]);
            claims["azp"] = json!("another-client");
        }
        _ => {}
    }
    let id_token = match op.quirk {
        Quirk::AlgNone => format!(
            "{}.{}.",
            b64(json!({"alg": "none"}).to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        ),
        Quirk::HmacWithPublicKey => {
            let public = jwk(KEY_1, "k1");
            let mut header = Header::new(Algorithm::HS256);
            header.kid = Some("k1".into());
            jsonwebtoken::encode(
                &header,
                &claims,
                &EncodingKey::from_secret(public["n"].as_str().unwrap().as_bytes()),
            )
            .unwrap()
        }
        _ => {
            let mut header = Header::new(Algorithm::RS256);
            header.kid = kid.map(str::to_string);
            jsonwebtoken::encode(
                &header,
                &claims,
                &EncodingKey::from_rsa_pem(key.as_bytes()).unwrap(),
            )
            .unwrap()
        }
    };
    let mut body = json!({"access_token": "opaque-access", "token_type": "Bearer",
                          "expires_in": 300, "refresh_token": "opaque-refresh"});
    if op.quirk != Quirk::NoIdToken {
        body["id_token"] = json!(id_token);
    }
    Json(body).into_response()
}

async fn userinfo(State(op): State<Op>, headers: HeaderMap) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    op.seen.lock().unwrap().userinfo_auth = auth.clone();
    // rp-userinfo-bearer-header: only the Authorization header is accepted.
    if auth.as_deref() != Some("Bearer opaque-access") {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let sub = if op.quirk == Quirk::UserinfoBadSub {
        "mallory"
    } else {
        "anna"
    };
    Json(json!({"sub": sub, "name": "Anna Andersen", "email": "anna@kbh.example"})).into_response()
}
