//! How the CLI takes its inputs and reports bad ones: a request on standard input
//! (`evaluate -`, `evaluate < file`), a missing file told apart from bad JSON, and
//! `cards` naming each bad file in a line of text while it goes on with the others;
//! and what `evaluate` prints: the bytes of the core's one writer.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const GOOD: &str = "examples/07-win-back.json";
const OTHER: &str = "examples/01-loyalty-10-percent.json";

fn cli(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_coupon-engine"));
    command.current_dir(ROOT).args(args);
    command
}

/// Runs the CLI with `stdin` as its standard input.
fn with_stdin(args: &[&str], stdin: Stdio) -> Output {
    cli(args).stdin(stdin).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// A scratch directory of this test process, holding one file with a bad quantity.
fn scratch(name: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("coupon-engine-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"bundle":{"currency":"INR","coupons":[]},"customer":{"id":"c"},"cart":{"currency":"INR","lines":[{"id":"l","productId":"p","unitPrice":"1.00","quantity":0}]},"context":{"now":"2026-11-22T10:00:00Z"}}"#).unwrap();
    (dir, bad)
}

fn cards_of(path: &str) -> String {
    let output = cli(&["cards", path]).output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    text(&output.stdout)
}

#[test]
fn evaluate_reads_the_request_from_standard_input() {
    let from_file = cli(&["evaluate", GOOD]).output().unwrap();
    assert!(from_file.status.success(), "{}", text(&from_file.stderr));

    // `evaluate - < file` and `evaluate < file`: stdin is the file.
    for args in [&["evaluate", "-"][..], &["evaluate"][..]] {
        let file = std::fs::File::open(Path::new(ROOT).join(GOOD)).unwrap();
        let output = with_stdin(args, Stdio::from(file));
        assert!(
            output.status.success(),
            "{args:?}: {}",
            text(&output.stderr)
        );
        assert_eq!(text(&output.stdout), text(&from_file.stdout), "{args:?}");
    }

    // `cat file | evaluate`: stdin is a pipe.
    let mut child = cli(&["evaluate"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let request = std::fs::read(Path::new(ROOT).join(GOOD)).unwrap();
    child.stdin.take().unwrap().write_all(&request).unwrap();
    let piped = child.wait_with_output().unwrap();
    assert!(piped.status.success());
    assert_eq!(text(&piped.stdout), text(&from_file.stdout));
}

#[test]
fn cards_reads_standard_input_for_a_dash() {
    let file = std::fs::File::open(Path::new(ROOT).join(GOOD)).unwrap();
    let output = with_stdin(&["cards", "-"], Stdio::from(file));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let want = cards_of(GOOD).replacen(GOOD, "stdin", 1);
    assert_eq!(text(&output.stdout), want);
}

#[test]
fn a_missing_file_is_file_not_found_with_its_path_not_invalid_json() {
    let missing = "examples/no-such-request.json";
    let output = with_stdin(&["evaluate", missing], Stdio::null());
    assert_eq!(output.status.code(), Some(2));
    let e: serde_json::Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(e["code"], "file_not_found");
    assert_eq!(e["path"], missing);
    assert!(
        e["message"].as_str().unwrap().starts_with("cannot read"),
        "{e}"
    );

    // Each of the split inputs too.
    let output = with_stdin(
        &[
            "evaluate",
            "--bundle",
            missing,
            "--customer",
            GOOD,
            "--cart",
            GOOD,
            "--context",
            GOOD,
        ],
        Stdio::null(),
    );
    let e: serde_json::Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(
        (e["code"].as_str(), e["path"].as_str()),
        (Some("file_not_found"), Some(missing))
    );

    // A file that exists but cannot be read as a file is an io_error, still not invalid_json.
    let output = with_stdin(&["evaluate", "examples"], Stdio::null());
    assert_eq!(output.status.code(), Some(2));
    let e: serde_json::Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(
        (e["code"].as_str(), e["path"].as_str()),
        (Some("io_error"), Some("examples"))
    );

    // Bad JSON stays invalid_json.
    let (dir, _) = scratch("syntax");
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{,").unwrap();
    let output = with_stdin(&["evaluate", broken.to_str().unwrap()], Stdio::null());
    let e: serde_json::Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(e["code"], "invalid_json");
}

#[test]
fn cards_names_each_bad_file_in_text_and_goes_on_with_the_others() {
    let (_dir, bad) = scratch("cards");
    let bad = bad.to_str().unwrap();
    let missing = "examples/no-such-request.json";
    let output = with_stdin(&["cards", GOOD, bad, missing, OTHER], Stdio::null());

    // Status 2 at the end, after the cards of both good files, in order.
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(text(&output.stdout), cards_of(GOOD) + &cards_of(OTHER));

    // One readable line per bad file, naming it, the field and the code: no JSON.
    let stderr = text(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines,
        [
            format!("coupon-engine: {bad}: cart.lines[0].quantity: must be at least 1 (invalid_quantity)"),
            format!("coupon-engine: {missing}: cannot read: No such file or directory (os error 2) (file_not_found)"),
        ],
        "{stderr}"
    );
    assert!(!stderr.contains('{'), "{stderr}");
}

#[test]
fn evaluate_keeps_its_errors_as_json() {
    let (_dir, bad) = scratch("evaluate");
    let output = with_stdin(&["evaluate", bad.to_str().unwrap()], Stdio::null());
    assert_eq!(output.status.code(), Some(2));
    let e: serde_json::Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(
        e,
        serde_json::json!({"code": "invalid_quantity", "path": "cart.lines[0].quantity", "message": "must be at least 1"})
    );
}

#[test]
fn evaluate_prints_what_every_runtime_returns_and_pretty_only_indents_it() {
    let mut examples: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    examples.sort();
    assert!(
        examples.len() >= 16,
        "expected the examples, found {}",
        examples.len()
    );
    for path in &examples {
        let name = path.to_str().unwrap();
        let request = std::fs::read_to_string(path).unwrap();
        let expected = coupon_engine::evaluate_json(&request).unwrap();
        let compact = cli(&["evaluate", name]).output().unwrap();
        assert!(
            compact.status.success(),
            "{name}: {}",
            text(&compact.stderr)
        );
        assert_eq!(text(&compact.stdout), format!("{expected}\n"), "{name}");

        let pretty = cli(&["evaluate", "--pretty", name]).output().unwrap();
        assert!(pretty.status.success(), "{name}: {}", text(&pretty.stderr));
        let pretty = text(&pretty.stdout);
        assert!(
            pretty.contains("\n  \"currency\": "),
            "{name}: not indented:\n{pretty}"
        );
        // The same document in the same key order (serde_json keeps the order here).
        let reread: serde_json::Value = serde_json::from_str(&pretty).unwrap();
        assert_eq!(serde_json::to_string(&reread).unwrap(), expected, "{name}");
    }
}

#[test]
fn codes_are_distinct_codes_of_their_batch_from_a_secure_generator() {
    let (dir, bundle) = scratch("codes");
    let request: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("tests/vectors/code-batch-entered.json").unwrap(),
    )
    .unwrap();
    std::fs::write(&bundle, request["request"]["bundle"].to_string()).unwrap();
    let bundle = bundle.to_str().unwrap();
    let out = cli(&[
        "codes", "--bundle", bundle, "--coupon", "missyou", "--count", "2000",
    ])
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let codes: Vec<String> = text(&out.stdout).lines().map(str::to_string).collect();
    let batch = code_batch::Batch {
        prefix: "MISSYOU-",
        length: 8,
        salt: "winback-2026-12-batch-a",
    };
    assert_eq!(codes.len(), 2000);
    assert!(
        codes.iter().all(|c| batch.matches(c)),
        "a code outside the batch"
    );
    let distinct: std::collections::HashSet<_> = codes.iter().collect();
    assert_eq!(distinct.len(), 2000);
    // Two runs share no code: the generator is not seeded the same way twice.
    let again = cli(&[
        "codes", "--bundle", bundle, "--coupon", "missyou", "--count", "2000",
    ])
    .output()
    .unwrap();
    assert!(text(&again.stdout)
        .lines()
        .all(|c| !distinct.contains(&c.to_string())));
    for (args, code, path) in [
        (
            &["--coupon", "nope", "--count", "1"][..],
            "invalid_value",
            "coupon",
        ),
        (
            &["--coupon", "missyou", "--count", "0"][..],
            "out_of_range",
            "count",
        ),
        // 31^8 codes are too few to keep a million of them from being guessed.
        (
            &["--coupon", "missyou", "--count", "1000000"][..],
            "out_of_range",
            "bundle.coupons[0].codeBatch.length",
        ),
    ] {
        let out = cli(&[&["codes", "--bundle", bundle][..], args].concat())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let e: serde_json::Value = serde_json::from_str(text(&out.stderr).trim()).unwrap();
        assert_eq!(
            (e["code"].as_str(), e["path"].as_str()),
            (Some(code), Some(path)),
            "{e}"
        );
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn sign_fills_in_the_time_zones_offsets_from_the_database() {
    let (dir, _) = scratch("sign-zone");
    let key = dir.join("key.jwk");
    let _ = std::fs::remove_file(&key);
    let keygen = cli(&["keygen", "--kid", "k1", "--out", key.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(keygen.status.success(), "{}", text(&keygen.stderr));
    let jwks = dir.join("jwks.json");
    std::fs::write(&jwks, &keygen.stdout).unwrap();
    let sign = |zone: &str| {
        let bundle = dir.join("bundle.json");
        std::fs::write(
            &bundle,
            format!(
                r#"{{"currency": "UAH", "coupons": [{{"id": "happy", "application": "automatic",
                   "discount": {{"percentage": {{"percent": "15"}}}}, "schedule": ["17:00-20:00"],
                   "display": {{"title": "Happy hour"}}}}], "timeZone": {{"name": "{zone}"}}}}"#
            ),
        )
        .unwrap();
        cli(&[
            "sign",
            "--key",
            key.to_str().unwrap(),
            "--bundle",
            bundle.to_str().unwrap(),
            "--now",
            "2026-10-20T00:00:00Z",
        ])
        .output()
        .unwrap()
    };
    // Kyiv's October change falls within the span: the day before the bundle is
    // issued to a month after it expires.
    let signed = sign("Europe/Kyiv");
    assert!(signed.status.success(), "{}", text(&signed.stderr));
    let token = dir.join("bundle.jws");
    std::fs::write(&token, &signed.stdout).unwrap();
    let verified = cli(&[
        "verify",
        "--jwks",
        jwks.to_str().unwrap(),
        token.to_str().unwrap(),
        "--now",
        "2026-10-20T00:10:00Z",
    ])
    .output()
    .unwrap();
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    let payload: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert_eq!(
        payload["bundle"]["timeZone"],
        serde_json::json!({"name": "Europe/Kyiv", "offsets": [
            "2026-10-19T03:00:00+03:00", "2026-10-25T03:00:00+02:00"]})
    );
    // A name the database does not know is refused before anything is signed.
    let unknown = sign("Mars/Olympus_Mons");
    assert_eq!(unknown.status.code(), Some(2));
    let e: serde_json::Value = serde_json::from_slice(&unknown.stderr).unwrap();
    assert_eq!(
        (e["code"].as_str(), e["path"].as_str()),
        (Some("invalid_value"), Some("bundle.timeZone.name"))
    );
}
