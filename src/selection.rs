//! Selection: which usable coupons apply together. The only step that looks at more
//! than one coupon at a time.
//!
//! Rules:
//! - Two coupons combine when each lists the other's class in `combinesWith`; a
//!   combination is valid when every pair in it combines, and it holds at most
//!   `maxCodes` coupons that were entered as codes.
//! - A combination applies in a fixed order: class (product, then order, then
//!   shipping), then higher `priority`, then bundle order; each discount works on what
//!   the earlier ones left.
//! - `bestCombination` takes the valid combination with the largest saving; ties go
//!   to the combination whose bundle indices, sorted, come first lexicographically
//!   (so earlier coupons win, and a coupon that adds nothing is left out). Up to
//!   [`EXACT_LIMIT`] candidates the search is exact (branch and bound: a coupon never
//!   takes more inside a combination than alone, so the current saving plus the
//!   standalone savings of the candidates still open bounds every extension). Above
//!   it, the [`GREEDY_POOL`] candidates with the largest standalone savings enter a
//!   greedy search that starts from the best single coupon and adds the coupon that
//!   raises the saving most until none does, so it is never worse than the best
//!   single coupon.
//! - `priorityOrder` walks the candidates by descending priority, then bundle order,
//!   and takes each that combines with those taken and raises the saving.
//! - At most [`MAX_APPLIED`] discounts apply to one order. With the limits above this
//!   bounds the work for the largest allowed input (5,000 coupons, 1,000 lines).

use crate::facts::Facts;
use crate::model::{Coupon, SelectionMode};
use crate::offers::{offer, Offer, Remaining};

/// Candidates above which the search falls back from exact to greedy (the brute-force
/// proof in `tests/selection.rs` covers this range).
pub const EXACT_LIMIT: usize = 12;

/// Candidates the greedy search considers: those with the largest standalone savings.
pub const GREEDY_POOL: usize = 24;

/// Discounts that can apply to one order.
pub const MAX_APPLIED: usize = 16;

/// The chosen combination.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Applied coupons (bundle index) with what each took, in application order.
    /// Discounts that came to zero are left out.
    pub applied: Vec<(usize, Offer)>,
    /// What is left of the cart after them.
    pub remaining: Remaining,
    /// The candidates the search weighed (bundle indices, ascending); the others were
    /// outside the greedy pool.
    pub considered: Vec<usize>,
}

impl Selection {
    /// Sum of all applied discounts, minor units.
    pub fn saving(&self) -> i128 {
        self.applied.iter().map(|(_, o)| o.total).sum()
    }

    /// Bundle indices of the applied coupons, ascending.
    pub fn indices(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self.applied.iter().map(|(c, _)| *c).collect();
        v.sort_unstable();
        v
    }
}

/// Everything a combination's saving depends on.
pub struct Context<'a> {
    /// The bundle's coupons.
    pub coupons: &'a [Coupon],
    /// Each coupon's scoped lines, by bundle index.
    pub scoped: &'a [&'a [usize]],
    /// Whether each coupon was entered as a code, by bundle index.
    pub entered: &'a [bool],
    /// The evaluation's facts.
    pub facts: &'a Facts<'a>,
    /// How many entered codes may apply together.
    pub max_codes: usize,
}

impl Context<'_> {
    /// Applies `set` (bundle indices, any order) in the defined order.
    pub fn apply(&self, set: &[usize]) -> Selection {
        let mut order = set.to_vec();
        order.sort_by_key(|&c| (self.coupons[c].class(), std::cmp::Reverse(self.coupons[c].priority), c));
        let mut remaining = Remaining::full(self.facts);
        let mut applied = Vec::with_capacity(order.len());
        for c in order {
            let o = offer(&self.coupons[c], self.scoped[c], &remaining, self.facts);
            if o.total > 0 {
                remaining.take(&o);
                applied.push((c, o));
            }
        }
        Selection { applied, remaining, considered: Vec::new() }
    }

    /// Whether `c` may join `set`: combines with every member, and the codes and the
    /// number of discounts fit.
    pub fn fits(&self, set: &[usize], c: usize) -> bool {
        let codes = set.iter().filter(|&&s| self.entered[s]).count() + usize::from(self.entered[c]);
        set.len() < MAX_APPLIED && codes <= self.max_codes && set.iter().all(|&s| self.coupons[s].combines(&self.coupons[c]))
    }

    /// The first member of `set` (in application order of `applied`) that `c` does not combine with.
    pub fn blocker(&self, applied: &Selection, c: usize) -> Option<usize> {
        applied.applied.iter().map(|(s, _)| *s).find(|&s| !self.coupons[s].combines(&self.coupons[c]))
    }
}

/// `a` beats `b`: larger saving, or equal saving and smaller sorted indices.
fn better(a: &Selection, b: &Selection) -> bool {
    a.saving() > b.saving() || (a.saving() == b.saving() && a.indices() < b.indices())
}

/// Chooses among `candidates` (usable coupons that are automatic or entered, bundle order).
pub fn select(candidates: &[usize], cx: &Context, mode: SelectionMode) -> Selection {
    let mut chosen = choose(candidates, cx, mode);
    if chosen.considered.is_empty() {
        chosen.considered = candidates.to_vec();
    }
    chosen
}

fn choose(candidates: &[usize], cx: &Context, mode: SelectionMode) -> Selection {
    match mode {
        SelectionMode::PriorityOrder => {
            let mut order = candidates.to_vec();
            order.sort_by_key(|&c| (std::cmp::Reverse(cx.coupons[c].priority), c));
            let mut taken: Vec<usize> = Vec::new();
            let mut best = cx.apply(&[]);
            for c in order {
                if cx.fits(&taken, c) {
                    let mut with = taken.clone();
                    with.push(c);
                    let s = cx.apply(&with);
                    if s.saving() > best.saving() {
                        taken = with;
                        best = s;
                    }
                }
            }
            best
        }
        SelectionMode::BestCombination if candidates.len() <= EXACT_LIMIT => exact(candidates, cx),
        SelectionMode::BestCombination => greedy(candidates, cx),
    }
}

/// Branch and bound over every valid combination.
fn exact(candidates: &[usize], cx: &Context) -> Selection {
    let alone: Vec<i128> = candidates.iter().map(|&c| cx.apply(&[c]).saving()).collect();
    let mut best = cx.apply(&[]);
    let mut set = Vec::with_capacity(candidates.len());
    search(0, candidates, &alone, cx, &mut set, &mut best);
    best
}

/// Visits, in lexicographic order of bundle indices, every valid combination that
/// extends `set` with candidates from `from` on. The first combination found with the
/// best saving is the lexicographically smallest, so an extension that can at most
/// equal the best is not explored.
fn search(from: usize, candidates: &[usize], alone: &[i128], cx: &Context, set: &mut Vec<usize>, best: &mut Selection) {
    for k in from..candidates.len() {
        let c = candidates[k];
        if !cx.fits(set, c) {
            continue;
        }
        set.push(c);
        let s = cx.apply(set);
        let here = s.saving();
        if better(&s, best) {
            *best = s;
        }
        let bound = here + (k + 1..candidates.len()).filter(|&j| cx.fits(set, candidates[j])).map(|j| alone[j]).sum::<i128>();
        if bound > best.saving() {
            search(k + 1, candidates, alone, cx, set, best);
        }
        set.pop();
    }
}

/// Best single coupon, then add whichever raises the saving most until none does,
/// among the [`GREEDY_POOL`] candidates that save most on their own.
fn greedy(candidates: &[usize], cx: &Context) -> Selection {
    let mut pool: Vec<(i128, usize)> = candidates.iter().map(|&c| (cx.apply(&[c]).saving(), c)).collect();
    pool.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut pool: Vec<usize> = pool.into_iter().take(GREEDY_POOL).map(|(_, c)| c).collect();
    pool.sort_unstable();
    let candidates = &pool[..];
    let mut set: Vec<usize> = Vec::new();
    let mut best = cx.apply(&[]);
    loop {
        let mut step: Option<(usize, Selection)> = None;
        for &c in candidates {
            if set.contains(&c) || !cx.fits(&set, c) {
                continue;
            }
            let mut with = set.clone();
            with.push(c);
            let s = cx.apply(&with);
            let beats_step = step.as_ref().is_none_or(|(_, b)| better(&s, b));
            if s.saving() > best.saving() && beats_step {
                step = Some((c, s));
            }
        }
        match step {
            Some((c, s)) => {
                set.push(c);
                best = s;
            }
            None => return Selection { considered: pool, ..best },
        }
    }
}
