//! A family on a real store (SQLite and PostgreSQL): two children and two adults, all
//! shown with their work, worker and plan; who lives where; the professionals against
//! the organisation's limit; the access log has the family and each child; a
//! restricted child is left out, with every tie naming them, for a role not named on it.
//! A team manager allocates the family's children to one worker, all or none; step up
//! and step down keep the worker, so only a manager moves a child to another, saying
//! why; a change into another team counts as a hand-off.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/front_door.rs"]
mod front_door;

use front_door::{Backend, now};
use hearth_app::{AllocateError, App, AppError, Caller, FamilyAllocation, NewEvent};
use hearth_domain::access::{Permission, Role, UserName};
use hearth_domain::codes::{Agency, PrimaryNeed, Rag, ReferralSource, RelationshipKind};
use hearth_domain::event::{
    Allocated, ContactReceived, EarlyHelpStarted, Event, EventData, OccurredAt, PartnerCheck,
    PersonRegistered, ReferralAccepted, Relationship,
};
use hearth_domain::ids::{
    Actor, AdultId, ChildId, ContactId, EventId, FamilyId, PersonRef, ReferralId, Subject, TeamId,
    WorkerId,
};
use hearth_domain::journey::Problem;
use hearth_domain::org::Policy;
use hearth_domain::people::Address;
use hearth_store::{Store, User};
use hearth_testkit::{details, ev};
use jiff::civil::date;
use std::collections::BTreeSet;
use std::sync::Arc;

on_both_backends!(
    a_family_shows_every_child_and_adult_with_work_worker_and_plan,
    reading_a_family_logs_it_and_each_child_shown,
    a_restricted_child_is_left_out_for_a_role_not_named_on_it,
    more_professionals_than_the_limit_are_flagged,
    a_family_not_on_record_is_none_and_a_refused_role_is_logged,
    a_manager_allocates_the_family_to_one_worker_all_or_none,
    only_a_manager_moves_a_child_to_another_worker_and_says_why,
);

fn family_id() -> FamilyId {
    FamilyId::parse("F1").unwrap()
}

fn home() -> Address {
    Address {
        lines: vec![String::from("1 High Street")],
        town: String::from("Ashford"),
        postcode: "TN23 1AA".parse().unwrap(),
    }
}

fn fam(id: &str, on: &str, data: EventData) -> Event {
    Event {
        id: EventId::parse(id).unwrap(),
        subject: Subject::Family(family_id()),
        occurred_at: OccurredAt::parse(on).unwrap(),
        recorded_at: "2024-01-01T09:00:00Z".parse().unwrap(),
        recorded_by: Actor::parse("test").unwrap(),
        data,
    }
}

fn person(p: &str) -> PersonRef {
    PersonRef::parse(p).unwrap()
}

fn tie(from: &str, to: &str, kind: RelationshipKind) -> EventData {
    EventData::RelationshipAdded(Relationship {
        from: person(from),
        to: person(to),
        relationship: kind,
    })
}

fn child_registered(given: &str, born: jiff::civil::Date, at_home: bool) -> EventData {
    let mut d = details(given, "Hartwell", born);
    if at_home {
        d.address = Some(home());
    }
    EventData::PersonRegistered(PersonRegistered {
        adult: None,
        family: Some(family_id()),
        details: d,
    })
}

fn adult_registered(id: &str, given: &str, address: Option<Address>) -> EventData {
    let mut d = details(given, "Hartwell", date(1988, 5, 1));
    d.address = address;
    EventData::PersonRegistered(PersonRegistered {
        adult: Some(AdultId::parse(id).unwrap()),
        family: Some(family_id()),
        details: d,
    })
}

/// F1: Dana (A1, at 1 High Street) and Rob (A2, address not recorded), parents of Lily
/// (C1, born 2016, at 1 High Street: child in need, W1, police and health asked about
/// her in May 2024) and Noah (C2, born 2019: early help since February, W1). C3, born
/// 2021, registered into F1 with no ties, unallocated.
async fn county(
    backend: Backend,
    limit: Option<u32>,
) -> (App, Arc<dyn Store>, Option<tempfile::TempDir>) {
    let (url, dir) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("hearth.db").display());
            (url, Some(dir))
        }
        Backend::Postgres => (hearth_testkit::new_postgres_database().await, None),
    };
    let store = hearth_store::open(&url).await.unwrap();
    let mut org = hearth_testkit::organisation();
    org.policy = Some(Policy {
        caseload_limit: 20,
        max_looked_after_per_social_worker: 15,
        early_help_caseload: 15,
        iro_caseload: 60,
        personal_adviser_caseload: 25,
        cin_visit_working_days: 30,
        max_professionals_per_family: limit,
    });
    // Jo Rivers (W2) works in Canterbury (T2).
    let mut canterbury = org.areas[0].localities[0].teams[0].clone();
    canterbury.id = TeamId::parse("T2").unwrap();
    canterbury.name = String::from("Canterbury CIN team");
    org.areas[0].localities[0].teams.push(canterbury);
    let mut jo = org.workers[0].clone();
    jo.id = WorkerId::parse("W2").unwrap();
    jo.name = String::from("Jo Rivers");
    jo.team = TeamId::parse("T2").unwrap();
    org.workers.push(jo);
    store.put_organisation(&org).await.unwrap();
    let allocated = || {
        EventData::Allocated(Allocated {
            worker: WorkerId::parse("W1").unwrap(),
            team: TeamId::parse("T1").unwrap(),
            reason: None,
        })
    };
    let contact = ContactId::parse("K1").unwrap();
    let check = |agency| PartnerCheck::new(contact.clone(), agency, Rag::Amber);
    let journeys = [
        vec![
            ev(
                "C1",
                "c1-1",
                "2024-01-10",
                child_registered("Lily", date(2016, 4, 12), true),
            ),
            ev(
                "C1",
                "c1-2",
                "2024-05-01",
                EventData::ContactReceived(ContactReceived::new(
                    contact.clone(),
                    ReferralSource::Police,
                )),
            ),
            ev(
                "C1",
                "c1-3",
                "2024-05-01",
                EventData::PartnerCheckRequested(check(Agency::Police)),
            ),
            ev(
                "C1",
                "c1-4",
                "2024-05-01",
                EventData::PartnerCheckRequested(check(Agency::Health)),
            ),
            ev(
                "C1",
                "c1-5",
                "2024-05-02",
                EventData::ReferralAccepted(ReferralAccepted {
                    referral: ReferralId::parse("R1").unwrap(),
                    contact: None,
                    source: ReferralSource::Police,
                    primary_need: PrimaryNeed::AbuseOrNeglect,
                }),
            ),
            ev("C1", "c1-6", "2024-05-03", allocated()),
        ],
        vec![
            ev(
                "C2",
                "c2-1",
                "2024-02-01",
                child_registered("Noah", date(2019, 3, 2), false),
            ),
            ev(
                "C2",
                "c2-2",
                "2024-02-01",
                EventData::EarlyHelpStarted(EarlyHelpStarted {
                    family: Some(family_id()),
                    step_down: false,
                }),
            ),
            ev("C2", "c2-3", "2024-02-05", allocated()),
        ],
        vec![ev(
            "C3",
            "c3-1",
            "2024-03-01",
            child_registered("Ivy", date(2021, 6, 1), false),
        )],
    ];
    for journey in journeys {
        store.append(0, journey).await.unwrap();
    }
    store
        .append(
            0,
            vec![
                fam(
                    "f-1",
                    "2024-02-01",
                    adult_registered("A1", "Dana", Some(home())),
                ),
                fam("f-2", "2024-02-01", adult_registered("A2", "Rob", None)),
                fam(
                    "f-3",
                    "2024-02-01",
                    tie("adult:A1", "child:C1", RelationshipKind::Parent),
                ),
                fam(
                    "f-4",
                    "2024-02-01",
                    tie("adult:A1", "child:C2", RelationshipKind::Parent),
                ),
                fam(
                    "f-5",
                    "2024-02-01",
                    tie("adult:A2", "child:C2", RelationshipKind::Parent),
                ),
                fam(
                    "f-6",
                    "2024-02-01",
                    tie("child:C1", "child:C2", RelationshipKind::Sibling),
                ),
            ],
        )
        .await
        .unwrap();
    (App::new(store.clone()), store, dir)
}

fn user(name: &str, role: Role) -> Caller {
    Caller::user(UserName::parse(name).unwrap(), role, "family: test")
}

async fn a_family_shows_every_child_and_adult_with_work_worker_and_plan(backend: Backend) {
    let (app, _store, _dir) = county(backend, None).await;
    let sam = user("sam.patel", Role::SocialWorker);
    let read = app
        .family(&sam, now(), &family_id())
        .await
        .unwrap()
        .unwrap();
    let f = &read.family;
    // Oldest first, the child registered into the family with no ties among them.
    let children: Vec<(&str, &str, Option<i16>)> = f
        .children
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str(), c.age))
        .collect();
    assert_eq!(
        children,
        [
            ("C1", "Lily Hartwell", Some(8)),
            ("C2", "Noah Hartwell", Some(5)),
            ("C3", "Ivy Hartwell", Some(3)),
        ]
    );
    let lily = &f.children[0];
    assert_eq!(lily.open_work, ["Child in need"]);
    assert_eq!(lily.worker_name.as_deref(), Some("Sam Patel"));
    assert_eq!(lily.team_name.as_deref(), Some("Ashford CIN team"));
    assert_eq!(lily.plan, "No plan yet");
    assert_eq!(
        f.children[1].plan,
        "Early help family plan since 2024-02-01"
    );
    assert_eq!(f.children[2].plan, "No open work");
    assert_eq!(f.children[2].worker, None);
    let adults: Vec<&str> = f.adults.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(adults, ["Dana Hartwell", "Rob Hartwell"]);
    assert_eq!(f.relationships.len(), 4);
    // Dana and Lily at 1 High Street; the others' addresses are not recorded.
    assert_eq!(f.households.len(), 2);
    assert_eq!(f.households[0].address, Some(home()));
    assert_eq!(
        f.households[0].members,
        [person("adult:A1"), person("child:C1")]
    );
    assert_eq!(f.households[1].address, None);
    assert_eq!(
        f.households[1].members,
        [person("adult:A2"), person("child:C2"), person("child:C3")]
    );
    // One worker for both children, and the two agencies asked about Lily in May.
    let professionals: Vec<(&str, &[String])> = f
        .professionals
        .iter()
        .map(|p| (p.name.as_str(), p.roles.as_slice()))
        .collect();
    assert_eq!(professionals.len(), 3);
    assert_eq!(professionals[0].0, "Sam Patel");
    assert_eq!(f.professionals[0].children.len(), 2);
    assert_eq!(professionals[1].0, "Police");
    assert_eq!(professionals[2].0, "Health");
    assert!(!f.too_many_professionals);
    let plan = f.plan.as_ref().unwrap();
    assert_eq!(plan.since, date(2024, 2, 1));
    assert_eq!(plan.children, [hearth_testkit::child("C2")]);
    // The family's journey and each child's, to be told as one.
    let subjects: Vec<String> = read.journeys.iter().map(|(s, _)| s.to_string()).collect();
    assert_eq!(subjects, ["family:F1", "child:C1", "child:C2", "child:C3"]);
}

async fn reading_a_family_logs_it_and_each_child_shown(backend: Backend) {
    let (app, store, _dir) = county(backend, None).await;
    let sam = user("sam.patel", Role::SocialWorker);
    app.family(&sam, now(), &family_id())
        .await
        .unwrap()
        .unwrap();
    for subject in ["family:F1", "child:C1", "child:C2", "child:C3"] {
        let subject = match subject.split_once(':').unwrap() {
            ("family", _) => Subject::Family(family_id()),
            (_, c) => Subject::Child(hearth_testkit::child(c)),
        };
        let log = store.access_log(&subject).await.unwrap();
        let (_, actor, action) = log.last().unwrap();
        assert_eq!(
            (actor.as_str(), action.as_str()),
            ("sam.patel", "family: test"),
            "{subject}"
        );
    }
}

async fn a_restricted_child_is_left_out_for_a_role_not_named_on_it(backend: Backend) {
    let (app, store, _dir) = county(backend, None).await;
    store
        .add_user(&User {
            name: UserName::parse("kim.named").unwrap(),
            role: Role::SocialWorker,
            password_hash: String::from("not a hash: never signs in"),
            created_at: now(),
            worker: None,
        })
        .await
        .unwrap();
    store
        .restrict(
            &hearth_testkit::child("C2"),
            &[UserName::parse("kim.named").unwrap()],
        )
        .await
        .unwrap();
    let sam = user("sam.patel", Role::SocialWorker);
    let f = app
        .family(&sam, now(), &family_id())
        .await
        .unwrap()
        .unwrap()
        .family;
    let ids: Vec<&str> = f.children.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["C1", "C3"]);
    // No tie, household place or plan gives Noah away.
    assert_eq!(f.relationships.len(), 1);
    let c2 = person("child:C2");
    assert!(f.households.iter().all(|h| !h.members.contains(&c2)));
    assert!(f.plan.is_none());
    assert!(
        f.professionals
            .iter()
            .all(|p| p.children.iter().all(|c| c.as_str() != "C2"))
    );
    // Nothing about C2 was logged for Sam.
    assert!(
        store
            .access_log(&Subject::Child(hearth_testkit::child("C2")))
            .await
            .unwrap()
            .is_empty()
    );
    // Kim, named on the restriction, sees Noah.
    let kim = user("kim.named", Role::SocialWorker);
    let f = app
        .family(&kim, now(), &family_id())
        .await
        .unwrap()
        .unwrap()
        .family;
    assert_eq!(f.children.len(), 3);
}

async fn more_professionals_than_the_limit_are_flagged(backend: Backend) {
    let (app, _store, _dir) = county(backend, Some(2)).await;
    let sam = user("sam.patel", Role::SocialWorker);
    let f = app
        .family(&sam, now(), &family_id())
        .await
        .unwrap()
        .unwrap()
        .family;
    assert_eq!(f.professionals_limit, Some(2));
    assert!(f.too_many_professionals);
    let (app, _store, _dir) = county(backend, Some(3)).await;
    let f = app
        .family(&sam, now(), &family_id())
        .await
        .unwrap()
        .unwrap()
        .family;
    assert!(!f.too_many_professionals);
}

async fn a_family_not_on_record_is_none_and_a_refused_role_is_logged(backend: Backend) {
    let (app, store, _dir) = county(backend, None).await;
    let sam = user("sam.patel", Role::SocialWorker);
    let none = app
        .family(&sam, now(), &FamilyId::parse("F9").unwrap())
        .await
        .unwrap();
    assert!(none.is_none());
    let analyst = user("ana.lyst", Role::Analyst);
    let refused = app.family(&analyst, now(), &family_id()).await.unwrap_err();
    assert!(matches!(refused, AppError::Refused(Permission::ReadRecord)));
    let log = store
        .access_log(&Subject::Family(family_id()))
        .await
        .unwrap();
    let (_, actor, action) = log.last().unwrap();
    assert_eq!(actor, "ana.lyst");
    assert!(action.starts_with("refused (role)"), "{action}");
}

fn ids(list: &[&str]) -> BTreeSet<ChildId> {
    list.iter().map(|c| hearth_testkit::child(c)).collect()
}

async fn version(store: &Arc<dyn Store>, child: &str) -> u64 {
    store
        .child(&hearth_testkit::child(child))
        .await
        .unwrap()
        .unwrap()
        .version
}

async fn a_manager_allocates_the_family_to_one_worker_all_or_none(backend: Backend) {
    let (app, store, _dir) = county(backend, None).await;
    let kim = user("kim.manager", Role::TeamManager);
    let ask = |children: &[&str]| FamilyAllocation {
        worker: WorkerId::parse("W2").unwrap(),
        reason: String::from("  Jo knows the family from the school  "),
        children: ids(children),
    };
    // A social worker may not allocate a family; the refusal is logged.
    let sam = user("sam.patel", Role::SocialWorker);
    let refused = app
        .allocate_family(&sam, now(), &family_id(), &ask(&["C1"]))
        .await
        .unwrap_err();
    assert!(matches!(
        refused,
        AllocateError::App(AppError::Refused(Permission::AllocateCases))
    ));
    // Ivy (C3) has no open work: the whole allocation is refused, naming her by id,
    // and nothing is written for Lily either.
    let before = version(&store, "C1").await;
    let refused = app
        .allocate_family(&kim, now(), &family_id(), &ask(&["C1", "C3"]))
        .await
        .unwrap_err();
    assert_eq!(refused.to_string(), "Child C3 has no open work to allocate");
    assert_eq!(version(&store, "C1").await, before);
    // Lily and Noah go to Jo, in one write, each with the reason.
    let done = app
        .allocate_family(&kim, now(), &family_id(), &ask(&["C1", "C2"]))
        .await
        .unwrap();
    assert_eq!(done, Vec::from_iter(ids(&["C1", "C2"])));
    for child in ["C1", "C2"] {
        let record = store
            .child(&hearth_testkit::child(child))
            .await
            .unwrap()
            .unwrap();
        let held = record.state.allocation.unwrap();
        assert_eq!((held.worker.as_str(), held.team.as_str()), ("W2", "T2"));
        let (journey, _) = store
            .journey(&Subject::Child(hearth_testkit::child(child)))
            .await
            .unwrap();
        let EventData::Allocated(last) = &journey.last().unwrap().data else {
            panic!("{child}: the last event is not the allocation");
        };
        assert_eq!(
            last.reason.as_deref(),
            Some("Jo knows the family from the school")
        );
        assert_eq!(journey.last().unwrap().recorded_by.as_str(), "kim.manager");
    }
    // The family and each child written are logged as the manager's.
    for subject in [
        Subject::Family(family_id()),
        Subject::Child(hearth_testkit::child("C1")),
        Subject::Child(hearth_testkit::child("C2")),
    ] {
        let log = store.access_log(&subject).await.unwrap();
        let (_, actor, action) = log.last().unwrap();
        assert_eq!(
            (actor.as_str(), action.as_str()),
            ("kim.manager", "family: test")
        );
    }
    // Each moved from Sam (Ashford) to Jo (Canterbury): a change of worker and a
    // hand-off between teams, as the family page counts them.
    let f = app
        .family(&kim, now(), &family_id())
        .await
        .unwrap()
        .unwrap()
        .family;
    let counts: Vec<(u32, u32)> = f
        .children
        .iter()
        .map(|c| (c.worker_changes, c.team_changes))
        .collect();
    assert_eq!(counts, [(1, 1), (1, 1), (0, 0)]);
    // Asked again, nothing is left to record.
    let again = app
        .allocate_family(&kim, now(), &family_id(), &ask(&["C1", "C2"]))
        .await
        .unwrap();
    assert!(again.is_empty());
}

async fn only_a_manager_moves_a_child_to_another_worker_and_says_why(backend: Backend) {
    let (app, store, _dir) = county(backend, None).await;
    let to_jo = |child: &str, v: u64, reason: Option<&str>| NewEvent {
        version: v,
        id: EventId::parse(&format!("{child}-{}-form", v + 1)).unwrap(),
        occurred_at: OccurredAt::parse("2024-06-03").unwrap(),
        data: EventData::Allocated(Allocated {
            worker: WorkerId::parse("W2").unwrap(),
            team: TeamId::parse("T2").unwrap(),
            reason: reason.map(str::to_owned),
        }),
    };
    let lily = hearth_testkit::child("C1");
    // Lily is with Sam: a social worker may not move her.
    let sam = user("sam.patel", Role::SocialWorker);
    let v = version(&store, "C1").await;
    let refused = app
        .record_event(&sam, now(), &lily, to_jo("C1", v, Some("asked to")))
        .await
        .unwrap_err();
    assert!(matches!(
        refused,
        AppError::Refused(Permission::AllocateCases)
    ));
    // A manager may, saying why; without a reason it is refused.
    let kim = user("kim.manager", Role::TeamManager);
    let refused = app
        .record_event(&kim, now(), &lily, to_jo("C1", v, Some("   ")))
        .await
        .unwrap_err();
    let AppError::NotRecordable(e) = refused else {
        panic!("{refused:?}");
    };
    assert_eq!(e.problem, Problem::ChangeOfWorkerNeedsReason);
    assert_eq!(version(&store, "C1").await, v);
    app.record_event(
        &kim,
        now(),
        &lily,
        to_jo(
            "C1",
            v,
            Some("Stepped up: Jo holds the family's other work"),
        ),
    )
    .await
    .unwrap();
    // Ivy has nobody: anyone who records may allocate her, no reason needed.
    let ivy = hearth_testkit::child("C3");
    let v = version(&store, "C3").await;
    app.record_event(&sam, now(), &ivy, to_jo("C3", v, None))
        .await
        .unwrap();
    let state = store.child(&ivy).await.unwrap().unwrap().state;
    assert_eq!(state.allocation.unwrap().worker.as_str(), "W2");
}
