//! Policy text sent in a request (the studio's editor): problems and the
//! formatted text (`/api/check`), formatting, hover and completion through
//! the language service ([`decree::service::Document`]), and evaluating
//! the text (`/api/evaluate`) under [`decree::Limits`] and a time bound.
//! The service never reads a file here: an `include` is answered with an
//! error.

use axum::extract::State;
use axum::response::Response;
use decree::SourceFile;
use decree::service::{self, Document};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::errors::{ApiError, ErrorBody};
use super::policies::{EvaluateRequest, evaluation};
use super::state::Shared;
use super::work::{Body, blocking, document};

/// A position: 0-based line, UTF-16 column (as CodeMirror and LSP count).
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy)]
pub(crate) struct Position {
    line: u32,
    character: u32,
}

/// A half-open range of positions.
#[derive(Serialize, ToSchema)]
pub(crate) struct Range {
    start: Position,
    end: Position,
}

impl From<service::Range> for Range {
    fn from(r: service::Range) -> Range {
        let p = |p: service::Position| Position {
            line: p.line,
            character: p.character,
        };
        Range {
            start: p(r.start),
            end: p(r.end),
        }
    }
}

/// A problem of the text, as the language service gives it.
#[derive(Serialize, ToSchema)]
pub(crate) struct Problem {
    range: Range,
    /// `error` or `warning`.
    severity: String,
    /// `decree::…`
    code: String,
    message: String,
    related: Vec<Related>,
    help: Option<String>,
}

/// Another place a problem points at.
#[derive(Serialize, ToSchema)]
pub(crate) struct Related {
    range: Range,
    message: String,
}

/// `/api/check`'s answer.
#[derive(Serialize, ToSchema)]
pub(crate) struct CheckAnswer {
    diagnostics: Vec<Problem>,
    /// The text as `decree fmt` writes it; null when it does not parse.
    formatted: Option<String>,
}

/// `/api/check`'s body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckRequest {
    text: String,
    /// The document's name in diagnostics (default `draft.decree`).
    #[serde(default)]
    name: Option<String>,
}

/// `/api/format`'s body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FormatRequest {
    text: String,
}

/// `/api/format`'s answer.
#[derive(Serialize, ToSchema)]
pub(crate) struct FormatAnswer {
    text: String,
}

/// `/api/hover`'s body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct HoverRequest {
    text: String,
    position: Position,
    /// An example enterprise's id: an item's hover then shows its value.
    #[serde(default)]
    example: Option<String>,
}

/// `/api/hover`'s answer (or null).
#[derive(Serialize, ToSchema)]
pub(crate) struct HoverAnswer {
    markdown: String,
    range: Range,
}

/// `/api/complete`'s body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CompleteRequest {
    text: String,
    position: Position,
}

/// One completion.
#[derive(Serialize, ToSchema)]
pub(crate) struct Completion {
    label: String,
    /// `fact`, `param`, `item`, `enum`, `enum_value`, `keyword`, `unit`.
    kind: String,
    detail: Option<String>,
}

/// `/api/evaluate`'s body: the policy's text and an evaluation's.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EvaluateTextRequest {
    /// The policy's source.
    text: String,
    #[schema(value_type = Object)]
    facts: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    params: Option<std::collections::BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    at: Option<String>,
}

/// The name policy text in a request goes by.
const DRAFT: &str = "draft.decree";

/// The service's answer to an `include`: no file is opened for a request.
fn no_include(path: &str) -> service::Included {
    Err(format!(
        "`{path}`: the server opens no file named in a request"
    ))
}

/// A document for request text, refused past the request limit.
fn document_of(name: &str, text: &str, limits: &decree::Limits) -> Result<Document, ApiError> {
    if text.len() > limits.max_source_bytes {
        return Err(decree::Diagnostic::error(
            decree::Code::Limit,
            format!(
                "the text is {} bytes, more than the {} a request may send",
                text.len(),
                limits.max_source_bytes
            ),
        )
        .into());
    }
    Ok(Document::new(name, text, &no_include))
}

fn problem(p: &service::Problem) -> Problem {
    Problem {
        range: p.range.into(),
        severity: match p.severity {
            decree::diagnostic::Severity::Error => "error".into(),
            decree::diagnostic::Severity::Warning => "warning".into(),
        },
        code: p.code.as_str().into(),
        message: p.message.clone(),
        related: p
            .related
            .iter()
            .map(|r| Related {
                range: r.range.into(),
                message: r.message.clone(),
            })
            .collect(),
        help: p.help.clone(),
    }
}

fn position(p: Position) -> service::Position {
    service::Position::new(p.line, p.character)
}

/// `POST /api/check`
#[utoipa::path(post, path = "/api/check", tag = "text", request_body = CheckRequest,
    responses((status = 200, body = CheckAnswer), (status = 400, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 415, body = ErrorBody),
              (status = 429, body = ErrorBody),
              (status = 503, body = ErrorBody)))]
pub(crate) async fn check(
    State(state): State<Shared>,
    Body(req): Body<CheckRequest>,
) -> Result<axum::Json<CheckAnswer>, ApiError> {
    let limits = state.bounds.limits.clone();
    blocking(&state, move || {
        let name = req.name.as_deref().unwrap_or(DRAFT);
        let doc = document_of(name, &req.text, &limits)?;
        Ok(axum::Json(CheckAnswer {
            diagnostics: doc.problems().iter().map(problem).collect(),
            formatted: doc.formatted(),
        }))
    })
    .await
}

/// `POST /api/format`
#[utoipa::path(post, path = "/api/format", tag = "text", request_body = FormatRequest,
    responses((status = 200, body = FormatAnswer), (status = 400, body = ErrorBody),
              (status = 422, body = ErrorBody),
              (status = 413, body = ErrorBody),
              (status = 415, body = ErrorBody),
              (status = 429, body = ErrorBody),
              (status = 503, body = ErrorBody)))]
pub(crate) async fn format(
    State(state): State<Shared>,
    Body(req): Body<FormatRequest>,
) -> Result<axum::Json<FormatAnswer>, ApiError> {
    let limits = state.bounds.limits.clone();
    blocking(&state, move || {
        let src = SourceFile::new(DRAFT, req.text.as_str());
        let program = decree::syntax::parse(&src, &limits)?;
        let surface = decree::fmt::detect_surface(&req.text);
        Ok(axum::Json(FormatAnswer {
            text: decree::fmt::format(&src, &program, surface),
        }))
    })
    .await
}

/// `POST /api/hover`
#[utoipa::path(post, path = "/api/hover", tag = "text", request_body = HoverRequest,
    responses((status = 200, body = Option<HoverAnswer>), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 413, body = ErrorBody),
              (status = 415, body = ErrorBody),
              (status = 429, body = ErrorBody),
              (status = 503, body = ErrorBody)))]
pub(crate) async fn hover(
    State(state): State<Shared>,
    Body(req): Body<HoverRequest>,
) -> Result<axum::Json<Option<HoverAnswer>>, ApiError> {
    let example = match &req.example {
        Some(id) => Some(state.example(id)?.source.clone()),
        None => None,
    };
    let limits = state.bounds.limits.clone();
    blocking(&state, move || {
        let mut doc = document_of(DRAFT, &req.text, &limits)?;
        // The example is evaluated today, as an evaluation without `at` is.
        doc.set_example_date(Some(jiff::Zoned::now().date()));
        let hover = doc.hover(position(req.position), example.as_ref());
        Ok(axum::Json(hover.map(|h| HoverAnswer {
            markdown: h.markdown,
            range: h.range.into(),
        })))
    })
    .await
}

/// `POST /api/complete`
#[utoipa::path(post, path = "/api/complete", tag = "text", request_body = CompleteRequest,
    responses((status = 200, body = [Completion]), (status = 400, body = ErrorBody),
              (status = 413, body = ErrorBody),
              (status = 415, body = ErrorBody),
              (status = 429, body = ErrorBody),
              (status = 503, body = ErrorBody)))]
pub(crate) async fn complete(
    State(state): State<Shared>,
    Body(req): Body<CompleteRequest>,
) -> Result<axum::Json<Vec<Completion>>, ApiError> {
    let limits = state.bounds.limits.clone();
    blocking(&state, move || {
        let doc = document_of(DRAFT, &req.text, &limits)?;
        let all = doc.completions(position(req.position));
        Ok(axum::Json(
            all.into_iter()
                .map(|c| Completion {
                    label: c.label,
                    kind: kind(c.kind).into(),
                    detail: c.detail,
                })
                .collect(),
        ))
    })
    .await
}

fn kind(k: service::CompletionKind) -> &'static str {
    use service::CompletionKind as K;
    match k {
        K::Fact => "fact",
        K::Param => "param",
        K::Item => "item",
        K::Enum => "enum",
        K::EnumValue => "enum_value",
        K::Keyword => "keyword",
        K::Unit => "unit",
    }
}

/// `POST /api/evaluate`
#[utoipa::path(post, path = "/api/evaluate", tag = "text", request_body = EvaluateTextRequest,
    responses((status = 200, description = "the `decree eval --format json` document (docs/JSON.md)", body = super::schema::EvaluationDocument),
              (status = 400, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 429, body = ErrorBody),
              (status = 503, body = ErrorBody),
              (status = 415, body = ErrorBody)))]
pub(crate) async fn evaluate(
    State(state): State<Shared>,
    Body(req): Body<EvaluateTextRequest>,
) -> Result<Response, ApiError> {
    let limits = state.bounds.limits.clone();
    let text = blocking(&state, move || {
        let src = SourceFile::new(DRAFT, req.text.as_str());
        let policy = decree::load_with(&src, &limits)?;
        let eval = EvaluateRequest {
            facts: req.facts,
            params: req.params,
            at: req.at,
        };
        evaluation(&policy, &eval, &limits)
    })
    .await?;
    Ok(document(text))
}
