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

/// Which population an impact is over.
#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Population {
    /// The one given at start with `--population`.
    Configured,
}

/// `/api/diff`'s body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DiffRequest {
    old: Version,
    new: Version,
    /// `"configured"`: add the fiscal impact over `--population`.
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
        Some(Population::Configured) => Some(state.population.clone().ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "no_population",
                "no population is configured",
            )
            .help("start the server with --population FILE")
        })?),
        None => None,
    };
    let shared = state.clone();
    let text = blocking(&state, move || {
        let limits = &shared.bounds.limits;
        let (old_name, a, pa) = side(&shared, req.old, "old", limits)?;
        let (new_name, b, pb) = side(&shared, req.new, "new", limits)?;
        let d = decree::diff::diff(&a, &b).and_tests(&pa, &pb);
        let impact = match population {
            Some(path) => {
                let mut options = Options::default();
                if let Some(at) = &req.at {
                    options = crate::terminal::options_from(&b, Some(at), &[])?.0;
                }
                let read = ReadOptions {
                    name: path.clone(),
                    ..ReadOptions::default()
                };
                let open = |p| crate::terminal::open_population(p, &path, &read).map(|o| o.source);
                Some(decree::diff::impact(&a, &b, open, &options)?)
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
