//! A small, strict JSON reader that keeps every number as its source text, and a string writer.
//!
//! GeWe writes 64-bit ids as JSON numbers; `JSON.parse` rounds them above 2^53 and the revoke then silently
//! does nothing. Keeping the lexeme means no id is ever rounded. A generic parser (serde_json) would cost
//! more wasm bytes than this whole module.

/// A parsed JSON value. Numbers keep their exact source text.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number, exactly as written (already checked against the JSON grammar).
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, members in source order (duplicates kept; lookups take the last, as `JSON.parse` does).
    Object(Vec<(String, Json)>),
}

/// Why a text is not JSON, with the byte offset where reading stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset of the first byte that could not be read.
    pub at: usize,
}

/// Nesting deeper than this is refused: recursion past it could exhaust the wasm stack, which traps.
pub const MAX_DEPTH: usize = 64;

/// Parses one JSON text (surrounding whitespace allowed).
pub fn parse(text: &str) -> Result<Json, SyntaxError> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        pos: 0,
    };
    reader.skip_ws();
    let value = reader.value(0)?;
    reader.skip_ws();
    if reader.pos == reader.bytes.len() {
        Ok(value)
    } else {
        Err(reader.error())
    }
}

impl Json {
    /// The member `key` of an object (the last one, when repeated), or `None`.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value of an integer number (no fraction, no exponent) that fits an `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Number(n) if n.bytes().all(|b| b == b'-' || b.is_ascii_digit()) => n.parse().ok(),
            _ => None,
        }
    }

    /// Replaces every occurrence of `secret` in every string value with `[redacted]` (keys are left alone).
    pub fn redact(&mut self, secret: &str) {
        match self {
            Json::String(s) => *s = redact(s, secret),
            Json::Array(items) => items.iter_mut().for_each(|v| v.redact(secret)),
            Json::Object(members) => members.iter_mut().for_each(|(_, v)| v.redact(secret)),
            Json::Null | Json::Bool(_) | Json::Number(_) => {}
        }
    }
}

/// `text` with every occurrence of `secret` replaced by `[redacted]`.
pub fn redact(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // Texts here are short answers; a plain scan avoids std's two-way searcher and its panic paths (wasm bytes).
    while let Some(c) = rest.chars().next() {
        let skip = if rest.as_bytes().starts_with(secret.as_bytes()) {
            out.push_str("[redacted]");
            secret.len()
        } else {
            out.push(c);
            c.len_utf8()
        };
        rest = rest.get(skip..).unwrap_or_default();
    }
    out
}

/// Appends `s` to `out` as a JSON string literal.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(hex_digit((c as u32) >> 4));
                out.push(hex_digit(c as u32 & 0xf));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn hex_digit(n: u32) -> char {
    char::from_digit(n, 16).unwrap_or('0')
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn error(&self) -> SyntaxError {
        SyntaxError { at: self.pos }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let hit = self.peek() == Some(byte);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn literal(&mut self, word: &[u8], value: Json) -> Result<Json, SyntaxError> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error())
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, SyntaxError> {
        match self.peek() {
            Some(b'{') if depth < MAX_DEPTH => self.object(depth + 1),
            Some(b'[') if depth < MAX_DEPTH => self.array(depth + 1),
            Some(b'"') => self.string().map(Json::String),
            Some(b't') => self.literal(b"true", Json::Bool(true)),
            Some(b'f') => self.literal(b"false", Json::Bool(false)),
            Some(b'n') => self.literal(b"null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error()),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, SyntaxError> {
        self.pos += 1; // '{'
        let mut members = Vec::new();
        self.skip_ws();
        if self.eat(b'}') {
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error());
            }
            let key = self.string()?;
            self.skip_ws();
            if !self.eat(b':') {
                return Err(self.error());
            }
            self.skip_ws();
            let value = self.value(depth)?;
            members.push((key, value));
            self.skip_ws();
            if self.eat(b'}') {
                return Ok(Json::Object(members));
            }
            if !self.eat(b',') {
                return Err(self.error());
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, SyntaxError> {
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_ws();
        if self.eat(b']') {
            return Ok(Json::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth)?);
            self.skip_ws();
            if self.eat(b']') {
                return Ok(Json::Array(items));
            }
            if !self.eat(b',') {
                return Err(self.error());
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Json, SyntaxError> {
        let start = self.pos;
        self.eat(b'-');
        if !self.eat(b'0') && self.digits() == 0 {
            return Err(self.error());
        }
        if self.eat(b'.') && self.digits() == 0 {
            return Err(self.error());
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if self.digits() == 0 {
                return Err(self.error());
            }
        }
        self.slice(start).map(|s| Json::Number(s.to_owned()))
    }

    /// The text from `start` to the current position (always on ASCII boundaries here).
    fn slice(&self, start: usize) -> Result<&str, SyntaxError> {
        self.bytes
            .get(start..self.pos)
            .and_then(|b| std::str::from_utf8(b).ok())
            .ok_or(SyntaxError { at: start })
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let run = self.pos;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.pos += 1;
            }
            out.push_str(self.slice(run)?);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = self.escape()?;
                    out.push(escaped);
                }
                _ => return Err(self.error()),
            }
        }
    }

    fn escape(&mut self) -> Result<char, SyntaxError> {
        let byte = self.peek().ok_or(self.error())?;
        self.pos += 1;
        Ok(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                if (0xD800..0xDC00).contains(&unit) && self.bytes.get(self.pos..self.pos + 2) == Some(b"\\u")
                {
                    let save = self.pos;
                    self.pos += 2;
                    let low = self.hex4()?;
                    if (0xDC00..0xE000).contains(&low) {
                        let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                        return Ok(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                    }
                    self.pos = save;
                }
                // A lone surrogate is legal JSON but not a Rust char; JS would keep it, we substitute U+FFFD.
                char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER)
            }
            _ => return Err(SyntaxError { at: self.pos - 1 }),
        })
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut unit = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| (b as char).to_digit(16))
                .ok_or(self.error())?;
            unit = unit * 16 + digit;
            self.pos += 1;
        }
        Ok(unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn num(s: &str) -> Json {
        Json::Number(s.to_owned())
    }

    #[test]
    fn keeps_big_numbers_exact() {
        let v = parse(r#"{"data":{"newMsgId":3768973957878705021,"msgId":0}}"#).unwrap();
        assert_eq!(
            v.get("data").unwrap().get("newMsgId"),
            Some(&num("3768973957878705021"))
        );
        assert_eq!(v.get("data").unwrap().get("msgId").unwrap().as_i64(), Some(0));
    }

    #[test]
    fn reads_every_kind_of_value() {
        let v = parse(
            " [null, true, false, -0.5e+3, \"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\", {}, []] ",
        )
        .unwrap();
        assert_eq!(
            v,
            Json::Array(vec![
                Json::Null,
                Json::Bool(true),
                Json::Bool(false),
                num("-0.5e+3"),
                Json::String("a\"\\/\u{8}\u{c}\n\r\t\u{e9}\u{1F600}".into()),
                Json::Object(vec![]),
                Json::Array(vec![]),
            ])
        );
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        assert_eq!(parse(r#""\ud800x""#).unwrap(), Json::String("\u{FFFD}x".into()));
        assert_eq!(
            parse(r#""\ud800\u0041""#).unwrap(),
            Json::String("\u{FFFD}A".into())
        );
    }

    #[test]
    fn last_duplicate_key_wins_like_json_parse() {
        assert_eq!(
            parse(r#"{"ret":500,"ret":200}"#)
                .unwrap()
                .get("ret")
                .unwrap()
                .as_i64(),
            Some(200)
        );
    }

    #[test]
    fn refuses_what_json_parse_refuses() {
        for bad in [
            "",
            " ",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "+1",
            "tru",
            "nul",
            "'a'",
            "\"a",
            "\"\\x\"",
            "\"\\u12\"",
            "\"a\u{1}\"",
            "{a:1}",
            "[1 2]",
            "{\"a\" 1}",
            "1 2",
            "NaN",
            "<html>",
            "{\"a\":1]",
        ] {
            assert!(parse(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn refuses_nesting_past_the_limit_without_overflowing() {
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_ok());
        let deep = "[".repeat(100_000);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn reports_where_reading_stopped() {
        assert_eq!(parse("[1, x]"), Err(SyntaxError { at: 4 }));
    }

    #[test]
    fn redacts_every_occurrence_and_keeps_other_text() {
        assert_eq!(
            redact("a-tok-b-tok-tok", "tok"),
            "a-[redacted]-b-[redacted]-[redacted]"
        );
        assert_eq!(redact("令牌tok令牌", "tok"), "令牌[redacted]令牌");
        assert_eq!(redact("to", "tok"), "to");
        assert_eq!(redact("x", ""), "x");
    }

    #[test]
    fn writes_escaped_strings() {
        let mut out = String::new();
        write_str(&mut out, "a\"b\\c\n\u{1}é");
        assert_eq!(out, r#""a\"b\\c\n\u0001é""#);
    }

    #[test]
    fn redacts_secrets_in_values() {
        let mut v = parse(r#"{"msg":"X-GEWE-TOKEN=sekret bad","ret":["sekret"]}"#).unwrap();
        v.redact("sekret");
        assert_eq!(
            v,
            parse(r#"{"msg":"X-GEWE-TOKEN=[redacted] bad","ret":["[redacted]"]}"#).unwrap()
        );
        v.redact("ret");
        assert!(v.get("ret").is_some(), "keys are not redacted");
    }

    fn arb_json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<u64>().prop_map(|n| n.into()),
            any::<i64>().prop_map(|n| n.into()),
            any::<String>().prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
                prop::collection::btree_map(any::<String>(), inner, 0..6)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn to_serde(v: &Json) -> serde_json::Value {
        match v {
            Json::Null => serde_json::Value::Null,
            Json::Bool(b) => serde_json::Value::Bool(*b),
            Json::Number(n) => serde_json::from_str(n).unwrap(),
            Json::String(s) => serde_json::Value::String(s.clone()),
            Json::Array(items) => serde_json::Value::Array(items.iter().map(to_serde).collect()),
            Json::Object(m) => {
                serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), to_serde(v))).collect())
            }
        }
    }

    proptest! {
        // Differential test: whatever serde_json writes, we read back to the same value, numbers digit-exact.
        #[test]
        fn agrees_with_serde_json(v in arb_json(), pretty in any::<bool>()) {
            let text = if pretty { serde_json::to_string_pretty(&v) } else { serde_json::to_string(&v) }.unwrap();
            prop_assert_eq!(to_serde(&parse(&text).unwrap()), v);
        }

        #[test]
        fn written_strings_read_back(s in any::<String>()) {
            let mut out = String::new();
            write_str(&mut out, &s);
            prop_assert_eq!(parse(&out).unwrap(), Json::String(s.clone()));
            prop_assert_eq!(serde_json::from_str::<String>(&out).unwrap(), s);
        }

        #[test]
        fn redact_matches_std_replace(text in ".{0,40}", secret in ".{1,4}") {
            prop_assert_eq!(redact(&text, &secret), text.replace(&secret, "[redacted]"));
        }

        #[test]
        fn never_panics_on_arbitrary_text(s in ".{0,64}") {
            let _ = parse(&s);
        }
    }
}
