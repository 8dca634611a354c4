//! Recording through pages end to end: the choose page offers what the journey takes
//! now, a good form lands on the journey and goes back to the child with a banner, a
//! bad one comes back with the error summary, each field's message and what was typed
//! and writes nothing, and a record saved to by someone else first shows what changed
//! and keeps the input. Which roles reach the pages is tried in `access.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hearth_domain::access::Role;
use hearth_domain::event::EventData;
use hearth_domain::ids::ChildId;
use support::*;

/// A social worker who records through the pages.
async fn recorder(app: &TestApp) -> SignedIn {
    let now = NOW.parse().unwrap();
    sign_in(&app.store, "sw.recorder", Role::SocialWorker, now).await
}

async fn version(app: &TestApp) -> u64 {
    let id = ChildId::parse("C1").unwrap();
    app.store.child(&id).await.unwrap().unwrap().version
}

/// The value of the hidden field `name` on `page`.
fn hidden(page: &str, name: &str) -> String {
    let start = format!("name=\"{name}\" value=\"");
    let rest = &page[page.find(&start).unwrap() + start.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// A visit by W1 on NOW's day, seen and not alone, at the version `v`.
fn visit(v: &str) -> Vec<(&str, &str)> {
    vec![
        ("version", v),
        ("occurred_at-day", "1"),
        ("occurred_at-month", "6"),
        ("occurred_at-year", "2024"),
        ("worker", "W1"),
        ("seen", "yes"),
        ("seen_alone", "no"),
    ]
}

#[tokio::test]
async fn the_choose_page_offers_only_what_fits_the_journey_now() {
    let app = TestApp::spawn().await;
    let (status, page) = app.page("/children/C1/record").await;
    assert_eq!(status, 200, "{page}");
    // C1 has an open protection plan and is not looked after.
    assert!(
        page.contains("href=\"/children/C1/record/core_group_held\""),
        "{page}"
    );
    assert!(
        page.contains("href=\"/children/C1/record/visit\""),
        "{page}"
    );
    assert!(page.contains("Child protection"), "{page}");
    assert!(!page.contains("/record/placement_started"), "{page}");
    assert!(!page.contains("/record/cp_plan_started"), "{page}");
    // The child's page links to it.
    let (_, child) = app.page("/children/C1").await;
    assert!(child.contains("href=\"/children/C1/record\""), "{child}");
}

#[tokio::test]
async fn a_form_is_drawn_from_its_declaration() {
    let app = TestApp::spawn().await;
    let (status, page) = app.page("/children/C1/record/cin_closed").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Reason for closure"), "{page}");
    // The DfE codes with their labels.
    assert!(page.contains("value=\"RC8\""), "{page}");
    assert!(
        page.contains("Case closed after assessment, no further action (RC8)"),
        "{page}"
    );
    assert_eq!(hidden(&page, "version"), version(&app).await.to_string());
    // Dated today by default.
    assert!(
        page.contains(r#"name="occurred_at-year" type="text" inputmode="numeric" value="2024""#),
        "{page}"
    );
    let (status, page) = app.page("/children/C1/record/assessment_completed").await;
    assert_eq!(status, 200);
    assert!(page.contains("type=\"checkbox\" value=\"1A\""), "{page}");
    let (status, _) = app.page("/children/C1/record/persons_merged").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_good_form_is_recorded_and_the_child_page_says_so() {
    let app = TestApp::spawn().await;
    let sw = recorder(&app).await;
    let before = version(&app).await;
    let v = before.to_string();
    let (status, location, body) =
        post_form(&app, &sw, "/children/C1/record/visit", &visit(&v)).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.as_deref(), Some("/children/C1?recorded=visit"));
    assert_eq!(version(&app).await, before + 1);
    let (journey, _) = app
        .store
        .journey(&hearth_domain::ids::Subject::parse("child:C1").unwrap())
        .await
        .unwrap();
    let last = journey.last().unwrap();
    assert!(
        matches!(&last.data, EventData::Visit(v) if v.seen && !v.seen_alone && v.worker.as_str() == "W1"),
        "{last:?}"
    );
    assert_eq!(last.recorded_by.as_str(), "sw.recorder");
    let (_, page) = app.page("/children/C1?recorded=visit").await;
    assert!(page.contains("Recorded: Visit"), "{page}");
    assert!(
        page.contains("Visit by Sam Patel: child seen, not alone"),
        "{page}"
    );
    // Only a declared form's title makes a banner.
    let (_, page) = app.page("/children/C1?recorded=%3Cscript%3E").await;
    assert!(!page.contains("Recorded:"), "{page}");
}

#[tokio::test]
async fn bad_input_comes_back_with_its_errors_and_what_was_typed_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let sw = recorder(&app).await;
    let before = version(&app).await;
    let v = before.to_string();
    let form = [
        ("version", v.as_str()),
        ("occurred_at-day", "31"),
        ("occurred_at-month", "2"),
        ("occurred_at-year", "2024"),
        ("worker", "W1"),
        ("seen_alone", "no"),
    ];
    let (status, _, page) = post_form(&app, &sw, "/children/C1/record/visit", &form).await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("There is a problem"), "{page}");
    // In the summary, linking to the field, and by the field.
    assert!(page.contains("href=\"#occurred_at-day\""), "{page}");
    assert!(page.contains("href=\"#seen\""), "{page}");
    assert_eq!(
        page.matches("The date it happened must be a real date.")
            .count(),
        2,
        "{page}"
    );
    assert_eq!(
        page.matches("Select whether the child was seen.").count(),
        2,
        "{page}"
    );
    // What was typed is kept.
    assert!(page.contains("value=\"31\""), "{page}");
    assert!(page.contains("value=\"W1\" selected"), "{page}");
    assert!(page.contains("value=\"no\" checked"), "{page}");
    assert_eq!(version(&app).await, before);
}

#[tokio::test]
async fn what_the_journey_or_the_organisation_refuses_is_named_on_the_form() {
    let app = TestApp::spawn().await;
    let sw = recorder(&app).await;
    let before = version(&app).await;
    let v = before.to_string();
    // Not looked after: no placement to end.
    let form = [
        ("version", v.as_str()),
        ("occurred_at-day", "1"),
        ("occurred_at-month", "6"),
        ("occurred_at-year", "2024"),
        ("reason", "CARPL"),
    ];
    let (status, _, page) =
        post_form(&app, &sw, "/children/C1/record/placement_ended", &form).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("the child is not looked after"), "{page}");
    // A worker not in the organisation.
    let mut bad = visit(&v);
    bad[4] = ("worker", "W99");
    let (status, _, page) = post_form(&app, &sw, "/children/C1/record/visit", &bad).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("href=\"#worker\""), "{page}");
    assert!(
        page.contains("there is no worker W99 in the organisation"),
        "{page}"
    );
    // Tomorrow.
    let mut late = visit(&v);
    late[1] = ("occurred_at-day", "2");
    let (status, _, page) = post_form(&app, &sw, "/children/C1/record/visit", &late).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("it is dated after today"), "{page}");
    assert_eq!(version(&app).await, before);
}

#[tokio::test]
async fn a_second_editor_is_shown_what_changed_and_keeps_their_input() {
    let app = TestApp::spawn().await;
    let sw = recorder(&app).await;
    let (_, form) = app.page("/children/C1/record/core_group_held").await;
    let read = hidden(&form, "version");
    // Someone else saves a visit first.
    let (status, _, _) = post_form(&app, &sw, "/children/C1/record/visit", &visit(&read)).await;
    assert_eq!(status, 303);
    let core_group = [
        ("version", read.as_str()),
        ("occurred_at-day", "1"),
        ("occurred_at-month", "6"),
        ("occurred_at-year", "2024"),
        ("occurred_at-time", "10:30"),
        ("progress", "some"),
    ];
    let (status, _, page) = post_form(
        &app,
        &sw,
        "/children/C1/record/core_group_held",
        &core_group,
    )
    .await;
    assert_eq!(status, 409, "{page}");
    assert!(page.contains("Someone else saved to this record"), "{page}");
    assert!(
        page.contains("2024-06-01: Visit by Sam Patel: child seen, not alone"),
        "{page}"
    );
    assert!(page.contains("value=\"10:30\""), "{page}");
    // Drawn again at the version now, so saving again goes through.
    let now = hidden(&page, "version");
    assert_eq!(now, version(&app).await.to_string());
    let mut again = core_group.to_vec();
    again[0] = ("version", now.as_str());
    let (status, location, _) =
        post_form(&app, &sw, "/children/C1/record/core_group_held", &again).await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/children/C1?recorded=core_group_held"))
    );
}

#[tokio::test]
async fn the_api_and_the_page_refuse_the_same_input_in_the_same_words() {
    let app = TestApp::spawn().await;
    let sw = recorder(&app).await;
    let before = version(&app).await;
    let v = before.to_string();
    let form = [
        ("version", v.as_str()),
        ("occurred_at-day", "1"),
        ("occurred_at-month", "6"),
        ("occurred_at-year", "2024"),
        ("reason", "RC99"),
    ];
    let (status, _, page) = post_form(&app, &sw, "/children/C1/record/cin_closed", &form).await;
    assert_eq!(status, 400, "{page}");
    let sentence = "Select the reason for closure from the list.";
    assert!(page.contains(sentence), "{page}");
    let response = app
        .client
        .post(app.url("/api/v1/children/C1/events"))
        .json(&serde_json::json!({
            "version": before,
            "id": "api-closed",
            "occurred_at": "2024-06-01",
            "kind": "cin_closed",
            "data": {"reason": "RC99"},
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let answer: serde_json::Value = response.json().await.unwrap();
    assert_eq!(answer["detail"], sentence);
    // A missing answer too.
    let response = app
        .client
        .post(app.url("/api/v1/children/C1/events"))
        .json(&serde_json::json!({
            "version": before,
            "id": "api-visit",
            "occurred_at": "2024-06-01",
            "kind": "visit",
            "data": {"worker": "W1", "seen": true},
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let answer: serde_json::Value = response.json().await.unwrap();
    assert_eq!(answer["detail"], "Select whether the child was seen alone.");
    assert_eq!(version(&app).await, before);
}

#[tokio::test]
async fn a_practitioner_corrects_their_own_entry_and_a_manager_anyones() {
    let app = TestApp::spawn().await;
    let sw = recorder(&app).await;
    let (_, child) = app.page("/children/C1").await;
    // The visit can be corrected; the retracted visit, the retraction and the front
    // door's events cannot.
    assert!(
        child.contains("href=\"/children/C1/events/c1-12/correct\""),
        "{child}"
    );
    for id in ["c1-13", "c1-14", "c1-02"] {
        assert!(!child.contains(&format!("/events/{id}/correct")), "{id}");
    }
    // Sam's own visit, recorded through its form.
    let v = version(&app).await.to_string();
    let (status, _, _) = post_form(&app, &sw, "/children/C1/record/visit", &visit(&v)).await;
    assert_eq!(status, 303);
    let own = format!("C1-{}-form", v.parse::<u64>().unwrap() + 1);
    let path = format!("/children/C1/events/{own}/correct");
    let (status, form) = app.page(&path).await;
    assert_eq!(status, 200, "{form}");
    // Filled in as it stands.
    assert!(form.contains("value=\"W1\" selected"), "{form}");
    assert!(
        form.contains("Visit by Sam Patel: child seen, not alone"),
        "{form}"
    );
    let v = version(&app).await.to_string();
    let mut amend = visit(&v);
    amend[6] = ("seen_alone", "yes");
    amend.push(("action", "amend"));
    // A reason is needed.
    let (status, _, page) = post_form(&app, &sw, &path, &amend).await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("Say why you are correcting it."), "{page}");
    amend.push(("reason", "the child was seen alone after all"));
    let (status, location, page) = post_form(&app, &sw, &path, &amend).await;
    assert_eq!(status, 303, "{page}");
    assert_eq!(location.as_deref(), Some("/children/C1?corrected=amended"));
    let (_, child) = app.page("/children/C1?corrected=amended").await;
    assert!(child.contains("Recorded: an amendment"), "{child}");
    assert!(
        child.contains("Now reads: Visit by Sam Patel: child seen alone"),
        "{child}"
    );

    // Someone else's entry: refused to Sam, allowed to a manager.
    let v = version(&app).await.to_string();
    let retract = [
        ("version", v.as_str()),
        ("action", "retract"),
        ("reason", "entered on the wrong child"),
    ];
    let theirs = "/children/C1/events/c1-12/correct";
    let (status, _, page) = post_form(&app, &sw, theirs, &retract).await;
    assert_eq!(status, 403, "{page}");
    assert!(
        page.contains("Only whoever recorded this event, or a team manager, may correct it."),
        "{page}"
    );
    let manager = sign_in(
        &app.store,
        "max.manager",
        Role::TeamManager,
        NOW.parse().unwrap(),
    )
    .await;
    let (status, location, page) = post_form(&app, &manager, theirs, &retract).await;
    assert_eq!(status, 303, "{page}");
    assert_eq!(
        location.as_deref(),
        Some("/children/C1?corrected=retracted")
    );
    let (_, child) = app.page("/children/C1").await;
    assert!(
        child.contains("Retracted on 2024-06-01 by max.manager: entered on the wrong child"),
        "{child}"
    );
    assert!(!child.contains(theirs), "{child}");
}

#[tokio::test]
async fn money_numbers_and_long_text_are_asked_for_kept_on_error_and_recorded() {
    let app = TestApp::spawn().await;
    let sw = recorder(&app).await;
    let (_, page) = app
        .page("/children/C1/record/early_help_assessment_completed")
        .await;
    assert!(
        page.contains(r#"<textarea class="govuk-textarea" id="goals" name="goals" rows="4""#),
        "{page}"
    );
    let (_, page) = app.page("/children/C1/record/health_assessment").await;
    assert!(
        page.contains(r#"id="sdq_score" name="sdq_score" type="text" inputmode="numeric""#),
        "{page}"
    );
    let dated = |v: &str| {
        vec![
            ("version", v.to_owned()),
            ("occurred_at-day", String::from("1")),
            ("occurred_at-month", String::from("6")),
            ("occurred_at-year", String::from("2024")),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>, kind: &'static str| {
        let app = &app;
        let sw = &sw;
        async move {
            let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(app, sw, &format!("/children/C1/record/{kind}"), &form).await
        }
    };
    let mut care = dated(&version(&app).await.to_string());
    care.extend([
        ("legal_status", String::from("C1")),
        ("category_of_need", String::from("N1")),
        ("uasc", String::from("no")),
        ("previous_permanence", String::from("Z1")),
    ]);
    let (status, _, page) = post(care, "looked_after_started").await;
    assert_eq!(status, 303, "{page}");

    // A cost that is not money comes back with its message, by the field and in the
    // summary, and as typed.
    let before = version(&app).await;
    let mut placed = dated(&before.to_string());
    placed.extend([
        ("placement_type", String::from("U6")),
        ("provider", String::from("PR4")),
        ("weekly_cost", String::from("about 900")),
        ("same_carers", String::from("no")),
    ]);
    let (status, _, page) = post(placed.clone(), "placement_started").await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("href=\"#weekly_cost\""), "{page}");
    assert_eq!(
        page.matches("Enter the weekly cost in pounds and pence, like 850.00.")
            .count(),
        2,
        "{page}"
    );
    assert!(page.contains("govuk-input__prefix"), "{page}");
    assert!(page.contains("value=\"about 900\""), "{page}");
    assert_eq!(version(&app).await, before);
    placed[6].1 = String::from("£1,050.50");
    let (status, _, page) = post(placed, "placement_started").await;
    assert_eq!(status, 303, "{page}");

    let mut health = dated(&version(&app).await.to_string());
    health.extend([
        ("assessment", String::from("initial")),
        ("sdq_score", String::from("17")),
        ("immunisations_up_to_date", String::from("yes")),
    ]);
    let (status, _, page) = post(health, "health_assessment").await;
    assert_eq!(status, 303, "{page}");

    let (journey, _) = app
        .store
        .journey(&hearth_domain::ids::Subject::parse("child:C1").unwrap())
        .await
        .unwrap();
    let placement = journey
        .iter()
        .find_map(|e| match &e.data {
            EventData::PlacementStarted(p) => Some(p.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(placement.weekly_cost.map(|p| p.0), Some(105_050));
    assert_eq!(placement.same_carers, Some(false));
    let last = journey.last().unwrap();
    assert!(
        matches!(&last.data, EventData::HealthAssessment(h)
            if h.sdq_score.map(|s| s.get()) == Some(17) && h.immunisations_up_to_date == Some(true)),
        "{last:?}"
    );
    let (_, page) = app.page("/children/C1").await;
    assert!(
        page.contains("Initial health assessment (SDQ score 17)"),
        "{page}"
    );
}
