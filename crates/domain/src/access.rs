//! Who may use Hearth: user names and the roles DESIGN.md names. What each role may see
//! and do is decided here too as the permission model grows (issue #5).

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
