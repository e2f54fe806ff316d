//! Who is signed in. Every customer-facing route asks an [`Authenticate`] for the
//! customer's id and never reads one from the request body or path: that boundary is
//! where a merchant's own authentication plugs in (a session store, an OAuth proxy's
//! header, a JWT), by implementing the trait and passing it to [`crate::http::Shop`].
//!
//! The reference implementation, [`CookieSessions`], keeps the customer id in a
//! signed cookie (the `cookie` crate's HMAC-SHA256 signing through axum-extra), so any
//! number of servers that share its secret accept each other's sessions with no
//! shared session store. The demo storefront's persona picker signs in through it.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, Key, SameSite, SignedCookieJar};

/// Tells which customer sent a request.
pub trait Authenticate: Send + Sync + 'static {
    /// The signed-in customer's id, or `None` when nobody is signed in (the server
    /// then answers 401). `now_s` is the server's clock, in seconds since the epoch.
    fn customer_id(&self, headers: &HeaderMap, now_s: i64) -> Option<String>;
}

/// The name of the session cookie.
pub const COOKIE: &str = "coupon_session";

/// Sessions in a signed, HttpOnly, SameSite=Lax cookie that holds the customer id and
/// the session's expiry.
pub struct CookieSessions {
    key: Key,
    secure: bool,
    ttl_s: i64,
}

impl CookieSessions {
    /// Sessions signed with a 64-byte secret, lasting `ttl_s` seconds; `secure` marks
    /// the cookie for HTTPS only (set it wherever the shop is served over HTTPS).
    pub fn new(secret: &[u8; 64], secure: bool, ttl_s: i64) -> CookieSessions {
        CookieSessions {
            key: Key::from(secret),
            secure,
            ttl_s,
        }
    }

    /// The cookie jar that signs `customer_id` in until `now_s + ttl`.
    pub fn sign_in(&self, customer_id: &str, now_s: i64) -> SignedCookieJar {
        let value = format!("{}:{customer_id}", now_s + self.ttl_s);
        let cookie = Cookie::build((COOKIE, value))
            .path("/")
            .http_only(true)
            .secure(self.secure)
            .same_site(SameSite::Lax)
            .max_age(cookie::time::Duration::seconds(self.ttl_s))
            .build();
        SignedCookieJar::new(self.key.clone()).add(cookie)
    }

    /// The cookie jar that signs out the request's session (a removal cookie is only
    /// written for a cookie the request carried).
    pub fn sign_out(&self, headers: &HeaderMap) -> SignedCookieJar {
        SignedCookieJar::from_headers(headers, self.key.clone())
            .remove(Cookie::build(COOKIE).path("/"))
    }
}

impl Authenticate for CookieSessions {
    fn customer_id(&self, headers: &HeaderMap, now_s: i64) -> Option<String> {
        let jar = SignedCookieJar::from_headers(headers, self.key.clone());
        let cookie = jar.get(COOKIE)?;
        let (expires, id) = cookie.value().split_once(':')?;
        (expires.parse::<i64>().ok()? > now_s && !id.is_empty()).then(|| id.to_string())
    }
}
