//! National identifiers that arrive from outside Hearth: the NHS number, the DfE Unique
//! Pupil Number and the UK postcode.
//!
//! Parse, don't validate: each type can only be built by `parse`, which returns the
//! canonical form or a typed error, so code past the edge never re-checks.
//!
//! In this service every one of these values is personal data about a child or family.
//! No error message repeats the value it rejected: messages say which part is wrong and
//! what was expected, so they can be shown to a user or written to a log safely.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The shared surface of a string-backed identifier: `as_str`, `Display`, `FromStr`,
/// and the `String` conversions that serde uses (deserialising always goes through
/// `parse`, so a stored or posted value is checked exactly as typed input is).
macro_rules! string_identifier {
    ($name:ident, $error:ident) => {
        impl $name {
            /// The canonical form.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = $error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $error;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = $error;

            fn try_from(value: &str) -> Result<Self, Self::Error> {
                Self::parse(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

// ---------------------------------------------------------------------------------------
// NHS number
// ---------------------------------------------------------------------------------------

/// An NHS number (England, Wales and the Isle of Man), stored as its 10 digits.
///
/// The tenth digit is a modulus 11 check digit (NHS Data Dictionary, "NHS Number"):
/// the first nine digits are weighted 10 down to 2 and summed; the check digit is
/// 11 minus the remainder of that sum divided by 11, where 11 becomes 0 and 10 means
/// the first nine digits can never form a valid number.
///
/// Synthetic data should use the range 999 000 0000 to 999 999 9999, which the NHS
/// keeps for test numbers that are never issued to a person.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NhsNumber(String);

/// Why a string is not an NHS number. The messages never repeat the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
pub enum NhsNumberError {
    #[error("no NHS number was given")]
    Empty,
    /// `position` counts characters of the input as typed (after trimming), from 1.
    #[error("not a valid NHS number: character {position} is not a digit, space or hyphen")]
    BadCharacter { position: usize },
    #[error("not a valid NHS number: it must have 10 digits, not {found}")]
    WrongLength { found: usize },
    #[error(
        "not a valid NHS number: spaces or hyphens may only split the digits into groups of 3, 3 and 4"
    )]
    BadGrouping,
    #[error(
        "not a valid NHS number: the check digit does not match the other digits, so it may have been copied wrongly"
    )]
    BadCheckDigit,
}

impl NhsNumber {
    /// Parses "9434765919", "943 476 5919" or "943-476-5919" (surrounding whitespace
    /// ignored) and keeps the 10-digit form.
    ///
    /// # Errors
    ///
    /// [`NhsNumberError`] when the input is empty, has a character other than a digit,
    /// space or hyphen, has other than 10 digits, groups them other than 3-3-4, or
    /// fails the check digit.
    pub fn parse(input: &str) -> Result<Self, NhsNumberError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(NhsNumberError::Empty);
        }

        let mut digits = Vec::with_capacity(10);
        let mut separators = Vec::new();
        for (index, c) in trimmed.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' => separators.push(index),
                _ => {
                    return Err(NhsNumberError::BadCharacter {
                        position: index + 1,
                    });
                }
            }
        }
        if digits.len() != 10 {
            return Err(NhsNumberError::WrongLength {
                found: digits.len(),
            });
        }
        // Separators are only accepted where the 3-3-4 grouping puts them.
        if !separators.is_empty() && separators != [3, 7] {
            return Err(NhsNumberError::BadGrouping);
        }

        let values: Vec<u32> = digits.iter().filter_map(|c| c.to_digit(10)).collect();
        let Some((last, first_nine)) = values.split_last() else {
            return Err(NhsNumberError::WrongLength { found: 0 });
        };
        match nhs_check_digit(first_nine) {
            Some(check) if check == *last => Ok(Self(digits.into_iter().collect())),
            _ => Err(NhsNumberError::BadCheckDigit),
        }
    }

    /// Builds a valid NHS number from its first nine digits (`first_nine` is
    /// zero-padded, so it must be below 1 000 000 000) by appending the check digit.
    /// `None` when no check digit exists for those nine digits. For the synthetic
    /// data generator.
    #[must_use]
    pub fn from_nine_digits(first_nine: u32) -> Option<Self> {
        if first_nine > 999_999_999 {
            return None;
        }
        let text = format!("{first_nine:09}");
        let values: Vec<u32> = text.chars().filter_map(|c| c.to_digit(10)).collect();
        let check = nhs_check_digit(&values)?;
        Some(Self(format!("{text}{check}")))
    }

    /// The number as people write it: "943 476 5919".
    #[must_use]
    pub fn display_spaced(&self) -> String {
        let mut out = String::with_capacity(12);
        for (index, c) in self.0.chars().enumerate() {
            if index == 3 || index == 6 {
                out.push(' ');
            }
            out.push(c);
        }
        out
    }
}

string_identifier!(NhsNumber, NhsNumberError);

#[cfg(feature = "openapi")]
text_schema!(NhsNumber, "^[0-9]{10}$", "An NHS number: its 10 digits.");

/// The modulus 11 check digit for the first nine digit values, or `None` when the
/// calculation gives 10 (such numbers are never issued).
fn nhs_check_digit(first_nine: &[u32]) -> Option<u32> {
    let sum: u32 = first_nine
        .iter()
        .zip((2..=10).rev())
        .map(|(digit, weight)| digit * weight)
        .sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        check => Some(check),
    }
}

// ---------------------------------------------------------------------------------------
// Unique Pupil Number
// ---------------------------------------------------------------------------------------

/// The 23 letters UPNs use, in check-value order: A=0 ... Z=22, skipping I, O and S
/// (DfE, "A guide to UPNs"; UK Government Data Standards Catalogue, Unique Pupil
/// Number v2.0).
const UPN_LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";

const UPN_EXPECT_CHECK_LETTER: &str = "a check letter (A to Z except I, O and S)";
const UPN_EXPECT_DIGIT: &str = "a digit";
const UPN_EXPECT_LAST: &str = "a digit, or a letter other than I, O and S";

/// A DfE Unique Pupil Number: a check letter, a 3-digit local authority code, a 4-digit
/// establishment number, a 2-digit year and a 3-character serial. A temporary UPN ends
/// in a letter instead of a digit.
///
/// The check letter (DfE, "A guide to UPNs"): multiply characters 2 to 13 by weights 2
/// to 13 (a final letter counts as its value in the 23-letter table), sum, take the
/// remainder on division by 23 and map it back through the table.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Upn(String);

/// Why a string is not a UPN. The messages never repeat the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
pub enum UpnError {
    #[error("no UPN was given")]
    Empty,
    #[error("not a valid UPN: it must have {expected} characters, not {found}")]
    WrongLength { expected: usize, found: usize },
    /// `position` is the character's place in the full 13-character UPN, from 1.
    #[error("not a valid UPN: character {position} must be {expected}")]
    BadCharacter {
        position: usize,
        expected: &'static str,
    },
    #[error(
        "not a valid UPN: the check letter (character 1) does not match the other characters, so it may have been copied wrongly"
    )]
    BadCheckLetter,
}

impl Upn {
    /// Parses a 13-character UPN, accepting lower case and surrounding whitespace.
    ///
    /// # Errors
    ///
    /// [`UpnError`] when the input is empty, is not 13 characters, has a character
    /// that does not belong in its position, or fails the check letter.
    pub fn parse(input: &str) -> Result<Self, UpnError> {
        let upper = input.trim().to_ascii_uppercase();
        if upper.is_empty() {
            return Err(UpnError::Empty);
        }
        let found = upper.chars().count();
        if found != 13 {
            return Err(UpnError::WrongLength {
                expected: 13,
                found,
            });
        }
        let mut chars = upper.chars();
        let check = chars.next().unwrap_or_default();
        if !is_upn_letter(check) {
            return Err(UpnError::BadCharacter {
                position: 1,
                expected: UPN_EXPECT_CHECK_LETTER,
            });
        }
        let rest: String = chars.collect();
        if upn_check_letter(&rest)? == check {
            Ok(Self(upper))
        } else {
            Err(UpnError::BadCheckLetter)
        }
    }

    /// Builds a UPN from characters 2 to 13 by putting the right check letter in
    /// front. For the synthetic data generator.
    ///
    /// # Errors
    ///
    /// [`UpnError`] when `rest12` is not 12 characters or has a character that does
    /// not belong in its position; positions are counted in the full 13-character UPN.
    pub fn with_check_letter(rest12: &str) -> Result<Self, UpnError> {
        let rest = rest12.trim().to_ascii_uppercase();
        let found = rest.chars().count();
        if found != 12 {
            return Err(UpnError::WrongLength {
                expected: 12,
                found,
            });
        }
        let check = upn_check_letter(&rest)?;
        Ok(Self(format!("{check}{rest}")))
    }

    /// The 3-digit code of the local authority that issued the UPN (characters 2-4).
    #[must_use]
    pub fn la_code(&self) -> &str {
        self.0.get(1..4).unwrap_or_default()
    }

    /// The 4-digit DfE establishment number of the issuing school (characters 5-8).
    #[must_use]
    pub fn establishment_number(&self) -> &str {
        self.0.get(4..8).unwrap_or_default()
    }

    /// Whether this is a temporary UPN (one ending in a letter), which a school
    /// replaces once the permanent one is known.
    #[must_use]
    pub fn is_temporary(&self) -> bool {
        self.0.ends_with(|c: char| c.is_ascii_alphabetic())
    }
}

string_identifier!(Upn, UpnError);

#[cfg(feature = "openapi")]
text_schema!(
    Upn,
    "^[A-HJ-NPQRT-Z][0-9]{11}[0-9A-HJ-NPQRT-Z]$",
    "A Unique Pupil Number: check letter, 11 digits, and a digit or (temporary UPN) a letter."
);

fn is_upn_letter(c: char) -> bool {
    upn_letter_value(c).is_some()
}

fn upn_letter_value(c: char) -> Option<u32> {
    let byte = u8::try_from(c).ok()?;
    let index = UPN_LETTERS.iter().position(|&l| l == byte)?;
    u32::try_from(index).ok()
}

/// Checks characters 2 to 13 (already upper case) and computes the check letter.
fn upn_check_letter(rest: &str) -> Result<char, UpnError> {
    let mut sum: u32 = 0;
    for (position, c) in (2..).zip(rest.chars()) {
        let value = if position < 13 {
            c.to_digit(10).ok_or(UpnError::BadCharacter {
                position: usize::try_from(position).unwrap_or(usize::MAX),
                expected: UPN_EXPECT_DIGIT,
            })?
        } else {
            c.to_digit(10)
                .or_else(|| upn_letter_value(c))
                .ok_or(UpnError::BadCharacter {
                    position: 13,
                    expected: UPN_EXPECT_LAST,
                })?
        };
        sum += value * position;
    }
    let index = usize::try_from(sum % 23).unwrap_or_default();
    Ok(UPN_LETTERS.get(index).map_or('A', |&l| char::from(l)))
}

// ---------------------------------------------------------------------------------------
// Postcode
// ---------------------------------------------------------------------------------------

/// Letters allowed in each position of the outward code, and in the inward code
/// (BS 7666; UK Government Data Standards Catalogue, "Postcode").
const POSTCODE_FIRST_NOT: &[u8] = b"QVX";
const POSTCODE_SECOND_NOT: &[u8] = b"IJZ";
const POSTCODE_THIRD_A9A: &[u8] = b"ABCDEFGHJKPSTUW";
const POSTCODE_FOURTH_AA9A: &[u8] = b"ABEHMNPRVWXY";
const POSTCODE_INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

/// A UK postcode in canonical form: upper case, outward code, one space, inward code
/// ("ME14 1XQ", "EC1A 1BB"). The outward code has one of the forms A9, A99, AA9,
/// AA99, A9A or AA9A; the inward code is a digit and two letters. "GIR 0AA" is
/// accepted as the one historic exception. BFPO and overseas territory codes are not
/// postcodes in this sense and are refused.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Postcode(String);

/// Why a string is not a UK postcode. Postcodes are personal data here, so the
/// messages never repeat the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
pub enum PostcodeError {
    #[error("no postcode was given")]
    Empty,
    #[error("not a valid UK postcode: it may only contain letters, digits and spaces")]
    BadCharacter,
    #[error("not a valid UK postcode: it must have 5 to 7 letters and digits, not counting spaces")]
    WrongLength,
    #[error(
        "not a valid UK postcode: the outward code (the first part) must be one or two letters and a digit, then possibly another digit or letter, as in M1, B33, CR2, DN55, W1A or EC1A"
    )]
    BadOutward,
    #[error(
        "not a valid UK postcode: the inward code (the last part) must be a digit and two letters, and the letters cannot be C, I, K, M, O or V"
    )]
    BadInward,
}

impl Postcode {
    /// Parses a postcode in any case, with or without the space (extra whitespace is
    /// ignored; the inward code is always the last three characters).
    ///
    /// # Errors
    ///
    /// [`PostcodeError`] when the input is empty, has a character other than a letter,
    /// digit or whitespace, is not 5 to 7 characters without spaces, or its outward or
    /// inward code does not have an allowed form.
    pub fn parse(input: &str) -> Result<Self, PostcodeError> {
        let mut compact = String::with_capacity(7);
        for c in input.chars().filter(|c| !c.is_whitespace()) {
            if !c.is_ascii_alphanumeric() {
                return Err(PostcodeError::BadCharacter);
            }
            compact.push(c.to_ascii_uppercase());
        }
        if compact.is_empty() {
            return Err(PostcodeError::Empty);
        }
        if !(5..=7).contains(&compact.len()) {
            return Err(PostcodeError::WrongLength);
        }
        // All ASCII from here, so byte positions are character positions.
        let (outward, inward) = compact.split_at(compact.len() - 3);
        if outward == "GIR" && inward == "0AA" {
            return Ok(Self("GIR 0AA".to_owned()));
        }
        if !is_valid_inward(inward.as_bytes()) {
            return Err(PostcodeError::BadInward);
        }
        if !is_valid_outward(outward.as_bytes()) {
            return Err(PostcodeError::BadOutward);
        }
        Ok(Self(format!("{outward} {inward}")))
    }

    /// The outward code, before the space: "ME14".
    #[must_use]
    pub fn outward(&self) -> &str {
        self.0.split_once(' ').map_or("", |(outward, _)| outward)
    }

    /// The inward code, after the space: "1XQ".
    #[must_use]
    pub fn inward(&self) -> &str {
        self.0.split_once(' ').map_or("", |(_, inward)| inward)
    }

    /// The postcode area, the leading letters: "ME".
    #[must_use]
    pub fn area(&self) -> &str {
        let outward = self.outward();
        let end = outward
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(outward.len());
        outward.get(..end).unwrap_or_default()
    }

    /// The postcode district, which is the whole outward code: "ME14".
    #[must_use]
    pub fn district(&self) -> &str {
        self.outward()
    }
}

string_identifier!(Postcode, PostcodeError);

#[cfg(feature = "openapi")]
text_schema!(
    Postcode,
    "^([A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}|GIR 0AA)$",
    "A UK postcode: upper case, outward code, one space, inward code."
);

impl Postcode {
    /// The postcode sector, the outward code and the inward code's digit: "ME14 1".
    #[must_use]
    pub fn sector(&self) -> PostcodeSector {
        let digit = self.inward().get(..1).unwrap_or_default();
        PostcodeSector(format!("{} {digit}", self.outward()))
    }
}

/// A postcode sector: a district (outward code), a space and one digit, as in `CV2 1`.
/// An authority maps sectors, not districts, to localities, because a district can be
/// split between localities (Coventry's CV2 and CV6 are).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PostcodeSector(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeSectorError {
    #[error(
        "not a postcode sector: write the district, a space and one digit, as in CV2 1 or ME14 5"
    )]
    BadForm,
}

impl PostcodeSector {
    /// Parses a sector in any case, with one space (or more) between district and digit.
    ///
    /// # Errors
    ///
    /// [`PostcodeSectorError`] when the input is not an outward code, whitespace and a
    /// single digit.
    pub fn parse(input: &str) -> Result<Self, PostcodeSectorError> {
        let upper = input.trim().to_ascii_uppercase();
        let (outward, digit) = upper
            .split_once(char::is_whitespace)
            .ok_or(PostcodeSectorError::BadForm)?;
        let digit = digit.trim();
        let valid = is_valid_outward(outward.as_bytes())
            && digit.len() == 1
            && digit.bytes().all(|b| b.is_ascii_digit());
        if !valid {
            return Err(PostcodeSectorError::BadForm);
        }
        Ok(Self(format!("{outward} {digit}")))
    }

    /// The district (outward code) the sector lies in: "CV2".
    #[must_use]
    pub fn district(&self) -> &str {
        self.0.split_once(' ').map_or("", |(outward, _)| outward)
    }

    /// The postcode area, the leading letters: "CV".
    #[must_use]
    pub fn area(&self) -> &str {
        let district = self.district();
        let end = district
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(district.len());
        district.get(..end).unwrap_or_default()
    }
}

string_identifier!(PostcodeSector, PostcodeSectorError);

fn is_valid_inward(inward: &[u8]) -> bool {
    matches!(inward, [d, l1, l2]
        if d.is_ascii_digit()
            && POSTCODE_INWARD_LETTERS.contains(l1)
            && POSTCODE_INWARD_LETTERS.contains(l2))
}

fn is_valid_outward(outward: &[u8]) -> bool {
    let first = |c: &u8| c.is_ascii_uppercase() && !POSTCODE_FIRST_NOT.contains(c);
    let second = |c: &u8| c.is_ascii_uppercase() && !POSTCODE_SECOND_NOT.contains(c);
    let digit = |c: &u8| c.is_ascii_digit();
    match outward {
        // A9
        [a, n] => first(a) && digit(n),
        // A99, AA9, A9A
        [a, b, c] => {
            first(a)
                && ((digit(b) && digit(c))
                    || (second(b) && digit(c))
                    || (digit(b) && POSTCODE_THIRD_A9A.contains(c)))
        }
        // AA99, AA9A
        [a, b, n, d] => {
            first(a) && second(b) && digit(n) && (digit(d) || POSTCODE_FOURTH_AA9A.contains(d))
        }
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // --- NHS number -------------------------------------------------------------------

    #[test]
    fn nhs_known_valid_numbers_parse() {
        // 9434765919: 9·10+4·9+3·8+4·7+7·6+6·5+5·4+9·3+1·2 = 299; 299 % 11 = 2; 11-2 = 9.
        // 4010232137: 40+0+8+0+12+15+8+3+6 = 92; 92 % 11 = 4; 11-4 = 7.
        for valid in ["9434765919", "9434765870", "4010232137"] {
            let nhs = NhsNumber::parse(valid).unwrap();
            assert_eq!(nhs.as_str(), valid);
            assert_eq!(nhs.to_string(), valid);
        }
    }

    #[test]
    fn nhs_check_eleven_becomes_zero() {
        // 9434765870: 90+36+24+28+42+30+20+24+14 = 308; 308 % 11 = 0; 11 → 0.
        assert!(NhsNumber::parse("9434765870").is_ok());
        // 100000040: 1·10 + 4·3 = 22; 22 % 11 = 0; 11 → 0.
        assert!(NhsNumber::parse("1000000400").is_ok());
        assert_eq!(
            NhsNumber::from_nine_digits(100_000_040).unwrap().as_str(),
            "1000000400"
        );
    }

    #[test]
    fn nhs_check_ten_is_never_valid() {
        // 100000001: 1·10 + 1·2 = 12; 12 % 11 = 1; 11-1 = 10 → no valid number.
        assert_eq!(NhsNumber::from_nine_digits(100_000_001), None);
        for last in 0..=9 {
            assert_eq!(
                NhsNumber::parse(&format!("100000001{last}")),
                Err(NhsNumberError::BadCheckDigit)
            );
        }
    }

    #[test]
    fn nhs_accepts_spaces_and_hyphens_in_3_3_4_groups() {
        for input in [
            "943 476 5919",
            "943-476-5919",
            "943 476-5919",
            "  9434765919 ",
            "\t943 476 5919\n",
        ] {
            assert_eq!(NhsNumber::parse(input).unwrap().as_str(), "9434765919");
        }
    }

    #[test]
    fn nhs_display_spaced() {
        let nhs = NhsNumber::parse("9434765919").unwrap();
        assert_eq!(nhs.display_spaced(), "943 476 5919");
    }

    #[test]
    fn nhs_invalid_examples() {
        use NhsNumberError::*;
        let cases = [
            ("", Empty),
            ("   ", Empty),
            ("9434765918", BadCheckDigit),
            ("9434765910", BadCheckDigit),
            ("943476591", WrongLength { found: 9 }),
            ("94347659190", WrongLength { found: 11 }),
            ("943 476 591", WrongLength { found: 9 }),
            ("94347a5919", BadCharacter { position: 6 }),
            ("943.476.5919", BadCharacter { position: 4 }),
            ("943 4765 919", BadGrouping),
            ("9434 76 5919", BadGrouping),
            ("943  476 5919", BadGrouping),
            ("94347659 19", BadGrouping),
            // Non-ASCII digits are not NHS number digits.
            ("٩434765919", BadCharacter { position: 1 }),
        ];
        for (input, expected) in cases {
            assert_eq!(NhsNumber::parse(input), Err(expected), "input {input:?}");
        }
    }

    #[test]
    fn nhs_from_nine_digits_rejects_more_than_nine() {
        assert_eq!(NhsNumber::from_nine_digits(1_000_000_000), None);
        assert_eq!(
            NhsNumber::from_nine_digits(943_476_591).unwrap().as_str(),
            "9434765919"
        );
        // Zero-padded: 000000001 → 1·2 = 2; 11-2 = 9.
        assert_eq!(
            NhsNumber::from_nine_digits(1).unwrap().as_str(),
            "0000000019"
        );
    }

    #[test]
    fn nhs_errors_do_not_echo_the_number() {
        for input in ["9434765918", "94347a5919", "943 4765 919", "943476591"] {
            let message = NhsNumber::parse(input).unwrap_err().to_string();
            assert!(!message.contains(input), "{message}");
            assert!(!message.contains("943"), "{message}");
        }
    }

    #[test]
    fn nhs_serde_round_trip() {
        let nhs: NhsNumber = serde_json::from_str("\"943 476 5919\"").unwrap();
        assert_eq!(nhs.as_str(), "9434765919");
        assert_eq!(serde_json::to_string(&nhs).unwrap(), "\"9434765919\"");
        let back: NhsNumber = serde_json::from_str(&serde_json::to_string(&nhs).unwrap()).unwrap();
        assert_eq!(back, nhs);

        let err = serde_json::from_str::<NhsNumber>("\"9434765918\"").unwrap_err();
        assert!(!err.to_string().contains("9434765918"));
        assert!(serde_json::from_str::<NhsNumber>("9434765919").is_err());
    }

    #[test]
    fn nhs_from_str() {
        let nhs: NhsNumber = "943-476-5919".parse().unwrap();
        assert_eq!(String::from(nhs), "9434765919");
    }

    // --- UPN --------------------------------------------------------------------------

    // Hand-worked check letters (weight = character position, 2..13; letter values
    // A=0 .. Z=22 skipping I, O, S):
    //
    // ?801200005001: 8·2 + 1·4 + 2·5 + 5·10 + 1·13 = 93; 93 % 23 = 1 → B.
    // ?207000016049: 2·2 + 7·4 + 1·9 + 6·10 + 4·12 + 9·13 = 266; 266 % 23 = 13 → P.
    //   (A widely copied support-site example gives Q here from a sum of 267; the
    //   products add to 266, so P is right.)
    // ?20700001604A: as above less 9·13, plus A(0)·13 = 149; 149 % 23 = 11 → M.
    // ?80120000500Z: 93 - 1·13 + Z(22)·13 = 366; 366 % 23 = 21 → Y.
    // ?000000000000: 0 → A.

    #[test]
    fn upn_valid_examples() {
        for (input, canonical) in [
            ("B801200005001", "B801200005001"),
            ("P207000016049", "P207000016049"),
            ("M20700001604A", "M20700001604A"),
            ("Y80120000500Z", "Y80120000500Z"),
            ("A000000000000", "A000000000000"),
            ("p207000016049", "P207000016049"),
            ("  m20700001604a ", "M20700001604A"),
        ] {
            let upn = Upn::parse(input).unwrap();
            assert_eq!(upn.as_str(), canonical, "input {input:?}");
        }
    }

    #[test]
    fn upn_with_check_letter_matches_hand_worked_examples() {
        for (rest, full) in [
            ("801200005001", "B801200005001"),
            ("207000016049", "P207000016049"),
            ("20700001604A", "M20700001604A"),
            ("80120000500z", "Y80120000500Z"),
            ("000000000000", "A000000000000"),
        ] {
            assert_eq!(Upn::with_check_letter(rest).unwrap().as_str(), full);
        }
    }

    #[test]
    fn upn_parts() {
        let upn = Upn::parse("P207000016049").unwrap();
        assert_eq!(upn.la_code(), "207");
        assert_eq!(upn.establishment_number(), "0000");
        assert!(!upn.is_temporary());
        assert!(Upn::parse("M20700001604A").unwrap().is_temporary());
    }

    #[test]
    fn upn_invalid_examples() {
        let bad = |position, expected| UpnError::BadCharacter { position, expected };
        let cases = [
            ("", UpnError::Empty),
            ("Q207000016049", UpnError::BadCheckLetter),
            ("B207000016049", UpnError::BadCheckLetter),
            ("P207000016048", UpnError::BadCheckLetter),
            (
                "P20700001604",
                UpnError::WrongLength {
                    expected: 13,
                    found: 12,
                },
            ),
            (
                "P2070000160490",
                UpnError::WrongLength {
                    expected: 13,
                    found: 14,
                },
            ),
            (
                "P207 000016049",
                UpnError::WrongLength {
                    expected: 13,
                    found: 14,
                },
            ),
            ("9207000016049", bad(1, UPN_EXPECT_CHECK_LETTER)),
            ("I207000016049", bad(1, UPN_EXPECT_CHECK_LETTER)),
            ("O207000016049", bad(1, UPN_EXPECT_CHECK_LETTER)),
            ("PA07000016049", bad(2, UPN_EXPECT_DIGIT)),
            ("P2070000160A9", bad(12, UPN_EXPECT_DIGIT)),
            ("P20700001604I", bad(13, UPN_EXPECT_LAST)),
            ("P20700001604S", bad(13, UPN_EXPECT_LAST)),
            ("P20700001604-", bad(13, UPN_EXPECT_LAST)),
            ("P2070000160é9", bad(12, UPN_EXPECT_DIGIT)),
        ];
        for (input, expected) in cases {
            assert_eq!(Upn::parse(input), Err(expected), "input {input:?}");
        }
    }

    #[test]
    fn upn_with_check_letter_rejects_bad_input() {
        assert_eq!(
            Upn::with_check_letter("20700001604"),
            Err(UpnError::WrongLength {
                expected: 12,
                found: 11
            })
        );
        assert_eq!(
            Upn::with_check_letter("2070000160A9"),
            Err(UpnError::BadCharacter {
                position: 12,
                expected: UPN_EXPECT_DIGIT
            })
        );
        assert_eq!(
            Upn::with_check_letter("20700001604O"),
            Err(UpnError::BadCharacter {
                position: 13,
                expected: UPN_EXPECT_LAST
            })
        );
    }

    #[test]
    fn upn_errors_do_not_echo_the_value() {
        for input in ["Q207000016049", "P2070000160A9", "P20700001604"] {
            let message = Upn::parse(input).unwrap_err().to_string();
            assert!(!message.contains(input), "{message}");
            assert!(!message.contains("207"), "{message}");
        }
    }

    #[test]
    fn upn_serde_round_trip() {
        let upn: Upn = serde_json::from_str("\"p207000016049\"").unwrap();
        assert_eq!(upn.as_str(), "P207000016049");
        let json = serde_json::to_string(&upn).unwrap();
        assert_eq!(json, "\"P207000016049\"");
        assert_eq!(serde_json::from_str::<Upn>(&json).unwrap(), upn);
        assert!(serde_json::from_str::<Upn>("\"Q207000016049\"").is_err());
    }

    // --- Postcode ---------------------------------------------------------------------

    #[test]
    fn postcode_valid_examples() {
        for canonical in [
            "ME14 1XQ", "CT1 2EH", "SN15 1ER", "LU6 1LF", "CV1 5RR", "EC1A 1BB", "W1A 0AX",
            "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "GIR 0AA", "SW1A 2AA", "N1C 4AG",
        ] {
            let postcode = Postcode::parse(canonical).unwrap();
            assert_eq!(postcode.as_str(), canonical);
        }
    }

    #[test]
    fn postcode_normalises_case_and_whitespace() {
        for input in [
            "me14 1xq",
            "ME141XQ",
            "me141xq",
            "  ME14   1XQ  ",
            "Me14\t1xQ",
            "M E 1 4 1 X Q",
        ] {
            assert_eq!(Postcode::parse(input).unwrap().as_str(), "ME14 1XQ");
        }
        assert_eq!(Postcode::parse("gir0aa").unwrap().as_str(), "GIR 0AA");
        assert_eq!(Postcode::parse("ec1a1bb").unwrap().as_str(), "EC1A 1BB");
    }

    #[test]
    fn postcode_parts() {
        let p = Postcode::parse("ME14 1XQ").unwrap();
        assert_eq!(p.outward(), "ME14");
        assert_eq!(p.inward(), "1XQ");
        assert_eq!(p.area(), "ME");
        assert_eq!(p.district(), "ME14");

        let p = Postcode::parse("W1A 0AX").unwrap();
        assert_eq!((p.area(), p.district(), p.inward()), ("W", "W1A", "0AX"));
        let p = Postcode::parse("EC1A 1BB").unwrap();
        assert_eq!((p.area(), p.district()), ("EC", "EC1A"));
        let p = Postcode::parse("GIR 0AA").unwrap();
        assert_eq!((p.area(), p.outward(), p.inward()), ("GIR", "GIR", "0AA"));
    }

    #[test]
    fn postcode_invalid_examples() {
        use PostcodeError::*;
        let cases = [
            ("", Empty),
            ("   ", Empty),
            ("ME14", WrongLength),
            ("M1 1A", WrongLength),
            ("ME145 1XQ", WrongLength),
            ("ME14-1XQ", BadCharacter),
            ("ÉC1A 1BB", BadCharacter),
            ("ME14 1CQ", BadInward),
            ("ME14 1XI", BadInward),
            ("ME14 XQ1", BadInward),
            ("ME14 11Q", BadInward),
            ("Q1 1AA", BadOutward),
            ("1ME 1XQ", BadOutward),
            ("MJ1 1AA", BadOutward),
            ("EC1I 1BB", BadOutward),
            ("W1L 0AX", BadOutward),
            ("ABC 1AA", BadOutward),
            ("AB1CD 1AA", WrongLength),
            ("GIR 0AB", BadOutward),
        ];
        for (input, expected) in cases {
            assert_eq!(Postcode::parse(input), Err(expected), "input {input:?}");
        }
    }

    #[test]
    fn postcode_errors_do_not_echo_the_value() {
        for input in ["ME14 1CQ", "Q1 1AA", "ME14-1XQ", "ME145 1XQ"] {
            let message = Postcode::parse(input).unwrap_err().to_string();
            assert!(message.contains("not a valid UK postcode"), "{message}");
            assert!(!message.contains(input), "{message}");
            assert!(!message.contains("ME14"), "{message}");
        }
    }

    #[test]
    fn postcode_serde_round_trip() {
        let p: Postcode = serde_json::from_str("\"me141xq\"").unwrap();
        assert_eq!(p.as_str(), "ME14 1XQ");
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, "\"ME14 1XQ\"");
        assert_eq!(serde_json::from_str::<Postcode>(&json).unwrap(), p);
        let err = serde_json::from_str::<Postcode>("\"ME14 1CQ\"").unwrap_err();
        assert!(!err.to_string().contains("ME14"));
    }

    // --- Properties -------------------------------------------------------------------

    proptest! {
        #[test]
        fn nhs_from_nine_digits_is_valid_and_single_digit_changes_fail(
            first_nine in 0u32..1_000_000_000,
        ) {
            let prefix = format!("{first_nine:09}");
            match NhsNumber::from_nine_digits(first_nine) {
                Some(nhs) => {
                    prop_assert!(nhs.as_str().starts_with(&prefix));
                    let parsed = NhsNumber::parse(nhs.as_str()).unwrap();
                    prop_assert_eq!(&parsed, &nhs);
                    prop_assert_eq!(NhsNumber::parse(&nhs.display_spaced()).unwrap(), nhs.clone());
                    let last = nhs.as_str().chars().last().unwrap();
                    for other in ('0'..='9').filter(|&d| d != last) {
                        prop_assert_eq!(
                            NhsNumber::parse(&format!("{prefix}{other}")),
                            Err(NhsNumberError::BadCheckDigit)
                        );
                    }
                }
                None => {
                    for last in '0'..='9' {
                        prop_assert_eq!(
                            NhsNumber::parse(&format!("{prefix}{last}")),
                            Err(NhsNumberError::BadCheckDigit)
                        );
                    }
                }
            }
        }

        #[test]
        fn upn_with_check_letter_parses_and_other_letters_fail(
            rest in "[0-9]{11}[0-9A-HJ-NP-RT-Z]",
        ) {
            let upn = Upn::with_check_letter(&rest).unwrap();
            prop_assert_eq!(Upn::parse(upn.as_str()).unwrap(), upn.clone());
            prop_assert_eq!(Upn::parse(&upn.as_str().to_ascii_lowercase()).unwrap(), upn.clone());
            prop_assert_eq!(upn.la_code(), rest.get(0..3).unwrap());
            let check = upn.as_str().chars().next().unwrap();
            for other in UPN_LETTERS.iter().map(|&l| char::from(l)).filter(|&l| l != check) {
                prop_assert_eq!(
                    Upn::parse(&format!("{other}{rest}")),
                    Err(UpnError::BadCheckLetter)
                );
            }
        }

        #[test]
        fn postcode_canonical_form_is_stable(
            outward in "[A-PR-UWYZ][A-HK-Y]?[0-9]{1,2}",
            inward in "[0-9][ABD-HJLNP-UW-Z]{2}",
            spaces in " {0,3}",
        ) {
            let canonical = format!("{outward} {inward}");
            let messy = format!("{}{spaces}{}", outward.to_ascii_lowercase(), inward.to_ascii_lowercase());
            let parsed = Postcode::parse(&messy).unwrap();
            prop_assert_eq!(parsed.as_str(), canonical.as_str());
            prop_assert_eq!(parsed.outward(), outward.as_str());
            prop_assert_eq!(parsed.inward(), inward.as_str());
            prop_assert_eq!(Postcode::parse(parsed.as_str()).unwrap(), parsed.clone());
        }
    }

    #[test]
    fn postcode_sectors_parse_and_come_from_postcodes() {
        let sector = PostcodeSector::parse(" cv2  1 ").unwrap();
        assert_eq!(sector.as_str(), "CV2 1");
        assert_eq!((sector.district(), sector.area()), ("CV2", "CV"));
        assert_eq!(Postcode::parse("CV2 1AB").unwrap().sector(), sector);
        for bad in ["CV2", "CV2 12", "CV2 A", "2CV 1", "", "CV2-1"] {
            assert_eq!(
                PostcodeSector::parse(bad),
                Err(PostcodeSectorError::BadForm),
                "{bad}"
            );
        }
        let json: PostcodeSector = serde_json::from_str("\"me14 5\"").unwrap();
        assert_eq!(json.as_str(), "ME14 5");
    }
}
