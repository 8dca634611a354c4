//! Screening a contact: linking each person it names to a record (a child's journey
//! then carries mirrors of the contact's steps), unlinking a wrong link, and asking
//! partner agencies for checks and recording their answers.
//!
//! Every write here is one `append_many` over the contact and each child it touches,
//! each at the version read, so the contact and the children cannot disagree.

use super::intake;
use crate::person_index::Found;
use crate::reader::Reader;
use crate::{App, AppError, Caller, ContactError};
use hearth_domain::access::Permission;
use hearth_domain::codes::{Agency, Ethnicity, GivenRole, Rag, Sex};
use hearth_domain::contact::{ContactState, ContactStatus, GivenPerson, fold_contact};
use hearth_domain::event::{
    ContactReceived, Event, EventData, EventRetracted, OccurredAt, PartnerCheck, PersonLinked,
    PersonRegistered, PersonUnlinked,
};
use hearth_domain::ids::{
    Actor, AdultId, ChildId, ContactId, EventId, FamilyId, PersonRef, Subject, TeamId, WorkerId,
};
use hearth_domain::journey::{JourneyError, Problem, effective_events, fold_family};
use hearth_domain::people::{Address, Name, PersonDetails};
use hearth_domain::timescales::Due;
use hearth_store::{StoreError, Version};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::collections::{BTreeMap, BTreeSet};

/// When something done at `now` happened, to the minute, in England's time.
pub(crate) fn occurred(now: Timestamp) -> OccurredAt {
    let tz = TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC);
    let local = now.to_zoned(tz);
    OccurredAt::at(local.date(), local.hour(), local.minute())
}

/// Who the journal names as recording a write: the caller.
pub(super) fn actor(caller: &Caller) -> Actor {
    Actor::parse(caller.actor())
        .unwrap_or_else(|_| unreachable!("a caller's name is an actor name"))
}

/// An event id made of parts that are each an id already (a contact id, a number, a
/// child id), so it parses.
fn event_id(id: String) -> EventId {
    EventId::parse(&id).unwrap_or_else(|_| unreachable!("ids and numbers make an event id"))
}

/// A contact's journey as read for a write: its events and version.
struct ContactJourney {
    id: ContactId,
    subject: Subject,
    events: Vec<Event>,
    version: Version,
}

impl ContactJourney {
    /// The id of the `i`th event of the write that makes this journey's next version:
    /// unique, as a contact's version only grows and its id is unique.
    /// `on` names the other subject's id, for an event on its journey.
    fn next_id(&self, i: usize, on: Option<&str>) -> EventId {
        let (k, n) = (&self.id, self.version + 1);
        match on {
            None if i == 0 => event_id(format!("{k}-{n}")),
            None => event_id(format!("{k}-{n}-{i}")),
            Some(other) => event_id(format!("{k}-{n}-{other}-{i}")),
        }
    }

    /// The events as they stand once corrections are applied.
    fn effective(&self) -> Result<Vec<Event>, ContactError> {
        effective_events(&self.events).map_err(ContactError::NotAllowed)
    }

    /// The contact as its journey folds.
    fn state(&self) -> Result<ContactState, ContactError> {
        fold_contact(&self.id, &self.events).map_err(ContactError::NotAllowed)
    }
}

/// A store refusal as the front door names it: a stale version is "changed", a step
/// a journey refuses is "not allowed".
pub(super) fn refusal(e: StoreError) -> ContactError {
    match e {
        StoreError::Conflict { .. } => ContactError::Changed,
        StoreError::Invalid(e) => ContactError::NotAllowed(e),
        other => other.into(),
    }
}

impl App {
    /// Go on if the caller may screen contacts (a refusal is logged against the
    /// contact), and read the contact's journey: refused as no contact if it has none,
    /// and as changed if it is no longer at `version` (when given).
    async fn screening_start(
        &self,
        caller: &Caller,
        now: Timestamp,
        contact: &ContactId,
        version: Option<Version>,
    ) -> Result<ContactJourney, ContactError> {
        let subject = Subject::Contact(contact.clone());
        self.check(
            caller,
            now,
            Permission::ScreenContacts,
            &subject.to_string(),
        )
        .await?;
        let (events, current) = self.store().journey(&subject).await?;
        if events.is_empty() {
            return Err(ContactError::NoContact);
        }
        if version.is_some_and(|v| v != current) {
            return Err(ContactError::Changed);
        }
        Ok(ContactJourney {
            id: contact.clone(),
            subject,
            events,
            version: current,
        })
    }

    /// A child's journey's version, for a write that adds to it: refused as no child if
    /// there is none or the caller may not see them (that refusal is logged).
    async fn child_version(
        &self,
        caller: &Caller,
        now: Timestamp,
        child: &ChildId,
    ) -> Result<Version, ContactError> {
        let reader = Reader::new(self.store(), caller, now);
        if !reader.allowed(child).await? {
            return Err(AppError::NoChild.into());
        }
        match self.store().child(child).await? {
            Some(record) => Ok(record.version),
            None => Err(AppError::NoChild.into()),
        }
    }

    /// Link the person the contact gives at `given` (its place among the people) to
    /// `person`, a child's record or an adult's, as of the contact's `version`. For a
    /// child, the same write puts on their journey a `contact_received` at the
    /// contact's date and a copy of each partner check the contact has had, so what
    /// folds the child's journey sees the contact. Needs `ScreenContacts`. Returns the
    /// contact's new version. The contact and the child are access-logged.
    pub async fn link_person(
        &self,
        caller: &Caller,
        now: Timestamp,
        contact: &ContactId,
        given: u8,
        person: PersonRef,
        version: Version,
    ) -> Result<Version, ContactError> {
        let journey = self
            .screening_start(caller, now, contact, Some(version))
            .await?;
        let weight = self.link_weight(&journey, given, &person).await?;
        let mut write = Write::new(&journey, caller, now);
        write.on_contact(EventData::PersonLinked(PersonLinked {
            given,
            person: person.clone(),
            created: false,
            weight,
            model: Some(self.people.model()),
        }));
        if let PersonRef::Child(child) = &person {
            let version = self.child_version(caller, now, child).await?;
            write.on_child(child, version, mirrors(&journey)?);
        }
        self.screening_write(write, &format!("linked {person}"), "linked to")
            .await
    }

    /// The match weight the model gives the pair a link makes, kept on the link so
    /// that links can train the model; none when the person linked is not among the
    /// candidates (found by a search instead).
    async fn link_weight(
        &self,
        journey: &ContactJourney,
        given: u8,
        person: &PersonRef,
    ) -> Result<Option<f32>, ContactError> {
        let state = journey.state()?;
        let Some(people) = state.intake.as_ref().map(|i| i.people.as_slice()) else {
            return Ok(None);
        };
        let found = self
            .people
            .find_for_contact(self.store(), people, CANDIDATES)
            .await?;
        Ok(found
            .candidates
            .get(usize::from(given))
            .and_then(|candidates| candidates.iter().find(|c| c.person == *person))
            .map(|c| c.weight as f32))
    }

    /// Register the person the contact gives at `given` as someone new, from the
    /// details as given (ethnicity "not yet obtained"), and link them, in one write.
    /// A child (or unborn child) gets a new record, in `family` if one is named; an
    /// adult is registered in `family`, or in a new family if none is named. The child
    /// carries the contact's mirrors as on any link. Needs `ScreenContacts`. Returns the
    /// new person and the contact's new version. The contact and the new record (or
    /// the family) are access-logged.
    pub async fn create_person(
        &self,
        caller: &Caller,
        now: Timestamp,
        contact: &ContactId,
        given: u8,
        family: Option<FamilyId>,
    ) -> Result<(PersonRef, Version), ContactError> {
        let journey = self.screening_start(caller, now, contact, None).await?;
        let state = journey.state()?;
        let refused = |problem| {
            ContactError::NotAllowed(JourneyError {
                event: journey.next_id(0, None),
                kind: "person_linked",
                date: crate::today(now),
                problem,
            })
        };
        let Some(person) = state
            .intake
            .as_ref()
            .and_then(|i| i.people.get(usize::from(given)))
        else {
            return Err(refused(Problem::NoSuchGivenPerson(given)));
        };
        if state.links.contains_key(&given) {
            return Err(refused(Problem::AlreadyLinked(given)));
        }
        // A named family must have a record for the new person to join it.
        let family_version = match &family {
            Some(f) => {
                let (events, version) = self.store().journey(&Subject::Family(f.clone())).await?;
                Some((f, events.is_empty(), version))
            }
            None => None,
        };
        let registered_at = state.received.unwrap_or_else(|| occurred(now));
        let details = details_as_given(person);
        let mut tries = 0;
        loop {
            tries += 1;
            let mut write = Write::new(&journey, caller, now);
            // The new person, and the subject written at version 0 if there is one (an
            // id taken meanwhile comes back as its conflict, and another is tried).
            let (new, fresh) = match person.role {
                GivenRole::Child | GivenRole::Unborn => {
                    let child = ChildId::parse(&intake::new_id("CH"))
                        .unwrap_or_else(|_| unreachable!("CH and 10 letters or digits is an id"));
                    let new = PersonRef::Child(child.clone());
                    if let Some((_, true, _)) = family_version {
                        return Err(refused(Problem::NotAMember(new)));
                    }
                    let registration = EventData::PersonRegistered(PersonRegistered {
                        adult: None,
                        family: family.clone(),
                        details: details.clone(),
                    });
                    let mut events = vec![(registered_at, registration)];
                    events.extend(mirrors(&journey)?);
                    write.on_child(&child, 0, events);
                    (new, Some(Subject::Child(child)))
                }
                GivenRole::Adult => {
                    let adult = AdultId::parse(&intake::new_id("AD"))
                        .unwrap_or_else(|_| unreachable!("AD and 10 letters or digits is an id"));
                    let new = PersonRef::Adult(adult.clone());
                    let (f, version) = match family_version {
                        Some((_, true, _)) => return Err(refused(Problem::NotAMember(new))),
                        Some((f, false, version)) => (f.clone(), version),
                        None => (
                            FamilyId::parse(&intake::new_id("FA")).unwrap_or_else(|_| {
                                unreachable!("FA and 10 letters or digits is an id")
                            }),
                            0,
                        ),
                    };
                    let registration = EventData::PersonRegistered(PersonRegistered {
                        adult: Some(adult),
                        family: Some(f.clone()),
                        details: details.clone(),
                    });
                    let subject = Subject::Family(f.clone());
                    write.on(
                        subject.clone(),
                        f.as_str(),
                        version,
                        vec![(registered_at, registration)],
                    );
                    (new, (version == 0).then_some(subject))
                }
            };
            write.on_contact(EventData::PersonLinked(PersonLinked {
                given,
                person: new.clone(),
                created: true,
                weight: None,
                model: None,
            }));
            match self
                .screening_try(write, &format!("created and linked {new}"), "created from")
                .await
            {
                Ok(version) => return Ok((new, version)),
                Err(StoreError::Conflict { subject, .. })
                    if tries < intake::ID_TRIES && Some(&subject) == fresh.as_ref() => {}
                Err(e) => return Err(refusal(e)),
            }
        }
    }

    /// Undo the link of the person the contact gives at `given`, saying why: a
    /// wrong match found before the decision. For a child, each mirror of the
    /// contact on their journey is retracted ("contact unlinked: ..."), so the
    /// history stays and folds as if never linked. Needs `ScreenContacts`; refused
    /// once that child has a decision on the contact. Returns the contact's new
    /// version. The contact and the child are access-logged.
    pub async fn unlink_person(
        &self,
        caller: &Caller,
        now: Timestamp,
        contact: &ContactId,
        given: u8,
        reason: &str,
    ) -> Result<Version, ContactError> {
        let journey = self.screening_start(caller, now, contact, None).await?;
        let state = journey.state()?;
        let person = match state.links.get(&given) {
            Some(person) if !reason.trim().is_empty() => person.clone(),
            found => {
                let problem = match found {
                    Some(_) => Problem::NoReason,
                    None => Problem::NotLinked(given),
                };
                return Err(ContactError::NotAllowed(JourneyError {
                    event: journey.next_id(0, None),
                    kind: "person_unlinked",
                    date: crate::today(now),
                    problem,
                }));
            }
        };
        let mut write = Write::new(&journey, caller, now);
        write.on_contact(EventData::PersonUnlinked(PersonUnlinked {
            given,
            person: person.clone(),
            reason: reason.to_owned(),
        }));
        if let PersonRef::Child(child) = &person {
            let (events, version) = self.child_journey_for(caller, now, child).await?;
            let retractions = effective_events(&events)
                .map_err(ContactError::NotAllowed)?
                .into_iter()
                .filter(|e| mirrors_contact(e, contact))
                .map(|e| {
                    EventData::EventRetracted(EventRetracted {
                        event: e.id,
                        reason: format!("contact unlinked: {reason}"),
                    })
                });
            let at = occurred(now);
            write.on_child(child, version, retractions.map(|d| (at, d)).collect());
        }
        self.screening_write(write, &format!("unlinked {person}"), "unlinked from")
            .await
    }

    /// Ask `agency` for a check on the contact, of urgency `rag`: written on the
    /// contact and on each child linked to it. Needs `ScreenContacts`; refused while
    /// a check asked of that agency is unanswered. Returns the contact's new version.
    /// The contact and each linked child are access-logged.
    pub async fn request_check(
        &self,
        caller: &Caller,
        now: Timestamp,
        contact: &ContactId,
        agency: Agency,
        rag: Rag,
    ) -> Result<Version, ContactError> {
        let journey = self.screening_start(caller, now, contact, None).await?;
        let data =
            EventData::PartnerCheckRequested(PartnerCheck::new(contact.clone(), agency, rag));
        self.check_write(caller, now, &journey, data, "check requested")
            .await
    }

    /// Record `agency`'s answer to the check asked of it, with what it found: written
    /// on the contact and on each child linked to it. Needs `ScreenContacts`; refused
    /// when no check of that agency awaits an answer. Returns the contact's new
    /// version. The contact and each linked child are access-logged.
    pub async fn record_check(
        &self,
        caller: &Caller,
        now: Timestamp,
        contact: &ContactId,
        agency: Agency,
        findings: Option<String>,
    ) -> Result<Version, ContactError> {
        let journey = self.screening_start(caller, now, contact, None).await?;
        let state = journey.state()?;
        let Some(check) = state.checks.get(&agency).filter(|c| c.returned.is_none()) else {
            return Err(ContactError::NotAllowed(JourneyError {
                event: journey.next_id(0, None),
                kind: "partner_check_returned",
                date: crate::today(now),
                problem: Problem::CheckNotRequested(agency),
            }));
        };
        let data = EventData::PartnerCheckReturned(PartnerCheck {
            findings,
            ..PartnerCheck::new(contact.clone(), agency, check.rag)
        });
        self.check_write(caller, now, &journey, data, "check returned")
            .await
    }

    /// A check's step, on the contact and mirrored on each linked child.
    async fn check_write(
        &self,
        caller: &Caller,
        now: Timestamp,
        journey: &ContactJourney,
        data: EventData,
        what: &str,
    ) -> Result<Version, ContactError> {
        let state = journey.state()?;
        let mut write = Write::new(journey, caller, now);
        write.on_contact(data.clone());
        let at = occurred(now);
        for child in state.linked_children() {
            let version = self.child_version(caller, now, child).await?;
            write.on_child(child, version, vec![(at, data.clone())]);
        }
        let action = match &data {
            EventData::PartnerCheckRequested(c) | EventData::PartnerCheckReturned(c) => {
                format!("{what} ({})", c.agency.code())
            }
            _ => what.to_owned(),
        };
        self.screening_write(write, &action, &format!("{what} for"))
            .await
    }

    /// A child's journey and version, for a write that corrects it: refused as no
    /// child if there is none or the caller may not see them (that refusal is logged).
    async fn child_journey_for(
        &self,
        caller: &Caller,
        now: Timestamp,
        child: &ChildId,
    ) -> Result<(Vec<Event>, Version), ContactError> {
        let reader = Reader::new(self.store(), caller, now);
        if !reader.allowed(child).await? {
            return Err(AppError::NoChild.into());
        }
        let (events, version) = self.store().journey(&Subject::Child(child.clone())).await?;
        if events.is_empty() {
            return Err(AppError::NoChild.into());
        }
        Ok((events, version))
    }

    /// Write a screening step in one append, then log it: `action` on the contact,
    /// and "`on_child` contact:K" on each other subject written to. Returns the contact's new
    /// version.
    async fn screening_write(
        &self,
        write: Write<'_>,
        action: &str,
        on_child: &str,
    ) -> Result<Version, ContactError> {
        self.screening_try(write, action, on_child)
            .await
            .map_err(refusal)
    }

    /// [`App::screening_write`], with the store's refusal as it comes.
    async fn screening_try(
        &self,
        write: Write<'_>,
        action: &str,
        on_child: &str,
    ) -> Result<Version, StoreError> {
        let Write {
            journey,
            caller,
            now,
            expected,
            events,
            others,
        } = write;
        let written = self.store().append_many(expected, events).await?;
        self.store()
            .log_access(now, caller.actor(), &journey.subject, action)
            .await?;
        if !others.is_empty() {
            self.store()
                .log_access_many(
                    now,
                    caller.actor(),
                    &others,
                    &format!("{on_child} {}", journey.subject),
                )
                .await?;
        }
        Ok(contact_version(&written, &journey.subject))
    }
}

/// One screening write being put together: the contact's event, then each child's,
/// with the version each subject was read at.
struct Write<'a> {
    journey: &'a ContactJourney,
    caller: &'a Caller,
    now: Timestamp,
    expected: Vec<(Subject, Version)>,
    events: Vec<Event>,
    /// The subjects written besides the contact, to be logged.
    others: Vec<Subject>,
}

impl<'a> Write<'a> {
    fn new(journey: &'a ContactJourney, caller: &'a Caller, now: Timestamp) -> Write<'a> {
        Write {
            journey,
            caller,
            now,
            expected: vec![(journey.subject.clone(), journey.version)],
            events: Vec::new(),
            others: Vec::new(),
        }
    }

    fn event(
        &self,
        id: EventId,
        subject: Subject,
        occurred_at: OccurredAt,
        data: EventData,
    ) -> Event {
        Event {
            id,
            subject,
            occurred_at,
            recorded_at: self.now,
            recorded_by: actor(self.caller),
            data,
        }
    }

    /// The contact's own event, happening now.
    fn on_contact(&mut self, data: EventData) {
        let event = self.event(
            self.journey.next_id(0, None),
            self.journey.subject.clone(),
            occurred(self.now),
            data,
        );
        self.events.push(event);
    }

    /// Events on `child`'s journey, read at `version`.
    fn on_child(
        &mut self,
        child: &ChildId,
        version: Version,
        events: Vec<(OccurredAt, EventData)>,
    ) {
        self.on(
            Subject::Child(child.clone()),
            child.as_str(),
            version,
            events,
        );
    }

    /// Events on another subject's journey (`id` is its id), read at `version`.
    fn on(
        &mut self,
        subject: Subject,
        id: &str,
        version: Version,
        events: Vec<(OccurredAt, EventData)>,
    ) {
        self.expected.push((subject.clone(), version));
        for (i, (at, data)) in events.into_iter().enumerate() {
            let event = self.event(self.journey.next_id(i, Some(id)), subject.clone(), at, data);
            self.events.push(event);
        }
        self.others.push(subject);
    }
}

/// Whether `event` on a child's journey is a mirror of `contact`'s.
fn mirrors_contact(event: &Event, contact: &ContactId) -> bool {
    match &event.data {
        EventData::ContactReceived(c) => c.contact == *contact,
        EventData::PartnerCheckRequested(c) | EventData::PartnerCheckReturned(c) => {
            c.contact == *contact
        }
        _ => false,
    }
}

/// The contact's new version among those a write returns.
fn contact_version(written: &[(Subject, Version)], contact: &Subject) -> Version {
    written
        .iter()
        .find(|(s, _)| s == contact)
        .map(|(_, v)| *v)
        .unwrap_or_else(|| unreachable!("a write returns each subject it names"))
}

/// What a child's journey carries of a contact once linked: its receipt, at the date
/// it was received, and each partner check asked for or returned so far, each at its
/// own date.
fn mirrors(journey: &ContactJourney) -> Result<Vec<(OccurredAt, EventData)>, ContactError> {
    let mut out = Vec::new();
    for event in journey.effective()? {
        let data = match &event.data {
            EventData::ContactReceived(c) => {
                EventData::ContactReceived(ContactReceived::new(c.contact.clone(), c.source))
            }
            EventData::PartnerCheckRequested(_) | EventData::PartnerCheckReturned(_) => {
                event.data.clone()
            }
            _ => continue,
        };
        out.push((event.occurred_at, data));
    }
    Ok(out)
}

/// How many candidates are looked for for each person a contact gives; those below
/// the organisation's suggestion threshold are then left out.
const CANDIDATES: usize = 10;

/// The suggestion thresholds when the organisation has no front-door policy (the
/// policy's own defaults).
const SUGGEST_AT: f32 = 0.5;
const LIKELY_AT: f32 = 0.95;

/// A contact as a screener reads it: its state, and for each person it gives the
/// records that may be them.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactView {
    pub contact: ContactState,
    pub status: ContactStatus,
    /// The version to link at.
    pub version: Version,
    /// Who sent it in.
    pub submitted_by: Option<Actor>,
    /// One for each person given, in the contact's order.
    pub people: Vec<GivenView>,
    /// The fingerprint of the model that scored the candidates.
    pub model: String,
    /// When the first duty it still owes falls due (its decision, or a partner check
    /// awaited); none when it owes nothing the rules time.
    pub due: Option<Due>,
    /// Whether any duty it still owes is past its deadline now.
    pub overdue: bool,
}

/// One person as the contact gives them, with who they are linked to (if anyone) and
/// who they may be.
#[derive(Debug, Clone, PartialEq)]
pub struct GivenView {
    pub given: u8,
    pub linked: Option<PersonRef>,
    /// Best first, each at least as likely as the organisation's suggestion threshold.
    pub candidates: Vec<CandidateView>,
}

/// A record that may be the person given, with why.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateView {
    pub person: PersonRef,
    pub weight: f64,
    pub probability: f64,
    /// At least as likely as the organisation's "likely" threshold. Never linked on
    /// its own: a screener links.
    pub likely: bool,
    /// One sentence for each field compared ("same date of birth", ...).
    pub reasons: Vec<String>,
    /// For a child, who they are and what the service is doing with them.
    pub child: Option<Involvement>,
    /// For an adult, who they are and the family they are known in.
    pub adult: Option<KnownAdult>,
}

/// An adult candidate as their family's record holds them.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownAdult {
    pub family: FamilyId,
    pub details: PersonDetails,
}

/// What the service already knows of a candidate child, for a screener to judge the
/// match and the contact by.
#[derive(Debug, Clone, PartialEq)]
pub struct Involvement {
    pub details: Option<PersonDetails>,
    pub family: Option<FamilyId>,
    /// Open episodes, in words ("Child in need", ...).
    pub open_work: Vec<&'static str>,
    pub worker: Option<WorkerId>,
    pub team: Option<TeamId>,
    /// Other contacts and referrals in the 12 months to today.
    pub contacts_last_year: u32,
    pub referrals_last_year: u32,
}

impl App {
    /// Build the person index contacts are matched against (or bring it up to date),
    /// and say how many people it holds: for a server to call as it starts, so the
    /// first contact opened does not wait for it. Reads and shows no one, so it needs
    /// no permission and logs nothing.
    pub async fn warm_person_index(&self) -> Result<usize, AppError> {
        Ok(self.people.warm(self.store()).await?)
    }

    /// The contact `contact`, with candidates for each person it gives (from the
    /// person index, scored by the matching model, at or above the organisation's
    /// suggestion threshold) and what the service knows of each candidate child. A
    /// restricted child is no candidate for anyone not named on the restriction
    /// (that refusal is logged against the child). Needs `ScreenContacts`. The
    /// contact is access-logged, and each child shown (and the family of each adult
    /// shown) as "candidate for contact:K".
    pub async fn contact(
        &self,
        caller: &Caller,
        now: Timestamp,
        contact: &ContactId,
    ) -> Result<ContactView, ContactError> {
        let subject = Subject::Contact(contact.clone());
        self.check(
            caller,
            now,
            Permission::ScreenContacts,
            &subject.to_string(),
        )
        .await?;
        let Some(record) = self.store().contact(contact).await? else {
            return Err(ContactError::NoContact);
        };
        let today = crate::today(now);
        let authority = self.authority(today).await?;
        let policy = authority
            .organisation
            .as_ref()
            .and_then(|o| o.front_door.as_ref());
        let suggest_at = f64::from(policy.map_or(SUGGEST_AT, |p| p.suggest_at));
        let likely_at = f64::from(policy.map_or(LIKELY_AT, |p| p.likely_at));

        let given: &[GivenPerson] = record
            .state
            .intake
            .as_ref()
            .map_or(&[], |i| i.people.as_slice());
        let Found {
            candidates: mut found,
            families,
        } = self
            .people
            .find_for_contact(self.store(), given, CANDIDATES)
            .await?;
        for candidates in &mut found {
            candidates.retain(|c| c.probability >= suggest_at);
        }

        // Children a restriction hides from the caller are left out, and the refusal
        // logged against each.
        let children: BTreeSet<ChildId> = found
            .iter()
            .flatten()
            .filter_map(|c| match &c.person {
                PersonRef::Child(child) => Some(child.clone()),
                PersonRef::Adult(_) => None,
            })
            .collect();
        let ids: Vec<ChildId> = children.iter().cloned().collect();
        let restrictions = self.store().restrictions_of(&ids).await?;
        let shown_to = |child: &ChildId| {
            restrictions
                .get(child)
                .is_none_or(|named| caller.is_among(named))
        };
        let candidate_for = format!("candidate for {subject}");
        let hidden: Vec<Subject> = ids
            .iter()
            .filter(|c| !shown_to(c))
            .cloned()
            .map(Subject::Child)
            .collect();
        if !hidden.is_empty() {
            self.store()
                .log_access_many(
                    now,
                    caller.actor(),
                    &hidden,
                    &format!("refused (restricted): {candidate_for}"),
                )
                .await?;
        }
        let mut involvement = BTreeMap::new();
        for child in ids.iter().filter(|c| shown_to(c)) {
            if let Some(known) = self.involvement(child, contact, today).await? {
                involvement.insert(child.clone(), known);
            }
        }

        // Each adult candidate's details, from their family's journey.
        let mut adults = BTreeMap::new();
        let mut family_states = BTreeMap::new();
        for candidate in found.iter().flatten() {
            let PersonRef::Adult(adult) = &candidate.person else {
                continue;
            };
            let Some(family) = families.get(adult) else {
                continue;
            };
            if !family_states.contains_key(family) {
                let (events, _) = self
                    .store()
                    .journey(&Subject::Family(family.clone()))
                    .await?;
                let state = fold_family(family, &events).map_err(ContactError::NotAllowed)?;
                family_states.insert(family.clone(), state);
            }
            if let Some(details) = family_states.get(family).and_then(|s| s.adults.get(adult)) {
                adults.insert(
                    adult.clone(),
                    KnownAdult {
                        family: family.clone(),
                        details: details.clone(),
                    },
                );
            }
        }

        let people = found
            .into_iter()
            .enumerate()
            .map(|(i, candidates)| {
                let given = u8::try_from(i).unwrap_or(u8::MAX);
                let candidates = candidates
                    .into_iter()
                    .filter_map(|c| {
                        let (child, adult) = match &c.person {
                            PersonRef::Child(child) => {
                                (Some(involvement.get(child)?.clone()), None)
                            }
                            PersonRef::Adult(adult) => (None, Some(adults.get(adult)?.clone())),
                        };
                        Some(CandidateView {
                            adult,
                            likely: c.probability >= likely_at,
                            reasons: c.reasons.iter().map(ToString::to_string).collect(),
                            person: c.person,
                            weight: c.weight,
                            probability: c.probability,
                            child,
                        })
                    })
                    .collect();
                GivenView {
                    given,
                    linked: record.state.links.get(&given).cloned(),
                    candidates,
                }
            })
            .collect();

        self.store()
            .log_access(now, caller.actor(), &subject, &caller.purpose)
            .await?;
        let shown: Vec<Subject> = involvement
            .keys()
            .cloned()
            .map(Subject::Child)
            .chain(family_states.into_keys().map(Subject::Family))
            .collect();
        self.store()
            .log_access_many(now, caller.actor(), &shown, &candidate_for)
            .await?;
        let (due, overdue) = self
            .contact_clocks(contact, &authority, today, occurred(now))
            .await?;
        Ok(ContactView {
            due,
            overdue,
            status: record.state.status(),
            contact: record.state,
            version: record.version,
            submitted_by: record.submitted_by,
            people,
            model: self.people.model(),
        })
    }

    /// What the service knows of `child` on `today`, leaving out `contact` itself
    /// (which a linked child's journey carries too); none if there is no such child.
    async fn involvement(
        &self,
        child: &ChildId,
        contact: &ContactId,
        today: Date,
    ) -> Result<Option<Involvement>, ContactError> {
        let Some(record) = self.store().child(child).await? else {
            return Ok(None);
        };
        let (events, _) = self.store().journey(&Subject::Child(child.clone())).await?;
        let since = today.saturating_sub(jiff::Span::new().years(1));
        let mut contacts = 0;
        let mut referrals = 0;
        for event in effective_events(&events).map_err(ContactError::NotAllowed)? {
            if event.date() < since || event.date() > today {
                continue;
            }
            match &event.data {
                EventData::ContactReceived(c) if c.contact != *contact => contacts += 1,
                EventData::ReferralAccepted(_) => referrals += 1,
                _ => {}
            }
        }
        let state = record.state;
        Ok(Some(Involvement {
            open_work: state.open_work(),
            worker: state.allocation.as_ref().map(|a| a.worker.clone()),
            team: state.allocation.as_ref().map(|a| a.team.clone()),
            details: state.details,
            family: state.family,
            contacts_last_year: contacts,
            referrals_last_year: referrals,
        }))
    }
}

/// A person as the contact gives them, as a record's details: what is not given is
/// not known (sex unknown, ethnicity not yet obtained), and an address without a
/// postcode is left for the record to gain later.
fn details_as_given(p: &GivenPerson) -> PersonDetails {
    PersonDetails {
        name: Name {
            given: p.given_name.clone(),
            family: p.family_name.clone(),
        },
        date_of_birth: p.date_of_birth,
        expected_date_of_birth: p.expected_date_of_birth,
        sex: p.sex.unwrap_or(Sex::Unknown),
        ethnicity: Ethnicity::Nobt,
        disabilities: Vec::new(),
        nhs_number: p.nhs_number.clone(),
        upn: None,
        address: p.address.as_ref().and_then(|a| {
            Some(Address {
                lines: a.lines.clone(),
                town: a.town.clone(),
                postcode: a.postcode.clone()?,
            })
        }),
    }
}
