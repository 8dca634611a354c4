//! The match model, Splink's way: each field of a pair falls into one of a few ordered
//! comparison levels; each level has m = P(level | same person) and u = P(level |
//! different people) and adds log2(m/u) to the pair's match weight; a prior
//! log2(λ/(1−λ)) is added once. Starting values are in `data/match_model.toml`;
//! [`super::train`] replaces u (and can learn m) from the data.

use serde::Deserialize;
use std::collections::BTreeMap;

const STARTING: &str = include_str!("../../data/match_model.toml");

/// What is compared. A field whose level is absent (a value missing on either side)
/// adds nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    NhsNumber,
    Forename,
    Surname,
    /// Forename and surname given the other way round; used instead of the two.
    Swapped,
    DateOfBirth,
    Postcode,
    Sex,
    /// In the family of someone else in the same contact who matched strongly.
    Household,
}

impl Field {
    pub const ALL: [Field; 8] = [
        Field::NhsNumber,
        Field::Forename,
        Field::Surname,
        Field::Swapped,
        Field::DateOfBirth,
        Field::Postcode,
        Field::Sex,
        Field::Household,
    ];
    pub const COUNT: usize = Field::ALL.len();
}

macro_rules! levels {
    ($($variant:ident = $field:ident, $key:literal;)+) => {
        /// A comparison level; the levels of a field are listed best first.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Level { $($variant),+ }

        impl Level {
            pub const ALL: &'static [Level] = &[$(Level::$variant),+];
            pub const COUNT: usize = Level::ALL.len();

            pub fn field(self) -> Field {
                match self { $(Level::$variant => Field::$field),+ }
            }

            /// Its name in `match_model.toml`.
            pub fn key(self) -> &'static str {
                match self { $(Level::$variant => $key),+ }
            }
        }
    };
}

levels! {
    NhsSame = NhsNumber, "nhs_number.same";
    NhsDifferent = NhsNumber, "nhs_number.different";
    ForenameExact = Forename, "forename.exact";
    ForenameNickname = Forename, "forename.nickname";
    ForenameClose = Forename, "forename.close";
    ForenameTwoApart = Forename, "forename.two_apart";
    ForenameInitial = Forename, "forename.initial";
    ForenameOther = Forename, "forename.other";
    SurnameExact = Surname, "surname.exact";
    SurnamePart = Surname, "surname.part";
    SurnameClose = Surname, "surname.close";
    SurnameSounds = Surname, "surname.sounds";
    SurnameOther = Surname, "surname.other";
    NamesSwapped = Swapped, "swapped.names";
    DobExact = DateOfBirth, "date_of_birth.exact";
    DobSwapped = DateOfBirth, "date_of_birth.day_month_swapped";
    DobOneDigit = DateOfBirth, "date_of_birth.one_digit";
    DobYearApart = DateOfBirth, "date_of_birth.year_apart";
    DobNear = DateOfBirth, "date_of_birth.expected_near";
    DobSameMonth = DateOfBirth, "date_of_birth.same_month";
    DobOther = DateOfBirth, "date_of_birth.other";
    PostcodeExact = Postcode, "postcode.exact";
    PostcodeSector = Postcode, "postcode.sector";
    PostcodeDistrict = Postcode, "postcode.district";
    PostcodeOther = Postcode, "postcode.other";
    SexSame = Sex, "sex.same";
    SexDifferent = Sex, "sex.different";
    SameFamily = Household, "household.same_family";
}

/// The smallest probability a model holds, so every weight is finite.
pub const FLOOR: f64 = 1e-9;

/// The model: the prior λ, and m and u for every level (indexed by `Level as usize`).
#[derive(Debug, Clone, PartialEq)]
pub struct MatchModel {
    pub prior: f64,
    pub m: [f64; Level::COUNT],
    pub u: [f64; Level::COUNT],
}

/// Why a model file was refused. It names keys, never values of people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("match model: {0}")]
    Toml(String),
    #[error("match model: level '{0}' is missing")]
    Missing(&'static str),
    #[error("match model: '{0}' is not a level")]
    Unknown(String),
    #[error("match model: {0} must be above 0 and at most 1")]
    OutOfRange(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    prior: f64,
    levels: BTreeMap<String, BTreeMap<String, Probabilities>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Probabilities {
    m: f64,
    u: f64,
}

impl MatchModel {
    /// The starting values embedded from `data/match_model.toml`.
    pub fn starting() -> Result<MatchModel, ModelError> {
        MatchModel::parse(STARTING)
    }

    pub fn parse(text: &str) -> Result<MatchModel, ModelError> {
        let file: ModelFile = toml::from_str(text).map_err(|e| ModelError::Toml(e.to_string()))?;
        let in_range = |p: f64| p > 0.0 && p <= 1.0;
        if !(in_range(file.prior) && file.prior < 1.0) {
            return Err(ModelError::OutOfRange("prior".to_owned()));
        }
        let mut given = BTreeMap::new();
        for (field, levels) in &file.levels {
            for (level, p) in levels {
                given.insert(format!("{field}.{level}"), p);
            }
        }
        let mut model = MatchModel {
            prior: file.prior,
            m: [0.0; Level::COUNT],
            u: [0.0; Level::COUNT],
        };
        for &level in Level::ALL {
            let p = given
                .remove(level.key())
                .ok_or(ModelError::Missing(level.key()))?;
            if !(in_range(p.m) && in_range(p.u)) {
                return Err(ModelError::OutOfRange(level.key().to_owned()));
            }
            model.m[level as usize] = p.m;
            model.u[level as usize] = p.u;
        }
        if let Some(key) = given.into_keys().next() {
            return Err(ModelError::Unknown(key));
        }
        Ok(model)
    }

    /// log2(m/u) for a level, finite because both are kept at or above [`FLOOR`].
    pub fn weight(&self, level: Level) -> f64 {
        let i = level as usize;
        (self.m[i].max(FLOOR) / self.u[i].max(FLOOR)).log2()
    }

    /// log2(λ/(1−λ)), added once to every pair.
    pub fn prior_weight(&self) -> f64 {
        let prior = self.prior.clamp(FLOOR, 1.0 - FLOOR);
        (prior / (1.0 - prior)).log2()
    }

    /// A short fingerprint of every number in the model, shown with a suggestion and
    /// recorded on a link, so a link says which model proposed it.
    pub fn fingerprint(&self) -> String {
        // FNV-1a over the bits: stable across builds and platforms.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for value in std::iter::once(self.prior).chain(self.m).chain(self.u) {
            for byte in value.to_bits().to_le_bytes() {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{hash:016x}")
    }
}

/// The probability of a match weight: 2^w / (1 + 2^w).
pub fn probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starting_model_parses_and_every_weight_is_finite() {
        let model = MatchModel::starting().unwrap();
        for &level in Level::ALL {
            assert!(model.weight(level).is_finite(), "{}", level.key());
        }
        assert!(model.prior_weight() < 0.0);
        // Each field's m values are a distribution over its levels (missing aside).
        for field in Field::ALL {
            let total: f64 = Level::ALL
                .iter()
                .filter(|l| l.field() == field)
                .map(|&l| model.m[l as usize])
                .sum();
            assert!(total <= 1.0 + 1e-9, "{field:?} sums to {total}");
        }
    }

    #[test]
    fn levels_are_listed_field_by_field_best_first() {
        let fields: Vec<Field> = Level::ALL.iter().map(|l| l.field()).collect();
        let mut sorted = fields.clone();
        sorted.sort();
        assert_eq!(fields, sorted);
        let model = MatchModel::starting().unwrap();
        for pair in Level::ALL.windows(2) {
            if pair[0].field() == pair[1].field() {
                assert!(
                    model.weight(pair[0]) >= model.weight(pair[1]),
                    "{} below {}",
                    pair[0].key(),
                    pair[1].key()
                );
            }
        }
    }

    #[test]
    fn a_bad_file_is_named_by_key() {
        let Err(ModelError::Missing(key)) = MatchModel::parse("prior = 0.001\n[levels]\n") else {
            panic!("a file without levels was accepted");
        };
        assert_eq!(key, "nhs_number.same");
        let bad = STARTING.replace(
            "[levels.sex]",
            "[levels.sex]\ncolour = { m = 0.5, u = 0.5 }",
        );
        assert_eq!(
            MatchModel::parse(&bad),
            Err(ModelError::Unknown("sex.colour".to_owned()))
        );
        let zero = STARTING.replace("prior = ", "prior = 0 #");
        assert_eq!(
            MatchModel::parse(&zero),
            Err(ModelError::OutOfRange("prior".to_owned()))
        );
    }

    #[test]
    fn probability_turns_weights_into_chances() {
        assert_eq!(probability(0.0), 0.5);
        assert!(probability(20.0) > 0.999_99);
        assert!(probability(-20.0) < 0.000_01);
    }

    #[test]
    fn the_fingerprint_changes_with_any_number() {
        let model = MatchModel::starting().unwrap();
        let mut other = model.clone();
        other.m[Level::SexSame as usize] *= 0.99;
        assert_ne!(model.fingerprint(), other.fingerprint());
        assert_eq!(model.fingerprint(), model.clone().fingerprint());
    }
}
