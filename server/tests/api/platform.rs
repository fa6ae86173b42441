use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_answers() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "ok");
}

/// The served `/api/openapi.json`.
async fn openapi_document(app: &crate::helpers::TestApp) -> Value {
    app.client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn openapi_document_describes_the_served_paths() {
    let app = spawn_app().await;
    let doc = openapi_document(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/healthz", "/api/v1/municipalities"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} missing");
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

#[tokio::test]
async fn unknown_paths_and_methods_get_json_errors_not_html_or_500() {
    let app = spawn_app().await;
    let cases = [
        (
            reqwest::Method::GET,
            "/api/v1/nope",
            404,
            "request.not_found",
        ),
        (
            reqwest::Method::DELETE,
            "/api/v1/municipalities",
            405,
            "request.method_not_allowed",
        ),
    ];
    for (method, path, status, code) in cases {
        let res = app
            .client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), status, "{method} {path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], code, "{method} {path}");
        assert!(body["message"].is_string());
    }
}

/// A schema-driven probe: every operation in the OpenAPI document is called
/// the ways a client or an attacker might (no credentials, a forged bearer
/// token, a forged device or shared credential, an administrator's and a
/// staff member's real token, with a malformed body, an empty one and
/// unknown path parameters) and every status it answers must be one the
/// document lists for that operation. Every other method on a documented
/// path must be refused with 405, so no undocumented operation hides there.
#[tokio::test]
async fn every_operation_answers_only_statuses_its_document_lists() {
    let issuer = crate::helpers::spawn_issuer().await;
    let app = crate::helpers::spawn_app_trusting(&issuer).await;
    let doc = openapi_document(&app).await;
    let bearer = |sub: &str| {
        format!(
            "Bearer {}",
            crate::helpers::token(
                crate::helpers::KEY,
                Some("k1"),
                serde_json::json!({"iss": issuer, "sub": sub}),
            )
        )
    };
    let credentials: Vec<Option<String>> = vec![
        None,
        Some("Bearer not.a.token".into()),
        Some("Device forged-credential".into()),
        Some("Shared forged-session".into()),
        Some(bearer("bo")),
        Some(bearer("anna")),
    ];
    let bodies: [Option<&str>; 3] = [None, Some("{not json"), Some("{}")];
    let methods = ["get", "post", "put", "delete", "patch"];
    let mut undocumented = Vec::new();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { "nope" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        for method in methods {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let Some(op) = item.get(method) else {
                let res = app
                    .client
                    .request(m, app.url(&concrete))
                    .send()
                    .await
                    .unwrap();
                if res.status() != 405 {
                    undocumented.push(format!(
                        "{method} {path}: {} (not documented)",
                        res.status()
                    ));
                }
                continue;
            };
            operations += 1;
            let listed: Vec<&str> = op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            for auth in &credentials {
                for body in bodies {
                    let mut req = app.client.request(m.clone(), app.url(&concrete));
                    if let Some(auth) = auth {
                        req = req.header("authorization", auth);
                    }
                    if let Some(body) = body {
                        req = req.header("content-type", "application/json").body(body);
                    }
                    let status = req.send().await.unwrap().status();
                    assert!(
                        status.as_u16() < 500 || status == 503,
                        "{method} {path}: {status}"
                    );
                    if !listed.contains(&status.as_str()) {
                        let who = auth.as_deref().map_or("none", |a| &a[..a.len().min(12)]);
                        undocumented.push(format!(
                            "{method} {path}: {} with auth {who} and body {body:?}",
                            status.as_u16()
                        ));
                    }
                }
            }
        }
    }
    undocumented.sort();
    // One line per operation and status.
    undocumented.dedup_by(|a, b| a.split(" with ").next() == b.split(" with ").next());
    assert!(
        operations >= 24,
        "the document lists {operations} operations"
    );
    assert!(
        undocumented.is_empty(),
        "undocumented:\n{}",
        undocumented.join("\n")
    );
}
