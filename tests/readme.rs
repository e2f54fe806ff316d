//! The README shows, for every seed scenario in `examples/`, the cards the CLI prints.
//! This test runs the CLI and fails when the README no longer shows the truth.

use std::process::Command;

#[test]
fn readme_shows_what_the_cli_prints_for_every_example() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let mut examples: Vec<_> = std::fs::read_dir(format!("{root}/examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    examples.sort();
    assert!(
        examples.len() >= 16,
        "the seed scenarios and the discount kinds"
    );
    for path in examples {
        let relative = path.strip_prefix(root).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_coupon-engine"))
            .current_dir(root)
            .arg("cards")
            .arg(relative)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let cards = String::from_utf8(output.stdout).unwrap();
        assert!(
            readme.contains(cards.trim_end()),
            "README is stale for {}:\n{cards}",
            relative.display()
        );
    }
}

#[test]
fn cli_prints_result_json_and_typed_errors() {
    let root = env!("CARGO_MANIFEST_DIR");
    let ok = Command::new(env!("CARGO_BIN_EXE_coupon-engine"))
        .current_dir(root)
        .args(["evaluate", "examples/07-win-back.json"])
        .output()
        .unwrap();
    assert!(ok.status.success());
    let result: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(result["cards"][0]["progress"][0]["remaining"], "420.00");

    let dir = std::env::temp_dir().join(format!("coupon-engine-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"bundle":{"currency":"INR","coupons":[]},"customer":{"id":"c"},"cart":{"currency":"INR","lines":[{"id":"l","productId":"p","unitPrice":"1.00","quantity":0}]},"context":{"now":"2026-11-22T10:00:00Z"}}"#).unwrap();
    let err = Command::new(env!("CARGO_BIN_EXE_coupon-engine"))
        .arg("evaluate")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(err.status.code(), Some(2));
    let e: serde_json::Value = serde_json::from_slice(&err.stderr).unwrap();
    assert_eq!(
        (e["code"].as_str(), e["path"].as_str()),
        (Some("invalid_quantity"), Some("cart.lines[0].quantity"))
    );
    // Split inputs give the same result as a request file.
    let request: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{root}/examples/07-win-back.json")).unwrap(),
    )
    .unwrap();
    let mut args = vec!["evaluate".to_string()];
    for part in ["bundle", "customer", "cart", "context"] {
        let file = dir.join(format!("{part}.json"));
        std::fs::write(&file, request[part].to_string()).unwrap();
        args.push(format!("--{part}"));
        args.push(file.display().to_string());
    }
    let split = Command::new(env!("CARGO_BIN_EXE_coupon-engine"))
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&split.stdout),
        String::from_utf8_lossy(&ok.stdout)
    );
}
