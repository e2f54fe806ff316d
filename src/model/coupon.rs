//! Coupon definitions and the bundle that carries them (what the merchant configures).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::Serialize;
use sha2::{Digest, Sha512};

use super::{ClockTime, Span, TimeZone, Timestamp, Weekday};
use crate::json::read::serde_via_from_json;
use crate::json::{FromJson, ToJson};
use crate::money::{Amount, Currency, Percent};

/// Everything the server sends once per storefront: the currency, the coupons and the
/// segment rules. Validated once (see [`crate::Engine`]), then reused for every cart.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    /// The store currency: every amount in the bundle, the customer summary and the cart is in it.
    pub currency: Currency,
    /// Coupon definitions in the merchant's order (cards keep it within a status).
    pub coupons: Vec<Coupon>,
    /// Segments built from purchase history, evaluated locally.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<Segment>>"))]
    pub segments: Vec<Segment>,
    /// How the applied combination is chosen. Absent: `"bestCombination"`.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<SelectionMode>"))]
    pub selection: SelectionMode,
    /// How many entered codes may apply at once (1 to 20). Absent: 5.
    #[serde(default = "default_max_codes")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<u32>"))]
    pub max_codes: u32,
    /// Campaigns with a budget, which coupons join by naming one in `campaign`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<Campaign>>"))]
    pub campaigns: Vec<Campaign>,
    /// The merchant's time zone: coupons' schedules are read on its clock (its offsets,
    /// required when a coupon has a `schedule`), and the package's `localize` shows dates
    /// in it when the storefront names no zone of the shopper's, so the signed bundle is
    /// where the merchant's zone comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<TimeZone>,
}

/// A campaign's budget: the most its coupons may take off, across all orders. A
/// discount that does not fit in what is left is refused whole, never cut down.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct Campaign {
    /// Unique within the bundle.
    pub id: String,
    /// The total its coupons may take off.
    pub budget: Amount,
    /// What they have taken off so far (the order server fills it in). Absent: nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spent: Option<Amount>,
}

fn default_max_codes() -> u32 {
    5
}

/// How the engine chooses which usable coupons apply together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum SelectionMode {
    /// The combination that saves the shopper the most while obeying every stacking rule.
    #[default]
    BestCombination,
    /// Take coupons by descending priority (then bundle order), each if it combines
    /// with those already taken and adds to the saving.
    PriorityOrder,
}

/// What a discount applies to; decides the order discounts apply in and which
/// combine. Product discounts apply first, then order discounts, then shipping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum DiscountClass {
    /// Discounts on particular items: scoped or unit-capped percentages and amounts,
    /// per-item amounts, fixed prices, buy X get Y, combos, gifts.
    Product,
    /// Discounts on the whole order: entire-cart percentages, amounts and tiers.
    Order,
    /// Discounts on delivery.
    Shipping,
}

/// One coupon definition. Only `id`, `application`, `discount` and `display.title` are
/// required; every condition left out does not restrict.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct Coupon {
    /// Unique id within the bundle.
    pub id: String,
    /// The code a shopper types; required for `application: "code"` (or `codeHash`),
    /// optional label otherwise.
    /// Codes compare case-insensitively in ASCII letters (`save10` matches `SAVE10`;
    /// other characters must match exactly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// In place of `code`, a salted hash of it, so that the code stays secret in a bundle
    /// every browser downloads while an entered code still finds the coupon: the salt
    /// (16 to 128 bytes, no dot, its own for every coupon), a dot, and the SHA-512 digest
    /// of the salt followed by the code with its ASCII letters upper-cased, in base64url
    /// without padding. At most one of `code` and `codeHash`; a coupon applied by code
    /// needs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_hash: Option<String>,
    /// In place of `code`, a batch of single-use codes, one per customer (generated by
    /// `coupon-engine codes`). The bundle carries how to recognise a code of the batch,
    /// never the codes: any well-formed code of the batch shows the coupon's card, and
    /// the order server, which holds the list, takes each code once at placement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_batch: Option<CodeBatch>,
    /// The campaign whose budget this coupon's discounts come out of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// Whether the shopper must enter the code or the coupon applies by itself.
    pub application: Application,
    /// What the coupon takes off.
    pub discount: Discount,
    /// Conditions on the customer's past purchases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behavior: Option<Behavior>,
    /// Conditions on the current cart, and which lines the discount applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase: Option<Purchase>,
    /// Who may redeem it. Absent: everyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Audience>,
    /// Which of the customer's orders it is for. Absent: all orders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_scope: Option<OrderScope>,
    /// Usage limits with the server's current counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<Limits>,
    /// The classes of discount this one combines with. Two discounts combine when each
    /// lists the other's class. Absent or empty: exclusive (applies alone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<DiscountClass>>"))]
    pub combines_with: Vec<DiscountClass>,
    /// Higher applies earlier within its class, and is taken first in
    /// `"priorityOrder"` selection. Absent: 0.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<i32>"))]
    pub priority: i32,
    /// When the coupon is open at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_window: Option<Window>,
    /// Within its active window, the weekdays and hours it is open on the merchant's
    /// clock (the bundle's `timeZone`): open when any of these windows is
    /// (`["mon-fri 17:00-20:00", "sat,sun"]`, see [`Hours`]). Absent: always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Vec<String>>,
    /// A per-customer window that opens when the customer joins a segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity: Option<Validity>,
    /// Not usable when the payment method is cash on delivery.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<bool>"))]
    pub disable_cod: bool,
    /// How the card looks.
    pub display: Display,
}

/// The `codeHash` of `code` with `salt`: the salt, a dot, and the SHA-512 digest of the
/// salt's text followed by the code in its normalised form (UTF-8, ASCII letters
/// upper-cased, as entered codes are compared), in base64url without padding. The salt
/// is 16 to 128 bytes without a dot, different for every coupon, so that no one table
/// of precomputed hashes serves every coupon. A salt does not stop guessing one code at
/// a time, so a hidden code should be long and random, not a word.
pub fn hash_code(code: &str, salt: &str) -> String {
    let digest = Sha512::new()
        .chain_update(salt)
        .chain_update(code.to_ascii_uppercase())
        .finalize();
    format!("{salt}.{}", URL_SAFE_NO_PAD.encode(digest))
}

/// A `codeHash`'s salt and digest, if it is well formed.
pub(crate) fn code_hash_parts(hash: &str) -> Option<(&str, Vec<u8>)> {
    let (salt, digest) = hash.split_once('.')?;
    let digest = URL_SAFE_NO_PAD.decode(digest).ok()?;
    ((16..=128).contains(&salt.len()) && digest.len() == 64).then_some((salt, digest))
}

/// The first of `codes` that `hash` was made from. The codes come normalised, as
/// [`crate::facts::Facts`] keeps the entered ones, which is the form [`hash_code`]
/// hashes: so a hashed code matches exactly the entered codes its clear code would.
pub fn find_hashed<'c>(hash: &str, codes: &'c [String]) -> Option<&'c String> {
    let (salt, digest) = code_hash_parts(hash)?;
    // The one copy of SHA-512 that batch codes' checks use too.
    codes
        .iter()
        .find(|code| code_batch::sha512(&[salt, code])[..] == digest[..])
}

impl Bundle {
    /// A copy to publish: every hidden coupon applied by code (`display.visible` false)
    /// carries a `codeHash` ([`hash_code`]) in place of its `code`, so a browser can
    /// match an entered code but no one can read it. Visible coupons keep their code,
    /// which their cards show; an automatic coupon applies without its code, which is
    /// only a label. A hidden coupon's card then shows the code as entered, upper-cased.
    ///
    /// `salt` is the server's own random bytes (at least 16); each coupon's salt is
    /// derived from it and the coupon's id, so the same salt gives the same bundle.
    pub fn concealed(&self, salt: &[u8]) -> Bundle {
        let mut bundle = self.clone();
        for coupon in &mut bundle.coupons {
            if coupon.display.visible || coupon.application != Application::Code {
                continue;
            }
            if let Some(code) = coupon.code.take() {
                // Unique, not secret: a salt only has to differ between coupons, and a
                // short one keeps the bundle small.
                let own = Sha512::new()
                    .chain_update(salt)
                    .chain_update([0])
                    .chain_update(&coupon.id)
                    .finalize();
                coupon.code_hash = Some(hash_code(&code, &URL_SAFE_NO_PAD.encode(&own[..16])));
            }
        }
        bundle
    }
}

/// How the codes of a batch look: `prefix`, `length` random characters and two check
/// characters computed with `salt` (crates/code-batch).
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CodeBatch {
    /// What every code starts with: 1 to 16 capital letters, digits or `-`.
    pub prefix: String,
    /// Random characters after the prefix, 6 to 32.
    pub length: u32,
    /// The salt of the check characters: 16 to 128 characters. Not a secret.
    pub salt: String,
}

impl CodeBatch {
    /// The batch as the code-batch crate sees it.
    pub fn batch(&self) -> code_batch::Batch<'_> {
        code_batch::Batch {
            prefix: &self.prefix,
            length: self.length as usize,
            salt: &self.salt,
        }
    }
}

/// How a coupon is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Application {
    /// The shopper enters the code at checkout.
    Code,
    /// Applied whenever its conditions hold.
    Automatic,
}

/// The discount value, one kind per key:
/// `{"percentage": {"percent": "10", "cap": "500.00"}}`, `{"fixedAmount": {"amount": "500.00"}}`,
/// `{"amountPerItem": {"amount": "50.00"}}`, `{"fixedPrice": {"price": "99.00"}}`,
/// `{"tiered": {"tiers": [...]}}`, `{"buyXGetY": {...}}`, `{"freeShipping": {}}`,
/// `{"freeGift": {"productId": "tote"}}`, `{"combo": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Discount {
    /// A percentage of the scoped subtotal, optionally capped.
    Percentage {
        /// In (0, 100].
        percent: Percent,
        /// Upper limit on the discount.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cap: Option<Amount>,
        /// Only on this many scoped units, the most expensive first (equal ones in cart order).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_units: Option<u32>,
    },
    /// A fixed amount spread across the scoped lines (never more than their
    /// subtotal). Off each unit instead is [`Discount::AmountPerItem`].
    FixedAmount {
        /// The amount, more than zero.
        amount: Amount,
        /// Only on this many scoped units, the most expensive first (equal ones in cart order).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_units: Option<u32>,
    },
    /// A fixed amount off each scoped unit (never more than the unit).
    AmountPerItem {
        /// Per unit, more than zero.
        amount: Amount,
        /// Only on this many scoped units, the most expensive first (equal ones in cart order).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_units: Option<u32>,
    },
    /// Each scoped unit sold at this price (units already cheaper are left alone).
    FixedPrice {
        /// The unit price.
        price: Amount,
    },
    /// The highest tier whose minimum the scoped subtotal reaches.
    Tiered {
        /// At least one, minimums strictly ascending.
        tiers: Vec<Tier>,
        /// Upper limit on the discount.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cap: Option<Amount>,
    },
    /// Buy `buy.quantity` units of one set, get `get.quantity` units of another at
    /// `percent` off (default 100: free), repeated per multiple up to `limit` times.
    /// The cheapest qualifying units are the rewarded ones, or the most expensive
    /// (`reward`); no unit counts twice.
    BuyXGetY {
        /// What must be bought.
        buy: UnitSet,
        /// What is rewarded.
        get: UnitSet,
        /// Off each rewarded unit, in (0, 100]. Absent: 100 (free).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        percent: Option<Percent>,
        /// At most this many applications.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u32>,
        /// Which units of the get set are rewarded. Absent: the cheapest.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reward: Option<Reward>,
    },
    /// A discount on the selected shipping option only.
    FreeShipping {
        /// Only these options. Absent: any option.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        option_ids: Option<Vec<String>>,
        /// Upper limit on the discount. Absent: shipping is free.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cap: Option<Amount>,
    },
    /// A gift product at zero price, or the shopper's choice of one of several: the
    /// first of `productIds` the cart holds. When none is in the cart, the card says
    /// so (listing the choices) and the result lists each under `giftsToAdd`.
    /// Exactly one of `productId` and `productIds`.
    FreeGift {
        /// The gift product.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        product_id: Option<String>,
        /// The gifts to choose from, in the merchant's order of preference (at least one).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        product_ids: Option<Vec<String>>,
        /// Units given. Absent: 1.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        quantity: Option<u32>,
    },
    /// A set of products bought together, repeated per complete set up to `limit`:
    /// sold for `price` per set, or `percent` or `amount` off each set (exactly one).
    Combo {
        /// The products of one set (at least two units in all).
        items: Vec<ComboItem>,
        /// Price of one complete set.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        price: Option<Amount>,
        /// Percent off each complete set.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        percent: Option<Percent>,
        /// Amount off each complete set.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amount: Option<Amount>,
        /// At most this many sets.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u32>,
    },
}

/// Which units of a buy-X-get-Y get set are rewarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Reward {
    /// The cheapest qualifying units (a shop's usual rule).
    Cheapest,
    /// The most expensive qualifying units (buy a sweater, get the dearer t-shirt free).
    MostExpensive,
}

impl Discount {
    /// The unit cap of a percentage, fixed amount or amount per item: the discount
    /// then works only on that many scoped units, the most expensive first (equal
    /// units in cart order), and its allocation names the lines they come from.
    pub fn max_units(&self) -> Option<u32> {
        match self {
            Discount::Percentage { max_units, .. }
            | Discount::FixedAmount { max_units, .. }
            | Discount::AmountPerItem { max_units, .. } => *max_units,
            _ => None,
        }
    }

    /// A free gift's choices: `productIds`, or `productId` alone (empty for other kinds).
    pub fn gift_choices(&self) -> &[String] {
        match self {
            Discount::FreeGift {
                product_id,
                product_ids,
                ..
            } => product_ids.as_deref().unwrap_or(product_id.as_slice()),
            _ => &[],
        }
    }
}

/// One tier of a tiered discount: exactly one of `percent` or `amount`.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct Tier {
    /// The scoped subtotal at which the tier starts.
    pub min_value: Amount,
    /// Percent off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<Percent>,
    /// Amount off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Amount>,
}

/// A number of units from a set of lines (buy X get Y).
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UnitSet {
    /// Which lines' units qualify.
    pub scope: Scope,
    /// Units per application, at least 1.
    pub quantity: u32,
}

/// One product of a combo set.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct ComboItem {
    /// The product.
    pub product_id: String,
    /// Units of it per set. Absent: 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u32>,
}

impl Coupon {
    /// The discount's class: free shipping is shipping; entire-cart percentages,
    /// amounts and tiers are order; everything scoped or per unit is product, and so
    /// is a percentage or amount capped to `maxUnits` units, which picks items.
    pub fn class(&self) -> DiscountClass {
        let whole_cart = self
            .purchase
            .as_ref()
            .and_then(|p| p.scope.as_ref())
            .is_none_or(|s| *s == Scope::EntireCart);
        match self.discount {
            Discount::FreeShipping { .. } => DiscountClass::Shipping,
            Discount::Percentage {
                max_units: None, ..
            }
            | Discount::FixedAmount {
                max_units: None, ..
            }
            | Discount::Tiered { .. }
                if whole_cart =>
            {
                DiscountClass::Order
            }
            _ => DiscountClass::Product,
        }
    }

    /// Whether this coupon and `other` may apply together.
    pub fn combines(&self, other: &Coupon) -> bool {
        self.combines_with.contains(&other.class()) && other.combines_with.contains(&self.class())
    }
}

/// Conditions on the customer's past purchases, all of which must hold.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct Behavior {
    /// Count only orders placed within this span before `now`. Absent: lifetime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_last: Option<Span>,
    /// The customer used this code on an order in the period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_coupon: Option<String>,
    /// Total spend (sum of order totals) in the period is at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_spend: Option<Amount>,
    /// At least this many orders in the period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_orders: Option<u32>,
}

/// Conditions on the current cart. Value and quantity are measured over the scoped lines.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct Purchase {
    /// Which lines count and receive the discount. Absent: the entire cart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Minimum value of the scoped lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value: Option<Amount>,
    /// Maximum value of the scoped lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_value: Option<Amount>,
    /// Minimum number of scoped units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_quantity: Option<u32>,
    /// Maximum number of scoped units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_quantity: Option<u32>,
    /// Leaves lines on sale (a `compareAtPrice` above the price) out of the scope:
    /// they neither count toward the conditions nor get the discount. Not for kinds
    /// that pick their own units (buy X get Y, combo, free gift).
    #[serde(default, skip_serializing_if = "super::is_false")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<bool>"))]
    pub exclude_sale_items: bool,
    /// Measures `minValue` on what the discounts applied before this one (in the
    /// application order: class, then priority, then bundle order) leave of the scoped
    /// lines, rather than on their prices (Vendure's rule). Needs `minValue`.
    #[serde(default, skip_serializing_if = "super::is_false")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<bool>"))]
    pub after_discounts: bool,
}

/// Which cart lines a coupon looks at and discounts: `"entireCart"`,
/// `{"products": [ids]}`, `{"collections": [ids]}` or `{"offers": [ids]}`.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Scope {
    /// Every line.
    EntireCart,
    /// Lines of these products (at least one id).
    Products(Vec<String>),
    /// Lines in any of these collections (at least one id).
    Collections(Vec<String>),
    /// Lines bought through these offers, a product at a given price tier (at least one id).
    Offers(Vec<String>),
}

/// Who may redeem a coupon: `"all"` or `{"specific": {"customerIds": [], "segmentIds": []}}`.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Audience {
    /// Everyone.
    All,
    /// Customers listed by id, or members of any listed segment.
    Specific {
        /// Customer ids.
        #[serde(default)]
        #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<String>>"))]
        customer_ids: Vec<String>,
        /// Segment ids.
        #[serde(default)]
        #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<String>>"))]
        segment_ids: Vec<String>,
    },
}

/// Which order of the customer's a coupon is for: `"all"`, `"firstOrder"` or
/// `{"orderCount": {"nth": 3}}` (also `minPrevious`, `maxPrevious`).
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum OrderScope {
    /// Any order.
    All,
    /// Only when the customer has no previous order.
    FirstOrder,
    /// By the number of previous orders: this is exactly the `nth` order, and/or
    /// previous orders are within `[minPrevious, maxPrevious]`.
    OrderCount {
        /// This order is the n-th (1 = first).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nth: Option<u32>,
        /// At least this many previous orders.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_previous: Option<u32>,
        /// At most this many previous orders.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_previous: Option<u32>,
    },
}

/// Usage limits. The server enforces them; the engine reports a coupon as exhausted
/// from the counts the server sent.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// Total redemptions allowed across all customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global: Option<u32>,
    /// Redemptions so far across all customers, as the server counted when it issued the bundle.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<u32>"))]
    pub global_redeemed: u32,
    /// Redemptions allowed per customer (their count comes in the customer summary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_customer: Option<u32>,
}

/// A time window; either end may be open.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct Window {
    /// Opens at (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Timestamp>,
    /// Closes at (exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Timestamp>,
}

/// One window of a schedule, read from its text: `"mon-fri 09:00-17:00"`, `"sat,sun"`
/// (whole days), `"17:00-20:00"` (every day). Days are `mon` to `sun`, listed with
/// commas or as ranges (`fri-mon` wraps round the week); times are `"HH:MM"`, from
/// inclusive, to exclusive, `24:00` the end of the day. A window whose close is not
/// after its opening (`"fri 22:00-02:00"`) runs past midnight and belongs to the day
/// it starts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    /// The weekdays it opens on, bit 0 for Monday.
    pub days: u8,
    /// Where it opens, in minutes from the start of its day.
    pub from: u32,
    /// Where it closes, in minutes from the start of its day: past 1440 when it runs
    /// past midnight.
    pub to: u32,
}

impl Hours {
    /// The window `text` describes; `None` for any other text, and for a window that
    /// would be empty (`"17:00-17:00"`) or open at `24:00`. Read byte by byte: the
    /// string searchers would be most of this in the WebAssembly module.
    pub fn parse(text: &str) -> Option<Hours> {
        let b = text.as_bytes();
        let day = |i: usize| {
            let code = b.get(i..i + 3)?;
            Weekday::CODES.iter().position(|c| c.as_bytes() == code)
        };
        let (mut days, mut i) = (0x7f, 0);
        let mut times = b;
        if b.get(2) != Some(&b':') {
            days = 0;
            loop {
                let mut d = day(i)?;
                let last = if b.get(i + 3) == Some(&b'-') {
                    i += 4;
                    day(i)?
                } else {
                    d
                };
                days |= 1 << d;
                while d != last {
                    d = (d + 1) % 7;
                    days |= 1 << d;
                }
                i += 4;
                match b.get(i - 1) {
                    Some(b',') => {}
                    Some(b' ') => {
                        times = &b[i..];
                        break;
                    }
                    None => {
                        times = b"00:00-24:00";
                        break;
                    }
                    _ => return None,
                }
            }
        }
        if times.len() != 11 || times[5] != b'-' {
            return None;
        }
        let (from, to) = (
            ClockTime::minutes(&times[..5])?,
            ClockTime::minutes(&times[6..])?,
        );
        if from >= 24 * 60 || from == to {
            return None;
        }
        let to = if to > from { to } else { to + 24 * 60 };
        Some(Hours { days, from, to })
    }

    /// Every window of a schedule; `Err` with the index of the first that does not read.
    pub fn all(schedule: &[String]) -> Result<Vec<Hours>, usize> {
        let mut windows = Vec::with_capacity(schedule.len());
        for (i, text) in schedule.iter().enumerate() {
            windows.push(Hours::parse(text).ok_or(i)?);
        }
        Ok(windows)
    }

    /// Whether it opens on weekday `day` (0 for Monday).
    pub fn on(self, day: usize) -> bool {
        self.days >> day & 1 == 1
    }
}

/// A per-customer validity window: the coupon works for this customer for `duration`
/// after they joined `segmentId`, while it stays open for others.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Validity {
    /// The segment whose joining starts the window.
    pub segment_id: String,
    /// How long the window stays open.
    pub duration: Span,
}

/// What the shopper sees on the card.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct Display {
    /// Shown on checkout. Absent: true. A hidden coupon gets a card only when its code is entered.
    #[serde(default = "yes")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<bool>"))]
    pub visible: bool,
    /// Card title.
    pub title: String,
    /// Short description, for the shoppers the coupon is meant for ("Thank you for
    /// spending over ₹10,000").
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<String>"))]
    pub description: String,
    /// The description for shoppers outside its audience or history conditions ("For
    /// customers who have spent ₹10,000 with us"). Absent: they get `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_for_others: Option<String>,
}

fn yes() -> bool {
    true
}

/// A segment built from purchase history. A customer is a member when the summary
/// lists the membership, or when `rule` holds for their history.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Segment {
    /// Unique id within the bundle.
    pub id: String,
    /// The membership rule.
    pub rule: Rule,
}

/// A segment rule over the customer's history, e.g.
/// `{"all": [{"purchased": {"minOrders": 2}}, {"courseProgress": {"courseId": "c1", "minPercent": "95"}}]}`.
/// `all` is AND, `any` is OR.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Rule {
    /// Every sub-rule holds (at least one sub-rule).
    All(Vec<Rule>),
    /// At least one sub-rule holds (at least one sub-rule).
    Any(Vec<Rule>),
    /// Placed at least `minOrders` orders (default 1), optionally counting only
    /// orders that contain one of `productIds`.
    Purchased {
        /// Default 1.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_orders: Option<u32>,
        /// Count only orders containing one of these products.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        product_ids: Option<Vec<String>>,
    },
    /// Bought a specific product, optionally at a specific price tier.
    BoughtProduct {
        /// The product.
        product_id: String,
        /// The price tier it must have been bought at.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        price_tier_id: Option<String>,
    },
    /// Course progress at least `minPercent` (use e.g. 95 for "completed").
    CourseProgress {
        /// The course.
        course_id: String,
        /// Threshold in percent.
        min_percent: Percent,
    },
    /// Bought before (optionally a given date), but no order within `inactiveFor` before now.
    Inactive {
        /// At least one order placed before this date.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bought_before: Option<Timestamp>,
        /// No order in this span before now.
        inactive_for: Span,
    },
}

serde_via_from_json!(Bundle);
