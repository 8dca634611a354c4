//! Finding children and reading their records. Each use case checks the caller's
//! permission (a refusal is logged), then reads through the [`Reader`], which hides
//! restricted records and logs what it hands back.

use crate::reader::Reader;
use crate::{App, AppError, Caller};
use hearth_domain::access::Permission;
use hearth_domain::event::Event;
use hearth_domain::ids::{ChildId, Subject};
use hearth_store::{ChildRecord, ChildSummary, Version};
use hearth_store::{Store, StoreError};
use jiff::Timestamp;
use std::sync::Mutex;

/// How many children the store holds, kept with the journal position it was counted at.
/// Counting reads every child (a full scan on SQLite: hundreds of thousands of rows for
/// a county), so it is done again only once the journal has moved: a new child comes
/// only with an append, from this process or another. Between appends the list page
/// pays one small row for it.
#[derive(Default)]
pub(crate) struct ChildCount {
    kept: Mutex<Option<(u64, u64)>>,
}

impl ChildCount {
    pub(crate) async fn get(&self, store: &dyn Store) -> Result<u64, StoreError> {
        let position = store.journal_position().await?;
        if let Some((at, count)) = *self.kept.lock().unwrap_or_else(|e| e.into_inner())
            && at == position
        {
            return Ok(count);
        }
        // Counted after the position was read: if an append comes in between, the count
        // is kept under the older position and done again next time, never the reverse.
        let count = store.count_children().await?;
        *self.kept.lock().unwrap_or_else(|e| e.into_inner()) = Some((position, count));
        Ok(count)
    }
}

impl App {
    /// Children matching `q` that the caller may see, at most `limit`, each logged as
    /// shown. Needs `SearchChildren`.
    pub async fn search(
        &self,
        caller: &Caller,
        now: Timestamp,
        q: &str,
        limit: u32,
    ) -> Result<Vec<ChildSummary>, AppError> {
        self.check(caller, now, Permission::SearchChildren, &caller.purpose)
            .await?;
        Ok(Reader::new(self.store(), caller, now)
            .search(q, limit)
            .await?)
    }

    /// How many children the store holds: a figure that names no child, for the list's
    /// "showing 50 of ..." line. Needs `SearchChildren`.
    pub async fn count_children(&self, caller: &Caller, now: Timestamp) -> Result<u64, AppError> {
        self.check(caller, now, Permission::SearchChildren, &caller.purpose)
            .await?;
        Ok(self.children.get(self.store()).await?)
    }

    /// The child's folded record, logged; none if there is no such child or the caller
    /// may not see them. Needs `ReadRecord`.
    pub async fn child_record(
        &self,
        caller: &Caller,
        now: Timestamp,
        id: &ChildId,
    ) -> Result<Option<ChildRecord>, AppError> {
        self.check_child(caller, now, Permission::ReadRecord, id)
            .await?;
        Ok(Reader::new(self.store(), caller, now).record(id).await?)
    }

    /// The child's journey in journal order with its version, logged; none if there is
    /// no such child or the caller may not see them. Needs `ReadRecord`.
    pub async fn child_journey(
        &self,
        caller: &Caller,
        now: Timestamp,
        id: &ChildId,
    ) -> Result<Option<(Vec<Event>, Version)>, AppError> {
        self.check_child(caller, now, Permission::ReadRecord, id)
            .await?;
        Ok(Reader::new(self.store(), caller, now).journey(id).await?)
    }

    /// The record and the journey together (a chronology), logged once. Needs
    /// `ReadRecord`.
    pub async fn chronology(
        &self,
        caller: &Caller,
        now: Timestamp,
        id: &ChildId,
    ) -> Result<Option<(ChildRecord, Vec<Event>)>, AppError> {
        self.check_child(caller, now, Permission::ReadRecord, id)
            .await?;
        Ok(Reader::new(self.store(), caller, now)
            .record_and_journey(id)
            .await?)
    }

    /// Who opened the child's record, when and how (at, actor, action), oldest first;
    /// looking is logged too. Needs `ReadAccessLog`.
    pub async fn access_log(
        &self,
        caller: &Caller,
        now: Timestamp,
        id: &ChildId,
    ) -> Result<Option<Vec<(String, String, String)>>, AppError> {
        self.check_child(caller, now, Permission::ReadAccessLog, id)
            .await?;
        Ok(Reader::new(self.store(), caller, now)
            .access_log(id)
            .await?)
    }

    /// [`App::check`], with a refusal logged against the child asked for.
    pub(crate) async fn check_child(
        &self,
        caller: &Caller,
        now: Timestamp,
        what: Permission,
        id: &ChildId,
    ) -> Result<(), AppError> {
        let target = Subject::Child(id.clone()).to_string();
        self.check(caller, now, what, &target).await
    }
}
