//! The front door (issue 13): contacts received, screened, decided and routed.
//! Each step is a file: `intake` (receiving), `screening` (the contact read with its
//! candidates, links, checks), `decision` (deciding, signing off, routing, the queue),
//! `partner` (what a partner sees of its own contacts), `merge` (two records of one
//! child merged, and a wrong merge undone).

mod decision;
mod intake;
mod merge;
mod partner;
mod screening;

pub use decision::{ChildDecision, Decided, QueueRow};
pub use partner::{MY_CONTACTS, PartnerStatus, PartnerView};
pub use screening::{CandidateView, ContactView, GivenView, Involvement, KnownAdult};
