//! Declaration search for administrators (SPEC C4): by name, user ID, unit,
//! date and the exact CPR number; own municipality only; CPR searches audited.

use serde_json::{json, Value};

use crate::helpers::*;

/// A search, its filters written as a query string for brevity
/// (`?cpr=…&name=…`) and sent as the JSON body.
async fn get(app: &TestApp, bearer: &str, query: &str) -> (u16, Value) {
    let body: serde_json::Map<String, Value> =
        url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
    app.call(
        reqwest::Method::POST,
        "/api/v1/declarations/search",
        &format!("Bearer {bearer}"),
        &[],
        Some(&Value::Object(body)),
    )
    .await
}

#[tokio::test]
async fn administrators_find_declarations_by_name_id_unit_date_and_exact_cpr() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let bearer = |who: &str| token(KEY, Some("k1"), json!({"iss": issuer, "sub": who}));
    let anna = bearer("anna");
    // Two orders: Sofie (born 1990) and Mikkel (born 2005).
    for (i, (cpr, name)) in [
        ("010190-1234", "Sofie Vikar Jensen"),
        ("150605-4321", "Mikkel Vikar Nielsen"),
    ]
    .into_iter()
    .enumerate()
    {
        let user_id = app.reserve(&anna).await;
        let key = format!("d-{i}");
        let (status, _) = app
            .order(&anna, Some(&key), &order_body(cpr, name, &user_id))
            .await;
        assert_eq!(status, 201);
    }
    let bo = bearer("bo");
    let names = |v: &Value| -> Vec<String> {
        v["declarations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["substitute_name"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, all) = get(&app, &bo, "").await;
    assert_eq!(status, 200);
    assert_eq!(names(&all).len(), 2);
    assert_eq!(
        names(&get(&app, &bo, "?cpr=0101901234").await.1),
        ["Sofie Vikar Jensen"]
    );
    assert_eq!(
        names(&get(&app, &bo, "?cpr=150605-4321").await.1),
        ["Mikkel Vikar Nielsen"]
    );
    assert!(
        names(&get(&app, &bo, "?cpr=010190-1235").await.1).is_empty(),
        "exact numbers only"
    );
    assert_eq!(
        names(&get(&app, &bo, "?name=sofie").await.1),
        ["Sofie Vikar Jensen"]
    );
    assert!(
        names(&get(&app, &bo, "?name=%25").await.1).is_empty(),
        "a typed % is a letter"
    );
    assert_eq!(
        names(&get(&app, &bo, "?user_id=vik002").await.1),
        ["Mikkel Vikar Nielsen"]
    );
    assert_eq!(
        names(&get(&app, &bo, "?unit_id=kbh-hjemmepleje-nord").await.1).len(),
        2
    );
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Copenhagen)
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(
        names(&get(&app, &bo, &format!("?date={today}")).await.1).len(),
        2
    );
    assert!(names(&get(&app, &bo, "?date=2020-01-01").await.1).is_empty());
    let found = get(&app, &bo, "?cpr=010190-1234").await.1;
    let d = &found["declarations"][0];
    assert_eq!(d["cpr_masked"], "010190-XXXX");
    assert_eq!(d["orderer_name"], "Anna Andersen");
    assert_eq!(
        d["declaration_version"],
        omsorg_core::declaration::current().0
    );
    assert!(!found.to_string().contains("1234"));

    for (query, code) in [
        ("?cpr=31029", "cpr.invalid"),
        ("?date=1.1.2026", "request.invalid"),
        ("?colour=red", "request.invalid"),
    ] {
        let (status, body) = get(&app, &bo, query).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some(code)),
            "{query}"
        );
    }
    assert_eq!(get(&app, &anna, "").await.1["code"], "auth.forbidden");
    assert!(
        names(&get(&app, &bearer("eva"), "?cpr=010190-1234").await.1).is_empty(),
        "Aarhus sees none"
    );

    let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let (audited,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'declarations.searched_by_cpr'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(audited, 5, "every search by CPR number is audited");
    db.close().await;
}

/// Runs a poppler tool on `pdf` and returns its standard output.
fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("declaration.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new(tool)
        .args(args)
        .arg(&path)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| {
            panic!("{tool} (poppler-utils, installed by `cargo xtask setup`): {e}")
        });
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn the_signed_declaration_is_a_pdf_a_with_its_text_facts_and_signature_and_each_view_is_audited(
) {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let bearer = |who: &str| token(KEY, Some("k1"), json!({"iss": issuer, "sub": who}));
    let anna = bearer("anna");
    let user_id = app.reserve(&anna).await;
    let (status, receipt) = app
        .order(
            &anna,
            Some("pdf-1"),
            &order_body("010190-1234", "Sofie Vikar Jensen", &user_id),
        )
        .await;
    assert_eq!(status, 201, "{receipt}");
    let id = receipt["id"].as_str().unwrap();
    let download = |who: String, id: String| {
        let client = app.client.clone();
        let url = app.url(&format!("/api/v1/declarations/{id}/pdf"));
        async move {
            client
                .get(url)
                .header("authorization", format!("Bearer {who}"))
                .send()
                .await
                .unwrap()
        }
    };

    let res = download(bearer("bo"), id.into()).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let sha = res.headers()["x-content-sha256"]
        .to_str()
        .unwrap()
        .to_string();
    let pdf = res.bytes().await.unwrap().to_vec();
    assert!(pdf.starts_with(b"%PDF-1.7"), "PDF/A-2 is PDF 1.7");
    assert_eq!(omsorg_server::secret::sha256_hex_bytes(&pdf), sha);

    let text = poppler("pdftotext", &["-enc", "UTF-8"], &pdf);
    let (version, declaration) = omsorg_core::declaration::current();
    for expected in [
        "Erklæring om tavshedspligt for vikarer",
        "Sofie Vikar Jensen",
        "010190-XXXX",
        &user_id,
        "Anna Andersen",
        "Hjemmeplejen Nord",
        &format!("Erklæringens version: {version}"),
        "straffelovens § 152",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    assert!(!text.contains("1234"), "never the full CPR number");
    let last_paragraph = declaration.trim().lines().last().unwrap();
    let first_words: String = last_paragraph
        .split_whitespace()
        .take(4)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains(&first_words),
        "the whole text, to its last paragraph"
    );
    let images = poppler("pdfimages", &["-list"], &pdf);
    let pictures: Vec<&str> = images
        .lines()
        .filter(|l| l.split_whitespace().nth(2) == Some("image"))
        .collect();
    assert_eq!(pictures.len(), 1, "one image (the signature):\n{images}");
    let meta = poppler("pdfinfo", &["-meta"], &pdf);
    assert!(meta.contains("<pdfaid:part>2</pdfaid:part>"), "{meta}");
    assert!(
        meta.contains("<pdfaid:conformance>U</pdfaid:conformance>"),
        "{meta}"
    );

    // Orderers and other municipalities get none; a second view is audited too.
    assert_eq!(download(anna.clone(), id.into()).await.status(), 403);
    assert_eq!(download(bearer("eva"), id.into()).await.status(), 404);
    assert_eq!(download(bearer("bo"), "nope".into()).await.status(), 404);
    assert_eq!(download(bearer("bo"), id.into()).await.status(), 200);
    let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let (views,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'declaration.viewed' AND subject = $1",
    )
    .bind(id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(views, 2, "every view, and only views, audited");

    // A file changed at rest is refused, not served.
    sqlx::query("UPDATE substitute_accesses SET declaration_pdf = $2 WHERE id = $1")
        .bind(id)
        .bind(&pdf[..pdf.len() - 1])
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(download(bearer("bo"), id.into()).await.status(), 500);
    db.close().await;
}

/// A search by CPR number and name at debug level: neither reaches the
/// backend's logs (the request span names the route, not the URI).
#[tokio::test]
async fn a_search_by_cpr_or_name_leaves_neither_in_the_logs() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let bo = token(KEY, Some("k1"), json!({"iss": issuer, "sub": "bo"}));
    let (status, _) = get(&app, &bo, "?cpr=311299-9917&name=Zacharias%20%C3%98lgaard").await;
    assert_eq!(status, 200);
    let (status, _) = get(&app, &bo, "?cpr=3112999917").await;
    assert_eq!(status, 200);
    let logs = captured_logs();
    assert!(
        logs.contains("/api/v1/declarations/search"),
        "the route is logged"
    );
    // Whole numbers and names: a short run of digits can turn up anywhere
    // (a timing, a token) in the logs of the tests running beside this one.
    for secret in ["311299-", "3112999917", "Zacharias", "lgaard"] {
        assert!(!logs.contains(secret), "{secret} in the logs");
    }
}
