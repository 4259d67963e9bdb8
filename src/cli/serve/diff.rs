//! `/api/diff`: two versions of a policy (served ones, by id, or text sent
//! in the request) compared by `decree::diff`, with the fiscal impact over
//! the population configured at start (`--population FILE`) when asked;
//! the answer is `decree diff --format json`'s document.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use decree::ast::Program;
use decree::population::read::ReadOptions;
use decree::{Options, Policy, SourceFile};
use serde::Deserialize;
use utoipa::ToSchema;

use super::errors::{ApiError, ErrorBody};
use super::state::Shared;
use super::work::{Body, blocking, document};

/// One side of a diff: a served policy, or policy text.
#[derive(Deserialize, ToSchema)]
#[serde(untagged, deny_unknown_fields)]
pub(crate) enum Version {
    /// A policy served, by id.
    Policy {
        /// Its id.
        policy: String,
    },
    /// Policy text.
    Text {
        /// The source.
        text: String,
    },
}

/// Which population an impact is over: the one configured at start, or
/// one sent in the request (CSV with a header of fact names, or JSON
/// Lines), within the JSON body's size limit; a larger one goes through
/// `POST /api/population`, once for each version.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub(crate) enum Population {
    /// `"configured"`: the one given at start with `--population`.
    Named(Named),
    /// `{"csv": "…"}`: CSV rows sent in the request.
    Csv {
        /// The CSV text.
        csv: String,
    },
    /// `{"jsonl": "…"}`: JSON Lines sent in the request.
    JsonLines {
        /// The JSON Lines text.
        jsonl: String,
    },
}

/// A population named by a word.
#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Named {
    /// The one given at start with `--population`.
    Configured,
}

/// Where the impact's population comes from, once checked.
enum Rows {
    /// A file or folder, read as `decree diff --population` reads it.
    Path(String),
    /// CSV text.
    Csv(String),
    /// JSON Lines text.
    JsonLines(String),
}

/// `/api/diff`'s body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DiffRequest {
    old: Version,
    new: Version,
    /// `"configured"` (the fiscal impact over `--population`), or a
    /// population sent along: `{"csv": "…"}` or `{"jsonl": "…"}`.
    #[serde(default)]
    population: Option<Population>,
    /// The evaluation date of the impact.
    #[serde(default)]
    at: Option<String>,
}

/// A version, checked, with its name in the document.
type Side = (String, Arc<Policy>, Arc<Program>);

fn side(
    state: &Shared,
    v: Version,
    which: &str,
    limits: &decree::Limits,
) -> Result<Side, ApiError> {
    match v {
        Version::Policy { policy } => {
            let l = state.policy(&policy)?;
            Ok((l.id.clone(), l.policy.clone(), l.program.clone()))
        }
        Version::Text { text } => {
            let name = format!("{which}.decree");
            let src = SourceFile::new(name.as_str(), text.as_str());
            let program = decree::syntax::parse(&src, limits)?;
            let policy = decree::check_program(&src, &program)?;
            Ok((name, Arc::new(policy), Arc::new(program)))
        }
    }
}

/// `POST /api/diff`
#[utoipa::path(post, path = "/api/diff", tag = "diff", request_body = DiffRequest,
    responses((status = 200, description = "the `decree diff --format json` document (docs/JSON.md)", body = Object),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody), (status = 503, body = ErrorBody),
              (status = 413, body = ErrorBody),
              (status = 415, body = ErrorBody)))]
pub(crate) async fn diff(
    State(state): State<Shared>,
    Body(req): Body<DiffRequest>,
) -> Result<Response, ApiError> {
    let population = match req.population {
        Some(Population::Named(Named::Configured)) => {
            Some(Rows::Path(state.population.clone().ok_or_else(|| {
                ApiError::new(
                    StatusCode::CONFLICT,
                    "no_population",
                    "no population is configured",
                )
                .help("start the server with --population FILE, or send the rows: {\"csv\": \"…\"}")
            })?))
        }
        Some(Population::Csv { csv }) => Some(Rows::Csv(csv)),
        Some(Population::JsonLines { jsonl }) => Some(Rows::JsonLines(jsonl)),
        None => None,
    };
    let shared = state.clone();
    let text = blocking(&state, move || {
        let limits = &shared.bounds.limits;
        let (old_name, a, pa) = side(&shared, req.old, "old", limits)?;
        let (new_name, b, pb) = side(&shared, req.new, "new", limits)?;
        let d = decree::diff::diff(&a, &b).and_tests(&pa, &pb);
        let impact = match population {
            Some(rows) => {
                let mut options = Options::default();
                if let Some(at) = &req.at {
                    options = crate::terminal::options_from(&b, Some(at), &[])?.0;
                }
                Some(impact_over(&a, &b, &rows, &options)?)
            }
            None => None,
        };
        Ok(decree::report::json::diff(
            &old_name,
            &new_name,
            &d,
            impact.as_ref(),
        ))
    })
    .await?;
    Ok(document(text))
}

/// The fiscal impact of `a` → `b` over `rows`, each version reading them
/// afresh, as `decree diff --population` does.
fn impact_over(
    a: &Policy,
    b: &Policy,
    rows: &Rows,
    options: &Options,
) -> Result<decree::diff::Impact, ApiError> {
    use decree::population::Source;
    let read = |name: &str| ReadOptions {
        name: name.to_string(),
        ..ReadOptions::default()
    };
    let impact = match rows {
        Rows::Path(path) => {
            let read = read(path);
            let open = |p| crate::terminal::open_population(p, path, &read).map(|o| o.source);
            decree::diff::impact(a, b, open, options)?
        }
        Rows::Csv(text) => {
            let read = read("the request's csv");
            let open = |p| -> Result<Box<dyn Source<'_> + '_>, decree::Diagnostics> {
                let input = std::io::Cursor::new(text.as_bytes());
                let (csv, _) = decree::population::read::Csv::new(p, input, &read)?;
                Ok(Box::new(csv))
            };
            decree::diff::impact(a, b, open, options)?
        }
        Rows::JsonLines(text) => {
            let read = read("the request's jsonl");
            let open = |p| -> Result<Box<dyn Source<'_> + '_>, decree::Diagnostics> {
                let input = std::io::Cursor::new(text.as_bytes());
                let rows = decree::population::read::JsonLines::new(p, input, read.clone());
                Ok(Box::new(rows))
            };
            decree::diff::impact(a, b, open, options)?
        }
    };
    Ok(impact)
}
