//! Identifiers and addresses for synthetic people. NHS numbers come from the range the
//! NHS keeps for testing (999 000 0000 to 999 999 9999), so none can belong to anyone.

use crate::SynthError;
use crate::calendar::Day;
use crate::names::STREETS;
use crate::random::Rand;
use hearth_domain::identifiers::{NhsNumber, Postcode, PostcodeSector, Upn};
use hearth_domain::people::Address;

/// Letters allowed in the inward part of a postcode (BS 7666).
const INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

/// Districts outside any seed authority, for placements made out of area.
pub(crate) const OUT_OF_AREA_DISTRICTS: &[&str] = &[
    "ME4", "ME7", "SE9", "RH10", "BN2", "B12", "NG5", "LS7", "M14", "PE1", "MK9", "OX4", "GL1",
    "SO14", "PO4", "NR3", "CB1", "LE3", "DE22", "S10",
];

/// A postcode in `district`: the district, a digit and two allowed letters.
pub(crate) fn postcode(district: &str, rng: &mut Rand) -> Result<Postcode, SynthError> {
    let digit = rng.int(0, 9);
    let a = INWARD_LETTERS
        .get(rng.below(INWARD_LETTERS.len()))
        .copied()
        .unwrap_or(b'A');
    let b = INWARD_LETTERS
        .get(rng.below(INWARD_LETTERS.len()))
        .copied()
        .unwrap_or(b'B');
    Ok(Postcode::parse(&format!(
        "{district} {digit}{}{}",
        char::from(a),
        char::from(b)
    ))?)
}

/// A postcode in `sector`: the sector and two allowed letters. It draws a digit it does
/// not use, as [`postcode`] does, so that the generator's random stream (and so every
/// other part of a county) is the same as when addresses were drawn by district.
pub(crate) fn postcode_in(sector: &PostcodeSector, rng: &mut Rand) -> Result<Postcode, SynthError> {
    let _ = rng.int(0, 9);
    let a = INWARD_LETTERS
        .get(rng.below(INWARD_LETTERS.len()))
        .copied()
        .unwrap_or(b'A');
    let b = INWARD_LETTERS
        .get(rng.below(INWARD_LETTERS.len()))
        .copied()
        .unwrap_or(b'B');
    Ok(Postcode::parse(&format!(
        "{sector}{}{}",
        char::from(a),
        char::from(b)
    ))?)
}

/// An address in `sector` (a Maidstone sector when the locality has none).
pub(crate) fn address(
    sector: Option<&PostcodeSector>,
    town: &str,
    rng: &mut Rand,
) -> Result<Address, SynthError> {
    let street = rng.pick(STREETS).copied().unwrap_or("High Street");
    let number = if rng.chance(0.85) {
        rng.int(1, 180).to_string()
    } else {
        format!("Flat {}, {}", rng.int(1, 24), rng.int(1, 90))
    };
    Ok(Address {
        lines: vec![format!("{number} {street}")],
        town: town.to_owned(),
        postcode: match sector {
            Some(s) => postcode_in(s, rng)?,
            None => postcode("ME14", rng)?,
        },
    })
}

/// The `n`-th synthetic NHS number (unique for the first 909,000 or so). The counter is
/// spread over the test range by a multiplication that is a bijection modulo 10^6, so
/// siblings do not get consecutive numbers.
pub(crate) fn nhs_number(counter: &mut u64) -> Result<NhsNumber, SynthError> {
    for _ in 0..50 {
        let n = *counter;
        *counter += 1;
        let spread = (n % 1_000_000).wrapping_mul(387_551).wrapping_add(12_345) % 1_000_000;
        let nine = 999_000_000 + spread as u32;
        if let Some(nhs) = NhsNumber::from_nine_digits(nine) {
            return Ok(nhs);
        }
    }
    Err(SynthError::Internal("no valid NHS number found".into()))
}

/// A permanent UPN issued by a school in the authority when the child started school.
pub(crate) fn upn(la_code: &str, dob: Day, rng: &mut Rand) -> Result<Upn, SynthError> {
    let establishment = if rng.chance(0.7) {
        rng.int(2000, 3999)
    } else {
        rng.int(4000, 5999)
    };
    let year = (dob.year() + 5).rem_euclid(100);
    let serial = rng.int(0, 999);
    Ok(Upn::with_check_letter(&format!(
        "{la_code}{establishment:04}{year:02}{serial:03}"
    ))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn identifiers_are_valid_and_nhs_numbers_unique() {
        let mut rng = Rand::seeded(5);
        let mut counter = 0;
        let mut seen = BTreeSet::new();
        for _ in 0..50_000 {
            let n = nhs_number(&mut counter).unwrap();
            assert!(n.as_str().starts_with("999"));
            assert!(NhsNumber::parse(n.as_str()).is_ok());
            assert!(seen.insert(n));
        }
        let u = upn("886", Day::from_ymd(2012, 5, 1), &mut rng).unwrap();
        assert_eq!(u.la_code(), "886");
        assert!(Upn::parse(u.as_str()).is_ok());
        for d in ["ME14", "BR8", "CV1", "SG19"] {
            let p = postcode(d, &mut rng).unwrap();
            assert_eq!(p.district(), d);
        }
        for d in OUT_OF_AREA_DISTRICTS {
            assert!(postcode(d, &mut rng).is_ok(), "{d}");
        }
    }
}
