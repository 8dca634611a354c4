//! The use cases' guarantees, on a real SQLite store: a caller whose role may not do
//! something is refused and the refusal is in the access log; what is read or shown is
//! in the access log before it is handed back; restricted records look like none.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hearth_app::due::{Listing, warm_due_cache};
use hearth_app::{App, AppError, Caller, NewEvent, NewUser, SignIn};
use hearth_domain::access::{Permission, Role, UserName};
use hearth_domain::codes::*;
use hearth_domain::event::*;
use hearth_domain::ids::*;
use hearth_store::{
    AllocatedWork, ChildRecord, ChildSummary, DueCache, DueCacheKey, DueClocksRow, DueSink, HeldBy,
    Parts, Projections, RebuildReport, Store, StoreError, User,
};
use hearth_testkit::{details, ev, organisation, registered};
use jiff::Timestamp;
use jiff::civil::date;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

fn now() -> Timestamp {
    "2024-06-03T10:00:00Z".parse().unwrap()
}

fn user(name: &str, role: Role, purpose: &str) -> Caller {
    Caller::user(UserName::parse(name).unwrap(), role, purpose)
}

fn c1() -> ChildId {
    ChildId::parse("C1").unwrap()
}

/// Child C1: registered, allocated to W1 in T1, referred, an assessment started (so a duty is
/// due).
fn journey() -> Vec<Event> {
    vec![
        ev(
            "C1",
            "c1-01",
            "2024-05-01",
            registered(details("Ava", "Testington", date(2015, 6, 1))),
        ),
        ev(
            "C1",
            "c1-02",
            "2024-05-02",
            EventData::Allocated(Allocated {
                worker: WorkerId::parse("W1").unwrap(),
                team: TeamId::parse("T1").unwrap(),
                reason: None,
            }),
        ),
        ev(
            "C1",
            "c1-03",
            "2024-05-02",
            EventData::ReferralAccepted(ReferralAccepted {
                referral: ReferralId::parse("R1").unwrap(),
                contact: None,
                source: ReferralSource::Police,
                primary_need: PrimaryNeed::AbuseOrNeglect,
            }),
        ),
        ev(
            "C1",
            "c1-04",
            "2024-05-02",
            EventData::AssessmentStarted(Default::default()),
        ),
    ]
}

struct Fixture {
    app: App,
    store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    let store: Arc<dyn Store> = Arc::new(
        hearth_store::open_sqlite(path.to_str().unwrap())
            .await
            .unwrap(),
    );
    store.put_organisation(&organisation()).await.unwrap();
    store.append(0, journey()).await.unwrap();
    Fixture {
        app: App::new(store.clone()),
        store,
        _dir: dir,
    }
}

impl Fixture {
    /// The access log of child C1 as (actor, action).
    async fn log_of_c1(&self) -> Vec<(String, String)> {
        self.store
            .access_log(&Subject::Child(c1()))
            .await
            .unwrap()
            .into_iter()
            .map(|(_, actor, action)| (actor, action))
            .collect()
    }

    async fn log_rows(&self) -> u64 {
        match self.store.verify_chains().await.unwrap().access_log {
            hearth_store::ChainStatus::Intact { rows } => rows,
            other => panic!("{other:?}"),
        }
    }
}

fn entry(actor: &str, action: &str) -> (String, String) {
    (actor.to_owned(), action.to_owned())
}

#[tokio::test]
async fn a_role_that_may_not_read_a_record_is_refused_and_the_refusal_is_logged() {
    let f = fixture().await;
    let analyst = user("pat.analyst", Role::Analyst, "read: test");
    let record = f.app.child_record(&analyst, now(), &c1()).await;
    assert!(
        matches!(record, Err(AppError::Refused(Permission::ReadRecord))),
        "{record:?}"
    );
    let journey = f.app.child_journey(&analyst, now(), &c1()).await;
    assert!(
        matches!(journey, Err(AppError::Refused(Permission::ReadRecord))),
        "{journey:?}"
    );
    let auditor = user("abi.auditor", Role::Auditor, "chronology: test");
    let chronology = f.app.chronology(&auditor, now(), &c1()).await;
    assert!(matches!(chronology, Err(AppError::Refused(_))));
    assert_eq!(
        f.log_of_c1().await,
        [
            entry("pat.analyst", "refused (role): read: test"),
            entry("pat.analyst", "refused (role): read: test"),
            entry("abi.auditor", "refused (role): chronology: test"),
        ]
    );
}

#[tokio::test]
async fn a_read_is_logged_and_a_read_that_cannot_be_logged_is_not_handed_back() {
    let f = fixture().await;
    let worker = user("sam.patel", Role::SocialWorker, "view chronology: test");
    let (record, journey) = f
        .app
        .chronology(&worker, now(), &c1())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.version, 4);
    assert_eq!(journey.len(), 4);
    assert_eq!(
        f.log_of_c1().await,
        [entry("sam.patel", "view chronology: test")]
    );

    // With the access log refusing rows, the record is not read out at all.
    let path = f._dir.path().join("app.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query(
        "CREATE TRIGGER no_logging BEFORE INSERT ON access_log \
         BEGIN SELECT RAISE(ABORT, 'the access log is closed'); END",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let read = f.app.child_record(&worker, now(), &c1()).await;
    assert!(matches!(read, Err(AppError::Store(_))), "{read:?}");
    let found = f.app.search(&worker, now(), "Testington", 10).await;
    assert!(matches!(found, Err(AppError::Store(_))), "{found:?}");
}

#[tokio::test]
async fn search_and_reads_log_each_child_shown() {
    let f = fixture().await;
    let worker = user("sam.patel", Role::SocialWorker, "api search: test");
    let found = f
        .app
        .search(&worker, now(), "Testington", 10)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(f.app.count_children(&worker, now()).await.unwrap(), 1);
    let worker = user("sam.patel", Role::SocialWorker, "api read: test");
    assert!(
        f.app
            .child_record(&worker, now(), &c1())
            .await
            .unwrap()
            .is_some()
    );
    let (events, version) = f
        .app
        .child_journey(&worker, now(), &c1())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((events.len(), version), (4, 4));
    let auditor = user("abi.auditor", Role::Auditor, "view access log: test");
    let log = f
        .app
        .access_log(&auditor, now(), &c1())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(
        f.log_of_c1().await,
        [
            entry("sam.patel", "api search: test"),
            entry("sam.patel", "api read: test"),
            entry("sam.patel", "api read: test"),
            entry("abi.auditor", "view access log: test"),
        ]
    );
    // Someone who may not search is refused, and it is logged against what they asked.
    let partner = user("pc.partner", Role::Partner, "api search: test");
    let refused = f.app.search(&partner, now(), "Testington", 10).await;
    assert!(matches!(
        refused,
        Err(AppError::Refused(Permission::SearchChildren))
    ));
    let rows = f.log_rows().await;
    assert_eq!(rows, 5);
}

#[tokio::test]
async fn a_restricted_record_looks_like_none_and_the_refusal_is_logged() {
    let f = fixture().await;
    let named = UserName::parse("kim.worker").unwrap();
    f.store
        .add_user(&User {
            name: named.clone(),
            role: Role::SocialWorker,
            password_hash: String::from("not a hash: never signs in"),
            created_at: now(),
            worker: None,
        })
        .await
        .unwrap();
    f.store
        .restrict(&c1(), std::slice::from_ref(&named))
        .await
        .unwrap();
    let other = user("sam.patel", Role::SocialWorker, "api read: test");
    assert!(
        f.app
            .child_record(&other, now(), &c1())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        f.app
            .search(&other, now(), "Testington", 10)
            .await
            .unwrap()
            .is_empty()
    );
    let kim = Caller::user(named, Role::SocialWorker, "api read: test");
    assert!(
        f.app
            .child_record(&kim, now(), &c1())
            .await
            .unwrap()
            .is_some()
    );
    // The command line holds the database, restrictions and all.
    let cli = Caller::command_line("hearth test");
    assert!(
        f.app
            .child_record(&cli, now(), &c1())
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        f.log_of_c1().await,
        [
            entry("sam.patel", "refused (restricted): api read: test"),
            entry("kim.worker", "api read: test"),
            entry("hearth-cli", "hearth test"),
        ]
    );
}

#[tokio::test]
async fn the_due_list_is_refused_without_its_permission_and_logs_the_children_it_names() {
    let f = fixture().await;
    // The assessment started on 2 May is overdue by the end of July.
    let as_at = date(2024, 7, 31);
    warm_due_cache(f.store.as_ref(), as_at).await.unwrap();
    let authority = f.app.authority(as_at).await.unwrap();
    let analyst = user("pat.analyst", Role::Analyst, "due: test");
    let refused = f
        .app
        .due_list(
            &analyst,
            now(),
            &authority,
            as_at,
            &HeldBy::Anyone,
            Listing::Children,
        )
        .await;
    assert!(matches!(
        refused,
        Err(AppError::Refused(Permission::ViewDueList))
    ));
    // Counts name no child: allowed to an analyst, and nothing is logged.
    let counts = f
        .app
        .due_list(
            &analyst,
            now(),
            &authority,
            as_at,
            &HeldBy::Anyone,
            Listing::CountsOnly,
        )
        .await
        .unwrap();
    assert!(counts.total.overdue > 0);
    assert_eq!(f.log_rows().await, 1);
    let manager = user("lee.manager", Role::TeamManager, "view due list: test");
    let list = f
        .app
        .due_list(
            &manager,
            now(),
            &authority,
            as_at,
            &HeldBy::Anyone,
            Listing::Rows(10),
        )
        .await
        .unwrap();
    assert_eq!(list.children.len(), 1);
    // The command line's list is logged as the command line's reading.
    let cli = Caller::command_line("hearth due");
    f.app
        .due_list(
            &cli,
            now(),
            &authority,
            as_at,
            &HeldBy::Anyone,
            Listing::Children,
        )
        .await
        .unwrap();
    assert_eq!(
        f.log_of_c1().await,
        [
            entry("lee.manager", "view due list: test"),
            entry("hearth-cli", "hearth due"),
        ]
    );
    // An unknown team is the asker's mistake, told as such.
    let team = HeldBy::Team(TeamId::parse("T9").unwrap());
    let unknown = f
        .app
        .due_list(&manager, now(), &authority, as_at, &team, Listing::Children)
        .await;
    assert!(matches!(unknown, Err(AppError::Due(e)) if e.is_bad_request()));
}

fn visit(id: &str, on: &str) -> NewEvent {
    NewEvent {
        version: 4,
        id: EventId::parse(id).unwrap(),
        occurred_at: OccurredAt::parse(on).unwrap(),
        data: EventData::Visit(Visit {
            worker: WorkerId::parse("W1").unwrap(),
            seen: true,
            seen_alone: true,
        }),
    }
}

/// A correction of event `target` on C1, read at `version`.
fn correction(id: &str, version: u64, data: EventData) -> NewEvent {
    NewEvent {
        version,
        id: EventId::parse(id).unwrap(),
        occurred_at: OccurredAt::parse("2024-06-03").unwrap(),
        data,
    }
}

fn retraction(target: &str) -> EventData {
    EventData::EventRetracted(EventRetracted {
        event: EventId::parse(target).unwrap(),
        reason: String::from("entered on the wrong child"),
    })
}

#[tokio::test]
async fn a_practitioner_corrects_their_own_events_and_a_manager_anyones() {
    let f = fixture().await;
    let sam = user("sam.patel", Role::SocialWorker, "correct: test");
    let kim = user("kim.worker", Role::SocialWorker, "correct: test");
    let manager = user("max.manager", Role::TeamManager, "correct: test");
    f.app
        .record_event(&sam, now(), &c1(), visit("v1", "2024-06-03"))
        .await
        .unwrap();
    // Another practitioner may not correct Sam's visit, nor an imported event.
    for target in ["v1", "c1-04"] {
        let refused = f
            .app
            .record_event(&kim, now(), &c1(), correction("k1", 5, retraction(target)))
            .await;
        assert!(
            matches!(
                refused,
                Err(AppError::Refused(Permission::CorrectOthersEvents))
            ),
            "{refused:?}"
        );
    }
    // Sam amends their own visit.
    let amended = EventData::EventAmended(EventAmended {
        event: EventId::parse("v1").unwrap(),
        reason: String::from("the child was not seen alone"),
        occurred_at: None,
        amended: Some(Box::new(EventData::Visit(Visit {
            worker: WorkerId::parse("W1").unwrap(),
            seen: true,
            seen_alone: false,
        }))),
    });
    let version = f
        .app
        .record_event(&sam, now(), &c1(), correction("s1", 5, amended))
        .await
        .unwrap();
    assert_eq!(version, 6);
    // A manager retracts it: anyone's.
    let version = f
        .app
        .record_event(
            &manager,
            now(),
            &c1(),
            correction("m1", 6, retraction("v1")),
        )
        .await
        .unwrap();
    assert_eq!(version, 7);
    let refusals: Vec<(String, String)> = f
        .log_of_c1()
        .await
        .into_iter()
        .filter(|(_, action)| action.starts_with("refused"))
        .collect();
    assert_eq!(
        refusals,
        [
            entry("kim.worker", "refused (role): correct: test"),
            entry("kim.worker", "refused (role): correct: test"),
        ]
    );
}

#[tokio::test]
async fn recording_an_event_checks_the_role_the_day_and_logs_the_write() {
    let f = fixture().await;
    let auditor = user("abi.auditor", Role::Auditor, "api write: test");
    let refused = f
        .app
        .record_event(&auditor, now(), &c1(), visit("v1", "2024-06-01"))
        .await;
    assert!(matches!(
        refused,
        Err(AppError::Refused(Permission::RecordEvents))
    ));
    let worker = user("sam.patel", Role::SocialWorker, "api write: test");
    let tomorrow = f
        .app
        .record_event(&worker, now(), &c1(), visit("v1", "2024-06-04"))
        .await;
    assert!(
        matches!(tomorrow, Err(AppError::NotRecordable(_))),
        "{tomorrow:?}"
    );
    let version = f
        .app
        .record_event(&worker, now(), &c1(), visit("v1", "2024-06-03"))
        .await
        .unwrap();
    assert_eq!(version, 5);
    let stale = f
        .app
        .record_event(&worker, now(), &c1(), visit("v2", "2024-06-03"))
        .await;
    assert!(
        matches!(
            stale,
            Err(AppError::Store(hearth_store::StoreError::Conflict { .. }))
        ),
        "{stale:?}"
    );
    let (events, _) = f.store.journey(&Subject::Child(c1())).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.recorded_by.as_str(), "sam.patel");
    assert_eq!(last.recorded_at, now());
    assert_eq!(
        f.log_of_c1().await,
        [
            entry("abi.auditor", "refused (role): api write: test"),
            entry("sam.patel", "api write: test"),
        ]
    );
}

/// A visit by `worker` on `on`, at journey version 4.
fn visit_by(id: &str, on: &str, worker: &str) -> NewEvent {
    NewEvent {
        data: EventData::Visit(Visit {
            worker: WorkerId::parse(worker).unwrap(),
            seen: true,
            seen_alone: true,
        }),
        ..visit(id, on)
    }
}

#[tokio::test]
async fn a_worker_not_in_post_on_the_event_s_day_is_refused_in_one_sentence() {
    let f = fixture().await;
    // W2 left on 2024-05-31; W3 starts on 2024-06-10.
    let mut org = organisation();
    let w1 = org.workers[0].clone();
    for (id, start, end) in [
        ("W2", date(2021, 1, 4), Some(date(2024, 5, 31))),
        ("W3", date(2024, 6, 10), None),
    ] {
        org.workers.push(hearth_domain::org::Worker {
            id: WorkerId::parse(id).unwrap(),
            start_date: start,
            end_date: end,
            qualified: None,
            ..w1.clone()
        });
    }
    f.store.put_organisation(&org).await.unwrap();
    let worker = user("sam.patel", Role::SocialWorker, "api write: test");
    for (id, on, who) in [("v1", "2024-06-01", "W2"), ("v2", "2024-06-03", "W3")] {
        let refused = f
            .app
            .record_event(&worker, now(), &c1(), visit_by(id, on, who))
            .await;
        let Err(AppError::NotRecordable(e)) = refused else {
            panic!("{refused:?}");
        };
        assert_eq!(
            e.to_string(),
            format!("event {id} (visit on {on}): worker {who} was not in post on that day")
        );
    }
    // On their last day in post, W2 could still visit.
    let version = f
        .app
        .record_event(&worker, now(), &c1(), visit_by("v3", "2024-05-31", "W2"))
        .await
        .unwrap();
    assert_eq!(version, 5);
}

#[tokio::test]
async fn a_version_of_the_organisation_dated_later_is_not_used_before_its_day() {
    let f = fixture().await;
    // From 2024-07-01 W1 is renamed, and W4 joins (from the start of their version).
    let mut later = organisation();
    later.workers[0].name = String::from("Sam Patel-Jones");
    let mut w4 = later.workers[0].clone();
    w4.id = WorkerId::parse("W4").unwrap();
    later.workers.push(w4);
    f.store
        .add_organisation_version(&later, date(2024, 7, 1))
        .await
        .unwrap();
    let w1 = WorkerId::parse("W1").unwrap();
    let today = hearth_app::today(now());
    let authority = f.app.authority(today).await.unwrap();
    assert_eq!(authority.worker_name(&w1), "Sam Patel");
    assert_eq!(
        f.app
            .authority(date(2024, 7, 1))
            .await
            .unwrap()
            .worker_name(&w1),
        "Sam Patel-Jones"
    );
    // W4 is not the authority's worker yet, so a visit today names no worker of its.
    let worker = user("sam.patel", Role::SocialWorker, "api write: test");
    let refused = f
        .app
        .record_event(&worker, now(), &c1(), visit_by("v1", "2024-06-03", "W4"))
        .await;
    let Err(AppError::NotRecordable(e)) = refused else {
        panic!("{refused:?}");
    };
    assert!(
        e.to_string()
            .ends_with("there is no worker W4 in the organisation"),
        "{e}"
    );
}

/// The real store, counting how often every child is counted.
struct CountsChildCounts(Arc<dyn Store>, Arc<AtomicUsize>);

#[async_trait::async_trait]
impl Projections for CountsChildCounts {
    async fn child(&self, id: &ChildId) -> Result<Option<ChildRecord>, StoreError> {
        self.0.child(id).await
    }
    async fn search_children(
        &self,
        query: &str,
        limit: u32,
    ) -> Result<Vec<ChildSummary>, StoreError> {
        self.0.search_children(query, limit).await
    }
    async fn count_children(&self) -> Result<u64, StoreError> {
        self.1.fetch_add(1, Ordering::SeqCst);
        self.0.count_children().await
    }
    async fn held_children(&self, held_by: &HeldBy) -> Result<Vec<ChildRecord>, StoreError> {
        self.0.held_children(held_by).await
    }
    async fn allocated_work(&self, team: &TeamId) -> Result<Vec<AllocatedWork>, StoreError> {
        self.0.allocated_work(team).await
    }
    async fn queued_children(
        &self,
        team: &TeamId,
        workers: &[WorkerId],
    ) -> Result<Vec<ChildRecord>, StoreError> {
        self.0.queued_children(team, workers).await
    }
    async fn rebuild(&self) -> Result<RebuildReport, StoreError> {
        self.0.rebuild().await
    }
    async fn projection_dump(&self) -> Result<Vec<String>, StoreError> {
        self.0.projection_dump().await
    }
}

#[tokio::test]
async fn the_children_are_counted_again_only_once_the_journal_has_moved() {
    let f = fixture().await;
    let counted = Arc::new(AtomicUsize::new(0));
    let store: Arc<dyn Store> = Arc::new(Parts {
        projections: Arc::new(CountsChildCounts(f.store.clone(), counted.clone())),
        ..Parts::of(f.store.clone())
    });
    let app = App::new(store);
    let worker = user("sam.patel", Role::SocialWorker, "list: test");
    for _ in 0..3 {
        assert_eq!(app.count_children(&worker, now()).await.unwrap(), 1);
    }
    assert_eq!(counted.load(Ordering::SeqCst), 1);
    // A child registered by another process is counted from the next request on.
    let c2 = ev(
        "C2",
        "c2-01",
        "2024-05-01",
        registered(details("Ben", "Testington", date(2016, 1, 1))),
    );
    f.store.append(0, vec![c2]).await.unwrap();
    assert_eq!(app.count_children(&worker, now()).await.unwrap(), 2);
    assert_eq!(app.count_children(&worker, now()).await.unwrap(), 2);
    assert_eq!(counted.load(Ordering::SeqCst), 2);
}

/// The real store, counting how often a due list reads the children.
struct CountsDueReads(Arc<dyn Store>, Arc<AtomicUsize>);

#[async_trait::async_trait]
impl DueCache for CountsDueReads {
    async fn unsettled_due(
        &self,
        settled_by: jiff::civil::Date,
        held_by: &HeldBy,
        cache: Option<&DueCacheKey<'_>>,
        each: &mut DueSink<'_>,
    ) -> Result<u64, StoreError> {
        self.1.fetch_add(1, Ordering::SeqCst);
        self.0.unsettled_due(settled_by, held_by, cache, each).await
    }
    async fn put_due_clocks(&self, rows: &[DueClocksRow]) -> Result<(), StoreError> {
        self.0.put_due_clocks(rows).await
    }
}

#[tokio::test]
async fn a_due_list_is_drawn_up_once_while_the_journal_stands_still() {
    let f = fixture().await;
    let reads = Arc::new(AtomicUsize::new(0));
    let store: Arc<dyn Store> = Arc::new(Parts {
        due_cache: Arc::new(CountsDueReads(f.store.clone(), reads.clone())),
        ..Parts::of(f.store.clone())
    });
    let app = App::new(store);
    let as_at = date(2024, 7, 31);
    let authority = app.authority(as_at).await.unwrap();
    let manager = user("lee.manager", Role::TeamManager, "due: test");
    let overdue = |list: &hearth_app::due::DueList<'_>| list.total.overdue;
    let first = app
        .due_list(
            &manager,
            now(),
            &authority,
            as_at,
            &HeldBy::Anyone,
            Listing::Children,
        )
        .await
        .unwrap();
    assert_eq!(overdue(&first), 1);
    let again = app
        .due_list(
            &manager,
            now(),
            &authority,
            as_at,
            &HeldBy::Anyone,
            Listing::Children,
        )
        .await
        .unwrap();
    assert_eq!(again.items, first.items);
    assert_eq!(reads.load(Ordering::SeqCst), 1);
    // Another day is another list.
    app.due_list(
        &manager,
        now(),
        &authority,
        date(2024, 7, 30),
        &HeldBy::Anyone,
        Listing::CountsOnly,
    )
    .await
    .unwrap();
    assert_eq!(reads.load(Ordering::SeqCst), 2);
    // Once the journal moves (here a child with a duty of their own), it is drawn up again.
    let c2: Vec<Event> = journey()
        .into_iter()
        .enumerate()
        .map(|(n, e)| ev("C2", &format!("c2-{n}"), &e.occurred_at.to_string(), e.data))
        .collect();
    f.store.append(0, c2).await.unwrap();
    let after = app
        .due_list(
            &manager,
            now(),
            &authority,
            as_at,
            &HeldBy::Anyone,
            Listing::Children,
        )
        .await
        .unwrap();
    assert_eq!(reads.load(Ordering::SeqCst), 3);
    assert_eq!(overdue(&after), 2);
}

#[tokio::test]
async fn only_the_command_line_manages_accounts_and_a_user_can_then_sign_in() {
    let f = fixture().await;
    let name = UserName::parse("sam.patel").unwrap();
    let new = || NewUser::new(name.clone(), Role::SocialWorker, "a long enough secret").unwrap();
    let admin = user("ada.admin", Role::Admin, "add user: test");
    let refused = f.app.add_user(&admin, now(), new()).await;
    assert!(
        matches!(refused, Err(AppError::CommandLineOnly)),
        "{refused:?}"
    );
    let refused = f.app.create_token(&admin, now(), &name).await;
    assert!(matches!(refused, Err(AppError::CommandLineOnly)));
    assert_eq!(f.log_rows().await, 2);
    assert!(f.store.user(&name).await.unwrap().is_none());

    let cli = Caller::command_line("hearth user add");
    f.app.add_user(&cli, now(), new()).await.unwrap();
    let token = f.app.create_token(&cli, now(), &name).await.unwrap();
    let hash = hearth_app::auth::token_hash(&token.token);
    assert_eq!(f.store.token_user(&hash).await.unwrap().unwrap().name, name);
    assert!(f.app.revoke_token(&cli, now(), &token.label).await.unwrap());
    assert!(f.store.token_user(&hash).await.unwrap().is_none());
    assert!(NewUser::new(name.clone(), Role::Admin, "too short").is_err());

    let signed_in = f
        .app
        .sign_in(now(), "sam.patel", String::from("a long enough secret"))
        .await
        .unwrap();
    let SignIn::SignedIn {
        user,
        role,
        session_id,
    } = signed_in
    else {
        panic!("{signed_in:?}");
    };
    assert_eq!((user.as_str(), role), ("sam.patel", Role::SocialWorker));
    let hash = hearth_app::auth::token_hash(&session_id);
    assert!(f.store.session(&hash).await.unwrap().is_some());
}

#[tokio::test]
async fn wrong_passwords_lock_the_user_out_and_each_is_logged() {
    let f = fixture().await;
    let cli = Caller::command_line("hearth user add");
    let name = UserName::parse("sam.patel").unwrap();
    let new = NewUser::new(name, Role::SocialWorker, "a long enough secret").unwrap();
    f.app.add_user(&cli, now(), new).await.unwrap();
    for _ in 0..hearth_app::LOCK_AFTER {
        let wrong = f
            .app
            .sign_in(now(), "sam.patel", String::from("not the secret"))
            .await;
        assert!(matches!(wrong, Ok(SignIn::Refused)), "{wrong:?}");
    }
    let locked = f
        .app
        .sign_in(now(), "sam.patel", String::from("a long enough secret"))
        .await;
    assert!(matches!(locked, Ok(SignIn::Refused)), "{locked:?}");
    let later = now().checked_add(hearth_app::LOCKED_FOR).unwrap();
    let again = f
        .app
        .sign_in(later, "sam.patel", String::from("a long enough secret"))
        .await;
    assert!(matches!(again, Ok(SignIn::SignedIn { .. })), "{again:?}");
    // Unknown names are refused alike, and there is no one to log them against.
    let unknown = f
        .app
        .sign_in(now(), "nobody", String::from("whatever it is"))
        .await;
    assert!(matches!(unknown, Ok(SignIn::Refused)));
    // The user's addition, then six refusals and one sign-in, each against the user's
    // name.
    assert_eq!(f.log_rows().await, 8);
}

#[test]
fn the_command_line_is_an_actor_the_journal_can_name() {
    assert!(Actor::parse(hearth_app::COMMAND_LINE).is_ok());
}
