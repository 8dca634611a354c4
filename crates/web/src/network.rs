//! The family network picture: people as labelled boxes, relationships as labelled lines,
//! each household (the people at one address) drawn as a group. The layout is worked out
//! here, the same every time for the same family, so the picture can be tested and is
//! stable between visits; the page draws it as inline SVG beside a table that says the
//! same for screen readers.
//!
//! Layout: households side by side in the order given; in each, adults on the top row
//! and children on the row below, in the order given. A line between two people on one
//! row bows away from the row, so it does not run through the people between them.

use hearth_domain::ids::PersonRef;
use serde::Serialize;
use std::collections::BTreeMap;

const NODE_WIDTH: i32 = 150;
const NODE_HEIGHT: i32 = 44;
const GAP: i32 = 30;
const PADDING: i32 = 20;
/// Room at the top of a household for its address.
const CAPTION: i32 = 34;
/// The distance between the adults' row and the children's.
const ROW_GAP: i32 = 90;
/// Names longer than this are cut short in the picture (the table has them whole).
const LABEL_CHARS: usize = 18;

/// A person to draw.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub person: PersonRef,
    pub name: String,
}

/// A relationship to draw, in the family's words ("Parent", "Sibling").
#[derive(Debug, Clone)]
pub(crate) struct Tie {
    pub from: PersonRef,
    pub to: PersonRef,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Group {
    pub x: i32,
    pub y: i32,
    pub width: i32,
    pub height: i32,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Node {
    pub person: String,
    /// Top left corner.
    pub x: i32,
    pub y: i32,
    pub width: i32,
    pub height: i32,
    pub label: String,
    pub adult: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Line {
    pub from: String,
    pub to: String,
    /// The SVG path.
    pub path: String,
    pub label: String,
    pub label_x: i32,
    pub label_y: i32,
}

/// The picture, in SVG user units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Network {
    pub width: i32,
    pub height: i32,
    pub groups: Vec<Group>,
    pub nodes: Vec<Node>,
    pub lines: Vec<Line>,
}

fn short(name: &str) -> String {
    if name.chars().count() <= LABEL_CHARS {
        return name.to_owned();
    }
    let cut: String = name.chars().take(LABEL_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

/// Lay out `households` (each an address label and its members, adults and children
/// mixed in any order) and the ties between their people. A tie naming someone in no
/// household is left out: the caller draws only the people it may show.
pub(crate) fn layout(households: &[(String, Vec<Person>)], ties: &[Tie]) -> Network {
    let mut groups = Vec::new();
    let mut nodes = Vec::new();
    let mut centres: BTreeMap<&PersonRef, (i32, i32, bool)> = BTreeMap::new();
    let mut x = PADDING;
    let top = PADDING;
    let height = CAPTION + NODE_HEIGHT + ROW_GAP + NODE_HEIGHT + PADDING;
    for (label, members) in households {
        let (adults, children): (Vec<&Person>, Vec<&Person>) = members
            .iter()
            .partition(|p| matches!(p.person, PersonRef::Adult(_)));
        let across = adults.len().max(children.len()).max(1) as i32;
        let width = PADDING * 2 + across * NODE_WIDTH + (across - 1) * GAP;
        groups.push(Group {
            x,
            y: top,
            width,
            height,
            label: short_address(label),
        });
        for (row, people) in [(0, &adults), (1, &children)] {
            let y = top + CAPTION + row * (NODE_HEIGHT + ROW_GAP);
            // A shorter row is centred under (or over) the longer one.
            let used = people.len() as i32 * NODE_WIDTH + (people.len() as i32 - 1).max(0) * GAP;
            let mut left = x + (width - used) / 2;
            for p in people.iter() {
                nodes.push(Node {
                    person: p.person.to_string(),
                    x: left,
                    y,
                    width: NODE_WIDTH,
                    height: NODE_HEIGHT,
                    label: short(&p.name),
                    adult: row == 0,
                });
                centres.insert(&p.person, (left + NODE_WIDTH / 2, y, row == 0));
                left += NODE_WIDTH + GAP;
            }
        }
        x += width + GAP;
    }
    let lines = ties
        .iter()
        .filter_map(|t| {
            let &(x1, y1, adult1) = centres.get(&t.from)?;
            let &(x2, y2, adult2) = centres.get(&t.to)?;
            Some(line(t, (x1, y1, adult1), (x2, y2, adult2)))
        })
        .collect();
    Network {
        width: (x - GAP + PADDING).max(PADDING * 2 + NODE_WIDTH),
        height: top + height + PADDING,
        groups,
        nodes,
        lines,
    }
}

/// A line from one box to another: straight between the rows (bottom edge of the upper
/// to top edge of the lower); bowed above the adults' row or below the children's when
/// both are on one row.
fn line(t: &Tie, (x1, y1, adult1): (i32, i32, bool), (x2, y2, adult2): (i32, i32, bool)) -> Line {
    let (path, label_x, label_y) = if adult1 == adult2 {
        let bow = (NODE_HEIGHT / 2 + (x2 - x1).abs() / 8).min(CAPTION + NODE_HEIGHT / 2);
        let (edge, control) = if adult1 {
            (y1, y1 - bow)
        } else {
            (y1 + NODE_HEIGHT, y1 + NODE_HEIGHT + bow)
        };
        let mid = (x1 + x2) / 2;
        (
            format!("M {x1} {edge} Q {mid} {control} {x2} {edge}"),
            mid,
            (edge + control) / 2 + if adult1 { -2 } else { 12 },
        )
    } else {
        let ((ux, uy), (lx, ly)) = if adult1 {
            ((x1, y1 + NODE_HEIGHT), (x2, y2))
        } else {
            ((x2, y2 + NODE_HEIGHT), (x1, y1))
        };
        (
            format!("M {ux} {uy} L {lx} {ly}"),
            (ux + lx) / 2,
            (uy + ly) / 2,
        )
    };
    Line {
        from: t.from.to_string(),
        to: t.to.to_string(),
        path,
        label: t.label.clone(),
        label_x,
        label_y,
    }
}

/// An address as a household's caption: its first line and postcode.
fn short_address(label: &str) -> String {
    let cut: String = label.chars().take(40).collect();
    if cut.len() < label.len() {
        format!("{}…", cut.trim_end())
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn person(p: &str, name: &str) -> Person {
        Person {
            person: PersonRef::parse(p).unwrap(),
            name: name.to_owned(),
        }
    }

    fn tie(from: &str, to: &str, label: &str) -> Tie {
        Tie {
            from: PersonRef::parse(from).unwrap(),
            to: PersonRef::parse(to).unwrap(),
            label: label.to_owned(),
        }
    }

    fn family() -> (Vec<(String, Vec<Person>)>, Vec<Tie>) {
        let households = vec![
            (
                String::from("1 High Street, TN23 1AA"),
                vec![
                    person("child:C1", "Ada Tester"),
                    person("adult:A1", "Alex Tester"),
                    person("child:C2", "Bea Tester-Longername-Smith"),
                ],
            ),
            (
                String::from("9 Low Road, TN24 2BB"),
                vec![person("adult:A2", "Sam Other")],
            ),
        ];
        let ties = vec![
            tie("adult:A1", "child:C1", "Parent"),
            tie("adult:A1", "child:C2", "Parent"),
            tie("adult:A2", "child:C1", "Parent"),
            tie("child:C1", "child:C2", "Sibling"),
            tie("adult:A1", "adult:A2", "Household member"),
            // Someone not drawn (a record the reader may not see).
            tie("adult:A1", "child:C9", "Parent"),
        ];
        (households, ties)
    }

    #[test]
    fn the_same_family_is_drawn_the_same_way() {
        let (households, ties) = family();
        assert_eq!(layout(&households, &ties), layout(&households, &ties));
    }

    #[test]
    fn adults_above_children_households_side_by_side_every_tie_drawn() {
        let (households, ties) = family();
        let net = layout(&households, &ties);
        assert_eq!(net.groups.len(), 2);
        assert_eq!(net.nodes.len(), 4);
        let node = |p: &str| net.nodes.iter().find(|n| n.person == p).unwrap();
        assert!(node("adult:A1").y < node("child:C1").y);
        assert_eq!(node("child:C1").y, node("child:C2").y);
        assert!(node("child:C1").x < node("child:C2").x);
        // The second household is to the right of the first, inside its own group.
        let second = &net.groups[1];
        assert!(second.x >= net.groups[0].x + net.groups[0].width);
        assert!(node("adult:A2").x >= second.x);
        assert!(node("adult:A2").x + NODE_WIDTH <= second.x + second.width);
        // Every tie between people drawn is a line, labelled; the one naming someone
        // not drawn is not.
        let drawn: Vec<(&str, &str, &str)> = net
            .lines
            .iter()
            .map(|l| (l.from.as_str(), l.to.as_str(), l.label.as_str()))
            .collect();
        assert_eq!(
            drawn,
            vec![
                ("adult:A1", "child:C1", "Parent"),
                ("adult:A1", "child:C2", "Parent"),
                ("adult:A2", "child:C1", "Parent"),
                ("child:C1", "child:C2", "Sibling"),
                ("adult:A1", "adult:A2", "Household member"),
            ]
        );
        // Everything fits in the picture.
        for n in &net.nodes {
            assert!(n.x >= 0 && n.x + n.width <= net.width);
            assert!(n.y >= 0 && n.y + n.height <= net.height);
        }
        assert_eq!(node("child:C2").label, "Bea Tester-Longer…");
    }

    #[test]
    fn siblings_on_one_row_are_joined_below_it() {
        let (households, ties) = family();
        let net = layout(&households, &ties);
        let sibling = &net.lines[3];
        let c1 = net.nodes.iter().find(|n| n.person == "child:C1").unwrap();
        let child_bottom = c1.y + NODE_HEIGHT;
        assert!(
            sibling
                .path
                .starts_with(&format!("M {} {child_bottom} Q", c1.x + NODE_WIDTH / 2))
        );
        assert!(sibling.label_y > child_bottom);
    }
}
