//! People and their details as recorded on `person_registered` / `person_amended`.

use crate::codes::{Disability, Ethnicity, Sex};
use crate::identifiers::{NhsNumber, Postcode, Upn};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Name {
    pub given: String,
    pub family: String,
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.given, self.family)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Address {
    pub lines: Vec<String>,
    pub town: String,
    pub postcode: Postcode,
}

/// What is known about a person when they are registered. A child may be unborn: then
/// `date_of_birth` is absent and `expected_date_of_birth` is given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonDetails {
    pub name: Name,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_date_of_birth: Option<Date>,
    pub sex: Sex,
    pub ethnicity: Ethnicity,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disabilities: Vec<Disability>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nhs_number: Option<NhsNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upn: Option<Upn>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

/// A change to a person's details; absent fields are unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonChanges {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_date_of_birth: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_death: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ethnicity: Option<Ethnicity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabilities: Option<Vec<Disability>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nhs_number: Option<NhsNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upn: Option<Upn>,
}

/// Age in whole years on `on`; `None` for a child not yet born on that date.
pub fn age_in_years(date_of_birth: Date, on: Date) -> Option<i16> {
    if on < date_of_birth {
        return None;
    }
    let mut years = on.year() - date_of_birth.year();
    if (on.month(), on.day()) < (date_of_birth.month(), date_of_birth.day()) {
        years -= 1;
    }
    Some(years)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn age_counts_whole_years_and_leap_day_birthdays() {
        assert_eq!(age_in_years(date(2010, 3, 31), date(2025, 3, 31)), Some(15));
        assert_eq!(age_in_years(date(2010, 4, 1), date(2025, 3, 31)), Some(14));
        // Born 29 February: a year older on 1 March in a common year.
        assert_eq!(age_in_years(date(2008, 2, 29), date(2025, 2, 28)), Some(16));
        assert_eq!(age_in_years(date(2008, 2, 29), date(2025, 3, 1)), Some(17));
        assert_eq!(age_in_years(date(2026, 1, 1), date(2025, 12, 31)), None);
    }
}
