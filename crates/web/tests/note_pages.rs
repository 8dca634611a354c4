//! Case notes through the pages (issue 14, item 2): the note's form keeps what was typed
//! when it is refused; "Save draft" keeps a draft without JavaScript, which comes back
//! to its author after signing in again and to nobody else; the note shows on the
//! chronology and on the notes page, whose search finds notes by their words.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hearth_domain::access::{Role, UserName};
use hearth_domain::ids::{ChildId, Subject};
use support::*;

const FORM: &str = "/children/C1/record/case_note_recorded";
const DRAFT: &str = "/children/C1/record/case_note_recorded/draft";

/// A path as the templates write it into an attribute: each '/' escaped.
fn escaped(path: &str) -> String {
    path.replace('/', "&#x2f;")
}

async fn version(app: &TestApp) -> u64 {
    let id = ChildId::parse("C1").unwrap();
    app.store.child(&id).await.unwrap().unwrap().version
}

/// A note dated NOW's day, at version `v`, saying `narrative`.
fn note<'a>(v: &'a str, narrative: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("version", v),
        ("occurred_at-day", "1"),
        ("occurred_at-month", "6"),
        ("occurred_at-year", "2024"),
        ("occurred_at-time", "09:30"),
        ("contact_type", "visit"),
        ("narrative", narrative),
        ("present", "Mother"),
        ("seen", "yes"),
        ("seen_alone", "yes"),
        ("child_words", "I want to stay at my school."),
        ("worries", "Rent arrears"),
    ]
}

/// A second session for a user already added: as signing in again gives.
async fn sign_in_again(app: &TestApp, name: &str) -> SignedIn {
    let now = NOW.parse().unwrap();
    let (id, session) = hearth_web::session::new_session(&UserName::parse(name).unwrap(), now);
    app.store.start_session(&session).await.unwrap();
    let cookie = format!("{}={id}", hearth_web::session::SESSION_COOKIE);
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", cookie.parse().unwrap());
    SignedIn {
        client: reqwest::Client::builder()
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        cookie,
        csrf: session.csrf_token,
    }
}

async fn page_as(app: &TestApp, user: &SignedIn, path: &str) -> (u16, String) {
    let response = user.client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn a_refused_note_keeps_what_was_typed_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let sw = sign_in(
        &app.store,
        "sw.noter",
        Role::SocialWorker,
        NOW.parse().unwrap(),
    )
    .await;
    let (status, page) = app.page(FORM).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<textarea"), "{page}");
    assert!(page.contains("Up to 20,000 characters"), "{page}");
    assert!(
        page.contains(&format!("formaction=\"{}\"", escaped(DRAFT))),
        "{page}"
    );
    assert!(
        page.contains("href=\"/children/C1/record/visit\""),
        "{page}"
    );
    let before = version(&app).await;
    let v = before.to_string();
    let mut fields = note(&v, "Line one of a long note\r\nline two");
    fields.retain(|(k, _)| *k != "seen");
    let (status, _, body) = post_form(&app, &sw, FORM, &fields).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("There is a problem"), "{body}");
    assert!(
        body.contains("Select whether the child was seen."),
        "{body}"
    );
    assert!(
        body.contains("Line one of a long note\r\nline two</textarea>")
            || body.contains("Line one of a long note\nline two</textarea>"),
        "{body}"
    );
    assert!(body.contains("Rent arrears</textarea>"), "{body}");
    // Too long: refused by the field, the text kept.
    let long = "x".repeat(20_001);
    let (status, _, body) = post_form(&app, &sw, FORM, &note(&v, &long)).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("narrative is longer than 20000 characters"),
        "{body}"
    );
    assert!(body.contains("id=\"narrative-error\""), "{body}");
    assert!(body.contains(&long), "the long text is kept");
    assert_eq!(version(&app).await, before);
}

#[tokio::test]
async fn a_note_is_on_the_chronology_and_found_by_the_notes_search() {
    let app = TestApp::spawn().await;
    let sw = sign_in(
        &app.store,
        "sw.noter",
        Role::SocialWorker,
        NOW.parse().unwrap(),
    )
    .await;
    let v = version(&app).await.to_string();
    let (status, location, body) = post_form(
        &app,
        &sw,
        FORM,
        &note(&v, "Home visit.\r\n\r\nThe garden was tidy."),
    )
    .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(
        location.as_deref(),
        Some("/children/C1?recorded=case_note_recorded")
    );
    let (_, child) = app.page("/children/C1?recorded=case_note_recorded").await;
    assert!(child.contains("Recorded: Case note"), "{child}");
    assert!(
        child.contains("Case note (visit): child seen alone"),
        "{child}"
    );
    assert!(child.contains("href=\"/children/C1/notes\""), "{child}");
    let v = version(&app).await.to_string();
    let (status, _, body) = post_form(
        &app,
        &sw,
        FORM,
        &note(&v, "Phoned the school about attendance."),
    )
    .await;
    assert_eq!(status, 303, "{body}");

    let (status, page) = app.page("/children/C1/notes").await;
    assert_eq!(status, 200, "{page}");
    assert_only_the_external_script(&page);
    assert!(
        page.contains("<p class=\"govuk-body\">Home visit.</p>"),
        "{page}"
    );
    assert!(
        page.contains("<p class=\"govuk-body\">The garden was tidy.</p>"),
        "{page}"
    );
    assert!(page.contains("I want to stay at my school."), "{page}");
    assert!(page.contains("Seen alone"), "{page}");
    // Newest first: the later note was recorded second on the same day and time.
    assert_in_order(&page, &["Phoned the school", "Home visit."]);
    let (_, found) = app.page("/children/C1/notes?q=GARDEN+tidy").await;
    assert!(found.contains("1 note found"), "{found}");
    assert!(found.contains("The garden was tidy."), "{found}");
    assert!(!found.contains("Phoned the school"), "{found}");
    let (_, found) = app.page("/children/C1/notes?q=school").await;
    assert!(found.contains("2 notes found"), "{found}");
    let (_, none) = app.page("/children/C1/notes?q=piano").await;
    assert!(none.contains("No note has every word you gave."), "{none}");
    // Each look is logged as a read of the child; the words searched for are not.
    let log = app.access_log("C1").await;
    assert!(
        log.iter().all(|(_, _, action)| !action.contains("piano")),
        "{log:?}"
    );
    assert!(
        log.iter()
            .any(|(_, _, action)| action == "view case notes: GET /children/{id}/notes"),
        "{log:?}"
    );
}

#[tokio::test]
async fn save_draft_works_without_javascript_and_comes_back_after_signing_in_again() {
    let app = TestApp::spawn().await;
    let now = NOW.parse().unwrap();
    let sw = sign_in(&app.store, "sw.noter", Role::SocialWorker, now).await;
    let manager = sign_in(&app.store, "tm.manager", Role::TeamManager, now).await;
    let before = version(&app).await;
    let v = before.to_string();
    // The "Save draft" button posts the whole form to the draft's address.
    let mut fields = note(&v, "Half a note, typed on the bus");
    fields.retain(|(k, _)| *k != "seen_alone");
    let (status, location, body) = post_form(&app, &sw, DRAFT, &fields).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.as_deref(), Some(FORM));
    assert_eq!(version(&app).await, before, "a draft is not on the record");
    // Signing in again brings it back, saying when it was saved.
    let again = sign_in_again(&app, "sw.noter").await;
    let (status, page) = page_as(&app, &again, FORM).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Your draft, saved at 13:00 on 1 June 2024"),
        "{page}"
    );
    assert!(
        page.contains("Half a note, typed on the bus</textarea>"),
        "{page}"
    );
    assert!(page.contains("value=\"09:30\""), "{page}");
    // The draft keeps the form's own fields, not the session's token or the version.
    let author = UserName::parse("sw.noter").unwrap();
    let kept = app.store.drafts_of(&author).await.unwrap();
    assert!(
        kept[0]
            .fields
            .iter()
            .all(|(k, _)| k != "csrf" && k != "version"),
        "{kept:?}"
    );
    let (_, work) = page_as(&app, &again, "/my-work").await;
    assert!(work.contains("Case notes you have not finished"), "{work}");
    assert!(
        work.contains(&format!("href=\"{}\"", escaped(FORM))),
        "{work}"
    );
    // Nobody else sees it: not the team manager, nor the signed-in test user.
    for (who, client) in [
        ("manager", &manager.client),
        ("another worker", &app.client),
    ] {
        let response = client.get(app.url(FORM)).send().await.unwrap();
        let page = response.text().await.unwrap();
        assert!(!page.contains("Half a note"), "{who}: {page}");
        assert!(!page.contains("Your draft"), "{who}: {page}");
        let work = client
            .get(app.url("/my-work"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !work.contains("Half a note") && !work.contains("not finished"),
            "{who}: {work}"
        );
    }
    // The script's save asks for JSON and is told when.
    let response = again
        .client
        .post(app.url(DRAFT))
        .header("accept", "application/json")
        .header("origin", format!("http://{}", app.addr))
        .form(&[
            ("csrf", again.csrf.as_str()),
            ("narrative", "Typed on, with the script"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let saved: serde_json::Value = response.json().await.unwrap();
    assert_eq!(saved["saved"], "13:00 on 1 June 2024");
    // Saving the note deletes the draft.
    let (status, _, body) = post_form(&app, &again, FORM, &note(&v, "The whole note")).await;
    assert_eq!(status, 303, "{body}");
    let (_, page) = page_as(&app, &again, FORM).await;
    assert!(!page.contains("Your draft"), "{page}");
    let (_, work) = page_as(&app, &again, "/my-work").await;
    assert!(!work.contains("not finished"), "{work}");
    // The draft's text is never in the access log.
    let log = app.access_log("C1").await;
    assert!(
        log.iter()
            .all(|(_, _, a)| !a.contains("bus") && !a.contains("script")),
        "{log:?}"
    );
    let saves = log
        .iter()
        .filter(|(_, actor, action)| {
            actor == "sw.noter" && action == "save draft: POST /children/{id}/record/{kind}/draft"
        })
        .count();
    assert_eq!(saves, 2, "{log:?}");
    assert!(
        app.store
            .journey(&Subject::parse("child:C1").unwrap())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn an_empty_draft_is_not_kept() {
    let app = TestApp::spawn().await;
    let sw = sign_in(
        &app.store,
        "sw.noter",
        Role::SocialWorker,
        NOW.parse().unwrap(),
    )
    .await;
    let (status, _, body) = post_form(&app, &sw, DRAFT, &[("version", "1")]).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("Write something in the note before you save a draft."),
        "{body}"
    );
    let (status, _, _) = post_form(
        &app,
        &sw,
        "/children/C1/record/visit/draft",
        &[("worker", "W1")],
    )
    .await;
    assert_eq!(status, 404);
    let author = UserName::parse("sw.noter").unwrap();
    assert!(app.store.drafts_of(&author).await.unwrap().is_empty());
}
