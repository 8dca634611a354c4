//! The front door (issue 13): contacts received, screened, decided and routed.

mod intake;
