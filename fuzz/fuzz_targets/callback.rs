//! `callback::parse_callback` and `xml::parse` never panic and agree with references built on serde_json and
//! roxmltree (`gewe_revoke_fuzz::callback_reference`, `xml_expected`).
//!
//! The first byte picks what the rest is: a whole callback's text (most inputs), or the XML of a `MsgType`
//! 10002 message, put into a private or a group callback, so the fuzzer reaches the XML reader directly. For
//! XML, `xml::parse` must accept exactly what roxmltree accepts (bar the documented limits: no
//! namespaces, nesting cap) with the same tree; then the callback must equal the reference's `Callback`, or
//! both must fail blaming the same field.
#![no_main]

use gewe_revoke::pure::callback::parse_callback;
use gewe_revoke::pure::xml::{self, MAX_DEPTH};
use gewe_revoke::pure::Code;
use gewe_revoke_fuzz::{callback_reference, our_xml_tree, xml_expected, XmlExpected};
use libfuzzer_sys::fuzz_target;

fn check_xml(text: &str) {
    let ours = xml::parse(text);
    match (&ours, xml_expected(text, MAX_DEPTH)) {
        (Err(e), _) if e.at > text.len() => panic!("error offset {} past the end of {text:?}", e.at),
        (_, XmlExpected::Unknown) | (Err(_), XmlExpected::Reject) => {}
        (Ok(root), XmlExpected::Reject) => panic!("accepted what roxmltree refuses: {text:?} -> {root:?}"),
        (Err(e), XmlExpected::Accept(tree)) => {
            panic!("refused (at {}) what roxmltree reads as {tree:?}: {text:?}", e.at)
        }
        (Ok(root), XmlExpected::Accept(tree)) => {
            assert_eq!(our_xml_tree(root), tree, "trees differ for {text:?}");
        }
    }
}

fn check_callback(text: &str) {
    let ours = parse_callback(text);
    let Some(theirs) = callback_reference(text) else {
        return;
    };
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "callbacks differ for {text:?}"),
        (Err(e), Err(field)) => {
            assert_eq!(e.code, Code::BadResponse, "{e:?}");
            assert_eq!(e.field, Some(*field), "{e:?} for {text:?}");
        }
        _ => panic!("parse_callback gave {ours:?}, the reference {theirs:?}: {text:?}"),
    }
}

/// A 10002 callback around `content`, from a peer or a group.
fn wrap(content: &str, group: bool) -> String {
    let content = serde_json::to_string(content).unwrap_or_default();
    let from = if group { "1@chatroom" } else { "wxid_peer" };
    format!(
        r#"{{"TypeName":"AddMsg","Appid":"wx_a","Wxid":"wxid_me","Data":{{"MsgId":1,"NewMsgId":9007199254740993,"MsgType":10002,"FromUserName":{{"string":"{from}"}},"ToUserName":{{"string":"wxid_me"}},"Content":{{"string":{content}}}}}}}"#
    )
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match mode % 4 {
        0 | 1 => check_callback(&text),
        group => {
            check_xml(&text);
            check_callback(&wrap(&text, group == 3));
            if group == 3 {
                check_callback(&wrap(&format!("wxid_m:\n{text}"), true));
            }
        }
    }
});
