//! The catalogue: the products the shop sells and its delivery options, in the
//! shop's database. Placement builds every cart from these rows; the storefront shows
//! the same rows, signed with the bundle, so both evaluate the same cart.

use std::collections::{BTreeMap, HashMap};

use coupon_engine::json::{FromJson, ToJson};
use coupon_engine::model::{Cart, Line, OrderItem, Shipping, ShippingOption as EngineOption};
use coupon_engine::money::{Amount, Currency, Percent};
use sqlx::Row;

use crate::ledger::{Ledger, LedgerError};

/// One product as the shop sells it.
#[derive(Debug, Clone, PartialEq, FromJson, ToJson)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// The product id (what coupons scope on).
    pub id: String,
    /// What the shopper reads.
    pub title: String,
    /// The price of one unit.
    pub price: Amount,
    /// The price it was before a sale, if it is on sale.
    pub compare_at_price: Option<Amount>,
    /// Collections it belongs to.
    #[serde(default)]
    pub collection_ids: Vec<String>,
    /// The offer (product at a price tier) it is sold through.
    pub offer_id: Option<String>,
    /// The price tier it is sold at (recorded in the customer's history).
    pub price_tier_id: Option<String>,
    /// Its tax rate in percent (GST, VAT): on every product or on none.
    pub tax_rate: Option<Percent>,
}

/// One delivery option.
#[derive(Debug, Clone, PartialEq, FromJson, ToJson)]
#[serde(rename_all = "camelCase")]
pub struct ShippingOption {
    /// The option id.
    pub id: String,
    /// What the shopper reads.
    pub title: String,
    /// Its price.
    pub amount: Amount,
}

/// The whole catalogue, as seeded and as signed for the storefront.
#[derive(Debug, Clone, PartialEq, FromJson, ToJson)]
#[serde(rename_all = "camelCase")]
pub struct Catalogue {
    /// Whether the prices include the products' tax (as Indian and European shops
    /// show them).
    #[serde(default)]
    pub prices_include_tax: bool,
    /// Products in display order.
    pub products: Vec<Product>,
    /// Delivery options in display order.
    #[serde(default)]
    pub shipping: Vec<ShippingOption>,
}

/// One line a shopper asks for: a product and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted<'a> {
    /// The product.
    pub product_id: &'a str,
    /// Units, at least 1.
    pub quantity: u32,
}

/// A cart built from the catalogue, with what the history records of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Built {
    /// The cart the engine evaluates: line `i` has id `line-{i+1}`.
    pub cart: Cart,
    /// The items the customer's history records.
    pub items: Vec<OrderItem>,
    /// The catalogue's products, by id, for the lines asked for.
    pub products: BTreeMap<String, Product>,
}

/// Why a cart could not be built.
#[derive(Debug)]
pub enum CartError {
    /// Line `index` names no product of the catalogue.
    UnknownProduct(usize),
    /// The shipping option is not offered.
    UnknownShipping,
}

fn percent(text: String) -> Result<Percent, sqlx::Error> {
    Percent::parse(&text)
        .map_err(|(_, message)| sqlx::Error::Decode(format!("tax rate {text:?}: {message}").into()))
}

/// Counts a change of the catalogue, inside the transaction that makes it.
async fn bump_version(tx: &mut sqlx::Transaction<'_, sqlx::Any>) -> Result<(), LedgerError> {
    sqlx::query("UPDATE catalogue_version SET version = version + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn amount(text: String) -> Result<Amount, sqlx::Error> {
    Amount::parse(&text).map_err(|e| sqlx::Error::Decode(format!("amount {text:?}: {e:?}").into()))
}

fn product_from_row(row: &sqlx::any::AnyRow) -> Result<Product, sqlx::Error> {
    let collections: String = row.get(4);
    Ok(Product {
        id: row.get(0),
        title: row.get(1),
        price: amount(row.get(2))?,
        compare_at_price: row.get::<Option<String>, _>(3).map(amount).transpose()?,
        collection_ids: serde_json::from_str(&collections)
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        offer_id: row.get(5),
        price_tier_id: row.get(6),
        tax_rate: row.get::<Option<String>, _>(7).map(percent).transpose()?,
    })
}

const PRODUCT_COLUMNS: &str =
    "id, title, price, compare_at_price, collection_ids, offer_id, price_tier_id, tax_rate";

impl Ledger {
    /// Writes the catalogue: every product and option is inserted or updated to match,
    /// and those it no longer lists are removed (they can no longer be ordered).
    pub async fn seed_catalogue(&self, catalogue: &Catalogue) -> Result<(), LedgerError> {
        let mut tx = self.pool.begin().await?;
        bump_version(&mut tx).await?;
        sqlx::query("UPDATE catalogue_version SET prices_include_tax = $1 WHERE id = 1")
            .bind(i64::from(catalogue.prices_include_tax))
            .execute(&mut *tx)
            .await?;
        // Everything is written again below, in the same transaction.
        sqlx::query("DELETE FROM products")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM shipping_options")
            .execute(&mut *tx)
            .await?;
        for (i, p) in catalogue.products.iter().enumerate() {
            sqlx::query(
                "INSERT INTO products (id, title, price, compare_at_price, collection_ids, offer_id, price_tier_id, position, tax_rate) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO UPDATE SET title = $2, price = $3, \
                 compare_at_price = $4, collection_ids = $5, offer_id = $6, price_tier_id = $7, position = $8, tax_rate = $9",
            )
            .bind(&p.id)
            .bind(&p.title)
            .bind(p.price.to_string())
            .bind(p.compare_at_price.map(|a| a.to_string()))
            .bind(serde_json::to_string(&p.collection_ids).unwrap_or_default())
            .bind(&p.offer_id)
            .bind(&p.price_tier_id)
            .bind(i as i64)
            .bind(p.tax_rate.map(|r| r.0.normalize().to_string()))
            .execute(&mut *tx)
            .await?;
        }
        for (i, s) in catalogue.shipping.iter().enumerate() {
            sqlx::query(
                "INSERT INTO shipping_options (id, title, amount, position) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO UPDATE SET title = $2, amount = $3, position = $4",
            )
            .bind(&s.id)
            .bind(&s.title)
            .bind(s.amount.to_string())
            .bind(i as i64)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sets one product's price (the merchant's price change).
    pub async fn set_price(&self, product_id: &str, price: &Amount) -> Result<(), LedgerError> {
        let mut tx = self.pool.begin().await?;
        bump_version(&mut tx).await?;
        sqlx::query("UPDATE products SET price = $1 WHERE id = $2")
            .bind(price.to_string())
            .bind(product_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The catalogue's version: it changes with every change made through
    /// [`Ledger::seed_catalogue`] or [`Ledger::set_price`], so a copy read at one
    /// version is the database's while the version stays.
    pub async fn catalogue_version(&self) -> Result<i64, LedgerError> {
        Ok(
            sqlx::query("SELECT version FROM catalogue_version WHERE id = 1")
                .fetch_one(&self.pool)
                .await?
                .get(0),
        )
    }

    /// The whole catalogue, in display order.
    pub async fn catalogue(&self) -> Result<Catalogue, LedgerError> {
        let products = sqlx::query(&format!(
            "SELECT {PRODUCT_COLUMNS} FROM products ORDER BY position, id"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(product_from_row)
        .collect::<Result<_, _>>()?;
        let shipping =
            sqlx::query("SELECT id, title, amount FROM shipping_options ORDER BY position, id")
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| {
                    Ok(ShippingOption {
                        id: r.get(0),
                        title: r.get(1),
                        amount: amount(r.get(2))?,
                    })
                })
                .collect::<Result<_, sqlx::Error>>()?;
        let prices_include_tax: i64 =
            sqlx::query("SELECT prices_include_tax FROM catalogue_version WHERE id = 1")
                .fetch_one(&self.pool)
                .await?
                .get(0);
        Ok(Catalogue {
            prices_include_tax: prices_include_tax != 0,
            products,
            shipping,
        })
    }
}

/// A catalogue held in memory, its products indexed by id: what placements build
/// carts from.
#[derive(Debug, Clone)]
pub struct Listing {
    /// The catalogue, in display order.
    pub catalogue: Catalogue,
    index: HashMap<String, usize>,
}

impl Listing {
    /// Indexes a catalogue.
    pub fn new(catalogue: Catalogue) -> Listing {
        let index = catalogue
            .products
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i))
            .collect();
        Listing { catalogue, index }
    }

    /// The product with this id.
    pub fn product(&self, id: &str) -> Option<&Product> {
        self.index.get(id).map(|&i| &self.catalogue.products[i])
    }

    /// Builds the cart for these lines and this delivery option from the catalogue
    /// alone: prices, collections and offers are the shop's.
    pub fn build_cart(
        &self,
        currency: Currency,
        wanted: &[Wanted<'_>],
        shipping_id: Option<&str>,
    ) -> Result<Built, CartError> {
        let mut products = BTreeMap::new();
        for w in wanted {
            if let Some(p) = self.product(w.product_id) {
                products.insert(p.id.clone(), p.clone());
            }
        }
        let mut lines = Vec::with_capacity(wanted.len());
        let mut items = Vec::with_capacity(wanted.len());
        for (i, w) in wanted.iter().enumerate() {
            let p = products
                .get(w.product_id)
                .ok_or(CartError::UnknownProduct(i))?;
            lines.push(Line {
                id: format!("line-{}", i + 1),
                product_id: p.id.clone(),
                collection_ids: p.collection_ids.clone(),
                offer_id: p.offer_id.clone(),
                unit_price: p.price,
                // The shop's, as the price: no client can put a line on sale or off it.
                compare_at_price: p.compare_at_price,
                quantity: w.quantity,
                tax_rate: p.tax_rate,
            });
            items.push(OrderItem {
                product_id: p.id.clone(),
                price_tier_id: p.price_tier_id.clone(),
                collection_ids: p.collection_ids.clone(),
                quantity: w.quantity,
            });
        }
        let shipping = match shipping_id {
            None => None,
            Some(id) if !self.catalogue.shipping.iter().any(|o| o.id == id) => {
                return Err(CartError::UnknownShipping)
            }
            Some(id) => Some(Shipping {
                options: self
                    .catalogue
                    .shipping
                    .iter()
                    .map(|o| EngineOption {
                        id: o.id.clone(),
                        amount: o.amount,
                    })
                    .collect(),
                selected_id: Some(id.to_string()),
            }),
        };
        Ok(Built {
            cart: Cart {
                currency,
                lines,
                shipping,
                prices_include_tax: self.catalogue.prices_include_tax,
            },
            items,
            products,
        })
    }
}
