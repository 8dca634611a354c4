//! The family page and `GET /api/v1/families/{id}`: every child and adult, the network
//! drawn and told in a table with the same rows, the family's journey, the links from a
//! child's page, and the access log.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hearth_domain::access::Role;
use hearth_domain::codes::RelationshipKind;
use hearth_domain::event::{Event, EventData, OccurredAt, PersonRegistered, Relationship};
use hearth_domain::ids::{Actor, AdultId, EventId, FamilyId, PersonRef, Subject};
use support::{FAMILY, NOW, TestApp};

async fn text(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.client.get(app.url(path)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Ivy Quayle (C7), registered into the family, Robin's daughter.
async fn add_ivy(app: &TestApp) {
    let mut details = hearth_testkit::details("Ivy", "Quayle", jiff::civil::date(2020, 9, 9));
    details.address = Some(hearth_domain::people::Address {
        lines: vec![String::from("4 Mill Lane")],
        town: String::from("Ashford"),
        postcode: "TN23 1AB".parse().unwrap(),
    });
    let family = FamilyId::parse(FAMILY).unwrap();
    let registered = EventData::PersonRegistered(PersonRegistered {
        adult: None,
        family: Some(family.clone()),
        details,
    });
    app.store
        .append(
            0,
            vec![hearth_testkit::ev("C7", "c7-01", "2024-02-01", registered)],
        )
        .await
        .unwrap();
    let tie = Event {
        id: EventId::parse("f1-03").unwrap(),
        subject: Subject::Family(family),
        occurred_at: OccurredAt::parse("2024-02-02").unwrap(),
        recorded_at: NOW.parse().unwrap(),
        recorded_by: Actor::parse("jo.screener").unwrap(),
        data: EventData::RelationshipAdded(Relationship {
            from: PersonRef::Adult(AdultId::parse("A1").unwrap()),
            to: PersonRef::parse("child:C7").unwrap(),
            relationship: RelationshipKind::Parent,
        }),
    };
    app.store.append(2, vec![tie]).await.unwrap();
}

#[tokio::test]
async fn the_family_page_shows_everyone_the_network_twice_and_the_journey() {
    let app = TestApp::spawn().await;
    add_ivy(&app).await;
    let (status, page) = text(&app, "/families/F1").await;
    assert_eq!(status, 200, "{page}");
    for shown in [
        "href=\"/children/C1\">Ava Testington</a>",
        "href=\"/children/C7\">Ivy Quayle</a>",
        "Robin Quayle",
        "4 Mill Lane, Ashford, TN23 1AB",
        "Address not recorded",
        "<svg",
        "aria-hidden=\"true\"",
    ] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
    // Each relationship is one line in the picture and one row of its table.
    let table = page.split("id=\"relationships\"").nth(1).unwrap();
    let table = table.split("</table>").next().unwrap();
    let rows = table.matches("<tr class=\"govuk-table__row\">").count() - 1;
    let lines = page.matches("<path d=").count();
    assert_eq!((rows, lines), (2, 2), "{page}");
    assert!(table.contains("Robin Quayle") && table.contains("Parent"));
    // The family's journey, newest first: Ivy's tie (2 February) above Robin's
    // registration (1 February); the children's own events are there too, each tagged
    // with the child's name.
    let journey = page.split("The family's chronology").nth(1).unwrap();
    let tie = journey.find("adult A1 is parent of child C7").unwrap();
    let registered = journey.find("Adult A1 registered: Robin Quayle").unwrap();
    assert!(tie < registered, "{journey}");
    let ivy = journey.find("Child registered (born 2020-09-09)").unwrap();
    assert!(journey[ivy..].contains("Ivy Quayle"), "{journey}");
    // Her page links to the family; the access log has the family and each child.
    let (_, child) = text(&app, "/children/C7").await;
    assert!(child.contains("href=\"/families/F1\""), "{child}");
    for subject in ["family:F1", "child:C1", "child:C7"] {
        let log = app
            .store
            .access_log(&Subject::parse(subject).unwrap())
            .await
            .unwrap();
        assert!(
            log.iter().any(|(_, actor, action)| actor == "sam.patel"
                && action == "view family: GET /families/{id}"),
            "{subject}: {log:?}"
        );
    }
    let (status, _) = text(&app, "/families/F9").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_api_gives_the_family_and_its_journey_newest_first() {
    let app = TestApp::spawn().await;
    add_ivy(&app).await;
    let response = app
        .client
        .get(app.url("/api/v1/families/F1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["id"], "F1");
    let children: Vec<&str> = body["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(children, ["C1", "C7"]);
    assert_eq!(body["adults"][0]["name"], "Robin Quayle");
    assert_eq!(body["relationships"].as_array().unwrap().len(), 2);
    assert_eq!(body["too_many_professionals"], false);
    let journey = body["journey"].as_array().unwrap();
    let dates: Vec<&str> = journey
        .iter()
        .map(|e| e["occurred_at"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    assert!(journey.iter().any(|e| e["subject"] == "family:F1"));
    assert!(
        journey
            .iter()
            .all(|e| !e["sentence"].as_str().unwrap().is_empty())
    );
    let response = app
        .client
        .get(app.url("/api/v1/families/F9"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

/// The family's chronology narrows like the child's: by area and period, each child's
/// entry naming them, a correction under the entry it corrects, and a bad date refused
/// in one sentence at the top and by its box, with a 400.
#[tokio::test]
async fn the_family_chronology_filters_and_shows_corrections_like_the_childs() {
    let app = TestApp::spawn().await;
    add_ivy(&app).await;
    let retraction = Event {
        id: EventId::parse("f1-04").unwrap(),
        subject: Subject::Family(FamilyId::parse(FAMILY).unwrap()),
        occurred_at: OccurredAt::parse("2024-02-03").unwrap(),
        recorded_at: NOW.parse().unwrap(),
        recorded_by: Actor::parse("jo.screener").unwrap(),
        data: EventData::EventRetracted(hearth_domain::event::EventRetracted {
            event: EventId::parse("f1-03").unwrap(),
            reason: String::from("entered on the wrong family"),
        }),
    };
    app.store.append(3, vec![retraction]).await.unwrap();

    let (status, page) = text(&app, "/families/F1").await;
    assert_eq!(status, 200, "{page}");
    let chronology = page.split("id=\"chronology\"").nth(1).unwrap();
    // The retraction sits under the tie it retracts, which is marked, not on its own.
    let tie = chronology.find("adult A1 is parent of child C7").unwrap();
    let after = &chronology[tie..];
    let item = after.split("moj-timeline__item").next().unwrap();
    assert!(item.contains("Retracted"), "{item}");
    assert!(
        item.contains("Retracted on 2024-02-03 by jo.screener: entered on the wrong family"),
        "{item}"
    );
    assert!(
        !chronology.contains("Event of 2024-02-02 retracted"),
        "{chronology}"
    );

    // Allocation, visits and notes: Ava's allocation, tagged with her name; nobody's
    // registration.
    let (status, page) = text(&app, "/families/F1?area=work").await;
    assert_eq!(status, 200, "{page}");
    let chronology = page.split("id=\"chronology\"").nth(1).unwrap();
    let allocated = chronology.find("Allocated to").unwrap();
    let item = chronology[allocated..]
        .split("moj-timeline__item")
        .next()
        .unwrap();
    assert!(item.contains("Ava Testington"), "{item}");
    assert!(!chronology.contains("registered"), "{chronology}");
    assert!(
        chronology.contains("id=\"chronology-summary\">Showing"),
        "{chronology}"
    );

    // People, from 2 February: the tie, not Robin's registration (1 February).
    let (_, page) = text(&app, "/families/F1?area=people&from=2024-02-02").await;
    let chronology = page.split("id=\"chronology\"").nth(1).unwrap();
    assert!(
        chronology.contains("adult A1 is parent of child C7"),
        "{chronology}"
    );
    assert!(!chronology.contains("Robin Quayle"), "{chronology}");

    let (status, page) = text(&app, "/families/F1?from=2024-13-01").await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("<title>Error: "), "{page}");
    assert!(page.contains("govuk-error-summary"), "{page}");
    assert_eq!(
        page.matches("Enter the &#x27;from&#x27; date as a real date, like 2024-03-01")
            .count(),
        2,
        "{page}"
    );
}

/// A case note on `child`'s journey at `version`, dated `on`, saying `narrative`.
async fn add_note(app: &TestApp, child: &str, id: &str, on: &str, narrative: &str) {
    let version = app
        .store
        .child(&hearth_domain::ids::ChildId::parse(child).unwrap())
        .await
        .unwrap()
        .unwrap()
        .version;
    let note = EventData::CaseNoteRecorded(hearth_domain::event::CaseNote {
        contact_type: hearth_domain::codes::NoteContact::Visit,
        narrative: hearth_domain::event::LongText(narrative.to_owned()),
        present: None,
        seen: true,
        seen_alone: false,
        child_words: None,
        strengths: None,
        worries: None,
        analysis: None,
    });
    app.store
        .append(version, vec![hearth_testkit::ev(child, id, on, note)])
        .await
        .unwrap();
}

/// The family's record is searched like a child's notes: every child's notes, newest
/// first, each naming the child; the family and each child shown logged, the words not.
#[tokio::test]
async fn the_family_notes_search_reads_every_childs_notes() {
    let app = TestApp::spawn().await;
    add_ivy(&app).await;
    add_note(&app, "C1", "n-ava", "2024-05-01", "Ava spoke about school.").await;
    add_note(
        &app,
        "C7",
        "n-ivy",
        "2024-05-02",
        "Ivy settled at nursery; school next year.",
    )
    .await;
    let (_, family) = text(&app, "/families/F1").await;
    assert!(family.contains("href=\"/families/F1/notes\""), "{family}");

    let (status, page) = text(&app, "/families/F1/notes").await;
    assert_eq!(status, 200, "{page}");
    support::assert_only_the_external_script(&page);
    support::assert_in_order(
        &page,
        &[
            "Ivy Quayle",
            "Ivy settled at nursery",
            "Ava Testington",
            "Ava spoke about school",
        ],
    );
    assert!(page.contains("Search the family&#x27;s notes"), "{page}");
    let (_, found) = text(&app, "/families/F1/notes?q=NURSERY").await;
    assert!(found.contains("1 note found"), "{found}");
    assert!(!found.contains("Ava spoke"), "{found}");
    let (_, found) = text(&app, "/families/F1/notes?q=school").await;
    assert!(found.contains("2 notes found"), "{found}");
    let (_, none) = text(&app, "/families/F1/notes?q=piano").await;
    assert!(none.contains("No note has every word you gave."), "{none}");
    for subject in ["family:F1", "child:C1", "child:C7"] {
        let log = app
            .store
            .access_log(&Subject::parse(subject).unwrap())
            .await
            .unwrap();
        assert!(
            log.iter()
                .any(|(_, _, action)| action == "view case notes: GET /families/{id}/notes"),
            "{subject}: {log:?}"
        );
        assert!(log.iter().all(|(_, _, a)| !a.contains("piano")), "{log:?}");
    }
    let (status, _) = text(&app, "/families/F9/notes").await;
    assert_eq!(status, 404);
}

/// Testshire with Jo Rivers (W2) in a second team, Canterbury (T2).
async fn add_jo(app: &TestApp) {
    let mut org = hearth_testkit::organisation();
    let mut canterbury = org.areas[0].localities[0].teams[0].clone();
    canterbury.id = hearth_domain::ids::TeamId::parse("T2").unwrap();
    canterbury.name = String::from("Canterbury CIN team");
    org.areas[0].localities[0].teams.push(canterbury);
    let mut jo = org.workers[0].clone();
    jo.id = hearth_domain::ids::WorkerId::parse("W2").unwrap();
    jo.name = String::from("Jo Rivers");
    jo.team = hearth_domain::ids::TeamId::parse("T2").unwrap();
    org.workers.push(jo);
    app.store.put_organisation(&org).await.unwrap();
}

/// A team manager allocates the family from its page: a form without JavaScript (a
/// select, a reason, a box ticked for each child with open work), refused in one
/// sentence by each field, then the banner; the child's chronology says why, and the
/// child and family pages count the hand-off between teams. A social worker is not
/// offered the form and may not post it.
#[tokio::test]
async fn a_manager_allocates_the_family_to_one_worker_from_its_page() {
    let app = TestApp::spawn().await;
    add_ivy(&app).await;
    add_jo(&app).await;
    let (_, family) = text(&app, "/families/F1").await;
    assert!(!family.contains("/families/F1/allocate"), "{family}");
    let (status, _) = text(&app, "/families/F1/allocate").await;
    assert_eq!(status, 403);

    let now = NOW.parse().unwrap();
    let kim = support::sign_in(&app.store, "kim.manager", Role::TeamManager, now).await;
    let get = |path: &'static str| {
        let client = kim.client.clone();
        let url = app.url(path);
        async move {
            let response = client.get(url).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (_, family) = get("/families/F1").await;
    assert!(
        family.contains("href=\"/families/F1/allocate\""),
        "{family}"
    );
    let (status, form) = get("/families/F1/allocate").await;
    assert_eq!(status, 200, "{form}");
    support::assert_only_the_external_script(&form);
    // Ava has open work and is ticked; Ivy has none and is named as left out.
    assert!(
        form.contains(r#"name="child" type="checkbox" value="C1" checked"#),
        "{form}"
    );
    assert!(!form.contains(r#"value="C7""#), "{form}");
    assert!(form.contains("having no open work: Ivy Quayle"), "{form}");
    assert!(form.contains("Jo Rivers, Canterbury CIN team"), "{form}");

    // Nothing chosen: each field says what it needs, and nothing is written.
    let (status, _, page) = support::post_form(&app, &kim, "/families/F1/allocate", &[]).await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("<title>Error: "), "{page}");
    for message in [
        "Choose the worker to allocate the family to",
        "Say why the family is allocated to this worker",
        "Choose at least one child with open work to allocate",
    ] {
        assert_eq!(page.matches(message).count(), 2, "{message}: {page}");
    }
    // Ivy, asked for by hand, has no open work: refused naming her by id.
    let (status, _, page) = support::post_form(
        &app,
        &kim,
        "/families/F1/allocate",
        &[
            ("worker", "W2"),
            ("reason", "Jo knows them"),
            ("child", "C1"),
            ("child", "C7"),
        ],
    )
    .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("Child C7 has no open work to allocate"),
        "{page}"
    );
    assert!(
        page.contains("Jo knows them"),
        "what was typed is kept: {page}"
    );

    let (status, location, page) = support::post_form(
        &app,
        &kim,
        "/families/F1/allocate",
        &[
            ("worker", "W2"),
            ("reason", "Jo knows the family"),
            ("child", "C1"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{page}");
    assert_eq!(location.as_deref(), Some("/families/F1?allocated=1"));
    let (_, family) = get("/families/F1?allocated=1").await;
    assert!(family.contains("Allocated: 1 child"), "{family}");
    assert!(
        family.contains("Jo Rivers, Canterbury CIN team (1 change of worker, 1 between teams)"),
        "{family}"
    );
    assert!(
        family.contains("Allocated to Jo Rivers (Canterbury CIN team): Jo knows the family"),
        "{family}"
    );
    let (_, child) = get("/children/C1").await;
    assert!(
        child.contains("<dt>Changes of team</dt>\n          <dd>1</dd>"),
        "{child}"
    );

    // A social worker may not post the form either.
    let sam = support::sign_in(&app.store, "sam.social", Role::SocialWorker, now).await;
    let (status, _, _) = support::post_form(
        &app,
        &sam,
        "/families/F1/allocate",
        &[("worker", "W1"), ("reason", "back"), ("child", "C1")],
    )
    .await;
    assert_eq!(status, 403);
}
