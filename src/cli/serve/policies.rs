//! The policies and example enterprises named at start: their lists,
//! their declarations, their text, and evaluations of a served policy for
//! facts sent in the request (`/api/policies…`, `/api/examples…`).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::Response;
use decree::check::Policy;
use decree::units::Unit;
use decree::{Diagnostic, Options};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::errors::{ApiError, ErrorBody};
use super::state::Shared;
use super::work::{Body, blocking, document};

/// One policy in the list.
#[derive(Serialize, ToSchema)]
pub(crate) struct PolicySummary {
    /// The file stem.
    id: String,
    /// The header's title.
    title: Option<String>,
    /// The file as named at start.
    file: String,
    /// How many measures.
    measures: usize,
    /// How many items.
    items: usize,
}

/// A policy's declarations.
#[derive(Serialize, ToSchema)]
pub(crate) struct PolicyDetail {
    id: String,
    title: Option<String>,
    /// `YYYY-MM-DD`, `tbd` for a draft, or null.
    issued: Option<String>,
    /// The validity, e.g. `5 years`.
    valid: Option<String>,
    measures: Vec<MeasureDoc>,
    facts: Vec<FactDoc>,
    params: Vec<ParamDoc>,
    /// The budgets shared by a population (left out when there is none):
    /// a single enterprise's amount of their items is its entitlement.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    budgets: Vec<BudgetDoc>,
}

/// A budget (`budget NAME = AMOUNT for { … }`).
#[derive(Serialize, ToSchema)]
pub(crate) struct BudgetDoc {
    name: String,
    label: Option<String>,
    /// The fund as drafters read it (`1亿元`).
    amount: String,
    /// The items it pays for.
    items: Vec<String>,
    /// `pro_rata` (按比例核减) or `first_come` (先到先得).
    rule: String,
}

/// A measure.
#[derive(Serialize, ToSchema)]
pub(crate) struct MeasureDoc {
    number: u32,
    title: String,
    chapter: Option<ChapterDoc>,
    cites: Vec<String>,
    items: Vec<ItemDoc>,
}

/// A measure's chapter.
#[derive(Serialize, ToSchema)]
pub(crate) struct ChapterDoc {
    number: u32,
    title: String,
}

/// An item of a measure.
#[derive(Serialize, ToSchema)]
pub(crate) struct ItemDoc {
    name: String,
    label: Option<String>,
    /// `subsidy`, `condition`, …
    kind: String,
}

/// A fact the policy asks for.
#[derive(Serialize, ToSchema)]
pub(crate) struct FactDoc {
    name: String,
    label: Option<String>,
    /// `money`, `rate`, `date`, an enumeration's name, `set of …`
    #[serde(rename = "type")]
    kind: String,
    /// `元` for money, `平方米` for area, else null.
    unit: Option<String>,
    /// An enumeration's (or set's) values.
    values: Option<Vec<ValueDoc>>,
}

/// A value of an enumeration.
#[derive(Serialize, ToSchema)]
pub(crate) struct ValueDoc {
    name: String,
    label: Option<String>,
}

/// A param and its value.
#[derive(Serialize, ToSchema)]
pub(crate) struct ParamDoc {
    name: String,
    label: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    /// As drafters read it (`5000万元`); null for `tbd`.
    value: Option<String>,
    tbd: bool,
}

/// An example enterprise in the list.
#[derive(Serialize, ToSchema)]
pub(crate) struct ExampleSummary {
    id: String,
    file: String,
}

/// An example enterprise's facts, as written in its file.
#[derive(Serialize, ToSchema)]
pub(crate) struct ExampleDetail {
    id: String,
    file: String,
    /// The facts file as JSON (a TOML or YAML file converted).
    #[schema(value_type = Object)]
    facts: serde_json::Value,
}

/// A policy's text.
#[derive(Serialize, ToSchema)]
pub(crate) struct SourceDoc {
    id: String,
    file: String,
    text: String,
}

/// The body of an evaluation.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EvaluateRequest {
    /// Fact name → value, as in a facts file (`"1.2亿"`, `0.2`, `"是"`).
    #[schema(value_type = Object)]
    pub facts: serde_json::Map<String, serde_json::Value>,
    /// Param name → value, as `decree eval --set NAME=VALUE`.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub params: Option<BTreeMap<String, serde_json::Value>>,
    /// The evaluation date (`2025-06-30`); today when absent.
    #[serde(default)]
    pub at: Option<String>,
}

/// `GET /api/policies`
#[utoipa::path(get, path = "/api/policies", tag = "policies",
    responses((status = 200, body = [PolicySummary])))]
pub(crate) async fn list(State(state): State<Shared>) -> axum::Json<Vec<PolicySummary>> {
    axum::Json(
        state
            .policies
            .iter()
            .map(|l| PolicySummary {
                id: l.id.clone(),
                title: l.policy.header.title.clone(),
                file: l.file.clone(),
                measures: l.policy.measures.len(),
                items: l.policy.items.len(),
            })
            .collect(),
    )
}

fn unit_word(unit: Unit) -> Option<String> {
    match unit {
        Unit::Money => Some("元".into()),
        Unit::Area => Some("平方米".into()),
        Unit::Weight => Some("吨".into()),
        Unit::MoneyPer(per) => Some(format!("元/{}", per.word())),
        _ => None,
    }
}

fn values_of(policy: &Policy, unit: Unit) -> Option<Vec<ValueDoc>> {
    let (Unit::Enum(e) | Unit::Set(e)) = unit else {
        return None;
    };
    policy.enums.get(e).map(|info| {
        info.variants
            .iter()
            .map(|(name, label)| ValueDoc {
                name: name.clone(),
                label: label.clone(),
            })
            .collect()
    })
}

/// The declarations of a policy, for the studio's forms.
pub(crate) fn detail(id: &str, policy: &Policy) -> PolicyDetail {
    let header = &policy.header;
    PolicyDetail {
        id: id.to_string(),
        title: header.title.clone(),
        issued: header.issued.as_ref().map(|d| match d {
            decree::ast::IssueDate::Tbd => "tbd".to_string(),
            decree::ast::IssueDate::On(d) => d.to_string(),
        }),
        valid: header.valid.as_ref().map(ToString::to_string),
        measures: policy
            .measures
            .iter()
            .map(|m| MeasureDoc {
                number: m.number,
                title: m.title.clone(),
                chapter: m.chapter.as_ref().map(|c| ChapterDoc {
                    number: c.number,
                    title: c.title.clone(),
                }),
                cites: m.cites.clone(),
                items: m
                    .items
                    .iter()
                    .filter_map(|&i| policy.item(i))
                    .map(|i| ItemDoc {
                        name: i.name().to_string(),
                        label: i.ast.label.as_ref().map(|l| l.node.clone()),
                        kind: serde_json::to_value(i.kind())
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default(),
                    })
                    .collect(),
            })
            .collect(),
        facts: policy
            .facts
            .iter()
            .map(|f| FactDoc {
                name: f.name.clone(),
                label: f.label.clone(),
                kind: policy.unit_name(f.unit),
                unit: unit_word(f.unit),
                values: values_of(policy, f.unit),
            })
            .collect(),
        params: policy
            .params
            .iter()
            .map(|p| ParamDoc {
                name: p.name.clone(),
                label: p.label.clone(),
                kind: policy.unit_name(p.unit),
                value: p.value.as_ref().map(|e| {
                    decree::eval::constant(policy, e, &Options::default())
                        .map_or_else(|_| decree::fmt::expr_text(e), |v| v.to_string())
                }),
                tbd: p.value.is_none(),
            })
            .collect(),
        budgets: policy.budgets.iter().map(|b| budget(policy, b)).collect(),
    }
}

/// A budget as the studio notes it beside the items it pays for.
fn budget(policy: &Policy, b: &decree::check::BudgetInfo) -> BudgetDoc {
    BudgetDoc {
        name: b.name.clone(),
        label: b.label.clone(),
        amount: decree::eval::constant(policy, &b.amount, &Options::default())
            .map_or_else(|_| decree::fmt::expr_text(&b.amount), |v| v.to_string()),
        items: b
            .items
            .iter()
            .filter_map(|&i| policy.item(i))
            .map(|i| i.name().to_string())
            .collect(),
        rule: match b.rule {
            decree::check::Allocation::ProRata => "pro_rata",
            decree::check::Allocation::FirstCome(_) => "first_come",
        }
        .to_string(),
    }
}

/// `GET /api/policies/{id}`
#[utoipa::path(get, path = "/api/policies/{id}", tag = "policies",
    params(("id" = String, Path, description = "the policy's file stem")),
    responses((status = 200, body = PolicyDetail), (status = 404, body = ErrorBody)))]
pub(crate) async fn get(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<axum::Json<PolicyDetail>, ApiError> {
    let loaded = state.policy(&id)?;
    Ok(axum::Json(detail(&loaded.id, &loaded.policy)))
}

/// `GET /api/policies/{id}/source`
#[utoipa::path(get, path = "/api/policies/{id}/source", tag = "policies",
    params(("id" = String, Path, description = "the policy's file stem")),
    responses((status = 200, body = SourceDoc), (status = 404, body = ErrorBody)))]
pub(crate) async fn source(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<axum::Json<SourceDoc>, ApiError> {
    let loaded = state.policy(&id)?;
    Ok(axum::Json(SourceDoc {
        id: loaded.id.clone(),
        file: loaded.file.clone(),
        text: loaded.policy.source.text.to_string(),
    }))
}

/// `GET /api/examples`
#[utoipa::path(get, path = "/api/examples", tag = "examples",
    responses((status = 200, body = [ExampleSummary])))]
pub(crate) async fn examples(State(state): State<Shared>) -> axum::Json<Vec<ExampleSummary>> {
    axum::Json(
        state
            .examples
            .iter()
            .map(|e| ExampleSummary {
                id: e.id.clone(),
                file: e.file.clone(),
            })
            .collect(),
    )
}

/// `GET /api/examples/{id}`
#[utoipa::path(get, path = "/api/examples/{id}", tag = "examples",
    params(("id" = String, Path, description = "the facts file's stem")),
    responses((status = 200, body = ExampleDetail), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub(crate) async fn example(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<axum::Json<ExampleDetail>, ApiError> {
    let e = state.example(&id)?;
    let format = decree::facts::format_of(&e.source)?;
    let text: &str = &e.source.text;
    let facts: serde_json::Value = match format {
        decree::facts::Format::Json => serde_json::from_str(text).map_err(|x| bad_file(e, &x))?,
        decree::facts::Format::Toml => toml::from_str(text).map_err(|x| bad_file(e, &x))?,
        decree::facts::Format::Yaml => serde_norway::from_str(text).map_err(|x| bad_file(e, &x))?,
    };
    Ok(axum::Json(ExampleDetail {
        id: e.id.clone(),
        file: e.file.clone(),
        facts,
    }))
}

fn bad_file(e: &super::state::Example, why: &dyn std::fmt::Display) -> ApiError {
    Diagnostic::error(
        decree::Code::Facts,
        format!("`{}` cannot be read: {why}", e.file),
    )
    .into()
}

/// The options of a request: `at` and `params` as `--at` and `--set`.
pub(crate) fn options(
    policy: &Policy,
    at: Option<&str>,
    params: Option<&BTreeMap<String, serde_json::Value>>,
    limits: &decree::Limits,
) -> Result<(Options, Vec<Diagnostic>), ApiError> {
    let mut sets = Vec::new();
    for (name, value) in params.into_iter().flatten() {
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            other => {
                return Err(ApiError::bad_request(format!(
                    "param `{name}`: {other} is not a value (give a string, a number or a boolean)"
                )));
            }
        };
        sets.push(format!("{name}={text}"));
    }
    let (mut options, warnings) = crate::terminal::options_from(policy, at, &sets)?;
    options.limits = limits.clone();
    Ok((options, warnings))
}

/// Facts sent in a request, read as a facts file with that content.
pub(crate) fn facts(
    policy: &Policy,
    facts: &serde_json::Map<String, serde_json::Value>,
) -> Result<(decree::Facts, Vec<Diagnostic>), ApiError> {
    Ok(decree::facts_from_serialize(policy, "request", facts)?)
}

/// An evaluation as `decree eval --format json` writes it.
pub(crate) fn evaluation(
    policy: &Policy,
    req: &EvaluateRequest,
    limits: &decree::Limits,
) -> Result<String, ApiError> {
    let (options, mut warnings) = options(policy, req.at.as_deref(), req.params.as_ref(), limits)?;
    let (facts, facts_warnings) = facts(policy, &req.facts)?;
    warnings.extend(facts_warnings);
    let evaluation = decree::evaluate(policy, &facts, &options);
    Ok(decree::report::to_json(&evaluation, &warnings))
}

/// `POST /api/policies/{id}/evaluate`
#[utoipa::path(post, path = "/api/policies/{id}/evaluate", tag = "policies",
    params(("id" = String, Path, description = "the policy's file stem")),
    request_body = EvaluateRequest,
    responses((status = 200, description = "the `decree eval --format json` document (docs/JSON.md)", body = super::schema::EvaluationDocument),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 429, body = ErrorBody),
              (status = 503, body = ErrorBody),
              (status = 413, body = ErrorBody),
              (status = 415, body = ErrorBody)))]
pub(crate) async fn evaluate(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Body(req): Body<EvaluateRequest>,
) -> Result<Response, ApiError> {
    on_served(&state, &id, req, evaluation).await
}

/// A partial profile matched to the policy, as `decree::report::json::matching`
/// writes it.
pub(crate) fn matching(
    policy: &Policy,
    req: &EvaluateRequest,
    limits: &decree::Limits,
) -> Result<String, ApiError> {
    let (options, _) = options(policy, req.at.as_deref(), req.params.as_ref(), limits)?;
    let (facts, _) = facts(policy, &req.facts)?;
    let matched = decree::matching::match_profile(policy, &facts, &options);
    Ok(decree::report::json::matching(&matched))
}

/// `POST /api/policies/{id}/match`
#[utoipa::path(post, path = "/api/policies/{id}/match", tag = "policies",
    params(("id" = String, Path, description = "the policy's file stem")),
    request_body = EvaluateRequest,
    responses((status = 200, description = "the profile match (docs/JSON.md, Profile matching): each measure's items granted, ineligible or undetermined, and for the undetermined the facts that would decide them and the most they could be worth, ranked", body = Object),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 429, body = ErrorBody),
              (status = 503, body = ErrorBody),
              (status = 413, body = ErrorBody),
              (status = 415, body = ErrorBody)))]
pub(crate) async fn profile_match(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Body(req): Body<EvaluateRequest>,
) -> Result<Response, ApiError> {
    on_served(&state, &id, req, matching).await
}

/// Answers `req` about the served policy `id` with `answer`, run under the
/// server's bounds: what `evaluate` and `match` share.
async fn on_served(
    state: &Shared,
    id: &str,
    req: EvaluateRequest,
    answer: fn(&Policy, &EvaluateRequest, &decree::Limits) -> Result<String, ApiError>,
) -> Result<Response, ApiError> {
    let policy = state.policy(id)?.policy.clone();
    let limits = decree::Limits::default();
    let text = blocking(state, move || answer(&policy, &req, &limits)).await?;
    Ok(document(text))
}
