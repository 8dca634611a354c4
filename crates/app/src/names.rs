//! Where the names of workers and teams come from, for anything that shows them.

use hearth_domain::ids::{TeamId, WorkerId};
use hearth_domain::org::Organisation;

/// Where the names of workers and teams come from: an organisation document, or an
/// index of it built once per document (`due::Authority`), so that naming a worker
/// does not search the whole workforce.
pub trait Names {
    fn worker_name(&self, id: &WorkerId) -> Option<&str>;
    fn team_name(&self, id: &TeamId) -> Option<&str>;
}

impl Names for Organisation {
    fn worker_name(&self, id: &WorkerId) -> Option<&str> {
        self.worker(id).map(|w| w.name.as_str())
    }

    fn team_name(&self, id: &TeamId) -> Option<&str> {
        self.team(id).map(|t| t.name.as_str())
    }
}
