//! Message ids and times (`msgId`, `newMsgId`, `createTime`): u64 values that must reach GeWe digit-exact.

use super::text::{holds_placeholder, placeholder_error, quote};
use super::{Code, Error, Input};

/// `Number.MAX_SAFE_INTEGER`: above it a JS number can no longer hold every integer, so an id has lost digits.
pub const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Why a text is not a u64 decimal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecimalError {
    /// No digits at all.
    Empty,
    /// Starts with `-`.
    Negative,
    /// Holds something other than ASCII digits.
    NotDigits,
    /// Above 2^64-1.
    TooLarge,
}

/// Parses ASCII decimal digits (leading zeros allowed, nothing else) into a u64.
pub fn parse_decimal(text: &str) -> Result<u64, DecimalError> {
    if text.is_empty() {
        return Err(DecimalError::Empty);
    }
    if text.starts_with('-') {
        return Err(DecimalError::Negative);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DecimalError::NotDigits);
    }
    text.bytes()
        .try_fold(0u64, |acc, b| {
            acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        })
        .ok_or(DecimalError::TooLarge)
}

/// Reads an id from a decimal string, a BigInt, or a safe non-negative integer number.
pub fn parse(field: &'static str, input: &Input) -> Result<u64, Error> {
    let invalid = |message: String| Err(Error::invalid_params(field, message));
    match input {
        Input::Str(s) => {
            if holds_placeholder(s) {
                return Err(placeholder_error(field, Some(s)));
            }
            match parse_decimal(s.trim()) {
                Ok(n) => Ok(n),
                Err(DecimalError::Empty) => invalid(format!("{field} is empty.")),
                Err(DecimalError::Negative) => invalid(format!("{field} must not be negative, got {}.", quote(s))),
                Err(DecimalError::NotDigits) => invalid(format!(
                    "{field} must be a decimal integer such as \"5271007655758710001\", got {}.",
                    quote(s)
                )),
                Err(DecimalError::TooLarge) => invalid(format!("{field} is above 2^64-1, got {}.", quote(s))),
            }
        }
        Input::BigInt(text) => match parse_decimal(text) {
            Ok(n) => Ok(n),
            Err(DecimalError::Negative) => invalid(format!("{field} must not be negative, got {text}n.")),
            Err(_) => invalid(format!("{field} is above 2^64-1, got {text}n.")),
        },
        Input::Num(n) => number(field, *n),
        Input::Undefined | Input::Null => invalid(format!(
            "{field} is required: pass it from the send response as a decimal string (\"0\" when GeWe returned 0)."
        )),
        other => invalid(format!(
            "{field} must be a decimal string, a BigInt or a safe integer, got {}.",
            other.type_name()
        )),
    }
}

fn number(field: &'static str, n: f64) -> Result<u64, Error> {
    if !n.is_finite() || n.fract() != 0.0 {
        Err(Error::invalid_params(
            field,
            format!("{field} must be a whole number."),
        ))
    } else if n < 0.0 {
        Err(Error::invalid_params(
            field,
            format!("{field} must not be negative."),
        ))
    } else if n > MAX_SAFE_INTEGER {
        // An integral f64 below 2^64 converts to u64 exactly, so the message shows what JS holds, digit for digit.
        let shown = if n < 18_446_744_073_709_551_616.0 {
            format!(" {}", n as u64)
        } else {
            String::new()
        };
        Err(Error::new(
            Code::UnsafeInteger,
            format!(
                "{field} is the JavaScript number{shown}, above Number.MAX_SAFE_INTEGER, so it has already lost \
                 digits and GeWe would revoke nothing: pass it as a string or BigInt, or read the send response \
                 with parseSendReceipt() to keep it exact."
            ),
        )
        .at(field))
    } else {
        Ok(n as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn err(input: Input) -> Error {
        parse("newMsgId", &input).unwrap_err()
    }

    #[test]
    fn accepts_strings_bigints_and_safe_numbers() {
        assert_eq!(
            parse("newMsgId", &Input::Str("5271007655758710001".into())),
            Ok(5_271_007_655_758_710_001)
        );
        assert_eq!(parse("newMsgId", &Input::Str(" 0007 ".into())), Ok(7));
        assert_eq!(parse("msgId", &Input::Str("0".into())), Ok(0));
        assert_eq!(
            parse("newMsgId", &Input::Str("18446744073709551615".into())),
            Ok(u64::MAX)
        );
        assert_eq!(
            parse("newMsgId", &Input::BigInt("18446744073709551615".into())),
            Ok(u64::MAX)
        );
        assert_eq!(parse("msgId", &Input::Num(769_533_801.0)), Ok(769_533_801));
        assert_eq!(parse("msgId", &Input::Num(-0.0)), Ok(0));
        assert_eq!(
            parse("msgId", &Input::Num(MAX_SAFE_INTEGER)),
            Ok(9_007_199_254_740_991)
        );
    }

    #[test]
    fn refuses_unsafe_numbers_showing_the_rounded_value() {
        // 3768973957878705021 as a JS number is 3768973957878705152 exactly.
        let e = err(Input::Num(3_768_973_957_878_705_021_u64 as f64));
        assert_eq!((e.code, e.field), (Code::UnsafeInteger, Some("newMsgId")));
        assert!(e.message.contains(" 3768973957878705152,"), "{}", e.message);
        assert!(e.message.contains("parseSendReceipt"), "{}", e.message);
        assert_eq!(err(Input::Num(MAX_SAFE_INTEGER + 1.0)).code, Code::UnsafeInteger);
        let huge = err(Input::Num(1e300));
        assert_eq!(huge.code, Code::UnsafeInteger);
        assert!(
            huge.message
                .starts_with("newMsgId is the JavaScript number, above"),
            "{}",
            huge.message
        );
    }

    #[test]
    fn refuses_every_malformed_input() {
        let cases: Vec<(Input, &str)> = vec![
            (
                Input::Undefined,
                "newMsgId is required: pass it from the send response",
            ),
            (Input::Null, "newMsgId is required"),
            (
                Input::Other("a boolean"),
                "must be a decimal string, a BigInt or a safe integer, got a boolean.",
            ),
            (Input::Str("".into()), "newMsgId is empty."),
            (Input::Str("  ".into()), "newMsgId is empty."),
            (Input::Str("-1".into()), "must not be negative, got \"-1\"."),
            (Input::Str("+1".into()), "must be a decimal integer"),
            (Input::Str("1.5".into()), "must be a decimal integer"),
            (
                Input::Str("3.768973957878705e18".into()),
                "must be a decimal integer",
            ),
            (Input::Str("0x1F".into()), "must be a decimal integer"),
            (Input::Str("1 2".into()), "must be a decimal integer"),
            (Input::Str("１２".into()), "must be a decimal integer"),
            (Input::Str("18446744073709551616".into()), "is above 2^64-1"),
            (Input::BigInt("-5".into()), "must not be negative, got -5n."),
            (
                Input::BigInt("18446744073709551616".into()),
                "is above 2^64-1, got 18446744073709551616n.",
            ),
            (Input::Num(f64::NAN), "must be a whole number."),
            (Input::Num(f64::INFINITY), "must be a whole number."),
            (Input::Num(1.5), "must be a whole number."),
            (Input::Num(-1.0), "must not be negative."),
        ];
        for (input, needle) in cases {
            let e = err(input.clone());
            assert_eq!(
                (e.code, e.field),
                (Code::InvalidParams, Some("newMsgId")),
                "{input:?}"
            );
            assert!(e.message.contains(needle), "{input:?}: {}", e.message);
        }
    }

    #[test]
    fn refuses_placeholders() {
        let e = err(Input::Str("{{newMsgId}}".into()));
        assert_eq!((e.code, e.field), (Code::Placeholder, Some("newMsgId")));
    }

    #[test]
    fn decimal_errors() {
        assert_eq!(parse_decimal(""), Err(DecimalError::Empty));
        assert_eq!(parse_decimal("-0"), Err(DecimalError::Negative));
        assert_eq!(
            parse_decimal("99999999999999999999x"),
            Err(DecimalError::NotDigits)
        );
        assert_eq!(parse_decimal("99999999999999999999"), Err(DecimalError::TooLarge));
        assert_eq!(parse_decimal(&format!("{}1", "0".repeat(500))), Ok(1));
    }

    proptest! {
        #[test]
        fn every_u64_round_trips_through_every_form(n in any::<u64>(), zeros in 0usize..4, pad in "[ \t\n]{0,2}") {
            let text = format!("{pad}{}{n}{pad}", "0".repeat(zeros));
            prop_assert_eq!(parse("newMsgId", &Input::Str(text)), Ok(n));
            prop_assert_eq!(parse("newMsgId", &Input::BigInt(n.to_string())), Ok(n));
            prop_assert_eq!(n.to_string().parse::<u64>().ok(), Some(n));
        }

        #[test]
        fn safe_numbers_round_trip(n in 0u64..=9_007_199_254_740_991) {
            prop_assert_eq!(parse("msgId", &Input::Num(n as f64)), Ok(n));
        }

        #[test]
        fn unsafe_numbers_are_always_refused(n in 9_007_199_254_740_992u64..) {
            prop_assert_eq!(parse("msgId", &Input::Num(n as f64)).unwrap_err().code, Code::UnsafeInteger);
        }
    }
}
