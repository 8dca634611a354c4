//! Caseloads on a real store (SQLite and PostgreSQL): a worker's own children with what
//! is overdue and due, a team's workers against Kent's limits and its allocation queue,
//! who may see which, and the access log; users linked to workers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/front_door.rs"]
mod front_door;

use front_door::{Backend, now};
use hearth_app::{App, AppError, Caller, NewUser, WorkforceError};
use hearth_domain::access::{Permission, Role, UserName};
use hearth_domain::caseload::CaseKind;
use hearth_domain::codes::RouteReason;
use hearth_domain::codes::{PrimaryNeed, ReferralSource};
use hearth_domain::event::{
    Allocated, ContactRouted, EarlyHelpStarted, Empty, EventData, ReferralAccepted,
};
use hearth_domain::ids::{ReferralId, Subject, TeamId, WorkerId};
use hearth_domain::org::{Employment, Organisation, Policy, Worker, WorkerRole};
use hearth_store::Store;
use hearth_testkit::{details, ev, registered};
use jiff::civil::date;
use std::sync::Arc;

on_both_backends!(
    a_worker_sees_their_own_children_with_what_is_overdue,
    another_workers_caseload_needs_a_manager_and_a_refusal_is_logged,
    a_manager_sees_the_team_against_the_limits_and_its_queue,
    a_waiting_child_is_queued_in_their_last_workers_team_or_the_team_they_were_routed_to,
    an_unknown_worker_or_team_is_named,
    a_user_is_linked_only_to_a_worker_the_organisation_has_in_their_role,
);

fn worker(id: &str, name: &str, role: WorkerRole, employment: Employment) -> Worker {
    Worker {
        id: WorkerId::parse(id).unwrap(),
        name: String::from(name),
        role,
        team: TeamId::parse("T1").unwrap(),
        fte: 1.0,
        employment,
        start_date: date(2020, 1, 6),
        end_date: None,
        qualified: None,
    }
}

/// Testshire with Kent's limits; in T1: W1 Sam Patel (social worker), W2 Ali Khan
/// (agency social worker, qualified in January 2024) and W9 Kim Manager.
fn organisation() -> Organisation {
    let mut org = hearth_testkit::organisation();
    org.policy = Some(Policy {
        caseload_limit: 20,
        max_looked_after_per_social_worker: 15,
        early_help_caseload: 15,
        iro_caseload: 60,
        personal_adviser_caseload: 25,
        cin_visit_working_days: 30,
        max_professionals_per_family: None,
    });
    let mut ali = worker(
        "W2",
        "Ali Khan",
        WorkerRole::SocialWorker,
        Employment::Agency,
    );
    ali.qualified = Some(date(2024, 1, 8));
    org.workers.push(ali);
    org.workers.push(worker(
        "W9",
        "Kim Manager",
        WorkerRole::TeamManager,
        Employment::Employed,
    ));
    // T2, Ashford early help team, with W3 Jo Rivers, an early help worker.
    let mut t2 = org.areas[0].localities[0].teams[0].clone();
    t2.id = TeamId::parse("T2").unwrap();
    t2.name = String::from("Ashford early help team");
    org.areas[0].localities[0].teams.push(t2);
    let mut jo = worker(
        "W3",
        "Jo Rivers",
        WorkerRole::EarlyHelpWorker,
        Employment::Employed,
    );
    jo.team = TeamId::parse("T2").unwrap();
    org.workers.push(jo);
    org
}

fn allocated(worker: &str) -> EventData {
    EventData::Allocated(Allocated {
        worker: WorkerId::parse(worker).unwrap(),
        team: TeamId::parse("T1").unwrap(),
        reason: None,
    })
}

/// C1 (child in need, W1, an assessment started in January and long overdue by June);
/// C2 (early help, W1); C3 (early help, W2 until 1 April 2024, then unallocated: 63
/// days waiting on 3 June); C4 (early help, unallocated since 20 May: 14 days).
async fn county(backend: Backend) -> (App, Arc<dyn Store>, Option<tempfile::TempDir>) {
    let (url, dir) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("hearth.db").display());
            (url, Some(dir))
        }
        Backend::Postgres => (hearth_testkit::new_postgres_database().await, None),
    };
    let store = hearth_store::open(&url).await.unwrap();
    store.put_organisation(&organisation()).await.unwrap();
    let early_help = || {
        EventData::EarlyHelpStarted(EarlyHelpStarted {
            family: None,
            step_down: false,
        })
    };
    let journeys = [
        vec![
            ev(
                "C1",
                "c1-1",
                "2024-01-10",
                registered(details("Lily", "Hartwell", date(2016, 4, 12))),
            ),
            ev(
                "C1",
                "c1-2",
                "2024-01-11",
                EventData::ReferralAccepted(ReferralAccepted {
                    referral: ReferralId::parse("R1").unwrap(),
                    contact: None,
                    source: ReferralSource::Police,
                    primary_need: PrimaryNeed::AbuseOrNeglect,
                }),
            ),
            ev("C1", "c1-3", "2024-01-12", allocated("W1")),
            ev(
                "C1",
                "c1-4",
                "2024-01-12",
                EventData::AssessmentStarted(Default::default()),
            ),
        ],
        vec![
            ev(
                "C2",
                "c2-1",
                "2024-02-01",
                registered(details("Noah", "Hartwell", date(2019, 3, 2))),
            ),
            ev("C2", "c2-2", "2024-02-01", early_help()),
            ev("C2", "c2-3", "2024-05-20", allocated("W1")),
        ],
        vec![
            ev(
                "C3",
                "c3-1",
                "2024-02-01",
                registered(details("Mia", "Stone", date(2014, 7, 9))),
            ),
            ev("C3", "c3-2", "2024-02-01", early_help()),
            ev("C3", "c3-3", "2024-02-02", allocated("W2")),
            ev("C3", "c3-4", "2024-04-01", EventData::Unallocated(Empty {})),
        ],
        vec![
            ev(
                "C4",
                "c4-1",
                "2024-02-01",
                registered(details("Leo", "Grant", date(2012, 1, 3))),
            ),
            ev("C4", "c4-2", "2024-02-01", early_help()),
            ev("C4", "c4-3", "2024-02-02", allocated("W1")),
            ev("C4", "c4-4", "2024-05-20", EventData::Unallocated(Empty {})),
        ],
    ];
    for journey in journeys {
        store.append(0, journey).await.unwrap();
    }
    (App::new(store.clone()), store, dir)
}

fn user(name: &str, role: Role, worker: Option<&str>) -> Caller {
    Caller::user(UserName::parse(name).unwrap(), role, "my work: test")
        .as_worker(worker.map(|w| WorkerId::parse(w).unwrap()))
}

fn w(id: &str) -> WorkerId {
    WorkerId::parse(id).unwrap()
}

async fn log_of(store: &Arc<dyn Store>, child: &str) -> Vec<(String, String)> {
    store
        .access_log(&Subject::Child(hearth_testkit::child(child)))
        .await
        .unwrap()
        .into_iter()
        .map(|(_, actor, action)| (actor, action))
        .collect()
}

/// How many rows the access log has, all subjects together.
async fn log_rows(store: &Arc<dyn Store>) -> u64 {
    match store.verify_chains().await.unwrap().access_log {
        hearth_store::ChainStatus::Intact { rows } => rows,
        other => panic!("{other:?}"),
    }
}

async fn a_worker_sees_their_own_children_with_what_is_overdue(backend: Backend) {
    let (app, store, _dir) = county(backend).await;
    let sam = user("sam.patel", Role::SocialWorker, Some("W1"));
    let mine = app.caseload(&sam, now(), &w("W1")).await.unwrap();
    assert_eq!(mine.name, "Sam Patel");
    let ids: Vec<&str> = mine.children.iter().map(|c| c.child.as_str()).collect();
    assert_eq!(ids, ["C1", "C2"]);
    let lily = &mine.children[0];
    assert_eq!(lily.kind, CaseKind::ChildInNeed);
    assert_eq!(lily.last_activity, Some(date(2024, 1, 12)));
    // The assessment started on 12 January was due in 45 working days.
    let first = &lily.overdue[0];
    assert_eq!(first.duty, "Assessment");
    assert!(first.standing.starts_with("Overdue by "), "{first:?}");
    assert_eq!(mine.children[1].kind, CaseKind::EarlyHelp);
    // Kent: a child in need weighs 1, an early help case 20/15.
    assert_eq!(mine.load.cases, 2);
    assert!((mine.load.weighted - (1.0 + 20.0 / 15.0)).abs() < 1e-9);
    assert_eq!(mine.load.limit, Some(20.0));
    assert!(!mine.load.over_limit);
    // Each child shown is logged, for the caller and what they were doing.
    for child in ["C1", "C2"] {
        let log = log_of(&store, child).await;
        assert_eq!(
            log.last().unwrap(),
            &(String::from("sam.patel"), String::from("my work: test")),
            "{child}"
        );
    }
    assert!(log_of(&store, "C3").await.is_empty());
}

async fn another_workers_caseload_needs_a_manager_and_a_refusal_is_logged(backend: Backend) {
    let (app, store, _dir) = county(backend).await;
    let sam = user("sam.patel", Role::SocialWorker, Some("W1"));
    let before = log_rows(&store).await;
    let refused = app.caseload(&sam, now(), &w("W2")).await.unwrap_err();
    assert!(matches!(
        refused,
        AppError::Refused(Permission::ViewTeamCaseloads)
    ));
    // The refusal, and nothing else, is logged.
    assert_eq!(log_rows(&store).await, before + 1);
    // A user linked to no worker has no caseload of their own to see.
    let unlinked = user("amy.unlinked", Role::SocialWorker, None);
    assert!(matches!(
        app.caseload(&unlinked, now(), &w("W1")).await.unwrap_err(),
        AppError::Refused(Permission::ViewTeamCaseloads)
    ));
    let kim = user("kim.manager", Role::TeamManager, Some("W9"));
    let sams = app.caseload(&kim, now(), &w("W1")).await.unwrap();
    assert_eq!(sams.children.len(), 2);
}

async fn a_manager_sees_the_team_against_the_limits_and_its_queue(backend: Backend) {
    let (app, store, _dir) = county(backend).await;
    let kim = user("kim.manager", Role::TeamManager, Some("W9"));
    let team = app
        .team(&kim, now(), &TeamId::parse("T1").unwrap())
        .await
        .unwrap();
    assert_eq!(team.name, "Ashford CIN team");
    let names: Vec<&str> = team.workers.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Ali Khan", "Kim Manager", "Sam Patel"]);
    let ali = &team.workers[0].load;
    assert_eq!(ali.cases, 0);
    assert!(ali.agency);
    // Qualified 8 January 2024: newly qualified on 3 June 2024.
    assert!(ali.newly_qualified);
    let sam = &team.workers[2].load;
    assert_eq!(sam.cases, 2);
    assert!(!sam.agency && !sam.newly_qualified);
    // C3 has waited since 1 April (63 days), C4 since 20 May (14 days).
    let queue: Vec<(&str, i32, bool)> = team
        .queue
        .iter()
        .map(|q| (q.child.as_str(), q.waiting.days, q.waiting.over_limit))
        .collect();
    assert_eq!(queue, [("C3", 63, true), ("C4", 14, false)]);
    assert_eq!(team.unallocated_over_28_days, 1);
    for child in ["C3", "C4"] {
        let log = log_of(&store, child).await;
        assert_eq!(log.last().unwrap().0, "kim.manager", "{child}");
    }
    // The workers' loads name no child: Lily's record was not listed to Kim.
    assert!(log_of(&store, "C1").await.is_empty());
    // A social worker may not see the team.
    let sam = user("sam.patel", Role::SocialWorker, Some("W1"));
    assert!(matches!(
        app.team(&sam, now(), &TeamId::parse("T1").unwrap())
            .await
            .unwrap_err(),
        AppError::Refused(Permission::ViewTeamCaseloads)
    ));
}

async fn an_unknown_worker_or_team_is_named(backend: Backend) {
    let (app, _store, _dir) = county(backend).await;
    let kim = user("kim.manager", Role::TeamManager, Some("W9"));
    let e = app.caseload(&kim, now(), &w("W77")).await.unwrap_err();
    assert!(
        matches!(&e, AppError::Workforce(WorkforceError::NoWorker(id)) if id.as_str() == "W77")
    );
    assert_eq!(
        e.to_string(),
        "there is no worker 'W77' in the organisation document"
    );
    let e = app
        .team(&kim, now(), &TeamId::parse("T77").unwrap())
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "there is no team 'T77' in the organisation document"
    );
}

async fn a_user_is_linked_only_to_a_worker_the_organisation_has_in_their_role(backend: Backend) {
    let (app, store, _dir) = county(backend).await;
    let cli = Caller::command_line("hearth user add");
    let new = |name: &str, role: Role, worker: &str| {
        NewUser::new(UserName::parse(name).unwrap(), role, "a long enough secret")
            .unwrap()
            .with_worker(w(worker))
    };
    app.add_user(&cli, now(), new("sam.patel", Role::SocialWorker, "W1"))
        .await
        .unwrap();
    let sam = store
        .user(&UserName::parse("sam.patel").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sam.worker, Some(w("W1")));
    let unknown = app
        .add_user(&cli, now(), new("amy", Role::SocialWorker, "W77"))
        .await
        .unwrap_err();
    assert_eq!(
        unknown.to_string(),
        "there is no worker 'W77' in the organisation document"
    );
    let wrong = app
        .add_user(&cli, now(), new("amy", Role::TeamManager, "W1"))
        .await
        .unwrap_err();
    assert_eq!(
        wrong.to_string(),
        "worker W1 is a social_worker in the organisation document, which a team-manager user cannot be linked to"
    );
    // Neither refusal added anyone.
    assert!(
        store
            .user(&UserName::parse("amy").unwrap())
            .await
            .unwrap()
            .is_none()
    );
}

/// The mirror of a contact's routing on a child's journey (as `App::decide` writes it).
fn routed_to(team: &str) -> EventData {
    EventData::ContactRouted(ContactRouted {
        child: None,
        team: TeamId::parse(team).unwrap(),
        worker: None,
        locality: None,
        reason: RouteReason::Locality,
    })
}

/// The children in `team`'s queue, with their days waiting.
async fn queue_of(app: &App, team: &str) -> Vec<(String, i32)> {
    let kim = user("kim.manager", Role::TeamManager, Some("W9"));
    app.team(&kim, now(), &TeamId::parse(team).unwrap())
        .await
        .unwrap()
        .queue
        .iter()
        .map(|q| (q.child.to_string(), q.waiting.days))
        .collect()
}

async fn a_waiting_child_is_queued_in_their_last_workers_team_or_the_team_they_were_routed_to(
    backend: Backend,
) {
    let (app, store, _dir) = county(backend).await;
    let version = |child: &str| {
        let store = store.clone();
        let id = hearth_testkit::child(child);
        async move { store.child(&id).await.unwrap().unwrap().version }
    };
    // C5 has early help and was routed by a contact to T2 on 27 May, with no worker.
    store
        .append(
            0,
            vec![
                ev(
                    "C5",
                    "c5-1",
                    "2024-05-20",
                    registered(details("Ava", "Brook", date(2018, 5, 5))),
                ),
                ev(
                    "C5",
                    "c5-2",
                    "2024-05-20",
                    EventData::EarlyHelpStarted(EarlyHelpStarted {
                        family: None,
                        step_down: false,
                    }),
                ),
                ev("C5", "c5-3", "2024-05-27", routed_to("T2")),
            ],
        )
        .await
        .unwrap();
    // C6's contact was decided for early help and routed to T2 on 30 May: no work is
    // open until a worker starts it, and T2 must see C6 to allocate one.
    store
        .append(
            0,
            vec![
                ev(
                    "C6",
                    "c6-1",
                    "2024-05-30",
                    registered(details("Ned", "Brook", date(2019, 2, 2))),
                ),
                ev("C6", "c6-2", "2024-05-30", routed_to("T2")),
            ],
        )
        .await
        .unwrap();
    // C3, unallocated from W2 (in T1), waits in T1; C5 and C6 in T2, since the routing.
    assert_eq!(
        queue_of(&app, "T1").await,
        [(String::from("C3"), 63), (String::from("C4"), 14)]
    );
    assert_eq!(
        queue_of(&app, "T2").await,
        [(String::from("C5"), 7), (String::from("C6"), 4)]
    );
    // Rebuilding the projections from the journal gives the same rows.
    let before = store.projection_dump().await.unwrap();
    store.rebuild().await.unwrap();
    assert_eq!(store.projection_dump().await.unwrap(), before);
    // C5 allocated to Jo leaves T2's queue; C3, routed to T2 after being unallocated,
    // moves from T1's queue to T2's.
    let c5 = version("C5").await;
    store
        .append(
            c5,
            vec![ev(
                "C5",
                "c5-4",
                "2024-06-01",
                EventData::Allocated(Allocated {
                    worker: w("W3"),
                    team: TeamId::parse("T2").unwrap(),
                    reason: None,
                }),
            )],
        )
        .await
        .unwrap();
    let c3 = version("C3").await;
    store
        .append(c3, vec![ev("C3", "c3-5", "2024-05-31", routed_to("T2"))])
        .await
        .unwrap();
    assert_eq!(queue_of(&app, "T1").await, [(String::from("C4"), 14)]);
    assert_eq!(
        queue_of(&app, "T2").await,
        [(String::from("C6"), 4), (String::from("C3"), 3)]
    );
    let before = store.projection_dump().await.unwrap();
    store.rebuild().await.unwrap();
    assert_eq!(store.projection_dump().await.unwrap(), before);
}
