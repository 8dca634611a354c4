//! The front door (issue 13): contacts received, screened, decided and routed.
//! Each step is a file: `intake` (receiving), `screening` (the contact read with its
//! candidates, links, checks), `decision` (deciding, signing off, routing, the queue),
//! `partner` (what a partner sees of its own contacts), `merge` (two records of one
//! child merged, and a wrong merge undone), `funnel` (the figures for a period).

mod decision;
mod funnel;
mod intake;
mod merge;
mod partner;
mod screening;

pub use decision::{ChildDecision, Decided, QueueRow};
pub use funnel::FunnelError;
pub use partner::{MY_CONTACTS, PartnerStatus, PartnerView};
pub(crate) use screening::occurred;
pub use screening::{CandidateView, ContactView, GivenView, Involvement, KnownAdult};
