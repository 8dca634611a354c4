//! The event vocabulary of a child's (or family's) journey. The names are a contract
//! (DESIGN.md): one event a line in `hearth journal export`, as
//! `{"id", "subject", "occurred_at", "recorded_at", "recorded_by", "kind", "data"}`.

use crate::codes::*;
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
    PartnerCheckRequested(PartnerCheck),
    PartnerCheckReturned(PartnerCheck),
    ContactDecided(ContactDecided),
    ReferralAccepted(ReferralAccepted),
    // early help
    EarlyHelpStarted(EarlyHelpStarted),
    EarlyHelpAssessmentCompleted(Empty),
    FamilyPlanReviewed(Empty),
    EarlyHelpEnded(EarlyHelpEnded),
    // work
    Allocated(Allocated),
    Unallocated(Empty),
    MeetingHeld(MeetingHeld),
    Visit(Visit),
    // child in need
    AssessmentStarted(Empty),
    AssessmentCompleted(AssessmentCompleted),
    CinPlanStarted(Empty),
    CinPlanReviewed(Empty),
    CinPlanEnded(Empty),
    CinClosed(CinClosed),
    // protection
    StrategyDiscussion(StrategyDiscussion),
    S47Started(Empty),
    S47Completed(S47Completed),
    IcpcHeld(IcpcHeld),
    CpPlanStarted(CpCategory),
    CoreGroupHeld(Empty),
    CpReviewHeld(CpReviewHeld),
    CpCategoryChanged(CpCategory),
    CpPlanEnded(Empty),
    // in care
    LookedAfterStarted(LookedAfterStarted),
    LegalStatusChanged(LegalStatusChanged),
    PlacementStarted(PlacementStarted),
    PlacementEnded(PlacementEnded),
    ClaReviewHeld(ClaReviewHeld),
    IroContact(Empty),
    HealthAssessment(Empty),
    DentalCheck(Empty),
    PepReviewed(Empty),
    MissingStarted(MissingStarted),
    MissingEnded(MissingEnded),
    LookedAfterEnded(LookedAfterEnded),
    // permanence
    PermanencePlanSet(PermanencePlanSet),
    AdmDecision(Empty),
    PlacementOrder(Empty),
    AdoptionMatched(Empty),
    PlacedForAdoption(Empty),
    AdoptionOrder(Empty),
    AdoptionDecisionReversed(AdoptionDecisionReversed),
    // leaving care
    PersonalAdviserAllocated(PersonalAdviserAllocated),
    PathwayPlanReviewed(Empty),
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

/// Recorded on the surviving child's journey: `duplicate` was the same child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PersonsMerged {
    pub duplicate: ChildId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactReceived {
    pub contact: ContactId,
    pub source: ReferralSource,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PartnerCheck {
    pub contact: ContactId,
    pub agency: Agency,
    pub rag: Rag,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactDecided {
    pub contact: ContactId,
    pub outcome: ContactOutcome,
    /// The authority's level of need (preset data, e.g. "3b"); absent for NFA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
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
            PartnerCheckRequested(_) => "partner_check_requested",
            PartnerCheckReturned(_) => "partner_check_returned",
            ContactDecided(_) => "contact_decided",
            ReferralAccepted(_) => "referral_accepted",
            EarlyHelpStarted(_) => "early_help_started",
            EarlyHelpAssessmentCompleted(_) => "early_help_assessment_completed",
            FamilyPlanReviewed(_) => "family_plan_reviewed",
            EarlyHelpEnded(_) => "early_help_ended",
            Allocated(_) => "allocated",
            Unallocated(_) => "unallocated",
            MeetingHeld(_) => "meeting_held",
            Visit(_) => "visit",
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
