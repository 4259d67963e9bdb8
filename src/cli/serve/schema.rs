//! The OpenAPI schema of the evaluation document the evaluate routes
//! answer with: `decree eval --format json` (docs/JSON.md), which
//! `decree::report::to_json` writes. Its fields are the library's result
//! types' own (`decree::eval::Evaluation` and what it holds derive
//! `utoipa::ToSchema` beside `Serialize`), so a field added to the JSON is
//! in the schema without a word here; `tests/serve.rs` checks every
//! answer's fields are declared.

use serde::Serialize;
use utoipa::ToSchema;

/// An evaluation as `decree eval --format json` writes it: the
/// evaluation's fields, then its diagnostics (errors met while
/// evaluating, then warnings about the facts).
#[derive(Serialize, ToSchema)]
// A schema only: the document is written by `decree::report::to_json`,
// the one JSON writer; this type says its shape and is never built.
#[allow(dead_code)]
pub(crate) struct EvaluationDocument {
    #[serde(flatten)]
    evaluation: decree::eval::Evaluation,
    /// Each diagnostic as in `decree check --format json`.
    #[schema(value_type = Vec<Object>)]
    diagnostics: Vec<serde_json::Value>,
}
