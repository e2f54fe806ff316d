//! Counts the WebAssembly instructions the engine executes for one workload.
//!
//! ```text
//! coupon-engine-instructions GUEST.wasm target/bench/m.json [target/bench/m.result.json]
//! ```
//!
//! The guest (`bench/instructions/guest`) is the core engine compiled to wasm32 with
//! the package's release settings and no wasm-bindgen; it keeps one prepared engine, as
//! a page does.
//! Two counts are taken with wasmtime's fuel metering, each for a fresh instance:
//!
//! * `instructions`: wasmtime's default per-operator costs (1 for every operator but
//!   the ones that generate no code: `nop`, `drop`, `block`, `loop`, `end`, `else`,
//!   `return`, `unreachable`), with the per-byte charges of `memory.copy`/`memory.fill`
//!   turned off, so a bulk copy counts as one instruction like any other operator;
//! * `fuel`: wasmtime's default table as it is, which also charges 1 per byte copied
//!   or filled by the bulk-memory operators.
//!
//! Counts are exact and repeatable: they do not depend on the machine or its load.
//! Prints one JSON object on stdout.

use std::process::ExitCode;

use coupon_engine_instructions::Inputs;
use serde_json::{json, Value};
use wasmtime::{Config, Engine, Instance, Linker, Module, OperatorCost, Store, TypedFunc};

/// Fuel large enough never to run out; only differences are reported.
const FUEL: u64 = u64::MAX / 2;

fn main() -> ExitCode {
    match run() {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("instruction count failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> wasmtime::Result<Value> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [guest, request, rest @ ..] = args.as_slice() else {
        wasmtime::bail!(
            "usage: coupon-engine-instructions GUEST.wasm REQUEST.json [EXPECTED_RESULT.json]"
        );
    };
    let inputs = Inputs::read(request)?;
    let wasm = std::fs::read(guest)?;

    let mut operators = OperatorCost::new();
    let v = &mut operators.variable;
    v.memory_copy_per_byte = 0;
    v.memory_fill_per_byte = 0;
    v.memory_init_per_byte = 0;
    let by_operator = count(&wasm, Some(operators), &inputs)?;
    let default_fuel = count(&wasm, None, &inputs)?;

    // Counting a different computation would be meaningless: the result must be the
    // native engine's, byte for byte.
    let mut matches_native = Value::Null;
    if let Some(expected) = rest.first() {
        if std::fs::read_to_string(expected)?.trim_end() != by_operator.output {
            wasmtime::bail!("the guest's result differs from {expected}: rebuild the guest and the workloads from the same source");
        }
        matches_native = Value::Bool(true);
    }
    Ok(json!({
        "guestBytes": wasm.len(),
        "engineNew": { "instructions": by_operator.engine_new, "fuel": default_fuel.engine_new },
        "evaluate": { "instructions": by_operator.evaluate, "fuel": default_fuel.evaluate },
        "evaluateFirstCall": { "instructions": by_operator.first_evaluate, "fuel": default_fuel.first_evaluate },
        "evaluateNewCustomer": { "instructions": by_operator.evaluate_new_customer, "fuel": default_fuel.evaluate_new_customer },
        "shopperNew": { "instructions": by_operator.shopper_new, "fuel": default_fuel.shopper_new },
        "shopperEvaluate": { "instructions": by_operator.shopper_evaluate, "fuel": default_fuel.shopper_evaluate },
        "evaluatePhases": {
            "readInputs": { "instructions": by_operator.phases[0], "fuel": default_fuel.phases[0] },
            "evaluate": { "instructions": by_operator.phases[1], "fuel": default_fuel.phases[1] },
            "writeResult": { "instructions": by_operator.phases[2], "fuel": default_fuel.phases[2] },
        },
        "resultMatchesNative": matches_native,
    }))
}

/// What one metered run measured.
struct Counts {
    engine_new: u64,
    /// The first evaluation on the engine, which also grows the module's heap.
    first_evaluate: u64,
    /// The second: a customer text the engine has not seen, so it is read afresh.
    evaluate_new_customer: u64,
    /// The third, with the same customer again: what every cart change costs once the
    /// engine remembers the summary.
    evaluate: u64,
    /// The same evaluation in three calls: read the inputs, evaluate, write the JSON.
    phases: [u64; 3],
    /// The session path: reading and validating the customer once…
    shopper_new: u64,
    /// …then one cart change (the second, as for `evaluate`): read the cart and the
    /// context, evaluate, write the JSON.
    shopper_evaluate: u64,
    output: String,
}

/// The guest's exports (see `bench/instructions/guest/src/lib.rs`).
struct Guest {
    instance: Instance,
    alloc: TypedFunc<u32, u32>,
}

impl Guest {
    /// Copies `text` into guest memory; returns (pointer, length).
    fn put(&self, store: &mut Store<()>, text: &str) -> wasmtime::Result<(u32, u32)> {
        let len = u32::try_from(text.len())?;
        let ptr = self.alloc.call(&mut *store, len)?;
        let memory = self
            .instance
            .get_memory(&mut *store, "memory")
            .ok_or_else(|| wasmtime::format_err!("no memory export"))?;
        memory.write(&mut *store, ptr as usize, text.as_bytes())?;
        Ok((ptr, len))
    }

    /// Reads the guest's last output text.
    fn output(&self, store: &mut Store<()>) -> wasmtime::Result<String> {
        let ptr: TypedFunc<(), u32> = self.instance.get_typed_func(&mut *store, "output_ptr")?;
        let len: TypedFunc<(), u32> = self.instance.get_typed_func(&mut *store, "output_len")?;
        let (ptr, len) = (
            ptr.call(&mut *store, ())? as usize,
            len.call(&mut *store, ())? as usize,
        );
        let memory = self
            .instance
            .get_memory(&mut *store, "memory")
            .ok_or_else(|| wasmtime::format_err!("no memory export"))?;
        let mut bytes = vec![0; len];
        memory.read(&*store, ptr, &mut bytes)?;
        Ok(String::from_utf8(bytes)?)
    }
}

/// Fuel one call consumes; the guest returns 0 on success.
fn metered<P: wasmtime::WasmParams>(
    store: &mut Store<()>,
    f: &TypedFunc<P, u32>,
    params: P,
    guest: &Guest,
) -> wasmtime::Result<u64> {
    let before = store.get_fuel()?;
    let status = f.call(&mut *store, params)?;
    let used = before - store.get_fuel()?;
    if status != 0 {
        wasmtime::bail!("the guest failed: {}", guest.output(store)?);
    }
    Ok(used)
}

fn count(wasm: &[u8], cost: Option<OperatorCost>, inputs: &Inputs) -> wasmtime::Result<Counts> {
    let mut config = Config::new();
    config.consume_fuel(true);
    if let Some(cost) = cost {
        config.operator_cost(cost);
    }
    let engine = Engine::new(&config)?;
    let module = Module::new(&engine, wasm)?;
    let mut store = Store::new(&engine, ());
    store.set_fuel(FUEL)?;
    let mut linker = Linker::new(&engine);
    // A guest without wasm-bindgen imports nothing it calls; anything left is a bug.
    linker.define_unknown_imports_as_traps(&module)?;
    let instance = linker.instantiate(&mut store, &module)?;
    let guest = Guest {
        alloc: instance.get_typed_func(&mut store, "alloc")?,
        instance,
    };

    let engine_new: TypedFunc<(u32, u32), u32> =
        guest.instance.get_typed_func(&mut store, "engine_new")?;
    let evaluate: TypedFunc<(u32, u32, u32, u32, u32, u32), u32> =
        guest.instance.get_typed_func(&mut store, "evaluate")?;
    let bundle = guest.put(&mut store, &inputs.bundle)?;
    let engine_new = metered(&mut store, &engine_new, bundle, &guest)?;
    let mut evaluations = Vec::new();
    // The first call also grows the heap; the second has a customer text the engine has
    // not seen (a space more: the same summary, read afresh); the third repeats it, as
    // a storefront passes the same summary on every cart change (remembered).
    let new_customer = format!("{} ", inputs.customer);
    for customer in [&inputs.customer, &new_customer, &new_customer] {
        // Fresh copies each time, as every `engine.evaluate` call passes new strings.
        let (customer, cart, context) = (
            guest.put(&mut store, customer)?,
            guest.put(&mut store, &inputs.cart)?,
            guest.put(&mut store, &inputs.context)?,
        );
        evaluations.push(metered(
            &mut store,
            &evaluate,
            (customer.0, customer.1, cart.0, cart.1, context.0, context.1),
            &guest,
        )?);
    }
    let output = guest.output(&mut store)?;

    let read: TypedFunc<(u32, u32, u32, u32, u32, u32), u32> =
        guest.instance.get_typed_func(&mut store, "phase_read")?;
    let evaluate: TypedFunc<(), u32> = guest
        .instance
        .get_typed_func(&mut store, "phase_evaluate")?;
    let write: TypedFunc<(), u32> = guest.instance.get_typed_func(&mut store, "phase_write")?;
    let (customer, cart, context) = (
        guest.put(&mut store, &inputs.customer)?,
        guest.put(&mut store, &inputs.cart)?,
        guest.put(&mut store, &inputs.context)?,
    );
    let phases = [
        metered(
            &mut store,
            &read,
            (customer.0, customer.1, cart.0, cart.1, context.0, context.1),
            &guest,
        )?,
        metered(&mut store, &evaluate, (), &guest)?,
        metered(&mut store, &write, (), &guest)?,
    ];
    if guest.output(&mut store)? != output {
        wasmtime::bail!("the phased evaluation gave a different result");
    }

    let shopper_new: TypedFunc<(u32, u32), u32> =
        guest.instance.get_typed_func(&mut store, "shopper_new")?;
    let shopper_evaluate: TypedFunc<(u32, u32, u32, u32), u32> = guest
        .instance
        .get_typed_func(&mut store, "shopper_evaluate")?;
    let customer = guest.put(&mut store, &inputs.customer)?;
    let shopper_new = metered(&mut store, &shopper_new, customer, &guest)?;
    let mut session = Vec::new();
    for _ in 0..2 {
        let (cart, context) = (
            guest.put(&mut store, &inputs.cart)?,
            guest.put(&mut store, &inputs.context)?,
        );
        session.push(metered(
            &mut store,
            &shopper_evaluate,
            (cart.0, cart.1, context.0, context.1),
            &guest,
        )?);
    }
    if guest.output(&mut store)? != output {
        wasmtime::bail!("the session evaluation gave a different result");
    }
    Ok(Counts {
        shopper_new,
        shopper_evaluate: session[1],
        engine_new,
        first_evaluate: evaluations[0],
        evaluate_new_customer: evaluations[1],
        evaluate: evaluations[2],
        phases,
        output,
    })
}
