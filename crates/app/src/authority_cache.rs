//! The authority (its organisation's versions, rules, calendar, name indexes and the
//! checks of a recorded event) kept in memory for every use case: the documents are
//! read and parsed only when a new one has been stored, by this server or by another
//! process (`hearth org apply` while it serves, another web node on PostgreSQL).
//!
//! Each use of it asks the store for the organisation's revision (one small row; see
//! `Store::organisation_revision`) and reloads only when it has changed, so a new
//! document is in use from the next request on.

use crate::due::{Authorities, DueError};
use hearth_store::Store;
use std::sync::{Arc, RwLock};

/// The authority as last loaded, and the revision it was loaded at.
#[derive(Default)]
pub(crate) struct AuthorityCache {
    current: RwLock<Option<(u64, Arc<Authorities>)>>,
    /// Held while a new document is read, so that requests arriving together after a
    /// change parse it once.
    loading: tokio::sync::Mutex<()>,
}

impl AuthorityCache {
    /// The authority's versions as the store holds them now.
    pub(crate) async fn get(&self, store: &dyn Store) -> Result<Arc<Authorities>, DueError> {
        let revision = store.organisation_revision().await?;
        if let Some(authority) = self.at(revision) {
            return Ok(authority);
        }
        let _loading = self.loading.lock().await;
        if let Some(authority) = self.at(revision) {
            return Ok(authority);
        }
        // The revision was read before the document: if another is stored in between,
        // this one is kept under the older number and read again on the next request,
        // never the other way round.
        let authority = Arc::new(Authorities::new(store.organisation_history().await?)?);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) =
            Some((revision, authority.clone()));
        Ok(authority)
    }

    /// The authority kept, if it was loaded at `revision`.
    fn at(&self, revision: u64) -> Option<Arc<Authorities>> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        match &*current {
            Some((kept, authority)) if *kept == revision => Some(authority.clone()),
            _ => None,
        }
    }
}
