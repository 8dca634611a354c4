//! What a partner sees of the contacts it sent in: that each was received, and once
//! decided, the outcome, the kind of service and when. Never the child's record, who
//! the contact turned out to be about, the level of need or the worker (issue 13 item 7).
//! A partner sees only the contacts it sent itself; any other reads as no contact.

use crate::{App, Caller, ContactError};
use hearth_domain::access::{Permission, UserName};
use hearth_domain::codes::ContactOutcome;
use hearth_domain::contact::{ContactState, ContactStatus, Decision};
use hearth_domain::event::OccurredAt;
use hearth_domain::ids::{ContactId, Subject};
use hearth_domain::org::{Organisation, Service};
use hearth_store::ContactRecord;
use jiff::Timestamp;
use serde::Serialize;

/// The most contacts a partner's list holds, newest first: a partner system asks for
/// one contact's outcome by its id; the list is for a person to glance at.
pub const MY_CONTACTS: u32 = 500;

/// Where a partner's contact stands, as the partner is told it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PartnerStatus {
    /// Received, and not yet decided (screening is the front door's own business).
    Received,
    Decided,
}

/// One of a partner's contacts, as the partner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerView {
    pub id: ContactId,
    /// When the contact was made, as the partner gave it.
    pub received: OccurredAt,
    pub status: PartnerStatus,
    /// Once decided: the outcome, or where the children of one contact were decided
    /// differently, the one that goes furthest.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub outcome: Option<ContactOutcome>,
    /// Once decided: the kind of service the outcome's level is for, as the
    /// organisation names it (`early_help`, `family_support`, `assessment`,
    /// `child_in_need`, `child_protection`, ...); absent for no further action, advice,
    /// and a level with no service.
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, value_type = Option<String>, example = "early_help")
    )]
    pub service: Option<Service>,
    /// When it was decided.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub decided: Option<OccurredAt>,
}

/// How far an outcome goes, for choosing the one a partner is told.
fn reach(outcome: ContactOutcome) -> u8 {
    match outcome {
        ContactOutcome::NoFurtherAction => 0,
        ContactOutcome::InformationAndAdvice => 1,
        ContactOutcome::Universal => 2,
        ContactOutcome::EarlyHelp => 3,
        ContactOutcome::Referral => 4,
        ContactOutcome::StrategyDiscussion => 5,
        ContactOutcome::ImmediateProtection => 6,
    }
}

/// The service of the level `decision` names (or, naming none, of the first level for
/// its outcome), under `org`.
fn service_of(org: &Organisation, decision: &Decision) -> Option<Service> {
    let level = match &decision.level {
        Some(name) => org.threshold.levels.iter().find(|l| &l.name == name),
        None => org.levels_for(decision.outcome).next(),
    };
    level.and_then(|l| l.service)
}

/// Whether `record` was sent in by the caller.
fn sent_by(record: &ContactRecord, caller: &Caller) -> bool {
    record
        .submitted_by
        .as_ref()
        .is_some_and(|by| by.as_str() == caller.actor())
}

impl App {
    /// The contacts the caller sent in, newest first (at most [`MY_CONTACTS`]), as a
    /// partner sees them. Needs `ViewOwnContacts`; each contact listed is logged.
    pub async fn my_contacts(
        &self,
        caller: &Caller,
        now: Timestamp,
    ) -> Result<Vec<PartnerView>, ContactError> {
        self.check(caller, now, Permission::ViewOwnContacts, "contacts")
            .await?;
        // The command line's name is a user name too: its own are those it imported.
        let Ok(user) = UserName::parse(caller.actor()) else {
            return Ok(Vec::new());
        };
        let records = self
            .store()
            .contacts_submitted_by(&user, MY_CONTACTS)
            .await?;
        let mut views = Vec::with_capacity(records.len());
        for record in records.iter().filter(|r| sent_by(r, caller)) {
            if let Some(view) = self.partner_view(&record.state).await? {
                views.push(view);
            }
        }
        let shown: Vec<Subject> = views
            .iter()
            .map(|v| Subject::Contact(v.id.clone()))
            .collect();
        self.store()
            .log_access_many(now, caller.actor(), &shown, &caller.purpose)
            .await?;
        Ok(views)
    }

    /// The outcome of contact `id`, as the partner who sent it sees it. Needs
    /// `ViewOwnContacts`; a contact someone else sent reads as [`ContactError::NoContact`],
    /// and that refusal is logged against the contact.
    pub async fn contact_outcome(
        &self,
        caller: &Caller,
        now: Timestamp,
        id: &ContactId,
    ) -> Result<PartnerView, ContactError> {
        let subject = Subject::Contact(id.clone());
        self.check(
            caller,
            now,
            Permission::ViewOwnContacts,
            &subject.to_string(),
        )
        .await?;
        let Some(record) = self.store().contact(id).await? else {
            return Err(ContactError::NoContact);
        };
        if !sent_by(&record, caller) {
            self.store()
                .log_access(
                    now,
                    caller.actor(),
                    &subject,
                    &format!("refused (not theirs): {}", caller.purpose),
                )
                .await?;
            return Err(ContactError::NoContact);
        }
        let Some(view) = self.partner_view(&record.state).await? else {
            return Err(ContactError::NoContact);
        };
        self.store()
            .log_access(now, caller.actor(), &subject, &caller.purpose)
            .await?;
        Ok(view)
    }

    /// What a partner is told of `state`; none for a contact whose receipt was retracted.
    async fn partner_view(
        &self,
        state: &ContactState,
    ) -> Result<Option<PartnerView>, ContactError> {
        let Some(received) = state.received else {
            return Ok(None);
        };
        let decided = state.decided_on();
        let furthest = if state.status() == ContactStatus::Decided {
            state.decisions.iter().max_by_key(|d| reach(d.outcome))
        } else {
            None
        };
        let service = match furthest {
            Some(decision) => {
                let authority = self.authority(decision.on.date).await?;
                authority
                    .organisation
                    .as_ref()
                    .and_then(|org| service_of(org, decision))
            }
            None => None,
        };
        Ok(Some(PartnerView {
            id: state.id.clone(),
            received,
            status: if furthest.is_some() {
                PartnerStatus::Decided
            } else {
                PartnerStatus::Received
            },
            outcome: furthest.map(|d| d.outcome),
            service,
            decided,
        }))
    }
}
