//! A small, strict JSON reader that keeps every number as its source text, and a string writer.
//!
//! GeWe writes 64-bit ids as JSON numbers; `JSON.parse` rounds them above 2^53 and the revoke then silently
//! does nothing. Keeping the lexeme means no id is ever rounded. A generic parser (serde_json) would cost
//! more wasm bytes than this whole module.

use super::id::MAX_SAFE_INTEGER;
use super::redact::redact;

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
    Reader::document(text, |reader| reader.value(0))
}

/// `data` in an answer larger than this (as JSON text) is left out rather than built.
pub const MAX_DATA_BYTES: usize = 64 * 1024;

/// A member of an answer's envelope.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Member {
    /// Not in the answer.
    #[default]
    Absent,
    /// Read.
    Kept(Json),
    /// Present and valid JSON, but nested deeper than [`MAX_DEPTH`] (or, for `data`, larger than
    /// [`MAX_DATA_BYTES`]): left out, so a success with an unusual `data` is still a success.
    Omitted,
}

/// The three members of a GeWe answer that matter: `{ ret, msg, data }`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Envelope {
    /// `ret`
    pub ret: Member,
    /// `msg`
    pub msg: Member,
    /// `data`
    pub data: Member,
}

/// Reads a GeWe answer: `Ok(None)` when it is valid JSON but not an object. Other members are checked but not
/// built, and nothing is ever refused for depth, so memory stays near the size of what is kept.
pub fn envelope(text: &str) -> Result<Option<Envelope>, SyntaxError> {
    Reader::document(text, |reader| {
        if reader.peek() == Some(b'{') {
            reader.envelope().map(Some)
        } else {
            reader.skip().map(|_| None)
        }
    })
}

impl Json {
    /// The member `key` of an object (the last one, when repeated), or `None`.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Takes the member `key` out of an object (the last one, when repeated).
    pub fn take(&mut self, key: &str) -> Option<Json> {
        match self {
            Json::Object(members) => {
                let at = members.iter().rposition(|(k, _)| k == key)?;
                Some(members.swap_remove(at).1)
            }
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

    /// Redacts `secret` from every string in the value, keys included: they leave the library too.
    pub fn redact(&mut self, secret: &str) {
        match self {
            Json::String(s) => *s = redact(s, secret),
            Json::Array(items) => items.iter_mut().for_each(|v| v.redact(secret)),
            Json::Object(members) => members.iter_mut().for_each(|(k, v)| {
                *k = redact(k, secret);
                v.redact(secret);
            }),
            Json::Null | Json::Bool(_) | Json::Number(_) => {}
        }
    }
}

/// Appends `value` as the JSON text whose `JSON.parse` is the library's view of GeWe's JSON: what `JSON.parse`
/// would give for the original, except that integers beyond 2^53 become exact decimal strings.
///
/// The shell hands this text to `JSON.parse` in one crossing instead of building the value property by property,
/// and `JSON.parse` makes every property as JSON does (`__proto__` an own property, no setter of `Object.prototype`
/// reached). Numbers keep their original text, so JS parses them exactly as it parses GeWe's.
pub fn write_js_view(out: &mut String, value: &Json) {
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::String(s) => write_str(out, s),
        Json::Number(n) => {
            let integer = n.bytes().all(|b| b == b'-' || b.is_ascii_digit());
            let safe = value
                .as_i64()
                .is_some_and(|i| i.unsigned_abs() as f64 <= MAX_SAFE_INTEGER);
            if integer && !safe {
                write_str(out, n);
            } else {
                out.push_str(n);
            }
        }
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_js_view(out, item);
            }
            out.push(']');
        }
        Json::Object(members) => {
            out.push('{');
            for (i, (key, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, key);
                out.push(':');
                write_js_view(out, item);
            }
            out.push('}');
        }
    }
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
    /// Reads one JSON text with `read`, surrounding whitespace allowed and nothing else.
    fn document<T>(
        text: &str,
        read: impl FnOnce(&mut Reader<'_>) -> Result<T, SyntaxError>,
    ) -> Result<T, SyntaxError> {
        let mut reader = Reader {
            bytes: text.as_bytes(),
            pos: 0,
        };
        reader.skip_ws();
        let value = read(&mut reader)?;
        reader.skip_ws();
        if reader.pos == reader.bytes.len() {
            Ok(value)
        } else {
            Err(reader.error())
        }
    }

    /// The members of the object at the current position, each kept only when it is shallow and small enough.
    fn envelope(&mut self) -> Result<Envelope, SyntaxError> {
        let mut envelope = Envelope::default();
        self.pos += 1; // '{'
        self.skip_ws();
        if self.eat(b'}') {
            return Ok(envelope);
        }
        loop {
            let key = self.key()?;
            self.skip_ws();
            let start = self.pos;
            let depth = self.skip()?;
            let slot = match key.as_str() {
                "ret" => Some(&mut envelope.ret),
                "msg" => Some(&mut envelope.msg),
                "data" => Some(&mut envelope.data),
                _ => None,
            };
            if let Some(slot) = slot {
                let size_ok = key != "data" || self.pos - start <= MAX_DATA_BYTES;
                *slot = match self.bytes.get(start..self.pos) {
                    Some(span) if depth <= MAX_DEPTH && size_ok => {
                        let mut inner = Reader { bytes: span, pos: 0 };
                        Member::Kept(inner.value(0)?)
                    }
                    _ => Member::Omitted,
                };
            }
            self.skip_ws();
            if self.eat(b'}') {
                return Ok(envelope);
            }
            if !self.eat(b',') {
                return Err(self.error());
            }
        }
    }

    /// Checks one value without building it and returns how deeply it nests. Iterative, so no input can exhaust
    /// the stack.
    fn skip(&mut self) -> Result<usize, SyntaxError> {
        let mut open: Vec<u8> = Vec::new();
        let mut deepest = 0;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b @ (b'{' | b'[')) => {
                    self.pos += 1;
                    deepest = deepest.max(open.len() + 1);
                    self.skip_ws();
                    let close = if b == b'{' { b'}' } else { b']' };
                    if !self.eat(close) {
                        open.push(close);
                        if close == b'}' {
                            self.key()?;
                        }
                        continue;
                    }
                }
                Some(b'"') => self.skip_string()?,
                Some(b't') => self.literal(b"true", Json::Null).map(drop)?,
                Some(b'f') => self.literal(b"false", Json::Null).map(drop)?,
                Some(b'n') => self.literal(b"null", Json::Null).map(drop)?,
                Some(b'-' | b'0'..=b'9') => self.number_end()?,
                _ => return Err(self.error()),
            }
            // After a value: close what ends here, then expect the next item or member.
            loop {
                self.skip_ws();
                let Some(&close) = open.last() else {
                    return Ok(deepest);
                };
                if self.eat(close) {
                    open.pop();
                    continue;
                }
                if !self.eat(b',') {
                    return Err(self.error());
                }
                if close == b'}' {
                    self.key()?;
                }
                break;
            }
        }
    }

    /// `"key" :` with the whitespace around it.
    fn key(&mut self) -> Result<String, SyntaxError> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return Err(self.error());
        }
        let key = self.string()?;
        self.skip_ws();
        if self.eat(b':') {
            Ok(key)
        } else {
            Err(self.error())
        }
    }

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
            let key = self.key()?;
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
        self.number_end()?;
        self.slice(start).map(|s| Json::Number(s.to_owned()))
    }

    /// Moves past a number, checking it against the grammar.
    fn number_end(&mut self) -> Result<(), SyntaxError> {
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
        Ok(())
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

    /// Moves past a string, checking it, without building it.
    fn skip_string(&mut self) -> Result<(), SyntaxError> {
        self.pos += 1; // opening quote
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape()?;
                }
                Some(b) if b >= 0x20 => self.pos += 1,
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
    fn writes_the_js_view_big_integers_as_strings_the_rest_as_read() {
        let text = r#"{"a":1,"b":9007199254740993,"c":-0,"d":1.5e3,"__proto__":{"x":"\"q\"\n\u0001"},"e":[true,null,-9007199254740992,18446744073709551616],"f":9007199254740991,"g":-9007199254740991,"h":{},"i":[]}"#;
        let mut out = String::new();
        write_js_view(&mut out, &parse(text).unwrap());
        assert_eq!(
            out,
            r#"{"a":1,"b":"9007199254740993","c":-0,"d":1.5e3,"__proto__":{"x":"\"q\"\n\u0001"},"e":[true,null,"-9007199254740992","18446744073709551616"],"f":9007199254740991,"g":-9007199254740991,"h":{},"i":[]}"#
        );
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
    fn envelope_keeps_ret_msg_and_data_only() {
        let e =
            envelope(r#" {"ret":200,"msg":"ok","other":[1,{"x":"y"}],"data":{"id":18446744073709551615}} "#)
                .unwrap()
                .unwrap();
        assert_eq!(e.ret, Member::Kept(num("200")));
        assert_eq!(e.msg, Member::Kept(Json::String("ok".into())));
        let Member::Kept(data) = e.data else {
            panic!("{:?}", e.data)
        };
        assert_eq!(data.get("id"), Some(&num("18446744073709551615")));
        assert_eq!(envelope("{}").unwrap(), Some(Envelope::default()));
        assert_eq!(
            envelope(r#"{"ret":500,"ret":200}"#).unwrap().unwrap().ret,
            Member::Kept(num("200"))
        );
    }

    #[test]
    fn envelope_omits_deep_or_large_data_but_reads_the_rest() {
        let deep = format!(
            r#"{{"ret":200,"data":{}{}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let e = envelope(&deep).unwrap().unwrap();
        assert_eq!((e.ret, e.data), (Member::Kept(num("200")), Member::Omitted));
        let edge = format!(r#"{{"data":{}{}}}"#, "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(matches!(envelope(&edge).unwrap().unwrap().data, Member::Kept(_)));
        let large = format!(r#"{{"msg":"m","data":"{}"}}"#, "x".repeat(MAX_DATA_BYTES));
        let e = envelope(&large).unwrap().unwrap();
        assert_eq!(
            (e.msg, e.data),
            (Member::Kept(Json::String("m".into())), Member::Omitted)
        );
        let deep_elsewhere = format!(
            r#"{{"ret":200,"x":{}1{}}}"#,
            "{\"a\":".repeat(5000),
            "}".repeat(5000)
        );
        assert_eq!(
            envelope(&deep_elsewhere).unwrap().unwrap().ret,
            Member::Kept(num("200"))
        );
    }

    #[test]
    fn envelope_is_as_strict_as_parse() {
        assert_eq!(envelope("[1,2]"), Ok(None));
        assert_eq!(envelope("\"x\""), Ok(None));
        for bad in [
            "",
            "{",
            "{\"a\":1,}",
            "{\"a\":[1,]}",
            "{\"a\":01}",
            "{\"a\":\"\\x\"}",
            "{\"a\":tru}",
            "{\"a\" 1}",
            "{\"a\":1]",
            "{\"a\":[1}",
            "{\"a\":{\"b\"}}",
            "{\"a\":\"\u{1}\"}",
            "[1,]",
            "[",
            "{} x",
            "<html>",
        ] {
            assert!(envelope(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn reports_where_reading_stopped() {
        assert_eq!(parse("[1, x]"), Err(SyntaxError { at: 4 }));
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
        let mut keyed = parse(r#"{"sekret":{"a-sekret-b":1}}"#).unwrap();
        keyed.redact("sekret");
        assert_eq!(keyed, parse(r#"{"[redacted]":{"a-[redacted]-b":1}}"#).unwrap());
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
        fn never_panics_on_arbitrary_text(s in ".{0,64}") {
            let _ = parse(&s);
            let _ = envelope(&s);
        }

        // The skipper accepts exactly what the reader accepts.
        #[test]
        fn envelope_agrees_with_parse(v in arb_json()) {
            let text = serde_json::to_string(&v).unwrap();
            let parsed = parse(&text).unwrap();
            let e = envelope(&text).unwrap();
            match (&parsed, e) {
                (Json::Object(_), Some(e)) => {
                    let member = |k| parsed.get(k).cloned().map_or(Member::Absent, Member::Kept);
                    prop_assert_eq!(e.ret, member("ret"));
                    prop_assert_eq!(e.msg, member("msg"));
                }
                (Json::Object(_), None) => prop_assert!(false, "object read as non-object"),
                (_, e) => prop_assert!(e.is_none()),
            }
        }

        #[test]
        fn envelope_refuses_what_parse_refuses(s in "[\\[\\]{}\":,0-9a-z \\\\.-]{0,24}") {
            prop_assert_eq!(parse(&s).is_ok(), envelope(&s).is_ok(), "{:?}", s);
        }
    }
}
