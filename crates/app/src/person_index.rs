//! The person index kept in memory for matching contacts ("tell us once", issue 13):
//! a `matching::Index` built with one read of the store's `person_index` on first use,
//! then caught up before each match with the rows written since (`people_since`), so
//! rows written by `hearth import` or another PostgreSQL node are picked up. When
//! nothing has changed that read returns no rows.
//!
//! A duplicate merged into another record is no candidate: it is taken out, and its
//! names become the survivor's other names while the merge stands. A merge (and an
//! unmerge) rewrites both rows in one append, so both come back in the same catch-up.

use hearth_domain::contact::GivenPerson;
use hearth_domain::identifiers::{NhsNumber, Postcode};
use hearth_domain::ids::{AdultId, ChildId, FamilyId, PersonRef};
use hearth_domain::matching::{Candidate, Index, MatchModel, Matcher, PersonRecord};
use hearth_store::{IndexedPerson, Store, StoreError};
use std::collections::{BTreeMap, HashMap};
use tokio::sync::RwLock;

/// The index as last caught up.
struct Kept {
    index: Index,
    /// The journal place of the last row applied.
    seq: u64,
    /// Each survivor's merged duplicates, with the names they bring.
    merged: HashMap<ChildId, BTreeMap<PersonRef, Vec<String>>>,
    /// The survivor each merged duplicate went into.
    survivor_of: HashMap<PersonRef, ChildId>,
    /// Each adult's family, whose journey holds what is known of them.
    families: HashMap<AdultId, FamilyId>,
}

impl Kept {
    /// Apply rows written together (in seq order): merged duplicates first, so that
    /// a survivor written in the same batch takes their names.
    fn apply(&mut self, rows: Vec<IndexedPerson>) {
        let mut live = Vec::with_capacity(rows.len());
        for row in rows {
            self.seq = self.seq.max(row.seq);
            self.forget_merge(&row.person);
            match &row.merged_into {
                Some(survivor) => {
                    self.index.remove(&row.person);
                    let names = [&row.name.given, &row.name.family]
                        .into_iter()
                        .filter(|n| !n.is_empty())
                        .cloned()
                        .collect();
                    self.merged
                        .entry(survivor.clone())
                        .or_default()
                        .insert(row.person.clone(), names);
                    self.survivor_of.insert(row.person, survivor.clone());
                }
                None => {
                    if let PersonRef::Adult(adult) = &row.person {
                        match &row.family {
                            Some(f) => self.families.insert(adult.clone(), f.clone()),
                            None => self.families.remove(adult),
                        };
                    }
                    live.push(row)
                }
            }
        }
        for row in live {
            let record = self.record(row);
            self.index.upsert(record);
        }
    }

    /// Take `person` out of any merge they were part of as the duplicate.
    fn forget_merge(&mut self, person: &PersonRef) {
        if let Some(survivor) = self.survivor_of.remove(person)
            && let Some(duplicates) = self.merged.get_mut(&survivor)
        {
            duplicates.remove(person);
            if duplicates.is_empty() {
                self.merged.remove(&survivor);
            }
        }
    }

    /// A stored row as the index takes it. Stored identifiers were valid when
    /// written, so one that no longer parses is left out rather than refused.
    fn record(&self, row: IndexedPerson) -> PersonRecord {
        let other_names = match &row.person {
            PersonRef::Child(c) => self
                .merged
                .get(c)
                .map(|d| d.values().flatten().cloned().collect())
                .unwrap_or_default(),
            PersonRef::Adult(_) => Vec::new(),
        };
        PersonRecord {
            person: row.person,
            family: row.family,
            given_name: row.name.given,
            family_name: row.name.family,
            other_names,
            date_of_birth: row.date_of_birth,
            expected_date_of_birth: row.expected_date_of_birth,
            nhs_number: row.nhs_number.and_then(|n| NhsNumber::parse(&n).ok()),
            postcode: row.postcode.and_then(|p| Postcode::parse(&p).ok()),
            sex: row.sex,
        }
    }
}

/// Candidates for each person a contact gives, in order, best first.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Found {
    pub(crate) candidates: Vec<Vec<Candidate>>,
    /// The family of each adult among them.
    pub(crate) families: HashMap<AdultId, FamilyId>,
}

/// The index and the model that scores against it.
pub(crate) struct PersonIndexCache {
    kept: RwLock<Option<Kept>>,
    model: MatchModel,
}

impl Default for PersonIndexCache {
    fn default() -> Self {
        PersonIndexCache {
            kept: RwLock::new(None),
            // The starting model is embedded and parsed by the domain's own tests.
            model: MatchModel::starting()
                .unwrap_or_else(|e| unreachable!("the embedded match model parses: {e}")),
        }
    }
}

impl PersonIndexCache {
    /// The model's fingerprint, which each link records.
    pub(crate) fn model(&self) -> String {
        self.model.fingerprint()
    }

    /// The best `limit` candidates for each person a contact gives, in order, from
    /// the index caught up with the store, and the family of each adult among them.
    pub(crate) async fn find_for_contact(
        &self,
        store: &dyn Store,
        people: &[GivenPerson],
        limit: usize,
    ) -> Result<Found, StoreError> {
        {
            let kept = self.kept.read().await;
            if let Some(k) = kept.as_ref()
                && store.people_since(k.seq).await?.is_empty()
            {
                return Ok(self.find(k, people, limit));
            }
        }
        let kept = self.catch_up(store).await?;
        let Some(k) = kept.as_ref() else {
            unreachable!("the index was just filled");
        };
        Ok(self.find(k, people, limit))
    }

    fn find(&self, k: &Kept, people: &[GivenPerson], limit: usize) -> Found {
        let candidates = Matcher::new(&k.index, &self.model).find_for_contact(people, limit);
        let families = candidates
            .iter()
            .flatten()
            .filter_map(|c| match &c.person {
                PersonRef::Adult(a) => Some((a.clone(), k.families.get(a)?.clone())),
                PersonRef::Child(_) => None,
            })
            .collect();
        Found {
            candidates,
            families,
        }
    }

    /// Build the index (the first time) or bring it up to date with the store, and
    /// say how many people it holds: for a server to build it before the first
    /// contact is opened.
    pub(crate) async fn warm(&self, store: &dyn Store) -> Result<usize, StoreError> {
        let kept = self.catch_up(store).await?;
        Ok(kept.as_ref().map_or(0, |k| k.index.len()))
    }

    /// The index caught up with the store, held for reading.
    async fn catch_up(
        &self,
        store: &dyn Store,
    ) -> Result<tokio::sync::RwLockReadGuard<'_, Option<Kept>>, StoreError> {
        let mut kept = self.kept.write().await;
        let k = match kept.as_mut() {
            Some(k) => k,
            None => kept.insert(Kept {
                index: Index::default(),
                seq: 0,
                merged: HashMap::new(),
                survivor_of: HashMap::new(),
                families: HashMap::new(),
            }),
        };
        // Read under the lock: another request may have caught up meanwhile.
        let rows = store.people_since(k.seq).await?;
        k.apply(rows);
        Ok(tokio::sync::RwLockWriteGuard::downgrade(kept))
    }

    /// How many people the index holds, and the journal place it has caught up to
    /// (none before first use).
    #[cfg(test)]
    pub(crate) async fn size(&self) -> Option<(usize, u64)> {
        self.kept
            .read()
            .await
            .as_ref()
            .map(|k| (k.index.len(), k.seq))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use hearth_domain::codes::GivenRole;
    use hearth_domain::event::{EventData, PersonsMerged};
    use hearth_domain::ids::Subject;
    use hearth_testkit::{child, details, ev, given_child, registered};
    use jiff::civil::date;
    use std::sync::Arc;

    async fn store() -> (Arc<dyn Store>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("hearth.db").display());
        (hearth_store::open(&url).await.unwrap(), dir)
    }

    fn people(found: &Found) -> Vec<PersonRef> {
        found.candidates[0]
            .iter()
            .map(|c| c.person.clone())
            .collect()
    }

    #[tokio::test]
    async fn the_index_catches_up_and_a_merged_duplicate_is_no_candidate() {
        let (store, _dir) = store().await;
        let born = date(2016, 4, 12);
        store
            .append(
                0,
                vec![ev(
                    "C1",
                    "c1-01",
                    "2024-01-10",
                    registered(details("Lily", "Hartwell", born)),
                )],
            )
            .await
            .unwrap();
        let cache = PersonIndexCache::default();
        assert_eq!(cache.size().await, None);
        assert_eq!(cache.warm(store.as_ref()).await.unwrap(), 1);
        let given = [given_child("Lily", "Hartwell", born)];
        assert_eq!(given[0].role, GivenRole::Child);
        let found = cache
            .find_for_contact(store.as_ref(), &given, 10)
            .await
            .unwrap();
        assert_eq!(people(&found), [PersonRef::Child(child("C1"))]);
        let (len, seq) = cache.size().await.unwrap();
        assert_eq!(len, 1);
        // Nothing written since: the index stays where it was.
        cache
            .find_for_contact(store.as_ref(), &given, 10)
            .await
            .unwrap();
        assert_eq!(cache.size().await, Some((1, seq)));

        // A second record of her, under her stepfather's surname, then merged into
        // the first: only the survivor is a candidate, and the duplicate's surname
        // counts as one of hers.
        store
            .append(
                0,
                vec![ev(
                    "C2",
                    "c2-01",
                    "2024-02-01",
                    registered(details("Lily", "Marsh", born)),
                )],
            )
            .await
            .unwrap();
        let found = cache
            .find_for_contact(store.as_ref(), &given, 10)
            .await
            .unwrap();
        assert_eq!(found.candidates[0].len(), 2);
        let marsh = [given_child("Lily", "Marsh", born)];
        let c1_as_marsh = |found: &Found| {
            found.candidates[0]
                .iter()
                .find(|c| c.person == PersonRef::Child(child("C1")))
                .map_or(0.0, |c| c.probability)
        };
        let before = c1_as_marsh(
            &cache
                .find_for_contact(store.as_ref(), &marsh, 10)
                .await
                .unwrap(),
        );
        assert!(cache.size().await.unwrap().1 > seq);
        let merge = |on: &str, id: &str, m: PersonsMerged| {
            ev(on, id, "2024-03-01", EventData::PersonsMerged(m))
        };
        store
            .append_many(
                vec![
                    (Subject::Child(child("C1")), 1),
                    (Subject::Child(child("C2")), 1),
                ],
                vec![
                    merge("C1", "c1-02", PersonsMerged::new(child("C2"))),
                    merge(
                        "C2",
                        "c2-02",
                        PersonsMerged {
                            duplicate: child("C2"),
                            survivor: Some(child("C1")),
                            reason: None,
                        },
                    ),
                ],
            )
            .await
            .unwrap();
        let found = cache
            .find_for_contact(store.as_ref(), &marsh, 10)
            .await
            .unwrap();
        assert_eq!(people(&found), [PersonRef::Child(child("C1"))]);
        assert_eq!(cache.size().await.unwrap().0, 1);
        assert!(c1_as_marsh(&found) > before, "{found:?}");

        // Built afresh from the store, the index says the same.
        let fresh = PersonIndexCache::default();
        let again = fresh
            .find_for_contact(store.as_ref(), &marsh, 10)
            .await
            .unwrap();
        assert_eq!(again, found);
    }
}
