//! Case notes and their drafts (issue 14, item 2), on a real SQLite store: a note is
//! recorded and amended like any event; a draft is its author's alone, comes back to
//! them, goes when the note is recorded, and is never shown to anyone else, a manager
//! included; saving one is logged as a write on the child.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hearth_app::{App, AppError, Caller, NewEvent};
use hearth_domain::access::{Permission, Role, UserName};
use hearth_domain::codes::NoteContact;
use hearth_domain::event::*;
use hearth_domain::ids::*;
use hearth_domain::journey::effective_events;
use hearth_store::{Store, StoreError, User};
use hearth_testkit::{details, ev, organisation, registered};
use jiff::Timestamp;
use jiff::civil::date;
use std::sync::Arc;

const NOTE: &str = "case_note_recorded";

fn now() -> Timestamp {
    "2024-06-03T10:00:00Z".parse().unwrap()
}

fn later() -> Timestamp {
    "2024-06-03T10:05:00Z".parse().unwrap()
}

fn user(name: &str, role: Role) -> Caller {
    Caller::user(UserName::parse(name).unwrap(), role, "case notes: test")
}

fn c1() -> ChildId {
    ChildId::parse("C1").unwrap()
}

fn c2() -> ChildId {
    ChildId::parse("C2").unwrap()
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
    for (id, given) in [("C1", "Ava"), ("C2", "Ben")] {
        let first = format!("{}-01", id.to_lowercase());
        store
            .append(
                0,
                vec![ev(
                    id,
                    &first,
                    "2024-05-01",
                    registered(details(given, "Testington", date(2015, 6, 1))),
                )],
            )
            .await
            .unwrap();
    }
    Fixture {
        app: App::new(store.clone()),
        store,
        _dir: dir,
    }
}

impl Fixture {
    async fn log_of(&self, child: &ChildId) -> Vec<(String, String)> {
        self.store
            .access_log(&Subject::Child(child.clone()))
            .await
            .unwrap()
            .into_iter()
            .map(|(_, actor, action)| (actor, action))
            .collect()
    }
}

fn note(narrative: &str) -> CaseNote {
    CaseNote {
        contact_type: NoteContact::Visit,
        narrative: LongText(narrative.to_owned()),
        present: Some(String::from("Mother")),
        seen: true,
        seen_alone: true,
        child_words: Some(LongText(String::from("I like my new school."))),
        strengths: None,
        worries: None,
        analysis: None,
    }
}

fn typed(narrative: &str) -> Vec<(String, String)> {
    vec![
        (String::from("contact_type"), String::from("visit")),
        (String::from("narrative"), narrative.to_owned()),
    ]
}

#[tokio::test]
async fn a_note_is_recorded_amended_and_retracted_like_any_event() {
    let f = fixture().await;
    let sam = user("sam.patel", Role::SocialWorker);
    let recorded = NewEvent {
        version: 1,
        id: EventId::parse("n1").unwrap(),
        occurred_at: OccurredAt::parse("2024-06-03T09:15").unwrap(),
        data: EventData::CaseNoteRecorded(note("Home visit. Kitchen clean.")),
    };
    assert_eq!(
        f.app
            .record_event(&sam, now(), &c1(), recorded)
            .await
            .unwrap(),
        2
    );
    let amended = NewEvent {
        version: 2,
        id: EventId::parse("n1-amend").unwrap(),
        occurred_at: OccurredAt::parse("2024-06-03").unwrap(),
        data: EventData::EventAmended(EventAmended {
            event: EventId::parse("n1").unwrap(),
            reason: String::from("the mother's partner was there too"),
            occurred_at: None,
            amended: Some(Box::new(EventData::CaseNoteRecorded(CaseNote {
                present: Some(String::from("Mother and her partner")),
                ..note("Home visit. Kitchen clean.")
            }))),
        }),
    };
    f.app
        .record_event(&sam, now(), &c1(), amended)
        .await
        .unwrap();
    let (journey, _) = f.store.journey(&Subject::Child(c1())).await.unwrap();
    let effective = effective_events(&journey).unwrap();
    let EventData::CaseNoteRecorded(now_reads) = &effective[1].data else {
        panic!("the note");
    };
    assert_eq!(now_reads.present.as_deref(), Some("Mother and her partner"));
    // A note on the wrong child is taken off that child's record, saying why.
    let retracted = NewEvent {
        version: 3,
        id: EventId::parse("n1-retract").unwrap(),
        occurred_at: OccurredAt::parse("2024-06-03").unwrap(),
        data: EventData::EventRetracted(EventRetracted {
            event: EventId::parse("n1").unwrap(),
            reason: String::from("written on the wrong child"),
        }),
    };
    f.app
        .record_event(&sam, now(), &c1(), retracted)
        .await
        .unwrap();
    let (journey, _) = f.store.journey(&Subject::Child(c1())).await.unwrap();
    assert_eq!(effective_events(&journey).unwrap().len(), 1);
    // A note too long is refused by name, and nothing is written.
    let long = NewEvent {
        version: 4,
        id: EventId::parse("n2").unwrap(),
        occurred_at: OccurredAt::parse("2024-06-03").unwrap(),
        data: EventData::CaseNoteRecorded(note(&"x".repeat(20_001))),
    };
    let refused = f.app.record_event(&sam, now(), &c1(), long).await;
    let Err(AppError::Store(StoreError::Invalid(e))) = refused else {
        panic!("{refused:?}");
    };
    assert_eq!(
        e.problem.to_string(),
        "narrative is longer than 20000 characters"
    );
    assert_eq!(f.store.journey(&Subject::Child(c1())).await.unwrap().1, 4);
}

#[tokio::test]
async fn a_draft_comes_back_to_its_author_alone_and_goes_when_the_note_is_recorded() {
    let f = fixture().await;
    let sam = user("sam.patel", Role::SocialWorker);
    let kim = user("kim.worker", Role::SocialWorker);
    let manager = user("max.manager", Role::TeamManager);
    let saved = f
        .app
        .save_draft(&sam, now(), &c1(), NOTE, typed("First half"))
        .await
        .unwrap();
    assert_eq!(saved, now());
    f.app
        .save_draft(&sam, later(), &c1(), NOTE, typed("First half, then more"))
        .await
        .unwrap();
    f.app
        .save_draft(&sam, now(), &c2(), NOTE, typed("Ben's note"))
        .await
        .unwrap();
    let back = f
        .app
        .my_draft(&sam, later(), &c1(), NOTE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.fields, typed("First half, then more"));
    assert_eq!(back.saved_at, later());
    // Nobody else sees it: not another worker, not a manager.
    for other in [&kim, &manager] {
        assert_eq!(
            f.app.my_draft(other, later(), &c1(), NOTE).await.unwrap(),
            None
        );
        assert!(f.app.my_drafts(other, later()).await.unwrap().is_empty());
    }
    let mine: Vec<(ChildId, String)> = f
        .app
        .my_drafts(&sam, later())
        .await
        .unwrap()
        .into_iter()
        .map(|(d, name)| (d.child, name))
        .collect();
    assert_eq!(
        mine,
        vec![
            (c1(), String::from("Ava Testington")),
            (c2(), String::from("Ben Testington"))
        ]
    );
    // Recording the note deletes its draft, and only that one.
    let recorded = NewEvent {
        version: 1,
        id: EventId::parse("n1").unwrap(),
        occurred_at: OccurredAt::parse("2024-06-03").unwrap(),
        data: EventData::CaseNoteRecorded(note("First half, then more")),
    };
    f.app
        .record_event(&sam, later(), &c1(), recorded)
        .await
        .unwrap();
    assert_eq!(
        f.app.my_draft(&sam, later(), &c1(), NOTE).await.unwrap(),
        None
    );
    assert!(
        f.app
            .my_draft(&sam, later(), &c2(), NOTE)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn saving_a_draft_needs_the_right_to_record_and_is_logged_without_its_text() {
    let f = fixture().await;
    let auditor = user("abi.auditor", Role::Auditor);
    let refused = f
        .app
        .save_draft(&auditor, now(), &c1(), NOTE, typed("Not mine to write"))
        .await;
    assert!(
        matches!(refused, Err(AppError::Refused(Permission::RecordEvents))),
        "{refused:?}"
    );
    let sam = user("sam.patel", Role::SocialWorker);
    let nobody = f
        .app
        .save_draft(
            &sam,
            now(),
            &ChildId::parse("C9").unwrap(),
            NOTE,
            typed("Who?"),
        )
        .await;
    assert!(matches!(nobody, Err(AppError::NoChild)), "{nobody:?}");
    f.app
        .save_draft(
            &sam,
            now(),
            &c1(),
            NOTE,
            typed("Mother said the rent is late"),
        )
        .await
        .unwrap();
    let log = f.log_of(&c1()).await;
    assert_eq!(
        log,
        vec![
            (
                String::from("abi.auditor"),
                String::from("refused (role): case notes: test")
            ),
            (String::from("sam.patel"), String::from("case notes: test")),
        ]
    );
    // Reading one's own draft adds no read of the child: the page showing it logs that.
    f.app.my_draft(&sam, now(), &c1(), NOTE).await.unwrap();
    assert_eq!(f.log_of(&c1()).await.len(), 2);
}

#[tokio::test]
async fn a_draft_on_a_record_restricted_since_is_not_shown() {
    let f = fixture().await;
    let sam = user("sam.patel", Role::SocialWorker);
    f.app
        .save_draft(&sam, now(), &c1(), NOTE, typed("Before the restriction"))
        .await
        .unwrap();
    let kim = UserName::parse("kim.worker").unwrap();
    f.store
        .add_user(&User {
            name: kim.clone(),
            role: Role::SocialWorker,
            password_hash: String::from("not a hash"),
            created_at: now(),
            worker: None,
        })
        .await
        .unwrap();
    f.store.restrict(&c1(), &[kim]).await.unwrap();
    assert_eq!(
        f.app.my_draft(&sam, now(), &c1(), NOTE).await.unwrap(),
        None
    );
    assert!(f.app.my_drafts(&sam, now()).await.unwrap().is_empty());
    let refused = f
        .app
        .save_draft(&sam, now(), &c1(), NOTE, typed("After it"))
        .await;
    assert!(matches!(refused, Err(AppError::NoChild)), "{refused:?}");
}
