//! Native benchmarks (criterion) of issue 6: full evaluation of the S, M and L
//! workloads with a prepared engine, and bundle preparation with and without the
//! signature check. `scripts/bench.sh` runs them and reads criterion's samples.
//!
//! Each evaluation reads the customer, cart and context from JSON text and writes the
//! result as JSON text, because that is what every call from JavaScript does; only the
//! bundle is prepared once, as a storefront keeps one `Engine`.
//!
//! Criterion's results land in `target/criterion/{evaluate/S,evaluate/M,evaluate/L,
//! bundle/new,bundle/from_signed}/new/sample.json`, where `bench/report.mjs` reads them.
//!
//! `cargo test -p coupon-engine-workload --all-targets` (a step of `scripts/test.sh`)
//! runs each benchmark once (criterion's test mode), which checks that the workloads
//! evaluate, without timing anything.

use std::hint::black_box;

use coupon_engine::model::{Bundle, Cart, Context, Customer, Timestamp};
use coupon_engine::signing::Jwks;
use coupon_engine::{read_json, Engine};
use coupon_engine_workload as workload;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};

/// One evaluation as JavaScript makes it: inputs from JSON text, result to JSON text.
fn evaluate(engine: &Engine, customer: &str, cart: &str, context: &str) -> String {
    let customer: Customer =
        read_json("customer", customer).expect("the workload customer is valid");
    let cart: Cart = read_json("cart", cart).expect("the workload cart is valid");
    let context: Context = read_json("context", context).expect("the workload context is valid");
    let result = engine
        .evaluate(&customer, &cart, &context)
        .expect("the workload evaluates");
    coupon_engine::json::to_json(&result)
}

fn evaluation(c: &mut Criterion) {
    let mut group = c.benchmark_group("evaluate");
    // Every sample runs the same number of calls, so the table's median and p95 over
    // samples mean what they mean in the JS harness (bench/lib/measure.mjs).
    group.sampling_mode(SamplingMode::Flat);
    for size in workload::SIZES {
        let w = workload::generate(size);
        let bundle: Bundle =
            read_json("bundle", &w.bundle.to_string()).expect("the workload bundle is valid");
        let engine = Engine::new(bundle).expect("the workload bundle validates");
        let (customer, cart, context) = (
            w.customer.to_string(),
            w.cart.to_string(),
            w.context.to_string(),
        );
        // criterion ids are the file names the table reads: evaluate/S, evaluate/M, evaluate/L.
        group.bench_function(size.name.to_uppercase(), |b| {
            b.iter(|| {
                evaluate(
                    &engine,
                    black_box(&customer),
                    black_box(&cart),
                    black_box(&context),
                )
            });
        });
    }
    group.finish();
}

fn bundles(c: &mut Criterion) {
    let mut group = c.benchmark_group("bundle");
    group.sampling_mode(SamplingMode::Flat);
    let signed = workload::signed_bundle();
    let text = workload::generate(workload::SIGNED_SIZE).bundle.to_string();
    let jwks: Jwks =
        read_json("jwks", &signed.jwks.to_string()).expect("the bench key set is valid");
    let now = Timestamp::parse(signed.now).expect("NOW is RFC 3339");
    group.bench_function("new", |b| {
        b.iter(|| {
            Engine::new(read_json::<Bundle>("bundle", black_box(&text)).expect("valid"))
                .expect("validates")
        });
    });
    group.bench_function("from_signed", |b| {
        b.iter(|| {
            Engine::from_signed(black_box(&signed.token), &jwks, now)
                .expect("the bench token verifies")
        });
    });
    group.finish();
}

criterion_group!(benches, evaluation, bundles);
criterion_main!(benches);
