//! How long the free text in an event may be. The fold checks it ([`check_text`]), so
//! every write is bounded, whichever way it comes in: a name a million characters long
//! would otherwise make every page and list that shows the child megabytes long.

use crate::event::{EventData, LongText};
use crate::journey::Problem;
use crate::people::{Address, Name};

/// A given or family name, in characters. The GDS Data Standards Catalogue and the NHS
/// Personal Demographics Service keep 35 characters for each; long names, hyphenated
/// and multiple ones, are given room to spare, while no name is a page long.
pub const NAME_CHARS: usize = 100;
/// One line of an address, or its town. Royal Mail's Postcode Address File keeps a line
/// to 60 characters or fewer; a written-in address is given more.
pub const ADDRESS_LINE_CHARS: usize = 100;
/// Lines of an address before the town: a flat, a building, a street, a locality, with
/// two to spare. BS 7666 needs no more.
pub const ADDRESS_LINES: usize = 6;
/// The authority's level of need as its threshold model names it ("3b", "Level 4 -
/// Specialist").
pub const LEVEL_CHARS: usize = 50;
/// An Ofsted unique reference number ("SC123456"), with room for the older forms.
pub const URN_CHARS: usize = 20;
/// Why a correction was made: a sentence or a short paragraph, as a manager writes one
/// when signing it off. Case notes are not corrections, and do not belong here.
pub const REASON_CHARS: usize = 2_000;
/// A plan's goals, or what a review found: a few paragraphs. Case notes, which run
/// longer, have their own bound.
pub const PLAN_TEXT_CHARS: usize = 4_000;
/// The name and version of the model that scored a match ("fs-2026-12").
pub const MODEL_CHARS: usize = 64;
/// What a contact says happened, in the referrer's words: a page or two at most. A
/// statement longer than this is attached, not typed in.
pub const NARRATIVE_CHARS: usize = 10_000;
/// A case note's narrative: what happened, in the worker's words. Twenty thousand
/// characters is some ten pages, more than a long home visit needs; a longer account
/// is a report, attached rather than typed in.
pub const NOTE_CHARS: usize = 20_000;
/// Each of a case note's other sections (the child's words, strengths, worries, the
/// worker's analysis): a few paragraphs each.
pub const NOTE_SECTION_CHARS: usize = 5_000;
/// Who was present at a contact: names and roles, a line or two.
pub const PRESENT_CHARS: usize = 500;
/// People named in one contact: a large household with its adults and children.
pub const GIVEN_PEOPLE: usize = 20;
/// Other names (aliases, former names) given for one person.
pub const OTHER_NAMES: usize = 10;
/// A telephone number as typed, with spaces and an extension.
pub const PHONE_CHARS: usize = 30;
/// An email address: RFC 5321 keeps a path to 256 octets, the address to 254.
pub const EMAIL_CHARS: usize = 254;
/// A partner's own reference for a contact (a police occurrence number, say).
pub const PARTNER_REF_CHARS: usize = 64;
/// How far after a contact an unborn child's expected date of birth may be, in weeks:
/// a pregnancy runs about 40 weeks from its start, and two are kept to spare.
pub const UNBORN_WEEKS_AHEAD: i64 = 42;
/// How far before a contact an unborn child's expected date of birth may be, in weeks:
/// a pregnancy seldom runs more than two weeks past it, and a child born since is given
/// as a child, with a date of birth.
pub const UNBORN_WEEKS_OVERDUE: i64 = 2;
/// How long before a contact anyone named in it may have been born, in years: an older
/// date of birth is a typing mistake (1919 for 2019).
pub const AGE_YEARS: i64 = 120;

/// The first free-text field of `data` that is too long: the refusal names the field
/// (never its text, which is personal data).
pub fn check_text(data: &EventData) -> Result<(), Problem> {
    use EventData as E;
    match data {
        E::PersonRegistered(p) => {
            check_name(&p.details.name)?;
            p.details.address.as_ref().map_or(Ok(()), check_address)
        }
        E::PersonAmended(p) => p.changes.name.as_ref().map_or(Ok(()), check_name),
        E::AddressChanged(a) => check_address(&a.address),
        E::ContactDecided(c) | E::ContactDecisionProposed(c) => {
            optional("level", c.level.as_deref(), LEVEL_CHARS)?;
            optional("reasons", c.reasons.as_deref(), REASON_CHARS)
        }
        E::PartnerCheckRequested(c) | E::PartnerCheckReturned(c) => {
            optional("findings", c.findings.as_deref(), REASON_CHARS)
        }
        E::PersonLinked(l) => optional("model", l.model.as_deref(), MODEL_CHARS),
        E::PersonUnlinked(u) => bounded("reason", &u.reason, REASON_CHARS),
        E::PersonsMerged(m) | E::PersonsUnmerged(m) => {
            optional("reason", m.reason.as_deref(), REASON_CHARS)
        }
        E::ContactRouted(r) => optional("locality", r.locality.as_deref(), NAME_CHARS),
        E::Allocated(a) => optional("reason", a.reason.as_deref(), REASON_CHARS),
        E::CaseNoteRecorded(n) => {
            bounded("narrative", n.narrative.as_str(), NOTE_CHARS)?;
            optional("present", n.present.as_deref(), PRESENT_CHARS)?;
            for (field, text) in [
                ("child_words", &n.child_words),
                ("strengths", &n.strengths),
                ("worries", &n.worries),
                ("analysis", &n.analysis),
            ] {
                optional(
                    field,
                    text.as_ref().map(LongText::as_str),
                    NOTE_SECTION_CHARS,
                )?;
            }
            Ok(())
        }
        E::PlacementStarted(p) => p
            .urn
            .as_deref()
            .map_or(Ok(()), |u| bounded("urn", u, URN_CHARS)),
        E::EarlyHelpAssessmentCompleted(a) => plan_text("goals", a.goals.as_ref()),
        E::FamilyPlanReviewed(r) => plan_text("summary", r.summary.as_ref()),
        E::CinPlanStarted(p) => plan_text("outcomes", p.outcomes.as_ref()),
        E::EventAmended(a) => {
            bounded("reason", &a.reason, REASON_CHARS)?;
            a.amended.as_deref().map_or(Ok(()), check_text)
        }
        E::EventRetracted(r) => bounded("reason", &r.reason, REASON_CHARS),
        _ => Ok(()),
    }
}

fn check_name(name: &Name) -> Result<(), Problem> {
    bounded("name.given", &name.given, NAME_CHARS)?;
    bounded("name.family", &name.family, NAME_CHARS)
}

fn check_address(address: &Address) -> Result<(), Problem> {
    if address.lines.len() > ADDRESS_LINES {
        return Err(Problem::TooManyLines {
            field: "address.lines",
            max: ADDRESS_LINES,
        });
    }
    for line in &address.lines {
        bounded("address.lines", line, ADDRESS_LINE_CHARS)?;
    }
    bounded("address.town", &address.town, ADDRESS_LINE_CHARS)
}

fn plan_text(field: &'static str, text: Option<&LongText>) -> Result<(), Problem> {
    optional(field, text.map(LongText::as_str), PLAN_TEXT_CHARS)
}

fn optional(field: &'static str, text: Option<&str>, max: usize) -> Result<(), Problem> {
    text.map_or(Ok(()), |t| bounded(field, t, max))
}

fn bounded(field: &'static str, text: &str, max: usize) -> Result<(), Problem> {
    // Bytes first: most text is short, and a byte count bounds the character count.
    if text.len() > max && text.chars().count() > max {
        return Err(Problem::TooLong { field, max });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::event::EventRetracted;
    use crate::ids::EventId;

    #[test]
    fn the_front_doors_free_text_is_bounded() {
        use crate::codes::{Agency, Rag};
        use crate::event::PartnerCheck;
        use crate::ids::ContactId;
        let returned = |findings: String| {
            EventData::PartnerCheckReturned(PartnerCheck {
                findings: Some(findings),
                ..PartnerCheck::new(ContactId::parse("K1").unwrap(), Agency::Police, Rag::Red)
            })
        };
        assert_eq!(check_text(&returned("x".repeat(REASON_CHARS))), Ok(()));
        assert_eq!(
            check_text(&returned("x".repeat(REASON_CHARS + 1))),
            Err(Problem::TooLong {
                field: "findings",
                max: REASON_CHARS
            })
        );
    }

    #[test]
    fn a_retraction_says_why_in_a_paragraph_at_most() {
        let retraction = |reason: String| {
            EventData::EventRetracted(EventRetracted {
                event: EventId::parse("e0").unwrap(),
                reason,
            })
        };
        assert_eq!(check_text(&retraction("x".repeat(REASON_CHARS))), Ok(()));
        // Counted in characters, not bytes.
        assert_eq!(check_text(&retraction("é".repeat(REASON_CHARS))), Ok(()));
        assert_eq!(
            check_text(&retraction("x".repeat(REASON_CHARS + 1))),
            Err(Problem::TooLong {
                field: "reason",
                max: REASON_CHARS
            })
        );
    }
}
