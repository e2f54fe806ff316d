//! Gives the profile function names without changing what wasm-opt makes of the guest.
//!
//! ```text
//! rename RAW.wasm OUT.wasm NAMES.tsv            # names -> indices, NAMES.tsv written
//! rename --restore OPT.wasm OUT.wasm NAMES.tsv  # indices -> names, NAMES.tsv read
//! ```
//!
//! The profile must run the very code `scripts/bench.sh` counts (`wasm-opt -Oz`, which
//! drops the names), yet name the functions of the result. `wasm-opt -g` keeps names,
//! but with the real (long, mangled) names wasm-opt optimises differently: it breaks
//! ties by function name (function ordering, hence inlining), so the code changes.
//! With no name section wasm-opt names function N "N". So the first form replaces the
//! raw module's name section with exactly those names ("0", "1", ...) and saves the
//! real ones; `wasm-opt -g` then optimises as without `-g`, and its output's name
//! section says which raw function each surviving function was. `--restore` puts the
//! real names back; a function wasm-opt made (named like "431_431") keeps its name
//! behind a `wasm-opt$` prefix. Every byte but the name section is copied as it is.
//! `run.sh` checks the outcome: the profiled total must equal the plain build's.

use std::collections::HashMap;
use std::fmt::Write as _;

use anyhow::{bail, Context, Result};
use wasm_encoder::{NameMap, NameSection, Section};
use wasmparser::{KnownCustom, Name, Parser, Payload};

fn main() -> Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let restore = args.first().is_some_and(|a| a == "--restore");
    if restore {
        args.remove(0);
    }
    let [input, output, names_path] = args.as_slice() else {
        bail!("usage: rename [--restore] IN.wasm OUT.wasm NAMES.tsv");
    };
    let bytes = std::fs::read(input).with_context(|| format!("reading {input}"))?;
    let (mut out, at, names) = without_names(&bytes).with_context(|| format!("parsing {input}"))?;
    if names.is_empty() {
        bail!("{input} has no function names");
    }
    // Only the functions the input names: an unnamed one gets its index either way.
    let mut map = NameMap::new();
    if restore {
        let tsv = std::fs::read_to_string(names_path)?;
        let original: HashMap<&str, &str> =
            tsv.lines().filter_map(|l| l.split_once('\t')).collect();
        for (i, n) in &names {
            match original.get(n.as_str()) {
                Some(name) => map.append(*i, name),
                None => map.append(*i, &format!("wasm-opt${n}")),
            }
        }
    } else {
        let mut tsv = String::new();
        for (i, n) in &names {
            map.append(*i, &i.to_string());
            writeln!(tsv, "{i}\t{}", n.replace(['\t', '\n'], " "))?;
        }
        std::fs::write(names_path, tsv)?;
    }
    let mut section = NameSection::new();
    section.functions(&map);
    let mut encoded = Vec::new();
    section.append_to(&mut encoded);
    out.splice(at..at, encoded);
    std::fs::write(output, out).with_context(|| format!("writing {output}"))?;
    Ok(())
}

/// (function index, name) pairs, as a name section holds them.
type Names = Vec<(u32, String)>;

/// The module without its name section, where that section was (so the output keeps
/// the section order), and the function names it held (other name kinds are dropped:
/// wasm-opt makes up local names anyway).
fn without_names(bytes: &[u8]) -> Result<(Vec<u8>, usize, Names)> {
    let mut out = bytes.get(..8).context("not a wasm module")?.to_vec();
    let (mut at, mut names) = (None, Vec::new());
    // Sections follow one another: each one runs from the previous one's end.
    let mut start = 8;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload?;
        let Some((_, range)) = payload.as_section() else {
            continue;
        };
        let whole = start..range.end;
        start = range.end;
        if let Payload::CustomSection(c) = &payload {
            if let KnownCustom::Name(reader) = c.as_known() {
                for sub in reader {
                    if let Name::Function(map) = sub? {
                        for naming in map {
                            let naming = naming?;
                            names.push((naming.index, naming.name.to_string()));
                        }
                    }
                }
                at = Some(out.len());
                continue;
            }
        }
        out.extend_from_slice(&bytes[whole]);
    }
    let at = at.unwrap_or(out.len());
    Ok((out, at, names))
}
