//! Adds the profiling hooks to the optimised guest.
//!
//! ```text
//! instrument GUEST.wasm OUT.wasm OUT.map
//! ```
//!
//! Every function F defined in GUEST gets a wrapper W of the same type:
//!
//! ```text
//! i32.const id(F); call prof.enter; local.get 0 .. n-1; call F; i32.const id(F); call prof.exit
//! ```
//!
//! and every reference to F (calls, `ref.func`, element segments, exports, the start
//! function, global initialisers) is redirected to W, so each call of F, direct or
//! indirect, passes through `prof.enter`/`prof.exit` (imports the `profile` binary
//! provides), while F's own body is left as it is: its instructions are the ones the
//! plain guest executes. id(F) is F's index in GUEST. Wrapping the caller side instead
//! (around each `call`) would miss indirect calls and exported entry points.
//!
//! OUT.map has one line per function, `id<TAB>nparams<TAB>name`: the profiler needs
//! the parameter count to subtract the wrapper's own instructions (n `local.get`).

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use anyhow::{bail, Context, Result};
use walrus::ir::{dfs_pre_order_mut, VisitorMut};
use walrus::{
    ConstExpr, ConstOp, ElementItems, ExportItem, FunctionBuilder, FunctionId, FunctionKind,
    GlobalKind, ModuleConfig, ValType,
};

/// Points the function references in a body at the wrappers, and records who
/// references whom, to describe the functions wasm-opt made (they have no name).
struct Redirect<'a> {
    /// Function -> its wrapper.
    wrappers: &'a HashMap<FunctionId, FunctionId>,
    /// The function whose body is being rewritten.
    current: FunctionId,
    /// Function -> the functions whose bodies reference it.
    callers: &'a mut HashMap<FunctionId, BTreeSet<FunctionId>>,
}

impl VisitorMut for Redirect<'_> {
    fn visit_function_id_mut(&mut self, f: &mut FunctionId) {
        if let Some(w) = self.wrappers.get(f) {
            self.callers.entry(*f).or_default().insert(self.current);
            *f = *w;
        }
    }
}

/// Points a constant expression's `ref.func` at the wrapper: tables and globals can
/// hold functions that are later called indirectly.
fn redirect_const(e: &mut ConstExpr, wrappers: &HashMap<FunctionId, FunctionId>) {
    let redirect = |f: &mut FunctionId| {
        if let Some(w) = wrappers.get(f) {
            *f = *w;
        }
    };
    match e {
        ConstExpr::RefFunc(f) => redirect(f),
        ConstExpr::Extended(ops) => {
            for op in ops {
                if let ConstOp::RefFunc(f) = op {
                    redirect(f);
                }
            }
        }
        _ => {}
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output, map_path] = args.as_slice() else {
        bail!("usage: instrument GUEST.wasm OUT.wasm OUT.map");
    };
    let mut config = ModuleConfig::new();
    config.generate_name_section(true);
    let mut module = config
        .parse_file(input)
        .with_context(|| format!("parsing {input}"))?;

    let originals: Vec<(FunctionId, walrus::TypeId, Option<String>)> = module
        .funcs
        .iter()
        .filter(|f| matches!(f.kind, FunctionKind::Local(_)))
        .map(|f| (f.id(), f.ty(), f.name.clone()))
        .collect();

    let hook = module.types.add(&[ValType::I32], &[]);
    let (enter, _) = module.add_import_func("prof", "enter", hook);
    let (exit, _) = module.add_import_func("prof", "exit", hook);

    let mut wrappers = HashMap::new();
    for (f, ty, name) in &originals {
        let id = i32::try_from(f.index())?;
        let t = module.types.get(*ty);
        let (params, results) = (t.params().to_vec(), t.results().to_vec());
        let args: Vec<_> = params.iter().map(|p| module.locals.add(*p)).collect();
        let mut builder = FunctionBuilder::new(&mut module.types, &params, &results);
        builder.name(format!("profile$wrap${}", name.as_deref().unwrap_or("?")));
        let mut body = builder.func_body();
        body.i32_const(id).call(enter);
        for a in &args {
            body.local_get(*a);
        }
        body.call(*f).i32_const(id).call(exit);
        wrappers.insert(*f, builder.finish(args, &mut module.funcs));
    }

    // The original bodies only: the wrappers must keep calling the originals.
    let mut callers = HashMap::new();
    for (f, _, _) in &originals {
        if let FunctionKind::Local(l) = &mut module.funcs.get_mut(*f).kind {
            let entry = l.entry_block();
            let mut visitor = Redirect {
                wrappers: &wrappers,
                current: *f,
                callers: &mut callers,
            };
            dfs_pre_order_mut(&mut visitor, l, entry);
        }
    }
    for e in module.exports.iter_mut() {
        if let ExportItem::Function(f) = &mut e.item {
            if let Some(w) = wrappers.get(f) {
                *f = *w;
            }
        }
    }
    for el in module.elements.iter_mut() {
        match &mut el.items {
            ElementItems::Functions(fs) => {
                for f in fs {
                    if let Some(w) = wrappers.get(f) {
                        *f = *w;
                    }
                }
            }
            ElementItems::Expressions(_, es) => {
                for e in es {
                    redirect_const(e, &wrappers);
                }
            }
        }
    }
    let globals: Vec<_> = module.globals.iter().map(|g| g.id()).collect();
    for g in globals {
        if let GlobalKind::Local(e) = &mut module.globals.get_mut(g).kind {
            redirect_const(e, &wrappers);
        }
    }
    if let Some(w) = module.start.and_then(|s| wrappers.get(&s)) {
        module.start = Some(*w);
    }

    let mut map = String::new();
    for (f, ty, name) in &originals {
        let id = f.index();
        let nparams = module.types.get(*ty).params().len();
        // A function with no name is one wasm-opt made without naming it (e.g. the
        // shared body of merged similar functions): say who calls it.
        let label = name.clone().unwrap_or_else(|| {
            let who: Vec<String> = callers
                .get(f)
                .into_iter()
                .flatten()
                .filter_map(|c| module.funcs.get(*c).name.as_deref())
                .map(|n| coupon_engine_profile::shorten(n, 60))
                .collect();
            match who.as_slice() {
                [] => format!("func[{id}]"),
                [one] => format!("func[{id}] (wasm-opt-made, called by {one})"),
                [one, ..] => format!(
                    "func[{id}] (wasm-opt-made shared body of {} fns, e.g. {one})",
                    who.len()
                ),
            }
        });
        writeln!(map, "{id}\t{nparams}\t{}", label.replace(['\t', '\n'], " "))?;
    }
    module
        .emit_wasm_file(output)
        .with_context(|| format!("writing {output}"))?;
    std::fs::write(map_path, map)?;
    eprintln!("instrumented {} functions", originals.len());
    Ok(())
}
