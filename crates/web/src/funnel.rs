//! The front door's funnel page (issue 13 item 8): `GET /front-door/funnel` with the
//! period as two GOV.UK date inputs in a GET form, the four stages as a bar chart with
//! its figures in a table, then a table by source and one by locality. Figures only:
//! no child or contact is named. What counts is `hearth_analytics::funnel`'s.

use crate::AppState;
use crate::error::PageError;
use crate::pages::FieldError;
use crate::session::{Account, Caller};
use crate::templates;
use axum::Extension;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use hearth_app::{Funnel, FunnelError, Period, PeriodError, Stages};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The query: each date as the three boxes of a GOV.UK date input.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct FunnelParams {
    #[serde(default, rename = "from-day")]
    from_day: String,
    #[serde(default, rename = "from-month")]
    from_month: String,
    #[serde(default, rename = "from-year")]
    from_year: String,
    #[serde(default, rename = "to-day")]
    to_day: String,
    #[serde(default, rename = "to-month")]
    to_month: String,
    #[serde(default, rename = "to-year")]
    to_year: String,
}

impl FunnelParams {
    fn is_empty(&self) -> bool {
        [
            &self.from_day,
            &self.from_month,
            &self.from_year,
            &self.to_day,
            &self.to_month,
            &self.to_year,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
    }
}

/// One date input as shown again: what was typed, and its error.
#[derive(Debug, Serialize)]
struct DateField {
    id: &'static str,
    legend: &'static str,
    day: String,
    month: String,
    year: String,
    error: Option<String>,
}

impl DateField {
    fn of(id: &'static str, legend: &'static str, day: &str, month: &str, year: &str) -> Self {
        DateField {
            id,
            legend,
            day: day.trim().to_owned(),
            month: month.trim().to_owned(),
            year: year.trim().to_owned(),
            error: None,
        }
    }

    fn on(id: &'static str, legend: &'static str, date: Date) -> Self {
        DateField::of(
            id,
            legend,
            &date.day().to_string(),
            &date.month().to_string(),
            &date.year().to_string(),
        )
    }

    /// The date typed, or the sentence saying what is wrong with it.
    fn date(&self) -> Result<Date, String> {
        let what = if self.id == "from" {
            "start date"
        } else {
            "end date"
        };
        let number = |s: &str| s.parse::<i16>().ok();
        match (number(&self.day), number(&self.month), number(&self.year)) {
            (Some(d), Some(m), Some(y)) if (1000..=9999).contains(&y) => {
                Date::new(y, m as i8, d as i8)
                    .map_err(|_| format!("The {what} must be a real date"))
            }
            _ => Err(format!(
                "Enter the {what} as a day, month and year, for example 31 3 2025"
            )),
        }
    }
}

/// One row of a table: a name and the four stages with the conversion between them.
#[derive(Debug, Serialize)]
struct Row {
    name: String,
    contacts: u64,
    referrals: u64,
    referral_percent: String,
    assessments: u64,
    assessment_percent: String,
    nfa: u64,
    nfa_percent: String,
}

fn percent(p: Option<f64>) -> String {
    p.map_or_else(|| String::from("n/a"), |p| format!("{p:.1}%"))
}

fn row(name: &str, s: &Stages) -> Row {
    Row {
        name: name.to_owned(),
        contacts: s.contacts,
        referrals: s.referrals,
        referral_percent: percent(s.referral_percent()),
        assessments: s.assessments,
        assessment_percent: percent(s.assessment_percent()),
        nfa: s.nfa_after_assessment,
        nfa_percent: percent(s.nfa_percent()),
    }
}

/// One bar of the chart: its stage, its figure, and its length and place in the SVG.
#[derive(Debug, Serialize)]
struct Bar {
    stage: &'static str,
    value: u64,
    of_before: String,
    y: u32,
    width: u32,
}

/// The chart's drawing area: labels at the left, bars to the right of them.
const BAR_SPACE: u32 = 420;
const BAR_PITCH: u32 = 44;

fn bars(total: &Stages) -> Vec<Bar> {
    let stages = [
        ("Contacts", total.contacts, None),
        ("Referrals", total.referrals, Some(total.referral_percent())),
        (
            "Assessed",
            total.assessments,
            Some(total.assessment_percent()),
        ),
        (
            "No further action after assessment",
            total.nfa_after_assessment,
            Some(total.nfa_percent()),
        ),
    ];
    // Referrals may outnumber contacts, so the longest bar is the largest figure.
    let most = stages.iter().map(|s| s.1).max().unwrap_or(0).max(1);
    stages
        .iter()
        .zip(0u32..)
        .map(|(&(stage, value, of_before), i)| Bar {
            stage,
            value,
            of_before: of_before.map_or_else(String::new, percent),
            y: i * BAR_PITCH,
            width: (u64::from(BAR_SPACE) * value / most) as u32,
        })
        .collect()
}

#[derive(Debug, Serialize)]
struct FunnelPage {
    from: DateField,
    to: DateField,
    errors: Vec<FieldError>,
    /// "1 May 2024 to 31 May 2024", once drawn.
    period: Option<String>,
    bars: Vec<Bar>,
    chart_height: u32,
    total: Option<Row>,
    by_source: Vec<Row>,
    by_place: Vec<Row>,
}

fn day_text(d: Date) -> String {
    d.strftime("%-d %B %Y").to_string()
}

impl FunnelPage {
    fn form(from: DateField, to: DateField) -> Self {
        FunnelPage {
            from,
            to,
            errors: Vec::new(),
            period: None,
            bars: Vec::new(),
            chart_height: 0,
            total: None,
            by_source: Vec::new(),
            by_place: Vec::new(),
        }
    }

    fn refuse(mut self, field: &'static str, message: String) -> Self {
        let place = if field == "from" {
            &mut self.from
        } else {
            &mut self.to
        };
        place.error.get_or_insert(message.clone());
        self.errors.push(FieldError {
            field: if field == "from" {
                "from-day"
            } else {
                "to-day"
            },
            message,
        });
        self
    }

    fn drawn(mut self, funnel: &Funnel) -> Self {
        self.period = Some(format!(
            "{} to {}",
            day_text(funnel.period.from),
            day_text(funnel.period.to)
        ));
        self.bars = bars(&funnel.total);
        self.chart_height = BAR_PITCH * self.bars.len() as u32;
        self.total = Some(row("All contacts", &funnel.total));
        self.by_source = funnel
            .by_source
            .iter()
            .map(|(source, s)| row(&format!("{} ({})", source.label(), source.code()), s))
            .collect();
        self.by_place = funnel
            .by_place
            .iter()
            .map(|(place, s)| row(place.label(), s))
            .collect();
        self
    }

    fn render(self, account: &Account, status: StatusCode) -> Result<Response, PageError> {
        let html = templates::render_for("front_door/funnel.html", account, &self)?;
        Ok((status, Html(html)).into_response())
    }
}

/// `GET /front-door/funnel?from-day=&from-month=&from-year=&to-day=&to-month=&to-year=`:
/// the funnel for the period (the last full month when none is given). Needs
/// `ViewFigures`; the view is logged, naming nobody. A date that is not one, or a period
/// the funnel cannot draw, is 400 with the form, an error summary and the message
/// beside the date to change.
pub(crate) async fn funnel(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Result<Query<FunnelParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let account = Account::of(&caller);
    let now = (app.clock)();
    let today = hearth_app::today(now);
    let (from, to) = if params.is_empty() {
        let month = Period::last_full_month(today);
        (
            DateField::on("from", "From", month.from),
            DateField::on("to", "To", month.to),
        )
    } else {
        let p = &params;
        (
            DateField::of("from", "From", &p.from_day, &p.from_month, &p.from_year),
            DateField::of("to", "To", &p.to_day, &p.to_month, &p.to_year),
        )
    };
    let (from_date, to_date) = (from.date(), to.date());
    let mut page = FunnelPage::form(from, to);
    let (from_date, to_date) = match (from_date, to_date) {
        (Ok(f), Ok(t)) => (f, t),
        (f, t) => {
            if let Err(message) = f {
                page = page.refuse("from", message);
            }
            if let Err(message) = t {
                page = page.refuse("to", message);
            }
            return page.render(&account, StatusCode::BAD_REQUEST);
        }
    };
    let who = caller.doing("view front-door funnel");
    match app.cases.funnel(&who, now, from_date, to_date).await {
        Ok(funnel) => page.drawn(&funnel).render(&account, StatusCode::OK),
        Err(FunnelError::Period(e)) => {
            let field = match e {
                PeriodError::StartsAfterEnd => "from",
                PeriodError::TooLong(_) | PeriodError::InFuture => "to",
            };
            page.refuse(field, e.to_string())
                .render(&account, StatusCode::BAD_REQUEST)
        }
        Err(FunnelError::App(e)) => Err(e.into()),
        Err(e @ FunnelError::Journey { .. }) => {
            Err(crate::error::WebError::Funnel(e.to_string()).into())
        }
    }
}
