//! The OpenAPI 3 document of every route (`GET /openapi.json`), gathered
//! by utoipa from the handlers' annotations and the bodies' types.

use utoipa::OpenApi;

use super::{diff, errors, jobs, policies, studio, text};

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "decree serve",
        description = "Policies as code, evaluated exactly: the API of `decree serve` (docs/API.md)."
    ),
    paths(
        policies::list,
        policies::get,
        policies::source,
        policies::examples,
        policies::example,
        policies::evaluate,
        policies::profile_match,
        text::evaluate,
        text::check,
        text::format,
        text::hover,
        text::complete,
        diff::diff,
        jobs::start,
        jobs::status,
        jobs::result,
        document,
        studio::index,
        studio::asset,
    ),
    components(schemas(errors::ErrorBody, errors::ErrorDetail))
)]
pub(crate) struct Api;

/// `GET /openapi.json`
#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "this document", body = Object)))]
pub(crate) async fn document() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(Api::openapi())
}
