//! Journals exported before the front door's fields and kinds existed still read, and
//! export again byte for byte: every field added since is optional and left out when
//! absent. The fixture is lines of a real export of a small synthetic county (Wiltshire
//! preset, scale 0.02, three years to 2026-06-30), taken with main as it stood on
//! 2026-12-07, a few of each kind that it held.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hearth_domain::event::{Event, EventData};
use std::collections::BTreeSet;

const FIXTURE: &str = include_str!("fixtures/journal-2026-12.jsonl");

fn round_trip(line: &str) {
    let event: Event = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    assert_eq!(serde_json::to_string(&event).unwrap(), line);
}

#[test]
fn an_export_from_before_the_front_door_reads_and_writes_back_unchanged() {
    let mut kinds = BTreeSet::new();
    for line in FIXTURE.lines() {
        round_trip(line);
        kinds.insert(serde_json::from_str::<Event>(line).unwrap().kind());
    }
    // The kinds whose payloads gained optional fields are all there.
    for kind in [
        "contact_received",
        "partner_check_requested",
        "partner_check_returned",
        "contact_decided",
    ] {
        assert!(kinds.contains(kind), "{kind} is missing from the fixture");
    }
    assert_eq!(FIXTURE.lines().count(), 324);
}

#[test]
fn merges_written_before_the_survivor_was_named_read_and_write_back_unchanged() {
    for kind in ["persons_merged", "persons_unmerged"] {
        let line = format!(
            r#"{{"id":"m1","subject":"child:C1","occurred_at":"2024-03-01","recorded_at":"2024-03-01T09:00:00Z","recorded_by":"W1","kind":"{kind}","data":{{"duplicate":"C2"}}}}"#
        );
        round_trip(&line);
        let event: Event = serde_json::from_str(&line).unwrap();
        match event.data {
            EventData::PersonsMerged(m) | EventData::PersonsUnmerged(m) => {
                assert_eq!(m.survivor, None)
            }
            other => panic!("read as {other:?}"),
        }
    }
}
