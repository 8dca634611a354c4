//! Short and familiar forms of first names (`data/nicknames.txt`, our own list), looked
//! up both ways: "Bill" and "William" are related, and so are "Bill" and "Will".

use std::collections::HashMap;
use std::sync::LazyLock;

const LIST: &str = include_str!("../../data/nicknames.txt");

/// A line of the list: one formal name and its short forms.
pub type Group = u16;

/// The list, parsed: which groups each folded name belongs to.
#[derive(Debug, Default)]
pub struct Nicknames {
    groups: HashMap<Box<[u8]>, Vec<Group>>,
    formal: Vec<Box<[u8]>>,
    members: Vec<Vec<Box<[u8]>>>,
}

/// Why the list could not be read (it is our own file, so this is for its test).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("nicknames.txt line {line}: expected 'formal: short short ...'")]
pub struct NicknameError {
    pub line: usize,
}

static NICKNAMES: LazyLock<Nicknames> =
    LazyLock::new(|| Nicknames::parse(LIST).unwrap_or_default());

/// The embedded list.
pub fn list() -> &'static Nicknames {
    &NICKNAMES
}

impl Nicknames {
    pub fn parse(text: &str) -> Result<Nicknames, NicknameError> {
        let mut list = Nicknames::default();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let error = NicknameError { line: i + 1 };
            let (formal, short) = line.split_once(':').ok_or(error.clone())?;
            let formal = super::normalise::fold(formal);
            let group = Group::try_from(list.formal.len()).map_err(|_| error.clone())?;
            if formal.is_empty() || short.trim().is_empty() {
                return Err(error);
            }
            let mut members = Vec::new();
            for name in std::iter::once(formal.clone())
                .chain(short.split_whitespace().map(super::normalise::fold))
            {
                let name = name.into_boxed_slice();
                let groups = list.groups.entry(name.clone()).or_default();
                if !groups.contains(&group) {
                    groups.push(group);
                }
                members.push(name);
            }
            list.formal.push(formal.into_boxed_slice());
            list.members.push(members);
        }
        Ok(list)
    }

    /// The groups a folded name is in; empty for a name not on the list.
    pub fn groups(&self, name: &[u8]) -> &[Group] {
        self.groups.get(name).map_or(&[], Vec::as_slice)
    }

    /// The formal name of a group, folded.
    pub fn formal(&self, group: Group) -> &[u8] {
        self.formal.get(usize::from(group)).map_or(&[], |f| &**f)
    }
}

impl Nicknames {
    /// Every other name related to a folded name (its short forms, its formal name,
    /// the other short forms of it), in the list's order: for making test data.
    pub fn related(&self, name: &[u8]) -> Vec<&[u8]> {
        let mut out: Vec<&[u8]> = Vec::new();
        for &group in self.groups(name) {
            for member in self.members.get(usize::from(group)).into_iter().flatten() {
                if **member != *name && !out.contains(&&**member) {
                    out.push(member);
                }
            }
        }
        out
    }
}

/// The first group two names share, if any.
pub fn shared(a: &[Group], b: &[Group]) -> Option<Group> {
    a.iter().copied().find(|g| b.contains(g))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn related(a: &str, b: &str) -> bool {
        let list = list();
        shared(list.groups(a.as_bytes()), list.groups(b.as_bytes())).is_some()
    }

    #[test]
    fn the_embedded_list_parses() {
        let parsed = Nicknames::parse(LIST);
        assert!(parsed.is_ok(), "{parsed:?}");
        assert!(list().formal.len() > 100);
    }

    #[test]
    fn looks_up_both_ways_and_between_short_forms() {
        assert!(related("BILL", "WILLIAM"));
        assert!(related("WILLIAM", "BILL"));
        assert!(related("BILL", "WILL"));
        assert!(related("HARRY", "HENRY"));
        assert!(!related("AMELIA", "EMILY"));
        assert!(!related("BILL", "TOM"));
        assert!(!related("ZEBEDEE", "ZEB"));
    }

    #[test]
    fn lists_related_names() {
        let related = list().related(b"BILL");
        assert!(related.contains(&&b"WILLIAM"[..]));
        assert!(related.contains(&&b"WILL"[..]));
        assert!(!related.contains(&&b"BILL"[..]));
        assert!(list().related(b"ZEBEDEE").is_empty());
    }

    #[test]
    fn names_the_formal_name() {
        let list = list();
        let group = shared(list.groups(b"BILL"), list.groups(b"WILLIAM"));
        assert_eq!(group.map(|g| list.formal(g)), Some(&b"WILLIAM"[..]));
    }

    #[test]
    fn a_bad_line_is_named() {
        assert_eq!(
            Nicknames::parse("# fine\nwilliam: bill\nnot a line\n").err(),
            Some(NicknameError { line: 3 })
        );
        assert_eq!(
            Nicknames::parse("tom:\n").err(),
            Some(NicknameError { line: 1 })
        );
    }
}
