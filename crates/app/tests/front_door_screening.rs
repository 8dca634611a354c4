//! Screening contacts on a real store (SQLite and PostgreSQL): linking the people a
//! contact names to records, with the contact's steps mirrored on a linked child's
//! journey; who may do it; and each refusal.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/front_door.rs"]
mod front_door;

use front_door::*;
use hearth_app::{AppError, ContactError};
use hearth_domain::access::Permission;
use hearth_domain::codes::{Agency, Rag, ReferralSource};
use hearth_domain::event::{ContactReceived, Event, EventData, OccurredAt, PartnerCheck};
use hearth_domain::ids::{ContactId, EventId, PersonRef, Subject};
use hearth_domain::journey::Problem;

on_both_backends!(
    linking_a_child_mirrors_the_contact_on_their_journey,
    linking_copies_the_checks_the_contact_already_has,
    linking_an_adult_writes_only_the_contact,
    a_role_that_may_not_screen_is_refused_and_logged,
    a_person_already_linked_is_refused,
    an_unknown_contact_is_refused,
    a_stale_version_is_refused_and_nothing_is_written,
    a_check_is_written_on_the_contact_and_each_linked_child,
    a_check_twice_or_an_answer_never_asked_for_is_refused,
    checks_are_refused_to_a_role_that_may_not_screen,
    unlinking_retracts_the_mirrors_and_the_child_can_be_linked_again,
    unlinking_someone_not_linked_or_without_a_reason_is_refused,
    a_child_is_found_with_a_misspelt_surname_and_no_nhs_number,
    a_restricted_child_is_no_candidate_for_anyone_not_named,
    reading_a_contact_is_refused_to_a_role_that_may_not_screen,
    a_child_recorded_after_the_index_was_built_is_found,
    creating_a_child_registers_them_as_given_and_links_them,
    creating_an_adult_registers_them_in_a_family,
    creating_is_refused_for_a_linked_or_unknown_person_or_family,
);

fn child_ref() -> PersonRef {
    PersonRef::Child(child())
}

fn contact_subject(k: &ContactId) -> Subject {
    Subject::Contact(k.clone())
}

/// The events written after the first `n` of a journey.
async fn after(f: &FrontDoor, subject: &Subject, n: usize) -> Vec<Event> {
    f.journey(subject).await.split_off(n)
}

async fn linking_a_child_mirrors_the_contact_on_their_journey(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    let k = f.receive_about_child().await;
    let view = f.app.contact(&screener(), now(), &k).await.unwrap();
    let before = f.journey(&child_subject()).await.len();
    let version = f
        .app
        .link_person(&screener(), now(), &k, 0, child_ref(), view.version)
        .await
        .unwrap();
    assert_eq!(version, 2);
    let record = f.store.contact(&k).await.unwrap().unwrap();
    assert_eq!(record.version, 2);
    assert_eq!(record.state.links.get(&0), Some(&child_ref()));
    // The link keeps the pair's weight and the model's fingerprint, to train on.
    let contact = f.journey(&contact_subject(&k)).await;
    let EventData::PersonLinked(link) = &contact[1].data else {
        panic!("{contact:?}")
    };
    let weight = link.weight.unwrap();
    assert!(weight > 0.0, "{weight}");
    assert!((f64::from(weight) - view.people[0].candidates[0].weight).abs() < 1e-3);
    assert_eq!(link.model.as_deref(), Some(view.model.as_str()));

    let mirrors = after(&f, &child_subject(), before).await;
    assert_eq!(mirrors.len(), 1, "{mirrors:?}");
    assert_eq!(
        mirrors[0].data,
        EventData::ContactReceived(ContactReceived::new(k.clone(), ReferralSource::Schools))
    );
    assert_eq!(mirrors[0].occurred_at, OccurredAt::at(RECEIVED, 9, 15));
    assert_eq!(mirrors[0].recorded_by.as_str(), "jo.screener");
    // The child's record now counts the contact and holds it open.
    let lily = f.store.child(&child()).await.unwrap().unwrap();
    assert!(lily.state.open_contacts.contains(&k));

    assert_eq!(
        f.log_of(&contact_subject(&k)).await.last().unwrap(),
        &("jo.screener".to_owned(), "linked child:C1".to_owned())
    );
    assert_eq!(
        f.log_of(&child_subject()).await.last().unwrap(),
        &("jo.screener".to_owned(), format!("linked to contact:{k}"))
    );
}

async fn linking_copies_the_checks_the_contact_already_has(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    let k = f.receive_about_child().await;
    // A police check asked for and answered before anyone was linked.
    let check = |id: &str, returned: bool| {
        let data = PartnerCheck::new(k.clone(), Agency::Police, Rag::Amber);
        Event {
            id: EventId::parse(id).unwrap(),
            subject: contact_subject(&k),
            occurred_at: OccurredAt::at(RECEIVED, 9, 30),
            recorded_at: now(),
            recorded_by: hearth_domain::ids::Actor::parse("jo.screener").unwrap(),
            data: if returned {
                EventData::PartnerCheckReturned(data)
            } else {
                EventData::PartnerCheckRequested(data)
            },
        }
    };
    f.store
        .append(1, vec![check("k-check-1", false), check("k-check-2", true)])
        .await
        .unwrap();
    let before = f.journey(&child_subject()).await.len();
    f.app
        .link_person(&screener(), now(), &k, 0, child_ref(), 3)
        .await
        .unwrap();
    let written = after(&f, &child_subject(), before).await;
    let kinds: Vec<&str> = written.iter().map(|e| e.kind()).collect();
    assert_eq!(
        kinds,
        [
            "contact_received",
            "partner_check_requested",
            "partner_check_returned"
        ]
    );
}

async fn linking_an_adult_writes_only_the_contact(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    let k = f.receive_about_child().await;
    let before = f.journey(&child_subject()).await;
    let family_before = f.journey(&Subject::Family(family())).await;
    f.app
        .link_person(&screener(), now(), &k, 1, PersonRef::Adult(mother()), 1)
        .await
        .unwrap();
    let record = f.store.contact(&k).await.unwrap().unwrap();
    assert_eq!(
        record.state.links.get(&1),
        Some(&PersonRef::Adult(mother()))
    );
    assert_eq!(f.journey(&child_subject()).await, before);
    assert_eq!(f.journey(&Subject::Family(family())).await, family_before);
}

async fn a_role_that_may_not_screen_is_refused_and_logged(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    let k = f.receive_about_child().await;
    let rows = f.log_rows().await;
    let refused = f
        .app
        .link_person(&partner(), now(), &k, 0, child_ref(), 1)
        .await;
    assert!(
        matches!(
            refused,
            Err(ContactError::App(AppError::Refused(
                Permission::ScreenContacts
            )))
        ),
        "{refused:?}"
    );
    assert_eq!(f.log_rows().await, rows + 1);
    let (actor, action) = f.log_of(&contact_subject(&k)).await.pop().unwrap();
    assert_eq!(actor, "pc.tester");
    assert!(action.starts_with("refused (role)"), "{action}");
    assert_eq!(f.version(&k).await, 1);
}

async fn a_person_already_linked_is_refused(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    let k = f.receive_about_child().await;
    let v = f
        .app
        .link_person(&screener(), now(), &k, 0, child_ref(), 1)
        .await
        .unwrap();
    let child_before = f.journey(&child_subject()).await;
    let again = f
        .app
        .link_person(&screener(), now(), &k, 0, child_ref(), v)
        .await;
    match again {
        Err(ContactError::NotAllowed(e)) => assert_eq!(e.problem, Problem::AlreadyLinked(0)),
        other => panic!("{other:?}"),
    }
    // Nor may a person the contact does not give be linked.
    let missing = f
        .app
        .link_person(&screener(), now(), &k, 5, child_ref(), v)
        .await;
    match missing {
        Err(ContactError::NotAllowed(e)) => {
            assert_eq!(e.problem, Problem::NoSuchGivenPerson(5))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(f.version(&k).await, v);
    assert_eq!(f.journey(&child_subject()).await, child_before);
}

async fn an_unknown_contact_is_refused(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    let nobody = ContactId::parse("CT0000000000").unwrap();
    let refused = f
        .app
        .link_person(&screener(), now(), &nobody, 0, child_ref(), 1)
        .await;
    assert!(
        matches!(refused, Err(ContactError::NoContact)),
        "{refused:?}"
    );
    // Nor a child there is no record of.
    let k = f.receive_about_child().await;
    let ghost = PersonRef::Child(hearth_domain::ids::ChildId::parse("C99").unwrap());
    let refused = f.app.link_person(&screener(), now(), &k, 0, ghost, 1).await;
    assert!(
        matches!(refused, Err(ContactError::App(AppError::NoChild))),
        "{refused:?}"
    );
    assert_eq!(f.version(&k).await, 1);
}

async fn a_stale_version_is_refused_and_nothing_is_written(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    let k = f.receive_about_child().await;
    f.app
        .link_person(&screener(), now(), &k, 1, PersonRef::Adult(mother()), 1)
        .await
        .unwrap();
    let child_before = f.journey(&child_subject()).await;
    // Read at version 1, before the adult was linked.
    let stale = f
        .app
        .link_person(&screener(), now(), &k, 0, child_ref(), 1)
        .await;
    assert!(matches!(stale, Err(ContactError::Changed)), "{stale:?}");
    assert_eq!(f.version(&k).await, 2);
    assert_eq!(f.journey(&child_subject()).await, child_before);
}

/// A contact about Lily, received and linked to her; its version.
async fn linked(f: &FrontDoor) -> (ContactId, u64) {
    let k = f.receive_about_child().await;
    let v = f
        .app
        .link_person(&screener(), now(), &k, 0, child_ref(), 1)
        .await
        .unwrap();
    (k, v)
}

async fn a_check_is_written_on_the_contact_and_each_linked_child(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    let (k, v) = linked(&f).await;
    let before = f.journey(&child_subject()).await.len();
    let v2 = f
        .app
        .request_check(&screener(), now(), &k, Agency::Police, Rag::Red)
        .await
        .unwrap();
    assert_eq!(v2, v + 1);
    let state = f.store.contact(&k).await.unwrap().unwrap().state;
    let check = &state.checks[&Agency::Police];
    assert_eq!((check.rag, check.returned), (Rag::Red, None));
    assert_eq!(
        state.status(),
        hearth_domain::contact::ContactStatus::AwaitingChecks
    );

    let v3 = f
        .app
        .record_check(
            &screener(),
            now(),
            &k,
            Agency::Police,
            Some(String::from("Two call-outs to the address this year.")),
        )
        .await
        .unwrap();
    assert_eq!(v3, v + 2);
    let state = f.store.contact(&k).await.unwrap().unwrap().state;
    let check = &state.checks[&Agency::Police];
    assert!(check.returned.is_some());
    assert_eq!(
        check.findings.as_deref(),
        Some("Two call-outs to the address this year.")
    );

    // Both steps mirrored on Lily's journey, the same payloads.
    let mirrored = after(&f, &child_subject(), before).await;
    let on_contact = after(&f, &contact_subject(&k), v as usize).await;
    assert_eq!(mirrored.len(), 2);
    for (child_event, contact_event) in mirrored.iter().zip(&on_contact) {
        assert_eq!(child_event.data, contact_event.data);
        assert_eq!(child_event.occurred_at, contact_event.occurred_at);
    }
    let contact_log = f.log_of(&contact_subject(&k)).await;
    assert_eq!(
        contact_log[contact_log.len() - 2..],
        [
            (
                "jo.screener".to_owned(),
                "check requested (police)".to_owned()
            ),
            (
                "jo.screener".to_owned(),
                "check returned (police)".to_owned()
            ),
        ]
    );
    let child_log = f.log_of(&child_subject()).await;
    assert_eq!(
        child_log[child_log.len() - 2..],
        [
            (
                "jo.screener".to_owned(),
                format!("check requested for contact:{k}")
            ),
            (
                "jo.screener".to_owned(),
                format!("check returned for contact:{k}")
            ),
        ]
    );
}

async fn a_check_twice_or_an_answer_never_asked_for_is_refused(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    let (k, v) = linked(&f).await;
    let never = f
        .app
        .record_check(&screener(), now(), &k, Agency::Health, None)
        .await;
    match never {
        Err(ContactError::NotAllowed(e)) => {
            assert_eq!(e.problem, Problem::CheckNotRequested(Agency::Health))
        }
        other => panic!("{other:?}"),
    }
    f.app
        .request_check(&screener(), now(), &k, Agency::Health, Rag::Green)
        .await
        .unwrap();
    let twice = f
        .app
        .request_check(&screener(), now(), &k, Agency::Health, Rag::Amber)
        .await;
    match twice {
        Err(ContactError::NotAllowed(e)) => {
            assert_eq!(e.problem, Problem::CheckAlreadyRequested(Agency::Health))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(f.version(&k).await, v + 1);
    let nobody = ContactId::parse("CT0000000000").unwrap();
    let unknown = f
        .app
        .request_check(&screener(), now(), &nobody, Agency::Health, Rag::Red)
        .await;
    assert!(
        matches!(unknown, Err(ContactError::NoContact)),
        "{unknown:?}"
    );
}

async fn checks_are_refused_to_a_role_that_may_not_screen(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    let (k, v) = linked(&f).await;
    let social_worker = user("sam.patel", hearth_domain::access::Role::SocialWorker);
    let rows = f.log_rows().await;
    let refused = f
        .app
        .request_check(&social_worker, now(), &k, Agency::Police, Rag::Red)
        .await;
    assert!(
        matches!(
            refused,
            Err(ContactError::App(AppError::Refused(
                Permission::ScreenContacts
            )))
        ),
        "{refused:?}"
    );
    let refused = f
        .app
        .unlink_person(&social_worker, now(), &k, 0, "wrong child")
        .await;
    assert!(matches!(
        refused,
        Err(ContactError::App(AppError::Refused(_)))
    ));
    assert_eq!(f.log_rows().await, rows + 2);
    let (actor, action) = f.log_of(&contact_subject(&k)).await.pop().unwrap();
    assert_eq!(actor, "sam.patel");
    assert!(action.starts_with("refused (role)"), "{action}");
    assert_eq!(f.version(&k).await, v);
}

async fn unlinking_retracts_the_mirrors_and_the_child_can_be_linked_again(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    let (k, _) = linked(&f).await;
    f.app
        .request_check(&screener(), now(), &k, Agency::Police, Rag::Amber)
        .await
        .unwrap();
    let before = f.journey(&child_subject()).await.len();
    let v = f
        .app
        .unlink_person(&screener(), now(), &k, 0, "a different Lily")
        .await
        .unwrap();
    let state = f.store.contact(&k).await.unwrap().unwrap().state;
    assert!(state.links.is_empty());

    let retractions = after(&f, &child_subject(), before).await;
    let kinds: Vec<&str> = retractions.iter().map(|e| e.kind()).collect();
    assert_eq!(kinds, ["event_retracted", "event_retracted"]);
    for r in &retractions {
        let EventData::EventRetracted(r) = &r.data else {
            unreachable!()
        };
        assert_eq!(r.reason, "contact unlinked: a different Lily");
    }
    // Lily's record no longer holds the contact open.
    let lily = f.store.child(&child()).await.unwrap().unwrap();
    assert!(!lily.state.open_contacts.contains(&k));
    assert_eq!(
        f.log_of(&contact_subject(&k)).await.last().unwrap(),
        &("jo.screener".to_owned(), "unlinked child:C1".to_owned())
    );
    assert_eq!(
        f.log_of(&child_subject()).await.last().unwrap(),
        &(
            "jo.screener".to_owned(),
            format!("unlinked from contact:{k}")
        )
    );

    // Linked again, the mirrors are written afresh, the check included.
    let before = f.journey(&child_subject()).await.len();
    f.app
        .link_person(&screener(), now(), &k, 0, child_ref(), v)
        .await
        .unwrap();
    let again = after(&f, &child_subject(), before).await;
    let kinds: Vec<&str> = again.iter().map(|e| e.kind()).collect();
    assert_eq!(kinds, ["contact_received", "partner_check_requested"]);
    let lily = f.store.child(&child()).await.unwrap().unwrap();
    assert!(lily.state.open_contacts.contains(&k));
}

async fn unlinking_someone_not_linked_or_without_a_reason_is_refused(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    let (k, v) = linked(&f).await;
    let not_linked = f
        .app
        .unlink_person(&screener(), now(), &k, 1, "not her mother")
        .await;
    match not_linked {
        Err(ContactError::NotAllowed(e)) => assert_eq!(e.problem, Problem::NotLinked(1)),
        other => panic!("{other:?}"),
    }
    let no_reason = f.app.unlink_person(&screener(), now(), &k, 0, "  ").await;
    match no_reason {
        Err(ContactError::NotAllowed(e)) => assert_eq!(e.problem, Problem::NoReason),
        other => panic!("{other:?}"),
    }
    assert_eq!(f.version(&k).await, v);
}

async fn a_child_is_found_with_a_misspelt_surname_and_no_nhs_number(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    let k = f.receive_about_child().await;
    let view = f.app.contact(&screener(), now(), &k).await.unwrap();
    assert_eq!(view.version, 1);
    assert_eq!(view.people.len(), 2);
    let lily = &view.people[0];
    assert_eq!(lily.linked, None);
    let best = &lily.candidates[0];
    assert_eq!(best.person, child_ref(), "{view:#?}");
    assert!(best.probability >= 0.5, "{best:?}");
    assert!(
        best.reasons.iter().any(|r| r == "same date of birth"),
        "{:?}",
        best.reasons
    );
    assert!(
        best.reasons.iter().any(|r| r == "surname one letter apart"),
        "{:?}",
        best.reasons
    );
    let known = best.child.as_ref().unwrap();
    assert_eq!(known.details.as_ref().unwrap().name.family, "Hartwell");
    assert_eq!(known.family, Some(family()));
    assert_eq!(known.open_work, ["Child in need"]);
    assert_eq!(known.worker.as_ref().unwrap().as_str(), WORKER);
    assert_eq!(known.team.as_ref().unwrap().as_str(), TEAM);
    assert_eq!(
        (known.contacts_last_year, known.referrals_last_year),
        (0, 1)
    );
    // Her mother is found too, as an adult of the family.
    assert_eq!(
        view.people[1].candidates[0].person,
        PersonRef::Adult(mother())
    );
    let claire = &view.people[1].candidates[0];
    assert!(claire.child.is_none());
    let known = claire.adult.as_ref().unwrap();
    assert_eq!(known.family, family());
    assert_eq!(known.details.name.given, "Claire");
    assert_eq!(
        f.log_of(&Subject::Family(family())).await,
        [(
            "jo.screener".to_owned(),
            format!("candidate for contact:{k}")
        )]
    );

    // Every child shown is logged, and the contact.
    assert_eq!(
        f.log_of(&child_subject()).await,
        [(
            "jo.screener".to_owned(),
            format!("candidate for contact:{k}")
        )]
    );
    assert_eq!(
        f.log_of(&contact_subject(&k)).await.last().unwrap(),
        &("jo.screener".to_owned(), "front door: test".to_owned())
    );

    // Once linked, the view says so, and the contact's own mirror is not counted as
    // another contact.
    f.app
        .link_person(&screener(), now(), &k, 0, child_ref(), view.version)
        .await
        .unwrap();
    let view = f.app.contact(&screener(), now(), &k).await.unwrap();
    assert_eq!(view.people[0].linked, Some(child_ref()));
    let known = view.people[0].candidates[0].child.as_ref().unwrap();
    assert_eq!(known.contacts_last_year, 0);
}

async fn a_restricted_child_is_no_candidate_for_anyone_not_named(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    let k = f.receive_about_child().await;
    let named = hearth_domain::access::UserName::parse("kim.manager").unwrap();
    f.store
        .add_user(&hearth_store::User {
            name: named.clone(),
            role: hearth_domain::access::Role::TeamManager,
            password_hash: String::from("not a hash: never signs in"),
            created_at: now(),
            worker: None,
        })
        .await
        .unwrap();
    let cli = hearth_app::Caller::command_line("restrict: test");
    f.app
        .restrict(&cli, now(), &child(), &[named])
        .await
        .unwrap();
    let log_before = f.log_of(&child_subject()).await.len();
    let view = f.app.contact(&screener(), now(), &k).await.unwrap();
    assert!(
        view.people
            .iter()
            .flat_map(|p| &p.candidates)
            .all(|c| c.person != child_ref()),
        "{view:#?}"
    );
    let log = f.log_of(&child_subject()).await;
    assert_eq!(
        log[log_before..],
        [(
            "jo.screener".to_owned(),
            format!("refused (restricted): candidate for contact:{k}")
        )]
    );
    // The manager named on the restriction sees her.
    let view = f.app.contact(&manager(), now(), &k).await.unwrap();
    assert_eq!(view.people[0].candidates[0].person, child_ref());
    assert_eq!(
        f.log_of(&child_subject()).await.last().unwrap(),
        &(
            "kim.manager".to_owned(),
            format!("candidate for contact:{k}")
        )
    );
}

async fn reading_a_contact_is_refused_to_a_role_that_may_not_screen(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    let k = f.receive_about_child().await;
    let rows = f.log_rows().await;
    let refused = f.app.contact(&partner(), now(), &k).await;
    assert!(
        matches!(
            refused,
            Err(ContactError::App(AppError::Refused(
                Permission::ScreenContacts
            )))
        ),
        "{refused:?}"
    );
    assert_eq!(f.log_rows().await, rows + 1);
    assert!(f.log_of(&child_subject()).await.is_empty());
    let nobody = ContactId::parse("CT0000000000").unwrap();
    let unknown = f.app.contact(&screener(), now(), &nobody).await;
    assert!(
        matches!(unknown, Err(ContactError::NoContact)),
        "{unknown:?}"
    );
}

async fn a_child_recorded_after_the_index_was_built_is_found(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    let k = f.receive_about_child().await;
    let first = f.app.contact(&screener(), now(), &k).await.unwrap();
    let ids = |v: &hearth_app::ContactView| -> Vec<PersonRef> {
        v.people[0]
            .candidates
            .iter()
            .map(|c| c.person.clone())
            .collect()
    };
    assert_eq!(ids(&first), [child_ref()]);
    // Another record of Lily, as the contact spells her, written after the index was
    // built (by another node, say).
    let twin = hearth_domain::ids::ChildId::parse("C2").unwrap();
    let mut details = f
        .store
        .child(&child())
        .await
        .unwrap()
        .unwrap()
        .state
        .details
        .unwrap();
    details.name.family = String::from("Hartwel");
    details.nhs_number = None;
    f.store
        .append(
            0,
            vec![Event {
                id: EventId::parse("c2-01").unwrap(),
                subject: Subject::Child(twin.clone()),
                occurred_at: OccurredAt::parse("2024-05-01").unwrap(),
                recorded_at: now(),
                recorded_by: hearth_domain::ids::Actor::parse("test").unwrap(),
                data: EventData::PersonRegistered(hearth_domain::event::PersonRegistered {
                    adult: None,
                    family: None,
                    details,
                }),
            }],
        )
        .await
        .unwrap();
    let second = f.app.contact(&screener(), now(), &k).await.unwrap();
    assert!(
        ids(&second).contains(&PersonRef::Child(twin)),
        "{second:#?}"
    );
    assert!(ids(&second).contains(&child_ref()));
}

async fn creating_a_child_registers_them_as_given_and_links_them(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    let k = f.receive_about_child().await;
    let (new, version) = f
        .app
        .create_person(&screener(), now(), &k, 0, Some(family()))
        .await
        .unwrap();
    assert_eq!(version, 2);
    let PersonRef::Child(id) = &new else {
        panic!("{new:?}")
    };
    assert!(
        id.as_str().starts_with("CH") && id.as_str().len() == 12,
        "{id}"
    );
    let record = f.store.child(id).await.unwrap().unwrap();
    let details = record.state.details.as_ref().unwrap();
    assert_eq!(
        (details.name.given.as_str(), details.name.family.as_str()),
        ("Lily", "Hartwel")
    );
    assert_eq!(details.date_of_birth, Some(BORN));
    assert_eq!(details.ethnicity, hearth_domain::codes::Ethnicity::Nobt);
    assert_eq!(details.sex, hearth_domain::codes::Sex::Unknown);
    assert_eq!(
        details.address.as_ref().unwrap().postcode.as_str(),
        "TN23 1AB"
    );
    assert_eq!(record.state.family, Some(family()));
    assert!(record.state.open_contacts.contains(&k));
    let journey = f.journey(&Subject::Child(id.clone())).await;
    let kinds: Vec<&str> = journey.iter().map(|e| e.kind()).collect();
    assert_eq!(kinds, ["person_registered", "contact_received"]);
    assert_eq!(journey[0].occurred_at, OccurredAt::at(RECEIVED, 9, 15));

    let contact = f.journey(&contact_subject(&k)).await;
    let EventData::PersonLinked(link) = &contact.last().unwrap().data else {
        panic!("{contact:?}")
    };
    assert!(link.created);
    assert_eq!((link.given, &link.person), (0, &new));
    assert_eq!(
        f.log_of(&contact_subject(&k)).await.last().unwrap(),
        &(
            "jo.screener".to_owned(),
            format!("created and linked {new}")
        )
    );
    assert_eq!(
        f.log_of(&Subject::Child(id.clone())).await,
        [(
            "jo.screener".to_owned(),
            format!("created from contact:{k}")
        )]
    );
}

async fn creating_an_adult_registers_them_in_a_family(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    let k = f.receive_about_child().await;
    let before = f.journey(&Subject::Family(family())).await.len();
    let (new, _) = f
        .app
        .create_person(&screener(), now(), &k, 1, Some(family()))
        .await
        .unwrap();
    assert!(matches!(new, PersonRef::Adult(_)), "{new:?}");
    let added = after(&f, &Subject::Family(family()), before).await;
    assert_eq!(added.len(), 1);
    let EventData::PersonRegistered(r) = &added[0].data else {
        panic!("{added:?}")
    };
    assert_eq!(r.family, Some(family()));
    assert_eq!(r.details.name.given, "Claire");
    let state = f.store.contact(&k).await.unwrap().unwrap().state;
    assert_eq!(state.links.get(&1), Some(&new));

    // With no family named, a new one holds them.
    let k2 = f.receive_about_child().await;
    let (adult, _) = f
        .app
        .create_person(&screener(), now(), &k2, 1, None)
        .await
        .unwrap();
    let row = f
        .store
        .people_since(0)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.person == adult)
        .unwrap();
    let new_family = row.family.unwrap();
    assert_ne!(new_family, family());
    assert!(new_family.as_str().starts_with("FA"), "{new_family}");
    assert_eq!(f.journey(&Subject::Family(new_family)).await.len(), 1);
    assert_eq!(
        f.journey(&Subject::Family(family())).await.len(),
        before + 1
    );
}

async fn creating_is_refused_for_a_linked_or_unknown_person_or_family(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    let k = f.receive_about_child().await;
    let v = f
        .app
        .link_person(&screener(), now(), &k, 0, child_ref(), 1)
        .await
        .unwrap();
    let problem = |r: Result<(PersonRef, u64), ContactError>| match r {
        Err(ContactError::NotAllowed(e)) => e.problem,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        problem(f.app.create_person(&screener(), now(), &k, 0, None).await),
        Problem::AlreadyLinked(0)
    );
    assert_eq!(
        problem(f.app.create_person(&screener(), now(), &k, 7, None).await),
        Problem::NoSuchGivenPerson(7)
    );
    let nowhere = hearth_domain::ids::FamilyId::parse("F99").unwrap();
    assert!(matches!(
        problem(
            f.app
                .create_person(&screener(), now(), &k, 1, Some(nowhere))
                .await
        ),
        Problem::NotAMember(PersonRef::Adult(_))
    ));
    let refused = f.app.create_person(&partner(), now(), &k, 1, None).await;
    assert!(
        matches!(
            refused,
            Err(ContactError::App(AppError::Refused(
                Permission::ScreenContacts
            )))
        ),
        "{refused:?}"
    );
    assert_eq!(f.version(&k).await, v);
}
