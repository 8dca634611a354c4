//! What a partner sees of its own contacts, on a real SQLite store: received, then the
//! outcome, service and date once decided, and nothing of the child; another partner's
//! contact reads as no contact, and every view and refusal is logged.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hearth_app::{App, AppError, Caller, ContactError, PartnerStatus, PartnerView};
use hearth_domain::access::{Permission, Role, UserName};
use hearth_domain::codes::{ContactOutcome, ReferralSource};
use hearth_domain::contact::NewContact;
use hearth_domain::event::{ContactDecided, Event, EventData, OccurredAt, PersonLinked};
use hearth_domain::ids::{Actor, ChildId, ContactId, EventId, PersonRef, Subject};
use hearth_domain::org::{Level, Service, Threshold};
use hearth_store::Store;
use hearth_testkit::{organisation, sample};
use jiff::Timestamp;
use jiff::civil::date;
use std::sync::Arc;

fn now() -> Timestamp {
    "2024-06-03T10:00:00Z".parse().unwrap()
}

fn user(name: &str, role: Role) -> Caller {
    Caller::user(
        UserName::parse(name).unwrap(),
        role,
        "partner outcome: test",
    )
}

fn contact() -> NewContact {
    NewContact {
        received_at: OccurredAt::at(date(2024, 6, 3), 9, 15),
        source: ReferralSource::Police,
        intake: sample::intake(),
    }
}

struct Fixture {
    app: App,
    store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

/// Testshire with one level of need, `3`, a referral to its child in need service.
async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    let store: Arc<dyn Store> = Arc::new(
        hearth_store::open_sqlite(path.to_str().unwrap())
            .await
            .unwrap(),
    );
    let mut org = organisation();
    org.threshold = Threshold {
        levels: vec![Level {
            name: String::from("3"),
            label: String::from("Complex needs"),
            outcome: ContactOutcome::Referral,
            service: Some(Service::ChildInNeed),
        }],
    };
    store.put_organisation(&org).await.unwrap();
    Fixture {
        app: App::new(store.clone()),
        store,
        _dir: dir,
    }
}

impl Fixture {
    async fn log_of(&self, id: &ContactId) -> Vec<(String, String)> {
        self.store
            .access_log(&Subject::Contact(id.clone()))
            .await
            .unwrap()
            .into_iter()
            .map(|(_, actor, action)| (actor, action))
            .collect()
    }

    /// Link the contact's first person to C1 and decide a referral at level 3 for them,
    /// as the screener and decision-maker would.
    async fn decide(&self, id: &ContactId) {
        let on_contact = |name: &str, at: &str, data| Event {
            id: EventId::parse(&format!("{id}-{name}")).unwrap(),
            subject: Subject::Contact(id.clone()),
            occurred_at: OccurredAt::parse(at).unwrap(),
            recorded_at: now(),
            recorded_by: Actor::parse("jo.screener").unwrap(),
            data,
        };
        let c1 = ChildId::parse("C1").unwrap();
        let events = vec![
            on_contact(
                "linked",
                "2024-06-03T09:30",
                EventData::PersonLinked(PersonLinked {
                    given: 0,
                    person: PersonRef::Child(c1.clone()),
                    created: false,
                    weight: None,
                    model: None,
                }),
            ),
            on_contact(
                "decided",
                "2024-06-03T09:45",
                EventData::ContactDecided(ContactDecided {
                    child: Some(c1),
                    reasons: Some(String::from("threshold met")),
                    ..ContactDecided::new(
                        id.clone(),
                        ContactOutcome::Referral,
                        Some(String::from("3")),
                    )
                }),
            ),
        ];
        self.store.append(1, events).await.unwrap();
    }
}

#[tokio::test]
async fn a_partner_sees_its_contact_received_then_decided_and_nothing_of_the_child() {
    let f = fixture().await;
    let police = user("kent.police", Role::Partner);
    let id = f
        .app
        .receive_contact(&police, now(), contact())
        .await
        .unwrap();

    let received = PartnerView {
        id: id.clone(),
        received: OccurredAt::at(date(2024, 6, 3), 9, 15),
        status: PartnerStatus::Received,
        outcome: None,
        service: None,
        decided: None,
    };
    assert_eq!(
        f.app.my_contacts(&police, now()).await.unwrap(),
        vec![received.clone()]
    );
    assert_eq!(
        f.app.contact_outcome(&police, now(), &id).await.unwrap(),
        received
    );

    f.decide(&id).await;
    let decided = f.app.contact_outcome(&police, now(), &id).await.unwrap();
    assert_eq!(
        decided,
        PartnerView {
            status: PartnerStatus::Decided,
            outcome: Some(ContactOutcome::Referral),
            service: Some(Service::ChildInNeed),
            decided: Some(OccurredAt::parse("2024-06-03T09:45").unwrap()),
            ..received
        }
    );
    assert_eq!(
        f.app.my_contacts(&police, now()).await.unwrap(),
        vec![decided.clone()]
    );
    // No child, level, worker or reasons: only what the partner is told.
    // The contact's own id is random and may hold "C1" or "W1", so it is taken out first.
    let shown = serde_json::to_string(&decided)
        .unwrap()
        .replace(&id.to_string(), "CONTACT");
    for hidden in ["C1", "\"3\"", "W1", "threshold met", "jo.screener"] {
        assert!(!shown.contains(hidden), "{hidden} in {shown}");
    }

    let partner_outcome = (
        String::from("kent.police"),
        String::from("partner outcome: test"),
    );
    assert_eq!(
        f.log_of(&id).await,
        [
            (String::from("kent.police"), String::from("submitted")),
            partner_outcome.clone(),
            partner_outcome.clone(),
            partner_outcome.clone(),
            partner_outcome,
        ]
    );
}

#[tokio::test]
async fn another_partners_contact_reads_as_no_contact_and_the_refusal_is_logged() {
    let f = fixture().await;
    let police = user("kent.police", Role::Partner);
    let health = user("kent.health", Role::Partner);
    let id = f
        .app
        .receive_contact(&police, now(), contact())
        .await
        .unwrap();
    let theirs = f
        .app
        .receive_contact(&health, now(), contact())
        .await
        .unwrap();

    let refused = f
        .app
        .contact_outcome(&health, now(), &id)
        .await
        .unwrap_err();
    assert!(matches!(refused, ContactError::NoContact), "{refused:?}");
    let listed: Vec<ContactId> = f
        .app
        .my_contacts(&health, now())
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(listed, [theirs]);
    assert_eq!(
        f.log_of(&id).await,
        [
            (String::from("kent.police"), String::from("submitted")),
            (
                String::from("kent.health"),
                String::from("refused (not theirs): partner outcome: test")
            ),
        ]
    );

    // A contact that does not exist reads the same.
    let none = ContactId::parse("CT0000000000").unwrap();
    let missing = f
        .app
        .contact_outcome(&health, now(), &none)
        .await
        .unwrap_err();
    assert!(matches!(missing, ContactError::NoContact), "{missing:?}");
}

#[tokio::test]
async fn a_role_that_does_not_send_contacts_has_no_partner_view_and_is_logged() {
    let f = fixture().await;
    let police = user("kent.police", Role::Partner);
    let id = f
        .app
        .receive_contact(&police, now(), contact())
        .await
        .unwrap();
    let screener = user("jo.screener", Role::Screener);

    let refused = f.app.my_contacts(&screener, now()).await.unwrap_err();
    assert!(
        matches!(
            refused,
            ContactError::App(AppError::Refused(Permission::ViewOwnContacts))
        ),
        "{refused:?}"
    );
    let refused = f
        .app
        .contact_outcome(&screener, now(), &id)
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused,
            ContactError::App(AppError::Refused(Permission::ViewOwnContacts))
        ),
        "{refused:?}"
    );
    assert_eq!(
        f.log_of(&id).await.last().unwrap(),
        &(
            String::from("jo.screener"),
            String::from("refused (role): partner outcome: test")
        )
    );
}
