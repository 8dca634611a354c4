//! Typed identifiers. Never a bare string or integer past the edge: a `ChildId` cannot be
//! passed where a `WorkerId` is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a string is not a valid identifier. Identifiers are not personal data, so the
/// message may name the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("{what} must not be empty")]
    Empty { what: &'static str },
    #[error("{what} '{value}' is longer than {max} characters")]
    TooLong {
        what: &'static str,
        value: String,
        max: usize,
    },
    #[error("{what} '{value}' may contain only {allowed}")]
    BadCharacter {
        what: &'static str,
        value: String,
        allowed: &'static str,
    },
    #[error("subject '{0}' must be 'child:ID', 'family:ID' or 'contact:ID'")]
    BadSubject(String),
    #[error("person reference '{0}' must be 'child:ID' or 'adult:ID'")]
    BadPersonRef(String),
}

/// The characters an identifier may hold, beyond ASCII letters and digits.
const ID_PUNCTUATION: &str = "-_";
/// An actor may also be a user name, which allows '.' and '@' (`access::UserName`).
const ACTOR_PUNCTUATION: &str = "-_.@";

fn allowed_text(punctuation: &str) -> &'static str {
    if punctuation == ACTOR_PUNCTUATION {
        "letters, digits, '-', '_', '.' and '@'"
    } else {
        "letters, digits, '-' and '_'"
    }
}

fn check_id(what: &'static str, value: &str, max: usize, punctuation: &str) -> Result<(), IdError> {
    if value.is_empty() {
        return Err(IdError::Empty { what });
    }
    if value.len() > max {
        return Err(IdError::TooLong {
            what,
            value: value.to_owned(),
            max,
        });
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || punctuation.contains(c))
    {
        return Err(IdError::BadCharacter {
            what,
            value: value.to_owned(),
            allowed: allowed_text(punctuation),
        });
    }
    Ok(())
}

/// `punctuation` as it goes in a regular expression's character class: '-' last, so it
/// stands for itself.
#[cfg(feature = "openapi")]
fn pattern_class(punctuation: &str) -> String {
    let mut class: String = punctuation.chars().filter(|c| *c != '-').collect();
    if punctuation.contains('-') {
        class.push('-');
    }
    class
}

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident, $what:literal, $max:literal) => {
        string_id!($(#[$meta])* $name, $what, $max, ID_PUNCTUATION);
    };
    ($(#[$meta:meta])* $name:ident, $what:literal, $max:literal, $punctuation:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
        #[serde(try_from = "String")]
        pub struct $name(String);

        // Written as the string itself, not through a cloned `String`: every event has
        // several ids, and a county has millions of events to write.
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        #[cfg(feature = "openapi")]
        text_schema!(
            $name,
            format!("^[A-Za-z0-9{}]{{1,{}}}$", pattern_class($punctuation), $max),
            concat!("The ", $what, ".")
        );

        impl $name {
            pub fn parse(value: &str) -> Result<Self, IdError> {
                check_id($what, value, $max, $punctuation)?;
                Ok(Self(value.to_owned()))
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(value: String) -> Result<Self, IdError> {
                check_id($what, &value, $max, $punctuation)?;
                Ok(Self(value))
            }
        }
        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::parse(s)
            }
        }
    };
}

string_id!(
    /// A child's identifier; also the CIN census `LAchildID` and SSDA903 `CHILD`
    /// (at most 20 alphanumeric characters, CINV rules 1570/1580).
    ChildId, "child id", 20
);
string_id!(
    /// An adult known to the service (parent, carer, household member).
    AdultId, "adult id", 20
);
string_id!(FamilyId, "family id", 20);
string_id!(
    /// A member of staff (social worker, early help worker, IRO, personal adviser...).
    WorkerId, "worker id", 20
);
string_id!(TeamId, "team id", 40);
string_id!(
    /// The stable identifier of one event; corrections name the event they correct.
    EventId, "event id", 64
);
string_id!(ContactId, "contact id", 32);
string_id!(ReferralId, "referral id", 32);
string_id!(
    /// Who recorded an event: a user name, a worker id or a system name (e.g. `synth`).
    Actor, "recorded_by", 64, ACTOR_PUNCTUATION
);

/// Whose journey an event belongs to: a child's, a family's (relationships, household),
/// or a contact's (what the front door was told, before and apart from any child's record).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub enum Subject {
    Child(ChildId),
    Family(FamilyId),
    Contact(ContactId),
}

#[cfg(feature = "openapi")]
text_schema!(
    Subject,
    "^(child:[A-Za-z0-9_-]{1,20}|family:[A-Za-z0-9_-]{1,20}|contact:[A-Za-z0-9_-]{1,32})$",
    "Whose journey: child:ID, family:ID or contact:ID."
);

impl Subject {
    pub fn parse(value: &str) -> Result<Self, IdError> {
        match value.split_once(':') {
            Some(("child", id)) => Ok(Subject::Child(ChildId::parse(id)?)),
            Some(("family", id)) => Ok(Subject::Family(FamilyId::parse(id)?)),
            Some(("contact", id)) => Ok(Subject::Contact(ContactId::parse(id)?)),
            _ => Err(IdError::BadSubject(value.to_owned())),
        }
    }
}

impl TryFrom<String> for Subject {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, IdError> {
        Subject::parse(&value)
    }
}
impl From<Subject> for String {
    fn from(s: Subject) -> String {
        s.to_string()
    }
}
/// Written as its `Display` text, straight into the output (no `String` made).
impl Serialize for Subject {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Child(id) => write!(f, "child:{id}"),
            Subject::Family(id) => write!(f, "family:{id}"),
            Subject::Contact(id) => write!(f, "contact:{id}"),
        }
    }
}

/// A person named in a family-level event: a child or an adult.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub enum PersonRef {
    Child(ChildId),
    Adult(AdultId),
}

#[cfg(feature = "openapi")]
text_schema!(
    PersonRef,
    "^(child|adult):[A-Za-z0-9_-]{1,20}$",
    "A person: child:ID or adult:ID."
);

impl PersonRef {
    pub fn parse(value: &str) -> Result<Self, IdError> {
        match value.split_once(':') {
            Some(("child", id)) => Ok(PersonRef::Child(ChildId::parse(id)?)),
            Some(("adult", id)) => Ok(PersonRef::Adult(AdultId::parse(id)?)),
            _ => Err(IdError::BadPersonRef(value.to_owned())),
        }
    }
}
impl TryFrom<String> for PersonRef {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, IdError> {
        PersonRef::parse(&value)
    }
}
impl From<PersonRef> for String {
    fn from(p: PersonRef) -> String {
        p.to_string()
    }
}
/// Written as its `Display` text, straight into the output (no `String` made).
impl Serialize for PersonRef {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
impl fmt::Display for PersonRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PersonRef::Child(id) => write!(f, "child:{id}"),
            PersonRef::Adult(id) => write!(f, "adult:{id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_round_trips() {
        let s = Subject::parse("child:C0001").unwrap();
        assert_eq!(s, Subject::Child(ChildId::parse("C0001").unwrap()));
        assert_eq!(s.to_string(), "child:C0001");
        assert_eq!(
            serde_json::to_string(&Subject::parse("family:F9").unwrap()).unwrap(),
            "\"family:F9\""
        );
        let contact = Subject::parse("contact:CT0123456789").unwrap();
        assert_eq!(
            contact,
            Subject::Contact(ContactId::parse("CT0123456789").unwrap())
        );
        assert_eq!(contact.to_string(), "contact:CT0123456789");
        let json = serde_json::to_string(&contact).unwrap();
        assert_eq!(json, "\"contact:CT0123456789\"");
        assert_eq!(serde_json::from_str::<Subject>(&json).unwrap(), contact);
    }

    #[test]
    fn ids_serialise_as_their_text_and_read_back() {
        let actor = Actor::parse("W01083").unwrap();
        let person = PersonRef::parse("adult:A7").unwrap();
        let json = serde_json::to_string(&(&actor, &person)).unwrap();
        assert_eq!(json, r#"["W01083","adult:A7"]"#);
        let back: (Actor, PersonRef) = serde_json::from_str(&json).unwrap();
        assert_eq!(back, (actor, person));
    }

    #[test]
    fn bad_ids_are_refused() {
        assert!(matches!(
            Subject::parse("adult:A1"),
            Err(IdError::BadSubject(_))
        ));
        assert_eq!(
            Subject::parse("adult:A1").unwrap_err().to_string(),
            "subject 'adult:A1' must be 'child:ID', 'family:ID' or 'contact:ID'"
        );
        assert!(matches!(
            Subject::parse("contact:"),
            Err(IdError::Empty { .. })
        ));
        assert!(matches!(
            Subject::parse("child:"),
            Err(IdError::Empty { .. })
        ));
        assert!(matches!(
            ChildId::parse("C 1"),
            Err(IdError::BadCharacter { .. })
        ));
        assert!(matches!(
            ChildId::parse("C12345678901234567890"),
            Err(IdError::TooLong { .. })
        ));
        assert!(serde_json::from_str::<ChildId>("\"a/b\"").is_err());
        assert_eq!(
            PersonRef::parse("adult:A7").unwrap().to_string(),
            "adult:A7"
        );
    }
}
