//! The form of each event a practitioner records, declared once next to its payload
//! type: the title, and for each payload field its label, hint and kind of input. The
//! page draws the form from it, the page and the JSON API both read what was submitted
//! through it ([`parse`]), and the chronology takes the titles of kinds with no fields
//! from it, so the three cannot disagree.
//!
//! Each payload's declaration ([`Form`], written with the `form!` macro below) builds
//! the payload with a struct literal and takes it apart with a destructuring pattern,
//! so a payload field added without a form field does not compile. Whether a field is
//! required, and which code list it offers, comes from the field's type ([`Value`]).
//!
//! The front door's events, the people and merge events and corrections have pages of
//! their own and are not declared here.

use crate::amounts::{Pence, Percent, SdqScore};
use crate::event::*;
use crate::identifiers::Postcode;
use crate::ids::{FamilyId, TeamId, WorkerId};
use crate::journey::ChildState;
use jiff::civil::{Date, Time};

/// The stages a form belongs to, in the order a journey meets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    Work,
    EarlyHelp,
    ChildInNeed,
    Protection,
    LookedAfter,
    Permanence,
    CareLeaver,
}

impl Stage {
    pub const ALL: &'static [Stage] = &[
        Stage::Work,
        Stage::EarlyHelp,
        Stage::ChildInNeed,
        Stage::Protection,
        Stage::LookedAfter,
        Stage::Permanence,
        Stage::CareLeaver,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Stage::Work => "Allocation, visits and meetings",
            Stage::EarlyHelp => "Early help",
            Stage::ChildInNeed => "Child in need",
            Stage::Protection => "Child protection",
            Stage::LookedAfter => "Looked after",
            Stage::Permanence => "Permanence and adoption",
            Stage::CareLeaver => "Leaving care",
        }
    }
}

/// A DfE (or Hearth) code list, as a form offers it: each code with its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeList {
    pub name: &'static str,
    pub options: &'static [(&'static str, &'static str)],
}

/// How a field is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// A short line of text.
    Text,
    /// Paragraphs of text, in a text area.
    LongText,
    /// Yes or no, written `yes` or `no`.
    YesNo,
    /// One code of a list.
    Code(CodeList),
    /// Any number of codes of a list, none included.
    Codes(CodeList),
    /// A worker of the organisation, by id.
    Worker,
    /// A team of the organisation, by id.
    Team,
    /// A UK postcode.
    Postcode,
    /// A whole number from `min` to `max`.
    Number { min: u8, max: u8 },
    /// An amount in pounds and pence.
    Money,
}

/// One field of a form: `name` is the payload's serde field and the form's input name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: Option<&'static str>,
    pub input: Input,
    pub required: bool,
    /// What the field asks for, as a refusal names it: "the reason for closure".
    pub what: &'static str,
}

/// A field's problem with what was submitted: one sentence, naming no personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// What a form sent: its fields as name and value pairs, in order, a name repeated for
/// each box ticked.
#[derive(Debug, Clone, Copy)]
pub struct Submitted<'a> {
    pairs: &'a [(String, String)],
}

impl<'a> Submitted<'a> {
    pub fn new(pairs: &'a [(String, String)]) -> Self {
        Submitted { pairs }
    }

    /// The values given for `name`, trimmed, blank ones left out.
    pub fn values(&self, name: &str) -> Vec<&'a str> {
        self.pairs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect()
    }

    fn first(&self, name: &str) -> Option<&'a str> {
        self.values(name).into_iter().next()
    }
}

/// A type a form field can hold: how it is asked for and read back.
pub trait Value: Sized {
    const INPUT: Input;
    const REQUIRED: bool = true;
    /// Read from the non-blank values given; `Err` is the refusal's sentence.
    fn read(values: &[&str], field: &Field) -> Result<Self, String>;
    /// The values that give this back.
    fn write(&self, out: &mut Vec<String>);
    /// Some value of the type, for trying whether a kind fits a journey now.
    fn sample() -> Self;
    /// A value a form requiring the field would take ([`Value::sample`] but given, for
    /// an optional type).
    fn given() -> Self {
        Self::sample()
    }
}

/// The refusal of a required field left blank.
fn missing(field: &Field) -> String {
    let verb = match field.input {
        Input::Text | Input::Postcode | Input::Number { .. } | Input::Money | Input::LongText => {
            "Enter"
        }
        _ => "Select",
    };
    format!("{verb} {}.", field.what)
}

fn one<'v>(values: &[&'v str], field: &Field) -> Result<&'v str, String> {
    match values {
        [] => Err(missing(field)),
        [value] => Ok(value),
        _ => Err(format!("Give only one answer for {}.", field.what)),
    }
}

/// Implemented for each code list by `code_list!` (codes.rs).
pub trait Coded: Sized + Copy + 'static {
    const LIST: CodeList;
    fn code_of(self) -> &'static str;
    fn of_code(code: &str) -> Option<Self>;
}

/// One code of `C`'s list, as a form gives it.
pub fn read_code<C: Coded>(values: &[&str], field: &Field) -> Result<C, String> {
    coded(one(values, field)?, field)
}

fn coded<C: Coded>(value: &str, field: &Field) -> Result<C, String> {
    C::of_code(value).ok_or_else(|| format!("Select {} from the list.", field.what))
}

impl<C: Coded> Value for Vec<C> {
    const INPUT: Input = Input::Codes(C::LIST);
    const REQUIRED: bool = false;
    fn read(values: &[&str], field: &Field) -> Result<Self, String> {
        let mut out: Vec<C> = Vec::with_capacity(values.len());
        for value in values {
            let code = coded::<C>(value, field)?;
            if out.iter().any(|c| c.code_of() == code.code_of()) {
                return Err(format!("Select each of {} once.", field.what));
            }
            out.push(code);
        }
        Ok(out)
    }
    fn write(&self, out: &mut Vec<String>) {
        out.extend(self.iter().map(|c| c.code_of().to_owned()));
    }
    fn sample() -> Self {
        Vec::new()
    }
}

impl<T: Value> Value for Option<T> {
    const INPUT: Input = T::INPUT;
    const REQUIRED: bool = false;
    fn read(values: &[&str], field: &Field) -> Result<Self, String> {
        if values.is_empty() {
            Ok(None)
        } else {
            T::read(values, field).map(Some)
        }
    }
    fn write(&self, out: &mut Vec<String>) {
        if let Some(v) = self {
            v.write(out);
        }
    }
    fn sample() -> Self {
        None
    }
    fn given() -> Self {
        Some(T::sample())
    }
}

impl Value for bool {
    const INPUT: Input = Input::YesNo;
    fn read(values: &[&str], field: &Field) -> Result<Self, String> {
        match one(values, field)? {
            "yes" => Ok(true),
            "no" => Ok(false),
            _ => Err(format!("Select yes or no for {}.", field.what)),
        }
    }
    fn write(&self, out: &mut Vec<String>) {
        out.push(String::from(if *self { "yes" } else { "no" }));
    }
    fn sample() -> Self {
        false
    }
}

impl Value for String {
    const INPUT: Input = Input::Text;
    fn read(values: &[&str], field: &Field) -> Result<Self, String> {
        one(values, field).map(str::to_owned)
    }
    fn write(&self, out: &mut Vec<String>) {
        out.push(self.clone());
    }
    fn sample() -> Self {
        String::from("1")
    }
}

impl Value for LongText {
    const INPUT: Input = Input::LongText;
    fn read(values: &[&str], field: &Field) -> Result<Self, String> {
        // A browser sends a text area's line breaks as CR LF: kept as LF, so that a
        // note's length is what the writer sees.
        one(values, field).map(|v| LongText(v.replace("\r\n", "\n")))
    }
    fn write(&self, out: &mut Vec<String>) {
        out.push(self.0.clone());
    }
    fn sample() -> Self {
        LongText(String::from("1"))
    }
}

impl Value for Pence {
    const INPUT: Input = Input::Money;
    fn read(values: &[&str], field: &Field) -> Result<Self, String> {
        Pence::parse_pounds(one(values, field)?)
            .ok_or_else(|| format!("Enter {} in pounds and pence, like 850.00.", field.what))
    }
    fn write(&self, out: &mut Vec<String>) {
        out.push(self.pounds());
    }
    fn sample() -> Self {
        Pence(0)
    }
}

/// A number with a range of its own (`amounts`), refused outside it in the form's words.
macro_rules! number_value {
    ($type:ty) => {
        impl Value for $type {
            const INPUT: Input = Input::Number {
                min: <$type>::MIN,
                max: <$type>::MAX,
            };
            fn read(values: &[&str], field: &Field) -> Result<Self, String> {
                one(values, field)?
                    .parse::<u8>()
                    .ok()
                    .and_then(|n| <$type>::new(n).ok())
                    .ok_or_else(|| {
                        format!(
                            "Enter {} as a whole number from {} to {}.",
                            field.what,
                            <$type>::MIN,
                            <$type>::MAX
                        )
                    })
            }
            fn write(&self, out: &mut Vec<String>) {
                out.push(self.get().to_string());
            }
            fn sample() -> Self {
                <$type>::new(<$type>::MIN).unwrap_or_else(|_| unreachable!("in range"))
            }
        }
    };
}

number_value!(SdqScore);
number_value!(Percent);

/// An id read from a form: its own parser's rules, refused in the form's words.
macro_rules! id_value {
    ($type:ty, $input:expr, $sample:literal, $example:literal) => {
        impl Value for $type {
            const INPUT: Input = $input;
            fn read(values: &[&str], field: &Field) -> Result<Self, String> {
                let value = one(values, field)?;
                <$type>::parse(value).map_err(|_| {
                    format!(
                        concat!("Enter {} as an ID, like ", $example, "."),
                        field.what
                    )
                })
            }
            fn write(&self, out: &mut Vec<String>) {
                out.push(self.to_string());
            }
            fn sample() -> Self {
                <$type>::parse($sample).unwrap_or_else(|_| unreachable!("a valid id"))
            }
        }
    };
}

id_value!(WorkerId, Input::Worker, "W1", "W123");
id_value!(TeamId, Input::Team, "T1", "T12");
id_value!(FamilyId, Input::Text, "F1", "F123");

impl Value for Postcode {
    const INPUT: Input = Input::Postcode;
    fn read(values: &[&str], field: &Field) -> Result<Self, String> {
        let value = one(values, field)?;
        Postcode::parse(value)
            .map_err(|_| format!("Enter {} as a full UK postcode, like ME14 1XX.", field.what))
    }
    fn write(&self, out: &mut Vec<String>) {
        out.push(String::from(self.clone()));
    }
    fn sample() -> Self {
        Postcode::parse("ME14 1XX").unwrap_or_else(|_| unreachable!("a valid postcode"))
    }
}

/// A payload's form: its fields, and the payload read from or written to them.
pub trait Form: Sized {
    fn fields() -> Vec<Field>;
    fn read(submitted: &Submitted<'_>) -> Result<Self, Vec<FieldError>>;
    fn write(&self) -> Vec<(&'static str, String)>;
    fn sample() -> Self;
}

/// A field of payload `S`, its input taken from its type, and required if its type is
/// or the form says so (`asked`: an optional payload field that a form insists on,
/// because events recorded before the field existed lack it).
fn field<S, T: Value>(
    _: fn(&S) -> &T,
    name: &'static str,
    label: &'static str,
    what: &'static str,
    hint: Option<&'static str>,
    asked: bool,
) -> Field {
    Field {
        name,
        label,
        hint,
        input: T::INPUT,
        required: T::REQUIRED || asked,
        what,
    }
}

/// Read one field, keeping its refusal; `None` once refused.
fn take<T: Value>(
    submitted: &Submitted<'_>,
    field: &Field,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let values = submitted.values(field.name);
    let read = if field.required && values.is_empty() {
        Err(missing(field))
    } else {
        T::read(&values, field)
    };
    match read {
        Ok(value) => Some(value),
        Err(message) => {
            errors.push(FieldError {
                field: field.name,
                message,
            });
            None
        }
    }
}

/// Declares the form of payload type `$type`: each field, its label, what a refusal
/// calls it, optionally a hint, and `required = true` where the form requires a field
/// its type leaves optional. Every field of the struct must be named: the struct literal and
/// the pattern below do not compile otherwise.
macro_rules! form {
    ($type:ident { $($field:ident: $label:literal, $what:literal $(, hint $hint:literal)? $(, required = $required:literal)?;)* }) => {
        impl Form for $type {
            fn fields() -> Vec<Field> {
                vec![$(field(
                    |s: &$type| &s.$field,
                    stringify!($field),
                    $label,
                    $what,
                    None$(.or(Some($hint)))?,
                    false $(|| $required)?,
                )),*]
            }

            #[allow(unused_variables, unused_mut)]
            fn read(submitted: &Submitted<'_>) -> Result<Self, Vec<FieldError>> {
                let fields = Self::fields();
                let mut fields = fields.iter();
                let mut errors = Vec::new();
                $(
                    let $field = match fields.next() {
                        Some(f) => take(submitted, f, &mut errors),
                        None => None,
                    };
                )*
                match ($($field,)*) {
                    ($(Some($field),)*) => Ok($type { $($field),* }),
                    #[allow(unreachable_patterns)]
                    _ => Err(errors),
                }
            }

            #[allow(unused_mut)]
            fn write(&self) -> Vec<(&'static str, String)> {
                let $type { $($field),* } = self;
                let mut out = Vec::new();
                $(
                    let mut values = Vec::new();
                    $field.write(&mut values);
                    out.extend(values.into_iter().map(|v| (stringify!($field), v)));
                )*
                out
            }

            fn sample() -> Self {
                $type { $($field: if false $(|| $required)? {
                    Value::given()
                } else {
                    Value::sample()
                }),* }
            }
        }
    };
}

form!(Empty {});

form!(EarlyHelpStarted {
    family: "Family ID", "the family's ID",
        hint "The family this early help is for, if it works with the whole family";
    step_down: "Is the child stepping down from children's social care?",
        "whether the child is stepping down";
});

form!(EarlyHelpAssessmentCompleted {
    organisation: "Who completed the assessment?", "who completed the assessment", required = true;
    goals: "Goals of the family plan", "the family plan's goals",
        hint "What the family and the professionals agreed to work towards";
});

form!(FamilyPlanReviewed {
    progress: "How is the plan going?", "how the plan is going", required = true;
    summary: "What has changed, and what happens next", "what has changed";
});

form!(EarlyHelpEnded {
    reason: "Why did early help end?", "why early help ended";
});

form!(Allocated {
    worker: "Worker", "the worker";
    team: "Team", "the team";
    reason: "Why is the worker changing?", "why the worker is changing",
        hint "Needed when the child already has another worker: step up and step down keep the worker unless a manager decides otherwise";
});

form!(MeetingHeld {
    meeting: "Which meeting was held?", "the meeting";
});

form!(Visit {
    worker: "Who visited?", "who visited";
    seen: "Was the child seen?", "whether the child was seen";
    seen_alone: "Was the child seen alone?", "whether the child was seen alone";
});

form!(CaseNote {
    contact_type: "What kind of contact was it?", "the kind of contact",
        hint "A note does not count as a statutory visit: record the visit as well";
    narrative: "What happened?", "what happened",
        hint "Up to 20,000 characters";
    present: "Who was present?", "who was present",
        hint "Names and roles, up to 500 characters";
    seen: "Was the child seen?", "whether the child was seen";
    seen_alone: "Was the child seen alone?", "whether the child was seen alone";
    child_words: "The child's own words: their wishes and feelings", "the child's words",
        hint "Up to 5,000 characters";
    strengths: "Strengths", "the strengths", hint "Up to 5,000 characters";
    worries: "Worries", "the worries", hint "Up to 5,000 characters";
    analysis: "Your analysis", "your analysis",
        hint "What this means for the child, up to 5,000 characters";
});

form!(AssessmentStarted {
    worker: "Who is carrying out the assessment?", "who is carrying out the assessment";
});

form!(AssessmentCompleted {
    factors: "Factors identified at the end of the assessment", "the assessment factors",
        hint "Select all that apply";
    services_needed: "Does the child need children's social care services?",
        "whether services are needed";
    child_seen: "Was the child seen during the assessment?",
        "whether the child was seen during the assessment", required = true;
});

form!(CinPlanStarted {
    outcomes: "What should the plan achieve for the child?", "what the plan should achieve";
});

form!(CinPlanReviewed {
    progress: "How is the plan going?", "how the plan is going", required = true;
});

form!(CinPlanEnded {
    reason: "Why did the plan end?", "why the plan ended", required = true;
});

form!(CinClosed {
    reason: "Reason for closure", "the reason for closure";
});

form!(StrategyDiscussion {
    s47: "Did the discussion decide to start a section 47 enquiry?",
        "whether a section 47 enquiry starts";
});

form!(S47Completed {
    icpc_required: "Is an initial child protection conference needed?",
        "whether a conference is needed";
});

form!(S47Started {
    joint_with_police: "Is it a joint enquiry with the police?",
        "whether the enquiry is joint with the police", required = true;
});

form!(IcpcHeld {
    plan: "Did the conference decide on a child protection plan?",
        "whether the conference decided on a plan";
});

form!(CpCategory {
    category: "Category of abuse", "the category of abuse";
});

form!(CoreGroupHeld {
    progress: "How is the plan going?", "how the plan is going", required = true;
    parents_attended: "Did the parents or carers attend?", "whether the parents attended";
});

form!(CpReviewHeld {
    continue_plan: "Does the plan continue?", "whether the plan continues";
});

form!(LookedAfterStarted {
    legal_status: "Legal status", "the legal status";
    category_of_need: "Category of need", "the category of need";
    uasc: "Is the child an unaccompanied asylum-seeking child?",
        "whether the child is an unaccompanied asylum-seeking child";
    previous_permanence: "Did the child have a permanence order before coming into care?",
        "the previous permanence order";
});

form!(LegalStatusChanged {
    legal_status: "New legal status", "the legal status";
});

form!(PlacementStarted {
    placement_type: "Placement type", "the placement type";
    provider: "Placement provider", "the placement provider";
    postcode: "Postcode of the placement", "the placement's postcode",
        hint "Used to work out the distance from home; never shown on the chronology";
    urn: "Ofsted unique reference number (URN)", "the URN",
        hint "If the provision has one";
    weekly_cost: "Weekly cost", "the weekly cost", hint "In pounds, for example 850.00";
    same_carers: "Is the child staying with the same carers?", "whether the carers are the same",
        hint "For example, the carers moved house, or the placement became an adoption placement";
});

form!(PlacementEnded {
    reason: "Reason the placement ended", "the reason the placement ended";
});

form!(ClaReviewHeld {
    participation: "How did the child take part in the review?",
        "how the child took part";
});

form!(IroContact {
    method: "How was the contact made?", "how the contact was made", required = true;
});

form!(HealthAssessment {
    assessment: "Which health assessment was it?", "which health assessment it was", required = true;
    immunisations_up_to_date: "Are the child's immunisations up to date?",
        "whether immunisations are up to date";
    sdq_score: "Strengths and difficulties questionnaire (SDQ) score", "the SDQ score",
        hint "From 0 to 40, if a questionnaire was completed";
    sdq_reason: "Why is there no SDQ score?", "why there is no SDQ score",
        hint "Only if there is no score";
    substance_misuse: "Does the child have a substance misuse problem?",
        "whether the child misuses substances";
});

form!(DentalCheck {
    treatment_needed: "Is treatment needed?", "whether treatment is needed";
});

form!(PepReviewed {
    attendance: "School attendance this term (%)", "the attendance",
        hint "A whole number, for example 92";
});

form!(MissingStarted {
    missing: "Missing or away from placement?", "whether the child is missing or away";
});

form!(MissingEnded {
    return_interview_offered: "Was a return interview offered?",
        "whether a return interview was offered";
    return_interview_accepted: "Was the return interview accepted?",
        "whether the return interview was accepted";
});

form!(LookedAfterEnded {
    reason: "Reason the child stopped being looked after", "the reason care ended";
});

form!(PermanencePlanSet {
    plan: "Permanence plan", "the permanence plan";
});

form!(AdoptionDecisionReversed {
    reason: "Reason the decision was reversed", "the reason the decision was reversed";
});

form!(AdoptionMatched {
    adopters: "Who are the prospective adopters?", "the prospective adopters", required = true;
    foster_carers: "Are they the child's foster carers?",
        "whether the adopters are the child's foster carers";
});

form!(PersonalAdviserAllocated {
    adviser: "Personal adviser", "the personal adviser";
});

form!(PathwayPlanReviewed {
    eligibility: "Eligibility category", "the eligibility category", required = true;
});

form!(CareLeaverContact {
    in_touch: "Is the authority in touch?", "whether the authority is in touch";
    activity: "Main activity", "the young person's main activity";
    accommodation: "Accommodation", "the young person's accommodation";
});

/// One kind's form, as the pages list and draw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventForm {
    /// The event's contract name, e.g. `visit`.
    pub kind: &'static str,
    pub stage: Stage,
    pub title: &'static str,
    pub fields: Vec<Field>,
}

/// Each practitioner-recorded kind: its stage, contract name, variant and title. A title
/// reads as a heading and as the chronology's sentence for a kind with no fields.
macro_rules! event_forms {
    ($($stage:ident, $kind:literal, $variant:ident, $title:literal;)*) => {
        /// Every practitioner-recorded kind's form, grouped by stage in journey order.
        pub fn all() -> Vec<EventForm> {
            vec![$(EventForm {
                kind: $kind,
                stage: Stage::$stage,
                title: $title,
                fields: fields_of(EventData::$variant),
            }),*]
        }

        /// The form of kind `kind`, if a practitioner records it through one.
        pub fn form(kind: &str) -> Option<EventForm> {
            all().into_iter().find(|f| f.kind == kind)
        }

        /// Read a submitted form of kind `kind` into its payload, or say what is wrong
        /// with each field. `None` for a kind with no form.
        pub fn parse(kind: &str, submitted: &Submitted<'_>) -> Option<Result<EventData, Vec<FieldError>>> {
            match kind {
                $($kind => Some(Form::read(submitted).map(EventData::$variant)),)*
                _ => None,
            }
        }

        /// The form's fields for a payload, as a page fills them in (and [`parse`]
        /// reads them back); `None` for a kind with no form.
        pub fn write(data: &EventData) -> Option<Vec<(&'static str, String)>> {
            match data {
                $(EventData::$variant(p) => Some(p.write()),)*
                _ => None,
            }
        }

        /// A payload of kind `kind`, for trying whether the kind fits a journey now.
        pub fn sample(kind: &str) -> Option<EventData> {
            match kind {
                $($kind => Some(EventData::$variant(Form::sample())),)*
                _ => None,
            }
        }

        /// The title of kind `kind`, if it has a form.
        pub fn title(kind: &str) -> Option<&'static str> {
            match kind {
                $($kind => Some($title),)*
                _ => None,
            }
        }
    };
}

fn fields_of<P: Form>(_: fn(P) -> EventData) -> Vec<Field> {
    P::fields()
}

event_forms! {
    Work, "allocated", Allocated, "Allocated to a worker";
    Work, "unallocated", Unallocated, "Worker unallocated";
    Work, "visit", Visit, "Visit";
    Work, "case_note_recorded", CaseNoteRecorded, "Case note";
    Work, "meeting_held", MeetingHeld, "Meeting held";
    EarlyHelp, "early_help_started", EarlyHelpStarted, "Early help started";
    EarlyHelp, "early_help_assessment_completed", EarlyHelpAssessmentCompleted, "Early help assessment completed";
    EarlyHelp, "family_plan_reviewed", FamilyPlanReviewed, "Family plan reviewed";
    EarlyHelp, "early_help_ended", EarlyHelpEnded, "Early help ended";
    ChildInNeed, "assessment_started", AssessmentStarted, "Assessment started";
    ChildInNeed, "assessment_completed", AssessmentCompleted, "Assessment completed";
    ChildInNeed, "cin_plan_started", CinPlanStarted, "Child in need plan started";
    ChildInNeed, "cin_plan_reviewed", CinPlanReviewed, "Child in need plan reviewed";
    ChildInNeed, "cin_plan_ended", CinPlanEnded, "Child in need plan ended";
    ChildInNeed, "cin_closed", CinClosed, "Child in need episode closed";
    Protection, "strategy_discussion", StrategyDiscussion, "Strategy discussion held";
    Protection, "s47_started", S47Started, "Section 47 enquiry started";
    Protection, "s47_completed", S47Completed, "Section 47 enquiry completed";
    Protection, "icpc_held", IcpcHeld, "Initial child protection conference held";
    Protection, "cp_plan_started", CpPlanStarted, "Child protection plan started";
    Protection, "core_group_held", CoreGroupHeld, "Core group meeting held";
    Protection, "cp_review_held", CpReviewHeld, "Child protection review conference held";
    Protection, "cp_category_changed", CpCategoryChanged, "Child protection category changed";
    Protection, "cp_plan_ended", CpPlanEnded, "Child protection plan ended";
    LookedAfter, "looked_after_started", LookedAfterStarted, "Became looked after";
    LookedAfter, "legal_status_changed", LegalStatusChanged, "Legal status changed";
    LookedAfter, "placement_started", PlacementStarted, "Placement started";
    LookedAfter, "placement_ended", PlacementEnded, "Placement ended";
    LookedAfter, "cla_review_held", ClaReviewHeld, "Looked after review held";
    LookedAfter, "iro_contact", IroContact, "Contact with the independent reviewing officer";
    LookedAfter, "health_assessment", HealthAssessment, "Health assessment";
    LookedAfter, "dental_check", DentalCheck, "Dental check";
    LookedAfter, "pep_reviewed", PepReviewed, "Personal education plan reviewed";
    LookedAfter, "missing_started", MissingStarted, "Missing episode started";
    LookedAfter, "missing_ended", MissingEnded, "Missing episode ended";
    LookedAfter, "looked_after_ended", LookedAfterEnded, "Stopped being looked after";
    Permanence, "permanence_plan_set", PermanencePlanSet, "Permanence plan set";
    Permanence, "adm_decision", AdmDecision, "Agency decision maker decided the child should be placed for adoption";
    Permanence, "placement_order", PlacementOrder, "Placement order granted";
    Permanence, "adoption_matched", AdoptionMatched, "Matched with prospective adopters";
    Permanence, "placed_for_adoption", PlacedForAdoption, "Placed for adoption";
    Permanence, "adoption_order", AdoptionOrder, "Adoption order granted";
    Permanence, "adoption_decision_reversed", AdoptionDecisionReversed, "Adoption decision reversed";
    CareLeaver, "personal_adviser_allocated", PersonalAdviserAllocated, "Personal adviser allocated";
    CareLeaver, "pathway_plan_reviewed", PathwayPlanReviewed, "Pathway plan reviewed";
    CareLeaver, "care_leaver_contact", CareLeaverContact, "Care leaver contact";
}

/// The form's names for the day and time an event happened (GOV.UK's date input).
pub const DAY: &str = "occurred_at-day";
pub const MONTH: &str = "occurred_at-month";
pub const YEAR: &str = "occurred_at-year";
pub const TIME: &str = "occurred_at-time";
/// The field a refusal of the date or time is shown by.
pub const OCCURRED_AT: &str = "occurred_at";

/// When the event happened, from the form's day, month, year and optional time.
pub fn read_occurred_at(submitted: &Submitted<'_>) -> Result<OccurredAt, FieldError> {
    let refuse = |message: &str| FieldError {
        field: OCCURRED_AT,
        message: String::from(message),
    };
    let part = |name| submitted.first(name).map(str::parse::<i16>);
    let (day, month, year) = match (part(DAY), part(MONTH), part(YEAR)) {
        (None, None, None) => return Err(refuse("Enter the date it happened.")),
        (Some(Ok(d)), Some(Ok(m)), Some(Ok(y))) => (d, m, y),
        _ => {
            return Err(refuse(
                "The date it happened must include a day, month and year.",
            ));
        }
    };
    let date = i8::try_from(day)
        .ok()
        .zip(i8::try_from(month).ok())
        .filter(|_| (1900..=9999).contains(&year))
        .and_then(|(d, m)| Date::new(year, m, d).ok())
        .ok_or_else(|| refuse("The date it happened must be a real date."))?;
    let time = match submitted.first(TIME) {
        None => None,
        Some(t) => Some(
            t.split_once(':')
                .filter(|(h, m)| h.len() <= 2 && m.len() == 2)
                .and_then(|(h, m)| Some((h.parse::<i8>().ok()?, m.parse::<i8>().ok()?)))
                .and_then(|(h, m)| Time::new(h, m, 0, 0).ok())
                .ok_or_else(|| refuse("Enter the time as hours and minutes, like 14:30."))?,
        ),
    };
    Ok(OccurredAt { date, time })
}

/// The form's date and time fields for `at`.
pub fn write_occurred_at(at: OccurredAt) -> Vec<(&'static str, String)> {
    let mut out = vec![
        (DAY, at.date.day().to_string()),
        (MONTH, at.date.month().to_string()),
        (YEAR, at.date.year().to_string()),
    ];
    if let Some(t) = at.time {
        out.push((TIME, format!("{:02}:{:02}", t.hour(), t.minute())));
    }
    out
}

/// The forms that fit `state` on `on`: those whose kind the journey would take next,
/// tried with a sample payload through the fold itself, so the list and the fold
/// cannot disagree. A kind whose acceptance depends on what is entered (none today) is
/// offered if its sample fits.
pub fn fitting(state: &ChildState, on: Date) -> Vec<EventForm> {
    all()
        .into_iter()
        .filter(|f| fits(state, f.kind, on))
        .collect()
}

/// Whether an event of `kind` recorded on `on` would fold onto `state`.
pub fn fits(state: &ChildState, kind: &str, on: Date) -> bool {
    let Some(data) = sample(kind) else {
        return false;
    };
    if state.last_date.is_some_and(|last| on < last) {
        return false;
    }
    state.clone().try_apply(on, &data).is_ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::codes::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_good_form_reads_into_its_payload() {
        let p = pairs(&[("worker", " W7 "), ("seen", "yes"), ("seen_alone", "no")]);
        let data = parse("visit", &Submitted::new(&p)).unwrap().unwrap();
        assert_eq!(
            data,
            EventData::Visit(Visit {
                worker: WorkerId::parse("W7").unwrap(),
                seen: true,
                seen_alone: false,
            })
        );
    }

    #[test]
    fn each_bad_field_gets_its_own_sentence() {
        let p = pairs(&[("seen", "maybe")]);
        let errors = parse("visit", &Submitted::new(&p)).unwrap().unwrap_err();
        assert_eq!(
            errors,
            vec![
                FieldError {
                    field: "worker",
                    message: String::from("Select who visited."),
                },
                FieldError {
                    field: "seen",
                    message: String::from("Select yes or no for whether the child was seen."),
                },
                FieldError {
                    field: "seen_alone",
                    message: String::from("Select whether the child was seen alone."),
                },
            ]
        );
    }

    #[test]
    fn a_code_not_on_its_list_is_refused_by_name() {
        let p = pairs(&[("reason", "RC99")]);
        let errors = parse("cin_closed", &Submitted::new(&p))
            .unwrap()
            .unwrap_err();
        assert_eq!(
            errors[0].message,
            "Select the reason for closure from the list."
        );
        let p = pairs(&[
            ("factors", "1A"),
            ("factors", "1A"),
            ("services_needed", "no"),
        ]);
        let errors = parse("assessment_completed", &Submitted::new(&p))
            .unwrap()
            .unwrap_err();
        assert_eq!(
            errors[0].message,
            "Select each of the assessment factors once."
        );
    }

    #[test]
    fn optional_fields_may_be_left_blank_but_not_filled_wrongly() {
        let p = pairs(&[
            ("placement_type", "U1"),
            ("provider", "PR1"),
            ("postcode", ""),
            ("urn", "  "),
        ]);
        let data = parse("placement_started", &Submitted::new(&p)).unwrap();
        assert!(data.is_ok(), "{data:?}");
        let p = pairs(&[
            ("placement_type", "U1"),
            ("provider", "PR1"),
            ("postcode", "not a postcode"),
        ]);
        let errors = parse("placement_started", &Submitted::new(&p))
            .unwrap()
            .unwrap_err();
        assert_eq!(errors[0].field, "postcode");
    }

    #[test]
    fn the_code_lists_are_the_dfe_codes_with_their_labels() {
        let closed = form("cin_closed").unwrap();
        let Input::Code(list) = closed.fields[0].input else {
            panic!("a code list")
        };
        assert_eq!(list.options.len(), ReasonForClosure::ALL.len());
        assert!(
            list.options
                .contains(&("RC8", ReasonForClosure::NfaAfterAssessment.label()))
        );
        let assessed = form("assessment_completed").unwrap();
        assert!(matches!(assessed.fields[0].input, Input::Codes(_)));
        assert!(!assessed.fields[0].required);
    }

    #[test]
    fn every_form_has_its_kind_and_its_sample_round_trips() {
        let forms = all();
        let mut kinds: Vec<&str> = forms.iter().map(|f| f.kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds.len(), forms.len(), "a kind is declared twice");
        for f in &forms {
            let data = sample(f.kind).unwrap();
            assert_eq!(
                data.kind(),
                f.kind,
                "{} is declared with the wrong variant",
                f.kind
            );
            let written: Vec<(String, String)> = write(&data)
                .unwrap()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
            assert_eq!(
                parse(f.kind, &Submitted::new(&written)).unwrap().unwrap(),
                data
            );
        }
    }

    /// What a form says about one field of kind `kind` given `value`, if anything.
    fn refusal(kind: &str, field: &str, value: &str) -> Option<String> {
        let p = pairs(&[(field, value)]);
        let errors = parse(kind, &Submitted::new(&p)).unwrap().err()?;
        errors
            .into_iter()
            .find(|e| e.field == field)
            .map(|e| e.message)
    }

    #[test]
    fn each_field_given_to_the_once_empty_payloads_refuses_a_bad_value_by_name() {
        for (kind, field, bad, message) in [
            (
                "early_help_assessment_completed",
                "organisation",
                "council",
                "Select who completed the assessment from the list.",
            ),
            (
                "family_plan_reviewed",
                "progress",
                "great",
                "Select how the plan is going from the list.",
            ),
            (
                "assessment_started",
                "worker",
                "W 1",
                "Enter who is carrying out the assessment as an ID, like W123.",
            ),
            (
                "assessment_completed",
                "child_seen",
                "maybe",
                "Select yes or no for whether the child was seen during the assessment.",
            ),
            (
                "cin_plan_reviewed",
                "progress",
                "RC1",
                "Select how the plan is going from the list.",
            ),
            (
                "cin_plan_ended",
                "reason",
                "RC8",
                "Select why the plan ended from the list.",
            ),
            (
                "s47_started",
                "joint_with_police",
                "y",
                "Select yes or no for whether the enquiry is joint with the police.",
            ),
            (
                "core_group_held",
                "parents_attended",
                "some",
                "Select yes or no for whether the parents attended.",
            ),
            (
                "iro_contact",
                "method",
                "pigeon",
                "Select how the contact was made from the list.",
            ),
            (
                "health_assessment",
                "assessment",
                "annual",
                "Select which health assessment it was from the list.",
            ),
            (
                "health_assessment",
                "sdq_score",
                "41",
                "Enter the SDQ score as a whole number from 0 to 40.",
            ),
            (
                "health_assessment",
                "sdq_reason",
                "SDQ9",
                "Select why there is no SDQ score from the list.",
            ),
            (
                "health_assessment",
                "immunisations_up_to_date",
                "mostly",
                "Select yes or no for whether immunisations are up to date.",
            ),
            (
                "health_assessment",
                "substance_misuse",
                "1",
                "Select yes or no for whether the child misuses substances.",
            ),
            (
                "dental_check",
                "treatment_needed",
                "x",
                "Select yes or no for whether treatment is needed.",
            ),
            (
                "pep_reviewed",
                "attendance",
                "92.5",
                "Enter the attendance as a whole number from 0 to 100.",
            ),
            (
                "adoption_matched",
                "adopters",
                "M2",
                "Select the prospective adopters from the list.",
            ),
            (
                "adoption_matched",
                "foster_carers",
                "perhaps",
                "Select yes or no for whether the adopters are the child's foster carers.",
            ),
            (
                "pathway_plan_reviewed",
                "eligibility",
                "former",
                "Select the eligibility category from the list.",
            ),
            (
                "looked_after_started",
                "previous_permanence",
                "P9",
                "Select the previous permanence order from the list.",
            ),
            (
                "placement_started",
                "weekly_cost",
                "about 900",
                "Enter the weekly cost in pounds and pence, like 850.00.",
            ),
            (
                "placement_started",
                "same_carers",
                "same",
                "Select yes or no for whether the carers are the same.",
            ),
        ] {
            assert_eq!(
                refusal(kind, field, bad).as_deref(),
                Some(message),
                "{kind}.{field}"
            );
        }
    }

    #[test]
    fn the_new_inputs_read_what_a_person_types() {
        let p = pairs(&[
            ("assessment", "review"),
            ("sdq_score", "17"),
            ("immunisations_up_to_date", "yes"),
        ]);
        let data = parse("health_assessment", &Submitted::new(&p))
            .unwrap()
            .unwrap();
        assert_eq!(
            data,
            EventData::HealthAssessment(HealthAssessment {
                assessment: Some(HealthAssessmentKind::Review),
                immunisations_up_to_date: Some(true),
                sdq_score: Some(SdqScore::new(17).unwrap()),
                sdq_reason: None,
                substance_misuse: None,
            })
        );
        let p = pairs(&[
            ("placement_type", "U6"),
            ("provider", "PR4"),
            ("weekly_cost", "£1,050.50"),
        ]);
        let Ok(EventData::PlacementStarted(placed)) =
            parse("placement_started", &Submitted::new(&p)).unwrap()
        else {
            panic!("a placement")
        };
        assert_eq!(placed.weekly_cost, Some(Pence(105_050)));
        let written = write(&EventData::PlacementStarted(placed)).unwrap();
        assert!(written.contains(&("weekly_cost", String::from("1050.50"))));
        let goals = "Attend school every day\nA settled bedtime";
        let p = pairs(&[("organisation", "school"), ("goals", goals)]);
        let Ok(EventData::EarlyHelpAssessmentCompleted(done)) =
            parse("early_help_assessment_completed", &Submitted::new(&p)).unwrap()
        else {
            panic!("an early help assessment")
        };
        assert_eq!(done.goals, Some(LongText(goals.to_owned())));
        let form = form("pep_reviewed").unwrap();
        assert_eq!(form.fields[0].input, Input::Number { min: 0, max: 100 });
        assert!(!form.fields[0].required);
    }

    #[test]
    fn a_form_asks_for_what_older_entries_of_its_kind_lack() {
        // Recorded before the field existed: the payload has none.
        let old = EventData::IroContact(IroContact::default());
        let written: Vec<(String, String)> = write(&old)
            .unwrap()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        assert!(written.is_empty());
        // Correcting it through the form needs the answer now.
        let errors = parse("iro_contact", &Submitted::new(&written))
            .unwrap()
            .unwrap_err();
        assert_eq!(
            errors,
            vec![FieldError {
                field: "method",
                message: String::from("Select how the contact was made."),
            }]
        );
        let form = form("iro_contact").unwrap();
        assert!(form.fields[0].required);
        // The JSON still reads without it, as the journal holds it.
        let read: IroContact = serde_json::from_str("{}").unwrap();
        assert_eq!(read, IroContact::default());
    }

    #[test]
    fn a_case_note_needs_its_kind_narrative_and_who_was_seen() {
        let p = pairs(&[("present", "Mother; maternal aunt")]);
        let errors = parse("case_note_recorded", &Submitted::new(&p))
            .unwrap()
            .unwrap_err();
        let refused: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field, e.message.as_str()))
            .collect();
        assert_eq!(
            refused,
            vec![
                ("contact_type", "Select the kind of contact."),
                ("narrative", "Enter what happened."),
                ("seen", "Select whether the child was seen."),
                ("seen_alone", "Select whether the child was seen alone."),
            ]
        );
        let p = pairs(&[
            ("contact_type", "visit"),
            ("narrative", "Home visit.\r\nKitchen clean.\r\n"),
            ("seen", "yes"),
            ("seen_alone", "no"),
            ("worries", "  "),
        ]);
        let EventData::CaseNoteRecorded(note) = parse("case_note_recorded", &Submitted::new(&p))
            .unwrap()
            .unwrap()
        else {
            panic!("a case note")
        };
        assert_eq!(note.narrative.as_str(), "Home visit.\nKitchen clean.");
        assert_eq!((note.present, note.worries), (None, None));
        let note_form = form("case_note_recorded").unwrap();
        assert_eq!(note_form.fields[1].input, Input::LongText);
        assert_eq!(note_form.fields[0].input, Input::Code(NoteContact::LIST));
    }

    #[test]
    fn a_case_note_is_bounded_and_its_hints_say_the_bounds() {
        use crate::journey::Problem;
        use crate::limits::{NOTE_CHARS, NOTE_SECTION_CHARS, PRESENT_CHARS, check_text};
        let note = |narrative: usize, analysis: usize| {
            EventData::CaseNoteRecorded(CaseNote {
                contact_type: NoteContact::DirectWork,
                narrative: LongText("é".repeat(narrative)),
                present: None,
                seen: true,
                seen_alone: true,
                child_words: None,
                strengths: None,
                worries: None,
                analysis: Some(LongText("a".repeat(analysis))),
            })
        };
        // Characters, not bytes: a note of accented letters at the bound is accepted.
        assert_eq!(check_text(&note(NOTE_CHARS, NOTE_SECTION_CHARS)), Ok(()));
        assert_eq!(
            check_text(&note(NOTE_CHARS + 1, 1)),
            Err(Problem::TooLong {
                field: "narrative",
                max: NOTE_CHARS
            })
        );
        assert_eq!(
            check_text(&note(1, NOTE_SECTION_CHARS + 1)),
            Err(Problem::TooLong {
                field: "analysis",
                max: NOTE_SECTION_CHARS
            })
        );
        let said = |name: &str| {
            form("case_note_recorded")
                .unwrap()
                .fields
                .iter()
                .find(|f| f.name == name)
                .and_then(|f| f.hint)
                .unwrap()
        };
        let thousands = |n: usize| format!("{},{:03}", n / 1000, n % 1000);
        assert!(said("narrative").contains(&thousands(NOTE_CHARS)));
        assert!(said("present").contains(&PRESENT_CHARS.to_string()));
        for section in ["child_words", "strengths", "worries", "analysis"] {
            assert!(
                said(section).contains(&thousands(NOTE_SECTION_CHARS)),
                "{section}"
            );
        }
    }

    #[test]
    fn a_date_is_read_from_its_three_parts_and_an_optional_time() {
        let p = pairs(&[(DAY, "7"), (MONTH, "12"), (YEAR, "2026"), (TIME, "9:05")]);
        let at = read_occurred_at(&Submitted::new(&p)).unwrap();
        assert_eq!(at, OccurredAt::at(jiff::civil::date(2026, 12, 7), 9, 5));
        let back = pairs(
            &write_occurred_at(at)
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        );
        assert_eq!(read_occurred_at(&Submitted::new(&back)).unwrap(), at);
        for (bad, message) in [
            (vec![], "Enter the date it happened."),
            (
                vec![(DAY, "7"), (YEAR, "2026")],
                "The date it happened must include a day, month and year.",
            ),
            (
                vec![(DAY, "31"), (MONTH, "2"), (YEAR, "2026")],
                "The date it happened must be a real date.",
            ),
            (
                vec![(DAY, "1"), (MONTH, "2"), (YEAR, "2026"), (TIME, "25:00")],
                "Enter the time as hours and minutes, like 14:30.",
            ),
        ] {
            let p = pairs(&bad);
            let e = read_occurred_at(&Submitted::new(&p)).unwrap_err();
            assert_eq!((e.field, e.message.as_str()), (OCCURRED_AT, message));
        }
    }
}
