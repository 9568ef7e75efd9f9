//! The process helpers themselves: a child that hangs fails the test at its
//! deadline, with a message that says what was awaited, instead of blocking it.

use std::process::Command;
use std::time::Duration;

use videochat_e2e::{Process, joined_role};

fn sleeper() -> Process {
    let mut command = Command::new("sleep");
    command.arg("60");
    Process::spawn("sleeper", command)
}

#[test]
#[should_panic(expected = "sleeper did not exit within")]
fn a_child_that_does_not_exit_fails_at_the_deadline() {
    sleeper().finish(Duration::from_millis(200));
}

#[test]
#[should_panic(expected = "sleeper printed no joined event within")]
fn a_line_that_never_comes_fails_at_the_deadline() {
    sleeper().wait_for_stderr(Duration::from_millis(200), "joined event", joined_role);
}
