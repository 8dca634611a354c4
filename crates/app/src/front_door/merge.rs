//! Merging two records of the same child, and undoing a wrong merge. A screener
//! merges; nothing is merged on its own. Both journeys stay whole: the survivor gets
//! `persons_merged {duplicate}`, the duplicate `persons_merged {duplicate, survivor}`,
//! in one append at the versions the caller read, and an unmerge writes the same pair
//! as `persons_unmerged`, so the history of both steps stays on both records.
//!
//! Refusals are an [`AppError`], as for any other event recorded on a child: a child
//! the caller may not see is [`AppError::NoChild`], a step either journey refuses
//! (a record merged with itself, a duplicate already merged, records not merged) is
//! [`AppError::NotRecordable`] naming the problem, and a stale version is the store's
//! conflict naming the record that moved. There is no contact here, so
//! `ContactError` (whose "changed" speaks of a contact) does not fit.

use super::screening::{actor, occurred};
use crate::reader::Reader;
use crate::{App, AppError, Caller};
use hearth_domain::access::Permission;
use hearth_domain::event::{Event, EventData, PersonsMerged};
use hearth_domain::ids::{ChildId, EventId, Subject};
use hearth_domain::journey::{JourneyError, Problem};
use hearth_store::{StoreError, Version};
use jiff::Timestamp;

/// Which of the two steps is being written.
#[derive(Clone, Copy)]
enum Step {
    Merge,
    Unmerge,
}

impl Step {
    fn kind(self) -> &'static str {
        match self {
            Step::Merge => "persons_merged",
            Step::Unmerge => "persons_unmerged",
        }
    }

    fn data(self, m: PersonsMerged) -> EventData {
        match self {
            Step::Merge => EventData::PersonsMerged(m),
            Step::Unmerge => EventData::PersonsUnmerged(m),
        }
    }

    /// The step in the access log's words, naming the two records: `done` once
    /// written, or as asked for when refused.
    fn action(self, survivor: &ChildId, duplicate: &ChildId, done: bool) -> String {
        let d = if done { "d" } else { "" };
        match self {
            Step::Merge => format!("merge{d} child:{duplicate} into child:{survivor}"),
            Step::Unmerge => format!("unmerge{d} child:{duplicate} from child:{survivor}"),
        }
    }
}

impl App {
    /// Merge `duplicate` into `survivor`, two records of the same child, saying why:
    /// both journeys are written in one append, each at the version the caller read
    /// (`versions`: the survivor's, then the duplicate's). The duplicate then takes
    /// nothing but an unmerge or a correction, and is no candidate for a contact. Needs
    /// `MergePersons`. Returns the two new versions in the same order. Both children
    /// are access-logged, a refusal too.
    pub async fn merge_children(
        &self,
        caller: &Caller,
        now: Timestamp,
        survivor: &ChildId,
        duplicate: &ChildId,
        reason: &str,
        versions: (Version, Version),
    ) -> Result<(Version, Version), AppError> {
        self.merge_step(
            Step::Merge,
            caller,
            now,
            survivor,
            duplicate,
            reason,
            versions,
        )
        .await
    }

    /// Undo the merge of `duplicate` into `survivor`, saying why: both records stand
    /// apart again, each keeping the merge and its undoing in its history. Events added
    /// to the survivor while the merge stood stay there. As [`App::merge_children`]
    /// otherwise.
    pub async fn unmerge_children(
        &self,
        caller: &Caller,
        now: Timestamp,
        survivor: &ChildId,
        duplicate: &ChildId,
        reason: &str,
        versions: (Version, Version),
    ) -> Result<(Version, Version), AppError> {
        self.merge_step(
            Step::Unmerge,
            caller,
            now,
            survivor,
            duplicate,
            reason,
            versions,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn merge_step(
        &self,
        step: Step,
        caller: &Caller,
        now: Timestamp,
        survivor: &ChildId,
        duplicate: &ChildId,
        reason: &str,
        (survivor_version, duplicate_version): (Version, Version),
    ) -> Result<(Version, Version), AppError> {
        self.check_child(caller, now, Permission::MergePersons, survivor)
            .await?;
        let reader = Reader::new(self.store(), caller, now);
        for child in [survivor, duplicate] {
            if !reader.allowed(child).await? || self.store().child(child).await?.is_none() {
                return Err(AppError::NoChild);
            }
        }
        let subjects = [
            Subject::Child(survivor.clone()),
            Subject::Child(duplicate.clone()),
        ];
        let asked = step.action(survivor, duplicate, false);
        let on_survivor = event_id(survivor, survivor_version, step);
        // Refused here rather than by the store: both events would be on one journey.
        let problem = if survivor == duplicate {
            Some(Problem::MergeSelf)
        } else if reason.trim().is_empty() {
            Some(Problem::NoReason)
        } else {
            None
        };
        if let Some(problem) = problem {
            let refused = JourneyError {
                event: on_survivor,
                kind: step.kind(),
                date: crate::today(now),
                problem,
            };
            return self
                .refuse_step(caller, now, &subjects, &asked, refused)
                .await;
        }

        let reason = Some(reason.trim().to_owned());
        let at = occurred(now);
        let event = |id, subject: &Subject, m| Event {
            id,
            subject: subject.clone(),
            occurred_at: at,
            recorded_at: now,
            recorded_by: actor(caller),
            data: step.data(m),
        };
        let events = vec![
            event(
                on_survivor,
                &subjects[0],
                PersonsMerged {
                    reason: reason.clone(),
                    ..PersonsMerged::new(duplicate.clone())
                },
            ),
            event(
                event_id(duplicate, duplicate_version, step),
                &subjects[1],
                PersonsMerged {
                    duplicate: duplicate.clone(),
                    survivor: Some(survivor.clone()),
                    reason,
                },
            ),
        ];
        let expected = vec![
            (subjects[0].clone(), survivor_version),
            (subjects[1].clone(), duplicate_version),
        ];
        let written = match self.store().append_many(expected, events).await {
            Ok(written) => written,
            Err(StoreError::Invalid(refused)) => {
                return self
                    .refuse_step(caller, now, &subjects, &asked, refused)
                    .await;
            }
            Err(e) => return Err(e.into()),
        };
        self.store()
            .log_access_many(
                now,
                caller.actor(),
                &subjects,
                &step.action(survivor, duplicate, true),
            )
            .await?;
        let version = |subject: &Subject| {
            written
                .iter()
                .find(|(s, _)| s == subject)
                .map(|(_, v)| *v)
                .unwrap_or_else(|| unreachable!("a write returns each subject it names"))
        };
        Ok((version(&subjects[0]), version(&subjects[1])))
    }

    /// Log against both records that the step was refused, then refuse it with what
    /// the journey said.
    async fn refuse_step<T>(
        &self,
        caller: &Caller,
        now: Timestamp,
        subjects: &[Subject],
        asked: &str,
        refused: JourneyError,
    ) -> Result<T, AppError> {
        self.store()
            .log_access_many(
                now,
                caller.actor(),
                subjects,
                &format!("refused (not allowed): {asked}"),
            )
            .await?;
        Err(AppError::NotRecordable(refused))
    }
}

/// The id of a merge step's event on `child`'s journey, read at `version`: unique, as
/// a child's id is and its version only grows.
fn event_id(child: &ChildId, version: Version, step: Step) -> EventId {
    let what = match step {
        Step::Merge => "merge",
        Step::Unmerge => "unmerge",
    };
    EventId::parse(&format!("{child}-{}-{what}", version + 1))
        .unwrap_or_else(|_| unreachable!("an id, a number and a word make an event id"))
}
