//! Money: ISO 4217 currencies, strict decimal-string amounts, whole minor units for
//! the arithmetic, rounding to the minor unit, and display formatting for messages.
//!
//! Two types, one per side of the JSON edge. [`Amount`] is a decimal as JSON carries
//! it (`"1250.50"`, never a float): what the inputs are read into and the result is
//! written from. [`Money`] is a whole number of minor units: what the evaluation
//! computes with, from the cart's line amounts to the cards. [`Currency::money`]
//! turns an input amount into money once, where the currency is known, and
//! [`Currency::amount`] turns money back into an amount with exactly the currency's
//! decimal places for the result.
//!
//! Rules (also in the README): inputs may not carry more decimal places than the
//! currency's minor unit. Every computed amount is rounded half away from zero
//! ("half-up" for the non-negative amounts used here) to the minor unit.

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

use crate::error::ErrorCode;
use crate::json::read::{text, FromJson, Json, Path};
use crate::json::{Quoted, ToJson};

/// Why a string is not a valid amount, percentage or currency: the code and message
/// of the error the reader reports at the field's path.
pub type Fault = (ErrorCode, String);

/// The largest magnitude any input amount may have (exclusive): 10^15 major units.
/// Keeps every sum and product of the documented limits far inside `Decimal`'s
/// 96-bit range, so arithmetic on validated inputs cannot overflow.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0xA4C6_8000, 0x38D7E, 0, false, 0);

/// A non-negative amount of money read from or written to JSON as a decimal string:
/// the JSON edge's form of [`Money`].
///
/// The currency is not part of the value: every amount in one evaluation is in the
/// bundle's currency, and validation checks the scale against it. Amounts compare by
/// value (`"12.5"` equals `"12.50"`) and print with every digit of their scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(type = "string"))]
pub struct Amount(Decimal);

impl Amount {
    /// Zero with no decimal places.
    pub const ZERO: Amount = Amount(Decimal::ZERO);

    /// Whether the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// Decimal places as written (`"12.50"` has 2).
    pub fn scale(&self) -> u32 {
        self.0.scale()
    }
}

/// A whole number of minor units of the evaluation's currency (paise for INR, cents
/// for USD, yen for JPY): what the pipeline computes with, from the cart's line
/// amounts to the cards, so sums, splits and comparisons are exact integer arithmetic.
///
/// 64 bits cannot overflow on validated inputs: validation keeps every input amount,
/// and the cart subtotal, below [`Money::INPUT_LIMIT`] (10^18 minor units), so the
/// cart's total with shipping stays below 2·10^18, far inside `i64`; a discount never
/// takes more than what is left of the cart, and a spend over many orders is summed in
/// 128 bits and clamped ([`Money::clamped`]). Products that can pass 64 bits (an amount
/// times a unit count, a share of a split) saturate or widen where they are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

impl Money {
    /// No money.
    pub const ZERO: Money = Money(0);

    /// Every input amount and the cart subtotal are below this many minor units
    /// (exclusive): 10^15 major units reach it only in currencies with 4 decimal places.
    pub const INPUT_LIMIT: Money = Money(1_000_000_000_000_000_000);

    /// `units` minor units.
    pub const fn from_minor_units(units: i64) -> Money {
        Money(units)
    }

    /// The number of minor units.
    pub const fn minor_units(self) -> i64 {
        self.0
    }

    /// A 128-bit sum of minor units, clamped into `Money`'s range: past it, every
    /// comparison with an input amount still comes out the same.
    pub fn clamped(units: i128) -> Money {
        Money(i64::try_from(units).unwrap_or(if units < 0 { i64::MIN } else { i64::MAX }))
    }

    /// `self × n`, saturating: callers take the smaller of it and what is left.
    pub fn times(self, n: i64) -> Money {
        Money(self.0.saturating_mul(n))
    }

    /// `percent` of this amount, rounded half away from zero to the minor unit: exact,
    /// as `self × percent` is a whole number of 10^-(scale + 2) minor units. For a
    /// non-negative amount.
    pub fn percent(self, percent: &Percent) -> Money {
        let p = percent.0;
        // A percentage is at most 100 with 4 places: its mantissa is at most 10^6 and
        // the divisor at most 10^6 too, and the mantissa never exceeds the divisor.
        let (mantissa, divisor) = (p.mantissa() as i64, 100 * 10i64.pow(p.scale()));
        // `self × mantissa / divisor` in 64 bits, by the quotient and remainder of
        // `self / divisor`: the whole part is at most `self`, and the remainder's
        // product below 10^12 (a 128-bit product is a library call in WebAssembly).
        let (whole, rest) = (self.0 / divisor, self.0 % divisor);
        Money(whole * mantissa + div_half_away(rest * mantissa, divisor))
    }
}

impl Money {
    /// This tax-inclusive amount without its tax at `rate`: `self × 100 / (100 + rate)`,
    /// rounded half away from zero to the minor unit. For a non-negative amount.
    pub fn without_tax(self, rate: &Percent) -> Money {
        let p = rate.0;
        // A rate is at most 100 with 4 places: `base` and the mantissa are at most 10^6.
        let base = 100 * 10i64.pow(p.scale());
        let d = base + p.mantissa() as i64;
        // `self × base / d` in 64 bits, by the quotient and remainder of `self / d`:
        // the whole part is at most `self` (as `base <= d`), and the remainder's
        // product below 2 × 10^12.
        let (whole, rest) = (self.0 / d, self.0 % d);
        Money(whole * base + div_half_away(rest * base, d))
    }

    /// This tax-exclusive amount with tax at `rate` added, the tax rounded half away
    /// from zero to the minor unit. For a non-negative amount below the input limit.
    pub fn with_tax(self, rate: &Percent) -> Money {
        Money(self.0.saturating_add(self.percent(rate).0))
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, other: Money) -> Money {
        Money(self.0 - other.0)
    }
}

impl std::ops::AddAssign for Money {
    fn add_assign(&mut self, other: Money) {
        self.0 += other.0;
    }
}

impl std::ops::SubAssign for Money {
    fn sub_assign(&mut self, other: Money) {
        self.0 -= other.0;
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl<'a> std::iter::Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + *b)
    }
}

impl std::fmt::Display for Amount {
    /// Every digit of its scale (`12.50`), as in JSON.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&decimal_text(self.0))
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl Amount {
    /// Parses a non-negative decimal string below 10^15 (see [`parse_decimal`]).
    pub fn parse(text: &str) -> Result<Amount, Fault> {
        let value = parse_decimal(text)?;
        // By the text: rust_decimal reads "-0.00" as an unsigned zero.
        if text.starts_with('-') {
            return Err((ErrorCode::OutOfRange, format!("amount {text} is negative")));
        }
        if value >= MAX_AMOUNT {
            return Err((
                ErrorCode::OutOfRange,
                format!("amount {text} is not below 10^15"),
            ));
        }
        Ok(Amount(value))
    }
}

/// Reads a JSON string with `parse`; a JSON number is `invalid_type` (floats lose
/// cents, so money is never a number).
fn from_string<T>(
    value: &Json<'_>,
    at: Path<'_>,
    expected: &str,
    parse: fn(&str) -> Result<T, Fault>,
) -> Result<T, crate::Error> {
    parse(text(value, at, expected)?).map_err(|(code, message)| at.error(code, message))
}

impl FromJson for Amount {
    fn from_json(value: &Json<'_>, at: Path<'_>) -> Result<Self, crate::Error> {
        from_string(
            value,
            at,
            "a decimal string such as \"12.50\"",
            Amount::parse,
        )
    }

    fn placeholder() -> Self {
        Amount(Decimal::ZERO)
    }
}

impl ToJson for Amount {
    /// A decimal string; its digits, point and sign need no escaping.
    fn write_json(&self, out: &mut String) {
        out.push('"');
        write_decimal(self.0, out);
        out.push('"');
    }
}

/// A percentage in [0, 100], as a decimal string (`"12.5"`). A discount additionally
/// needs it above zero (checked when the bundle is validated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(type = "string"))]
pub struct Percent(pub Decimal);

impl Serialize for Percent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0.normalize())
    }
}

impl Percent {
    /// Zero percent.
    pub const ZERO: Percent = Percent(Decimal::ZERO);

    /// The percentage in ten-thousandths of a percent (`"94.9"` is 949,000): exact
    /// for a parsed percentage, which has at most 4 decimal places.
    pub fn ten_thousandths(&self) -> i64 {
        // As amounts become minor units: at most 10^6 of them.
        i64::try_from(minor_units(self.0, 4)).unwrap_or(i64::MAX)
    }

    /// A percentage of `units` ten-thousandths of a percent (949,000 is `"94.9"`).
    pub fn from_ten_thousandths(units: i64) -> Percent {
        Percent(Decimal::new(units, 4))
    }

    /// The figure for people, without trailing zeros or a sign: "94.9", "100".
    pub fn normalized(&self) -> String {
        let mut text = String::new();
        write_normalized(self.0, &mut text);
        text
    }

    /// Parses a decimal string in [0, 100] with at most 4 decimal places.
    pub fn parse(text: &str) -> Result<Percent, Fault> {
        let value = parse_decimal(text)?;
        if text.starts_with('-') || value > Decimal::ONE_HUNDRED {
            return Err((
                ErrorCode::InvalidPercent,
                format!("{text} is not in [0, 100]"),
            ));
        }
        if value.scale() > 4 {
            return Err((
                ErrorCode::TooManyDecimals,
                "a percentage has at most 4 decimal places".to_string(),
            ));
        }
        Ok(Percent(value))
    }
}

impl FromJson for Percent {
    fn from_json(value: &Json<'_>, at: Path<'_>) -> Result<Self, crate::Error> {
        from_string(
            value,
            at,
            "a percentage as a decimal string such as \"12.5\"",
            Percent::parse,
        )
    }

    fn placeholder() -> Self {
        Percent(Decimal::ZERO)
    }
}

impl ToJson for Percent {
    /// Normalised (`"12.5"`, not `"12.50"`), as its `Serialize` writes it.
    fn write_json(&self, out: &mut String) {
        out.push('"');
        write_normalized(self.0, out);
        out.push('"');
    }
}

/// `n / d` rounded half away from zero, for `d > 0`: the one rounding rule of money.
pub fn div_half_away(n: i64, d: i64) -> i64 {
    let (q, r) = (n / d, n % d);
    // `r` has the sign of `n`; twice its size fits, as `|r| < d`.
    if 2 * r.abs() >= d {
        q + n.signum()
    } else {
        q
    }
}

/// Parses `-?[0-9]+(\.[0-9]+)?` exactly: no exponent, sign `+`, spaces or empty parts;
/// at most 16 digits before the point, 28 after it and 28 significant digits in all
/// (what a `Decimal` holds exactly).
pub fn parse_decimal(text: &str) -> Result<Decimal, Fault> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
        return Err((
            ErrorCode::InvalidAmount,
            format!(
                "{} is not a plain decimal string such as \"12.50\"",
                Quoted(text)
            ),
        ));
    }
    if int.len() > 16 {
        return Err((
            ErrorCode::OutOfRange,
            format!("{} is not below 10^15", Quoted(text)),
        ));
    }
    if frac.map_or(0, str::len) > 28 {
        return Err((
            ErrorCode::TooManyDecimals,
            format!("{} has more than 28 decimal places", Quoted(text)),
        ));
    }
    // The digits straight into the mantissa: `Decimal`'s own parser would add its
    // code to the WebAssembly module for text already known to be plain digits.
    let fraction = frac.unwrap_or_default();
    // Digits gather in 64 bits, 18 at a time: a 128-bit multiply is a library call in
    // WebAssembly, and no realistic amount has more than 18 digits.
    const CHUNK: u32 = 18;
    let mut mantissa: i128 = 0;
    let (mut chunk, mut in_chunk) = (0u64, 0u32);
    let mut significant = 0;
    for digit in int.bytes().chain(fraction.bytes()) {
        if significant > 0 || digit != b'0' {
            significant += 1;
        }
        if significant > 28 {
            return Err((
                ErrorCode::TooManyDecimals,
                format!("{} has more than 28 significant digits", Quoted(text)),
            ));
        }
        if in_chunk == CHUNK {
            mantissa = mantissa * i128::from(10u64.pow(CHUNK)) + i128::from(chunk);
            (chunk, in_chunk) = (0, 0);
        }
        chunk = chunk * 10 + u64::from(digit - b'0');
        in_chunk += 1;
    }
    // At most 28 significant digits: below 10^28 at every step.
    mantissa = match mantissa {
        0 => i128::from(chunk),
        m => m * i128::from(10u64.pow(in_chunk)) + i128::from(chunk),
    };
    if text.starts_with('-') {
        mantissa = -mantissa;
    }
    // Below 10^28 with a scale of at most 28: always a `Decimal`.
    Decimal::try_from_i128_with_scale(mantissa, fraction.len() as u32).map_err(|_| {
        (
            ErrorCode::OutOfRange,
            format!("{} is out of range", Quoted(text)),
        )
    })
}

/// An ISO 4217 currency with its minor-unit exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(type = "string"))]
pub struct Currency {
    code: [u8; 3],
    exponent: u32,
}

/// Currencies whose minor unit is not 2 decimal places (ISO 4217, 2025 list).
const EXPONENT_EXCEPTIONS: &[(&str, u32)] = &[
    ("BIF", 0),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("ISK", 0),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("PYG", 0),
    ("RWF", 0),
    ("UGX", 0),
    ("UYI", 0),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
    ("BHD", 3),
    ("IQD", 3),
    ("JOD", 3),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("TND", 3),
    ("CLF", 4),
    ("UYW", 4),
];

/// Every active ISO 4217 code for a spendable currency (precious metals, test and
/// fund codes without circulation are excluded).
const ISO_4217: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB \
BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD \
EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD \
JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU \
MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB \
RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS \
UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG";

/// A three-letter code as one integer, so lookups compare words, not strings: a
/// string comparison in WebAssembly is a call to `memcmp`, which dominated a lookup
/// when every code was compared that way (docs/benchmarks.md).
fn code_key(code: &[u8]) -> u32 {
    match code {
        [a, b, c, ..] => u32::from_be_bytes([*a, *b, *c, 0]),
        _ => 0,
    }
}

/// Binary search of [`ISO_4217`]: codes sit every 4 bytes and are in order (a test
/// checks both), and big-endian keys sort as the codes do.
fn is_iso_4217(wanted: u32) -> bool {
    let table = ISO_4217.as_bytes();
    let (mut low, mut high) = (0, table.len().div_ceil(4));
    while low < high {
        let middle = (low + high) / 2;
        let key = code_key(table.get(middle * 4..).unwrap_or_default());
        match key.cmp(&wanted) {
            std::cmp::Ordering::Less => low = middle + 1,
            std::cmp::Ordering::Greater => high = middle,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// `value` in minor units of a currency with `exponent` decimal places, signed,
/// rounded half away from zero. Integer arithmetic on the mantissa: `Decimal`'s own
/// rounding and arithmetic would add their code to the WebAssembly module.
fn minor_units(value: Decimal, exponent: u32) -> i128 {
    let (mantissa, scale) = (value.mantissa(), value.scale());
    // Both within 10^28 (`Decimal`'s scale) and the mantissa below 2^96: no overflow.
    // Most amounts come at the currency's own scale: no multiplication (a 128-bit one
    // is a library call in WebAssembly).
    if scale == exponent {
        mantissa
    } else if scale < exponent {
        mantissa * 10i128.pow(exponent - scale)
    } else {
        let d = 10i128.pow(scale - exponent);
        let (q, r) = (mantissa / d, mantissa % d);
        if 2 * r.abs() >= d {
            q + mantissa.signum()
        } else {
            q
        }
    }
}

impl Currency {
    /// Looks up an ISO 4217 code (upper case, as ISO writes it).
    pub fn from_code(code: &str) -> Option<Currency> {
        let bytes: [u8; 3] = code.as_bytes().try_into().ok()?;
        let wanted = code_key(&bytes);
        if !bytes.iter().all(u8::is_ascii_uppercase) || !is_iso_4217(wanted) {
            return None;
        }
        let exponent = EXPONENT_EXCEPTIONS
            .iter()
            .find(|(c, _)| code_key(c.as_bytes()) == wanted)
            .map_or(2, |(_, e)| *e);
        Some(Currency {
            code: bytes,
            exponent,
        })
    }

    /// The three-letter code.
    pub fn code(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.code).unwrap_or("XXX")
    }

    /// Decimal places of the minor unit (JPY 0, INR 2, KWD 3).
    pub fn exponent(&self) -> u32 {
        self.exponent
    }

    /// An input amount in minor units, converted once where the currency is known.
    /// Exact for a validated amount (its scale is at most the currency's); more places
    /// round half away from zero (`12.345` INR → 1235), and an amount past 64 bits
    /// saturates (validation refuses both).
    pub fn money(&self, amount: Amount) -> Money {
        Money::clamped(minor_units(amount.0, self.exponent))
    }

    /// `money` as a decimal amount with exactly the currency's decimal places, as the
    /// result writes it (`1234` INR → `12.34`).
    pub fn amount(&self, money: Money) -> Amount {
        // Any i64 with a scale of at most 4 is a `Decimal`.
        Amount(
            Decimal::try_from_i128_with_scale(i128::from(money.0), self.exponent)
                .unwrap_or(Decimal::MAX),
        )
    }

    /// Display form for messages: symbol where one is well known, thousands
    /// separators, and minor digits only when not zero (`₹1,200`, `₹420.50`, `KWD 1.250`).
    pub fn format(&self, money: Money) -> String {
        let text = self.amount(money).to_string();
        let (int, frac) = match text.split_once('.') {
            // A fraction of zeros is left out: `₹1,200`, not `₹1,200.00`.
            Some((i, f)) if f.bytes().any(|b| b != b'0') => (i, Some(f)),
            Some((i, _)) => (i, None),
            None => (text.as_str(), None),
        };
        let mut out = String::with_capacity(text.len() + int.len() / 3 + 8);
        match self.symbol() {
            Some(sym) => out.push_str(sym),
            None => {
                out.push_str(self.code());
                out.push(' ');
            }
        }
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        if let Some(f) = frac {
            out.push('.');
            out.push_str(f);
        }
        out
    }

    fn symbol(&self) -> Option<&'static str> {
        Some(match self.code() {
            "INR" => "₹",
            "USD" => "$",
            "EUR" => "€",
            "GBP" => "£",
            "JPY" => "¥",
            "UAH" => "₴",
            _ => return None,
        })
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl FromJson for Currency {
    fn from_json(value: &Json<'_>, at: Path<'_>) -> Result<Self, crate::Error> {
        from_string(
            value,
            at,
            "an ISO 4217 currency code such as \"INR\"",
            |code| {
                Currency::from_code(code).ok_or_else(|| {
                    (
                        ErrorCode::InvalidCurrency,
                        format!("{} is not an ISO 4217 currency code", Quoted(code)),
                    )
                })
            },
        )
    }

    /// `XXX`, ISO 4217's code for "no currency".
    fn placeholder() -> Self {
        Currency {
            code: *b"XXX",
            exponent: 0,
        }
    }
}

impl ToJson for Currency {
    fn write_json(&self, out: &mut String) {
        self.code().write_json(out);
    }
}

/// Appends `value` as `Decimal`'s `Display` writes it (every digit of its scale kept,
/// `-` for a negative sign), straight from the mantissa: the formatter machinery was
/// half the cost of writing a result, and a result is mostly amounts.
pub fn write_decimal(value: rust_decimal::Decimal, out: &mut String) {
    let mut buffer = [b'0'; 40];
    let mut start = buffer.len();
    let mut wide = value.mantissa().unsigned_abs();
    // 128-bit division is a library call in WebAssembly: only the digits above 64 bits
    // (no realistic amount has any) take it, the rest divide in 64 bits.
    let mut rest = loop {
        match u64::try_from(wide) {
            Ok(r) => break r,
            Err(_) => {
                start -= 1;
                buffer[start] = b'0' + (wide % 10) as u8;
                wide /= 10;
            }
        }
    };
    loop {
        start -= 1;
        buffer[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let scale = value.scale() as usize;
    // Zeros between the point and the first digit (`0.05`): the buffer is zero-filled.
    let start = start.min(buffer.len().saturating_sub(scale + 1));
    let digits = ascii(&buffer[start..]);
    if value.is_sign_negative() {
        out.push('-');
    }
    if scale == 0 {
        out.push_str(digits);
    } else {
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        out.push_str(whole);
        out.push('.');
        out.push_str(fraction);
    }
}

/// Bytes known to be ASCII digits, as text.
fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// Appends `value` without trailing zeros in its fraction (`12.50` → `12.5`, `7.00`
/// → `7`), as `Decimal::normalize` prints it: how percentages are written.
pub fn write_normalized(value: Decimal, out: &mut String) {
    let start = out.len();
    write_decimal(value, out);
    if out[start..].contains('.') {
        let kept = out.trim_end_matches('0').trim_end_matches('.').len();
        out.truncate(kept);
    }
}

/// Appends `units` minor units of a currency with `exponent` places as a decimal, for
/// sums that may pass [`Money`]'s range (a cart subtotal refused for its size).
pub fn write_minor_units(units: i128, exponent: u32, out: &mut String) {
    // At most 1,000 lines of 10^6 units below 10^19 each: inside `Decimal`'s 96 bits.
    write_decimal(
        Decimal::try_from_i128_with_scale(units, exponent).unwrap_or(Decimal::MAX),
        out,
    );
}

/// [`write_decimal`] as a new string.
pub fn decimal_text(value: Decimal) -> String {
    let mut out = String::with_capacity(24);
    write_decimal(value, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn a_percentage_in_ten_thousandths_is_exact() {
        for (text, expected) in [
            ("94.9", 949_000),
            ("95", 950_000),
            ("100", 1_000_000),
            ("0", 0),
            ("0.0001", 1),
            ("12.50", 125_000),
        ] {
            assert_eq!(
                Percent::parse(text).unwrap().ten_thousandths(),
                expected,
                "{text}"
            );
        }
        // Past 4 places (not parsed, but representable): rounded as amounts are.
        assert_eq!(Percent(d("94.99994")).ten_thousandths(), 949_999);
        assert_eq!(Percent(d("94.99995")).ten_thousandths(), 950_000);
    }

    /// `value` rounded to `currency`'s minor unit, through money and back.
    fn rounded(currency: Currency, value: &str) -> String {
        currency
            .amount(currency.money(Amount(d(value))))
            .to_string()
    }

    fn money(units: i64) -> Money {
        Money::from_minor_units(units)
    }

    #[test]
    fn exponents_follow_iso_4217() {
        let exp = |c| Currency::from_code(c).unwrap().exponent();
        assert_eq!(
            (exp("JPY"), exp("INR"), exp("USD"), exp("EUR"), exp("KWD")),
            (0, 2, 2, 2, 3)
        );
        assert!(Currency::from_code("usd").is_none());
        assert!(Currency::from_code("XYZ").is_none());
        assert!(Currency::from_code("US").is_none());
    }

    #[test]
    fn rounding_is_half_up_and_fixes_the_scale() {
        let inr = Currency::from_code("INR").unwrap();
        assert_eq!(rounded(inr, "0.005"), "0.01");
        assert_eq!(rounded(inr, "0.0049"), "0.00");
        assert_eq!(rounded(inr, "7"), "7.00");
        let jpy = Currency::from_code("JPY").unwrap();
        assert_eq!(rounded(jpy, "12.5"), "13");
        let kwd = Currency::from_code("KWD").unwrap();
        assert_eq!(rounded(kwd, "1.2345"), "1.235");
    }

    #[test]
    fn strict_decimal_strings() {
        assert_eq!(parse_decimal("12.50").unwrap(), d("12.50"));
        for bad in [
            "", "1e5", "+1", " 1", "1.", ".5", "1,5", "0x10", "NaN", "--1",
        ] {
            assert!(parse_decimal(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(
            parse_decimal("10000000000000000000000000000000")
                .unwrap_err()
                .0,
            ErrorCode::OutOfRange
        );
    }

    #[test]
    fn amounts_reject_numbers_negatives_and_huge_values() {
        let read = |j: &str| crate::read_json::<Amount>("price", j);
        let err = |j: &str| read(j).unwrap_err().code;
        assert_eq!(err("12.5"), ErrorCode::InvalidType);
        assert_eq!(err("\"-1.00\""), ErrorCode::OutOfRange);
        assert_eq!(
            err("\"-0.00\""),
            ErrorCode::OutOfRange,
            "a minus sign is a negative amount"
        );
        assert_eq!(err("\"1000000000000000\""), ErrorCode::OutOfRange);
        assert_eq!(
            read("\"999999999999999.99\"").unwrap().0,
            d("999999999999999.99")
        );
        assert_eq!(MAX_AMOUNT, d("1000000000000000"));
    }

    #[test]
    fn currency_table_is_sorted_with_one_code_every_four_bytes() {
        let codes: Vec<&str> = ISO_4217.split(' ').collect();
        assert!(
            codes.iter().all(|c| c.len() == 3),
            "every entry is 3 letters"
        );
        assert!(codes.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        assert_eq!(ISO_4217.len(), codes.len() * 4 - 1);
        for code in &codes {
            let currency = Currency::from_code(code).unwrap();
            assert_eq!(currency.code(), *code);
        }
        for (code, exponent) in EXPONENT_EXCEPTIONS {
            assert!(codes.contains(code), "{code} is an ISO code");
            assert_eq!(Currency::from_code(code).unwrap().exponent(), *exponent);
        }
        assert_eq!(Currency::from_code("EUR").unwrap().exponent(), 2);
        // Neighbours of real codes, both ends of the table, and the wrong case.
        for absent in [
            "AAA", "AED ", "ZZZ", "EUS", "ZWL", "eur", "Eur", "EU", "", "€€",
        ] {
            assert_eq!(Currency::from_code(absent), None, "{absent:?}");
        }
    }

    #[test]
    fn minor_units_round_trip() {
        let inr = Currency::from_code("INR").unwrap();
        assert_eq!(inr.money(Amount(d("12.34"))), money(1234));
        assert_eq!(inr.money(Amount(d("12"))), money(1200));
        assert_eq!(inr.amount(money(1234)).to_string(), "12.34");
        assert_eq!(inr.amount(money(5)).to_string(), "0.05");
        // Past 64 bits (validation refuses such inputs): saturated, not wrapped.
        let huge = Amount(d("999999999999999999999"));
        assert_eq!(inr.money(huge), money(i64::MAX));
    }

    #[test]
    fn display_format() {
        let inr = Currency::from_code("INR").unwrap();
        let format = |c: Currency, value: &str| c.format(c.money(Amount(d(value))));
        assert_eq!(format(inr, "420.00"), "₹420");
        assert_eq!(format(inr, "1200"), "₹1,200");
        assert_eq!(format(inr, "1234567.5"), "₹1,234,567.50");
        let kwd = Currency::from_code("KWD").unwrap();
        assert_eq!(format(kwd, "1.25"), "KWD 1.250");
        // Every length of the whole part, so every size of the first group.
        for (value, text) in [
            ("0", "₹0"),
            ("7.05", "₹7.05"),
            ("12", "₹12"),
            ("123.4", "₹123.40"),
            ("1234", "₹1,234"),
            ("12345.6", "₹12,345.60"),
            ("123456", "₹123,456"),
            ("1000000", "₹1,000,000"),
            ("999.999", "₹1,000"),
        ] {
            assert_eq!(format(inr, value), text, "{value}");
        }
        let jpy = Currency::from_code("JPY").unwrap();
        assert_eq!(format(jpy, "1234567.5"), "¥1,234,568");
        let usd = Currency::from_code("USD").unwrap();
        assert_eq!(format(usd, "0.5"), "$0.50");
    }

    #[test]
    fn rounding_in_minor_units_is_half_away_from_zero() {
        assert_eq!(div_half_away(5, 10), 1);
        assert_eq!(div_half_away(4, 10), 0);
        assert_eq!(div_half_away(-5, 10), -1);
        assert_eq!(div_half_away(-4, 10), 0);
        assert_eq!(div_half_away(15, 10), 2);
        let inr = Currency::from_code("INR").unwrap();
        assert_eq!(inr.money(Amount(d("-0.005"))), money(-1));
        // 12.5% of ₹0.04 is half a paisa: rounds up to one.
        assert_eq!(money(4).percent(&Percent(d("12.5"))), money(1));
        assert_eq!(money(3).percent(&Percent(d("12.5"))), money(0));
        assert_eq!(money(123_456).percent(&Percent(d("100"))), money(123_456));
        assert_eq!(money(-4).percent(&Percent(d("12.5"))), money(-1));
        assert_eq!(money(1050) - money(25), money(1025));
        assert_eq!(money(7).times(3), money(21));
        assert_eq!(money(i64::MAX / 2).times(3), money(i64::MAX), "saturates");
        assert_eq!(Money::clamped(i128::MAX), money(i64::MAX));
        assert_eq!(Money::clamped(-5), money(-5));
        let mut text = String::new();
        write_normalized(d("12.50"), &mut text);
        text.push(' ');
        write_normalized(d("7.000"), &mut text);
        text.push(' ');
        write_normalized(d("0.00"), &mut text);
        assert_eq!(text, "12.5 7 0");
    }

    #[test]
    fn digits_beyond_what_a_decimal_holds_are_refused() {
        let code = |t: &str| parse_decimal(t).map_err(|e| e.0);
        assert_eq!(
            code("1234567890123456.123456789012"),
            Ok(d("1234567890123456.123456789012"))
        );
        assert_eq!(
            code("1234567890123456.1234567890123"),
            Err(ErrorCode::TooManyDecimals)
        );
        // Leading zeros are not significant.
        assert_eq!(
            code("0.0000000000000000000000000001"),
            Ok(d("0.0000000000000000000000000001"))
        );
        assert_eq!(code("-0.00"), Ok(Decimal::ZERO));
    }

    const EXPONENTS: [u32; 4] = [0, 2, 3, 4];

    proptest::proptest! {
        /// The integer rules give what `Decimal`'s own arithmetic gives, which the
        /// engine used before (and still uses natively in these tests only).
        #[test]
        fn minor_units_agree_with_decimal_rounding(
            // Up to 10^18 minor units at the largest exponent: the range money holds.
            mantissa in -100_000_000_000_000i64..100_000_000_000_000,
            scale in 0u32..=12,
            exponent in proptest::sample::select(EXPONENTS.to_vec()),
        ) {
            let currency = Currency { code: *b"XXX", exponent };
            let value = Decimal::new(mantissa, scale);
            let mut rounded = value.round_dp_with_strategy(
                exponent,
                rust_decimal::RoundingStrategy::MidpointAwayFromZero,
            );
            rounded.rescale(exponent);
            let money = currency.money(Amount(value));
            proptest::prop_assert_eq!(i128::from(money.minor_units()), rounded.mantissa());
            proptest::prop_assert_eq!(currency.amount(money).to_string(), rounded.to_string());
        }

        #[test]
        fn percent_of_agrees_with_decimal_arithmetic(
            // Every amount money holds: a cart's total with shipping is below 2·10^18.
            base in 0i64..2_000_000_000_000_000_000,
            percent_units in 0i64..=1_000_000,
            scale in 0u32..=4,
            exponent in proptest::sample::select(EXPONENTS.to_vec()),
        ) {
            let currency = Currency { code: *b"XXX", exponent };
            // Into [0, 100] at this scale.
            let percent = Decimal::new(percent_units % (100 * 10i64.pow(scale) + 1), scale);
            let base = Money::from_minor_units(base);
            let by_decimal = currency.money(Amount(
                currency.amount(base).0 * percent / Decimal::ONE_HUNDRED,
            ));
            proptest::prop_assert_eq!(base.percent(&Percent(percent)), by_decimal);
        }

        #[test]
        fn digit_strings_parse_as_decimal_parses_them(
            negative: bool,
            int in "[0-9]{1,16}",
            fraction in proptest::option::of("[0-9]{1,28}"),
        ) {
            let text = format!(
                "{}{int}{}",
                if negative { "-" } else { "" },
                fraction.map_or_else(String::new, |f| format!(".{f}"))
            );
            let significant = text
                .bytes()
                .filter(u8::is_ascii_digit)
                .skip_while(|&b| b == b'0')
                .count();
            match parse_decimal(&text) {
                Ok(ours) => {
                    let theirs = Decimal::from_str_exact(&text).unwrap();
                    proptest::prop_assert_eq!(ours, theirs);
                    proptest::prop_assert_eq!(ours.scale(), theirs.scale());
                }
                Err((code, _)) => {
                    proptest::prop_assert_eq!(code, ErrorCode::TooManyDecimals);
                    proptest::prop_assert!(significant > 28, "{} refused", text);
                }
            }
        }
    }

    #[test]
    fn decimals_are_written_as_their_display_writes_them() {
        let mut cases: Vec<Decimal> = [
            "0",
            "0.00",
            "0.05",
            "1",
            "1.50",
            "10.000",
            "123456.78",
            "999999999999999.999",
            "0.0000001",
            "-0.00",
            "-12.30",
            "79228162514264337593543950335",
            "7.9228162514264337593543950335",
            "0.0000000000000000000000000001",
        ]
        .iter()
        .map(|t| t.parse().unwrap())
        .collect();
        // A negative zero, as a subtraction can leave it.
        cases.push(Decimal::ZERO - Decimal::new(0, 2));
        cases.push(Decimal::new(-0, 3).abs() * Decimal::NEGATIVE_ONE);
        for value in cases {
            let mut ours = String::new();
            write_decimal(value, &mut ours);
            assert_eq!(ours, value.to_string(), "{value:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_decimal_is_written_as_its_display_writes_it(
            lo in proptest::num::u32::ANY, mid in proptest::num::u32::ANY,
            hi in proptest::num::u32::ANY, wide in proptest::bool::ANY,
            negative in proptest::bool::ANY, scale in 0u32..=28,
        ) {
            // Half the mantissas fit 64 bits (the fast path), half need 96.
            let value = Decimal::from_parts(lo, mid, if wide { hi } else { 0 }, negative, scale);
            let mut ours = String::new();
            write_decimal(value, &mut ours);
            proptest::prop_assert_eq!(ours, value.to_string());
        }
    }
}
