//! The front door's queue and its decisions (plan §1.4, §1.7): the contacts waiting,
//! oldest first with their clocks; a decision on a contact, for each linked child (or
//! the whole contact), written on the contact's journey and mirrored on the child's,
//! with the referral it makes and where it goes (routing); and a manager's sign-off of
//! a decision the authority asks to be signed off.

use super::screening::{actor, occurred, refusal};
use crate::reader::Reader;
use crate::{App, AppError, Caller, ContactError};
use hearth_domain::access::Permission;
use hearth_domain::codes::{ContactOutcome, PrimaryNeed};
use hearth_domain::contact::{ContactState, ContactStatus, IntakeError, IntakeProblem};
use hearth_domain::event::{
    Allocated, ContactDecided, ContactRouted, Event, EventData, EventRetracted, OccurredAt,
    ReferralAccepted,
};
use hearth_domain::identifiers::PostcodeSector;
use hearth_domain::ids::{
    Actor, ChildId, ContactId, EventId, PersonRef, ReferralId, Subject, TeamId, WorkerId,
};
use hearth_domain::journey::{
    ChildState, JourneyError, Problem, effective_events, fold_family, is_re_referral,
};
use hearth_domain::obligations::contact_obligations;
use hearth_domain::org::{Organisation, RouteError, RouteFacts, route};
use hearth_domain::timescales::Due;
use hearth_store::{ContactRecord, QueueFilter, Version};
use jiff::Timestamp;
use jiff::civil::{DateTime, Time};

/// A contact on the queue, with where its clocks stand now.
#[derive(Debug, Clone)]
pub struct QueueRow {
    pub contact: ContactRecord,
    pub status: ContactStatus,
    /// When the first of the duties it still owes falls due (its decision, or a partner
    /// check awaited); none when it owes nothing the rules time.
    pub due: Option<Due>,
    /// Whether any duty it still owes (the decision, a check) is past its deadline now.
    pub overdue: bool,
}

/// The last moment a duty may be met: the end of its day, for a duty in days.
fn deadline(due: Due) -> DateTime {
    match due {
        Due::On(day) => day.to_datetime(Time::MAX),
        Due::At(moment) => moment,
    }
}

/// A decision for one linked child (or, with `child` absent, for the whole contact), as
/// the screener gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildDecision {
    pub child: Option<ChildId>,
    pub outcome: ContactOutcome,
    /// The authority's level of need (`threshold.levels[].name`); none for no further
    /// action.
    pub level: Option<String>,
    pub reasons: String,
    /// Needed for a referral (the child in need episode records it).
    pub primary_need: Option<PrimaryNeed>,
}

/// What a decision (or a sign-off) wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    /// The contact's version after the write.
    pub version: Version,
    /// Written as a proposal, to wait for a manager's sign-off.
    pub proposed: bool,
    /// Where each decided child (or the contact) went, in the order decided.
    pub routes: Vec<ContactRouted>,
    /// The children referred who had a referral less than 12 months before: worked out
    /// for the screener to see, never stored (the census works it out again).
    pub re_referrals: Vec<ChildId>,
}

/// Outcomes that open a child in need episode (a referral to social care).
fn refers(outcome: ContactOutcome) -> bool {
    matches!(
        outcome,
        ContactOutcome::Referral
            | ContactOutcome::StrategyDiscussion
            | ContactOutcome::ImmediateProtection
    )
}

/// A refusal of the request itself, naming the field.
fn bad(field: String, problem: IntakeProblem) -> ContactError {
    ContactError::Intake(IntakeError::new(field, problem))
}

/// The events of one write. Each is named from its journey's version before the write
/// (which every front-door write moves) and its place in the write, so no two writes
/// choose the same id: `{contact}-{version}-{i}-{what}` on the contact's journey, and
/// `{child}-{version}-{i}-{what}` on a child's, so a refusal there names the child.
struct Write {
    contact: ContactId,
    version: Version,
    at: OccurredAt,
    now: Timestamp,
    by: Actor,
    events: Vec<Event>,
}

impl Write {
    /// The id the next event will have, on the contact's journey or (given with the
    /// version read) a child's.
    fn next_id(&self, child: Option<(&ChildId, Version)>, what: &str) -> EventId {
        let i = self.events.len();
        let id = match child {
            None => format!("{}-{}-{i}-{what}", self.contact, self.version),
            Some((child, version)) => format!("{child}-{version}-{i}-{what}"),
        };
        EventId::parse(&id)
            .unwrap_or_else(|_| unreachable!("ids, version numbers and a word make an event id"))
    }

    fn push(&mut self, id: EventId, subject: Subject, data: EventData) {
        self.events.push(Event {
            id,
            subject,
            occurred_at: self.at,
            recorded_at: self.now,
            recorded_by: self.by.clone(),
            data,
        });
    }

    fn on_contact(&mut self, what: &str, data: EventData) {
        let id = self.next_id(None, what);
        self.push(id, Subject::Contact(self.contact.clone()), data);
    }

    /// An event on `child`'s journey, read at `version`.
    fn on_child(&mut self, child: &ChildId, version: Version, what: &str, data: EventData) {
        let id = self.next_id(Some((child, version)), what);
        self.push(id, Subject::Child(child.clone()), data);
    }
}

/// The id of the referral a decision makes for `child`, whose journey was read at
/// `version`: unique, as the child's version only grows.
fn referral_id(child: &ChildId, version: Version) -> ReferralId {
    ReferralId::parse(&format!("{child}-R{version}"))
        .unwrap_or_else(|_| unreachable!("a child id and a version number make a referral id"))
}

impl App {
    /// The front-door queue: the contacts `filter` picks, oldest received first, each
    /// with its first due time and whether it is overdue now (from its own journey, under
    /// the authority's rules and calendar). Needs `ScreenContacts`; the access log says
    /// the queue was viewed and names no contact.
    pub async fn contact_queue(
        &self,
        caller: &Caller,
        now: Timestamp,
        filter: &QueueFilter,
    ) -> Result<Vec<QueueRow>, ContactError> {
        self.check(caller, now, Permission::ScreenContacts, "front-door queue")
            .await?;
        let today = crate::today(now);
        let at = occurred(now);
        let authority = self.authority(today).await?;
        let mut rows = Vec::new();
        for contact in self.store().contact_queue(filter).await? {
            let (due, overdue) = self
                .contact_clocks(&contact.state.id, &authority, today, at)
                .await?;
            rows.push(QueueRow {
                status: contact.state.status(),
                due,
                overdue,
                contact,
            });
        }
        self.store()
            .log_access_to(now, caller.actor(), "front-door queue", "viewed queue")
            .await?;
        Ok(rows)
    }

    /// Where contact `id`'s clocks stand at `at` (on `today`, under `authority`): when
    /// the first duty it still owes falls due (its decision, or a partner check awaited),
    /// and whether any it still owes is past its deadline.
    pub(super) async fn contact_clocks(
        &self,
        id: &ContactId,
        authority: &crate::due::Authority,
        today: jiff::civil::Date,
        at: OccurredAt,
    ) -> Result<(Option<Due>, bool), ContactError> {
        let (events, _) = self.store().journey(&Subject::Contact(id.clone())).await?;
        let duties = contact_obligations(id, &events, &authority.rules, &authority.calendar, today)
            .map_err(|source| {
                AppError::Due(crate::due::DueError::ContactJourney {
                    contact: id.clone(),
                    source,
                })
            })?;
        let owed = duties.iter().filter(|o| o.status.is_outstanding());
        Ok((
            owed.clone().map(|o| o.due).min_by_key(|due| deadline(*due)),
            owed.clone().any(|o| o.due.missed_by(at)),
        ))
    }

    /// Decide contact `k` (at `version`, as the caller read it): one decision for each
    /// linked child, or one for the whole contact. Needs `DecideContacts`. Each gives its
    /// reasons, a referral its primary need, and a level the threshold has. An outcome
    /// the authority has a manager sign off is written as a proposal and waits
    /// ([`App::sign_off`]); any other is `contact_decided` on the contact and on the
    /// child's journey, with `referral_accepted` for a referral (refused while the child
    /// has a child in need episode open) and the route (`contact_routed`, and `allocated`
    /// when the family's worker takes the child). One write, all or nothing; every
    /// refusal is logged against the contact.
    pub async fn decide(
        &self,
        caller: &Caller,
        now: Timestamp,
        k: &ContactId,
        decisions: Vec<ChildDecision>,
        version: Version,
    ) -> Result<Decided, ContactError> {
        let target = Subject::Contact(k.clone()).to_string();
        self.check(caller, now, Permission::DecideContacts, &target)
            .await?;
        let result = self.decide_inner(caller, now, k, decisions, version).await;
        self.logged(caller, now, k, result).await
    }

    /// A manager's answer to the decisions proposed on contact `k` (at `version`): with
    /// `accept`, each stands as `contact_decided` (naming who proposed it, with the
    /// manager's `reasons` added to the proposer's when given) and goes on as
    /// [`App::decide`] takes a decision; without, each proposal is retracted for
    /// `reasons` and the contact waits for a decision again. Needs `SignOffDecisions`;
    /// nobody signs off their own proposal.
    pub async fn sign_off(
        &self,
        caller: &Caller,
        now: Timestamp,
        k: &ContactId,
        accept: bool,
        reasons: &str,
        version: Version,
    ) -> Result<Decided, ContactError> {
        let target = Subject::Contact(k.clone()).to_string();
        self.check(caller, now, Permission::SignOffDecisions, &target)
            .await?;
        let result = self
            .sign_off_inner(caller, now, k, accept, reasons, version)
            .await;
        self.logged(caller, now, k, result).await
    }

    /// Log a refusal of a front-door step against the contact, naming why; pass the
    /// rest on. (A write logs the subjects it wrote itself.)
    async fn logged<T>(
        &self,
        caller: &Caller,
        now: Timestamp,
        k: &ContactId,
        result: Result<T, ContactError>,
    ) -> Result<T, ContactError> {
        let why = match &result {
            Ok(_) => return result,
            Err(ContactError::NoContact) => "no such contact",
            Err(ContactError::Changed) => "changed",
            Err(ContactError::NotAllowed(_)) => "not allowed",
            Err(ContactError::Intake(_)) => "bad request",
            Err(ContactError::App(_)) => return result,
        };
        self.store()
            .log_access_to(
                now,
                caller.actor(),
                &Subject::Contact(k.clone()).to_string(),
                &format!("refused ({why}): {}", caller.purpose),
            )
            .await?;
        result
    }

    /// The contact at `version`, or why not.
    async fn contact_at(
        &self,
        k: &ContactId,
        version: Version,
    ) -> Result<ContactRecord, ContactError> {
        let record = self
            .store()
            .contact(k)
            .await?
            .ok_or(ContactError::NoContact)?;
        if record.version != version {
            return Err(ContactError::Changed);
        }
        Ok(record)
    }

    async fn decide_inner(
        &self,
        caller: &Caller,
        now: Timestamp,
        k: &ContactId,
        decisions: Vec<ChildDecision>,
        version: Version,
    ) -> Result<Decided, ContactError> {
        let record = self.contact_at(k, version).await?;
        if decisions.is_empty() {
            return Err(bad(String::from("decisions"), IntakeProblem::Empty));
        }
        let today = crate::today(now);
        let authority = self.authority(today).await?;
        let org = authority.organisation.as_ref();
        for (i, d) in decisions.iter().enumerate() {
            let field = |name: &str| format!("decisions[{i}].{name}");
            if d.reasons.trim().is_empty() {
                return Err(bad(field("reasons"), IntakeProblem::Empty));
            }
            if let Some(level) = &d.level
                && !org.is_some_and(|o| o.threshold.levels.iter().any(|l| &l.name == level))
            {
                return Err(bad(
                    field("level"),
                    IntakeProblem::NotCode { list: "level" },
                ));
            }
            if refers(d.outcome) && d.primary_need.is_none() {
                return Err(bad(field("primary_need"), IntakeProblem::Missing));
            }
        }
        let sign_off = org
            .and_then(|o| o.front_door.as_ref())
            .is_some_and(|f| decisions.iter().any(|d| f.needs_sign_off(d.outcome)));
        let mut write = Write {
            contact: k.clone(),
            version,
            at: occurred(now),
            now,
            by: actor(caller),
            events: Vec::new(),
        };
        let taken: Vec<ContactDecided> = decisions
            .into_iter()
            .map(|d| ContactDecided {
                child: d.child,
                reasons: Some(d.reasons),
                primary_need: d.primary_need,
                ..ContactDecided::new(k.clone(), d.outcome, d.level)
            })
            .collect();
        if sign_off {
            // The whole decision waits: a manager signs off what was decided together.
            for d in taken {
                write.on_contact("proposed", EventData::ContactDecisionProposed(d));
            }
            return self
                .commit(caller, write, vec![], true, "decision proposed")
                .await;
        }
        self.settle(caller, write, &record.state, org, taken).await
    }

    async fn sign_off_inner(
        &self,
        caller: &Caller,
        now: Timestamp,
        k: &ContactId,
        accept: bool,
        reasons: &str,
        version: Version,
    ) -> Result<Decided, ContactError> {
        let record = self.contact_at(k, version).await?;
        let at = occurred(now);
        let refused = |problem| {
            ContactError::NotAllowed(JourneyError {
                event: EventId::parse(&format!("{k}-{version}-sign-off"))
                    .unwrap_or_else(|_| unreachable!("a contact id and words are an id")),
                kind: "contact_decided",
                date: at.date,
                problem,
            })
        };
        let state = &record.state;
        if state.proposals.is_empty() {
            return Err(refused(Problem::NothingProposed));
        }
        if state
            .proposals
            .iter()
            .any(|p| p.by.as_str() == caller.actor())
        {
            return Err(refused(Problem::OwnProposal));
        }
        let reasons = reasons.trim();
        let mut write = Write {
            contact: k.clone(),
            version,
            at,
            now,
            by: actor(caller),
            events: Vec::new(),
        };
        if !accept {
            if reasons.is_empty() {
                return Err(bad(String::from("reasons"), IntakeProblem::Empty));
            }
            // The proposals standing now are the last proposed for each child.
            let (events, _) = self.store().journey(&Subject::Contact(k.clone())).await?;
            let effective = effective_events(&events).map_err(ContactError::NotAllowed)?;
            for p in &state.proposals {
                let Some(event) = effective.iter().rev().find(|e| {
                    matches!(&e.data, EventData::ContactDecisionProposed(d) if d.child == p.child)
                }) else {
                    continue;
                };
                write.on_contact(
                    "sent-back",
                    EventData::EventRetracted(EventRetracted {
                        event: event.id.clone(),
                        reason: reasons.to_owned(),
                    }),
                );
            }
            return self
                .commit(caller, write, vec![], false, "decision sent back")
                .await;
        }
        let today = crate::today(now);
        let authority = self.authority(today).await?;
        let taken = state
            .proposals
            .iter()
            .map(|p| ContactDecided {
                child: p.child.clone(),
                reasons: Some(match (&p.reasons, reasons.is_empty()) {
                    (Some(theirs), false) => format!("{theirs}\nSigned off: {reasons}"),
                    (Some(theirs), true) => theirs.clone(),
                    (None, _) => reasons.to_owned(),
                }),
                primary_need: p.primary_need,
                proposed_by: Some(p.by.clone()),
                ..ContactDecided::new(k.clone(), p.outcome, p.level.clone())
            })
            .collect();
        self.settle(caller, write, state, authority.organisation.as_ref(), taken)
            .await
    }

    /// Write decisions that stand: each on the contact and its child's journey, the
    /// referrals they make, and where they go.
    async fn settle(
        &self,
        caller: &Caller,
        mut write: Write,
        contact: &ContactState,
        org: Option<&Organisation>,
        taken: Vec<ContactDecided>,
    ) -> Result<Decided, ContactError> {
        let k = write.contact.clone();
        // Each decision is checked against the contact before anything about its child
        // is: a child not linked is refused as that, not for what their journey holds.
        let mut folded = contact.clone();
        let mut children: Vec<(Subject, Version)> = Vec::new();
        let mut routes = Vec::new();
        let mut re_referrals = Vec::new();
        for d in taken {
            write.on_contact("decided", EventData::ContactDecided(d.clone()));
            if let Some(event) = write.events.last() {
                folded.apply(event).map_err(ContactError::NotAllowed)?;
            }
            let Some(child) = d.child.clone() else {
                continue;
            };
            let subject = Subject::Child(child.clone());
            // A restricted child looks, to anyone not named on them, like no record.
            let reader = Reader::new(self.store(), caller, write.now);
            let record = match reader.allowed(&child).await? {
                true => self.store().child(&child).await?,
                false => None,
            };
            let Some(record) = record else {
                return Err(AppError::NoChild.into());
            };
            children.push((subject.clone(), record.version));
            // The child's journey names the contact, not the child again.
            write.on_child(
                &child,
                record.version,
                "decided",
                EventData::ContactDecided(ContactDecided {
                    child: None,
                    ..d.clone()
                }),
            );
            if refers(d.outcome) {
                // Refused here, before anything is written, naming the child.
                if record.state.cin.is_some() {
                    return Err(ContactError::NotAllowed(JourneyError {
                        event: write.next_id(Some((&child, record.version)), "referral"),
                        kind: "referral_accepted",
                        date: write.at.date,
                        problem: Problem::CinAlreadyOpen,
                    }));
                }
                if is_re_referral(&record.state, write.at.date) {
                    re_referrals.push(child.clone());
                }
                let referral = referral_id(&child, record.version);
                write.on_child(
                    &child,
                    record.version,
                    "referral",
                    EventData::ReferralAccepted(ReferralAccepted {
                        referral,
                        contact: Some(k.clone()),
                        source: contact.source.ok_or(ContactError::NoContact)?,
                        primary_need: d.primary_need.ok_or_else(|| {
                            bad(String::from("primary_need"), IntakeProblem::Missing)
                        })?,
                    }),
                );
            }
            let Some(org) = org else { continue };
            let facts = RouteFacts {
                sector: self.sector(contact, &record.state),
                family_worker: self.family_worker(&record.state).await?,
            };
            let routed = match route(org, d.outcome, d.level.as_deref(), &facts) {
                Ok(r) => r,
                // No further action, advice and universal services go to no team; an
                // organisation without a team for the work leaves it with the front door's
                // queue, decided and not routed.
                Err(
                    RouteError::NoService(_) | RouteError::NoFrontDoor | RouteError::NoTeamFor(_),
                ) => continue,
                Err(RouteError::UnknownLevel(_)) => {
                    return Err(bad(
                        String::from("level"),
                        IntakeProblem::NotCode { list: "level" },
                    ));
                }
            };
            let routed = ContactRouted {
                child: Some(child.clone()),
                team: routed.team,
                worker: routed.worker,
                locality: routed.locality,
                reason: routed.reason,
            };
            write.on_contact("routed", EventData::ContactRouted(routed.clone()));
            // The child's journey names the team they went to (not the child again), so
            // that a child no one is allocated waits in that team's queue.
            write.on_child(
                &child,
                record.version,
                "routed",
                EventData::ContactRouted(ContactRouted {
                    child: None,
                    ..routed.clone()
                }),
            );
            // One family, one worker: a child the family's worker takes is allocated to
            // them, unless they already are.
            if let Some(worker) = &routed.worker
                && record
                    .state
                    .allocation
                    .as_ref()
                    .is_none_or(|a| &a.worker != worker)
            {
                write.on_child(
                    &child,
                    record.version,
                    "allocated",
                    EventData::Allocated(Allocated {
                        worker: worker.clone(),
                        team: routed.team.clone(),
                        reason: None,
                    }),
                );
            }
            routes.push(routed);
        }
        let version = self
            .commit(caller, write, children, false, "decided")
            .await?
            .version;
        Ok(Decided {
            version,
            proposed: false,
            routes,
            re_referrals,
        })
    }

    /// Check and append a write: the contact at the version it was read at, and each
    /// child at theirs; then log every subject written.
    async fn commit(
        &self,
        caller: &Caller,
        write: Write,
        children: Vec<(Subject, Version)>,
        proposed: bool,
        action: &str,
    ) -> Result<Decided, ContactError> {
        let today = crate::today(write.now);
        let authority = self
            .authority
            .get(self.store())
            .await
            .map_err(AppError::from)?;
        for event in &write.events {
            authority
                .recording
                .check(today, event)
                .map_err(ContactError::NotAllowed)?;
        }
        let contact = Subject::Contact(write.contact.clone());
        let mut expected = vec![(contact.clone(), write.version)];
        expected.extend(children);
        let subjects: Vec<Subject> = expected.iter().map(|(s, _)| s.clone()).collect();
        let versions = self
            .store()
            .append_many(expected, write.events)
            .await
            .map_err(refusal)?;
        let version = versions
            .iter()
            .find(|(s, _)| *s == contact)
            .map_or(write.version, |(_, v)| *v);
        self.store()
            .log_access(write.now, caller.actor(), &contact, action)
            .await?;
        let children: Vec<Subject> = subjects.into_iter().filter(|s| *s != contact).collect();
        if !children.is_empty() {
            self.store()
                .log_access_many(
                    write.now,
                    caller.actor(),
                    &children,
                    &format!("{action} on {contact}"),
                )
                .await?;
        }
        Ok(Decided {
            version,
            proposed,
            routes: Vec::new(),
            re_referrals: Vec::new(),
        })
    }

    /// The postcode sector the child lives in: their record's address, or else the one
    /// the contact gave for them.
    fn sector(&self, contact: &ContactState, child: &ChildState) -> Option<PostcodeSector> {
        if let Some(address) = child.details.as_ref().and_then(|d| d.address.as_ref()) {
            return Some(address.postcode.sector());
        }
        let given = contact
            .links
            .iter()
            .find(|(_, p)| **p == PersonRef::Child(child.id.clone()))
            .map(|(given, _)| usize::from(*given))?;
        let person = contact.intake.as_ref()?.people.get(given)?;
        Some(person.address.as_ref()?.postcode.as_ref()?.sector())
    }

    /// The worker the child's family already has: the child's own, or else the first
    /// allocated brother or sister's (by id).
    async fn family_worker(
        &self,
        child: &ChildState,
    ) -> Result<Option<(WorkerId, TeamId)>, ContactError> {
        if let Some(a) = &child.allocation {
            return Ok(Some((a.worker.clone(), a.team.clone())));
        }
        let Some(family) = &child.family else {
            return Ok(None);
        };
        let (events, _) = self
            .store()
            .journey(&Subject::Family(family.clone()))
            .await?;
        let state = fold_family(family, &events).map_err(ContactError::NotAllowed)?;
        for sibling in state.children.iter().filter(|c| **c != child.id) {
            if let Some(a) = self
                .store()
                .child(sibling)
                .await?
                .and_then(|r| r.state.allocation)
            {
                return Ok(Some((a.worker, a.team)));
            }
        }
        Ok(None)
    }
}
