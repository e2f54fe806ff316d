// Interoperability with a widely used third-party JOSE library (npm `jose`):
// tokens it signs verify in our WASM module, and tokens our CLI signs verify in it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as jose from "jose";

import init, { Engine, verifySummary } from "../../pkg/index.js";

const root = new URL("../../", import.meta.url);
await init({ module_or_path: readFileSync(new URL("pkg/coupon_engine_bg.wasm", root)) });
const example = JSON.parse(readFileSync(new URL("examples/01-loyalty-10-percent.json", root), "utf8"));
const now = new Date("2026-11-22T04:30:00Z");
const nowIso = now.toISOString();
const seconds = Math.floor(now.getTime() / 1000);
const cli = process.env.COUPON_ENGINE_BIN ?? new URL("target/debug/coupon-engine", root).pathname;

async function joseKey(kid) {
  const { publicKey, privateKey } = await jose.generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  return { privateKey, jwk: { ...(await jose.exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" } };
}

test("a bundle and a summary signed by jose verify in the WASM module", async () => {
  const { privateKey, jwk } = await joseKey("merchant-2026-11");
  const other = await joseKey("merchant-2026-10");
  const jwks = { keys: [other.jwk, jwk] }; // rotation: two live keys
  const bundleJws = await new jose.SignJWT({ bundle: example.bundle })
    .setProtectedHeader({ alg: "EdDSA", kid: jwk.kid })
    .setIssuedAt(seconds - 60)
    .setExpirationTime(seconds + 3600)
    .sign(privateKey);
  const engine = Engine.fromSigned(bundleJws, jwks, nowIso);
  const result = engine.evaluate(example.customer, example.cart, example.context);
  assert.equal(result.discountTotal, "500.00");

  const summaryJws = await new jose.SignJWT({ customer: example.customer })
    .setProtectedHeader({ alg: "EdDSA", kid: jwk.kid })
    .setSubject(example.customer.id)
    .setIssuedAt(seconds)
    .setExpirationTime(seconds + 900)
    .sign(privateKey);
  assert.equal(verifySummary(summaryJws, jwks, nowIso, example.customer.id).id, example.customer.id);

  const rejects = (fn, code) => assert.throws(fn, (e) => e instanceof Error && e.code === code, code);
  // Any tampered byte, another key under the same kid, an unknown kid, expiry, another customer.
  const [h, p, s] = bundleJws.split(".");
  const flipped = s[10] === "A" ? "B" : "A";
  rejects(() => Engine.fromSigned(`${h}.${p}.${s.slice(0, 10)}${flipped}${s.slice(11)}`, jwks, nowIso), "bad_signature");
  rejects(() => Engine.fromSigned(bundleJws, { keys: [{ ...other.jwk, kid: jwk.kid }] }, nowIso), "bad_signature");
  rejects(() => Engine.fromSigned(bundleJws, { keys: [other.jwk] }, nowIso), "unknown_key");
  rejects(() => Engine.fromSigned(bundleJws, jwks, new Date((seconds + 3600) * 1000).toISOString()), "expired");
  rejects(() => verifySummary(summaryJws, jwks, nowIso, "somebody-else"), "wrong_customer");
  const unsigned = new jose.UnsecuredJWT({ bundle: example.bundle }).setIssuedAt(seconds).setExpirationTime(seconds + 60).encode();
  rejects(() => Engine.fromSigned(unsigned, jwks, nowIso), "unsupported_algorithm");
  const { privateKey: p256 } = await jose.generateKeyPair("ES256");
  const es256 = await new jose.SignJWT({ bundle: example.bundle }).setProtectedHeader({ alg: "ES256", kid: jwk.kid })
    .setIssuedAt(seconds).setExpirationTime(seconds + 60).sign(p256);
  rejects(() => Engine.fromSigned(es256, jwks, nowIso), "unsupported_algorithm");
  rejects(() => Engine.fromSigned(bundleJws, { keys: [{ ...jwk, d: "AAAA" }] }, nowIso), "private_key_in_jwks");
});

test("a bundle signed by this project's CLI verifies with jose", async () => {
  const dir = mkdtempSync(join(tmpdir(), "coupon-engine-sign-"));
  const jwks = JSON.parse(execFileSync(cli, ["keygen", "--kid", "cli-key", "--out", join(dir, "key.jwk")], { encoding: "utf8" }));
  writeFileSync(join(dir, "bundle.json"), JSON.stringify(example.bundle));
  const token = execFileSync(cli, ["sign", "--key", join(dir, "key.jwk"), "--bundle", join(dir, "bundle.json"), "--now", nowIso, "--ttl", "600"],
    { encoding: "utf8" }).trim();
  const { payload, protectedHeader } = await jose.jwtVerify(token, jose.createLocalJWKSet(jwks), { algorithms: ["EdDSA"], currentDate: now });
  assert.equal(protectedHeader.kid, "cli-key");
  assert.equal(payload.exp - payload.iat, 600);
  assert.deepEqual(payload.bundle.coupons.map((c) => c.id), example.bundle.coupons.map((c) => c.id));
  // And the same token in our own WASM verifier.
  assert.equal(Engine.fromSigned(token, jwks, nowIso).evaluate(example.customer, example.cart, example.context).discountTotal, "500.00");
});

test("an engine from a signed bundle writes the engine's English, from the bundle in the token", async () => {
  // Every vector with progress lines (their text names the coupon's scope and tiers,
  // which the entry reads from the token's payload), with UTF-8 titles in the payload.
  const { privateKey, jwk } = await joseKey("merchant-2026-12");
  const dir = new URL("tests/vectors/", root);
  let checked = 0;
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const doc = JSON.parse(readFileSync(new URL(name, dir), "utf8"));
    if (!doc.expected?.cards?.some((c) => c.progress.length > 0)) continue;
    const { bundle, customer, cart, context } = doc.request;
    const at = Math.floor(Date.parse(context.now) / 1000);
    const token = await new jose.SignJWT({ bundle }).setProtectedHeader({ alg: "EdDSA", kid: jwk.kid })
      .setIssuedAt(at - 60).setExpirationTime(at + 3600).sign(privateKey);
    const engine = Engine.fromSigned(token, { keys: [jwk] }, context.now);
    assert.equal(JSON.stringify(engine.evaluate(customer, cart, context)), JSON.stringify(doc.expected), name);
    checked += 1;
  }
  assert.ok(checked >= 10, `only ${checked} vectors with progress lines`);
});
