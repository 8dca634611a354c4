//! Scoring: each candidate the index blocks is compared field by field into a
//! [`Comparison`] (one level per field), its levels' weights are added to the prior,
//! and the best few become [`Candidate`]s with their reasons in plain sentences.

use super::compare::{damerau_levenshtein_within, jaro_winkler_at_least};
use super::index::{Entry, Index, NameId, NameRef, Probe, UNKNOWN, day_month_swapped};
use super::model::{Field, Level, MatchModel, probability};
use super::nicknames::{self, shared};
use crate::contact::GivenPerson;
use crate::ids::PersonRef;
use jiff::civil::Date;
use std::collections::HashSet;
use std::fmt;

/// Two names this similar (Jaro-Winkler) are "close".
pub const CLOSE: f64 = 0.92;
/// A candidate this likely is shown as a possible match (issue 13, open question 10).
pub const SUGGEST: f64 = 0.5;
/// Someone else in the contact whose best candidate is this likely anchors a family.
pub const ANCHOR: f64 = 0.9;

/// The level of each field for one pair, `None` where a value is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Comparison(pub [Option<Level>; Field::COUNT]);

impl Comparison {
    pub fn level(&self, field: Field) -> Option<Level> {
        self.0[field as usize]
    }

    fn set(&mut self, level: Level) {
        self.0[level.field() as usize] = Some(level);
    }

    pub fn levels(&self) -> impl Iterator<Item = Level> + '_ {
        self.0.iter().flatten().copied()
    }
}

/// A person Hearth holds who may be the person as given.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub person: PersonRef,
    pub weight: f64,
    pub probability: f64,
    pub reasons: Vec<Reason>,
}

/// Why a candidate scored as it did: one per field compared, rendered as a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// A comparison level that needs no more words than its own.
    Level(Level),
    /// "Bill is a short form of William", or two short forms of one name.
    ShortForm {
        given: String,
        known: String,
        formal: String,
    },
    /// A surname or forename with this many letters changed.
    LettersApart { field: Field, letters: usize },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::ShortForm {
                given,
                known,
                formal,
            } => {
                if known == formal {
                    write!(f, "{given} is a short form of {known}")
                } else if given == formal {
                    write!(f, "{known} is a short form of {given}")
                } else {
                    write!(f, "{given} and {known} are both short forms of {formal}")
                }
            }
            Reason::LettersApart { field, letters } => {
                let what = if *field == Field::Surname {
                    "surname"
                } else {
                    "first name"
                };
                let count = if *letters == 1 {
                    "one letter"
                } else {
                    "two letters"
                };
                write!(f, "{what} {count} apart")
            }
            Reason::Level(level) => f.write_str(sentence(*level)),
        }
    }
}

fn sentence(level: Level) -> &'static str {
    use Level as L;
    match level {
        L::NhsSame => "same NHS number",
        L::NhsDifferent => "a different NHS number",
        L::ForenameExact => "same first name",
        L::ForenameNickname => "first name is a short form of the other",
        L::ForenameClose => "first name spelt nearly the same",
        L::ForenameTwoApart => "first name two letters apart",
        L::ForenameInitial => "first name matches the initial",
        L::ForenameOther => "a different first name",
        L::SurnameExact => "same surname",
        L::SurnamePart => "shares part of a double-barrelled surname",
        L::SurnameClose => "surname spelt nearly the same",
        L::SurnameSounds => "surname sounds the same",
        L::SurnameOther => "a different surname",
        L::NamesSwapped => "first name and surname given the other way round",
        L::DobExact => "same date of birth",
        L::DobSwapped => "date of birth with day and month swapped",
        L::DobOneDigit => "date of birth one digit apart",
        L::DobYearApart => "date of birth one year apart",
        L::DobNear => "expected date of birth within 30 days",
        L::DobSameMonth => "born in the same month",
        L::DobOther => "a different date of birth",
        L::PostcodeExact => "lives at the same postcode",
        L::PostcodeSector => "lives in the same postcode sector",
        L::PostcodeDistrict => "lives in the same postcode district",
        L::PostcodeOther => "lives at a different postcode",
        L::SexSame => "same sex",
        L::SexDifferent => "a different sex recorded",
        L::SameFamily => "in the same family as someone else matched in this contact",
    }
}

/// The level two first names reach.
fn forename_level(given: NameRef<'_>, known: NameRef<'_>) -> Level {
    if given.text == known.text {
        Level::ForenameExact
    } else if shared(given.groups, known.groups).is_some() {
        Level::ForenameNickname
    } else if close(given, known) {
        Level::ForenameClose
    } else if damerau_levenshtein_within(given.text, known.text, 2).is_some() {
        Level::ForenameTwoApart
    } else if (given.text.len() == 1 || known.text.len() == 1)
        && given.text.first() == known.text.first()
    {
        Level::ForenameInitial
    } else {
        Level::ForenameOther
    }
}

fn close(a: NameRef<'_>, b: NameRef<'_>) -> bool {
    damerau_levenshtein_within(a.text, b.text, 1).is_some()
        || jaro_winkler_at_least(a.text, b.text, CLOSE)
}

/// The level two surnames reach. `given_parts` and `known_parts` are each side's
/// parts (or the whole name); a former surname among `others` counts as a part.
fn surname_level(
    given: NameRef<'_>,
    given_parts: &[NameRef<'_>],
    known: NameRef<'_>,
    known_parts: &[NameRef<'_>],
    others: &[NameRef<'_>],
) -> Level {
    if given.text == known.text {
        Level::SurnameExact
    } else if given_parts
        .iter()
        .any(|g| known_parts.iter().chain(others).any(|k| g.text == k.text))
    {
        Level::SurnamePart
    } else if close(given, known) {
        Level::SurnameClose
    } else if given.code == known.code {
        Level::SurnameSounds
    } else {
        Level::SurnameOther
    }
}

fn date(born: u32) -> Option<Date> {
    let y = i16::try_from(born / 10_000).ok()?;
    let m = i8::try_from(born / 100 % 100).ok()?;
    let d = i8::try_from(born % 100).ok()?;
    Date::new(y, m, d).ok()
}

fn dob_level(given: u32, given_expected: bool, known: u32, known_expected: bool) -> Level {
    if given == known {
        return Level::DobExact;
    }
    if given_expected || known_expected {
        let near = date(given)
            .zip(date(known))
            .and_then(|(a, b)| a.since(b).ok())
            .is_some_and(|span| span.get_days().abs() <= 30);
        return if near {
            Level::DobNear
        } else {
            Level::DobOther
        };
    }
    let (gy, gm) = (given / 10_000, given / 100 % 100);
    let (ky, km) = (known / 10_000, known / 100 % 100);
    if day_month_swapped(given) == Some(known) {
        Level::DobSwapped
    } else if one_digit_apart(given, known) {
        Level::DobOneDigit
    } else if gy.abs_diff(ky) == 1 && given % 10_000 == known % 10_000 {
        Level::DobYearApart
    } else if gy == ky && gm == km {
        Level::DobSameMonth
    } else {
        Level::DobOther
    }
}

/// Whether two YYYYMMDD dates differ in one digit, or by two neighbouring digits
/// swapped (a Damerau-Levenshtein distance of one on the eight digits).
fn one_digit_apart(a: u32, b: u32) -> bool {
    let digits = |mut n: u32| {
        let mut out = [0u8; 8];
        for d in out.iter_mut().rev() {
            *d = (n % 10) as u8;
            n /= 10;
        }
        out
    };
    let (a, b) = (digits(a), digits(b));
    let differ: Vec<usize> = (0..8).filter(|&i| a[i] != b[i]).collect();
    match differ.as_slice() {
        [_] => true,
        [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
        _ => false,
    }
}

/// Compares a person as given with a record, field by field.
pub(crate) fn compare(index: &Index, probe: &Probe, entry: &Entry) -> Comparison {
    let mut out = Comparison::default();
    let known = &entry.folded;
    let name = |id: &NameId| index.name(*id);
    if let (Some(g), Some(k)) = (probe.nhs, known.nhs) {
        out.set(if g == k {
            Level::NhsSame
        } else {
            Level::NhsDifferent
        });
    }
    let given_fore = probe.forename.as_ref().map(|n| n.as_ref());
    let given_sur = probe.surname.as_ref().map(|n| n.as_ref());
    let known_fore = known.forename.as_ref().map(name);
    let known_sur = known.surname.as_ref().map(name);
    let others: Vec<NameRef<'_>> = known.others.iter().map(name).collect();

    if let (Some(gf), Some(gs), Some(kf), Some(ks)) = (given_fore, given_sur, known_fore, known_sur)
        && gf.text == ks.text
        && gs.text == kf.text
        && gf.text != kf.text
    {
        out.set(Level::NamesSwapped);
    } else {
        if let (Some(g), Some(k)) = (given_fore, known_fore) {
            let level = others.iter().fold(forename_level(g, k), |best, &o| {
                best.min(forename_level(g, o))
            });
            out.set(level);
        }
        if let (Some(g), Some(k)) = (given_sur, known_sur) {
            // Most names have one part: then the name itself, with nothing allocated.
            let given_parts: Vec<NameRef<'_>> =
                probe.surname_parts.iter().map(|n| n.as_ref()).collect();
            let known_parts: Vec<NameRef<'_>> = known.surname_parts.iter().map(name).collect();
            let given_parts = if given_parts.is_empty() {
                std::slice::from_ref(&g)
            } else {
                &given_parts[..]
            };
            let known_parts = if known_parts.is_empty() {
                std::slice::from_ref(&k)
            } else {
                &known_parts[..]
            };
            out.set(surname_level(g, given_parts, k, known_parts, &others));
        }
    }
    if let (Some(g), Some(k)) = (probe.born, known.born) {
        out.set(dob_level(g, probe.expected, k, known.expected));
    }
    if let (Some(g), Some(k)) = (probe.place, known.place) {
        out.set(if g[0] == k[0] {
            Level::PostcodeExact
        } else if g[1] == k[1] {
            Level::PostcodeSector
        } else if g[2] == k[2] {
            Level::PostcodeDistrict
        } else {
            Level::PostcodeOther
        });
    }
    if let (Some(g), Some(k)) = (probe.sex, known.sex) {
        out.set(if g == k {
            Level::SexSame
        } else {
            Level::SexDifferent
        });
    }
    out
}

/// A trained model ready to score: every level's weight worked out once.
#[derive(Debug, Clone)]
pub struct Matcher<'a> {
    index: &'a Index,
    prior: f64,
    weights: [f64; Level::COUNT],
    /// m of the exact levels, for the term-frequency weights of names.
    exact_m: [f64; 2],
}

impl<'a> Matcher<'a> {
    pub fn new(index: &'a Index, model: &MatchModel) -> Matcher<'a> {
        let mut weights = [0.0; Level::COUNT];
        for &level in Level::ALL {
            weights[level as usize] = model.weight(level);
        }
        Matcher {
            index,
            prior: model.prior_weight(),
            weights,
            exact_m: [
                model.m[Level::ForenameExact as usize],
                model.m[Level::SurnameExact as usize],
            ],
        }
    }

    /// The weight of one pair. An exact name weighs by how rare the name is
    /// (term-frequency adjustment): log2(m / the name's frequency among everyone held).
    pub(crate) fn weight(&self, comparison: &Comparison, entry: &Entry) -> f64 {
        let mut weight = self.prior;
        for level in comparison.levels() {
            weight += match level {
                Level::ForenameExact => self.tf_weight(self.exact_m[0], entry.folded.forename),
                Level::SurnameExact => self.tf_weight(self.exact_m[1], entry.folded.surname),
                _ => self.weights[level as usize],
            };
        }
        weight
    }

    fn tf_weight(&self, m: f64, name: Option<NameId>) -> f64 {
        let frequency = name.map_or(1.0, |id| self.index.frequency(id));
        (m.max(super::model::FLOOR) / frequency).log2()
    }

    /// The best `limit` candidates for one person as given, best first.
    pub fn find(&self, given: &GivenPerson, limit: usize) -> Vec<Candidate> {
        self.search(given, &HashSet::new(), limit)
    }

    /// Candidates for everyone in one contact. Then, once more for each person, the
    /// household evidence: people in the family of someone else in the contact whose
    /// best candidate is at least [`ANCHOR`] likely are searched too, and weigh more.
    pub fn find_for_contact(&self, people: &[GivenPerson], limit: usize) -> Vec<Vec<Candidate>> {
        let first: Vec<Vec<Candidate>> = people.iter().map(|p| self.find(p, limit)).collect();
        let anchors: Vec<Option<u32>> = first
            .iter()
            .map(|candidates| {
                let best = candidates.first().filter(|c| c.probability >= ANCHOR)?;
                let slot = self.index.slot_of(&best.person)?;
                self.index
                    .entry(slot)
                    .map(|e| e.family)
                    .filter(|&f| f != UNKNOWN)
            })
            .collect();
        people
            .iter()
            .enumerate()
            .map(|(i, given)| {
                let families: HashSet<u32> = anchors
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .filter_map(|(_, family)| *family)
                    .collect();
                if families.is_empty() {
                    first.get(i).cloned().unwrap_or_default()
                } else {
                    self.search(given, &families, limit)
                }
            })
            .collect()
    }

    fn search(&self, given: &GivenPerson, families: &HashSet<u32>, limit: usize) -> Vec<Candidate> {
        let probe = self.index.probe(given);
        let mut slots = self.index.block(&probe).slots;
        for &family in families {
            slots.extend(self.index.members(family));
        }
        slots.sort_unstable();
        slots.dedup();
        let mut scored: Vec<(f64, u32, Comparison)> = slots
            .into_iter()
            .filter_map(|slot| {
                let entry = self.index.entry(slot)?;
                let mut comparison = compare(self.index, &probe, entry);
                if families.contains(&entry.family) {
                    comparison.set(Level::SameFamily);
                }
                Some((self.weight(&comparison, entry), slot, comparison))
            })
            .collect();
        scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.truncate(limit);
        scored
            .into_iter()
            .filter_map(|(weight, slot, comparison)| {
                let entry = self.index.entry(slot)?;
                Some(Candidate {
                    person: entry.person.clone(),
                    weight,
                    probability: probability(weight),
                    reasons: self.reasons(&probe, entry, &comparison),
                })
            })
            .collect()
    }

    /// The sentences for a pair, field by field, with the names a short form joins and
    /// the letters a close name is apart.
    fn reasons(&self, probe: &Probe, entry: &Entry, comparison: &Comparison) -> Vec<Reason> {
        let known = |id: Option<NameId>| id.map(|id| self.index.name(id));
        comparison
            .levels()
            .map(|level| match level {
                Level::ForenameNickname => {
                    let pair = probe.forename.as_ref().map(|n| n.as_ref()).zip(
                        // The nickname may have been found among their other names.
                        std::iter::once(known(entry.folded.forename))
                            .flatten()
                            .chain(entry.folded.others.iter().map(|&id| self.index.name(id)))
                            .find(|k| {
                                probe
                                    .forename
                                    .as_ref()
                                    .is_some_and(|g| shared(g.as_ref().groups, k.groups).is_some())
                            }),
                    );
                    pair.and_then(|(g, k)| {
                        let group = shared(g.groups, k.groups)?;
                        Some(Reason::ShortForm {
                            given: title(g.text),
                            known: title(k.text),
                            formal: title(nicknames::list().formal(group)),
                        })
                    })
                    .unwrap_or(Reason::Level(level))
                }
                Level::ForenameClose | Level::SurnameClose => {
                    let (g, k) = if level == Level::SurnameClose {
                        (probe.surname.as_ref(), known(entry.folded.surname))
                    } else {
                        (probe.forename.as_ref(), known(entry.folded.forename))
                    };
                    g.zip(k)
                        .and_then(|(g, k)| damerau_levenshtein_within(g.as_ref().text, k.text, 1))
                        .map_or(Reason::Level(level), |letters| Reason::LettersApart {
                            field: level.field(),
                            letters,
                        })
                }
                Level::ForenameTwoApart => Reason::LettersApart {
                    field: Field::Forename,
                    letters: 2,
                },
                _ => Reason::Level(level),
            })
            .collect()
    }
}

/// A folded name in title case for a sentence: "WILLIAM" → "William".
fn title(text: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, &c) in text.iter().enumerate() {
        out.push(char::from(if i == 0 { c } else { c.to_ascii_lowercase() }));
    }
    out
}
