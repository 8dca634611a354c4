//! The event vocabulary of a child's (or family's) journey. The names are a contract
//! (DESIGN.md): one event a line in `hearth journal export`, as
//! `{"id", "subject", "occurred_at", "recorded_at", "recorded_by", "kind", "data"}`.

use crate::amounts::{Pence, Percent, SdqScore};
use crate::codes::*;
use crate::contact::Intake;
use crate::identifiers::Postcode;
use crate::ids::{
    Actor, AdultId, ChildId, ContactId, EventId, FamilyId, PersonRef, ReferralId, Subject, TeamId,
    WorkerId,
};
use crate::people::{Address, PersonChanges, PersonDetails};
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The business date (and, where it matters, time to the minute) an event happened:
/// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct OccurredAt {
    pub date: Date,
    pub time: Option<Time>,
}

#[cfg(feature = "openapi")]
text_schema!(
    OccurredAt,
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2})?$",
    "The business date, and where it matters the time: YYYY-MM-DD or YYYY-MM-DDTHH:MM."
);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM)")]
pub struct BadOccurredAt(String);

impl OccurredAt {
    pub fn on(date: Date) -> Self {
        OccurredAt { date, time: None }
    }

    pub fn at(date: Date, hour: i8, minute: i8) -> Self {
        OccurredAt {
            date,
            time: Time::new(hour, minute, 0, 0).ok(),
        }
    }

    pub fn parse(value: &str) -> Result<Self, BadOccurredAt> {
        let bad = || BadOccurredAt(value.to_owned());
        let (d, t) = match value.split_once('T') {
            Some((d, t)) => (d, Some(t)),
            None => (value, None),
        };
        if d.len() != 10 {
            return Err(bad());
        }
        let date: Date = d.parse().map_err(|_| bad())?;
        let time = match t {
            None => None,
            Some(t) if t.len() == 5 => {
                let time: Time = t.parse().map_err(|_| bad())?;
                Some(time)
            }
            Some(_) => return Err(bad()),
        };
        Ok(OccurredAt { date, time })
    }
}

/// Written as its `Display` text, straight into the output (no `String` made).
impl Serialize for OccurredAt {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for OccurredAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.time {
            None => write!(f, "{}", self.date),
            Some(t) => write!(f, "{}T{:02}:{:02}", self.date, t.hour(), t.minute()),
        }
    }
}
impl TryFrom<String> for OccurredAt {
    type Error = BadOccurredAt;
    fn try_from(value: String) -> Result<Self, BadOccurredAt> {
        OccurredAt::parse(&value)
    }
}
impl From<OccurredAt> for String {
    fn from(o: OccurredAt) -> String {
        o.to_string()
    }
}

/// One event on a journey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub id: EventId,
    pub subject: Subject,
    pub occurred_at: OccurredAt,
    pub recorded_at: Timestamp,
    pub recorded_by: Actor,
    #[serde(flatten)]
    pub data: EventData,
}

impl Event {
    pub fn kind(&self) -> &'static str {
        self.data.kind()
    }

    pub fn date(&self) -> Date {
        self.occurred_at.date
    }
}

/// The typed payload of each kind of event. Serialised adjacently tagged as
/// `"kind": "...", "data": {...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum EventData {
    // people
    PersonRegistered(PersonRegistered),
    PersonAmended(PersonAmended),
    RelationshipAdded(Relationship),
    RelationshipEnded(Relationship),
    AddressChanged(AddressChanged),
    PersonsMerged(PersonsMerged),
    PersonsUnmerged(PersonsMerged),
    // front door
    ContactReceived(ContactReceived),
    PersonLinked(PersonLinked),
    PersonUnlinked(PersonUnlinked),
    PartnerCheckRequested(PartnerCheck),
    PartnerCheckReturned(PartnerCheck),
    ContactDecisionProposed(ContactDecided),
    ContactDecided(ContactDecided),
    ContactRouted(ContactRouted),
    ReferralAccepted(ReferralAccepted),
    // early help
    EarlyHelpStarted(EarlyHelpStarted),
    EarlyHelpAssessmentCompleted(EarlyHelpAssessmentCompleted),
    FamilyPlanReviewed(FamilyPlanReviewed),
    EarlyHelpEnded(EarlyHelpEnded),
    // work
    Allocated(Allocated),
    Unallocated(Empty),
    MeetingHeld(MeetingHeld),
    Visit(Visit),
    CaseNoteRecorded(CaseNote),
    // child in need
    AssessmentStarted(AssessmentStarted),
    AssessmentCompleted(AssessmentCompleted),
    CinPlanStarted(CinPlanStarted),
    CinPlanReviewed(CinPlanReviewed),
    CinPlanEnded(CinPlanEnded),
    CinClosed(CinClosed),
    // protection
    StrategyDiscussion(StrategyDiscussion),
    S47Started(S47Started),
    S47Completed(S47Completed),
    IcpcHeld(IcpcHeld),
    CpPlanStarted(CpCategory),
    CoreGroupHeld(CoreGroupHeld),
    CpReviewHeld(CpReviewHeld),
    CpCategoryChanged(CpCategory),
    CpPlanEnded(Empty),
    // in care
    LookedAfterStarted(LookedAfterStarted),
    LegalStatusChanged(LegalStatusChanged),
    PlacementStarted(PlacementStarted),
    PlacementEnded(PlacementEnded),
    ClaReviewHeld(ClaReviewHeld),
    IroContact(IroContact),
    HealthAssessment(HealthAssessment),
    DentalCheck(DentalCheck),
    PepReviewed(PepReviewed),
    MissingStarted(MissingStarted),
    MissingEnded(MissingEnded),
    LookedAfterEnded(LookedAfterEnded),
    // permanence
    PermanencePlanSet(PermanencePlanSet),
    AdmDecision(Empty),
    PlacementOrder(Empty),
    AdoptionMatched(AdoptionMatched),
    PlacedForAdoption(Empty),
    AdoptionOrder(Empty),
    AdoptionDecisionReversed(AdoptionDecisionReversed),
    // leaving care
    PersonalAdviserAllocated(PersonalAdviserAllocated),
    PathwayPlanReviewed(PathwayPlanReviewed),
    CareLeaverContact(CareLeaverContact),
    // corrections
    EventAmended(EventAmended),
    EventRetracted(EventRetracted),
}

/// A payload with no fields: `"data": {}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// On a child's journey, registers the child; on a family's journey, registers an adult
/// member (`adult` is then required) or records the family itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PersonRegistered {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adult: Option<AdultId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<FamilyId>,
    #[serde(flatten)]
    pub details: PersonDetails,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PersonAmended {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adult: Option<AdultId>,
    #[serde(flatten)]
    pub changes: PersonChanges,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Relationship {
    pub from: PersonRef,
    pub to: PersonRef,
    pub relationship: RelationshipKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddressChanged {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adult: Option<AdultId>,
    pub address: Address,
}

/// Recorded on both children's journeys: `duplicate` was the same child as the survivor.
/// On the survivor's journey `survivor` is absent; on the duplicate's it names the
/// survivor. Merges written before the duplicate's journey carried one have it absent.
/// `reason` says why the records were judged the same child (or, on an unmerge, why
/// they were not), so a wrong merge can be traced; merges written before it have none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PersonsMerged {
    pub duplicate: ChildId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survivor: Option<ChildId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl PersonsMerged {
    /// The survivor's side of a merge.
    pub fn new(duplicate: ChildId) -> Self {
        PersonsMerged {
            duplicate,
            survivor: None,
            reason: None,
        }
    }
}

/// On a contact's journey, what the contact says (`intake`); on a child's journey, a
/// mirror naming the contact and its source only: the child's journey does not copy the
/// other people's details. Contacts recorded before intakes existed have none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactReceived {
    pub contact: ContactId,
    pub source: ReferralSource,
    /// Boxed: an intake is large, and most events in a journal are not contacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intake: Option<Box<Intake>>,
}

impl ContactReceived {
    /// A contact received with no intake: a child's mirror, or a contact recorded
    /// before intakes existed.
    pub fn new(contact: ContactId, source: ReferralSource) -> Self {
        ContactReceived {
            contact,
            source,
            intake: None,
        }
    }
}

/// On a contact's journey: the person given at `given` (an index into the intake's
/// `people`) is `person`, found (`created` false) or newly registered. A matched link
/// keeps the match `weight` and the `model` that scored it, so links can train it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PersonLinked {
    pub given: u8,
    pub person: PersonRef,
    pub created: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

/// On a contact's journey: an earlier link was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PersonUnlinked {
    pub given: u8,
    pub person: PersonRef,
    pub reason: String,
}

/// A check asked of a partner agency (`partner_check_requested`) or its answer
/// (`partner_check_returned`, which alone may carry `findings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PartnerCheck {
    pub contact: ContactId,
    pub agency: Agency,
    pub rag: Rag,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings: Option<String>,
}

impl PartnerCheck {
    pub fn new(contact: ContactId, agency: Agency, rag: Rag) -> Self {
        PartnerCheck {
            contact,
            agency,
            rag,
            findings: None,
        }
    }
}

/// The front door's decision on a contact (`contact_decided`), or a decision awaiting a
/// manager's sign-off (`contact_decision_proposed`, same payload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactDecided {
    pub contact: ContactId,
    pub outcome: ContactOutcome,
    /// The authority's level of need (preset data, e.g. "3b"); absent for NFA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// On a contact's journey, the child this decision is for (one decision per child);
    /// absent for a contact with no child linked, and on the child's own journey.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child: Option<ChildId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasons: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_need: Option<PrimaryNeed>,
    /// Who proposed a decision that a manager signed off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_by: Option<Actor>,
}

impl ContactDecided {
    pub fn new(contact: ContactId, outcome: ContactOutcome, level: Option<String>) -> Self {
        ContactDecided {
            contact,
            outcome,
            level,
            child: None,
            reasons: None,
            primary_need: None,
            proposed_by: None,
        }
    }
}

/// On a contact's journey: the team (and worker) a decided contact went to, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactRouted {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child: Option<ChildId>,
    pub team: TeamId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<WorkerId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    pub reason: RouteReason,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReferralAccepted {
    pub referral: ReferralId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactId>,
    pub source: ReferralSource,
    pub primary_need: PrimaryNeed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EarlyHelpStarted {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<FamilyId>,
    /// True when the child comes down from social care (step down).
    #[serde(default)]
    pub step_down: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EarlyHelpEnded {
    pub reason: EarlyHelpEndReason,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Allocated {
    pub worker: WorkerId,
    pub team: TeamId,
    /// Why the child's worker is changing, when a manager moves them to another (on a
    /// step up or down, say); none for a first allocation. Optional, so allocations
    /// recorded before it was asked for still read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MeetingHeld {
    pub meeting: MeetingKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Visit {
    pub worker: WorkerId,
    pub seen: bool,
    pub seen_alone: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssessmentCompleted {
    pub factors: Vec<AssessmentFactor>,
    /// Whether the child was assessed as needing children's social care services.
    pub services_needed: bool,
    /// Whether the child was seen during the assessment (Annex A list 4); absent on
    /// assessments recorded before it was asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_seen: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CinClosed {
    pub reason: ReasonForClosure,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StrategyDiscussion {
    /// Whether the discussion decided to start a section 47 enquiry.
    pub s47: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct S47Completed {
    /// Whether an initial child protection conference is needed.
    pub icpc_required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IcpcHeld {
    /// Whether the conference decided on a child protection plan.
    pub plan: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CpCategory {
    pub category: CategoryOfAbuse,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CpReviewHeld {
    /// Whether the plan continues (false: the conference ended it).
    pub continue_plan: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LookedAfterStarted {
    pub legal_status: LegalStatus,
    pub category_of_need: PrimaryNeed,
    #[serde(default)]
    pub uasc: bool,
    /// The permanence order the child had before this period of care (SSDA903
    /// `PREV_PERM`), where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_permanence: Option<PreviousPermanence>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LegalStatusChanged {
    pub legal_status: LegalStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlacementStarted {
    pub placement_type: PlacementType,
    pub provider: PlacementProvider,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<Postcode>,
    /// Ofsted unique reference number of the provision, where it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urn: Option<String>,
    /// What the placement costs a week.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_cost: Option<Pence>,
    /// Whether the child stays with the same carers (the carers moved, or the placement
    /// became an adoption placement): SSDA903 `RNE` is then T or U rather than P or B.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_carers: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlacementEnded {
    pub reason: ReasonPlaceChange,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClaReviewHeld {
    pub participation: ReviewParticipation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MissingStarted {
    pub missing: MissingKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MissingEnded {
    pub return_interview_offered: bool,
    pub return_interview_accepted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LookedAfterEnded {
    pub reason: ReasonCeased,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PermanencePlanSet {
    pub plan: PermanencePlan,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdoptionDecisionReversed {
    pub reason: AdoptionReversalReason,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PersonalAdviserAllocated {
    pub adviser: WorkerId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CareLeaverContact {
    pub in_touch: InTouch,
    pub activity: Activity,
    pub accommodation: Accommodation,
}

/// Text written as paragraphs, asked for in a text area: a case note's narrative.
/// Lines end in LF (a form's CR LF is read as LF).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct LongText(pub String);

impl LongText {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A case note on a child's journey: the practitioner's record of one contact with the
/// child or family, dated (and timed) by the event's `occurred_at`. A note never counts
/// as a statutory visit: a visit is recorded as a `visit`, which the clocks read. A
/// note is corrected by `event_amended`, or retracted with a reason when it was written
/// on the wrong child's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaseNote {
    /// What kind of contact it was.
    pub contact_type: NoteContact,
    pub narrative: LongText,
    /// Who was present, as the worker writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present: Option<String>,
    pub seen: bool,
    pub seen_alone: bool,
    /// The child's own words: their wishes and feelings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_words: Option<LongText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strengths: Option<LongText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worries: Option<LongText>,
    /// The worker's analysis: what it means for the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<LongText>,
}

impl CaseNote {
    /// The note's free text, section by section, as a search reads it.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        [Some(self.narrative.as_str()), self.present.as_deref()]
            .into_iter()
            .chain(
                [
                    &self.child_words,
                    &self.strengths,
                    &self.worries,
                    &self.analysis,
                ]
                .into_iter()
                .map(|t| t.as_ref().map(LongText::as_str)),
            )
            .flatten()
    }
}

// The payloads below were empty (`{}`) until 2026-12; every field is optional, so
// events recorded before then still read, and write back as `{}`.

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EarlyHelpAssessmentCompleted {
    /// Who completed the assessment (Annex A list 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<AssessingOrganisation>,
    /// The goals of the family plan agreed from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goals: Option<LongText>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FamilyPlanReviewed {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<PlanProgress>,
    /// What has changed, and what happens next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<LongText>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssessmentStarted {
    /// The worker carrying out the assessment (Annex A list 4 "Allocated Worker").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<WorkerId>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CinPlanStarted {
    /// What the plan is to achieve for the child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcomes: Option<LongText>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CinPlanReviewed {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<PlanProgress>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CinPlanEnded {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<CinPlanEndReason>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct S47Started {
    /// Whether the police carry out the enquiry jointly with children's social care.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joint_with_police: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CoreGroupHeld {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<PlanProgress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parents_attended: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IroContact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<ContactMethod>,
}

/// A looked-after child's health assessment, with what SSDA903 OC2 asks of the year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HealthAssessment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment: Option<HealthAssessmentKind>,
    /// OC2 `IMMUNISATIONS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub immunisations_up_to_date: Option<bool>,
    /// OC2 `SDQ_SCORE`: the latest strengths and difficulties questionnaire's score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdq_score: Option<SdqScore>,
    /// OC2 `SDQ_REASON`: why there is no score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdq_reason: Option<SdqReason>,
    /// OC2 `SUBSTANCE_MISUSE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substance_misuse: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DentalCheck {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub treatment_needed: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PepReviewed {
    /// The child's school attendance over the term, as a percentage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendance: Option<Percent>,
}

/// SSDA903 AD1 asks who the adopters are and whether they were the child's foster carers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdoptionMatched {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adopters: Option<Adopters>,
    /// AD1 `FOSTER_CARE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foster_carers: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PathwayPlanReviewed {
    /// Annex A list 9 "Eligibility Category".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eligibility: Option<CareLeaverEligibility>,
}

/// Replaces an earlier event's date and/or payload. The replacement must be of the same
/// kind as the event it amends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EventAmended {
    pub event: EventId,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<OccurredAt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    // A reference back to the schema being built: collecting the schemas it names would
    // not end.
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub amended: Option<Box<EventData>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EventRetracted {
    pub event: EventId,
    pub reason: String,
}

impl EventData {
    /// The contract name of this kind of event (DESIGN.md).
    pub fn kind(&self) -> &'static str {
        use EventData::*;
        match self {
            PersonRegistered(_) => "person_registered",
            PersonAmended(_) => "person_amended",
            RelationshipAdded(_) => "relationship_added",
            RelationshipEnded(_) => "relationship_ended",
            AddressChanged(_) => "address_changed",
            PersonsMerged(_) => "persons_merged",
            PersonsUnmerged(_) => "persons_unmerged",
            ContactReceived(_) => "contact_received",
            PersonLinked(_) => "person_linked",
            PersonUnlinked(_) => "person_unlinked",
            PartnerCheckRequested(_) => "partner_check_requested",
            PartnerCheckReturned(_) => "partner_check_returned",
            ContactDecisionProposed(_) => "contact_decision_proposed",
            ContactDecided(_) => "contact_decided",
            ContactRouted(_) => "contact_routed",
            ReferralAccepted(_) => "referral_accepted",
            EarlyHelpStarted(_) => "early_help_started",
            EarlyHelpAssessmentCompleted(_) => "early_help_assessment_completed",
            FamilyPlanReviewed(_) => "family_plan_reviewed",
            EarlyHelpEnded(_) => "early_help_ended",
            Allocated(_) => "allocated",
            Unallocated(_) => "unallocated",
            MeetingHeld(_) => "meeting_held",
            Visit(_) => "visit",
            CaseNoteRecorded(_) => "case_note_recorded",
            AssessmentStarted(_) => "assessment_started",
            AssessmentCompleted(_) => "assessment_completed",
            CinPlanStarted(_) => "cin_plan_started",
            CinPlanReviewed(_) => "cin_plan_reviewed",
            CinPlanEnded(_) => "cin_plan_ended",
            CinClosed(_) => "cin_closed",
            StrategyDiscussion(_) => "strategy_discussion",
            S47Started(_) => "s47_started",
            S47Completed(_) => "s47_completed",
            IcpcHeld(_) => "icpc_held",
            CpPlanStarted(_) => "cp_plan_started",
            CoreGroupHeld(_) => "core_group_held",
            CpReviewHeld(_) => "cp_review_held",
            CpCategoryChanged(_) => "cp_category_changed",
            CpPlanEnded(_) => "cp_plan_ended",
            LookedAfterStarted(_) => "looked_after_started",
            LegalStatusChanged(_) => "legal_status_changed",
            PlacementStarted(_) => "placement_started",
            PlacementEnded(_) => "placement_ended",
            ClaReviewHeld(_) => "cla_review_held",
            IroContact(_) => "iro_contact",
            HealthAssessment(_) => "health_assessment",
            DentalCheck(_) => "dental_check",
            PepReviewed(_) => "pep_reviewed",
            MissingStarted(_) => "missing_started",
            MissingEnded(_) => "missing_ended",
            LookedAfterEnded(_) => "looked_after_ended",
            PermanencePlanSet(_) => "permanence_plan_set",
            AdmDecision(_) => "adm_decision",
            PlacementOrder(_) => "placement_order",
            AdoptionMatched(_) => "adoption_matched",
            PlacedForAdoption(_) => "placed_for_adoption",
            AdoptionOrder(_) => "adoption_order",
            AdoptionDecisionReversed(_) => "adoption_decision_reversed",
            PersonalAdviserAllocated(_) => "personal_adviser_allocated",
            PathwayPlanReviewed(_) => "pathway_plan_reviewed",
            CareLeaverContact(_) => "care_leaver_contact",
            EventAmended(_) => "event_amended",
            EventRetracted(_) => "event_retracted",
        }
    }

    pub fn is_correction(&self) -> bool {
        matches!(
            self,
            EventData::EventAmended(_) | EventData::EventRetracted(_)
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn event(subject: &str, data: EventData) -> Event {
        Event {
            id: EventId::parse("e1").unwrap(),
            subject: Subject::parse(subject).unwrap(),
            occurred_at: OccurredAt::parse("2026-12-07T10:30").unwrap(),
            recorded_at: "2026-12-07T10:31:00Z".parse().unwrap(),
            recorded_by: Actor::parse("sam.patel").unwrap(),
            data,
        }
    }

    fn round_trip(event: &Event) -> String {
        let json = serde_json::to_string(event).unwrap();
        let back: Event = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, event);
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        json
    }

    fn contact() -> ContactId {
        ContactId::parse("CT0123456789").unwrap()
    }

    fn child() -> ChildId {
        ChildId::parse("C1").unwrap()
    }

    #[test]
    fn every_new_payload_round_trips_with_its_kind() {
        let on_contact = [
            (
                "contact_received",
                EventData::ContactReceived(ContactReceived {
                    intake: Some(Box::new(crate::contact::tests::intake())),
                    ..ContactReceived::new(contact(), ReferralSource::Schools)
                }),
            ),
            (
                "person_linked",
                EventData::PersonLinked(PersonLinked {
                    given: 1,
                    person: PersonRef::parse("adult:A7").unwrap(),
                    created: false,
                    weight: Some(14.25),
                    model: Some(String::from("fs-2026-12")),
                }),
            ),
            (
                "person_unlinked",
                EventData::PersonUnlinked(PersonUnlinked {
                    given: 0,
                    person: PersonRef::Child(child()),
                    reason: String::from("a different child of the same name"),
                }),
            ),
            (
                "partner_check_returned",
                EventData::PartnerCheckReturned(PartnerCheck {
                    findings: Some(String::from("Known to police: two call-outs")),
                    ..PartnerCheck::new(contact(), Agency::Police, Rag::Red)
                }),
            ),
            (
                "contact_decision_proposed",
                EventData::ContactDecisionProposed(ContactDecided {
                    child: Some(child()),
                    reasons: Some(String::from("Threshold for a referral met")),
                    primary_need: Some(PrimaryNeed::AbuseOrNeglect),
                    ..ContactDecided::new(contact(), ContactOutcome::Referral, Some("4".into()))
                }),
            ),
            (
                "contact_decided",
                EventData::ContactDecided(ContactDecided {
                    child: Some(child()),
                    proposed_by: Some(Actor::parse("jo.screener").unwrap()),
                    ..ContactDecided::new(contact(), ContactOutcome::Universal, None)
                }),
            ),
            (
                "contact_routed",
                EventData::ContactRouted(ContactRouted {
                    child: Some(child()),
                    team: TeamId::parse("T1").unwrap(),
                    worker: Some(WorkerId::parse("W1").unwrap()),
                    locality: Some(String::from("North")),
                    reason: RouteReason::ExistingWorker,
                }),
            ),
        ];
        for (kind, data) in on_contact {
            let e = event("contact:CT0123456789", data);
            assert_eq!(e.kind(), kind);
            let json = round_trip(&e);
            assert!(json.contains(&format!("\"kind\":\"{kind}\"")), "{json}");
        }
        let merged = event(
            "child:C2",
            EventData::PersonsMerged(PersonsMerged {
                survivor: Some(child()),
                ..PersonsMerged::new(ChildId::parse("C2").unwrap())
            }),
        );
        assert!(round_trip(&merged).contains(r#""data":{"duplicate":"C2","survivor":"C1"}"#));
    }

    #[test]
    fn absent_new_fields_are_not_written() {
        let mirror = event(
            "child:C1",
            EventData::ContactReceived(ContactReceived::new(contact(), ReferralSource::Police)),
        );
        assert!(round_trip(&mirror).ends_with(
            r#""kind":"contact_received","data":{"contact":"CT0123456789","source":"6"}}"#
        ));
        let decided = event(
            "child:C1",
            EventData::ContactDecided(ContactDecided::new(
                contact(),
                ContactOutcome::NoFurtherAction,
                None,
            )),
        );
        assert!(
            round_trip(&decided).ends_with(r#""data":{"contact":"CT0123456789","outcome":"nfa"}}"#)
        );
    }

    #[test]
    fn an_unknown_field_on_a_new_payload_is_refused() {
        let line = r#"{"id":"e1","subject":"contact:K1","occurred_at":"2026-12-07","recorded_at":"2026-12-07T10:31:00Z","recorded_by":"x","kind":"contact_routed","data":{"team":"T1","reason":"locality","colour":"red"}}"#;
        assert!(serde_json::from_str::<Event>(line).is_err());
        let ok = line.replace(r#","colour":"red""#, "");
        assert!(serde_json::from_str::<Event>(&ok).is_ok());
    }
}
