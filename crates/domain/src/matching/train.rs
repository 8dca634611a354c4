//! Training, Splink's way. u comes from random pairs of the people held (almost all
//! of them two different people), drawn with a fixed seed so the same index trains
//! the same model. m comes from expectation-maximisation over the pairs a training
//! blocking rule gives, u kept fixed; a rule's own fields cannot be learnt from its
//! pairs (they agree by construction), so they keep their values and the rules are
//! run in turn. Term frequencies of names come from the index itself
//! ([`super::score::Matcher`] weighs an exact name by them).

use super::index::{Index, Key, mix};
use super::model::{FLOOR, Field, Level, MatchModel};
use super::score::{Comparison, compare};
use crate::contact::GivenPerson;
use std::collections::HashMap;

/// A blocking rule for training.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainingRule {
    /// Pairs with the same date of birth: learns the names, postcode and sex.
    DateOfBirth,
    /// Pairs with the same forename and surname sound codes: learns the rest.
    Names,
}

impl TrainingRule {
    fn fixes(self, field: Field) -> bool {
        match self {
            TrainingRule::DateOfBirth => field == Field::DateOfBirth,
            TrainingRule::Names => {
                matches!(field, Field::Forename | Field::Surname | Field::Swapped)
            }
        }
    }
}

/// Fields with one level only: present when it happens, so their probabilities are
/// over all pairs, where the others' are over the pairs with both values present.
fn one_level(field: Field) -> bool {
    matches!(field, Field::Swapped | Field::Household)
}

/// splitmix64: a small, fixed-seed generator (the domain crate takes no `rand`).
struct SplitMix(u64);

impl SplitMix {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        (mix(self.0) % n.max(1) as u64) as usize
    }
}

/// The model with every u estimated from `pairs` random pairs of live records, and the
/// prior set to one in the number of people held (a person as given is at most one of
/// them). A level never seen counts as seen once, so no weight is infinite. Household
/// is never seen between two records, so it keeps its u.
pub fn estimate_u(index: &Index, model: &MatchModel, pairs: usize, seed: u64) -> MatchModel {
    let mut out = model.clone();
    let slots = index.slot_count();
    if index.len() < 2 || pairs == 0 {
        return out;
    }
    let mut rng = SplitMix(seed);
    let mut seen = [0u64; Level::COUNT];
    let mut present = [0u64; Field::COUNT];
    let mut drawn = 0u64;
    // Dead slots are drawn and skipped, so a few more draws than pairs are allowed.
    for _ in 0..pairs.saturating_mul(4) {
        if drawn as usize == pairs {
            break;
        }
        let (a, b) = (rng.below(slots), rng.below(slots));
        let (Some(a), Some(b)) = (index.entry(a as u32), index.entry(b as u32)) else {
            continue;
        };
        if !(a.live && b.live) || a.person == b.person {
            continue;
        }
        drawn += 1;
        let comparison = compare(index, &index.probe_of(a), b);
        for level in comparison.levels() {
            seen[level as usize] += 1;
            present[level.field() as usize] += 1;
        }
    }
    for &level in Level::ALL {
        let field = level.field();
        if field == Field::Household {
            continue;
        }
        let total = if one_level(field) {
            drawn
        } else {
            present[field as usize]
        };
        if total > 0 {
            out.u[level as usize] = seen[level as usize].max(1) as f64 / total as f64;
        }
    }
    out.prior = 1.0 / index.len().max(2) as f64;
    out
}

/// The comparisons of every pair a training rule blocks between people as given (for
/// example a seed's contacts) and the records.
pub fn blocked_pairs(index: &Index, people: &[GivenPerson], rule: TrainingRule) -> Vec<Comparison> {
    let mut out = Vec::new();
    for given in people {
        let probe = index.probe(given);
        let key = match rule {
            TrainingRule::DateOfBirth => probe.born.map(Key::Born),
            TrainingRule::Names => probe
                .forename
                .as_ref()
                .zip(probe.surname.as_ref())
                .map(|(f, s)| Key::Names(f.as_ref().code, s.as_ref().code)),
        };
        let Some(key) = key else { continue };
        for slot in index.posting(key).take(super::index::MAX_POSTING) {
            if let Some(entry) = index.entry(slot) {
                out.push(compare(index, &probe, entry));
            }
        }
    }
    out
}

/// Expectation-maximisation of m over blocked pairs, u fixed, for the fields the rule
/// does not fix. The share of matches among the pairs is estimated along the way
/// (it starts at one in ten) but is not the model's prior, which is about random pairs.
pub fn em(
    model: &MatchModel,
    pairs: &[Comparison],
    rule: TrainingRule,
    iterations: usize,
) -> MatchModel {
    let mut patterns: HashMap<Comparison, f64> = HashMap::new();
    for pair in pairs {
        *patterns.entry(*pair).or_default() += 1.0;
    }
    let total: f64 = pairs.len() as f64;
    let mut out = model.clone();
    let mut lambda: f64 = 0.1;
    for _ in 0..iterations {
        let mut level_mass = [0.0; Level::COUNT];
        let mut field_mass = [0.0; Field::COUNT];
        let mut matches = 0.0;
        for (pattern, &count) in &patterns {
            let (mut lm, mut lu) = (lambda.ln(), (1.0 - lambda).ln());
            for level in pattern.levels() {
                lm += out.m[level as usize].max(FLOOR).ln();
                lu += out.u[level as usize].max(FLOOR).ln();
            }
            let p = 1.0 / (1.0 + (lu - lm).exp());
            let mass = count * p;
            matches += mass;
            for level in pattern.levels() {
                level_mass[level as usize] += mass;
                field_mass[level.field() as usize] += mass;
            }
        }
        if total == 0.0 || matches <= 0.0 {
            break;
        }
        lambda = (matches / total).clamp(FLOOR, 1.0 - FLOOR);
        for &level in Level::ALL {
            let field = level.field();
            if rule.fixes(field) || field == Field::Household {
                continue;
            }
            let denominator = if one_level(field) {
                matches
            } else {
                field_mass[field as usize]
            };
            if denominator > 0.0 {
                out.m[level as usize] = (level_mass[level as usize] / denominator).max(FLOOR);
            }
        }
    }
    out
}
