//! The OpenAPI document: a reviewed snapshot, naming exactly the routes the API
//! serves, and describing the bodies the API really sends: every body, and one event
//! of every kind, validates against the document's schemas, made strict so that a
//! field the schema does not name fails.
//!
//! After a deliberate change to the document, run the test with `INSTA_UPDATE=always`
//! (or `cargo insta test`) and review the diff of `tests/snapshots/openapi__openapi.snap`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hearth_domain::codes::{
    Agency, ContactOutcome, Disability, PrimaryNeed, Rag, ReferralSource, RelationshipKind,
    RouteReason, Sex,
};
use hearth_domain::event::{
    Allocated, ContactDecided, ContactReceived, ContactRouted, Event, EventAmended, EventData,
    OccurredAt, PartnerCheck, PersonAmended, PersonLinked, PersonRegistered, PersonUnlinked,
    PersonsMerged, Relationship,
};
use hearth_domain::identifiers::Upn;
use hearth_domain::ids::{
    Actor, AdultId, ChildId, ContactId, EventId, FamilyId, PersonRef, Subject, TeamId, WorkerId,
};
use hearth_domain::journey::fold_child;
use hearth_domain::people::PersonChanges;
use hearth_testkit::builders::{RECORDED_AT, RECORDED_BY, child, details, ev, registered};
use hearth_testkit::random::{Seed, Step, journey};
use hearth_testkit::sample::journeys;
use jiff::civil::date;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use support::*;

async fn served(app: &TestApp) -> Value {
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

/// Every `$ref` in `value`, with where it stands.
fn refs(value: &Value, at: &str, found: &mut Vec<(String, String)>) {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                if key == "$ref" {
                    found.push((at.to_owned(), field.as_str().unwrap().to_owned()));
                } else {
                    refs(field, &format!("{at}/{key}"), found);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                refs(item, &format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

#[test]
fn every_ref_names_a_schema_of_the_document() {
    let document = hearth_web::openapi::document().unwrap();
    let schemas = document["components"]["schemas"].as_object().unwrap();
    let mut found = Vec::new();
    refs(&document, "", &mut found);
    assert!(found.len() > 50, "{found:?}");
    for (at, reference) in found {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{at}: {reference} is not a schema of the document"));
        assert!(schemas.contains_key(name), "{at}: no schema {name}");
    }
}

#[test]
fn no_two_types_share_a_schema_name() {
    let mut by_name: BTreeMap<String, Value> = BTreeMap::new();
    for (name, schema) in hearth_web::openapi::named_schemas() {
        let schema = serde_json::to_value(&schema).unwrap();
        let first = by_name
            .entry(name.clone())
            .or_insert_with(|| schema.clone());
        assert_eq!(*first, schema, "two types are named {name}");
    }
}

/// The names of the schemas flattened into another (an `allOf` item), whose own
/// properties are only part of an object.
fn flattened(value: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::Object(fields) => {
            if let Some(Value::Array(items)) = fields.get("allOf") {
                for item in items {
                    if let Some(Value::String(reference)) = item.get("$ref") {
                        let name = reference.trim_start_matches("#/components/schemas/");
                        found.insert(name.to_owned());
                    }
                }
            }
            fields.values().for_each(|field| flattened(field, found));
        }
        Value::Array(items) => items.iter().for_each(|item| flattened(item, found)),
        _ => {}
    }
}

/// The document's schemas, strict: each object that is not flattened into another
/// refuses properties its schema (with the `allOf`, `oneOf` and `$ref`s it goes through)
/// does not name. Without this, a field renamed in Rust would pass as an extra property.
fn strict_schemas(document: &Value) -> Value {
    let mut not_whole = BTreeSet::new();
    flattened(document, &mut not_whole);
    let mut schemas = document["components"]["schemas"].clone();
    for (name, schema) in schemas.as_object_mut().unwrap() {
        let object = schema.get("type") == Some(&json!("object")) || schema.get("allOf").is_some();
        if object && !not_whole.contains(name) {
            schema
                .as_object_mut()
                .unwrap()
                .insert(String::from("unevaluatedProperties"), json!(false));
        }
    }
    schemas
}

/// Validates values against the schemas of one document.
struct Schemas(Value);

impl Schemas {
    fn of(document: &Value) -> Schemas {
        Schemas(strict_schemas(document))
    }

    fn validator(&self, schema: &str) -> jsonschema::Validator {
        assert!(self.0.get(schema).is_some(), "no schema {schema}");
        // The document's refs point into it from its root: validate from a root that
        // holds the schemas where the document does.
        let root = json!({
            "$ref": format!("#/components/schemas/{schema}"),
            "components": {"schemas": self.0},
        });
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .unwrap()
    }

    fn errors(&self, schema: &str, value: &Value) -> Vec<String> {
        self.validator(schema)
            .iter_errors(value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    }

    fn assert_valid(&self, schema: &str, value: &Value) {
        let errors = self.errors(schema, value);
        assert!(
            errors.is_empty(),
            "not a valid {schema}: {errors:#?}\n{value:#}"
        );
    }

    fn assert_each_valid(&self, schema: &str, values: &Value) {
        let values = values.as_array().unwrap();
        assert!(!values.is_empty(), "no {schema} to check");
        for value in values {
            self.assert_valid(schema, value);
        }
    }
}

/// The kinds of event the document describes: the tags of the `EventData` schema.
fn documented_kinds(document: &Value) -> BTreeSet<String> {
    document["components"]["schemas"]["EventData"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|variant| {
            let kind = &variant["properties"]["kind"]["enum"];
            kind[0].as_str().unwrap().to_owned()
        })
        .collect()
}

/// Journeys from the property tests' generator, walked with fixed steps (a simple
/// linear congruential sequence), so the same events every run.
fn generated_journeys() -> Vec<(ChildId, Vec<Event>)> {
    let mut next = 0x2545_f491_4f6c_dd1d_u64;
    let mut number = move || {
        next = next
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (next >> 33) as u16
    };
    (0..200)
        .map(|i| {
            let seed = Seed {
                born: number() % 4000,
                registered: number() % 2500,
                steps: (0..80)
                    .map(|_| Step {
                        pick: number(),
                        gap: (number() % 30) as u8,
                        param: number() as u8,
                    })
                    .collect(),
            };
            let id = format!("G{i}");
            (child(&id), journey(&id, &seed).events)
        })
        .collect()
}

/// Events of the kinds the generator does not make (a family's, merges and an
/// amendment), and a child's UPN and disabilities, which it never gives.
fn family_and_merge_events() -> Vec<Event> {
    let family = Subject::Family(FamilyId::parse("F1").unwrap());
    let on_family = |id: &str, data| Event {
        id: EventId::parse(id).unwrap(),
        subject: family.clone(),
        occurred_at: OccurredAt::parse("2024-02-01").unwrap(),
        recorded_at: RECORDED_AT.parse().unwrap(),
        recorded_by: Actor::parse(RECORDED_BY).unwrap(),
        data,
    };
    let adult = || AdultId::parse("A1").unwrap();
    let relationship = Relationship {
        from: PersonRef::Adult(adult()),
        to: PersonRef::Child(child("C1")),
        relationship: RelationshipKind::Parent,
    };
    vec![
        on_family(
            "f1-01",
            EventData::PersonRegistered(PersonRegistered {
                adult: Some(adult()),
                family: Some(FamilyId::parse("F1").unwrap()),
                details: details("Ada", "Testington", date(1990, 1, 2)),
            }),
        ),
        on_family(
            "f1-02",
            EventData::PersonAmended(PersonAmended {
                adult: Some(adult()),
                changes: PersonChanges {
                    sex: Some(Sex::Unknown),
                    date_of_death: Some(date(2024, 1, 30)),
                    ..PersonChanges::default()
                },
            }),
        ),
        on_family("f1-03", EventData::RelationshipAdded(relationship.clone())),
        on_family("f1-04", EventData::RelationshipEnded(relationship)),
        ev(
            "C1",
            "c1-p1",
            "2024-02-04",
            EventData::PersonAmended(PersonAmended {
                adult: None,
                changes: PersonChanges {
                    upn: Some(Upn::with_check_letter("801200001001").unwrap()),
                    disabilities: Some(vec![Disability::Aut, Disability::Hear]),
                    ..PersonChanges::default()
                },
            }),
        ),
        ev(
            "C1",
            "c1-a1",
            "2024-03-05",
            EventData::EventAmended(EventAmended {
                event: EventId::parse("c1-04").unwrap(),
                reason: String::from("allocated to the wrong team"),
                occurred_at: Some(OccurredAt::parse("2024-01-12T09:30").unwrap()),
                amended: Some(Box::new(EventData::Allocated(Allocated {
                    worker: WorkerId::parse("W1").unwrap(),
                    team: TeamId::parse("T1").unwrap(),
                    reason: None,
                }))),
            }),
        ),
        ev(
            "C1",
            "c1-m1",
            "2024-02-02",
            EventData::PersonsMerged(PersonsMerged::new(child("C9"))),
        ),
        ev(
            "C1",
            "c1-m2",
            "2024-02-03T10:15",
            EventData::PersonsUnmerged(PersonsMerged::new(child("C9"))),
        ),
    ]
}

/// A contact's own journey (issue 13), with every optional field the front door added.
fn contact_events() -> Vec<Event> {
    let k = || ContactId::parse("CT0123456789").unwrap();
    let on_contact = |id: &str, data| Event {
        id: EventId::parse(id).unwrap(),
        subject: Subject::Contact(k()),
        occurred_at: OccurredAt::parse("2024-02-01T09:00").unwrap(),
        recorded_at: RECORDED_AT.parse().unwrap(),
        recorded_by: Actor::parse(RECORDED_BY).unwrap(),
        data,
    };
    let decided = ContactDecided {
        child: Some(child("C1")),
        reasons: Some(String::from("threshold met")),
        primary_need: Some(PrimaryNeed::AbuseOrNeglect),
        proposed_by: Some(Actor::parse("jo.screener").unwrap()),
        ..ContactDecided::new(k(), ContactOutcome::Referral, Some(String::from("4")))
    };
    vec![
        on_contact(
            "k-01",
            EventData::ContactReceived(ContactReceived {
                intake: Some(Box::new(hearth_testkit::sample::intake())),
                ..ContactReceived::new(k(), ReferralSource::Schools)
            }),
        ),
        on_contact(
            "k-02",
            EventData::PersonLinked(PersonLinked {
                given: 0,
                person: PersonRef::Child(child("C1")),
                created: false,
                weight: Some(12.5),
                model: Some(String::from("fs-1")),
            }),
        ),
        on_contact(
            "k-03",
            EventData::PersonUnlinked(PersonUnlinked {
                given: 1,
                person: PersonRef::Adult(AdultId::parse("A1").unwrap()),
                reason: String::from("a different person"),
            }),
        ),
        on_contact(
            "k-04",
            EventData::PartnerCheckReturned(PartnerCheck {
                findings: Some(String::from("known to police")),
                ..PartnerCheck::new(k(), Agency::Police, Rag::Red)
            }),
        ),
        on_contact("k-05", EventData::ContactDecisionProposed(decided.clone())),
        on_contact("k-06", EventData::ContactDecided(decided)),
        on_contact(
            "k-07",
            EventData::ContactRouted(ContactRouted {
                child: Some(child("C1")),
                team: TeamId::parse("T1").unwrap(),
                worker: Some(WorkerId::parse("W1").unwrap()),
                locality: Some(String::from("North")),
                reason: RouteReason::ExistingWorker,
            }),
        ),
        on_family_merge_survivor(),
    ]
}

/// A case note with every section written: no generated journey has one.
fn case_note() -> Event {
    let text = |t: &str| Some(hearth_domain::event::LongText(t.to_owned()));
    ev(
        "C1",
        "c1-note",
        "2024-02-02",
        EventData::CaseNoteRecorded(hearth_domain::event::CaseNote {
            contact_type: hearth_domain::codes::NoteContact::DirectWork,
            narrative: hearth_domain::event::LongText(String::from("Drew a family tree.")),
            present: Some(String::from("Foster carer")),
            seen: true,
            seen_alone: true,
            child_words: text("I miss my brother."),
            strengths: text("Settled at school"),
            worries: text("Contact with brother is irregular"),
            analysis: text("Sibling contact matters to the child"),
        }),
    )
}

fn on_family_merge_survivor() -> Event {
    ev(
        "C9",
        "c9-m1",
        "2024-02-02",
        EventData::PersonsMerged(PersonsMerged {
            survivor: Some(child("C1")),
            ..PersonsMerged::new(child("C9"))
        }),
    )
}

#[test]
fn an_event_of_every_kind_matches_the_event_schema() {
    let document = hearth_web::openapi::document().unwrap();
    let schemas = Schemas::of(&document);
    let event = schemas.validator("Event");
    let mut events = journeys();
    events.extend(
        generated_journeys()
            .into_iter()
            .flat_map(|(_, events)| events),
    );
    events.extend(family_and_merge_events());
    events.extend(contact_events());
    events.push(case_note());
    let mut seen = BTreeSet::new();
    for e in &events {
        let value = serde_json::to_value(e).unwrap();
        let errors: Vec<String> = event.iter_errors(&value).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:#?}\n{value:#}");
        seen.insert(e.kind().to_owned());
    }
    assert_eq!(seen, documented_kinds(&document));
}

#[test]
fn the_state_of_every_generated_journey_matches_the_child_state_schema() {
    let document = hearth_web::openapi::document().unwrap();
    let state = Schemas::of(&document).validator("ChildState");
    // serde writes every field of a child's state, null or not: all are required.
    let required: BTreeSet<&str> = document["components"]["schemas"]["ChildState"]["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap())
        .collect();
    let mut shown = BTreeSet::new();
    for (id, events) in generated_journeys() {
        let folded = fold_child(&id, &events).unwrap();
        let value = serde_json::to_value(&folded).unwrap();
        let errors: Vec<String> = state.iter_errors(&value).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:#?}\n{value:#}");
        let written: BTreeSet<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(written, required);
        for (field, v) in value.as_object().unwrap() {
            if !v.is_null() {
                shown.insert(field.clone());
            }
        }
    }
    // The generated journeys reach every part of a child's state.
    for field in [
        "cin",
        "cp_plan",
        "looked_after",
        "care_leaver",
        "allocation",
    ] {
        assert!(shown.contains(field), "no journey has {field}");
    }
}

/// A value that validates, and the same with one field renamed, which must not: the
/// strict schemas catch a field renamed in Rust but not in the document.
#[test]
fn a_renamed_field_fails_validation() {
    let document = hearth_web::openapi::document().unwrap();
    let schemas = Schemas::of(&document);
    let rename = |value: &Value, pointer: &str, from: &str, to: &str| {
        let mut value = value.clone();
        let object = value.pointer_mut(pointer).unwrap().as_object_mut().unwrap();
        let field = object.remove(from).unwrap();
        object.insert(to.to_owned(), field);
        value
    };
    let born = ev(
        "C1",
        "c1-01",
        "2024-01-10",
        registered(details("Ava", "Testington", date(2015, 6, 1))),
    );
    let born = serde_json::to_value(&born).unwrap();
    schemas.assert_valid("Event", &born);
    for (pointer, from, to) in [
        ("", "occurred_at", "happened_at"),
        ("", "recorded_by", "recorder"),
        ("/data", "date_of_birth", "born"),
        ("/data/name", "given", "first"),
    ] {
        let renamed = rename(&born, pointer, from, to);
        assert!(
            !schemas.errors("Event", &renamed).is_empty(),
            "{pointer}/{from} renamed {to} still validates"
        );
    }
    let visit = json!({
        "id": "v1", "subject": "child:C1", "occurred_at": "2024-05-20T14:30",
        "recorded_at": RECORDED_AT, "recorded_by": "W1",
        "kind": "visit", "data": {"worker": "W1", "seen": true, "seen_alone": false},
    });
    schemas.assert_valid("Event", &visit);
    let renamed = rename(&visit, "/data", "seen_alone", "alone");
    assert!(!schemas.errors("Event", &renamed).is_empty());
    let mut wrong_kind = visit.clone();
    wrong_kind["kind"] = json!("allocated");
    assert!(!schemas.errors("Event", &wrong_kind).is_empty());
}

/// Every body the API sends, as it sends it, against the schema the document gives it.
#[tokio::test]
async fn what_the_api_sends_matches_the_document() {
    let app = TestApp::spawn().await;
    let document = served(&app).await;
    let schemas = Schemas::of(&document);
    let get = |client: reqwest::Client, path: &str| {
        let url = app.url(path);
        async move {
            let response = client.get(url).send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            (status, body)
        }
    };
    let (status, found) = get(app.client.clone(), "/api/v1/children?q=").await;
    assert_eq!(status, 200);
    schemas.assert_each_valid("ChildSummary", &found);
    let now = NOW.parse().unwrap();
    let auditor = sign_in(
        &app.store,
        "ann.auditor",
        hearth_domain::access::Role::Auditor,
        now,
    )
    .await;
    let (status, identities) = get(auditor.client, "/api/v1/children?q=").await;
    assert_eq!(status, 200);
    schemas.assert_each_valid("ChildIdentity", &identities);

    let (status, child) = get(app.client.clone(), "/api/v1/children/C1").await;
    assert_eq!(status, 200);
    schemas.assert_valid("ChildBody", &child);
    let (status, journey) = get(app.client.clone(), "/api/v1/children/C1/journey").await;
    assert_eq!(status, 200);
    schemas.assert_each_valid("Event", &journey);

    for path in [
        "/api/v1/due?as_at=2024-06-01",
        "/api/v1/due?as_at=2024-06-01&team=T1",
        "/api/v1/due?as_at=2024-06-01&worker=W1",
        "/api/v1/due/counts?as_at=2024-06-01",
    ] {
        let (status, due) = get(app.client.clone(), path).await;
        assert_eq!(status, 200, "{path}: {due}");
        schemas.assert_valid("DueBody", &due);
    }
    let (_, due) = get(app.client.clone(), "/api/v1/due?as_at=2024-06-01").await;
    assert!(!due["obligations"].as_array().unwrap().is_empty(), "{due}");

    for path in [
        "/api/v1/children/NOSUCH",
        "/api/v1/children?limit=0",
        "/api/v1/due?as_at=tomorrow",
    ] {
        let (status, problem) = get(app.client.clone(), path).await;
        assert!(status >= 400, "{path}");
        schemas.assert_valid("Problem", &problem);
    }
    let (status, problem) = get(app.anonymous.clone(), "/api/v1/children/C1").await;
    assert_eq!(status, 401);
    schemas.assert_valid("Problem", &problem);
}

/// A body the document describes is one the API takes, and its answer is as described.
#[tokio::test]
async fn an_event_sent_as_the_document_describes_is_written() {
    let app = TestApp::spawn().await;
    let document = served(&app).await;
    let schemas = Schemas::of(&document);
    let (_, version) = app
        .store
        .journey(&Subject::parse("child:C1").unwrap())
        .await
        .unwrap();
    let body = json!({
        "version": version,
        "id": "visit-new",
        "occurred_at": "2024-05-20T14:30",
        "kind": "visit",
        "data": {"worker": "W1", "seen": true, "seen_alone": false},
    });
    schemas.assert_valid("NewEvent", &body);
    let response = app
        .client
        .post(app.url("/api/v1/children/C1/events"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let written: Value = response.json().await.unwrap();
    schemas.assert_valid("Written", &written);
    let response = app
        .client
        .post(app.url("/api/v1/children/C1/events"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);
    let problem: Value = response.json().await.unwrap();
    schemas.assert_valid("Problem", &problem);
}

/// A contact sent as the document describes is received, and what the contact
/// operations answer (to its partner, and to another) is as described.
#[tokio::test]
async fn a_contact_sent_as_the_document_describes_is_received() {
    let app = TestApp::spawn().await;
    let document = served(&app).await;
    let schemas = Schemas::of(&document);
    let body = contact_body();
    schemas.assert_valid("ContactSubmission", &body);
    let now = NOW.parse().unwrap();
    let partner = sign_in(
        &app.store,
        "pat.partner",
        hearth_domain::access::Role::Partner,
        now,
    )
    .await;
    let response = partner
        .client
        .post(app.url("/api/v1/contacts"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    schemas.assert_valid("ContactCreated", &created);
    let outcome = created["outcome"].as_str().unwrap();
    let get = |client: &reqwest::Client, path: &str| {
        let request = client.get(app.url(path)).send();
        async move {
            let response = request.await.unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    let (status, view) = get(&partner.client, outcome).await;
    assert_eq!(status, 200);
    schemas.assert_valid("PartnerView", &view);
    let (status, views) = get(&partner.client, "/api/v1/contacts").await;
    assert_eq!(status, 200);
    schemas.assert_each_valid("PartnerView", &views);

    let other = sign_in(
        &app.store,
        "other.partner",
        hearth_domain::access::Role::Partner,
        now,
    )
    .await;
    let (status, problem) = get(&other.client, outcome).await;
    assert_eq!(status, 404);
    schemas.assert_valid("Problem", &problem);
    let mut refused = body.clone();
    refused["people"][0]["date_of_birth"] = json!("2019-02-31");
    let response = partner
        .client
        .post(app.url("/api/v1/contacts"))
        .json(&refused)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    schemas.assert_valid("Problem", &response.json::<Value>().await.unwrap());
}

/// A screener's reads and steps on a contact, sent and answered as the document says.
#[tokio::test]
async fn a_screeners_steps_are_as_the_document_describes() {
    let app = TestApp::spawn().await;
    let document = served(&app).await;
    let schemas = Schemas::of(&document);
    let now = NOW.parse().unwrap();
    let jo = sign_in(
        &app.store,
        "jo.screener",
        hearth_domain::access::Role::Screener,
        now,
    )
    .await;
    let response = jo
        .client
        .post(app.url("/api/v1/contacts"))
        .json(&contact_body())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let read = || async {
        let response = jo.client.get(app.url(&location)).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.json::<Value>().await.unwrap()
    };
    let contact = read().await;
    schemas.assert_valid("ContactBody", &contact);
    assert!(
        !contact["people"][0]["candidates"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{contact}"
    );
    for (path, schema, body) in [
        (
            "links",
            "LinkRequest",
            json!({"given": 0, "person": "child:C1", "version": contact["version"]}),
        ),
        (
            "checks",
            "CheckRequest",
            json!({"agency": "health", "rag": "amber"}),
        ),
        (
            "checks/health",
            "CheckAnswer",
            json!({"findings": "Not known to the GP."}),
        ),
    ] {
        schemas.assert_valid(schema, &body);
        let response = jo
            .client
            .post(app.url(&format!("{location}/{path}")))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{path}");
        schemas.assert_valid("Written", &response.json::<Value>().await.unwrap());
    }
    let contact = read().await;
    schemas.assert_valid("ContactBody", &contact);
    let decision = json!({"version": contact["version"], "decisions": [
        {"outcome": "advice", "reasons": "The family were given the number of the school nurse."}
    ]});
    schemas.assert_valid("DecisionRequest", &decision);
    let response = jo
        .client
        .post(app.url(&format!("{location}/decision")))
        .json(&decision)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    schemas.assert_valid("DecisionWritten", &response.json::<Value>().await.unwrap());
}
