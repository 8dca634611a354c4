//! `Store::load` on SQLite (the bulk path `hearth generate` takes) writes exactly what
//! `append_batch` writes, and refuses what it must.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hearth_domain::event::Event;
use hearth_domain::ids::ChildId;
use hearth_domain::ids::Subject;
use hearth_store::{
    ChainStatus, DueCacheKey, DueClocksFor, DueClocksRow, DueSource, HeldBy, Store, StoreError,
    open,
};
use jiff::civil::date;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A small county, as batches of a few whole families.
fn county() -> Vec<Vec<Event>> {
    let preset = hearth_synth::preset("central-bedfordshire").unwrap();
    let options = hearth_synth::Options {
        years: 3,
        seed: 5,
        scale: 0.003,
        end: date(2025, 3, 31),
    };
    let mut generator = hearth_synth::Generator::new(&preset, &options).unwrap();
    let families: Vec<Vec<Event>> = generator.by_ref().collect();
    assert!(generator.error().is_none(), "{:?}", generator.error());
    let batches: Vec<Vec<Event>> = families
        .chunks(5)
        .map(|c| c.iter().flatten().cloned().collect())
        .collect();
    assert!(batches.len() >= 5, "{} batches", batches.len());
    batches
}

/// Each batch dealt out a round at a time: every subject's first event, then every
/// second one, and so on. Each journey keeps its order; subjects interleave.
fn dealt_in_rounds(batches: Vec<Vec<Event>>) -> Vec<Vec<Event>> {
    batches
        .into_iter()
        .map(|batch| {
            let mut seen: HashMap<Subject, usize> = HashMap::new();
            let mut dealt: Vec<(usize, Event)> = batch
                .into_iter()
                .map(|e| {
                    let round = seen.entry(e.subject.clone()).or_default();
                    *round += 1;
                    (*round, e)
                })
                .collect();
            dealt.sort_by_key(|(round, _)| *round);
            dealt.into_iter().map(|(_, e)| e).collect()
        })
        .collect()
}

async fn fresh(dir: &tempfile::TempDir, name: &str) -> Arc<dyn Store> {
    open(&format!("sqlite://{}", dir.path().join(name).display()))
        .await
        .unwrap()
}

async fn load(store: &dyn Store, batches: Vec<Vec<Event>>) -> (Result<u64, StoreError>, u64) {
    load_with(store, batches, None).await
}

async fn load_with(
    store: &dyn Store,
    batches: Vec<Vec<Event>>,
    due: Option<DueClocksFor>,
) -> (Result<u64, StoreError>, u64) {
    let (send, receive) = tokio::sync::mpsc::channel(2);
    let feeding = tokio::spawn(async move {
        for batch in batches {
            if send.send(batch).await.is_err() {
                break;
            }
        }
    });
    let heard = AtomicU64::new(0);
    let result = store
        .load(
            receive,
            &|n| {
                heard.fetch_add(n, Ordering::Relaxed);
            },
            due,
        )
        .await;
    feeding.await.unwrap();
    (result, heard.load(Ordering::Relaxed))
}

/// The journal as exported, every projection row, and both chains.
async fn contents(store: &dyn Store) -> (String, Vec<String>, ChainStatus) {
    let mut journal = Vec::new();
    store.export_journal(None, &mut journal).await.unwrap();
    let chains = store.verify_chains().await.unwrap();
    (
        String::from_utf8(journal).unwrap(),
        store.projection_dump().await.unwrap(),
        chains.journal,
    )
}

/// Loading `batches` into one database and appending them one by one into another
/// leave the same journal, projections and chain.
async fn assert_load_matches_appending(batches: Vec<Vec<Event>>) {
    let dir = tempfile::tempdir().unwrap();
    let total: usize = batches.iter().map(Vec::len).sum();

    let appended = fresh(&dir, "appended.db").await;
    for batch in batches.clone() {
        appended.append_batch(batch).await.unwrap();
    }
    let loaded = fresh(&dir, "loaded.db").await;
    let (result, heard) = load(loaded.as_ref(), batches).await;
    assert_eq!(result.unwrap(), total as u64);
    assert_eq!(heard, total as u64);

    let expected = contents(appended.as_ref()).await;
    assert_eq!(expected.2, ChainStatus::Intact { rows: total as u64 });
    assert_eq!(contents(loaded.as_ref()).await, expected);
    assert_eq!(loaded.count_events().await.unwrap(), total as u64);
    assert_eq!(
        loaded.count_children().await.unwrap(),
        appended.count_children().await.unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_writes_what_appending_the_batches_writes() {
    assert_load_matches_appending(county()).await;
}

/// Two contacts' journeys: one dated in order, one with an event dated before the one
/// written ahead of it (so folded from the whole journey).
fn contacts() -> Vec<Event> {
    use hearth_domain::codes::{Agency, ContactOutcome, Rag};
    use hearth_testkit::{
        check_requested, contact_ev, decided, given_child, intake, linked, received,
    };
    let people = || intake(vec![given_child("Ann", "Example", date(2019, 2, 3))]);
    vec![
        contact_ev("K1", "k1-01", "2024-05-01", received("K1", people())),
        contact_ev("K2", "k2-01", "2024-05-02", received("K2", people())),
        contact_ev(
            "K1",
            "k1-02",
            "2024-05-02",
            check_requested("K1", Agency::Police, Rag::Amber),
        ),
        contact_ev(
            "K2",
            "k2-02",
            "2024-05-03",
            decided("K2", None, ContactOutcome::NoFurtherAction),
        ),
        contact_ev("K1", "k1-03", "2024-05-01", linked(0, "child:C900")),
    ]
}

/// Contacts' journeys go in by the bulk path as by appending, projections and all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_with_contacts_writes_what_appending_writes() {
    let mut batches = county();
    batches[1].extend(contacts());
    assert_load_matches_appending(batches).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_of_interleaved_subjects_writes_what_appending_writes() {
    assert_load_matches_appending(dealt_in_rounds(county())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_refuses_a_subject_already_in_the_journal_and_keeps_what_committed() {
    let dir = tempfile::tempdir().unwrap();
    let batches = county();
    let store = fresh(&dir, "county.db").await;
    store.append_batch(batches[1].clone()).await.unwrap();
    let before = contents(store.as_ref()).await;

    // The first batch is new and commits; the second's subjects are there already.
    let first = batches[0].len() as u64;
    let (result, heard) = load(store.as_ref(), batches[..3].to_vec()).await;
    assert!(result.is_err(), "{result:?}");
    assert_eq!(heard, first);

    let after = contents(store.as_ref()).await;
    assert!(
        matches!(after.2, ChainStatus::Intact { .. }),
        "{:?}",
        after.2
    );
    assert_eq!(
        store.count_events().await.unwrap(),
        first + batches[1].len() as u64
    );
    assert!(after.0.starts_with(&before.0));
}

/// Due "clocks" that name the events they were worked out from, so a test can see which
/// part of a journey the load handed over.
fn naming_events() -> DueClocksFor {
    Arc::new(|state, journey| {
        Some(DueClocksRow {
            child: state.id.clone(),
            version: journey.len() as u64,
            fingerprint: "test".into(),
            last_date: date(2000, 1, 1),
            clocks: ids(journey),
        })
    })
}

fn ids(journey: &[Event]) -> String {
    let ids: Vec<&str> = journey.iter().map(|e| e.id.as_str()).collect();
    ids.join(",")
}

/// Each child with cached clocks fresh under `naming_events`, and what they say.
async fn cached(store: &dyn Store) -> HashMap<ChildId, String> {
    let key = DueCacheKey {
        fingerprint: "test",
        as_at: date(2100, 1, 1),
    };
    let mut found = HashMap::new();
    store
        .unsettled_due(
            date(1900, 1, 1),
            &HeldBy::Anyone,
            Some(&key),
            &mut |child, source| {
                if let DueSource::Cached(clocks) = source {
                    found.insert(child.id.clone(), clocks);
                }
            },
        )
        .await
        .unwrap();
    found
}

/// Every child's whole journey, from the store.
async fn journeys(store: &dyn Store, batches: &[Vec<Event>]) -> HashMap<ChildId, Vec<Event>> {
    let mut out = HashMap::new();
    for event in batches.iter().flatten() {
        if let Subject::Child(id) = &event.subject
            && !out.contains_key(id)
        {
            let (journey, _) = store.journey(&event.subject).await.unwrap();
            out.insert(id.clone(), journey);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_keeps_each_childs_due_clocks_from_their_whole_journey() {
    let dir = tempfile::tempdir().unwrap();
    let batches = county();
    let store = fresh(&dir, "county.db").await;
    let (result, _) = load_with(store.as_ref(), batches.clone(), Some(naming_events())).await;
    result.unwrap();

    let whole = journeys(store.as_ref(), &batches).await;
    let cached = cached(store.as_ref()).await;
    // The generator writes each journey in one run, so every child is cached, each from
    // their whole journey at its stored version.
    assert_eq!(cached.len(), whole.len());
    for (child, journey) in &whole {
        assert_eq!(cached.get(child), Some(&ids(journey)), "{child}");
    }
    // The load wrote what a load without the cache writes, and nothing else.
    let plain = fresh(&dir, "plain.db").await;
    load(plain.as_ref(), batches).await.0.unwrap();
    assert_eq!(
        contents(store.as_ref()).await,
        contents(plain.as_ref()).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_keeps_no_clocks_from_part_of_a_journey() {
    // A journey of more than one event is no longer one run.
    let batches = dealt_in_rounds(county());
    let dir = tempfile::tempdir().unwrap();
    let store = fresh(&dir, "county.db").await;
    let (result, _) = load_with(store.as_ref(), batches.clone(), Some(naming_events())).await;
    result.unwrap();

    let whole = journeys(store.as_ref(), &batches).await;
    let cached = cached(store.as_ref()).await;
    let spread = whole.values().filter(|j| j.len() > 1).count();
    assert!(spread > 0);
    assert!(cached.len() < whole.len());
    // Whatever was cached came from a whole journey.
    for (child, clocks) in &cached {
        assert_eq!(clocks, &ids(&whole[child]), "{child}");
    }
}
