//! Property tests of the engine on a small generated population: families sharing a
//! surname and a postcode, twins, double-barrelled surnames, and names common enough
//! that many people share them.

use super::index::{Index, PersonRecord};
use super::model::{Field, Level, MatchModel};
use super::score::{Candidate, Matcher, Reason, compare};
use super::train::{TrainingRule, blocked_pairs, em, estimate_u};
use crate::codes::{GivenRole, Sex};
use crate::contact::{GivenAddress, GivenPerson};
use crate::identifiers::{NhsNumber, Postcode};
use crate::ids::{AdultId, ChildId, FamilyId, PersonRef};
use jiff::civil::{Date, date};
use proptest::prelude::*;
use std::sync::LazyLock;

const BOYS: &[&str] = &[
    "William", "Thomas", "James", "Oliver", "Harry", "Jack", "George", "Noah", "Henry", "Samuel",
    "Daniel", "Muhammad", "Jakub", "Kai", "Leo", "Alfie", "Connor", "Ryan", "Ethan", "Joshua",
];
const GIRLS: &[&str] = &[
    "Olivia",
    "Amelia",
    "Isla",
    "Emily",
    "Jessica",
    "Katherine",
    "Margaret",
    "Sophie",
    "Grace",
    "Ruby",
    "Chloe",
    "Aisha",
    "Zuzanna",
    "Priya",
    "Megan",
    "Hannah",
    "Elizabeth",
    "Lily",
    "Mia",
    "Ellie",
];
const SURNAMES: &[&str] = &[
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Khan",
    "O'Brien",
    "Nowak",
    "Okafor",
    "Murphy",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "Smith-Jones",
    "Clarke",
    "Hall",
    "Wood",
    "Kowalski",
    "Singh",
    "Lewis",
    "Hughes",
];
const SHORT: &[(&str, &str)] = &[
    ("William", "Bill"),
    ("Thomas", "Tom"),
    ("James", "Jim"),
    ("Oliver", "Ollie"),
    ("Henry", "Harry"),
    ("Samuel", "Sam"),
    ("Daniel", "Danny"),
    ("Joshua", "Josh"),
    ("Jessica", "Jess"),
    ("Katherine", "Kate"),
    ("Margaret", "Maggie"),
    ("Elizabeth", "Liz"),
];

/// A small deterministic generator, so the population is the same every run.
struct Gen(u64);

impl Gen {
    fn below(&mut self, n: usize) -> usize {
        self.0 = super::index::mix(self.0.wrapping_add(1));
        (self.0 % n as u64) as usize
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }
    fn day(&mut self, from: i16, years: usize) -> Date {
        let start = date(from, 1, 1);
        start
            .checked_add(jiff::Span::new().days(self.below(years * 365) as i64))
            .unwrap()
    }
}

fn postcode(n: usize) -> Postcode {
    let letters = b"ABDEFGHJLNPQRSTUWXYZ";
    let inward = format!(
        "{}{}{}",
        n % 10,
        letters[n / 10 % 20] as char,
        letters[n / 200 % 20] as char
    );
    Postcode::parse(&format!("ME{} {inward}", 1 + n % 20)).unwrap()
}

fn population() -> Vec<PersonRecord> {
    let mut g = Gen(7);
    let mut out = Vec::new();
    let mut nhs = 999_000_000u32;
    let mut next_nhs = || loop {
        nhs += 1;
        if let Some(n) = NhsNumber::from_nine_digits(nhs) {
            return n;
        }
    };
    for family in 0..700 {
        let surname = g.pick(SURNAMES).to_owned();
        let place = postcode(g.below(4_000));
        let family_id = FamilyId::parse(&format!("F{family}")).unwrap();
        let mut person = |g: &mut Gen, child: bool, born: Date, i: usize| {
            let sex = if g.below(2) == 0 {
                Sex::Male
            } else {
                Sex::Female
            };
            let given = g.pick(if sex == Sex::Male { BOYS } else { GIRLS });
            let person = if child {
                PersonRef::Child(ChildId::parse(&format!("C{family}x{i}")).unwrap())
            } else {
                PersonRef::Adult(AdultId::parse(&format!("A{family}x{i}")).unwrap())
            };
            PersonRecord {
                person,
                family: Some(family_id.clone()),
                given_name: given.to_owned(),
                family_name: surname.clone(),
                other_names: Vec::new(),
                date_of_birth: Some(born),
                expected_date_of_birth: None,
                nhs_number: (g.below(10) > 0).then(&mut next_nhs),
                postcode: Some(place.clone()),
                sex: Some(sex),
            }
        };
        for i in 0..1 + g.below(2) {
            let born = g.day(1975, 25);
            out.push(person(&mut g, false, born, i));
        }
        let mut born = g.day(2006, 18);
        for i in 0..1 + g.below(4) {
            // One family in ten has twins.
            if i == 0 || g.below(10) > 0 {
                born = g.day(2006, 18);
            }
            out.push(person(&mut g, true, born, i));
        }
    }
    out
}

struct Engine {
    records: Vec<PersonRecord>,
    index: Index,
    model: MatchModel,
}

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let records = population();
    let index = Index::build(records.clone());
    let model = estimate_u(&index, &MatchModel::starting().unwrap(), 100_000, 42);
    Engine {
        records,
        index,
        model,
    }
});

fn given(record: &PersonRecord) -> GivenPerson {
    GivenPerson {
        role: if matches!(record.person, PersonRef::Child(_)) {
            GivenRole::Child
        } else {
            GivenRole::Adult
        },
        given_name: record.given_name.clone(),
        family_name: record.family_name.clone(),
        other_names: record.other_names.clone(),
        date_of_birth: record.date_of_birth,
        expected_date_of_birth: record.expected_date_of_birth,
        sex: record.sex,
        nhs_number: record.nhs_number.clone(),
        address: record.postcode.clone().map(|p| GivenAddress {
            lines: Vec::new(),
            town: String::new(),
            postcode: Some(p),
        }),
        relationship: None,
    }
}

fn find(person: &GivenPerson) -> Vec<Candidate> {
    Matcher::new(&ENGINE.index, &ENGINE.model).find(person, 10)
}

fn found(record: &PersonRecord, person: &GivenPerson) -> Result<(), TestCaseError> {
    let candidates = find(person);
    prop_assert!(
        candidates.iter().any(|c| c.person == record.person),
        "the true person is not among {} candidates",
        candidates.len()
    );
    Ok(())
}

fn record() -> impl Strategy<Value = &'static PersonRecord> {
    (0..ENGINE.records.len()).prop_map(|i| &ENGINE.records[i])
}

/// One letter of a name replaced, dropped or swapped with the next.
fn typo(name: &str, at: usize, kind: usize) -> String {
    let mut letters: Vec<char> = name.chars().collect();
    let at = at % (letters.len() - 1).max(1);
    match kind % 3 {
        0 => letters[at] = if letters[at] == 'x' { 'z' } else { 'x' },
        1 => {
            letters.remove(at.max(1));
        }
        _ => letters.swap(at, at + 1),
    }
    letters.into_iter().collect()
}

fn without_nhs(record: &PersonRecord) -> GivenPerson {
    GivenPerson {
        nhs_number: None,
        ..given(record)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn an_exact_copy_scores_top(record in record()) {
        let candidates = find(&given(record));
        let top = candidates.first().map(|c| c.weight);
        let own = candidates.iter().find(|c| c.person == record.person).map(|c| c.weight);
        prop_assert!(own.is_some());
        prop_assert_eq!(own, top);
    }

    #[test]
    fn weights_are_finite_and_comparisons_symmetric(a in record(), b in record()) {
        let index = &ENGINE.index;
        let entry = |r: &PersonRecord| index.entry(index.slot_of(&r.person).unwrap()).unwrap();
        let (ea, eb) = (entry(a), entry(b));
        let ab = compare(index, &index.probe_of(ea), eb);
        let ba = compare(index, &index.probe_of(eb), ea);
        for field in Field::ALL {
            // A part of a double-barrelled surname is not symmetric with the whole.
            if field != Field::Surname || ab.level(field) != Some(Level::SurnamePart) {
                prop_assert_eq!(ab.level(field), ba.level(field), "{:?}", field);
            }
        }
        let matcher = Matcher::new(index, &ENGINE.model);
        prop_assert!(matcher.weight(&ab, eb).is_finite());
    }

    #[test]
    fn a_name_typo_still_finds_them(record in record(), at in 0usize..20, kind in 0usize..3, surname: bool) {
        let mut person = without_nhs(record);
        if surname {
            person.family_name = typo(&record.family_name, at, kind);
        } else {
            person.given_name = typo(&record.given_name, at, kind);
        }
        found(record, &person)?;
    }

    #[test]
    fn a_nickname_still_finds_them(record in record(), use_short: bool) {
        let Some(&(formal, short)) = SHORT.iter().find(|(f, _)| *f == record.given_name) else {
            return Ok(());
        };
        let mut person = without_nhs(record);
        person.given_name = if use_short { short } else { formal }.to_owned();
        found(record, &person)?;
    }

    #[test]
    fn swapped_names_still_find_them(record in record()) {
        let mut person = without_nhs(record);
        std::mem::swap(&mut person.given_name, &mut person.family_name);
        found(record, &person)?;
    }

    #[test]
    fn part_of_a_double_barrelled_surname_still_finds_them(record in record(), second: bool) {
        let mut person = without_nhs(record);
        match record.family_name.split_once('-') {
            Some((first, last)) => person.family_name = if second { last } else { first }.to_owned(),
            None => person.family_name = format!("{}-Hall", record.family_name),
        }
        found(record, &person)?;
    }

    #[test]
    fn a_changed_surname_still_finds_them(record in record(), other in 0usize..SURNAMES.len()) {
        let mut person = without_nhs(record);
        person.family_name = SURNAMES[other].to_owned();
        found(record, &person)?;
    }

    #[test]
    fn day_and_month_swapped_still_finds_them(record in record()) {
        let born = record.date_of_birth.unwrap();
        let mut person = without_nhs(record);
        person.date_of_birth = Date::new(born.year(), born.day(), born.month()).ok();
        found(record, &person)?;
    }

    #[test]
    fn a_date_one_digit_off_still_finds_them(record in record(), up: bool) {
        let born = record.date_of_birth.unwrap();
        let day = if up && born.day() % 10 < 8 { born.day() + 1 } else if born.day() % 10 > 1 { born.day() - 1 } else { born.day() + 1 };
        let mut person = without_nhs(record);
        person.date_of_birth = Date::new(born.year(), born.month(), day).ok().or(Some(born));
        found(record, &person)?;
    }

    #[test]
    fn no_nhs_number_still_finds_them(record in record()) {
        found(record, &without_nhs(record))?;
    }

    #[test]
    fn moving_house_still_finds_them(record in record(), place in 0usize..4_000) {
        let mut person = without_nhs(record);
        person.address = Some(GivenAddress { lines: Vec::new(), town: String::new(), postcode: Some(postcode(place)) });
        found(record, &person)?;
    }
}

#[test]
fn a_nickname_gives_its_reason_in_a_sentence() {
    let record = ENGINE
        .records
        .iter()
        .find(|r| r.given_name == "William")
        .unwrap();
    let mut person = without_nhs(record);
    person.given_name = "Bill".to_owned();
    let found = find(&person);
    let candidate = found.iter().find(|c| c.person == record.person).unwrap();
    let sentences: Vec<String> = candidate.reasons.iter().map(Reason::to_string).collect();
    assert!(
        sentences.contains(&"Bill is a short form of William".to_owned()),
        "{sentences:?}"
    );
    assert!(sentences.contains(&"same date of birth".to_owned()));
    assert!(sentences.contains(&"lives at the same postcode".to_owned()));
}

#[test]
fn a_surname_typo_reads_one_letter_apart() {
    let record = ENGINE
        .records
        .iter()
        .find(|r| r.family_name == "Thompson")
        .unwrap();
    let mut person = without_nhs(record);
    person.family_name = "Thomson".to_owned();
    let candidates = find(&person);
    let candidate = candidates
        .iter()
        .find(|c| c.person == record.person)
        .unwrap();
    let sentences: Vec<String> = candidate.reasons.iter().map(Reason::to_string).collect();
    assert!(
        sentences.contains(&"surname one letter apart".to_owned()),
        "{sentences:?}"
    );
}

#[test]
fn an_unknown_person_scores_low() {
    let person = GivenPerson {
        role: GivenRole::Child,
        given_name: "Zebedee".to_owned(),
        family_name: "Quixley".to_owned(),
        other_names: Vec::new(),
        date_of_birth: Some(date(2019, 2, 3)),
        expected_date_of_birth: None,
        sex: Some(Sex::Male),
        nhs_number: None,
        address: None,
        relationship: None,
    };
    assert!(find(&person).iter().all(|c| c.probability < 0.5));
}

#[test]
fn an_unborn_child_is_found_by_expected_date() {
    let mut records = vec![ENGINE.records[0].clone()];
    records[0].date_of_birth = None;
    records[0].expected_date_of_birth = Some(date(2027, 3, 1));
    let index = Index::build(records.clone());
    let mut person = without_nhs(&records[0]);
    person.role = GivenRole::Unborn;
    person.expected_date_of_birth = Some(date(2027, 3, 20));
    let candidates = Matcher::new(&index, &ENGINE.model).find(&person, 5);
    assert_eq!(
        candidates.first().map(|c| &c.person),
        Some(&records[0].person)
    );
    assert!(
        candidates[0]
            .reasons
            .contains(&Reason::Level(Level::DobNear))
    );
}

#[test]
fn the_household_raises_a_sibling_with_no_date_of_birth() {
    // A family with two children; the contact names both, the second without a date.
    let family = ENGINE.records[0].family.clone();
    let children: Vec<&PersonRecord> = ENGINE
        .records
        .iter()
        .filter(|r| r.family == family && matches!(r.person, PersonRef::Child(_)))
        .collect();
    let adult = &ENGINE.records[0];
    let mut child = without_nhs(children[0]);
    child.date_of_birth = None;
    child.address = None;
    let matcher = Matcher::new(&ENGINE.index, &ENGINE.model);
    let alone = matcher.find(&child, 10);
    let together = matcher.find_for_contact(&[given(adult), child], 10);
    let weight = |cs: &[Candidate]| {
        cs.iter()
            .find(|c| c.person == children[0].person)
            .map(|c| c.weight)
    };
    let (before, after) = (weight(&alone), weight(&together[1]));
    assert!(after.is_some());
    assert!(after > before, "{before:?} then {after:?}");
    let raised = together[1]
        .iter()
        .find(|c| c.person == children[0].person)
        .unwrap();
    assert!(raised.reasons.contains(&Reason::Level(Level::SameFamily)));
}

#[test]
fn removing_and_replacing_a_person_updates_the_index() {
    let mut index = Index::build(ENGINE.records.iter().take(50).cloned());
    let first = ENGINE.records[0].clone();
    assert!(index.contains(&first.person));
    index.remove(&first.person);
    assert!(!index.contains(&first.person));
    assert_eq!(index.len(), 49);
    let matcher = Matcher::new(&index, &ENGINE.model);
    assert!(
        matcher
            .find(&given(&first), 10)
            .iter()
            .all(|c| c.person != first.person)
    );
    let mut renamed = first.clone();
    renamed.family_name = "Quixley".to_owned();
    index.upsert(renamed.clone());
    index.upsert(renamed.clone());
    assert_eq!(index.len(), 50);
    let matcher = Matcher::new(&index, &ENGINE.model);
    let top = matcher.find(&given(&renamed), 10);
    assert_eq!(top.first().map(|c| &c.person), Some(&first.person));
}

#[test]
fn training_is_repeatable_and_learns_finite_weights() {
    let again = estimate_u(&ENGINE.index, &MatchModel::starting().unwrap(), 100_000, 42);
    assert_eq!(again, ENGINE.model);
    // Random pairs almost never share a date of birth, often share a sex.
    assert!(again.u[Level::DobExact as usize] < 0.01);
    assert!(again.u[Level::SexSame as usize] > 0.3);
    let people: Vec<GivenPerson> = ENGINE
        .records
        .iter()
        .step_by(7)
        .map(|r| GivenPerson {
            given_name: typo(&r.given_name, 1, 2),
            ..without_nhs(r)
        })
        .collect();
    let mut model = ENGINE.model.clone();
    for rule in [TrainingRule::DateOfBirth, TrainingRule::Names] {
        let pairs = blocked_pairs(&ENGINE.index, &people, rule);
        assert!(!pairs.is_empty());
        model = em(&model, &pairs, rule, 10);
    }
    for &level in Level::ALL {
        assert!(model.weight(level).is_finite(), "{}", level.key());
    }
    // Every given forename had a typo, so EM learns that exact is not the usual level.
    assert!(model.m[Level::ForenameExact as usize] < ENGINE.model.m[Level::ForenameExact as usize]);
}
