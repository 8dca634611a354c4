//! Every journey the generator writes must be one the domain accepts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hearth_domain::contact::{ContactState, ContactStatus, fold_contact};
use hearth_domain::event::{Event, EventData};
use hearth_domain::ids::{ContactId, PersonRef, Subject};
use hearth_domain::journey::{fold_child, fold_family};
use hearth_synth::{Generator, Options, PRESETS, preset};
use jiff::civil::date;
use std::collections::{BTreeMap, BTreeSet};

/// What a county holds: its families, events, and contacts folded.
type County = (usize, usize, BTreeMap<ContactId, ContactState>);

fn check_county(name: &str, seed: u64, scale: f64, years: u32) -> County {
    check_county_to(name, seed, scale, years, date(2025, 3, 31))
}

fn check_county_to(
    name: &str,
    seed: u64,
    scale: f64,
    years: u32,
    end: jiff::civil::Date,
) -> County {
    let p = preset(name).unwrap();
    let options = Options {
        years,
        seed,
        scale,
        end,
    };
    let mut generator = Generator::new(&p, &options).unwrap();
    let mut ids = BTreeSet::new();
    let mut contacts = BTreeSet::new();
    let mut children = BTreeSet::new();
    let mut all_contacts: BTreeMap<ContactId, ContactState> = BTreeMap::new();
    let (mut families, mut events) = (0, 0);
    let end_of_day = end.at(23, 59, 59, 0).in_tz("UTC").unwrap().timestamp();
    for family in generator.by_ref() {
        families += 1;
        events += family.len();
        let mut groups: Vec<(Subject, Vec<Event>)> = Vec::new();
        for e in family {
            assert!(ids.insert(e.id.clone()), "event id {} used twice", e.id);
            assert!(e.date() <= options.end, "{} after the end", e.id);
            assert!(
                e.recorded_at <= end_of_day,
                "{} recorded after the end",
                e.id
            );
            // Each contact is received once on its own journey (and mirrored on each
            // child linked to it).
            if let (EventData::ContactReceived(c), Subject::Contact(_)) = (&e.data, &e.subject) {
                assert!(
                    contacts.insert(c.contact.clone()),
                    "contact {} twice",
                    c.contact
                );
            }
            match groups.last_mut() {
                Some((s, v)) if *s == e.subject => v.push(e),
                _ => groups.push((e.subject.clone(), vec![e])),
            }
        }
        let mut seen = BTreeSet::new();
        let mut family_contacts = BTreeMap::new();
        for (i, (subject, journey)) in groups.iter().enumerate() {
            assert!(seen.insert(subject.clone()), "{subject} not contiguous");
            match subject {
                Subject::Family(id) => {
                    assert_eq!(i, 0, "the family journal comes first");
                    fold_family(id, journey)
                        .unwrap_or_else(|e| panic!("{name} seed {seed} {subject}: {e}"));
                }
                Subject::Child(id) => {
                    assert!(children.insert(id.clone()), "{id} in two families");
                    let dates: Vec<_> = journey.iter().map(|e| e.date()).collect();
                    assert!(
                        dates.windows(2).all(|w| w[0] <= w[1]),
                        "{subject} not in date order"
                    );
                    fold_child(id, journey).unwrap_or_else(|e| {
                        let lines: Vec<String> = journey
                            .iter()
                            .map(|e| format!("{} {} {:?}", e.occurred_at, e.kind(), e.data))
                            .collect();
                        panic!("{name} seed {seed} {subject}: {e}\n{}", lines.join("\n"))
                    });
                }
                Subject::Contact(id) => {
                    assert!(i > 0, "a family's contacts come after its journal");
                    let state = fold_contact(id, journey)
                        .unwrap_or_else(|e| panic!("{name} seed {seed} {subject}: {e}"));
                    let intake = state
                        .intake
                        .as_ref()
                        .expect("every contact says what it is");
                    let received = state.received.expect("received").date;
                    intake
                        .validate(received)
                        .unwrap_or_else(|e| panic!("{name} seed {seed} {subject}: {e}"));
                    family_contacts.insert(id.clone(), state);
                }
            }
        }
        // A child's journey mirrors only contacts its family has, that link the child,
        // and says of each what the contact says (receipt, checks, decision).
        for (subject, journey) in &groups {
            let Subject::Child(child) = subject else {
                continue;
            };
            let linked = PersonRef::Child(child.clone());
            for e in journey {
                let contact = match &e.data {
                    EventData::ContactReceived(c) => &c.contact,
                    EventData::PartnerCheckRequested(c) | EventData::PartnerCheckReturned(c) => {
                        &c.contact
                    }
                    EventData::ContactDecided(c) => &c.contact,
                    _ => continue,
                };
                let state = family_contacts
                    .get(contact)
                    .unwrap_or_else(|| panic!("{subject} mirrors {contact}, not its family's"));
                assert!(
                    state.links.values().any(|p| *p == linked),
                    "{subject} mirrors {contact}, which does not link it"
                );
                if let EventData::ContactDecided(d) = &e.data {
                    assert!(
                        state
                            .decisions
                            .iter()
                            .any(|x| x.child.as_ref() == Some(child)
                                && x.outcome == d.outcome
                                && x.on == e.occurred_at),
                        "{subject}'s decision on {contact} is not the contact's"
                    );
                }
            }
        }
        all_contacts.extend(family_contacts);
    }
    assert!(generator.error().is_none(), "{:?}", generator.error());
    (families, events, all_contacts)
}

#[test]
fn every_journey_folds_in_every_preset() {
    for name in PRESETS {
        for seed in [1, 2, 3] {
            let (families, events, _) = check_county(name, seed, 0.02, 6);
            assert!(families > 50, "{name}: {families} families");
            assert!(events > 5_000, "{name}: {events} events");
        }
    }
}

#[test]
fn odd_sizes_and_dates_fold() {
    check_county_to("central-bedfordshire", 5, 0.003, 1, date(2024, 2, 29));
    check_county_to("wiltshire", 6, 0.01, 20, date(2030, 12, 31));
    check_county_to("coventry", 7, 0.01, 2, date(2019, 7, 6));
}

#[test]
fn a_larger_county_folds_too() {
    let (_, _, contacts) = check_county("kent", 99, 0.05, 10);
    // The front door at the end date: contacts of every kind, and some still open.
    let count = |f: &dyn Fn(&ContactState) -> bool| contacts.values().filter(|c| f(c)).count();
    let open = count(&|c| c.status() != ContactStatus::Decided);
    let status = |s| count(&|c: &ContactState| c.status() == s);
    let summary = format!(
        "{} contacts, {open} open: new {}, awaiting checks {}, awaiting decision {}, awaiting sign-off {}",
        contacts.len(),
        status(ContactStatus::New),
        status(ContactStatus::AwaitingChecks),
        status(ContactStatus::AwaitingDecision),
        status(ContactStatus::AwaitingSignOff),
    );
    assert!(contacts.len() > 10_000, "{summary}");
    // About a day's contacts (a few at this scale) are still open at the end.
    assert!((1..100).contains(&open), "{summary}");
    let unlinked = count(&|c| c.links.is_empty() && c.status() == ContactStatus::Decided);
    assert!(
        unlinked * 100 > contacts.len() && unlinked * 10 < contacts.len(),
        "{summary}; {unlinked} unlinked"
    );
    let adults = count(&|c| c.links.values().any(|p| matches!(p, PersonRef::Adult(_))));
    assert!(
        adults * 3 > contacts.len() && adults * 3 < contacts.len() * 2,
        "{summary}; {adults} with an adult"
    );
    let signed_off = count(&|c| c.decisions.iter().any(|d| d.proposed_by.is_some()));
    assert!(signed_off > 0, "{summary}");
    let routed = count(&|c| !c.routes.is_empty());
    assert!(routed > 0, "{summary}");
    let existing_worker = count(&|c| c.routes.iter().any(|r| r.worker.is_some()));
    assert!(existing_worker > 0, "{summary}");
    println!(
        "{summary}; {unlinked} unlinked, {adults} with an adult, {signed_off} signed off, {routed} routed, {existing_worker} to the family's worker"
    );
}

/// A wider sweep for rare paths (adoption reversals, care at birth, re-entry to care).
/// `cargo test -p hearth-synth --release --test journeys -- --ignored`.
#[test]
#[ignore]
fn many_seeds_fold() {
    for name in PRESETS {
        for seed in 100..130 {
            check_county(name, seed, 0.05, 10);
        }
    }
}
