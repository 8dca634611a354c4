//! Deciding contacts on a real store (SQLite and PostgreSQL): the queue with its
//! clocks, a decision written on the contact and the child's journey with the referral
//! it makes and where it goes, a manager's sign-off, each refusal named and logged,
//! and the due list counting each front-door duty once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/front_door.rs"]
mod front_door;

use front_door::*;
use hearth_app::due::Listing;
use hearth_app::{AppError, Caller, ChildDecision, ContactError, HeldBy};
use hearth_domain::access::{Permission, Role};
use hearth_domain::codes::*;
use hearth_domain::contact::{ContactStatus, IntakeProblem, NewContact};
use hearth_domain::event::*;
use hearth_domain::ids::*;
use hearth_domain::journey::Problem;
use hearth_domain::org::{Level, Locality, Organisation, Service, Team};
use hearth_domain::people::{Address, Name, PersonDetails};
use hearth_domain::timescales::{Due, Duty};
use hearth_store::QueueFilter;
use jiff::Timestamp;
use jiff::civil::date;

on_both_backends!(
    a_referral_for_a_brother_goes_to_the_familys_worker,
    a_decision_goes_to_the_locality_out_of_area_or_to_the_front_door,
    an_early_help_decision_goes_to_the_locality_team_for_the_service,
    each_refusal_is_named_and_logged,
    a_referral_is_refused_while_the_child_has_an_open_referral,
    an_outcome_the_authority_signs_off_waits_for_a_manager,
    a_manager_sends_a_proposal_back,
    the_queue_lists_contacts_oldest_first_with_their_clocks,
    the_decision_is_due_the_working_day_after_a_bank_holiday,
    each_front_door_duty_is_counted_once_on_the_due_list,
    the_front_doors_rows_follow_its_team_when_the_organisation_changes,
    a_contact_about_a_known_child_is_linked_checked_decided_and_routed,
);

/// Testshire with a front door, a threshold (2: early help, 3: referral), an early help
/// team in Ashford (T2), a second locality, Canterbury (CT1 1, team T3), and partner
/// checks timed as the presets time them (red 4 hours, amber 24, green 72).
fn organisation() -> Organisation {
    let mut org = hearth_testkit::front_door_organisation();
    org.timescales = [("red", 4), ("amber", 24), ("green", 72)]
        .into_iter()
        .map(|(rag, hours)| {
            serde_json::from_value(serde_json::json!({
                "duty": format!("partner_check_{rag}"),
                "clock": "partner_check_requested",
                "within": format!("{hours} hours"),
                "source": { "kind": "local_policy", "title": "Testshire front door practice" },
                "effective_from": "2012-04-01",
            }))
            .unwrap()
        })
        .collect();
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
    let area = &mut org.areas[0];
    area.localities[0].teams.push(Team {
        id: TeamId::parse("T2").unwrap(),
        name: String::from("Ashford early help"),
        service: Service::EarlyHelp,
    });
    area.localities.push(Locality {
        name: String::from("Canterbury"),
        child_population: 5_000,
        postcode_sectors: vec!["CT1 1".parse().unwrap()],
        postcode_districts: vec![],
        teams: vec![Team {
            id: TeamId::parse("T3").unwrap(),
            name: String::from("Canterbury CIN team"),
            service: Service::ChildInNeed,
        }],
    });
    org
}

async fn fixture(backend: Backend) -> FrontDoor {
    let f = FrontDoor::new(backend).await;
    f.store.put_organisation(&organisation()).await.unwrap();
    f
}

fn team(id: &str) -> TeamId {
    TeamId::parse(id).unwrap()
}

fn worker(id: &str) -> WorkerId {
    WorkerId::parse(id).unwrap()
}

fn contact_subject(k: &ContactId) -> Subject {
    Subject::Contact(k.clone())
}

fn cid(id: &str) -> ChildId {
    ChildId::parse(id).unwrap()
}

fn address(postcode: &str) -> Address {
    Address {
        lines: vec![String::from("1 High Street")],
        town: String::from("Somewhere"),
        postcode: postcode.parse().unwrap(),
    }
}

/// Register child `id` (born 2019), in `family` if given, living at `postcode` if given.
async fn register(f: &FrontDoor, id: &str, family: Option<&str>, postcode: Option<&str>) {
    let details = PersonDetails {
        name: Name {
            given: String::from("Tom"),
            family: String::from("Hartwell"),
        },
        date_of_birth: Some(date(2019, 5, 1)),
        expected_date_of_birth: None,
        sex: Sex::Male,
        ethnicity: Ethnicity::Wbri,
        disabilities: vec![],
        nhs_number: None,
        upn: None,
        address: postcode.map(address),
    };
    let event = Event {
        id: EventId::parse(&format!("{id}-registered")).unwrap(),
        subject: Subject::Child(cid(id)),
        occurred_at: OccurredAt::on(date(2019, 5, 2)),
        recorded_at: "2024-02-01T09:00:00Z".parse().unwrap(),
        recorded_by: Actor::parse("test").unwrap(),
        data: EventData::PersonRegistered(PersonRegistered {
            adult: None,
            family: family.map(|f| FamilyId::parse(f).unwrap()),
            details,
        }),
    };
    f.store.append(0, vec![event]).await.unwrap();
    if let Some(family) = family {
        let subject = Subject::Family(FamilyId::parse(family).unwrap());
        let version = f.journey(&subject).await.len() as u64;
        let joined = Event {
            id: EventId::parse(&format!("{family}-{id}-mother")).unwrap(),
            subject,
            occurred_at: OccurredAt::on(date(2024, 1, 10)),
            recorded_at: "2024-02-01T09:00:00Z".parse().unwrap(),
            recorded_by: Actor::parse("test").unwrap(),
            data: EventData::RelationshipAdded(Relationship {
                from: PersonRef::Adult(mother()),
                to: PersonRef::Child(cid(id)),
                relationship: RelationshipKind::Parent,
            }),
        };
        f.store.append(version, vec![joined]).await.unwrap();
    }
}

/// Lily's child in need episode closed in May, her worker kept, so she may be
/// referred again.
async fn close_lilys_episode(f: &FrontDoor) {
    let version = f.journey(&child_subject()).await.len() as u64;
    let e = |id: &str, on: &str, data| Event {
        id: EventId::parse(id).unwrap(),
        subject: child_subject(),
        occurred_at: OccurredAt::parse(on).unwrap(),
        recorded_at: "2024-05-20T09:00:00Z".parse().unwrap(),
        recorded_by: Actor::parse("test").unwrap(),
        data,
    };
    f.store
        .append(
            version,
            vec![
                e(
                    "lily-05",
                    "2024-02-20",
                    EventData::AssessmentCompleted(AssessmentCompleted {
                        factors: vec![],
                        services_needed: false,
                        child_seen: None,
                    }),
                ),
                e(
                    "lily-06",
                    "2024-05-20",
                    EventData::CinClosed(CinClosed {
                        reason: ReasonForClosure::NfaAfterAssessment,
                    }),
                ),
            ],
        )
        .await
        .unwrap();
}

/// A contact about [`contact_about_child`]'s people, with the first person's address
/// changed (or taken away), received by the partner and its first person linked to
/// child `id`. Returns the contact and its version.
async fn contact_linked_to(f: &FrontDoor, id: &str, postcode: Option<&str>) -> (ContactId, u64) {
    let mut contact = contact_about_child();
    let given = &mut contact.intake.people[0].address;
    match postcode {
        Some(p) => given.as_mut().unwrap().postcode = Some(p.parse().unwrap()),
        None => *given = None,
    }
    let k = f
        .app
        .receive_contact(&partner(), now(), contact)
        .await
        .unwrap();
    let version = f
        .app
        .link_person(&screener(), now(), &k, 0, PersonRef::Child(cid(id)), 1)
        .await
        .unwrap();
    (k, version)
}

fn referral(child: &str) -> ChildDecision {
    ChildDecision {
        child: Some(cid(child)),
        outcome: ContactOutcome::Referral,
        level: Some(String::from("3")),
        reasons: String::from("Disclosure of harm at home; threshold for assessment met."),
        primary_need: Some(PrimaryNeed::AbuseOrNeglect),
    }
}

fn no_further_action() -> ChildDecision {
    ChildDecision {
        child: None,
        outcome: ContactOutcome::NoFurtherAction,
        level: None,
        reasons: String::from("Checks show the concern is already being met."),
        primary_need: None,
    }
}

async fn a_referral_for_a_brother_goes_to_the_familys_worker(backend: Backend) {
    let f = fixture(backend).await;
    register(&f, "C2", Some(FAMILY), None).await;
    let (k, version) = contact_linked_to(&f, "C2", Some("TN23 1AB")).await;
    let before = f.journey(&Subject::Child(cid("C2"))).await.len();
    let decided = f
        .app
        .decide(&screener(), now(), &k, vec![referral("C2")], version)
        .await
        .unwrap();
    assert!(!decided.proposed);
    assert_eq!(decided.re_referrals, Vec::<ChildId>::new());
    assert_eq!(
        decided.routes,
        [ContactRouted {
            child: Some(cid("C2")),
            team: team(TEAM),
            worker: Some(worker(WORKER)),
            locality: Some(String::from("Ashford")),
            reason: RouteReason::ExistingWorker,
        }]
    );
    let record = f.store.contact(&k).await.unwrap().unwrap();
    assert_eq!(record.version, decided.version);
    assert_eq!(record.state.status(), ContactStatus::Decided);
    assert_eq!(record.state.routes.len(), 1);
    // On Tom's journey: the decision, the referral from the contact, where it went,
    // and his allocation to the worker his sister has.
    let kinds: Vec<&str> = f.journey(&Subject::Child(cid("C2"))).await[before..]
        .iter()
        .map(Event::kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "contact_decided",
            "referral_accepted",
            "contact_routed",
            "allocated"
        ]
    );
    let tom = f.store.child(&cid("C2")).await.unwrap().unwrap().state;
    assert!(tom.open_contacts.is_empty());
    assert_eq!(
        tom.cin.as_ref().map(|c| c.source),
        Some(ReferralSource::Schools)
    );
    assert_eq!(
        tom.allocation.as_ref().map(|a| &a.worker),
        Some(&worker(WORKER))
    );
    assert_eq!(
        f.log_of(&contact_subject(&k)).await.last().unwrap(),
        &("jo.screener".to_owned(), "decided".to_owned())
    );
    assert_eq!(
        f.log_of(&Subject::Child(cid("C2"))).await.last().unwrap(),
        &("jo.screener".to_owned(), format!("decided on contact:{k}"))
    );
}

async fn a_decision_goes_to_the_locality_out_of_area_or_to_the_front_door(backend: Backend) {
    let f = fixture(backend).await;
    // Canterbury by the child's record; Medway (no locality) by what the contact gave;
    // and a child with no address known anywhere.
    register(&f, "C3", None, Some("CT1 1AA")).await;
    register(&f, "C4", None, None).await;
    register(&f, "C5", None, None).await;
    let cases = [
        (
            "C3",
            Some("TN23 1AB"),
            "T3",
            Some("Canterbury"),
            RouteReason::Locality,
        ),
        ("C4", Some("ME1 1AA"), "T0", None, RouteReason::OutOfArea),
        ("C5", None, "T0", None, RouteReason::NoAddress),
    ];
    for (child, given, to, locality, reason) in cases {
        let (k, version) = contact_linked_to(&f, child, given).await;
        let decided = f
            .app
            .decide(&screener(), now(), &k, vec![referral(child)], version)
            .await
            .unwrap();
        assert_eq!(
            decided.routes,
            [ContactRouted {
                child: Some(cid(child)),
                team: team(to),
                worker: None,
                locality: locality.map(String::from),
                reason,
            }],
            "{child}"
        );
        // Nobody is allocated by a route to a team.
        let state = f.store.child(&cid(child)).await.unwrap().unwrap().state;
        assert_eq!(state.allocation, None, "{child}");
    }
}

async fn an_early_help_decision_goes_to_the_locality_team_for_the_service(backend: Backend) {
    let f = fixture(backend).await;
    // Lily's worker is in a child in need team, which gives no early help.
    let (k, version) = contact_linked_to(&f, CHILD, Some("TN23 1AB")).await;
    let decided = f
        .app
        .decide(
            &screener(),
            now(),
            &k,
            vec![ChildDecision {
                outcome: ContactOutcome::EarlyHelp,
                level: Some(String::from("2")),
                primary_need: None,
                ..referral(CHILD)
            }],
            version,
        )
        .await
        .unwrap();
    assert_eq!(decided.routes[0].team, team("T2"));
    assert_eq!(decided.routes[0].reason, RouteReason::Locality);
    // No referral for early help.
    let lily = f.store.child(&child()).await.unwrap().unwrap().state;
    assert_eq!(lily.history.referrals, 1);
}

/// The last row of the contact's access log.
async fn last_log(f: &FrontDoor, k: &ContactId) -> (String, String) {
    f.log_of(&contact_subject(k)).await.pop().unwrap()
}

async fn each_refusal_is_named_and_logged(backend: Backend) {
    let f = fixture(backend).await;
    register(&f, "C2", Some(FAMILY), None).await;
    let (k, version) = contact_linked_to(&f, "C2", Some("TN23 1AB")).await;
    let journey = f.journey(&contact_subject(&k)).await.len();
    let refused = |why: &str| {
        (
            "jo.screener".to_owned(),
            format!("refused ({why}): front door: test"),
        )
    };

    // A role that may not decide.
    let rows = f.log_rows().await;
    let analyst = user("pat.analyst", Role::Analyst);
    let r = f
        .app
        .decide(&analyst, now(), &k, vec![referral("C2")], version)
        .await;
    assert!(
        matches!(
            r,
            Err(ContactError::App(AppError::Refused(
                Permission::DecideContacts
            )))
        ),
        "{r:?}"
    );
    assert_eq!(f.log_rows().await, rows + 1);
    // A screener may not sign off.
    let r = f
        .app
        .sign_off(&screener(), now(), &k, true, "", version)
        .await;
    assert!(
        matches!(
            r,
            Err(ContactError::App(AppError::Refused(
                Permission::SignOffDecisions
            )))
        ),
        "{r:?}"
    );
    // No such contact.
    let nobody = ContactId::parse("CT0000000000").unwrap();
    let r = f
        .app
        .decide(&screener(), now(), &nobody, vec![referral("C2")], 1)
        .await;
    assert!(matches!(r, Err(ContactError::NoContact)), "{r:?}");
    assert_eq!(last_log(&f, &nobody).await, refused("no such contact"));
    // A version that moved.
    let r = f
        .app
        .decide(&screener(), now(), &k, vec![referral("C2")], version - 1)
        .await;
    assert!(matches!(r, Err(ContactError::Changed)), "{r:?}");
    assert_eq!(last_log(&f, &k).await, refused("changed"));
    // What the request itself lacks, by field.
    let bad = |d: ChildDecision| vec![d];
    let cases = [
        (vec![], "decisions", IntakeProblem::Empty),
        (
            bad(ChildDecision {
                reasons: String::from("  "),
                ..referral("C2")
            }),
            "decisions[0].reasons",
            IntakeProblem::Empty,
        ),
        (
            bad(ChildDecision {
                level: Some(String::from("9")),
                ..referral("C2")
            }),
            "decisions[0].level",
            IntakeProblem::NotCode { list: "level" },
        ),
        (
            bad(ChildDecision {
                primary_need: None,
                ..referral("C2")
            }),
            "decisions[0].primary_need",
            IntakeProblem::Missing,
        ),
    ];
    for (decisions, field, problem) in cases {
        let r = f
            .app
            .decide(&screener(), now(), &k, decisions, version)
            .await;
        match r {
            Err(ContactError::Intake(e)) => {
                assert_eq!((e.field.as_str(), &e.problem), (field, &problem));
            }
            other => panic!("{field}: {other:?}"),
        }
        assert_eq!(last_log(&f, &k).await, refused("bad request"));
    }
    // Steps the contact's journey refuses: a child not linked, a referral for nobody.
    let r = f
        .app
        .decide(&screener(), now(), &k, vec![referral(CHILD)], version)
        .await;
    match r {
        Err(ContactError::NotAllowed(e)) => {
            assert_eq!(e.problem, Problem::ChildNotLinked(child()));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(last_log(&f, &k).await, refused("not allowed"));
    let whole = ChildDecision {
        child: None,
        ..referral("C2")
    };
    let r = f
        .app
        .decide(&screener(), now(), &k, vec![whole], version)
        .await;
    match r {
        Err(ContactError::NotAllowed(e)) => assert_eq!(e.problem, Problem::ReferralNeedsChild),
        other => panic!("{other:?}"),
    }
    // Nothing was written by any of them.
    assert_eq!(f.journey(&contact_subject(&k)).await.len(), journey);
    // Decided once, not twice.
    let decided = f
        .app
        .decide(&screener(), now(), &k, vec![referral("C2")], version)
        .await
        .unwrap();
    let r = f
        .app
        .decide(
            &screener(),
            now(),
            &k,
            vec![referral("C2")],
            decided.version,
        )
        .await;
    match r {
        Err(ContactError::NotAllowed(e)) => assert_eq!(e.problem, Problem::AlreadyDecided),
        other => panic!("{other:?}"),
    }
    // A sign-off with nothing proposed.
    let r = f
        .app
        .sign_off(&manager(), now(), &k, true, "", decided.version)
        .await;
    match r {
        Err(ContactError::NotAllowed(e)) => assert_eq!(e.problem, Problem::NothingProposed),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        last_log(&f, &k).await,
        (
            "kim.manager".to_owned(),
            String::from("refused (not allowed): front door: test")
        )
    );
}

async fn a_referral_is_refused_while_the_child_has_an_open_referral(backend: Backend) {
    let f = fixture(backend).await;
    // Lily's episode from January is still open.
    let (k, version) = contact_linked_to(&f, CHILD, Some("TN23 1AB")).await;
    let lily = f.journey(&child_subject()).await.len();
    let r = f
        .app
        .decide(&screener(), now(), &k, vec![referral(CHILD)], version)
        .await;
    match r {
        Err(ContactError::NotAllowed(e)) => {
            assert_eq!(e.problem, Problem::CinAlreadyOpen);
            assert_eq!(e.kind, "referral_accepted");
            // The refusal names the child, by the event it would have written.
            assert!(e.to_string().contains(CHILD), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        last_log(&f, &k).await,
        (
            "jo.screener".to_owned(),
            String::from("refused (not allowed): front door: test")
        )
    );
    assert_eq!(f.journey(&child_subject()).await.len(), lily);
    assert_eq!(f.version(&k).await, version);
}

async fn an_outcome_the_authority_signs_off_waits_for_a_manager(backend: Backend) {
    let f = fixture(backend).await;
    let k = f.receive_about_child().await;
    let proposed = f
        .app
        .decide(&screener(), now(), &k, vec![no_further_action()], 1)
        .await
        .unwrap();
    assert!(proposed.proposed);
    assert!(proposed.routes.is_empty());
    let record = f.store.contact(&k).await.unwrap().unwrap();
    assert_eq!(record.state.status(), ContactStatus::AwaitingSignOff);
    assert_eq!(record.state.proposals[0].by.as_str(), "jo.screener");
    assert_eq!(
        last_log(&f, &k).await,
        ("jo.screener".to_owned(), "decision proposed".to_owned())
    );
    // A manager who proposed a decision does not sign it off themselves.
    let k2 = f.receive_about_child().await;
    f.app
        .decide(&manager(), now(), &k2, vec![no_further_action()], 1)
        .await
        .unwrap();
    let r = f.app.sign_off(&manager(), now(), &k2, true, "", 2).await;
    match r {
        Err(ContactError::NotAllowed(e)) => assert_eq!(e.problem, Problem::OwnProposal),
        other => panic!("{other:?}"),
    }
    // Another manager signs the first off: it stands, naming who proposed it.
    let signed = f
        .app
        .sign_off(&manager(), now(), &k, true, "Agreed.", proposed.version)
        .await
        .unwrap();
    assert!(!signed.proposed);
    let state = f.store.contact(&k).await.unwrap().unwrap().state;
    assert_eq!(state.status(), ContactStatus::Decided);
    let decision = &state.decisions[0];
    assert_eq!(decision.outcome, ContactOutcome::NoFurtherAction);
    assert_eq!(decision.by.as_str(), "kim.manager");
    assert_eq!(
        decision.proposed_by.as_ref().unwrap().as_str(),
        "jo.screener"
    );
    assert_eq!(
        decision.reasons.as_deref(),
        Some("Checks show the concern is already being met.\nSigned off: Agreed.")
    );
    assert_eq!(
        last_log(&f, &k).await,
        ("kim.manager".to_owned(), "decided".to_owned())
    );
}

async fn a_manager_sends_a_proposal_back(backend: Backend) {
    let f = fixture(backend).await;
    let k = f.receive_about_child().await;
    let proposed = f
        .app
        .decide(&screener(), now(), &k, vec![no_further_action()], 1)
        .await
        .unwrap();
    // Sending back needs a reason.
    let r = f
        .app
        .sign_off(&manager(), now(), &k, false, " ", proposed.version)
        .await;
    assert!(matches!(r, Err(ContactError::Intake(_))), "{r:?}");
    let back = f
        .app
        .sign_off(
            &manager(),
            now(),
            &k,
            false,
            "Ask health first.",
            proposed.version,
        )
        .await
        .unwrap();
    let state = f.store.contact(&k).await.unwrap().unwrap().state;
    // Back where it was before the proposal: nobody linked, no check asked.
    assert_eq!(state.status(), ContactStatus::New);
    assert!(state.proposals.is_empty() && state.decisions.is_empty());
    assert_eq!(
        last_log(&f, &k).await,
        ("kim.manager".to_owned(), "decision sent back".to_owned())
    );
    // The history stays: the proposal and its retraction.
    let kinds: Vec<&str> = f
        .journey(&contact_subject(&k))
        .await
        .iter()
        .map(Event::kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "contact_received",
            "contact_decision_proposed",
            "event_retracted"
        ]
    );
    // The screener can decide again.
    let again = f
        .app
        .decide(
            &screener(),
            now(),
            &k,
            vec![no_further_action()],
            back.version,
        )
        .await
        .unwrap();
    assert!(again.proposed);
}

fn all() -> QueueFilter {
    QueueFilter {
        statuses: vec![],
        decided_on: None,
        locality: None,
        urgency: None,
        limit: 100,
    }
}

/// A contact like [`contact_about_child`], received at `at`.
fn received_at(at: OccurredAt) -> NewContact {
    NewContact {
        received_at: at,
        ..contact_about_child()
    }
}

async fn the_queue_lists_contacts_oldest_first_with_their_clocks(backend: Backend) {
    let f = fixture(backend).await;
    // Thursday 30 May: due Friday 31 May, overdue by Monday 3 June.
    let old = f
        .app
        .receive_contact(
            &partner(),
            now(),
            received_at(OccurredAt::at(date(2024, 5, 30), 10, 0)),
        )
        .await
        .unwrap();
    let new = f.receive_about_child().await;
    // A red check on the new one, asked at 11:00: due at 15:00 today.
    f.app
        .request_check(&screener(), now(), &new, Agency::Police, Rag::Red)
        .await
        .unwrap();
    let rows_before = f.log_rows().await;
    let rows = f
        .app
        .contact_queue(&screener(), now(), &all())
        .await
        .unwrap();
    let ids: Vec<&ContactId> = rows.iter().map(|r| &r.contact.state.id).collect();
    assert_eq!(ids, [&old, &new]);
    assert_eq!(rows[0].status, ContactStatus::New);
    assert_eq!(rows[0].due, Some(Due::On(date(2024, 5, 31))));
    assert!(rows[0].overdue);
    assert_eq!(rows[1].status, ContactStatus::AwaitingChecks);
    // The check falls due before the decision does.
    assert_eq!(rows[1].due, Some(Due::At(date(2024, 6, 3).at(15, 0, 0, 0))));
    assert!(!rows[1].overdue);
    // At 16:00 the check is late.
    let later: Timestamp = "2024-06-03T15:00:00Z".parse().unwrap();
    let rows = f
        .app
        .contact_queue(&screener(), later, &all())
        .await
        .unwrap();
    assert!(rows[1].overdue);
    // One log row each, naming no contact.
    assert_eq!(f.log_rows().await, rows_before + 2);
    assert_eq!(
        f.log_of(&contact_subject(&new)).await.last().unwrap().1,
        "check requested (police)"
    );
    // A partner may not read the queue.
    let r = f.app.contact_queue(&partner(), now(), &all()).await;
    assert!(
        matches!(
            r,
            Err(ContactError::App(AppError::Refused(
                Permission::ScreenContacts
            )))
        ),
        "{r:?}"
    );
}

async fn the_decision_is_due_the_working_day_after_a_bank_holiday(backend: Backend) {
    let f = fixture(backend).await;
    // Friday 23 August 2024 at 16:00, before the summer bank holiday (Monday 26th):
    // one working day is Tuesday 27th.
    let wednesday: Timestamp = "2024-08-27T09:00:00Z".parse().unwrap();
    let k = f
        .app
        .receive_contact(
            &partner(),
            wednesday,
            received_at(OccurredAt::at(date(2024, 8, 23), 16, 0)),
        )
        .await
        .unwrap();
    let rows = f
        .app
        .contact_queue(&screener(), wednesday, &all())
        .await
        .unwrap();
    assert_eq!(rows[0].contact.state.id, k);
    assert_eq!(rows[0].due, Some(Due::On(date(2024, 8, 27))));
    assert!(!rows[0].overdue);
    let wednesday: Timestamp = "2024-08-28T09:00:00Z".parse().unwrap();
    let rows = f
        .app
        .contact_queue(&screener(), wednesday, &all())
        .await
        .unwrap();
    assert!(rows[0].overdue);
}

async fn each_front_door_duty_is_counted_once_on_the_due_list(backend: Backend) {
    let f = fixture(backend).await;
    // Linked to Lily and Tom, with a red check asked: the check and the decision are
    // mirrored on both their journeys.
    register(&f, "C2", Some(FAMILY), Some("TN23 1AB")).await;
    let k = f.receive_about_child().await;
    f.app
        .link_person(&screener(), now(), &k, 0, PersonRef::Child(child()), 1)
        .await
        .unwrap();
    let mut second = contact_about_child();
    second.intake.people[1] = second.intake.people[0].clone();
    let k2 = f
        .app
        .receive_contact(&partner(), now(), second)
        .await
        .unwrap();
    f.app
        .request_check(&screener(), now(), &k, Agency::Police, Rag::Red)
        .await
        .unwrap();
    // Another contact, about nobody linked yet.
    for (given, who) in [(0, child()), (1, cid("C2"))] {
        let version = f.version(&k2).await;
        f.app
            .link_person(
                &screener(),
                now(),
                &k2,
                given,
                PersonRef::Child(who),
                version,
            )
            .await
            .unwrap();
    }
    let version = f.version(&k2).await;
    f.app
        .request_check(&screener(), now(), &k2, Agency::Health, Rag::Red)
        .await
        .unwrap();
    assert_eq!(f.version(&k2).await, version + 1);
    let k3 = f
        .app
        .receive_contact(
            &partner(),
            now(),
            received_at(OccurredAt::at(RECEIVED, 9, 0)),
        )
        .await
        .unwrap();
    // As at Wednesday: each contact's decision overdue (due Tuesday), and each red
    // check (due Monday afternoon).
    let wednesday = date(2024, 6, 5);
    let caller = Caller::command_line("hearth due");
    let authority = f.app.authority(wednesday).await.unwrap();
    let list = f
        .app
        .due_list(
            &caller,
            now(),
            &authority,
            wednesday,
            &HeldBy::Anyone,
            Listing::Children,
        )
        .await
        .unwrap();
    let front_door: Vec<(Option<&ChildId>, Option<&ContactId>, Duty)> = list
        .items
        .iter()
        .filter(|i| i.obligation.contact.is_some())
        .map(|i| {
            (
                i.obligation.child.as_ref(),
                i.obligation.contact.as_ref(),
                i.obligation.duty,
            )
        })
        .collect();
    let mut expected = vec![
        (None, Some(&k), Duty::ContactDecision),
        (None, Some(&k), Duty::PartnerCheckRed),
        (None, Some(&k2), Duty::ContactDecision),
        (None, Some(&k2), Duty::PartnerCheckRed),
        (None, Some(&k3), Duty::ContactDecision),
    ];
    let mut found = front_door.clone();
    found.sort();
    expected.sort();
    assert_eq!(found, expected);
    // Each under the front door's team, overdue.
    for item in list.items.iter().filter(|i| i.obligation.contact.is_some()) {
        assert_eq!(item.team, Some(team("T0")));
        assert_eq!(item.worker, None);
        assert_eq!(item.standing, hearth_domain::due::Standing::Overdue);
    }
    let t0 = list
        .teams
        .iter()
        .find(|t| t.team == Some(team("T0")))
        .unwrap();
    assert_eq!(t0.tally.overdue, 5);
    // A contact's rows are logged against the contact.
    assert_eq!(
        f.log_of(&contact_subject(&k3)).await.last().unwrap(),
        &("hearth-cli".to_owned(), "hearth due".to_owned())
    );
    // The front door's team alone has them; a worker's list none.
    let list = f
        .app
        .due_list(
            &caller,
            now(),
            &authority,
            wednesday,
            &HeldBy::Team(team("T0")),
            Listing::Children,
        )
        .await
        .unwrap();
    assert_eq!(list.total.overdue, 5);
    let list = f
        .app
        .due_list(
            &caller,
            now(),
            &authority,
            wednesday,
            &HeldBy::Worker(worker(WORKER)),
            Listing::Children,
        )
        .await
        .unwrap();
    assert!(list.items.iter().all(|i| i.obligation.contact.is_none()));
}

async fn the_front_doors_rows_follow_its_team_when_the_organisation_changes(backend: Backend) {
    let f = fixture(backend).await;
    f.receive_about_child().await;
    let wednesday = date(2024, 6, 5);
    let caller = Caller::command_line("hearth due");
    let teams = |list: &hearth_app::due::DueList| -> Vec<Option<TeamId>> {
        list.items
            .iter()
            .filter(|i| i.obligation.contact.is_some())
            .map(|i| i.team.clone())
            .collect()
    };
    let authority = f.app.authority(wednesday).await.unwrap();
    let list = f
        .app
        .due_list(
            &caller,
            now(),
            &authority,
            wednesday,
            &HeldBy::Anyone,
            Listing::Children,
        )
        .await
        .unwrap();
    assert_eq!(teams(&list), [Some(team("T0"))]);
    // A new front-door team, and nothing appended: the list is drawn up again.
    let mut org = organisation();
    org.areas[0].localities[1].teams.push(Team {
        id: team("T9"),
        name: String::from("Testshire MASH"),
        service: Service::FrontDoor,
    });
    org.front_door.as_mut().unwrap().team = team("T9");
    f.store.put_organisation(&org).await.unwrap();
    let authority = f.app.authority(wednesday).await.unwrap();
    let list = f
        .app
        .due_list(
            &caller,
            now(),
            &authority,
            wednesday,
            &HeldBy::Anyone,
            Listing::Children,
        )
        .await
        .unwrap();
    assert_eq!(teams(&list), [Some(team("T9"))]);
}

/// The "done when" story of issue 13, as one journey.
async fn a_contact_about_a_known_child_is_linked_checked_decided_and_routed(backend: Backend) {
    let f = fixture(backend).await;
    close_lilys_episode(&f).await;
    let lily_before = f.journey(&child_subject()).await.len();
    // The school's contact: surname misspelt, no NHS number.
    let k = f.receive_about_child().await;
    // The screener finds Lily among the candidates, and links her.
    let view = f.app.contact(&screener(), now(), &k).await.unwrap();
    let lily = PersonRef::Child(child());
    assert!(
        view.people[0].candidates.iter().any(|c| c.person == lily),
        "Lily is a candidate"
    );
    let mut version = f
        .app
        .link_person(&screener(), now(), &k, 0, lily, view.version)
        .await
        .unwrap();
    // Red and amber checks asked and answered within the morning.
    let at = |h: i8| -> Timestamp { format!("2024-06-03T{:02}:30:00Z", h - 1).parse().unwrap() };
    for (agency, rag) in [(Agency::Police, Rag::Red), (Agency::Health, Rag::Amber)] {
        f.app
            .request_check(&screener(), at(11), &k, agency, rag)
            .await
            .unwrap();
    }
    for agency in [Agency::Police, Agency::Health] {
        version = f
            .app
            .record_check(
                &screener(),
                at(13),
                &k,
                agency,
                Some(String::from("Known.")),
            )
            .await
            .unwrap();
    }
    let queue = f
        .app
        .contact_queue(&screener(), at(14), &all())
        .await
        .unwrap();
    assert_eq!(queue[0].status, ContactStatus::AwaitingDecision);
    assert_eq!(queue[0].due, Some(Due::On(date(2024, 6, 4))));
    assert!(!queue[0].overdue);
    // Decided on the day, a referral: Lily was referred in January, so it is a
    // re-referral; she goes to the worker she has.
    let decided = f
        .app
        .decide(&screener(), at(15), &k, vec![referral(CHILD)], version)
        .await
        .unwrap();
    assert_eq!(decided.re_referrals, [child()]);
    assert_eq!(
        decided.routes,
        [ContactRouted {
            child: Some(child()),
            team: team(TEAM),
            worker: Some(worker(WORKER)),
            locality: Some(String::from("Ashford")),
            reason: RouteReason::ExistingWorker,
        }]
    );
    // Every step on Lily's journey, and the decision met in time.
    let steps: Vec<&str> = f.journey(&child_subject()).await[lily_before..]
        .iter()
        .map(Event::kind)
        .collect();
    assert_eq!(
        steps,
        [
            "contact_received",
            "partner_check_requested",
            "partner_check_requested",
            "partner_check_returned",
            "partner_check_returned",
            "contact_decided",
            "referral_accepted",
            "contact_routed",
        ]
    );
    let (events, _) = f.store.journey(&child_subject()).await.unwrap();
    let authority = f.app.authority(RECEIVED).await.unwrap();
    let duties = hearth_domain::obligations::obligations(
        &child(),
        &events,
        &authority.rules,
        &authority.calendar,
        RECEIVED,
    )
    .unwrap();
    let front_door: Vec<_> = duties
        .iter()
        .filter(|o| o.contact.as_ref() == Some(&k))
        .collect();
    assert_eq!(front_door.len(), 3);
    assert!(
        front_door
            .iter()
            .all(|o| matches!(o.status, hearth_domain::obligations::Status::Met { .. })),
        "{front_door:?}"
    );
    let state = f.store.contact(&k).await.unwrap().unwrap().state;
    assert_eq!(state.status(), ContactStatus::Decided);
    let lily = f.store.child(&child()).await.unwrap().unwrap().state;
    assert_eq!(lily.history.referrals, 2);
    assert_eq!(lily.allocation.map(|a| a.worker), Some(worker(WORKER)));
}
