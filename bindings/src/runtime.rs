//! The one tokio runtime every call runs on, built on first use and kept for the process.
//!
//! Phones create and end many calls in one process; a runtime per call would start and stop
//! threads each time. Two workers match the work (one call at a time, codecs on their own
//! threads in the core).

use std::sync::OnceLock;

use tokio::runtime::{Handle, Runtime};

use crate::error::CallError;

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// Worker threads: enough for signaling, ICE and RTP of one call without starving each other.
const WORKER_THREADS: usize = 2;

/// A handle to the shared runtime, building it the first time.
pub(crate) fn handle() -> Result<Handle, CallError> {
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt.handle().clone());
    }
    let built = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKER_THREADS)
        .thread_name("videochat-rt")
        .enable_all()
        .build()
        .map_err(|e| CallError::Internal {
            reason: format!("cannot start the runtime: {e}"),
        })?;
    // Two first calls may race here; the loser's runtime is dropped unused (no tasks yet).
    let _ = RUNTIME.set(built);
    RUNTIME
        .get()
        .map(|rt| rt.handle().clone())
        .ok_or_else(|| CallError::Internal {
            reason: "runtime vanished".to_owned(),
        })
}
