//! Who is asking a use case, and what for: the access log records both.

use hearth_domain::access::{Permission, Role, UserName};
use hearth_domain::ids::WorkerId;
use std::collections::BTreeSet;

/// Who the access log and the journal name for the command line.
pub const COMMAND_LINE: &str = "hearth-cli";

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// A signed-in user: a person at a browser, or a partner system with a token.
    User { name: UserName, role: Role },
    /// Whoever runs `hearth` on the database itself. They hold every record already,
    /// so no role limits them, but what they are shown is logged like anyone's.
    CommandLine,
}

/// Who is asking, and what the access log says they did: the action and the way it
/// came in, e.g. "view chronology: GET /children/{id}" or "hearth due".
#[derive(Debug, Clone)]
pub struct Caller {
    pub who: Who,
    pub purpose: String,
    /// The worker in the organisation document a practitioner's account is linked to:
    /// whose caseload is theirs.
    pub worker: Option<WorkerId>,
}

impl Caller {
    pub fn user(name: UserName, role: Role, purpose: impl Into<String>) -> Caller {
        Caller {
            who: Who::User { name, role },
            purpose: purpose.into(),
            worker: None,
        }
    }

    pub fn command_line(purpose: impl Into<String>) -> Caller {
        Caller {
            who: Who::CommandLine,
            purpose: purpose.into(),
            worker: None,
        }
    }

    /// The caller, as the practitioner `worker` (whose caseload is theirs).
    pub fn as_worker(self, worker: Option<WorkerId>) -> Caller {
        Caller { worker, ..self }
    }

    /// The name the access log and the journal record for this caller.
    pub fn actor(&self) -> &str {
        match &self.who {
            Who::User { name, .. } => name.as_str(),
            Who::CommandLine => COMMAND_LINE,
        }
    }

    /// Whether the caller may do `what`.
    pub fn may(&self, what: Permission) -> bool {
        match &self.who {
            Who::User { role, .. } => role.may(what),
            Who::CommandLine => true,
        }
    }

    /// Whether the caller is among `named`, the users a restricted record is open to.
    /// The command line holds the database, restrictions and all.
    pub(crate) fn is_among(&self, named: &BTreeSet<UserName>) -> bool {
        match &self.who {
            Who::User { name, .. } => named.contains(name),
            Who::CommandLine => true,
        }
    }
}
