//! Refuses to build the core on x86 without `nasm`.
//!
//! openh264-sys2 compiles openh264's x86 assembly only when `nasm` runs; otherwise it prints a
//! line nobody sees and falls back to plain C, 2.5-3x slower (720p encoding then no longer fits
//! a 30 fps budget on a phone-class core). This check runs the same probe (`$NASM` or `nasm`
//! from PATH, `-v`) and stops the build with the fix in the message.
//!
//! Escape hatch, for someone who knowingly accepts the slow C build:
//! `VIDEOCHAT_ALLOW_NO_NASM=1 cargo build`.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=NASM");
    println!("cargo:rerun-if-env-changed=OPENH264_NO_ASM");
    println!("cargo:rerun-if-env-changed=VIDEOCHAT_ALLOW_NO_NASM");

    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if arch != "x86_64" && arch != "x86" {
        return; // openh264 has no nasm assembly elsewhere (arm uses the C compiler's assembler).
    }
    let problem = if std::env::var_os("OPENH264_NO_ASM").is_some() {
        Some("OPENH264_NO_ASM is set, so openh264 builds without its assembly".to_owned())
    } else {
        nasm_problem()
    };
    let Some(problem) = problem else { return };
    if std::env::var_os("VIDEOCHAT_ALLOW_NO_NASM").is_some() {
        println!("cargo:warning=openh264 without assembly (2.5-3x slower H.264): {problem}");
        return;
    }
    panic!(
        "\n\n{problem}.\nopenh264 would silently fall back to plain C (2.5-3x slower H.264).\n\
         Install nasm: apt-get install nasm   (macOS: brew install nasm)\n\
         or set VIDEOCHAT_ALLOW_NO_NASM=1 to accept the slow build.\n\n"
    );
}

/// `None` when nasm runs and reports a version, otherwise what went wrong.
fn nasm_problem() -> Option<String> {
    let nasm = std::env::var("NASM").unwrap_or_else(|_| "nasm".to_owned());
    match Command::new(&nasm).arg("-v").output() {
        Ok(out)
            if out.status.success()
                && String::from_utf8_lossy(&out.stdout).contains("NASM version") =>
        {
            None
        }
        Ok(out) => Some(format!(
            "`{nasm} -v` did not report a NASM version (exit status {})",
            out.status
        )),
        Err(error) => Some(format!("`{nasm}` could not be run ({error})")),
    }
}
