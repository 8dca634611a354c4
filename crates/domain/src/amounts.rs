//! The numbers an event's form asks for, each a type of its own so
//! that its range is checked wherever it is read (a form, the API, an imported
//! journal) and its form input follows from it (`forms::Value`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in whole pence, as the journal keeps it; a form gives it in
/// pounds and pence ("850.00"). A weekly placement cost reaches tens of thousands of
/// pounds for a secure place, well inside a `u32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Pence(pub u32);

impl Pence {
    /// Pounds and pence as a form shows them: "1250.00".
    pub fn pounds(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }

    /// Read "1250", "1,250.5" or "£1,250.00"; `None` for anything else, a negative
    /// amount, more than two places of pence, or more than `u32` pence.
    pub fn parse_pounds(text: &str) -> Option<Pence> {
        let text = text.trim();
        let text = text.strip_prefix('£').unwrap_or(text).replace(',', "");
        let (pounds, pence) = match text.split_once('.') {
            Some((p, q)) => (p, q),
            None => (text.as_str(), ""),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(pounds) || !(pence.is_empty() || digits(pence)) || pence.len() > 2 {
            return None;
        }
        let pounds: u32 = pounds.parse().ok()?;
        let pence: u32 = match pence.len() {
            0 => 0,
            1 => pence.parse::<u32>().ok()? * 10,
            _ => pence.parse().ok()?,
        };
        pounds.checked_mul(100)?.checked_add(pence).map(Pence)
    }
}

impl fmt::Display for Pence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "£{}", self.pounds())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value} is outside {min} to {max}")]
pub struct OutOfRange {
    pub value: u8,
    pub min: u8,
    pub max: u8,
}

/// A whole number with a range of its own, refused outside it when read.
macro_rules! bounded_number {
    ($(#[$meta:meta])* $name:ident, $min:literal, $max:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(try_from = "u8", into = "u8")]
        pub struct $name(u8);

        impl $name {
            pub const MIN: u8 = $min;
            pub const MAX: u8 = $max;

            pub fn new(value: u8) -> Result<Self, OutOfRange> {
                if (Self::MIN..=Self::MAX).contains(&value) {
                    Ok($name(value))
                } else {
                    Err(OutOfRange { value, min: Self::MIN, max: Self::MAX })
                }
            }

            pub fn get(self) -> u8 {
                self.0
            }
        }

        impl TryFrom<u8> for $name {
            type Error = OutOfRange;
            fn try_from(value: u8) -> Result<Self, OutOfRange> {
                $name::new(value)
            }
        }

        impl From<$name> for u8 {
            fn from(n: $name) -> u8 {
                n.0
            }
        }
    };
}

bounded_number!(
    /// A strengths and difficulties questionnaire's total score, from 0 to 40 (SSDA903
    /// OC2 `SDQ_SCORE`).
    SdqScore, 0, 40
);

bounded_number!(
    /// A percentage in whole numbers from 0 to 100, such as a term's school attendance.
    Percent, 0, 100
);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn pounds_and_pence_are_read_as_typed_and_written_back() {
        for (typed, pence) in [
            ("850", 85_000),
            ("850.5", 85_050),
            ("£1,250.00", 125_000),
            (" 0.07 ", 7),
        ] {
            assert_eq!(Pence::parse_pounds(typed), Some(Pence(pence)), "{typed}");
        }
        for bad in ["", "£", "-5", "12.345", "1.2.3", "ten", "50000000", ".5"] {
            assert_eq!(Pence::parse_pounds(bad), None, "{bad}");
        }
        assert_eq!(Pence(125_005).pounds(), "1250.05");
        assert_eq!(Pence(7).to_string(), "£0.07");
    }

    #[test]
    fn a_number_outside_its_range_is_refused_when_read() {
        assert_eq!(serde_json::from_str::<SdqScore>("40").unwrap().get(), 40);
        assert!(serde_json::from_str::<SdqScore>("41").is_err());
        assert!(serde_json::from_str::<Percent>("101").is_err());
        assert_eq!(
            serde_json::to_string(&Percent::new(93).unwrap()).unwrap(),
            "93"
        );
    }
}
