//! Drafts of case notes (issue 14, item 2): what a practitioner has typed into a note's
//! form, kept for them alone so that a long note survives a session that ends or a
//! connection that drops. A draft is read and written only by its author's name: no
//! use case shows one user's draft to another, managers included. Saving one is logged
//! as a write on the child (what was typed never is); reading one's own drafts adds no
//! read of the child beyond the page that shows them.

use crate::reader::Reader;
use crate::{App, AppError, Caller, Who};
use hearth_domain::access::{Permission, UserName};
use hearth_domain::ids::ChildId;
use hearth_store::Draft;
use jiff::Timestamp;

/// The kinds of event a draft is kept for: those whose form is long enough to lose.
pub const DRAFTED: &[&str] = &["case_note_recorded"];

impl App {
    /// Keep what the caller has typed into the form of `kind` on child `id`, replacing
    /// their earlier draft of it; returns when it was saved. Needs `RecordEvents`; a
    /// child the caller may not see is refused as if there were none.
    pub async fn save_draft(
        &self,
        caller: &Caller,
        now: Timestamp,
        id: &ChildId,
        kind: &str,
        fields: Vec<(String, String)>,
    ) -> Result<Timestamp, AppError> {
        self.check_child(caller, now, Permission::RecordEvents, id)
            .await?;
        let author = author(caller)?;
        let reader = Reader::new(self.store(), caller, now);
        if !reader.allowed(id).await? || self.store().child(id).await?.is_none() {
            return Err(AppError::NoChild);
        }
        let draft = Draft {
            author,
            child: id.clone(),
            kind: kind.to_owned(),
            fields,
            saved_at: now,
        };
        self.store().save_draft(&draft).await?;
        reader.log(id).await?;
        Ok(now)
    }

    /// The caller's own draft of `kind` on child `id`, if they have one and may still
    /// see the child.
    pub async fn my_draft(
        &self,
        caller: &Caller,
        now: Timestamp,
        id: &ChildId,
        kind: &str,
    ) -> Result<Option<Draft>, AppError> {
        let Ok(author) = author(caller) else {
            return Ok(None);
        };
        let reader = Reader::new(self.store(), caller, now);
        if !reader.allowed(id).await? {
            return Ok(None);
        }
        Ok(self.store().draft(&author, id, kind).await?)
    }

    /// The caller's own drafts, newest first, each with the child's name, leaving out
    /// children they may no longer see.
    pub async fn my_drafts(
        &self,
        caller: &Caller,
        now: Timestamp,
    ) -> Result<Vec<(Draft, String)>, AppError> {
        let Ok(author) = author(caller) else {
            return Ok(Vec::new());
        };
        let reader = Reader::new(self.store(), caller, now);
        let mut out = Vec::new();
        for draft in self.store().drafts_of(&author).await? {
            if !reader.allowed(&draft.child).await? {
                continue;
            }
            let Some(record) = self.store().child(&draft.child).await? else {
                continue;
            };
            let name = record
                .state
                .details
                .as_ref()
                .map_or_else(|| String::from("Name not recorded"), |d| d.name.to_string());
            // The child's name is shown, so the list reads the child's record.
            reader.log(&draft.child).await?;
            out.push((draft, name));
        }
        Ok(out)
    }

    /// Delete the caller's draft of `kind` on `id`, once the note is recorded.
    pub(crate) async fn drop_draft(
        &self,
        caller: &Caller,
        id: &ChildId,
        kind: &str,
    ) -> Result<(), AppError> {
        if let Ok(author) = author(caller) {
            self.store().delete_draft(&author, id, kind).await?;
        }
        Ok(())
    }
}

/// Whose a draft is: a signed-in user's. The command line writes no notes through a
/// form, so it has no drafts.
fn author(caller: &Caller) -> Result<UserName, AppError> {
    match &caller.who {
        Who::User { name, .. } => Ok(name.clone()),
        Who::CommandLine => Err(AppError::Refused(Permission::RecordEvents)),
    }
}
