//! A person "as given at the front door": what a referrer says about someone Hearth
//! holds, with the mistakes referrers make, at rates that are data ([`Rates`]). Every
//! generated contact names its people this way (at [`Rates::default`]), and the
//! matching bench holds out contacts made this way from people whose records it knows.

use crate::names::BRITISH_SURNAMES;
use crate::people;
use crate::random::Rand;
use hearth_domain::codes::GivenRole;
use hearth_domain::contact::{GivenAddress, GivenPerson};
use hearth_domain::matching::{nicknames, normalise};
use hearth_domain::people::PersonDetails;
use jiff::civil::Date;

/// How often each mistake is made, each a chance between 0 and 1, drawn on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Rates {
    /// One letter of the forename or surname wrong, missing, doubled or swapped.
    pub name_typo: f64,
    /// A short or familiar form of the forename (when it has one): Bill for William.
    pub nickname: f64,
    /// Forename and surname given the other way round.
    pub swapped_names: f64,
    /// A second surname joined on with a hyphen, as a child's double-barrelled name.
    pub double_barrelled: f64,
    /// An adult's surname changed since the record (marriage, separation).
    pub changed_surname: f64,
    /// Day and month of birth swapped (where the day is 12 or less).
    pub dob_day_month_swapped: f64,
    /// One digit of the date of birth wrong.
    pub dob_typo: f64,
    /// No date of birth given.
    pub no_dob: f64,
    pub no_nhs_number: f64,
    pub no_sex: f64,
    /// The address before a move: another postcode in the same district.
    pub moved: f64,
    pub no_address: f64,
}

impl Default for Rates {
    /// The rates of issue 13: a name typo 1 in 5, day and month swapped 1 in 20, no
    /// NHS number 1 in 3; the rest are our estimates.
    fn default() -> Rates {
        Rates {
            name_typo: 0.2,
            nickname: 0.1,
            swapped_names: 0.02,
            double_barrelled: 0.02,
            changed_surname: 0.1,
            dob_day_month_swapped: 0.05,
            dob_typo: 0.03,
            no_dob: 0.03,
            no_nhs_number: 1.0 / 3.0,
            no_sex: 0.1,
            moved: 0.1,
            no_address: 0.1,
        }
    }
}

impl Rates {
    /// No mistakes at all: the person exactly as recorded.
    pub fn none() -> Rates {
        Rates {
            name_typo: 0.0,
            nickname: 0.0,
            swapped_names: 0.0,
            double_barrelled: 0.0,
            changed_surname: 0.0,
            dob_day_month_swapped: 0.0,
            dob_typo: 0.0,
            no_dob: 0.0,
            no_nhs_number: 0.0,
            no_sex: 0.0,
            moved: 0.0,
            no_address: 0.0,
        }
    }
}

/// The person as a referrer gives them. `role` says whether they are a child, an
/// unborn child or an adult (only an adult's surname changes).
pub fn garble(
    details: &PersonDetails,
    role: GivenRole,
    rng: &mut Rand,
    rates: &Rates,
) -> GivenPerson {
    let mut given_name = details.name.given.clone();
    let mut family_name = details.name.family.clone();
    if rng.chance(rates.nickname)
        && let Some(short) = nickname(&given_name, rng)
    {
        given_name = short;
    }
    if role == GivenRole::Adult && rng.chance(rates.changed_surname) {
        family_name = other_surname(&family_name, rng);
    } else if rng.chance(rates.double_barrelled) {
        family_name = format!("{family_name}-{}", other_surname(&family_name, rng));
    }
    if rng.chance(rates.name_typo) {
        if rng.chance(0.5) {
            given_name = typo(&given_name, rng);
        } else {
            family_name = typo(&family_name, rng);
        }
    }
    if rng.chance(rates.swapped_names) {
        std::mem::swap(&mut given_name, &mut family_name);
    }
    let mut date_of_birth = details.date_of_birth;
    if let Some(born) = date_of_birth {
        if rng.chance(rates.no_dob) {
            date_of_birth = None;
        } else if rng.chance(rates.dob_day_month_swapped) {
            date_of_birth = Date::new(born.year(), born.day(), born.month())
                .ok()
                .or(Some(born));
        } else if rng.chance(rates.dob_typo) {
            date_of_birth = Some(date_typo(born, rng));
        }
    }
    let address = match &details.address {
        Some(_) if rng.chance(rates.no_address) => None,
        Some(address) => {
            let moved = rng.chance(rates.moved);
            let postcode = if moved {
                people::postcode(address.postcode.district(), rng).ok()
            } else {
                None
            };
            Some(GivenAddress {
                lines: if moved {
                    Vec::new()
                } else {
                    address.lines.clone()
                },
                town: address.town.clone(),
                postcode: postcode.or_else(|| Some(address.postcode.clone())),
            })
        }
        None => None,
    };
    GivenPerson {
        role,
        given_name,
        family_name,
        other_names: Vec::new(),
        date_of_birth,
        expected_date_of_birth: details.expected_date_of_birth,
        sex: Some(details.sex).filter(|_| !rng.chance(rates.no_sex)),
        nhs_number: details
            .nhs_number
            .clone()
            .filter(|_| !rng.chance(rates.no_nhs_number)),
        address,
        relationship: None,
    }
}

/// A short form or the formal name of a forename, in title case, if it has one.
fn nickname(name: &str, rng: &mut Rand) -> Option<String> {
    let list = nicknames::list();
    let related = list.related(&normalise::fold(name));
    let chosen = rng.pick(&related)?;
    let mut out = String::with_capacity(chosen.len());
    for (i, &c) in chosen.iter().enumerate() {
        out.push(char::from(if i == 0 { c } else { c.to_ascii_lowercase() }));
    }
    Some(out)
}

fn other_surname(than: &str, rng: &mut Rand) -> String {
    let pick = rng.pick(BRITISH_SURNAMES).copied().unwrap_or("Smith");
    if pick == than { "Taylor" } else { pick }.to_owned()
}

/// One letter wrong (another letter in its place), missing, doubled, or swapped with
/// the next. A name of one letter is left alone.
fn typo(name: &str, rng: &mut Rand) -> String {
    let mut letters: Vec<char> = name.chars().collect();
    if letters.len() < 2 {
        return name.to_owned();
    }
    let at = rng.below(letters.len() - 1) + 1;
    match rng.below(4) {
        0 => {
            let letter = char::from(b'a' + rng.below(26) as u8);
            if let Some(c) = letters.get_mut(at) {
                *c = match (*c == letter, letter) {
                    (false, _) => letter,
                    (true, 'e') => 'a',
                    (true, _) => 'e',
                };
            }
        }
        1 => {
            letters.remove(at);
        }
        2 => {
            let c = letters.get(at).copied().unwrap_or('e');
            letters.insert(at, c);
        }
        // Two equal letters swapped would be no mistake: one is dropped instead.
        _ if letters.get(at - 1) == letters.get(at) => {
            letters.remove(at);
        }
        _ => letters.swap(at - 1, at),
    }
    letters.into_iter().collect()
}

/// The date with one digit of its day, month or year's last digit changed, as long as
/// it is still a date (otherwise the date as it was).
fn date_typo(born: Date, rng: &mut Rand) -> Date {
    let step = if rng.chance(0.5) { 1 } else { -1 };
    let (y, m, d) = (born.year(), born.month(), born.day());
    let changed = match rng.below(3) {
        0 => Date::new(y, m, d + step),
        1 => Date::new(y, m + step, d),
        _ => Date::new(y + i16::from(step), m, d),
    };
    changed.unwrap_or(born)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_domain::codes::{Ethnicity, Sex};
    use hearth_domain::identifiers::{NhsNumber, Postcode};
    use hearth_domain::people::{Address, Name};
    use jiff::civil::date;

    fn details() -> PersonDetails {
        PersonDetails {
            name: Name {
                given: "William".to_owned(),
                family: "Walker".to_owned(),
            },
            date_of_birth: Some(date(2014, 3, 9)),
            expected_date_of_birth: None,
            sex: Sex::Male,
            ethnicity: Ethnicity::Wbri,
            disabilities: Vec::new(),
            nhs_number: NhsNumber::from_nine_digits(999_000_012),
            upn: None,
            address: Some(Address {
                lines: vec!["12 Mill Lane".to_owned()],
                town: "Maidstone".to_owned(),
                postcode: Postcode::parse("ME14 1XQ").unwrap(),
            }),
        }
    }

    #[test]
    fn with_no_mistakes_the_person_is_as_recorded() {
        let person = garble(
            &details(),
            GivenRole::Child,
            &mut Rand::seeded(1),
            &Rates::none(),
        );
        let d = details();
        assert_eq!(person.given_name, d.name.given);
        assert_eq!(person.family_name, d.name.family);
        assert_eq!(person.date_of_birth, d.date_of_birth);
        assert_eq!(person.nhs_number, d.nhs_number);
        assert_eq!(person.sex, Some(Sex::Male));
        let address = person.address.unwrap();
        assert_eq!(
            Some(address.postcode.unwrap()),
            d.address.map(|a| a.postcode)
        );
    }

    #[test]
    fn mistakes_come_at_their_rates() {
        let (d, rates, n) = (details(), Rates::default(), 20_000);
        let mut rng = Rand::seeded(7);
        let people: Vec<GivenPerson> = (0..n)
            .map(|_| garble(&d, GivenRole::Adult, &mut rng, &rates))
            .collect();
        let share = |f: &dyn Fn(&GivenPerson) -> bool| {
            people.iter().filter(|p| f(p)).count() as f64 / f64::from(n)
        };
        let near = |seen: f64, rate: f64| (seen - rate).abs() < 0.015;
        assert!(near(
            share(&|p| p.nhs_number.is_none()),
            rates.no_nhs_number
        ));
        let swapped = share(&|p| p.date_of_birth == Some(date(2014, 9, 3)));
        assert!(
            near(swapped, rates.dob_day_month_swapped * 0.97),
            "{swapped}"
        );
        let nicknamed = share(&|p| {
            ["Bill", "Billy", "Will", "Willy", "Liam"]
                .iter()
                .any(|n| p.given_name == *n || p.family_name == *n)
        });
        assert!(nicknamed > 0.05 && nicknamed < 0.15, "{nicknamed}");
        let names_typo = share(&|p| {
            let known = ["William", "Bill", "Billy", "Will", "Willy", "Liam"];
            !(known.contains(&p.given_name.as_str()) || known.contains(&p.family_name.as_str()))
        });
        assert!(
            near(names_typo, rates.name_typo * 0.5 * 0.98),
            "{names_typo}"
        );
        let moved = share(&|p| {
            p.address.as_ref().is_some_and(|a| {
                a.postcode
                    .as_ref()
                    .is_some_and(|pc| pc.as_str() != "ME14 1XQ")
            })
        });
        assert!(moved > 0.07 && moved <= rates.moved, "{moved}");
        assert!(
            people
                .iter()
                .all(|p| !p.given_name.is_empty() && !p.family_name.is_empty())
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_people() {
        let run = |seed| {
            let mut rng = Rand::seeded(seed);
            (0..100)
                .map(|_| garble(&details(), GivenRole::Child, &mut rng, &Rates::default()))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(3), run(3));
        assert_ne!(run(3), run(4));
    }

    #[test]
    fn a_typo_changes_one_letter() {
        let mut rng = Rand::seeded(2);
        for _ in 0..200 {
            let t = typo("Walker", &mut rng);
            assert_ne!(t, "Walker");
            assert!(strsim_like_one_edit(&t, "Walker"), "{t}");
        }
    }

    /// Whether two names are one edit apart (replace, insert, delete or swap).
    fn strsim_like_one_edit(a: &str, b: &str) -> bool {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        let suffix = a
            .iter()
            .rev()
            .zip(b.iter().rev())
            .take_while(|(x, y)| x == y)
            .count();
        let (la, lb) = (a.len(), b.len());
        let kept = prefix + suffix;
        (la == lb
            && (kept + 1 >= la
                || (kept + 2 >= la && a[prefix] == b[prefix + 1] && a[prefix + 1] == b[prefix])))
            || (la.abs_diff(lb) == 1 && kept >= la.min(lb))
    }
}
