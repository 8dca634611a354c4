//! The access context: every read of a child's record goes through a [`Reader`], which
//! knows who is asking, hides restricted records from everyone not named on them, and
//! writes the access log before anything is handed back. The use cases read children
//! through it, never through the store's read methods, so no read can skip the log.
//!
//! A restricted record (an adoption, a staff member's relative) looks to everyone else
//! exactly like a record that does not exist: not found, not in search, not in lists.
//! Saying "restricted" would itself tell them the child is known to the service. Each
//! such refusal is logged against the child.

use crate::Caller;
use crate::due::DueList;
use hearth_domain::due::summarise;
use hearth_domain::event::Event;
use hearth_domain::ids::{ChildId, Subject};
use hearth_store::{ChildRecord, ChildSummary, Restrictions, Store, StoreError, Version};
use jiff::Timestamp;

pub(crate) struct Reader<'a> {
    store: &'a dyn Store,
    caller: &'a Caller,
    now: Timestamp,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(store: &'a dyn Store, caller: &'a Caller, now: Timestamp) -> Reader<'a> {
        Reader { store, caller, now }
    }

    /// Whether the caller may see `id` at all, under `restrictions` (those of the
    /// children in question, read just before): anyone, unless the record is restricted
    /// to users they are not among.
    fn may_see(&self, restrictions: &Restrictions, id: &ChildId) -> bool {
        restrictions
            .get(id)
            .is_none_or(|named| self.caller.is_among(named))
    }

    /// Whether the caller may see `id`; if not, the refusal is logged.
    pub(crate) async fn allowed(&self, id: &ChildId) -> Result<bool, StoreError> {
        // Only this child's restriction is read: a record costs the same however many
        // restricted records the authority has.
        let restrictions = self.store.restrictions_of(std::slice::from_ref(id)).await?;
        if self.may_see(&restrictions, id) {
            return Ok(true);
        }
        self.store
            .log_access_to(
                self.now,
                self.caller.actor(),
                &Subject::Child(id.clone()).to_string(),
                &format!("refused (restricted): {}", self.caller.purpose),
            )
            .await?;
        Ok(false)
    }

    /// The child's folded record, logged; none if there is no such child or
    /// the caller may not see them.
    pub(crate) async fn record(&self, id: &ChildId) -> Result<Option<ChildRecord>, StoreError> {
        if !self.allowed(id).await? {
            return Ok(None);
        }
        let Some(record) = self.store.child(id).await? else {
            return Ok(None);
        };
        self.log(id).await?;
        Ok(Some(record))
    }

    /// The child's journey in journal order with its version, logged; none
    /// if there is no such child or the caller may not see them.
    pub(crate) async fn journey(
        &self,
        id: &ChildId,
    ) -> Result<Option<(Vec<Event>, Version)>, StoreError> {
        if !self.allowed(id).await? {
            return Ok(None);
        }
        let (events, version) = self.store.journey(&Subject::Child(id.clone())).await?;
        if events.is_empty() {
            return Ok(None);
        }
        self.log(id).await?;
        Ok(Some((events, version)))
    }

    /// The record and the journey together, logged once (a chronology).
    pub(crate) async fn record_and_journey(
        &self,
        id: &ChildId,
    ) -> Result<Option<(ChildRecord, Vec<Event>)>, StoreError> {
        if !self.allowed(id).await? {
            return Ok(None);
        }
        let Some(record) = self.store.child(id).await? else {
            return Ok(None);
        };
        self.log(id).await?;
        let (events, _version) = self.store.journey(&Subject::Child(id.clone())).await?;
        Ok(Some((record, events)))
    }

    /// Who opened the child's record, when and how (at, actor, action), oldest first,
    /// logged; none if there is no such child or the caller may not see
    /// them.
    pub(crate) async fn access_log(
        &self,
        id: &ChildId,
    ) -> Result<Option<Vec<(String, String, String)>>, StoreError> {
        if !self.allowed(id).await? || self.store.child(id).await?.is_none() {
            return Ok(None);
        }
        let entries = self.store.access_log(&Subject::Child(id.clone())).await?;
        self.log(id).await?;
        Ok(Some(entries))
    }

    /// Children matching `q` that the caller may see, at most `limit`, each logged.
    pub(crate) async fn search(
        &self,
        q: &str,
        limit: u32,
    ) -> Result<Vec<ChildSummary>, StoreError> {
        let mut found = self.store.search_children(q, limit).await?;
        // Restricted records are rare, so a page short by one now and then is the
        // price of never naming them.
        let ids: Vec<ChildId> = found.iter().map(|c| c.id.clone()).collect();
        let restrictions = self.store.restrictions_of(&ids).await?;
        found.retain(|c| self.may_see(&restrictions, &c.id));
        let shown: Vec<ChildId> = found.iter().map(|c| c.id.clone()).collect();
        self.log_shown(&shown).await?;
        Ok(found)
    }

    /// Take out of a due list the children the caller may not see, and count it again,
    /// so that neither a restricted child nor their duties show in it.
    pub(crate) async fn hide_restricted(&self, list: &mut DueList<'_>) -> Result<(), StoreError> {
        let ids: Vec<ChildId> = list.children.keys().cloned().collect();
        let restrictions = self.store.restrictions_of(&ids).await?;
        if ids.iter().all(|id| self.may_see(&restrictions, id)) {
            return Ok(());
        }
        list.items.retain(|i| {
            i.obligation
                .child
                .as_ref()
                .is_none_or(|c| self.may_see(&restrictions, c))
        });
        list.children
            .retain(|id, _| self.may_see(&restrictions, id));
        let (total, teams) = summarise(&list.items);
        list.total = total;
        list.teams = teams;
        Ok(())
    }

    /// `records` without those the caller may not see.
    pub(crate) async fn visible(
        &self,
        mut records: Vec<ChildRecord>,
    ) -> Result<Vec<ChildRecord>, StoreError> {
        let ids: Vec<ChildId> = records.iter().map(|r| r.state.id.clone()).collect();
        let restrictions = self.store.restrictions_of(&ids).await?;
        records.retain(|r| self.may_see(&restrictions, &r.state.id));
        Ok(records)
    }

    /// Log that each of `children` was shown (in a list), in one go.
    pub(crate) async fn log_shown(&self, children: &[ChildId]) -> Result<(), StoreError> {
        let subjects: Vec<Subject> = children.iter().cloned().map(Subject::Child).collect();
        self.store
            .log_access_many(
                self.now,
                self.caller.actor(),
                &subjects,
                &self.caller.purpose,
            )
            .await
    }

    /// Log one access of `id` (a write, say, once it has been made).
    pub(crate) async fn log(&self, id: &ChildId) -> Result<(), StoreError> {
        self.store
            .log_access(
                self.now,
                self.caller.actor(),
                &Subject::Child(id.clone()),
                &self.caller.purpose,
            )
            .await
    }
}
