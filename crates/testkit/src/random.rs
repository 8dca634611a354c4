//! A generator of valid child journeys for property tests (proptest strategies), used by
//! the domain's fold and obligations properties and the store's rebuild properties.
//!
//! It keeps its own small model of the rules in DESIGN.md — written independently of
//! `hearth_domain::journey` — and at each step offers only the events that can happen in
//! the state the model has reached, so every journey it builds should fold. It can also
//! offer a next event that cannot happen, with the rule that event breaks.
//!
//! A journey is driven by a list of `Step`s (plain numbers), so proptest shrinks a
//! failing journey by shrinking the list.

use hearth_domain::amounts::*;
use hearth_domain::codes::*;
use hearth_domain::event::*;
use hearth_domain::ids::*;
use hearth_domain::journey::Problem;
use hearth_domain::people::{Address, Name, PersonChanges, PersonDetails};
use jiff::Timestamp;
use jiff::ToSpan;
use jiff::civil::{Date, date};
use proptest::prelude::*;

/// One step of a journey: which of the possible next events (`pick`), how many days
/// after the previous event (`gap`; often 0, so same-day order is exercised), and a
/// number the event's payload is chosen from (`param`).
#[derive(Debug, Clone, Copy)]
pub struct Step {
    pub pick: u16,
    pub gap: u8,
    pub param: u8,
}

pub fn step() -> impl Strategy<Value = Step> {
    (
        any::<u16>(),
        prop_oneof![2 => Just(0u8), 3 => 1u8..=40],
        any::<u8>(),
    )
        .prop_map(|(pick, gap, param)| Step { pick, gap, param })
}

/// The seed of one child's journey: date of birth (days after 2006-01-01), days from
/// birth to registration, and the steps after registration.
#[derive(Debug, Clone)]
pub struct Seed {
    pub born: u16,
    pub registered: u16,
    pub steps: Vec<Step>,
}

pub fn seed(max_steps: usize) -> impl Strategy<Value = Seed> {
    (
        0u16..4000,
        0u16..2500,
        prop::collection::vec(step(), 0..=max_steps),
    )
        .prop_map(|(born, registered, steps)| Seed {
            born,
            registered,
            steps,
        })
}

/// Build the journey of `child` from `seed`.
pub fn journey(child: &str, seed: &Seed) -> Journey {
    let mut j = Journey::new(child, seed.born, seed.registered);
    for s in &seed.steps {
        j.step(*s);
    }
    j
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CinModel {
    pub assessment: bool,
    pub plan: bool,
    /// A strategy discussion decided on a s47 enquiry not yet started.
    pub strategy: bool,
    pub s47: bool,
    pub s47s: u32,
    /// An ICPC decided on a plan that has not started.
    pub icpc_plan: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LaModel {
    pub placement: bool,
    pub missing: bool,
    pub adoption_decision: bool,
}

/// What the journey has reached, as the model sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Model {
    pub open_contacts: Vec<ContactId>,
    pub early_help: bool,
    pub cin: Option<CinModel>,
    pub cp: bool,
    pub la: Option<LaModel>,
    pub ever_la: bool,
    pub care_leaver: bool,
    pub allocated: bool,
    pub cp_plans: u32,
    pub placements: u32,
    pub referrals: u32,
    pub contacts: u32,
}

/// The kinds of event the generator offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum K {
    ContactReceived,
    PartnerCheckRequested,
    PartnerCheckReturned,
    ContactDecided,
    ReferralAccepted,
    EarlyHelpStarted,
    EarlyHelpAssessmentCompleted,
    FamilyPlanReviewed,
    EarlyHelpEnded,
    Allocated,
    Unallocated,
    MeetingHeld,
    Visit,
    AssessmentStarted,
    AssessmentCompleted,
    CinPlanStarted,
    CinPlanReviewed,
    CinPlanEnded,
    CinClosed,
    StrategyDiscussion,
    S47Started,
    S47Completed,
    IcpcHeld,
    CpPlanStarted,
    CoreGroupHeld,
    CpReviewHeld,
    CpCategoryChanged,
    CpPlanEnded,
    LookedAfterStarted,
    LegalStatusChanged,
    PlacementStarted,
    PlacementEnded,
    ClaReviewHeld,
    IroContact,
    HealthAssessment,
    DentalCheck,
    PepReviewed,
    MissingStarted,
    MissingEnded,
    LookedAfterEnded,
    PermanencePlanSet,
    AdmDecision,
    PlacementOrder,
    AdoptionMatched,
    PlacedForAdoption,
    AdoptionOrder,
    AdoptionDecisionReversed,
    PersonalAdviserAllocated,
    PathwayPlanReviewed,
    CareLeaverContact,
    PersonAmended,
    AddressChanged,
}

/// `value` for an odd `p`, so an optional field is filled about half the time. Fields
/// a form requires (`required = true` in `forms`) are always filled, as a form fills them.
fn some<T>(p: u8, value: T) -> Option<T> {
    (!p.is_multiple_of(2)).then_some(value)
}

fn pick<T: Copy>(all: &[T], param: u8) -> T {
    all[param as usize % all.len()]
}

pub fn base_date() -> Date {
    date(2006, 1, 1)
}

/// One child's journey under construction.
#[derive(Debug, Clone)]
pub struct Journey {
    pub child: ChildId,
    pub subject: Subject,
    pub born: Date,
    pub registered: Date,
    /// Date of the latest event.
    pub date: Date,
    pub events: Vec<Event>,
    pub model: Model,
    next: u32,
}

impl Journey {
    pub fn new(child: &str, born_days: u16, registered_days: u16) -> Journey {
        let child = ChildId::parse(child).unwrap();
        let born = base_date()
            .checked_add(i64::from(born_days).days())
            .unwrap();
        let registered = born.checked_add(i64::from(registered_days).days()).unwrap();
        let mut j = Journey {
            subject: Subject::Child(child.clone()),
            child,
            born,
            registered,
            date: registered,
            events: Vec::new(),
            model: Model::default(),
            next: 0,
        };
        let details = j.details();
        let e = j.event(
            registered,
            EventData::PersonRegistered(PersonRegistered {
                adult: None,
                family: None,
                details,
            }),
        );
        j.events.push(e);
        j
    }

    pub fn details(&self) -> PersonDetails {
        PersonDetails {
            name: Name {
                given: format!("Given{}", self.child),
                family: String::from("Proptest"),
            },
            date_of_birth: Some(self.born),
            expected_date_of_birth: None,
            sex: Sex::Female,
            ethnicity: Ethnicity::Wbri,
            disabilities: vec![],
            nhs_number: None,
            upn: None,
            address: None,
        }
    }

    /// The next event id of this journey.
    pub fn next_id(&mut self) -> EventId {
        self.next += 1;
        EventId::parse(&format!("{}-{:03}", self.child, self.next)).unwrap()
    }

    /// An event on this journey with the next id, not yet pushed.
    pub fn event(&mut self, on: Date, data: EventData) -> Event {
        let id = self.next_id();
        Event {
            id,
            subject: self.subject.clone(),
            occurred_at: OccurredAt::on(on),
            recorded_at: Timestamp::from_second(1_700_000_000 + i64::from(self.next)).unwrap(),
            recorded_by: Actor::parse("proptest").unwrap(),
            data,
        }
    }

    fn cin(&self) -> Option<&CinModel> {
        self.model.cin.as_ref()
    }

    fn la(&self) -> Option<&LaModel> {
        self.model.la.as_ref()
    }

    /// The kinds that can happen next, with weights that steer towards deep journeys
    /// (protection plans, care, adoption) rather than front-door churn.
    fn candidates(&self) -> Vec<(K, u32)> {
        let m = &self.model;
        let cin = self.cin();
        let la = self.la();
        let contacts = !m.open_contacts.is_empty();
        let mut out = Vec::new();
        let mut offer = |ok: bool, k: K, w: u32| {
            if ok {
                out.push((k, w));
            }
        };
        offer(true, K::ContactReceived, 3);
        offer(contacts, K::PartnerCheckRequested, 1);
        offer(contacts, K::PartnerCheckReturned, 1);
        offer(contacts, K::ContactDecided, 3);
        offer(cin.is_none(), K::ReferralAccepted, 6);
        offer(!m.early_help, K::EarlyHelpStarted, 2);
        offer(m.early_help, K::EarlyHelpAssessmentCompleted, 1);
        offer(m.early_help, K::FamilyPlanReviewed, 1);
        offer(m.early_help, K::EarlyHelpEnded, 2);
        offer(true, K::Allocated, 3);
        offer(m.allocated, K::Unallocated, 1);
        offer(true, K::MeetingHeld, 1);
        offer(true, K::Visit, 2);
        offer(cin.is_some_and(|c| !c.assessment), K::AssessmentStarted, 4);
        offer(cin.is_some_and(|c| c.assessment), K::AssessmentCompleted, 4);
        offer(cin.is_some_and(|c| !c.plan), K::CinPlanStarted, 2);
        offer(cin.is_some_and(|c| c.plan), K::CinPlanReviewed, 1);
        offer(cin.is_some_and(|c| c.plan), K::CinPlanEnded, 2);
        offer(cin.is_some() && !m.cp && la.is_none(), K::CinClosed, 2);
        offer(cin.is_some(), K::StrategyDiscussion, 5);
        offer(cin.is_some_and(|c| c.strategy && !c.s47), K::S47Started, 8);
        offer(cin.is_some_and(|c| c.s47), K::S47Completed, 5);
        offer(cin.is_some_and(|c| c.s47s > 0) && !m.cp, K::IcpcHeld, 8);
        offer(
            cin.is_some_and(|c| c.icpc_plan) && !m.cp,
            K::CpPlanStarted,
            12,
        );
        offer(m.cp, K::CoreGroupHeld, 2);
        offer(m.cp, K::CpReviewHeld, 2);
        offer(m.cp, K::CpCategoryChanged, 1);
        offer(m.cp, K::CpPlanEnded, 3);
        offer(la.is_none(), K::LookedAfterStarted, 3);
        offer(la.is_some(), K::LegalStatusChanged, 1);
        offer(la.is_some_and(|l| !l.placement), K::PlacementStarted, 8);
        offer(la.is_some_and(|l| l.placement), K::PlacementEnded, 3);
        offer(la.is_some(), K::ClaReviewHeld, 1);
        offer(la.is_some(), K::IroContact, 1);
        offer(la.is_some(), K::HealthAssessment, 1);
        offer(la.is_some(), K::DentalCheck, 1);
        offer(la.is_some(), K::PepReviewed, 1);
        offer(la.is_some_and(|l| !l.missing), K::MissingStarted, 2);
        offer(la.is_some_and(|l| l.missing), K::MissingEnded, 4);
        offer(la.is_some(), K::LookedAfterEnded, 2);
        offer(la.is_some(), K::PermanencePlanSet, 1);
        offer(la.is_some(), K::AdmDecision, 2);
        offer(la.is_some(), K::PlacementOrder, 1);
        let adm = la.is_some_and(|l| l.adoption_decision);
        offer(adm, K::AdoptionMatched, 2);
        offer(adm, K::PlacedForAdoption, 2);
        offer(adm, K::AdoptionOrder, 1);
        offer(adm, K::AdoptionDecisionReversed, 1);
        offer(m.ever_la, K::PersonalAdviserAllocated, 2);
        offer(m.care_leaver || la.is_some(), K::PathwayPlanReviewed, 1);
        offer(m.care_leaver || la.is_some(), K::CareLeaverContact, 1);
        offer(true, K::PersonAmended, 1);
        offer(true, K::AddressChanged, 1);
        out
    }

    /// Add the event that `s` picks among those that can happen next.
    pub fn step(&mut self, s: Step) {
        let candidates = self.candidates();
        let total: u32 = candidates.iter().map(|(_, w)| w).sum();
        let mut at = u32::from(s.pick) % total;
        let mut kind = candidates[0].0;
        for (k, w) in candidates {
            if at < w {
                kind = k;
                break;
            }
            at -= w;
        }
        self.date = self.date.checked_add(i64::from(s.gap).days()).unwrap();
        let data = self.make(kind, s.param);
        let mut e = self.event(self.date, data);
        if s.param.is_multiple_of(5) {
            // Some events carry a time of day; ordering is by date alone.
            e.occurred_at = OccurredAt::at(self.date, (s.param % 24) as i8, (s.param % 60) as i8);
        }
        self.events.push(e);
    }

    /// The payload of `kind`, updating the model as the event says.
    fn make(&mut self, kind: K, p: u8) -> EventData {
        use EventData as E;
        let child = self.child.clone();
        let m = &mut self.model;
        let worker = || WorkerId::parse(&format!("W{}", p % 3 + 1)).unwrap();
        match kind {
            K::ContactReceived => {
                m.contacts += 1;
                let contact = ContactId::parse(&format!("{child}-K{}", m.contacts)).unwrap();
                m.open_contacts.push(contact.clone());
                E::ContactReceived(ContactReceived::new(contact, pick(ReferralSource::ALL, p)))
            }
            K::PartnerCheckRequested | K::PartnerCheckReturned => {
                let contact = m.open_contacts[p as usize % m.open_contacts.len()].clone();
                let check = PartnerCheck::new(contact, pick(Agency::ALL, p), pick(Rag::ALL, p));
                if kind == K::PartnerCheckRequested {
                    E::PartnerCheckRequested(check)
                } else {
                    E::PartnerCheckReturned(check)
                }
            }
            K::ContactDecided => {
                let i = p as usize % m.open_contacts.len();
                let contact = m.open_contacts.remove(i);
                E::ContactDecided(ContactDecided::new(
                    contact,
                    pick(ContactOutcome::ALL, p),
                    None,
                ))
            }
            K::ReferralAccepted => {
                m.referrals += 1;
                m.cin = Some(CinModel::default());
                E::ReferralAccepted(ReferralAccepted {
                    referral: ReferralId::parse(&format!("{child}-R{}", m.referrals)).unwrap(),
                    contact: None,
                    source: pick(ReferralSource::ALL, p),
                    primary_need: pick(PrimaryNeed::ALL, p),
                })
            }
            K::EarlyHelpStarted => {
                m.early_help = true;
                E::EarlyHelpStarted(EarlyHelpStarted {
                    family: None,
                    step_down: p.is_multiple_of(2),
                })
            }
            K::EarlyHelpAssessmentCompleted => {
                E::EarlyHelpAssessmentCompleted(EarlyHelpAssessmentCompleted {
                    organisation: Some(pick(AssessingOrganisation::ALL, p)),
                    goals: some(p / 2, LongText(format!("Goal {p}\nand another"))),
                })
            }
            K::FamilyPlanReviewed => E::FamilyPlanReviewed(FamilyPlanReviewed {
                progress: Some(pick(PlanProgress::ALL, p)),
                summary: None,
            }),
            K::EarlyHelpEnded => {
                m.early_help = false;
                E::EarlyHelpEnded(EarlyHelpEnded {
                    reason: pick(EarlyHelpEndReason::ALL, p),
                })
            }
            K::Allocated => {
                m.allocated = true;
                E::Allocated(Allocated {
                    worker: worker(),
                    team: TeamId::parse("T1").unwrap(),
                    reason: None,
                })
            }
            K::Unallocated => {
                m.allocated = false;
                E::Unallocated(Empty {})
            }
            K::MeetingHeld => E::MeetingHeld(MeetingHeld {
                meeting: pick(MeetingKind::ALL, p),
            }),
            K::Visit => E::Visit(Visit {
                worker: worker(),
                seen: p.is_multiple_of(2),
                seen_alone: p.is_multiple_of(4),
            }),
            K::AssessmentStarted => {
                cin_mut(m).assessment = true;
                E::AssessmentStarted(AssessmentStarted {
                    worker: some(p, worker()),
                })
            }
            K::AssessmentCompleted => {
                cin_mut(m).assessment = false;
                E::AssessmentCompleted(AssessmentCompleted {
                    factors: vec![pick(AssessmentFactor::ALL, p)],
                    services_needed: p.is_multiple_of(2),
                    child_seen: Some(p.is_multiple_of(3)),
                })
            }
            K::CinPlanStarted => {
                cin_mut(m).plan = true;
                E::CinPlanStarted(CinPlanStarted {
                    outcomes: some(p, LongText(format!("Outcome {p}"))),
                })
            }
            K::CinPlanReviewed => E::CinPlanReviewed(CinPlanReviewed {
                progress: Some(pick(PlanProgress::ALL, p)),
            }),
            K::CinPlanEnded => {
                cin_mut(m).plan = false;
                E::CinPlanEnded(CinPlanEnded {
                    reason: Some(pick(CinPlanEndReason::ALL, p)),
                })
            }
            K::CinClosed => {
                m.cin = None;
                E::CinClosed(CinClosed {
                    reason: pick(ReasonForClosure::ALL, p),
                })
            }
            K::StrategyDiscussion => {
                let s47 = !p.is_multiple_of(4);
                if s47 {
                    cin_mut(m).strategy = true;
                }
                E::StrategyDiscussion(StrategyDiscussion { s47 })
            }
            K::S47Started => {
                let c = cin_mut(m);
                c.strategy = false;
                c.s47 = true;
                c.s47s += 1;
                E::S47Started(S47Started {
                    joint_with_police: Some(p.is_multiple_of(3)),
                })
            }
            K::S47Completed => {
                cin_mut(m).s47 = false;
                E::S47Completed(S47Completed {
                    icpc_required: p.is_multiple_of(2),
                })
            }
            K::IcpcHeld => {
                let plan = !p.is_multiple_of(4);
                cin_mut(m).icpc_plan = plan;
                E::IcpcHeld(IcpcHeld { plan })
            }
            K::CpPlanStarted => {
                cin_mut(m).icpc_plan = false;
                m.cp = true;
                m.cp_plans += 1;
                E::CpPlanStarted(CpCategory {
                    category: pick(CategoryOfAbuse::ALL, p),
                })
            }
            K::CoreGroupHeld => E::CoreGroupHeld(CoreGroupHeld {
                progress: Some(pick(PlanProgress::ALL, p)),
                parents_attended: some(p / 3, p.is_multiple_of(2)),
            }),
            K::CpReviewHeld => E::CpReviewHeld(CpReviewHeld {
                continue_plan: !p.is_multiple_of(3),
            }),
            K::CpCategoryChanged => E::CpCategoryChanged(CpCategory {
                category: pick(CategoryOfAbuse::ALL, p),
            }),
            K::CpPlanEnded => {
                m.cp = false;
                E::CpPlanEnded(Empty {})
            }
            K::LookedAfterStarted => {
                m.la = Some(LaModel::default());
                m.ever_la = true;
                m.care_leaver = false;
                E::LookedAfterStarted(LookedAfterStarted {
                    legal_status: pick(LegalStatus::ALL, p),
                    category_of_need: pick(PrimaryNeed::ALL, p),
                    uasc: p.is_multiple_of(7),
                    previous_permanence: some(p, pick(PreviousPermanence::ALL, p)),
                })
            }
            K::LegalStatusChanged => E::LegalStatusChanged(LegalStatusChanged {
                legal_status: pick(LegalStatus::ALL, p),
            }),
            K::PlacementStarted => {
                la_mut(m).placement = true;
                m.placements += 1;
                E::PlacementStarted(PlacementStarted {
                    placement_type: pick(PlacementType::ALL, p),
                    provider: pick(PlacementProvider::ALL, p),
                    postcode: None,
                    urn: None,
                    weekly_cost: some(p, Pence(u32::from(p) * 1_037)),
                    same_carers: some(p / 5, p.is_multiple_of(2)),
                })
            }
            K::PlacementEnded => {
                la_mut(m).placement = false;
                E::PlacementEnded(PlacementEnded {
                    reason: pick(ReasonPlaceChange::ALL, p),
                })
            }
            K::ClaReviewHeld => E::ClaReviewHeld(ClaReviewHeld {
                participation: pick(ReviewParticipation::ALL, p),
            }),
            K::IroContact => E::IroContact(IroContact {
                method: Some(pick(ContactMethod::ALL, p)),
            }),
            K::HealthAssessment => E::HealthAssessment(HealthAssessment {
                assessment: Some(pick(HealthAssessmentKind::ALL, p)),
                immunisations_up_to_date: some(p / 2, p.is_multiple_of(3)),
                sdq_score: some(p / 3, SdqScore::new(p % 41).unwrap()),
                sdq_reason: some(p / 5, pick(SdqReason::ALL, p)),
                substance_misuse: some(p / 7, p.is_multiple_of(5)),
            }),
            K::DentalCheck => E::DentalCheck(DentalCheck {
                treatment_needed: some(p, p.is_multiple_of(3)),
            }),
            K::PepReviewed => E::PepReviewed(PepReviewed {
                attendance: some(p, Percent::new(p % 101).unwrap()),
            }),
            K::MissingStarted => {
                la_mut(m).missing = true;
                E::MissingStarted(MissingStarted {
                    missing: pick(MissingKind::ALL, p),
                })
            }
            K::MissingEnded => {
                la_mut(m).missing = false;
                E::MissingEnded(MissingEnded {
                    return_interview_offered: p.is_multiple_of(2),
                    return_interview_accepted: p.is_multiple_of(4),
                })
            }
            K::LookedAfterEnded => {
                m.la = None;
                E::LookedAfterEnded(LookedAfterEnded {
                    reason: pick(ReasonCeased::ALL, p),
                })
            }
            K::PermanencePlanSet => E::PermanencePlanSet(PermanencePlanSet {
                plan: pick(PermanencePlan::ALL, p),
            }),
            K::AdmDecision => {
                la_mut(m).adoption_decision = true;
                E::AdmDecision(Empty {})
            }
            K::PlacementOrder => E::PlacementOrder(Empty {}),
            K::AdoptionMatched => E::AdoptionMatched(AdoptionMatched {
                adopters: Some(pick(Adopters::ALL, p)),
                foster_carers: some(p / 2, p.is_multiple_of(2)),
            }),
            K::PlacedForAdoption => E::PlacedForAdoption(Empty {}),
            K::AdoptionOrder => E::AdoptionOrder(Empty {}),
            K::AdoptionDecisionReversed => {
                la_mut(m).adoption_decision = false;
                E::AdoptionDecisionReversed(AdoptionDecisionReversed {
                    reason: pick(AdoptionReversalReason::ALL, p),
                })
            }
            K::PersonalAdviserAllocated => {
                m.care_leaver = true;
                E::PersonalAdviserAllocated(PersonalAdviserAllocated { adviser: worker() })
            }
            K::PathwayPlanReviewed => E::PathwayPlanReviewed(PathwayPlanReviewed {
                eligibility: Some(pick(CareLeaverEligibility::ALL, p)),
            }),
            K::CareLeaverContact => E::CareLeaverContact(CareLeaverContact {
                in_touch: pick(InTouch::ALL, p),
                activity: pick(Activity::ALL, p),
                accommodation: pick(Accommodation::ALL, p),
            }),
            K::PersonAmended => E::PersonAmended(PersonAmended {
                adult: None,
                changes: PersonChanges {
                    name: Some(Name {
                        given: format!("Renamed{p}"),
                        family: String::from("Proptest"),
                    }),
                    ..PersonChanges::default()
                },
            }),
            K::AddressChanged => E::AddressChanged(AddressChanged {
                adult: None,
                address: Address {
                    lines: vec![format!("{p} Test Street")],
                    town: String::from("Testtown"),
                    postcode: pick(&["MK45 1AA", "LU5 4BB", "SG17 5DB"], p)
                        .parse()
                        .unwrap(),
                },
            }),
        }
    }

    /// Events that would go on the end of this journey (dated on its latest date) of
    /// which the last cannot happen, with the rule it breaks. Any events before the last
    /// are valid and set the scene. `pick` chooses among the possibilities the state
    /// offers; there are always some.
    pub fn invalid(&self, pick_: u16, p: u8) -> (Vec<Event>, Problem) {
        use EventData as E;
        let mut j = self.clone();
        let m = self.model.clone();
        let on = self.date;
        let first = self.events[0].id.clone();
        let mut options: Vec<Vec<(EventData, Option<Problem>)>> = Vec::new();
        let single = |data: EventData, problem: Problem| vec![(data, Some(problem))];

        options.push(single(
            E::PersonRegistered(PersonRegistered {
                adult: None,
                family: None,
                details: self.details(),
            }),
            Problem::AlreadyRegistered,
        ));
        options.push(single(
            E::RelationshipAdded(Relationship {
                from: PersonRef::Child(self.child.clone()),
                to: PersonRef::Adult(AdultId::parse("A1").unwrap()),
                relationship: RelationshipKind::Parent,
            }),
            Problem::FamilyEventOnChild,
        ));
        options.push(single(
            E::ContactDecided(ContactDecided::new(
                ContactId::parse("never-received").unwrap(),
                ContactOutcome::NoFurtherAction,
                None,
            )),
            Problem::UnknownContact(ContactId::parse("never-received").unwrap()),
        ));
        // A contact's own events, and what a contact says, stay off a child's journey.
        options.push(single(
            E::ContactRouted(ContactRouted {
                child: Some(self.child.clone()),
                team: TeamId::parse("T1").unwrap(),
                worker: None,
                locality: None,
                reason: RouteReason::Locality,
            }),
            Problem::ContactEventOnChild,
        ));
        options.push(single(
            E::ContactReceived(ContactReceived {
                intake: Some(Box::new(crate::sample::intake())),
                ..ContactReceived::new(
                    ContactId::parse("with-intake").unwrap(),
                    ReferralSource::Schools,
                )
            }),
            Problem::IntakeOnChild,
        ));
        let target = EventId::parse("not-on-this-journey").unwrap();
        options.push(single(
            E::EventRetracted(EventRetracted {
                event: target.clone(),
                reason: String::from("recorded on the wrong child"),
            }),
            Problem::UnknownTarget(target),
        ));
        options.push(single(
            E::EventRetracted(EventRetracted {
                event: first.clone(),
                reason: String::from("   "),
            }),
            Problem::NoReason,
        ));
        options.push(single(
            E::EventAmended(EventAmended {
                event: first.clone(),
                reason: String::from("typo"),
                occurred_at: None,
                amended: None,
            }),
            Problem::EmptyAmendment,
        ));
        options.push(single(
            E::EventAmended(EventAmended {
                event: first.clone(),
                reason: String::from("wrong kind"),
                occurred_at: None,
                amended: Some(Box::new(E::IroContact(Default::default()))),
            }),
            Problem::AmendmentKindDiffers("person_registered"),
        ));
        options.push(single(
            E::Visit(Visit {
                worker: WorkerId::parse("W1").unwrap(),
                seen: true,
                seen_alone: true,
            }),
            Problem::DuplicateEventId(first.clone()),
        ));
        options.push(single(
            E::IroContact(Default::default()),
            Problem::WrongSubject,
        ));
        // The child is said to have been born after this date, then something happens
        // on a day before the new date of birth.
        let later = on.checked_add(10.days()).unwrap();
        options.push(vec![
            (
                E::PersonAmended(PersonAmended {
                    adult: None,
                    changes: PersonChanges {
                        date_of_birth: Some(later),
                        ..PersonChanges::default()
                    },
                }),
                None,
            ),
            (
                E::Visit(Visit {
                    worker: WorkerId::parse("W1").unwrap(),
                    seen: true,
                    seen_alone: false,
                }),
                Some(Problem::BeforeBirth),
            ),
        ]);
        // The child died today; a visit tomorrow cannot happen.
        options.push(vec![
            (
                E::PersonAmended(PersonAmended {
                    adult: None,
                    changes: PersonChanges {
                        date_of_death: Some(on),
                        ..PersonChanges::default()
                    },
                }),
                None,
            ),
            (
                E::Visit(Visit {
                    worker: WorkerId::parse("W1").unwrap(),
                    seen: false,
                    seen_alone: false,
                }),
                Some(Problem::AfterDeath),
            ),
        ]);

        // State-dependent refusals: each offered only when the state makes it invalid.
        let mut refuse = |data: EventData, problem: Option<Problem>| {
            if let Some(problem) = problem {
                options.push(single(data, problem));
            }
        };
        let cin = m.cin.as_ref();
        let la = m.la.as_ref();
        use Problem as P;
        refuse(
            E::CpPlanStarted(CpCategory {
                category: pick(CategoryOfAbuse::ALL, p),
            }),
            if m.cp {
                Some(P::CpPlanOverlap)
            } else if cin.is_none() {
                Some(P::NoCinEpisode)
            } else if !cin.is_some_and(|c| c.icpc_plan) {
                Some(P::CpPlanWithoutIcpc)
            } else {
                None
            },
        );
        let no_cp = (!m.cp).then_some(P::NoCpPlan);
        refuse(E::CpPlanEnded(Empty {}), no_cp.clone());
        refuse(E::CoreGroupHeld(Default::default()), no_cp.clone());
        refuse(
            E::CpCategoryChanged(CpCategory {
                category: CategoryOfAbuse::Neglect,
            }),
            no_cp,
        );
        refuse(
            E::IcpcHeld(IcpcHeld { plan: true }),
            match cin {
                None => Some(P::NoCinEpisode),
                Some(c) if c.s47s == 0 => Some(P::IcpcWithoutS47),
                Some(_) if m.cp => Some(P::CpPlanOverlap),
                Some(_) => None,
            },
        );
        refuse(
            E::ReferralAccepted(ReferralAccepted {
                referral: ReferralId::parse("R-again").unwrap(),
                contact: None,
                source: ReferralSource::Police,
                primary_need: PrimaryNeed::AbuseOrNeglect,
            }),
            cin.is_some().then_some(P::CinAlreadyOpen),
        );
        refuse(
            E::CinClosed(CinClosed {
                reason: ReasonForClosure::ServicesCeased,
            }),
            if cin.is_none() {
                Some(P::NoCinEpisode)
            } else if m.cp {
                Some(P::CloseWithCpPlan)
            } else if la.is_some() {
                Some(P::CloseWhileLookedAfter)
            } else {
                None
            },
        );
        refuse(
            E::S47Started(Default::default()),
            match cin {
                None => Some(P::NoCinEpisode),
                Some(c) if c.s47 => Some(P::S47AlreadyOpen),
                Some(c) if !c.strategy => Some(P::S47WithoutStrategy),
                Some(_) => None,
            },
        );
        refuse(
            E::S47Completed(S47Completed {
                icpc_required: true,
            }),
            match cin {
                None => Some(P::NoCinEpisode),
                Some(c) if !c.s47 => Some(P::NoS47),
                Some(_) => None,
            },
        );
        refuse(
            E::AssessmentStarted(Default::default()),
            match cin {
                None => Some(P::NoCinEpisode),
                Some(c) if c.assessment => Some(P::AssessmentAlreadyOpen),
                Some(_) => None,
            },
        );
        refuse(
            E::AssessmentCompleted(AssessmentCompleted {
                factors: vec![],
                services_needed: false,
                child_seen: None,
            }),
            match cin {
                None => Some(P::NoCinEpisode),
                Some(c) if !c.assessment => Some(P::NoAssessment),
                Some(_) => None,
            },
        );
        refuse(
            E::CinPlanEnded(Default::default()),
            match cin {
                None => Some(P::NoCinEpisode),
                Some(c) if !c.plan => Some(P::NoCinPlan),
                Some(_) => None,
            },
        );
        refuse(
            E::LookedAfterStarted(LookedAfterStarted {
                legal_status: LegalStatus::Section20,
                category_of_need: PrimaryNeed::AbsentParenting,
                uasc: false,
                previous_permanence: None,
            }),
            la.is_some().then_some(P::AlreadyLookedAfter),
        );
        let not_la = la.is_none().then_some(P::NotLookedAfter);
        refuse(
            E::LookedAfterEnded(LookedAfterEnded {
                reason: ReasonCeased::ReturnedHomePlanned,
            }),
            not_la.clone(),
        );
        refuse(
            E::ClaReviewHeld(ClaReviewHeld {
                participation: ReviewParticipation::SpeaksForSelf,
            }),
            not_la.clone(),
        );
        refuse(
            E::PlacementStarted(PlacementStarted {
                placement_type: pick(PlacementType::ALL, p),
                provider: PlacementProvider::OwnLa,
                postcode: None,
                urn: None,
                weekly_cost: None,
                same_carers: None,
            }),
            match la {
                None => Some(P::NotLookedAfter),
                Some(l) if l.placement => Some(P::PlacementAlreadyOpen),
                Some(_) => None,
            },
        );
        refuse(
            E::PlacementEnded(PlacementEnded {
                reason: ReasonPlaceChange::CarePlan,
            }),
            match la {
                None => Some(P::NotLookedAfter),
                Some(l) if !l.placement => Some(P::NoPlacement),
                Some(_) => None,
            },
        );
        refuse(
            E::MissingStarted(MissingStarted {
                missing: MissingKind::Missing,
            }),
            match la {
                None => Some(P::NotLookedAfter),
                Some(l) if l.missing => Some(P::AlreadyMissing),
                Some(_) => None,
            },
        );
        refuse(
            E::MissingEnded(MissingEnded {
                return_interview_offered: false,
                return_interview_accepted: false,
            }),
            match la {
                None => Some(P::NotLookedAfter),
                Some(l) if !l.missing => Some(P::NotMissing),
                Some(_) => None,
            },
        );
        refuse(
            E::AdoptionOrder(Empty {}),
            match la {
                None => Some(P::NotLookedAfter),
                Some(l) if !l.adoption_decision => Some(P::NoAdoptionDecision),
                Some(_) => None,
            },
        );
        refuse(
            E::PersonalAdviserAllocated(PersonalAdviserAllocated {
                adviser: WorkerId::parse("PA1").unwrap(),
            }),
            (!m.ever_la).then_some(P::NeverLookedAfter),
        );
        refuse(
            E::PathwayPlanReviewed(Default::default()),
            (!m.care_leaver && la.is_none()).then_some(P::NotCareLeaver),
        );
        refuse(
            E::Unallocated(Empty {}),
            (!m.allocated).then_some(P::NotAllocated),
        );
        refuse(
            E::EarlyHelpStarted(EarlyHelpStarted {
                family: None,
                step_down: false,
            }),
            m.early_help.then_some(P::EarlyHelpAlreadyOpen),
        );
        refuse(
            E::EarlyHelpEnded(EarlyHelpEnded {
                reason: EarlyHelpEndReason::NeedsMet,
            }),
            (!m.early_help).then_some(P::NoEarlyHelp),
        );

        let chosen = options.swap_remove(usize::from(pick_) % options.len());
        let mut events = Vec::new();
        let mut problem = None;
        let last = chosen.len() - 1;
        for (i, (data, expect)) in chosen.into_iter().enumerate() {
            // The scene-setting events are dated today; a refused event after a death is
            // dated the day after.
            let day = match &expect {
                Some(Problem::AfterDeath) | Some(Problem::BeforeBirth) => {
                    on.checked_add(1.day()).unwrap()
                }
                _ => on,
            };
            let mut event = j.event(day, data);
            match &expect {
                Some(Problem::DuplicateEventId(id)) => event.id = id.clone(),
                Some(Problem::WrongSubject) => {
                    event.subject = Subject::Child(ChildId::parse("someone-else").unwrap());
                }
                _ => {}
            }
            events.push(event);
            if i == last {
                problem = expect;
            }
        }
        (events, problem.unwrap())
    }
}

fn cin_mut(m: &mut Model) -> &mut CinModel {
    m.cin.as_mut().unwrap()
}

fn la_mut(m: &mut Model) -> &mut LaModel {
    m.la.as_mut().unwrap()
}

// Contact journeys.
//
// A contact's own journey (`contact:ID`), built as a child's is: a small model of the
// front door's rules, written apart from `hearth_domain::contact`, offers only the events
// that can happen next; `ContactJourney::refusals` offers the ones that cannot, each with
// the rule it breaks.

/// The seed of one contact's journey: the roles of the people it names (a child first,
/// so there is always someone to decide for), and the steps after its receipt.
#[derive(Debug, Clone)]
pub struct ContactSeed {
    pub roles: Vec<GivenRole>,
    pub steps: Vec<Step>,
}

pub fn contact_seed(max_steps: usize) -> impl Strategy<Value = ContactSeed> {
    let role = prop_oneof![
        3 => Just(GivenRole::Child),
        1 => Just(GivenRole::Unborn),
        2 => Just(GivenRole::Adult)
    ];
    (
        prop::collection::vec(role, 0..4),
        prop::collection::vec(step(), 0..=max_steps),
    )
        .prop_map(|(more, steps)| {
            let mut roles = vec![GivenRole::Child];
            roles.extend(more);
            ContactSeed { roles, steps }
        })
}

/// Build the journey of contact `id` from `seed`.
pub fn contact_journey(id: &str, seed: &ContactSeed) -> ContactJourney {
    let mut j = ContactJourney::new(id, &seed.roles);
    for s in &seed.steps {
        j.step(*s);
    }
    j
}

/// What a contact's journey has reached, as the model sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactModel {
    pub roles: Vec<GivenRole>,
    /// By given person: who they were linked to.
    pub links: Vec<(u8, PersonRef)>,
    /// Agencies asked, and whether each has answered.
    pub checks: Vec<(Agency, bool)>,
    /// Proposals waiting, by child (`None`: the whole contact), with the event proposing.
    pub proposals: Vec<(Option<ChildId>, EventId)>,
    pub decisions: Vec<(Option<ChildId>, ContactOutcome)>,
}

impl ContactModel {
    fn children(&self) -> impl Iterator<Item = &ChildId> {
        self.links.iter().filter_map(|(_, p)| match p {
            PersonRef::Child(c) => Some(c),
            PersonRef::Adult(_) => None,
        })
    }

    fn decided_for(&self, child: Option<&ChildId>) -> bool {
        self.decisions.iter().any(|(c, _)| c.as_ref() == child)
    }

    pub fn decided(&self) -> bool {
        let closed = self.decisions.iter().any(|(c, o)| {
            c.is_none()
                && matches!(
                    o,
                    ContactOutcome::NoFurtherAction | ContactOutcome::InformationAndAdvice
                )
        });
        closed || (!self.decisions.is_empty() && self.children().all(|c| self.decided_for(Some(c))))
    }

    /// The status code the model expects (`ContactStatus::code`).
    pub fn status(&self) -> &'static str {
        if self.decided() {
            "decided"
        } else if self.checks.iter().any(|(_, back)| !back) {
            "awaiting_checks"
        } else if !self.proposals.is_empty() {
            "awaiting_sign_off"
        } else if !self.links.is_empty() || !self.checks.is_empty() || !self.decisions.is_empty() {
            "awaiting_decision"
        } else {
            "new"
        }
    }

    /// Who a decision may be proposed for: those undecided with no proposal waiting (a
    /// proposal is sent back before another is made, so that sending one back never
    /// brings an older one back).
    fn unproposed(&self) -> Vec<Option<ChildId>> {
        self.undecided()
            .into_iter()
            .filter(|who| !self.proposals.iter().any(|(p, _)| p == who))
            .collect()
    }

    /// Who may still be decided for: each linked child without a decision, and the
    /// whole contact if it has none.
    fn undecided(&self) -> Vec<Option<ChildId>> {
        let mut out: Vec<Option<ChildId>> = self
            .children()
            .filter(|c| !self.decided_for(Some(c)))
            .cloned()
            .map(Some)
            .collect();
        if !self.decided_for(None) {
            out.push(None);
        }
        out
    }
}

/// One contact's journey under construction.
#[derive(Debug, Clone)]
pub struct ContactJourney {
    pub contact: ContactId,
    pub subject: Subject,
    pub received: Date,
    /// Date of the latest event.
    pub date: Date,
    pub events: Vec<Event>,
    pub model: ContactModel,
    next: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CK {
    Link,
    Unlink,
    Request,
    Return,
    Propose,
    SendBack,
    Decide,
    Route,
}

const AGENCIES: [Agency; 4] = [
    Agency::Police,
    Agency::Health,
    Agency::Education,
    Agency::Housing,
];

impl ContactJourney {
    pub fn new(id: &str, roles: &[GivenRole]) -> ContactJourney {
        let contact = ContactId::parse(id).unwrap();
        let received = date(2025, 1, 6);
        let mut j = ContactJourney {
            subject: Subject::Contact(contact.clone()),
            contact,
            received,
            date: received,
            events: Vec::new(),
            model: ContactModel {
                roles: roles.to_vec(),
                ..ContactModel::default()
            },
            next: 0,
        };
        let people = roles
            .iter()
            .enumerate()
            .map(|(i, role)| crate::contact_person(*role, i, received))
            .collect();
        let data = crate::received(id, crate::intake(people));
        let e = j.event(received, data);
        j.events.push(e);
        j
    }

    /// An event on this journey with the next id, not yet pushed.
    pub fn event(&mut self, on: Date, data: EventData) -> Event {
        self.next += 1;
        Event {
            id: EventId::parse(&format!("{}-{:03}", self.contact, self.next)).unwrap(),
            subject: self.subject.clone(),
            occurred_at: OccurredAt::on(on),
            recorded_at: Timestamp::from_second(1_700_000_000 + i64::from(self.next)).unwrap(),
            recorded_by: Actor::parse("proptest").unwrap(),
            data,
        }
    }

    /// The person the given person `i` is linked to when linked.
    fn person(&self, i: u8) -> PersonRef {
        match self.model.roles[usize::from(i)] {
            GivenRole::Adult => PersonRef::parse(&format!("adult:A{i}")).unwrap(),
            GivenRole::Child | GivenRole::Unborn => {
                PersonRef::parse(&format!("child:C{i}")).unwrap()
            }
        }
    }

    fn decision(&self, child: Option<ChildId>, outcome: ContactOutcome) -> ContactDecided {
        ContactDecided {
            child,
            reasons: Some(String::from("As discussed")),
            ..ContactDecided::new(self.contact.clone(), outcome, None)
        }
    }

    fn candidates(&self) -> Vec<CK> {
        let m = &self.model;
        let open = !m.decided();
        let mut out = Vec::new();
        let given = u8::try_from(m.roles.len()).unwrap();
        if (0..given).any(|i| !m.links.iter().any(|(g, _)| *g == i)) {
            out.push(CK::Link);
        }
        let unlinkable = m.links.iter().any(|(_, p)| match p {
            PersonRef::Child(c) => !m.decided_for(Some(c)),
            PersonRef::Adult(_) => true,
        });
        if unlinkable {
            out.push(CK::Unlink);
        }
        if AGENCIES
            .iter()
            .any(|a| !m.checks.iter().any(|(b, back)| a == b && !back))
        {
            out.push(CK::Request);
        }
        if m.checks.iter().any(|(_, back)| !back) {
            out.push(CK::Return);
        }
        if open && !m.unproposed().is_empty() {
            out.push(CK::Propose);
        }
        if open && !m.undecided().is_empty() {
            out.push(CK::Decide);
            out.push(CK::Decide);
        }
        if !m.proposals.is_empty() {
            out.push(CK::SendBack);
        }
        if !m.decisions.is_empty() {
            out.push(CK::Route);
        }
        out
    }

    pub fn step(&mut self, s: Step) {
        let options = self.candidates();
        if options.is_empty() {
            return;
        }
        let kind = options[usize::from(s.pick) % options.len()];
        let on = self.date.checked_add(i64::from(s.gap % 4).days()).unwrap();
        let data = self.apply(kind, s.param);
        let e = self.event(on, data);
        if kind == CK::Propose
            && let Some(last) = self.model.proposals.last_mut()
        {
            last.1 = e.id.clone();
        }
        self.events.push(e);
        self.date = on;
    }

    /// The payload of a `kind` event chosen by `param`, applied to the model.
    fn apply(&mut self, kind: CK, param: u8) -> EventData {
        let given = u8::try_from(self.model.roles.len()).unwrap();
        match kind {
            CK::Link => {
                let free: Vec<u8> = (0..given)
                    .filter(|i| !self.model.links.iter().any(|(g, _)| g == i))
                    .collect();
                let i = pick(&free, param);
                let person = self.person(i);
                self.model.links.push((i, person.clone()));
                EventData::PersonLinked(PersonLinked {
                    given: i,
                    person,
                    created: param.is_multiple_of(2),
                    weight: None,
                    model: None,
                })
            }
            CK::Unlink => {
                let m = &self.model;
                let free: Vec<usize> = (0..m.links.len())
                    .filter(|&k| match &m.links[k].1 {
                        PersonRef::Child(c) => !m.decided_for(Some(c)),
                        PersonRef::Adult(_) => true,
                    })
                    .collect();
                let (given, person) = self.model.links.remove(pick(&free, param));
                // A proposal for a child no longer linked could not be signed off.
                if let PersonRef::Child(c) = &person {
                    self.model.proposals.retain(|(p, _)| p.as_ref() != Some(c));
                }
                EventData::PersonUnlinked(PersonUnlinked {
                    given,
                    person,
                    reason: String::from("Not the same person"),
                })
            }
            CK::Request => {
                let free: Vec<Agency> = AGENCIES
                    .into_iter()
                    .filter(|a| !self.model.checks.iter().any(|(b, back)| a == b && !back))
                    .collect();
                let agency = pick(&free, param);
                self.model.checks.retain(|(b, _)| *b != agency);
                self.model.checks.push((agency, false));
                let rag = pick(&[Rag::Red, Rag::Amber, Rag::Green], param / 4);
                EventData::PartnerCheckRequested(PartnerCheck::new(
                    self.contact.clone(),
                    agency,
                    rag,
                ))
            }
            CK::Return => {
                let waiting: Vec<usize> = (0..self.model.checks.len())
                    .filter(|&k| !self.model.checks[k].1)
                    .collect();
                let k = pick(&waiting, param);
                self.model.checks[k].1 = true;
                let agency = self.model.checks[k].0;
                EventData::PartnerCheckReturned(PartnerCheck {
                    findings: Some(String::from("Nothing known")),
                    ..PartnerCheck::new(self.contact.clone(), agency, Rag::Green)
                })
            }
            CK::Propose | CK::Decide => {
                let whom = match kind {
                    CK::Propose => self.model.unproposed(),
                    _ => self.model.undecided(),
                };
                let who = pick_ref(&whom, param).clone();
                let outcome = match who {
                    Some(_) => pick(ContactOutcome::ALL, param / 8),
                    None => pick(
                        &[
                            ContactOutcome::NoFurtherAction,
                            ContactOutcome::InformationAndAdvice,
                            ContactOutcome::Universal,
                        ],
                        param / 8,
                    ),
                };
                self.model.proposals.retain(|(p, _)| *p != who);
                let decision = self.decision(who.clone(), outcome);
                if kind == CK::Propose {
                    // The event id is filled in once the event is made.
                    self.model
                        .proposals
                        .push((who, EventId::parse("pending").unwrap()));
                    EventData::ContactDecisionProposed(decision)
                } else {
                    self.model.decisions.push((who, outcome));
                    EventData::ContactDecided(decision)
                }
            }
            CK::SendBack => {
                let k = usize::from(param) % self.model.proposals.len();
                let (_, proposal) = self.model.proposals.remove(k);
                EventData::EventRetracted(EventRetracted {
                    event: proposal,
                    reason: String::from("Sent back by the manager"),
                })
            }
            CK::Route => {
                let (child, _) = pick_ref(&self.model.decisions, param).clone();
                EventData::ContactRouted(ContactRouted {
                    child,
                    team: TeamId::parse("T1").unwrap(),
                    worker: None,
                    locality: Some(String::from("Ashford")),
                    reason: RouteReason::Locality,
                })
            }
        }
    }

    /// Next events that cannot happen here, each with the rule it breaks. Each is meant
    /// to be appended on its own, dated on the journey's last day.
    pub fn refusals(&mut self) -> Vec<(Event, Problem)> {
        use Problem as P;
        let m = self.model.clone();
        let given = u8::try_from(m.roles.len()).unwrap();
        let contact = self.contact.clone();
        let mut out: Vec<(EventData, P)> = vec![
            (
                crate::received(contact.as_str(), crate::intake(vec![])),
                P::AlreadyReceived,
            ),
            (
                EventData::PersonLinked(PersonLinked {
                    given,
                    person: PersonRef::parse("child:C99").unwrap(),
                    created: true,
                    weight: None,
                    model: None,
                }),
                P::NoSuchGivenPerson(given),
            ),
            (
                EventData::ReferralAccepted(ReferralAccepted {
                    referral: ReferralId::parse("R1").unwrap(),
                    contact: Some(contact.clone()),
                    source: ReferralSource::Schools,
                    primary_need: PrimaryNeed::AbuseOrNeglect,
                }),
                P::ChildEventOnContact,
            ),
        ];
        if let Some((i, person)) = m.links.first() {
            out.push((
                EventData::PersonLinked(PersonLinked {
                    given: *i,
                    person: person.clone(),
                    created: false,
                    weight: None,
                    model: None,
                }),
                P::AlreadyLinked(*i),
            ));
        }
        if let Some(i) = (0..given).find(|i| !m.links.iter().any(|(g, _)| g == i)) {
            out.push((
                EventData::PersonUnlinked(PersonUnlinked {
                    given: i,
                    person: self.person(i),
                    reason: String::from("Wrong"),
                }),
                P::NotLinked(i),
            ));
        }
        if let Some((agency, _)) = m.checks.iter().find(|(_, back)| !back) {
            out.push((
                EventData::PartnerCheckRequested(PartnerCheck::new(
                    contact.clone(),
                    *agency,
                    Rag::Red,
                )),
                P::CheckAlreadyRequested(*agency),
            ));
        }
        let unasked = AGENCIES
            .into_iter()
            .chain([Agency::Probation])
            .find(|a| !m.checks.iter().any(|(b, back)| a == b && !back));
        if let Some(agency) = unasked {
            out.push((
                EventData::PartnerCheckReturned(PartnerCheck::new(
                    contact.clone(),
                    agency,
                    Rag::Red,
                )),
                P::CheckNotRequested(agency),
            ));
        }
        let outcome = ContactOutcome::Referral;
        if m.decided() {
            out.push((
                EventData::ContactDecided(self.decision(None, ContactOutcome::NoFurtherAction)),
                P::AlreadyDecided,
            ));
        } else {
            if let Some((who, _)) = m.decisions.first() {
                out.push((
                    EventData::ContactDecided(
                        self.decision(who.clone(), ContactOutcome::Universal),
                    ),
                    P::AlreadyDecided,
                ));
            }
            let stranger = ChildId::parse("C99").unwrap();
            out.push((
                EventData::ContactDecided(self.decision(Some(stranger.clone()), outcome)),
                P::ChildNotLinked(stranger),
            ));
            if !m.decided_for(None) {
                out.push((
                    EventData::ContactDecisionProposed(self.decision(None, outcome)),
                    P::ReferralNeedsChild,
                ));
            }
        }
        let unrouted = m
            .children()
            .find(|c| !m.decided_for(Some(c)))
            .cloned()
            .map(Some)
            .or_else(|| (!m.decided_for(None)).then_some(None));
        if let Some(child) = unrouted {
            out.push((
                EventData::ContactRouted(ContactRouted {
                    child,
                    team: TeamId::parse("T1").unwrap(),
                    worker: None,
                    locality: None,
                    reason: RouteReason::NoAddress,
                }),
                P::NotDecided,
            ));
        }
        let on = self.date;
        let mut events: Vec<(Event, Problem)> = out
            .into_iter()
            .map(|(data, problem)| (self.event(on, data), problem))
            .collect();
        let mut elsewhere = self.event(
            on,
            EventData::PartnerCheckRequested(PartnerCheck::new(
                contact,
                Agency::AdultServices,
                Rag::Amber,
            )),
        );
        elsewhere.subject = Subject::Contact(ContactId::parse("CT-ELSEWHERE").unwrap());
        events.push((elsewhere, P::WrongSubject));
        events
    }
}

fn pick_ref<T>(all: &[T], param: u8) -> &T {
    &all[param as usize % all.len()]
}
