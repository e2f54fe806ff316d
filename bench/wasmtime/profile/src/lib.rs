//! What the binaries of the profiler share: short, readable function names.

/// Demangles a Rust symbol (any other name is kept), drops the hashes and keeps only
/// the last two segments of every `a::b::c` path in it, so that a table row fits on
/// a line; cuts the result at `width` characters.
pub fn shorten(name: &str, width: usize) -> String {
    let demangled = match rustc_demangle::try_demangle(name) {
        Ok(d) => format!("{d:#}"),
        Err(_) => name.to_string(),
    };
    let mut out = String::new();
    let mut token = String::new();
    let mut braces = 0;
    for c in demangled.chars() {
        // `{closure#0}` and `{shim:vtable#0}` belong to the path they are in.
        if c == '{' {
            braces += 1;
        }
        if braces > 0 || c.is_alphanumeric() || matches!(c, '_' | ':' | '$' | '.') {
            token.push(c);
        } else {
            out.push_str(&last_two(&token));
            token.clear();
            out.push(c);
        }
        if c == '}' {
            braces -= 1;
        }
    }
    out.push_str(&last_two(&token));
    if out.chars().count() > width {
        let cut: String = out.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        out
    }
}

/// The path `token` from its second-to-last named segment on; closures (`{…}`) do not
/// count as a segment, so `a::b::f::{closure#0}` stays `b::f::{closure#0}`. A token
/// starting with `::` continues a path after `<…>`, whose head is already cut: kept.
fn last_two(token: &str) -> String {
    if token.starts_with("::") {
        return token.to_string();
    }
    let parts: Vec<&str> = token.split("::").collect();
    let named: Vec<usize> = (0..parts.len())
        .filter(|&i| !parts[i].starts_with('{'))
        .collect();
    match named.len() {
        0..=2 => token.to_string(),
        n => parts[named[n - 2]..].join("::"),
    }
}
