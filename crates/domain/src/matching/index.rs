//! The people matching searches, held in memory: each record folded once (names
//! interned as upper-case ASCII with their sound code), and blocking keys pointing to
//! posting lists, so a search reads a few short lists instead of everyone.

use super::nicknames::{self, Group};
use super::{normalise, phonetic};
use crate::codes::Sex;
use crate::contact::GivenPerson;
use crate::identifiers::{NhsNumber, Postcode};
use crate::ids::{FamilyId, PersonRef};
use jiff::civil::Date;
use std::collections::{HashMap, HashSet};

/// A blocking key whose posting list is longer than this is skipped for a search:
/// it says too little about who the person is.
pub const MAX_POSTING: usize = 2_000;
/// At most this many distinct people are scored for one person as given.
pub const MAX_CANDIDATES: usize = 3_000;

/// A person as the index sees them (a row of `person_index`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRecord {
    pub person: PersonRef,
    pub family: Option<FamilyId>,
    pub given_name: String,
    pub family_name: String,
    /// Names they have also been known by (a merged duplicate's, a former surname).
    pub other_names: Vec<String>,
    pub date_of_birth: Option<Date>,
    pub expected_date_of_birth: Option<Date>,
    pub nhs_number: Option<NhsNumber>,
    pub postcode: Option<Postcode>,
    pub sex: Option<Sex>,
}

/// An interned name's id, or one of the sentinels below.
pub(crate) type NameId = u32;
/// A name the index does not hold (only ever on the query side).
pub(crate) const UNKNOWN: u32 = u32::MAX;

/// A folded name as compared: its letters, sound code and nickname groups.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NameRef<'a> {
    pub id: NameId,
    pub text: &'a [u8],
    pub code: u32,
    pub groups: &'static [Group],
}

/// A name folded on the query side, which the index may not hold.
#[derive(Debug, Clone)]
pub(crate) struct OwnedName {
    id: NameId,
    text: Vec<u8>,
    code: u32,
    groups: &'static [Group],
}

impl OwnedName {
    pub fn as_ref(&self) -> NameRef<'_> {
        NameRef {
            id: self.id,
            text: &self.text,
            code: self.code,
            groups: self.groups,
        }
    }
}

/// Interned folded names, with how many live records use each (term frequencies).
#[derive(Debug, Default)]
struct Names {
    text: Vec<Box<[u8]>>,
    code: Vec<u32>,
    groups: Vec<&'static [Group]>,
    count: Vec<u32>,
    ids: HashMap<Box<[u8]>, NameId>,
}

impl Names {
    fn intern(&mut self, text: Vec<u8>) -> NameId {
        if let Some(&id) = self.ids.get(text.as_slice()) {
            return id;
        }
        let id = NameId::try_from(self.text.len()).unwrap_or(UNKNOWN);
        self.code.push(phonetic::code(&text));
        self.groups.push(nicknames::list().groups(&text));
        self.count.push(0);
        let text = text.into_boxed_slice();
        self.ids.insert(text.clone(), id);
        self.text.push(text);
        id
    }

    fn get(&self, id: NameId) -> NameRef<'_> {
        let i = id as usize;
        NameRef {
            id,
            text: self.text.get(i).map_or(&[], |t| &**t),
            code: self.code.get(i).copied().unwrap_or(0),
            groups: self.groups.get(i).copied().unwrap_or(&[]),
        }
    }

    fn owned(&self, text: Vec<u8>) -> OwnedName {
        let id = self.ids.get(text.as_slice()).copied().unwrap_or(UNKNOWN);
        OwnedName {
            id,
            code: phonetic::code(&text),
            groups: nicknames::list().groups(&text),
            text,
        }
    }
}

/// Postcodes, sectors, districts and family ids, interned.
#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<String, u32>,
}

impl Interner {
    fn intern(&mut self, text: &str) -> u32 {
        let next = u32::try_from(self.ids.len()).unwrap_or(UNKNOWN);
        *self.ids.entry(text.to_owned()).or_insert(next)
    }

    fn get(&self, text: &str) -> u32 {
        self.ids.get(text).copied().unwrap_or(UNKNOWN)
    }
}

/// A postcode as its full, sector and district ids.
pub(crate) type Place = [u32; 3];

/// What both sides of a comparison hold, folded. A record in the index holds interned
/// name ids; a person as given holds their own folded names.
#[derive(Debug, Clone)]
pub(crate) struct Folded<N> {
    pub forename: Option<N>,
    pub surname: Option<N>,
    /// The surname's parts when it has more than one (double-barrelled, hyphenated).
    pub surname_parts: Vec<N>,
    /// The parts of other names they are known by.
    pub others: Vec<N>,
    /// YYYYMMDD as a number; the expected date for an unborn child.
    pub born: Option<u32>,
    pub expected: bool,
    pub nhs: Option<u64>,
    pub place: Option<Place>,
    pub sex: Option<Sex>,
}

/// A record as stored.
#[derive(Debug)]
pub(crate) struct Entry {
    pub person: PersonRef,
    pub family: u32,
    pub live: bool,
    pub folded: Folded<NameId>,
}

/// A person as given, folded for a search.
pub(crate) type Probe = Folded<OwnedName>;

/// Which people a search reads, and what the caps left out (the bench counts both).
#[derive(Debug, Clone, Default)]
pub struct Blocked {
    pub(crate) slots: Vec<u32>,
    /// Keys skipped because their lists were longer than [`MAX_POSTING`].
    pub skipped_keys: usize,
    /// Whether [`MAX_CANDIDATES`] stopped the search before every key was read.
    pub truncated: bool,
}

/// The index: records, names, and blocking keys to posting lists of record slots.
#[derive(Debug, Default)]
pub struct Index {
    entries: Vec<Entry>,
    names: Names,
    places: Interner,
    families: Interner,
    postings: HashMap<u64, Vec<u32>>,
    members: HashMap<u32, Vec<u32>>,
    slots: HashMap<PersonRef, u32>,
    live: usize,
}

/// A blocking key. Each becomes a `u64` hash; a collision only adds candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Nhs(u64),
    Born(u32),
    SurnameYear(u32, u32),
    Names(u32, u32),
    ForenameMonth(u32, u32),
    Postcode(u32),
}

impl Key {
    fn hash(self) -> u64 {
        let (tag, a, b) = match self {
            Key::Nhs(n) => (1, n, 0),
            Key::Born(d) => (2, u64::from(d), 0),
            Key::SurnameYear(c, y) => (3, u64::from(c), u64::from(y)),
            Key::Names(f, s) => (4, u64::from(f), u64::from(s)),
            Key::ForenameMonth(c, m) => (5, u64::from(c), u64::from(m)),
            Key::Postcode(p) => (6, u64::from(p), 0),
        };
        mix(mix(tag ^ mix(a)) ^ b)
    }
}

/// splitmix64's finaliser: a cheap, well-spread hash of a `u64`.
pub(crate) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A date as the number YYYYMMDD, which the date-of-birth levels compare digit by digit.
pub(crate) fn ymd(date: Date) -> u32 {
    let (y, m, d) = (date.year(), date.month(), date.day());
    u32::try_from(i32::from(y) * 10_000 + i32::from(m) * 100 + i32::from(d)).unwrap_or(0)
}

fn nhs_value(nhs: &NhsNumber) -> Option<u64> {
    nhs.as_str().parse().ok()
}

fn folded_parts<N>(surname: &str, mut name: impl FnMut(Vec<u8>) -> N) -> Vec<N> {
    let parts = normalise::parts(surname);
    if parts.len() < 2 {
        return Vec::new();
    }
    parts.into_iter().map(&mut name).collect()
}

fn non_empty(text: Vec<u8>) -> Option<Vec<u8>> {
    (!text.is_empty()).then_some(text)
}

impl Index {
    pub fn build(records: impl IntoIterator<Item = PersonRecord>) -> Index {
        let mut index = Index::default();
        for record in records {
            index.upsert(record);
        }
        index
    }

    /// Adds a person, or replaces what the index held about them.
    pub fn upsert(&mut self, record: PersonRecord) {
        self.remove(&record.person);
        let names = &mut self.names;
        let mut intern = |text: Vec<u8>| {
            let id = names.intern(text);
            if let Some(count) = names.count.get_mut(id as usize) {
                *count += 1;
            }
            id
        };
        let folded = Folded {
            forename: non_empty(normalise::fold(&record.given_name)).map(&mut intern),
            surname: non_empty(normalise::fold(&record.family_name)).map(&mut intern),
            surname_parts: folded_parts(&record.family_name, &mut intern),
            others: record
                .other_names
                .iter()
                .flat_map(|name| normalise::parts(name))
                .map(&mut intern)
                .collect(),
            born: record
                .date_of_birth
                .or(record.expected_date_of_birth)
                .map(ymd),
            expected: record.date_of_birth.is_none() && record.expected_date_of_birth.is_some(),
            nhs: record.nhs_number.as_ref().and_then(nhs_value),
            place: record.postcode.as_ref().map(|p| {
                [
                    self.places.intern(p.as_str()),
                    self.places.intern(p.sector().as_ref()),
                    self.places.intern(p.district()),
                ]
            }),
            sex: record.sex.filter(|&s| s != Sex::Unknown),
        };
        let family = record
            .family
            .as_ref()
            .map_or(UNKNOWN, |f| self.families.intern(f.as_str()));
        let slot = u32::try_from(self.entries.len()).unwrap_or(UNKNOWN);
        let codes = |id: &NameId| self.names.get(*id).code;
        let keys = keys(
            folded.forename.as_ref().map(codes),
            folded
                .surname
                .iter()
                .chain(&folded.surname_parts)
                .map(codes),
            folded.born,
            folded.nhs,
            folded.place,
        );
        for key in keys {
            self.postings.entry(key.hash()).or_default().push(slot);
        }
        if family != UNKNOWN {
            self.members.entry(family).or_default().push(slot);
        }
        self.slots.insert(record.person.clone(), slot);
        self.entries.push(Entry {
            person: record.person,
            family,
            live: true,
            folded,
        });
        self.live += 1;
    }

    /// Takes a person out (merged into another, or replaced by [`Index::upsert`]).
    /// Their slot stays in the posting lists, marked dead.
    pub fn remove(&mut self, person: &PersonRef) {
        let Some(slot) = self.slots.remove(person) else {
            return;
        };
        let Some(entry) = self.entries.get_mut(slot as usize) else {
            return;
        };
        entry.live = false;
        self.live -= 1;
        let f = &entry.folded;
        for id in f
            .forename
            .iter()
            .chain(&f.surname)
            .chain(&f.surname_parts)
            .chain(&f.others)
        {
            if let Some(count) = self.names.count.get_mut(*id as usize) {
                *count = count.saturating_sub(1);
            }
        }
    }

    /// How many people the index holds.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Whether the index holds this person.
    pub fn contains(&self, person: &PersonRef) -> bool {
        self.slots.contains_key(person)
    }

    pub(crate) fn entry(&self, slot: u32) -> Option<&Entry> {
        self.entries.get(slot as usize)
    }

    pub(crate) fn name(&self, id: NameId) -> NameRef<'_> {
        self.names.get(id)
    }

    /// How often a name is used, as a share of everyone held (at least one person).
    pub(crate) fn frequency(&self, id: NameId) -> f64 {
        let count = self
            .names
            .count
            .get(id as usize)
            .copied()
            .unwrap_or(0)
            .max(1);
        f64::from(count) / self.live.max(1) as f64
    }
}

/// The keys a record is filed under: its NHS number, date of birth, each surname (and
/// surname part) with the birth year, forename with surname, forename with the month
/// of birth (for a changed surname), and postcode.
fn keys(
    forename: Option<u32>,
    surnames: impl Iterator<Item = u32>,
    born: Option<u32>,
    nhs: Option<u64>,
    place: Option<Place>,
) -> Vec<Key> {
    let mut keys = Vec::with_capacity(8);
    keys.extend(nhs.map(Key::Nhs));
    keys.extend(born.map(Key::Born));
    let year = born.map(|d| d / 10_000);
    for surname in surnames {
        keys.extend(year.map(|y| Key::SurnameYear(surname, y)));
        if let Some(forename) = forename {
            keys.push(Key::Names(forename, surname));
        }
    }
    if let (Some(forename), Some(born)) = (forename, born) {
        keys.push(Key::ForenameMonth(forename, born / 100));
    }
    keys.extend(place.map(|[postcode, ..]| Key::Postcode(postcode)));
    keys.dedup();
    keys
}

/// A date of birth with day and month swapped, when that is a date.
pub(crate) fn day_month_swapped(born: u32) -> Option<u32> {
    let (year, month, day) = (born / 10_000, born / 100 % 100, born % 100);
    (day != month && day <= 12).then(|| year * 10_000 + day * 100 + month)
}

impl Index {
    /// A person as given, folded for comparing with the records.
    pub(crate) fn probe(&self, given: &GivenPerson) -> Probe {
        let name = |text: Vec<u8>| self.names.owned(text);
        let place = given
            .address
            .as_ref()
            .and_then(|a| a.postcode.as_ref())
            .map(|p| {
                [
                    self.places.get(p.as_str()),
                    self.places.get(p.sector().as_ref()),
                    self.places.get(p.district()),
                ]
            });
        Folded {
            forename: non_empty(normalise::fold(&given.given_name)).map(name),
            surname: non_empty(normalise::fold(&given.family_name)).map(name),
            surname_parts: folded_parts(&given.family_name, name),
            others: given
                .other_names
                .iter()
                .flat_map(|n| normalise::parts(n))
                .map(name)
                .collect(),
            born: given
                .date_of_birth
                .or(given.expected_date_of_birth)
                .map(ymd),
            expected: given.date_of_birth.is_none() && given.expected_date_of_birth.is_some(),
            nhs: given.nhs_number.as_ref().and_then(nhs_value),
            place,
            sex: given.sex.filter(|&s| s != Sex::Unknown),
        }
    }

    /// A record folded as if it were given, for comparing records with each other
    /// (training on random pairs).
    pub(crate) fn probe_of(&self, entry: &Entry) -> Probe {
        let owned = |id: &NameId| {
            let name = self.names.get(*id);
            OwnedName {
                id: name.id,
                text: name.text.to_vec(),
                code: name.code,
                groups: name.groups,
            }
        };
        let f = &entry.folded;
        Folded {
            forename: f.forename.as_ref().map(owned),
            surname: f.surname.as_ref().map(owned),
            surname_parts: f.surname_parts.iter().map(owned).collect(),
            others: f.others.iter().map(owned).collect(),
            born: f.born,
            expected: f.expected,
            nhs: f.nhs,
            place: f.place,
            sex: f.sex,
        }
    }

    /// The people a search for `probe` reads: the union of its keys' posting lists,
    /// most telling keys first, within the caps. Also searched: the date of birth with
    /// day and month swapped, and forename and surname the other way round.
    pub(crate) fn block(&self, probe: &Probe) -> Blocked {
        let forename = probe.forename.as_ref().map(|n| n.code);
        let surnames: Vec<u32> = probe
            .surname
            .iter()
            .chain(&probe.surname_parts)
            .map(|n| n.code)
            .collect();
        let mut keys = keys(
            forename,
            surnames.iter().copied(),
            probe.born,
            probe.nhs,
            probe.place,
        );
        if let Some(swapped) = probe.born.and_then(day_month_swapped) {
            keys.insert(usize::from(probe.nhs.is_some()) + 1, Key::Born(swapped));
        }
        if let (Some(forename), Some(&surname)) = (forename, surnames.first()) {
            let swapped = std::iter::once(forename);
            keys.extend(self::keys(Some(surname), swapped, probe.born, None, None));
        }
        let mut blocked = Blocked::default();
        let mut seen = HashSet::with_capacity(256);
        for key in keys {
            let Some(list) = self.postings.get(&key.hash()) else {
                continue;
            };
            if list.len() > MAX_POSTING {
                blocked.skipped_keys += 1;
                continue;
            }
            for &slot in list {
                if seen.len() >= MAX_CANDIDATES {
                    blocked.truncated = true;
                    break;
                }
                if seen.insert(slot) && self.entries.get(slot as usize).is_some_and(|e| e.live) {
                    blocked.slots.push(slot);
                }
            }
        }
        blocked
    }

    /// The live records of a family, by its interned id.
    pub(crate) fn members(&self, family: u32) -> impl Iterator<Item = u32> + '_ {
        self.members
            .get(&family)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&slot| self.entries.get(slot as usize).is_some_and(|e| e.live))
    }

    /// The live records filed under a key, for training on blocked pairs.
    pub(crate) fn posting(&self, key: Key) -> impl Iterator<Item = u32> + '_ {
        self.postings
            .get(&key.hash())
            .into_iter()
            .flatten()
            .copied()
            .filter(|&slot| self.entries.get(slot as usize).is_some_and(|e| e.live))
    }

    /// The slots of every record (dead ones included: callers check `live`).
    pub(crate) fn slot_count(&self) -> usize {
        self.entries.len()
    }

    /// The people a search for this person as given reads (for the bench: were the
    /// true person among them, and what did the caps leave out).
    pub fn blocked(&self, given: &GivenPerson) -> Blocked {
        self.block(&self.probe(given))
    }

    /// Where a person is held, for the bench to check whether a search read them.
    pub fn slot_of(&self, person: &PersonRef) -> Option<u32> {
        self.slots.get(person).copied()
    }
}

impl Blocked {
    /// Whether the search read this slot (see [`Index::slot_of`]).
    pub fn contains(&self, slot: u32) -> bool {
        self.slots.contains(&slot)
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}
