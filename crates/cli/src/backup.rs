//! `hearth backup` and `hearth restore`: SQLite files only; PostgreSQL has its own tools.

use anyhow::bail;
use std::path::Path;

/// The SQLite path a `--db` names, or a refusal naming PostgreSQL's own tools.
fn sqlite_path<'a>(db: &'a str, postgres: &str) -> anyhow::Result<&'a Path> {
    if hearth_store::is_postgres_url(db) {
        bail!("{postgres}");
    }
    match db.split_once("://") {
        None => Ok(Path::new(db)),
        Some(("sqlite", path)) if !path.is_empty() => Ok(Path::new(path)),
        Some(_) => Err(hearth_store::StoreError::BadUrl(db.to_owned()).into()),
    }
}

/// `hearth backup --db DB --out FILE`.
pub async fn backup(db: &str, out: &Path) -> anyhow::Result<()> {
    let path = sqlite_path(
        db,
        "hearth backup copies SQLite databases only: back up PostgreSQL with its own tools, pg_dump for a copy or continuous archiving (pg_basebackup and WAL archiving) for recovery to any moment",
    )?;
    let copied = hearth_store::backup::backup_sqlite(path, out).await?;
    println!(
        "backed up {} events and {} access-log rows to {}",
        copied.events,
        copied.access_log,
        out.display()
    );
    Ok(())
}

/// `hearth restore FILE --db DB`.
pub async fn restore(file: &Path, db: &str) -> anyhow::Result<()> {
    let path = sqlite_path(
        db,
        "hearth restore writes SQLite databases only: restore PostgreSQL with its own tools (pg_restore or psql for a pg_dump copy)",
    )?;
    let copied = hearth_store::backup::restore_sqlite(file, path).await?;
    println!(
        "restored {} events and {} access-log rows from {} to {}; both hash chains are intact",
        copied.events,
        copied.access_log,
        file.display(),
        path.display()
    );
    Ok(())
}
