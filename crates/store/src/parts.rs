//! A store assembled from one part per concern: by default every part is the same real
//! store, and a test double replaces just the concern it changes. Every method, those
//! with a default too, goes to its part, so a part's own version of one is kept:
//!
//! ```ignore
//! Parts { access_log: Arc::new(FailingLog), ..Parts::of(store) }
//! ```

use crate::{
    AccessControl, AccessLog, AccessRows, AllocatedWork, ApiToken, ChainReport, ChildRecord,
    ChildSummary, ContactRecord, Contacts, Draft, Drafts, DueCache, DueCacheKey, DueClocksRow,
    DueSink, HeldBy, IndexedPerson, Journal, JourneyEach, JourneySink, Lockout,
    OrganisationVersion, Organisations, Projections, QueueFilter, RebuildReport, Restrictions,
    Session, Store, StoreError, User, Version, Writer,
};
use hearth_domain::access::UserName;
use hearth_domain::event::Event;
use hearth_domain::ids::{ChildId, ContactId, FamilyId, Subject, TeamId, WorkerId};
use hearth_domain::org::{History, Organisation};
use jiff::Timestamp;
use jiff::civil::Date;
use std::io::Write;
use std::sync::Arc;

/// A [`Store`] whose every concern is served by the part named for it.
#[derive(Clone)]
pub struct Parts {
    pub journal: Arc<dyn Journal>,
    pub projections: Arc<dyn Projections>,
    pub contacts: Arc<dyn Contacts>,
    pub organisations: Arc<dyn Organisations>,
    pub access_log: Arc<dyn AccessLog>,
    pub due_cache: Arc<dyn DueCache>,
    pub access_control: Arc<dyn AccessControl>,
    pub drafts: Arc<dyn Drafts>,
}

impl Parts {
    /// Every concern served by `store`.
    pub fn of(store: Arc<dyn Store>) -> Parts {
        Parts {
            journal: store.clone(),
            projections: store.clone(),
            contacts: store.clone(),
            organisations: store.clone(),
            access_log: store.clone(),
            due_cache: store.clone(),
            access_control: store.clone(),
            drafts: store,
        }
    }
}

#[async_trait::async_trait]
impl Journal for Parts {
    async fn append(&self, expected: Version, events: Vec<Event>) -> Result<Version, StoreError> {
        self.journal.append(expected, events).await
    }
    async fn append_many(
        &self,
        expected: Vec<(Subject, Version)>,
        events: Vec<Event>,
    ) -> Result<Vec<(Subject, Version)>, StoreError> {
        self.journal.append_many(expected, events).await
    }
    async fn append_many_logged(
        &self,
        expected: Vec<(Subject, Version)>,
        events: Vec<Event>,
        log: AccessRows,
    ) -> Result<Vec<(Subject, Version)>, StoreError> {
        self.journal.append_many_logged(expected, events, log).await
    }
    async fn append_batch(&self, events: Vec<Event>) -> Result<u64, StoreError> {
        self.journal.append_batch(events).await
    }
    async fn load(
        &self,
        batches: tokio::sync::mpsc::Receiver<Vec<Event>>,
        loaded: &(dyn Fn(u64) + Send + Sync),
        due: Option<crate::DueClocksFor>,
    ) -> Result<u64, StoreError> {
        self.journal.load(batches, loaded, due).await
    }
    async fn journey(&self, subject: &Subject) -> Result<(Vec<Event>, Version), StoreError> {
        self.journal.journey(subject).await
    }
    async fn count_events(&self) -> Result<u64, StoreError> {
        self.journal.count_events().await
    }
    async fn journal_position(&self) -> Result<u64, StoreError> {
        self.journal.journal_position().await
    }
    async fn export_journal(
        &self,
        child: Option<&ChildId>,
        out: &mut (dyn Write + Send),
    ) -> Result<u64, StoreError> {
        self.journal.export_journal(child, out).await
    }
    async fn verify_chains(&self) -> Result<ChainReport, StoreError> {
        self.journal.verify_chains().await
    }
    fn writer(&self) -> Option<&Writer> {
        self.journal.writer()
    }
}

#[async_trait::async_trait]
impl Projections for Parts {
    async fn child(&self, id: &ChildId) -> Result<Option<ChildRecord>, StoreError> {
        self.projections.child(id).await
    }
    async fn search_children(
        &self,
        query: &str,
        limit: u32,
    ) -> Result<Vec<ChildSummary>, StoreError> {
        self.projections.search_children(query, limit).await
    }
    async fn count_children(&self) -> Result<u64, StoreError> {
        self.projections.count_children().await
    }
    async fn held_children(&self, held_by: &HeldBy) -> Result<Vec<ChildRecord>, StoreError> {
        self.projections.held_children(held_by).await
    }
    async fn allocated_work(&self, team: &TeamId) -> Result<Vec<AllocatedWork>, StoreError> {
        self.projections.allocated_work(team).await
    }
    async fn queued_children(
        &self,
        team: &TeamId,
        workers: &[WorkerId],
    ) -> Result<Vec<ChildRecord>, StoreError> {
        self.projections.queued_children(team, workers).await
    }
    async fn rebuild(&self) -> Result<RebuildReport, StoreError> {
        self.projections.rebuild().await
    }
    async fn projection_dump(&self) -> Result<Vec<String>, StoreError> {
        self.projections.projection_dump().await
    }
}

#[async_trait::async_trait]
impl Contacts for Parts {
    async fn contact(&self, id: &ContactId) -> Result<Option<ContactRecord>, StoreError> {
        self.contacts.contact(id).await
    }
    async fn contact_queue(&self, filter: &QueueFilter) -> Result<Vec<ContactRecord>, StoreError> {
        self.contacts.contact_queue(filter).await
    }
    async fn contacts_submitted_by(
        &self,
        user: &UserName,
        limit: u32,
    ) -> Result<Vec<ContactRecord>, StoreError> {
        self.contacts.contacts_submitted_by(user, limit).await
    }
    async fn people_since(&self, seq: u64) -> Result<Vec<IndexedPerson>, StoreError> {
        self.contacts.people_since(seq).await
    }
    async fn family_children(&self, family: &FamilyId) -> Result<Vec<ChildId>, StoreError> {
        self.contacts.family_children(family).await
    }
    async fn contact_journeys(
        &self,
        from: Date,
        to: Date,
        each: &mut JourneyEach<'_>,
    ) -> Result<u64, StoreError> {
        self.contacts.contact_journeys(from, to, each).await
    }
}

#[async_trait::async_trait]
impl Organisations for Parts {
    async fn organisation(&self) -> Result<Option<Organisation>, StoreError> {
        self.organisations.organisation().await
    }
    async fn organisation_versions(&self) -> Result<Vec<OrganisationVersion>, StoreError> {
        self.organisations.organisation_versions().await
    }
    async fn add_organisation_version(
        &self,
        org: &Organisation,
        from: Date,
    ) -> Result<u64, StoreError> {
        self.organisations.add_organisation_version(org, from).await
    }
    async fn organisation_revision(&self) -> Result<u64, StoreError> {
        self.organisations.organisation_revision().await
    }
    async fn put_organisation(&self, org: &Organisation) -> Result<(), StoreError> {
        self.organisations.put_organisation(org).await
    }
    async fn organisation_history(&self) -> Result<History, StoreError> {
        self.organisations.organisation_history().await
    }
}

#[async_trait::async_trait]
impl AccessLog for Parts {
    async fn log_access_rows(&self, rows: AccessRows) -> Result<(), StoreError> {
        self.access_log.log_access_rows(rows).await
    }
    async fn access_log(
        &self,
        subject: &Subject,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        self.access_log.access_log(subject).await
    }
    async fn log_access(
        &self,
        at: Timestamp,
        actor: &str,
        subject: &Subject,
        action: &str,
    ) -> Result<(), StoreError> {
        self.access_log.log_access(at, actor, subject, action).await
    }
    async fn log_access_many(
        &self,
        at: Timestamp,
        actor: &str,
        subjects: &[Subject],
        action: &str,
    ) -> Result<(), StoreError> {
        self.access_log
            .log_access_many(at, actor, subjects, action)
            .await
    }
    async fn log_access_because(
        &self,
        at: Timestamp,
        actor: &str,
        subjects: &[Subject],
        action: &str,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        self.access_log
            .log_access_because(at, actor, subjects, action, reason)
            .await
    }
    async fn log_access_to(
        &self,
        at: Timestamp,
        actor: &str,
        target: &str,
        action: &str,
    ) -> Result<(), StoreError> {
        self.access_log
            .log_access_to(at, actor, target, action)
            .await
    }
}

#[async_trait::async_trait]
impl DueCache for Parts {
    async fn unsettled_due(
        &self,
        settled_by: Date,
        held_by: &HeldBy,
        cache: Option<&DueCacheKey<'_>>,
        each: &mut DueSink<'_>,
    ) -> Result<u64, StoreError> {
        self.due_cache
            .unsettled_due(settled_by, held_by, cache, each)
            .await
    }
    async fn put_due_clocks(&self, rows: &[DueClocksRow]) -> Result<(), StoreError> {
        self.due_cache.put_due_clocks(rows).await
    }
    async fn unsettled_journeys(
        &self,
        settled_by: Date,
        held_by: &HeldBy,
        each: &mut JourneySink<'_>,
    ) -> Result<u64, StoreError> {
        self.due_cache
            .unsettled_journeys(settled_by, held_by, each)
            .await
    }
}

#[async_trait::async_trait]
impl AccessControl for Parts {
    async fn add_user(&self, user: &User) -> Result<(), StoreError> {
        self.access_control.add_user(user).await
    }
    async fn user(&self, name: &UserName) -> Result<Option<User>, StoreError> {
        self.access_control.user(name).await
    }
    async fn add_token(&self, token: &ApiToken) -> Result<(), StoreError> {
        self.access_control.add_token(token).await
    }
    async fn token_user(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        self.access_control.token_user(token_hash).await
    }
    async fn revoke_token(&self, label: &str, at: Timestamp) -> Result<bool, StoreError> {
        self.access_control.revoke_token(label, at).await
    }
    async fn start_session(&self, session: &Session) -> Result<(), StoreError> {
        self.access_control.start_session(session).await
    }
    async fn session(&self, id_hash: &str) -> Result<Option<(Session, User)>, StoreError> {
        self.access_control.session(id_hash).await
    }
    async fn touch_session(&self, id_hash: &str, at: Timestamp) -> Result<(), StoreError> {
        self.access_control.touch_session(id_hash, at).await
    }
    async fn end_session(&self, id_hash: &str, at: Timestamp) -> Result<(), StoreError> {
        self.access_control.end_session(id_hash, at).await
    }
    async fn lockout(&self, user: &UserName) -> Result<Lockout, StoreError> {
        self.access_control.lockout(user).await
    }
    async fn set_lockout(&self, user: &UserName, lockout: Lockout) -> Result<(), StoreError> {
        self.access_control.set_lockout(user, lockout).await
    }
    async fn add_sign_in_failure(&self, user: &UserName) -> Result<Lockout, StoreError> {
        self.access_control.add_sign_in_failure(user).await
    }
    async fn restrict(&self, child: &ChildId, users: &[UserName]) -> Result<(), StoreError> {
        self.access_control.restrict(child, users).await
    }
    async fn restrictions(&self) -> Result<Restrictions, StoreError> {
        self.access_control.restrictions().await
    }
    async fn restrictions_of(&self, children: &[ChildId]) -> Result<Restrictions, StoreError> {
        self.access_control.restrictions_of(children).await
    }
}

#[async_trait::async_trait]
impl Drafts for Parts {
    async fn save_draft(&self, draft: &Draft) -> Result<(), StoreError> {
        self.drafts.save_draft(draft).await
    }
    async fn draft(
        &self,
        author: &UserName,
        child: &ChildId,
        kind: &str,
    ) -> Result<Option<Draft>, StoreError> {
        self.drafts.draft(author, child, kind).await
    }
    async fn drafts_of(&self, author: &UserName) -> Result<Vec<Draft>, StoreError> {
        self.drafts.drafts_of(author).await
    }
    async fn delete_draft(
        &self,
        author: &UserName,
        child: &ChildId,
        kind: &str,
    ) -> Result<bool, StoreError> {
        self.drafts.delete_draft(author, child, kind).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An access log that refuses every row, and says so its own way when asked to log
    /// a row about something other than a record.
    struct Refusing;

    #[async_trait::async_trait]
    impl AccessLog for Refusing {
        async fn log_access_rows(&self, _rows: AccessRows) -> Result<(), StoreError> {
            Err(StoreError::NotCommitted("refused".into()))
        }
        async fn access_log(
            &self,
            _subject: &Subject,
        ) -> Result<Vec<(String, String, String)>, StoreError> {
            Ok(Vec::new())
        }
        async fn log_access_to(
            &self,
            _at: Timestamp,
            _actor: &str,
            _target: &str,
            _action: &str,
        ) -> Result<(), StoreError> {
            Err(StoreError::NotCommitted("refused by log_access_to".into()))
        }
    }

    #[tokio::test]
    async fn each_concern_goes_to_its_part_and_the_rest_to_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("parts.db");
        let store: Arc<dyn Store> =
            Arc::new(crate::open_sqlite(path.to_str().unwrap()).await.unwrap());
        let parts = Parts {
            access_log: Arc::new(Refusing),
            ..Parts::of(store.clone())
        };
        let at = Timestamp::UNIX_EPOCH;
        let subject = Subject::parse("child:C1").unwrap();

        let refused = parts.log_access(at, "a", &subject, "viewed").await;
        assert!(matches!(refused, Err(StoreError::NotCommitted(why)) if why == "refused"));
        // A part's own version of a method with a default is the one that runs.
        let refused = parts.log_access_to(at, "a", "session", "signed in").await;
        assert!(
            matches!(refused, Err(StoreError::NotCommitted(why)) if why == "refused by log_access_to")
        );
        // Nothing reached the real access log; every other concern is the store's.
        store.log_access(at, "b", &subject, "viewed").await.unwrap();
        assert_eq!(store.access_log(&subject).await.unwrap().len(), 1);
        assert!(parts.access_log(&subject).await.unwrap().is_empty());
        assert!(parts.writer().is_some());
        assert_eq!(parts.count_events().await.unwrap(), 0);
        assert!(parts.verify_chains().await.unwrap().intact());
    }
}
