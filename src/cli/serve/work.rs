//! CPU work off the async runtime: every evaluation, check, format,
//! hover and diff runs in `spawn_blocking`, holding one of a bounded
//! number of permits. A request that finds none free waits its turn in a
//! bounded queue (the queue full: 429), and waiting and working are each
//! under the time bound (past it: 503), so a burst of clients is served
//! in turn rather than refused.
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
    let permit = match state.work.clone().try_acquire_owned() {
        Ok(permit) => permit,
        Err(_) => queued(state).await?,
    };
    let started = std::time::Instant::now();
    let task = tokio::task::spawn_blocking(move || {
        let answer = f();
        drop(permit);
        answer
    });
    // An answer that came in past the bound (work done before the timer
    // was first looked at) is refused as one that did not come: the bound
    // holds to the millisecond, a bound of 0 refusing every evaluation.
    let answer = tokio::time::timeout(state.bounds.eval_time, task)
        .await
        .ok()
        .filter(|_| started.elapsed() <= state.bounds.eval_time);
    match answer {
        Some(Ok(answer)) => answer,
        Some(Err(e)) => Err(ApiError::internal(format!(
            "the evaluation stopped unexpectedly: {e}"
        ))),
        None => Err(ApiError::new(
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

/// Waits in the queue for a permit: refused at once when the queue is
/// full, and when the wait passes the time bound.
async fn queued(state: &Shared) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
    let place = Waiting::join(state);
    if place.ahead >= state.bounds.max_queued {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "busy",
            "too many evaluations are running and waiting; try again shortly",
        )
        .help("the bounds are --max-evaluations and --max-queued"));
    }
    let wait = tokio::time::timeout(state.bounds.eval_time, state.work.clone().acquire_owned());
    match wait.await {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(_)) => Err(ApiError::internal("the evaluation queue is closed")),
        Err(_) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "waited longer than {} ms for a free evaluation",
                state.bounds.eval_time.as_millis()
            ),
        )
        .help("the bounds are --max-evaluations and --eval-timeout-ms")),
    }
}

/// A place in the queue, given up when dropped (answered or cancelled).
struct Waiting<'s> {
    state: &'s Shared,
    /// How many were waiting before this one.
    ahead: usize,
}

impl<'s> Waiting<'s> {
    fn join(state: &'s Shared) -> Self {
        let ahead = state
            .waiting
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Waiting { state, ahead }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.state
            .waiting
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
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
