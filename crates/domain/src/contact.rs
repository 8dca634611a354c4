//! What the front door is told: the intake a contact carries on its own journey
//! (`contact:ID`, on `contact_received`). Types and the one rule that checks them; every
//! way in (form, API, file import) goes through [`Intake::validate`].

use crate::codes::{Channel, Consent, GivenRole, Sex, Urgency};
use crate::identifiers::{NhsNumber, Postcode};
use crate::limits::{
    ADDRESS_LINE_CHARS, ADDRESS_LINES, EMAIL_CHARS, GIVEN_PEOPLE, NAME_CHARS, NARRATIVE_CHARS,
    OTHER_NAMES, PARTNER_REF_CHARS, PHONE_CHARS,
};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Everything a contact says, as given: nobody is matched or created from it here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Intake {
    pub via: Channel,
    pub referrer: Referrer,
    pub people: Vec<GivenPerson>,
    pub narrative: String,
    pub consent: Consent,
    pub urgency: Urgency,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_ref: Option<String>,
}

/// Who made the contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Referrer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// A person as the referrer names them, before anyone decides who they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GivenPerson {
    pub role: GivenRole,
    pub given_name: String,
    pub family_name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_names: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_date_of_birth: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nhs_number: Option<NhsNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<GivenAddress>,
    /// How the person stands to the child ("mother", "mother's partner"), as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<String>,
}

/// An address as given: a referrer may know the street and not the postcode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GivenAddress {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub town: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<Postcode>,
}

/// Why an intake was refused, naming the field by its path ("people[1].date_of_birth").
/// Never the text itself: it is personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct IntakeError {
    pub field: String,
    pub problem: IntakeProblem,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntakeProblem {
    #[error("must not be empty")]
    Empty,
    #[error("is longer than {max} characters")]
    TooLong { max: usize },
    #[error("has more than {max} entries")]
    TooMany { max: usize },
    #[error("an unborn child needs an expected date of birth")]
    NoExpectedDate,
    #[error("an unborn child has no date of birth yet")]
    UnbornWithBirthDate,
    #[error("only an unborn child has an expected date of birth")]
    ExpectedDateNotUnborn,
    #[error("is after the contact was received")]
    AfterReceived,
}

fn refuse(field: impl Into<String>, problem: IntakeProblem) -> IntakeError {
    IntakeError {
        field: field.into(),
        problem,
    }
}

/// Refuses text longer than `max` characters (not bytes).
fn bounded(field: &str, text: &str, max: usize) -> Result<(), IntakeError> {
    // Bytes first: most text is short, and a byte count bounds the character count.
    if text.len() > max && text.chars().count() > max {
        return Err(refuse(field, IntakeProblem::TooLong { max }));
    }
    Ok(())
}

fn required(field: &str, text: &str, max: usize) -> Result<(), IntakeError> {
    if text.trim().is_empty() {
        return Err(refuse(field, IntakeProblem::Empty));
    }
    bounded(field, text, max)
}

fn optional(field: &str, text: Option<&str>, max: usize) -> Result<(), IntakeError> {
    text.map_or(Ok(()), |t| bounded(field, t, max))
}

fn at_most<T>(field: &str, items: &[T], max: usize) -> Result<(), IntakeError> {
    if items.len() > max {
        return Err(refuse(field, IntakeProblem::TooMany { max }));
    }
    Ok(())
}

impl Intake {
    /// The one rule for what a contact may say, whichever way it came in. `received` is
    /// the contact's date: nobody named in it can be born after it.
    pub fn validate(&self, received: Date) -> Result<(), IntakeError> {
        self.referrer.validate()?;
        required("narrative", &self.narrative, NARRATIVE_CHARS)?;
        optional(
            "partner_ref",
            self.partner_ref.as_deref(),
            PARTNER_REF_CHARS,
        )?;
        if self.people.is_empty() {
            return Err(refuse("people", IntakeProblem::Empty));
        }
        at_most("people", &self.people, GIVEN_PEOPLE)?;
        for (i, person) in self.people.iter().enumerate() {
            person.validate(&format!("people[{i}]"), received)?;
        }
        Ok(())
    }
}

impl Referrer {
    fn validate(&self) -> Result<(), IntakeError> {
        required("referrer.name", &self.name, NAME_CHARS)?;
        optional(
            "referrer.organisation",
            self.organisation.as_deref(),
            NAME_CHARS,
        )?;
        optional("referrer.role", self.role.as_deref(), NAME_CHARS)?;
        optional("referrer.phone", self.phone.as_deref(), PHONE_CHARS)?;
        optional("referrer.email", self.email.as_deref(), EMAIL_CHARS)
    }
}

impl GivenPerson {
    fn validate(&self, at: &str, received: Date) -> Result<(), IntakeError> {
        let field = |name: &str| format!("{at}.{name}");
        bounded(&field("given_name"), &self.given_name, NAME_CHARS)?;
        bounded(&field("family_name"), &self.family_name, NAME_CHARS)?;
        at_most(&field("other_names"), &self.other_names, OTHER_NAMES)?;
        for (i, name) in self.other_names.iter().enumerate() {
            bounded(&field(&format!("other_names[{i}]")), name, NAME_CHARS)?;
        }
        optional(
            &field("relationship"),
            self.relationship.as_deref(),
            NAME_CHARS,
        )?;
        match (self.role, self.date_of_birth, self.expected_date_of_birth) {
            (GivenRole::Unborn, Some(_), _) => {
                return Err(refuse(
                    field("date_of_birth"),
                    IntakeProblem::UnbornWithBirthDate,
                ));
            }
            (GivenRole::Unborn, None, None) => {
                return Err(refuse(
                    field("expected_date_of_birth"),
                    IntakeProblem::NoExpectedDate,
                ));
            }
            (GivenRole::Child | GivenRole::Adult, _, Some(_)) => {
                return Err(refuse(
                    field("expected_date_of_birth"),
                    IntakeProblem::ExpectedDateNotUnborn,
                ));
            }
            (_, Some(born), _) if born > received => {
                return Err(refuse(field("date_of_birth"), IntakeProblem::AfterReceived));
            }
            _ => {}
        }
        if let Some(address) = &self.address {
            at_most(&field("address.lines"), &address.lines, ADDRESS_LINES)?;
            for (i, line) in address.lines.iter().enumerate() {
                bounded(
                    &field(&format!("address.lines[{i}]")),
                    line,
                    ADDRESS_LINE_CHARS,
                )?;
            }
            bounded(&field("address.town"), &address.town, ADDRESS_LINE_CHARS)?;
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use jiff::civil::date;

    fn person(role: GivenRole) -> GivenPerson {
        GivenPerson {
            role,
            given_name: "Sam".into(),
            family_name: "Tester".into(),
            other_names: vec![],
            date_of_birth: Some(date(2019, 3, 1)),
            expected_date_of_birth: None,
            sex: None,
            nhs_number: None,
            address: None,
            relationship: None,
        }
    }

    pub(crate) fn intake() -> Intake {
        Intake {
            via: Channel::Form,
            referrer: Referrer {
                organisation: Some("Riverside Primary".into()),
                name: "A Teacher".into(),
                role: None,
                phone: None,
                email: None,
            },
            people: vec![person(GivenRole::Child), person(GivenRole::Adult)],
            narrative: "Concern raised at school.".into(),
            consent: Consent::Given,
            urgency: Urgency::Routine,
            partner_ref: None,
        }
    }

    const RECEIVED: Date = date(2026, 12, 7);

    fn refusal(intake: &Intake) -> String {
        intake.validate(RECEIVED).unwrap_err().to_string()
    }

    #[test]
    fn a_plain_intake_is_accepted_and_round_trips() {
        let intake = intake();
        assert_eq!(intake.validate(RECEIVED), Ok(()));
        let json = serde_json::to_string(&intake).unwrap();
        // Absent optional fields are not written.
        assert!(!json.contains("partner_ref") && !json.contains("nhs_number"));
        assert_eq!(serde_json::from_str::<Intake>(&json).unwrap(), intake);
    }

    #[test]
    fn unknown_fields_are_refused() {
        let json =
            serde_json::to_string(&intake())
                .unwrap()
                .replacen('{', r#"{"colour":"red","#, 1);
        assert!(serde_json::from_str::<Intake>(&json).is_err());
    }

    #[test]
    fn a_refusal_names_the_field_by_its_path() {
        let mut late = intake();
        late.people[1].date_of_birth = Some(date(2026, 12, 8));
        assert_eq!(
            refusal(&late),
            "people[1].date_of_birth: is after the contact was received"
        );

        let mut unborn = intake();
        unborn.people[0].role = GivenRole::Unborn;
        assert_eq!(
            refusal(&unborn),
            "people[0].date_of_birth: an unborn child has no date of birth yet"
        );
        unborn.people[0].date_of_birth = None;
        assert_eq!(
            refusal(&unborn),
            "people[0].expected_date_of_birth: an unborn child needs an expected date of birth"
        );
        unborn.people[0].expected_date_of_birth = Some(date(2027, 2, 1));
        assert_eq!(unborn.validate(RECEIVED), Ok(()));
        unborn.people[1].expected_date_of_birth = Some(date(2027, 2, 1));
        assert_eq!(
            refusal(&unborn),
            "people[1].expected_date_of_birth: only an unborn child has an expected date of birth"
        );

        let mut nameless = intake();
        nameless.referrer.name = "  ".into();
        assert_eq!(refusal(&nameless), "referrer.name: must not be empty");

        let mut nobody = intake();
        nobody.people.clear();
        assert_eq!(refusal(&nobody), "people: must not be empty");
    }

    #[test]
    fn the_limits_hold_in_characters() {
        let mut long = intake();
        long.narrative = "é".repeat(NARRATIVE_CHARS);
        assert_eq!(long.validate(RECEIVED), Ok(()));
        long.narrative.push('x');
        assert_eq!(
            long.validate(RECEIVED),
            Err(IntakeError {
                field: "narrative".into(),
                problem: IntakeProblem::TooLong {
                    max: NARRATIVE_CHARS
                }
            })
        );

        let mut crowd = intake();
        crowd.people = vec![person(GivenRole::Child); GIVEN_PEOPLE];
        assert_eq!(crowd.validate(RECEIVED), Ok(()));
        crowd.people.push(person(GivenRole::Adult));
        assert_eq!(refusal(&crowd), "people: has more than 20 entries");

        let mut named = intake();
        named.people[1].family_name = "x".repeat(NAME_CHARS + 1);
        assert_eq!(
            refusal(&named),
            "people[1].family_name: is longer than 100 characters"
        );
        named.people[1].family_name = "Tester".into();
        named.people[0].other_names = vec!["ok".into(), "y".repeat(NAME_CHARS + 1)];
        assert_eq!(
            refusal(&named),
            "people[0].other_names[1]: is longer than 100 characters"
        );

        let mut housed = intake();
        housed.people[0].address = Some(GivenAddress {
            lines: vec!["1 Street".into(); ADDRESS_LINES + 1],
            town: String::new(),
            postcode: None,
        });
        assert_eq!(
            refusal(&housed),
            "people[0].address.lines: has more than 6 entries"
        );
    }
}
