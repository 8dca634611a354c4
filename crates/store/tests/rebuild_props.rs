//! Property: however valid journeys (children's and contacts') reach the store —
//! interleaved, in batches of any size, followed by late-recorded events and
//! corrections, some of which cannot stand — the store accepts exactly what the domain's
//! fold accepts, a refused write changes nothing, and `rebuild()` gives the same
//! projections as the ones kept write by write.
//!
//! Each case opens a SQLite file, so there are few cases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hearth_domain::codes::{ReasonForClosure, ReasonPlaceChange};
use hearth_domain::contact::fold_contact;
use hearth_domain::event::{
    Allocated, CinClosed, Empty, Event, EventAmended, EventData, EventRetracted, OccurredAt,
    PersonAmended, PlacementEnded, Visit,
};
use hearth_domain::ids::{EventId, Subject, TeamId, WorkerId};
use hearth_domain::journey::{Problem, fold_child};
use hearth_domain::people::{Name, PersonChanges};
use hearth_store::{Contacts, Journal, Projections, SqliteStore, StoreError, open_sqlite};
use hearth_testkit::random::{
    ContactJourney, ContactSeed, Journey, Seed, contact_journey, contact_seed, journey, seed,
};
use jiff::ToSpan;
use proptest::prelude::*;
use std::collections::BTreeMap;

/// What happens after the journeys are in.
#[derive(Debug, Clone)]
enum Extra {
    /// An event recorded now, dated on the day of one of the child's events (plus a few
    /// days either side): a visit, a change of worker or name, or the end of something
    /// that may or may not have been open then.
    Late { at: u16, shift: i8, kind: u8 },
    /// A retraction of one of the child's events.
    Retract { at: u16 },
    /// A change to the date of one of the child's events.
    Redate { at: u16, shift: i8 },
    /// Something the journey's model says cannot happen next.
    Impossible { pick: u16, param: u8 },
}

fn extra() -> impl Strategy<Value = (u8, Extra)> {
    let e = prop_oneof![
        (any::<u16>(), -3i8..=3, any::<u8>()).prop_map(|(at, shift, kind)| Extra::Late {
            at,
            shift,
            kind
        }),
        any::<u16>().prop_map(|at| Extra::Retract { at }),
        (any::<u16>(), -40i8..=40).prop_map(|(at, shift)| Extra::Redate { at, shift }),
        (any::<u16>(), any::<u8>()).prop_map(|(pick, param)| Extra::Impossible { pick, param }),
    ];
    (any::<u8>(), e)
}

/// The payload of a late-recorded event.
fn late(kind: u8) -> EventData {
    use EventData as E;
    let worker = WorkerId::parse(&format!("W{}", kind % 3 + 1)).unwrap();
    match kind % 7 {
        0 => E::Visit(Visit {
            worker,
            seen: true,
            seen_alone: false,
        }),
        1 => E::Allocated(Allocated {
            worker,
            team: TeamId::parse("T2").unwrap(),
            reason: None,
        }),
        2 => E::Unallocated(Empty {}),
        3 => E::PersonAmended(PersonAmended {
            adult: None,
            changes: PersonChanges {
                name: Some(Name {
                    given: format!("Late{kind}"),
                    family: String::from("Renamed"),
                }),
                ..PersonChanges::default()
            },
        }),
        4 => E::CpPlanEnded(Empty {}),
        5 => E::PlacementEnded(PlacementEnded {
            reason: ReasonPlaceChange::Other,
        }),
        _ => E::CinClosed(CinClosed {
            reason: ReasonForClosure::ServicesCeased,
        }),
    }
}

async fn journal(store: &SqliteStore) -> (String, Vec<String>) {
    let mut out = Vec::new();
    store.export_journal(None, &mut out).await.unwrap();
    (
        String::from_utf8(out).unwrap(),
        store.projection_dump().await.unwrap(),
    )
}

/// Interleave the journeys (each keeps its own order) as `order` says, then cut the
/// stream into batches where `cuts` says.
fn batches(journeys: &[&[Event]], order: &[u8], cuts: &[u8]) -> Vec<Vec<Event>> {
    let mut queues: Vec<std::collections::VecDeque<Event>> = journeys
        .iter()
        .map(|j| j.iter().cloned().collect())
        .collect();
    let mut stream = Vec::new();
    let mut order = order.iter().cycle();
    while queues.iter().any(|q| !q.is_empty()) {
        let live: Vec<usize> = (0..queues.len())
            .filter(|&i| !queues[i].is_empty())
            .collect();
        let i = live[usize::from(*order.next().unwrap_or(&0)) % live.len()];
        stream.push(queues[i].pop_front().unwrap());
    }
    let mut out = Vec::new();
    let mut cuts = cuts.iter().cycle();
    while !stream.is_empty() {
        let n = (usize::from(*cuts.next().unwrap_or(&255)) % 12 + 1).min(stream.len());
        out.push(stream.drain(..n).collect());
    }
    out
}

async fn run(
    seeds: Vec<Seed>,
    contact_seeds: Vec<ContactSeed>,
    order: Vec<u8>,
    cuts: Vec<u8>,
    extras: Vec<(u8, Extra)>,
) {
    let dir = tempfile::tempdir().unwrap();
    let store = open_sqlite(dir.path().join("props.db").to_str().unwrap())
        .await
        .unwrap();
    let journeys: Vec<Journey> = seeds
        .iter()
        .enumerate()
        .map(|(i, s)| journey(&format!("C{i}"), s))
        .collect();
    let contacts: Vec<ContactJourney> = contact_seeds
        .iter()
        .enumerate()
        .map(|(i, s)| contact_journey(&format!("K{i}"), s))
        .collect();
    let streams: Vec<&[Event]> = journeys
        .iter()
        .map(|j| j.events.as_slice())
        .chain(contacts.iter().map(|c| c.events.as_slice()))
        .collect();

    // The journeys go in, in whatever batches: single-subject batches sometimes go
    // through `append`, and others through `append_many`, with the versions they were
    // based on.
    let mut versions: BTreeMap<Subject, u64> = BTreeMap::new();
    for (k, batch) in batches(&streams, &order, &cuts).into_iter().enumerate() {
        let n = batch.len() as u64;
        let subject = batch[0].subject.clone();
        if k % 2 == 0 && batch.iter().all(|e| e.subject == subject) {
            let v = versions.entry(subject).or_default();
            assert_eq!(store.append(*v, batch).await.unwrap(), *v + n);
            *v += n;
        } else if k % 3 == 0 {
            let mut named: Vec<(Subject, u64)> = Vec::new();
            for e in &batch {
                if !named.iter().any(|(s, _)| *s == e.subject) {
                    let v = versions.get(&e.subject).copied().unwrap_or_default();
                    named.push((e.subject.clone(), v));
                }
            }
            for e in &batch {
                *versions.entry(e.subject.clone()).or_default() += 1;
            }
            let after: Vec<(Subject, u64)> = named
                .iter()
                .map(|(s, _)| (s.clone(), versions[s]))
                .collect();
            assert_eq!(store.append_many(named, batch).await.unwrap(), after);
        } else {
            for e in &batch {
                *versions.entry(e.subject.clone()).or_default() += 1;
            }
            assert_eq!(store.append_batch(batch).await.unwrap(), n);
        }
    }

    // Then late and impossible events, one write each: accepted exactly when the fold
    // of the journey with it accepts it, and a refusal is the fold's own.
    for (k, (which, extra)) in extras.into_iter().enumerate() {
        let j = &journeys[usize::from(which) % journeys.len()];
        let (stored, version) = store.journey(&j.subject).await.unwrap();
        let target = |at: u16| &stored[usize::from(at) % stored.len()];
        let id = |i: usize| EventId::parse(&format!("x{k}-{i}")).unwrap();
        let mut scratch = j.clone();
        let events: Vec<Event> = match extra {
            Extra::Late { at, shift, kind } => {
                let on = target(at)
                    .date()
                    .checked_add(i64::from(shift).days())
                    .unwrap();
                vec![scratch.event(on, late(kind))]
            }
            Extra::Retract { at } => vec![scratch.event(
                j.date,
                EventData::EventRetracted(EventRetracted {
                    event: target(at).id.clone(),
                    reason: String::from("recorded in error"),
                }),
            )],
            Extra::Redate { at, shift } => {
                let on = target(at)
                    .date()
                    .checked_add(i64::from(shift).days())
                    .unwrap();
                vec![scratch.event(
                    j.date,
                    EventData::EventAmended(EventAmended {
                        event: target(at).id.clone(),
                        reason: String::from("wrong date"),
                        occurred_at: Some(OccurredAt::on(on)),
                        amended: None,
                    }),
                )]
            }
            Extra::Impossible { pick, param } => {
                let (events, problem) = j.invalid(pick, param);
                // Another subject's event or a reused id are not this journey's to
                // refuse in the store's terms (the store files an event under its own
                // subject, and reports a reused id as such).
                if matches!(
                    problem,
                    Problem::WrongSubject | Problem::DuplicateEventId(_)
                ) {
                    continue;
                }
                events
            }
        };
        let (mut stored, mut version) = (stored, version);
        for (i, mut e) in events.into_iter().enumerate() {
            e.id = id(i);
            let mut whole = stored.clone();
            whole.push(e.clone());
            let expected = fold_child(&j.child, &whole);
            let before = journal(&store).await;
            match (store.append(version, vec![e]).await, expected) {
                (Ok(v), Ok(_)) => {
                    assert_eq!(v, version + 1);
                    stored = whole;
                    version = v;
                }
                (Err(StoreError::Invalid(got)), Err(want)) => {
                    assert_eq!(got, want);
                    assert_eq!(journal(&store).await, before);
                }
                (got, want) => panic!("the store gave {got:?} where the fold gave {want:?}"),
            }
        }
    }

    // Every projection is the fold of its journey as stored, and rebuilding from the
    // journal gives the same rows.
    for j in &journeys {
        let (stored, version) = store.journey(&j.subject).await.unwrap();
        let record = store.child(&j.child).await.unwrap().unwrap();
        assert_eq!(record.version, version);
        assert_eq!(record.state, fold_child(&j.child, &stored).unwrap());
    }
    for c in &contacts {
        let (stored, version) = store.journey(&c.subject).await.unwrap();
        let record = store.contact(&c.contact).await.unwrap().unwrap();
        assert_eq!(record.version, version);
        assert_eq!(record.state, fold_contact(&c.contact, &stored).unwrap());
    }
    let incremental = journal(&store).await;
    let report = store.rebuild().await.unwrap();
    assert_eq!(report.children, journeys.len() as u64);
    assert_eq!(report.contacts, contacts.len() as u64);
    assert_eq!(report.events, store.count_events().await.unwrap());
    assert_eq!(journal(&store).await, incremental);
    assert_eq!(store.count_children().await.unwrap(), journeys.len() as u64);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn the_store_accepts_what_the_fold_accepts_and_rebuilds_to_the_same_projections(
        seeds in prop::collection::vec(seed(30), 1..=3),
        contact_seeds in prop::collection::vec(contact_seed(12), 0..=2),
        order in prop::collection::vec(any::<u8>(), 1..64),
        cuts in prop::collection::vec(any::<u8>(), 1..16),
        extras in prop::collection::vec(extra(), 0..10),
    ) {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(run(seeds, contact_seeds, order, cuts, extras));
    }
}
