//! Every committed snapshot is still asserted somewhere, and no pending one is left
//! lying about: insta itself fails only on a snapshot a test asserts, so a snapshot whose
//! test was renamed or deleted would otherwise stay in the tree unchecked.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

/// The files under each crate's `tests/snapshots/`, as (crate folder, file name).
fn snapshot_files(crates: &Path) -> Vec<(std::path::PathBuf, String)> {
    let mut found = Vec::new();
    for krate in std::fs::read_dir(crates).unwrap() {
        let krate = krate.unwrap().path();
        let Ok(files) = std::fs::read_dir(krate.join("tests/snapshots")) else {
            continue;
        };
        for file in files {
            let name = file.unwrap().file_name().into_string().unwrap();
            found.push((krate.clone(), name));
        }
    }
    found
}

#[test]
fn every_snapshot_is_asserted_by_the_test_file_it_is_named_for() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let files = snapshot_files(&crates);
    assert!(!files.is_empty(), "no snapshots found under {crates:?}");
    for (krate, name) in files {
        // insta names a file snapshot `<test file>__<snapshot name>.snap`.
        let Some((module, snapshot)) = name
            .strip_suffix(".snap")
            .and_then(|stem| stem.split_once("__"))
        else {
            panic!(
                "{krate:?}/tests/snapshots/{name} is not a reviewed snapshot (pending or stray)"
            );
        };
        let test = krate.join("tests").join(format!("{module}.rs"));
        let source = std::fs::read_to_string(&test)
            .unwrap_or_else(|e| panic!("{name}: its test file {test:?} cannot be read: {e}"));
        assert!(
            source.contains(&format!("assert_snapshot!(\"{snapshot}\"")),
            "{name} is asserted nowhere in {test:?}: delete it, or assert it"
        );
    }
}
