//! The CLI writing into a pipe whose reader has gone (`coupon-engine cards … | head`):
//! it ends quietly with status 0, never with a panic, whether the reader went before
//! the first write or after reading a line, for `cards` and for `evaluate`.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The example request files, each named `rounds` times: the cards of all of them are
/// more than a pipe holds, so the CLI is still writing when the reader goes.
fn many_examples(rounds: usize) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(format!("{ROOT}/examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 16, "the example requests are missing");
    files
        .iter()
        .cycle()
        .take(files.len() * rounds)
        .cloned()
        .collect()
}

fn cli(args: impl IntoIterator<Item = impl AsRef<std::ffi::OsStr>>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_coupon-engine"));
    command
        .current_dir(ROOT)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Exit status 0, and nothing on stderr (no panic message, no error).
fn assert_quiet_success(output: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{what} panicked: {stderr}");
    assert_ne!(output.status.code(), Some(101), "{what}: {stderr}");
    assert_eq!(output.status.code(), Some(0), "{what}: {stderr}");
    assert!(stderr.is_empty(), "{what} wrote to stderr: {stderr}");
}

fn spawn(command: &mut Command) -> Child {
    command.spawn().expect("the CLI starts")
}

#[test]
fn cards_into_a_pipe_closed_before_the_first_write_end_quietly() {
    let files = many_examples(60);
    // Sure to outlast a pipe's buffer: otherwise every write could succeed.
    let full = cli(["cards"]).args(&files).output().unwrap();
    assert_quiet_success(&full, "cards into an open pipe");
    assert!(
        full.stdout.len() > 256 << 10,
        "only {} bytes",
        full.stdout.len()
    );

    let mut child = spawn(cli(["cards"]).args(&files));
    drop(child.stdout.take());
    assert_quiet_success(
        &child.wait_with_output().unwrap(),
        "cards into a closed pipe",
    );
}

#[test]
fn cards_into_head_end_quietly() {
    let mut child = spawn(cli(["cards"]).args(many_examples(60)));
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("── "), "{first}");
    // The reader is dropped here, as `head -n 1` exits after its line.
    assert_quiet_success(&child.wait_with_output().unwrap(), "cards | head -n 1");
}

/// The request arrives on stdin only once the reader of stdout is gone, so the
/// first write meets a closed pipe for certain.
#[test]
fn evaluate_pretty_into_a_closed_pipe_ends_quietly() {
    let request = std::fs::read(format!("{ROOT}/examples/15-best-combination.json")).unwrap();
    let mut child = spawn(cli(["evaluate", "--pretty", "/dev/stdin"]).stdin(Stdio::piped()));
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&request).unwrap();
    drop(stdin);
    assert_quiet_success(
        &child.wait_with_output().unwrap(),
        "evaluate --pretty into a closed pipe",
    );
}

/// A bad input still fails with status 2 when stderr's reader is gone too: the
/// error has nowhere to go, and saying so must not panic either.
#[test]
fn an_input_error_with_stderr_closed_is_still_status_2() {
    let mut child = spawn(cli(["evaluate", "/dev/stdin"]).stdin(Stdio::piped()));
    drop(child.stdout.take());
    drop(child.stderr.take());
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"{").unwrap();
    drop(stdin);
    assert_eq!(child.wait().unwrap().code(), Some(2));
}

/// The pipelines of the issue as a shell runs them under `set -o pipefail`, where the
/// pipeline's status is the CLI's: `cards … | head -2`, and `evaluate … | head` with a
/// reader gone before the request arrives (`head -n 0` leaves at once).
#[test]
fn shell_pipelines_into_head_exit_0() {
    let files = many_examples(60);
    let late_request = "{ sleep 0.3; cat examples/15-best-combination.json; }";
    for script in [
        r#""$0" cards "$@" | head -2 > /dev/null"#.to_string(),
        format!(r#"{late_request} | "$0" evaluate --pretty | head -n 0"#),
        format!(r#"{late_request} | "$0" evaluate - | head -n 0"#),
    ] {
        let output = Command::new("bash")
            .current_dir(ROOT)
            .args([
                "-o",
                "pipefail",
                "-c",
                &script,
                env!("CARGO_BIN_EXE_coupon-engine"),
            ])
            .args(&files)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_quiet_success(&output, &script);
    }
}
