//! The front door's readers: a contact as a partner system posts it (JSON), and a batch
//! of contacts as a file (CSV). Both make [`NewContact`]s and check each with the one
//! rule, [`NewContact::validate`], so a refusal names where it is: a field's path in
//! the body ("people[1].date_of_birth: is not a date (YYYY-MM-DD)") or a file's row and
//! column ("row 12, nhs_number: ..."). A refusal never repeats what was given, which is
//! personal data, nor the parser's own words.

use hearth_domain::codes::{Channel, Consent, GivenRole, ReferralSource, Sex, Urgency};
use hearth_domain::contact::{
    GivenAddress, GivenPerson, Intake, IntakeError, IntakeProblem, NewContact, Referrer,
};
use hearth_domain::event::OccurredAt;
use hearth_domain::identifiers::{NhsNumber, Postcode};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A contact as a partner system sends it (`POST /api/v1/contacts`), and as the form
/// posts it once its pages are answered. Codes, dates and identifiers are text here, so
/// that a wrong one is refused by name, not by the JSON parser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactSubmission {
    /// When the contact was made, in the authority's local time.
    #[cfg_attr(feature = "openapi", schema(value_type = hearth_domain::event::OccurredAt))]
    pub received_at: String,
    /// Who made it, as a CIN census referral source code.
    #[cfg_attr(feature = "openapi", schema(value_type = ReferralSource))]
    pub source: String,
    pub referrer: Referrer,
    pub people: Vec<SubmittedPerson>,
    /// What happened, in the referrer's words.
    pub narrative: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Consent))]
    pub consent: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Urgency))]
    pub urgency: String,
    /// The sender's own reference (a police occurrence number, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_ref: Option<String>,
}

/// A person as the sender names them. Names may be empty: an unborn child has none yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SubmittedPerson {
    #[cfg_attr(feature = "openapi", schema(value_type = GivenRole))]
    pub role: String,
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_names: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Date>))]
    pub date_of_birth: Option<String>,
    /// For an unborn child only, who has no date of birth yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Date>))]
    pub expected_date_of_birth: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Sex>))]
    pub sex: Option<String>,
    /// Ten digits, as "9434765919" or "943 476 5919".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nhs_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<SubmittedAddress>,
    /// How the person stands to the child ("mother"), as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SubmittedAddress {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub town: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
}

fn refuse(field: impl Into<String>, problem: IntakeProblem) -> IntakeError {
    IntakeError::new(field, problem)
}

/// Text that says something: blank text (as a form or a spreadsheet leaves it) is none.
fn given(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

fn code<T>(
    field: &str,
    text: &str,
    from_code: fn(&str) -> Result<T, hearth_domain::codes::UnknownCode>,
) -> Result<T, IntakeError> {
    from_code(text.trim()).map_err(|e| refuse(field, IntakeProblem::NotCode { list: e.list }))
}

fn date(field: &str, text: &str) -> Result<Date, IntakeError> {
    let text = text.trim();
    // Only the one form: jiff also reads forms (20190228, 2019-02-28T00:00) a person
    // would not mean as a date.
    if text.len() != 10 {
        return Err(refuse(field, IntakeProblem::NotDate));
    }
    text.parse()
        .map_err(|_| refuse(field, IntakeProblem::NotDate))
}

fn optional_date(field: &str, text: Option<String>) -> Result<Option<Date>, IntakeError> {
    given(text).map(|t| date(field, &t)).transpose()
}

impl ContactSubmission {
    /// The contact this says, come in by `via`; not yet checked against the one rule.
    pub fn into_contact(self, via: Channel) -> Result<NewContact, IntakeError> {
        let received_at = OccurredAt::parse(self.received_at.trim())
            .map_err(|_| refuse("received_at", IntakeProblem::NotDateTime))?;
        let source = code("source", &self.source, ReferralSource::from_code)?;
        let consent = code("consent", &self.consent, Consent::from_code)?;
        let urgency = code("urgency", &self.urgency, Urgency::from_code)?;
        let people = self
            .people
            .into_iter()
            .enumerate()
            .map(|(i, p)| p.into_given(&format!("people[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let referrer = Referrer {
            organisation: given(self.referrer.organisation),
            name: self.referrer.name,
            role: given(self.referrer.role),
            phone: given(self.referrer.phone),
            email: given(self.referrer.email),
        };
        Ok(NewContact {
            received_at,
            source,
            intake: Intake {
                via,
                referrer,
                people,
                narrative: self.narrative,
                consent,
                urgency,
                partner_ref: given(self.partner_ref),
            },
        })
    }
}

impl SubmittedPerson {
    fn into_given(self, at: &str) -> Result<GivenPerson, IntakeError> {
        let field = |name: &str| format!("{at}.{name}");
        let role = code(&field("role"), &self.role, GivenRole::from_code)?;
        let sex = given(self.sex)
            .map(|s| code(&field("sex"), &s, Sex::from_code))
            .transpose()?;
        let nhs_number = given(self.nhs_number)
            .map(|n| {
                NhsNumber::parse(&n)
                    .map_err(|e| refuse(field("nhs_number"), IntakeProblem::NhsNumber(e)))
            })
            .transpose()?;
        let address = match self.address {
            None => None,
            Some(a) => Some(GivenAddress {
                lines: a
                    .lines
                    .into_iter()
                    .filter(|l| !l.trim().is_empty())
                    .collect(),
                town: a.town,
                postcode: given(a.postcode)
                    .map(|p| {
                        Postcode::parse(&p).map_err(|e| {
                            refuse(field("address.postcode"), IntakeProblem::Postcode(e))
                        })
                    })
                    .transpose()?,
            }),
        };
        Ok(GivenPerson {
            role,
            given_name: self.given_name,
            family_name: self.family_name,
            other_names: self
                .other_names
                .into_iter()
                .filter(|n| !n.trim().is_empty())
                .collect(),
            date_of_birth: optional_date(&field("date_of_birth"), self.date_of_birth)?,
            expected_date_of_birth: optional_date(
                &field("expected_date_of_birth"),
                self.expected_date_of_birth,
            )?,
            sex,
            nhs_number,
            address,
            relationship: given(self.relationship),
        })
    }
}

// JSON.

/// Reads a contact posted as JSON (a [`ContactSubmission`]) and checks it as of `today`.
pub fn read_json(body: &[u8], today: Date) -> Result<NewContact, IntakeError> {
    let mut json = serde_json::Deserializer::from_slice(body);
    let submission: ContactSubmission =
        serde_path_to_error::deserialize(&mut json).map_err(json_refusal)?;
    json.end().map_err(|e| {
        refuse(
            "body",
            IntakeProblem::NotJson {
                line: e.line(),
                column: e.column(),
            },
        )
    })?;
    let contact = submission.into_contact(Channel::Api)?;
    contact.validate(today)?;
    Ok(contact)
}

/// A field name as the body spells it, if it could be one of ours: anything else (a
/// key made of someone's name, say) is not repeated.
fn field_name(key: &str) -> Option<&str> {
    let ours = !key.is_empty()
        && key.len() <= 40
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    ours.then_some(key)
}

/// The path serde_path_to_error tracked, as `people[1].date_of_birth`.
fn json_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                let Some(name) = field_name(key) else { break };
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Segment::Unknown => break,
        }
    }
    out
}

fn join(path: &str, name: &str) -> String {
    match (path.is_empty(), field_name(name)) {
        (_, None) if path.is_empty() => "body".to_owned(),
        (_, None) => path.to_owned(),
        (true, Some(name)) => name.to_owned(),
        (false, Some(name)) => format!("{path}.{name}"),
    }
}

/// The name between the first pair of backticks in a serde message ("missing field
/// `narrative`").
fn quoted(message: &str) -> &str {
    message.split('`').nth(1).unwrap_or_default()
}

/// What JSON's expectation means to a sender: serde says "a string", "a sequence" or
/// "struct SubmittedPerson".
fn expected(message: &str) -> &'static str {
    let expectation = message.rsplit(", expected ").next().unwrap_or_default();
    if expectation.contains("string") {
        "text (a JSON string)"
    } else if expectation.contains("sequence") {
        "a list"
    } else {
        "an object"
    }
}

/// serde's refusal, said as one sentence naming the field, without the value (which
/// serde's messages repeat) or its position in the parser's words.
fn json_refusal(err: serde_path_to_error::Error<serde_json::Error>) -> IntakeError {
    use serde_json::error::Category;
    let path = json_path(err.path());
    let inner = err.inner();
    match inner.classify() {
        Category::Io | Category::Syntax | Category::Eof => refuse(
            "body",
            IntakeProblem::NotJson {
                line: inner.line(),
                column: inner.column(),
            },
        ),
        Category::Data => {
            let message = inner.to_string();
            let at = if path.is_empty() { "body" } else { &path };
            if message.starts_with("missing field `") {
                refuse(join(&path, quoted(&message)), IntakeProblem::Missing)
            } else if message.starts_with("unknown field `") {
                // The path already ends in the key where it may be repeated.
                let problem = match field_name(quoted(&message)) {
                    Some(_) => IntakeProblem::UnknownField,
                    None => IntakeProblem::UnknownFieldWithin,
                };
                refuse(at, problem)
            } else if message.starts_with("duplicate field `") {
                refuse(join(&path, quoted(&message)), IntakeProblem::Duplicate)
            } else {
                refuse(
                    at,
                    IntakeProblem::WrongType {
                        expected: expected(&message),
                    },
                )
            }
        }
    }
}

// CSV.

/// The columns of a contacts file, in the order the template gives them. Contact-level
/// columns are read from each contact's first row; the rest are one person per row.
pub const COLUMNS: [&str; 24] = [
    "contact_ref",
    "received_at",
    "source",
    "referrer_organisation",
    "referrer_name",
    "referrer_role",
    "referrer_phone",
    "referrer_email",
    "urgency",
    "consent",
    "narrative",
    "role",
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "expected_date_of_birth",
    "nhs_number",
    "sex",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "relationship",
];

/// The columns that say something about the contact rather than one person: every row
/// of a contact may repeat them or leave them blank, never say otherwise.
const CONTACT_COLUMNS: std::ops::Range<usize> = 1..11;

/// Splits a cell of other names: "Jo; Joanne".
const OTHER_NAMES_SEPARATOR: char = ';';

/// One contact's rows as they are read: the first row's cells and its people's.
struct Gathered {
    first_row: usize,
    first: Vec<String>,
    rows: Vec<usize>,
    people: Vec<SubmittedPerson>,
}

/// Reads a file of contacts (the [`COLUMNS`], one row per person; rows with the same
/// `contact_ref` are one contact, which becomes its `partner_ref`) and checks each as
/// of `today`. One bad row refuses the whole file: the first refusal is returned.
pub fn read_csv(file: &[u8], today: Date) -> Result<Vec<NewContact>, IntakeError> {
    let at = |row: usize, field: &str, problem: IntakeProblem| IntakeError {
        row: Some(row),
        ..refuse(field, problem)
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(file);
    let mut records = reader.byte_records();

    // The header, whole, before any row.
    let header = match records.next() {
        Some(Ok(header)) => header,
        _ => csv::ByteRecord::new(),
    };
    let mut place = [usize::MAX; COLUMNS.len()];
    for (i, name) in header.iter().enumerate() {
        let name = std::str::from_utf8(name).unwrap_or_default().trim();
        let Some(column) = COLUMNS.iter().position(|c| *c == name) else {
            return Err(at(
                1,
                &format!("column {}", i + 1),
                IntakeProblem::UnknownColumn,
            ));
        };
        if place[column] != usize::MAX {
            return Err(at(1, COLUMNS[column], IntakeProblem::Duplicate));
        }
        place[column] = i;
    }
    if let Some(missing) = place.iter().position(|p| *p == usize::MAX) {
        return Err(at(1, COLUMNS[missing], IntakeProblem::Missing));
    }

    // Contacts in the order their first rows come, found by their contact_ref.
    let mut contacts: Vec<(String, Gathered)> = Vec::new();
    let mut by_ref: HashMap<String, usize> = HashMap::new();
    for (n, record) in records.enumerate() {
        let row = n + 2;
        // Reading bytes from memory cannot fail but for the lengths, which are checked
        // below; an error here is refused with its row all the same.
        let record = record.map_err(|_| at(row, "", IntakeProblem::NotUtf8))?;
        if record.len() != header.len() {
            return Err(at(
                row,
                "",
                IntakeProblem::RowLength {
                    found: record.len(),
                    expected: header.len(),
                },
            ));
        }
        // A spreadsheet saves blank rows below its data as commas alone.
        if record.iter().all(|cell| cell.trim_ascii().is_empty()) {
            continue;
        }
        let mut cells = Vec::with_capacity(COLUMNS.len());
        for (column, name) in COLUMNS.iter().enumerate() {
            let bytes = record.get(place[column]).unwrap_or_default();
            let text =
                std::str::from_utf8(bytes).map_err(|_| at(row, name, IntakeProblem::NotUtf8))?;
            cells.push(text.trim().to_owned());
        }
        let contact_ref = std::mem::take(&mut cells[0]);
        if contact_ref.is_empty() {
            return Err(at(row, "contact_ref", IntakeProblem::Empty));
        }
        let person = person_of(&mut cells);
        match by_ref.get(&contact_ref).map(|i| &mut contacts[*i].1) {
            Some(contact) => {
                for column in CONTACT_COLUMNS {
                    if !cells[column].is_empty() && cells[column] != contact.first[column] {
                        return Err(at(
                            row,
                            COLUMNS[column],
                            IntakeProblem::Contradicts {
                                first: contact.first_row,
                            },
                        ));
                    }
                }
                contact.rows.push(row);
                contact.people.push(person);
            }
            None => {
                by_ref.insert(contact_ref.clone(), contacts.len());
                contacts.push((
                    contact_ref,
                    Gathered {
                        first_row: row,
                        first: cells,
                        rows: vec![row],
                        people: vec![person],
                    },
                ));
            }
        }
    }
    if contacts.is_empty() {
        return Err(at(2, "", IntakeProblem::NoRows));
    }

    let mut out = Vec::with_capacity(contacts.len());
    for (contact_ref, gathered) in contacts {
        let first_row = gathered.first_row;
        let rows = gathered.rows;
        let place = |e: IntakeError| {
            let (row, field) = file_place(&e.field, first_row, &rows);
            IntakeError {
                row: Some(row),
                field,
                problem: e.problem,
            }
        };
        let mut first = gathered.first;
        let text = |cells: &mut [String], column: usize| std::mem::take(&mut cells[column]);
        let submission = ContactSubmission {
            received_at: text(&mut first, 1),
            source: text(&mut first, 2),
            referrer: Referrer {
                organisation: Some(text(&mut first, 3)),
                name: text(&mut first, 4),
                role: Some(text(&mut first, 5)),
                phone: Some(text(&mut first, 6)),
                email: Some(text(&mut first, 7)),
            },
            people: gathered.people,
            narrative: text(&mut first, 10),
            consent: text(&mut first, 9),
            urgency: text(&mut first, 8),
            partner_ref: Some(contact_ref),
        };
        let contact = submission.into_contact(Channel::Import).map_err(place)?;
        contact.validate(today).map_err(place)?;
        out.push(contact);
    }
    Ok(out)
}

/// The person a row gives, from its cells (in [`COLUMNS`] order), which it empties.
fn person_of(cells: &mut [String]) -> SubmittedPerson {
    let mut take = |column: usize| std::mem::take(&mut cells[column]);
    let role = take(11);
    let given_name = take(12);
    let family_name = take(13);
    let other_names = take(14)
        .split(OTHER_NAMES_SEPARATOR)
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    let date_of_birth = Some(take(15));
    let expected_date_of_birth = Some(take(16));
    let nhs_number = Some(take(17));
    let sex = Some(take(18));
    let lines = vec![take(19), take(20)];
    let town = take(21);
    let postcode = Some(take(22));
    let relationship = Some(take(23));
    let address = (lines.iter().any(|l| !l.is_empty())
        || !town.is_empty()
        || postcode.as_ref().is_some_and(|p| !p.is_empty()))
    .then_some(SubmittedAddress {
        lines,
        town,
        postcode,
    });
    SubmittedPerson {
        role,
        given_name,
        family_name,
        other_names,
        date_of_birth,
        expected_date_of_birth,
        sex,
        nhs_number,
        address,
        relationship,
    }
}

/// Where in the file a refusal of the contact's field `path` is: the row of the person
/// it names (`people[1].…`), else the contact's first row, and the column that held it.
fn file_place(path: &str, first_row: usize, rows: &[usize]) -> (usize, String) {
    if let Some(rest) = path.strip_prefix("people[")
        && let Some((index, field)) = rest.split_once("].")
        && let Ok(index) = index.parse::<usize>()
    {
        let row = rows.get(index).copied().unwrap_or(first_row);
        let column = match field {
            "address.lines[1]" => "address_line_2",
            f if f.starts_with("address.lines") => "address_line_1",
            "address.town" => "town",
            "address.postcode" => "postcode",
            f if f.starts_with("other_names") => "other_names",
            f => f,
        };
        return (row, column.to_owned());
    }
    let column = match path {
        "people" | "partner_ref" => "contact_ref".to_owned(),
        p => p.replace("referrer.", "referrer_"),
    };
    (first_row, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 12, 7);

    fn body() -> serde_json::Value {
        serde_json::json!({
            "received_at": "2026-12-07T09:30",
            "source": "6",
            "referrer": {"organisation": "Kent Police", "name": "PC Tester", "phone": ""},
            "people": [
                {"role": "child", "given_name": "Zebedee", "family_name": "Quill",
                 "date_of_birth": "2019-02-28", "sex": "M", "nhs_number": "943 476 5919",
                 "address": {"lines": ["1 High Street"], "town": "Ashford", "postcode": "tn24 8aa"}},
                {"role": "adult", "given_name": "Yolande", "family_name": "Quill",
                 "relationship": "mother"}
            ],
            "narrative": "Police attended a domestic incident; the child was present.",
            "consent": "not_known",
            "urgency": "same_day",
            "partner_ref": "OCC-1"
        })
    }

    fn json_refusal(body: &serde_json::Value) -> String {
        let bytes = serde_json::to_vec(body).unwrap();
        let refusal = read_json(&bytes, TODAY).unwrap_err().to_string();
        assert!(
            !refusal.contains("Zebedee") && !refusal.contains("Quill"),
            "{refusal}"
        );
        refusal
    }

    #[test]
    fn a_good_json_contact_is_read() {
        let contact = read_json(&serde_json::to_vec(&body()).unwrap(), TODAY).unwrap();
        assert_eq!(contact.received_at, OccurredAt::at(TODAY, 9, 30));
        assert_eq!(contact.source, ReferralSource::Police);
        let intake = &contact.intake;
        assert_eq!(intake.via, Channel::Api);
        assert_eq!(intake.referrer.phone, None, "blank is none");
        assert_eq!(intake.partner_ref.as_deref(), Some("OCC-1"));
        let child = &intake.people[0];
        assert_eq!(child.date_of_birth, Some(date(2019, 2, 28)));
        assert_eq!(child.nhs_number.as_ref().unwrap().as_str(), "9434765919");
        assert_eq!(child.sex, Some(Sex::Male));
        let address = child.address.as_ref().unwrap();
        assert_eq!(address.postcode.as_ref().unwrap().as_str(), "TN24 8AA");
        assert_eq!(intake.people[1].relationship.as_deref(), Some("mother"));
    }

    #[test]
    fn a_json_refusal_names_the_fields_path() {
        let mut b = body();
        b["people"][1]["date_of_birth"] = "31/02/2019".into();
        assert_eq!(
            json_refusal(&b),
            "people[1].date_of_birth: is not a date (YYYY-MM-DD)"
        );
        b["people"][1]["date_of_birth"] = "2019-02-31".into();
        assert_eq!(
            json_refusal(&b),
            "people[1].date_of_birth: is not a date (YYYY-MM-DD)"
        );

        let mut b = body();
        b["people"][0]["nhs_number"] = "943 476 5918".into();
        assert!(
            json_refusal(&b)
                .starts_with("people[0].nhs_number: is not a valid NHS number: the check digit")
        );
        let mut b = body();
        b["people"][0]["address"]["postcode"] = "Zebedee".into();
        assert!(
            json_refusal(&b).starts_with("people[0].address.postcode: is not a valid UK postcode")
        );
        let mut b = body();
        b["people"][0]["sex"] = "Zebedee".into();
        assert_eq!(
            json_refusal(&b),
            "people[0].sex: is not one of the sex codes"
        );
        let mut b = body();
        b["source"] = "police".into();
        assert_eq!(
            json_refusal(&b),
            "source: is not one of the referral source codes"
        );
        let mut b = body();
        b["received_at"] = "07/12/2026".into();
        assert_eq!(
            json_refusal(&b),
            "received_at: is not a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM)"
        );
    }

    #[test]
    fn a_json_body_of_the_wrong_shape_is_refused_by_name() {
        let mut b = body();
        b.as_object_mut().unwrap().remove("narrative");
        assert_eq!(json_refusal(&b), "narrative: is missing");
        let mut b = body();
        b["people"][1].as_object_mut().unwrap().remove("role");
        assert_eq!(json_refusal(&b), "people[1].role: is missing");
        let mut b = body();
        b["people"][0]["colour"] = "red".into();
        assert_eq!(
            json_refusal(&b),
            "people[0].colour: is not a field of a contact"
        );
        // A key that may be personal data is not repeated.
        let mut b = body();
        b["referrer"]["Zebedee Quill"] = "x".into();
        assert_eq!(
            json_refusal(&b),
            "referrer: has a field that is not one of a contact's"
        );
        let mut b = body();
        b["people"][0]["given_name"] = 5.into();
        assert_eq!(
            json_refusal(&b),
            "people[0].given_name: must be text (a JSON string)"
        );
        let mut b = body();
        b["people"] = "Zebedee".into();
        assert_eq!(json_refusal(&b), "people: must be a list");
        assert_eq!(json_refusal(&"Zebedee".into()), "body: must be an object");
    }

    #[test]
    fn a_body_that_is_not_json_is_refused_with_its_place() {
        let refuse = |bytes: &[u8]| read_json(bytes, TODAY).unwrap_err().to_string();
        assert_eq!(refuse(b""), "body: is not valid JSON (line 1, column 0)");
        assert_eq!(
            refuse(b"{\n \"received_at\": Zebedee"),
            "body: is not valid JSON (line 2, column 17)"
        );
        let mut bytes = serde_json::to_vec(&body()).unwrap();
        bytes.extend_from_slice(b" {}");
        assert!(refuse(&bytes).starts_with("body: is not valid JSON (line 1, column "));
        let mut twice = serde_json::to_vec(&body()).unwrap();
        twice.pop();
        twice.extend_from_slice(br#","narrative":"again"}"#);
        assert_eq!(refuse(&twice), "narrative: is given twice");
    }

    #[test]
    fn the_one_rule_applies_to_json() {
        let mut b = body();
        b["received_at"] = "2026-12-08".into();
        assert_eq!(json_refusal(&b), "received_at: is after today");
        let mut b = body();
        b["people"][0]["role"] = "unborn".into();
        b["people"][0]
            .as_object_mut()
            .unwrap()
            .remove("date_of_birth");
        assert_eq!(
            json_refusal(&b),
            "people[0].expected_date_of_birth: an unborn child needs an expected date of birth"
        );
    }

    // CSV.

    /// A file of the given rows, each a list of (column, cell); other cells are blank.
    fn file(rows: &[Vec<(&str, &str)>]) -> Vec<u8> {
        let mut out = csv::Writer::from_writer(vec![]);
        out.write_record(COLUMNS).unwrap();
        for row in rows {
            let cells: Vec<&str> = COLUMNS
                .iter()
                .map(|c| row.iter().find(|(k, _)| k == c).map_or("", |(_, v)| *v))
                .collect();
            out.write_record(cells).unwrap();
        }
        out.into_inner().unwrap()
    }

    /// A contact's first row: `reference`, about a child.
    fn first_row(reference: &'static str) -> Vec<(&'static str, &'static str)> {
        vec![
            ("contact_ref", reference),
            ("received_at", "2026-12-01"),
            ("source", "2A"),
            ("referrer_organisation", "Riverside Primary"),
            ("referrer_name", "A Teacher"),
            ("urgency", "routine"),
            ("consent", "given"),
            ("narrative", "Concern raised at school,\nover two lines."),
            ("role", "child"),
            ("given_name", "Zebedee"),
            ("family_name", "Quill"),
            ("date_of_birth", "2017-05-04"),
            ("postcode", "TN24 8AA"),
        ]
    }

    fn person_row(
        reference: &'static str,
        role: &'static str,
    ) -> Vec<(&'static str, &'static str)> {
        vec![
            ("contact_ref", reference),
            ("role", role),
            ("given_name", "Yolande"),
            ("family_name", "Quill"),
        ]
    }

    fn with(
        mut row: Vec<(&'static str, &'static str)>,
        column: &'static str,
        cell: &'static str,
    ) -> Vec<(&'static str, &'static str)> {
        row.retain(|(c, _)| *c != column);
        row.push((column, cell));
        row
    }

    fn csv_refusal(bytes: &[u8]) -> String {
        let refusal = read_csv(bytes, TODAY).unwrap_err().to_string();
        assert!(
            !refusal.contains("Zebedee") && !refusal.contains("Quill"),
            "{refusal}"
        );
        refusal
    }

    #[test]
    fn a_good_file_with_several_contacts_is_read_in_order() {
        let rows = vec![
            first_row("A"),
            first_row("B"),
            with(person_row("A", "adult"), "other_names", "Yoyo; ;Yolanda"),
            // A later row may repeat the contact's cells.
            with(
                person_row("B", "unborn"),
                "expected_date_of_birth",
                "2027-04-01",
            ),
            with(
                with(person_row("A", "child"), "nhs_number", "9434765919"),
                "source",
                "2A",
            ),
            with(first_row("C"), "address_line_2", "Flat 2"),
        ];
        let contacts = read_csv(&file(&rows), TODAY).unwrap();
        let refs: Vec<_> = contacts
            .iter()
            .map(|c| c.intake.partner_ref.as_deref().unwrap())
            .collect();
        assert_eq!(refs, ["A", "B", "C"]);
        let a = &contacts[0];
        assert_eq!(a.source, ReferralSource::Schools);
        assert_eq!(a.received_at, OccurredAt::on(date(2026, 12, 1)));
        assert_eq!(a.intake.via, Channel::Import);
        assert_eq!(
            a.intake.narrative,
            "Concern raised at school,\nover two lines."
        );
        assert_eq!(a.intake.referrer.role, None);
        let roles: Vec<_> = a.intake.people.iter().map(|p| p.role).collect();
        assert_eq!(
            roles,
            [GivenRole::Child, GivenRole::Adult, GivenRole::Child]
        );
        assert_eq!(a.intake.people[1].other_names, ["Yoyo", "Yolanda"]);
        assert_eq!(a.intake.people[1].address, None);
        assert!(a.intake.people[2].nhs_number.is_some());
        assert_eq!(
            contacts[1].intake.people[1].expected_date_of_birth,
            Some(date(2027, 4, 1))
        );
        let c = contacts[2].intake.people[0].address.as_ref().unwrap();
        assert_eq!(c.lines, ["Flat 2"]);
        // Columns may come in any order.
        let mut reordered = csv::Writer::from_writer(vec![]);
        let mut header = COLUMNS;
        header.reverse();
        reordered.write_record(header).unwrap();
        let first = first_row("A");
        reordered
            .write_record(
                header
                    .iter()
                    .map(|c| first.iter().find(|(k, _)| k == c).map_or("", |(_, v)| *v)),
            )
            .unwrap();
        let again = read_csv(&reordered.into_inner().unwrap(), TODAY).unwrap();
        assert_eq!(again[0].intake.people[0], a.intake.people[0]);
        // As a spreadsheet saves it: a byte order mark, and CRLF line ends.
        let mut saved = b"\xef\xbb\xbf".to_vec();
        saved.extend(
            String::from_utf8(file(&rows))
                .unwrap()
                .replace('\n', "\r\n")
                .bytes(),
        );
        assert_eq!(read_csv(&saved, TODAY).unwrap().len(), 3);
        // Blank rows (as a spreadsheet leaves below its data) are no one.
        let mut blanks = file(&rows);
        blanks.extend_from_slice(",".repeat(COLUMNS.len() - 1).as_bytes());
        blanks.extend_from_slice(b"\n");
        assert_eq!(read_csv(&blanks, TODAY).unwrap().len(), 3);
    }

    #[test]
    fn a_bad_header_is_refused_before_any_row() {
        // Row 2 is bad too, but the header is read first.
        let bad_row = vec![with(first_row("A"), "date_of_birth", "Zebedee")];
        let good = String::from_utf8(file(&bad_row)).unwrap();
        let missing = good.replacen(",relationship", "", 1);
        assert_eq!(
            csv_refusal(missing.as_bytes()),
            "row 1, relationship: is missing"
        );
        let twice = good.replacen("relationship", "town", 1);
        assert_eq!(csv_refusal(twice.as_bytes()), "row 1, town: is given twice");
        let unknown = good.replacen("relationship", "Zebedee", 1);
        assert_eq!(
            csv_refusal(unknown.as_bytes()),
            "row 1, column 24: is not a column this import reads"
        );
        assert_eq!(csv_refusal(b""), "row 1, contact_ref: is missing");
        assert_eq!(
            csv_refusal(&file(&[])),
            "row 2: has no rows after the header"
        );
    }

    #[test]
    fn a_bad_cell_is_refused_by_row_and_column() {
        let refuse = |rows: Vec<Vec<(&'static str, &'static str)>>| csv_refusal(&file(&rows));
        assert!(
            refuse(vec![
                first_row("A"),
                with(person_row("A", "adult"), "nhs_number", "943 476 5918"),
            ])
            .starts_with("row 3, nhs_number: is not a valid NHS number")
        );
        assert_eq!(
            refuse(vec![
                first_row("A"),
                with(first_row("B"), "date_of_birth", "31/02/2019")
            ]),
            "row 3, date_of_birth: is not a date (YYYY-MM-DD)"
        );
        assert_eq!(
            refuse(vec![with(first_row("A"), "contact_ref", "")]),
            "row 2, contact_ref: must not be empty"
        );
        assert_eq!(
            refuse(vec![with(first_row("A"), "urgency", "Zebedee")]),
            "row 2, urgency: is not one of the urgency codes"
        );
        assert_eq!(
            refuse(vec![
                first_row("A"),
                with(person_row("A", "parent"), "sex", "F")
            ]),
            "row 3, role: is not one of the person role codes"
        );
        // Bytes that are not UTF-8, in one cell.
        let mut bytes = file(&[first_row("A")]);
        let at = bytes.windows(5).position(|w| w == b"Quill").unwrap();
        bytes[at] = 0xff;
        assert_eq!(csv_refusal(&bytes), "row 2, family_name: is not UTF-8 text");
        let mut short = file(&[first_row("A")]);
        short.extend_from_slice(b"A,2026-12-01\n");
        assert_eq!(
            csv_refusal(&short),
            "row 3: has 2 cells where the header has 24"
        );
    }

    #[test]
    fn the_one_rule_names_the_row_and_column() {
        let refuse = |rows: Vec<Vec<(&'static str, &'static str)>>| csv_refusal(&file(&rows));
        assert_eq!(
            refuse(vec![
                first_row("A"),
                first_row("B"),
                person_row("B", "unborn")
            ]),
            "row 4, expected_date_of_birth: an unborn child needs an expected date of birth"
        );
        assert_eq!(
            refuse(vec![with(first_row("A"), "referrer_name", "")]),
            "row 2, referrer_name: must not be empty"
        );
        assert_eq!(
            refuse(vec![with(first_row("A"), "received_at", "2026-12-08")]),
            "row 2, received_at: is after today"
        );
        assert_eq!(
            refuse(vec![with(first_row("A"), "role", "adult")]),
            "row 2, contact_ref: must name at least one child or unborn child"
        );
        assert_eq!(
            refuse(vec![
                with(first_row("A"), "nhs_number", "9434765919"),
                with(person_row("A", "child"), "nhs_number", "9434765919"),
            ]),
            "row 3, nhs_number: is given for another person in the same contact"
        );
    }

    #[test]
    fn a_later_row_may_not_contradict_the_first() {
        assert_eq!(
            csv_refusal(&file(&[
                first_row("A"),
                first_row("B"),
                with(person_row("A", "adult"), "narrative", "Zebedee Quill"),
            ])),
            "row 4, narrative: is not what row 2 says for the same contact"
        );
        assert_eq!(
            csv_refusal(&file(&[
                first_row("A"),
                with(person_row("A", "adult"), "referrer_phone", "01234 567890"),
            ])),
            "row 3, referrer_phone: is not what row 2 says for the same contact"
        );
    }
}
