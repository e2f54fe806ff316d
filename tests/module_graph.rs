//! The README's Layout section lists which modules of `src/` each module imports, in
//! an order where each imports only modules above it: no import loop. This test reads
//! the imports from the sources and holds the table to them, so a new loop (or a
//! stale table) fails here instead of being found by the next reader.
//!
//! A module is a file of `src/` or a directory of it (`src/json/`, `src/model/`,
//! counted as one); `src/lib.rs` is `lib`, and the CLI (`src/bin/`) is left out.
//! Imports are the paths a module's code names (`crate::money::Amount`,
//! `crate::{Engine, Error}`, and in `lib.rs` a module's bare name); comments and test
//! modules are left out, and a name the crate root re-exports (`crate::Error`) counts
//! as the module it comes from.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Every `.rs` file under `dir` but the CLI, with the module it belongs to.
fn sources(src: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let rel = path.strip_prefix(src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        if path.is_dir() {
            if first != "bin" {
                sources(src, &path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            let module = first.trim_end_matches(".rs").to_string();
            out.push((module, fs::read_to_string(&path).unwrap()));
        }
    }
}

/// The code of a file: no test module (it sits at the end), no comments.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The identifier at the start of `s`.
fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first segment of every path the code names under `crate::`, and in the crate
/// root every path that starts with a module's name.
fn imports(code: &str, modules: &BTreeSet<String>, root: bool) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let name = ident(item.trim());
                if !name.is_empty() {
                    found.insert(name.to_string());
                }
            }
        } else {
            let name = ident(rest);
            // A macro (`$crate::read_fields!`) is defined where it is used.
            if !rest[name.len()..].starts_with('!') {
                found.insert(name.to_string());
            }
        }
    }
    if root {
        for module in modules {
            let bare = [
                format!(" {module}::"),
                format!("({module}::"),
                format!("&{module}::"),
            ];
            if bare.iter().any(|b| code.contains(b.as_str())) {
                found.insert(module.clone());
            }
        }
    }
    found
}

/// Names the crate root re-exports (`pub use error::{Error, ErrorCode};`), by module.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for statement in lib.split(';') {
        let Some(rest) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let module = ident(rest).to_string();
        let items = rest.split_once('{').map_or(rest, |(_, items)| items);
        for item in items.split([',', '}', ':']) {
            let name = ident(item.trim());
            if !name.is_empty() && name != module {
                names.insert(name.to_string(), module.clone());
            }
        }
    }
    names
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let lib = code(&fs::read_to_string(src.join("lib.rs")).unwrap());
    let reexported = reexports(&lib);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, text) in &files {
        let deps = graph.entry(module.clone()).or_default();
        for name in imports(&code(text), &modules, module == "lib") {
            let target = if modules.contains(&name) {
                name
            } else {
                reexported
                    .get(&name)
                    .cloned()
                    .unwrap_or_else(|| "lib".to_string())
            };
            if target != *module {
                deps.insert(target);
            }
        }
    }
    graph
}

/// The table of the README's Layout section: module, then what it imports.
fn readme_table() -> Vec<(String, BTreeSet<String>)> {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("module      imports\n")
        .expect("the README's Layout section has the module table");
    readme[start..]
        .lines()
        .skip(1)
        .take_while(|line| !line.starts_with("```"))
        .map(|line| {
            let (module, deps) = line.split_once(' ').unwrap_or((line, "-"));
            let deps = deps
                .split(',')
                .map(str::trim)
                .filter(|d| *d != "-" && !d.is_empty())
                .map(str::to_string)
                .collect();
            (module.to_string(), deps)
        })
        .collect()
}

#[test]
fn the_readme_lists_every_modules_imports_and_no_module_imports_one_below_it() {
    let actual = graph();
    let table = readme_table();
    let listed: BTreeMap<String, BTreeSet<String>> = table.iter().cloned().collect();
    assert_eq!(
        listed, actual,
        "the README's module table (left) differs from the imports in src/ (right)"
    );
    let mut above = BTreeSet::new();
    for (module, deps) in &table {
        let below: Vec<&String> = deps.iter().filter(|d| !above.contains(*d)).collect();
        assert!(
            below.is_empty(),
            "{module} imports {below:?}, listed below it: an import loop, or the table's order"
        );
        above.insert(module.clone());
    }
}
