//! Finds the JSON path of a syntax error (or a repeated key) from the position
//! serde_json reports: a single forward scan of the text up to that point. Errors
//! found after parsing carry their path from [`super::parse`] directly.

/// One step of the path to the value being read.
enum Frame {
    /// Inside an object: the last key read, if any.
    Object(Option<String>),
    /// Inside an array: index of the current element.
    Array(usize),
}

/// The path (`lines[2].unitPrice`) of the innermost value open at `line`/`column`
/// (1-based line, byte column as serde_json counts it) in `text`.
pub fn path_at(text: &str, line: usize, column: usize) -> String {
    render(&scan(text, line, column))
}

/// Scans up to the position; returns the containers still open there.
fn scan(text: &str, line: usize, column: usize) -> Vec<Frame> {
    let bytes = text.as_bytes();
    let end = offset_of(text, line, column);
    let mut stack: Vec<Frame> = Vec::new();
    let mut expect_key = false;
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'{' => {
                stack.push(Frame::Object(None));
                expect_key = true;
            }
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => {
                stack.pop();
                expect_key = false;
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(index)) => *index += 1,
                // The member is complete; until the next key is read, an error here
                // (an enum object with a second key) belongs to the object itself.
                Some(Frame::Object(key)) => {
                    *key = None;
                    expect_key = true;
                }
                None => {}
            },
            b':' => expect_key = false,
            b'"' => {
                let (content, next, closed) = string_at(bytes, i + 1, end);
                if expect_key && closed {
                    if let Some(Frame::Object(key)) = stack.last_mut() {
                        *key = Some(content);
                    }
                    expect_key = false;
                }
                i = next;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    stack
}

fn render(stack: &[Frame]) -> String {
    let mut path = String::new();
    for frame in stack {
        match frame {
            Frame::Object(Some(key)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object(None) => {}
            Frame::Array(index) => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
        }
    }
    path
}

/// Byte offset of serde_json's (line, byte column) in `text`.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let bytes = text.as_bytes();
    let line_start = if line <= 1 {
        0
    } else {
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(line - 2)
            .map_or(bytes.len(), |(i, _)| i + 1)
    };
    (line_start + column).min(bytes.len())
}

/// Reads a JSON string body starting after its opening quote; returns the text
/// (escapes kept as written except `\"` and `\\`, enough for keys), the index after
/// the closing quote, and whether the string closed before `end`.
fn string_at(bytes: &[u8], mut i: usize, end: usize) -> (String, usize, bool) {
    let mut out = Vec::new();
    while i < end {
        match bytes[i] {
            b'"' => return (String::from_utf8_lossy(&out).into_owned(), i + 1, true),
            b'\\' if i + 1 < bytes.len() => {
                let escaped = bytes[i + 1];
                if escaped == b'"' || escaped == b'\\' {
                    out.push(escaped);
                } else {
                    out.extend_from_slice(&bytes[i..i + 2]);
                }
                i += 2;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), i, false)
}

#[cfg(test)]
mod tests {
    use super::path_at;

    #[test]
    fn finds_keys_and_indices() {
        let text = r#"{"lines":[{"id":"a"},{"id":"b","unitPrice":12.5}]}"#;
        let col = text.find("12.5").unwrap() + 4;
        assert_eq!(path_at(text, 1, col), "lines[1].unitPrice");
    }

    #[test]
    fn closed_objects_drop_out_and_lines_count() {
        let text = "{\n  \"a\": {\"x\": 1},\n  \"b\": [1, 2, \"q\\\"uote\"]\n}";
        assert_eq!(path_at(text, 3, 17), "b[2]");
        assert_eq!(path_at(text, 2, 15), "a");
        assert_eq!(
            path_at(text, 2, 16),
            "",
            "after the comma the member is complete"
        );
        assert_eq!(path_at(text, 2, 14), "a.x");
    }
}
