//! Embeds the shared vectors (`../tests/vectors/`) and the bad-input catalogue
//! (`../tests/bad-inputs/`) into the wasm tests, which cannot read files in a browser.

use std::{env, fs, path::PathBuf};

fn main() {
    let mut code = String::new();
    for (constant, folder) in [("VECTORS", "vectors"), ("BAD_INPUTS", "bad-inputs")] {
        let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap())
            .join("../tests")
            .join(folder);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<PathBuf> = fs::read_dir(&dir)
            .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "json"));
        files.sort();
        code.push_str(&format!("/// (file name, contents) of every file in tests/{folder}.\n#[allow(dead_code)]\npub const {constant}: &[(&str, &str)] = &[\n"));
        for f in &files {
            let name = f.file_name().unwrap().to_string_lossy();
            let path = fs::canonicalize(f).unwrap();
            code.push_str(&format!(
                "    ({name:?}, include_str!({:?})),\n",
                path.display().to_string()
            ));
        }
        code.push_str("];\n");
    }
    fs::write(
        PathBuf::from(env::var("OUT_DIR").unwrap()).join("vectors.rs"),
        code,
    )
    .unwrap();
}
