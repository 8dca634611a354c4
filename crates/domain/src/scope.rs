//! Whose children a user sees by default, and the reason they give to look wider
//! (issue 14, item 10; "why-if-asked" in DESIGN.md).
//!
//! A practitioner's default scope is their team's work and their team's patch:
//! - every child allocated to their team (any of its workers) or to themselves, wherever
//!   the child lives: the team holds the case;
//! - every child waiting in their team's allocation queue: the team is about to hold it;
//! - every child whose home postcode sector lies in the locality their team belongs to:
//!   the children a locality team may be asked about any day (a sibling, a new contact, a
//!   school), the same patch the front door's routing sends them.
//!
//! A county-wide team (children in care, reviewing) sits in a locality with no sectors,
//! so its patch is its own children. The front door (its screeners, and anyone in the
//! front-door team) and auditors work across the whole authority by the nature of their
//! job. An account linked to no worker has no team, so no default: every child is
//! outside their scope and each look needs a reason.

use crate::access::Role;
use crate::identifiers::PostcodeSector;
use crate::ids::{TeamId, WorkerId};
use crate::org::{Organisation, Service};
use std::collections::BTreeSet;
use std::fmt;

/// Whose children a user sees without giving a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every child in the authority.
    Authority,
    /// A team's children and patch (see the module's documentation).
    Team {
        team: TeamId,
        /// The user's own worker: their own caseload is always theirs to see, even
        /// a child kept after they moved team.
        worker: Option<WorkerId>,
        /// The postcode sectors of the team's locality.
        sectors: BTreeSet<PostcodeSector>,
        /// Districts, for a locality described before sectors were (read, never
        /// written: see `Locality::postcode_districts`).
        districts: BTreeSet<String>,
    },
    /// No child without a reason.
    Nothing,
}

/// Where a child is, as far as scope is concerned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Whereabouts {
    /// The allocated worker and their team, if allocated.
    pub worker: Option<WorkerId>,
    pub team: Option<TeamId>,
    /// The team whose allocation queue the child waits in, if waiting.
    pub waiting_with: Option<TeamId>,
    /// The postcode sector of the child's home, if known.
    pub sector: Option<PostcodeSector>,
}

impl Scope {
    /// The default scope of a user in `role`, linked to `worker`, under `org`.
    pub fn of(role: Role, worker: Option<&WorkerId>, org: &Organisation) -> Scope {
        match role {
            Role::Screener | Role::Auditor => return Scope::Authority,
            Role::EarlyHelpWorker | Role::SocialWorker | Role::TeamManager | Role::Iro => {}
            Role::Partner | Role::Analyst | Role::Admin => return Scope::Nothing,
        }
        let Some(worker) = worker.and_then(|w| org.worker(w)) else {
            return Scope::Nothing;
        };
        let Some((_, locality, team)) = org.teams().find(|(_, _, t)| t.id == worker.team) else {
            return Scope::Nothing;
        };
        let front_door = team.service == Service::FrontDoor
            || org.front_door.as_ref().is_some_and(|f| f.team == team.id);
        if front_door {
            return Scope::Authority;
        }
        Scope::Team {
            team: team.id.clone(),
            worker: Some(worker.id.clone()),
            sectors: locality.postcode_sectors.iter().cloned().collect(),
            districts: locality.postcode_districts.iter().cloned().collect(),
        }
    }

    /// Whether a child at `whereabouts` is within this scope.
    pub fn covers(&self, whereabouts: &Whereabouts) -> bool {
        match self {
            Scope::Authority => true,
            Scope::Nothing => false,
            Scope::Team {
                team,
                worker,
                sectors,
                districts,
            } => {
                let ours = |t: &Option<TeamId>| t.as_ref() == Some(team);
                (worker.is_some() && whereabouts.worker == *worker)
                    || ours(&whereabouts.team)
                    || ours(&whereabouts.waiting_with)
                    || whereabouts
                        .sector
                        .as_ref()
                        .is_some_and(|s| sectors.contains(s) || districts.contains(s.district()))
            }
        }
    }

    /// Whether every child is within this scope (no reason is ever asked for).
    pub fn is_authority(&self) -> bool {
        matches!(self, Scope::Authority)
    }
}

/// Why a user opens a record outside their scope: the choices a council's staff would
/// recognise, and "other", which must be said in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReasonKind {
    /// A new contact or referral about the child.
    NewContact,
    /// The child is moving into the team's area or service.
    TransferIn,
    /// A court, the police or a legal request asks about the child.
    CourtRequest,
    /// Covering a colleague's case (leave, sickness, duty).
    Cover,
    /// The child is in a family the user works with.
    Family,
    Other,
}

impl ReasonKind {
    pub const ALL: [ReasonKind; 6] = [
        ReasonKind::NewContact,
        ReasonKind::TransferIn,
        ReasonKind::CourtRequest,
        ReasonKind::Cover,
        ReasonKind::Family,
        ReasonKind::Other,
    ];

    /// The code forms and the API send.
    pub fn code(self) -> &'static str {
        match self {
            ReasonKind::NewContact => "new-contact",
            ReasonKind::TransferIn => "transfer-in",
            ReasonKind::CourtRequest => "court-request",
            ReasonKind::Cover => "cover",
            ReasonKind::Family => "family",
            ReasonKind::Other => "other",
        }
    }

    /// What the form shows and the access log keeps.
    pub fn label(self) -> &'static str {
        match self {
            ReasonKind::NewContact => "New contact or referral about this child",
            ReasonKind::TransferIn => "Child transferring in to my team or area",
            ReasonKind::CourtRequest => "Court, police or legal request",
            ReasonKind::Cover => "Covering a colleague's case",
            ReasonKind::Family => "The child is in a family I work with",
            ReasonKind::Other => "Another reason",
        }
    }
}

/// The most a reason's words may run to: a sentence or two, not a case note.
pub const REASON_DETAILS_MAX: usize = 200;

/// A reason given for looking outside one's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub kind: ReasonKind,
    /// Words the user added (required for [`ReasonKind::Other`]), on one line.
    pub details: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    #[error("Choose why you need to see children outside your team and locality.")]
    NoKind,
    #[error("Say in a few words why you need to see children outside your team and locality.")]
    NoDetails,
    #[error("The reason must be {REASON_DETAILS_MAX} characters or fewer.")]
    TooLong,
}

impl Reason {
    /// A reason from a form's or the API's choice (`code`) and words (`details`, which
    /// may be empty unless the choice is "other"). Runs of whitespace, new lines
    /// included, become one space, so a reason is one line of the access log.
    pub fn parse(code: &str, details: &str) -> Result<Reason, ReasonError> {
        let kind = ReasonKind::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
            .ok_or(ReasonError::NoKind)?;
        let details = details.split_whitespace().collect::<Vec<_>>().join(" ");
        if details.chars().count() > REASON_DETAILS_MAX {
            return Err(ReasonError::TooLong);
        }
        if details.is_empty() && kind == ReasonKind::Other {
            return Err(ReasonError::NoDetails);
        }
        Ok(Reason {
            kind,
            details: (!details.is_empty()).then_some(details),
        })
    }
}

/// The reason as the access log keeps it: the choice's label, then the words.
impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.label())?;
        if let Some(details) = &self.details {
            write!(f, ": {details}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{Area, Employment, FrontDoorPolicy, Locality, Team, Worker, WorkerRole};

    fn team(id: &str, service: Service) -> Team {
        Team {
            id: id.parse().unwrap(),
            name: format!("Team {id}"),
            service,
        }
    }

    fn worker(id: &str, team: &str) -> Worker {
        Worker {
            id: id.parse().unwrap(),
            name: format!("Worker {id}"),
            role: WorkerRole::SocialWorker,
            team: team.parse().unwrap(),
            fte: 1.0,
            employment: Employment::Employed,
            start_date: jiff::civil::date(2020, 1, 1),
            end_date: None,
            qualified: None,
        }
    }

    fn locality(name: &str, sectors: &[&str], teams: Vec<Team>) -> Locality {
        Locality {
            name: name.to_owned(),
            child_population: if sectors.is_empty() { 0 } else { 100 },
            postcode_sectors: sectors.iter().map(|s| s.parse().unwrap()).collect(),
            postcode_districts: vec![],
            teams,
        }
    }

    /// Two localities with a team each, a county-wide children-in-care team and the
    /// front door.
    fn org() -> Organisation {
        Organisation {
            areas: vec![Area {
                name: String::from("North"),
                localities: vec![
                    locality(
                        "Ashford",
                        &["TN23 1"],
                        vec![team("A", Service::ChildInNeed)],
                    ),
                    locality("Dover", &["CT17 9"], vec![team("D", Service::ChildInNeed)]),
                    locality(
                        "County",
                        &[],
                        vec![
                            team("CIC", Service::ChildrenInCare),
                            team("FD", Service::FrontDoor),
                        ],
                    ),
                ],
            }],
            workers: vec![
                worker("WA", "A"),
                worker("WA2", "A"),
                worker("WD", "D"),
                worker("WC", "CIC"),
                worker("WF", "FD"),
            ],
            front_door: Some(FrontDoorPolicy {
                team: "FD".parse().unwrap(),
                sign_off: vec![],
                suggest_at: 0.5,
                likely_at: 0.9,
            }),
            ..Organisation::default()
        }
    }

    fn at(
        worker: Option<&str>,
        team: Option<&str>,
        waiting: Option<&str>,
        sector: Option<&str>,
    ) -> Whereabouts {
        Whereabouts {
            worker: worker.map(|w| w.parse().unwrap()),
            team: team.map(|t| t.parse().unwrap()),
            waiting_with: waiting.map(|t| t.parse().unwrap()),
            sector: sector.map(|s| s.parse().unwrap()),
        }
    }

    fn scope(role: Role, worker: Option<&str>) -> Scope {
        let worker: Option<WorkerId> = worker.map(|w| w.parse().unwrap());
        Scope::of(role, worker.as_ref(), &org())
    }

    #[test]
    fn a_locality_practitioner_sees_their_teams_work_and_their_localitys_children() {
        let s = scope(Role::SocialWorker, Some("WA"));
        // Allocated to a colleague in the team, living elsewhere.
        assert!(s.covers(&at(Some("WA2"), Some("A"), None, Some("CT17 9"))));
        // Waiting in the team's queue.
        assert!(s.covers(&at(None, None, Some("A"), None)));
        // Living in the locality, held by another team.
        assert!(s.covers(&at(Some("WC"), Some("CIC"), None, Some("TN23 1"))));
        // Living in the other locality, held by its team, or by nobody.
        assert!(!s.covers(&at(Some("WD"), Some("D"), None, Some("CT17 9"))));
        assert!(!s.covers(&at(None, None, Some("D"), Some("CT17 9"))));
        assert!(!s.covers(&at(None, None, None, None)));
    }

    #[test]
    fn a_county_wide_team_sees_its_own_children_wherever_they_live() {
        let s = scope(Role::Iro, Some("WC"));
        assert!(s.covers(&at(Some("WC"), Some("CIC"), None, Some("CT17 9"))));
        assert!(!s.covers(&at(Some("WA"), Some("A"), None, Some("TN23 1"))));
    }

    #[test]
    fn a_worker_keeps_their_own_children_after_moving_team() {
        let s = scope(Role::SocialWorker, Some("WD"));
        assert!(s.covers(&at(Some("WD"), Some("A"), None, Some("TN23 1"))));
    }

    #[test]
    fn the_front_door_and_auditors_see_the_whole_authority() {
        assert!(scope(Role::Screener, None).is_authority());
        assert!(scope(Role::Auditor, None).is_authority());
        // A manager in the front-door team decides contacts for every locality.
        assert!(scope(Role::TeamManager, Some("WF")).is_authority());
        assert!(!scope(Role::TeamManager, Some("WA")).is_authority());
    }

    #[test]
    fn without_a_linked_worker_nothing_is_in_scope() {
        for s in [
            scope(Role::SocialWorker, None),
            scope(Role::SocialWorker, Some("GONE")),
            scope(Role::Analyst, Some("WA")),
        ] {
            assert_eq!(s, Scope::Nothing);
            assert!(!s.covers(&at(Some("WA"), Some("A"), None, Some("TN23 1"))));
        }
    }

    #[test]
    fn a_locality_described_by_districts_still_has_a_patch() {
        let mut org = org();
        if let Some(l) = org.areas[0].localities.first_mut() {
            l.postcode_sectors.clear();
            l.postcode_districts = vec![String::from("TN23")];
        }
        let s = Scope::of(Role::SocialWorker, Some(&"WA".parse().unwrap()), &org);
        assert!(s.covers(&at(None, None, None, Some("TN23 4"))));
        assert!(!s.covers(&at(None, None, None, Some("TN24 1"))));
    }

    #[test]
    fn reasons_are_a_choice_and_one_short_line() {
        let r = Reason::parse("court-request", "  order\n dated  today ").unwrap();
        assert_eq!(
            r.to_string(),
            "Court, police or legal request: order dated today"
        );
        assert_eq!(
            Reason::parse("cover", "").unwrap().to_string(),
            "Covering a colleague's case"
        );
        assert_eq!(Reason::parse("", "words"), Err(ReasonError::NoKind));
        assert_eq!(Reason::parse("curious", ""), Err(ReasonError::NoKind));
        assert_eq!(Reason::parse("other", " \n "), Err(ReasonError::NoDetails));
        let long = "x".repeat(REASON_DETAILS_MAX + 1);
        assert_eq!(Reason::parse("other", &long), Err(ReasonError::TooLong));
        assert!(Reason::parse("other", &"é".repeat(REASON_DETAILS_MAX)).is_ok());
        for kind in ReasonKind::ALL {
            assert_eq!(Reason::parse(kind.code(), "x").map(|r| r.kind), Ok(kind));
        }
    }
}
