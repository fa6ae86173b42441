use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_answers() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn openapi_document_describes_the_served_paths() {
    let app = spawn_app().await;
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
