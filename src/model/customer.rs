//! The customer summary the server signs: identity, history, memberships and usage counts.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Timestamp;
use crate::json::read::serde_via_from_json;
use crate::json::{FromJson, ToJson};
use crate::money::{Amount, Percent};

/// What the engine knows of the shopper. A guest is a customer with no id history.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// The customer's id.
    pub id: String,
    /// Past orders (placed and not cancelled), in any order.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<Order>>"))]
    pub orders: Vec<Order>,
    /// Segment memberships the server recorded, with the time each began.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<Membership>>"))]
    pub segments: Vec<Membership>,
    /// Progress in courses (for course-completion segments).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<CourseProgress>>"))]
    pub courses: Vec<CourseProgress>,
    /// How many times this customer has redeemed each coupon, by coupon id.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<BTreeMap<String, u32>>"))]
    pub coupon_usage: BTreeMap<String, u32>,
}

/// One past order.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// Order id, unique within the summary.
    pub id: String,
    /// When it was placed.
    pub placed_at: Timestamp,
    /// What the customer paid.
    pub total: Amount,
    /// Coupon codes used on it.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<String>>"))]
    pub coupon_codes: Vec<String>,
    /// What it contained.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<OrderItem>>"))]
    pub items: Vec<OrderItem>,
}

/// One item of a past order.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct OrderItem {
    /// Product id.
    pub product_id: String,
    /// The price tier it was bought at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_tier_id: Option<String>,
    /// Collections the product belongs to.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<String>>"))]
    pub collection_ids: Vec<String>,
    /// Units bought. Absent: 1.
    #[serde(default = "one")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<u32>"))]
    pub quantity: u32,
}

fn one() -> u32 {
    1
}

serde_via_from_json!(Customer);

/// Membership of a segment as the server recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    /// The segment.
    pub segment_id: String,
    /// When the customer joined it (starts per-customer validity windows).
    pub joined_at: Timestamp,
}

/// Progress in one course.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson, ToJson)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct CourseProgress {
    /// The course.
    pub course_id: String,
    /// Percent complete, 0 to 100.
    pub percent: Percent,
    /// When the progress was last reported; dates a course-progress segment membership.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// The course's name for people ("Yoga Basics"), which a card names the course by;
    /// absent: cards name it by its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}
