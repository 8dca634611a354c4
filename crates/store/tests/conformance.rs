//! The conformance suite every backend passes, written once and run against SQLite and
//! PostgreSQL: what is written reads back exactly, a write the domain refuses (or a
//! stale one) changes nothing, concurrent writers never lose or duplicate an event, the
//! journal cannot be altered, projections rebuilt from the journal equal the ones kept
//! up to date write by write, and an exported journal imports to the same store.
//!
//! SQLite runs on files in a temporary directory. PostgreSQL runs on the server named by
//! `HEARTH_TEST_POSTGRES_URL` (`./scripts/test.sh` starts a throwaway one), each test in
//! a database of its own; without that variable the PostgreSQL tests fail, never skip.

// Clippy's allow-unwrap-in-tests covers #[test] functions, not the helpers beside them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hearth_domain::access::UserName;
use hearth_domain::codes::*;
use hearth_domain::contact::{ContactStatus, fold_contact};
use hearth_domain::event::*;
use hearth_domain::identifiers::NhsNumber;
use hearth_domain::ids::*;
use hearth_domain::journey::{Problem, effective_events, fold_child, fold_family};
use hearth_domain::org::{FROM_THE_START, Organisation};
use hearth_domain::people::Address;
use hearth_store::{
    AccessRows, AllocatedWork, ChainStatus, ChildSummary, ContactRecord, Draft, DueCacheKey,
    DueClocksRow, DueSource, HeldBy, IndexedPerson, QueueFilter, Store, StoreError, Version,
    Writer, open,
};
use hearth_testkit::{
    check_requested, child, contact, contact_ev, decided, details, ev, given_child, intake, linked,
    new_postgres_database, received, registered, retract, subject,
};
use jiff::civil::{Date, date};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Each test below runs once per backend: `sqlite::NAME` and `postgres::NAME`.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                super::$name(super::Backend::Sqlite).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                super::$name(super::Backend::Postgres).await
            })*
        }
    };
}

conformance!(
    migrations_from_empty_give_an_empty_store,
    a_reason_is_kept_with_its_access_row_and_chained,
    a_draft_is_kept_per_author_child_and_kind,
    the_organisation_is_kept_in_dated_versions,
    what_is_appended_reads_back_exactly,
    a_stale_version_is_a_conflict_and_writes_nothing,
    an_event_the_domain_refuses_changes_nothing,
    a_batch_with_one_bad_event_writes_nothing,
    a_reused_event_id_is_refused,
    corrections_change_the_projection_as_the_fold_says,
    exporting_one_child_gives_only_their_events,
    an_exported_journal_imports_to_the_same_store,
    a_contacts_journey_is_projected_and_queued,
    people_are_indexed_with_the_place_of_their_last_write,
    the_journeys_with_a_contact_in_a_period_are_read_whole,
    the_journal_cannot_be_changed_or_emptied,
    rebuilding_gives_the_projections_kept_incrementally_and_a_reopened_store_keeps_every_write,
    family_events_recorded_late_are_folded_in_date_order,
    concurrent_writers_on_one_child_never_lose_or_duplicate_an_event,
    concurrent_writers_on_different_children_never_conflict,
    the_hash_chains_are_intact_on_a_clean_store,
    any_single_row_edit_behind_hearths_back_breaks_the_chain_at_that_row,
    users_and_their_tokens_read_back_and_tokens_can_be_revoked,
    a_due_list_reads_only_the_children_who_may_owe,
    a_teams_allocated_work_names_each_childs_worker_and_open_work,
    a_list_logs_a_view_of_every_child_it_shows,
    sessions_start_are_seen_and_end,
    lockouts_read_back_per_user,
    a_refusal_is_logged_and_chained,
    restrictions_name_who_may_see_a_record,
    the_due_cache_gives_fresh_usable_clocks_and_else_the_journey,
    many_writers_and_readers_at_once_keep_every_acknowledged_write_once,
    a_refused_write_in_a_group_is_refused_alone,
    a_write_to_several_subjects_is_refused_whole_if_any_one_is_stale,
    a_write_to_several_subjects_moves_each_version_it_names,
    a_refused_write_to_several_subjects_in_a_group_is_refused_alone,
    a_logged_write_commits_its_access_rows_with_its_events_or_neither,
    a_group_takes_no_more_than_its_bound,
    the_organisation_revision_changes_whenever_one_is_stored,
    the_journal_position_moves_with_every_append_and_nothing_else,
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, empty store of one backend, with the URL it was opened from.
struct Db {
    store: Arc<dyn Store>,
    backend: Backend,
    url: String,
    _dir: Option<tempfile::TempDir>,
}

async fn fresh(backend: Backend) -> Db {
    let (url, dir) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("hearth.db").display());
            (url, Some(dir))
        }
        Backend::Postgres => (new_postgres_database().await, None),
    };
    let store = open(&url).await.unwrap();
    Db {
        store,
        backend,
        url,
        _dir: dir,
    }
}

impl Db {
    /// Close the store and open the same database again.
    async fn reopen(self) -> Db {
        let Db {
            store,
            backend,
            url,
            _dir,
        } = self;
        drop(store);
        let store = open(&url).await.unwrap();
        Db {
            store,
            backend,
            url,
            _dir,
        }
    }

    /// Run `sql` behind the store's back, as someone with the database could.
    async fn execute(&self, sql: &str) -> Result<u64, sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self.backend {
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.url).await?;
                let done = sqlx::query(sql).execute(&pool).await;
                pool.close().await;
                Ok(done?.rows_affected())
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&self.url).await?;
                let done = sqlx::query(sql).execute(&pool).await;
                pool.close().await;
                Ok(done?.rows_affected())
            }
        }
    }

    /// Run `sql` as someone who has gone around the append-only triggers: on SQLite by
    /// dropping them, on PostgreSQL by turning triggers off for the session.
    async fn tamper(&self, sql: &str) {
        let bypass = match self.backend {
            Backend::Sqlite => {
                "DROP TRIGGER IF EXISTS journal_no_update; DROP TRIGGER IF EXISTS journal_no_delete; \
                 DROP TRIGGER IF EXISTS access_log_no_update; DROP TRIGGER IF EXISTS access_log_no_delete;"
            }
            Backend::Postgres => "SET session_replication_role = replica;",
        };
        let sql = sqlx::AssertSqlSafe(format!("{bypass} {sql}"));
        match self.backend {
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.url).await.unwrap();
                sqlx::raw_sql(sql).execute(&pool).await.unwrap();
                pool.close().await;
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&self.url).await.unwrap();
                sqlx::raw_sql(sql).execute(&pool).await.unwrap();
                pool.close().await;
            }
        }
    }

    /// `child:ID` and its version for every journal row, in the order written.
    async fn journal_versions(&self) -> Vec<(String, i64)> {
        let sql = "SELECT subject, version FROM journal ORDER BY seq";
        match self.backend {
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.url).await.unwrap();
                let rows = sqlx::query_as(sql).fetch_all(&pool).await.unwrap();
                pool.close().await;
                rows
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&self.url).await.unwrap();
                let rows = sqlx::query_as(sql).fetch_all(&pool).await.unwrap();
                pool.close().await;
                rows
            }
        }
    }
}

/// Everything a write could change: the journal as exported, every projection row,
/// and the counts.
#[derive(Debug, PartialEq)]
struct Snapshot {
    journal: String,
    projections: Vec<String>,
    events: u64,
    children: u64,
}

async fn snapshot(store: &Arc<dyn Store>) -> Snapshot {
    let mut journal = Vec::new();
    store.export_journal(None, &mut journal).await.unwrap();
    Snapshot {
        journal: String::from_utf8(journal).unwrap(),
        projections: store.projection_dump().await.unwrap(),
        events: store.count_events().await.unwrap(),
        children: store.count_children().await.unwrap(),
    }
}

fn visit() -> EventData {
    EventData::Visit(Visit {
        worker: WorkerId::parse("W1").unwrap(),
        seen: true,
        seen_alone: true,
    })
}

fn placement() -> EventData {
    EventData::PlacementStarted(PlacementStarted {
        placement_type: PlacementType::FosterOther,
        provider: PlacementProvider::OwnLa,
        postcode: None,
        urn: None,
        weekly_cost: None,
        same_carers: None,
    })
}

/// Ava: contact, referral, assessment, a s47 enquiry, an ICPC and a protection plan.
fn ava() -> Vec<Event> {
    use EventData as E;
    let k1 = || ContactId::parse("K1").unwrap();
    let mut d = details("Ava", "Testington", date(2015, 6, 1));
    d.nhs_number = Some(NhsNumber::parse("999 000 0018").unwrap());
    d.address = Some(Address {
        lines: vec![String::from("1 High Street")],
        town: String::from("Flitwick"),
        postcode: "MK45 1AA".parse().unwrap(),
    });
    let c = |id: &str, on: &str, data| ev("C1", id, on, data);
    vec![
        c("c1-01", "2024-01-10", registered(d)),
        c(
            "c1-02",
            "2024-01-10T09:15",
            E::ContactReceived(ContactReceived::new(k1(), ReferralSource::Police)),
        ),
        c(
            "c1-03",
            "2024-01-11",
            E::ContactDecided(ContactDecided::new(
                k1(),
                ContactOutcome::Referral,
                Some(String::from("4")),
            )),
        ),
        c(
            "c1-04",
            "2024-01-11",
            E::ReferralAccepted(ReferralAccepted {
                referral: ReferralId::parse("R1").unwrap(),
                contact: Some(k1()),
                source: ReferralSource::Police,
                primary_need: PrimaryNeed::AbuseOrNeglect,
            }),
        ),
        c(
            "c1-05",
            "2024-01-12",
            E::Allocated(Allocated {
                worker: WorkerId::parse("W1").unwrap(),
                team: TeamId::parse("T1").unwrap(),
                reason: None,
            }),
        ),
        c(
            "c1-06",
            "2024-01-12",
            E::AssessmentStarted(Default::default()),
        ),
        c(
            "c1-07",
            "2024-01-15",
            E::StrategyDiscussion(StrategyDiscussion { s47: true }),
        ),
        c("c1-08", "2024-01-15", E::S47Started(Default::default())),
        c(
            "c1-09",
            "2024-01-25",
            E::S47Completed(S47Completed {
                icpc_required: true,
            }),
        ),
        c("c1-10", "2024-02-05", E::IcpcHeld(IcpcHeld { plan: true })),
        c(
            "c1-11",
            "2024-02-05",
            E::CpPlanStarted(CpCategory {
                category: CategoryOfAbuse::Neglect,
            }),
        ),
        c(
            "c1-12",
            "2024-02-20",
            E::AssessmentCompleted(AssessmentCompleted {
                factors: vec![AssessmentFactor::DomesticAbuseParent],
                services_needed: true,
                child_seen: None,
            }),
        ),
    ]
}

/// Ben: registered, a contact, a referral, and taken into care.
fn ben() -> Vec<Event> {
    use EventData as E;
    let k2 = || ContactId::parse("K2").unwrap();
    let c = |id: &str, on: &str, data| ev("C2", id, on, data);
    vec![
        c(
            "c2-01",
            "2024-02-01",
            registered(details("Ben", "Example", date(2012, 3, 4))),
        ),
        c(
            "c2-02",
            "2024-02-01",
            E::ContactReceived(ContactReceived::new(k2(), ReferralSource::Schools)),
        ),
        c(
            "c2-03",
            "2024-02-02",
            E::ContactDecided(ContactDecided::new(
                k2(),
                ContactOutcome::Referral,
                Some(String::from("4")),
            )),
        ),
        c(
            "c2-04",
            "2024-02-02",
            E::ReferralAccepted(ReferralAccepted {
                referral: ReferralId::parse("R2").unwrap(),
                contact: Some(k2()),
                source: ReferralSource::Schools,
                primary_need: PrimaryNeed::AbsentParenting,
            }),
        ),
        c(
            "c2-05",
            "2024-03-01",
            E::LookedAfterStarted(LookedAfterStarted {
                legal_status: LegalStatus::Section20,
                category_of_need: PrimaryNeed::AbsentParenting,
                uasc: false,
                previous_permanence: None,
            }),
        ),
        c("c2-06", "2024-03-01", placement()),
    ]
}

/// Cleo: registered and nothing else yet.
fn cleo() -> Vec<Event> {
    vec![ev(
        "C3",
        "c3-01",
        "2024-04-01",
        registered(details("Cleo", "Testington", date(2020, 9, 9))),
    )]
}

/// A store holding Ava, Ben and Cleo.
async fn county(backend: Backend) -> Db {
    let db = fresh(backend).await;
    db.store.append(0, ava()).await.unwrap();
    db.store.append(0, ben()).await.unwrap();
    db.store.append(0, cleo()).await.unwrap();
    db
}

/// The error a refused write gave; panics if the write was accepted.
fn refused<T: std::fmt::Debug>(result: Result<T, StoreError>) -> StoreError {
    match result {
        Ok(v) => panic!("the write was accepted: {v:?}"),
        Err(e) => e,
    }
}

/// Assert `err` is the domain refusing `event` for `problem`.
fn assert_invalid(err: &StoreError, event: &str, problem: &Problem) {
    match err {
        StoreError::Invalid(e) => {
            assert_eq!(e.event.as_str(), event, "{err}");
            assert_eq!(&e.problem, problem, "{err}");
            let message = err.to_string();
            assert!(message.contains(event), "{message}");
            assert!(message.contains(&problem.to_string()), "{message}");
        }
        other => panic!("expected the domain to refuse {event}, got {other:?}"),
    }
}

async fn what_is_appended_reads_back_exactly(backend: Backend) {
    let db = fresh(backend).await;
    let s = &db.store;
    let mut first = ava();
    let rest = first.split_off(4);
    assert_eq!(s.append(0, first).await.unwrap(), 4);
    // Another child's journey counts its own versions from 1.
    assert_eq!(s.append(0, ben()[..2].to_vec()).await.unwrap(), 2);
    assert_eq!(s.append(4, rest).await.unwrap(), 12);
    assert_eq!(s.append(2, ben()[2..].to_vec()).await.unwrap(), 6);

    let (journey, version) = s.journey(&subject("C1")).await.unwrap();
    assert_eq!(journey, ava());
    assert_eq!(version, 12);
    let (journey, version) = s.journey(&subject("C2")).await.unwrap();
    assert_eq!(journey, ben());
    assert_eq!(version, 6);
    let (journey, version) = s.journey(&subject("C9")).await.unwrap();
    assert!(journey.is_empty());
    assert_eq!(version, 0);

    // Versions in the journal count up per subject, in the order written.
    let rows = db.journal_versions().await;
    let mut expect = Vec::new();
    expect.extend((1..=4).map(|v| ("child:C1".to_owned(), v)));
    expect.extend((1..=2).map(|v| ("child:C2".to_owned(), v)));
    expect.extend((5..=12).map(|v| ("child:C1".to_owned(), v)));
    expect.extend((3..=6).map(|v| ("child:C2".to_owned(), v)));
    assert_eq!(rows, expect);

    let record = s.child(&child("C1")).await.unwrap().unwrap();
    assert_eq!(record.version, 12);
    assert_eq!(record.state, fold_child(&child("C1"), &ava()).unwrap());
    assert!(record.state.cp_plan.is_some());
    let record = s.child(&child("C2")).await.unwrap().unwrap();
    assert_eq!(record.version, 6);
    assert_eq!(record.state, fold_child(&child("C2"), &ben()).unwrap());
    assert!(s.child(&child("C9")).await.unwrap().is_none());

    assert_eq!(s.count_events().await.unwrap(), 18);
    assert_eq!(s.count_children().await.unwrap(), 2);

    // Search by name, date of birth, NHS number (as typed, with separators) and id.
    let found = s.search_children("ava", 10).await.unwrap();
    assert_eq!(found.len(), 1);
    let ava = &found[0];
    assert_eq!(ava.id, child("C1"));
    assert_eq!(ava.name.to_string(), "Ava Testington");
    assert_eq!(ava.date_of_birth, Some(date(2015, 6, 1)));
    assert_eq!(ava.expected_date_of_birth, None);
    assert_eq!(ava.postcode.as_deref(), Some("MK45 1AA"));
    assert_eq!(ava.open_work, ["Child in need", "Child protection plan"]);
    assert_eq!(ava.worker, Some(WorkerId::parse("W1").unwrap()));
    assert_eq!(ava.team, Some(TeamId::parse("T1").unwrap()));
    for query in [
        "Testing",
        "testington ava",
        "2015-06-01",
        "999-000-0018",
        "C1",
    ] {
        let ids: Vec<_> = s
            .search_children(query, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(ids, [child("C1")], "{query}");
    }
    let ben = s.search_children("Ben", 10).await.unwrap();
    assert_eq!(ben.len(), 1);
    assert_eq!(ben[0].open_work, ["Child in need", "Looked after"]);
    assert_eq!(ben[0].worker, None);
    assert!(s.search_children("Zed", 10).await.unwrap().is_empty());
    assert!(
        s.search_children("Ava Example", 10)
            .await
            .unwrap()
            .is_empty()
    );
    // An empty query lists everyone, by family name; the limit holds.
    let all: Vec<_> = s
        .search_children("", 10)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(all, [child("C2"), child("C1")]);
    assert_eq!(s.search_children("", 1).await.unwrap().len(), 1);
}

async fn a_stale_version_is_a_conflict_and_writes_nothing(backend: Backend) {
    let db = county(backend).await;
    let s = &db.store;
    let before = snapshot(s).await;
    let late = || vec![ev("C1", "c1-late", "2024-03-01", visit())];

    for stale in [0, 11, 13, 100] {
        match refused(s.append(stale, late()).await) {
            StoreError::Conflict {
                subject: sub,
                expected,
                actual,
            } => {
                assert_eq!(sub, subject("C1"));
                assert_eq!(expected, stale);
                assert_eq!(actual, 12);
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert_eq!(snapshot(s).await, before);
    }
    // A subject with no journey yet is at version 0.
    let first = vec![ev(
        "C4",
        "c4-01",
        "2024-04-01",
        registered(details("Dan", "Fresh", date(2019, 1, 1))),
    )];
    assert!(matches!(
        refused(s.append(1, first.clone()).await),
        StoreError::Conflict { actual: 0, .. }
    ));
    assert_eq!(snapshot(s).await, before);

    // With the current version the same write goes through.
    assert_eq!(s.append(12, late()).await.unwrap(), 13);
    assert_eq!(s.append(0, first).await.unwrap(), 1);
}

async fn an_event_the_domain_refuses_changes_nothing(backend: Backend) {
    use EventData as E;
    let db = county(backend).await;
    let s = &db.store;
    let before = snapshot(s).await;
    let cases: Vec<(u64, Event, &str, Problem)> = vec![
        // Ben has had no conference.
        (
            6,
            ev(
                "C2",
                "bad-1",
                "2024-03-05",
                E::CpPlanStarted(CpCategory {
                    category: CategoryOfAbuse::Physical,
                }),
            ),
            "bad-1",
            Problem::CpPlanWithoutIcpc,
        ),
        // Ava already has a plan.
        (
            12,
            ev(
                "C1",
                "bad-2",
                "2024-03-05",
                E::CpPlanStarted(CpCategory {
                    category: CategoryOfAbuse::Physical,
                }),
            ),
            "bad-2",
            Problem::CpPlanOverlap,
        ),
        // Cleo is not looked after.
        (
            1,
            ev("C3", "bad-3", "2024-04-02", placement()),
            "bad-3",
            Problem::NotLookedAfter,
        ),
        // Ben is already placed.
        (
            6,
            ev("C2", "bad-4", "2024-03-02", placement()),
            "bad-4",
            Problem::PlacementAlreadyOpen,
        ),
        // Dana is registered on a day before she was born.
        (
            0,
            ev(
                "C4",
                "bad-5",
                "2024-04-01",
                registered(details("Dana", "Early", date(2024, 5, 1))),
            ),
            "bad-5",
            Problem::BeforeBirth,
        ),
        // Something for a child never registered.
        (
            0,
            ev("C5", "bad-6", "2024-04-01", visit()),
            "bad-6",
            Problem::NotRegistered,
        ),
        // Recorded late, dated inside Ava's open episode: the journey is refolded and
        // the referral cannot stand there.
        (
            12,
            ev(
                "C1",
                "bad-7",
                "2024-01-20",
                E::ReferralAccepted(ReferralAccepted {
                    referral: ReferralId::parse("R9").unwrap(),
                    contact: None,
                    source: ReferralSource::Police,
                    primary_need: PrimaryNeed::AbuseOrNeglect,
                }),
            ),
            "bad-7",
            Problem::CinAlreadyOpen,
        ),
        // Retracting Ava's referral leaves her assessment with no episode: the refusal
        // names the event that can no longer stand.
        (
            12,
            ev("C1", "bad-8", "2024-03-05", retract("c1-04", "wrong child")),
            "c1-06",
            Problem::NoCinEpisode,
        ),
        // A correction must say why.
        (
            12,
            ev("C1", "bad-9", "2024-03-05", retract("c1-12", " ")),
            "bad-9",
            Problem::NoReason,
        ),
    ];
    for (version, event, named, problem) in cases {
        let err = refused(s.append(version, vec![event]).await);
        assert_invalid(&err, named, &problem);
        assert_eq!(snapshot(s).await, before, "after {named}");
    }
    // The journal still takes a good event.
    assert_eq!(
        s.append(6, vec![ev("C2", "c2-07", "2024-03-05", visit())])
            .await
            .unwrap(),
        7
    );
}

async fn a_batch_with_one_bad_event_writes_nothing(backend: Backend) {
    let db = county(backend).await;
    let s = &db.store;
    let before = snapshot(s).await;
    let dan = |id: &str, on: &str, data| ev("C4", id, on, data);
    let batch = vec![
        dan(
            "c4-01",
            "2024-04-01",
            registered(details("Dan", "Fresh", date(2019, 1, 1))),
        ),
        dan("c4-02", "2024-04-02", visit()),
        ev("C2", "c2-07", "2024-04-02", visit()),
        // Cleo is not looked after.
        ev("C3", "c3-02", "2024-04-03", placement()),
        dan("c4-03", "2024-04-04", visit()),
    ];
    let err = refused(s.append_batch(batch).await);
    assert_invalid(&err, "c3-02", &Problem::NotLookedAfter);
    assert_eq!(snapshot(s).await, before);
    assert!(s.child(&child("C4")).await.unwrap().is_none());
    assert!(s.journey(&subject("C4")).await.unwrap().0.is_empty());

    // More rows than one INSERT carries, the last a reused id: the rows already sent
    // are rolled back with the rest.
    let mut batch = vec![dan(
        "c4-01",
        "2024-04-01",
        registered(details("Dan", "Fresh", date(2019, 1, 1))),
    )];
    batch.extend((0..900).map(|i| dan(&format!("c4-v{i:03}"), "2024-04-02", visit())));
    batch.push(dan("c1-01", "2024-04-03", visit()));
    assert!(matches!(
        refused(s.append_batch(batch).await),
        StoreError::DuplicateEvent(id) if id == "c1-01"
    ));
    assert_eq!(snapshot(s).await, before);

    // One append must be for one subject.
    let mixed = vec![
        ev("C3", "c3-02", "2024-04-03", visit()),
        ev("C2", "c2-07", "2024-04-03", visit()),
    ];
    assert!(matches!(
        refused(s.append(1, mixed).await),
        StoreError::MixedSubjects
    ));
    assert_eq!(snapshot(s).await, before);

    // Without the bad event, the batch goes in whole.
    let good = vec![
        dan(
            "c4-01",
            "2024-04-01",
            registered(details("Dan", "Fresh", date(2019, 1, 1))),
        ),
        dan("c4-02", "2024-04-02", visit()),
        ev("C2", "c2-07", "2024-04-02", visit()),
        dan("c4-03", "2024-04-04", visit()),
    ];
    assert_eq!(s.append_batch(good).await.unwrap(), 4);
    assert_eq!(s.count_events().await.unwrap(), before.events + 4);
    assert_eq!(s.child(&child("C4")).await.unwrap().unwrap().version, 3);
    assert_eq!(s.child(&child("C2")).await.unwrap().unwrap().version, 7);
}

/// A reused event id is refused, naming the id, whichever way it is met.
fn assert_duplicate(err: &StoreError, id: &str) {
    match err {
        StoreError::DuplicateEvent(named) => assert_eq!(named, id),
        StoreError::Invalid(e) => {
            assert_eq!(
                e.problem,
                Problem::DuplicateEventId(EventId::parse(id).unwrap())
            )
        }
        other => panic!("expected {id} to be refused as a duplicate, got {other:?}"),
    }
    assert!(err.to_string().contains(id), "{err}");
}

async fn a_reused_event_id_is_refused(backend: Backend) {
    let db = county(backend).await;
    let s = &db.store;
    let before = snapshot(s).await;

    // The same event sent twice in one batch.
    let twice = vec![
        ev("C3", "c3-02", "2024-04-02", visit()),
        ev("C3", "c3-02", "2024-04-02", visit()),
    ];
    assert_duplicate(&refused(s.append(1, twice).await), "c3-02");
    // An id already used on another child's journey.
    let other = vec![ev("C3", "c1-05", "2024-04-02", visit())];
    assert_duplicate(&refused(s.append(1, other).await), "c1-05");
    // An id already used on this journey, on the end of it...
    let same = vec![ev("C1", "c1-12", "2024-02-20", visit())];
    assert_duplicate(&refused(s.append(12, same).await), "c1-12");
    // ...and dated inside it, so the journey is refolded.
    let inside = vec![ev("C1", "c1-03", "2024-01-20", visit())];
    assert_duplicate(&refused(s.append(12, inside).await), "c1-03");
    // The very same event again: refused, whether the domain sees first that it cannot
    // happen twice or the journal that its id is taken.
    let again = vec![ava().remove(11)];
    let err = refused(s.append(12, again).await);
    assert!(
        matches!(err, StoreError::DuplicateEvent(_) | StoreError::Invalid(_)),
        "{err:?}"
    );
    assert!(err.to_string().contains("c1-12"), "{err}");
    assert_eq!(snapshot(s).await, before);
}

async fn corrections_change_the_projection_as_the_fold_says(backend: Backend) {
    use EventData as E;
    let db = county(backend).await;
    let s = &db.store;
    let c1 = child("C1");
    let check = |version: u64| {
        let c1 = c1.clone();
        async move {
            let (journey, v) = s.journey(&Subject::Child(c1.clone())).await.unwrap();
            let record = s.child(&c1).await.unwrap().unwrap();
            assert_eq!(v, version);
            assert_eq!(record.version, version);
            assert_eq!(record.state, fold_child(&c1, &journey).unwrap());
            record.state
        }
    };

    // The plan's category was recorded wrongly.
    let state = check(12).await;
    assert_eq!(
        state.cp_plan.as_ref().unwrap().initial_category,
        CategoryOfAbuse::Neglect
    );
    let amend = ev(
        "C1",
        "c1-13",
        "2024-03-01",
        E::EventAmended(EventAmended {
            event: EventId::parse("c1-11").unwrap(),
            reason: String::from("category recorded wrongly"),
            occurred_at: None,
            amended: Some(Box::new(E::CpPlanStarted(CpCategory {
                category: CategoryOfAbuse::Emotional,
            }))),
        }),
    );
    assert_eq!(s.append(12, vec![amend]).await.unwrap(), 13);
    let state = check(13).await;
    let plan = state.cp_plan.as_ref().unwrap();
    assert_eq!(plan.initial_category, CategoryOfAbuse::Emotional);
    assert_eq!(plan.latest_category, CategoryOfAbuse::Emotional);
    assert_eq!(plan.started, date(2024, 2, 5));

    // The plan ends; the ending was recorded on the wrong child and is retracted.
    let end = ev("C1", "c1-14", "2024-03-10", E::CpPlanEnded(Empty {}));
    assert_eq!(s.append(13, vec![end]).await.unwrap(), 14);
    assert!(check(14).await.cp_plan.is_none());
    let undo = ev("C1", "c1-15", "2024-03-11", retract("c1-14", "wrong child"));
    assert_eq!(s.append(14, vec![undo]).await.unwrap(), 15);
    let state = check(15).await;
    assert!(state.cp_plan.is_some());
    assert_eq!(state.history.cp_plans, 1);

    // The referral really came a week earlier.
    let redate = ev(
        "C1",
        "c1-16",
        "2024-03-12",
        E::EventAmended(EventAmended {
            event: EventId::parse("c1-04").unwrap(),
            reason: String::from("date of referral"),
            occurred_at: Some(OccurredAt::parse("2024-01-10").unwrap()),
            amended: None,
        }),
    );
    assert_eq!(s.append(15, vec![redate]).await.unwrap(), 16);
    let state = check(16).await;
    assert_eq!(state.cin.as_ref().unwrap().referral_date, date(2024, 1, 10));
    assert_eq!(state.history.last_referral, Some(date(2024, 1, 10)));

    // Corrections that cannot stand change nothing.
    let before = snapshot(s).await;
    let bad = [
        (
            retract("c1-14", "again"),
            Problem::AlreadyRetracted(EventId::parse("c1-14").unwrap()),
        ),
        (
            retract("c1-13", "undo the amendment"),
            Problem::CorrectsCorrection(EventId::parse("c1-13").unwrap()),
        ),
        (
            retract("c2-01", "not Ava's"),
            Problem::UnknownTarget(EventId::parse("c2-01").unwrap()),
        ),
        (
            E::EventAmended(EventAmended {
                event: EventId::parse("c1-11").unwrap(),
                reason: String::from("not a plan"),
                occurred_at: None,
                amended: Some(Box::new(E::CpPlanEnded(Empty {}))),
            }),
            Problem::AmendmentKindDiffers("cp_plan_started"),
        ),
    ];
    for (data, problem) in bad {
        let err = refused(
            s.append(16, vec![ev("C1", "c1-bad", "2024-03-13", data)])
                .await,
        );
        assert_invalid(&err, "c1-bad", &problem);
        assert_eq!(snapshot(s).await, before);
    }

    // The projections kept write by write are the ones rebuilding gives.
    s.rebuild().await.unwrap();
    assert_eq!(snapshot(s).await, before);
}

async fn exporting_one_child_gives_only_their_events(backend: Backend) {
    let db = county(backend).await;
    let s = &db.store;
    // Interleave another write for Ava after Ben's.
    s.append(12, vec![ev("C1", "c1-13", "2024-03-01", visit())])
        .await
        .unwrap();

    let mut out = Vec::new();
    let n = s
        .export_journal(Some(&child("C2")), &mut out)
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(n, 6);
    assert!(text.ends_with('\n'));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6);
    let events: Vec<Event> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events, ben());

    let mut out = Vec::new();
    let n = s
        .export_journal(Some(&child("C1")), &mut out)
        .await
        .unwrap();
    let events: Vec<Event> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(n, 13);
    assert_eq!(events, s.journey(&subject("C1")).await.unwrap().0);

    let mut out = Vec::new();
    let n = s
        .export_journal(Some(&child("C9")), &mut out)
        .await
        .unwrap();
    assert_eq!(n, 0);
    assert!(out.is_empty());

    // The whole journal: every event once, in the order written, each line the
    // contract's fields.
    let mut out = Vec::new();
    assert_eq!(s.export_journal(None, &mut out).await.unwrap(), 20);
    let text = String::from_utf8(out).unwrap();
    let ids: Vec<String> = text
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
            let mut keys = keys;
            keys.sort_unstable();
            assert_eq!(
                keys,
                [
                    "data",
                    "id",
                    "kind",
                    "occurred_at",
                    "recorded_at",
                    "recorded_by",
                    "subject"
                ]
            );
            v["id"].as_str().unwrap().to_owned()
        })
        .collect();
    let mut expect: Vec<String> = ava()
        .into_iter()
        .chain(ben())
        .chain(cleo())
        .map(|e| e.id.to_string())
        .collect();
    expect.push(String::from("c1-13"));
    assert_eq!(ids, expect);
}

async fn the_journal_cannot_be_changed_or_emptied(backend: Backend) {
    let db = county(backend).await;
    let s = &db.store;
    s.log_access(
        "2024-06-01T10:00:00Z".parse().unwrap(),
        "W1",
        &subject("C1"),
        "view",
    )
    .await
    .unwrap();
    let before = snapshot(s).await;

    let mut tampering = vec![
        "UPDATE journal SET body = '{}' WHERE id = 'c1-04'",
        "UPDATE journal SET occurred_at = '2020-01-01'",
        "DELETE FROM journal WHERE id = 'c1-11'",
        "DELETE FROM journal",
        "UPDATE access_log SET actor = 'someone-else'",
        "DELETE FROM access_log",
    ];
    if backend == Backend::Postgres {
        tampering.extend([
            "TRUNCATE journal",
            "TRUNCATE access_log",
            "INSERT INTO journal (seq, id, subject, version, kind, occurred_at, recorded_at, recorded_by, body, hash) \
             SELECT seq, id, subject, version, kind, occurred_at, recorded_at, recorded_by, '{}', hash FROM journal \
             WHERE id = 'c1-04' ON CONFLICT (seq) DO UPDATE SET body = EXCLUDED.body",
        ]);
    }
    for sql in tampering {
        let err = db.execute(sql).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let journal_rows = db.journal_versions().await.len();
    assert_eq!(journal_rows, 19);
    assert_eq!(snapshot(s).await, before);
    assert_eq!(s.access_log(&subject("C1")).await.unwrap().len(), 1);
}

async fn rebuilding_gives_the_projections_kept_incrementally_and_a_reopened_store_keeps_every_write(
    backend: Backend,
) {
    let db = fresh(backend).await;
    let s = &db.store;
    let preset = hearth_synth::preset("central-bedfordshire").unwrap();
    let options = hearth_synth::Options {
        years: 2,
        seed: 7,
        scale: 0.002,
        end: date(2025, 3, 31),
    };
    let mut generator = hearth_synth::Generator::new(&preset, &options).unwrap();
    s.put_organisation(generator.organisation()).await.unwrap();
    // Families in batches of a few, as an import would.
    let families: Vec<Vec<Event>> = generator.by_ref().collect();
    assert!(generator.error().is_none(), "{:?}", generator.error());
    let total: usize = families.iter().map(Vec::len).sum();
    assert!(
        families.len() >= 10 && total >= 300,
        "{} families, {total} events",
        families.len()
    );
    for chunk in families.chunks(7) {
        let batch: Vec<Event> = chunk.iter().flatten().cloned().collect();
        let n = batch.len() as u64;
        assert_eq!(s.append_batch(batch).await.unwrap(), n);
    }

    // Then the kinds of write that force a refold: a late-recorded visit dated early in
    // each of a few children's journeys, and a retraction of it.
    let mut journeys: BTreeMap<Subject, Vec<Event>> = BTreeMap::new();
    for e in families.iter().flatten() {
        journeys
            .entry(e.subject.clone())
            .or_default()
            .push(e.clone());
    }
    let children: Vec<ChildId> = journeys
        .keys()
        .filter_map(|s| match s {
            Subject::Child(c) => Some(c.clone()),
            Subject::Family(_) | Subject::Contact(_) => None,
        })
        .collect();
    for (i, c) in children.iter().take(12).enumerate() {
        let sub = Subject::Child(c.clone());
        let (journey, version) = s.journey(&sub).await.unwrap();
        let registered_on = journey[0].occurred_at.date;
        let late = Event {
            id: EventId::parse(&format!("late-{i}")).unwrap(),
            subject: sub.clone(),
            occurred_at: OccurredAt::on(registered_on),
            recorded_at: "2025-04-01T09:00:00Z".parse().unwrap(),
            recorded_by: Actor::parse("store-test").unwrap(),
            data: visit(),
        };
        let mut events = vec![late];
        if i % 2 == 0 {
            events.push(Event {
                id: EventId::parse(&format!("undo-{i}")).unwrap(),
                occurred_at: OccurredAt::on(journey.last().unwrap().occurred_at.date),
                data: retract(&format!("late-{i}"), "recorded on the wrong child"),
                ..events[0].clone()
            });
        }
        let n = events.len() as u64;
        assert_eq!(s.append(version, events).await.unwrap(), version + n);
    }

    let incremental = snapshot(s).await;
    assert_eq!(incremental.events, total as u64 + 18);
    assert_eq!(incremental.children, children.len() as u64);
    // Each projection is the domain's fold of the journey as stored.
    for c in &children {
        let (journey, version) = s.journey(&Subject::Child(c.clone())).await.unwrap();
        let record = s.child(c).await.unwrap().unwrap();
        assert_eq!(record.version, version);
        assert_eq!(record.state, fold_child(c, &journey).unwrap(), "{c}");
    }

    let report = s.rebuild().await.unwrap();
    assert_eq!(report.events, incremental.events);
    assert_eq!(report.children, incremental.children);
    let count = |f: fn(&Subject) -> bool| journeys.keys().filter(|s| f(s)).count() as u64;
    assert_eq!(report.families, count(|s| matches!(s, Subject::Family(_))));
    // The county's contacts have journeys of their own.
    let contacts = count(|s| matches!(s, Subject::Contact(_)));
    assert!(contacts > 0);
    assert_eq!(report.contacts, contacts);
    let rebuilt = snapshot(s).await;
    assert_eq!(rebuilt.projections.len(), incremental.projections.len());
    for (a, b) in rebuilt.projections.iter().zip(&incremental.projections) {
        assert_eq!(a, b);
    }
    assert_eq!(rebuilt, incremental);

    // Close the store and open it again: every acknowledged write is there.
    let org = s.organisation().await.unwrap();
    let db = db.reopen().await;
    let reopened = &db.store;
    assert_eq!(snapshot(reopened).await, incremental);
    assert_eq!(reopened.organisation().await.unwrap(), org);
    // And it goes on accepting writes where it left off.
    let c = &children[0];
    let (_, version) = reopened.journey(&Subject::Child(c.clone())).await.unwrap();
    let (journey, _) = reopened.journey(&Subject::Child(c.clone())).await.unwrap();
    let last = effective_events(&journey).unwrap().last().unwrap().date();
    let more = Event {
        id: EventId::parse("after-reopen").unwrap(),
        subject: Subject::Child(c.clone()),
        occurred_at: OccurredAt::on(last),
        recorded_at: "2025-04-02T09:00:00Z".parse().unwrap(),
        recorded_by: Actor::parse("store-test").unwrap(),
        data: visit(),
    };
    assert_eq!(
        reopened.append(version, vec![more]).await.unwrap(),
        version + 1
    );
}

/// Family journeys recorded out of date order: the projection kept write by write must
/// be what folding the family's journey (and so `rebuild`) gives, and a write that the
/// fold of the whole journey refuses must be refused.
async fn family_events_recorded_late_are_folded_in_date_order(backend: Backend) {
    use EventData as E;
    let db = fresh(backend).await;
    let s = &db.store;
    let family = FamilyId::parse("F1").unwrap();
    let fam = Subject::Family(family.clone());
    let a1 = AdultId::parse("A1").unwrap();
    let fe = |id: &str, on: &str, data| Event {
        subject: fam.clone(),
        ..ev("C1", id, on, data)
    };
    let rel = || Relationship {
        from: PersonRef::Adult(a1.clone()),
        to: PersonRef::Child(child("C1")),
        relationship: RelationshipKind::Parent,
    };
    let journey = vec![
        fe(
            "f1-01",
            "2024-01-01",
            E::PersonRegistered(PersonRegistered {
                adult: Some(a1.clone()),
                family: Some(family.clone()),
                details: details("Amy", "Parent", date(1990, 1, 1)),
            }),
        ),
        fe("f1-02", "2024-02-01", E::RelationshipAdded(rel())),
        fe("f1-03", "2024-06-01", E::RelationshipEnded(rel())),
    ];
    s.append(0, journey.clone()).await.unwrap();
    let before = snapshot(s).await;

    // The same relationship, recorded now but dated March: in date order it is added
    // twice (February and March) before it ends, which cannot be.
    let late = fe("f1-04", "2024-03-01", E::RelationshipAdded(rel()));
    let mut whole = journey.clone();
    whole.push(late.clone());
    let fold = fold_family(&family, &whole);
    assert_eq!(
        fold.as_ref().map_err(|e| &e.problem),
        Err(&Problem::RelationshipExists)
    );
    let err = refused(s.append(3, vec![late]).await);
    assert_invalid(&err, "f1-04", &Problem::RelationshipExists);
    assert_eq!(snapshot(s).await, before);

    // A late relationship that does fit: the projection is the fold in date order.
    let a2 = AdultId::parse("A2").unwrap();
    let more = vec![
        fe(
            "f1-05",
            "2024-07-01",
            E::PersonRegistered(PersonRegistered {
                adult: Some(a2.clone()),
                family: Some(family.clone()),
                details: details("Alf", "Parent", date(1988, 1, 1)),
            }),
        ),
        fe(
            "f1-06",
            "2024-06-15",
            E::RelationshipAdded(Relationship {
                from: PersonRef::Adult(a2.clone()),
                to: PersonRef::Child(child("C1")),
                relationship: RelationshipKind::Carer,
            }),
        ),
    ];
    // Alf is only registered in July, so he cannot be a carer from June.
    let mut whole = journey.clone();
    whole.extend(more.clone());
    assert!(fold_family(&family, &whole).is_err());
    let err = refused(s.append(3, more.clone()).await);
    assert_invalid(
        &err,
        "f1-06",
        &Problem::NotAMember(PersonRef::Adult(a2.clone())),
    );
    assert_eq!(snapshot(s).await, before);

    // Registered in May instead, it fits.
    let mut fits = more;
    fits[0].occurred_at = OccurredAt::parse("2024-05-01").unwrap();
    assert_eq!(s.append(3, fits).await.unwrap(), 5);
    let dump = snapshot(s).await;
    s.rebuild().await.unwrap();
    assert_eq!(snapshot(s).await, dump);
}

/// The URL alone chooses the backend, and anything that is neither a path, `sqlite://`
/// nor `postgres://` is refused rather than taken for a file name.
#[tokio::test]
async fn the_url_chooses_the_backend() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.db");
    open(plain.to_str().unwrap()).await.unwrap();
    assert!(plain.exists());
    let prefixed = dir.path().join("prefixed.db");
    open(&format!("sqlite://{}", prefixed.display()))
        .await
        .unwrap();
    assert!(prefixed.exists());
    for url in ["mysql://localhost/hearth", "http://x", "sqlite://", ""] {
        assert!(
            matches!(open(url).await, Err(StoreError::BadUrl(_))),
            "{url}"
        );
    }
    // A postgres:// URL goes to PostgreSQL, even where no server answers: it fails to
    // connect and creates no file.
    let before = std::fs::read_dir(".").unwrap().count();
    for url in [
        "postgres://hearth@127.0.0.1:1/hearth",
        "postgresql://hearth@127.0.0.1:1/hearth",
    ] {
        assert!(
            matches!(open(url).await, Err(StoreError::Database(_))),
            "{url}"
        );
    }
    assert_eq!(std::fs::read_dir(".").unwrap().count(), before);
}

/// `INSERT OR REPLACE` deletes the row it collides with, and SQLite fires delete
/// triggers for that only when `recursive_triggers` is on (it is off by default), so
/// today this rewrites a journal row. Ignored until the schema refuses it.
#[tokio::test]
#[ignore = "known gap: INSERT OR REPLACE bypasses the append-only triggers"]
async fn a_sqlite_journal_row_cannot_be_replaced() {
    let db = county(Backend::Sqlite).await;
    let before = snapshot(&db.store).await;
    let replaced = db
        .execute(
            "INSERT OR REPLACE INTO journal (id, subject, version, kind, occurred_at, recorded_at, recorded_by, body) \
             SELECT id, subject, version, kind, occurred_at, recorded_at, recorded_by, '{}' FROM journal WHERE id = 'c1-04'",
        )
        .await;
    assert!(replaced.is_err(), "{replaced:?}");
    assert_eq!(snapshot(&db.store).await, before);
}

/// Storing a version of the organisation keeps every earlier one with its first day;
/// `organisation` gives the one with the latest first day, the history says which is in
/// force on each day, and the revision moves on with every version stored.
async fn the_organisation_is_kept_in_dated_versions(backend: Backend) {
    let named = |authority: &str| -> Organisation {
        serde_json::from_str(&format!(
            r#"{{"authority":"{authority}","la_code":"999","areas":[]}}"#
        ))
        .unwrap()
    };
    let db = fresh(backend).await;
    let s = &db.store;
    assert_eq!(s.organisation_revision().await.unwrap(), 0);
    assert!(s.organisation_versions().await.unwrap().is_empty());
    assert!(s.organisation_history().await.unwrap().is_empty());

    s.put_organisation(&named("First")).await.unwrap();
    let first = s.organisation_revision().await.unwrap();
    assert!(first > 0);
    let third = s
        .add_organisation_version(&named("Third"), date(2027, 1, 1))
        .await
        .unwrap();
    let second = s
        .add_organisation_version(&named("Second"), date(2026, 6, 1))
        .await
        .unwrap();
    assert!(first < third && third < second);
    assert_eq!(s.organisation_revision().await.unwrap(), second);
    assert_eq!(s.organisation().await.unwrap(), Some(named("Third")));

    let expected = [
        (first, FROM_THE_START, "First"),
        (third, date(2027, 1, 1), "Third"),
        (second, date(2026, 6, 1), "Second"),
    ];
    let listed = |versions: Vec<hearth_store::OrganisationVersion>| -> Vec<(u64, Date, String)> {
        versions
            .into_iter()
            .map(|v| (v.revision, v.from, v.organisation.authority))
            .collect()
    };
    let versions = listed(s.organisation_versions().await.unwrap());
    assert_eq!(
        versions,
        expected.map(|(r, d, a)| (r, d, a.to_owned())).to_vec()
    );
    let history = s.organisation_history().await.unwrap();
    let on = |day| history.on(day).map(|o| o.authority.clone());
    assert_eq!(on(date(2026, 5, 31)).as_deref(), Some("First"));
    assert_eq!(on(date(2026, 6, 1)).as_deref(), Some("Second"));
    assert_eq!(on(date(2027, 1, 1)).as_deref(), Some("Third"));

    // A version for a day that has one already takes its place in the history; both
    // stay stored.
    s.add_organisation_version(&named("Second again"), date(2026, 6, 1))
        .await
        .unwrap();
    let history = s.organisation_history().await.unwrap();
    assert_eq!(
        history.on(date(2026, 6, 1)).map(|o| o.authority.as_str()),
        Some("Second again")
    );
    assert_eq!(s.organisation_versions().await.unwrap().len(), 4);

    // Reopened, every version is there.
    let before = listed(s.organisation_versions().await.unwrap());
    let db = db.reopen().await;
    assert_eq!(
        listed(db.store.organisation_versions().await.unwrap()),
        before
    );
}

/// A new database takes every migration and holds nothing; opening it again applies
/// nothing twice and loses nothing.
async fn migrations_from_empty_give_an_empty_store(backend: Backend) {
    let db = fresh(backend).await;
    let s = &db.store;
    assert_eq!(s.count_events().await.unwrap(), 0);
    assert_eq!(s.count_children().await.unwrap(), 0);
    assert!(s.projection_dump().await.unwrap().is_empty());
    assert!(s.organisation().await.unwrap().is_none());
    assert!(s.search_children("", 10).await.unwrap().is_empty());
    let mut journal = Vec::new();
    assert_eq!(s.export_journal(None, &mut journal).await.unwrap(), 0);
    assert!(journal.is_empty());
    s.append(0, cleo()).await.unwrap();

    let db = db.reopen().await;
    assert_eq!(db.store.count_events().await.unwrap(), 1);
    let (journey, version) = db.store.journey(&subject("C3")).await.unwrap();
    assert_eq!((journey, version), (cleo(), 1));
}

/// What `hearth journal export` writes, `hearth journal import` reads back into an empty
/// store as the same journal and the same projections.
async fn an_exported_journal_imports_to_the_same_store(backend: Backend) {
    let db = county(backend).await;
    let s = &db.store;
    // A correction travels too: a visit, and its retraction.
    s.append(
        12,
        vec![
            ev("C1", "c1-13", "2024-02-21", visit()),
            ev("C1", "c1-14", "2024-02-22", retract("c1-13", "wrong child")),
        ],
    )
    .await
    .unwrap();
    let original = snapshot(s).await;

    let events: Vec<Event> = original
        .journal
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(events.len(), 21);
    let copy = fresh(backend).await;
    assert_eq!(copy.store.append_batch(events).await.unwrap(), 21);
    assert_eq!(snapshot(&copy.store).await, original);
    // Importing it again is refused whole: every id is already there.
    let again: Vec<Event> = original
        .journal
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let err = refused(copy.store.append_batch(again).await);
    assert_duplicate(&err, "c1-01");
    assert_eq!(snapshot(&copy.store).await, original);
}

fn contact_subject(id: &str) -> Subject {
    Subject::Contact(contact(id))
}

/// Contact `id`'s event `n`, recorded by `by`.
fn contact_by(id: &str, n: &str, on: &str, by: &str, data: EventData) -> Event {
    Event {
        recorded_by: Actor::parse(by).unwrap(),
        ..contact_ev(id, n, on, data)
    }
}

fn routed(locality: &str) -> EventData {
    EventData::ContactRouted(ContactRouted {
        child: None,
        team: TeamId::parse("T1").unwrap(),
        worker: None,
        locality: Some(locality.to_owned()),
        reason: RouteReason::Locality,
    })
}

/// Three contacts beside the county: K5 about Cleo (received from a school by
/// `jo.teacher`, linked to Cleo in the same write as the mirror on her journey, then
/// a red police check asked for); K6, same-day and untouched (`pc.jones`); K7, closed
/// with advice and routed to the North (`pc.jones`).
async fn front_door(backend: Backend) -> Db {
    let db = county(backend).await;
    let s = &db.store;
    let cleo_given = || intake(vec![given_child("Cleo", "Testington", date(2020, 9, 9))]);
    let k5 = || contact_subject("K5");
    assert_eq!(
        s.append(
            0,
            vec![contact_by(
                "K5",
                "k5-01",
                "2024-05-01T09:30",
                "jo.teacher",
                received("K5", cleo_given())
            )]
        )
        .await
        .unwrap(),
        1
    );
    let mirror = ev(
        "C3",
        "c3-k5",
        "2024-05-01T09:30",
        EventData::ContactReceived(ContactReceived::new(contact("K5"), ReferralSource::Schools)),
    );
    assert_eq!(
        s.append_many(
            vec![(k5(), 1), (subject("C3"), 1)],
            vec![
                contact_ev("K5", "k5-02", "2024-05-01T10:00", linked(0, "child:C3")),
                mirror
            ],
        )
        .await
        .unwrap(),
        [(k5(), 2), (subject("C3"), 2)]
    );
    s.append(
        2,
        vec![contact_ev(
            "K5",
            "k5-03",
            "2024-05-01T10:05",
            check_requested("K5", Agency::Police, Rag::Red),
        )],
    )
    .await
    .unwrap();

    let mut same_day = cleo_given();
    same_day.urgency = Urgency::SameDay;
    s.append(
        0,
        vec![contact_by(
            "K6",
            "k6-01",
            "2024-04-20",
            "pc.jones",
            received("K6", same_day),
        )],
    )
    .await
    .unwrap();
    s.append(
        0,
        vec![
            contact_by(
                "K7",
                "k7-01",
                "2024-04-25T16:00",
                "pc.jones",
                received("K7", cleo_given()),
            ),
            contact_ev(
                "K7",
                "k7-02",
                "2024-04-26T11:00",
                decided("K7", None, ContactOutcome::InformationAndAdvice),
            ),
            contact_ev("K7", "k7-03", "2024-04-26T11:05", routed("North")),
        ],
    )
    .await
    .unwrap();
    db
}

fn contact_ids(records: &[ContactRecord]) -> Vec<&str> {
    records.iter().map(|r| r.state.id.as_str()).collect()
}

fn queue(statuses: &[ContactStatus]) -> QueueFilter {
    QueueFilter {
        statuses: statuses.to_vec(),
        decided_on: None,
        locality: None,
        urgency: None,
        limit: 50,
    }
}

/// A contact's journey is stored and folded as the domain folds it, in the same
/// transaction as the children's events written with it; its queue columns pick it
/// out; a refused contact event changes nothing; a correction refolds it; and a
/// rebuild, or reopening the store, gives the same rows.
async fn a_contacts_journey_is_projected_and_queued(backend: Backend) {
    let db = front_door(backend).await;
    let s = &db.store;
    for (id, status, by) in [
        ("K5", ContactStatus::AwaitingChecks, "jo.teacher"),
        ("K6", ContactStatus::New, "pc.jones"),
        ("K7", ContactStatus::Decided, "pc.jones"),
    ] {
        let (journey, version) = s.journey(&contact_subject(id)).await.unwrap();
        let record = s.contact(&contact(id)).await.unwrap().unwrap();
        assert_eq!(record.version, version, "{id}");
        assert_eq!(
            record.state,
            fold_contact(&contact(id), &journey).unwrap(),
            "{id}"
        );
        assert_eq!(record.state.status(), status, "{id}");
        assert_eq!(record.submitted_by, Some(Actor::parse(by).unwrap()), "{id}");
    }
    assert!(s.contact(&contact("K9")).await.unwrap().is_none());
    // Cleo's journey took the mirror in the same write as the link.
    let cleo = s.child(&child("C3")).await.unwrap().unwrap();
    assert_eq!(cleo.version, 2);
    let (journey, _) = s.journey(&subject("C3")).await.unwrap();
    assert_eq!(cleo.state, fold_child(&child("C3"), &journey).unwrap());

    // The queue, oldest received first, by status, day decided, locality and urgency.
    let listed = |filter: QueueFilter| {
        let s = s.clone();
        async move {
            let records = s.contact_queue(&filter).await.unwrap();
            contact_ids(&records)
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(listed(queue(&[])).await, ["K6", "K7", "K5"]);
    assert_eq!(listed(queue(&[ContactStatus::New])).await, ["K6"]);
    let open = [
        ContactStatus::New,
        ContactStatus::AwaitingChecks,
        ContactStatus::AwaitingDecision,
        ContactStatus::AwaitingSignOff,
    ];
    assert_eq!(listed(queue(&open)).await, ["K6", "K5"]);
    assert_eq!(
        listed(queue(&[ContactStatus::AwaitingDecision])).await,
        Vec::<String>::new()
    );
    let on = |day: Date| QueueFilter {
        decided_on: Some(day),
        ..queue(&[])
    };
    assert_eq!(listed(on(date(2024, 4, 26))).await, ["K7"]);
    assert!(listed(on(date(2024, 4, 25))).await.is_empty());
    // The day is a range on `decided_at`: the next day starts a new one.
    assert!(listed(on(date(2024, 4, 27))).await.is_empty());
    let north = QueueFilter {
        locality: Some("North".into()),
        ..queue(&[])
    };
    assert_eq!(listed(north).await, ["K7"]);
    let same_day = QueueFilter {
        urgency: Some(Urgency::SameDay),
        ..queue(&[])
    };
    assert_eq!(listed(same_day).await, ["K6"]);
    assert_eq!(
        listed(QueueFilter {
            limit: 2,
            ..queue(&[])
        })
        .await,
        ["K6", "K7"]
    );

    // A partner's own contacts, newest first.
    let sent = |user: &str, limit: u32| {
        let s = s.clone();
        let user = UserName::parse(user).unwrap();
        async move {
            let records = s.contacts_submitted_by(&user, limit).await.unwrap();
            contact_ids(&records)
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(sent("pc.jones", 10).await, ["K7", "K6"]);
    assert_eq!(sent("pc.jones", 1).await, ["K7"]);
    assert_eq!(sent("jo.teacher", 10).await, ["K5"]);
    assert!(sent("nobody", 10).await.is_empty());

    // The contact names one person, so there is nobody at place 3 to link.
    let before = snapshot(s).await;
    assert_invalid(
        &refused(
            s.append(
                3,
                vec![contact_ev(
                    "K5",
                    "k5-04",
                    "2024-05-01T11:00",
                    linked(3, "child:C1"),
                )],
            )
            .await,
        ),
        "k5-04",
        &Problem::NoSuchGivenPerson(3),
    );
    assert_eq!(snapshot(s).await, before);

    // Retracting the check refolds K5: it now waits for a decision.
    s.append(
        3,
        vec![contact_ev(
            "K5",
            "k5-05",
            "2024-05-01T11:30",
            retract("k5-03", "asked of the wrong agency"),
        )],
    )
    .await
    .unwrap();
    let k5 = s.contact(&contact("K5")).await.unwrap().unwrap();
    assert_eq!(k5.version, 4);
    assert_eq!(k5.state.status(), ContactStatus::AwaitingDecision);
    assert_eq!(
        listed(queue(&[ContactStatus::AwaitingDecision])).await,
        ["K5"]
    );

    let incremental = snapshot(s).await;
    assert_eq!(
        incremental
            .projections
            .iter()
            .filter(|l| l.starts_with("contact|"))
            .count(),
        3
    );
    let report = s.rebuild().await.unwrap();
    assert_eq!(report.contacts, 3);
    assert_eq!(report.children, 3);
    assert_eq!(snapshot(s).await, incremental);
    let db = db.reopen().await;
    assert_eq!(snapshot(&db.store).await, incremental);
    assert_eq!(db.store.contact(&contact("K5")).await.unwrap().unwrap(), k5);
}

/// The journeys holding a contact received in a period are the contacts' and the
/// children's (a mirror), each read whole, once; both ends of the period are inside,
/// to the last minute of its last day.
async fn the_journeys_with_a_contact_in_a_period_are_read_whole(backend: Backend) {
    let db = front_door(backend).await;
    let read = |from: Date, to: Date| {
        let store = db.store.clone();
        async move {
            let mut read: Vec<(String, usize)> = Vec::new();
            let n = store
                .contact_journeys(from, to, &mut |journey| {
                    let subject = journey.first().map(|e| e.subject.to_string());
                    read.push((subject.unwrap_or_default(), journey.len()));
                })
                .await
                .unwrap();
            assert_eq!(n as usize, read.len());
            read.sort();
            read
        }
    };
    // K5 on 1 May, mirrored on Cleo (C3), who has two events.
    assert_eq!(
        read(date(2024, 5, 1), date(2024, 5, 1)).await,
        [("child:C3".to_owned(), 2), ("contact:K5".to_owned(), 3)]
    );
    // K6 on 20 April; K7 at 16:00 on 25 April, with its decision and routing.
    assert_eq!(
        read(date(2024, 4, 20), date(2024, 4, 25)).await,
        [("contact:K6".to_owned(), 1), ("contact:K7".to_owned(), 3)]
    );
    // Ava's contact on 10 January and Ben's on 1 February, on their journeys alone.
    let winter = read(date(2024, 1, 1), date(2024, 2, 29)).await;
    assert_eq!(
        winter.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(),
        ["child:C1", "child:C2"]
    );
    assert_eq!(winter[0].1, ava().len());
    assert!(read(date(2024, 4, 26), date(2024, 4, 30)).await.is_empty());
}

/// The person index holds every child with details and every adult a family names,
/// each with the journal place of the write that last wrote them; `people_since` gives
/// those written after a place; a corrected family loses an adult it no longer names;
/// a rebuild gives the same rows; and a database whose index is empty fills it when it
/// opens.
async fn people_are_indexed_with_the_place_of_their_last_write(backend: Backend) {
    let db = county(backend).await;
    let s = &db.store;
    let family = FamilyId::parse("F1").unwrap();
    let fe = |id: &str, on: &str, data| Event {
        subject: Subject::Family(family.clone()),
        ..ev("C1", id, on, data)
    };
    let adult = |a: &str, given: &str| {
        EventData::PersonRegistered(PersonRegistered {
            adult: Some(AdultId::parse(a).unwrap()),
            family: Some(family.clone()),
            details: details(given, "Parent", date(1990, 1, 1)),
        })
    };
    // Ava's events are places 1 to 12, Ben's 13 to 18, Cleo's 19; the family's 20, 21.
    s.append(
        0,
        vec![
            fe("f1-01", "2024-01-01", adult("A1", "Amy")),
            fe("f1-02", "2024-01-02", adult("A2", "Alf")),
        ],
    )
    .await
    .unwrap();
    let listed = |people: Vec<IndexedPerson>| {
        people
            .into_iter()
            .map(|p| (p.person.to_string(), p.seq))
            .collect::<Vec<_>>()
    };
    let all = s.people_since(0).await.unwrap();
    let ava = &all[0];
    assert_eq!(ava.name.to_string(), "Ava Testington");
    assert_eq!(ava.date_of_birth, Some(date(2015, 6, 1)));
    assert_eq!(ava.nhs_number.as_deref(), Some("9990000018"));
    assert_eq!(ava.postcode.as_deref(), Some("MK45 1AA"));
    assert_eq!(ava.merged_into, None);
    let amy = &all[3];
    assert_eq!(amy.family, Some(family.clone()));
    assert_eq!(amy.name.to_string(), "Amy Parent");
    assert_eq!(amy.date_of_birth, Some(date(1990, 1, 1)));
    assert_eq!(
        listed(all),
        [
            ("child:C1".to_owned(), 12),
            ("child:C2".to_owned(), 18),
            ("child:C3".to_owned(), 19),
            ("adult:A1".to_owned(), 21),
            ("adult:A2".to_owned(), 21),
        ]
    );
    assert_eq!(
        listed(s.people_since(19).await.unwrap()),
        [("adult:A1".to_owned(), 21), ("adult:A2".to_owned(), 21)]
    );
    assert!(s.people_since(21).await.unwrap().is_empty());

    s.append(1, vec![visit_as("C3", "p-01")]).await.unwrap();
    assert_eq!(
        listed(s.people_since(21).await.unwrap()),
        [("child:C3".to_owned(), 22)]
    );
    // Alf was registered in error: the family no longer names him.
    s.append(
        2,
        vec![fe(
            "f1-03",
            "2024-01-03",
            retract("f1-02", "not of this family"),
        )],
    )
    .await
    .unwrap();
    assert_eq!(
        listed(s.people_since(22).await.unwrap()),
        [("adult:A1".to_owned(), 23)]
    );
    let everyone = listed(s.people_since(0).await.unwrap());
    assert!(
        !everyone.iter().any(|(p, _)| p == "adult:A2"),
        "{everyone:?}"
    );

    let incremental = snapshot(s).await;
    assert_eq!(
        incremental
            .projections
            .iter()
            .filter(|l| l.starts_with("person|"))
            .count(),
        4
    );
    s.rebuild().await.unwrap();
    assert_eq!(snapshot(s).await, incremental);

    // A database from before the index: filled when the store opens, once.
    assert_eq!(db.execute("DELETE FROM person_index").await.unwrap(), 4);
    let db = db.reopen().await;
    assert_eq!(snapshot(&db.store).await, incremental);
    assert_eq!(listed(db.store.people_since(0).await.unwrap()), everyone);
}

const WRITERS: usize = 8;
const APPENDS_PER_WRITER: usize = 1_000;

/// One visit to `child`, recorded by writer `w` as its `n`th append.
fn numbered_visit(child: &str, w: usize, n: usize) -> Event {
    ev(child, &format!("w{w}-{n:04}"), "2024-05-01", visit())
}

/// Append `APPENDS_PER_WRITER` visits to `child` as writer `w`, starting from what the
/// writer believes the version is and, on each conflict, retrying the same event at the
/// version the conflict reports. Returns how many conflicts it met.
async fn write_visits(store: Arc<dyn Store>, child: String, w: usize, mut version: Version) -> u64 {
    let mut conflicts = 0;
    for n in 0..APPENDS_PER_WRITER {
        loop {
            match store
                .append(version, vec![numbered_visit(&child, w, n)])
                .await
            {
                Ok(v) => {
                    version = v;
                    break;
                }
                Err(StoreError::Conflict {
                    expected, actual, ..
                }) => {
                    assert_eq!(expected, version);
                    assert_ne!(actual, version);
                    conflicts += 1;
                    version = actual;
                }
                Err(e) => panic!("writer {w}, append {n}: {e}"),
            }
        }
    }
    conflicts
}

/// Every event id in `child`'s journey, checking versions run 1, 2, 3… with no gap and
/// no repeat.
async fn journey_ids(db: &Db, child: &str) -> Vec<String> {
    let (journey, version) = db.store.journey(&subject(child)).await.unwrap();
    assert_eq!(journey.len() as u64, version);
    let versions: Vec<i64> = db
        .journal_versions()
        .await
        .into_iter()
        .filter(|(s, _)| s == &format!("child:{child}"))
        .map(|(_, v)| v)
        .collect();
    assert_eq!(versions, (1..=version as i64).collect::<Vec<_>>());
    journey.into_iter().map(|e| e.id.to_string()).collect()
}

/// Eight writers racing on one child: at each version exactly one append wins and the
/// others are told of the conflict; retried, every event lands exactly once.
async fn concurrent_writers_on_one_child_never_lose_or_duplicate_an_event(backend: Backend) {
    let db = fresh(backend).await;
    db.store.append(0, cleo()).await.unwrap();

    // Two writers with the same expected version: one wins, the other conflicts.
    let a = db.store.append(1, vec![numbered_visit("C3", 98, 0)]);
    let b = db.store.append(1, vec![numbered_visit("C3", 99, 0)]);
    let (a, b) = tokio::join!(a, b);
    let (won, lost) = match (a, b) {
        (Ok(v), Err(e)) | (Err(e), Ok(v)) => (v, e),
        other => panic!("expected one win and one conflict, got {other:?}"),
    };
    assert_eq!(won, 2);
    assert!(
        matches!(
            lost,
            StoreError::Conflict {
                expected: 1,
                actual: 2,
                ..
            }
        ),
        "{lost:?}"
    );

    // Every writer starts believing version 2, so at least seven conflict at once.
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| tokio::spawn(write_visits(db.store.clone(), "C3".to_owned(), w, 2)))
        .collect();
    let mut conflicts = 0;
    for writer in writers {
        conflicts += writer.await.unwrap();
    }
    assert!(conflicts >= WRITERS as u64 - 1, "{conflicts} conflicts");

    let ids = journey_ids(&db, "C3").await;
    assert_eq!(ids.len(), 2 + WRITERS * APPENDS_PER_WRITER);
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "an event was written twice");
    for w in 0..WRITERS {
        // Each writer's events are all there, in the order it wrote them.
        let mine: Vec<&String> = ids
            .iter()
            .filter(|id| id.starts_with(&format!("w{w}-")))
            .collect();
        let expected: Vec<String> = (0..APPENDS_PER_WRITER)
            .map(|n| numbered_visit("C3", w, n).id.to_string())
            .collect();
        assert_eq!(mine, expected.iter().collect::<Vec<_>>(), "writer {w}");
    }
    assert_eq!(
        db.store.child(&child("C3")).await.unwrap().unwrap().version,
        ids.len() as u64
    );
    assert_eq!(db.store.count_events().await.unwrap(), ids.len() as u64);
}

/// Eight writers, each on a child of its own, never get in each other's way.
async fn concurrent_writers_on_different_children_never_conflict(backend: Backend) {
    let db = fresh(backend).await;
    let children: Vec<String> = (0..WRITERS).map(|w| format!("C{}", 100 + w)).collect();
    for c in &children {
        let registration = ev(
            c,
            &format!("{c}-reg"),
            "2024-04-01",
            registered(details("Dee", "Parallel", date(2019, 1, 1))),
        );
        db.store.append(0, vec![registration]).await.unwrap();
    }
    let writers: Vec<_> = children
        .iter()
        .enumerate()
        .map(|(w, c)| tokio::spawn(write_visits(db.store.clone(), c.clone(), w, 1)))
        .collect();
    for writer in writers {
        assert_eq!(writer.await.unwrap(), 0, "a writer met a conflict");
    }
    for (w, c) in children.iter().enumerate() {
        let ids = journey_ids(&db, c).await;
        let mut expected = vec![format!("{c}-reg")];
        expected.extend((0..APPENDS_PER_WRITER).map(|n| numbered_visit(c, w, n).id.to_string()));
        assert_eq!(ids, expected, "{c}");
    }
    assert_eq!(
        db.store.count_events().await.unwrap(),
        (WRITERS * (APPENDS_PER_WRITER + 1)) as u64
    );
}

/// A county with two access-log entries: 19 journal rows, 2 access-log rows.
async fn audited_county(backend: Backend) -> Db {
    let db = county(backend).await;
    for (at, actor) in [
        ("2024-06-01T10:00:00Z", "W1"),
        ("2024-06-02T11:00:00Z", "W2"),
    ] {
        db.store
            .log_access(at.parse().unwrap(), actor, &subject("C1"), "view")
            .await
            .unwrap();
    }
    db
}

async fn the_hash_chains_are_intact_on_a_clean_store(backend: Backend) {
    let db = fresh(backend).await;
    let empty = db.store.verify_chains().await.unwrap();
    assert_eq!(empty.journal, ChainStatus::Intact { rows: 0 });
    assert_eq!(empty.access_log, ChainStatus::Intact { rows: 0 });
    drop(db);

    let db = audited_county(backend).await;
    let report = db.store.verify_chains().await.unwrap();
    assert_eq!(report.journal, ChainStatus::Intact { rows: 19 });
    assert_eq!(report.access_log, ChainStatus::Intact { rows: 2 });
    assert!(report.intact());
    // Writes after a reopen chain on from where the last left off.
    let db = db.reopen().await;
    db.store
        .append(1, vec![ev("C3", "c3-02", "2024-04-02", visit())])
        .await
        .unwrap();
    let report = db.store.verify_chains().await.unwrap();
    assert_eq!(report.journal, ChainStatus::Intact { rows: 20 });
}

/// Where each single-row change behind Hearth's back is found: (chain, first broken row).
async fn any_single_row_edit_behind_hearths_back_breaks_the_chain_at_that_row(backend: Backend) {
    let cases: [(&str, &str, i64); 8] = [
        (
            "an event's body edited",
            "UPDATE journal SET body = replace(body, 'Ava', 'Eve') WHERE seq = 1",
            1,
        ),
        (
            "an event's date edited",
            "UPDATE journal SET occurred_at = '2024-01-20' WHERE seq = 12",
            12,
        ),
        ("an event deleted", "DELETE FROM journal WHERE seq = 11", 12),
        (
            "the last event deleted",
            "DELETE FROM journal WHERE seq = 19",
            19,
        ),
        (
            "two events swapped",
            "UPDATE journal SET seq = -2 WHERE seq = 2; UPDATE journal SET seq = 2 WHERE seq = 3; \
             UPDATE journal SET seq = 3 WHERE seq = -2",
            2,
        ),
        (
            "an event's hash edited",
            "UPDATE journal SET hash = (SELECT hash FROM journal WHERE seq = 4) WHERE seq = 5",
            5,
        ),
        (
            "the journal's head edited",
            "UPDATE chain_head SET seq = 18 WHERE chain = 'journal'",
            19,
        ),
        (
            "an access-log actor edited",
            "UPDATE access_log SET actor = 'W9' WHERE seq = 1",
            1,
        ),
    ];
    for (what, sql, row) in cases {
        let db = audited_county(backend).await;
        db.tamper(sql).await;
        let report = db.store.verify_chains().await.unwrap();
        assert!(!report.intact(), "{what}: not detected");
        let (broken, intact) = if what.starts_with("an access-log") {
            (&report.access_log, &report.journal)
        } else {
            (&report.journal, &report.access_log)
        };
        match broken {
            ChainStatus::Broken { seq, reason } => {
                assert_eq!(*seq, row, "{what}: {reason}");
                assert!(reason.contains(&format!("row {row}")), "{what}: {reason}");
            }
            other => panic!("{what}: {other:?}"),
        }
        assert!(
            matches!(intact, ChainStatus::Intact { .. }),
            "{what}: {report:?}"
        );
    }
    // An access-log row deleted from the end, and one from the middle.
    for (sql, row) in [
        ("DELETE FROM access_log WHERE seq = 2", 2),
        ("DELETE FROM access_log WHERE seq = 1", 2),
    ] {
        let db = audited_county(backend).await;
        db.tamper(sql).await;
        let report = db.store.verify_chains().await.unwrap();
        assert!(
            matches!(&report.access_log, ChainStatus::Broken { seq, .. } if *seq == row),
            "{sql}: {report:?}"
        );
    }
}

/// A database made before the hash chain existed has no hashes: opening it chains every
/// row, to exactly the hashes it would have had.
#[tokio::test]
async fn sqlite_rows_from_before_the_chain_are_chained_when_the_store_opens() {
    let db = audited_county(Backend::Sqlite).await;
    let chained = |db: &Db| {
        let url = db.url.clone();
        async move {
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            let rows: Vec<(i64, Option<Vec<u8>>)> = sqlx::query_as(
                "SELECT seq, hash FROM journal UNION ALL SELECT -seq, hash FROM access_log",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            pool.close().await;
            rows
        }
    };
    let before = chained(&db).await;
    assert!(before.iter().all(|(_, h)| h.is_some()));
    db.tamper(
        "UPDATE journal SET hash = NULL; UPDATE access_log SET hash = NULL; \
         UPDATE chain_head SET seq = 0, hash = zeroblob(32);",
    )
    .await;
    assert!(!db.store.verify_chains().await.unwrap().intact());
    let db = db.reopen().await;
    assert_eq!(chained(&db).await, before);
    assert!(db.store.verify_chains().await.unwrap().intact());
}

/// SQLite's INSERT OR REPLACE gets past the triggers (see the ignored test above); the
/// chain finds what it did.
#[tokio::test]
async fn a_replaced_sqlite_journal_row_is_found_by_the_chain() {
    let db = county(Backend::Sqlite).await;
    db.execute(
        "INSERT OR REPLACE INTO journal (seq, id, subject, version, kind, occurred_at, recorded_at, recorded_by, body, hash) \
         SELECT seq, id, subject, version, kind, occurred_at, recorded_at, recorded_by, '{}', hash FROM journal WHERE id = 'c1-04'",
    )
    .await
    .unwrap();
    let report = db.store.verify_chains().await.unwrap();
    assert!(
        matches!(&report.journal, ChainStatus::Broken { seq: 4, .. }),
        "{report:?}"
    );
}

async fn users_and_their_tokens_read_back_and_tokens_can_be_revoked(backend: Backend) {
    use hearth_domain::access::{Role, UserName};
    use hearth_store::{ApiToken, User};
    let db = fresh(backend).await;
    let s = &db.store;
    let at: jiff::Timestamp = "2024-06-01T12:00:00Z".parse().unwrap();
    let sam = User {
        name: UserName::parse("sam.patel").unwrap(),
        role: Role::SocialWorker,
        password_hash: String::from("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"),
        created_at: at,
        worker: None,
    };
    s.add_user(&sam).await.unwrap();
    assert_eq!(s.user(&sam.name).await.unwrap(), Some(sam.clone()));
    assert_eq!(
        s.user(&UserName::parse("Sam.Patel").unwrap())
            .await
            .unwrap(),
        None
    );
    let again = User {
        role: Role::Admin,
        ..sam.clone()
    };
    assert!(matches!(
        s.add_user(&again).await,
        Err(StoreError::UserExists(name)) if name == "sam.patel"
    ));
    assert_eq!(
        s.user(&sam.name).await.unwrap().unwrap().role,
        Role::SocialWorker
    );

    let token = ApiToken {
        token_hash: "ab".repeat(32),
        label: String::from("tok-00000001"),
        user: sam.name.clone(),
        created_at: at,
    };
    s.add_token(&token).await.unwrap();
    assert_eq!(
        s.token_user(&token.token_hash).await.unwrap(),
        Some(sam.clone())
    );
    assert_eq!(s.token_user(&"cd".repeat(32)).await.unwrap(), None);
    let stray = ApiToken {
        token_hash: "ef".repeat(32),
        label: String::from("tok-00000002"),
        user: UserName::parse("nobody").unwrap(),
        created_at: at,
    };
    assert!(matches!(
        s.add_token(&stray).await,
        Err(StoreError::NoSuchUser(name)) if name == "nobody"
    ));
    assert!(s.revoke_token("tok-00000001", at).await.unwrap());
    assert!(!s.revoke_token("tok-00000001", at).await.unwrap());
    assert!(!s.revoke_token("tok-99999999", at).await.unwrap());
    assert_eq!(s.token_user(&token.token_hash).await.unwrap(), None);
}

async fn sessions_start_are_seen_and_end(backend: Backend) {
    use hearth_domain::access::{Role, UserName};
    use hearth_store::{Session, User};
    let db = fresh(backend).await;
    let s = &db.store;
    let at: jiff::Timestamp = "2024-06-01T12:00:00Z".parse().unwrap();
    let later: jiff::Timestamp = "2024-06-01T12:10:00.5Z".parse().unwrap();
    let sam = User {
        name: UserName::parse("sam.patel").unwrap(),
        role: Role::TeamManager,
        password_hash: String::from("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"),
        created_at: at,
        worker: None,
    };
    s.add_user(&sam).await.unwrap();
    let session = Session {
        id_hash: "ab".repeat(32),
        user: sam.name.clone(),
        csrf_token: String::from("csrf-1"),
        started_at: at,
        last_seen_at: at,
        ended_at: None,
    };
    s.start_session(&session).await.unwrap();
    assert_eq!(
        s.session(&session.id_hash).await.unwrap(),
        Some((session.clone(), sam.clone()))
    );
    assert_eq!(s.session(&"cd".repeat(32)).await.unwrap(), None);

    s.touch_session(&session.id_hash, later).await.unwrap();
    let (seen, _) = s.session(&session.id_hash).await.unwrap().unwrap();
    assert_eq!(seen.last_seen_at, later);

    s.end_session(&session.id_hash, later).await.unwrap();
    let (ended, _) = s.session(&session.id_hash).await.unwrap().unwrap();
    assert_eq!(ended.ended_at, Some(later));
    // An ended session is never touched or ended again.
    let after: jiff::Timestamp = "2024-06-01T13:00:00Z".parse().unwrap();
    s.touch_session(&session.id_hash, after).await.unwrap();
    s.end_session(&session.id_hash, after).await.unwrap();
    assert_eq!(s.session(&session.id_hash).await.unwrap().unwrap().0, ended);

    let stray = Session {
        id_hash: "ef".repeat(32),
        user: UserName::parse("nobody").unwrap(),
        ..session
    };
    assert!(matches!(
        s.start_session(&stray).await,
        Err(StoreError::NoSuchUser(name)) if name == "nobody"
    ));
}

async fn lockouts_read_back_per_user(backend: Backend) {
    use hearth_domain::access::{Role, UserName};
    use hearth_store::{Lockout, User};
    let db = fresh(backend).await;
    let s = &db.store;
    let at: jiff::Timestamp = "2024-06-01T12:00:00Z".parse().unwrap();
    let user = |name: &str| User {
        name: UserName::parse(name).unwrap(),
        role: Role::Screener,
        password_hash: String::from("x"),
        created_at: at,
        worker: None,
    };
    let (a, b) = (user("a.user"), user("b.user"));
    s.add_user(&a).await.unwrap();
    s.add_user(&b).await.unwrap();
    assert_eq!(s.lockout(&a.name).await.unwrap(), Lockout::default());
    let locked = Lockout {
        failures: 5,
        locked_until: Some("2024-06-01T12:15:00Z".parse().unwrap()),
    };
    s.set_lockout(
        &a.name,
        Lockout {
            failures: 1,
            locked_until: None,
        },
    )
    .await
    .unwrap();
    s.set_lockout(&a.name, locked).await.unwrap();
    assert_eq!(s.lockout(&a.name).await.unwrap(), locked);
    assert_eq!(s.lockout(&b.name).await.unwrap(), Lockout::default());
    s.set_lockout(&a.name, Lockout::default()).await.unwrap();
    assert_eq!(s.lockout(&a.name).await.unwrap(), Lockout::default());

    // Failures counted at once each count: none is lost to another.
    let tries = (0..20).map(|_| s.add_sign_in_failure(&b.name));
    let counts: Vec<u32> = futures_util::future::join_all(tries)
        .await
        .into_iter()
        .map(|l| l.unwrap().failures)
        .collect();
    let mut sorted = counts.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (1..=20).collect::<Vec<u32>>(), "{counts:?}");
    assert_eq!(s.lockout(&b.name).await.unwrap().failures, 20);
    assert_eq!(s.lockout(&a.name).await.unwrap(), Lockout::default());
}

async fn a_reason_is_kept_with_its_access_row_and_chained(backend: Backend) {
    let db = fresh(backend).await;
    let s = &db.store;
    let at: jiff::Timestamp = "2024-06-01T12:00:00Z".parse().unwrap();
    s.log_access(at, "sam", &subject("C1"), "view: GET /children/{id}")
        .await
        .unwrap();
    s.log_access_because(
        at,
        "kim",
        &[subject("C1"), subject("C2")],
        "search: GET /children",
        Some("Covering a colleague's case: Jo on leave"),
    )
    .await
    .unwrap();
    let actions: Vec<String> = s
        .access_log(&subject("C1"))
        .await
        .unwrap()
        .into_iter()
        .map(|(_, _, action)| action)
        .collect();
    assert_eq!(
        actions,
        [
            "view: GET /children/{id}",
            "search: GET /children (reason: Covering a colleague's case: Jo on leave)"
        ]
    );
    assert!(s.verify_chains().await.unwrap().intact());
    // The reason is in the hash: changing, removing or adding one breaks the chain at
    // that row.
    for (sql, row) in [
        ("UPDATE access_log SET reason = 'Court' WHERE seq = 2", 2),
        ("UPDATE access_log SET reason = NULL WHERE seq = 3", 3),
        ("UPDATE access_log SET reason = 'Court' WHERE seq = 1", 1),
    ] {
        let db = fresh(backend).await;
        db.store
            .log_access(at, "sam", &subject("C1"), "view")
            .await
            .unwrap();
        db.store
            .log_access_because(
                at,
                "kim",
                &[subject("C1"), subject("C2")],
                "search",
                Some("x"),
            )
            .await
            .unwrap();
        db.tamper(sql).await;
        let report = db.store.verify_chains().await.unwrap();
        assert!(
            matches!(&report.access_log, ChainStatus::Broken { seq, .. } if *seq == row),
            "{sql}: {report:?}"
        );
    }
}

async fn a_refusal_is_logged_and_chained(backend: Backend) {
    let db = fresh(backend).await;
    let s = &db.store;
    let at: jiff::Timestamp = "2024-06-01T12:00:00Z".parse().unwrap();
    let child = subject("C1").to_string();
    s.log_access_to(at, "pat.partner", &child, "refused: GET /children/{id}")
        .await
        .unwrap();
    s.log_access_to(at, "pat.partner", "GET /due", "refused: GET /due")
        .await
        .unwrap();
    assert_eq!(
        s.access_log(&subject("C1")).await.unwrap(),
        vec![(
            at.to_string(),
            String::from("pat.partner"),
            String::from("refused: GET /children/{id}")
        )]
    );
    let report = s.verify_chains().await.unwrap();
    assert!(
        matches!(report.access_log, ChainStatus::Intact { rows: 2 }),
        "{report:?}"
    );
}

async fn restrictions_name_who_may_see_a_record(backend: Backend) {
    use hearth_domain::access::{Role, UserName};
    use hearth_store::User;
    let db = fresh(backend).await;
    let s = &db.store;
    let at: jiff::Timestamp = "2024-06-01T12:00:00Z".parse().unwrap();
    let name = |n: &str| UserName::parse(n).unwrap();
    for n in ["a.user", "b.user"] {
        s.add_user(&User {
            name: name(n),
            role: Role::SocialWorker,
            password_hash: String::from("x"),
            created_at: at,
            worker: None,
        })
        .await
        .unwrap();
    }
    let c1 = ChildId::parse("C1").unwrap();
    let c2 = ChildId::parse("C2").unwrap();
    assert!(s.restrictions().await.unwrap().is_empty());
    s.restrict(&c1, &[name("b.user"), name("a.user"), name("b.user")])
        .await
        .unwrap();
    s.restrict(&c2, &[name("a.user")]).await.unwrap();
    let got = s.restrictions().await.unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[&c1].iter().map(UserName::as_str).collect::<Vec<_>>(),
        ["a.user", "b.user"]
    );
    // Asked for some children, only theirs come back: those of them restricted.
    let c3 = ChildId::parse("C3").unwrap();
    let some = s.restrictions_of(&[c3.clone(), c2.clone()]).await.unwrap();
    assert_eq!(some.len(), 1);
    assert_eq!(some[&c2], got[&c2]);
    assert!(s.restrictions_of(&[]).await.unwrap().is_empty());
    assert!(
        s.restrictions_of(std::slice::from_ref(&c3))
            .await
            .unwrap()
            .is_empty()
    );
    // More children than one query takes give the same as asking one by one.
    let many: Vec<ChildId> = (0..1000)
        .map(|i| ChildId::parse(&format!("X{i}")).unwrap())
        .chain([c1.clone(), c2.clone()])
        .collect();
    assert_eq!(s.restrictions_of(&many).await.unwrap(), got);
    // Replaced, then lifted.
    s.restrict(&c1, &[name("b.user")]).await.unwrap();
    assert_eq!(
        s.restrictions().await.unwrap()[&c1]
            .iter()
            .map(UserName::as_str)
            .collect::<Vec<_>>(),
        ["b.user"]
    );
    s.restrict(&c2, &[]).await.unwrap();
    assert!(!s.restrictions().await.unwrap().contains_key(&c2));
    // An unknown user changes nothing.
    assert!(matches!(
        s.restrict(&c1, &[name("a.user"), name("nobody")]).await,
        Err(StoreError::NoSuchUser(n)) if n == "nobody"
    ));
    assert_eq!(s.restrictions().await.unwrap()[&c1].len(), 1);
}

/// A team's page weighs its workers' cases from the projection's index alone: Ava is
/// allocated to W1 in T1; Ben and Cleo are allocated to no one.
async fn a_teams_allocated_work_names_each_childs_worker_and_open_work(backend: Backend) {
    let db = county(backend).await;
    let s = &db.store;
    let ava = s
        .child(&ChildId::parse("C1").unwrap())
        .await
        .unwrap()
        .unwrap();
    let open_work: Vec<String> = ava
        .state
        .open_work()
        .into_iter()
        .map(String::from)
        .collect();
    assert!(!open_work.is_empty());
    let t1 = TeamId::parse("T1").unwrap();
    assert_eq!(
        s.allocated_work(&t1).await.unwrap(),
        [AllocatedWork {
            worker: WorkerId::parse("W1").unwrap(),
            open_work,
        }]
    );
    assert!(
        s.allocated_work(&TeamId::parse("T2").unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    // Unallocated: she leaves the team's count.
    let unallocated = ev(
        "C1",
        "c1-unallocated",
        "2024-06-01",
        EventData::Unallocated(Empty {}),
    );
    s.append(ava.version, vec![unallocated]).await.unwrap();
    assert!(s.allocated_work(&t1).await.unwrap().is_empty());
}

/// The children `unsettled_journeys` hands over: (id, worker, journey), in order.
async fn unsettled(
    store: &Arc<dyn Store>,
    settled_by: &str,
    held_by: HeldBy,
) -> Vec<(String, Option<String>, Vec<Event>)> {
    let mut out = Vec::new();
    let n = store
        .unsettled_journeys(
            settled_by.parse().unwrap(),
            &held_by,
            &mut |child: &ChildSummary, journey| {
                let worker = child.worker.as_ref().map(ToString::to_string);
                out.push((child.id.to_string(), worker, journey));
            },
        )
        .await
        .unwrap();
    assert_eq!(n as usize, out.len());
    out
}

fn ids(read: &[(String, Option<String>, Vec<Event>)]) -> Vec<&str> {
    read.iter().map(|(id, _, _)| id.as_str()).collect()
}

/// Ava (on a protection plan, allocated to W1 in T1) and Ben (in care) may owe
/// something whenever a list is drawn up. Cleo has had nothing open since she was
/// registered on 1 April 2024, so she is read only by a list whose month reaches back
/// past that day; a contact about her makes her owe again until it is decided.
async fn a_due_list_reads_only_the_children_who_may_owe(backend: Backend) {
    use EventData as E;
    let db = county(backend).await;
    let s = &db.store;
    let read = unsettled(s, "2024-04-01", HeldBy::Anyone).await;
    assert_eq!(ids(&read), ["C1", "C2"]);
    assert_eq!(read[0].1.as_deref(), Some("W1"));
    assert_eq!(read[0].2, ava());
    assert_eq!(read[1].2, ben());
    assert_eq!(
        ids(&unsettled(s, "2024-03-31", HeldBy::Anyone).await),
        ["C1", "C2", "C3"]
    );
    let team = HeldBy::Team(TeamId::parse("T1").unwrap());
    assert_eq!(ids(&unsettled(s, "2024-03-31", team).await), ["C1"]);
    let worker = HeldBy::Worker(WorkerId::parse("W1").unwrap());
    assert_eq!(ids(&unsettled(s, "2024-03-31", worker).await), ["C1"]);
    let nobody = HeldBy::Worker(WorkerId::parse("W9").unwrap());
    assert!(unsettled(s, "2024-03-31", nobody).await.is_empty());

    let k3 = || ContactId::parse("K3").unwrap();
    let contact = ev(
        "C3",
        "c3-02",
        "2024-05-01",
        E::ContactReceived(ContactReceived::new(k3(), ReferralSource::HealthGp)),
    );
    s.append(1, vec![contact]).await.unwrap();
    assert_eq!(
        ids(&unsettled(s, "2026-01-01", HeldBy::Anyone).await),
        ["C1", "C2", "C3"]
    );
    let decided = ev(
        "C3",
        "c3-03",
        "2024-05-02",
        E::ContactDecided(ContactDecided::new(
            k3(),
            ContactOutcome::NoFurtherAction,
            None,
        )),
    );
    s.append(2, vec![decided]).await.unwrap();
    assert_eq!(
        ids(&unsettled(s, "2024-05-02", HeldBy::Anyone).await),
        ["C1", "C2"]
    );
    assert_eq!(
        ids(&unsettled(s, "2024-05-01", HeldBy::Anyone).await),
        ["C1", "C2", "C3"]
    );
    // Rebuilding the projections gives the same settled days.
    let before = s.projection_dump().await.unwrap();
    s.rebuild().await.unwrap();
    assert_eq!(s.projection_dump().await.unwrap(), before);
    assert!(
        before
            .iter()
            // Settled since 2 May; waiting in no queue.
            .any(|l| l.starts_with("C3|") && l.ends_with("|2024-05-02|NULL|NULL")),
        "{before:?}"
    );
}

async fn a_list_logs_a_view_of_every_child_it_shows(backend: Backend) {
    let db = county(backend).await;
    let s = &db.store;
    let at: jiff::Timestamp = "2024-06-01T12:00:00Z".parse().unwrap();
    s.log_access_many(at, "W1", &[], "view due list")
        .await
        .unwrap();
    s.log_access_many(at, "W1", &[subject("C1"), subject("C3")], "view due list")
        .await
        .unwrap();
    for (child, expected) in [("C1", 1), ("C2", 0), ("C3", 1)] {
        let log = s.access_log(&subject(child)).await.unwrap();
        assert_eq!(log.len(), expected, "{child}: {log:?}");
        for (when, actor, action) in log {
            assert_eq!(when.parse::<jiff::Timestamp>().unwrap(), at);
            assert_eq!((actor.as_str(), action.as_str()), ("W1", "view due list"));
        }
    }
    // Every row logged in bulk is on the access log's hash chain.
    s.log_access(at, "W2", &subject("C2"), "view")
        .await
        .unwrap();
    let report = s.verify_chains().await.unwrap();
    assert_eq!(report.access_log, ChainStatus::Intact { rows: 3 });
}

/// What `unsettled_due` hands over as at `as_at` under fingerprint `fp` (every child, as
/// no one is settled before 2024): per child, its cached clocks or the version of the
/// journey read, and whether the cache holds fresh clocks usable only from a later day.
async fn due_sources(store: &Arc<dyn Store>, fp: Option<&str>, as_at: &str) -> Vec<String> {
    let as_at: Date = as_at.parse().unwrap();
    let key = fp.map(|fingerprint| DueCacheKey { fingerprint, as_at });
    let mut out = Vec::new();
    store
        .unsettled_due(
            date(2023, 12, 31),
            &HeldBy::Anyone,
            key.as_ref(),
            &mut |child: &ChildSummary, source| {
                out.push(match source {
                    DueSource::Cached(clocks) => format!("{} cached {clocks}", child.id),
                    DueSource::Journey {
                        events,
                        version,
                        cached,
                    } => {
                        assert_eq!(events.len() as Version, version);
                        let journey = match child.id.as_str() {
                            "C1" => ava(),
                            "C2" => ben(),
                            _ => cleo(),
                        };
                        assert_eq!(events[..journey.len()], journey[..]);
                        let later = if cached { " (cached for later)" } else { "" };
                        format!("{} journey v{version}{later}", child.id)
                    }
                });
            },
        )
        .await
        .unwrap();
    out
}

fn clocks_row(id: &str, version: Version, fp: &str, last: &str, clocks: &str) -> DueClocksRow {
    DueClocksRow {
        child: child(id),
        version,
        fingerprint: fp.to_owned(),
        last_date: last.parse().unwrap(),
        clocks: clocks.to_owned(),
    }
}

/// The due cache is a cache: a row is handed over only while it is the child's
/// version, was worked out under the fingerprint asked for, and its last event is on
/// or before the list's day; otherwise the journey is. Writing a row replaces the
/// child's last, in batches of any size, and rebuilding empties the cache.
async fn the_due_cache_gives_fresh_usable_clocks_and_else_the_journey(backend: Backend) {
    let db = county(backend).await;
    let s = &db.store;
    let (a, b) = (ava().len() as Version, ben().len() as Version);
    let journeys = vec![
        format!("C1 journey v{a}"),
        format!("C2 journey v{b}"),
        String::from("C3 journey v1"),
    ];
    assert_eq!(due_sources(s, Some("F1"), "2026-01-01").await, journeys);
    s.put_due_clocks(&[
        clocks_row("C1", a, "F1", "2024-05-01", "{\"c\":1}"),
        clocks_row("C2", b, "F1", "2025-06-01", "{\"c\":2}"),
        // Worked out under other rules.
        clocks_row("C3", 1, "F0", "2024-04-01", "{\"c\":3}"),
    ])
    .await
    .unwrap();
    assert_eq!(
        due_sources(s, Some("F1"), "2025-01-01").await,
        [
            String::from("C1 cached {\"c\":1}"),
            format!("C2 journey v{b} (cached for later)"),
            String::from("C3 journey v1"),
        ]
    );
    assert_eq!(
        due_sources(s, Some("F1"), "2025-06-01").await,
        [
            "C1 cached {\"c\":1}",
            "C2 cached {\"c\":2}",
            "C3 journey v1"
        ]
    );
    assert_eq!(
        due_sources(s, Some("F0"), "2025-06-01").await,
        [
            format!("C1 journey v{a}"),
            format!("C2 journey v{b}"),
            String::from("C3 cached {\"c\":3}")
        ]
    );
    assert_eq!(due_sources(s, None, "2026-01-01").await, journeys);

    // A child recorded since is read again, at the new version.
    let seen = ev("C1", "c1-new", "2024-06-03", visit());
    s.append(a, vec![seen]).await.unwrap();
    assert_eq!(
        due_sources(s, Some("F1"), "2026-01-01").await[0],
        format!("C1 journey v{}", a + 1)
    );
    s.put_due_clocks(&[clocks_row("C1", a + 1, "F1", "2024-06-03", "{\"c\":4}")])
        .await
        .unwrap();
    assert_eq!(
        due_sources(s, Some("F1"), "2026-01-01").await[0],
        "C1 cached {\"c\":4}"
    );

    // Many rows at once (more than one statement's worth), for children yet to come.
    let many: Vec<DueClocksRow> = (0..6_000)
        .map(|n| clocks_row(&format!("X{n}"), 1, "F1", "2024-01-01", "{}"))
        .collect();
    s.put_due_clocks(&many).await.unwrap();
    s.put_due_clocks(&many).await.unwrap();

    s.rebuild().await.unwrap();
    let mut after = journeys.clone();
    after[0] = format!("C1 journey v{}", a + 1);
    assert_eq!(due_sources(s, Some("F1"), "2026-01-01").await, after);
}

/// One visit with an id of its own.
fn visit_as(child: &str, id: &str) -> Event {
    ev(child, id, "2024-05-01", visit())
}

const OWN_WRITERS: usize = 16;
const SHARED_WRITERS: usize = 8;
const LOGGERS: usize = 6;
const READERS: usize = 4;
const WRITES_EACH: usize = 25;

/// Dozens of tasks at once: writers on children of their own, writers racing on one
/// shared child (a conflict is retried as a new event, so the refused one must stay
/// out), access-log writers and readers. Afterwards every acknowledged write is there
/// once, no refused one is, versions run without gaps and both chains verify.
async fn many_writers_and_readers_at_once_keep_every_acknowledged_write_once(backend: Backend) {
    let db = county(backend).await;
    let own: Vec<String> = (0..OWN_WRITERS).map(|w| format!("C{}", 200 + w)).collect();
    for c in &own {
        let registration = ev(
            c,
            &format!("{c}-reg"),
            "2024-04-01",
            registered(details("Eve", "Crowd", date(2018, 1, 1))),
        );
        db.store.append(0, vec![registration]).await.unwrap();
    }
    let events_before = db.store.count_events().await.unwrap();

    let mut tasks = tokio::task::JoinSet::new();
    for (w, c) in own.iter().enumerate() {
        let (store, c) = (db.store.clone(), c.clone());
        tasks.spawn(async move {
            for n in 0..WRITES_EACH {
                let v = store
                    .append(1 + n as u64, vec![visit_as(&c, &format!("own{w}-{n}"))])
                    .await
                    .unwrap();
                assert_eq!(v, 2 + n as u64);
            }
            (Vec::new(), Vec::new())
        });
    }
    for w in 0..SHARED_WRITERS {
        let store = db.store.clone();
        tasks.spawn(async move {
            let (mut acknowledged, mut refused) = (Vec::new(), Vec::new());
            let mut version = 1;
            for n in 0..WRITES_EACH {
                for attempt in 0.. {
                    let id = format!("shared{w}-{n}-{attempt}");
                    match store.append(version, vec![visit_as("C3", &id)]).await {
                        Ok(v) => {
                            version = v;
                            acknowledged.push(id);
                            break;
                        }
                        Err(StoreError::Conflict { actual, .. }) => {
                            version = actual;
                            refused.push(id);
                        }
                        Err(e) => panic!("{id}: {e}"),
                    }
                }
            }
            (acknowledged, refused)
        });
    }
    for l in 0..LOGGERS {
        let store = db.store.clone();
        tasks.spawn(async move {
            let at: jiff::Timestamp = "2024-06-01T12:00:00Z".parse().unwrap();
            for n in 0..WRITES_EACH {
                let target = if n % 2 == 0 { "C1" } else { "C2" };
                store
                    .log_access(at, &format!("L{l}"), &subject(target), &format!("view {n}"))
                    .await
                    .unwrap();
            }
            (Vec::new(), Vec::new())
        });
    }
    for _ in 0..READERS {
        let store = db.store.clone();
        tasks.spawn(async move {
            let mut last = 0;
            for _ in 0..WRITES_EACH {
                // A reader sees whole writes: the journey and its version agree, and the
                // projection never goes backwards.
                let (journey, version) = store.journey(&subject("C3")).await.unwrap();
                assert_eq!(journey.len() as u64, version);
                let record = store.child(&child("C3")).await.unwrap().unwrap();
                assert!(record.version >= last, "{} after {last}", record.version);
                last = record.version;
                store.search_children("Crowd", 100).await.unwrap();
            }
            (Vec::new(), Vec::new())
        });
    }
    let (mut acknowledged, mut refused) = (Vec::new(), Vec::new());
    while let Some(done) = tasks.join_next().await {
        let (a, r) = done.unwrap();
        acknowledged.extend(a);
        refused.extend(r);
    }

    for (w, c) in own.iter().enumerate() {
        let mut expected = vec![format!("{c}-reg")];
        expected.extend((0..WRITES_EACH).map(|n| format!("own{w}-{n}")));
        assert_eq!(journey_ids(&db, c).await, expected, "{c}");
    }
    let shared = journey_ids(&db, "C3").await;
    let unique: BTreeSet<&String> = shared.iter().collect();
    assert_eq!(unique.len(), shared.len(), "an event was written twice");
    for id in &acknowledged {
        assert!(unique.contains(id), "acknowledged {id} is missing");
    }
    for id in &refused {
        assert!(!unique.contains(id), "refused {id} was written");
    }
    assert_eq!(acknowledged.len(), SHARED_WRITERS * WRITES_EACH);
    // Cleo's registration and the acknowledged visits, nothing else.
    assert_eq!(shared.len(), 1 + acknowledged.len());

    let written = (OWN_WRITERS + SHARED_WRITERS) * WRITES_EACH;
    let events = db.store.count_events().await.unwrap();
    assert_eq!(events, events_before + written as u64);
    let mut logged = BTreeMap::new();
    for c in ["C1", "C2"] {
        for (_, actor, _) in db.store.access_log(&subject(c)).await.unwrap() {
            *logged.entry(actor).or_insert(0) += 1;
        }
    }
    let expected: BTreeMap<String, usize> = (0..LOGGERS)
        .map(|l| (format!("L{l}"), WRITES_EACH))
        .collect();
    assert_eq!(logged, expected);
    let report = db.store.verify_chains().await.unwrap();
    assert_eq!(report.journal, ChainStatus::Intact { rows: events });
    assert_eq!(
        report.access_log,
        ChainStatus::Intact {
            rows: (LOGGERS * WRITES_EACH) as u64
        }
    );
}

/// With the writer held, seven requests queue: good writes, a stale version, an event
/// the domain refuses, a reused id and an access-log row. Released, they go into one
/// transaction; each refused write is refused alone and every other commits.
async fn a_refused_write_in_a_group_is_refused_alone(backend: Backend) {
    let db = county(backend).await;
    let s = &db.store;
    let writer = s.writer().expect("the store has a writer");
    let version = |c: &'static str| {
        let s = s.clone();
        async move { s.child(&child(c)).await.unwrap().unwrap().version }
    };
    let (ava, ben) = (version("C1").await, version("C2").await);
    let before = writer.transactions();
    let at: jiff::Timestamp = "2024-06-01T12:00:00Z".parse().unwrap();

    let hold = writer.hold().await;
    let append = |expected: Version, event: Event| {
        let s = s.clone();
        tokio::spawn(async move { s.append(expected, vec![event]).await })
    };
    let ok_1 = append(ava, visit_as("C1", "g-ok-1"));
    let stale = append(ben - 1, visit_as("C2", "g-stale"));
    // Ben is already placed. (Refusals share Ben, whose version none of them changes, so
    // each is refused for its own reason whatever the order they arrive in.)
    let bad = append(ben, ev("C2", "g-bad", "2024-03-02", placement()));
    let ok_2 = append(1, visit_as("C3", "g-ok-2"));
    let reused = append(ben, visit_as("C2", "c1-01"));
    // A child of its own: on Ben, whether the reused id was refused as such or as stale
    // would depend on which of the two came first.
    let ok_3 = append(
        0,
        ev(
            "C9",
            "g-ok-3",
            "2024-04-01",
            registered(details("Gia", "Grouped", date(2019, 1, 1))),
        ),
    );
    let logged = {
        let s = s.clone();
        tokio::spawn(async move { s.log_access(at, "W9", &subject("C2"), "view").await })
    };
    // Polling until every request has arrived; nothing is timed.
    while writer.waiting() < 7 {
        tokio::task::yield_now().await;
    }
    assert_eq!(writer.transactions(), before, "the writer was held");
    drop(hold);

    assert_eq!(ok_1.await.unwrap().unwrap(), ava + 1);
    assert_eq!(ok_2.await.unwrap().unwrap(), 2);
    assert_eq!(ok_3.await.unwrap().unwrap(), 1);
    logged.await.unwrap().unwrap();
    let stale = refused(stale.await.unwrap());
    assert!(
        matches!(stale, StoreError::Conflict { expected, actual, .. } if expected == ben - 1 && actual == ben),
        "{stale:?}"
    );
    assert_invalid(
        &refused(bad.await.unwrap()),
        "g-bad",
        &Problem::PlacementAlreadyOpen,
    );
    assert_duplicate(&refused(reused.await.unwrap()), "c1-01");
    assert_eq!(
        writer.transactions(),
        before + 1,
        "the seven requests shared one transaction"
    );

    let ids = |c: &'static str| {
        let db = &db;
        async move { journey_ids(db, c).await }
    };
    let (c1, c2, c3) = (ids("C1").await, ids("C2").await, ids("C3").await);
    assert_eq!(ids("C9").await, ["g-ok-3"]);
    assert_eq!(c1.last().unwrap(), "g-ok-1");
    assert_eq!(c2.len() as u64, ben, "nothing was written to Ben");
    assert_eq!(c3, ["c3-01", "g-ok-2"]);
    assert_eq!(c2.iter().filter(|id| *id == "c1-01").count(), 0);
    let log = s.access_log(&subject("C2")).await.unwrap();
    assert_eq!(log.len(), 1);
    let events = s.count_events().await.unwrap();
    let report = s.verify_chains().await.unwrap();
    assert_eq!(report.journal, ChainStatus::Intact { rows: events });
    assert_eq!(report.access_log, ChainStatus::Intact { rows: 1 });
}

/// `append_many` on several children: a stale version on any subject it names (written
/// to or only checked), an event the domain refuses on any one, an event for a subject
/// it did not name, or a subject named twice: each refuses the whole write and leaves
/// every journal and projection as it was.
async fn a_write_to_several_subjects_is_refused_whole_if_any_one_is_stale(backend: Backend) {
    let db = county(backend).await;
    let s = &db.store;
    let before = snapshot(s).await;
    let both = || {
        vec![
            visit_as("C1", "m-01"),
            visit_as("C2", "m-02"),
            visit_as("C1", "m-03"),
        ]
    };
    let is_conflict = |err: StoreError, on: &str, expected: Version, actual: Version| match err {
        StoreError::Conflict {
            subject: sub,
            expected: e,
            actual: a,
        } => {
            assert_eq!(sub, subject(on));
            assert_eq!((e, a), (expected, actual));
        }
        other => panic!("expected a conflict on {on}, got {other:?}"),
    };
    // Ava is at 12, Ben at 6 and Cleo at 1.
    for (named, on, expected, actual) in [
        (vec![(subject("C1"), 12), (subject("C2"), 5)], "C2", 5, 6),
        (vec![(subject("C1"), 11), (subject("C2"), 6)], "C1", 11, 12),
        (vec![(subject("C2"), 6), (subject("C1"), 13)], "C1", 13, 12),
        // Cleo is only checked, not written to.
        (
            vec![(subject("C1"), 12), (subject("C2"), 6), (subject("C3"), 0)],
            "C3",
            0,
            1,
        ),
        // A subject with no journey yet is at version 0.
        (
            vec![(subject("C1"), 12), (subject("C2"), 6), (subject("C9"), 1)],
            "C9",
            1,
            0,
        ),
    ] {
        is_conflict(
            refused(s.append_many(named, both()).await),
            on,
            expected,
            actual,
        );
        assert_eq!(snapshot(s).await, before);
    }

    // Ben is already placed, so the domain refuses his second placement, and Ava's
    // visit goes with it.
    let err = refused(
        s.append_many(
            vec![(subject("C1"), 12), (subject("C2"), 6)],
            vec![
                visit_as("C1", "m-04"),
                ev("C2", "m-05", "2024-03-02", placement()),
            ],
        )
        .await,
    );
    assert_invalid(&err, "m-05", &Problem::PlacementAlreadyOpen);
    assert_eq!(snapshot(s).await, before);

    let err = refused(s.append_many(vec![(subject("C1"), 12)], both()).await);
    assert!(
        matches!(&err, StoreError::UnexpectedSubject(sub) if *sub == subject("C2")),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "the write has events for child:C2, which it did not name with the version it was based on"
    );
    assert_eq!(snapshot(s).await, before);

    let err = refused(
        s.append_many(
            vec![(subject("C1"), 12), (subject("C2"), 6), (subject("C1"), 12)],
            both(),
        )
        .await,
    );
    assert!(
        matches!(&err, StoreError::SubjectNamedTwice(sub) if *sub == subject("C1")),
        "{err:?}"
    );
    assert_eq!(snapshot(s).await, before);

    // A reused event id on one subject refuses the whole write too.
    let err = refused(
        s.append_many(
            vec![(subject("C1"), 12), (subject("C2"), 6)],
            vec![visit_as("C1", "m-06"), visit_as("C2", "c1-01")],
        )
        .await,
    );
    assert_duplicate(&err, "c1-01");
    assert_eq!(snapshot(s).await, before);
}

/// A write to several children moves each one's version by its own events, keeps the
/// order the events came in, folds each projection, and leaves a subject named only to
/// be checked as it was.
async fn a_write_to_several_subjects_moves_each_version_it_names(backend: Backend) {
    let db = county(backend).await;
    let s = &db.store;
    let dan = ev(
        "C4",
        "m-dan",
        "2024-04-01",
        registered(details("Dan", "Fresh", date(2019, 1, 1))),
    );
    let events = vec![
        visit_as("C1", "m-01"),
        visit_as("C2", "m-02"),
        dan.clone(),
        visit_as("C1", "m-03"),
    ];
    let after = s
        .append_many(
            vec![
                (subject("C2"), 6),
                (subject("C1"), 12),
                (subject("C3"), 1),
                (subject("C4"), 0),
            ],
            events,
        )
        .await
        .unwrap();
    assert_eq!(
        after,
        [
            (subject("C2"), 7),
            (subject("C1"), 14),
            (subject("C3"), 1),
            (subject("C4"), 1),
        ]
    );
    let tail: Vec<(String, i64)> = db.journal_versions().await.split_off(19);
    assert_eq!(
        tail,
        [
            ("child:C1".to_owned(), 13),
            ("child:C2".to_owned(), 7),
            ("child:C4".to_owned(), 1),
            ("child:C1".to_owned(), 14),
        ]
    );
    let mut ava_now = ava();
    ava_now.extend([visit_as("C1", "m-01"), visit_as("C1", "m-03")]);
    let mut ben_now = ben();
    ben_now.push(visit_as("C2", "m-02"));
    for (id, journey, version) in [
        ("C1", ava_now, 14),
        ("C2", ben_now, 7),
        ("C3", cleo(), 1),
        ("C4", vec![dan], 1),
    ] {
        assert_eq!(
            s.journey(&subject(id)).await.unwrap(),
            (journey.clone(), version)
        );
        let record = s.child(&child(id)).await.unwrap().unwrap();
        assert_eq!(record.version, version, "{id}");
        assert_eq!(record.state, fold_child(&child(id), &journey).unwrap());
    }
    // The versions it returned are the ones the next write is based on.
    let next = s
        .append_many(
            vec![(subject("C1"), 14), (subject("C2"), 7)],
            vec![visit_as("C2", "m-05")],
        )
        .await
        .unwrap();
    assert_eq!(next, [(subject("C1"), 14), (subject("C2"), 8)]);
    // Nothing to write still checks what it names.
    assert_eq!(
        s.append_many(vec![(subject("C3"), 1)], Vec::new())
            .await
            .unwrap(),
        [(subject("C3"), 1)]
    );
    assert!(matches!(
        refused(s.append_many(vec![(subject("C3"), 0)], Vec::new()).await),
        StoreError::Conflict { actual: 1, .. }
    ));
    let report = s.verify_chains().await.unwrap();
    assert_eq!(report.journal, ChainStatus::Intact { rows: 24 });
}

/// With the writer held, a single append and two writes to several subjects queue
/// together, sent one after another so that the refused one is in the middle: it is
/// stale on Ben alone, and writes to Cleo too. Released, they share one transaction;
/// the stale one is refused alone, none of its events is written (Cleo's included, as
/// the last write, based on Cleo as she was, finds), and the others commit with the
/// chain exact. (No two share a subject they write to, so the outcome is the same
/// whatever order they arrive in.)
async fn a_refused_write_to_several_subjects_in_a_group_is_refused_alone(backend: Backend) {
    let db = county(backend).await;
    let s = &db.store;
    let writer = s.writer().expect("the store has a writer");
    let before = writer.transactions();
    let cleo_before = journey_ids(&db, "C3").await;

    let hold = writer.hold().await;
    let many = |named: Vec<(Subject, Version)>, events: Vec<Event>| {
        let s = s.clone();
        tokio::spawn(async move { s.append_many(named, events).await })
    };
    // Polling until each request has arrived; nothing is timed.
    let arrived = |n: usize| async move {
        while writer.waiting() < n {
            tokio::task::yield_now().await;
        }
    };
    let ok_1 = {
        let s = s.clone();
        tokio::spawn(async move { s.append(12, vec![visit_as("C1", "g-ok-1")]).await })
    };
    arrived(1).await;
    // Based on Cleo as she is and on Ben before his last event: stale on Ben alone.
    let stale = many(
        vec![(subject("C3"), 1), (subject("C2"), 5)],
        vec![visit_as("C3", "g-stale-3"), visit_as("C2", "g-stale-2")],
    );
    arrived(2).await;
    let dan = ev(
        "C4",
        "g-ok-2",
        "2024-04-01",
        registered(details("Dan", "Fresh", date(2019, 1, 1))),
    );
    let ok_2 = many(vec![(subject("C4"), 0), (subject("C3"), 1)], vec![dan]);
    arrived(3).await;
    assert_eq!(writer.transactions(), before, "the writer was held");
    drop(hold);

    assert_eq!(ok_1.await.unwrap().unwrap(), 13);
    let stale = refused(stale.await.unwrap());
    assert!(
        matches!(&stale, StoreError::Conflict { subject: sub, expected: 5, actual: 6 } if *sub == subject("C2")),
        "{stale:?}"
    );
    assert_eq!(
        ok_2.await.unwrap().unwrap(),
        [(subject("C4"), 1), (subject("C3"), 1)]
    );
    assert_eq!(
        writer.transactions(),
        before + 1,
        "the three requests shared one transaction"
    );

    assert_eq!(
        journey_ids(&db, "C3").await,
        cleo_before,
        "nothing was written to Cleo"
    );
    assert_eq!(
        journey_ids(&db, "C2").await.len(),
        6,
        "nothing was written to Ben"
    );
    assert_eq!(journey_ids(&db, "C1").await.last().unwrap(), "g-ok-1");
    assert_eq!(journey_ids(&db, "C4").await, ["g-ok-2"]);
    let events = s.count_events().await.unwrap();
    assert_eq!(events, 21);
    let report = s.verify_chains().await.unwrap();
    assert_eq!(report.journal, ChainStatus::Intact { rows: events });
    assert_eq!(
        s.child(&child("C3")).await.unwrap().unwrap().version,
        1,
        "Cleo's projection is as it was"
    );
}

/// `append_many_logged` writes its events and its access-log rows in one transaction:
/// alone, it is one commit and both read back; refused (a stale version, an event the
/// domain refuses), it writes neither; in a group with the writer held, the refused one
/// is refused alone, without its rows, and the access log's chain stays exact.
async fn a_logged_write_commits_its_access_rows_with_its_events_or_neither(backend: Backend) {
    let db = county(backend).await;
    let s = &db.store;
    let writer = s.writer().expect("the store has a writer");
    let at: jiff::Timestamp = "2024-06-01T12:00:00Z".parse().unwrap();
    let both = [subject("C1"), subject("C2")];
    let rows = |n: &str| AccessRows::of(at, "W1", &both, &format!("recorded {n}"));
    let log_of = |c: &'static str| {
        let s = s.clone();
        async move { s.access_log(&subject(c)).await.unwrap() }
    };

    // Ava is at 12 and Ben at 6.
    let before = writer.transactions();
    let after = s
        .append_many_logged(
            vec![(subject("C1"), 12), (subject("C2"), 6)],
            vec![visit_as("C1", "l-01"), visit_as("C2", "l-02")],
            rows("1"),
        )
        .await
        .unwrap();
    assert_eq!(after, [(subject("C1"), 13), (subject("C2"), 7)]);
    assert_eq!(writer.transactions(), before + 1, "one commit, not two");
    for c in ["C1", "C2"] {
        let log = log_of(c).await;
        assert_eq!(log.len(), 1, "{c}: {log:?}");
        let (when, actor, action) = &log[0];
        assert_eq!(when.parse::<jiff::Timestamp>().unwrap(), at);
        assert_eq!((actor.as_str(), action.as_str()), ("W1", "recorded 1"));
    }

    // Refused whole: neither the events nor the rows are written.
    let unchanged = snapshot(s).await;
    let stale = refused(
        s.append_many_logged(
            vec![(subject("C1"), 13), (subject("C2"), 6)],
            vec![visit_as("C1", "l-03"), visit_as("C2", "l-04")],
            rows("stale"),
        )
        .await,
    );
    assert!(
        matches!(&stale, StoreError::Conflict { subject: sub, expected: 6, actual: 7 } if *sub == subject("C2")),
        "{stale:?}"
    );
    // Ben is already placed.
    let bad = refused(
        s.append_many_logged(
            vec![(subject("C1"), 13), (subject("C2"), 7)],
            vec![
                visit_as("C1", "l-05"),
                ev("C2", "l-06", "2024-03-02", placement()),
            ],
            rows("refused"),
        )
        .await,
    );
    assert_invalid(&bad, "l-06", &Problem::PlacementAlreadyOpen);
    assert_eq!(snapshot(s).await, unchanged);
    assert_eq!(log_of("C1").await.len(), 1);
    assert_eq!(log_of("C2").await.len(), 1);

    // Held, a good logged write, a stale one and a good one queue together.
    let before = writer.transactions();
    let hold = writer.hold().await;
    let logged = |named: Vec<(Subject, Version)>, events: Vec<Event>, log: AccessRows| {
        let s = s.clone();
        tokio::spawn(async move { s.append_many_logged(named, events, log).await })
    };
    let arrived = |n: usize| async move {
        while writer.waiting() < n {
            tokio::task::yield_now().await;
        }
    };
    let ok_1 = logged(
        vec![(subject("C1"), 13)],
        vec![visit_as("C1", "l-07")],
        AccessRows::of(at, "W2", &[subject("C1")], "recorded 2"),
    );
    arrived(1).await;
    let stale = logged(
        vec![(subject("C2"), 6)],
        vec![visit_as("C2", "l-08")],
        AccessRows::of(at, "W2", &[subject("C2")], "recorded stale"),
    );
    arrived(2).await;
    let ok_2 = logged(
        vec![(subject("C3"), 1)],
        vec![visit_as("C3", "l-09")],
        AccessRows::of(at, "W2", &[subject("C3")], "recorded 3"),
    );
    arrived(3).await;
    assert_eq!(writer.transactions(), before, "the writer was held");
    drop(hold);

    assert_eq!(ok_1.await.unwrap().unwrap(), [(subject("C1"), 14)]);
    assert!(matches!(
        refused(stale.await.unwrap()),
        StoreError::Conflict { actual: 7, .. }
    ));
    assert_eq!(ok_2.await.unwrap().unwrap(), [(subject("C3"), 2)]);
    assert_eq!(
        writer.transactions(),
        before + 1,
        "one transaction for the three"
    );
    let actions = |log: Vec<(String, String, String)>| -> Vec<String> {
        log.into_iter().map(|(_, _, action)| action).collect()
    };
    assert_eq!(actions(log_of("C1").await), ["recorded 1", "recorded 2"]);
    assert_eq!(actions(log_of("C2").await), ["recorded 1"]);
    assert_eq!(actions(log_of("C3").await), ["recorded 3"]);
    assert_eq!(journey_ids(&db, "C2").await.len(), 7, "nothing more on Ben");
    let events = s.count_events().await.unwrap();
    assert_eq!(events, 23);
    let report = s.verify_chains().await.unwrap();
    assert_eq!(report.journal, ChainStatus::Intact { rows: events });
    assert_eq!(report.access_log, ChainStatus::Intact { rows: 4 });
}

/// A write queued behind a full group waits for the next: a batch as large as the bound
/// goes in a transaction of its own rather than with the write queued before it.
async fn a_group_takes_no_more_than_its_bound(backend: Backend) {
    let db = county(backend).await;
    let s = &db.store;
    let writer = s.writer().expect("the store has a writer");
    let ava = s.child(&child("C1")).await.unwrap().unwrap().version;
    let before = writer.transactions();

    let hold = writer.hold().await;
    let small = {
        let s = s.clone();
        tokio::spawn(async move { s.append(1, vec![visit_as("C3", "small")]).await })
    };
    while writer.waiting() < 1 {
        tokio::task::yield_now().await;
    }
    let batch: Vec<Event> = (0..Writer::MAX_GROUP_ROWS)
        .map(|n| visit_as("C1", &format!("big-{n}")))
        .collect();
    let big = {
        let s = s.clone();
        tokio::spawn(async move { s.append_batch(batch).await })
    };
    while writer.waiting() < 2 {
        tokio::task::yield_now().await;
    }
    drop(hold);

    assert_eq!(small.await.unwrap().unwrap(), 2);
    assert_eq!(big.await.unwrap().unwrap(), Writer::MAX_GROUP_ROWS as u64);
    assert_eq!(writer.transactions(), before + 2, "two groups");
    assert_eq!(
        s.child(&child("C1")).await.unwrap().unwrap().version,
        ava + Writer::MAX_GROUP_ROWS as u64
    );
    let events = s.count_events().await.unwrap();
    let report = s.verify_chains().await.unwrap();
    assert_eq!(report.journal, ChainStatus::Intact { rows: events });
}

/// A server keeps the organisation in memory and asks only for its revision: it must
/// change with every document stored, through this store or another process's, and
/// not otherwise.
async fn the_organisation_revision_changes_whenever_one_is_stored(backend: Backend) {
    let db = fresh(backend).await;
    let s = &db.store;
    assert_eq!(s.organisation_revision().await.unwrap(), 0);
    let preset = hearth_synth::preset("central-bedfordshire").unwrap();
    let mut org = preset.organisation();
    s.put_organisation(&org).await.unwrap();
    let first = s.organisation_revision().await.unwrap();
    assert_ne!(first, 0);
    // Reading, and writing anything else, leaves it alone.
    s.organisation().await.unwrap();
    s.append(0, ava()[..1].to_vec()).await.unwrap();
    assert_eq!(s.organisation_revision().await.unwrap(), first);

    // The same document stored again is still a new revision: the number says "stored",
    // not "different".
    s.put_organisation(&org).await.unwrap();
    let second = s.organisation_revision().await.unwrap();
    assert_ne!(second, first);

    // Another process storing one (a second store on the same database) is seen too.
    org.authority = String::from("Renamed");
    let other = open(&db.url).await.unwrap();
    other.put_organisation(&org).await.unwrap();
    let third = s.organisation_revision().await.unwrap();
    assert!(
        third != first && third != second,
        "{first} {second} {third}"
    );
    assert_eq!(
        s.organisation().await.unwrap().unwrap().authority,
        "Renamed"
    );

    // And it survives closing and opening the database.
    drop(other);
    let db = db.reopen().await;
    assert_eq!(db.store.organisation_revision().await.unwrap(), third);
}

/// The journal's position is 0 when empty, and moves with every append (one event or a
/// batch, from this store or another on the same database), and with nothing else.
async fn the_journal_position_moves_with_every_append_and_nothing_else(backend: Backend) {
    let db = fresh(backend).await;
    let s = &db.store;
    assert_eq!(s.journal_position().await.unwrap(), 0);
    s.append(0, ava()[..1].to_vec()).await.unwrap();
    let first = s.journal_position().await.unwrap();
    assert!(first > 0);
    // Reading, logging and storing an organisation leave it alone.
    s.child(&child("C1")).await.unwrap();
    s.log_access(
        "2024-06-01T09:00:00Z".parse().unwrap(),
        "sam.patel",
        &subject("C1"),
        "test",
    )
    .await
    .unwrap();
    let preset = hearth_synth::preset("central-bedfordshire").unwrap();
    s.put_organisation(&preset.organisation()).await.unwrap();
    assert_eq!(s.journal_position().await.unwrap(), first);
    s.append_batch(cleo()).await.unwrap();
    let second = s.journal_position().await.unwrap();
    assert!(second > first, "{first} {second}");
    let other = open(&db.url).await.unwrap();
    other.append(1, ava()[1..2].to_vec()).await.unwrap();
    assert!(s.journal_position().await.unwrap() > second);
}

/// A draft note is saved, replaced, read back only by its author's name, listed newest
/// first, kept across a reopen and deleted.
async fn a_draft_is_kept_per_author_child_and_kind(backend: Backend) {
    let sam = UserName::parse("sam.patel").unwrap();
    let jo = UserName::parse("jo.bloggs").unwrap();
    let c1 = ChildId::parse("C1").unwrap();
    let c2 = ChildId::parse("C2").unwrap();
    let draft = |author: &UserName, child: &ChildId, text: &str, at: &str| Draft {
        author: author.clone(),
        child: child.clone(),
        kind: String::from("case_note_recorded"),
        fields: vec![
            (String::from("narrative"), String::from(text)),
            (String::from("seen"), String::from("yes")),
        ],
        saved_at: at.parse().unwrap(),
    };
    let note = "case_note_recorded";
    let db = fresh(backend).await;
    let s = &db.store;
    assert_eq!(s.draft(&sam, &c1, note).await.unwrap(), None);
    s.save_draft(&draft(&sam, &c1, "First words", "2026-12-07T10:00:00Z"))
        .await
        .unwrap();
    let kept = draft(
        &sam,
        &c1,
        "First words, then more\nover two lines",
        "2026-12-07T10:00:05.5Z",
    );
    s.save_draft(&kept).await.unwrap();
    s.save_draft(&draft(&sam, &c2, "Another child", "2026-12-07T09:00:00Z"))
        .await
        .unwrap();
    s.save_draft(&draft(&jo, &c1, "Jo's note", "2026-12-07T11:00:00Z"))
        .await
        .unwrap();
    assert_eq!(s.draft(&sam, &c1, note).await.unwrap(), Some(kept.clone()));
    assert_eq!(s.draft(&sam, &c1, "visit").await.unwrap(), None);
    let sams: Vec<ChildId> = s
        .drafts_of(&sam)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.child)
        .collect();
    assert_eq!(sams, vec![c1.clone(), c2.clone()]);

    let db = db.reopen().await;
    let s = &db.store;
    assert_eq!(s.draft(&sam, &c1, note).await.unwrap(), Some(kept));
    assert!(s.delete_draft(&sam, &c1, note).await.unwrap());
    assert!(!s.delete_draft(&sam, &c1, note).await.unwrap());
    assert_eq!(s.draft(&sam, &c1, note).await.unwrap(), None);
    assert_eq!(s.drafts_of(&sam).await.unwrap().len(), 1);
    assert_eq!(s.drafts_of(&jo).await.unwrap().len(), 1);
}
