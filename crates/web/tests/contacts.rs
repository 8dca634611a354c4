//! Contacts through the API (issue 13): a partner system posts a contact with its token
//! and reads what became of it; another partner cannot; a body the one rule refuses
//! is answered 422 naming the field, and nothing is written. A screener reads the
//! contact with its candidates, links the child and runs a check.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hearth_domain::access::{Role, UserName};
use hearth_domain::ids::{ContactId, Subject};
use hearth_store::{QueueFilter, User};
use serde_json::{Value, json};
use support::*;

/// A partner system's client: a user of the partner role and a bearer token for them.
async fn partner_system(app: &TestApp, name: &str) -> reqwest::Client {
    let now = NOW.parse().unwrap();
    let user = User {
        name: UserName::parse(name).unwrap(),
        role: Role::Partner,
        password_hash: String::from("not a hash"),
        created_at: now,
        worker: None,
    };
    app.store.add_user(&user).await.unwrap();
    let token = hearth_app::auth::new_token(&user.name, now);
    app.store.add_token(&token.stored).await.unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "authorization",
        format!("Bearer {}", token.token).parse().unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

async fn contacts_held(app: &TestApp) -> usize {
    let all = QueueFilter {
        statuses: vec![],
        decided_on: None,
        locality: None,
        urgency: None,
        limit: 1000,
    };
    app.store.contact_queue(&all).await.unwrap().len()
}

async fn get(client: &reqwest::Client, url: String) -> (u16, Value) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_partner_posts_a_contact_and_reads_its_outcome_and_no_one_elses() {
    let app = TestApp::spawn().await;
    let police = partner_system(&app, "testshire.police").await;
    let response = police
        .post(app.url("/api/v1/contacts"))
        .json(&contact_body())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(ContactId::parse(&id).is_ok(), "{created}");
    assert_eq!(location, format!("/api/v1/contacts/{id}"));
    assert_eq!(created["outcome"], format!("/api/v1/contacts/{id}/outcome"));

    let received = json!({
        "id": id,
        "received": "2024-06-01T09:30",
        "status": "received",
        "outcome": null,
        "service": null,
        "decided": null,
    });
    let (status, outcome) = get(&police, app.url(&format!("{location}/outcome"))).await;
    assert_eq!((status, outcome), (200, received.clone()));
    let (status, mine) = get(&police, app.url("/api/v1/contacts")).await;
    assert_eq!((status, mine), (200, json!([received])));

    // Another partner: no such contact, and an empty list of their own.
    let health = partner_system(&app, "testshire.health").await;
    let (status, problem) = get(&health, app.url(&format!("{location}/outcome"))).await;
    assert_eq!(status, 404);
    assert_eq!(problem["detail"], "No contact with that ID.");
    let (status, theirs) = get(&health, app.url("/api/v1/contacts")).await;
    assert_eq!((status, theirs), (200, json!([])));

    // The receipt, each view and the refusal, against the contact.
    let log: Vec<(String, String)> = app
        .store
        .access_log(&Subject::parse(&format!("contact:{id}")).unwrap())
        .await
        .unwrap()
        .into_iter()
        .map(|(_, actor, action)| (actor, action))
        .collect();
    let pair = |actor: &str, action: &str| (actor.to_owned(), action.to_owned());
    assert_eq!(
        log,
        [
            pair("testshire.police", "submitted"),
            pair(
                "testshire.police",
                "partner outcome: GET /api/v1/contacts/{id}/outcome"
            ),
            pair("testshire.police", "partner outcome: GET /api/v1/contacts"),
            pair(
                "testshire.health",
                "refused (not theirs): partner outcome: GET /api/v1/contacts/{id}/outcome"
            ),
        ]
    );
}

#[tokio::test]
async fn a_contact_the_one_rule_refuses_is_answered_naming_the_field_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let police = partner_system(&app, "testshire.police").await;
    let post = |body: Vec<u8>, content_type: &'static str| {
        police
            .post(app.url("/api/v1/contacts"))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let with = |pointer: &str, value: Value| {
        let mut body = contact_body();
        *body.pointer_mut(pointer).unwrap() = value;
        serde_json::to_vec(&body).unwrap()
    };
    let without = |field: &str| {
        let mut body = contact_body();
        body.as_object_mut().unwrap().remove(field);
        serde_json::to_vec(&body).unwrap()
    };
    for (body, detail) in [
        (
            with("/people/0/date_of_birth", json!("31/02/2019")),
            "The contact was refused: people[0].date_of_birth: is not a date (YYYY-MM-DD).",
        ),
        (
            with("/people/0/date_of_birth", json!("2024-06-02")),
            "The contact was refused: people[0].date_of_birth: is after the contact was received.",
        ),
        (
            with("/urgency", json!("whenever")),
            "The contact was refused: urgency: is not one of the urgency codes.",
        ),
        (
            with("/people/0/role", json!("adult")),
            "The contact was refused: people: must name at least one child or unborn child.",
        ),
        (
            without("narrative"),
            "The contact was refused: narrative: is missing.",
        ),
    ] {
        let response = post(body, "application/json").await.unwrap();
        assert_eq!(response.status(), 422, "{detail}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["detail"], detail);
    }
    // Not JSON at all, or not sent as JSON.
    let response = post(b"{\"received_at\": ".to_vec(), "application/json")
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let response = post(serde_json::to_vec(&contact_body()).unwrap(), "text/plain")
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    assert_eq!(contacts_held(&app).await, 0);
}

/// A screener's client: a user of the screener role signed in.
async fn screener(app: &TestApp) -> reqwest::Client {
    sign_in(
        &app.store,
        "jo.screener",
        Role::Screener,
        NOW.parse().unwrap(),
    )
    .await
    .client
}

async fn post(client: &reqwest::Client, url: String, body: Value) -> (u16, Value) {
    let response = client.post(url).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_screener_reads_a_contact_with_its_candidates_links_the_child_runs_a_check_and_decides() {
    let app = TestApp::spawn().await;
    let police = partner_system(&app, "testshire.police").await;
    let response = police
        .post(app.url("/api/v1/contacts"))
        .json(&contact_body())
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let jo = screener(&app).await;

    // Ava, her surname misspelt, is matched to C1 with the reasons given.
    let (status, contact) = get(&jo, app.url(&location)).await;
    assert_eq!(status, 200, "{contact}");
    assert_eq!(contact["status"], "new");
    assert_eq!(contact["submitted_by"], "testshire.police");
    let ava = &contact["people"][0];
    assert_eq!(ava["given"], 0);
    assert_eq!(ava["linked"], Value::Null);
    let first = &ava["candidates"][0];
    assert_eq!(first["person"], "child:C1", "{contact}");
    assert!(!first["reasons"].as_array().unwrap().is_empty(), "{first}");
    assert_eq!(first["child"]["worker"], "W1", "{first}");
    let version = contact["version"].clone();

    // Linked at the version read; the same version again is out of date.
    let link = json!({"given": 0, "person": "child:C1", "version": version});
    let (status, written) = post(&jo, app.url(&format!("{location}/links")), link.clone()).await;
    assert_eq!(status, 201, "{written}");
    let (status, problem) = post(&jo, app.url(&format!("{location}/links")), link).await;
    assert_eq!(status, 409, "{problem}");
    // The contact is now on C1's journey.
    let journey = app
        .store
        .journey(&Subject::parse("child:C1").unwrap())
        .await
        .unwrap()
        .0;
    assert!(
        journey.iter().any(|e| e.kind() == "contact_received"),
        "{journey:?}"
    );

    // A red police check, asked once and answered once.
    let check = json!({"agency": "police", "rag": "red"});
    let (status, _) = post(&jo, app.url(&format!("{location}/checks")), check.clone()).await;
    assert_eq!(status, 201);
    let (status, problem) = post(&jo, app.url(&format!("{location}/checks")), check).await;
    assert_eq!(status, 422, "{problem}");
    let answer = json!({"findings": "Two call-outs to the address this year."});
    let (status, _) = post(
        &jo,
        app.url(&format!("{location}/checks/police")),
        answer.clone(),
    )
    .await;
    assert_eq!(status, 201);
    let (status, problem) = post(&jo, app.url(&format!("{location}/checks/housing")), answer).await;
    assert_eq!(status, 422, "{problem}");
    let (status, problem) = post(
        &jo,
        app.url(&format!("{location}/checks/bailiffs")),
        json!({}),
    )
    .await;
    assert_eq!(status, 404, "{problem}");
    let (status, problem) = post(
        &jo,
        app.url(&format!("{location}/checks")),
        json!({"agency": "police", "rag": "purple"}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        problem["detail"],
        "The check could not be read: the field `rag` is not valid."
    );

    let (_, contact) = get(&jo, app.url(&location)).await;
    assert_eq!(contact["people"][0]["linked"], "child:C1");
    assert_eq!(contact["contact"]["checks"]["police"]["rag"], "red");
    assert_eq!(
        contact["contact"]["checks"]["police"]["findings"],
        "Two call-outs to the address this year."
    );
    assert_eq!(contact["status"], "awaiting_decision");

    // Decided at the version read: no further action for the whole contact.
    let version = contact["version"].clone();
    let (status, problem) = post(
        &jo,
        app.url(&format!("{location}/decision")),
        json!({"version": version, "decisions": [{"outcome": "nfa", "reasons": " "}]}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        problem["detail"],
        "The decision was refused: decisions[0].reasons: must not be empty."
    );
    let nfa = json!({"version": version, "decisions": [
        {"outcome": "nfa", "reasons": "Known to police; the children are safe with their mother."}
    ]});
    let (status, decided) = post(&jo, app.url(&format!("{location}/decision")), nfa.clone()).await;
    assert_eq!(status, 201, "{decided}");
    assert_eq!(decided["proposed"], false);
    let (status, problem) = post(&jo, app.url(&format!("{location}/decision")), nfa).await;
    assert_eq!(status, 409, "{problem}");
    // The partner sees the outcome, and nothing of the child.
    let (status, outcome) = get(&police, app.url(&format!("{location}/outcome"))).await;
    assert_eq!(status, 200);
    assert_eq!(outcome["status"], "decided", "{outcome}");
    assert_eq!(outcome["outcome"], "nfa");
    assert!(outcome["decided"].is_string(), "{outcome}");

    // A partner may not screen, nor a screener read a partner's outcome view.
    let (status, _) = get(&police, app.url(&location)).await;
    assert_eq!(status, 403);
    let (status, _) = get(&jo, app.url(&format!("{location}/outcome"))).await;
    assert_eq!(status, 403);
}
