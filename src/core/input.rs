//! A JS value as the core sees it: only what validation needs, no JS types.

/// One property read off a JS object, reduced to what validation needs.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// `undefined`, or the property is absent.
    Undefined,
    /// `null`.
    Null,
    /// A string.
    Str(String),
    /// A number (any float, NaN and infinities included).
    Num(f64),
    /// A BigInt, as the decimal text `BigInt.prototype.toString()` gives.
    BigInt(String),
    /// Anything else, by its `typeof`.
    Other(&'static str),
}

impl Input {
    /// The JS `typeof`-style name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Input::Undefined => "undefined",
            Input::Null => "null",
            Input::Str(_) => "a string",
            Input::Num(_) => "a number",
            Input::BigInt(_) => "a bigint",
            Input::Other(name) => name,
        }
    }
}
