//! Hidden coupons stay hidden: the server publishes `Bundle::concealed`, in which a
//! hidden coupon's code is replaced by a salted hash, and the engine in the browser
//! still finds the coupon when the shopper enters its code.

mod common;

use coupon_engine::json::to_json;
use coupon_engine::model::{find_hashed, hash_code, Bundle, Context};
use coupon_engine::recheck::Claim;
use coupon_engine::{read_json, Engine, ErrorCode, Request};
use proptest::prelude::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha512};

/// The server's secret salt in these tests.
const SALT: &[u8] = b"sixteen bytes at least, from the server's random source";

fn coupon(id: &str, code: &str, amount: &str, visible: bool) -> Value {
    json!({"id": id, "code": code, "application": "code",
           "discount": {"fixedAmount": {"amount": amount}},
           "display": {"title": format!("{id} title"), "visible": visible},
           "combinesWith": ["order"]})
}

/// Two hidden code coupons, a visible one, and a hidden automatic coupon whose code is a label.
fn request(codes: &[&str], max_codes: u32) -> Request {
    let mut automatic = coupon("label", "STAFFLABEL", "10.00", false);
    automatic["application"] = json!("automatic");
    let doc = json!({
        "bundle": {"currency": "INR", "maxCodes": max_codes, "coupons": [
            coupon("vip", "VIP25", "250.00", false),
            coupon("secret", "SECRET50", "50.00", false),
            coupon("welcome", "WELCOME100", "100.00", true),
            automatic]},
        "customer": {"id": "c1"},
        "cart": {"currency": "INR", "lines": [
            {"id": "l1", "productId": "p1", "unitPrice": "1000.00", "quantity": 1}]},
        "context": {"now": "2026-11-22T10:00:00Z", "codes": codes}
    });
    read_json("", &doc.to_string()).unwrap()
}

fn evaluate(bundle: &Bundle, r: &Request, context: &Context) -> String {
    let engine = Engine::new(bundle.clone()).unwrap();
    to_json(&engine.evaluate(&r.customer, &r.cart, context).unwrap())
}

#[test]
fn a_concealed_bundle_carries_no_hidden_code() {
    let r = request(&[], 5);
    let concealed = r.bundle.concealed(SALT);
    let text = serde_json::to_string(&concealed)
        .unwrap()
        .to_ascii_uppercase();
    for hidden in ["VIP25", "SECRET50"] {
        assert!(!text.contains(hidden), "{hidden} in {text}");
    }
    // The visible coupon's card shows its code; the automatic coupon's is a label.
    assert!(text.contains("WELCOME100") && text.contains("STAFFLABEL"));
    let hashed: Vec<&str> = concealed
        .coupons
        .iter()
        .filter(|c| c.code_hash.is_some())
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(hashed, ["vip", "secret"]);
    assert!(concealed
        .coupons
        .iter()
        .all(|c| c.code.is_none() != c.code_hash.is_none()));
    // Valid, and read back from its JSON exactly as written.
    Engine::new(concealed.clone()).unwrap();
    let again: Bundle = read_json("bundle", &serde_json::to_string(&concealed).unwrap()).unwrap();
    assert_eq!(again, concealed);
}

#[test]
fn concealing_is_deterministic_per_salt_and_salted_per_coupon() {
    let bundle = request(&[], 5).bundle;
    let hash = |b: &Bundle, i: usize| b.coupons[i].code_hash.clone().unwrap();
    let salt = |b: &Bundle, i: usize| hash(b, i).split_once('.').unwrap().0.to_string();
    let once = bundle.concealed(SALT);
    assert_eq!(bundle.concealed(SALT), once);
    let other = bundle.concealed(b"another server's salt, just as long");
    assert_ne!(hash(&once, 0), hash(&other, 0));
    // Concealing twice changes nothing more.
    assert_eq!(once.concealed(SALT), once);
    // Every coupon has its own salt, also for the same code under another id.
    assert_ne!(salt(&once, 0), salt(&once, 1));
    let mut renamed = bundle.clone();
    renamed.coupons[0].id = "vip-2".into();
    assert_ne!(salt(&renamed.concealed(SALT), 0), salt(&once, 0));
    assert_eq!(salt(&once, 0).len(), 22, "16 bytes in base64url");
}

/// The hash is SHA-512 over the salt's text and the upper-cased code, as documented, so
/// a server in another language can make one.
#[test]
fn the_hash_is_sha512_of_salt_and_normalised_code() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let salt = "a-salt-of-22-chars-abc";
    let made = hash_code("Vip25", salt);
    let digest = URL_SAFE_NO_PAD.encode(Sha512::digest(format!("{salt}VIP25")));
    assert_eq!(made, format!("{salt}.{digest}"));
    let entered = |codes: &[&str]| codes.iter().copied().map(String::from).collect::<Vec<_>>();
    assert_eq!(
        find_hashed(&made, &entered(&["X", "VIP25"])).map(String::as_str),
        Some("VIP25")
    );
    // Entered codes reach the match normalised; a lower-case one is another code.
    assert_eq!(find_hashed(&made, &entered(&["vip25", "VIP26"])), None);
    // A malformed hash matches nothing.
    assert_eq!(
        find_hashed(&made.replace('.', ""), &entered(&["VIP25"])),
        None
    );
}

#[test]
fn an_entered_code_gives_the_same_cards_and_result_as_the_clear_code() {
    let mut compared = 0;
    for (codes, max_codes) in [
        (&["VIP25"][..], 5),
        (&["vip25"][..], 5),
        (&[" Vip25 ", "secret50"][..], 5),
        (&["Vip25", "Secret50", "welcome100"][..], 5),
        // Each hashed code counts toward maxCodes like a clear one.
        (&["Vip25", "Secret50", "welcome100"][..], 2),
        (&["WELCOME100", "secret50"][..], 1),
        (&["vip25", "VIP25", "nope"][..], 5),
        (&["stafflabel", "vip25"][..], 1),
        (&[][..], 5),
    ] {
        let r = request(codes, max_codes);
        let clear = evaluate(&r.bundle, &r, &r.context);
        let hidden = evaluate(&r.bundle.concealed(SALT), &r, &r.context);
        assert_eq!(hidden, clear, "codes {codes:?}, maxCodes {max_codes}");
        compared += 1;
    }
    assert_eq!(compared, 9);

    let r = request(&["vip25", "VIP26"], 5);
    let result: Value =
        serde_json::from_str(&evaluate(&r.bundle.concealed(SALT), &r, &r.context)).unwrap();
    let vip = result["cards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["couponId"] == "vip")
        .expect("the hidden coupon's card");
    assert_eq!(
        (&vip["code"], &vip["status"]),
        (&json!("VIP25"), &json!("applied"))
    );
    assert_eq!(result["applied"][0]["code"], "VIP25");
    assert_eq!(
        result["unknownCodes"],
        json!([{"code": "VIP26", "message": "Code VIP26 is not valid"}])
    );
}

#[test]
fn a_wrong_code_stays_unknown_and_shows_no_hidden_card() {
    for codes in [&["VIP26"][..], &["VIP2"], &["VIP25X"], &["SECRET50 VIP25"]] {
        let r = request(codes, 5);
        let hidden = evaluate(&r.bundle.concealed(SALT), &r, &r.context);
        assert_eq!(hidden, evaluate(&r.bundle, &r, &r.context));
        let result: Value = serde_json::from_str(&hidden).unwrap();
        assert_eq!(result["unknownCodes"][0]["code"], codes[0], "{hidden}");
        assert!(result["cards"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["couponId"] != "vip" && c["couponId"] != "secret"));
    }
}

/// The browser evaluates the concealed bundle, the server rechecks with its own: the
/// claim is accepted.
#[test]
fn the_server_accepts_what_the_concealed_bundle_computed() {
    let r = request(&["vip25", "secret50"], 5);
    let claim: Claim = read_json(
        "claim",
        &evaluate(&r.bundle.concealed(SALT), &r, &r.context),
    )
    .unwrap();
    let outcome = Engine::new(r.bundle.clone())
        .unwrap()
        .recheck(&r.customer, &r.cart, &r.context, &claim)
        .unwrap();
    assert!(outcome.accepted, "{:?}", outcome.differences);
    let ids: Vec<&str> = claim.applied.iter().map(|d| d.coupon_id.as_str()).collect();
    assert_eq!(ids, ["vip", "secret", "label"]);
}

#[test]
fn a_coupon_takes_exactly_one_of_code_and_code_hash() {
    let r = request(&[], 5);
    let hash = r.bundle.concealed(SALT).coupons[0].code_hash.clone();
    let error = |edit: &dyn Fn(&mut Bundle)| {
        let mut bundle = r.bundle.clone();
        edit(&mut bundle);
        let e = Engine::new(bundle).unwrap_err();
        (e.code, e.path)
    };
    assert_eq!(
        error(&|b| b.coupons[0].code_hash = hash.clone()),
        (ErrorCode::InvalidValue, "bundle.coupons[0].codeHash".into())
    );
    assert_eq!(
        error(&|b| b.coupons[1].code = None),
        (ErrorCode::MissingCode, "bundle.coupons[1].code".into())
    );
    // An automatic coupon may go without either, but not carry both.
    let mut bundle = r.bundle.clone();
    bundle.coupons[3].code = None;
    Engine::new(bundle).unwrap();
    assert_eq!(
        error(&|b| b.coupons[3].code_hash = hash.clone()),
        (ErrorCode::InvalidValue, "bundle.coupons[3].codeHash".into())
    );
    let broken = |hash: String| {
        error(&|b| {
            b.coupons[0].code = None;
            b.coupons[0].code_hash = Some(hash.clone());
        })
    };
    let h = hash.unwrap();
    let (salt, digest) = h.split_once('.').unwrap();
    let invalid = (
        ErrorCode::InvalidValue,
        "bundle.coupons[0].codeHash".to_string(),
    );
    for bad in [
        String::new(),
        digest.to_string(),
        format!("{salt}{digest}"),
        format!("{salt}."),
        format!("short.{digest}"),
        format!("{}.{digest}", "s".repeat(129)),
        format!("{salt}.{}", &digest[1..]),
        format!("{salt}.{digest}A"),
        format!("{salt}.{digest}="),
        format!("{salt}.{}", digest.replace(['-', '_'], "+")),
        format!("{salt}.{}", &digest[..43]),
        format!("a.b.{salt}.{digest}"),
    ] {
        assert_eq!(broken(bad.clone()), invalid, "{bad}");
    }
    // Any salt of 16 to 128 bytes without a dot will do.
    for salt in [
        "s".repeat(16),
        "s".repeat(128),
        "日本語の塩です、十六".to_string(),
    ] {
        let good = hash_code("x", &salt);
        let mut b = r.bundle.clone();
        b.coupons[0].code = None;
        b.coupons[0].code_hash = Some(good);
        Engine::new(b).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Any request (every discount kind, stacking, entered codes known and unknown,
    /// `maxCodes` 2), with any of its coupons hidden: the concealed bundle gives
    /// byte-identical results to the clear one.
    #[test]
    fn a_concealed_bundle_evaluates_like_the_clear_one(req in common::request(), hidden in any::<u8>()) {
        let mut req = req;
        for (i, c) in req["bundle"]["coupons"].as_array_mut().unwrap().iter_mut().enumerate() {
            c["display"]["visible"] = json!(hidden >> i & 1 == 0);
        }
        let r: Request = read_json("", &req.to_string()).unwrap();
        let concealed = r.bundle.concealed(SALT);
        prop_assert_eq!(evaluate(&concealed, &r, &r.context), evaluate(&r.bundle, &r, &r.context));
    }
}
