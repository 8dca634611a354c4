//! Finding children and reading their records. Each use case checks the caller's
//! permission (a refusal is logged), then reads through the [`Reader`], which hides
//! restricted records and logs what it hands back.

use crate::reader::Reader;
use crate::{App, AppError, Caller};
use hearth_domain::access::Permission;
use hearth_domain::event::Event;
use hearth_domain::ids::{ChildId, Subject};
use hearth_store::{ChildRecord, ChildSummary, Version};
use jiff::Timestamp;

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
        Ok(self.store().count_children().await?)
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
