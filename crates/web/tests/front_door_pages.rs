//! The front door's pages end to end: a screener opens a contact, links the child it
//! names, asks for a check and records its return, each form redirecting back with a
//! banner; refusals name the field; a partner sees its own contacts and nothing of the
//! child. Which roles reach which page is tried for every route in `access.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hearth_domain::access::Role;
use hearth_domain::ids::{ContactId, Subject};
use support::*;

const PARTNER: &str = "pat.partner";

/// What the school sent about Ava (C1) and her mother: Ava's surname misspelt, her
/// date of birth and postcode right.
fn intake() -> hearth_domain::contact::Intake {
    let mut intake = hearth_testkit::sample::intake();
    for person in &mut intake.people {
        if let Some(address) = &mut person.address {
            address.postcode = Some("TN23 1AA".parse().unwrap());
        }
    }
    intake.people[0].family_name = String::from("Testingtn");
    intake
}

/// Write contact [`CONTACT`], as [`PARTNER`] sent it, straight into the store.
async fn seed(app: &TestApp) {
    seed_saying(app, intake()).await;
}

/// Write contact [`CONTACT`] saying `intake`, as [`PARTNER`] sent it.
async fn seed_saying(app: &TestApp, intake: hearth_domain::contact::Intake) {
    use hearth_domain::event::{ContactReceived, Event, EventData, OccurredAt};
    use hearth_domain::ids::{Actor, EventId};
    let id = ContactId::parse(CONTACT).unwrap();
    let received = Event {
        id: EventId::parse(&format!("{CONTACT}-received")).unwrap(),
        subject: Subject::Contact(id.clone()),
        occurred_at: OccurredAt::parse("2024-06-01T09:30").unwrap(),
        recorded_at: NOW.parse().unwrap(),
        recorded_by: Actor::parse(PARTNER).unwrap(),
        data: EventData::ContactReceived(ContactReceived {
            intake: Some(Box::new(intake)),
            ..ContactReceived::new(id, hearth_domain::codes::ReferralSource::Schools)
        }),
    };
    app.store.append(0, vec![received]).await.unwrap();
}

/// A server holding the sample county and contact [`CONTACT`] sent by [`PARTNER`] (about
/// Ava Testington, C1), and a screener signed in.
async fn front_door() -> (TestApp, SignedIn) {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let screener = sign_in(
        &app.store,
        "sky.screener",
        Role::Screener,
        NOW.parse().unwrap(),
    )
    .await;
    (app, screener)
}

async fn page(app: &TestApp, user: &SignedIn, path: &str) -> (u16, String) {
    let response = user.client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn contact_version(app: &TestApp) -> u64 {
    let (_, version) = app
        .store
        .journey(&Subject::Contact(ContactId::parse(CONTACT).unwrap()))
        .await
        .unwrap();
    version
}

fn contact_path(rest: &str) -> String {
    format!("/contacts/{CONTACT}{rest}")
}

#[tokio::test]
async fn the_contact_page_shows_what_was_given_and_who_each_person_may_be() {
    let (app, screener) = front_door().await;
    let (status, body) = page(&app, &screener, &contact_path("")).await;
    assert_eq!(status, 200, "{body}");
    assert_in_order(
        &body,
        &[
            &format!("Contact {CONTACT}"),
            "New",
            "Same day",
            "Not sought: it would put the child at risk",
            "Ashford Primary School",
            "Ava came to school with a bruise",
            r#"id="people""#,
            "1. Ava Testingtn",
            "2015-06-01",
            r#"<a class="govuk-link" href="/children/C1">Ava Testington</a> (C1)"#,
            "Likely match, 99%",
            "<li>surname one letter apart</li>",
            "Open work",
            "Sam Patel (Ashford CIN team)",
            r#"<input type="hidden" name="person" value="child:C1">"#,
            "Create a new record",
            "2. Alex Testington",
            "mother",
            r#"id="checks""#,
            "No checks have been asked for.",
            "Ask for a check",
            r#"name="agency" type="radio" value="police""#,
            r#"name="rag" type="radio" value="red""#,
            "Within 4 hours",
        ],
    );
    // Every form carries the session's token, and works without script.
    let forms = body.matches("<form method=\"post\"").count();
    assert!(forms >= 3, "{body}");
    assert_eq!(
        body.matches(&format!(
            r#"<input type="hidden" name="csrf" value="{}">"#,
            screener.csrf
        ))
        .count(),
        forms + 1, // and the header's sign-out
        "{body}"
    );
    assert_only_the_external_script(&body);
    assert!(!body.contains("style="), "{body}");
    // Opening the contact is logged against it.
    let log = app
        .store
        .access_log(&Subject::Contact(ContactId::parse(CONTACT).unwrap()))
        .await
        .unwrap();
    assert!(
        log.iter().any(|(_, actor, action)| actor == "sky.screener"
            && action == "screen contact: GET /contacts/{id}"),
        "{log:?}"
    );
    insta::assert_snapshot!("contact_page", body.replace(&screener.csrf, "[csrf token]"));
}

#[tokio::test]
async fn linking_a_candidate_changes_the_contact_and_comes_back_with_a_banner() {
    let (app, screener) = front_door().await;
    let version = contact_version(&app).await.to_string();
    let (status, location, _) = post_form(
        &app,
        &screener,
        &contact_path("/links"),
        &[
            ("given", "0"),
            ("person", "child:C1"),
            ("version", &version),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location.unwrap(), contact_path("?done=linked"));
    let (status, body) = page(&app, &screener, &contact_path("?done=linked")).await;
    assert_eq!(status, 200);
    assert_in_order(
        &body,
        &[
            "govuk-notification-banner--success",
            "The person was linked to the record.",
            "Awaiting decision",
            "1. Ava Testingtn",
            r#"Linked to <a class="govuk-link" href="/children/C1">C1</a>."#,
            "If this link is wrong, say why",
            "Unlink",
            "2. Alex Testington",
        ],
    );
    // The child's chronology now shows the contact.
    let (_, child) = page(&app, &screener, "/children/C1").await;
    assert!(child.contains("Contact received"), "{child}");

    // The same link again, from the page as it was, is refused: the contact changed.
    let (status, _, body) = post_form(
        &app,
        &screener,
        &contact_path("/links"),
        &[
            ("given", "1"),
            ("person", "child:C1"),
            ("version", &version),
        ],
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_in_order(
        &body,
        &[
            "There is a problem",
            r##"<a href="#people">The contact has changed since you opened it."##,
        ],
    );

    // Unlinking without a reason names the box; with one, the link is undone.
    let unlink = contact_path("/links/0/unlink");
    let (status, _, body) = post_form(&app, &screener, &unlink, &[("reason", "  ")]).await;
    assert_eq!(status, 400, "{body}");
    assert_in_order(
        &body,
        &[
            "<title>Error: Contact",
            r##"<a href="#reason-0">Enter why the link is wrong.</a>"##,
            r#"<p id="reason-0-error" class="govuk-error-message">"#,
            r#"aria-describedby="reason-0-hint reason-0-error""#,
        ],
    );
    let (status, location, _) = post_form(
        &app,
        &screener,
        &unlink,
        &[(
            "reason",
            "A different Ava: the school confirmed her date of birth.",
        )],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location.unwrap(), contact_path("?done=unlinked"));
    let (_, body) = page(&app, &screener, &contact_path("?done=unlinked")).await;
    assert!(body.contains("The link was undone."), "{body}");
    assert!(!body.contains("Linked to"), "{body}");
}

#[tokio::test]
async fn a_new_record_is_made_for_someone_not_known() {
    let (app, screener) = front_door().await;
    let (status, location, _) =
        post_form(&app, &screener, &contact_path("/people"), &[("given", "1")]).await;
    assert_eq!(status, 303);
    assert_eq!(location.unwrap(), contact_path("?done=created"));
    let (_, body) = page(&app, &screener, &contact_path("?done=created")).await;
    assert_in_order(
        &body,
        &[
            "A new record was made and linked.",
            "2. Alex Testington",
            "Linked to AD",
        ],
    );
}

#[tokio::test]
async fn a_check_is_asked_for_and_its_return_recorded() {
    let (app, screener) = front_door().await;
    let before = contact_version(&app).await;
    // Neither agency nor urgency chosen: the agency is named first.
    let (status, _, body) = post_form(&app, &screener, &contact_path("/checks"), &[]).await;
    assert_eq!(status, 400, "{body}");
    assert_in_order(
        &body,
        &[
            r##"<a href="#agency">Choose the agency to ask for a check.</a>"##,
            r#"<p id="agency-error" class="govuk-error-message">"#,
        ],
    );
    let (status, _, body) = post_form(
        &app,
        &screener,
        &contact_path("/checks"),
        &[("agency", "police"), ("rag", "purple")],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains(
            r##"<a href="#rag">Choose how urgent the check is: red, amber or green.</a>"##
        ),
        "{body}"
    );
    assert_eq!(contact_version(&app).await, before, "nothing was written");

    let (status, location, _) = post_form(
        &app,
        &screener,
        &contact_path("/checks"),
        &[("agency", "police"), ("rag", "amber")],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location.unwrap(), contact_path("?done=requested"));
    let (_, body) = page(&app, &screener, &contact_path("?done=requested")).await;
    assert_in_order(
        &body,
        &[
            "The check was asked for.",
            "Awaiting checks",
            "Police",
            "Amber",
            "Awaited",
            &format!(r#"action="/contacts/{CONTACT}/checks/police""#),
            "What Police found",
        ],
    );
    // Police is no longer offered while its check is awaited.
    assert!(
        !body.contains(r#"name="agency" type="radio" value="police""#),
        "{body}"
    );

    // Asking again of the same agency is refused by the contact, named by the field.
    let (status, _, body) = post_form(
        &app,
        &screener,
        &contact_path("/checks"),
        &[("agency", "police"), ("rag", "red")],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains(r##"<a href="#agency">"##), "{body}");

    // A return with nothing in it names the box; a real one is recorded.
    let (status, _, body) = post_form(
        &app,
        &screener,
        &contact_path("/checks/police"),
        &[("findings", "")],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains(r##"<a href="#findings-police">Enter what Police found"##),
        "{body}"
    );
    let (status, location, _) = post_form(
        &app,
        &screener,
        &contact_path("/checks/police"),
        &[("findings", "Two call-outs to the address this year.")],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location.unwrap(), contact_path("?done=returned"));
    let (_, body) = page(&app, &screener, &contact_path("?done=returned")).await;
    assert_in_order(
        &body,
        &[
            "The check&#x27;s return was recorded.",
            "Awaiting decision",
            "Two call-outs to the address this year.",
        ],
    );
    // A return for an agency never asked is refused.
    let (status, _, body) = post_form(
        &app,
        &screener,
        &contact_path("/checks/health"),
        &[("findings", "Nothing known.")],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains(r##"<a href="#findings-health">"##), "{body}");
}

#[tokio::test]
async fn an_unknown_contact_is_not_found() {
    let (app, screener) = front_door().await;
    for path in ["/contacts/CT0000000099", "/contacts/not-an-id"] {
        let (status, body) = page(&app, &screener, path).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert!(body.contains("No contact with that ID"), "{body}");
    }
}

#[tokio::test]
async fn a_partner_sees_its_own_contacts_and_nothing_of_the_child() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let now = NOW.parse().unwrap();
    let partner = sign_in(&app.store, PARTNER, Role::Partner, now).await;
    let (status, body) = page(&app, &partner, "/partner/contacts").await;
    assert_eq!(status, 200, "{body}");
    assert_in_order(
        &body,
        &[
            "Your contacts",
            &format!(r#"<a class="govuk-link" href="/partner/contacts/{CONTACT}">{CONTACT}</a>"#),
            "2024-06-01 09:30",
            "Received",
            "Not yet decided",
        ],
    );
    for secret in ["Testington", "C1", "Ava", "Sam Patel"] {
        assert!(!body.contains(secret), "{secret}: {body}");
    }
    insta::assert_snapshot!("partner_list", body.replace(&partner.csrf, "[csrf token]"));

    let (status, body) = page(&app, &partner, &format!("/partner/contacts/{CONTACT}")).await;
    assert_eq!(status, 200, "{body}");
    assert_in_order(
        &body,
        &["Received", "Made", "2024-06-01 09:30", "Not yet decided"],
    );
    assert!(!body.contains("Testington"), "{body}");

    // Another partner's list is empty and the contact is not there for them.
    let other = sign_in(&app.store, "other.partner", Role::Partner, now).await;
    let (_, body) = page(&app, &other, "/partner/contacts").await;
    assert!(
        body.contains("You have not made any contacts yet."),
        "{body}"
    );
    let (status, _) = page(&app, &other, &format!("/partner/contacts/{CONTACT}")).await;
    assert_eq!(status, 404);
}

/// Testshire with a front door (a manager signs off no further action), its threshold's
/// levels, and an early help team in Ashford.
async fn with_threshold(app: &TestApp) {
    use hearth_domain::codes::ContactOutcome;
    use hearth_domain::ids::TeamId;
    use hearth_domain::org::{Level, Service, Team};
    let mut org = hearth_testkit::front_door_organisation();
    org.threshold.levels = vec![
        Level {
            name: String::from("2"),
            label: String::from("Additional needs"),
            outcome: ContactOutcome::EarlyHelp,
            service: Some(Service::EarlyHelp),
        },
        Level {
            name: String::from("3"),
            label: String::from("Complex needs"),
            outcome: ContactOutcome::Referral,
            service: Some(Service::ChildInNeed),
        },
    ];
    org.areas[0].localities[0].teams.push(Team {
        id: TeamId::parse("T2").unwrap(),
        name: String::from("Ashford early help"),
        service: Service::EarlyHelp,
    });
    app.store.put_organisation(&org).await.unwrap();
}

#[tokio::test]
async fn the_queue_lists_contacts_by_where_they_stand_oldest_first() {
    let (app, screener) = front_door().await;
    let (status, body) = page(&app, &screener, "/front-door").await;
    assert_eq!(status, 200, "{body}");
    assert_in_order(
        &body,
        &[
            r#"<a class="govuk-service-navigation__link" href="&#x2f;front-door" aria-current="true">"#,
            "<h1 class=\"govuk-heading-l\">Front door</h1>",
            r#"aria-current="page">New</a>"#,
            "Awaiting checks",
            "1 contact, oldest first.",
            &format!(r#"<a class="govuk-link" href="/contacts/{CONTACT}">{CONTACT}</a>"#),
            "2024-06-01 09:30",
            "Ava Testingtn, Alex Testington",
            "Same day",
            "New",
        ],
    );
    assert_only_the_external_script(&body);
    insta::assert_snapshot!("queue", body.replace(&screener.csrf, "[csrf token]"));
    let (_, body) = page(&app, &screener, "/front-door?tab=checks").await;
    assert!(body.contains("No contacts."), "{body}");
    assert!(!body.contains(CONTACT), "{body}");
    // An urgency filter that does not match empties the list; one that does keeps it.
    let (_, body) = page(&app, &screener, "/front-door?tab=new&urgency=routine").await;
    assert!(body.contains("No contacts."), "{body}");
    let (_, body) = page(&app, &screener, "/front-door?tab=new&urgency=same_day").await;
    assert!(body.contains(CONTACT), "{body}");
    assert!(
        body.contains(r#"<option value="same_day" selected>Same day</option>"#),
        "{body}"
    );
    assert!(!body.contains("Overdue"), "{body}");
    // Four days on, undecided, it is overdue.
    let days = 4 * 24 * 60 * 60;
    app.advance(days);
    let later = NOW
        .parse::<jiff::Timestamp>()
        .unwrap()
        .checked_add(jiff::SignedDuration::from_secs(days))
        .unwrap();
    let screener = sign_in(&app.store, "sky.later", Role::Screener, later).await;
    let (_, body) = page(&app, &screener, "/front-door").await;
    assert_in_order(
        &body,
        &[
            CONTACT,
            "End of 2024-06-03",
            r#"<strong class="govuk-tag govuk-tag--red">"#,
            "Overdue",
        ],
    );
    // The contact's own page says so too.
    let (_, body) = page(&app, &screener, &contact_path("")).await;
    assert_in_order(
        &body,
        &[
            "Due: End of 2024-06-03",
            r#"<strong class="govuk-tag govuk-tag--red">"#,
            "Overdue",
            "Received",
        ],
    );
}

#[tokio::test]
async fn a_screener_decides_a_linked_child_naming_the_field_a_refusal_is_about() {
    let (app, screener) = front_door().await;
    with_threshold(&app).await;
    let version = contact_version(&app).await.to_string();
    let (status, _, _) = post_form(
        &app,
        &screener,
        &contact_path("/links"),
        &[
            ("given", "0"),
            ("person", "child:C1"),
            ("version", &version),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, body) = page(&app, &screener, &contact_path("")).await;
    assert!(
        body.contains(&format!(r#"href="/contacts/{CONTACT}/decision""#)),
        "{body}"
    );
    let (status, body) = page(&app, &screener, &contact_path("/decision")).await;
    assert_eq!(status, 200, "{body}");
    assert_in_order(
        &body,
        &[
            "Decide the contact",
            "Ava Testingtn (C1)",
            r#"<input type="hidden" name="child-0" value="C1">"#,
            "What happens next",
            r#"value="early_help""#,
            "Level of need",
            "2 (Early help)",
            "Additional needs",
            "3 (Referral to children&#x27;s social care)",
            "Complex needs",
            "Reasons for the decision",
            "Primary need (for a referral)",
        ],
    );
    assert_only_the_external_script(&body);
    let form = body.replace(&screener.csrf, "[csrf token]");
    insta::assert_snapshot!("decision_form", form);
    let version = contact_version(&app).await.to_string();
    // No outcome chosen: named by the form.
    let (status, _, body) = post_form(
        &app,
        &screener,
        &contact_path("/decision"),
        &[("version", &version), ("child-0", "C1")],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains(r##"<a href="#outcome-0">Choose what happens next.</a>"##),
        "{body}"
    );
    // No reasons: refused by the use case, named by the form's field, typed values kept.
    let (status, _, body) = post_form(
        &app,
        &screener,
        &contact_path("/decision"),
        &[
            ("version", &version),
            ("child-0", "C1"),
            ("outcome-0", "early_help"),
            ("level-0", "2"),
        ],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_in_order(
        &body,
        &[
            r##"<a href="#reasons-0">Enter the reasons for the decision.</a>"##,
            r#"value="early_help" checked"#,
            r#"<p id="reasons-0-error" class="govuk-error-message">"#,
        ],
    );
    assert_eq!(contact_version(&app).await.to_string(), version);
    let (status, location, body) = post_form(
        &app,
        &screener,
        &contact_path("/decision"),
        &[
            ("version", &version),
            ("child-0", "C1"),
            ("outcome-0", "early_help"),
            ("level-0", "2"),
            (
                "reasons-0",
                "Needs support at home; no risk of significant harm.",
            ),
            ("primary_need-0", ""),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.unwrap(), contact_path("?done=decided"));
    let (_, body) = page(&app, &screener, &contact_path("?done=decided")).await;
    assert_in_order(
        &body,
        &[
            "The contact was decided.",
            "Decided",
            "C1: Early help, level 2",
            "Needs support at home; no risk of significant harm.",
            "Decided by sky.screener",
            "C1 went to",
        ],
    );
    // Decided today, on the queue.
    let (_, body) = page(&app, &screener, "/front-door?tab=today").await;
    assert!(body.contains(CONTACT), "{body}");
}

#[tokio::test]
async fn a_manager_signs_off_a_proposed_decision() {
    let (app, screener) = front_door().await;
    with_threshold(&app).await;
    let version = contact_version(&app).await.to_string();
    // No further action for the whole contact waits for a manager.
    let (status, location, body) = post_form(
        &app,
        &screener,
        &contact_path("/decision"),
        &[
            ("version", &version),
            ("child-0", ""),
            ("outcome-0", "nfa"),
            ("level-0", ""),
            (
                "reasons-0",
                "A misunderstanding; the school has spoken to the family.",
            ),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.unwrap(), contact_path("?done=proposed"));
    let (_, body) = page(&app, &screener, &contact_path("?done=proposed")).await;
    assert!(
        body.contains("The decision was proposed: a manager signs it off."),
        "{body}"
    );
    assert!(body.contains("Waiting for a manager to sign off"), "{body}");
    assert!(
        !body.contains("Sign the decision off?"),
        "a screener may not: {body}"
    );

    let manager = sign_in(
        &app.store,
        "max.manager",
        Role::TeamManager,
        NOW.parse().unwrap(),
    )
    .await;
    let (_, body) = page(&app, &manager, &contact_path("")).await;
    assert!(body.contains("Sign the decision off?"), "{body}");
    let version = contact_version(&app).await.to_string();
    // Sending it back needs a reason.
    let (status, _, body) = post_form(
        &app,
        &manager,
        &contact_path("/sign-off"),
        &[("version", &version), ("accept", "no"), ("reasons", "")],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains(r##"<a href="#sign-off-reasons">Enter why the decision is sent back.</a>"##),
        "{body}"
    );
    let (status, location, body) = post_form(
        &app,
        &manager,
        &contact_path("/sign-off"),
        &[("version", &version), ("accept", "yes"), ("reasons", "")],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.unwrap(), contact_path("?done=signed"));
    let (_, body) = page(&app, &manager, &contact_path("?done=signed")).await;
    assert_in_order(
        &body,
        &[
            "The decision was signed off.",
            "Decided",
            "The whole contact: No further action",
            "Decided by sky.screener, signed off by max.manager",
        ],
    );
}

#[tokio::test]
async fn a_contact_is_made_through_the_form_checked_then_sent() {
    let app = TestApp::spawn().await;
    let partner = sign_in(&app.store, PARTNER, Role::Partner, NOW.parse().unwrap()).await;
    let (status, body) = page(&app, &partner, "/contacts/new").await;
    assert_eq!(status, 200, "{body}");
    assert_in_order(
        &body,
        &[
            "Make a contact",
            r#"<form method="post" action="/contacts/new" novalidate>"#,
            &format!(
                r#"<input type="hidden" name="csrf" value="{}">"#,
                partner.csrf
            ),
            r#"for="referrer_name""#,
            r#"id="source" name="source""#,
            r#"for="child_dob""#,
            r#"name="consent" type="radio" value="given""#,
            r#"name="urgency" type="radio" value="routine""#,
        ],
    );
    assert_only_the_external_script(&body);
    let mut fields = vec![
        ("referrer_name", "Jo Teacher"),
        ("referrer_organisation", "Ashford Primary School"),
        ("source", "2A"),
        ("child_given", "Ava"),
        ("child_family", "Testingtn"),
        ("child_dob", "01/06/2015"),
        ("postcode", "TN23 1AA"),
        ("town", "Ashford"),
        ("adult_given", "Alex"),
        ("adult_family", "Testington"),
        ("adult_relationship", "mother"),
        ("narrative", "Ava said she was scared to go home."),
        ("consent", "not_sought_risk"),
        ("urgency", "same_day"),
    ];
    // A date of birth not as YYYY-MM-DD is named, and what was typed stays.
    let (status, _, body) = post_form(&app, &partner, "/contacts/new", &fields).await;
    assert_eq!(status, 400, "{body}");
    assert_in_order(
        &body,
        &[
            r##"<a href="#child_dob">Enter the child&#x27;s date of birth as YYYY-MM-DD"##,
            r#"value="Testingtn""#,
            r#"<p id="child_dob-error" class="govuk-error-message">"#,
        ],
    );
    fields[5] = ("child_dob", "2015-06-01");
    let (status, _, body) = post_form(&app, &partner, "/contacts/new", &fields).await;
    assert_eq!(status, 200, "{body}");
    assert_in_order(
        &body,
        &[
            "Check your answers before sending the contact",
            "Jo Teacher",
            "Ava Testingtn, born 2015-06-01",
            "Alex Testington (mother)",
            "Ashford, TN23 1AA",
            "Not sought: it would put the child at risk",
            r#"<form method="post" action="/contacts/new/check" novalidate>"#,
            r#"<input type="hidden" name="child_family" value="Testingtn">"#,
            "Send the contact",
        ],
    );
    // Nothing is written until it is sent; changing goes back to the form, filled in.
    let mut change = fields.clone();
    change.push(("action", "change"));
    let (status, _, body) = post_form(&app, &partner, "/contacts/new/check", &change).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#"value="Jo Teacher""#), "{body}");
    let (_, body) = page(&app, &partner, "/partner/contacts").await;
    assert!(
        body.contains("You have not made any contacts yet."),
        "{body}"
    );

    let mut send = fields.clone();
    send.push(("action", "send"));
    let (status, location, _) = post_form(&app, &partner, "/contacts/new/check", &send).await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    let id = location.strip_prefix("/contacts/sent/").unwrap().to_owned();
    let (status, body) = page(&app, &partner, &location).await;
    assert_eq!(status, 200, "{body}");
    assert_in_order(
        &body,
        &["Contact sent", &id, &format!("/partner/contacts/{id}")],
    );
    let (_, body) = page(&app, &partner, "/partner/contacts").await;
    assert!(body.contains(&id), "{body}");
    // The screener sees it as given, with the child a likely match.
    let screener = sign_in(
        &app.store,
        "sky.screener",
        Role::Screener,
        NOW.parse().unwrap(),
    )
    .await;
    let (_, body) = page(&app, &screener, &format!("/contacts/{id}")).await;
    assert_in_order(
        &body,
        &[
            "Online form",
            "Jo Teacher",
            "1. Ava Testingtn",
            "Likely match",
            "2. Alex Testington",
        ],
    );
}

#[tokio::test]
async fn someone_new_named_with_a_linked_child_joins_the_childs_family() {
    use hearth_domain::event::{Event, EventData, PersonRegistered};
    use hearth_domain::ids::{AdultId, FamilyId};
    use hearth_testkit::builders::{details, ev};
    let (app, screener) = {
        let app = TestApp::spawn().await;
        let screener = sign_in(
            &app.store,
            "sky.screener",
            Role::Screener,
            NOW.parse().unwrap(),
        )
        .await;
        (app, screener)
    };
    // Zoe Fairweather (C9) in family F9, whose father Dan is known; her mother is not.
    let f9 = FamilyId::parse("F9").unwrap();
    let mut zoe = details("Zoe", "Fairweather", jiff::civil::date(2016, 3, 3));
    zoe.address = Some(hearth_domain::people::Address {
        lines: vec![String::from("9 Mill Lane")],
        town: String::from("Ashford"),
        postcode: "TN23 1AA".parse().unwrap(),
    });
    let mut dad = ev(
        "C9",
        "f9-01",
        "2024-01-10",
        EventData::PersonRegistered(PersonRegistered {
            adult: Some(AdultId::parse("A9").unwrap()),
            family: Some(f9.clone()),
            details: details("Dan", "Fairweather", jiff::civil::date(1980, 1, 1)),
        }),
    );
    dad.subject = Subject::Family(f9.clone());
    app.store.append(0, vec![dad]).await.unwrap();
    let child: Event = ev(
        "C9",
        "c9-01",
        "2024-01-10",
        EventData::PersonRegistered(PersonRegistered {
            adult: None,
            family: Some(f9.clone()),
            details: zoe,
        }),
    );
    app.store.append(0, vec![child]).await.unwrap();
    let mut said = intake();
    said.people[0].given_name = String::from("Zoe");
    said.people[0].family_name = String::from("Fairweather");
    said.people[0].date_of_birth = Some(jiff::civil::date(2016, 3, 3));
    said.people[1].given_name = String::from("Mia");
    said.people[1].family_name = String::from("Fairweather");
    said.people[1].date_of_birth = Some(jiff::civil::date(1991, 7, 7));
    seed_saying(&app, said).await;

    let version = contact_version(&app).await.to_string();
    let (status, _, body) = post_form(
        &app,
        &screener,
        &contact_path("/links"),
        &[
            ("given", "0"),
            ("person", "child:C9"),
            ("version", &version),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let (_, body) = page(&app, &screener, &contact_path("")).await;
    assert_in_order(
        &body,
        &[
            "2. Mia Fairweather",
            r#"<input type="hidden" name="given" value="1">"#,
            r#"<input type="hidden" name="family" value="F9">"#,
            "Create a new record",
            " in family F9",
        ],
    );
    let (status, location, body) = post_form(
        &app,
        &screener,
        &contact_path("/people"),
        &[("given", "1"), ("family", "F9")],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.unwrap(), contact_path("?done=created"));
    let (events, _) = app.store.journey(&Subject::Family(f9)).await.unwrap();
    assert_eq!(events.len(), 2, "Mia is registered in F9");
    let (_, body) = page(&app, &screener, &contact_path("?done=created")).await;
    assert_in_order(&body, &["2. Mia Fairweather", "Linked to AD"]);
}
