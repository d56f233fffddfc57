//! `id::parse` on strings, numbers and BigInts never panics and accepts exactly the u64 decimals: an accepted
//! string round-trips (`parse(s).to_string()` is `s` trimmed without leading zeros, or "0"), a number exactly
//! when it is a safe non-negative integer, and every u64's decimal is accepted in every form.
#![no_main]

use gewe_revoke::core::id::{self, MAX_SAFE_INTEGER};
use gewe_revoke::core::{Code, Input};
use libfuzzer_sys::fuzz_target;

const FIELD: &str = "newMsgId";

/// `digits` without leading zeros ("0" when nothing is left), if it is a non-empty run of ASCII digits <=
/// u64::MAX.
fn canonical(digits: &str) -> Option<String> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let c = match digits.trim_start_matches('0') {
        "" => "0",
        c => c,
    };
    (c.len() < 20 || (c.len() == 20 && c <= "18446744073709551615")).then(|| c.to_owned())
}

fn check_text(input: Input, text: &str, expect: Option<String>) {
    match (id::parse(FIELD, &input), expect) {
        (Ok(n), Some(c)) => assert_eq!(n.to_string(), c, "{input:?}"),
        (Err(e), None) => {
            assert!(
                matches!(e.code, Code::InvalidParams | Code::Placeholder),
                "{e:?} for {input:?}"
            );
            assert_eq!(e.field, Some(FIELD));
        }
        (got, want) => panic!("{input:?} ({text:?}): got {got:?}, want {want:?}"),
    }
}

fn check_number(f: f64) {
    let safe = f.is_finite() && f.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER).contains(&f);
    match id::parse(FIELD, &Input::Num(f)) {
        Ok(n) => assert!(safe && n as f64 == f, "accepted {f:?} as {n}"),
        Err(e) => {
            assert!(!safe, "refused the safe integer {f:?}: {e:?}");
            let unsafe_integer = f.is_finite() && f.fract() == 0.0 && f > MAX_SAFE_INTEGER;
            let want = if unsafe_integer {
                Code::UnsafeInteger
            } else {
                Code::InvalidParams
            };
            assert_eq!(e.code, want, "{f:?}: {e:?}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 5 {
        0 => {
            let s = String::from_utf8_lossy(rest).into_owned();
            let expect = canonical(s.trim());
            check_text(Input::Str(s.clone()), &s, expect);
        }
        1 => {
            let s = String::from_utf8_lossy(rest).into_owned();
            let expect = canonical(&s);
            check_text(Input::BigInt(s.clone()), &s, expect);
        }
        2 | 3 => {
            let mut b = [0u8; 8];
            let n = rest.len().min(8);
            b[..n].copy_from_slice(&rest[..n]);
            let f = if mode % 5 == 2 {
                f64::from_le_bytes(b)
            } else {
                u64::from_le_bytes(b) as f64
            };
            check_number(f);
        }
        _ => {
            let mut b = [0u8; 8];
            let n = rest.len().min(8);
            b[..n].copy_from_slice(&rest[..n]);
            let v = u64::from_le_bytes(b);
            let style = rest.get(8).copied().unwrap_or(0);
            let pad = [" ", "\t", "\n", "\u{3000}", "\r\n "][usize::from(style % 5)];
            let zeros = "0".repeat(usize::from(style / 5 % 24));
            for text in [
                v.to_string(),
                format!("{zeros}{v}"),
                format!("{pad}{zeros}{v}{pad}"),
            ] {
                assert_eq!(id::parse(FIELD, &Input::Str(text.clone())), Ok(v), "{text:?}");
            }
            assert_eq!(id::parse(FIELD, &Input::BigInt(v.to_string())), Ok(v));
            check_number(v as f64);
            if v as f64 <= MAX_SAFE_INTEGER {
                assert_eq!(id::parse(FIELD, &Input::Num(v as f64)), Ok(v));
            }
        }
    }
});
