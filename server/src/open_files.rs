//! The open-file limit: every connection is a file descriptor, and the
//! usual soft limit (1024) would cap the relay far below `--max-connections`.

/// Raises the soft open-file limit to the hard one; returns the limit now in
/// force. Elsewhere than on Unix, an error says it cannot.
#[cfg(unix)]
pub fn raise_to_hard_limit() -> std::io::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid rlimit for getrlimit to fill.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: `raised` is a valid rlimit within the hard limit.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        limit = raised;
    }
    // rlim_t is u64 on Linux, not on every Unix.
    #[allow(clippy::unnecessary_cast)]
    Ok(limit.rlim_cur as u64)
}

#[cfg(not(unix))]
pub fn raise_to_hard_limit() -> std::io::Result<u64> {
    Err(std::io::Error::other("not a Unix system"))
}
