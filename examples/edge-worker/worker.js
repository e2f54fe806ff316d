// An edge function that validates a cart against the signed coupon bundle and the
// signed customer summary, and answers with the evaluation. Workers module format:
// runs in Cloudflare Workers (workerd) as is, and in Deno with `deno serve`.
//
// POST / {"bundle": "<jws>", "summary": "<jws>", "customerId": "c1", "cart": {…},
//         "paymentMethod": "card", "codes": ["LOYAL10"]}
// -> 200 the evaluation result, or 4xx {code, path, message}.
//
// The verification keys come from the JWKS binding (a JSON string).
import { Engine, verifySummary } from "coupon-engine";

const MAX_BODY = 256 * 1024;

function reply(status, body) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function jwksFrom(env) {
  const text = env?.JWKS ?? globalThis.Deno?.env.get("JWKS");
  return text ? JSON.parse(text) : null;
}

export default {
  async fetch(request, env) {
    if (request.method !== "POST") return reply(405, { code: "method_not_allowed", path: "", message: "POST a cart" });
    const jwks = jwksFrom(env);
    if (!jwks) return reply(500, { code: "not_configured", path: "", message: "the JWKS binding is missing" });
    const text = await request.text();
    if (text.length > MAX_BODY) return reply(413, { code: "body_too_large", path: "", message: `more than ${MAX_BODY} bytes` });
    let body;
    try {
      body = JSON.parse(text);
    } catch (e) {
      return reply(400, { code: "invalid_json", path: "", message: e.message });
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return reply(400, { code: "invalid_type", path: "", message: "expected an object" });
    }
    const now = new Date().toISOString();
    try {
      const engine = Engine.fromSigned(String(body.bundle ?? ""), jwks, now);
      const customer = verifySummary(String(body.summary ?? ""), jwks, now, body.customerId ?? undefined);
      const result = engine.evaluate(customer, body.cart, { now, paymentMethod: body.paymentMethod, codes: body.codes ?? [] });
      return reply(200, result);
    } catch (e) {
      if (e?.name !== "CouponEngineError") throw e;
      const status = ["bad_signature", "unknown_key", "expired", "not_yet_valid", "wrong_customer", "unsupported_algorithm", "malformed_token"].includes(e.code) ? 401 : 400;
      return reply(status, { code: e.code, path: e.path, message: e.message });
    }
  },
};
