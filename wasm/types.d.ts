// Generated from the Rust types by `BLESS=1 cargo test --features typescript --test typescript`.
// Do not edit by hand.

export type Amount = `${number}`;

export type Application = "code" | "automatic";

export type AppliedDiscount = { 
/**
 * The coupon.
 */
couponId: string, 
/**
 * Its code, if it has one.
 */
code: string | null, 
/**
 * Its title.
 */
title: string, 
/**
 * Its class (product, order, shipping).
 */
class: DiscountClass, 
/**
 * The discount; equals the sum of `lines[].amount` plus `shipping`.
 */
amount: Amount, 
/**
 * The amount taken off each line it touched, in cart order.
 */
lines: Array<LineAllocation>, 
/**
 * The amount taken off shipping.
 */
shipping: Amount, };

export type Audience = OneKey<"all" | { "specific": { 
/**
 * Customer ids.
 */
customerIds?: Array<string>, 
/**
 * Segment ids.
 */
segmentIds?: Array<string>, } }>;

export type Behavior = { 
/**
 * Count only orders placed within this span before `now`. Absent: lifetime.
 */
withinLast?: Span, 
/**
 * The customer used this code on an order in the period.
 */
usedCoupon?: string, 
/**
 * Total spend (sum of order totals) in the period is at least this.
 */
minSpend?: Amount, 
/**
 * At least this many orders in the period.
 */
minOrders?: number, };

export type Bundle = { 
/**
 * The store currency: every amount in the bundle, the customer summary and the cart is in it.
 */
currency: Currency, 
/**
 * Coupon definitions in the merchant's order (cards keep it within a status).
 */
coupons: Array<Coupon>, 
/**
 * Segments built from purchase history, evaluated locally.
 */
segments?: Array<Segment>, 
/**
 * How the applied combination is chosen. Absent: `"bestCombination"`.
 */
selection?: SelectionMode, 
/**
 * How many entered codes may apply at once (1 to 20). Absent: 5.
 */
maxCodes?: number, 
/**
 * Campaigns with a budget, which coupons join by naming one in `campaign`.
 */
campaigns?: Array<Campaign>, 
/**
 * The merchant's time zone: coupons' schedules are read on its clock (its offsets,
 * required when a coupon has a `schedule`), and the package's `localize` shows dates
 * in it when the storefront names no zone of the shopper's, so the signed bundle is
 * where the merchant's zone comes from.
 */
timeZone?: TimeZone, };

export type Campaign = { 
/**
 * Unique within the bundle.
 */
id: string, 
/**
 * The total its coupons may take off.
 */
budget: Amount, 
/**
 * What they have taken off so far (the order server fills it in). Absent: nothing.
 */
spent?: Amount, };

export type Card = { 
/**
 * The coupon.
 */
couponId: string, 
/**
 * Its code, if it has one.
 */
code: string | null, 
/**
 * Entered code or automatic.
 */
application: Application, 
/**
 * Display title.
 */
title: string, 
/**
 * The coupon's description for this shopper: its `descriptionForOthers` when the
 * audience or history conditions leave them out and it has one, else `description`.
 */
description: string, 
/**
 * Where the coupon stands for this shopper and cart.
 */
status: CardStatus, 
/**
 * Applied: the amount it takes off in the chosen combination. Available: what it
 * would take off on its own. Otherwise null.
 */
saving: Amount | null, 
/**
 * The order total before any discount.
 */
priceBefore: Amount, 
/**
 * `priceBefore - saving`, when there is a saving.
 */
priceAfter: Amount | null, 
/**
 * Why the coupon is not applied (empty when applied), worst first.
 */
reasons: Array<Reason>, 
/**
 * Distance to each unmet threshold that the shopper can close.
 */
progress: Array<Progress>, 
/**
 * When the coupon stops working for this customer: the earlier of the coupon's
 * end and the customer's own validity window.
 */
expiresAt: Timestamp | null, };

export type CardStatus = "applied" | "available" | "locked" | "ineligible" | "expired" | "exhausted";

export type Cart = { 
/**
 * Must equal the bundle's currency.
 */
currency: Currency, 
/**
 * Lines in display order (allocation ties go to the earlier line).
 */
lines: Array<Line>, 
/**
 * Delivery options and the chosen one.
 */
shipping?: Shipping, 
/**
 * Whether the unit prices include tax (GST, VAT): prices as the shopper sees them.
 * With tax rates on the lines, the result breaks each line down into its amounts
 * with and without tax, whichever way the prices are given.
 */
pricesIncludeTax?: boolean, };

export type Claim = { 
/**
 * The total the shopper saw.
 */
totalAfter: Amount, 
/**
 * The discount the shopper saw.
 */
discountTotal: Amount, 
/**
 * The discounts the shopper saw applied.
 */
applied: Array<ClaimedDiscount>, 
/**
 * The lines the shopper saw, with their subtotals.
 */
lines: Array<ClaimedLine>, };

export type ClaimedDiscount = { 
/**
 * The coupon.
 */
couponId: string, 
/**
 * Its amount.
 */
amount: Amount, };

export type ClaimedLine = { 
/**
 * The cart line.
 */
lineId: string, 
/**
 * Its subtotal (unit price × quantity).
 */
subtotal: Amount, };

export type ClockTime = `${number}:${number}`;

export type CodeBatch = { 
/**
 * What every code starts with: 1 to 16 capital letters, digits or `-`.
 */
prefix: string, 
/**
 * Random characters after the prefix, 6 to 32.
 */
length: number, 
/**
 * The salt of the check characters: 16 to 128 characters. Not a secret.
 */
salt: string, };

export type ComboItem = { 
/**
 * The product.
 */
productId: string, 
/**
 * Units of it per set. Absent: 1.
 */
quantity?: number, };

export type Context = { 
/**
 * The instant to evaluate at (the engine never reads a clock).
 */
now: Timestamp, 
/**
 * The chosen payment method; `"cod"` is cash on delivery. Absent: not chosen yet.
 */
paymentMethod?: string, 
/**
 * Codes the shopper entered, in entry order.
 */
codes?: Array<string>, };

export type Coupon = CodeRules<{ 
/**
 * Unique id within the bundle.
 */
id: string, 
/**
 * The code a shopper types; required for `application: "code"` (or `codeHash`),
 * optional label otherwise.
 * Codes compare case-insensitively in ASCII letters (`save10` matches `SAVE10`;
 * other characters must match exactly).
 */
code?: string, 
/**
 * In place of `code`, a salted hash of it, so that the code stays secret in a bundle
 * every browser downloads while an entered code still finds the coupon: the salt
 * (16 to 128 bytes, no dot, its own for every coupon), a dot, and the SHA-512 digest
 * of the salt followed by the code with its ASCII letters upper-cased, in base64url
 * without padding. At most one of `code` and `codeHash`; a coupon applied by code
 * needs one.
 */
codeHash?: string, 
/**
 * In place of `code`, a batch of single-use codes, one per customer (generated by
 * `coupon-engine codes`). The bundle carries how to recognise a code of the batch,
 * never the codes: any well-formed code of the batch shows the coupon's card, and
 * the order server, which holds the list, takes each code once at placement.
 */
codeBatch?: CodeBatch, 
/**
 * The campaign whose budget this coupon's discounts come out of.
 */
campaign?: string, 
/**
 * Whether the shopper must enter the code or the coupon applies by itself.
 */
application: Application, 
/**
 * What the coupon takes off.
 */
discount: Discount, 
/**
 * Conditions on the customer's past purchases.
 */
behavior?: Behavior, 
/**
 * Conditions on the current cart, and which lines the discount applies to.
 */
purchase?: Purchase, 
/**
 * Who may redeem it. Absent: everyone.
 */
audience?: Audience, 
/**
 * Which of the customer's orders it is for. Absent: all orders.
 */
orderScope?: OrderScope, 
/**
 * Usage limits with the server's current counts.
 */
limits?: Limits, 
/**
 * The classes of discount this one combines with. Two discounts combine when each
 * lists the other's class. Absent or empty: exclusive (applies alone).
 */
combinesWith?: Array<DiscountClass>, 
/**
 * Higher applies earlier within its class, and is taken first in
 * `"priorityOrder"` selection. Absent: 0.
 */
priority?: number, 
/**
 * When the coupon is open at all.
 */
activeWindow?: Window, 
/**
 * Within its active window, the weekdays and hours it is open on the merchant's
 * clock (the bundle's `timeZone`): open when any of these windows is
 * (`["mon-fri 17:00-20:00", "sat,sun"]`, see [`Hours`]). Absent: always.
 */
schedule?: Array<string>, 
/**
 * A per-customer window that opens when the customer joins a segment.
 */
validity?: Validity, 
/**
 * Not usable when the payment method is cash on delivery.
 */
disableCod?: boolean, 
/**
 * How the card looks.
 */
display: Display, }>;

export type CourseProgress = { 
/**
 * The course.
 */
courseId: string, 
/**
 * Percent complete, 0 to 100.
 */
percent: Percent, 
/**
 * When the progress was last reported; dates a course-progress segment membership.
 */
updatedAt?: Timestamp, 
/**
 * The course's name for people ("Yoga Basics"), which a card names the course by;
 * absent: cards name it by its id.
 */
name?: string, };

export type Currency = string;

export type Customer = { 
/**
 * The customer's id.
 */
id: string, 
/**
 * Past orders (placed and not cancelled), in any order.
 */
orders?: Array<Order>, 
/**
 * Segment memberships the server recorded, with the time each began.
 */
segments?: Array<Membership>, 
/**
 * Progress in courses (for course-completion segments).
 */
courses?: Array<CourseProgress>, 
/**
 * How many times this customer has redeemed each coupon, by coupon id.
 */
couponUsage?: { [key in string]: number }, };

export type Difference = { 
/**
 * What kind of difference.
 */
code: DifferenceCode, 
/**
 * Where, in the claim (`applied[1].amount`, `lines[0].subtotal`).
 */
path: string, 
/**
 * The claimed value, if any.
 */
claimed: string | null, 
/**
 * The server's value, if any.
 */
actual: string | null, 
/**
 * For a coupon that no longer applies: the reason codes on its card (`ended`,
 * `global_limit_reached`, `min_purchase_value`, …).
 */
reasons: Array<string>, 
/**
 * English explanation.
 */
message: string, };

export type DifferenceCode = "unknown_coupon" | "not_applicable" | "amount_differs" | "missing_discount" | "price_changed" | "line_mismatch" | "total_differs";

export type Discount = OneKey<{ "percentage": { 
/**
 * In (0, 100].
 */
percent: Percent, 
/**
 * Upper limit on the discount.
 */
cap?: Amount, 
/**
 * Only on this many scoped units, the most expensive first (equal ones in cart order).
 */
maxUnits?: number, } } | { "fixedAmount": { 
/**
 * The amount, more than zero.
 */
amount: Amount, 
/**
 * Only on this many scoped units, the most expensive first (equal ones in cart order).
 */
maxUnits?: number, } } | { "amountPerItem": { 
/**
 * Per unit, more than zero.
 */
amount: Amount, 
/**
 * Only on this many scoped units, the most expensive first (equal ones in cart order).
 */
maxUnits?: number, } } | { "fixedPrice": { 
/**
 * The unit price.
 */
price: Amount, } } | { "tiered": { 
/**
 * At least one, minimums strictly ascending.
 */
tiers: Array<Tier>, 
/**
 * Upper limit on the discount.
 */
cap?: Amount, } } | { "buyXGetY": { 
/**
 * What must be bought.
 */
buy: UnitSet, 
/**
 * What is rewarded.
 */
get: UnitSet, 
/**
 * Off each rewarded unit, in (0, 100]. Absent: 100 (free).
 */
percent?: Percent, 
/**
 * At most this many applications.
 */
limit?: number, 
/**
 * Which units of the get set are rewarded. Absent: the cheapest.
 */
reward?: Reward, } } | { "freeShipping": { 
/**
 * Only these options. Absent: any option.
 */
optionIds?: Array<string>, 
/**
 * Upper limit on the discount. Absent: shipping is free.
 */
cap?: Amount, } } | { "freeGift": ExactlyOne<{ 
/**
 * The gift product.
 */
productId?: string, 
/**
 * The gifts to choose from, in the merchant's order of preference (at least one).
 */
productIds?: Array<string>, 
/**
 * Units given. Absent: 1.
 */
quantity?: number, }, "productId" | "productIds"> } | { "combo": ExactlyOne<{ 
/**
 * The products of one set (at least two units in all).
 */
items: Array<ComboItem>, 
/**
 * Price of one complete set.
 */
price?: Amount, 
/**
 * Percent off each complete set.
 */
percent?: Percent, 
/**
 * Amount off each complete set.
 */
amount?: Amount, 
/**
 * At most this many sets.
 */
limit?: number, }, "price" | "percent" | "amount"> }>;

export type DiscountClass = "product" | "order" | "shipping";

export type Display = { 
/**
 * Shown on checkout. Absent: true. A hidden coupon gets a card only when its code is entered.
 */
visible?: boolean, 
/**
 * Card title.
 */
title: string, 
/**
 * Short description, for the shoppers the coupon is meant for ("Thank you for
 * spending over ₹10,000").
 */
description?: string, 
/**
 * The description for shoppers outside its audience or history conditions ("For
 * customers who have spent ₹10,000 with us"). Absent: they get `description`.
 */
descriptionForOthers?: string, };

export type ErrorCode = "invalid_json" | "invalid_type" | "missing_field" | "unknown_field" | "unknown_variant" | "invalid_value" | "invalid_amount" | "too_many_decimals" | "out_of_range" | "invalid_currency" | "currency_mismatch" | "invalid_date" | "invalid_percent" | "min_greater_than_max" | "window_end_before_start" | "duplicate_id" | "duplicate_code" | "missing_code" | "empty_list" | "invalid_quantity" | "malformed_token" | "unsupported_algorithm" | "unknown_key" | "invalid_key" | "bad_signature" | "expired" | "not_yet_valid" | "wrong_customer" | "private_key_in_jwks";

export type EvaluationResult = { 
/**
 * The currency of every amount below.
 */
currency: Currency, 
/**
 * Sum of line amounts (unit price × quantity).
 */
subtotal: Amount, 
/**
 * The selected shipping option's price (zero when none is selected).
 */
shipping: Amount, 
/**
 * `subtotal + shipping`.
 */
totalBefore: Amount, 
/**
 * The part of `discountTotal` taken off shipping.
 */
shippingDiscount: Amount, 
/**
 * Sum of all applied discounts.
 */
discountTotal: Amount, 
/**
 * `totalBefore - discountTotal`, never negative.
 */
totalAfter: Amount, 
/**
 * The lines' amounts with and without tax, summed over the lines (shipping is
 * not in it); null when the cart gives no tax rates.
 */
tax: TaxAmounts | null, 
/**
 * The discounts applied, in the order they were computed.
 */
applied: Array<AppliedDiscount>, 
/**
 * Per-line totals after all discounts, in cart order.
 */
lines: Array<LineTotal>, 
/**
 * One card per visible coupon and per entered hidden code.
 */
cards: Array<Card>, 
/**
 * Entered codes that match no coupon.
 */
unknownCodes: Array<UnknownCode>, 
/**
 * Free gifts the shopper qualifies for that are not in the cart yet.
 */
giftsToAdd: Array<GiftToAdd>, };

export type GiftToAdd = { 
/**
 * The coupon that gives it.
 */
couponId: string, 
/**
 * The gift product. A coupon that offers a choice of gifts has one entry per
 * choice, in its order: the shopper adds one of them.
 */
productId: string, 
/**
 * Units.
 */
quantity: number, };

export type Jwk = { 
/**
 * Key type; `"OKP"` for Ed25519.
 */
kty: string, 
/**
 * Curve; `"Ed25519"`.
 */
crv?: string, 
/**
 * Key id, matched against the token header's `kid`.
 */
kid?: string, 
/**
 * Public key, base64url.
 */
x?: string, 
/**
 * Private key, base64url (signing keys only).
 */
d?: string, 
/**
 * Intended algorithm, if stated.
 */
alg?: string, 
/**
 * Intended use, if stated (`"sig"`).
 */
use?: string, };

export type Jwks = { 
/**
 * The keys.
 */
keys: Array<Jwk>, };

export type Limits = { 
/**
 * Total redemptions allowed across all customers.
 */
global?: number, 
/**
 * Redemptions so far across all customers, as the server counted when it issued the bundle.
 */
globalRedeemed?: number, 
/**
 * Redemptions allowed per customer (their count comes in the customer summary).
 */
perCustomer?: number, };

export type Line = { 
/**
 * Unique within the cart.
 */
id: string, 
/**
 * The product.
 */
productId: string, 
/**
 * Collections the product belongs to.
 */
collectionIds?: Array<string>, 
/**
 * The offer (product at a price tier) it is bought through.
 */
offerId?: string, 
/**
 * Price of one unit, at most the currency's minor-unit decimals.
 */
unitPrice: Amount, 
/**
 * The unit's price before a sale, shown struck through. Above `unitPrice` the
 * line is on sale, and coupons that exclude sale items leave it alone; at or
 * below it, it says nothing.
 */
compareAtPrice?: Amount, 
/**
 * Units, at least 1.
 */
quantity: number, 
/**
 * The tax rate in percent (`"18"` for 18% GST). On every line or on none.
 */
taxRate?: Percent, };

export type LineAllocation = { 
/**
 * The cart line.
 */
lineId: string, 
/**
 * The amount.
 */
amount: Amount, };

export type LineTax = { 
/**
 * The line's tax rate in percent.
 */
rate: Percent, 
/**
 * The line's amounts.
 */
amounts: TaxAmounts, };

export type LineTotal = { 
/**
 * The cart line.
 */
lineId: string, 
/**
 * Unit price × quantity.
 */
subtotal: Amount, 
/**
 * Sum of every discount allocated to it.
 */
discount: Amount, 
/**
 * `subtotal - discount`, never negative.
 */
total: Amount, 
/**
 * The line's amounts with and without tax; null when the cart gives no tax rates.
 */
tax: LineTax | null, };

export type Membership = { 
/**
 * The segment.
 */
segmentId: string, 
/**
 * When the customer joined it (starts per-customer validity windows).
 */
joinedAt: Timestamp, };

export type Order = { 
/**
 * Order id, unique within the summary.
 */
id: string, 
/**
 * When it was placed.
 */
placedAt: Timestamp, 
/**
 * What the customer paid.
 */
total: Amount, 
/**
 * Coupon codes used on it.
 */
couponCodes?: Array<string>, 
/**
 * What it contained.
 */
items?: Array<OrderItem>, };

export type OrderItem = { 
/**
 * Product id.
 */
productId: string, 
/**
 * The price tier it was bought at.
 */
priceTierId?: string, 
/**
 * Collections the product belongs to.
 */
collectionIds?: Array<string>, 
/**
 * Units bought. Absent: 1.
 */
quantity?: number, };

export type OrderScope = OneKey<"all" | "firstOrder" | { "orderCount": { 
/**
 * This order is the n-th (1 = first).
 */
nth?: number, 
/**
 * At least this many previous orders.
 */
minPrevious?: number, 
/**
 * At most this many previous orders.
 */
maxPrevious?: number, } }>;

export type Percent = `${number}`;

export type Progress = { 
/**
 * What is counted.
 */
unit: ProgressUnit, 
/**
 * Where the shopper is (decimal string: an amount, or a count).
 */
current: string, 
/**
 * The threshold.
 */
target: string, 
/**
 * `target - current`.
 */
remaining: string, 
/**
 * `current / target` in whole percent, 0 to 99 (100 means met, so never shown).
 */
percent: number, 
/**
 * "₹580 of ₹1,000 in your cart", "1 more order", "Spend ₹2,600 more in total
 * with us", "Complete 0.1% more of Yoga Basics": never what its reason says.
 */
message: string, };

export type ProgressUnit = "cartValue" | "quantity" | "orders" | "spend" | "course";

export type Purchase = { 
/**
 * Which lines count and receive the discount. Absent: the entire cart.
 */
scope?: Scope, 
/**
 * Minimum value of the scoped lines.
 */
minValue?: Amount, 
/**
 * Maximum value of the scoped lines.
 */
maxValue?: Amount, 
/**
 * Minimum number of scoped units.
 */
minQuantity?: number, 
/**
 * Maximum number of scoped units.
 */
maxQuantity?: number, 
/**
 * Leaves lines on sale (a `compareAtPrice` above the price) out of the scope:
 * they neither count toward the conditions nor get the discount. Not for kinds
 * that pick their own units (buy X get Y, combo, free gift).
 */
excludeSaleItems?: boolean, 
/**
 * Measures `minValue` on what the discounts applied before this one (in the
 * application order: class, then priority, then bundle order) leave of the scoped
 * lines, rather than on their prices (Vendure's rule). Needs `minValue`.
 */
afterDiscounts?: boolean, };

export type Reason = { 
/**
 * Default English message (render your own from `code` and `params` to translate,
 * or use the package's `localize`). Empty only from a core built without its
 * `messages` feature; the package's entries always write it.
 */
message: string, } & ({ "code": "not_started", "params": { 
/**
 * Opening time.
 */
startsAt: Timestamp, } } | { "code": "outside_schedule", "params": { 
/**
 * When it opens next.
 */
opensAt: Timestamp, 
/**
 * The merchant's day of the week then (`"sat"`).
 */
day: Weekday, 
/**
 * The merchant's time of day then (`"17:00"`).
 */
time: ClockTime, 
/**
 * Days from the merchant's today to that day: 0 today, 1 tomorrow.
 */
inDays: number, } } | { "code": "schedule_ended", "params": Record<symbol, never> } | { "code": "ended", "params": { 
/**
 * Closing time.
 */
endedAt: Timestamp, } } | { "code": "validity_ended", "params": { 
/**
 * The segment that started it.
 */
segmentId: string, 
/**
 * Closing time.
 */
endedAt: Timestamp, } } | { "code": "validity_unknown", "params": { 
/**
 * The segment.
 */
segmentId: string, } } | { "code": "global_limit_reached", "params": { 
/**
 * The limit.
 */
limit: number, } } | { "code": "budget_exhausted", "params": { 
/**
 * The campaign.
 */
campaignId: string, 
/**
 * What is left of its budget.
 */
remaining: Amount, } } | { "code": "budget_shared", "params": { 
/**
 * The campaign.
 */
campaignId: string, 
/**
 * What the applied discounts leave of its budget.
 */
remaining: Amount, } } | { "code": "customer_limit_reached", "params": { 
/**
 * The limit.
 */
limit: number, 
/**
 * Their redemptions so far.
 */
used: number, } } | { "code": "not_in_audience", "params": Record<symbol, never> } | { "code": "not_in_segment", "params": { 
/**
 * The segment.
 */
segmentId: string, } } | { "code": "first_order_only", "params": { 
/**
 * Their previous orders.
 */
previousOrders: number, } } | { "code": "order_count_mismatch", "params": { 
/**
 * Their previous orders.
 */
previousOrders: number, } } | { "code": "more_previous_orders", "params": { 
/**
 * Previous orders needed.
 */
required: number, 
/**
 * Previous orders so far.
 */
current: number, } } | { "code": "min_orders", "params": { 
/**
 * Orders needed.
 */
required: number, 
/**
 * Orders so far in the period.
 */
current: number, 
/**
 * The period, in English ("90 days"), or null for lifetime.
 */
period: string | null, } } | { "code": "min_spend", "params": { 
/**
 * Spend needed.
 */
required: Amount, 
/**
 * Spend so far in the period.
 */
current: Amount, 
/**
 * The period, in English, or null for lifetime.
 */
period: string | null, } } | { "code": "used_coupon_required", "params": { 
/**
 * The code.
 */
code: string, 
/**
 * The period, in English ("180 days"), or null for lifetime.
 */
period: string | null, } } | { "code": "more_purchases", "params": { 
/**
 * Orders needed.
 */
required: number, 
/**
 * Qualifying orders so far.
 */
current: number, 
/**
 * Only orders containing one of these products count; null: every order.
 */
productIds: Array<string> | null, } } | { "code": "product_not_bought", "params": { 
/**
 * The product.
 */
productId: string, 
/**
 * The price tier it must be bought at, if any.
 */
priceTierId: string | null, } } | { "code": "course_incomplete", "params": { 
/**
 * The course.
 */
courseId: string, 
/**
 * The course's name from the customer summary, or null.
 */
courseName: string | null, 
/**
 * Percent complete needed.
 */
required: Percent, 
/**
 * Percent complete so far (0 when the summary has no progress).
 */
current: Percent, } } | { "code": "min_purchase_value", "params": { 
/**
 * Minimum.
 */
required: Amount, 
/**
 * Current scoped value.
 */
current: Amount, } } | { "code": "min_value_after_discounts", "params": { 
/**
 * Minimum.
 */
required: Amount, 
/**
 * The scoped value the earlier discounts leave.
 */
current: Amount, } } | { "code": "max_purchase_value", "params": { 
/**
 * Maximum.
 */
limit: Amount, 
/**
 * Current scoped value.
 */
current: Amount, } } | { "code": "min_quantity", "params": { 
/**
 * Minimum.
 */
required: number, 
/**
 * Current scoped units.
 */
current: number, } } | { "code": "max_quantity", "params": { 
/**
 * Maximum.
 */
limit: number, 
/**
 * Current scoped units.
 */
current: number, } } | { "code": "no_eligible_items", "params": Record<symbol, never> } | { "code": "sale_items_excluded", "params": Record<symbol, never> } | { "code": "cod_not_allowed", "params": Record<symbol, never> } | { "code": "code_not_entered", "params": Record<symbol, never> } | { "code": "not_combinable", "params": { 
/**
 * The coupon applied instead.
 */
couponId: string, 
/**
 * Its title.
 */
title: string, } } | { "code": "nothing_to_discount", "params": Record<symbol, never> } | { "code": "lower_saving", "params": Record<symbol, never> } | { "code": "not_chosen", "params": Record<symbol, never> } | { "code": "too_many_codes", "params": { 
/**
 * The maximum.
 */
max: number, } } | { "code": "gift_not_in_cart", "params": { 
/**
 * The gift product.
 */
productId: string, 
/**
 * Units to add.
 */
quantity: number, } } | { "code": "gift_choice_not_in_cart", "params": { 
/**
 * The gift products to choose from, in the coupon's order.
 */
productIds: Array<string>, 
/**
 * Units to add.
 */
quantity: number, } } | { "code": "shipping_not_eligible", "params": Record<symbol, never> } | { "code": "buy_x_get_y_incomplete", "params": { 
/**
 * Units to buy per application.
 */
buy: number, 
/**
 * Units rewarded per application.
 */
get: number, } } | { "code": "combo_incomplete", "params": { 
/**
 * The missing products.
 */
missing: Array<string>, } });

export type Recheck = { 
/**
 * True when the claim matches the server's result exactly.
 */
accepted: boolean, 
/**
 * What differs, in claim order (empty when accepted).
 */
differences: Array<Difference>, 
/**
 * The server's own result, to show the shopper when the claim is rejected.
 */
result: EvaluationResult, };

export type Reward = "cheapest" | "mostExpensive";

export type Rule = OneKey<{ "all": Array<Rule> } | { "any": Array<Rule> } | { "purchased": { 
/**
 * Default 1.
 */
minOrders?: number, 
/**
 * Count only orders containing one of these products.
 */
productIds?: Array<string>, } } | { "boughtProduct": { 
/**
 * The product.
 */
productId: string, 
/**
 * The price tier it must have been bought at.
 */
priceTierId?: string, } } | { "courseProgress": { 
/**
 * The course.
 */
courseId: string, 
/**
 * Threshold in percent.
 */
minPercent: Percent, } } | { "inactive": { 
/**
 * At least one order placed before this date.
 */
boughtBefore?: Timestamp, 
/**
 * No order in this span before now.
 */
inactiveFor: Span, } }>;

export type Scope = OneKey<"entireCart" | { "products": Array<string> } | { "collections": Array<string> } | { "offers": Array<string> }>;

export type Segment = { 
/**
 * Unique id within the bundle.
 */
id: string, 
/**
 * The membership rule.
 */
rule: Rule, };

export type SelectionMode = "bestCombination" | "priorityOrder";

export type Shipping = { 
/**
 * The options.
 */
options: Array<ShippingOption>, 
/**
 * The chosen option's id. Absent: none chosen yet (no shipping charged).
 */
selectedId?: string, };

export type ShippingOption = { 
/**
 * Unique among the options.
 */
id: string, 
/**
 * Its price.
 */
amount: Amount, };

export type Span = { 
/**
 * Calendar months.
 */
months?: number, 
/**
 * Weeks of 7 days.
 */
weeks?: number, 
/**
 * Days.
 */
days?: number, 
/**
 * Hours.
 */
hours?: number, 
/**
 * Minutes.
 */
minutes?: number, };

export type TaxAmounts = { 
/**
 * Before the discount, without tax.
 */
subtotalExTax: Amount, 
/**
 * Before the discount, with tax.
 */
subtotalWithTax: Amount, 
/**
 * The discount without tax.
 */
discountExTax: Amount, 
/**
 * The discount with tax.
 */
discountWithTax: Amount, 
/**
 * After the discount, without tax.
 */
totalExTax: Amount, 
/**
 * After the discount, with tax: what the shopper pays for the line(s).
 */
totalWithTax: Amount, 
/**
 * The tax on the discounted price.
 */
tax: Amount, };

export type Tier = ExactlyOne<{ 
/**
 * The scoped subtotal at which the tier starts.
 */
minValue: Amount, 
/**
 * Percent off.
 */
percent?: Percent, 
/**
 * Amount off.
 */
amount?: Amount, }, "percent" | "amount">;

export type TimeZone = { 
/**
 * The IANA name (`"Asia/Kolkata"`, `"Europe/Kyiv"`), as the runtime's `Intl` knows
 * it: for people and the package's `localize`, and for the tools that fill in
 * `offsets`. The engine never reads it.
 */
name: string, 
/**
 * When the offset changes: each entry an RFC 3339 instant written with the offset
 * in force from it on (`"2026-10-25T03:00:00+02:00"`: from 01:00 UTC that day the
 * clock is 2 hours ahead), ascending. Before the first entry its offset holds,
 * after the last the last's. Needed when a coupon has a schedule; the order server
 * and `coupon-engine sign` fill it in from `name`.
 */
offsets?: Array<string>, };

export type Timestamp = string;

export type UnitSet = { 
/**
 * Which lines' units qualify.
 */
scope: Scope, 
/**
 * Units per application, at least 1.
 */
quantity: number, };

export type UnknownCode = { 
/**
 * The code as entered.
 */
code: string, 
/**
 * "Code SAVE99 is not valid".
 */
message: string, };

export type Validity = { 
/**
 * The segment whose joining starts the window.
 */
segmentId: string, 
/**
 * How long the window stays open.
 */
duration: Span, };

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

export type Window = { 
/**
 * Opens at (inclusive).
 */
start?: Timestamp, 
/**
 * Closes at (exclusive).
 */
end?: Timestamp, };

/** The four inputs in one object, for `evaluate()`. */
export type EvaluationRequest = { description?: string, bundle: Bundle, customer: Customer, cart: Cart, context: Context };

/** Every key of every object in a union. */
export type KeysOfUnion<U> = U extends object ? keyof U : never;

/**
 * A union of single-key objects (`{ percentage: … } | { fixedAmount: … }`) where each
 * member rules out the other members' keys, so that an object with two keys fits none.
 */
export type OneKey<U, All = U> = U extends object ? U & { [K in Exclude<KeysOfUnion<All>, keyof U>]?: never } : U;

/** `T` with exactly one of the optional fields `K` present. */
export type ExactlyOne<T, K extends keyof T> = Omit<T, K> & { [P in K]: Required<Pick<T, P>> & { [Q in Exclude<K, P>]?: never } }[K];

/**
 * A coupon applied by code has a `code` or a `codeHash`; an automatic one may have
 * either as a label; none has both.
 */
export type CodeRules<T extends { application: Application, code?: string, codeHash?: string }> = Omit<T, "application" | "code" | "codeHash"> & (
  | ({ application: "code" } & Required<Pick<T, "code">> & { codeHash?: never })
  | ({ application: "code" } & Required<Pick<T, "codeHash">> & { code?: never })
  | ({ application: "automatic" } & Pick<T, "code"> & { codeHash?: never })
  | ({ application: "automatic" } & Pick<T, "codeHash"> & { code?: never }));
