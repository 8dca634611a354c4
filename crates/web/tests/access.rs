//! Who may reach what: every route for someone not signed in and for every role,
//! signing in and out with a real password, lockout, the idle timeout, and forged
//! requests. Each refusal must be refused (a redirect to sign in, 401 or 403) and
//! written to the access log.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hearth_domain::access::{Role, UserName};
use hearth_domain::ids::Subject;
use hearth_store::{ChainStatus, User};
use reqwest::Method;
use std::collections::BTreeSet;
use support::*;

/// A body for posting an event: a visit at C1's journey's current version.
async fn event_body(app: &TestApp) -> serde_json::Value {
    let (_, version) = app
        .store
        .journey(&Subject::parse("child:C1").unwrap())
        .await
        .unwrap();
    serde_json::json!({
        "version": version,
        "id": format!("visit-{version}"),
        "occurred_at": "2024-05-20T14:30",
        "kind": "visit",
        "data": {"worker": "W1", "seen": true, "seen_alone": false},
    })
}

async fn send(
    app: &TestApp,
    client: &reqwest::Client,
    method: &Method,
    path: &str,
) -> reqwest::Response {
    let mut request = client.request(method.clone(), app.url(path));
    // A contact for the front door, a screener's step on a contact, an empty form for a
    // front-door page (refused as incomplete once past the guard), and an event for
    // anything else posted.
    if *method == Method::POST && is_front_door_form(path) {
        request = request.form(&[("csrf", "")]);
    } else if *method == Method::POST {
        let on_contact = path
            .strip_prefix("/api/v1/contacts/")
            .and_then(|rest| rest.split_once('/'));
        let body = match on_contact {
            _ if path == "/api/v1/contacts" => contact_body(),
            Some((id, "links")) => {
                let id = hearth_domain::ids::ContactId::parse(id).unwrap();
                // None when nobody is signed in to have a contact of their own.
                let contact = app.store.contact(&id).await.unwrap();
                let version = contact.map_or(1, |c| c.version);
                serde_json::json!({"given": 0, "person": "child:C1", "version": version})
            }
            Some((_, "checks")) => serde_json::json!({"agency": "police", "rag": "red"}),
            Some((_, "checks/police")) => serde_json::json!({"findings": "known to police"}),
            Some((id, "decision")) => {
                let id = hearth_domain::ids::ContactId::parse(id).unwrap();
                let contact = app.store.contact(&id).await.unwrap();
                let version = contact.map_or(1, |c| c.version);
                serde_json::json!({"version": version, "decisions": [
                    {"outcome": "nfa", "reasons": "Known to police; no concern for the children."}
                ]})
            }
            _ => event_body(app).await,
        };
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

/// A form of the front door's pages (or the merge, record or family allocation pages): the route x role test posts it empty, so a role
/// allowed it gets the form back naming the missing field (400), and nothing is written.
fn is_front_door_form(path: &str) -> bool {
    path.starts_with("/contacts/")
        || path.ends_with("/allocate")
        || path.ends_with("/merge")
        || path.ends_with("/unmerge")
        || path.contains("/record/")
        || path.ends_with("/correct")
}

/// How many rows the access log holds.
async fn log_rows(app: &TestApp) -> u64 {
    match app.store.verify_chains().await.unwrap().access_log {
        ChainStatus::Intact { rows } => rows,
        broken => panic!("the access log chain is broken: {broken:?}"),
    }
}

/// The body of the page at `path`, as `client` sees it.
async fn page_text(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    client
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn c1_log(app: &TestApp) -> Vec<(String, String, String)> {
    app.store
        .access_log(&Subject::parse("child:C1").unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn nobody_reaches_a_record_or_the_api_without_signing_in_and_each_try_is_logged() {
    let app = TestApp::spawn().await;
    for (method, path, _) in protected_routes() {
        let before = log_rows(&app).await;
        let response = send(&app, &app.anonymous, &method, &path).await;
        let status = response.status().as_u16();
        if path.starts_with("/api/") {
            assert_eq!(status, 401, "{method} {path}");
            assert_eq!(response.headers()["www-authenticate"], "Bearer");
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json"
            );
            let body: serde_json::Value = response.json().await.unwrap();
            assert_eq!(
                body["detail"],
                "Sign in, or send a bearer token in the Authorization header."
            );
        } else {
            assert_eq!(status, 303, "{method} {path}");
            let to = response.headers()["location"].to_str().unwrap().to_owned();
            let next = serde_urlencoded::to_string([("next", &path)]).unwrap();
            assert_eq!(to, format!("/sign-in?{next}"), "{path}");
            let body = response.text().await.unwrap();
            assert!(!body.contains("Testington"), "{path}: {body}");
        }
        assert_eq!(log_rows(&app).await, before + 1, "{method} {path}");
    }
    // A refusal of a child's record is logged against the child.
    let refusals: Vec<(String, String)> = c1_log(&app)
        .await
        .into_iter()
        .map(|(_, actor, action)| (actor, action))
        .collect();
    assert_eq!(
        refusals,
        [
            "GET /children/{id}",
            "GET /children/{id}/access-log",
            "GET /children/{id}/merge",
            "POST /children/{id}/merge",
            "POST /children/{id}/unmerge",
            "GET /children/{id}/notes",
            "GET /children/{id}/record",
            "GET /children/{id}/record/{kind}",
            "POST /children/{id}/record/{kind}",
            "POST /children/{id}/record/{kind}/draft",
            "GET /children/{id}/events/{event}/correct",
            "POST /children/{id}/events/{event}/correct",
            "GET /api/v1/children/{id}",
            "GET /api/v1/children/{id}/journey",
            "POST /api/v1/children/{id}/events",
        ]
        .map(|route| (
            String::from("anonymous"),
            format!("refused (not signed in): {route}")
        ))
    );
}

#[tokio::test]
async fn each_role_reaches_exactly_what_it_may_and_every_refusal_is_logged() {
    let app = TestApp::spawn().await;
    let now = NOW.parse().unwrap();
    for (n, role) in Role::ALL.into_iter().enumerate() {
        let name = format!("user.{}", role.name());
        let user = sign_in(&app.store, &name, role, now).await;
        // A contact of the role's own: it was sent by them (for a partner to see the
        // outcome of), and is fresh for a screener's steps.
        let contact = format!("CT{:010}", n + 1);
        seed_contact(&app.store, &contact, &name).await;
        // Signing out ends the session the other requests use, so it is tried last.
        let (sign_out, others): (Vec<_>, Vec<_>) = protected_routes()
            .into_iter()
            .partition(|(_, path, _)| path == "/sign-out");
        for (method, path, need) in others {
            let path = path.replace(CONTACT, &contact);
            let allowed = need.is_none_or(|p| role.may(p));
            let before = log_rows(&app).await;
            let response = send(&app, &user.client, &method, &path).await;
            let status = response.status().as_u16();
            let body = response.text().await.unwrap();
            if allowed && method == Method::POST && is_front_door_form(&path) {
                assert_eq!(status, 400, "{role} {method} {path}: {body}");
                assert!(body.contains("There is a problem"), "{role} {path}: {body}");
            } else if allowed {
                assert!(
                    status == 200 || status == 201,
                    "{role} {method} {path}: {status} {body}"
                );
            } else {
                assert_eq!(status, 403, "{role} {method} {path}: {body}");
                assert!(!body.contains("Testington"), "{role} {path}: {body}");
                assert!(
                    body.contains(&format!("Your role ({}) does not give access", role.name())),
                    "{role} {path}: {body}"
                );
                // One row for the refusal, and nothing else.
                assert_eq!(log_rows(&app).await, before + 1, "{role} {path}");
                if path.contains("C1") {
                    let (_, actor, action) = c1_log(&app).await.pop().unwrap();
                    assert_eq!(actor, name);
                    assert!(action.starts_with("refused (role): "), "{action}");
                }
            }
        }
        for (_, path, need) in sign_out {
            assert!(need.is_none_or(|p| role.may(p)), "{role} may sign out");
            let response = user
                .client
                .post(app.url(&path))
                .form(&[("csrf", user.csrf.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 303, "{role} {path}");
            assert_eq!(response.headers()["location"], "/sign-in?signed_out=1");
        }
    }
}

#[tokio::test]
async fn a_public_route_answers_anyone_and_logs_no_refusal() {
    let app = TestApp::spawn().await;
    for route in hearth_web::routes::table() {
        if route.access != hearth_web::routes::Access::Public {
            continue;
        }
        let path = &example_paths(route.path)[0];
        let before = log_rows(&app).await;
        let response = match route.method {
            hearth_web::routes::Method::Get => app.anonymous.get(app.url(path)),
            hearth_web::routes::Method::Post => {
                app.anonymous.post(app.url(path)).form(&[("name", "")])
            }
        }
        .send()
        .await
        .unwrap();
        let status = response.status().as_u16();
        let sent_to_sign_in = response
            .headers()
            .get("location")
            .is_some_and(|to| to.to_str().unwrap().starts_with("/sign-in?next="));
        assert!(
            !matches!(status, 401 | 403 | 404 | 405) && !sent_to_sign_in,
            "{} {path}: {status}",
            route.method.as_str()
        );
        assert_eq!(
            log_rows(&app).await,
            before,
            "{} {path}",
            route.method.as_str()
        );
    }
}

/// The paths `router` serves, read from axum's `Debug` of it (the router's own routes,
/// not its fallback's). Should axum print a router differently, this finds no paths
/// and the test below fails rather than passes.
fn served_paths(router: &axum::Router) -> BTreeSet<String> {
    let debug = format!("{router:?}");
    let own = debug.split("fallback_router").next().unwrap();
    own.split("RouteId(")
        .filter_map(|rest| {
            let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
            let path = rest.strip_prefix("): \"")?;
            Some(path.split('"').next().unwrap().to_owned())
        })
        .collect()
}

#[tokio::test]
async fn the_router_serves_exactly_the_routes_of_the_table() {
    let app = TestApp::spawn().await;
    let clock: hearth_web::Clock = std::sync::Arc::new(|| NOW.parse().unwrap());
    let router = hearth_web::router(
        app.store.clone(),
        clock,
        hearth_web::PublicOrigins::local(app.addr),
    );
    let table = hearth_web::routes::table();
    let paths: BTreeSet<String> = table.iter().map(|r| r.path.to_owned()).collect();
    assert_eq!(served_paths(&router), paths);
    // Each path answers exactly the methods the table gives it.
    for path in &paths {
        let url = app.url(&example_paths(path)[0]);
        for (method, name) in [
            (hearth_web::routes::Method::Get, reqwest::Method::GET),
            (hearth_web::routes::Method::Post, reqwest::Method::POST),
        ] {
            let listed = table
                .iter()
                .any(|r| r.path == path.as_str() && r.method == method);
            let response = app.anonymous.request(name, &url).send().await.unwrap();
            let status = response.status().as_u16();
            if listed {
                assert!(status != 404 && status != 405, "{path}: {status}");
            } else {
                assert_eq!(status, 405, "{} {path}", method.as_str());
            }
        }
    }
}

#[tokio::test]
async fn the_header_offers_only_what_the_role_may_open() {
    let app = TestApp::spawn().await;
    let now = NOW.parse().unwrap();
    let auditor = sign_in(&app.store, "ann.auditor", Role::Auditor, now).await;
    let page = page_text(&app, &auditor.client, "/account").await;
    assert!(page.contains("ann.auditor"), "{page}");
    let children_link = r#"<a class="govuk-service-navigation__link" href="&#x2f;">Children</a>"#;
    assert!(page.contains(children_link), "{page}");
    assert!(!page.contains(">Due and overdue</a>"), "{page}");
    assert!(
        page.contains(&format!(
            r#"<input type="hidden" name="csrf" value="{}">"#,
            auditor.csrf
        )),
        "{page}"
    );
    let analyst = sign_in(&app.store, "al.analyst", Role::Analyst, now).await;
    let page = page_text(&app, &analyst.client, "/account").await;
    assert!(!page.contains(children_link), "{page}");
    assert!(
        page.contains(
            r#"<a class="govuk-service-navigation__link" href="&#x2f;due&#x2f;counts">Due and overdue</a>"#
        ),
        "{page}"
    );
    let partner = sign_in(&app.store, "pat.partner", Role::Partner, now).await;
    let page = page_text(&app, &partner.client, "/account").await;
    assert!(
        page.contains("No children's records are open to your role"),
        "{page}"
    );
    assert!(!page.contains(children_link), "{page}");
    assert!(!page.contains(">Due and overdue</a>"), "{page}");
    assert!(
        page.contains(
            r#"<a class="govuk-service-navigation__link" href="&#x2f;partner&#x2f;contacts">Your contacts</a>"#
        ),
        "{page}"
    );
}

#[tokio::test]
async fn an_auditor_sees_who_opened_a_record() {
    let app = TestApp::spawn().await;
    let now = NOW.parse().unwrap();
    app.get("/children/C1").await;
    let auditor = sign_in(&app.store, "ann.auditor", Role::Auditor, now).await;
    let page = page_text(&app, &auditor.client, "/children/C1/access-log").await;
    assert!(page.contains("Who opened the record of C1"), "{page}");
    assert!(
        page.contains(r#"<td class="govuk-table__cell">sam.patel</td>"#),
        "{page}"
    );
    assert!(
        page.contains(
            r#"<td class="govuk-table__cell">view chronology: GET &#x2f;children&#x2f;{id}</td>"#
        ),
        "{page}"
    );
    // The auditor does not see the child's name, and looking is logged too.
    assert!(!page.contains("Testington"), "{page}");
    let (_, actor, action) = c1_log(&app).await.pop().unwrap();
    assert_eq!(
        (actor.as_str(), action.as_str()),
        (
            "ann.auditor",
            "view access log: GET /children/{id}/access-log"
        )
    );
}

#[tokio::test]
async fn an_auditors_search_shows_only_enough_to_pick_the_child() {
    let app = TestApp::spawn().await;
    let now = NOW.parse().unwrap();
    let auditor = sign_in(&app.store, "ann.auditor", Role::Auditor, now).await;
    let page = page_text(&app, &auditor.client, "/?q=testington").await;
    assert!(
        page.contains(r#"href="/children/C1/access-log">Ava Testington</a>"#),
        "{page}"
    );
    assert!(page.contains("2015-06-01"), "{page}");
    assert!(page.contains(">C1<"), "{page}");
    // Nothing from the record itself: no postcode, open work, worker or team.
    for hidden in [
        "TN23",
        "Postcode",
        "Open work",
        "Child protection plan",
        "Sam Patel",
        "Ashford CIN team",
    ] {
        assert!(!page.contains(hidden), "{hidden} in {page}");
    }
    let found: serde_json::Value = auditor
        .client
        .get(app.url("/api/v1/children?q=testington"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        found,
        serde_json::json!([{
            "id": "C1",
            "name": {"given": "Ava", "family": "Testington"},
            "date_of_birth": "2015-06-01",
            "access_log": "/children/C1/access-log"
        }])
    );
    let unborn: serde_json::Value = auditor
        .client
        .get(app.url("/api/v1/children?q=unborn"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        unborn,
        serde_json::json!([{
            "id": "C2",
            "name": {"given": "Ben", "family": "Unborn"},
            "expected_date_of_birth": "2024-09-01",
            "access_log": "/children/C2/access-log"
        }])
    );
    // A practitioner still sees the summary.
    let found: serde_json::Value = app
        .get("/api/v1/children?q=testington")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found[0]["postcode"], "TN23 1AA", "{found}");
}

/// Every 400 from the API is one plain sentence: no parser internals, and nothing
/// typed echoed back with its control characters.
#[tokio::test]
async fn an_unreadable_request_is_answered_in_one_plain_sentence() {
    let app = TestApp::spawn().await;
    let url = app.url("/api/v1/children/C1/events");
    let post = |body: String| {
        app.client
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let body = event_body(&app).await;
    let with = |pointer: &str, value: serde_json::Value| {
        let mut b = body.clone();
        *b.pointer_mut(pointer).unwrap() = value;
        b.to_string()
    };
    let mut unversioned = body.clone();
    unversioned.as_object_mut().unwrap().remove("version");
    let cases = [
        (
            String::from("[]"),
            "The event could not be read: send one JSON object, the event and the version it was based on.",
        ),
        (
            String::from("{\"version\": "),
            "The event could not be read: the body is not JSON.",
        ),
        (
            unversioned.to_string(),
            "The event could not be read: the field `version` is missing.",
        ),
        (
            with("/occurred_at", serde_json::json!("yesterday")),
            "The event could not be read: the field `occurred_at` is not valid.",
        ),
        (
            with("/data/seen", serde_json::json!("yes")),
            "The event could not be read: the field `data.seen` is not valid.",
        ),
        (
            with("/kind", serde_json::json!("teleported")),
            "The event could not be read: the field `kind` is not valid.",
        ),
    ];
    for (sent, expected) in cases {
        let response = post(sent.clone()).await.unwrap();
        assert_eq!(response.status(), 400, "{sent}");
        let answer: serde_json::Value = response.json().await.unwrap();
        assert_eq!(answer["detail"], expected, "{sent}");
    }
    for path in [
        "/api/v1/due?as_at=%07%1b[31m",
        "/api/v1/due?team=%1b[31mT1",
        "/api/v1/due?worker=W%00",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 400, "{path}");
        let answer: serde_json::Value = response.json().await.unwrap();
        let detail = answer["detail"].as_str().unwrap();
        assert!(!detail.chars().any(char::is_control), "{path}: {detail:?}");
    }
    let page = app.page("/?q=Ava%1b[31m%07").await.1;
    assert!(
        !page.contains('\u{1b}') && !page.contains('\u{7}'),
        "{page}"
    );
}

/// Post `body` as an event on `child`: the status and the problem's detail (if any).
async fn post_event(app: &TestApp, child: &str, body: String) -> (u16, String) {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/children/{child}/events")))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let answer: serde_json::Value = response.json().await.unwrap_or_default();
    (
        status,
        answer["detail"].as_str().unwrap_or_default().to_owned(),
    )
}

/// A child registered through the API with `given` as their given name.
fn registration(given: &str) -> String {
    serde_json::json!({
        "version": 0,
        "id": "c9-01",
        "occurred_at": "2024-05-01",
        "kind": "person_registered",
        "data": {
            "name": {"given": given, "family": "Long"},
            "date_of_birth": "2020-01-01",
            "sex": "F",
            "ethnicity": "WBRI"
        },
    })
    .to_string()
}

#[tokio::test]
async fn free_text_is_bounded_and_a_huge_body_is_refused() {
    let app = TestApp::spawn().await;
    let (status, detail) = post_event(&app, "C9", registration(&"A".repeat(101))).await;
    assert_eq!(status, 422, "{detail}");
    assert!(
        detail.contains("name.given is longer than 100 characters"),
        "{detail}"
    );
    let (status, detail) = post_event(&app, "C9", registration(&"A".repeat(1_000_000))).await;
    assert_eq!(status, 413, "{detail}");
    assert_eq!(
        detail,
        "The request is too large: Hearth takes at most 64 KiB in one request."
    );
    assert!(
        app.store
            .child(&hearth_domain::ids::ChildId::parse("C9").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    let (status, detail) = post_event(&app, "C9", registration(&"A".repeat(100))).await;
    assert_eq!(status, 201, "{detail}");
}

#[tokio::test]
async fn an_event_dated_after_today_or_naming_no_worker_is_refused() {
    let app = TestApp::spawn().await;
    let body = event_body(&app).await;
    let with = |pointer: &str, value: serde_json::Value| {
        let mut b = body.clone();
        *b.pointer_mut(pointer).unwrap() = value;
        b.to_string()
    };
    // The server's today is 2024-06-01.
    for on in ["2024-06-02", "2099-01-01T09:00"] {
        let (status, detail) = post_event(&app, "C1", with("/occurred_at", on.into())).await;
        assert_eq!(status, 422, "{on}: {detail}");
        assert!(
            detail.contains("dated after today (2024-06-01)"),
            "{on}: {detail}"
        );
    }
    let (status, detail) = post_event(&app, "C1", with("/data/worker", "W99".into())).await;
    assert_eq!(status, 422, "{detail}");
    assert!(
        detail.contains("there is no worker W99 in the organisation"),
        "{detail}"
    );
    let allocation = serde_json::json!({
        "version": body["version"],
        "id": "alloc-x",
        "occurred_at": "2024-05-20",
        "kind": "allocated",
        "data": {"worker": "W1", "team": "T9"},
    });
    let (status, detail) = post_event(&app, "C1", allocation.to_string()).await;
    assert_eq!(status, 422, "{detail}");
    assert!(
        detail.contains("there is no team T9 in the organisation"),
        "{detail}"
    );
    // Today itself is fine.
    let (status, detail) = post_event(&app, "C1", with("/occurred_at", "2024-06-01".into())).await;
    assert_eq!(status, 201, "{detail}");
}

const PASSWORD: &str = "correct horse battery staple";

/// Add `name` with a real argon2id hash of [`PASSWORD`].
async fn add_user_with_password(app: &TestApp, name: &str, role: Role) {
    let user = User {
        name: UserName::parse(name).unwrap(),
        role,
        password_hash: hearth_app::auth::hash_password(PASSWORD).unwrap(),
        created_at: NOW.parse().unwrap(),
        worker: None,
    };
    app.store.add_user(&user).await.unwrap();
}

async fn post_sign_in(app: &TestApp, name: &str, password: &str, next: &str) -> reqwest::Response {
    app.anonymous
        .post(app.url("/sign-in"))
        .form(&[("name", name), ("password", password), ("next", next)])
        .send()
        .await
        .unwrap()
}

/// The session cookie's value from a sign-in response.
fn session_id(response: &reqwest::Response) -> String {
    let set = response.headers()["set-cookie"].to_str().unwrap();
    set.strip_prefix("hearth_session=")
        .and_then(|rest| rest.split(';').next())
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn signing_in_and_out_with_a_password() {
    let app = TestApp::spawn().await;
    add_user_with_password(&app, "jo.screener", Role::Screener).await;

    let form = app.anonymous.get(app.url("/sign-in")).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let form = form.text().await.unwrap();
    assert!(
        form.contains(r#"<form method="post" action="/sign-in""#),
        "{form}"
    );
    assert!(
        form.contains(r#"autocomplete="current-password""#),
        "{form}"
    );

    let response = post_sign_in(&app, "jo.screener", PASSWORD, "/children/C1").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/children/C1");
    let set = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        set.ends_with("; Path=/; HttpOnly; Secure; SameSite=Lax"),
        "{set}"
    );
    let id = session_id(&response);
    assert_eq!(id.len(), 64);
    let cookie = format!("hearth_session={id}");

    let page = app
        .anonymous
        .get(app.url("/children/C1"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Testington"));
    assert!(page.contains("jo.screener"));
    let csrf = page
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();

    // Signing out needs the form's token.
    let forged = app
        .anonymous
        .post(app.url("/sign-out"))
        .header("cookie", &cookie)
        .form(&[("csrf", "not the token")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let still = app
        .anonymous
        .get(app.url("/account"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(still.status(), 200);

    let out = app
        .anonymous
        .post(app.url("/sign-out"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert_eq!(out.headers()["location"], "/sign-in?signed_out=1");
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let after = app
        .anonymous
        .get(app.url("/children/C1"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 303, "the ended session no longer works");
    let page = page_text(&app, &app.anonymous, "/sign-in?signed_out=1").await;
    assert!(page.contains("You have signed out."), "{page}");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_name_get_the_same_answer() {
    let app = TestApp::spawn().await;
    add_user_with_password(&app, "jo.screener", Role::Screener).await;
    let mut pages = Vec::new();
    for (name, password) in [
        ("jo.screener", "wrong horse battery staple"),
        ("no.such.user", PASSWORD),
        ("not a user name!", PASSWORD),
    ] {
        let response = post_sign_in(&app, name, password, "").await;
        assert_eq!(response.status(), 401, "{name}");
        assert!(response.headers().get("set-cookie").is_none());
        let page = response.text().await.unwrap();
        assert!(page.contains("There is a problem"), "{page}");
        assert!(
            page.contains(&hearth_web::sign_in::sign_in_failed()),
            "{page}"
        );
        pages.push(page.replace(&html_escaped(name), "NAME"));
    }
    assert_eq!(pages[0], pages[1]);
    assert_eq!(pages[1], pages[2]);

    // Empty fields are named one by one.
    let response = post_sign_in(&app, " ", "", "").await;
    assert_eq!(response.status(), 400);
    let page = response.text().await.unwrap();
    assert!(
        page.contains(r##"<a href="#name">Enter your user name</a>"##),
        "{page}"
    );
    assert!(
        page.contains(r##"<a href="#password">Enter your password</a>"##),
        "{page}"
    );
}

fn html_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_for_15_minutes() {
    let app = TestApp::spawn().await;
    add_user_with_password(&app, "jo.screener", Role::Screener).await;
    for _ in 0..5 {
        let response = post_sign_in(&app, "jo.screener", "wrong horse battery staple", "").await;
        assert_eq!(response.status(), 401);
    }
    // Locked: even the right password is refused, the same way.
    let response = post_sign_in(&app, "jo.screener", PASSWORD, "").await;
    assert_eq!(response.status(), 401);
    app.advance(14 * 60 + 59);
    let response = post_sign_in(&app, "jo.screener", PASSWORD, "").await;
    assert_eq!(response.status(), 401);
    app.advance(1);
    let response = post_sign_in(&app, "jo.screener", PASSWORD, "").await;
    assert_eq!(response.status(), 303);
    // A screener, a practitioner, starts at their own work.
    assert_eq!(response.headers()["location"], "/my-work");
    // Each failure is in the access log, under the user tried.
    let report = app.store.verify_chains().await.unwrap();
    assert!(
        matches!(report.access_log, ChainStatus::Intact { rows: 8 }),
        "7 refusals and one sign-in: {report:?}"
    );
}

#[tokio::test]
async fn wrong_passwords_sent_at_once_each_count_towards_the_lockout() {
    let app = TestApp::spawn().await;
    add_user_with_password(&app, "jo.screener", Role::Screener).await;
    // More at once than the server checks at a time: some are told to try again (503),
    // and every one checked counts.
    let tries = (0..8).map(|_| post_sign_in(&app, "jo.screener", "wrong horse battery staple", ""));
    let statuses: Vec<u16> = futures_util::future::join_all(tries)
        .await
        .into_iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 503),
        "{statuses:?}"
    );
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let lockout = app
        .store
        .lockout(&UserName::parse("jo.screener").unwrap())
        .await
        .unwrap();
    if checked >= 5 {
        assert!(lockout.locked_until.is_some(), "{statuses:?} {lockout:?}");
        let response = post_sign_in(&app, "jo.screener", PASSWORD, "").await;
        assert_eq!(response.status(), 401, "locked out");
    } else {
        assert_eq!(lockout.failures as usize, checked, "{statuses:?}");
    }
}

#[tokio::test]
async fn only_a_page_on_this_site_is_followed_after_sign_in() {
    let app = TestApp::spawn().await;
    add_user_with_password(&app, "al.analyst", Role::Analyst).await;
    let response = post_sign_in(&app, "al.analyst", PASSWORD, "https://evil.example/").await;
    assert_eq!(response.status(), 303);
    // An analyst starts at the figures they may see.
    assert_eq!(response.headers()["location"], "/due/counts");
    add_user_with_password(&app, "pat.partner", Role::Partner).await;
    let response = post_sign_in(&app, "pat.partner", PASSWORD, "/\t/evil.example").await;
    // A partner starts at the contacts they made.
    assert_eq!(response.headers()["location"], "/partner/contacts");
}

#[tokio::test]
async fn a_session_ends_after_30_minutes_idle() {
    let app = TestApp::spawn().await;
    app.advance(29 * 60);
    assert_eq!(app.get("/children/C1").await.status(), 200);
    app.advance(29 * 60);
    assert_eq!(app.get("/children/C1").await.status(), 200);
    app.advance(30 * 60);
    let response = app.get("/children/C1").await;
    assert_eq!(response.status(), 303);
    // The refusal names whose session it was.
    let (_, actor, action) = c1_log(&app).await.pop().unwrap();
    assert_eq!(
        (actor.as_str(), action.as_str()),
        (USER, "refused (session ended): GET /children/{id}")
    );
    // Once ended it stays ended.
    app.advance(-60 * 60);
    assert_eq!(app.get("/children/C1").await.status(), 303);
}

#[tokio::test]
async fn signing_in_again_ends_the_browsers_earlier_session() {
    let app = TestApp::spawn().await;
    add_user_with_password(&app, "jo.screener", Role::Screener).await;
    let first = post_sign_in(&app, "jo.screener", PASSWORD, "").await;
    let first = format!("hearth_session={}", session_id(&first));
    let again = app
        .anonymous
        .post(app.url("/sign-in"))
        .header("cookie", &first)
        .form(&[("name", "jo.screener"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 303);
    let second = format!("hearth_session={}", session_id(&again));
    assert_ne!(first, second);
    let with = |cookie: &str| {
        app.anonymous
            .get(app.url("/account"))
            .header("cookie", cookie.to_owned())
            .send()
    };
    assert_eq!(with(&first).await.unwrap().status(), 303);
    assert_eq!(with(&second).await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_forged_write_is_refused_and_logged() {
    let app = TestApp::spawn().await;
    let body = event_body(&app).await;
    let url = app.url("/api/v1/children/C1/events");
    // From another site, with the session.
    let response = app
        .client
        .post(&url)
        .header("origin", "https://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    // With the session but not its CSRF token.
    let signed_in = sign_in(
        &app.store,
        "kim.worker",
        Role::SocialWorker,
        NOW.parse().unwrap(),
    )
    .await;
    let response = app
        .anonymous
        .post(&url)
        .header("cookie", &signed_in.cookie)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let actions: Vec<String> = c1_log(&app).await.into_iter().map(|(_, _, a)| a).collect();
    assert_eq!(
        actions,
        [
            "refused (origin): POST /api/v1/children/{id}/events",
            "refused (csrf): POST /api/v1/children/{id}/events"
        ]
    );
    // Nothing was written.
    let (_, version) = app
        .store
        .journey(&Subject::parse("child:C1").unwrap())
        .await
        .unwrap();
    assert_eq!(body["version"], version);

    // Sign-in from another site is refused too, and the refusal is logged.
    let rows = log_rows(&app).await;
    let response = app
        .anonymous
        .post(app.url("/sign-in"))
        .header("origin", "https://evil.example")
        .form(&[("name", "sam.patel"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(log_rows(&app).await, rows + 1);
}

#[tokio::test]
async fn only_the_public_origin_may_change_anything_whatever_the_host_says() {
    let app = TestApp::spawn().await;
    let url = app.url("/api/v1/children/C1/events");
    // A request's own Host vouches for nothing: it is whatever the sender wrote.
    let response = app
        .client
        .post(&url)
        .header("host", "evil.example")
        .header("origin", "http://evil.example")
        .json(&event_body(&app).await)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    // The address served, by name or number, is the public origin when none is set.
    for origin in [
        format!("http://127.0.0.1:{}", app.addr.port()),
        format!("http://localhost:{}", app.addr.port()),
    ] {
        let response = app
            .client
            .post(&url)
            .header("origin", &origin)
            .json(&event_body(&app).await)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{origin}");
    }
    let actions: Vec<String> = c1_log(&app).await.into_iter().map(|(_, _, a)| a).collect();
    assert!(
        actions.contains(&String::from(
            "refused (origin): POST /api/v1/children/{id}/events"
        )),
        "{actions:?}"
    );
}

#[tokio::test]
async fn a_partner_system_calls_the_api_with_a_bearer_token_until_it_is_revoked() {
    let app = TestApp::spawn().await;
    let now = NOW.parse().unwrap();
    let user = User {
        name: UserName::parse("records.system").unwrap(),
        role: Role::SocialWorker,
        password_hash: String::from("not a hash"),
        created_at: now,
        worker: None,
    };
    app.store.add_user(&user).await.unwrap();
    let token = hearth_app::auth::new_token(&user.name, now);
    app.store.add_token(&token.stored).await.unwrap();
    let bearer = format!("Bearer {}", token.token);

    // No cookie, so no CSRF token is needed.
    let response = app
        .anonymous
        .post(app.url("/api/v1/children/C1/events"))
        .header("authorization", &bearer)
        .json(&event_body(&app).await)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let (journey, _) = app
        .store
        .journey(&Subject::parse("child:C1").unwrap())
        .await
        .unwrap();
    assert_eq!(
        journey.last().unwrap().recorded_by.as_str(),
        "records.system"
    );

    assert!(
        app.store
            .revoke_token(&token.stored.label, now)
            .await
            .unwrap()
    );
    let response = app
        .anonymous
        .get(app.url("/api/v1/children/C1"))
        .header("authorization", &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body["detail"],
        "The bearer token is not valid; it may have been revoked."
    );
}

#[tokio::test]
async fn a_bearer_token_opens_the_api_and_no_page() {
    let app = TestApp::spawn().await;
    let now = NOW.parse().unwrap();
    let user = User {
        name: UserName::parse("records.system").unwrap(),
        role: Role::SocialWorker,
        password_hash: String::from("not a hash"),
        created_at: now,
        worker: None,
    };
    app.store.add_user(&user).await.unwrap();
    let token = hearth_app::auth::new_token(&user.name, now);
    app.store.add_token(&token.stored).await.unwrap();
    let bearer = format!("Bearer {}", token.token);
    let get = |path: &str| {
        app.anonymous
            .get(app.url(path))
            .header("authorization", &bearer)
            .send()
    };
    assert_eq!(get("/api/v1/children/C1").await.unwrap().status(), 200);
    for path in ["/", "/children/C1", "/due", "/account"] {
        let response = get(path).await.unwrap();
        assert_eq!(response.status(), 403, "{path}");
        let text = response.text().await.unwrap();
        assert!(
            text.contains("A bearer token opens only the API"),
            "{path}: {text}"
        );
    }
    let actions: Vec<String> = c1_log(&app).await.into_iter().map(|(_, _, a)| a).collect();
    assert_eq!(
        actions.last().map(String::as_str),
        Some("refused (bearer token outside the API): GET /children/{id}")
    );
}

#[tokio::test]
async fn a_restricted_record_is_seen_only_by_the_users_named_and_is_otherwise_not_there() {
    let app = TestApp::spawn().await;
    let now = NOW.parse().unwrap();
    let kim = sign_in(&app.store, "kim.worker", Role::SocialWorker, now).await;
    let c1 = hearth_domain::ids::ChildId::parse("C1").unwrap();
    app.store
        .restrict(&c1, &[UserName::parse("kim.worker").unwrap()])
        .await
        .unwrap();

    // Everyone else: as if there were no such child.
    for path in [
        "/children/C1",
        "/api/v1/children/C1",
        "/api/v1/children/C1/journey",
    ] {
        assert_eq!(app.get(path).await.status(), 404, "{path}");
    }
    let list = page_text(&app, &app.client, "/?q=testington").await;
    assert!(!list.contains("Testington"), "{list}");
    let everyone = page_text(&app, &app.client, "/").await;
    assert!(!everyone.contains("Testington"), "{everyone}");
    let api: serde_json::Value = app
        .get("/api/v1/children?q=testington")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(api, serde_json::json!([]));
    let body = event_body(&app).await;
    let response = app
        .client
        .post(app.url("/api/v1/children/C1/events"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let (_, version) = app
        .store
        .journey(&Subject::parse("child:C1").unwrap())
        .await
        .unwrap();
    assert_eq!(body["version"], version, "nothing was written");
    let refused: Vec<String> = c1_log(&app)
        .await
        .into_iter()
        .map(|(_, actor, action)| format!("{actor}: {action}"))
        .collect();
    assert_eq!(
        refused,
        [
            "sam.patel: refused (restricted): view chronology: GET /children/{id}",
            "sam.patel: refused (restricted): api read: GET /api/v1/children/{id}",
            "sam.patel: refused (restricted): api read: GET /api/v1/children/{id}/journey",
            "sam.patel: refused (restricted): api write: POST /api/v1/children/{id}/events",
        ]
    );

    // Nor is who opened it, to an auditor not named.
    let auditor = sign_in(&app.store, "ann.auditor", Role::Auditor, now).await;
    let log_page = auditor
        .client
        .get(app.url("/children/C1/access-log"))
        .send()
        .await
        .unwrap();
    assert_eq!(log_page.status(), 404);
    let (_, actor, action) = c1_log(&app).await.pop().unwrap();
    assert_eq!(
        (actor.as_str(), action.as_str()),
        (
            "ann.auditor",
            "refused (restricted): view access log: GET /children/{id}/access-log"
        )
    );
    // Nor are the child's duties in the due list, nor counted.
    let due: serde_json::Value = app
        .get("/api/v1/due?as_at=2024-06-01")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(due["obligations"], serde_json::json!([]), "{due}");
    assert_eq!(
        due["total"],
        serde_json::json!({"overdue": 0, "due_soon": 0, "met_late": 0})
    );
    let due_page = page_text(&app, &app.client, "/due?as_at=2024-06-01").await;
    assert!(!due_page.contains("Testington"), "{due_page}");
    let counts: serde_json::Value = app
        .get("/api/v1/due/counts?as_at=2024-06-01")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(counts["total"], due["total"]);

    // The user named sees it all.
    let due: serde_json::Value = kim
        .client
        .get(app.url("/api/v1/due?as_at=2024-06-01"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let children: Vec<&str> = due["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["child"].as_str().unwrap())
        .collect();
    assert!(
        !children.is_empty() && children.iter().all(|c| *c == "C1"),
        "{due}"
    );
    let page = kim
        .client
        .get(app.url("/children/C1"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Testington"));
    let list = page_text(&app, &kim.client, "/?q=testington").await;
    assert!(list.contains("Testington"), "{list}");

    // Lifted, everyone who may read records sees it again.
    app.store.restrict(&c1, &[]).await.unwrap();
    assert_eq!(app.get("/children/C1").await.status(), 200);
}

#[tokio::test]
async fn an_analyst_sees_the_due_counts_and_no_child() {
    let app = TestApp::spawn().await;
    let now = NOW.parse().unwrap();
    let analyst = sign_in(&app.store, "al.analyst", Role::Analyst, now).await;
    let before = log_rows(&app).await;

    let full: serde_json::Value = app
        .get("/api/v1/due?as_at=2024-06-01")
        .await
        .json()
        .await
        .unwrap();
    assert!(!full["obligations"].as_array().unwrap().is_empty());
    let logged_by_full = log_rows(&app).await;
    assert!(logged_by_full > before);

    let counts: serde_json::Value = analyst
        .client
        .get(app.url("/api/v1/due/counts?as_at=2024-06-01"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counts["obligations"], serde_json::json!([]));
    assert_eq!(counts["total"], full["total"]);
    assert_eq!(counts["teams"], full["teams"]);

    let page = page_text(&app, &analyst.client, "/due/counts?as_at=2024-06-01").await;
    assert!(page.contains("Due and overdue: counts"), "{page}");
    assert!(page.contains("Ashford CIN team"), "{page}");
    assert!(!page.contains("Testington"), "{page}");
    assert!(!page.contains("/children/"), "{page}");
    // Nothing about a child was shown, so nothing was logged.
    assert_eq!(log_rows(&app).await, logged_by_full);
}
