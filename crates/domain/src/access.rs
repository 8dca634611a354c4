//! Who may use Hearth: user names and the roles DESIGN.md names. What each role may see
//! and do is decided here too: [`Role::may`].

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The roles `hearth user add --role` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Screener,
    EarlyHelpWorker,
    SocialWorker,
    TeamManager,
    Iro,
    Partner,
    Analyst,
    Auditor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Screener,
        Role::EarlyHelpWorker,
        Role::SocialWorker,
        Role::TeamManager,
        Role::Iro,
        Role::Partner,
        Role::Analyst,
        Role::Auditor,
        Role::Admin,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Screener => "screener",
            Role::EarlyHelpWorker => "early-help-worker",
            Role::SocialWorker => "social-worker",
            Role::TeamManager => "team-manager",
            Role::Iro => "iro",
            Role::Partner => "partner",
            Role::Analyst => "analyst",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a request may need to be allowed. Each page and API route that shows or changes
/// a record names one (the rest need only a signed-in user, or nothing);
/// [`Role::may`] is the whole permission model, so it can be read (and tested) in one
/// place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Find children by name, NHS number, id or date of birth, and see them listed.
    SearchChildren,
    /// Open a child's record: their details, chronology and folded state.
    ReadRecord,
    /// Add events to a child's journey.
    RecordEvents,
    /// See which duties are due and overdue, child by child.
    ViewDueList,
    /// See who opened a child's record, and when.
    ReadAccessLog,
    /// See figures that name no child: how many duties are due and overdue, by team
    /// and worker.
    ViewFigures,
    /// Make a contact with the front door: a concern about a child.
    SubmitContact,
    /// Work the front door's queue: open contacts, link the people they name to
    /// records, and ask partners for checks.
    ScreenContacts,
    /// Decide what happens to a contact.
    DecideContacts,
    /// Sign off a decision that the authority wants a manager to agree.
    SignOffDecisions,
    /// See the contacts one submitted oneself, and what became of them (not the
    /// child's record).
    ViewOwnContacts,
    /// Merge two records of the same child, or undo a merge.
    MergePersons,
    /// See any team's caseloads and allocation queue, and any worker's caseload (one's
    /// own needs only `ViewDueList`).
    ViewTeamCaseloads,
    /// Amend or retract an event someone else recorded (one's own needs only
    /// `RecordEvents`).
    CorrectOthersEvents,
    /// Allocate a family's children to one worker, or move a child from the worker who
    /// has them to another (a first allocation needs only `RecordEvents`).
    AllocateCases,
}

impl Permission {
    pub const ALL: [Permission; 15] = [
        Permission::SearchChildren,
        Permission::ReadRecord,
        Permission::RecordEvents,
        Permission::ViewDueList,
        Permission::ReadAccessLog,
        Permission::ViewFigures,
        Permission::SubmitContact,
        Permission::ScreenContacts,
        Permission::DecideContacts,
        Permission::SignOffDecisions,
        Permission::ViewOwnContacts,
        Permission::MergePersons,
        Permission::ViewTeamCaseloads,
        Permission::CorrectOthersEvents,
        Permission::AllocateCases,
    ];
}

impl Role {
    /// Whether this role may do `what`.
    ///
    /// - Practitioners (front-door screeners, early help workers, social workers, team
    ///   managers and IROs) find children, read and add to their records, and see the
    ///   duties due.
    ///   They see the figures too, and may make a contact with the front door.
    /// - Screeners and team managers also work the front door: they screen and decide
    ///   contacts and merge duplicate records. Only a team manager signs off a decision,
    ///   sees teams' and other workers' caseloads, corrects an event someone else
    ///   recorded, and allocates: a family to one worker, or a child to another worker.
    /// - A performance analyst sees figures that name no child, and no child's record.
    /// - An auditor finds children and sees who opened their records, but does not read
    ///   the records themselves.
    /// - A partner agency submits contacts and sees what became of its own, but no
    ///   child's record.
    /// - An administrator sees no child's record: administrators manage users from the
    ///   command line.
    pub fn may(self, what: Permission) -> bool {
        use Permission as P;
        let practitioner = matches!(
            what,
            P::SearchChildren
                | P::ReadRecord
                | P::RecordEvents
                | P::ViewDueList
                | P::ViewFigures
                | P::SubmitContact
        );
        let front_door = matches!(
            what,
            P::ScreenContacts | P::DecideContacts | P::MergePersons
        );
        match self {
            Role::Screener => practitioner || front_door,
            Role::TeamManager => {
                practitioner
                    || front_door
                    || matches!(
                        what,
                        P::SignOffDecisions
                            | P::ViewTeamCaseloads
                            | P::CorrectOthersEvents
                            | P::AllocateCases
                    )
            }
            Role::EarlyHelpWorker | Role::SocialWorker | Role::Iro => practitioner,
            Role::Analyst => matches!(what, P::ViewFigures),
            Role::Auditor => matches!(what, P::SearchChildren | P::ReadAccessLog),
            Role::Partner => matches!(what, P::SubmitContact | P::ViewOwnContacts),
            Role::Admin => false,
        }
    }
}

/// How much of each child a list of search results shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchResults {
    /// What helps a practitioner pick the right child and see where they are: name,
    /// date of birth, postcode, open work, worker and team.
    Summary,
    /// Only enough to pick the child: name, date of birth (or expected date of birth)
    /// and id. Anything more is the record itself, which this role may not read.
    IdentityOnly,
}

impl Role {
    /// What search results show this role (if it may search at all): the summary to
    /// those who may read records, only who the child is to anyone else (an auditor,
    /// who goes on to who opened the record).
    pub fn search_results(self) -> SearchResults {
        if self.may(Permission::ReadRecord) {
            SearchResults::Summary
        } else {
            SearchResults::IdentityOnly
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("'{0}' is not a role; the roles are: {roles}", roles = role_list())]
    UnknownRole(String),
    #[error(
        "a user name must be 1 to 64 characters: letters, digits, '.', '-', '_' or '@' ('{0}' is not)"
    )]
    BadUserName(String),
}

fn role_list() -> String {
    Role::ALL.map(Role::name).join(", ")
}

impl FromStr for Role {
    type Err = AccessError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.name() == s)
            .ok_or_else(|| AccessError::UnknownRole(s.to_owned()))
    }
}

/// A user's sign-in name, e.g. `sam.patel`. Case matters: names are compared as typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserName(String);

impl UserName {
    pub fn parse(value: &str) -> Result<Self, AccessError> {
        let ok = (1..=64).contains(&value.len())
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
        if ok {
            Ok(UserName(value.to_owned()))
        } else {
            Err(AccessError::BadUserName(value.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UserName {
    type Error = AccessError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        UserName::parse(&value)
    }
}

impl From<UserName> for String {
    fn from(value: UserName) -> Self {
        value.0
    }
}

impl fmt::Display for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_reads_back_by_the_name_design_gives_it() {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
        assert_eq!(
            names,
            [
                "screener",
                "early-help-worker",
                "social-worker",
                "team-manager",
                "iro",
                "partner",
                "analyst",
                "auditor",
                "admin"
            ]
        );
        for role in Role::ALL {
            assert_eq!(role.name().parse::<Role>(), Ok(role));
            assert_eq!(
                serde_json::to_string(&role).ok(),
                Some(format!("\"{}\"", role.name()))
            );
        }
    }

    #[test]
    fn the_permission_matrix() {
        use Permission as P;
        let practitioner = vec![
            P::SearchChildren,
            P::ReadRecord,
            P::RecordEvents,
            P::ViewDueList,
            P::ViewFigures,
            P::SubmitContact,
        ];
        let screener = [
            practitioner.clone(),
            vec![P::ScreenContacts, P::DecideContacts, P::MergePersons],
        ]
        .concat();
        let manager = [
            practitioner.clone(),
            vec![
                P::ScreenContacts,
                P::DecideContacts,
                P::SignOffDecisions,
                P::MergePersons,
                P::ViewTeamCaseloads,
                P::CorrectOthersEvents,
                P::AllocateCases,
            ],
        ]
        .concat();
        let expected: [(Role, Vec<Permission>); 9] = [
            (Role::Screener, screener),
            (Role::EarlyHelpWorker, practitioner.clone()),
            (Role::SocialWorker, practitioner.clone()),
            (Role::TeamManager, manager),
            (Role::Iro, practitioner),
            (Role::Partner, vec![P::SubmitContact, P::ViewOwnContacts]),
            (Role::Analyst, vec![P::ViewFigures]),
            (Role::Auditor, vec![P::SearchChildren, P::ReadAccessLog]),
            (Role::Admin, vec![]),
        ];
        for (role, allowed) in expected {
            let got: Vec<Permission> = Permission::ALL
                .into_iter()
                .filter(|&p| role.may(p))
                .collect();
            assert_eq!(got, allowed, "{role}");
        }
    }

    #[test]
    fn only_those_who_may_read_records_see_more_than_who_a_child_is_in_search() {
        for role in Role::ALL
            .into_iter()
            .filter(|r| r.may(Permission::SearchChildren))
        {
            let expected = if role == Role::Auditor {
                SearchResults::IdentityOnly
            } else {
                SearchResults::Summary
            };
            assert_eq!(role.search_results(), expected, "{role}");
        }
    }

    #[test]
    fn an_unknown_role_is_refused_naming_the_roles_there_are() {
        let err = "manager".parse::<Role>().err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "'manager' is not a role; the roles are: screener, early-help-worker, social-worker, team-manager, iro, partner, analyst, auditor, admin"
            )
        );
        assert!("Admin".parse::<Role>().is_err());
    }

    #[test]
    fn user_names() {
        for good in ["sam.patel", "a", "sam_patel-2", "sam@kent.gov.uk"] {
            assert!(UserName::parse(good).is_ok(), "{good}");
        }
        let long = "x".repeat(65);
        for bad in ["", "sam patel", "sam/patel", "é", long.as_str()] {
            assert!(UserName::parse(bad).is_err(), "{bad}");
        }
    }
}
