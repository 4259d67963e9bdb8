//! CPU work off the async runtime: every evaluation, check, format,
//! hover and diff runs in `spawn_blocking`, holding one of a bounded
//! number of permits (none free: 429), under a time bound (past it: 503).
//! Also the request body extractor whose rejections are the project's
//! JSON errors.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::errors::ApiError;
use super::state::Shared;

/// Runs `f` on the blocking pool under the server's bounds. The permit is
/// held by the work itself, so work that outlives its time bound still
/// counts until it ends (the library's `Limits` bound how long that is).
pub(crate) async fn blocking<T: Send + 'static>(
    state: &Shared,
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let permit = state.work.clone().try_acquire_owned().map_err(|_| {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "busy",
            "too many evaluations are running; try again shortly",
        )
        .help("the bound is --max-evaluations")
    })?;
    let task = tokio::task::spawn_blocking(move || {
        let answer = f();
        drop(permit);
        answer
    });
    match tokio::time::timeout(state.bounds.eval_time, task).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(e)) => Err(ApiError::internal(format!(
            "the evaluation stopped unexpectedly: {e}"
        ))),
        Err(_) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the evaluation took longer than {} ms",
                state.bounds.eval_time.as_millis()
            ),
        )
        .help("the bound is --eval-timeout-ms")),
    }
}

/// A JSON request body, whose rejections (malformed JSON, wrong types,
/// missing fields, a wrong content type, too large) are [`ApiError`]s.
pub(crate) struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Body(v)),
            Err(r) => Err(ApiError::from(r)),
        }
    }
}

/// A JSON document the library wrote (docs/JSON.md), answered as it is.
pub(crate) fn document(text: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        text,
    )
        .into_response()
}
