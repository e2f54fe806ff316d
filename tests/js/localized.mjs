// Replays the `localized` section of the shared vectors through the package's
// `evaluate` and `localize`. Imported as is by the Node tests and copied next to the
// installed package for Deno, workerd and the Vite app in Chromium, so every runtime
// renders the same cases with its own Intl; the caller compares with `expected`.

/** What a case checks: each card's reason and progress messages and the unknown codes' messages. */
export function shown(result) {
  return {
    cards: result.cards.map((c) => ({ couponId: c.couponId, reasons: c.reasons.map((r) => r.message), progress: c.progress.map((p) => p.message) })),
    unknownCodes: result.unknownCodes.map((u) => u.message),
  };
}

/**
 * For each vector with a `localized` section (`[name, doc]` pairs), what each case
 * gives: `{ expected }` with the shown messages, or `{ expectedError }` with the
 * CouponEngineError's code, path and message, in the vectors' own shape.
 */
export function replayLocalized({ evaluate, localize, CouponEngineError }, vectors) {
  const out = {};
  for (const [name, doc] of vectors) {
    if (!doc.localized) continue;
    const result = evaluate(doc.request);
    out[name] = doc.localized.map(({ options }) => {
      const bundle = doc.request.bundle;
      try {
        return { expected: shown(localize(result, { ...options, bundle })) };
      } catch (e) {
        if (!(e instanceof CouponEngineError)) return { thrown: String(e) };
        return { expectedError: { code: e.code, path: e.path, message: e.message } };
      }
    });
  }
  return out;
}

/** The expectations of every vector's `localized` section, in the shape `replayLocalized` gives. */
export function localizedExpectations(vectors) {
  const out = {};
  for (const [name, doc] of vectors) {
    if (!doc.localized) continue;
    out[name] = doc.localized.map((c) => (c.expectedError ? { expectedError: c.expectedError } : { expected: c.expected }));
  }
  return out;
}
