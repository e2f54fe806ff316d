//! The release WebAssembly module is built with `-Zfmt-debug=none`
//! (scripts/wasm-size.env), where `{:?}` writes nothing: a message such as
//! `format!("code {code:?} is used")` read "code  is used" in the browser while the
//! native engine wrote the code. Native tests cannot see that, so this test keeps
//! `{:?}` out of the code the module is built from (`src/`, outside its test modules
//! and the native-only CLI); messages quote values with `json::Quoted`.

use std::fs;
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            // The CLI is native only; it never goes into the module.
            if path.file_name().is_some_and(|n| n == "bin") {
                continue;
            }
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_modules_code_never_formats_with_debug() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("wasm/src"), &mut files);
    assert!(files.len() > 20, "found only {} source files", files.len());
    let mut found = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        // Test modules sit at the end of a file and run natively only.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in code.lines().enumerate() {
            let comment = line.trim_start().starts_with("//");
            if !comment && (line.contains(":?}") || line.contains(":#?}")) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "`{{:?}}` writes nothing in the release module; quote with json::Quoted:\n{}",
        found.join("\n")
    );
}
