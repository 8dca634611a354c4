//! What the practitioner writes into an event beyond its kind and date: who assessed,
//! how a plan is going, a placement's cost, a health assessment's findings. Drawn from
//! each family's own detail generator (`Sim::detail`), never from the generator that
//! shapes journeys, so filling these fields moves no event and changes no count.
//!
//! The proportions are plausible rather than published: national figures exist for few
//! of them, and those are noted where used.

use crate::random::Rand;
use hearth_domain::amounts::{Pence, Percent, SdqScore};
use hearth_domain::codes::*;
use hearth_domain::event::*;

/// Goals a family plan or a child in need plan commonly sets, without names.
const GOALS: &[&str] = &[
    "School attendance above 90% by the end of term",
    "A settled bedtime and morning routine",
    "Parents complete a parenting programme",
    "Less conflict at home, with a safety plan the family agrees",
    "The children registered with a GP and a dentist",
    "The home kept clean and safe",
    "Help with debts and the tenancy",
    "Support for a parent's mental health through the GP",
    "The young person attends a youth group or activity each week",
    "Parents engage with drug and alcohol services",
];

/// What a review might say has changed.
const SUMMARIES: &[&str] = &[
    "Attendance has improved; the family asks for help with the mornings.",
    "The parenting course is under way. Next review in three months.",
    "Little change since the last review; the plan is simplified.",
    "Housing has been sorted. Keep the plan as it is.",
    "The family missed two meetings; the worker will visit at home.",
    "The children are more settled. Step down is being considered.",
];

fn plan_text(r: &mut Rand, from: &[&str], most: usize) -> LongText {
    let n = 1 + r.below(most);
    let mut picked: Vec<&str> = Vec::with_capacity(n);
    for _ in 0..n {
        if let Some(&line) = r.pick(from)
            && !picked.contains(&line)
        {
            picked.push(line);
        }
    }
    LongText(picked.join("\n"))
}

fn progress(r: &mut Rand) -> PlanProgress {
    r.weighted(&[
        (PlanProgress::Good, 0.35),
        (PlanProgress::Partial, 0.45),
        (PlanProgress::NoProgress, 0.15),
        (PlanProgress::Worse, 0.05),
    ])
    .unwrap_or(PlanProgress::Partial)
}

pub(crate) fn early_help_assessment(r: &mut Rand) -> EarlyHelpAssessmentCompleted {
    let organisation = r.weighted(&[
        (AssessingOrganisation::LocalAuthority, 0.50),
        (AssessingOrganisation::FamilyHub, 0.20),
        (AssessingOrganisation::School, 0.18),
        (AssessingOrganisation::Health, 0.08),
        (AssessingOrganisation::Voluntary, 0.04),
    ]);
    EarlyHelpAssessmentCompleted {
        organisation,
        goals: Some(plan_text(r, GOALS, 3)),
    }
}

pub(crate) fn family_plan_review(r: &mut Rand) -> FamilyPlanReviewed {
    FamilyPlanReviewed {
        progress: Some(progress(r)),
        summary: r.chance(0.4).then(|| plan_text(r, SUMMARIES, 1)),
    }
}

pub(crate) fn cin_plan(r: &mut Rand) -> CinPlanStarted {
    CinPlanStarted {
        outcomes: Some(plan_text(r, GOALS, 2)),
    }
}

pub(crate) fn cin_review(r: &mut Rand) -> CinPlanReviewed {
    CinPlanReviewed {
        progress: Some(progress(r)),
    }
}

/// A plan that ran its course: mostly needs met, sometimes a move.
pub(crate) fn cin_plan_end(r: &mut Rand) -> CinPlanEndReason {
    r.weighted(&[
        (CinPlanEndReason::NeedsMet, 0.9),
        (CinPlanEndReason::Moved, 0.04),
        (CinPlanEndReason::Other, 0.06),
    ])
    .unwrap_or(CinPlanEndReason::NeedsMet)
}

/// Joint enquiries with the police are the usual course for physical and sexual abuse,
/// a minority overall.
pub(crate) fn s47(r: &mut Rand) -> S47Started {
    S47Started {
        joint_with_police: Some(r.chance(0.3)),
    }
}

pub(crate) fn core_group(r: &mut Rand) -> CoreGroupHeld {
    CoreGroupHeld {
        progress: Some(progress(r)),
        parents_attended: Some(r.chance(0.8)),
    }
}

pub(crate) fn iro_contact(r: &mut Rand) -> IroContact {
    IroContact {
        method: r.weighted(&[
            (ContactMethod::InPerson, 0.55),
            (ContactMethod::Video, 0.20),
            (ContactMethod::Phone, 0.15),
            (ContactMethod::Written, 0.10),
        ]),
    }
}

/// A health assessment of a child of `age`: the SDQ is for ages 4 to 16 (OC2
/// `SDQ_REASON` SDQ1 otherwise), with a mean score about 14 for looked-after children.
pub(crate) fn health_assessment(r: &mut Rand, initial: bool, age: i32) -> HealthAssessment {
    let (sdq_score, sdq_reason) = if !(4..=16).contains(&age) {
        (None, Some(SdqReason::OutsideAge))
    } else if r.chance(0.12) {
        let why = r.weighted(&[
            (SdqReason::CarerRefused, 0.3),
            (SdqReason::ChildRefused, 0.3),
            (SdqReason::Disability, 0.1),
            (SdqReason::Other, 0.3),
        ]);
        (None, why)
    } else {
        let score = (14.0 + 7.0 * r.normal()).round().clamp(0.0, 40.0) as u8;
        (SdqScore::new(score).ok(), None)
    };
    HealthAssessment {
        assessment: Some(if initial {
            HealthAssessmentKind::Initial
        } else {
            HealthAssessmentKind::Review
        }),
        immunisations_up_to_date: Some(r.chance(0.85)),
        sdq_score,
        sdq_reason,
        substance_misuse: Some(age >= 11 && r.chance(0.04)),
    }
}

pub(crate) fn dental_check(r: &mut Rand) -> DentalCheck {
    DentalCheck {
        treatment_needed: Some(r.chance(0.2)),
    }
}

/// A term's attendance: most looked-after children attend well; a few rarely do.
pub(crate) fn pep(r: &mut Rand) -> PepReviewed {
    let attendance = if r.chance(0.05) {
        None
    } else {
        let x = (93.0 - (6.0 * r.exponential(1.0)))
            .round()
            .clamp(0.0, 100.0) as u8;
        Percent::new(x).ok()
    };
    PepReviewed { attendance }
}

pub(crate) fn adoption_match(r: &mut Rand) -> AdoptionMatched {
    AdoptionMatched {
        adopters: r.weighted(&[
            (Adopters::MixedCouple, 0.70),
            (Adopters::FemaleCouple, 0.08),
            (Adopters::MaleCouple, 0.07),
            (Adopters::SingleFemale, 0.13),
            (Adopters::SingleMale, 0.02),
        ]),
        foster_carers: Some(r.chance(0.12)),
    }
}

/// Most children come into care with no earlier permanence order.
pub(crate) fn previous_permanence(r: &mut Rand) -> Option<PreviousPermanence> {
    r.weighted(&[
        (PreviousPermanence::NoOrder, 0.86),
        (PreviousPermanence::Unknown, 0.05),
        (PreviousPermanence::SpecialGuardianship, 0.05),
        (PreviousPermanence::Adoption, 0.02),
        (PreviousPermanence::ChildArrangements, 0.02),
    ])
}

/// A week's cost of a placement of `kind` from `provider`, in pounds: the council's own
/// foster carers cost least, agency fostering about twice that, children's homes
/// several thousand, secure homes most. Temporary placements and those with parents or
/// adopters carry no placement cost of their own.
pub(crate) fn weekly_cost(
    r: &mut Rand,
    kind: PlacementType,
    provider: PlacementProvider,
) -> Option<Pence> {
    use PlacementType as P;
    let (median, spread) = match kind {
        P::WithParents
        | P::AdoptionConsentCurrentCarer
        | P::AdoptionConsentOther
        | P::AdoptionOrderCurrentCarer
        | P::AdoptionOrderOther => return Some(Pence(0)),
        P::TemporaryMove
        | P::TemporaryHospital
        | P::TemporaryChildHoliday
        | P::TemporaryCarerHoliday
        | P::TemporaryOther
        | P::YoungOffenderInstitution
        | P::Other => return None,
        P::FosterRelativeLongTerm | P::FosterRelativeFfa | P::FosterRelativeOther => (320.0, 0.2),
        P::FosterLongTerm | P::FosterFfa | P::FosterOther => match provider {
            PlacementProvider::OwnLa => (480.0, 0.2),
            _ => (950.0, 0.15),
        },
        P::SecureChildrensHome => (8_500.0, 0.15),
        P::ChildrensHome | P::ResidentialCareHome => (5_500.0, 0.3),
        P::ResidentialSchool => (4_000.0, 0.3),
        P::FamilyCentre => (3_000.0, 0.25),
        P::NhsEstablishment => (4_500.0, 0.3),
        _ => (1_300.0, 0.3),
    };
    let pounds = r.lognormal(median, spread);
    // Costs are quoted to the pound.
    Some(Pence(pounds.round() as u32 * 100))
}
