//! Locking that survives a panicked holder.

use std::sync::{Mutex, MutexGuard};

/// Locks `mutex`, taking the data even if a holder panicked: everything the
/// core guards this way (buffers, counters, handles) stays valid whatever
/// step a panic interrupted, and one panic must not take the call down.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
