//! A child's journey in plain English: one sentence an event, as a worker reads it on
//! the chronology page. Pure functions of the event (and, for names, the organisation):
//! no store, no clock.
//!
//! Codes are shown by their labels, workers and teams by their names, falling back to
//! the identifier when the organisation does not know them. Placement postcodes and
//! Ofsted URNs are left out on purpose: where a child lives is restricted information
//! and does not belong in a sentence that may be read aloud or printed.

pub use hearth_app::Names;
use hearth_domain::event::{
    ContactDecided, Event, EventAmended, EventData, EventRetracted, OccurredAt, PersonRegistered,
};
use hearth_domain::ids::{EventId, PersonRef, TeamId, WorkerId};
use hearth_domain::people::PersonChanges;

/// One event as one sentence. Corrections say which event they correct only vaguely
/// ("an earlier event"), because a lone event does not carry the date of the event it
/// names; [`describe_in_journey`] gives them that date.
pub fn describe(event: &Event, org: Option<&dyn Names>) -> String {
    describe_in_journey(event, &[], org)
}

/// One event as one sentence, with the rest of the journey at hand so that a correction
/// can name the event it corrects by its date ("Event of 2024-03-01 retracted: …").
pub fn describe_in_journey(event: &Event, journey: &[Event], org: Option<&dyn Names>) -> String {
    let target_date = |id: &EventId| {
        journey
            .iter()
            .find(|e| &e.id == id)
            .map(|e| when(e.occurred_at))
    };
    match &event.data {
        EventData::EventRetracted(EventRetracted {
            event: target,
            reason,
        }) => match target_date(target) {
            Some(date) => format!("Event of {date} retracted: {}", reason.trim()),
            None => format!("An earlier event was retracted: {}", reason.trim()),
        },
        EventData::EventAmended(amendment) => {
            describe_amendment(amendment, target_date(&amendment.event), org)
        }
        data => sentence(data, org),
    }
}

/// An event's business date (and time, where recorded) as shown beside its sentence.
pub fn when(at: OccurredAt) -> String {
    match at.time {
        None => at.date.to_string(),
        Some(t) => format!("{} {:02}:{:02}", at.date, t.hour(), t.minute()),
    }
}

/// A correction as shown under the entry it corrects, saying when, by whom and why:
/// "Retracted on 2024-03-04 by sam.patel: entered on the wrong child". None for any
/// other event.
pub fn describe_correction(correction: &Event, org: Option<&dyn Names>) -> Option<String> {
    let (on, by) = (when(correction.occurred_at), &correction.recorded_by);
    match &correction.data {
        EventData::EventRetracted(r) => {
            Some(format!("Retracted on {on} by {by}: {}", r.reason.trim()))
        }
        EventData::EventAmended(a) => {
            let mut out = format!("Amended on {on} by {by}: {}", a.reason.trim());
            amendment_changes(&mut out, a, org);
            Some(out)
        }
        _ => None,
    }
}

fn describe_amendment(
    amendment: &EventAmended,
    target_date: Option<String>,
    org: Option<&dyn Names>,
) -> String {
    let mut out = match target_date {
        Some(date) => format!("Amended the event of {date}: {}", amendment.reason.trim()),
        None => format!("Amended an earlier event: {}", amendment.reason.trim()),
    };
    amendment_changes(&mut out, amendment, org);
    out
}

/// What an amendment changed: ". Now dated …. Now reads: …".
fn amendment_changes(out: &mut String, amendment: &EventAmended, org: Option<&dyn Names>) {
    if let Some(at) = amendment.occurred_at {
        out.push_str(&format!(". Now dated {}", when(at)));
    }
    if let Some(data) = &amendment.amended {
        // An amendment never carries a correction (the domain refuses that), but say
        // something sensible rather than recurse if one ever did.
        let now = if data.is_correction() {
            String::from("a correction")
        } else {
            sentence(data, org)
        };
        out.push_str(&format!(". Now reads: {now}"));
    }
}

fn worker_name(id: &WorkerId, org: Option<&dyn Names>) -> String {
    org.and_then(|o| o.worker_name(id))
        .map_or_else(|| id.to_string(), str::to_owned)
}

fn team_name(id: &TeamId, org: Option<&dyn Names>) -> String {
    org.and_then(|o| o.team_name(id))
        .map_or_else(|| id.to_string(), str::to_owned)
}

/// "Household member" → "household member", for labels used mid-sentence.
fn lower_first(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A decision or proposal: its outcome and level only (the reasons are the record's,
/// not the chronology's).
fn decision(what: &str, c: &ContactDecided) -> String {
    match &c.level {
        Some(level) => format!("{what}: {} (level of need: {level})", c.outcome.label()),
        None => format!("{what}: {}", c.outcome.label()),
    }
}

fn person(p: &PersonRef) -> String {
    match p {
        PersonRef::Child(id) => format!("child {id}"),
        PersonRef::Adult(id) => format!("adult {id}"),
    }
}

fn registered(p: &PersonRegistered) -> String {
    let d = &p.details;
    match (&p.adult, d.date_of_birth, d.expected_date_of_birth) {
        (Some(adult), _, _) => format!("Adult {adult} registered: {}", d.name),
        (None, Some(dob), _) => format!("Child registered (born {dob})"),
        (None, None, Some(due)) => format!("Unborn child registered (due {due})"),
        (None, None, None) => String::from("Registered"),
    }
}

fn changed_fields(c: &PersonChanges) -> Vec<&'static str> {
    let fields = [
        (c.name.is_some(), "name"),
        (c.date_of_birth.is_some(), "date of birth"),
        (c.expected_date_of_birth.is_some(), "expected date of birth"),
        (c.date_of_death.is_some(), "date of death"),
        (c.sex.is_some(), "sex"),
        (c.ethnicity.is_some(), "ethnicity"),
        (c.disabilities.is_some(), "disabilities"),
        (c.nhs_number.is_some(), "NHS number"),
        (c.upn.is_some(), "UPN"),
    ];
    fields
        .into_iter()
        .filter_map(|(changed, name)| changed.then_some(name))
        .collect()
}

/// The sentence for a kind with no fields, or none given: its form's title
/// (`hearth_domain::forms`).
fn titled(data: &EventData) -> String {
    String::from(hearth_domain::forms::title(data.kind()).unwrap_or_else(|| data.kind()))
}

/// The kind's title, and after a colon a label from its payload where one was given.
fn with_label(data: &EventData, label: Option<&str>) -> String {
    match label {
        Some(label) => format!("{}: {}", titled(data), lower_first(label)),
        None => titled(data),
    }
}

fn yes_no(value: bool, yes: &str, no: &str) -> String {
    String::from(if value { yes } else { no })
}

/// The sentence for an event's payload. Corrections are handled by the caller, which
/// knows the journey; here they get a plain fallback.
fn sentence(data: &EventData, org: Option<&dyn Names>) -> String {
    use EventData as E;
    match data {
        // people
        E::PersonRegistered(p) => registered(p),
        E::PersonAmended(a) => {
            let who = match &a.adult {
                Some(adult) => format!("Details of adult {adult} amended"),
                None => String::from("Details amended"),
            };
            let fields = changed_fields(&a.changes);
            if fields.is_empty() {
                who
            } else {
                format!("{who}: {}", fields.join(", "))
            }
        }
        E::RelationshipAdded(r) => format!(
            "Relationship added: {} is {} of {}",
            person(&r.from),
            lower_first(r.relationship.label()),
            person(&r.to)
        ),
        E::RelationshipEnded(r) => format!(
            "Relationship ended: {} was {} of {}",
            person(&r.from),
            lower_first(r.relationship.label()),
            person(&r.to)
        ),
        E::AddressChanged(a) => {
            let place = format!("{}, {}", a.address.town, a.address.postcode);
            match &a.adult {
                Some(adult) => format!("Address of adult {adult} changed ({place})"),
                None => format!("Address changed ({place})"),
            }
        }
        E::PersonsMerged(m) => format!("Merged with duplicate record {}", m.duplicate),
        E::PersonsUnmerged(m) => format!("Merge with record {} undone", m.duplicate),
        // front door
        E::ContactReceived(c) => format!("Contact received from {}", c.source.label()),
        E::PartnerCheckRequested(c) => format!(
            "{} check requested (RAG rating: {})",
            c.agency.label(),
            c.rag.label()
        ),
        E::PartnerCheckReturned(c) => format!(
            "{} check returned (RAG rating: {})",
            c.agency.label(),
            c.rag.label()
        ),
        E::PersonLinked(l) => format!(
            "Person {} named in the contact linked to {}{}",
            u16::from(l.given) + 1,
            person(&l.person),
            yes_no(l.created, " (a new record)", "")
        ),
        E::PersonUnlinked(l) => format!(
            "Person {} named in the contact unlinked from {}: {}",
            u16::from(l.given) + 1,
            person(&l.person),
            l.reason.trim()
        ),
        E::ContactDecisionProposed(c) => decision("Contact decision proposed", c),
        E::ContactDecided(c) => decision("Contact decided", c),
        E::ContactRouted(r) => format!(
            "Contact routed to {} ({})",
            team_name(&r.team, org),
            lower_first(r.reason.label())
        ),
        E::ReferralAccepted(r) => format!(
            "Referral accepted (primary need: {})",
            r.primary_need.label()
        ),
        // early help
        E::EarlyHelpStarted(e) => yes_no(
            e.step_down,
            "Early help started (stepped down from children's social care)",
            "Early help started",
        ),
        E::EarlyHelpAssessmentCompleted(a) => match a.organisation {
            Some(o) => format!(
                "Early help assessment completed by {}",
                lower_first(o.label())
            ),
            None => titled(data),
        },
        E::FamilyPlanReviewed(r) => with_label(data, r.progress.map(|p| p.label())),
        E::EarlyHelpEnded(e) => format!("Early help ended: {}", e.reason.label()),
        // work
        E::Allocated(a) => {
            let to = format!(
                "Allocated to {} ({})",
                worker_name(&a.worker, org),
                team_name(&a.team, org)
            );
            match a.reason.as_deref().map(str::trim) {
                Some(reason) if !reason.is_empty() => format!("{to}: {reason}"),
                _ => to,
            }
        }
        E::Unallocated(_) => titled(data),
        E::MeetingHeld(m) => format!("{} held", m.meeting.label()),
        E::Visit(v) => {
            let seen = match (v.seen, v.seen_alone) {
                (true, true) => "child seen alone",
                (true, false) => "child seen, not alone",
                (false, _) => "child not seen",
            };
            format!("Visit by {}: {seen}", worker_name(&v.worker, org))
        }
        E::CaseNoteRecorded(n) => {
            let seen = match (n.seen, n.seen_alone) {
                (true, true) => "child seen alone",
                (true, false) => "child seen, not alone",
                (false, _) => "child not seen",
            };
            format!(
                "Case note ({}): {seen}",
                lower_first(n.contact_type.label())
            )
        }
        // child in need
        E::AssessmentStarted(a) => match &a.worker {
            Some(w) => format!("Assessment started by {}", worker_name(w, org)),
            None => titled(data),
        },
        E::AssessmentCompleted(a) => {
            let outcome = yes_no(a.services_needed, "services needed", "no services needed");
            let outcome = match a.child_seen {
                Some(false) => format!("{outcome}, child not seen"),
                _ => outcome,
            };
            if a.factors.is_empty() {
                format!("Assessment completed: {outcome}")
            } else {
                let factors: Vec<&str> = a.factors.iter().map(|f| f.label()).collect();
                format!(
                    "Assessment completed: {outcome} (factors: {})",
                    factors.join("; ")
                )
            }
        }
        E::CinPlanStarted(_) => titled(data),
        E::CinPlanReviewed(r) => with_label(data, r.progress.map(|p| p.label())),
        E::CinPlanEnded(e) => with_label(data, e.reason.map(|r| r.label())),
        E::CinClosed(c) => format!("Child in need episode closed: {}", c.reason.label()),
        // protection
        E::StrategyDiscussion(s) => yes_no(
            s.s47,
            "Strategy discussion held: section 47 enquiry to start",
            "Strategy discussion held: no section 47 enquiry",
        ),
        E::S47Started(s) => match s.joint_with_police {
            Some(true) => format!("{}, jointly with the police", titled(data)),
            _ => titled(data),
        },
        E::S47Completed(s) => yes_no(
            s.icpc_required,
            "Section 47 enquiry completed: initial child protection conference needed",
            "Section 47 enquiry completed: no conference needed",
        ),
        E::IcpcHeld(i) => yes_no(
            i.plan,
            "Initial child protection conference held: child protection plan needed",
            "Initial child protection conference held: no plan needed",
        ),
        E::CpPlanStarted(c) => format!(
            "Child protection plan started (category: {})",
            c.category.label()
        ),
        E::CoreGroupHeld(c) => {
            let said = with_label(data, c.progress.map(|p| p.label()));
            match c.parents_attended {
                Some(false) => format!("{said}; parents or carers did not attend"),
                _ => said,
            }
        }
        E::CpReviewHeld(r) => yes_no(
            r.continue_plan,
            "Child protection review conference held: plan continues",
            "Child protection review conference held: plan to end",
        ),
        E::CpCategoryChanged(c) => format!(
            "Child protection category changed to {}",
            c.category.label()
        ),
        E::CpPlanEnded(_) => titled(data),
        // in care
        E::LookedAfterStarted(l) => {
            let uasc = if l.uasc {
                "; unaccompanied asylum-seeking child"
            } else {
                ""
            };
            format!(
                "Became looked after (legal status: {}; category of need: {}{uasc})",
                l.legal_status.label(),
                l.category_of_need.label()
            )
        }
        E::LegalStatusChanged(l) => {
            format!("Legal status changed to {}", l.legal_status.label())
        }
        E::PlacementStarted(p) => format!(
            "Placed: {} ({})",
            p.placement_type.label(),
            p.provider.label()
        ),
        E::PlacementEnded(p) => format!("Placement ended: {}", p.reason.label()),
        E::ClaReviewHeld(r) => format!(
            "Looked after review held (child's participation: {})",
            r.participation.label()
        ),
        E::IroContact(c) => match c.method {
            Some(m) => format!("{} ({})", titled(data), lower_first(m.label())),
            None => titled(data),
        },
        E::HealthAssessment(h) => {
            let mut said = h
                .assessment
                .map_or_else(|| titled(data), |a| String::from(a.label()));
            if let Some(score) = h.sdq_score {
                said.push_str(&format!(" (SDQ score {})", score.get()));
            }
            if h.immunisations_up_to_date == Some(false) {
                said.push_str(": immunisations not up to date");
            }
            said
        }
        E::DentalCheck(d) => match d.treatment_needed {
            Some(needed) => format!(
                "{}: {}",
                titled(data),
                yes_no(needed, "treatment needed", "no treatment needed")
            ),
            None => titled(data),
        },
        E::PepReviewed(p) => match p.attendance {
            Some(a) => format!("{} (attendance {}%)", titled(data), a.get()),
            None => titled(data),
        },
        E::MissingStarted(m) => format!("Missing episode started: {}", m.missing.label()),
        E::MissingEnded(m) => {
            let interview = match (m.return_interview_offered, m.return_interview_accepted) {
                (true, true) => "return interview offered and accepted",
                (true, false) => "return interview offered, not accepted",
                (false, _) => "no return interview offered",
            };
            format!("Missing episode ended: {interview}")
        }
        E::LookedAfterEnded(l) => format!("Stopped being looked after: {}", l.reason.label()),
        // permanence
        E::PermanencePlanSet(p) => format!("Permanence plan set: {}", p.plan.label()),
        E::AdmDecision(_) => titled(data),
        E::PlacementOrder(_) => titled(data),
        E::AdoptionMatched(m) => match (m.adopters, m.foster_carers) {
            (Some(a), Some(true)) => format!(
                "{}: {}, the child's foster carers",
                titled(data),
                lower_first(a.label())
            ),
            (Some(a), _) => format!("{}: {}", titled(data), lower_first(a.label())),
            (None, _) => titled(data),
        },
        E::PlacedForAdoption(_) => titled(data),
        E::AdoptionOrder(_) => titled(data),
        E::AdoptionDecisionReversed(a) => {
            format!("Adoption decision reversed: {}", a.reason.label())
        }
        // leaving care
        E::PersonalAdviserAllocated(p) => format!(
            "Personal adviser allocated: {}",
            worker_name(&p.adviser, org)
        ),
        E::PathwayPlanReviewed(p) => match p.eligibility {
            Some(e) => format!("{} ({})", titled(data), lower_first(e.label())),
            None => titled(data),
        },
        E::CareLeaverContact(c) => format!(
            "Care leaver contact: {}; {}; {}",
            c.in_touch.label(),
            lower_first(c.activity.label()),
            lower_first(c.accommodation.label())
        ),
        // corrections, without the journey
        E::EventAmended(a) => describe_amendment(a, None, org),
        E::EventRetracted(r) => format!("An earlier event was retracted: {}", r.reason.trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_domain::amounts::{Percent, SdqScore};
    use hearth_domain::codes::*;
    use hearth_domain::event::*;
    use hearth_domain::ids::*;
    use hearth_domain::people::{Address, Name, PersonDetails};
    use hearth_testkit::organisation as org;
    use jiff::civil::date;
    use std::collections::BTreeSet;

    fn event(id: &str, on: &str, data: EventData) -> Event {
        hearth_testkit::ev("C1", id, on, data)
    }

    fn w1() -> WorkerId {
        WorkerId::parse("W1").unwrap()
    }

    fn details() -> PersonDetails {
        hearth_testkit::details("Ava", "Example", date(2015, 6, 1))
    }

    /// One payload of every kind. `describe` matches exhaustively, so a new kind cannot
    /// compile without a sentence; the count below makes this list keep up too.
    fn every_kind() -> Vec<EventData> {
        use EventData as E;
        let contact = || ContactId::parse("K1").unwrap();
        let child = || PersonRef::parse("child:C1").unwrap();
        let adult = || PersonRef::parse("adult:A1").unwrap();
        vec![
            E::PersonRegistered(PersonRegistered {
                adult: None,
                family: None,
                details: details(),
            }),
            E::PersonAmended(PersonAmended {
                adult: None,
                changes: PersonChanges {
                    name: Some(Name {
                        given: String::from("Eva"),
                        family: String::from("Example"),
                    }),
                    ..PersonChanges::default()
                },
            }),
            E::RelationshipAdded(Relationship {
                from: adult(),
                to: child(),
                relationship: RelationshipKind::Parent,
            }),
            E::RelationshipEnded(Relationship {
                from: adult(),
                to: child(),
                relationship: RelationshipKind::HouseholdMember,
            }),
            E::AddressChanged(AddressChanged {
                adult: None,
                address: Address {
                    lines: vec![String::from("1 High Street")],
                    town: String::from("Ashford"),
                    postcode: "TN23 1AA".parse().unwrap(),
                },
            }),
            E::PersonsMerged(PersonsMerged::new(ChildId::parse("C2").unwrap())),
            E::PersonsUnmerged(PersonsMerged::new(ChildId::parse("C2").unwrap())),
            E::ContactReceived(ContactReceived::new(contact(), ReferralSource::Police)),
            E::PartnerCheckRequested(PartnerCheck::new(contact(), Agency::Health, Rag::Amber)),
            E::PartnerCheckReturned(PartnerCheck::new(contact(), Agency::Health, Rag::Amber)),
            E::ContactDecided(ContactDecided::new(
                contact(),
                ContactOutcome::Referral,
                Some(String::from("4")),
            )),
            E::PersonLinked(PersonLinked {
                given: 0,
                person: child(),
                created: false,
                weight: Some(12.5),
                model: Some(String::from("fs-1")),
            }),
            E::PersonUnlinked(PersonUnlinked {
                given: 1,
                person: adult(),
                reason: String::from("a different person of the same name"),
            }),
            E::ContactDecisionProposed(ContactDecided {
                child: Some(ChildId::parse("C1").unwrap()),
                reasons: Some(String::from("Threshold met")),
                primary_need: Some(PrimaryNeed::AbuseOrNeglect),
                ..ContactDecided::new(contact(), ContactOutcome::StrategyDiscussion, None)
            }),
            E::ContactRouted(ContactRouted {
                child: Some(ChildId::parse("C1").unwrap()),
                team: TeamId::parse("T1").unwrap(),
                worker: None,
                locality: Some(String::from("North")),
                reason: RouteReason::ExistingWorker,
            }),
            E::ReferralAccepted(ReferralAccepted {
                referral: ReferralId::parse("R1").unwrap(),
                contact: Some(contact()),
                source: ReferralSource::Police,
                primary_need: PrimaryNeed::AbuseOrNeglect,
            }),
            E::EarlyHelpStarted(EarlyHelpStarted {
                family: None,
                step_down: true,
            }),
            E::EarlyHelpAssessmentCompleted(EarlyHelpAssessmentCompleted {
                organisation: Some(AssessingOrganisation::School),
                goals: Some(LongText(String::from("Attend school\nSleep well"))),
            }),
            E::FamilyPlanReviewed(FamilyPlanReviewed {
                progress: Some(PlanProgress::Partial),
                summary: None,
            }),
            E::EarlyHelpEnded(EarlyHelpEnded {
                reason: EarlyHelpEndReason::NeedsMet,
            }),
            E::Allocated(Allocated {
                worker: w1(),
                team: TeamId::parse("T1").unwrap(),
                reason: None,
            }),
            E::Unallocated(Empty {}),
            E::MeetingHeld(MeetingHeld {
                meeting: MeetingKind::CinReview,
            }),
            E::Visit(Visit {
                worker: w1(),
                seen: true,
                seen_alone: true,
            }),
            E::CaseNoteRecorded(CaseNote {
                contact_type: NoteContact::PhoneCall,
                narrative: LongText(String::from("Spoke with mother about school.")),
                present: None,
                seen: false,
                seen_alone: false,
                child_words: None,
                strengths: None,
                worries: None,
                analysis: None,
            }),
            E::AssessmentStarted(AssessmentStarted { worker: Some(w1()) }),
            E::AssessmentCompleted(AssessmentCompleted {
                factors: vec![
                    AssessmentFactor::Neglect,
                    AssessmentFactor::DomesticAbuseParent,
                ],
                services_needed: true,
                child_seen: None,
            }),
            E::CinPlanStarted(CinPlanStarted::default()),
            E::CinPlanReviewed(CinPlanReviewed {
                progress: Some(PlanProgress::Good),
            }),
            E::CinPlanEnded(CinPlanEnded {
                reason: Some(CinPlanEndReason::SteppedDown),
            }),
            E::CinClosed(CinClosed {
                reason: ReasonForClosure::ServicesCeased,
            }),
            E::StrategyDiscussion(StrategyDiscussion { s47: true }),
            E::S47Started(S47Started {
                joint_with_police: Some(true),
            }),
            E::S47Completed(S47Completed {
                icpc_required: true,
            }),
            E::IcpcHeld(IcpcHeld { plan: true }),
            E::CpPlanStarted(CpCategory {
                category: CategoryOfAbuse::Neglect,
            }),
            E::CoreGroupHeld(CoreGroupHeld {
                progress: Some(PlanProgress::Worse),
                parents_attended: Some(false),
            }),
            E::CpReviewHeld(CpReviewHeld {
                continue_plan: true,
            }),
            E::CpCategoryChanged(CpCategory {
                category: CategoryOfAbuse::Emotional,
            }),
            E::CpPlanEnded(Empty {}),
            E::LookedAfterStarted(LookedAfterStarted {
                legal_status: LegalStatus::InterimCareOrder,
                category_of_need: PrimaryNeed::AbuseOrNeglect,
                uasc: false,
                previous_permanence: None,
            }),
            E::LegalStatusChanged(LegalStatusChanged {
                legal_status: LegalStatus::FullCareOrder,
            }),
            E::PlacementStarted(PlacementStarted {
                placement_type: PlacementType::FosterOther,
                provider: PlacementProvider::Private,
                postcode: Some("TN23 1AA".parse().unwrap()),
                urn: Some(String::from("SC123456")),
                weekly_cost: None,
                same_carers: None,
            }),
            E::PlacementEnded(PlacementEnded {
                reason: ReasonPlaceChange::CarePlan,
            }),
            E::ClaReviewHeld(ClaReviewHeld {
                participation: ReviewParticipation::SpeaksForSelf,
            }),
            E::IroContact(IroContact {
                method: Some(ContactMethod::Video),
            }),
            E::HealthAssessment(HealthAssessment {
                assessment: Some(HealthAssessmentKind::Review),
                immunisations_up_to_date: Some(false),
                sdq_score: Some(SdqScore::new(12).unwrap()),
                sdq_reason: None,
                substance_misuse: Some(false),
            }),
            E::DentalCheck(DentalCheck {
                treatment_needed: Some(false),
            }),
            E::PepReviewed(PepReviewed {
                attendance: Some(Percent::new(91).unwrap()),
            }),
            E::MissingStarted(MissingStarted {
                missing: MissingKind::Missing,
            }),
            E::MissingEnded(MissingEnded {
                return_interview_offered: true,
                return_interview_accepted: false,
            }),
            E::LookedAfterEnded(LookedAfterEnded {
                reason: ReasonCeased::ReturnedHomePlanned,
            }),
            E::PermanencePlanSet(PermanencePlanSet {
                plan: PermanencePlan::Adoption,
            }),
            E::AdmDecision(Empty {}),
            E::PlacementOrder(Empty {}),
            E::AdoptionMatched(AdoptionMatched {
                adopters: Some(Adopters::MixedCouple),
                foster_carers: Some(true),
            }),
            E::PlacedForAdoption(Empty {}),
            E::AdoptionOrder(Empty {}),
            E::AdoptionDecisionReversed(AdoptionDecisionReversed {
                reason: AdoptionReversalReason::NoAdopters,
            }),
            E::PersonalAdviserAllocated(PersonalAdviserAllocated { adviser: w1() }),
            E::PathwayPlanReviewed(PathwayPlanReviewed {
                eligibility: Some(CareLeaverEligibility::FormerRelevant),
            }),
            E::CareLeaverContact(CareLeaverContact {
                in_touch: InTouch::Yes,
                activity: Activity::EmploymentFull,
                accommodation: Accommodation::IndependentSuitable,
            }),
            E::EventAmended(EventAmended {
                event: EventId::parse("e-visit").unwrap(),
                reason: String::from("wrong date"),
                occurred_at: Some(OccurredAt::parse("2024-03-02").unwrap()),
                amended: None,
            }),
            E::EventRetracted(EventRetracted {
                event: EventId::parse("e-visit").unwrap(),
                reason: String::from("entered on the wrong child"),
            }),
        ]
    }

    #[test]
    fn every_kind_has_a_plain_sentence() {
        let all = every_kind();
        let kinds: BTreeSet<&str> = all.iter().map(EventData::kind).collect();
        assert_eq!(kinds.len(), all.len(), "a kind is listed twice");
        assert_eq!(
            kinds.len(),
            64,
            "a kind of event is missing from every_kind()"
        );
        let org = org();
        for (i, data) in all.into_iter().enumerate() {
            let kind = data.kind();
            let e = event(&format!("e{i}"), "2024-03-01", data);
            for o in [Some(&org as &dyn Names), None] {
                let s = describe(&e, o);
                assert!(!s.trim().is_empty(), "{kind}: empty sentence");
                for bad in [
                    "{", "}", "Some(", "None", "\"", "::", "(_", "Empty", "[", "]",
                ] {
                    assert!(!s.contains(bad), "{kind}: {s:?} contains {bad:?}");
                }
                assert!(
                    s.chars().next().is_some_and(|c| c.is_uppercase()),
                    "{kind}: {s:?} should start with a capital"
                );
                assert!(!s.contains('_'), "{kind}: {s:?} shows a code name");
            }
        }
    }

    #[test]
    fn exact_sentences() {
        let org = org();
        let all = every_kind();
        let say = |kind: &str| {
            let data = all
                .iter()
                .find(|d| d.kind() == kind)
                .unwrap_or_else(|| panic!("no {kind}"))
                .clone();
            describe(&event("e", "2024-03-01", data), Some(&org))
        };
        let cases = [
            ("contact_received", "Contact received from Police"),
            (
                "person_linked",
                "Person 1 named in the contact linked to child C1",
            ),
            (
                "person_unlinked",
                "Person 2 named in the contact unlinked from adult A1: a different person of the same name",
            ),
            (
                "contact_decision_proposed",
                "Contact decision proposed: Strategy discussion",
            ),
            (
                "contact_routed",
                "Contact routed to Ashford CIN team (the family already has a worker)",
            ),
            (
                "referral_accepted",
                "Referral accepted (primary need: Abuse or neglect)",
            ),
            (
                "cp_plan_started",
                "Child protection plan started (category: Neglect)",
            ),
            (
                "placement_started",
                "Placed: Foster placement with other carer: not long term or FFA (Private provision)",
            ),
            ("allocated", "Allocated to Sam Patel (Ashford CIN team)"),
            ("visit", "Visit by Sam Patel: child seen alone"),
            (
                "case_note_recorded",
                "Case note (phone call): child not seen",
            ),
            (
                "cla_review_held",
                "Looked after review held (child's participation: Attends and speaks for self)",
            ),
            ("person_registered", "Child registered (born 2015-06-01)"),
            ("person_amended", "Details amended: name"),
            (
                "relationship_added",
                "Relationship added: adult A1 is parent of child C1",
            ),
            (
                "contact_decided",
                "Contact decided: Referral to children's social care (level of need: 4)",
            ),
            (
                "assessment_completed",
                "Assessment completed: services needed (factors: Neglect; Domestic abuse: parent or carer)",
            ),
            (
                "strategy_discussion",
                "Strategy discussion held: section 47 enquiry to start",
            ),
            ("meeting_held", "Child in need review meeting held"),
            (
                "missing_ended",
                "Missing episode ended: return interview offered, not accepted",
            ),
            ("address_changed", "Address changed (Ashford, TN23 1AA)"),
            (
                "personal_adviser_allocated",
                "Personal adviser allocated: Sam Patel",
            ),
            (
                "care_leaver_contact",
                "Care leaver contact: In touch; full-time training or employment; independent living (suitable)",
            ),
            (
                "early_help_assessment_completed",
                "Early help assessment completed by school or college",
            ),
            (
                "family_plan_reviewed",
                "Family plan reviewed: some progress",
            ),
            ("assessment_started", "Assessment started by Sam Patel"),
            (
                "cin_plan_reviewed",
                "Child in need plan reviewed: good progress",
            ),
            (
                "cin_plan_ended",
                "Child in need plan ended: stepped down to early help",
            ),
            (
                "s47_started",
                "Section 47 enquiry started, jointly with the police",
            ),
            (
                "core_group_held",
                "Core group meeting held: things have got worse; parents or carers did not attend",
            ),
            (
                "iro_contact",
                "Contact with the independent reviewing officer (video call)",
            ),
            (
                "health_assessment",
                "Review health assessment (SDQ score 12): immunisations not up to date",
            ),
            ("dental_check", "Dental check: no treatment needed"),
            (
                "pep_reviewed",
                "Personal education plan reviewed (attendance 91%)",
            ),
            (
                "adoption_matched",
                "Matched with prospective adopters: a man and a woman, the child's foster carers",
            ),
            (
                "pathway_plan_reviewed",
                "Pathway plan reviewed (former relevant child)",
            ),
        ];
        for (kind, expected) in cases {
            assert_eq!(say(kind), expected, "{kind}");
        }
        // Entries recorded before these kinds had fields read as their titles.
        let old = describe(
            &event(
                "e",
                "2024-03-01",
                EventData::IroContact(IroContact::default()),
            ),
            Some(&org),
        );
        assert_eq!(old, "Contact with the independent reviewing officer");
    }

    #[test]
    fn unknown_workers_and_teams_fall_back_to_their_ids() {
        let e = event(
            "e",
            "2024-03-01",
            EventData::Allocated(Allocated {
                worker: WorkerId::parse("W99").unwrap(),
                team: TeamId::parse("t-unknown").unwrap(),
                reason: None,
            }),
        );
        assert_eq!(describe(&e, Some(&org())), "Allocated to W99 (t-unknown)");
        assert_eq!(describe(&e, None), "Allocated to W99 (t-unknown)");
    }

    #[test]
    fn an_allocation_says_why_the_worker_changed_when_it_was_given() {
        let allocated = |reason: Option<&str>| {
            event(
                "e",
                "2024-03-01",
                EventData::Allocated(Allocated {
                    worker: w1(),
                    team: TeamId::parse("T1").unwrap(),
                    reason: reason.map(str::to_owned),
                }),
            )
        };
        let org = org();
        assert_eq!(
            describe(
                &allocated(Some(" Stepped up: Sam stays with the family ")),
                Some(&org)
            ),
            "Allocated to Sam Patel (Ashford CIN team): Stepped up: Sam stays with the family"
        );
        assert_eq!(
            describe(&allocated(Some("  ")), Some(&org)),
            "Allocated to Sam Patel (Ashford CIN team)"
        );
    }

    #[test]
    fn unborn_child_registration_names_the_due_date() {
        let mut d = details();
        d.date_of_birth = None;
        d.expected_date_of_birth = Some(date(2025, 1, 15));
        let e = event(
            "e",
            "2024-11-01",
            EventData::PersonRegistered(PersonRegistered {
                adult: None,
                family: None,
                details: d,
            }),
        );
        assert_eq!(
            describe(&e, None),
            "Unborn child registered (due 2025-01-15)"
        );
    }

    #[test]
    fn corrections_name_the_event_they_correct_by_its_date() {
        let org = org();
        let visit = event(
            "e-visit",
            "2024-03-01",
            EventData::Visit(Visit {
                worker: w1(),
                seen: true,
                seen_alone: false,
            }),
        );
        let retraction = event(
            "e-retract",
            "2024-03-05",
            EventData::EventRetracted(EventRetracted {
                event: visit.id.clone(),
                reason: String::from("entered on the wrong child"),
            }),
        );
        let journey = vec![visit.clone(), retraction.clone()];
        assert_eq!(
            describe_in_journey(&retraction, &journey, Some(&org)),
            "Event of 2024-03-01 retracted: entered on the wrong child"
        );
        assert_eq!(
            describe(&retraction, Some(&org)),
            "An earlier event was retracted: entered on the wrong child"
        );

        let amendment = event(
            "e-amend",
            "2024-03-05T10:30",
            EventData::EventAmended(EventAmended {
                event: visit.id.clone(),
                reason: String::from("the child was seen alone"),
                occurred_at: Some(OccurredAt::parse("2024-03-02").unwrap()),
                amended: Some(Box::new(EventData::Visit(Visit {
                    worker: w1(),
                    seen: true,
                    seen_alone: true,
                }))),
            }),
        );
        assert_eq!(
            describe_in_journey(&amendment, &journey, Some(&org)),
            "Amended the event of 2024-03-01: the child was seen alone. Now dated 2024-03-02. \
             Now reads: Visit by Sam Patel: child seen alone"
        );
        assert_eq!(when(amendment.occurred_at), "2024-03-05 10:30");
    }

    #[test]
    fn placement_sentence_leaves_out_where_the_child_lives() {
        let all = every_kind();
        let placement = all
            .into_iter()
            .find(|d| d.kind() == "placement_started")
            .unwrap();
        let s = describe(&event("e", "2024-03-01", placement), None);
        assert!(!s.contains("TN23"), "{s}");
        assert!(!s.contains("SC123456"), "{s}");
    }
}
