//! `hearth backup` and `hearth restore` end to end, on temporary SQLite files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use std::path::Path;

fn hearth() -> Command {
    let mut cmd = Command::cargo_bin("hearth").unwrap();
    cmd.env_remove("HEARTH_DB").env("RUST_LOG", "warn");
    cmd
}

/// Run `cmd`, which must succeed, and give its standard output.
fn ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Run `cmd`, which must fail, and give its standard error.
fn refused(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(!out.status.success(), "expected a refusal");
    String::from_utf8(out.stderr).unwrap()
}

/// A small county: a tiny share of Central Bedfordshire over three years.
fn generate(db: &Path) {
    ok(hearth()
        .args([
            "generate",
            "--preset",
            "central-bedfordshire",
            "--years",
            "3",
        ])
        .args(["--scale", "0.02", "--until", "2025-03-31", "--seed", "9"])
        .arg("--db")
        .arg(db));
}

fn export(db: &Path) -> String {
    ok(hearth().args(["journal", "export", "--db"]).arg(db))
}

/// How many children and families an export holds events of.
fn subjects(journal: &str) -> usize {
    let subjects: std::collections::HashSet<String> = journal
        .lines()
        .map(|line| {
            let event: serde_json::Value = serde_json::from_str(line).unwrap();
            event["subject"].as_str().unwrap().to_owned()
        })
        .collect();
    subjects.len()
}

fn backup(db: &Path, out: &Path) -> String {
    ok(hearth()
        .args(["backup", "--db"])
        .arg(db)
        .arg("--out")
        .arg(out))
}

fn restore(file: &Path, db: &Path) -> Command {
    let mut cmd = hearth();
    cmd.arg("restore").arg(file).arg("--db").arg(db);
    cmd
}

fn audit_verify(db: &Path) {
    let report = ok(hearth().args(["audit", "verify", "--db"]).arg(db));
    assert!(report.contains("journal: "), "{report}");
    assert!(!report.contains("BROKEN"), "{report}");
}

/// The files in `dir`, sorted: nothing half-written may be left behind.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_quiet_backup_restores_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let (db, copy, restored) = (
        dir.path().join("county.db"),
        dir.path().join("county.backup"),
        dir.path().join("restored.db"),
    );
    generate(&db);
    let journal = export(&db);
    let events = journal.lines().count();
    // The export is in the access log: a row for each child and family it showed.
    let shown = subjects(&journal);
    let said = backup(&db, &copy);
    assert_eq!(
        said,
        format!(
            "backed up {events} events and {shown} access-log rows to {}\n",
            copy.display()
        )
    );
    let said = ok(&mut restore(&copy, &restored));
    assert!(
        said.starts_with(&format!("restored {events} events")),
        "{said}"
    );
    assert_eq!(export(&restored), journal);
    audit_verify(&restored);
    assert!(
        files(dir.path())
            .iter()
            .all(|f| !f.contains("partial") && !f.contains("restoring")),
        "{:?}",
        files(dir.path())
    );
}

#[test]
fn a_backup_taken_during_writes_restores_the_journal_as_it_stood() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.db");
    generate(&full);
    let journal = export(&full);
    let lines: Vec<&str> = journal.lines().collect();
    // The journal in eight imports, each all or nothing, one after another.
    let chunk = lines.len().div_ceil(8);
    let mut boundaries = vec![0];
    let mut files_in_order = Vec::new();
    for (i, part) in lines.chunks(chunk).enumerate() {
        let file = dir.path().join(format!("part{i}.jsonl"));
        std::fs::write(
            &file,
            part.iter().map(|l| format!("{l}\n")).collect::<String>(),
        )
        .unwrap();
        boundaries.push(boundaries.last().unwrap() + part.len());
        files_in_order.push(file);
    }
    let db = dir.path().join("live.db");
    ok(hearth()
        .args(["journal", "import", "--db"])
        .arg(&db)
        .arg(&files_in_order[0]));
    let writer = {
        let (db, rest) = (db.clone(), files_in_order[1..].to_vec());
        std::thread::spawn(move || {
            for file in rest {
                ok(hearth()
                    .args(["journal", "import", "--db"])
                    .arg(&db)
                    .arg(&file));
            }
        })
    };
    let copy = dir.path().join("live.backup");
    backup(&db, &copy);
    writer.join().unwrap();
    assert_eq!(export(&db), journal);

    let restored = dir.path().join("restored.db");
    ok(&mut restore(&copy, &restored));
    let got = export(&restored);
    let n = got.lines().count();
    // The copy holds whole imports only, and exactly the journal's first n events.
    assert!(
        boundaries.contains(&n) && n > 0,
        "{n} events, not a whole import"
    );
    let prefix: String = lines[..n].iter().map(|l| format!("{l}\n")).collect();
    assert_eq!(got, prefix);
    audit_verify(&restored);
}

#[tokio::test]
async fn a_tampered_copy_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (db, copy, restored) = (
        dir.path().join("county.db"),
        dir.path().join("county.backup"),
        dir.path().join("restored.db"),
    );
    generate(&db);
    backup(&db, &copy);
    // Someone with the copy drops the trigger and edits one event's body.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", copy.display()))
        .await
        .unwrap();
    sqlx::raw_sql(
        "DROP TRIGGER journal_no_update; \
         UPDATE journal SET body = replace(body, '\"recorded_by\":\"', '\"recorded_by\":\"x') WHERE seq = 5",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let before = files(dir.path());
    let said = refused(&mut restore(&copy, &restored));
    assert!(
        said.contains("was changed after Hearth wrote it")
            && said.contains("journal chain is broken")
            && said.contains("row 5"),
        "{said}"
    );
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(!restored.exists());
    assert_eq!(files(dir.path()), before);
}

#[test]
fn a_copy_that_is_not_a_whole_hearth_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (db, copy) = (
        dir.path().join("county.db"),
        dir.path().join("county.backup"),
    );
    generate(&db);
    backup(&db, &copy);
    let bytes = std::fs::read(&copy).unwrap();
    let restored = dir.path().join("restored.db");

    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "not a database at all, though long enough to look like one ".repeat(20),
    )
    .unwrap();
    let said = refused(&mut restore(&text, &restored));
    assert!(said.contains("is not a Hearth database"), "{said}");

    let cut = dir.path().join("cut.backup");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let said = refused(&mut restore(&cut, &restored));
    assert!(said.contains("was not restored"), "{said}");
    assert!(!restored.exists());

    let missing = dir.path().join("missing.backup");
    let said = refused(&mut restore(&missing, &restored));
    assert!(said.contains("there is no backup at"), "{said}");
}

#[test]
fn restore_and_backup_never_overwrite_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let (db, copy) = (
        dir.path().join("county.db"),
        dir.path().join("county.backup"),
    );
    generate(&db);
    backup(&db, &copy);
    let journal = export(&db);

    let other = dir.path().join("other.db");
    std::fs::write(&other, "someone's file").unwrap();
    let said = refused(&mut restore(&copy, &other));
    assert!(said.contains("there is already a database at"), "{said}");
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "someone's file");

    let said = refused(&mut restore(&copy, &db));
    assert!(said.contains("there is already a database at"), "{said}");
    assert_eq!(export(&db), journal);

    let said = refused(
        hearth()
            .args(["backup", "--db"])
            .arg(&db)
            .arg("--out")
            .arg(&other),
    );
    assert!(said.contains("already exists"), "{said}");
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "someone's file");
}

#[test]
fn postgres_is_backed_up_with_its_own_tools() {
    let said = refused(hearth().args([
        "backup",
        "--db",
        "postgres://hearth@localhost/hearth",
        "--out",
        "never-written.backup",
    ]));
    assert!(
        said.contains("pg_dump") && said.contains("continuous archiving"),
        "{said}"
    );
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(!Path::new("never-written.backup").exists());

    let said = refused(hearth().args([
        "restore",
        "never-read.backup",
        "--db",
        "postgres://hearth@localhost/hearth",
    ]));
    assert!(said.contains("pg_restore"), "{said}");
}

#[test]
fn backing_up_a_missing_database_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let said = refused(
        hearth()
            .args(["backup", "--db"])
            .arg(dir.path().join("missing.db"))
            .arg("--out")
            .arg(dir.path().join("copy.backup")),
    );
    assert!(said.contains("there is no database at"), "{said}");
    assert!(files(dir.path()).is_empty());
}
