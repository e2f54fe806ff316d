//! Profiles, per function, the wasm instructions one evaluation executes.
//!
//! ```text
//! profile GUEST.wasm INSTRUMENTED.wasm MAP REQUEST.json [EXPECTED.json] [--top N]
//! ```
//!
//! GUEST is the guest as `scripts/bench.sh` counts it; INSTRUMENTED is the same code,
//! with every function behind a wrapper that calls `prof.enter(id)` before it and
//! `prof.exit(id)` after it (see `instrument`). Each runs on a fresh instance, with
//! wasmtime's fuel metering set up as `bench/wasmtime/instructions` sets it (1 per
//! operator, no per-byte charge for bulk memory): `engine_new`, `shopper_new`,
//! `shopper_evaluate` twice, `evaluate` twice. The second `shopper_evaluate` and the second `evaluate`
//! (warm, as a page calls them) are profiled.
//!
//! Method: the hooks read the fuel consumed so far at every event; the fuel since the
//! previous event is the self cost of the function on top of a shadow stack (`enter`
//! pushes, `exit` pops). A function's inclusive cost is the fuel between its enter and
//! its exit; a recursive function's is counted once, for its outermost frame, so that
//! it never exceeds the total. The wrappers' own instructions are a fixed cost per
//! event, subtracted before charging; what is left must add up to exactly the plain
//! guest's count for the same call, or the run fails: that is what shows the profile
//! describes the measured code (same code, same outputs, nothing lost or double
//! counted).

use std::process::ExitCode;

use coupon_engine_instructions::Inputs;
use wasmtime::error::Context;
use wasmtime::{bail, format_err, Result};
use wasmtime::{Caller, Config, Engine, Instance, Linker, Module, OperatorCost, Store, TypedFunc};

/// Fuel large enough never to run out; only differences are used.
const FUEL: u64 = u64::MAX / 2;

/// Wrapper fuel read at `enter`: 1 for entering the wrapper (wasmtime charges each
/// function invocation) and its `i32.const id; call prof.enter` (wasmtime brings the
/// fuel counter up to date before a call, the call included).
const ENTER_OVERHEAD: i64 = 3;
/// Wrapper fuel read at `exit`, besides 1 per parameter (`local.get`):
/// `call F; i32.const id; call prof.exit`.
const EXIT_OVERHEAD: i64 = 3;

/// The profiler's state, kept in the store so the hooks can reach it.
#[derive(Default)]
struct Prof {
    /// Whether the call being run is profiled (the hooks do nothing otherwise).
    active: bool,
    /// Parameter count of each function, by id: the wrapper's `local.get`s.
    nparams: Vec<i64>,
    /// Fuel consumed at the previous event.
    last: u64,
    /// The profile being taken.
    profile: Profile,
    /// Shadow stack: (function id, `profile.charged` when it was entered).
    stack: Vec<(u32, i64)>,
    /// Frames of each function on the stack, to count recursion once.
    depth: Vec<u32>,
}

/// What one profiled call measured; costs are in fuel, wrappers excluded.
#[derive(Default)]
struct Profile {
    /// Fuel the call consumed, wrappers included.
    raw: u64,
    /// The wrappers' share of `raw`.
    overhead: i64,
    /// `raw - overhead`: what the plain guest should consume.
    charged: i64,
    /// Charged while no function was on the stack (should stay 0: the export is one).
    outside: i64,
    /// Cost of each function's own instructions, by id.
    self_cost: Vec<i64>,
    /// Cost of each function and its callees, by id.
    inclusive: Vec<i64>,
    /// Calls of each function, by id.
    calls: Vec<u64>,
    /// Per (caller, callee): calls, and the callee's cost with its callees on them.
    edges: std::collections::HashMap<(u32, u32), (u64, i64)>,
    /// Exits that did not match the top of the stack (should stay 0).
    mismatches: u64,
    /// Frames still open at the end (should stay 0).
    open: usize,
}

impl Prof {
    /// Starts a profile of the next call; `now` is the fuel consumed so far.
    fn start(&mut self, now: u64) {
        let n = self.nparams.len();
        self.last = now;
        self.stack.clear();
        self.depth = vec![0; n];
        self.profile = Profile {
            self_cost: vec![0; n],
            inclusive: vec![0; n],
            calls: vec![0; n],
            ..Profile::default()
        };
        self.active = true;
    }

    /// Charges the fuel since the last event, less the wrapper's, to the running function.
    fn charge(&mut self, now: u64, overhead: i64) {
        let p = &mut self.profile;
        let charged = (now - self.last) as i64 - overhead;
        self.last = now;
        p.overhead += overhead;
        p.charged += charged;
        match self.stack.last() {
            Some(&(f, _)) => p.self_cost[f as usize] += charged,
            None => p.outside += charged,
        }
    }

    /// `prof.enter(id)`: the caller's cost so far is its own; `id` starts running.
    fn enter(&mut self, id: u32, now: u64) {
        self.charge(now, ENTER_OVERHEAD);
        self.profile.calls[id as usize] += 1;
        if let Some(&(caller, _)) = self.stack.last() {
            self.profile.edges.entry((caller, id)).or_default().0 += 1;
        }
        self.depth[id as usize] += 1;
        self.stack.push((id, self.profile.charged));
    }

    /// `prof.exit(id)`: `id` returns to its caller.
    fn exit(&mut self, id: u32, now: u64) {
        self.charge(now, EXIT_OVERHEAD + self.nparams[id as usize]);
        match self.stack.last() {
            Some(&(f, start)) if f == id => {
                self.stack.pop();
                if let Some(&(caller, _)) = self.stack.last() {
                    self.profile.edges.entry((caller, id)).or_default().1 +=
                        self.profile.charged - start;
                }
                let f = f as usize;
                self.depth[f] -= 1;
                if self.depth[f] == 0 {
                    self.profile.inclusive[f] += self.profile.charged - start;
                }
            }
            _ => self.profile.mismatches += 1,
        }
    }
}

/// One instance of a guest and what it measured.
struct Run {
    /// Fuel of engine_new, shopper_new, shopper_evaluate x2, evaluate x2.
    fuel: [u64; 6],
    /// The guest's output after shopper_evaluate and after evaluate.
    outputs: [String; 2],
    /// The profiles of the second shopper_evaluate and the second evaluate.
    profiles: Vec<Profile>,
}

/// An instantiated guest, with what it takes to pass it text and read its output.
struct Guest {
    instance: Instance,
    alloc: TypedFunc<u32, u32>,
}

impl Guest {
    /// Copies `text` into guest memory, returning (pointer, length).
    fn put(&self, store: &mut Store<Prof>, text: &str) -> Result<(u32, u32)> {
        let len = u32::try_from(text.len())?;
        let ptr = self.alloc.call(&mut *store, len)?;
        let memory = self
            .instance
            .get_memory(&mut *store, "memory")
            .ok_or_else(|| format_err!("no memory export"))?;
        memory.write(&mut *store, ptr as usize, text.as_bytes())?;
        Ok((ptr, len))
    }

    /// The output (result or error message) of the last call.
    fn output(&self, store: &mut Store<Prof>) -> Result<String> {
        let ptr: TypedFunc<(), u32> = self.instance.get_typed_func(&mut *store, "output_ptr")?;
        let len: TypedFunc<(), u32> = self.instance.get_typed_func(&mut *store, "output_len")?;
        let ptr = ptr.call(&mut *store, ())? as usize;
        let mut bytes = vec![0; len.call(&mut *store, ())? as usize];
        let memory = self
            .instance
            .get_memory(&mut *store, "memory")
            .ok_or_else(|| format_err!("no memory export"))?;
        memory.read(&*store, ptr, &mut bytes)?;
        Ok(String::from_utf8(bytes)?)
    }

    /// Calls `f` (the guest returns 0 on success) and returns the fuel it consumed;
    /// profiles the call into `profiles` if given.
    fn metered<P: wasmtime::WasmParams>(
        &self,
        store: &mut Store<Prof>,
        f: &TypedFunc<P, u32>,
        params: P,
        profiles: Option<&mut Vec<Profile>>,
    ) -> Result<u64> {
        let before = FUEL - store.get_fuel()?;
        if profiles.is_some() {
            store.data_mut().start(before);
        }
        let status = f.call(&mut *store, params);
        store.data_mut().active = false;
        let status = status?;
        let used = FUEL - store.get_fuel()? - before;
        if status != 0 {
            bail!("the guest failed: {}", self.output(store)?);
        }
        if let Some(profiles) = profiles {
            let p = store.data_mut();
            let mut profile = std::mem::take(&mut p.profile);
            profile.raw = used;
            profile.open = p.stack.len();
            profiles.push(profile);
        }
        Ok(used)
    }
}

/// Runs the call sequence on one fresh instance of `wasm`; with `profile`, provides
/// the hooks and profiles the second shopper_evaluate and the second evaluate.
fn run(wasm: &[u8], nparams: Vec<i64>, inputs: &Inputs, profile: bool) -> Result<Run> {
    let mut config = Config::new();
    config.consume_fuel(true);
    let mut operators = OperatorCost::new();
    let v = &mut operators.variable;
    v.memory_copy_per_byte = 0;
    v.memory_fill_per_byte = 0;
    v.memory_init_per_byte = 0;
    config.operator_cost(operators);
    let engine = Engine::new(&config)?;
    let module = Module::new(&engine, wasm)?;
    let prof = Prof {
        nparams,
        ..Prof::default()
    };
    let mut store = Store::new(&engine, prof);
    store.set_fuel(FUEL)?;
    let mut linker: Linker<Prof> = Linker::new(&engine);
    if profile {
        linker.func_wrap("prof", "enter", |mut c: Caller<'_, Prof>, id: i32| {
            if c.data().active {
                let now = FUEL - c.get_fuel()?;
                c.data_mut().enter(id as u32, now);
            }
            Ok(())
        })?;
        linker.func_wrap("prof", "exit", |mut c: Caller<'_, Prof>, id: i32| {
            if c.data().active {
                let now = FUEL - c.get_fuel()?;
                c.data_mut().exit(id as u32, now);
            }
            Ok(())
        })?;
    }
    linker.define_unknown_imports_as_traps(&module)?;
    let instance = linker.instantiate(&mut store, &module)?;
    let g = Guest {
        alloc: instance.get_typed_func(&mut store, "alloc")?,
        instance,
    };
    let s = &mut store;
    type Two = TypedFunc<(u32, u32), u32>;
    let engine_new: Two = g.instance.get_typed_func(&mut *s, "engine_new")?;
    let shopper_new: Two = g.instance.get_typed_func(&mut *s, "shopper_new")?;
    let shopper_evaluate: TypedFunc<(u32, u32, u32, u32), u32> =
        g.instance.get_typed_func(&mut *s, "shopper_evaluate")?;
    let evaluate: TypedFunc<(u32, u32, u32, u32, u32, u32), u32> =
        g.instance.get_typed_func(&mut *s, "evaluate")?;

    let mut fuel = [0; 6];
    let mut profiles = Vec::new();
    let bundle = g.put(s, &inputs.bundle)?;
    fuel[0] = g.metered(s, &engine_new, bundle, None)?;
    let customer = g.put(s, &inputs.customer)?;
    fuel[1] = g.metered(s, &shopper_new, customer, None)?;
    for i in 0..2 {
        let (cart, context) = (g.put(s, &inputs.cart)?, g.put(s, &inputs.context)?);
        let args = (cart.0, cart.1, context.0, context.1);
        let into = (profile && i == 1).then_some(&mut profiles);
        fuel[2 + i] = g.metered(s, &shopper_evaluate, args, into)?;
    }
    let session_output = g.output(s)?;
    for i in 0..2 {
        let customer = g.put(s, &inputs.customer)?;
        let (cart, context) = (g.put(s, &inputs.cart)?, g.put(s, &inputs.context)?);
        let args = (customer.0, customer.1, cart.0, cart.1, context.0, context.1);
        let into = (profile && i == 1).then_some(&mut profiles);
        fuel[4 + i] = g.metered(s, &evaluate, args, into)?;
    }
    Ok(Run {
        fuel,
        outputs: [session_output, g.output(s)?],
        profiles,
    })
}

/// Prints the `top` functions of `p`, by self cost or by inclusive cost.
fn table(p: &Profile, names: &[String], by_inclusive: bool, top: usize) {
    let total = p.charged.max(1) as f64;
    let pct = |x: i64| 100.0 * x as f64 / total;
    let mut ids: Vec<usize> = (0..p.calls.len()).filter(|&i| p.calls[i] > 0).collect();
    let costs = if by_inclusive {
        &p.inclusive
    } else {
        &p.self_cost
    };
    ids.sort_by_key(|&i| std::cmp::Reverse(costs[i]));
    println!(
        "  {:>3} {:>10} {:>6} {:>10} {:>6} {:>7} {:>9}  function",
        "#", "self", "self%", "inclusive", "incl%", "calls", "self/call"
    );
    let mut covered = 0;
    for (rank, &i) in ids.iter().take(top).enumerate() {
        let (s, inc, calls) = (p.self_cost[i], p.inclusive[i], p.calls[i]);
        covered += s;
        println!(
            "  {:>3} {:>10} {:>5.1}% {:>10} {:>5.1}% {:>7} {:>9.0}  {}",
            rank + 1,
            s,
            pct(s),
            inc,
            pct(inc),
            calls,
            s as f64 / calls as f64,
            coupon_engine_profile::shorten(&names[i], 110)
        );
    }
    if !by_inclusive {
        println!(
            "      (these {} cover {:.1}% of the self cost; {} functions called)",
            top.min(ids.len()),
            pct(covered),
            ids.len()
        );
    }
}

/// Whether `pattern` is part of a function's name, as the tables print it (demangled,
/// short paths): the symbols in the map are mangled, where `read_json::<cart` is not
/// to be found.
fn matches(name: &str, pattern: &str) -> bool {
    name.contains(pattern) || coupon_engine_profile::shorten(name, usize::MAX).contains(pattern)
}

/// Prints who calls the functions whose name contains `pattern`, most costly first:
/// calls, and the callee's inclusive cost on those calls.
fn callers(p: &Profile, names: &[String], pattern: &str) {
    let mut rows: Vec<_> = p
        .edges
        .iter()
        .filter(|((_, callee), _)| matches(&names[*callee as usize], pattern))
        .collect();
    rows.sort_by_key(|(_, &(_, cost))| std::cmp::Reverse(cost));
    println!("\n  -- callers of functions matching {pattern:?}");
    println!("  {:>7} {:>10}  caller -> callee", "calls", "inclusive");
    for ((caller, callee), (calls, cost)) in rows.into_iter().take(25) {
        println!(
            "  {calls:>7} {cost:>10}  {} -> {}",
            coupon_engine_profile::shorten(&names[*caller as usize], 70),
            coupon_engine_profile::shorten(&names[*callee as usize], 40)
        );
    }
}

/// Prints what the functions whose name contains `pattern` call, most costly first:
/// calls, and each callee's inclusive cost on those calls (where a caller's time goes).
fn callees(p: &Profile, names: &[String], pattern: &str) {
    let mut rows: Vec<_> = p
        .edges
        .iter()
        .filter(|((caller, _), _)| matches(&names[*caller as usize], pattern))
        .collect();
    rows.sort_by_key(|(_, &(_, cost))| std::cmp::Reverse(cost));
    println!("\n  -- callees of functions matching {pattern:?}");
    println!("  {:>7} {:>10}  caller -> callee", "calls", "inclusive");
    for ((caller, callee), (calls, cost)) in rows.into_iter().take(25) {
        println!(
            "  {calls:>7} {cost:>10}  {} -> {}",
            coupon_engine_profile::shorten(&names[*caller as usize], 40),
            coupon_engine_profile::shorten(&names[*callee as usize], 70)
        );
    }
}

fn main() -> ExitCode {
    match real_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("profile failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Parses the arguments, runs both guests, checks them against each other, prints.
fn real_main() -> Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut top = 40;
    if let Some(i) = args.iter().position(|a| a == "--top") {
        top = args.get(i + 1).context("--top needs a number")?.parse()?;
        args.drain(i..i + 2);
    }
    let mut callers_of = Vec::new();
    while let Some(i) = args.iter().position(|a| a == "--callers") {
        callers_of.push(args.get(i + 1).context("--callers needs a name")?.clone());
        args.drain(i..i + 2);
    }
    let mut callees_of = Vec::new();
    while let Some(i) = args.iter().position(|a| a == "--callees") {
        callees_of.push(args.get(i + 1).context("--callees needs a name")?.clone());
        args.drain(i..i + 2);
    }
    let [guest, instrumented, map, request, expected @ ..] = args.as_slice() else {
        bail!("usage: profile GUEST.wasm INSTRUMENTED.wasm MAP REQUEST.json [EXPECTED.json] [--top N]");
    };
    let inputs = Inputs::read(request)?;
    // Ids are function indices: the map leaves gaps for the imports.
    let (mut nparams, mut names) = (Vec::new(), Vec::new());
    for line in std::fs::read_to_string(map)?.lines() {
        let mut parts = line.splitn(3, '\t');
        let id: usize = parts.next().context("map: id")?.parse()?;
        let n: i64 = parts.next().context("map: nparams")?.parse()?;
        if id >= nparams.len() {
            nparams.resize(id + 1, 0);
            names.resize(id + 1, String::new());
        }
        nparams[id] = n;
        names[id] = parts.next().unwrap_or("").to_string();
    }

    let plain =
        run(&std::fs::read(guest)?, nparams.clone(), &inputs, false).context("unprofiled run")?;
    let prof =
        run(&std::fs::read(instrumented)?, nparams, &inputs, true).context("profiled run")?;

    let m = |x: u64| x as f64 / 1e6;
    let f = &plain.fuel;
    println!("== {guest}, unprofiled (M instructions): engine_new {:.3}, shopper_new {:.3}, shopper_evaluate {:.3} / {:.3}, evaluate {:.3} / {:.3}",
        m(f[0]), m(f[1]), m(f[2]), m(f[3]), m(f[4]), m(f[5]));
    let mut failures = Vec::new();
    if prof.outputs != plain.outputs {
        failures.push("the instrumented guest's outputs differ from the plain guest's");
    }
    if let Some(expected) = expected.first() {
        let e = std::fs::read_to_string(expected)?;
        if e.trim_end() != plain.outputs[0] {
            println!("WARNING: the result differs from {expected} (stale file, or the sources changed since it was written)");
        }
    }
    let labels = [
        ("shopper_evaluate (2nd call, session path)", plain.fuel[3]),
        ("evaluate (2nd call, per-call path)", plain.fuel[5]),
    ];
    for (p, (label, unprofiled)) in prof.profiles.iter().zip(labels) {
        let self_sum = p.self_cost.iter().sum::<i64>() + p.outside;
        println!("\n==== {label}");
        println!(
            "  profiled {} - wrapper overhead {} = {} ({:.4} M); unprofiled {}; difference {}",
            p.raw,
            p.overhead,
            p.charged,
            p.charged as f64 / 1e6,
            unprofiled,
            p.charged - unprofiled as i64
        );
        println!(
            "  {} calls; outside any function {}; sum of self costs {}; stack mismatches {}; frames left open {}",
            p.calls.iter().sum::<u64>(), p.outside, self_sum, p.mismatches, p.open
        );
        if p.charged != unprofiled as i64
            || self_sum != p.charged
            || p.mismatches != 0
            || p.open != 0
        {
            failures.push("a profiled total does not match the unprofiled count, or the stack did not balance");
        }
        println!("\n  -- top {top} by self cost");
        table(p, &names, false, top);
        println!("\n  -- top {top} by inclusive cost");
        table(p, &names, true, top);
        for pattern in &callers_of {
            callers(p, &names, pattern);
        }
        for pattern in &callees_of {
            callees(p, &names, pattern);
        }
    }
    if !failures.is_empty() {
        bail!("MISMATCH: {}", failures.join("; "));
    }
    Ok(())
}
