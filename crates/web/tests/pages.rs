//! The web server end to end: a fresh SQLite store in a temporary directory, a small
//! hand-written journey, the real router on a free port, and plain HTTP requests made
//! by a signed-in social worker (`support`).

// Clippy's allow-unwrap-in-tests covers #[test] functions, not the helpers beside them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use async_trait::async_trait;
use hearth_domain::event::*;
use hearth_domain::ids::*;
use hearth_domain::journey::ChildState;
use hearth_domain::org::*;
use hearth_store::{
    AccessLog, AccessRows, OrganisationVersion, Organisations, Parts, Store, StoreError,
};
use hearth_testkit::sample::c1_journey;
use jiff::Timestamp;
use jiff::civil::Date;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::*;

#[tokio::test]
async fn the_list_shows_every_child_with_work_and_worker() {
    let app = TestApp::spawn().await;
    let (status, page) = app.page("/").await;
    assert_eq!(status, 200);
    assert!(
        page.contains(r#"<h1 class="govuk-heading-l">Children</h1>"#),
        "{page}"
    );
    assert!(page.contains("Showing 2 of 2 children"), "{page}");
    assert!(
        page.contains(r#"<a class="govuk-link" href="/children/C1">Ava Testington</a>"#),
        "{page}"
    );
    assert!(page.contains("2015-06-01"), "{page}");
    assert!(page.contains("TN23 1AA"), "{page}");
    assert!(
        page.contains("Child in need, Child protection plan"),
        "{page}"
    );
    assert!(page.contains("Sam Patel (Ashford CIN team)"), "{page}");
    assert!(
        page.contains(r#"<a class="govuk-link" href="/children/C2">Ben Unborn</a>"#),
        "{page}"
    );
    assert!(page.contains("Unborn (due 2024-09-01)"), "{page}");
    assert!(page.contains("Unallocated"), "{page}");
    // The search form works without JavaScript: a labelled GET form.
    assert!(
        page.contains(r#"<form class="hearth-search" method="get" action="/""#),
        "{page}"
    );
    assert!(
        page.contains(r#"<label class="govuk-label govuk-label--s" for="q">"#),
        "{page}"
    );
    assert!(page.contains(r#"id="q" name="q""#), "{page}");
    assert_only_the_external_script(&page);
    assert!(!page.contains("style="), "{page}");
}

#[tokio::test]
async fn search_finds_by_surname_and_nhs_number_and_says_when_nothing_matches() {
    let app = TestApp::spawn().await;

    let (status, page) = app.page("/?q=Testington").await;
    assert_eq!(status, 200);
    assert!(page.contains("Ava Testington"), "{page}");
    assert!(!page.contains("Ben Unborn"), "{page}");
    assert!(page.contains("1 child found"), "{page}");
    assert!(
        page.contains(r#"value="Testington""#),
        "the term stays in the box"
    );

    let (_, page) = app.page("/?q=943+476+5919").await;
    assert!(page.contains("Ava Testington"), "{page}");

    let (status, page) = app.page("/?q=zzqqxx").await;
    assert_eq!(status, 200);
    assert!(page.contains("No children match your search."), "{page}");
    assert!(!page.contains("<table"), "{page}");
    assert!(!page.contains("Ava Testington"), "{page}");
}

#[tokio::test]
async fn an_overlong_search_is_refused_at_the_top_and_by_the_box() {
    let app = TestApp::spawn().await;
    let (status, page) = app.page(&format!("/?q={}", "a".repeat(201))).await;
    assert_eq!(status, 400);
    assert!(page.contains("<title>Error: Children"), "{page}");
    assert_in_order(
        &page,
        &[
            "There is a problem",
            r##"<a href="#q">Enter a search of 200 characters or fewer</a>"##,
            r#"<p id="q-error" class="govuk-error-message">"#,
            r#"<span class="govuk-visually-hidden">Error:</span> Enter a search of 200 characters or fewer"#,
            r#"aria-describedby="q-error""#,
        ],
    );
    assert!(!page.contains("<table"), "{page}");
    assert!(app.access_log("C1").await.is_empty());
}

#[tokio::test]
async fn search_terms_are_escaped() {
    let app = TestApp::spawn().await;
    let (status, page) = app.page("/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(status, 200);
    assert!(!page.contains("<script>"), "{page}");
    assert!(page.contains("&lt;script&gt;"), "{page}");
}

#[tokio::test]
async fn the_chronology_reads_newest_first_in_plain_english() {
    let app = TestApp::spawn().await;
    let (status, page) = app.page("/children/C1").await;
    assert_eq!(status, 200);
    assert!(
        page.contains(r#"<h1 class="govuk-heading-l">Ava Testington</h1>"#),
        "{page}"
    );
    assert!(page.contains("2015-06-01 (age 9)"), "{page}");
    assert!(page.contains("943 476 5919"), "{page}");
    assert!(
        page.contains("Child in need, Child protection plan"),
        "{page}"
    );
    assert!(
        page.contains("Sam Patel (Ashford CIN team), since 2024-01-12"),
        "{page}"
    );
    assert_in_order(
        &page,
        &[
            "Contacts",
            "1",
            "Referrals",
            "1",
            "Child protection plans",
            "1",
        ],
    );
    assert_in_order(
        &page,
        &[
            "Visit by Sam Patel: child not seen",
            "Retracted",
            "Retracted on 2024-03-04 by test: entered on the wrong child",
            "Visit by Sam Patel: child seen alone",
            "Child protection plan started (category: Neglect)",
            "Initial child protection conference held: child protection plan needed",
            "Section 47 enquiry completed: initial child protection conference needed",
            "Section 47 enquiry started",
            "Strategy discussion held: section 47 enquiry to start",
            "Assessment started",
            "Allocated to Sam Patel (Ashford CIN team)",
            "Referral accepted (primary need: Abuse or neglect)",
            "Contact decided: Referral to children&#x27;s social care (level of need: 4)",
            "Contact received from Police",
            "Child registered (born 2015-06-01)",
        ],
    );
    assert!(
        page.contains(r#"<time datetime="2024-01-10T09:15">2024-01-10 09:15</time>"#),
        "{page}"
    );
    // The retraction is shown under the visit it retracts, not as an entry of its own.
    assert!(!page.contains("Event of 2024-03-01 retracted"), "{page}");
}

#[tokio::test]
async fn an_unborn_child_shows_the_expected_date_and_no_worker() {
    let app = TestApp::spawn().await;
    let (status, page) = app.page("/children/C2").await;
    assert_eq!(status, 200);
    assert!(page.contains("Expected date of birth"), "{page}");
    assert!(page.contains("2024-09-01 (unborn)"), "{page}");
    assert!(page.contains("Unallocated"), "{page}");
    assert!(
        page.contains("Unborn child registered (due 2024-09-01)"),
        "{page}"
    );
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_plain_404s() {
    let app = TestApp::spawn().await;
    for path in [
        "/children/C999",
        "/children/not%20an%20id",
        "/children/C123456789012345678901234",
        "/children/%FF",
    ] {
        let (status, page) = app.page(path).await;
        assert_eq!(status, 404, "{path}");
        assert!(page.contains("No child with that ID"), "{path}: {page}");
        assert!(!page.contains("Ava"), "{path}: {page}");
        assert!(!page.to_lowercase().contains("panic"), "{path}: {page}");
    }
    let (status, page) = app.page("/no/such/page").await;
    assert_eq!(status, 404);
    assert!(page.contains("Page not found"), "{page}");
    assert!(app.access_log("C999").await.is_empty());
}

#[tokio::test]
async fn viewing_a_record_is_logged_before_the_page_is_sent() {
    let app = TestApp::spawn().await;
    assert!(app.access_log("C1").await.is_empty());
    // A list shows each child's name and date of birth, so each child listed is logged
    // too; a search that does not find C1 logs nothing of C1.
    app.page("/").await;
    app.page("/?q=Nobody").await;
    let listed = app.access_log("C1").await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].2, "view in list: GET /");
    let (status, _) = app.page("/children/C1").await;
    assert_eq!(status, 200);
    let log = app.access_log("C1").await;
    assert_eq!(log.len(), 2, "{log:?}");
    let (at, actor, action) = &log[1];
    assert_eq!(
        at.parse::<Timestamp>().unwrap(),
        NOW.parse::<Timestamp>().unwrap()
    );
    assert_eq!(actor, USER);
    assert_eq!(action, "view chronology: GET /children/{id}");

    app.get("/api/v1/children/C1").await;
    app.get("/api/v1/children/C1/journey").await;
    app.get("/api/v1/children?q=testington").await;
    let actions: Vec<String> = app
        .access_log("C1")
        .await
        .into_iter()
        .map(|(_, _, action)| action)
        .collect();
    assert_eq!(
        actions,
        [
            "view in list: GET /",
            "view chronology: GET /children/{id}",
            "api read: GET /api/v1/children/{id}",
            "api read: GET /api/v1/children/{id}/journey",
            "api search: GET /api/v1/children"
        ]
    );
}

/// The real store, except that the access log cannot be written.
struct NoAccessLog(Arc<dyn Store>);

/// The real store, counting how often the organisation document is read.
struct CountsOrganisationReads(Arc<dyn Store>, Arc<AtomicUsize>);

#[async_trait]
impl AccessLog for NoAccessLog {
    async fn log_access_rows(&self, _rows: AccessRows) -> Result<(), StoreError> {
        Err(StoreError::Io(std::io::Error::other("disk full")))
    }
    async fn access_log(
        &self,
        subject: &Subject,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        self.0.access_log(subject).await
    }
}

#[async_trait]
impl Organisations for CountsOrganisationReads {
    async fn organisation(&self) -> Result<Option<Organisation>, StoreError> {
        self.1.fetch_add(1, Ordering::SeqCst);
        self.0.organisation().await
    }
    async fn organisation_versions(&self) -> Result<Vec<OrganisationVersion>, StoreError> {
        self.1.fetch_add(1, Ordering::SeqCst);
        self.0.organisation_versions().await
    }
    async fn add_organisation_version(
        &self,
        org: &Organisation,
        from: Date,
    ) -> Result<u64, StoreError> {
        self.0.add_organisation_version(org, from).await
    }
    async fn organisation_revision(&self) -> Result<u64, StoreError> {
        self.0.organisation_revision().await
    }
}

#[tokio::test]
async fn a_record_that_cannot_be_logged_is_not_shown() {
    let app = TestApp::spawn_wrapped(|store| {
        let access_log = Arc::new(NoAccessLog(store.clone()));
        Arc::new(Parts {
            access_log,
            ..Parts::of(store)
        })
    })
    .await;

    let (status, page) = app.page("/children/C1").await;
    assert_eq!(status, 500);
    assert!(
        page.contains("Something went wrong; the error has been logged."),
        "{page}"
    );
    assert!(!page.contains("Testington"), "{page}");
    assert!(
        !page.contains("disk full"),
        "the cause is logged, not shown: {page}"
    );

    let (status, page) = app.page("/due").await;
    assert_eq!(status, 500);
    assert!(!page.contains("Testington"), "{page}");

    for path in [
        "/api/v1/children/C1",
        "/api/v1/children/C1/journey",
        "/api/v1/due",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status().as_u16(), 500, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "type": "about:blank",
                "title": "Internal Server Error",
                "status": 500,
                "detail": "Something went wrong; the error has been logged."
            })
        );
    }
    // A refusal that cannot be logged fails the same way, as a problem in the API.
    let response = app
        .anonymous
        .get(app.url("/api/v1/children/C1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 500);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let response = app
        .anonymous
        .get(app.url("/children/C1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 500);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Something went wrong; the error has been logged.")
    );
    // Nor is a list of children shown when it cannot be logged.
    let (status, _) = app.page("/").await;
    assert_eq!(status, 500);
    let response = app.get("/api/v1/children?q=testington").await;
    assert_eq!(response.status().as_u16(), 500);
}

#[tokio::test]
async fn the_api_returns_the_journey_exactly_as_serde_writes_it() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/children/C1/journey").await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body, serde_json::to_value(c1_journey()).unwrap());
    assert_eq!(body[1]["kind"], "contact_received");
    assert_eq!(body[1]["data"]["source"], "6");
}

#[tokio::test]
async fn the_api_returns_the_folded_state_with_its_version() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/children/C1").await;
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["version"], 14);
    assert_eq!(body["id"], "C1");
    assert_eq!(body["cp_plan"]["initial_category"], "NEG");
    assert_eq!(body["history"]["referrals"], 1);
    // The rest is the state exactly as the domain serialises it.
    let mut state = body.clone();
    state.as_object_mut().unwrap().remove("version");
    let state: ChildState = serde_json::from_value(state).unwrap();
    assert_eq!(state.details.unwrap().name.family, "Testington");
}

#[tokio::test]
async fn the_api_searches_and_refuses_plainly() {
    let app = TestApp::spawn().await;
    let body: serde_json::Value = app
        .get("/api/v1/children?q=testington")
        .await
        .json()
        .await
        .unwrap();
    let found = body.as_array().unwrap();
    assert_eq!(found.len(), 1, "{body}");
    assert_eq!(found[0]["id"], "C1");
    assert_eq!(found[0]["worker"], "W1");

    let all: serde_json::Value = app.get("/api/v1/children").await.json().await.unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2, "{all}");

    let bad = app.get("/api/v1/children?limit=lots").await;
    assert_eq!(bad.status().as_u16(), 400);
    assert_eq!(
        bad.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );

    for path in [
        "/api/v1/children/C999",
        "/api/v1/children/C999/journey",
        "/api/v1/children/bad%20id",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status().as_u16(), 404, "{path}");
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "application/problem+json"
        );
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "type": "about:blank",
                "title": "Not Found",
                "status": 404,
                "detail": "No child with that ID."
            }),
            "{path}"
        );
    }
    let response = app.get("/api/v1/nothing-here").await;
    assert_eq!(response.status().as_u16(), 404);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in [
        "/",
        "/?q=Ava",
        "/children/C1",
        "/children/C999",
        "/assets/app.css",
        "/assets/init.js",
        "/api/v1/children",
        "/api/v1/children/C1/journey",
        "/api/v1/children/C999",
        "/due",
        "/due?as_at=bad",
        "/api/v1/due",
        "/nowhere",
    ] {
        let response = app.get(path).await;
        let h = response.headers();
        assert_eq!(
            h["content-security-policy"], "default-src 'self'; frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        if path.starts_with("/assets/") {
            assert_eq!(h["cache-control"], "public, max-age=3600", "{path}");
        } else {
            assert_eq!(h["cache-control"], "no-store", "{path}");
        }
        // Not over HTTPS, so no HSTS.
        assert!(h.get("strict-transport-security").is_none(), "{path}");
    }
    // Refusals and the sign-in page carry them too.
    for path in ["/", "/api/v1/children/C1", "/sign-in"] {
        let response = app.anonymous.get(app.url(path)).send().await.unwrap();
        let h = response.headers();
        assert_eq!(
            h["content-security-policy"], "default-src 'self'; frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(h["cache-control"], "no-store", "{path}");
    }
}

#[tokio::test]
async fn behind_a_tls_proxy_responses_ask_for_https_from_then_on() {
    let app = TestApp::spawn().await;
    for path in ["/", "/sign-in", "/api/v1/children/C1", "/nowhere"] {
        let response = app
            .client
            .get(app.url(path))
            .header("x-forwarded-proto", "https")
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers()["strict-transport-security"],
            "max-age=31536000; includeSubDomains",
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_stylesheet_is_served_plain() {
    let app = TestApp::spawn().await;
    let response = app.get("/assets/app.css").await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/css; charset=utf-8"
    );
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let css = response.text().await.unwrap();
    assert!(css.contains("font-family:arial,sans-serif"), "{css}");
    // Neither GOV.UK's typeface nor any font file: Arial is on every computer.
    assert!(!css.contains("GDS Transport"));
    assert!(!css.contains("@font-face"));
    assert!(!css.to_lowercase().contains("gov.uk"));

    // A browser holding the same file is told so, without the body.
    let again = app
        .client
        .get(format!("http://{}/assets/app.css", app.addr))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);

    // The scripts are ES modules from GOV.UK Frontend and MoJ Frontend, and ours.
    for (path, needle) in [
        ("/assets/init.js", "initAll"),
        ("/assets/govuk-frontend.min.js", "export"),
        ("/assets/moj-frontend.min.js", "SortableTable"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status().as_u16(), 200, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "text/javascript; charset=utf-8",
            "{path}"
        );
        assert!(response.text().await.unwrap().contains(needle), "{path}");
    }
    for path in [
        "/static/app.css",
        "/assets/nothing.css",
        "/assets/..%2FCargo.toml",
    ] {
        assert_eq!(app.get(path).await.status().as_u16(), 404, "{path}");
    }
}

impl TestApp {
    async fn post_event(&self, child: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let response = self
            .client
            .post(format!(
                "http://{}/api/v1/children/{child}/events",
                self.addr
            ))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        let body: serde_json::Value = response.json().await.unwrap();
        if status >= 400 {
            assert_eq!(content_type, "application/problem+json", "{body}");
        }
        (status, body)
    }
}

#[tokio::test]
async fn the_api_appends_an_event_at_the_version_it_was_based_on() {
    let app = TestApp::spawn().await;
    let visit = |id: &str, version: u64| {
        serde_json::json!({
            "version": version,
            "id": id,
            "occurred_at": "2024-05-20T14:30",
            "kind": "visit",
            "data": {"worker": "W1", "seen": true, "seen_alone": false},
        })
    };
    let (status, body) = app.post_event("C1", visit("api-1", 14)).await;
    assert_eq!((status, &body), (201, &serde_json::json!({"version": 15})));
    // The server decides the subject, when it was recorded and by whom.
    let (journey, version) = app
        .store
        .journey(&Subject::parse("child:C1").unwrap())
        .await
        .unwrap();
    assert_eq!(version, 15);
    let written = journey.last().unwrap();
    assert_eq!(written.id.as_str(), "api-1");
    assert_eq!(written.subject.to_string(), "child:C1");
    assert_eq!(written.recorded_at, NOW.parse::<Timestamp>().unwrap());
    assert_eq!(written.recorded_by.to_string(), USER);
    assert_eq!(
        written.occurred_at,
        OccurredAt::parse("2024-05-20T14:30").unwrap()
    );
    assert!(matches!(&written.data, EventData::Visit(v) if !v.seen_alone));
    let log = app.access_log("C1").await;
    assert_eq!(
        log.last().unwrap().2,
        "api write: POST /api/v1/children/{id}/events"
    );

    // Stale: someone else wrote first. Nothing is written.
    let (status, body) = app.post_event("C1", visit("api-2", 14)).await;
    assert_eq!(status, 409);
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("version 14, it is now 15"), "{detail}");
    // A reused id.
    let (status, body) = app.post_event("C1", visit("api-1", 15)).await;
    assert_eq!(status, 409);
    assert!(body["detail"].as_str().unwrap().contains("api-1"), "{body}");
    // An event the domain refuses: an enquiry's outcome with no enquiry.
    let (status, body) = app
        .post_event(
            "C2",
            serde_json::json!({
                "version": app.store.child(&ChildId::parse("C2").unwrap()).await.unwrap().unwrap().version,
                "id": "api-3",
                "occurred_at": "2024-05-20",
                "kind": "s47_completed",
                "data": {"icpc_required": true},
            }),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("api-3"), "{body}");
    // Unreadable: an unknown kind, a missing version, a bad child id.
    let mut unknown = visit("api-4", 15);
    unknown["kind"] = serde_json::json!("teleported");
    let (status, body) = app.post_event("C1", unknown).await;
    assert_eq!(status, 400);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .starts_with("The event could not be read"),
        "{body}"
    );
    let mut unversioned = visit("api-5", 15);
    unversioned.as_object_mut().unwrap().remove("version");
    assert_eq!(app.post_event("C1", unversioned).await.0, 400);
    assert_eq!(
        app.post_event("not a child", visit("api-6", 0)).await.0,
        404
    );

    let (_, after) = app
        .store
        .journey(&Subject::parse("child:C1").unwrap())
        .await
        .unwrap();
    assert_eq!(after, 15, "a refused write changed the journal");
}

/// Ava's duties as at 1 June 2024 (a Saturday): her first core group was due on 19
/// February, her assessment on 14 March and her first review conference on 5 May, and
/// none has happened. No local rules: the organisation has none.
#[tokio::test]
async fn the_due_page_puts_the_longest_overdue_first_and_logs_each_child_shown() {
    let app = TestApp::spawn().await;
    let (status, page) = app.page("/due").await;
    assert_eq!(status, 200);
    assert!(
        page.contains(r#"<h1 class="govuk-heading-l">Due and overdue</h1>"#),
        "{page}"
    );
    assert!(
        page.contains("As at 2024-06-01: 3 overdue, 0 due in the next 10 working days (by 2024-06-14), 0 met late since 2024-05-01."),
        "{page}"
    );
    assert_in_order(
        &page,
        &[
            "By team and worker",
            "Ashford CIN team",
            r#"<td class="govuk-table__cell govuk-table__cell--numeric">3</td>"#,
            r#"<a class="govuk-link" href="/children/C1">Ava Testington</a>"#,
            "First core group",
            "Overdue by 70 working days",
            "Sam Patel (Ashford CIN team)",
            "Assessment",
            "45 working days (Working Together to Safeguard Children 2013 onwards, chapter 1)",
            "Overdue by 52 working days",
            "First review child protection conference",
            "Overdue by 18 working days",
        ],
    );
    // Without a team chosen there is no worker to choose; the form works without
    // JavaScript.
    assert!(
        page.contains(r#"<form class="due-form" method="get" action="/due" novalidate>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<option value="T1">Ashford CIN team (Ashford)</option>"#),
        "{page}"
    );
    assert!(!page.contains(r#"id="worker""#), "{page}");
    assert_only_the_external_script(&page);
    let logged: Vec<String> = app
        .access_log("C1")
        .await
        .into_iter()
        .map(|(_, _, action)| action)
        .collect();
    assert_eq!(logged, ["view due list: GET /due"]);
    assert!(
        app.access_log("C2").await.is_empty(),
        "C2 is not on the list"
    );

    // Every page links to it.
    let (_, home) = app.page("/").await;
    assert!(
        home.contains(
            r#"<a class="govuk-service-navigation__link" href="&#x2f;due">Due and overdue</a>"#
        ),
        "{home}"
    );
}

#[tokio::test]
async fn the_due_page_narrows_to_a_team_then_a_worker() {
    let app = TestApp::spawn().await;
    let (status, page) = app.page("/due?team=T1").await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"<option value="T1" selected>"#), "{page}");
    assert!(
        page.contains(r#"<option value="W1">Sam Patel</option>"#),
        "{page}"
    );
    assert_in_order(
        &page,
        &[
            "Ashford CIN team",
            "Sam Patel",
            "Overdue by 70 working days",
        ],
    );
    assert!(
        page.contains(
            r#"<th scope="row" class="govuk-table__header hearth-table__cell--indent">Sam Patel</th>"#
        ),
        "{page}"
    );

    let (status, page) = app.page("/due?team=T1&worker=W1").await;
    assert_eq!(status, 200);
    assert!(
        page.contains(r#"<option value="W1" selected>Sam Patel</option>"#),
        "{page}"
    );
    assert!(page.contains("3 overdue"), "{page}");

    // As at a day in February the conference was still to come, and is due soon.
    let (_, page) = app.page("/due?as_at=2024-02-01").await;
    assert!(
        page.contains("0 overdue, 1 due in the next 10 working days"),
        "{page}"
    );
    assert_in_order(
        &page,
        &["Initial child protection conference", "Due 2024-02-05"],
    );
}

#[tokio::test]
async fn the_due_page_says_what_is_wrong_at_the_top_and_by_the_field() {
    let app = TestApp::spawn().await;
    for (path, field, message) in [
        (
            "/due?as_at=2024-02-30",
            "as_at",
            "&#x27;2024-02-30&#x27; is not a date: write it as YYYY-MM-DD",
        ),
        (
            "/due?team=T9",
            "team",
            "There is no team &#x27;T9&#x27; in this authority&#x27;s organisation",
        ),
        (
            "/due?team=T1&worker=W9",
            "worker",
            "There is no worker &#x27;W9&#x27; in this authority&#x27;s organisation",
        ),
    ] {
        let (status, page) = app.page(path).await;
        assert_eq!(status, 400, "{path}");
        assert!(
            page.contains("<title>Error: Due and overdue"),
            "{path}: {page}"
        );
        assert_in_order(
            &page,
            &[
                "There is a problem",
                &format!("<a href=\"#{field}\">{message}</a>"),
                &format!("<p id=\"{field}-error\" class=\"govuk-error-message\">"),
                &format!("<span class=\"govuk-visually-hidden\">Error:</span> {message}"),
                &format!("aria-describedby=\"{field}-error\""),
            ],
        );
        assert!(!page.contains("Ava"), "{path}: {page}");
    }
    assert!(app.access_log("C1").await.is_empty());
}

#[tokio::test]
async fn the_whole_authority_s_due_list_comes_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    let get = |path: &'static str| {
        let app = &app;
        async move {
            let response = app.get(path).await;
            assert_eq!(response.status().as_u16(), 200, "{path}");
            response.json::<serde_json::Value>().await.unwrap()
        }
    };
    let duties = |body: &serde_json::Value| -> Vec<String> {
        body["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["duty"].as_str().unwrap().to_owned())
            .collect()
    };
    // The whole authority's list: a page of at most 500, and where it is.
    let body = get("/api/v1/due?as_at=2024-06-01").await;
    assert_eq!(
        (&body["count"], &body["offset"], &body["limit"]),
        (&3.into(), &0.into(), &500.into())
    );
    assert_eq!(duties(&body).len(), 3);
    let body = get("/api/v1/due?as_at=2024-06-01&offset=1&limit=1").await;
    assert_eq!(duties(&body), ["assessment"]);
    assert_eq!(
        (&body["count"], &body["offset"], &body["limit"]),
        (&3.into(), &1.into(), &1.into())
    );
    // The totals are the whole list's, whatever the page.
    assert_eq!(body["total"]["overdue"], 3);
    let body = get("/api/v1/due?as_at=2024-06-01&offset=3").await;
    assert!(duties(&body).is_empty());
    let body = get("/api/v1/due?as_at=2024-06-01&limit=100000").await;
    assert_eq!(body["limit"], 500);
    // A worker's list comes whole, as before.
    let body = get("/api/v1/due?as_at=2024-06-01&worker=W1").await;
    assert_eq!(
        (&body["count"], &body["limit"]),
        (&3.into(), &serde_json::Value::Null)
    );
    // A page that shows no child logs none.
    let before = app.access_log("C1").await.len();
    get("/api/v1/due?as_at=2024-06-01&offset=3").await;
    assert_eq!(app.access_log("C1").await.len(), before);
    let response = app.get("/api/v1/due?limit=many").await;
    assert_eq!(response.status().as_u16(), 400);
}

#[tokio::test]
async fn the_due_api_gives_each_obligation_with_its_rule_and_the_counts() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/due?as_at=2024-06-01").await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["as_at"], "2024-06-01");
    assert_eq!(body["due_by"], "2024-06-14");
    assert_eq!(body["met_late_after"], "2024-05-01");
    assert_eq!(body["team"], serde_json::Value::Null);
    assert_eq!(
        body["total"],
        serde_json::json!({"overdue": 3, "due_soon": 0, "met_late": 0})
    );
    assert_eq!(
        body["teams"],
        serde_json::json!([{
            "team": "T1", "overdue": 3, "due_soon": 0, "met_late": 0,
            "workers": [{"worker": "W1", "overdue": 3, "due_soon": 0, "met_late": 0}],
        }])
    );
    let first = &body["obligations"][0];
    assert_eq!(
        first,
        &serde_json::json!({
            "standing": "overdue",
            "team": "T1",
            "worker": "W1",
            "child": "C1",
            "duty": "first_core_group",
            "rule": {
                "duty": "first_core_group",
                "clock": "initial_child_protection_conference",
                "within": "10 working days",
                "source": first["rule"]["source"].clone(),
                "effective_from": first["rule"]["effective_from"].clone(),
            },
            "clock_started": "2024-02-05",
            "clock_event": "c1-10",
            "due": "2024-02-19",
            "status": "overdue",
            "working_days": 70,
        })
    );
    assert!(
        first["rule"]["source"]["title"]
            .as_str()
            .unwrap()
            .contains("Working Together")
    );
    let duties: Vec<&str> = body["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["duty"].as_str().unwrap())
        .collect();
    assert_eq!(
        duties,
        ["first_core_group", "assessment", "first_review_conference"]
    );
    let logged: Vec<String> = app
        .access_log("C1")
        .await
        .into_iter()
        .map(|(_, _, action)| action)
        .collect();
    assert_eq!(logged, ["api due list: GET /api/v1/due"]);

    // The day defaults to today (the clock's), and a worker narrows the list.
    let body: serde_json::Value = app.get("/api/v1/due?worker=W1").await.json().await.unwrap();
    assert_eq!(body["as_at"], "2024-06-01");
    assert_eq!(body["worker"], "W1");
    assert_eq!(body["obligations"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn the_due_api_refuses_bad_requests_plainly() {
    let app = TestApp::spawn().await;
    for (path, detail) in [
        (
            "/api/v1/due?as_at=nope",
            "'nope' is not a date: write it as YYYY-MM-DD.",
        ),
        (
            "/api/v1/due?team=T1&worker=W1",
            "Choose a team or a worker, not both.",
        ),
        (
            "/api/v1/due?team=T9",
            "There is no team 'T9' in this authority's organisation.",
        ),
        (
            "/api/v1/due?as_at=2040-01-01",
            "Working days can only be counted between 2000 and 2035, the years whose bank holidays Hearth knows; 2040-01-01 is outside them.",
        ),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status().as_u16(), 400, "{path}");
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "application/problem+json"
        );
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["detail"], detail, "{path}");
    }
    assert!(app.access_log("C1").await.is_empty());
}

/// The organisation is kept in memory: pages, lists and the API name workers and teams
/// without reading the document again, however many requests come.
#[tokio::test]
async fn the_organisation_is_read_once_not_on_every_request() {
    let reads = Arc::new(AtomicUsize::new(0));
    let counter = reads.clone();
    let app = TestApp::spawn_wrapped(move |store| {
        let organisations = Arc::new(CountsOrganisationReads(store.clone(), counter));
        Arc::new(Parts {
            organisations,
            ..Parts::of(store)
        })
    })
    .await;
    for _ in 0..3 {
        for path in [
            "/",
            "/?q=testington",
            "/children/C1",
            "/due",
            "/due?team=T1",
            "/api/v1/due",
        ] {
            let (status, page) = app.page(path).await;
            assert_eq!(status, 200, "{path}: {page}");
        }
    }
    let (_, page) = app.page("/children/C1").await;
    assert!(page.contains("Visit by Sam Patel"), "{page}");
    assert_eq!(reads.load(Ordering::SeqCst), 1);
}

/// A new organisation stored while the server runs (by `hearth org apply` in another
/// process, say) is used from the next request on, on every page that names a worker
/// or a team, and by the due list.
#[tokio::test]
async fn a_new_organisation_stored_while_serving_is_used_at_once() {
    let app = TestApp::spawn().await;
    let (_, page) = app.page("/children/C1").await;
    assert!(
        page.contains("Allocated to Sam Patel (Ashford CIN team)"),
        "{page}"
    );
    let (_, due) = app.page("/due?team=T1").await;
    assert!(due.contains("Ashford CIN team"), "{due}");
    let (_, due) = app.page("/due?as_at=2024-02-01").await;
    assert_in_order(
        &due,
        &["Initial child protection conference", "Due 2024-02-05"],
    );

    // Another process: a second store opened on the same database file.
    let path = app._dir.path().join("hearth.db");
    let other = hearth_store::open_sqlite(path.to_str().unwrap())
        .await
        .unwrap();
    let mut org = organisation();
    org.workers[0].name = String::from("Samira Patel");
    org.areas[0].localities[0].teams[0].name = String::from("Ashford family support");
    // Closing the office on the day the list is drawn up moves what is due.
    org.closure_days = vec![jiff::civil::date(2024, 1, 31)];
    other.put_organisation(&org).await.unwrap();

    let (_, page) = app.page("/children/C1").await;
    assert!(
        page.contains("Allocated to Samira Patel (Ashford family support)"),
        "{page}"
    );
    assert!(page.contains("Visit by Samira Patel"), "{page}");
    assert!(!page.contains("Sam Patel"), "{page}");
    let (_, list) = app.page("/").await;
    assert!(
        list.contains("Samira Patel (Ashford family support)"),
        "{list}"
    );
    let (_, due) = app.page("/due?team=T1").await;
    assert!(due.contains("Ashford family support"), "{due}");
    assert!(!due.contains("Ashford CIN team"), "{due}");
    // The conference is due a working day later, the closure day not being one.
    let (_, due) = app.page("/due?as_at=2024-02-01").await;
    assert_in_order(
        &due,
        &["Initial child protection conference", "Due 2024-02-06"],
    );
}

/// The child's page on the sample journey, in full, is the reviewed snapshot
/// `tests/snapshots/pages__child_page.snap`. The clock is the tests' fixed one; the
/// session's CSRF token is the one thing that differs from run to run, so it is pinned.
#[tokio::test]
async fn the_child_page_is_the_reviewed_snapshot() {
    let app = TestApp::spawn().await;
    let now: Timestamp = NOW.parse().unwrap();
    let reader = sign_in(
        &app.store,
        "snap.reader",
        hearth_domain::access::Role::SocialWorker,
        now,
    )
    .await;
    let response = reader
        .client
        .get(app.url("/children/C1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    insta::assert_snapshot!("child_page", page.replace(&reader.csrf, "[csrf token]"));
}
