//! Drafts of case notes, kept for their author alone, the same on both backends: what
//! was typed into a note's form, saved as it is typed and brought back when the author
//! opens the form again. Whose draft may be read is the application's rule; the store
//! only ever reads a draft by its author's name.

use crate::StoreError;
use crate::write::corrupt;
use hearth_domain::access::UserName;
use hearth_domain::ids::ChildId;
use jiff::Timestamp;

/// A note being written: the form's fields as they were typed, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub author: UserName,
    pub child: ChildId,
    /// The kind of event the draft will be recorded as.
    pub kind: String,
    pub fields: Vec<(String, String)>,
    pub saved_at: Timestamp,
}

pub(crate) const UPSERT_DRAFT: &str = "INSERT INTO drafts \
     (author, child_id, kind, fields, saved_at) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (author, child_id, kind) DO UPDATE SET fields = EXCLUDED.fields, \
     saved_at = EXCLUDED.saved_at";
pub(crate) const SELECT_DRAFT: &str = "SELECT author, child_id, kind, fields, saved_at \
     FROM drafts WHERE author = $1 AND child_id = $2 AND kind = $3";
pub(crate) const SELECT_DRAFTS_OF: &str = "SELECT author, child_id, kind, fields, saved_at \
     FROM drafts WHERE author = $1";
pub(crate) const DELETE_DRAFT: &str =
    "DELETE FROM drafts WHERE author = $1 AND child_id = $2 AND kind = $3";

/// A row of the drafts table.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct DraftRow {
    author: String,
    child_id: String,
    kind: String,
    fields: String,
    saved_at: String,
}

impl DraftRow {
    pub(crate) fn into_draft(self) -> Result<Draft, StoreError> {
        // The message names the column, never the draft's text.
        Ok(Draft {
            author: UserName::parse(&self.author).map_err(|_| corrupt("drafts.author"))?,
            child: ChildId::parse(&self.child_id).map_err(|_| corrupt("drafts.child_id"))?,
            kind: self.kind,
            fields: serde_json::from_str(&self.fields).map_err(|_| corrupt("drafts.fields"))?,
            saved_at: self
                .saved_at
                .parse()
                .map_err(|_| corrupt("drafts.saved_at"))?,
        })
    }
}

/// The text a draft's fields are kept as.
pub(crate) fn fields_json(draft: &Draft) -> Result<String, StoreError> {
    serde_json::to_string(&draft.fields).map_err(|_| corrupt("drafts.fields"))
}

/// Drafts of notes, each its author's: part of [`Store`](crate::Store).
#[async_trait::async_trait]
pub trait Drafts: Send + Sync {
    /// Keep `draft`, replacing the author's draft of the same kind on the same child.
    async fn save_draft(&self, draft: &Draft) -> Result<(), StoreError>;

    /// The author's draft of `kind` on `child`, if they have one.
    async fn draft(
        &self,
        author: &UserName,
        child: &ChildId,
        kind: &str,
    ) -> Result<Option<Draft>, StoreError>;

    /// Every draft the author has, newest first.
    async fn drafts_of(&self, author: &UserName) -> Result<Vec<Draft>, StoreError>;

    /// Delete the author's draft of `kind` on `child`; whether there was one.
    async fn delete_draft(
        &self,
        author: &UserName,
        child: &ChildId,
        kind: &str,
    ) -> Result<bool, StoreError>;
}

/// Implements [`Drafts`] for a backend `$store` with a `pool` field.
macro_rules! impl_drafts {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::drafts::Drafts for $store {
            async fn save_draft(
                &self,
                draft: &$crate::drafts::Draft,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query($crate::drafts::UPSERT_DRAFT)
                    .bind(draft.author.as_str())
                    .bind(draft.child.as_str())
                    .bind(&draft.kind)
                    .bind($crate::drafts::fields_json(draft)?)
                    .bind(draft.saved_at.to_string())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn draft(
                &self,
                author: &hearth_domain::access::UserName,
                child: &hearth_domain::ids::ChildId,
                kind: &str,
            ) -> Result<Option<$crate::drafts::Draft>, $crate::StoreError> {
                let row: Option<$crate::drafts::DraftRow> =
                    sqlx::query_as($crate::drafts::SELECT_DRAFT)
                        .bind(author.as_str())
                        .bind(child.as_str())
                        .bind(kind)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map($crate::drafts::DraftRow::into_draft).transpose()
            }

            async fn drafts_of(
                &self,
                author: &hearth_domain::access::UserName,
            ) -> Result<Vec<$crate::drafts::Draft>, $crate::StoreError> {
                let rows: Vec<$crate::drafts::DraftRow> =
                    sqlx::query_as($crate::drafts::SELECT_DRAFTS_OF)
                        .bind(author.as_str())
                        .fetch_all(&self.pool)
                        .await?;
                let mut drafts = rows
                    .into_iter()
                    .map($crate::drafts::DraftRow::into_draft)
                    .collect::<Result<Vec<_>, _>>()?;
                // Sorted here: the stored text of a time does not sort as the time does.
                drafts.sort_by_key(|d| std::cmp::Reverse(d.saved_at));
                Ok(drafts)
            }

            async fn delete_draft(
                &self,
                author: &hearth_domain::access::UserName,
                child: &hearth_domain::ids::ChildId,
                kind: &str,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query($crate::drafts::DELETE_DRAFT)
                    .bind(author.as_str())
                    .bind(child.as_str())
                    .bind(kind)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }
        }
    };
}
pub(crate) use impl_drafts;
