//! What the front door is told: the intake a contact carries on its own journey
//! (`contact:ID`, on `contact_received`). Types and the one rule that checks them; every
//! way in (form, API, file import) goes through [`NewContact::validate`].
//!
//! Then the fold of a contact's journey ([`fold_contact`]): who the people it names
//! turned out to be, the partner checks, the decisions (one per linked child, or one for
//! the whole contact) and where they went. Like a child's fold it is also the validator:
//! an event that cannot happen where it stands is refused with a named [`Problem`].

use crate::codes::{
    Agency, Channel, Consent, ContactOutcome, GivenRole, PrimaryNeed, Rag, ReferralSource,
    RouteReason, Sex, Urgency,
};
use crate::event::{ContactDecided, Event, EventData, OccurredAt};
use crate::identifiers::{NhsNumber, Postcode};
use crate::ids::{Actor, ChildId, ContactId, PersonRef, Subject, TeamId, WorkerId};
use crate::journey::{JourneyError, Problem, effective_events};
use crate::limits::{
    ADDRESS_LINE_CHARS, ADDRESS_LINES, AGE_YEARS, EMAIL_CHARS, GIVEN_PEOPLE, NAME_CHARS,
    NARRATIVE_CHARS, OTHER_NAMES, PARTNER_REF_CHARS, PHONE_CHARS, UNBORN_WEEKS_AHEAD,
    UNBORN_WEEKS_OVERDUE,
};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

/// Why an intake was refused, naming the field by its path ("people[1].date_of_birth"),
/// or for a file the row and column ("row 12, nhs_number"). Never the text itself: it
/// is personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct IntakeError {
    /// The file's row, counted as a spreadsheet shows it (the header is row 1).
    pub row: Option<usize>,
    /// The field's path, or the file's column; empty when the whole row is at fault.
    pub field: String,
    pub problem: IntakeProblem,
}

impl std::fmt::Display for IntakeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.row, self.field.is_empty()) {
            (Some(row), true) => write!(f, "row {row}: {}", self.problem),
            (Some(row), false) => write!(f, "row {row}, {}: {}", self.field, self.problem),
            (None, _) => write!(f, "{}: {}", self.field, self.problem),
        }
    }
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
    #[error("is after today")]
    AfterToday,
    #[error("must name at least one child or unborn child")]
    NoChild,
    #[error("is more than {weeks} weeks after the contact was received")]
    ExpectedTooLate { weeks: i64 },
    #[error(
        "is more than {weeks} weeks before the contact was received: a child born since is given as a child, with a date of birth"
    )]
    ExpectedTooEarly { weeks: i64 },
    #[error("is more than {years} years before the contact was received")]
    BornTooEarly { years: i64 },
    #[error("is given for another person in the same contact")]
    SameNhsNumber,
    // What the readers refuse before there is an intake to check.
    #[error("is missing")]
    Missing,
    #[error("is given twice")]
    Duplicate,
    #[error("is not a field of a contact")]
    UnknownField,
    /// A field unknown by a name that is not repeated (it may be personal data).
    #[error("has a field that is not one of a contact's")]
    UnknownFieldWithin,
    #[error("is not a column this import reads")]
    UnknownColumn,
    #[error("must be {expected}")]
    WrongType { expected: &'static str },
    #[error("is not valid JSON (line {line}, column {column})")]
    NotJson { line: usize, column: usize },
    #[error("is not UTF-8 text")]
    NotUtf8,
    #[error("has {found} cells where the header has {expected}")]
    RowLength { found: usize, expected: usize },
    #[error("has no rows after the header")]
    NoRows,
    #[error("is not what row {first} says for the same contact")]
    Contradicts { first: usize },
    #[error("is not a date (YYYY-MM-DD)")]
    NotDate,
    #[error("is not a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM)")]
    NotDateTime,
    #[error("is not one of the {list} codes")]
    NotCode { list: &'static str },
    #[error("is {0}")]
    NhsNumber(crate::identifiers::NhsNumberError),
    #[error("is {0}")]
    Postcode(crate::identifiers::PostcodeError),
}

fn refuse(field: impl Into<String>, problem: IntakeProblem) -> IntakeError {
    IntakeError::new(field, problem)
}

impl IntakeError {
    /// A refusal of the field at `field`, in no file row.
    pub fn new(field: impl Into<String>, problem: IntakeProblem) -> Self {
        IntakeError {
            row: None,
            field: field.into(),
            problem,
        }
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

/// A contact before it has an id: when it came, where from, and what it says. Every way
/// in makes one and calls [`NewContact::validate`] before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContact {
    pub received_at: OccurredAt,
    /// Who made it, as the CIN census codes it (police, school, GP, ...).
    pub source: ReferralSource,
    pub intake: Intake,
}

impl NewContact {
    /// The one rule for a contact, whichever way it came in: what [`Intake::validate`]
    /// checks, and what needs the contact's date and today's: nothing received after
    /// today, at least one child, unborn children due within a pregnancy of the contact,
    /// nobody born more than [`AGE_YEARS`] before it, and no NHS number given twice.
    pub fn validate(&self, today: Date) -> Result<(), IntakeError> {
        let received = self.received_at.date;
        if received > today {
            return Err(refuse("received_at", IntakeProblem::AfterToday));
        }
        self.intake.validate(received)?;
        let people = &self.intake.people;
        if !people
            .iter()
            .any(|p| matches!(p.role, GivenRole::Child | GivenRole::Unborn))
        {
            return Err(refuse("people", IntakeProblem::NoChild));
        }
        // A bound that falls outside jiff's dates (year 9999) bounds nothing.
        let weeks = |n: i64| jiff::Span::new().weeks(n);
        let latest_due = received.checked_add(weeks(UNBORN_WEEKS_AHEAD)).ok();
        let earliest_due = received.checked_sub(weeks(UNBORN_WEEKS_OVERDUE)).ok();
        let earliest_born = received
            .checked_sub(jiff::Span::new().years(AGE_YEARS))
            .ok();
        for (i, person) in people.iter().enumerate() {
            let field = |name: &str| format!("people[{i}].{name}");
            if let Some(due) = person.expected_date_of_birth {
                if latest_due.is_some_and(|latest| due > latest) {
                    return Err(refuse(
                        field("expected_date_of_birth"),
                        IntakeProblem::ExpectedTooLate {
                            weeks: UNBORN_WEEKS_AHEAD,
                        },
                    ));
                }
                if earliest_due.is_some_and(|earliest| due < earliest) {
                    return Err(refuse(
                        field("expected_date_of_birth"),
                        IntakeProblem::ExpectedTooEarly {
                            weeks: UNBORN_WEEKS_OVERDUE,
                        },
                    ));
                }
            }
            if let Some(born) = person.date_of_birth
                && earliest_born.is_some_and(|earliest| born < earliest)
            {
                return Err(refuse(
                    field("date_of_birth"),
                    IntakeProblem::BornTooEarly { years: AGE_YEARS },
                ));
            }
            if let Some(nhs) = &person.nhs_number
                && people[..i]
                    .iter()
                    .any(|earlier| earlier.nhs_number.as_ref() == Some(nhs))
            {
                return Err(refuse(field("nhs_number"), IntakeProblem::SameNhsNumber));
            }
        }
        Ok(())
    }
}

// The contact's own journey, folded.

/// A check asked of one partner agency, and its answer once it comes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Check {
    pub rag: Rag,
    pub requested: OccurredAt,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub returned: Option<OccurredAt>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub findings: Option<String>,
}

/// A decision on a contact, for one linked child or (with `child` absent) for the whole
/// contact; or, among [`ContactState::proposals`], one awaiting a manager's sign-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub child: Option<ChildId>,
    pub outcome: ContactOutcome,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub level: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub reasons: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub primary_need: Option<PrimaryNeed>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub proposed_by: Option<Actor>,
    /// When it was made (or proposed), and who recorded it.
    pub on: OccurredAt,
    pub by: Actor,
}

impl Decision {
    fn new(d: &ContactDecided, event: &Event) -> Decision {
        Decision {
            child: d.child.clone(),
            outcome: d.outcome,
            level: d.level.clone(),
            reasons: d.reasons.clone(),
            primary_need: d.primary_need,
            proposed_by: d.proposed_by.clone(),
            on: event.occurred_at,
            by: event.recorded_by.clone(),
        }
    }
}

/// Where a decided contact (or one child of it) went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Routed {
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub child: Option<ChildId>,
    pub team: TeamId,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub worker: Option<WorkerId>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub locality: Option<String>,
    pub reason: RouteReason,
    pub on: OccurredAt,
}

/// Where a contact stands at the front door, worked out from its journey and never
/// stored on it. `AwaitingSignOff` is a part of awaiting a decision (a decision has been
/// proposed and waits for a manager); being overdue is a matter of the clocks
/// (`obligations::contact_obligations`), not a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactStatus {
    /// Received; nobody linked, no check asked for, nothing decided.
    New,
    /// A partner check has been asked for and not answered.
    AwaitingChecks,
    /// Screening has started (someone is linked, or every check has come back).
    AwaitingDecision,
    /// A decision has been proposed and waits for a manager's sign-off.
    AwaitingSignOff,
    /// Every linked child has a decision, or the whole contact was closed with no
    /// further action or advice.
    Decided,
}

impl ContactStatus {
    /// The name a stored row and a query use.
    pub fn code(self) -> &'static str {
        match self {
            ContactStatus::New => "new",
            ContactStatus::AwaitingChecks => "awaiting_checks",
            ContactStatus::AwaitingDecision => "awaiting_decision",
            ContactStatus::AwaitingSignOff => "awaiting_sign_off",
            ContactStatus::Decided => "decided",
        }
    }

    /// Whether a decision is what the contact waits for (with or without a proposal).
    pub fn awaits_decision(self) -> bool {
        matches!(
            self,
            ContactStatus::AwaitingDecision | ContactStatus::AwaitingSignOff
        )
    }
}

/// A contact's current state: the fold of its journey (`contact:ID`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactState {
    pub id: ContactId,
    /// Absent only before `contact_received` is applied.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub received: Option<OccurredAt>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub source: Option<ReferralSource>,
    /// What the contact says; absent for contacts recorded before intakes existed.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub intake: Option<Intake>,
    /// Who each given person (by their place in `intake.people`, written as text, as
    /// JSON keys are) turned out to be.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, PersonRef>))]
    pub links: BTreeMap<u8, PersonRef>,
    pub checks: BTreeMap<Agency, Check>,
    /// Decisions awaiting sign-off, at most one for each child (or the whole contact).
    pub proposals: Vec<Decision>,
    /// At most one for each child (or the whole contact).
    pub decisions: Vec<Decision>,
    pub routes: Vec<Routed>,
    /// Business date of the latest event applied.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_date: Option<Date>,
}

/// Outcomes that are work for a service, so need a child to do it for (a contact
/// closed with no further action, advice or universal services need not name one).
fn needs_child(outcome: ContactOutcome) -> bool {
    matches!(
        outcome,
        ContactOutcome::EarlyHelp
            | ContactOutcome::Referral
            | ContactOutcome::StrategyDiscussion
            | ContactOutcome::ImmediateProtection
    )
}

impl ContactState {
    pub fn new(id: ContactId) -> Self {
        ContactState {
            id,
            received: None,
            source: None,
            intake: None,
            links: BTreeMap::new(),
            checks: BTreeMap::new(),
            proposals: Vec::new(),
            decisions: Vec::new(),
            routes: Vec::new(),
            last_date: None,
        }
    }

    /// The children linked to the contact, in the order they were given.
    pub fn linked_children(&self) -> impl Iterator<Item = &ChildId> {
        self.links.values().filter_map(|p| match p {
            PersonRef::Child(c) => Some(c),
            PersonRef::Adult(_) => None,
        })
    }

    /// Where the contact stands (see [`ContactStatus`]).
    pub fn status(&self) -> ContactStatus {
        if self.is_decided() {
            ContactStatus::Decided
        } else if self.checks.values().any(|c| c.returned.is_none()) {
            ContactStatus::AwaitingChecks
        } else if !self.proposals.is_empty() {
            ContactStatus::AwaitingSignOff
        } else if !self.links.is_empty() || !self.checks.is_empty() || !self.decisions.is_empty() {
            ContactStatus::AwaitingDecision
        } else {
            ContactStatus::New
        }
    }

    fn is_decided(&self) -> bool {
        let closed = self.decisions.iter().any(|d| {
            d.child.is_none()
                && matches!(
                    d.outcome,
                    ContactOutcome::NoFurtherAction | ContactOutcome::InformationAndAdvice
                )
        });
        let each_child = !self.decisions.is_empty()
            && self
                .linked_children()
                .all(|c| self.decisions.iter().any(|d| d.child.as_ref() == Some(c)));
        closed || each_child
    }

    /// When the contact was decided: the latest of its decisions, once it is decided.
    pub fn decided_on(&self) -> Option<OccurredAt> {
        if !self.is_decided() {
            return None;
        }
        self.decisions.iter().map(|d| d.on).max()
    }

    /// Whether `event` can be applied straight onto this state (it is not a correction and
    /// is not dated before the latest event), rather than refolding the whole journey.
    pub fn can_apply_incrementally(&self, event: &Event) -> bool {
        !event.data.is_correction() && self.last_date.is_none_or(|last| event.date() >= last)
    }

    /// Apply one event in date order, refusing it if it cannot happen in this state.
    pub fn apply(&mut self, event: &Event) -> Result<(), JourneyError> {
        self.apply_event(event).map_err(|problem| JourneyError {
            event: event.id.clone(),
            kind: event.kind(),
            date: event.date(),
            problem,
        })?;
        self.last_date = Some(self.last_date.map_or(event.date(), |d| d.max(event.date())));
        Ok(())
    }

    fn apply_event(&mut self, event: &Event) -> Result<(), Problem> {
        use EventData as E;
        if event.subject != Subject::Contact(self.id.clone()) {
            return Err(Problem::WrongSubject);
        }
        crate::limits::check_text(&event.data)?;
        if let E::ContactReceived(c) = &event.data {
            if self.received.is_some() {
                return Err(Problem::AlreadyReceived);
            }
            self.same_contact(&c.contact)?;
            self.received = Some(event.occurred_at);
            self.source = Some(c.source);
            self.intake = c.intake.as_deref().cloned();
            return Ok(());
        }
        if self.received.is_none() && !event.data.is_correction() {
            return Err(Problem::ContactNotReceived);
        }
        match &event.data {
            E::PersonLinked(l) => {
                let given = self.intake.as_ref().map_or(0, |i| i.people.len());
                if usize::from(l.given) >= given {
                    return Err(Problem::NoSuchGivenPerson(l.given));
                }
                if self.links.contains_key(&l.given) {
                    return Err(Problem::AlreadyLinked(l.given));
                }
                self.links.insert(l.given, l.person.clone());
            }
            E::PersonUnlinked(u) => {
                if self.links.get(&u.given) != Some(&u.person) {
                    return Err(Problem::NotLinked(u.given));
                }
                // A decided child keeps its link: the decision is on their journey.
                if let PersonRef::Child(c) = &u.person
                    && self.decisions.iter().any(|d| d.child.as_ref() == Some(c))
                {
                    return Err(Problem::AlreadyDecided);
                }
                // A proposal for someone no longer linked could not be signed off.
                if let PersonRef::Child(c) = &u.person {
                    self.proposals.retain(|p| p.child.as_ref() != Some(c));
                }
                self.links.remove(&u.given);
            }
            E::PartnerCheckRequested(c) => {
                self.same_contact(&c.contact)?;
                if self
                    .checks
                    .get(&c.agency)
                    .is_some_and(|check| check.returned.is_none())
                {
                    return Err(Problem::CheckAlreadyRequested(c.agency));
                }
                // A check asked again after its answer starts afresh.
                self.checks.insert(
                    c.agency,
                    Check {
                        rag: c.rag,
                        requested: event.occurred_at,
                        returned: None,
                        findings: None,
                    },
                );
            }
            E::PartnerCheckReturned(c) => {
                self.same_contact(&c.contact)?;
                match self.checks.get_mut(&c.agency) {
                    Some(check) if check.returned.is_none() => {
                        check.returned = Some(event.occurred_at);
                        check.findings = c.findings.clone();
                    }
                    _ => return Err(Problem::CheckNotRequested(c.agency)),
                }
            }
            E::ContactDecisionProposed(d) => {
                self.check_decision(d)?;
                // A later proposal for the same child replaces the one before.
                self.proposals.retain(|p| p.child != d.child);
                self.proposals.push(Decision::new(d, event));
            }
            E::ContactDecided(d) => {
                self.check_decision(d)?;
                self.proposals.retain(|p| p.child != d.child);
                self.decisions.push(Decision::new(d, event));
            }
            E::ContactRouted(r) => {
                if !self.decisions.iter().any(|d| d.child == r.child) {
                    return Err(Problem::NotDecided);
                }
                self.routes.push(Routed {
                    child: r.child.clone(),
                    team: r.team.clone(),
                    worker: r.worker.clone(),
                    locality: r.locality.clone(),
                    reason: r.reason,
                    on: event.occurred_at,
                });
            }
            // Resolved before folding; never applied as such.
            E::EventAmended(_) | E::EventRetracted(_) => {}
            _ => return Err(Problem::ChildEventOnContact),
        }
        Ok(())
    }

    /// A payload naming a contact must name this one.
    fn same_contact(&self, contact: &ContactId) -> Result<(), Problem> {
        if *contact == self.id {
            Ok(())
        } else {
            Err(Problem::WrongSubject)
        }
    }

    /// Whether a decision (or a proposal) can be made now.
    fn check_decision(&self, d: &ContactDecided) -> Result<(), Problem> {
        self.same_contact(&d.contact)?;
        if self.is_decided() || self.decisions.iter().any(|x| x.child == d.child) {
            return Err(Problem::AlreadyDecided);
        }
        match &d.child {
            Some(child) if !self.linked_children().any(|c| c == child) => {
                Err(Problem::ChildNotLinked(child.clone()))
            }
            None if needs_child(d.outcome) => Err(Problem::ReferralNeedsChild),
            _ => Ok(()),
        }
    }
}

/// Fold a contact's whole journey (in journal order) into its current state. Corrections
/// work as on a child's journey: amended events take their new date and payload, and
/// retracted ones drop out (a proposal sent back by a manager is retracted).
pub fn fold_contact(id: &ContactId, events: &[Event]) -> Result<ContactState, JourneyError> {
    let mut state = ContactState::new(id.clone());
    for event in effective_events(events)? {
        state.apply(&event)?;
    }
    Ok(state)
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
            Err(IntakeError::new(
                "narrative",
                IntakeProblem::TooLong {
                    max: NARRATIVE_CHARS
                }
            ))
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

    // The one rule for a new contact.

    const TODAY: Date = date(2026, 12, 8);

    fn new_contact() -> NewContact {
        NewContact {
            received_at: OccurredAt::at(RECEIVED, 10, 30),
            source: ReferralSource::Schools,
            intake: intake(),
        }
    }

    fn new_refusal(contact: &NewContact) -> String {
        contact.validate(TODAY).unwrap_err().to_string()
    }

    fn unborn(due: Date) -> GivenPerson {
        GivenPerson {
            date_of_birth: None,
            expected_date_of_birth: Some(due),
            ..person(GivenRole::Unborn)
        }
    }

    #[test]
    fn a_plain_new_contact_is_accepted() {
        assert_eq!(new_contact().validate(TODAY), Ok(()));
        // Received today, about an unborn child alone.
        let mut expecting = new_contact();
        expecting.received_at = OccurredAt::on(TODAY);
        expecting.intake.people = vec![unborn(date(2027, 5, 1))];
        assert_eq!(expecting.validate(TODAY), Ok(()));
    }

    #[test]
    fn a_contact_received_after_today_is_refused() {
        let mut early = new_contact();
        early.received_at = OccurredAt::on(date(2026, 12, 9));
        assert_eq!(new_refusal(&early), "received_at: is after today");
    }

    #[test]
    fn what_the_intake_refuses_the_new_contact_refuses_against_its_received_date() {
        // Born the day after it was received, though before today.
        let mut late = new_contact();
        late.intake.people[1].date_of_birth = Some(TODAY);
        assert_eq!(
            new_refusal(&late),
            "people[1].date_of_birth: is after the contact was received"
        );
        let mut nobody = new_contact();
        nobody.intake.people.clear();
        assert_eq!(new_refusal(&nobody), "people: must not be empty");
    }

    #[test]
    fn a_contact_must_name_a_child() {
        let mut adults = new_contact();
        adults.intake.people = vec![person(GivenRole::Adult), person(GivenRole::Adult)];
        assert_eq!(
            new_refusal(&adults),
            "people: must name at least one child or unborn child"
        );
    }

    #[test]
    fn an_unborn_child_is_due_within_a_pregnancy_of_the_contact() {
        let received = RECEIVED;
        let weeks = |n: i64| jiff::Span::new().weeks(n);
        let mut due = new_contact();
        due.intake.people.push(unborn(
            received.checked_add(weeks(UNBORN_WEEKS_AHEAD)).unwrap(),
        ));
        assert_eq!(due.validate(TODAY), Ok(()));
        due.intake.people[2].expected_date_of_birth = Some(
            received
                .checked_add(weeks(UNBORN_WEEKS_AHEAD))
                .unwrap()
                .tomorrow()
                .unwrap(),
        );
        assert_eq!(
            new_refusal(&due),
            "people[2].expected_date_of_birth: is more than 42 weeks after the contact was received"
        );
        due.intake.people[2].expected_date_of_birth =
            Some(received.checked_sub(weeks(UNBORN_WEEKS_OVERDUE)).unwrap());
        assert_eq!(due.validate(TODAY), Ok(()));
        due.intake.people[2].expected_date_of_birth = Some(
            received
                .checked_sub(weeks(UNBORN_WEEKS_OVERDUE))
                .unwrap()
                .yesterday()
                .unwrap(),
        );
        assert_eq!(
            new_refusal(&due),
            "people[2].expected_date_of_birth: is more than 2 weeks before the contact was received: \
             a child born since is given as a child, with a date of birth"
        );
        // Intake::validate's own rule still comes first.
        due.intake.people[2].expected_date_of_birth = None;
        assert_eq!(
            new_refusal(&due),
            "people[2].expected_date_of_birth: an unborn child needs an expected date of birth"
        );
    }

    #[test]
    fn nobody_is_born_more_than_a_lifetime_before_the_contact() {
        let mut old = new_contact();
        old.intake.people[1].date_of_birth = Some(date(1906, 12, 7));
        assert_eq!(old.validate(TODAY), Ok(()));
        old.intake.people[1].date_of_birth = Some(date(1906, 12, 6));
        assert_eq!(
            new_refusal(&old),
            "people[1].date_of_birth: is more than 120 years before the contact was received"
        );
    }

    #[test]
    fn a_file_refusal_names_its_row_and_column() {
        let cell = IntakeError {
            row: Some(12),
            ..IntakeError::new("nhs_number", IntakeProblem::SameNhsNumber)
        };
        assert_eq!(
            cell.to_string(),
            "row 12, nhs_number: is given for another person in the same contact"
        );
        let row = IntakeError {
            row: Some(3),
            ..IntakeError::new(
                "",
                IntakeProblem::RowLength {
                    found: 2,
                    expected: 24,
                },
            )
        };
        assert_eq!(
            row.to_string(),
            "row 3: has 2 cells where the header has 24"
        );
    }

    #[test]
    fn an_nhs_number_is_given_for_one_person_only() {
        let nhs = NhsNumber::parse("9434765919").unwrap();
        let mut twice = new_contact();
        twice.intake.people[0].nhs_number = Some(nhs.clone());
        twice.intake.people.push(person(GivenRole::Child));
        twice.intake.people[2].nhs_number = Some(NhsNumber::parse("9434765870").unwrap());
        assert_eq!(twice.validate(TODAY), Ok(()));
        twice.intake.people[2].nhs_number = Some(nhs);
        let refusal = new_refusal(&twice);
        assert_eq!(
            refusal,
            "people[2].nhs_number: is given for another person in the same contact"
        );
        assert!(!refusal.contains("943"), "no NHS number in the message");
    }

    // The fold.

    use crate::event::{PartnerCheck, PersonLinked, PersonUnlinked};
    use crate::ids::EventId;

    const K: &str = "CT0000000001";

    fn k() -> ContactId {
        ContactId::parse(K).unwrap()
    }

    /// A contact's journey, written in journal order.
    struct Journey(Vec<Event>);

    impl Journey {
        fn received() -> Journey {
            let mut j = Journey(vec![]);
            j.add(
                "2025-04-17T14:00",
                EventData::ContactReceived(crate::event::ContactReceived {
                    intake: Some(Box::new(intake())),
                    ..crate::event::ContactReceived::new(k(), ReferralSource::Schools)
                }),
            );
            j
        }

        fn add(&mut self, on: &str, data: EventData) -> EventId {
            let id = EventId::parse(&format!("e{}", self.0.len() + 1)).unwrap();
            self.0.push(Event {
                id: id.clone(),
                subject: Subject::Contact(k()),
                occurred_at: OccurredAt::parse(on).unwrap(),
                recorded_at: "2025-05-01T09:00:00Z".parse().unwrap(),
                recorded_by: Actor::parse("jo.screener").unwrap(),
                data,
            });
            id
        }

        fn fold(&self) -> Result<ContactState, Problem> {
            fold_contact(&k(), &self.0).map_err(|e| e.problem)
        }

        fn status(&self) -> ContactStatus {
            self.fold().unwrap().status()
        }
    }

    fn link(given: u8, person: &str) -> EventData {
        EventData::PersonLinked(PersonLinked {
            given,
            person: PersonRef::parse(person).unwrap(),
            created: false,
            weight: Some(12.5),
            model: None,
        })
    }

    fn check(agency: Agency, back: bool) -> EventData {
        let c = PartnerCheck::new(k(), agency, Rag::Amber);
        if back {
            EventData::PartnerCheckReturned(c)
        } else {
            EventData::PartnerCheckRequested(c)
        }
    }

    fn decision(child: Option<&str>, outcome: ContactOutcome) -> ContactDecided {
        ContactDecided {
            child: child.map(|c| ChildId::parse(c).unwrap()),
            reasons: Some(String::from("Threshold met")),
            ..ContactDecided::new(k(), outcome, None)
        }
    }

    #[test]
    fn each_status_in_turn() {
        let mut j = Journey::received();
        assert_eq!(j.status(), ContactStatus::New);
        j.add("2025-04-17T15:00", check(Agency::Police, false));
        assert_eq!(j.status(), ContactStatus::AwaitingChecks);
        j.add("2025-04-17T15:30", link(0, "child:C1"));
        assert_eq!(j.status(), ContactStatus::AwaitingChecks);
        j.add("2025-04-17T18:00", check(Agency::Police, true));
        assert_eq!(j.status(), ContactStatus::AwaitingDecision);
        let proposal = j.add(
            "2025-04-22T09:00",
            EventData::ContactDecisionProposed(decision(
                Some("C1"),
                ContactOutcome::NoFurtherAction,
            )),
        );
        assert_eq!(j.status(), ContactStatus::AwaitingSignOff);
        assert!(ContactStatus::AwaitingSignOff.awaits_decision());
        // The manager sends it back: the proposal is retracted.
        j.add(
            "2025-04-22T09:30",
            EventData::EventRetracted(crate::event::EventRetracted {
                event: proposal,
                reason: String::from("Needs a strategy discussion"),
            }),
        );
        assert_eq!(j.status(), ContactStatus::AwaitingDecision);
        j.add(
            "2025-04-22T10:00",
            EventData::ContactDecided(decision(Some("C1"), ContactOutcome::StrategyDiscussion)),
        );
        let state = j.fold().unwrap();
        assert_eq!(state.status(), ContactStatus::Decided);
        assert_eq!(
            state.decided_on(),
            Some(OccurredAt::parse("2025-04-22T10:00").unwrap())
        );
        assert_eq!(
            state.checks[&Agency::Police].returned,
            Some(OccurredAt::parse("2025-04-17T18:00").unwrap())
        );
        assert_eq!(ContactStatus::Decided.code(), "decided");
    }

    #[test]
    fn linking_alone_starts_screening_and_every_child_needs_a_decision() {
        let mut j = Journey::received();
        j.add("2025-04-17", link(1, "adult:A1"));
        assert_eq!(j.status(), ContactStatus::AwaitingDecision);
        j.add("2025-04-17", link(0, "child:C1"));
        j.add(
            "2025-04-18",
            EventData::ContactDecided(decision(Some("C1"), ContactOutcome::Referral)),
        );
        assert_eq!(j.status(), ContactStatus::Decided);
        // A whole-contact decision of universal services does not close a linked child.
        let mut j = Journey::received();
        j.add("2025-04-17", link(0, "child:C1"));
        j.add(
            "2025-04-18",
            EventData::ContactDecided(decision(None, ContactOutcome::Universal)),
        );
        assert_eq!(j.status(), ContactStatus::AwaitingDecision);
        // No further action for the whole contact closes it.
        let mut j = Journey::received();
        j.add(
            "2025-04-18",
            EventData::ContactDecided(decision(None, ContactOutcome::NoFurtherAction)),
        );
        assert_eq!(j.status(), ContactStatus::Decided);
    }

    #[test]
    fn routing_follows_a_decision_and_unlinking_precedes_one() {
        let mut j = Journey::received();
        j.add("2025-04-17", link(0, "child:C1"));
        let routed = |child: Option<&str>| {
            EventData::ContactRouted(crate::event::ContactRouted {
                child: child.map(|c| ChildId::parse(c).unwrap()),
                team: TeamId::parse("T1").unwrap(),
                worker: None,
                locality: None,
                reason: RouteReason::NoAddress,
            })
        };
        let mut early = Journey(j.0.clone());
        early.add("2025-04-17", routed(Some("C1")));
        assert_eq!(early.fold().unwrap_err(), Problem::NotDecided);
        j.add(
            "2025-04-18",
            EventData::ContactDecided(decision(Some("C1"), ContactOutcome::EarlyHelp)),
        );
        j.add("2025-04-18", routed(Some("C1")));
        assert_eq!(j.fold().unwrap().routes.len(), 1);
        j.add(
            "2025-04-19",
            EventData::PersonUnlinked(PersonUnlinked {
                given: 0,
                person: PersonRef::parse("child:C1").unwrap(),
                reason: String::from("Wrong child"),
            }),
        );
        assert_eq!(j.fold().unwrap_err(), Problem::AlreadyDecided);
    }

    #[test]
    fn refusals_are_named_and_name_nobody() {
        let refused = |data: EventData| {
            let mut j = Journey::received();
            j.add("2025-04-17", link(0, "child:C1"));
            j.add("2025-04-17", check(Agency::Health, false));
            j.add("2025-04-18", data);
            j.fold().unwrap_err()
        };
        assert_eq!(refused(link(2, "child:C2")), Problem::NoSuchGivenPerson(2));
        assert_eq!(refused(link(0, "child:C2")), Problem::AlreadyLinked(0));
        assert_eq!(
            refused(EventData::PersonUnlinked(PersonUnlinked {
                given: 1,
                person: PersonRef::parse("adult:A1").unwrap(),
                reason: String::from("x"),
            })),
            Problem::NotLinked(1)
        );
        assert_eq!(
            refused(check(Agency::Health, false)),
            Problem::CheckAlreadyRequested(Agency::Health)
        );
        assert_eq!(
            refused(check(Agency::Police, true)),
            Problem::CheckNotRequested(Agency::Police)
        );
        assert_eq!(
            refused(EventData::ContactDecided(decision(
                None,
                ContactOutcome::Referral
            ))),
            Problem::ReferralNeedsChild
        );
        assert_eq!(
            refused(EventData::ContactDecided(decision(
                Some("C2"),
                ContactOutcome::Referral
            ))),
            Problem::ChildNotLinked(ChildId::parse("C2").unwrap())
        );
        assert_eq!(
            refused(EventData::ContactReceived(
                crate::event::ContactReceived::new(k(), ReferralSource::Police)
            )),
            Problem::AlreadyReceived
        );
        assert_eq!(
            refused(EventData::Unallocated(crate::event::Empty {})),
            Problem::ChildEventOnContact
        );
        let mut other = Journey::received();
        other.0[0].subject = Subject::Contact(ContactId::parse("CT9").unwrap());
        assert_eq!(other.fold().unwrap_err(), Problem::WrongSubject);
        let mut twice = Journey::received();
        twice.add("2025-04-18", link(0, "child:C1"));
        twice.add(
            "2025-04-18",
            EventData::ContactDecided(decision(Some("C1"), ContactOutcome::Referral)),
        );
        twice.add(
            "2025-04-18",
            EventData::ContactDecided(decision(Some("C1"), ContactOutcome::Referral)),
        );
        assert_eq!(twice.fold().unwrap_err(), Problem::AlreadyDecided);
        let mut first = Journey(vec![]);
        first.add("2025-04-18", link(0, "child:C1"));
        assert_eq!(first.fold().unwrap_err(), Problem::ContactNotReceived);
        // No message quotes what the contact says.
        for p in [
            Problem::NoSuchGivenPerson(2),
            Problem::ReferralNeedsChild,
            Problem::CheckNotRequested(Agency::Police),
        ] {
            assert!(!p.to_string().contains("Sam"), "{p}");
        }
    }

    #[test]
    fn an_amended_check_and_the_state_through_json() {
        let mut j = Journey::received();
        let asked = j.add("2025-04-17T15:00", check(Agency::Police, false));
        j.add(
            "2025-04-18",
            EventData::EventAmended(crate::event::EventAmended {
                event: asked,
                reason: String::from("Asked of health, not police"),
                occurred_at: None,
                amended: Some(Box::new(check(Agency::Health, false))),
            }),
        );
        let state = j.fold().unwrap();
        assert_eq!(
            state.checks.keys().copied().collect::<Vec<_>>(),
            vec![Agency::Health]
        );
        let json = serde_json::to_string(&state).unwrap();
        assert_eq!(serde_json::from_str::<ContactState>(&json).unwrap(), state);
    }
}
