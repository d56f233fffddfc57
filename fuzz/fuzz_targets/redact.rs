//! `redact::redact(text, secret)` never panics; for a non-empty `secret` its output never contains `secret`,
//! neither literally nor in any spelling the module promises to catch (JSON escapes, percent-encoding,
//! checked by an independent matcher), and a text holding no spelling of `secret` comes back unchanged.
//! Input: a length byte, the secret, then the text, where `$S` is the secret and `$E` the secret
//! JSON-escaped.
#![no_main]

use gewe_revoke::core::json::write_str;
use gewe_revoke::core::redact::redact;
use gewe_revoke_fuzz::spelled;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&len, rest)) = data.split_first() else {
        return;
    };
    let len = (usize::from(len) % 16 + 1).min(rest.len());
    let secret = String::from_utf8_lossy(&rest[..len]);
    if secret.is_empty() {
        return;
    }
    let mut escaped = String::new();
    write_str(&mut escaped, &secret);
    let escaped = &escaped[1..escaped.len() - 1];
    let text = String::from_utf8_lossy(&rest[len..])
        .replace("$S", &secret)
        .replace("$E", escaped);
    let out = redact(&text, &secret);
    assert!(
        !out.contains(&*secret),
        "redact({text:?}, {secret:?}) = {out:?} still holds the secret"
    );
    assert!(
        !spelled(&out, &secret),
        "redact({text:?}, {secret:?}) = {out:?} still spells the secret"
    );
    if !spelled(&text, &secret) {
        assert_eq!(out, text, "redact changed a text without {secret:?}");
    }
});
