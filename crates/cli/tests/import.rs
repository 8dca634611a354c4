//! `hearth import contacts FILE.csv` end to end, on temporary SQLite files: a good file
//! is received whole, one id per contact_ref; a bad row is named with its file, row and
//! column, the exit code is 1, and the database is unchanged.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use hearth_app::intake::COLUMNS;
use std::path::Path;

fn hearth() -> Command {
    let mut cmd = Command::cargo_bin("hearth").unwrap();
    cmd.env_remove("HEARTH_DB").env("RUST_LOG", "warn");
    cmd
}

/// An empty database, with the store's tables made.
fn database(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("contacts.db");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        hearth_store::open_sqlite(db.to_str().unwrap())
            .await
            .unwrap();
    });
    db
}

fn export(db: &Path) -> Vec<u8> {
    let out = hearth()
        .args(["journal", "export", "--db"])
        .arg(db)
        .output()
        .unwrap();
    assert!(out.status.success());
    out.stdout
}

/// A file of rows, each (column, cell), the other cells blank.
fn file(dir: &Path, rows: &[&[(&str, &str)]]) -> std::path::PathBuf {
    let mut text = COLUMNS.join(",") + "\n";
    for row in rows {
        let cells: Vec<&str> = COLUMNS
            .iter()
            .map(|c| row.iter().find(|(k, _)| k == c).map_or("", |(_, v)| *v))
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    let path = dir.join("contacts.csv");
    std::fs::write(&path, text).unwrap();
    path
}

const CHILD: &[(&str, &str)] = &[
    ("contact_ref", "A"),
    ("received_at", "2024-06-03T09:00"),
    ("source", "2A"),
    ("referrer_name", "A Teacher"),
    ("urgency", "routine"),
    ("consent", "given"),
    ("narrative", "Concern raised at school."),
    ("role", "child"),
    ("given_name", "Ava"),
    ("family_name", "Tester"),
    ("date_of_birth", "2015-06-01"),
];

const MOTHER: &[(&str, &str)] = &[
    ("contact_ref", "A"),
    ("role", "adult"),
    ("given_name", "Alex"),
    ("family_name", "Tester"),
];

#[test]
fn a_good_file_is_received_one_id_per_contact() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let other: Vec<(&str, &str)> = CHILD
        .iter()
        .map(|&(k, v)| if k == "contact_ref" { (k, "B") } else { (k, v) })
        .collect();
    let csv = file(dir.path(), &[CHILD, MOTHER, &other]);
    let out = hearth()
        .args(["import", "contacts"])
        .arg(&csv)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<(&str, &str)> = stdout
        .lines()
        .map(|l| l.split_once('\t').unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!((lines[0].0, lines[1].0), ("A", "B"));
    assert!(
        lines
            .iter()
            .all(|(_, id)| id.starts_with("CT") && id.len() == 12)
    );
    let journal = String::from_utf8(export(&db)).unwrap();
    assert_eq!(journal.lines().count(), 2, "one contact_received each");
    assert!(journal.contains(&format!("contact:{}", lines[0].1)));
}

#[test]
fn a_bad_row_is_named_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let before = export(&db);
    let mut bad_mother = MOTHER.to_vec();
    bad_mother.push(("date_of_birth", "31/02/1990"));
    let csv = file(dir.path(), &[CHILD, &bad_mother]);
    let out = hearth()
        .args(["import", "contacts"])
        .arg(&csv)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!(
            "{} row 3, date_of_birth: is not a date (YYYY-MM-DD)",
            csv.display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("31/02"), "{stderr}");
    assert_eq!(export(&db), before);
}
