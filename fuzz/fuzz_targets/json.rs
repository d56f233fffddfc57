//! `json::parse` and `json::envelope` against serde_json.
//!
//! `parse`: same accept/reject, same structure (members in order, duplicates kept), numbers as their exact
//! source text, and `Json::get` taking the last duplicate as serde_json's map does. `envelope`: accepts
//! exactly the JSON texts (at any depth), `None` for a non-object, and `ret`/`msg`/`data` equal to
//! serde_json's last member of that name, omitted only when nested deeper than `MAX_DEPTH` (or, for `data`,
//! larger than `MAX_DATA_BYTES`). The reader's documented differences (nesting cap, lone surrogates, numbers
//! beyond f64) are modelled in `gewe_revoke_fuzz::expected`, never skipped.
#![no_main]

use gewe_revoke::core::json::{self, write_js_view, write_str, Json, Member, MAX_DATA_BYTES, MAX_DEPTH};
use gewe_revoke_fuzz::{depth, expected, same_lookups, same_tree, strings, Expected, Tree};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn check_parse(text: &str, expect: &Expected) {
    let ours = json::parse(text);
    match (&ours, expect) {
        (Err(e), _) if e.at > text.len() => panic!("error offset {} past the end of {text:?}", e.at),
        (Err(_), Expected::Reject | Expected::Unknown) => {}
        (Err(_), Expected::Accept { depth, .. }) if *depth > MAX_DEPTH => {}
        (Ok(v), Expected::Reject) => panic!("accepted what serde_json refuses: {text:?} -> {v:?}"),
        (Ok(v), Expected::Unknown) => panic!("accepted nesting deeper than MAX_DEPTH: {text:?} -> {v:?}"),
        (Ok(v), Expected::Accept { depth, .. }) if *depth > MAX_DEPTH => {
            panic!("accepted nesting {depth} deep, past MAX_DEPTH: {text:?} -> {v:?}")
        }
        (Err(e), Expected::Accept { tree, .. }) => {
            panic!(
                "refused (at {}) what serde_json reads as {tree:?}: {text:?}",
                e.at
            )
        }
        (Ok(v), Expected::Accept { tree, value, .. }) => {
            if let Err(why) = same_tree(v, tree) {
                panic!("differs from serde_json: {why}\ntext: {text:?}\nours: {v:?}\nserde_json: {tree:?}");
            }
            if let Err(why) = same_lookups(v, value) {
                panic!("lookups differ from serde_json: {why}\ntext: {text:?}");
            }
            // The JS view, read back, is the value with every integer beyond 2^53 as its decimal string.
            let mut view = String::new();
            write_js_view(&mut view, v);
            assert_eq!(
                json::parse(&view),
                Ok(js_view(v)),
                "write_js_view of {text:?} = {view:?}"
            );
            // Every string read back through the writer is itself again.
            let mut all = Vec::new();
            strings(v, &mut all);
            for s in all {
                let mut out = String::new();
                write_str(&mut out, &s);
                assert_eq!(
                    json::parse(&out),
                    Ok(Json::String(s.clone())),
                    "write_str({s:?}) = {out:?}"
                );
            }
        }
    }
}

/// What `write_js_view` must write, restated: an integer whose magnitude passes 2^53 - 1 becomes a string.
fn js_view(v: &Json) -> Json {
    match v {
        Json::Number(n) if n.bytes().all(|b| b == b'-' || b.is_ascii_digit()) => {
            let safe = n.parse::<i128>().is_ok_and(|i| i.abs() <= (1 << 53) - 1);
            if safe {
                v.clone()
            } else {
                Json::String(n.clone())
            }
        }
        Json::Array(items) => Json::Array(items.iter().map(js_view).collect()),
        Json::Object(members) => Json::Object(members.iter().map(|(k, v)| (k.clone(), js_view(v))).collect()),
        other => other.clone(),
    }
}

/// The last member named `name` of an object, in serde_json's ordered and last-wins views.
fn member<'a>(tree: &'a Tree, value: &'a Value, name: &str) -> Option<(&'a Tree, &'a Value)> {
    let Tree::Object(members) = tree else { return None };
    let (_, last) = members.iter().rev().find(|(k, _)| k == name)?;
    Some((last, value.get(name)?))
}

fn check_member(text: &str, name: &str, ours: &Member, theirs: Option<(&Tree, &Value)>) {
    match (ours, theirs) {
        (Member::Absent, None) => {}
        (Member::Kept(mine), Some((tree, value))) => {
            let d = depth(value);
            assert!(d <= MAX_DEPTH, "envelope kept {name} nested {d} deep: {text:?}");
            if let Err(why) = same_tree(mine, tree) {
                panic!("envelope's {name} differs from serde_json: {why}\ntext: {text:?}");
            }
        }
        (Member::Omitted, Some((_, value))) => {
            let large = name == "data" && text.len() > MAX_DATA_BYTES;
            assert!(
                depth(value) > MAX_DEPTH || large,
                "envelope omitted {name} = {value:?}: {text:?}"
            );
        }
        (ours, theirs) => panic!("envelope's {name} is {ours:?}, serde_json's {theirs:?}: {text:?}"),
    }
}

fn check_envelope(text: &str, expect: &Expected) {
    let ours = json::envelope(text);
    match (&ours, expect) {
        (Err(e), _) if e.at > text.len() => panic!("error offset {} past the end of {text:?}", e.at),
        (Err(_), Expected::Reject | Expected::Unknown) | (Ok(_), Expected::Unknown) => {}
        (Ok(env), Expected::Reject) => {
            panic!("envelope accepted what serde_json refuses: {text:?} -> {env:?}")
        }
        (Err(e), Expected::Accept { value, .. }) => {
            panic!(
                "envelope refused (at {}) what serde_json reads as {value:?}: {text:?}",
                e.at
            )
        }
        (Ok(None), Expected::Accept { value, .. }) => {
            assert!(!value.is_object(), "envelope saw no object in {text:?}")
        }
        (Ok(Some(env)), Expected::Accept { tree, value, .. }) => {
            assert!(value.is_object(), "envelope saw an object in {text:?}");
            check_member(text, "ret", &env.ret, member(tree, value, "ret"));
            check_member(text, "msg", &env.msg, member(tree, value, "msg"));
            check_member(text, "data", &env.data, member(tree, value, "data"));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let expect = expected(&text);
    check_parse(&text, &expect);
    check_envelope(&text, &expect);
});
