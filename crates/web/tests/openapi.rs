//! The OpenAPI document: a reviewed snapshot, naming exactly the routes the API
//! serves, and describing the bodies the API really sends.
//!
//! After a deliberate change to the document, run the test with `INSTA_UPDATE=always`
//! (or `cargo insta test`) and review the diff of `tests/snapshots/openapi__openapi.snap`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;
use support::*;

async fn served(app: &TestApp) -> serde_json::Value {
    // Open to anyone: the document holds no one's data.
    let response = app
        .anonymous
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_document_is_the_reviewed_snapshot() {
    let app = TestApp::spawn().await;
    let document = served(&app).await;
    let text = serde_json::to_string_pretty(&document).unwrap();
    insta::assert_snapshot!("openapi", text);
}

#[tokio::test]
async fn the_document_names_exactly_the_api_routes() {
    let app = TestApp::spawn().await;
    let document = served(&app).await;
    let mut documented = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert(format!("{} /api/v1{path}", method.to_uppercase()));
        }
    }
    let routed: BTreeSet<String> = hearth_web::routes::table()
        .into_iter()
        .filter(|route| matches!(route.serves, hearth_web::routes::Serves::Api { .. }))
        .map(|route| format!("{} {}", route.method.as_str(), route.path))
        .collect();
    assert_eq!(documented, routed);
}

/// The properties `schema` says are required.
fn required<'a>(document: &'a serde_json::Value, schema: &str) -> Vec<&'a str> {
    document["components"]["schemas"][schema]["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

fn assert_has(body: &serde_json::Value, keys: &[&str], what: &str) {
    for key in keys {
        assert!(body.get(*key).is_some(), "{what} lacks {key}: {body}");
    }
}

#[tokio::test]
async fn what_the_api_sends_has_every_property_the_document_requires() {
    let app = TestApp::spawn().await;
    let document = served(&app).await;
    let get = |path: &'static str| {
        let client = app.client.clone();
        let url = app.url(path);
        async move {
            let response = client.get(url).send().await.unwrap();
            let body: serde_json::Value = response.json().await.unwrap();
            body
        }
    };
    let found = get("/api/v1/children?q=testington").await;
    assert_has(
        &found[0],
        &required(&document, "ChildSummary"),
        "a search result",
    );
    let child = get("/api/v1/children/C1").await;
    assert_has(&child, &required(&document, "ChildState"), "a child");
    let journey = get("/api/v1/children/C1/journey").await;
    assert_has(&journey[0], &required(&document, "Event"), "an event");
    let due = get("/api/v1/due?as_at=2024-06-01").await;
    assert_has(&due, &required(&document, "DueList"), "the due list");
    assert_has(&due["total"], &required(&document, "Tally"), "a tally");
    let problem = get("/api/v1/children/NOSUCH").await;
    assert_has(&problem, &required(&document, "Problem"), "a problem");
}
