//! The `hearth` binary end to end, on temporary SQLite files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use hearth_store::{Journal as _, Organisations as _};
use std::path::Path;

fn hearth() -> Command {
    let mut cmd = Command::cargo_bin("hearth").unwrap();
    cmd.env_remove("HEARTH_DB").env("RUST_LOG", "warn");
    cmd
}

/// A small county: a tiny share of Central Bedfordshire over three years.
fn generate(db: &Path, seed: &str) -> String {
    let out = hearth()
        .args([
            "generate",
            "--preset",
            "central-bedfordshire",
            "--years",
            "3",
        ])
        .args(["--scale", "0.02", "--until", "2025-03-31", "--seed", seed])
        .arg("--db")
        .arg(db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn export(db: &Path) -> Vec<u8> {
    let out = hearth()
        .args(["journal", "export", "--db"])
        .arg(db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn stderr_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(!out.status.success(), "expected a failure");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn export_then_import_into_an_empty_database_gives_the_identical_journal() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let report = generate(&a, "7");
    assert!(report.contains("referrals per 10k"), "{report}");
    assert!(report.contains("England"), "{report}");

    let journal = export(&a);
    let lines = journal
        .split(|&c| c == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    assert!(
        lines > 1_000,
        "a small county still has a journal: {lines} events"
    );
    let file = dir.path().join("journal.jsonl");
    std::fs::write(&file, &journal).unwrap();

    hearth()
        .args(["journal", "import", "--db"])
        .arg(&b)
        .arg(&file)
        .assert()
        .success()
        .stdout(format!("imported {lines} events from {}\n", file.display()));
    assert_eq!(export(&b), journal);
}

#[test]
fn the_same_seed_gives_the_same_journal_and_another_seed_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("a.db"),
        dir.path().join("b.db"),
        dir.path().join("c.db"),
    );
    generate(&a, "3");
    generate(&b, "3");
    generate(&c, "4");
    assert_eq!(export(&a), export(&b));
    assert_ne!(export(&a), export(&c));
}

#[test]
fn rebuild_reports_what_it_refolded_and_keeps_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    generate(&db, "5");
    let before = export(&db);
    let out = hearth()
        .args(["rebuild", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success());
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(said.starts_with("rebuilt the projections of "), "{said}");
    // A generated county has contacts of their own, and the rebuild counts them.
    let contacts: u64 = said
        .split(" contacts from ")
        .next()
        .and_then(|head| head.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of contacts in {said}"));
    assert!(contacts > 0, "{said}");
    assert_eq!(export(&db), before);
}

#[test]
fn a_bad_line_refuses_the_whole_import_and_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    generate(&a, "9");
    let journal = String::from_utf8(export(&a)).unwrap();
    let mut lines: Vec<String> = journal.lines().map(str::to_owned).collect();
    // Break the third line's payload code.
    let third = &lines[2];
    let kind_at = third.find("\"kind\":").unwrap();
    lines[2] = format!(
        "{}\"kind\":\"not_a_kind\",{}",
        &third[..kind_at],
        &third[third[kind_at..].find(',').unwrap() + kind_at + 1..]
    );
    let file = dir.path().join("bad.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();

    let message = stderr_of(
        hearth()
            .args(["journal", "import", "--db"])
            .arg(&b)
            .arg(&file),
    );
    assert!(message.contains("line 3"), "{message}");
    assert!(message.contains("not_a_kind"), "{message}");
    assert_eq!(message.trim().lines().count(), 1, "one sentence: {message}");
    // The file is read before the database is opened, so not even an empty one is made.
    assert!(!b.exists());
}

#[test]
fn an_impossible_event_refuses_the_whole_import_and_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    generate(&a, "11");
    let journal = String::from_utf8(export(&a)).unwrap();
    // Drop a child's registration: every later event of that child is then impossible,
    // and the first of them is refused.
    let lines: Vec<&str> = journal.lines().collect();
    let registration = lines
        .iter()
        .position(|l| {
            l.contains("\"subject\":\"child:") && l.contains("\"kind\":\"person_registered\"")
        })
        .unwrap();
    let subject_at = lines[registration].find("\"subject\":\"").unwrap() + 11;
    let subject = &lines[registration][subject_at..];
    let subject = &subject[..subject.find('"').unwrap()];
    let next = lines
        .iter()
        .enumerate()
        .skip(registration + 1)
        .find(|(_, l)| l.contains(&format!("\"subject\":\"{subject}\"")))
        .map(|(i, _)| i)
        .unwrap();
    let kept: Vec<&str> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != registration)
        .map(|(_, l)| *l)
        .collect();
    let file = dir.path().join("bad.jsonl");
    std::fs::write(&file, kept.join("\n")).unwrap();

    let message = stderr_of(
        hearth()
            .args(["journal", "import", "--db"])
            .arg(&b)
            .arg(&file),
    );
    // The refused event was line `next + 1` of the export, and is line `next` now.
    assert!(message.contains(&format!("line {next}:")), "{message}");
    assert!(message.contains("registered"), "{message}");
    assert!(export(&b).is_empty());
}

/// A child registered on `on`, as one journal line.
fn registration(id: &str, child: &str, on: &str) -> String {
    format!(
        r#"{{"id":"{id}","subject":"child:{child}","occurred_at":"{on}","recorded_at":"2026-03-31T17:00:00Z","recorded_by":"fixture","kind":"person_registered","data":{{"name":{{"given":"Dana","family":"Fixture"}},"date_of_birth":"2014-05-05","sex":"F","ethnicity":"WBRI"}}}}"#
    )
}

#[test]
fn an_event_dated_after_today_is_refused_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let file = dir.path().join("future.jsonl");
    let lines = [
        registration("e1", "D1", "2020-01-06"),
        registration("e2", "D2", "2099-01-01"),
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    let message = stderr_of(
        hearth()
            .args(["journal", "import", "--db"])
            .arg(&db)
            .arg(&file),
    );
    assert!(message.contains("line 2:"), "{message}");
    assert!(message.contains("dated after today"), "{message}");
    assert_eq!(message.trim().lines().count(), 1, "one sentence: {message}");
    assert!(export(&db).is_empty());
}

#[test]
fn a_repeated_id_and_bad_utf8_are_named_by_their_own_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let file = dir.path().join("twice.jsonl");
    let lines = [
        registration("e1", "D1", "2020-01-06"),
        registration("e2", "D2", "2020-01-06"),
        registration("e1", "D3", "2020-01-06"),
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    let message = stderr_of(
        hearth()
            .args(["journal", "import", "--db"])
            .arg(&db)
            .arg(&file),
    );
    assert_eq!(
        message.trim(),
        format!(
            "hearth: {}, line 3: event id e1 is used already, on line 1",
            file.display()
        )
    );
    // An id already in the journal is named once too.
    std::fs::write(&file, &lines[0]).unwrap();
    hearth()
        .args(["journal", "import", "--db"])
        .arg(&db)
        .arg(&file)
        .assert()
        .success();
    std::fs::write(&file, registration("e1", "D5", "2020-01-06")).unwrap();
    let message = stderr_of(
        hearth()
            .args(["journal", "import", "--db"])
            .arg(&db)
            .arg(&file),
    );
    assert_eq!(
        message.trim(),
        format!(
            "hearth: {}, line 1: event e1 is already in the journal",
            file.display()
        )
    );
    let mut bytes = format!("{}\n", lines[0]).into_bytes();
    bytes.extend(b"{\"id\":\"e\xff\"}\n");
    std::fs::write(&file, bytes).unwrap();
    let message = stderr_of(
        hearth()
            .args(["journal", "import", "--db"])
            .arg(&db)
            .arg(&file),
    );
    assert!(
        message.contains(&format!("{}, line 2: ", file.display())),
        "{message}"
    );
    assert!(message.contains("UTF-8"), "{message}");
}

#[test]
fn generate_refuses_a_database_that_already_holds_events() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    generate(&db, "1");
    let before = export(&db);
    let message = stderr_of(
        hearth()
            .args(["generate", "--preset", "kent", "--scale", "0.01", "--db"])
            .arg(&db),
    );
    assert!(message.contains("already holds"), "{message}");
    assert_eq!(export(&db), before);
}

#[test]
fn reading_commands_do_not_create_a_missing_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("missing.db");
    let message = stderr_of(hearth().args(["journal", "export", "--db"]).arg(&db));
    assert!(message.contains("there is no database at"), "{message}");
    assert!(!db.exists());
}

#[test]
fn an_unknown_preset_is_named_with_the_ones_there_are() {
    let dir = tempfile::tempdir().unwrap();
    let message = stderr_of(
        hearth()
            .args(["generate", "--preset", "narnia", "--db"])
            .arg(dir.path().join("a.db")),
    );
    assert!(message.contains("narnia"), "{message}");
    assert!(message.contains("central-bedfordshire"), "{message}");
}

#[tokio::test]
async fn audit_verify_passes_on_a_clean_database_and_names_the_row_changed_behind_its_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    generate(&db, "5");
    let out = hearth()
        .args(["audit", "verify", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(
        report.contains("journal: ") && report.contains("rows, chain intact"),
        "{report}"
    );
    assert!(
        report.contains("access log: 0 rows, chain intact"),
        "{report}"
    );

    // Someone with the file drops the trigger and edits one event.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    sqlx::raw_sql(
        "DROP TRIGGER journal_no_update; UPDATE journal SET recorded_by = 'someone' WHERE seq = 7",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let out = hearth()
        .args(["audit", "verify", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(
        report.contains("journal: BROKEN: row 7 does not match its hash"),
        "{report}"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("the audit chain is broken"), "{stderr}");
}

#[tokio::test]
async fn users_are_added_with_a_password_from_stdin_and_tokens_are_shown_once_and_stored_hashed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("users.db");
    let add = |name: &str, role: &str, password: &str| {
        let mut cmd = hearth();
        cmd.args(["user", "add", "--db"])
            .arg(&db)
            .args(["--name", name, "--role", role, "--password-stdin"])
            .write_stdin(password.to_owned());
        cmd
    };
    let out = add("sam.patel", "social-worker", "a long enough secret\n")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "added sam.patel as social-worker\n"
    );

    assert!(
        stderr_of(&mut add("sam.patel", "admin", "another long secret"))
            .contains("there is already a user called sam.patel")
    );
    assert!(
        stderr_of(&mut add("amy", "manager", "a long enough secret"))
            .contains("'manager' is not a role; the roles are: screener,")
    );
    assert!(stderr_of(&mut add("amy", "admin", "short\n")).contains("at least 12 characters"));
    assert!(
        stderr_of(&mut add("amy smith", "admin", "a long enough secret"))
            .contains("a user name must be")
    );
    let mut no_flag = hearth();
    no_flag
        .args(["user", "add", "--db"])
        .arg(&db)
        .args(["--name", "amy", "--role", "admin"]);
    assert!(stderr_of(&mut no_flag).contains("--password-stdin"));

    let out = hearth()
        .args(["token", "create", "--db"])
        .arg(&db)
        .args(["--user", "sam.patel"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("hearth_tok-"), "{token}");
    let label = token.split('_').nth(1).unwrap().to_owned();
    let mut unknown = hearth();
    unknown
        .args(["token", "create", "--db"])
        .arg(&db)
        .args(["--user", "nobody"]);
    assert!(stderr_of(&mut unknown).contains("there is no user called nobody"));

    // The database holds neither the password nor the token, only their hashes.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let (password_hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(password_hash.starts_with("$argon2id$"), "{password_hash}");
    let (token_hash,): (String,) = sqlx::query_as("SELECT token_hash FROM api_tokens")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert_eq!(token_hash, hearth_app::auth::token_hash(&token));
    let file = std::fs::read(&db).unwrap();
    let text = String::from_utf8_lossy(&file);
    assert!(!text.contains("a long enough secret") && !text.contains(&token));

    let revoke = |label: &str| {
        let mut cmd = hearth();
        cmd.args(["token", "revoke", "--db"])
            .arg(&db)
            .args(["--label", label]);
        cmd
    };
    assert!(revoke(&label).output().unwrap().status.success());
    assert!(
        stderr_of(&mut revoke(&label))
            .contains(&format!("there is no live token labelled {label}"))
    );
}

/// A database holding the fixed journeys of `tests/data/due-journey.jsonl` (imported on
/// their own, so without an organisation: the national rules apply).
fn due_fixture(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("due.db");
    let journal = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/due-journey.jsonl");
    hearth()
        .args(["journal", "import", "--db"])
        .arg(&db)
        .arg(&journal)
        .assert()
        .success();
    db
}

fn due(db: &Path, args: &[&str]) -> String {
    let out = hearth()
        .args(["due", "--db"])
        .arg(db)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The JSON of `hearth due` on a small fixed journey, compared with the reviewed snapshot
/// `tests/snapshots/cli__due.snap`. After a deliberate change, run the test with
/// `INSTA_UPDATE=always` (or `cargo insta test`) and read the difference before
/// committing it.
#[test]
fn due_as_json_matches_the_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let db = due_fixture(dir.path());
    let json = due(&db, &["--as-at", "2026-03-31", "--format", "json"]);
    insta::assert_snapshot!("due", json);
}

/// The due cache never changes a list. On the fixture (left warm by the import), each
/// list is compared with one drawn up cold, with the cache emptied: on days after every
/// child's last event (the cache serves all), between them (it serves some) and before
/// them (it serves none); after a child is recorded behind the cache's back (its row is
/// stale); and under other rules and closure days (every row is).
#[tokio::test]
async fn the_due_cache_never_changes_a_list() {
    let dir = tempfile::tempdir().unwrap();
    let db = due_fixture(dir.path());
    let url = format!("sqlite://{}", db.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let sql = |q: &'static str| sqlx::query(q).execute(&pool);
    let cached =
        || sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM due_clocks").fetch_one(&pool);
    // D3 settled in 2020, so only the other three may owe anything now.
    assert_eq!(cached().await.unwrap(), 3);
    let list = |as_at: &str| due(&db, &["--as-at", as_at, "--format", "json"]);
    let days = [
        "2026-03-31",
        "2026-06-30",
        "2026-03-21",
        "2026-03-13",
        "2026-01-06",
    ];
    let mut cold = Vec::new();
    for as_at in days {
        let warm = list(as_at);
        sql("DELETE FROM due_clocks").await.unwrap();
        cold.push(list(as_at));
        assert_eq!(warm, cold[cold.len() - 1], "as at {as_at}");
        assert_eq!(list(as_at), warm, "as at {as_at}, written back");
    }
    insta::assert_snapshot!("due", cold[0]);

    // The cache is read: a row that cannot be read is refused when it would be used;
    // it is not used (nor, being fresh, written again) when the child's last event is
    // after the day asked about, nor when it was worked out under other rules (and is
    // then written afresh).
    sql("UPDATE due_clocks SET clocks = 'not clocks' WHERE child_id = 'D1'")
        .await
        .unwrap();
    let refused = || {
        let mut due = hearth();
        due.args(["due", "--db"])
            .arg(&db)
            .args(["--as-at", "2026-03-31"]);
        stderr_of(&mut due)
    };
    let message = refused();
    assert!(
        message.contains("the cached due clocks of child D1 cannot be read"),
        "{message}"
    );
    list("2026-03-11");
    assert!(refused().contains("child D1"));
    sql("UPDATE due_clocks SET fingerprint = 'other rules' WHERE child_id = 'D1'")
        .await
        .unwrap();
    assert_eq!(list("2026-03-31"), cold[0]);
    let (fingerprint, clocks): (String, String) =
        sqlx::query_as("SELECT fingerprint, clocks FROM due_clocks WHERE child_id = 'D1'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(fingerprint != "other rules" && clocks.starts_with('{'));
    assert_eq!(list("2026-03-31"), cold[0]);

    // Recorded behind the cache's back: the contact about D4 decided.
    let store = hearth_store::open_sqlite(&url).await.unwrap();
    let decided: hearth_domain::event::Event = serde_json::from_str(
        r#"{"id":"d4-03","subject":"child:D4","occurred_at":"2026-03-31","recorded_at":"2026-03-31T18:00:00Z","recorded_by":"fixture","kind":"contact_decided","data":{"contact":"K4","outcome":"nfa"}}"#,
    )
    .unwrap();
    store.append(2, vec![decided]).await.unwrap();
    let after = list("2026-03-31");
    assert_ne!(after, cold[0]);
    sql("DELETE FROM due_clocks").await.unwrap();
    assert_eq!(after, list("2026-03-31"));

    // Other rules and closure days: Kent's organisation, with visits to a child on a
    // protection plan every 10 working days and a closure day before Easter, under
    // which the clocks cached under the national rules are not used.
    let national = list("2026-03-31");
    let preset = hearth_synth::preset("kent").unwrap();
    let options = hearth_synth::Options {
        years: 1,
        seed: 1,
        scale: 0.01,
        end: "2026-03-31".parse().unwrap(),
    };
    let mut kent = hearth_synth::Generator::new(&preset, &options)
        .unwrap()
        .organisation()
        .clone();
    // Kent's preset has the visits rule itself.
    assert!(
        kent.timescales
            .iter()
            .any(|r| r.duty == hearth_domain::timescales::Duty::ChildProtectionVisit)
    );
    kent.closure_days.push("2026-03-23".parse().unwrap());
    store.put_organisation(&kent).await.unwrap();
    let under_kent = list("2026-03-31");
    assert_ne!(under_kent, national);
    sql("DELETE FROM due_clocks").await.unwrap();
    assert_eq!(list("2026-03-31"), under_kent);
    pool.close().await;
}

#[test]
fn due_as_a_table_puts_the_longest_overdue_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = due_fixture(dir.path());
    let table = due(&db, &["--as-at", "2026-03-31"]);
    assert!(
        table.contains("3 overdue, 2 due in the next 10 working days (by 2026-04-16), 1 met late since 2026-02-28"),
        "{table}"
    );
    let lines: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with('D') && l.as_bytes()[1].is_ascii_digit())
        .collect();
    assert_eq!(lines.len(), 5, "{table}");
    assert!(
        lines[0].starts_with("D1") && lines[0].contains("Assessment"),
        "{table}"
    );
    assert!(lines[0].contains("Overdue by 14 working days"), "{table}");
    assert!(lines[1].contains("First core group"), "{table}");
    assert!(
        lines[3].starts_with("D4") && lines[3].contains("Due 2026-03-31"),
        "{table}"
    );
    // The unallocated are counted under no team.
    assert!(table.contains("Unallocated"), "{table}");
}

#[test]
fn due_refuses_bad_input_in_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let db = due_fixture(dir.path());
    let cases: [(&[&str], &str); 5] = [
        (
            &["--as-at", "2026-02-30"],
            "--as-at '2026-02-30' is not a date: write it as YYYY-MM-DD",
        ),
        (&["--as-at", "1999-12-31"], "1999-12-31 is outside them"),
        (
            &["--team", "T1", "--worker", "W1"],
            "give --team or --worker, not both",
        ),
        (
            &["--team", "no such team"],
            "--team 'no such team' is not a team id",
        ),
        (
            &["--team", "T1"],
            "there is no team 'T1' in this authority's organisation",
        ),
    ];
    for (args, expected) in cases {
        let message = stderr_of(hearth().args(["due", "--db"]).arg(&db).args(args));
        assert!(message.contains(expected), "{args:?}: {message}");
        assert_eq!(message.trim().lines().count(), 1, "one sentence: {message}");
    }
    let missing = dir.path().join("missing.db");
    let message = stderr_of(hearth().args(["due", "--db"]).arg(&missing));
    assert!(message.contains("there is no database at"), "{message}");
}

/// On a generated county (whose organisation carries its teams and workers), a team or
/// a worker narrows the list to the children allocated to them.
#[test]
fn due_narrows_to_a_team_or_a_worker() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    generate(&db, "2");
    let all: serde_json::Value =
        serde_json::from_str(&due(&db, &["--as-at", "2025-03-31", "--format", "json"])).unwrap();
    let teams = all["teams"].as_array().unwrap();
    // A team whose workers hold cases (the front door's open contacts are its own, with
    // no worker).
    let team = teams
        .iter()
        .find(|t| t["workers"].as_array().is_some_and(|w| !w.is_empty()))
        .unwrap();
    assert!(team["team"].is_string(), "{team}");
    let id = team["team"].as_str().unwrap();
    let narrowed: serde_json::Value = serde_json::from_str(&due(
        &db,
        &["--as-at", "2025-03-31", "--format", "json", "--team", id],
    ))
    .unwrap();
    assert_eq!(narrowed["team"], id);
    assert_eq!(narrowed["teams"].as_array().unwrap(), &vec![team.clone()]);
    let listed = narrowed["obligations"].as_array().unwrap();
    assert!(listed.iter().all(|o| o["team"] == id));
    let worker = &team["workers"][0];
    let worker_id = worker["worker"].as_str().unwrap();
    let one: serde_json::Value = serde_json::from_str(&due(
        &db,
        &[
            "--as-at",
            "2025-03-31",
            "--format",
            "json",
            "--worker",
            worker_id,
        ],
    ))
    .unwrap();
    assert!(
        one["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["worker"] == worker_id)
    );
    assert_eq!(one["total"]["overdue"], worker["overdue"]);
}

#[tokio::test]
async fn a_record_is_restricted_to_named_users_and_lifted_and_each_change_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let db = due_fixture(dir.path());
    for name in ["kim.worker", "lee.manager"] {
        hearth()
            .args(["user", "add", "--db"])
            .arg(&db)
            .args([
                "--name",
                name,
                "--role",
                "social-worker",
                "--password-stdin",
            ])
            .write_stdin("a long enough secret\n")
            .assert()
            .success();
    }
    let restrict = |args: &[&str]| {
        let mut cmd = hearth();
        cmd.args(["restrict", "--db"]).arg(&db).args(args);
        cmd
    };
    let out = restrict(&[
        "--child",
        "D1",
        "--user",
        "kim.worker",
        "--user",
        "lee.manager",
    ])
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "D1: restricted to kim.worker, lee.manager\n"
    );
    assert!(
        stderr_of(&mut restrict(&["--child", "D1", "--user", "nobody"]))
            .contains("there is no user called nobody")
    );
    assert!(
        stderr_of(&mut restrict(&[
            "--child",
            "NOSUCH",
            "--user",
            "kim.worker"
        ]))
        .contains("there is no child NOSUCH")
    );
    assert!(stderr_of(&mut restrict(&["--child", "D1"])).contains("--lift"));
    assert!(
        stderr_of(&mut restrict(&[
            "--child",
            "D1",
            "--lift",
            "--user",
            "kim.worker"
        ]))
        .contains("cannot be used with")
    );

    let store = hearth_store::open(db.to_str().unwrap()).await.unwrap();
    let d1 = hearth_domain::ids::ChildId::parse("D1").unwrap();
    let named: Vec<String> = store.restrictions().await.unwrap()[&d1]
        .iter()
        .map(|u| u.to_string())
        .collect();
    assert_eq!(named, ["kim.worker", "lee.manager"]);
    drop(store);

    restrict(&["--child", "D1", "--lift"]).assert().success();
    let store = hearth_store::open(db.to_str().unwrap()).await.unwrap();
    assert!(store.restrictions().await.unwrap().is_empty());
    let log: Vec<(String, String)> = store
        .access_log(&hearth_domain::ids::Subject::Child(d1))
        .await
        .unwrap()
        .into_iter()
        .map(|(_, actor, action)| (actor, action))
        .collect();
    assert_eq!(
        log,
        [
            ("hearth-cli", "restricted to kim.worker, lee.manager"),
            ("hearth-cli", "restriction lifted"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
}

fn org_show(db: &Path) -> String {
    let out = hearth()
        .args(["org", "show", "--db"])
        .arg(db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The document without its first line, the comment naming the version.
fn body(shown: &str) -> &str {
    shown.split_once('\n').map_or("", |(_, rest)| rest)
}

fn org_apply(db: &Path, file: &Path, from: &str) -> std::process::Output {
    hearth()
        .args(["org", "apply"])
        .arg(file)
        .arg("--db")
        .arg(db)
        .args(["--from", from])
        .output()
        .unwrap()
}

#[test]
fn org_show_prints_toml_that_org_apply_stores_as_a_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    generate(&db, "1");
    let shown = org_show(&db);
    assert!(
        shown.starts_with(
            "# Central Bedfordshire Council: the version in force from 2000-01-01 (revision 1)."
        ),
        "{shown}"
    );
    for part in [
        "[[threshold.levels]]",
        "[routing]",
        "[policy]",
        "[[scorecard]]",
        "postcode_sectors = [",
        "duty = \"partner_check_red\"",
        "within = \"10 working days\"",
        "[[workers]]",
    ] {
        assert!(shown.contains(part), "{part}");
    }
    let file = dir.path().join("org.toml");
    std::fs::write(&file, &shown).unwrap();
    let out = org_apply(&db, &file, "2024-01-01");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("revision 2"));
    let again = org_show(&db);
    assert!(
        again.contains("in force from 2024-01-01 (revision 2)"),
        "{again}"
    );
    assert_eq!(body(&again), body(&shown));
}

#[test]
fn a_bad_org_file_is_refused_in_one_sentence_naming_line_and_key_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    generate(&db, "1");
    let shown = org_show(&db);
    let file = dir.path().join("org.toml");
    let line_of =
        |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    // Two localities given one sector; an unknown key; a period that is not one;
    // localities whose children do not add up; TOML that does not parse.
    let first_sector = "\"LU6 1\"";
    let duplicate = shown.replacen("\"LU5 1\"", first_sector, 1);
    let unknown = shown.replacen("cin_visit_working_days", "cin_visit_workdays", 1);
    let period = shown.replacen("within = \"4 hours\"", "within = \"4 hourz\"", 1);
    let population = shown.replacen("child_population = ", "child_population = 1", 1);
    let broken = format!("{shown}\nla_code = [\n");
    let cases = [
        (
            duplicate.clone(),
            format!(
                ", line {}, areas[0].localities[1].postcode_sectors[0]: sector LU6 1 is given to more than one locality",
                line_of(&duplicate, "[\"LU6 1\", \"LU5 2\"")
            ),
        ),
        (
            unknown.clone(),
            format!(
                ", line {}, policy.cin_visit_workdays: unknown field",
                line_of(&unknown, "cin_visit_workdays")
            ),
        ),
        (
            period.clone(),
            format!(
                ", line {}, timescales[0].within: '4 hourz' is not a period",
                line_of(&period, "4 hourz")
            ),
        ),
        (
            population.clone(),
            String::from(", line 4, child_population: the localities' child populations add up to"),
        ),
        (broken, String::from(", line ")),
    ];
    for (text, says) in cases {
        std::fs::write(&file, &text).unwrap();
        let out = org_apply(&db, &file, "2024-01-01");
        assert!(!out.status.success());
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(&format!("org.toml{says}")), "{err}\n{says}");
        assert_eq!(org_show(&db), shown, "the database changed");
    }
}

/// The issue's test: a council changes its child protection visit rule with `org apply`,
/// and the due list shows visits due under the new rule from the day it is in force.
#[test]
fn changing_the_cp_visit_rule_through_org_apply_changes_the_due_list() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    generate(&db, "1");
    let as_at = ["--as-at", "2025-03-31", "--format", "json"];
    let before = due(&db, &as_at);
    assert!(before.contains("10 working days") && !before.contains("3 working days"));
    let shown = org_show(&db);
    let changed = shown.replacen(
        "within = \"10 working days\"",
        "within = \"3 working days\"",
        1,
    );
    assert_ne!(changed, shown);
    let file = dir.path().join("org.toml");
    std::fs::write(&file, changed).unwrap();
    let out = org_apply(&db, &file, "2025-01-01");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = due(&db, &as_at);
    assert_ne!(after, before);
    assert!(
        after.contains("3 working days"),
        "no visit due under the new rule"
    );
    // Visits whose clocks started before the new version are still timed by the old.
    assert!(after.contains("10 working days"));
}

/// Run `args` with standard output a pipe whose reader has already gone, as in
/// `hearth org show | head` once `head` has its lines.
fn with_reader_gone(args: &[&str], db: &Path) -> std::process::Output {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("hearth"))
        .env_remove("HEARTH_DB")
        .env("RUST_LOG", "warn")
        .args(args)
        .arg("--db")
        .arg(db)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_reader_that_stops_early_ends_the_output_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    generate(&db, "1");
    for args in [
        &["org", "show"][..],
        &["journal", "export"],
        &["due", "--as-at", "2025-03-31"],
    ] {
        let out = with_reader_gone(args, &db);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}

/// The id of the first worker in `role` that `hearth org show` lists.
fn worker_in_role(shown: &str, role: &str) -> String {
    shown
        .split("[[workers]]")
        .skip(1)
        .find(|block| block.contains(&format!("role = \"{role}\"")))
        .and_then(|block| {
            block
                .lines()
                .find_map(|l| l.trim().strip_prefix("id = \""))
                .and_then(|rest| rest.strip_suffix('"'))
        })
        .unwrap()
        .to_owned()
}

#[test]
fn a_user_is_linked_to_a_worker_the_organisation_has_in_their_role() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    generate(&db, "1");
    let shown = org_show(&db);
    let social_worker = worker_in_role(&shown, "social_worker");
    let add = |name: &str, role: &str, worker: &str| {
        let mut cmd = hearth();
        cmd.args(["user", "add", "--db"])
            .arg(&db)
            .args(["--name", name, "--role", role, "--worker", worker])
            .args(["--password-stdin"])
            .write_stdin("a long enough secret\n");
        cmd
    };
    let out = add("sam.patel", "social-worker", &social_worker)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stderr_of(&mut add("amy", "social-worker", "W-NOBODY"))
            .contains("there is no worker 'W-NOBODY' in the organisation document")
    );
    let wrong = stderr_of(&mut add("amy", "team-manager", &social_worker));
    assert!(
        wrong.contains(&format!(
            "worker {social_worker} is a social_worker in the organisation document, which a team-manager user cannot be linked to"
        )),
        "{wrong}"
    );
}
