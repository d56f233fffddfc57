//! Oracles shared by the fuzz targets.
//!
//! The reference for `gewe_revoke::pure::json::parse` is serde_json (no `arbitrary_precision`), adjusted for
//! the reader's documented differences, each one explicitly:
//! - nesting deeper than `MAX_DEPTH` (64) is refused by `parse`: [`Expected::Accept`] carries the depth;
//! - a lone surrogate escape becomes U+FFFD (serde_json refuses it): the reference text gets `\uFFFD`
//!   instead;
//! - duplicate keys are kept in order (serde_json's map keeps the last): compared against [`Tree`], which
//!   keeps every member in order, and lookups (`Json::get`) against serde_json's last-wins `Value`;
//! - numbers keep their lexeme, so one beyond f64's range is fine (serde_json refuses it): the reference text
//!   gets `0.0` in its place, and the comparison expects exactly that substitution.

use std::fmt;

use gewe_revoke::pure::json::Json;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

/// A JSON value as serde_json reads it, every object member kept in source order (duplicates included).
#[derive(Clone, Debug, PartialEq)]
pub enum Tree {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number as serde_json holds it without `arbitrary_precision`: u64, i64 or f64.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Tree>),
    /// An object, members in source order.
    Object(Vec<(String, Tree)>),
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Tree;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Tree, E> {
        Ok(Tree::Bool(b))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Tree, E> {
        Ok(Tree::Number(n.into()))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Tree, E> {
        Ok(Tree::Number(n.into()))
    }
    fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Tree, E> {
        Number::from_f64(n)
            .map(Tree::Number)
            .ok_or_else(|| E::custom("non-finite number"))
    }
    fn visit_str<E>(self, s: &str) -> Result<Tree, E> {
        Ok(Tree::String(s.to_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Tree::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry::<String, Tree>()? {
            members.push(member);
        }
        Ok(Tree::Object(members))
    }
}

/// What a conforming reader must make of a text.
#[derive(Debug)]
pub enum Expected {
    /// Not JSON: must be refused.
    Reject,
    /// JSON: `parse` must agree with both views of serde_json when `depth <= MAX_DEPTH`, and refuse it
    /// otherwise.
    Accept {
        /// Every member in order.
        tree: Tree,
        /// serde_json's own value: for objects, the last of duplicate keys.
        value: Value,
        /// How deeply arrays and objects nest (0 for a scalar).
        depth: usize,
    },
    /// Nested so deeply that serde_json is not asked (it recurses): only `parse` refusing it can be checked.
    Unknown,
}

/// Deeper than this, serde_json (which recurses) is not asked: the stack would run out (`-max_len` 4096 is
/// fine).
pub const REFERENCE_MAX_DEPTH: usize = 4096;

/// The reference verdict on `text`.
pub fn expected(text: &str) -> Expected {
    let (adjusted, depth) = adjust(text);
    if depth > REFERENCE_MAX_DEPTH {
        return Expected::Unknown;
    }
    match (read::<Tree>(&adjusted), read::<Value>(&adjusted)) {
        (Ok(tree), Ok(value)) => Expected::Accept { tree, value, depth },
        (Err(_), Err(_)) => Expected::Reject,
        (tree, value) => panic!("serde_json disagrees with itself on {adjusted:?}: {tree:?} / {value:?}"),
    }
}

/// serde_json's reading of `text` as one `T`, without its recursion limit (the depth is checked by the
/// caller).
fn read<T: for<'de> Deserialize<'de>>(text: &str) -> serde_json::Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    let value = T::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// How deeply arrays and objects nest in a value (0 for a scalar).
pub fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// The text serde_json should read in place of `text` (lone surrogate escapes as `\uFFFD`, numbers beyond
/// f64's range as `0.0`), and the deepest nesting of arrays and objects outside strings.
pub fn adjust(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let used = match c {
            '"' => string(rest, &mut out),
            '[' | '{' => {
                depth += 1;
                deepest = deepest.max(depth);
                out.push(c);
                1
            }
            ']' | '}' => {
                depth = depth.saturating_sub(1);
                out.push(c);
                1
            }
            '-' | '0'..='9' => {
                let len = rest
                    .find(|c: char| !matches!(c, '0'..='9' | '-' | '+' | '.' | 'e' | 'E'))
                    .unwrap_or(rest.len());
                let lexeme = &rest[..len];
                if is_number(lexeme) && lexeme.parse::<f64>().is_ok_and(f64::is_infinite) {
                    out.push_str("0.0");
                } else {
                    out.push_str(lexeme);
                }
                len
            }
            c => {
                out.push(c);
                c.len_utf8()
            }
        };
        rest = &rest[used..];
    }
    (out, deepest)
}

/// Copies the string literal at the start of `rest` (which begins with `"`) into `out`, lone surrogate
/// escapes replaced by `\uFFFD` exactly where the reader substitutes U+FFFD; returns the bytes consumed.
fn string(rest: &str, out: &mut String) -> usize {
    let bytes = rest.as_bytes();
    let mut i = 1;
    out.push('"');
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                out.push('"');
                return i + 1;
            }
            b'\\' => match hex_escape(bytes, i) {
                Some(0xD800..=0xDBFF) => match hex_escape(bytes, i + 6) {
                    Some(0xDC00..=0xDFFF) => {
                        out.push_str(&rest[i..i + 12]);
                        i += 12;
                    }
                    _ => {
                        out.push_str("\\uFFFD");
                        i += 6;
                    }
                },
                Some(0xDC00..=0xDFFF) => {
                    out.push_str("\\uFFFD");
                    i += 6;
                }
                Some(_) => {
                    out.push_str(&rest[i..i + 6]);
                    i += 6;
                }
                None => {
                    // Any other escape (or a broken one): the backslash and the character after it, verbatim.
                    out.push('\\');
                    i += 1;
                    if let Some(c) = rest.get(i..).and_then(|r| r.chars().next()) {
                        out.push(c);
                        i += c.len_utf8();
                    }
                }
            },
            _ => {
                let c = rest[i..].chars().next().unwrap_or_default();
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    i
}

/// The code unit of a `\uXXXX` escape at `at`, if there is one.
fn hex_escape(bytes: &[u8], at: usize) -> Option<u32> {
    let esc = bytes.get(at..at + 6)?;
    if esc[0] != b'\\' || esc[1] != b'u' || !esc[2..].iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u32::from_str_radix(std::str::from_utf8(&esc[2..]).ok()?, 16).ok()
}

/// Whether `s` is exactly a JSON number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
pub fn is_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Whether a JSON number lexeme is an integer (no fraction, no exponent).
pub fn is_integer_lexeme(s: &str) -> bool {
    !s.contains(['.', 'e', 'E'])
}

/// Compares the reader's number (its lexeme) with serde_json's: the exact text where serde_json holds the
/// exact integer (`Number::to_string()` is then exact), else the value, bit for bit (both are correctly
/// rounded).
pub fn same_number(lexeme: &str, theirs: &Number) -> Result<(), String> {
    if !is_number(lexeme) {
        return Err(format!("number {lexeme:?} is not a JSON number lexeme"));
    }
    let value: f64 = lexeme.parse().map_err(|e| format!("{lexeme:?}: {e}"))?;
    let ok = if value.is_infinite() {
        // adjust() put 0.0 in its place for serde_json.
        theirs.is_f64() && theirs.as_f64().is_some_and(|f| f.to_bits() == 0.0f64.to_bits())
    } else if is_integer_lexeme(lexeme) && (theirs.is_u64() || theirs.is_i64()) {
        theirs.to_string() == lexeme
    } else {
        theirs.is_f64() && theirs.as_f64().is_some_and(|f| f.to_bits() == value.to_bits())
    };
    if ok {
        Ok(())
    } else {
        Err(format!("number {lexeme:?} vs serde_json {theirs:?}"))
    }
}

/// Compares the reader's value with serde_json's, members in order.
pub fn same_tree(ours: &Json, theirs: &Tree) -> Result<(), String> {
    match (ours, theirs) {
        (Json::Null, Tree::Null) => Ok(()),
        (Json::Bool(a), Tree::Bool(b)) if a == b => Ok(()),
        (Json::Number(lexeme), Tree::Number(n)) => same_number(lexeme, n),
        (Json::String(a), Tree::String(b)) if a == b => Ok(()),
        (Json::Array(a), Tree::Array(b)) if a.len() == b.len() => {
            a.iter().zip(b).try_for_each(|(x, y)| same_tree(x, y))
        }
        (Json::Object(a), Tree::Object(b)) if a.len() == b.len() => {
            a.iter().zip(b).try_for_each(|((ka, va), (kb, vb))| {
                if ka == kb {
                    same_tree(va, vb)
                } else {
                    Err(format!("key {ka:?} vs serde_json {kb:?}"))
                }
            })
        }
        _ => Err(format!("{ours:?} vs serde_json {theirs:?}")),
    }
}

/// Checks `Json::get` against serde_json's map (last duplicate wins in both), everywhere in the value.
pub fn same_lookups(ours: &Json, theirs: &Value) -> Result<(), String> {
    match (ours, theirs) {
        (Json::Array(a), Value::Array(b)) => a.iter().zip(b).try_for_each(|(x, y)| same_lookups(x, y)),
        (Json::Object(members), Value::Object(map)) => {
            let mut keys: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
            keys.sort_unstable();
            keys.dedup();
            if keys.len() != map.len() {
                return Err(format!(
                    "{} distinct keys vs serde_json {}",
                    keys.len(),
                    map.len()
                ));
            }
            for (key, value) in map {
                let Some(mine) = ours.get(key) else {
                    return Err(format!("get({key:?}) found nothing"));
                };
                same_value(mine, value)?;
                same_lookups(mine, value)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Compares a value with serde_json's `Value` (objects by their last members).
fn same_value(ours: &Json, theirs: &Value) -> Result<(), String> {
    match (ours, theirs) {
        (Json::Null, Value::Null) => Ok(()),
        (Json::Bool(a), Value::Bool(b)) if a == b => Ok(()),
        (Json::Number(lexeme), Value::Number(n)) => same_number(lexeme, n),
        (Json::String(a), Value::String(b)) if a == b => Ok(()),
        (Json::Array(a), Value::Array(b)) if a.len() == b.len() => {
            a.iter().zip(b).try_for_each(|(x, y)| same_value(x, y))
        }
        (Json::Object(_), Value::Object(map)) => map.iter().try_for_each(|(k, v)| match ours.get(k) {
            Some(mine) => same_value(mine, v),
            None => Err(format!("get({k:?}) found nothing")),
        }),
        _ => Err(format!("{ours:?} vs serde_json {theirs:?}")),
    }
}

/// Every string in a value, object keys included.
pub fn strings(value: &Json, out: &mut Vec<String>) {
    match value {
        Json::String(s) => out.push(s.clone()),
        Json::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Json::Object(members) => members.iter().for_each(|(k, v)| {
            out.push(k.clone());
            strings(v, out);
        }),
        Json::Null | Json::Bool(_) | Json::Number(_) => {}
    }
}

/// Whether `text` holds `secret` spelled with each character written literally, as a JSON escape (`\"`, `\/`,
/// `\u00XX`, a surrogate pair) or as UTF-8 bytes each literal or percent-encoded (a space also as `+`): the
/// spellings `pure::redact` promises to remove. Written independently of it, as a set of positions per
/// character.
pub fn spelled(text: &str, secret: &str) -> bool {
    let t = text.as_bytes();
    !secret.is_empty()
        && (0..t.len()).any(|start| {
            let mut at = vec![start];
            for c in secret.chars() {
                let mut next: Vec<usize> = Vec::new();
                for &p in &at {
                    for end in char_ends(t, p, c) {
                        if !next.contains(&end) {
                            next.push(end);
                        }
                    }
                }
                if next.is_empty() {
                    return false;
                }
                at = next;
            }
            true
        })
}

/// Where each spelling of `c` starting at `p` ends.
fn char_ends(t: &[u8], p: usize, c: char) -> Vec<usize> {
    let mut buf = [0u8; 4];
    let mut ends = vec![p];
    for &b in c.encode_utf8(&mut buf).as_bytes() {
        let mut next = Vec::new();
        for &q in &ends {
            if t.get(q) == Some(&b) || (b == b' ' && t.get(q) == Some(&b'+')) {
                next.push(q + 1);
            }
            if t.get(q) == Some(&b'%') && hex_value(t.get(q + 1..q + 3)) == Some(u32::from(b)) {
                next.push(q + 3);
            }
        }
        ends = next;
    }
    let short = match c {
        '"' => Some(b'"'),
        '\\' => Some(b'\\'),
        '/' => Some(b'/'),
        '\u{8}' => Some(b'b'),
        '\u{c}' => Some(b'f'),
        '\n' => Some(b'n'),
        '\r' => Some(b'r'),
        '\t' => Some(b't'),
        _ => None,
    };
    if let Some(short) = short {
        if t.get(p) == Some(&b'\\') && t.get(p + 1) == Some(&short) {
            ends.push(p + 2);
        }
    }
    let mut units = [0u16; 2];
    let mut q = p;
    let escaped = c.encode_utf16(&mut units).iter().all(|&unit| {
        let hit = t.get(q..q + 2) == Some(b"\\u") && hex_value(t.get(q + 2..q + 6)) == Some(u32::from(unit));
        q += 6;
        hit
    });
    if escaped {
        ends.push(q);
    }
    ends
}

fn hex_value(digits: Option<&[u8]>) -> Option<u32> {
    digits?
        .iter()
        .try_fold(0, |n, &d| Some(n * 16 + char::from(d).to_digit(16)?))
}

/// Splits fuzz input at the first occurrence of `sep`: (before, after); all of it is `before` when absent.
pub fn split(data: &[u8], sep: u8) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == sep) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[]),
    }
}

/// A tree both XML readers can be compared on: elements with their attributes, and text, adjacent text
/// joined, comments and processing instructions left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum XmlTree {
    /// An element: name, attributes in order, children.
    Element(String, Vec<(String, String)>, Vec<XmlTree>),
    /// Character data.
    Text(String),
}

/// What `pure::xml::parse` must make of a text, by roxmltree.
#[derive(Debug)]
pub enum XmlExpected {
    /// Not XML, or nested past the reader's cap: must be refused.
    Reject,
    /// Must be read as this root.
    Accept(XmlTree),
    /// Uses namespaces (`xmlns`, a prefixed name), which the reader does not implement: not asserted.
    Unknown,
}

/// roxmltree's verdict on `text`, adjusted for the reader's documented limits.
pub fn xml_expected(text: &str, max_depth: usize) -> XmlExpected {
    if text.contains("xmlns") {
        return XmlExpected::Unknown;
    }
    let Ok(doc) = roxmltree::Document::parse(text) else {
        return XmlExpected::Reject;
    };
    let mut deepest = 0;
    for node in doc.descendants() {
        if node.is_element() {
            if node.tag_name().namespace().is_some()
                || node.attributes().any(|a| a.namespace().is_some())
            {
                return XmlExpected::Unknown;
            }
            deepest = deepest.max(node.ancestors().filter(|n| n.is_element()).count());
        }
    }
    if deepest > max_depth {
        return XmlExpected::Reject;
    }
    XmlExpected::Accept(xml_tree(doc.root_element()))
}

fn xml_tree(node: roxmltree::Node<'_, '_>) -> XmlTree {
    let attributes = node
        .attributes()
        .map(|a| (a.name().to_owned(), a.value().to_owned()))
        .collect();
    let mut children: Vec<XmlTree> = Vec::new();
    for child in node.children() {
        if child.is_element() {
            children.push(xml_tree(child));
        } else if let Some(text) = child.text().filter(|_| child.is_text()) {
            match children.last_mut() {
                Some(XmlTree::Text(t)) => t.push_str(text),
                _ => children.push(XmlTree::Text(text.to_owned())),
            }
        }
    }
    children.retain(|c| !matches!(c, XmlTree::Text(t) if t.is_empty()));
    XmlTree::Element(node.tag_name().name().to_owned(), attributes, children)
}

/// The same tree from `pure::xml`'s element.
pub fn our_xml_tree(element: &gewe_revoke::pure::xml::Element) -> XmlTree {
    use gewe_revoke::pure::xml::Node;
    let mut children: Vec<XmlTree> = Vec::new();
    for child in &element.children {
        match child {
            Node::Element(e) => children.push(our_xml_tree(e)),
            Node::Text(text) => match children.last_mut() {
                Some(XmlTree::Text(t)) => t.push_str(text),
                _ => children.push(XmlTree::Text(text.clone())),
            },
        }
    }
    XmlTree::Element(element.name.clone(), element.attributes.clone(), children)
}

/// The reference reading of a GeWe callback, written from GEWE-CALLBACKS.md and `parse_callback`'s documented
/// contract on serde_json's `Value` (through [`expected`]) and roxmltree: the same `Callback` on success, the
/// blamed field on failure. `None` when it cannot say (the XML uses namespaces).
pub fn callback_reference(
    text: &str,
) -> Option<Result<gewe_revoke::pure::callback::Callback, &'static str>> {
    use gewe_revoke::pure::callback::{Callback, Envelope, MAX_CALLBACK_BYTES};
    use gewe_revoke::pure::json::MAX_DEPTH;
    if text.len() > MAX_CALLBACK_BYTES {
        return Some(Err("rawText"));
    }
    let root = match expected(text) {
        Expected::Accept { value, depth, .. } if depth <= MAX_DEPTH => value,
        _ => return Some(Err("rawText")),
    };
    let Value::Object(_) = root else {
        return Some(Err("rawText"));
    };
    let pick = |upper: &str, lower: &str| root.get(upper).or_else(|| root.get(lower));
    let Some(type_name) = pick("TypeName", "type_name") else {
        return Some(if root.get("testMsg").is_some_and(Value::is_string) {
            Ok(Callback::Test)
        } else {
            Err("TypeName")
        });
    };
    // Envelope strings: absent, null or blank read as none; any other non-string is wrong.
    let text_of = |v: Option<&Value>, field: &'static str| match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok((!s.trim().is_empty()).then(|| s.clone())),
        Some(_) => Err(field),
    };
    let envelope = (|| {
        Ok(Envelope {
            type_name: text_of(Some(type_name), "TypeName")?.ok_or("TypeName")?,
            appid: text_of(pick("Appid", "appid"), "Appid")?.ok_or("Appid")?,
            wxid: text_of(pick("Wxid", "wxid"), "Wxid")?,
        })
    })();
    let envelope = match envelope {
        Ok(e) => e,
        Err(field) => return Some(Err(field)),
    };
    if envelope.type_name != "AddMsg" {
        return Some(Ok(Callback::Event(envelope)));
    }
    let data = match pick("Data", "data") {
        Some(d @ Value::Object(_)) => d,
        _ => return Some(Err("Data")),
    };
    match reference_message(data, envelope.wxid.as_deref()) {
        Some(Ok(message)) => Some(Ok(Callback::Message {
            envelope,
            message: Box::new(message),
        })),
        Some(Err(field)) => Some(Err(field)),
        None => None,
    }
}

fn reference_message(
    data: &Value,
    wxid: Option<&str>,
) -> Option<Result<gewe_revoke::pure::callback::Message, &'static str>> {
    use gewe_revoke::pure::callback::Message;
    // An integer as a JSON number serde_json holds as u64, or a string of ASCII digits once trimmed.
    let int = |key: &str, field: &'static str| -> Result<Option<u64>, &'static str> {
        match data.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_u64().map(Some).ok_or(field),
            Some(Value::String(s)) => {
                let t = s.trim();
                if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                    t.parse::<u64>().map(Some).map_err(|_| field)
                } else {
                    Err(field)
                }
            }
            Some(_) => Err(field),
        }
    };
    let wrapped = |key: &str, field: &'static str| -> Result<Option<String>, &'static str> {
        match data.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(w)) => match w.get("string") {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(field),
            },
            Some(_) => Err(field),
        }
    };
    let fields = (|| {
        let msg_id = int("MsgId", "Data.MsgId")?.ok_or("Data.MsgId")?;
        let new_msg_id = int("NewMsgId", "Data.NewMsgId")?.ok_or("Data.NewMsgId")?;
        let msg_seq = int("MsgSeq", "Data.MsgSeq")?;
        let msg_type = int("MsgType", "Data.MsgType")?.ok_or("Data.MsgType")?;
        let msg_type = u32::try_from(msg_type).map_err(|_| "Data.MsgType")?;
        let create_time = int("CreateTime", "Data.CreateTime")?;
        let from = wrapped("FromUserName", "Data.FromUserName")?
            .filter(|s| !s.is_empty())
            .ok_or("Data.FromUserName")?;
        let to = wrapped("ToUserName", "Data.ToUserName")?
            .filter(|s| !s.is_empty())
            .ok_or("Data.ToUserName")?;
        let content = wrapped("Content", "Data.Content")?.unwrap_or_default();
        Ok((msg_id, new_msg_id, msg_seq, msg_type, create_time, from, to, content))
    })();
    let (msg_id, new_msg_id, msg_seq, msg_type, create_time, from, to, content) = match fields {
        Ok(f) => f,
        Err(field) => return Some(Err(field)),
    };
    let room = |id: &str| id.ends_with("@chatroom");
    let group = room(&from) || room(&to);
    let chat = if room(&from) || (!room(&to) && wxid != Some(from.as_str())) {
        from.clone()
    } else {
        to.clone()
    };
    let (sender, text) = if room(&from) {
        let prefix = content.find(":\n").and_then(|at| {
            let who = &content[..at];
            let shaped = (1..=64).contains(&who.len())
                && who
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.@".contains(c));
            shaped.then(|| (who.to_owned(), content[at + 2..].to_owned()))
        });
        match prefix {
            Some((who, body)) => ((!room(&who)).then_some(who), body),
            None => (None, content.clone()),
        }
    } else {
        (Some(from.clone()), content.clone())
    };
    let own = wxid.is_some() && sender.as_deref() == wxid;
    let sysmsg = if msg_type == 10002 {
        let by = if group { sender.clone() } else { None };
        match reference_sysmsg(&text, &chat, by)? {
            Ok(s) => Some(s),
            Err(field) => return Some(Err(field)),
        }
    } else {
        None
    };
    Some(Ok(Message {
        msg_id,
        new_msg_id,
        msg_seq,
        msg_type,
        create_time,
        from,
        to,
        chat,
        group,
        sender,
        own,
        text,
        push_content: data
            .get("PushContent")
            .and_then(Value::as_str)
            .map(str::to_owned),
        image_buffer: data
            .get("ImgBuf")
            .and_then(|b| b.get("buffer"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        sysmsg,
    }))
}

/// The first child element of `parent` called `name`.
fn element<'a, 'input>(parent: roxmltree::Node<'a, 'input>, name: &str) -> Option<roxmltree::Node<'a, 'input>> {
    parent
        .children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
}

fn reference_sysmsg(
    text: &str,
    chat: &str,
    by: Option<String>,
) -> Option<Result<gewe_revoke::pure::callback::SysMsg, &'static str>> {
    use gewe_revoke::pure::callback::{Recall, SysMsg};
    const FIELD: &str = "Data.Content";
    match xml_expected(text, gewe_revoke::pure::xml::MAX_DEPTH) {
        XmlExpected::Unknown => return None,
        XmlExpected::Reject => return Some(Err(FIELD)),
        XmlExpected::Accept(_) => {}
    }
    let doc = roxmltree::Document::parse(text).ok()?;
    let root = doc.root_element();
    if root.tag_name().name() != "sysmsg" {
        return Some(Err(FIELD));
    }
    let kind = root.attribute("type").unwrap_or("");
    if kind != "revokemsg" {
        return Some(Ok(SysMsg::Other {
            kind: kind.to_owned(),
        }));
    }
    let own_text = |node: roxmltree::Node<'_, '_>| -> String {
        node.children()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect()
    };
    let Some(notice) = element(root, "revokemsg") else {
        return Some(Err(FIELD));
    };
    let id = |name: &str| -> Result<Option<u64>, &'static str> {
        match element(notice, name) {
            None => Ok(None),
            Some(e) => {
                let t = own_text(e);
                let t = t.trim();
                if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                    t.parse::<u64>().map(Some).map_err(|_| FIELD)
                } else {
                    Err(FIELD)
                }
            }
        }
    };
    let recall = (|| {
        let msg_id = id("msgid")?;
        let new_msg_id = id("newmsgid")?.ok_or(FIELD)?;
        let session = element(notice, "session").map(|e| own_text(e).trim().to_owned());
        Ok(Recall {
            chat: session
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| chat.to_owned()),
            msg_id,
            new_msg_id,
            text: element(notice, "replacemsg")
                .map(|e| own_text(e).trim().to_owned())
                .unwrap_or_default(),
            by,
        })
    })();
    Some(recall.map(SysMsg::Recall))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjusts_only_what_the_reader_documents() {
        assert_eq!(
            adjust(r#"["\ud800x","\udc00","\ud83d\ude00",1e400,-1E+999,1e-999,"1e400"]"#).0,
            r#"["\uFFFDx","\uFFFD","\ud83d\ude00",0.0,0.0,1e-999,"1e400"]"#
        );
        assert_eq!(adjust(r#""\\ud800""#).0, r#""\\ud800""#);
        assert_eq!(adjust("[[{\"[\":[]}]]").1, 4);
    }

    #[test]
    fn spellings() {
        for (text, secret) in [
            ("xabcx", "abc"),
            ("a%62c", "abc"),
            ("a\\u0062c", "abc"),
            ("a\\\"b", "a\"b"),
            ("a+b", "a b"),
            ("%E6%92%a4", "撤"),
            ("\\ud83d\\ude00", "😀"),
            ("\\/", "/"),
        ] {
            assert!(spelled(text, secret), "{text} {secret}");
        }
        for (text, secret) in [
            ("ab", "abc"),
            ("a%6c", "ab"),
            ("a\\u006", "ab"),
            ("", "a"),
            ("a", ""),
        ] {
            assert!(!spelled(text, secret), "{text} {secret}");
        }
    }

    #[test]
    fn number_grammar() {
        for ok in ["0", "-0", "1.5", "-0.5e+3", "10E-2", "123"] {
            assert!(is_number(ok), "{ok}");
        }
        for bad in ["", "-", "01", "1.", ".5", "1e", "+1", "1e+", "--1", "1.5.5"] {
            assert!(!is_number(bad), "{bad}");
        }
    }
}
