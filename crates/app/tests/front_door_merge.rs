//! Merging two records of the same child and undoing a wrong merge, on a real store
//! (SQLite and PostgreSQL): both journeys written together and kept whole, each
//! refusal named and logged, and a merged duplicate no candidate for a contact.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/front_door.rs"]
mod front_door;

use front_door::*;
use hearth_app::AppError;
use hearth_domain::access::Permission;
use hearth_domain::event::{Event, EventData, PersonsMerged};
use hearth_domain::ids::{ChildId, EventId, PersonRef, Subject};
use hearth_domain::journey::Problem;
use hearth_store::Version;

on_both_backends!(
    a_merge_and_its_undoing_keep_both_journeys_whole,
    a_child_merged_into_itself_is_refused_and_logged,
    a_duplicate_already_merged_is_refused_and_logged,
    records_not_merged_are_not_unmerged,
    a_role_that_may_not_merge_is_refused_and_logged,
    a_restricted_child_reads_as_no_child,
    a_stale_version_is_refused_and_nothing_is_written,
    a_merged_duplicate_is_no_candidate_until_unmerged,
);

/// A second record of Lily (C2), registered again with the same details and no
/// family, and a third child (C3): both made as a screener might by mistake.
async fn with_duplicates(backend: Backend) -> FrontDoor {
    let f = FrontDoor::new(backend).await;
    let registration = f.journey(&child_subject()).await.remove(0);
    for id in ["C2", "C3"] {
        let subject = Subject::Child(ChildId::parse(id).unwrap());
        let mut data = registration.data.clone();
        if let EventData::PersonRegistered(p) = &mut data {
            p.family = None;
        }
        let event = Event {
            id: EventId::parse(&format!("{id}-reg")).unwrap(),
            subject,
            data,
            ..registration.clone()
        };
        f.store.append(0, vec![event]).await.unwrap();
    }
    f
}

fn c(id: &str) -> ChildId {
    ChildId::parse(id).unwrap()
}

fn subject(id: &str) -> Subject {
    Subject::Child(c(id))
}

async fn version(f: &FrontDoor, id: &str) -> Version {
    f.store.child(&c(id)).await.unwrap().unwrap().version
}

async fn versions(f: &FrontDoor, survivor: &str, duplicate: &str) -> (Version, Version) {
    (version(f, survivor).await, version(f, duplicate).await)
}

/// Merge `duplicate` into `survivor` as the screener, at the versions stored now.
async fn merge(
    f: &FrontDoor,
    survivor: &str,
    duplicate: &str,
) -> Result<(Version, Version), AppError> {
    let at = versions(f, survivor, duplicate).await;
    f.app
        .merge_children(
            &screener(),
            now(),
            &c(survivor),
            &c(duplicate),
            "same NHS number and date of birth",
            at,
        )
        .await
}

async fn unmerge(
    f: &FrontDoor,
    survivor: &str,
    duplicate: &str,
) -> Result<(Version, Version), AppError> {
    let at = versions(f, survivor, duplicate).await;
    f.app
        .unmerge_children(
            &screener(),
            now(),
            &c(survivor),
            &c(duplicate),
            "twins: different children",
            at,
        )
        .await
}

fn refused_with(result: Result<(Version, Version), AppError>, problem: Problem) {
    match result {
        Err(AppError::NotRecordable(e)) => assert_eq!(e.problem, problem, "{e:?}"),
        other => panic!("expected {problem:?}, got {other:?}"),
    }
}

fn last_log(log: &[(String, String)]) -> (&str, &str) {
    let (actor, action) = log.last().unwrap();
    (actor.as_str(), action.as_str())
}

async fn a_merge_and_its_undoing_keep_both_journeys_whole(backend: Backend) {
    let f = with_duplicates(backend).await;
    let before = (
        f.journey(&subject("C1")).await,
        f.journey(&subject("C2")).await,
    );
    let (s, d) = merge(&f, "C1", "C2").await.unwrap();
    assert_eq!((s, d), (before.0.len() as u64 + 1, 2));
    let survivor = f.store.child(&c("C1")).await.unwrap().unwrap().state;
    let duplicate = f.store.child(&c("C2")).await.unwrap().unwrap().state;
    assert!(survivor.merged.contains(&c("C2")));
    // Reading the duplicate says which record it went into.
    assert_eq!(duplicate.merged_into, Some(c("C1")));
    for id in ["C1", "C2"] {
        assert_eq!(
            last_log(&f.log_of(&subject(id)).await),
            ("jo.screener", "merged child:C2 into child:C1")
        );
    }
    let read = f
        .app
        .child_record(&screener(), now(), &c("C2"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.state.merged_into, Some(c("C1")));

    unmerge(&f, "C1", "C2").await.unwrap();
    let survivor = f.journey(&subject("C1")).await;
    let duplicate = f.journey(&subject("C2")).await;
    // Nothing that stood before is lost; the merge and its undoing follow, with why.
    assert_eq!(survivor[..before.0.len()], before.0[..]);
    assert_eq!(duplicate[..before.1.len()], before.1[..]);
    let added = |journey: &[Event], from: usize| -> Vec<EventData> {
        journey[from..].iter().map(|e| e.data.clone()).collect()
    };
    let on = |survivor: Option<&str>, reason: &str| PersonsMerged {
        duplicate: c("C2"),
        survivor: survivor.map(c),
        reason: Some(reason.to_owned()),
    };
    let why = "same NHS number and date of birth";
    let why_not = "twins: different children";
    assert_eq!(
        added(&survivor, before.0.len()),
        [
            EventData::PersonsMerged(on(None, why)),
            EventData::PersonsUnmerged(on(None, why_not)),
        ]
    );
    assert_eq!(
        added(&duplicate, before.1.len()),
        [
            EventData::PersonsMerged(on(Some("C1"), why)),
            EventData::PersonsUnmerged(on(Some("C1"), why_not)),
        ]
    );
    let survivor = f.store.child(&c("C1")).await.unwrap().unwrap().state;
    let duplicate = f.store.child(&c("C2")).await.unwrap().unwrap().state;
    assert!(survivor.merged.is_empty() && duplicate.merged_into.is_none());
    for state in [&survivor, &duplicate] {
        assert_eq!(state.merges.len(), 1, "{:?}", state.merges);
        assert!(state.merges[0].undone);
    }
    assert_eq!(
        last_log(&f.log_of(&subject("C2")).await),
        ("jo.screener", "unmerged child:C2 from child:C1")
    );
}

async fn a_child_merged_into_itself_is_refused_and_logged(backend: Backend) {
    let f = with_duplicates(backend).await;
    let before = f.journey(&subject("C2")).await;
    refused_with(merge(&f, "C2", "C2").await, Problem::MergeSelf);
    assert_eq!(f.journey(&subject("C2")).await, before);
    assert_eq!(
        last_log(&f.log_of(&subject("C2")).await),
        (
            "jo.screener",
            "refused (not allowed): merge child:C2 into child:C2"
        )
    );
}

async fn a_duplicate_already_merged_is_refused_and_logged(backend: Backend) {
    let f = with_duplicates(backend).await;
    merge(&f, "C1", "C2").await.unwrap();
    let before = f.journey(&subject("C3")).await;
    refused_with(merge(&f, "C3", "C2").await, Problem::MergedInto(c("C1")));
    // Nothing is written to the other record either.
    assert_eq!(f.journey(&subject("C3")).await, before);
    for id in ["C2", "C3"] {
        assert_eq!(
            last_log(&f.log_of(&subject(id)).await),
            (
                "jo.screener",
                "refused (not allowed): merge child:C2 into child:C3"
            )
        );
    }
}

async fn records_not_merged_are_not_unmerged(backend: Backend) {
    let f = with_duplicates(backend).await;
    refused_with(unmerge(&f, "C1", "C2").await, Problem::NotMerged);
    assert_eq!(
        last_log(&f.log_of(&subject("C1")).await),
        (
            "jo.screener",
            "refused (not allowed): unmerge child:C2 from child:C1"
        )
    );
    // Nor the wrong way round, once merged.
    merge(&f, "C1", "C2").await.unwrap();
    refused_with(unmerge(&f, "C2", "C1").await, Problem::NotMerged);
}

async fn a_role_that_may_not_merge_is_refused_and_logged(backend: Backend) {
    let f = with_duplicates(backend).await;
    let at = versions(&f, "C1", "C2").await;
    for caller in [
        partner(),
        user("sam.worker", hearth_domain::access::Role::SocialWorker),
    ] {
        let refused = f
            .app
            .merge_children(&caller, now(), &c("C1"), &c("C2"), "same child", at)
            .await;
        assert!(
            matches!(refused, Err(AppError::Refused(Permission::MergePersons))),
            "{refused:?}"
        );
        let refused = f
            .app
            .unmerge_children(&caller, now(), &c("C1"), &c("C2"), "not", at)
            .await;
        assert!(
            matches!(refused, Err(AppError::Refused(Permission::MergePersons))),
            "{refused:?}"
        );
        let log = f.log_of(&subject("C1")).await;
        assert_eq!(log.last().unwrap().0, caller.actor());
        assert!(
            log.last().unwrap().1.starts_with("refused (role)"),
            "{log:?}"
        );
    }
    assert_eq!(versions(&f, "C1", "C2").await, at);
    // A team manager may.
    f.app
        .merge_children(&manager(), now(), &c("C1"), &c("C2"), "same child", at)
        .await
        .unwrap();
}

async fn a_restricted_child_reads_as_no_child(backend: Backend) {
    let f = with_duplicates(backend).await;
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
        .restrict(&cli, now(), &c("C2"), &[named])
        .await
        .unwrap();
    let refused = merge(&f, "C1", "C2").await;
    assert!(matches!(refused, Err(AppError::NoChild)), "{refused:?}");
    assert!(
        last_log(&f.log_of(&subject("C2")).await)
            .1
            .starts_with("refused (restricted)")
    );
    let at = (version(&f, "C1").await, 0);
    let refused = f
        .app
        .merge_children(&screener(), now(), &c("C1"), &c("C9"), "same child", at)
        .await;
    assert!(matches!(refused, Err(AppError::NoChild)), "{refused:?}");
    // The manager named on the restriction may merge it.
    let at = versions(&f, "C1", "C2").await;
    f.app
        .merge_children(&manager(), now(), &c("C1"), &c("C2"), "same child", at)
        .await
        .unwrap();
}

async fn a_stale_version_is_refused_and_nothing_is_written(backend: Backend) {
    let f = with_duplicates(backend).await;
    let (s, d) = versions(&f, "C1", "C2").await;
    let refused = f
        .app
        .merge_children(&screener(), now(), &c("C1"), &c("C2"), "same", (s, d - 1))
        .await;
    assert!(
        matches!(
            refused,
            Err(AppError::Store(hearth_store::StoreError::Conflict { .. }))
        ),
        "{refused:?}"
    );
    assert_eq!(versions(&f, "C1", "C2").await, (s, d));
}

async fn a_merged_duplicate_is_no_candidate_until_unmerged(backend: Backend) {
    let f = with_duplicates(backend).await;
    let k = f.receive_about_child().await;
    let candidates = |view: hearth_app::ContactView| -> Vec<PersonRef> {
        view.people[0]
            .candidates
            .iter()
            .map(|c| c.person.clone())
            .collect()
    };
    let lily = PersonRef::Child(child());
    let second = PersonRef::Child(c("C2"));
    let found = candidates(f.app.contact(&screener(), now(), &k).await.unwrap());
    assert!(
        found.contains(&lily) && found.contains(&second),
        "{found:?}"
    );

    merge(&f, "C2", "C1").await.unwrap();
    let found = candidates(f.app.contact(&screener(), now(), &k).await.unwrap());
    assert!(
        !found.contains(&lily) && found.contains(&second),
        "{found:?}"
    );

    unmerge(&f, "C2", "C1").await.unwrap();
    let found = candidates(f.app.contact(&screener(), now(), &k).await.unwrap());
    assert!(
        found.contains(&lily) && found.contains(&second),
        "{found:?}"
    );
}
