//! The front door's readers fed anything: arbitrary bytes, and valid files and bodies
//! mutated byte by byte. Neither reader panics, and every refusal names where it is (a
//! row, or a field's path) in one sentence that repeats nothing it was given.

use hearth_app::intake::{COLUMNS, read_csv, read_json};
use hearth_domain::contact::IntakeError;
use jiff::civil::{Date, date};
use proptest::prelude::*;

const TODAY: Date = date(2026, 12, 7);

/// In every valid document below, so a refusal that repeats what it was given shows.
const MARKER: &str = "Zebedee";

fn valid_json() -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "received_at": "2026-12-07T09:30",
        "source": "6",
        "referrer": {"organisation": "Kent Police", "name": "PC Zebedee"},
        "people": [
            {"role": "child", "given_name": "Zebedee", "family_name": "Quill",
             "date_of_birth": "2019-02-28", "nhs_number": "9434765919",
             "address": {"lines": ["1 High Street"], "town": "Ashford", "postcode": "TN24 8AA"}},
            {"role": "unborn", "expected_date_of_birth": "2027-03-01"},
            {"role": "adult", "given_name": "Yolande", "family_name": "Zebedee",
             "other_names": ["Yo"], "sex": "F", "relationship": "mother"}
        ],
        "narrative": "Zebedee was present at a domestic incident.",
        "consent": "not_known",
        "urgency": "same_day",
        "partner_ref": "OCC-1"
    }))
    .unwrap_or_default()
}

fn valid_csv() -> Vec<u8> {
    let mut file = COLUMNS.join(",");
    file.push('\n');
    let row = |cells: &[(&str, &str)]| {
        let mut line = COLUMNS
            .iter()
            .map(|c| cells.iter().find(|(k, _)| k == c).map_or("", |(_, v)| *v))
            .collect::<Vec<_>>()
            .join(",");
        line.push('\n');
        line
    };
    let contact = [
        ("received_at", "2026-12-01T10:00"),
        ("source", "2A"),
        ("referrer_name", "A Teacher"),
        ("urgency", "routine"),
        ("consent", "given"),
        ("narrative", "\"Zebedee said, \"\"not again\"\".\""),
    ];
    for reference in ["A", "B"] {
        let mut first = contact.to_vec();
        first.extend([
            ("contact_ref", reference),
            ("role", "child"),
            ("given_name", MARKER),
            ("family_name", "Quill"),
            ("date_of_birth", "2017-05-04"),
            ("nhs_number", "943 476 5919"),
            ("postcode", "TN24 8AA"),
        ]);
        file.push_str(&row(&first));
        file.push_str(&row(&[
            ("contact_ref", reference),
            ("role", "adult"),
            ("given_name", "Yolande"),
            ("family_name", MARKER),
            ("other_names", "Yo;Yolanda"),
        ]));
    }
    file.into_bytes()
}

/// A refusal says where (a row, or a field's path), and nothing it was given: not the
/// marker, nor serde's or csv's own words for what they found.
fn check(refusal: &IntakeError) -> Result<(), TestCaseError> {
    let text = refusal.to_string();
    prop_assert!(
        refusal.row.is_some() || !refusal.field.is_empty(),
        "names no place: {text}"
    );
    prop_assert!(!text.contains(MARKER), "repeats what it was given: {text}");
    for internal in [
        "invalid type",
        "expected a ",
        "expected struct",
        "`",
        " at line ",
        "Error(",
    ] {
        prop_assert!(!text.contains(internal), "the parser's words: {text}");
    }
    prop_assert!(!text.contains('\n'), "more than one line: {text}");
    Ok(())
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the byte at a place with another.
    Set(prop::sample::Index, u8),
    /// Delete a run of up to 8 bytes.
    Delete(prop::sample::Index, usize),
    /// Insert bytes, often the ones that matter to the format.
    Insert(prop::sample::Index, Vec<u8>),
    /// Copy a run of bytes to another place (a cell or a field twice).
    Copy(prop::sample::Index, usize, prop::sample::Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let meaningful = prop::sample::select(b",\"\n\r{}[]:0-/T;\\ \xff\xc3".to_vec());
    prop_oneof![
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<prop::sample::Index>(), meaningful.clone()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<prop::sample::Index>(), 1..8usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (
            any::<prop::sample::Index>(),
            prop::collection::vec(meaningful, 1..4)
        )
            .prop_map(|(i, bytes)| Mutation::Insert(i, bytes)),
        (
            any::<prop::sample::Index>(),
            1..40usize,
            any::<prop::sample::Index>()
        )
            .prop_map(|(from, n, to)| Mutation::Copy(from, n, to)),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        if bytes.is_empty() {
            break;
        }
        let len = bytes.len();
        match m {
            Mutation::Set(i, b) => bytes[i.index(len)] = *b,
            Mutation::Delete(i, n) => {
                let at = i.index(len);
                bytes.drain(at..(at + n).min(len));
            }
            Mutation::Insert(i, new) => {
                let at = i.index(len + 1);
                bytes.splice(at..at, new.iter().copied());
            }
            Mutation::Copy(from, n, to) => {
                let from = from.index(len);
                let run = bytes[from..(from + n).min(len)].to_vec();
                let to = to.index(len + 1);
                bytes.splice(to..to, run);
            }
        }
    }
    bytes
}

#[test]
fn the_valid_documents_are_read() {
    let contact = read_json(&valid_json(), TODAY);
    assert!(contact.is_ok(), "{contact:?}");
    let contacts = read_csv(&valid_csv(), TODAY);
    assert_eq!(contacts.map(|c| c.len()).ok(), Some(2));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn arbitrary_bytes_are_read_or_refused_by_place(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Err(refusal) = read_json(&bytes, TODAY) {
            check(&refusal)?;
        }
        if let Err(refusal) = read_csv(&bytes, TODAY) {
            check(&refusal)?;
        }
    }

    #[test]
    fn a_mutated_body_is_read_or_refused_by_place(mutations in prop::collection::vec(mutation(), 1..6)) {
        if let Err(refusal) = read_json(&mutate(valid_json(), &mutations), TODAY) {
            check(&refusal)?;
        }
    }

    #[test]
    fn a_mutated_file_is_read_or_refused_by_place(mutations in prop::collection::vec(mutation(), 1..6)) {
        if let Err(refusal) = read_csv(&mutate(valid_csv(), &mutations), TODAY) {
            check(&refusal)?;
        }
    }
}
