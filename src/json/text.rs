//! JSON text (RFC 8259) to a [`Json`] tree, with the path of the value being read in
//! every syntax error.
//!
//! Why not serde_json here: its generic deserializer, its error machinery and the scan
//! that turns its line and column back into a path take too much of the WebAssembly
//! module's size budget, and building the tree through serde's visitor costs more
//! instructions than the schema reading after it (measured: docs/benchmarks.md). This reader
//! does one thing: the inputs' JSON, strictly, into the tree [`super::read`] reads.
//! serde_json stays the reference: `tests/json_reader.rs` holds this reader to it on
//! generated texts, valid and broken (same tree, same verdict, same error codes), and
//! its messages are serde_json's own wording (`trailing comma at line 1 column 434`).
//!
//! The rules are serde_json's: no comments, trailing commas or leading zeros; only
//! space, tab, CR and LF between tokens; no raw control characters in strings; a `\u`
//! escape must not leave half of a surrogate pair (`invalid_value`); containers nest at
//! most 127 deep (`out_of_range`). One rule more: an object may not name the same member
//! twice (`duplicate_id`), since the value would otherwise silently be one of them.

use std::borrow::Cow;

use crate::error::ErrorCode;

/// A parsed JSON value. Strings and keys borrow from the text unless they hold
/// escapes, and objects keep their members in a list in text order: the inputs' objects
/// are small, so a list is faster to build and to search than a map, and reading a
/// request allocates little more than the model it produces.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number; only whole numbers are ever read as numbers.
    Number(Number),
    /// A string.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object's members, in text order, no key twice.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

/// A JSON number as the reader needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// A whole number that fits an `i64`.
    Int(i64),
    /// A whole number above `i64::MAX` that fits a `u64`.
    Big(u64),
    /// Anything else: a fraction or an exponent (even `2.0` or `1e2`), `-0`, or a
    /// whole number beyond 64 bits. Never read as a number by the schema.
    Fraction,
}

impl<'a> Json<'a> {
    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value of a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The elements of an array.
    pub fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The members of an object.
    pub fn as_object(&self) -> Option<&[(Cow<'a, str>, Json<'a>)]> {
        match self {
            Json::Object(members) => Some(members),
            _ => None,
        }
    }

    /// Member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        self.as_object()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }
}

/// A syntax error: its code, where in the value it is (`lines[0].id`, relative to the
/// text's root), and serde_json's message with the line and column.
#[derive(Debug, Clone, PartialEq)]
pub struct Syntax {
    /// `invalid_json`, or `invalid_value` (half a surrogate pair), `out_of_range`
    /// (nesting), `duplicate_id` (a repeated member).
    pub code: ErrorCode,
    /// The path of the innermost value open where the text broke off.
    pub path: String,
    /// What was wrong, and where.
    pub message: String,
}

/// How deep containers may nest, as in serde_json: the 128th open bracket is refused.
const MAX_DEPTH: usize = 128;

/// Reads `text` as one JSON value.
pub fn read(text: &str) -> Result<Json<'_>, Syntax> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    let value = reader.value(1).and_then(|value| {
        reader.skip_space();
        match reader.peek() {
            None => Ok(value),
            Some(_) => Err(reader.fail(ErrorCode::InvalidJson, "trailing characters")),
        }
    });
    value.map_err(|fail| Syntax {
        code: fail.code,
        path: render(&fail.steps),
        message: fail.message,
    })
}

/// A step from a container into one of its values, collected while an error unwinds.
enum Step<'a> {
    Key(Cow<'a, str>),
    Index(usize),
}

/// An error on its way up: the steps are pushed innermost first.
struct Fail<'a> {
    code: ErrorCode,
    message: String,
    steps: Vec<Step<'a>>,
}

impl<'a> Fail<'a> {
    /// The same error, one container further out.
    fn within(mut self, step: Step<'a>) -> Self {
        self.steps.push(step);
        self
    }
}

fn render(steps: &[Step<'_>]) -> String {
    let mut path = String::new();
    for step in steps.iter().rev() {
        match step {
            Step::Key(key) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Step::Index(index) => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
        }
    }
    path
}

struct Reader<'t> {
    text: &'t str,
    bytes: &'t [u8],
    /// The next byte to read.
    pos: usize,
}

// The byte-level helpers are always inlined: the module is built for size (opt-level
// "z"), which otherwise keeps them as calls, and a call per byte read cost more than
// the byte's work (a fifth of the reader's time in Node).
impl<'t> Reader<'t> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline(always)]
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// An error at the byte about to be read (or at the end of the text), located as
    /// serde_json locates it: the line, and the column counting that byte.
    #[cold]
    #[inline(never)]
    fn fail(&self, code: ErrorCode, what: &str) -> Fail<'t> {
        let end = (self.pos + 1).min(self.bytes.len());
        let before = &self.bytes[..end];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = end
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
        Fail {
            code,
            message: format!("{what} at line {line} column {column}"),
            steps: Vec::new(),
        }
    }

    fn syntax(&self, what: &str) -> Fail<'t> {
        self.fail(ErrorCode::InvalidJson, what)
    }

    /// The value starting at the next non-space byte; `depth` counts the containers
    /// it would open, itself included.
    fn value(&mut self, depth: usize) -> Result<Json<'t>, Fail<'t>> {
        self.skip_space();
        match self.peek() {
            None => Err(self.syntax("EOF while parsing a value")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                self.pos += 1;
                self.string().map(Json::String)
            }
            Some(b't') => self.word("true", Json::Bool(true)),
            Some(b'f') => self.word("false", Json::Bool(false)),
            Some(b'n') => self.word("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number().map(Json::Number),
            Some(_) => Err(self.syntax("expected value")),
        }
    }

    fn word(&mut self, word: &str, value: Json<'t>) -> Result<Json<'t>, Fail<'t>> {
        for &expected in word.as_bytes() {
            match self.peek() {
                Some(b) if b == expected => self.pos += 1,
                Some(_) => return Err(self.syntax("expected ident")),
                None => return Err(self.syntax("EOF while parsing a value")),
            }
        }
        Ok(value)
    }

    /// Refuses a container at `depth` or deeper than [`MAX_DEPTH`], at its bracket.
    fn enter(&self, depth: usize) -> Result<(), Fail<'t>> {
        if depth >= MAX_DEPTH {
            return Err(self.fail(ErrorCode::OutOfRange, "recursion limit exceeded"));
        }
        Ok(())
    }

    fn array(&mut self, depth: usize) -> Result<Json<'t>, Fail<'t>> {
        self.enter(depth)?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_space();
        match self.peek() {
            Some(b']') => {
                self.pos += 1;
                return Ok(Json::Array(items));
            }
            Some(_) => {}
            None => {
                return Err(self
                    .syntax("EOF while parsing a list")
                    .within(Step::Index(0)))
            }
        }
        loop {
            let index = items.len();
            let item = self
                .value(depth + 1)
                .map_err(|e| e.within(Step::Index(index)))?;
            items.push(item);
            self.skip_space();
            let fail = match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_space();
                    if self.peek() != Some(b']') {
                        continue;
                    }
                    // After a comma the path names the element that was to follow.
                    let fail = self.syntax("trailing comma");
                    return Err(fail.within(Step::Index(index + 1)));
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                Some(_) => self.syntax("expected `,` or `]`"),
                None => self.syntax("EOF while parsing a list"),
            };
            return Err(fail.within(Step::Index(index)));
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json<'t>, Fail<'t>> {
        self.enter(depth)?;
        self.pos += 1;
        let mut members: Vec<(Cow<'t, str>, Json<'t>)> = Vec::new();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(members));
        }
        loop {
            let key = match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    self.string()?
                }
                Some(_) => return Err(self.syntax("key must be a string")),
                // serde_json's wording: the object at its start, a value after a comma.
                None if members.is_empty() => {
                    return Err(self.syntax("EOF while parsing an object"))
                }
                None => return Err(self.syntax("EOF while parsing a value")),
            };
            // Small objects (all of the schema's) are checked by a scan; a huge one
            // (hostile input) by sorting its keys once at the end, so checking stays
            // O(n log n).
            if members.len() < 32 && members.iter().any(|(k, _)| *k == key) {
                return Err(repeated(key));
            }
            self.skip_space();
            match self.peek() {
                Some(b':') => self.pos += 1,
                Some(_) => return Err(self.syntax("expected `:`").within(Step::Key(key))),
                None => {
                    return Err(self
                        .syntax("EOF while parsing an object")
                        .within(Step::Key(key)))
                }
            }
            let value = match self.value(depth + 1) {
                Ok(value) => value,
                Err(e) => return Err(e.within(Step::Key(key))),
            };
            members.push((key, value));
            self.skip_space();
            let fail = match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_space();
                    if self.peek() != Some(b'}') {
                        continue;
                    }
                    // The member is complete: the error belongs to the object itself.
                    return Err(self.syntax("trailing comma"));
                }
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => self.syntax("expected `,` or `}`"),
                None => self.syntax("EOF while parsing an object"),
            };
            let key = members.pop().map_or(Cow::Borrowed(""), |(k, _)| k);
            return Err(fail.within(Step::Key(key)));
        }
        if members.len() >= 32 {
            let mut keys: Vec<&str> = members.iter().map(|(k, _)| k.as_ref()).collect();
            keys.sort_unstable();
            if let Some(pair) = keys.windows(2).find(|pair| pair[0] == pair[1]) {
                return Err(repeated(Cow::Owned(pair[0].to_string())));
            }
        }
        Ok(Json::Object(members))
    }

    /// A string's contents, after its opening quote: borrowed from the text unless it
    /// holds escapes.
    fn string(&mut self) -> Result<Cow<'t, str>, Fail<'t>> {
        let start = self.pos;
        self.pos += plain(&self.bytes[start..]);
        if self.peek() == Some(b'"') {
            // Both ends sit on ASCII bytes, so the slice is whole characters.
            let text = &self.text[start..self.pos];
            self.pos += 1;
            return Ok(Cow::Borrowed(text));
        }
        self.owned_string(start)
    }

    /// The string from `start` on, once [`plain`] has stopped at something other than
    /// its closing quote: an escape (the string is copied from here), a control
    /// character, or the end of the text.
    fn owned_string(&mut self, mut start: usize) -> Result<Cow<'t, str>, Fail<'t>> {
        let mut s = String::new();
        loop {
            match self.peek() {
                Some(b'"') => {
                    s.push_str(&self.text[start..self.pos]);
                    self.pos += 1;
                    return Ok(Cow::Owned(s));
                }
                Some(b'\\') => {
                    s.push_str(&self.text[start..self.pos]);
                    self.pos += 1;
                    self.escape(&mut s)?;
                    start = self.pos;
                    self.pos += plain(&self.bytes[start..]);
                }
                Some(0x00..=0x1f) => {
                    return Err(self.syntax(
                        "control character (\\u0000-\\u001F) found while parsing a string",
                    ))
                }
                // `plain` stops only at the bytes above.
                Some(_) => self.pos += 1,
                None => return Err(self.syntax("EOF while parsing a string")),
            }
        }
    }

    /// One escape, after its backslash, appended to `s`.
    fn escape(&mut self, s: &mut String) -> Result<(), Fail<'t>> {
        let Some(b) = self.peek() else {
            return Err(self.syntax("EOF while parsing a string"));
        };
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                self.pos += 1;
                return self.unicode(s);
            }
            _ => return Err(self.syntax("invalid escape")),
        };
        self.pos += 1;
        s.push(c);
        Ok(())
    }

    /// A `\u` escape after its `u`; a surrogate pair takes two.
    fn unicode(&mut self, s: &mut String) -> Result<(), Fail<'t>> {
        let first = self.hex4()?;
        let code = match first {
            0xDC00..=0xDFFF => return Err(self.half("lone leading surrogate in hex escape")),
            0xD800..=0xDBFF => {
                for expected in [b'\\', b'u'] {
                    match self.peek() {
                        Some(b) if b == expected => self.pos += 1,
                        Some(_) => {
                            self.pos += 1;
                            return Err(self.half("unexpected end of hex escape"));
                        }
                        None => return Err(self.syntax("EOF while parsing a string")),
                    }
                }
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.half("lone leading surrogate in hex escape"));
                }
                0x10000 + ((first - 0xD800) << 10 | (second - 0xDC00))
            }
            code => code,
        };
        // Surrogates are handled above, so every code left is a character.
        s.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
        Ok(())
    }

    /// Half a surrogate pair: valid JSON grammar, but no Unicode text (JavaScript
    /// strings can hold such halves, and JSON.stringify writes them out). Located at
    /// the last byte read, as serde_json does.
    fn half(&mut self, what: &str) -> Fail<'t> {
        self.pos -= 1;
        let fail = self.fail(ErrorCode::InvalidValue, what);
        self.pos += 1;
        fail
    }

    /// Four hex digits. Like serde_json, the four bytes are taken first: too few left
    /// is the end of the text, and a bad digit is reported after the four.
    fn hex4(&mut self) -> Result<u32, Fail<'t>> {
        let Some(digits) = self.bytes.get(self.pos..self.pos + 4) else {
            self.pos = self.bytes.len();
            return Err(self.syntax("EOF while parsing a string"));
        };
        let mut n = 0;
        for &b in digits {
            let digit = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => {
                    self.pos += 3;
                    return Err(self.syntax("invalid escape"));
                }
            };
            n = n * 16 + u32::from(digit);
        }
        self.pos += 4;
        Ok(n)
    }

    /// A number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Result<Number, Fail<'t>> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        // The whole part, with its value while it fits a u64.
        let mut value: Option<u64> = Some(0);
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.syntax("invalid number"));
                }
            }
            Some(b'1'..=b'9') => {
                while let Some(d @ b'0'..=b'9') = self.peek() {
                    value = value
                        .and_then(|v| v.checked_mul(10))
                        .and_then(|v| v.checked_add(u64::from(d - b'0')));
                    self.pos += 1;
                }
            }
            Some(_) => return Err(self.syntax("invalid number")),
            None => return Err(self.syntax("EOF while parsing a value")),
        }
        let mut whole = true;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.digits()?;
            whole = false;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.digits()?;
            whole = false;
        }
        Ok(match (whole, value, negative) {
            (false, _, _) | (true, None, _) => Number::Fraction,
            (true, Some(v), false) => i64::try_from(v).map_or(Number::Big(v), Number::Int),
            // serde_json reads `-0` as the float -0.0.
            (true, Some(0), true) => Number::Fraction,
            (true, Some(v), true) => match 0i64.checked_sub_unsigned(v) {
                Some(n) => Number::Int(n),
                None => Number::Fraction,
            },
        })
    }

    /// One or more digits (a fraction's or an exponent's).
    fn digits(&mut self) -> Result<(), Fail<'t>> {
        match self.peek() {
            Some(b'0'..=b'9') => {}
            Some(_) => return Err(self.syntax("invalid number")),
            None => return Err(self.syntax("EOF while parsing a value")),
        }
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        Ok(())
    }
}

/// How many bytes at the start of `bytes` need no attention inside a string: no quote,
/// backslash or control character. Eight at a time while none is found (strings are
/// most of the inputs' text, and of the result's): a byte-wise test per lane, without
/// branches. The writer uses it too: the bytes a reader stops at are the ones JSON
/// escapes.
#[inline]
pub(crate) fn plain(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    // The high bit of each byte of `w` below `n` (n <= 128). Borrows run only toward
    // higher bytes, so the lowest flagged byte is always a true one.
    let below = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH;
    let mut done = 0;
    for chunk in bytes.chunks_exact(8) {
        let mut lane = [0; 8];
        lane.copy_from_slice(chunk);
        let w = u64::from_le_bytes(lane);
        let stops = below(w, 0x20) | below(w ^ (ONES * 0x22), 1) | below(w ^ (ONES * 0x5c), 1);
        if stops != 0 {
            // Little-endian: the first byte of the chunk is the lowest.
            return done + (stops.trailing_zeros() / 8) as usize;
        }
        done += 8;
    }
    done + bytes[done..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .unwrap_or(bytes.len() - done)
}

/// A member named twice, at the member's path.
#[cold]
fn repeated(key: Cow<'_, str>) -> Fail<'_> {
    Fail {
        code: ErrorCode::DuplicateId,
        message: format!("the member `{key}` appears twice"),
        steps: vec![Step::Key(key)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fails(text: &str) -> (ErrorCode, String, String) {
        let e = read(text).unwrap_err();
        (e.code, e.path, e.message)
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        let Json::Array(items) = read(r#"["plain", "a\"b\u00e9\ud83d\ude00", "é"]"#).unwrap()
        else {
            panic!("not an array")
        };
        assert!(matches!(&items[0], Json::String(Cow::Borrowed("plain"))));
        assert!(matches!(&items[1], Json::String(Cow::Owned(s)) if s == "a\"bé😀"));
        assert!(matches!(&items[2], Json::String(Cow::Borrowed("é"))));
    }

    #[test]
    fn numbers_keep_only_whole_values_that_fit() {
        let n = |t: &str| match read(t).unwrap() {
            Json::Number(n) => n,
            other => panic!("{t}: {other:?}"),
        };
        assert_eq!(n("0"), Number::Int(0));
        assert_eq!(n("-9223372036854775808"), Number::Int(i64::MIN));
        assert_eq!(n("9223372036854775808"), Number::Big(1 << 63));
        assert_eq!(n("18446744073709551616"), Number::Fraction);
        assert_eq!(n("-9223372036854775809"), Number::Fraction);
        assert_eq!(n("-0"), Number::Fraction);
        assert_eq!(n("2.0"), Number::Fraction);
        assert_eq!(n("1E+2"), Number::Fraction);
    }

    #[test]
    fn errors_name_the_innermost_open_value() {
        assert_eq!(
            fails(r#"{"a": [1, {"b": tru}]}"#),
            (
                ErrorCode::InvalidJson,
                "a[1].b".to_string(),
                "expected ident at line 1 column 20".to_string()
            )
        );
        assert_eq!(fails("{\"a\": 1,\n }").1, "");
        assert_eq!(
            fails("{\"a\": 1,\n }").2,
            "trailing comma at line 2 column 2"
        );
        assert_eq!(fails(r"[1, 2").1, "[1]");
        assert_eq!(fails(r#"{"k": "\ud800x"}"#).0, ErrorCode::InvalidValue);
        assert_eq!(fails(r#"{"k": 1, "k": 2}"#).0, ErrorCode::DuplicateId);
        assert_eq!(fails(r#"{"k": 1, "k": 2}"#).1, "k");
        assert_eq!(fails(&"[".repeat(200)).0, ErrorCode::OutOfRange);
        assert_eq!(fails("").2, "EOF while parsing a value at line 1 column 0");
    }
}
