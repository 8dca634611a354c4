//! The family page and `GET /api/v1/families/{id}`: every child and adult, the network
//! drawn and told in a table with the same rows, the family's journey, the links from a
//! child's page, and the access log.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

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
    let journey = page.split("The family's journey").nth(1).unwrap();
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
