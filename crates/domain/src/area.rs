//! The areas of work DESIGN.md's event vocabulary groups the kinds into (people, the
//! front door, early help, ...), so that a chronology can be narrowed to one of them.

use crate::event::EventData;

/// An area of the event vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Area {
    People,
    FrontDoor,
    EarlyHelp,
    Work,
    ChildInNeed,
    Protection,
    InCare,
    Permanence,
    LeavingCare,
    Corrections,
}

impl Area {
    /// Every area, in the vocabulary's order.
    pub const ALL: [Area; 10] = [
        Area::People,
        Area::FrontDoor,
        Area::EarlyHelp,
        Area::Work,
        Area::ChildInNeed,
        Area::Protection,
        Area::InCare,
        Area::Permanence,
        Area::LeavingCare,
        Area::Corrections,
    ];

    /// The name a query string uses: "front_door".
    pub fn slug(self) -> &'static str {
        match self {
            Area::People => "people",
            Area::FrontDoor => "front_door",
            Area::EarlyHelp => "early_help",
            Area::Work => "work",
            Area::ChildInNeed => "child_in_need",
            Area::Protection => "protection",
            Area::InCare => "in_care",
            Area::Permanence => "permanence",
            Area::LeavingCare => "leaving_care",
            Area::Corrections => "corrections",
        }
    }

    /// The area in words: "Front door".
    pub fn label(self) -> &'static str {
        match self {
            Area::People => "People and relationships",
            Area::FrontDoor => "Front door",
            Area::EarlyHelp => "Early help",
            Area::Work => "Allocation, visits, meetings and notes",
            Area::ChildInNeed => "Child in need",
            Area::Protection => "Child protection",
            Area::InCare => "In care",
            Area::Permanence => "Permanence and adoption",
            Area::LeavingCare => "Leaving care",
            Area::Corrections => "Corrections",
        }
    }

    /// The area named `slug`, if there is one.
    pub fn parse(slug: &str) -> Option<Area> {
        Area::ALL.into_iter().find(|a| a.slug() == slug)
    }

    /// The area an event belongs to.
    pub fn of(data: &EventData) -> Area {
        use EventData as E;
        match data {
            E::PersonRegistered(_)
            | E::PersonAmended(_)
            | E::RelationshipAdded(_)
            | E::RelationshipEnded(_)
            | E::AddressChanged(_)
            | E::PersonsMerged(_)
            | E::PersonsUnmerged(_) => Area::People,
            E::ContactReceived(_)
            | E::PersonLinked(_)
            | E::PersonUnlinked(_)
            | E::PartnerCheckRequested(_)
            | E::PartnerCheckReturned(_)
            | E::ContactDecisionProposed(_)
            | E::ContactDecided(_)
            | E::ContactRouted(_)
            | E::ReferralAccepted(_) => Area::FrontDoor,
            E::EarlyHelpStarted(_)
            | E::EarlyHelpAssessmentCompleted(_)
            | E::FamilyPlanReviewed(_)
            | E::EarlyHelpEnded(_) => Area::EarlyHelp,
            E::Allocated(_)
            | E::Unallocated(_)
            | E::MeetingHeld(_)
            | E::Visit(_)
            | E::CaseNoteRecorded(_) => Area::Work,
            E::AssessmentStarted(_)
            | E::AssessmentCompleted(_)
            | E::CinPlanStarted(_)
            | E::CinPlanReviewed(_)
            | E::CinPlanEnded(_)
            | E::CinClosed(_) => Area::ChildInNeed,
            E::StrategyDiscussion(_)
            | E::S47Started(_)
            | E::S47Completed(_)
            | E::IcpcHeld(_)
            | E::CpPlanStarted(_)
            | E::CoreGroupHeld(_)
            | E::CpReviewHeld(_)
            | E::CpCategoryChanged(_)
            | E::CpPlanEnded(_) => Area::Protection,
            E::LookedAfterStarted(_)
            | E::LegalStatusChanged(_)
            | E::PlacementStarted(_)
            | E::PlacementEnded(_)
            | E::ClaReviewHeld(_)
            | E::IroContact(_)
            | E::HealthAssessment(_)
            | E::DentalCheck(_)
            | E::PepReviewed(_)
            | E::MissingStarted(_)
            | E::MissingEnded(_)
            | E::LookedAfterEnded(_) => Area::InCare,
            E::PermanencePlanSet(_)
            | E::AdmDecision(_)
            | E::PlacementOrder(_)
            | E::AdoptionMatched(_)
            | E::PlacedForAdoption(_)
            | E::AdoptionOrder(_)
            | E::AdoptionDecisionReversed(_) => Area::Permanence,
            E::PersonalAdviserAllocated(_)
            | E::PathwayPlanReviewed(_)
            | E::CareLeaverContact(_) => Area::LeavingCare,
            E::EventAmended(_) | E::EventRetracted(_) => Area::Corrections,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{S47Started, Visit};
    use crate::ids::WorkerId;

    #[test]
    fn each_area_reads_back_from_its_name_and_kinds_fall_in_their_area() {
        for area in Area::ALL {
            assert_eq!(Area::parse(area.slug()), Some(area));
        }
        assert_eq!(Area::parse("nonsense"), None);
        assert_eq!(
            Area::of(&EventData::S47Started(S47Started::default())),
            Area::Protection
        );
        let visit = EventData::Visit(Visit {
            worker: WorkerId::parse("W1").unwrap(),
            seen: true,
            seen_alone: false,
        });
        assert_eq!(Area::of(&visit), Area::Work);
    }
}
