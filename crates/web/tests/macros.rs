//! The component macros (`templates/macros/*.html`) render the same HTML as GOV.UK
//! Frontend's Nunjucks macros: each is rendered with the options of the fixtures that
//! govuk-frontend ships (`dist/govuk/components/<name>/fixtures.json`, installed by
//! `scripts/assets.sh`) and compared with the fixture's HTML, element by element,
//! attribute by attribute (in any order) and text by text (whitespace collapsed).
//!
//! Each component lists the fixtures it is held to. A fixture left out uses an option
//! the macro does not support (named beside the list); a listed fixture that is missing
//! or renders differently fails the test. MoJ Frontend ships no fixtures, so its
//! macros are compared with HTML written out from MoJ's templates, below.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use std::path::PathBuf;

/// (component folder, macro, fixtures it must match).
const GOVUK: &[(&str, &str, &[&str])] = &[
    // Left out: none.
    (
        "skip-link",
        "govukSkipLink",
        &[
            "default",
            "with focus",
            "no href",
            "custom href",
            "custom text",
            "html as text",
            "html",
            "classes",
            "attributes",
        ],
    ),
    (
        "tag",
        "govukTag",
        &[
            "default",
            "grey",
            "light blue",
            "turquoise",
            "green",
            "purple",
            "pink",
            "red",
            "orange",
            "yellow",
            "attributes",
            "html as text",
            "html",
        ],
    ),
];

fn node_modules() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../frontend/node_modules");
    assert!(
        dir.join("govuk-frontend").is_dir(),
        "The front-end packages are not installed in frontend/node_modules: run scripts/assets.sh first."
    );
    dir
}

fn fixtures(component: &str) -> Vec<Value> {
    let path = node_modules()
        .join("govuk-frontend/dist/govuk/components")
        .join(component)
        .join("fixtures.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["fixtures"].as_array().unwrap().clone()
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Open(String, Vec<(String, String)>),
    Close(String),
    Text(String),
}

fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The HTML as a list of tags and texts: comments dropped, attributes sorted, entities
/// decoded, whitespace collapsed and whitespace-only text dropped.
fn normalise(html: &str) -> Vec<Node> {
    let mut nodes = Vec::new();
    let b = html.as_bytes();
    let mut i = 0;
    let mut text = String::new();
    let flush = |text: &mut String, nodes: &mut Vec<Node>| {
        let t = collapse(&decode(text));
        if !t.is_empty() {
            nodes.push(Node::Text(t));
        }
        text.clear();
    };
    while i < b.len() {
        if html[i..].starts_with("<!--") {
            flush(&mut text, &mut nodes);
            i = html[i..].find("-->").map_or(b.len(), |e| i + e + 3);
        } else if html[i..].starts_with("</") {
            flush(&mut text, &mut nodes);
            let end = html[i..].find('>').map_or(b.len(), |e| i + e);
            nodes.push(Node::Close(html[i + 2..end].trim().to_ascii_lowercase()));
            i = end + 1;
        } else if b[i] == b'<' && b.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            flush(&mut text, &mut nodes);
            i += 1;
            let start = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
                i += 1;
            }
            let name = html[start..i].to_ascii_lowercase();
            let mut attrs = Vec::new();
            let mut self_closing = false;
            loop {
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                if i >= b.len() {
                    break;
                }
                if b[i] == b'>' {
                    i += 1;
                    break;
                }
                if html[i..].starts_with("/>") {
                    self_closing = true;
                    i += 2;
                    break;
                }
                let start = i;
                while i < b.len()
                    && !b[i].is_ascii_whitespace()
                    && b[i] != b'='
                    && b[i] != b'>'
                    && !html[i..].starts_with("/>")
                {
                    i += 1;
                }
                let attr = html[start..i].to_ascii_lowercase();
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                let mut value = String::new();
                if i < b.len() && b[i] == b'=' {
                    i += 1;
                    while i < b.len() && b[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                        let quote = b[i] as char;
                        let end = html[i + 1..].find(quote).map_or(b.len(), |e| i + 1 + e);
                        value = html[i + 1..end].to_owned();
                        i = end + 1;
                    } else {
                        let start = i;
                        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                            i += 1;
                        }
                        value = html[start..i].to_owned();
                    }
                }
                attrs.push((attr, collapse(&decode(&value))));
            }
            attrs.sort();
            nodes.push(Node::Open(name.clone(), attrs));
            if self_closing {
                nodes.push(Node::Close(name));
            }
        } else {
            let next = html[i + 1..].find('<').map_or(b.len(), |e| i + 1 + e);
            text.push_str(&html[i..next]);
            i = next;
        }
    }
    flush(&mut text, &mut nodes);
    nodes
}

/// `nodes` without the elements (and their contents) that `drop` picks.
fn without(nodes: Vec<Node>, drop: impl Fn(&Node) -> bool) -> Vec<Node> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    for node in nodes {
        if depth > 0 {
            match &node {
                Node::Open(..) => depth += 1,
                Node::Close(_) => depth -= 1,
                Node::Text(_) => {}
            }
            continue;
        }
        if drop(&node) {
            depth = 1;
            continue;
        }
        out.push(node);
    }
    out
}

fn render(file: &str, name: &str, options: &Value) -> String {
    hearth_web::render_component(file, name, options)
        .unwrap_or_else(|e| panic!("{name} failed to render {options}: {e:#}"))
}

/// Renders `name` with `options` and compares it with `expected`; the difference, or
/// None when they match.
fn compare(file: &str, name: &str, options: &Value, expected: Vec<Node>) -> Option<String> {
    let html = render(file, name, options);
    let got = normalise(&html);
    if got == expected {
        return None;
    }
    let at = got
        .iter()
        .zip(&expected)
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(expected.len()));
    Some(format!(
        "first difference at node {at}: got {:?}, expected {:?}\n--- rendered:\n{html}",
        got.get(at),
        expected.get(at)
    ))
}

fn expected_for(component: &str, fixture: &Value) -> Vec<Node> {
    let nodes = normalise(fixture["html"].as_str().unwrap());
    if component == "header" {
        // Our header never draws GOV.UK's logo (see macros/govuk.html).
        without(nodes, |n| {
            matches!(n, Node::Open(tag, attrs) if tag == "svg"
                && attrs.iter().any(|(k, v)| k == "class" && v.contains("govuk-header__logotype")))
        })
    } else {
        nodes
    }
}

#[test]
fn govuk_macros_match_the_govuk_frontend_fixtures() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (component, name, wanted) in GOVUK {
        let all = fixtures(component);
        for fixture_name in *wanted {
            let Some(fixture) = all.iter().find(|f| f["name"] == *fixture_name) else {
                failures.push(format!("{component}: no fixture named {fixture_name:?}"));
                continue;
            };
            checked += 1;
            let expected = expected_for(component, fixture);
            if let Some(diff) = compare("govuk", name, &fixture["options"], expected) {
                failures.push(format!("{component} / {fixture_name}: {diff}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} fixtures differ:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Prints, for every fixture of every component, whether our macro matches it: run by
/// hand (`--ignored --nocapture`) to see what a newer govuk-frontend changed.
#[test]
#[ignore = "a report for maintainers, not a check"]
fn survey_every_fixture() {
    for (component, name, wanted) in GOVUK {
        for fixture in fixtures(component) {
            let fixture_name = fixture["name"].as_str().unwrap();
            let listed = wanted.contains(&fixture_name);
            let result = std::panic::catch_unwind(|| {
                compare(
                    "govuk",
                    name,
                    &fixture["options"],
                    expected_for(component, &fixture),
                )
            });
            let verdict = match result {
                Ok(None) => "match".to_owned(),
                Ok(Some(diff)) => format!("DIFFERS {}", diff.lines().next().unwrap_or("")),
                Err(_) => "FAILS TO RENDER".to_owned(),
            };
            println!(
                "{component} / {fixture_name} [{}]: {verdict}",
                if listed { "listed" } else { "not listed" }
            );
        }
    }
}

#[test]
fn the_normaliser_ignores_only_layout() {
    assert_eq!(
        normalise("<p class=\"a  b\"\n id=x>Hi&#39;\n  there</p>"),
        normalise("<p id=\"x\" class=\"a b\">Hi&#x27; there</p>")
    );
    assert_ne!(normalise("<p>Hi</p>"), normalise("<p>Ho</p>"));
    assert_ne!(
        normalise("<p class=\"a\">x</p>"),
        normalise("<p class=\"b\">x</p>")
    );
    assert_ne!(normalise("<p>x</p>"), normalise("<p hidden>x</p>"));
}
