//! `hearth scorecard` end to end on a small generated county: JSON as the issue gives
//! it, the breakdowns, CSV, and one sentence and a failure for a month or breakdown it
//! cannot draw.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use hearth_analytics::scorecard::catalogue::CATALOGUE;
use serde_json::Value;
use std::path::Path;

fn hearth() -> Command {
    let mut cmd = Command::cargo_bin("hearth").unwrap();
    cmd.env_remove("HEARTH_DB").env("RUST_LOG", "warn");
    cmd
}

/// A tiny share of Central Bedfordshire over three years to 31 March 2025; its report.
fn generate(db: &Path) -> String {
    let out = hearth()
        .args([
            "generate",
            "--preset",
            "central-bedfordshire",
            "--years",
            "3",
        ])
        .args(["--scale", "0.02", "--until", "2025-03-31", "--seed", "3"])
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

fn scorecard(db: &Path, args: &[&str]) -> std::process::Output {
    hearth()
        .arg("scorecard")
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap()
}

fn json(db: &Path, args: &[&str]) -> Value {
    let out = scorecard(db, &[args, &["--format", "json"]].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn refusal(db: &Path, args: &[&str]) -> String {
    let out = scorecard(db, args);
    assert!(!out.status.success(), "expected a failure");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn the_scorecard_gives_every_indicator_by_breakdown_with_a_13_month_trend() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    let report = generate(&db);

    let card = json(&db, &["--month", "2025-03", "--by", "locality"]);
    assert_eq!(card["month"], "2025-03");
    assert_eq!(card["by"], "locality");
    let rows = card["rows"].as_array().unwrap();
    let authority: Vec<&Value> = rows
        .iter()
        .filter(|r| r["breakdown"] == "authority")
        .collect();
    let kpis: Vec<&str> = authority
        .iter()
        .map(|r| r["kpi"].as_str().unwrap())
        .collect();
    let catalogue: Vec<&str> = CATALOGUE.iter().map(|i| i.id).collect();
    assert_eq!(kpis, catalogue);
    for row in rows {
        // serde_json's map holds keys in order of name.
        let keys: Vec<&String> = row.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "breakdown",
                "denominator",
                "kpi",
                "numerator",
                "rag",
                "target",
                "trend",
                "value"
            ]
        );
        assert_eq!(row["trend"].as_array().unwrap().len(), 13);
        assert_eq!(row["trend"][12], row["value"]);
    }
    // The year to 31 March 2025's referrals per 10,000, as `generate` reported them
    // from its own count (rates.rs), to one decimal place.
    let referrals = authority[0];
    let reported = report
        .lines()
        .find(|l| l.starts_with("referrals per 10k"))
        .and_then(|l| l.split_whitespace().nth(3))
        .unwrap();
    assert_eq!(
        format!("{:.1}", referrals["value"].as_f64().unwrap()),
        reported,
        "{report}"
    );
    assert!(referrals["numerator"].as_u64().unwrap() > 0);
    // The preset's target for re-referrals (named re_referrals_12m there) applies.
    let rereferrals = authority[1];
    assert_eq!(rereferrals["target"], 20.0);
    assert!(["red", "amber", "green"].contains(&rereferrals["rag"].as_str().unwrap()));
    // The localities' referrals add up to the authority's.
    let sum: u64 = rows
        .iter()
        .filter(|r| r["kpi"] == "referrals_per_10k" && r["breakdown"] != "authority")
        .map(|r| r["numerator"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, referrals["numerator"].as_u64().unwrap());

    let teams = json(&db, &["--month", "2025-03", "--by", "team"]);
    assert!(teams["rows"].as_array().unwrap().len() > CATALOGUE.len() * 2);

    let out = scorecard(&db, &["--month", "2025-03", "--format", "csv"]);
    assert!(out.status.success());
    let csv = String::from_utf8(out.stdout).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("kpi,breakdown,value,numerator,denominator,target,rag,2024-03,"),
        "{header}"
    );
    assert!(header.ends_with(",2025-03"), "{header}");
    assert_eq!(csv.lines().count(), 1 + CATALOGUE.len());

    let out = scorecard(&db, &["--month", "2025-03"]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("Referrals per 10,000 children"), "{table}");
}

#[test]
fn a_month_or_breakdown_it_cannot_draw_gets_one_sentence_and_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    generate(&db);
    let bad = refusal(&db, &["--month", "2025-13"]);
    assert_eq!(
        bad.trim(),
        "hearth: --month '2025-13' is not a month: write it as YYYY-MM, for example 2025-03"
    );
    // The journal's first events are the oldest children's registrations, in 2009.
    let early = refusal(&db, &["--month", "2008-12"]);
    assert_eq!(
        early.trim(),
        "hearth: the journal starts in 2009: choose a month from 2009-01 on"
    );
    let future = refusal(&db, &["--month", "2999-01"]);
    assert_eq!(
        future.trim(),
        "hearth: 2999-01 has not started yet: choose this month or an earlier one"
    );
    let by = refusal(&db, &["--month", "2025-03", "--by", "district"]);
    assert!(by.contains("invalid value 'district'"), "{by}");
}
