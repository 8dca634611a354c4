//! `hearth backup` and `hearth restore`: SQLite files only (see
//! `hearth_app::maintenance`); PostgreSQL has its own tools.

use hearth_app::maintenance;
use std::path::Path;

/// `hearth backup --db DB --out FILE`.
pub async fn backup(db: &str, out: &Path) -> anyhow::Result<()> {
    let copied = maintenance::backup(db, out).await?;
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
    let (copied, path) = maintenance::restore(file, db).await?;
    println!(
        "restored {} events and {} access-log rows from {} to {}; both hash chains are intact",
        copied.events,
        copied.access_log,
        file.display(),
        path.display()
    );
    Ok(())
}
