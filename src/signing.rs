//! Signed inputs: coupon bundles and customer summaries travel as compact JWS
//! (RFC 7515) signed with EdDSA / Ed25519 (RFC 8037), verified against a JWKS, so a
//! merchant can sign with any standard JOSE library. The cryptography is
//! ed25519-dalek's; this module only handles the JOSE framing and the claims.
//!
//! Payloads are JWT claim sets: `iat` and `exp` (seconds since the epoch) are
//! required, `nbf` is honoured when present, and the data sits under `bundle` or
//! `customer`. A summary also carries `sub`, the customer id it is bound to.
//! Verification never reads a clock: `now` is an input. `iat` is not compared with
//! `now`, so a shopper's clock running a little behind does not reject a fresh token;
//! put `nbf` in a token that must not be used early.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::Serialize;

use crate::error::{Error, ErrorCode};
use crate::json::read::{self as parse, serde_via_from_json, Json, Path};
use crate::json::{FromJson, Quoted, ToJson};
use crate::model::{Bundle, Customer, Timestamp};

/// A JSON Web Key Set holding Ed25519 public keys (`kty: "OKP"`, `crv: "Ed25519"`).
/// Several keys may be live at once (rotation); keys of other types are ignored.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[json(lenient)]
pub struct Jwks {
    /// The keys.
    pub keys: Vec<Jwk>,
}

/// One JSON Web Key. Public keys carry `x`; a private key also `d` (never put one in
/// a key set you publish: verification rejects it).
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[json(lenient)]
pub struct Jwk {
    /// Key type; `"OKP"` for Ed25519.
    pub kty: String,
    /// Curve; `"Ed25519"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// Key id, matched against the token header's `kid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Public key, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// Private key, base64url (signing keys only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d: Option<String>,
    /// Intended algorithm, if stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Intended use, if stated (`"sig"`).
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
}

fn err(code: ErrorCode, path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::new(code, path, message)
}

fn decode(part: &str, path: &str) -> Result<Vec<u8>, Error> {
    // The decoder's own words (which symbol, at which offset) would link its
    // formatting into WebAssembly, for a detail nobody acts on: the path names the part.
    URL_SAFE_NO_PAD.decode(part).map_err(|_| {
        err(
            ErrorCode::MalformedToken,
            path,
            "not base64url without padding",
        )
    })
}

impl Jwk {
    /// Whether this is an Ed25519 key.
    fn is_ed25519(&self) -> bool {
        self.kty == "OKP" && self.crv.as_deref() == Some("Ed25519")
    }

    fn verifying_key(&self, path: &str) -> Result<VerifyingKey, Error> {
        let x = self.x.as_deref().ok_or_else(|| {
            err(
                ErrorCode::MissingField,
                format!("{path}.x"),
                "an Ed25519 key needs x",
            )
        })?;
        let bytes: [u8; 32] = decode(x, &format!("{path}.x"))?.try_into().map_err(|_| {
            err(
                ErrorCode::InvalidKey,
                format!("{path}.x"),
                "an Ed25519 public key is 32 bytes",
            )
        })?;
        VerifyingKey::from_bytes(&bytes).map_err(|_| {
            err(
                ErrorCode::InvalidKey,
                format!("{path}.x"),
                "not a point on Ed25519",
            )
        })
    }

    fn signing_key(&self, path: &str) -> Result<SigningKey, Error> {
        if !self.is_ed25519() {
            return Err(err(
                ErrorCode::InvalidKey,
                path,
                "a signing key must be kty OKP, crv Ed25519",
            ));
        }
        let d = self.d.as_deref().ok_or_else(|| {
            err(
                ErrorCode::MissingField,
                format!("{path}.d"),
                "a signing key needs d",
            )
        })?;
        let seed: [u8; 32] = decode(d, &format!("{path}.d"))?.try_into().map_err(|_| {
            err(
                ErrorCode::InvalidKey,
                format!("{path}.d"),
                "an Ed25519 private key is 32 bytes",
            )
        })?;
        let key = SigningKey::from_bytes(&seed);
        if let Some(x) = &self.x {
            if URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes()) != *x {
                return Err(err(
                    ErrorCode::InvalidKey,
                    format!("{path}.x"),
                    "x is not the public key of d",
                ));
            }
        }
        Ok(key)
    }

    /// A new private key from 32 random bytes (the caller supplies the randomness).
    pub fn from_seed(seed: [u8; 32], kid: &str) -> Jwk {
        let key = SigningKey::from_bytes(&seed);
        Jwk {
            kty: "OKP".into(),
            crv: Some("Ed25519".into()),
            kid: Some(kid.into()),
            x: Some(URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes())),
            d: Some(URL_SAFE_NO_PAD.encode(seed)),
            alg: Some("EdDSA".into()),
            use_: Some("sig".into()),
        }
    }

    /// This key without its private part, for publishing.
    pub fn public(&self) -> Jwk {
        Jwk {
            d: None,
            ..self.clone()
        }
    }
}

impl Jwks {
    /// Checks the set once: no private keys, Ed25519 keys decode.
    pub fn validate(&self) -> Result<(), Error> {
        for (i, k) in self.keys.iter().enumerate() {
            let path = format!("jwks.keys[{i}]");
            if k.d.is_some() {
                return Err(err(
                    ErrorCode::PrivateKeyInJwks,
                    format!("{path}.d"),
                    "a verification key set must not hold private keys",
                ));
            }
            if k.is_ed25519() {
                k.verifying_key(&path)?;
            }
        }
        Ok(())
    }

    fn find(&self, kid: &str) -> Result<VerifyingKey, Error> {
        let (i, key) = self
            .keys
            .iter()
            .enumerate()
            .find(|(_, k)| k.is_ed25519() && k.kid.as_deref() == Some(kid))
            .ok_or_else(|| {
                err(
                    ErrorCode::UnknownKey,
                    "token.header.kid",
                    format!("no Ed25519 key with kid {} in the key set", Quoted(kid)),
                )
            })?;
        key.verifying_key(&format!("jwks.keys[{i}]"))
    }
}

// Key sets and keys carry members this verifier does not use (`n`, `e`, `x5c`, …).
serde_via_from_json!(Jwks, Jwk);

/// The protected header. Unknown members are allowed, `crit` is not (this verifier
/// understands no extensions).
struct Header {
    alg: Option<String>,
    kid: Option<String>,
    crit: bool,
}

impl FromJson for Header {
    fn from_json(value: &Json<'_>, at: Path<'_>) -> Result<Self, Error> {
        let o = parse::Object::lenient(value, at)?;
        let crit = value.get("crit").is_some_and(|c| !c.is_null());
        Ok(Header {
            alg: o.get("alg")?,
            kid: o.get("kid")?,
            crit,
        })
    }

    fn placeholder() -> Self {
        Header {
            alg: None,
            kid: None,
            crit: false,
        }
    }
}

/// Claims every signed input carries.
#[derive(FromJson)]
#[json(lenient)]
struct Times {
    iat: Option<i64>,
    exp: Option<i64>,
    nbf: Option<i64>,
}

#[derive(FromJson)]
#[json(lenient)]
struct SummaryClaims {
    sub: Option<String>,
    customer: Customer,
}

/// A token part that must be JSON, or `malformed_token` at `path`.
fn json_part<'t>(text: &'t str, path: &str) -> Result<Json<'t>, Error> {
    parse::tree(path, text).map_err(|e| {
        err(
            ErrorCode::MalformedToken,
            path,
            format!("not JSON: {}", e.message),
        )
    })
}

/// Checks the JWS framing, algorithm, key and signature; returns the payload text.
fn verify_signature(token: &str, jwks: &Jwks) -> Result<String, Error> {
    jwks.validate()?;
    let mut parts = token.trim().split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(err(
            ErrorCode::MalformedToken,
            "token",
            "a compact JWS has three base64url parts separated by dots",
        ));
    };
    let header_json = String::from_utf8(decode(header, "token.header")?).map_err(|_| {
        err(
            ErrorCode::MalformedToken,
            "token.header",
            "the header is not UTF-8",
        )
    })?;
    let h = Header::from_json(
        &json_part(&header_json, "token.header")?,
        Path::Root("token.header"),
    )
    .map_err(|e| {
        err(
            ErrorCode::MalformedToken,
            e.path,
            format!("not a JWS header: {}", e.message),
        )
    })?;
    match h.alg.as_deref() {
        Some("EdDSA" | "Ed25519") => {}
        Some(other) => {
            return Err(err(
                ErrorCode::UnsupportedAlgorithm,
                "token.header.alg",
                format!("{} is not accepted; only EdDSA (Ed25519)", Quoted(other)),
            ))
        }
        None => {
            return Err(err(
                ErrorCode::UnsupportedAlgorithm,
                "token.header.alg",
                "no alg; only EdDSA (Ed25519) is accepted",
            ))
        }
    }
    if h.crit {
        return Err(err(
            ErrorCode::MalformedToken,
            "token.header.crit",
            "critical header extensions are not supported",
        ));
    }
    let kid = h.kid.ok_or_else(|| {
        err(
            ErrorCode::UnknownKey,
            "token.header.kid",
            "the header names no kid",
        )
    })?;
    let key = jwks.find(&kid)?;
    let signature: [u8; 64] = decode(signature, "token.signature")?
        .try_into()
        .map_err(|_| {
            err(
                ErrorCode::BadSignature,
                "token.signature",
                "an Ed25519 signature is 64 bytes",
            )
        })?;
    let signing_input = &token.trim()[..header.len() + 1 + payload.len()];
    key.verify_strict(signing_input.as_bytes(), &Signature::from_bytes(&signature))
        .map_err(|_| {
            err(
                ErrorCode::BadSignature,
                "token.signature",
                "the signature does not match the header and payload",
            )
        })?;
    String::from_utf8(decode(payload, "token.payload")?).map_err(|_| {
        err(
            ErrorCode::MalformedToken,
            "token.payload",
            "the payload is not UTF-8",
        )
    })
}

fn check_times(claims: &Json<'_>, now: Timestamp) -> Result<(), Error> {
    let t = Times::from_json(claims, Path::Root("token.payload")).map_err(|e| {
        err(
            ErrorCode::MalformedToken,
            e.path,
            format!("not a JWT claim set: {}", e.message),
        )
    })?;
    let now_s = now.0.timestamp();
    let at = |s: i64| {
        DateTime::<Utc>::from_timestamp(s, 0).map_or_else(|| s.to_string(), |d| d.to_rfc3339())
    };
    t.iat.ok_or_else(|| {
        err(
            ErrorCode::MissingField,
            "token.payload.iat",
            "signed inputs carry their issue time",
        )
    })?;
    let exp = t.exp.ok_or_else(|| {
        err(
            ErrorCode::MissingField,
            "token.payload.exp",
            "signed inputs carry an expiry",
        )
    })?;
    if now_s >= exp {
        return Err(err(
            ErrorCode::Expired,
            "token.payload.exp",
            format!("expired at {}", at(exp)),
        ));
    }
    if let Some(nbf) = t.nbf.filter(|nbf| now_s < *nbf) {
        return Err(err(
            ErrorCode::NotYetValid,
            "token.payload.nbf",
            format!("valid from {}", at(nbf)),
        ));
    }
    Ok(())
}

/// Verifies a signed coupon bundle and returns it (not yet validated: pass it to
/// [`crate::Engine::new`]).
pub fn verify_bundle(token: &str, jwks: &Jwks, now: Timestamp) -> Result<Bundle, Error> {
    let payload = verify_signature(token, jwks)?;
    let claims = json_part(&payload, "token.payload")?;
    check_times(&claims, now)?;
    parse::Object::lenient(&claims, Path::Root(""))?.get("bundle")
}

/// Verifies a signed customer summary: signature, times, and that it belongs to
/// `expected_customer` (the shopper the page or request is for) when given.
pub fn verify_summary(
    token: &str,
    jwks: &Jwks,
    now: Timestamp,
    expected_customer: Option<&str>,
) -> Result<Customer, Error> {
    let payload = verify_signature(token, jwks)?;
    let claims = json_part(&payload, "token.payload")?;
    check_times(&claims, now)?;
    let claims = SummaryClaims::from_json(&claims, Path::Root(""))?;
    let sub = claims.sub.ok_or_else(|| {
        err(
            ErrorCode::MissingField,
            "token.payload.sub",
            "a summary names its customer in sub",
        )
    })?;
    if sub != claims.customer.id {
        return Err(err(
            ErrorCode::WrongCustomer,
            "customer.id",
            format!(
                "the summary is for {} but holds {}",
                Quoted(&sub),
                Quoted(&claims.customer.id)
            ),
        ));
    }
    if let Some(expected) = expected_customer.filter(|e| *e != sub) {
        return Err(err(
            ErrorCode::WrongCustomer,
            "token.payload.sub",
            format!(
                "the summary is for {}, not {}",
                Quoted(&sub),
                Quoted(expected)
            ),
        ));
    }
    Ok(claims.customer)
}

/// Whether a token's (unverified) payload holds a customer summary rather than a
/// bundle. Only for choosing which `verify_*` to call: it trusts nothing.
pub fn holds_summary(token: &str) -> bool {
    token
        .split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .is_some_and(|v| v.get("customer").is_some())
}

/// Signs a JSON claim set (which must hold `iat`, `exp` and `bundle` or `customer`)
/// with a private JWK; returns the compact JWS.
pub fn sign(claims: &(impl ToJson + ?Sized), key: &Jwk) -> Result<String, Error> {
    let signing_key = key.signing_key("key")?;
    let kid = key.kid.as_deref().ok_or_else(|| {
        err(
            ErrorCode::MissingField,
            "key.kid",
            "a signing key needs a kid",
        )
    })?;
    let header = serde_json::json!({ "alg": "EdDSA", "kid": kid, "typ": "JWT" });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(crate::json::to_json(claims))
    );
    let signature = signing_key.sign(signing_input.as_bytes());
    Ok(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> Timestamp {
        Timestamp::parse("2026-11-22T10:00:00Z").unwrap()
    }
    const NOW_S: i64 = 1_795_341_600; // 2026-11-22T10:00:00Z

    fn key(kid: &str, byte: u8) -> Jwk {
        Jwk::from_seed([byte; 32], kid)
    }
    fn jwks(keys: &[&Jwk]) -> Jwks {
        Jwks {
            keys: keys.iter().map(|k| k.public()).collect(),
        }
    }
    fn bundle_claims() -> serde_json::Value {
        json!({"iat": NOW_S - 60, "exp": NOW_S + 3600, "bundle": {"currency": "INR", "coupons": []}})
    }

    #[test]
    fn now_constant_is_right() {
        assert_eq!(now().0.timestamp(), NOW_S);
    }

    #[test]
    fn signed_bundles_verify_with_any_live_key() {
        let (old, new) = (key("2026-10", 1), key("2026-11", 2));
        let set = jwks(&[&old, &new]);
        for k in [&old, &new] {
            let token = sign(&bundle_claims(), k).unwrap();
            assert_eq!(
                verify_bundle(&token, &set, now()).unwrap().currency.code(),
                "INR"
            );
        }
    }

    #[test]
    fn every_tampered_byte_is_rejected() {
        let k = key("k", 3);
        let token = sign(&bundle_claims(), &k).unwrap();
        let set = jwks(&[&k]);
        let bytes = token.as_bytes();
        for i in 0..bytes.len() {
            if bytes[i] == b'.' {
                continue;
            }
            let mut t = bytes.to_vec();
            t[i] = if t[i] == b'A' { b'B' } else { b'A' };
            let t = String::from_utf8(t).unwrap();
            assert!(
                verify_bundle(&t, &set, now()).is_err(),
                "byte {i} changed and still verified"
            );
        }
    }

    #[test]
    fn rejections_have_their_codes() {
        let k = key("k", 4);
        let set = jwks(&[&k]);
        let code = |token: &str| verify_bundle(token, &set, now()).unwrap_err().code;
        // alg none, and a token signed by a key not in the set.
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"k"}"#),
            URL_SAFE_NO_PAD.encode(bundle_claims().to_string())
        );
        assert_eq!(code(&none), ErrorCode::UnsupportedAlgorithm);
        let hs = format!(
            "{}.{}.AAAA",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","kid":"k"}"#),
            URL_SAFE_NO_PAD.encode("{}")
        );
        assert_eq!(code(&hs), ErrorCode::UnsupportedAlgorithm);
        assert_eq!(
            code(&sign(&bundle_claims(), &key("other", 5)).unwrap()),
            ErrorCode::UnknownKey
        );
        // Same kid, different key: the signature fails.
        assert_eq!(
            code(&sign(&bundle_claims(), &key("k", 6)).unwrap()),
            ErrorCode::BadSignature
        );
        let mut expired = bundle_claims();
        expired["exp"] = json!(NOW_S);
        assert_eq!(code(&sign(&expired, &k).unwrap()), ErrorCode::Expired);
        let mut early = bundle_claims();
        early["nbf"] = json!(NOW_S + 1);
        assert_eq!(code(&sign(&early, &k).unwrap()), ErrorCode::NotYetValid);
        let mut no_exp = bundle_claims();
        no_exp.as_object_mut().unwrap().remove("exp");
        assert_eq!(code(&sign(&no_exp, &k).unwrap()), ErrorCode::MissingField);
        assert_eq!(code("a.b"), ErrorCode::MalformedToken);
        assert_eq!(code("a.b.c.d"), ErrorCode::MalformedToken);
    }

    #[test]
    fn summaries_are_bound_to_their_customer() {
        let k = key("k", 7);
        let set = jwks(&[&k]);
        let claims =
            json!({"iat": NOW_S, "exp": NOW_S + 60, "sub": "c1", "customer": {"id": "c1"}});
        let token = sign(&claims, &k).unwrap();
        assert_eq!(
            verify_summary(&token, &set, now(), Some("c1")).unwrap().id,
            "c1"
        );
        assert_eq!(
            verify_summary(&token, &set, now(), Some("c2"))
                .unwrap_err()
                .code,
            ErrorCode::WrongCustomer
        );
        let mismatched = sign(
            &json!({"iat": NOW_S, "exp": NOW_S + 60, "sub": "c2", "customer": {"id": "c1"}}),
            &k,
        )
        .unwrap();
        assert_eq!(
            verify_summary(&mismatched, &set, now(), None)
                .unwrap_err()
                .code,
            ErrorCode::WrongCustomer
        );
    }

    #[test]
    fn key_sets_never_hold_private_keys() {
        let k = key("k", 8);
        let leaked = Jwks {
            keys: vec![k.clone()],
        };
        assert_eq!(
            leaked.validate().unwrap_err().code,
            ErrorCode::PrivateKeyInJwks
        );
        assert!(jwks(&[&k]).validate().is_ok());
    }
}
