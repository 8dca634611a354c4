//! The use cases only the command line has, on a real SQLite store: each is refused to
//! any other caller (and the refusal logged), does what its rule says, refuses what its
//! rule refuses without changing anything, and writes the access log.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hearth_app::due::{Authority, warm_due_cache};
use hearth_app::maintenance::{backup, restore};
use hearth_app::{AdminError, App, AppError, Caller, DatabaseState, ImportError, NewUser};
use hearth_domain::access::{Role, UserName};
use hearth_domain::codes::ContactOutcome;
use hearth_domain::ids::{ChildId, Subject};
use hearth_domain::org::{Level, Organisation, Policy, Routing, Service, Threshold};
use hearth_store::{DueCacheKey, DueSource, HeldBy, Store, User};
use hearth_testkit::sample::journeys;
use hearth_testkit::{child, details, ev, organisation, registered};
use jiff::Timestamp;
use jiff::civil::date;
use std::collections::BTreeSet;
use std::sync::Arc;

fn now() -> Timestamp {
    "2024-06-03T10:00:00Z".parse().unwrap()
}

fn cli(purpose: &str) -> Caller {
    Caller::command_line(purpose)
}

fn admin(purpose: &str) -> Caller {
    Caller::user(UserName::parse("ada.admin").unwrap(), Role::Admin, purpose)
}

fn name(user: &str) -> UserName {
    UserName::parse(user).unwrap()
}

/// The test organisation with the policy a council's own file must give (levels,
/// routing, caseloads), all to its one team, so that `Organisation::validate` takes it.
fn valid_organisation() -> Organisation {
    let level = |name: &str, outcome, service| Level {
        name: String::from(name),
        label: format!("Level {name}"),
        outcome,
        service,
    };
    let cin = Service::ChildInNeed;
    let org = Organisation {
        threshold: Threshold {
            levels: vec![
                level("1", ContactOutcome::InformationAndAdvice, None),
                level("2", ContactOutcome::EarlyHelp, Some(cin)),
                level("3", ContactOutcome::Referral, Some(cin)),
            ],
        },
        routing: Some(Routing {
            child_in_need: cin,
            child_protection: cin,
            looked_after: cin,
            care_leavers: cin,
            adoption: cin,
        }),
        policy: Some(Policy {
            caseload_limit: 20,
            max_looked_after_per_social_worker: 15,
            early_help_caseload: 15,
            iro_caseload: 60,
            personal_adviser_caseload: 25,
            cin_visit_working_days: 30,
            max_professionals_per_family: None,
        }),
        ..organisation()
    };
    assert_eq!(org.validate(), Ok(()));
    org
}

struct Fixture {
    app: App,
    store: Arc<dyn Store>,
    path: std::path::PathBuf,
    dir: tempfile::TempDir,
}

/// An empty database.
async fn empty() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    let store: Arc<dyn Store> = Arc::new(
        hearth_store::open_sqlite(path.to_str().unwrap())
            .await
            .unwrap(),
    );
    Fixture {
        app: App::new(store.clone()),
        store,
        path,
        dir,
    }
}

/// The test organisation and the sample county's two children, C1 and C2.
async fn county() -> Fixture {
    let f = empty().await;
    f.store.put_organisation(&organisation()).await.unwrap();
    f.store.append_batch(journeys()).await.unwrap();
    f
}

impl Fixture {
    /// Every access-log row as (actor, target, action), oldest first.
    async fn log(&self) -> Vec<(String, String, String)> {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", self.path.display()))
            .await
            .unwrap();
        let rows = sqlx::query_as("SELECT actor, subject, action FROM access_log ORDER BY seq")
            .fetch_all(&pool)
            .await
            .unwrap();
        pool.close().await;
        rows
    }

    async fn export(&self) -> String {
        let mut out = Vec::new();
        self.app
            .export_journal(&cli("test export"), now(), None, &mut out)
            .await
            .unwrap();
        String::from_utf8(out).unwrap()
    }
}

fn row(actor: &str, target: &str, action: &str) -> (String, String, String) {
    (actor.to_owned(), target.to_owned(), action.to_owned())
}

fn refused(purpose: &str, target: &str) -> (String, String, String) {
    row(
        "ada.admin",
        target,
        &format!("refused (command line only): {purpose}"),
    )
}

#[tokio::test]
async fn a_journal_export_logs_one_row_for_each_child_exported() {
    let f = county().await;
    let exported = f.export().await;
    assert_eq!(exported.lines().count(), journeys().len());
    assert_eq!(
        f.log().await,
        [
            row("hearth-cli", "child:C1", "test export"),
            row("hearth-cli", "child:C2", "test export"),
        ]
    );

    let mut out = Vec::new();
    let n = f
        .app
        .export_journal(&cli("one child"), now(), Some(&child("C2")), &mut out)
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(
        f.log().await.last().unwrap(),
        &row("hearth-cli", "child:C2", "one child")
    );

    // A child with no events was not exported, so nobody was shown anything.
    let before = f.log().await.len();
    let n = f
        .app
        .export_journal(&cli("no one"), now(), Some(&child("C9")), &mut Vec::new())
        .await
        .unwrap();
    assert_eq!(n, 0);
    assert_eq!(f.log().await.len(), before);
}

/// A reader that takes `room` bytes and then fails, as a closed pipe does.
struct Closes {
    room: usize,
}

impl std::io::Write for Closes {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.room == 0 {
            return Err(std::io::ErrorKind::BrokenPipe.into());
        }
        let n = buf.len().min(self.room);
        self.room -= n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn an_export_cut_short_logs_the_children_whose_events_went_out() {
    let f = county().await;
    let first_line = f.export().await.lines().next().unwrap().len() + 1;
    let before = f.log().await.len();
    let result = f
        .app
        .export_journal(
            &cli("cut short"),
            now(),
            None,
            &mut Closes { room: first_line },
        )
        .await;
    assert!(result.is_err());
    assert_eq!(
        f.log().await[before..],
        [row("hearth-cli", "child:C1", "cut short")]
    );

    // Cut off in C2's line, once its subject has gone out: C2 was shown too.
    let export = f.export().await;
    let room = export.find("\"child:C2\"").unwrap() + "\"child:C2\"".len();
    let before = f.log().await.len();
    let result = f
        .app
        .export_journal(&cli("cut in a line"), now(), None, &mut Closes { room })
        .await;
    assert!(result.is_err());
    assert_eq!(
        f.log().await[before..],
        [
            row("hearth-cli", "child:C1", "cut in a line"),
            row("hearth-cli", "child:C2", "cut in a line"),
        ]
    );
}

#[tokio::test]
async fn only_the_command_line_exports_imports_restricts_or_changes_the_organisation() {
    let f = county().await;
    let purpose = "not allowed";
    let export = f
        .app
        .export_journal(&admin(purpose), now(), None, &mut Vec::new())
        .await;
    assert!(matches!(export, Err(AppError::CommandLineOnly)));
    let import = f
        .app
        .import_journal(&admin(purpose), now(), "j.jsonl", Vec::new())
        .await;
    assert!(matches!(
        import,
        Err(AdminError::App(AppError::CommandLineOnly))
    ));
    let restrict = f
        .app
        .restrict(&admin(purpose), now(), &child("C1"), &[name("sam.patel")])
        .await;
    assert!(matches!(restrict, Err(AppError::CommandLineOnly)));
    let apply = f
        .app
        .apply_organisation(&admin(purpose), now(), &organisation(), date(2024, 6, 1))
        .await;
    assert!(matches!(
        apply,
        Err(AdminError::App(AppError::CommandLineOnly))
    ));
    let rebuild = f.app.rebuild(&admin(purpose), now()).await;
    assert!(matches!(rebuild, Err(AppError::CommandLineOnly)));
    let county = f.app.new_county(&admin(purpose), now()).await;
    assert!(matches!(
        county,
        Err(AdminError::App(AppError::CommandLineOnly))
    ));
    assert_eq!(
        f.log().await,
        [
            refused(purpose, "journal"),
            refused(purpose, "journal"),
            refused(purpose, "child:C1"),
            refused(purpose, "organisation"),
            refused(purpose, "database"),
            refused(purpose, "database"),
        ]
    );
    assert!(f.store.restrictions().await.unwrap().is_empty());
    assert_eq!(f.store.organisation_versions().await.unwrap().len(), 1);
}

#[tokio::test]
async fn restricting_an_unknown_child_is_refused_and_changes_nothing() {
    let f = county().await;
    let result = f
        .app
        .restrict(
            &cli("hearth restrict"),
            now(),
            &child("C9"),
            &[name("sam.patel")],
        )
        .await;
    assert!(matches!(result, Err(AppError::NoChild)), "{result:?}");
    assert!(f.store.restrictions().await.unwrap().is_empty());
    assert!(f.log().await.is_empty());
}

#[tokio::test]
async fn a_restriction_and_its_lifting_are_logged_on_the_child() {
    let f = county().await;
    let users = [name("sam.patel"), name("tia.manager")];
    for user in &users {
        let user = User {
            name: user.clone(),
            role: Role::SocialWorker,
            password_hash: String::from("not a real hash"),
            created_at: now(),
            worker: None,
        };
        f.store.add_user(&user).await.unwrap();
    }
    let action = f
        .app
        .restrict(&cli("hearth restrict"), now(), &child("C1"), &users)
        .await
        .unwrap();
    assert_eq!(action, "restricted to sam.patel, tia.manager");
    let restrictions = f.store.restrictions().await.unwrap();
    assert_eq!(
        restrictions[&child("C1")],
        users.iter().cloned().collect::<BTreeSet<_>>()
    );
    let action = f
        .app
        .restrict(&cli("hearth restrict"), now(), &child("C1"), &[])
        .await
        .unwrap();
    assert_eq!(action, "restriction lifted");
    assert!(f.store.restrictions().await.unwrap().is_empty());
    assert_eq!(
        f.log().await,
        [
            row(
                "hearth-cli",
                "child:C1",
                "restricted to sam.patel, tia.manager"
            ),
            row("hearth-cli", "child:C1", "restriction lifted"),
        ]
    );
}

#[tokio::test]
async fn adding_a_user_and_making_or_revoking_a_token_are_logged_without_secrets() {
    let f = county().await;
    let password = "a long enough secret";
    let user = NewUser::new(name("sam.patel"), Role::SocialWorker, password).unwrap();
    f.app
        .add_user(&cli("hearth user add"), now(), user)
        .await
        .unwrap();
    let token = f
        .app
        .create_token(&cli("hearth token create"), now(), &name("sam.patel"))
        .await
        .unwrap();
    assert!(
        f.app
            .revoke_token(&cli("hearth token revoke"), now(), &token.label)
            .await
            .unwrap()
    );
    // No live token by that label now: nothing was revoked, so nothing is logged.
    assert!(
        !f.app
            .revoke_token(&cli("hearth token revoke"), now(), &token.label)
            .await
            .unwrap()
    );
    let log = f.log().await;
    assert_eq!(
        log,
        [
            row(
                "hearth-cli",
                "user:sam.patel",
                "user added as social-worker: hearth user add"
            ),
            row(
                "hearth-cli",
                "user:sam.patel",
                &format!("token {} created: hearth token create", token.label)
            ),
            row(
                "hearth-cli",
                &format!("token:{}", token.label),
                "token revoked: hearth token revoke"
            ),
        ]
    );
    let hash = f
        .store
        .user(&name("sam.patel"))
        .await
        .unwrap()
        .unwrap()
        .password_hash;
    let secret = token.token.rsplit('_').next().unwrap();
    for (actor, target, action) in &log {
        for text in [actor, target, action] {
            assert!(!text.contains(password), "{text}");
            assert!(!text.contains(&hash), "{text}");
            assert!(!text.contains(secret), "{text}");
        }
    }
}

#[tokio::test]
async fn a_user_already_there_is_not_added_again_or_logged() {
    let f = county().await;
    let new = || {
        NewUser::new(
            name("sam.patel"),
            Role::SocialWorker,
            "a long enough secret",
        )
    };
    let caller = cli("hearth user add");
    assert!(
        !f.app
            .user_exists(&caller, now(), &name("sam.patel"))
            .await
            .unwrap()
    );
    f.app
        .add_user(&caller, now(), new().unwrap())
        .await
        .unwrap();
    assert!(
        f.app
            .user_exists(&caller, now(), &name("sam.patel"))
            .await
            .unwrap()
    );
    let again = f.app.add_user(&caller, now(), new().unwrap()).await;
    assert!(again.is_err());
    assert_eq!(f.log().await.len(), 1);
}

#[tokio::test]
async fn the_organisation_in_force_is_the_latest_begun_and_else_the_first_to_come() {
    let f = empty().await;
    let caller = cli("hearth org show");
    let shown = f
        .app
        .organisation_in_force(&caller, now(), date(2024, 6, 1))
        .await;
    assert!(shown.unwrap().is_none());

    let mut later = valid_organisation();
    later.authority = String::from("Later County");
    let mut same_day = valid_organisation();
    same_day.authority = String::from("Same Day County");
    let apply = cli("hearth org apply");
    for (org, from) in [
        (&later, date(2024, 7, 1)),
        (&valid_organisation(), date(2024, 1, 1)),
        (&same_day, date(2024, 7, 1)),
    ] {
        f.app
            .apply_organisation(&apply, now(), org, from)
            .await
            .unwrap();
    }
    let in_force = |day| f.app.organisation_in_force(&caller, now(), day);
    let before_all = in_force(date(2023, 1, 1)).await.unwrap().unwrap();
    assert_eq!(
        (before_all.revision, before_all.from),
        (2, date(2024, 1, 1))
    );
    let june = in_force(date(2024, 6, 30)).await.unwrap().unwrap();
    assert_eq!(june.revision, 2);
    let july = in_force(date(2024, 7, 1)).await.unwrap().unwrap();
    assert_eq!(july.revision, 3);
    assert_eq!(july.organisation.authority, "Same Day County");
}

#[tokio::test]
async fn applying_an_organisation_keeps_the_old_versions_and_is_logged() {
    let f = county().await;
    let revision = f
        .app
        .apply_organisation(
            &cli("hearth org apply"),
            now(),
            &valid_organisation(),
            date(2024, 7, 1),
        )
        .await
        .unwrap();
    assert_eq!(revision, 2);
    assert_eq!(f.store.organisation_versions().await.unwrap().len(), 2);
    assert_eq!(
        f.log().await,
        [row(
            "hearth-cli",
            "organisation",
            "revision 2 stored, in force from 2024-07-01: hearth org apply"
        )]
    );

    let mut bad = valid_organisation();
    bad.authority = String::new();
    let refused = f
        .app
        .apply_organisation(&cli("hearth org apply"), now(), &bad, date(2024, 8, 1))
        .await;
    assert!(
        matches!(refused, Err(AdminError::Organisation(_))),
        "{refused:?}"
    );
    assert_eq!(f.store.organisation_versions().await.unwrap().len(), 2);
    assert_eq!(f.log().await.len(), 1);
}

/// A line of a journal file: an event for a new child `id`, dated `on`.
fn new_child(id: &str, event: &str, on: &str) -> hearth_domain::event::Event {
    ev(
        id,
        event,
        on,
        registered(details("Cal", "Imported", date(2014, 2, 3))),
    )
}

#[tokio::test]
async fn an_import_appends_every_event_or_none_naming_the_line_refused() {
    let f = county().await;
    let caller = cli("hearth journal import");
    let before = f.store.count_events().await.unwrap();

    let empty = f
        .app
        .import_journal(&caller, now(), "j.jsonl", Vec::new())
        .await;
    assert!(matches!(
        empty,
        Err(AdminError::Import(ImportError::Empty { .. }))
    ));

    // Dated after today (2024-06-03): line 2 is named, and line 1 is not appended.
    let events = vec![
        (1, new_child("C5", "c5-01", "2024-05-01")),
        (2, new_child("C6", "c6-01", "2024-06-04")),
    ];
    let future = f
        .app
        .import_journal(&caller, now(), "j.jsonl", events)
        .await;
    let message = future.unwrap_err().to_string();
    assert!(message.starts_with("j.jsonl, line 2: "), "{message}");
    assert_eq!(f.store.count_events().await.unwrap(), before);

    // An id the journal holds already: its line is named.
    let mut repeated = journeys().remove(0);
    repeated.subject = Subject::Child(ChildId::parse("C7").unwrap());
    let events = vec![(1, new_child("C5", "c5-01", "2024-05-01")), (4, repeated)];
    let message = f
        .app
        .import_journal(&caller, now(), "j.jsonl", events)
        .await
        .unwrap_err()
        .to_string();
    assert!(message.starts_with("j.jsonl, line 4: "), "{message}");
    assert_eq!(f.store.count_events().await.unwrap(), before);

    let events = vec![
        (1, new_child("C5", "c5-01", "2024-05-01")),
        (3, new_child("C6", "c6-01", "2024-06-03")),
    ];
    let n = f
        .app
        .import_journal(&caller, now(), "j.jsonl", events)
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(f.store.count_events().await.unwrap(), before + 2);
    assert!(f.store.child(&child("C6")).await.unwrap().is_some());
}

/// Each child's cached due clocks, as a due list as at `as_at` would use them.
async fn cached_clocks(store: &dyn Store, as_at: jiff::civil::Date) -> Vec<(String, String)> {
    let authority = Authority::of(store, as_at).await.unwrap();
    let key = DueCacheKey {
        fingerprint: &authority.fingerprint,
        as_at,
    };
    let mut found = Vec::new();
    store
        .unsettled_due(
            date(1900, 1, 1),
            &HeldBy::Anyone,
            Some(&key),
            &mut |child, source| {
                if let DueSource::Cached(clocks) = source {
                    found.push((child.id.to_string(), clocks));
                }
            },
        )
        .await
        .unwrap();
    found
}

/// A county's load keeps the due clocks the first due list would otherwise work out and
/// keep, under the fingerprint of the organisation stored after it.
#[tokio::test]
async fn a_county_loaded_keeps_the_due_clocks_a_list_would_keep() {
    let as_at = date(2024, 7, 31);
    let caller = cli("hearth generate");
    let loaded = empty().await;
    let county = loaded.app.new_county(&caller, now()).await.unwrap();
    let (batches, received) = tokio::sync::mpsc::channel(2);
    batches.send(journeys()).await.unwrap();
    drop(batches);
    county
        .load(received, &|_| {}, &organisation(), as_at)
        .await
        .unwrap();
    county.finish(&organisation()).await.unwrap();

    let listed = empty().await;
    listed.store.append_batch(journeys()).await.unwrap();
    listed
        .store
        .put_organisation(&organisation())
        .await
        .unwrap();
    assert!(cached_clocks(listed.store.as_ref(), as_at).await.is_empty());
    warm_due_cache(listed.store.as_ref(), as_at).await.unwrap();

    let kept = cached_clocks(loaded.store.as_ref(), as_at).await;
    assert!(!kept.is_empty());
    assert_eq!(kept, cached_clocks(listed.store.as_ref(), as_at).await);
}

#[tokio::test]
async fn a_county_is_generated_only_into_an_empty_database_and_its_organisation_comes_last() {
    let f = empty().await;
    let caller = cli("hearth generate");
    let state = f.app.database_state(&caller, now()).await.unwrap();
    assert_eq!(state, DatabaseState::Empty);

    let county = f.app.new_county(&caller, now()).await.unwrap();
    let (batches, received) = tokio::sync::mpsc::channel(2);
    batches.send(journeys()).await.unwrap();
    drop(batches);
    let loaded = county
        .load(received, &|_| {}, &organisation(), date(2024, 7, 31))
        .await
        .unwrap();
    assert_eq!(loaded, journeys().len() as u64);
    // Events but no organisation yet: a generation stopped here is seen as unfinished.
    let state = f.app.database_state(&caller, now()).await.unwrap();
    assert_eq!(state, DatabaseState::Unfinished);
    county.finish(&organisation()).await.unwrap();
    let state = f.app.database_state(&caller, now()).await.unwrap();
    assert_eq!(state, DatabaseState::Complete);

    let again = f.app.new_county(&caller, now()).await;
    assert!(
        matches!(again, Err(AdminError::NotEmpty(n)) if n == journeys().len() as u64),
        "{:?}",
        again.err()
    );
    assert_eq!(
        f.store.count_events().await.unwrap(),
        journeys().len() as u64
    );
}

#[tokio::test]
async fn a_rebuild_reports_what_it_folded() {
    let f = county().await;
    let report = f.app.rebuild(&cli("hearth rebuild"), now()).await.unwrap();
    assert_eq!(report.events, journeys().len() as u64);
    assert_eq!(report.children, 2);
}

#[tokio::test]
async fn postgresql_is_backed_up_and_restored_with_its_own_tools() {
    let f = empty().await;
    let out = f.dir.path().join("copy.db");
    let url = "postgres://hearth@localhost/hearth";
    let message = backup(url, &out).await.unwrap_err().to_string();
    assert!(message.contains("pg_dump"), "{message}");
    let message = restore(&out, url).await.unwrap_err().to_string();
    assert!(message.contains("pg_restore"), "{message}");
    assert!(!out.exists());
    let message = backup("mysql://x", &out).await.unwrap_err().to_string();
    assert!(message.contains("is not a database"), "{message}");
}

#[tokio::test]
async fn a_backup_restores_to_the_same_journal() {
    let f = county().await;
    let copy = f.dir.path().join("copy.db");
    let copied = backup(f.path.to_str().unwrap(), &copy).await.unwrap();
    assert_eq!(copied.events, journeys().len() as u64);
    let restored = f.dir.path().join("restored.db");
    let (copied, path) = restore(&copy, restored.to_str().unwrap()).await.unwrap();
    assert_eq!(copied.events, journeys().len() as u64);
    assert_eq!(path, restored);
    let again = restore(&copy, restored.to_str().unwrap()).await;
    assert!(matches!(again, Err(AdminError::Backup(_))));
}
