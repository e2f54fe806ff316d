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
}

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
        Error {
            code,
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}: {}", self.code, self.path, self.message)
    }
}

impl std::error::Error for Error {}
