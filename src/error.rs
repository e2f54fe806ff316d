//! One error type for every way an input can be rejected.
//!
//! Each error carries a stable machine-readable [`ErrorCode`], the path of the
//! offending field (`cart.lines[2].unitPrice`) and an English message. Codes are
//! part of the public contract: they never change meaning once released.

use std::fmt;

use serde::Serialize;

/// Stable codes for rejected input. Serialised in `snake_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The text is not JSON at all (syntax error, truncated input).
    InvalidJson,
    /// A value has the wrong JSON type (a number where a decimal string belongs, …).
    InvalidType,
    /// A required field is absent.
    MissingField,
    /// A field the schema does not know; rejected so typos never pass silently.
    UnknownField,
    /// A tag such as `"type"` names no known variant.
    UnknownVariant,
    /// A value of the right type but outside what the field accepts.
    InvalidValue,
    /// Not a plain decimal string (`"12.50"`): exponent form, `+`, spaces, empty.
    InvalidAmount,
    /// More decimal places than the currency's minor unit allows.
    TooManyDecimals,
    /// An amount, count or size beyond the documented limits.
    OutOfRange,
    /// Not an ISO 4217 currency code.
    InvalidCurrency,
    /// The cart's currency differs from the coupon bundle's.
    CurrencyMismatch,
    /// Not an RFC 3339 date-time with an offset.
    InvalidDate,
    /// A percentage outside (0, 100].
    InvalidPercent,
    /// A minimum greater than its maximum.
    MinGreaterThanMax,
    /// A time window that ends before it starts.
    WindowEndBeforeStart,
    /// Two entries share an id that must be unique.
    DuplicateId,
    /// Two coupons share a code (codes compare case-insensitively).
    DuplicateCode,
    /// A code-entry coupon without a code.
    MissingCode,
    /// A list that must name at least one entry is empty.
    EmptyList,
    /// A quantity of zero.
    InvalidQuantity,
    /// Not a compact JWS, or its header or payload is not JSON.
    MalformedToken,
    /// A JWS algorithm other than EdDSA (Ed25519), including `none`.
    UnsupportedAlgorithm,
    /// The token's `kid` names no Ed25519 key of the key set.
    UnknownKey,
    /// A key that does not decode to an Ed25519 key.
    InvalidKey,
    /// The signature does not match: the token was altered or signed by another key.
    BadSignature,
    /// The token's `exp` has passed.
    Expired,
    /// The token's `nbf` is still ahead.
    NotYetValid,
    /// A customer summary signed for another customer.
    WrongCustomer,
    /// A verification key set that holds a private key (`d`).
    PrivateKeyInJwks,
}

impl ErrorCode {
    /// The code as it appears in JSON and on JS `Error.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidType => "invalid_type",
            ErrorCode::MissingField => "missing_field",
            ErrorCode::UnknownField => "unknown_field",
            ErrorCode::UnknownVariant => "unknown_variant",
            ErrorCode::InvalidValue => "invalid_value",
            ErrorCode::InvalidAmount => "invalid_amount",
            ErrorCode::TooManyDecimals => "too_many_decimals",
            ErrorCode::OutOfRange => "out_of_range",
            ErrorCode::InvalidCurrency => "invalid_currency",
            ErrorCode::CurrencyMismatch => "currency_mismatch",
            ErrorCode::InvalidDate => "invalid_date",
            ErrorCode::InvalidPercent => "invalid_percent",
            ErrorCode::MinGreaterThanMax => "min_greater_than_max",
            ErrorCode::WindowEndBeforeStart => "window_end_before_start",
            ErrorCode::DuplicateId => "duplicate_id",
            ErrorCode::DuplicateCode => "duplicate_code",
            ErrorCode::MissingCode => "missing_code",
            ErrorCode::EmptyList => "empty_list",
            ErrorCode::InvalidQuantity => "invalid_quantity",
            ErrorCode::MalformedToken => "malformed_token",
            ErrorCode::UnsupportedAlgorithm => "unsupported_algorithm",
            ErrorCode::UnknownKey => "unknown_key",
            ErrorCode::InvalidKey => "invalid_key",
            ErrorCode::BadSignature => "bad_signature",
            ErrorCode::Expired => "expired",
            ErrorCode::NotYetValid => "not_yet_valid",
            ErrorCode::WrongCustomer => "wrong_customer",
            ErrorCode::PrivateKeyInJwks => "private_key_in_jwks",
        }
    }

    /// Recognises a code written as the prefix of a serde custom message
    /// (`"invalid_amount: …"`); the field deserialisers use that form because
    /// serde only lets them return a string.
    pub(crate) fn from_prefix(message: &str) -> Option<(ErrorCode, &str)> {
        let (head, rest) = message.split_once(": ")?;
        let code = ALL_CODES.iter().copied().find(|c| c.as_str() == head)?;
        Some((code, rest))
    }
}

const ALL_CODES: [ErrorCode; 29] = [
    ErrorCode::InvalidJson,
    ErrorCode::InvalidType,
    ErrorCode::MissingField,
    ErrorCode::UnknownField,
    ErrorCode::UnknownVariant,
    ErrorCode::InvalidValue,
    ErrorCode::InvalidAmount,
    ErrorCode::TooManyDecimals,
    ErrorCode::OutOfRange,
    ErrorCode::InvalidCurrency,
    ErrorCode::CurrencyMismatch,
    ErrorCode::InvalidDate,
    ErrorCode::InvalidPercent,
    ErrorCode::MinGreaterThanMax,
    ErrorCode::WindowEndBeforeStart,
    ErrorCode::DuplicateId,
    ErrorCode::DuplicateCode,
    ErrorCode::MissingCode,
    ErrorCode::EmptyList,
    ErrorCode::InvalidQuantity,
    ErrorCode::MalformedToken,
    ErrorCode::UnsupportedAlgorithm,
    ErrorCode::UnknownKey,
    ErrorCode::InvalidKey,
    ErrorCode::BadSignature,
    ErrorCode::Expired,
    ErrorCode::NotYetValid,
    ErrorCode::WrongCustomer,
    ErrorCode::PrivateKeyInJwks,
];

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rejected input: what is wrong ([`ErrorCode`]), where (`path`), and why (`message`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Error {
    /// Stable code, see [`ErrorCode`].
    pub code: ErrorCode,
    /// Dotted path of the offending field, rooted at the input's name
    /// (`bundle.coupons[0].discount.percent`).
    pub path: String,
    /// English explanation for logs and developers.
    pub message: String,
}

impl Error {
    /// Builds an error at `path`.
    pub fn new(code: ErrorCode, path: impl Into<String>, message: impl Into<String>) -> Self {
        Error { code, path: path.into(), message: message.into() }
    }

    /// Maps a serde error raised while reading the input named `root` into a typed
    /// error. `inner_path` is the path serde_path_to_error tracked inside that input.
    pub fn from_serde(root: &str, inner_path: &str, message: &str, is_syntax: bool) -> Self {
        let path = join_path(root, inner_path);
        if is_syntax {
            return Error::new(ErrorCode::InvalidJson, path, message);
        }
        if let Some((code, rest)) = ErrorCode::from_prefix(message) {
            return Error::new(code, path, rest);
        }
        if message.starts_with("recursion limit exceeded") {
            return Error::new(ErrorCode::OutOfRange, path, format!("nested more than 128 levels deep ({message})"));
        }
        // serde's own messages have fixed prefixes; map them to codes.
        let code = if message.starts_with("unknown field") {
            ErrorCode::UnknownField
        } else if message.starts_with("missing field") {
            ErrorCode::MissingField
        } else if message.starts_with("unknown variant") {
            ErrorCode::UnknownVariant
        } else if message.starts_with("invalid type")
            || message.starts_with("invalid length")
            || message.starts_with("expected ")
        {
            ErrorCode::InvalidType
        } else if message.starts_with("duplicate field") {
            ErrorCode::DuplicateId
        } else {
            ErrorCode::InvalidValue
        };
        // serde reports a missing field at its parent; name the field itself (an
        // unknown field already ends the path).
        let path = match (code, quoted(message)) {
            (ErrorCode::MissingField, Some(field)) => join_path(&path, field),
            (ErrorCode::UnknownField, Some(field)) if !path.ends_with(field) => join_path(&path, field),
            // `{"bogo": {…}}` stops right after the key; the error belongs to the enum field.
            (ErrorCode::UnknownVariant, Some(variant)) => {
                path.strip_suffix(variant).and_then(|p| p.strip_suffix('.')).map_or(path.clone(), str::to_string)
            }
            _ => path,
        };
        Error::new(code, path, message)
    }
}

fn quoted(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

fn join_path(root: &str, inner: &str) -> String {
    match inner {
        _ if root.is_empty() => inner.trim_start_matches('.').to_string(),
        "" | "." => root.to_string(),
        _ if inner.starts_with('[') => format!("{root}{inner}"),
        _ => format!("{root}.{inner}"),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}: {}", self.code, self.path, self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_prefix() {
        for code in ALL_CODES {
            let message = format!("{}: detail", code.as_str());
            assert_eq!(ErrorCode::from_prefix(&message), Some((code, "detail")));
        }
    }

    #[test]
    fn unknown_and_missing_fields_point_at_the_field() {
        let e = Error::from_serde("cart", "lines[0].colour", "unknown field `colour`, expected one of `id`", false);
        assert_eq!((e.code, e.path.as_str()), (ErrorCode::UnknownField, "cart.lines[0].colour"));
        let e = Error::from_serde("context", ".", "missing field `now`", false);
        assert_eq!((e.code, e.path.as_str()), (ErrorCode::MissingField, "context.now"));
    }
}
