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
//!   [`EXACT_LIMIT`] candidates the search is exact (branch and bound: the current
//!   saving plus the most each candidate still open can take in any combination bounds
//!   every extension; that is its standalone saving, as earlier discounts only lower
//!   what a coupon takes, except tiers that give less above a minimum than below it,
//!   bounded by what their tiers give at most, [`crate::offers::most`]; such tiers
//!   and coupons of a campaign budget already in the combination can also grow when a
//!   coupon joins before them, so the bound adds what they can still grow by). Above
//!   it, the [`GREEDY_POOL`] candidates with the largest standalone savings enter a
//!   greedy search that starts from the best single coupon and adds the coupon that
//!   raises the saving most until none does, so it is never worse than the best
//!   single coupon.
//! - `priorityOrder` walks the candidates by descending priority, then bundle order,
//!   and takes each that combines with those taken and raises the saving.
//! - A coupon that measures its minimum value after discounts (`afterDiscounts`) takes
//!   nothing where the members applied before it leave its scoped lines below that
//!   minimum. Its conditions hold on the whole cart and earlier discounts only lower the
//!   value, so it never takes more in a combination than without the minimum: the
//!   bound holds.
//! - At most [`MAX_APPLIED`] discounts apply to one order. With the limits above this
//!   bounds the work for the largest allowed input (5,000 coupons, 1,000 lines).

use std::cell::RefCell;

use crate::facts::Facts;
use crate::model::{Coupon, SelectionMode};
use crate::money::Money;
use crate::offers::{offer, Offer, Remaining, Split};

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
    /// Every member in application order, those that came to zero too: adding one
    /// coupon then recomputes only from where it slots in ([`Combinations::with`]).
    steps: Vec<usize>,
}

impl Selection {
    /// Sum of all applied discounts.
    pub fn saving(&self) -> Money {
        self.applied.iter().map(|(_, o)| o.total).sum()
    }

    /// Bundle indices of the applied coupons, ascending.
    pub fn indices(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self.applied.iter().map(|(c, _)| *c).collect();
        v.sort_unstable();
        v
    }

    /// Bundle indices of every member, the ones that came to zero included.
    pub fn members(&self) -> &[usize] {
        &self.steps
    }
}

/// The coupons of one evaluation as the search combines them: everything a
/// combination's saving depends on, and what each coupon saves on its own.
pub struct Combinations<'a> {
    /// The bundle's coupons.
    pub coupons: &'a [Coupon],
    /// Each coupon's scoped lines, by bundle index.
    pub scoped: &'a [&'a [usize]],
    /// The entered code of each coupon that was entered, by bundle index.
    pub entered: &'a [Option<&'a str>],
    /// The evaluation's facts.
    pub facts: &'a Facts<'a>,
    /// How many entered codes may apply together.
    pub max_codes: usize,
    /// Each coupon's saving on its own, once computed: the search bounds, the greedy
    /// pool and the cards all ask for it.
    alone: RefCell<Vec<Option<Money>>>,
    /// The whole cart, where every combination starts.
    full: Remaining,
}

impl<'a> Combinations<'a> {
    /// The combinations of one evaluation's coupons.
    pub fn new(
        coupons: &'a [Coupon],
        scoped: &'a [&'a [usize]],
        entered: &'a [Option<&'a str>],
        facts: &'a Facts<'a>,
        max_codes: usize,
    ) -> Self {
        Combinations {
            coupons,
            scoped,
            entered,
            facts,
            max_codes,
            alone: RefCell::new(vec![None; coupons.len()]),
            full: Remaining::full(facts),
        }
    }

    /// The application order: class, then higher priority, then bundle order.
    fn key(&self, c: usize) -> (crate::model::DiscountClass, std::cmp::Reverse<i32>, usize) {
        (
            self.coupons[c].class(),
            std::cmp::Reverse(self.coupons[c].priority),
            c,
        )
    }

    /// Applies `set` (bundle indices, any order) in the defined order.
    pub fn apply(&self, set: &[usize]) -> Selection {
        let mut order = set.to_vec();
        order.sort_by_key(|&c| self.key(c));
        let empty = Selection {
            applied: Vec::new(),
            remaining: self.full.clone(),
            considered: Vec::new(),
            steps: Vec::new(),
        };
        self.run(empty, &order)
    }

    /// `base` with coupon `c` added: the members before `c`'s place keep what they
    /// took; `c` and the members after it are recomputed on what is left.
    pub fn with(&self, base: &Selection, c: usize) -> Selection {
        let key = self.key(c);
        let at = base.steps.partition_point(|&m| self.key(m) < key);
        if at == base.steps.len() {
            return self.run(base.clone(), &[c]);
        }
        // The members before `c` applied first, so what they took is a prefix of
        // `applied`; what they left is rebuilt from those offers rather than kept for
        // every step of every combination tried.
        let kept = base.applied.partition_point(|(m, _)| self.key(*m) < key);
        let applied = base.applied[..kept].to_vec();
        let mut remaining = self.full.clone();
        for (_, o) in &applied {
            remaining.take(o);
        }
        let mut rest = Vec::with_capacity(base.steps.len() - at + 1);
        rest.push(c);
        rest.extend_from_slice(&base.steps[at..]);
        self.run(
            Selection {
                applied,
                remaining,
                considered: Vec::new(),
                steps: base.steps[..at].to_vec(),
            },
            &rest,
        )
    }

    /// Applies `order` (already in application order, all after `from`'s members) on
    /// what `from` left.
    fn run(&self, mut from: Selection, order: &[usize]) -> Selection {
        for &c in order {
            from.steps.push(c);
            // Below its minimum after the earlier discounts, the coupon takes nothing.
            // Its conditions hold on the whole cart, and earlier discounts only lower
            // the value: it takes no more than without the minimum, the search's bound.
            if self.coupons[c]
                .purchase
                .as_ref()
                .is_some_and(|p| p.after_discounts)
                && self.short_of_minimum(&from.remaining, c).is_some()
            {
                continue;
            }
            let o = offer(
                &self.coupons[c],
                self.scoped[c],
                &from.remaining,
                self.facts,
                Split::Lines,
            );
            if o.total > Money::ZERO && self.fits_budget(&from, c, o.total) {
                from.remaining.take(&o);
                from.applied.push((c, o));
            }
        }
        from
    }

    /// What the budget of coupon `c`'s campaign has left after the members of
    /// `selection` from the same campaign; `None` for a coupon without a campaign.
    pub fn budget_left(&self, selection: &Selection, c: usize) -> Option<Money> {
        let campaign = self.coupons[c].campaign.as_deref()?;
        let (_, room) = self.facts.budget_room(campaign)?;
        let taken: Money = selection
            .applied
            .iter()
            .filter(|(m, _)| self.coupons[*m].campaign.as_deref() == Some(campaign))
            .map(|(_, o)| o.total)
            .sum();
        Some(room - taken)
    }

    /// Whether `total` off by coupon `c` fits in what its campaign's budget has left.
    fn fits_budget(&self, selection: &Selection, c: usize, total: Money) -> bool {
        self.budget_left(selection, c)
            .is_none_or(|left| total <= left)
    }

    /// The minimum value coupon `c` measures after discounts and the value `remaining`
    /// holds of its scoped lines, when the value is below it.
    fn short_of_minimum(&self, remaining: &Remaining, c: usize) -> Option<(Money, Money)> {
        let purchase = self.coupons[c]
            .purchase
            .as_ref()
            .filter(|p| p.after_discounts)?;
        let min = self.facts.currency.money(purchase.min_value?);
        let value = self.scoped[c].iter().map(|&i| remaining.lines[i]).sum();
        (value < min).then_some((min, value))
    }

    /// The minimum value coupon `c` measures after discounts and the value of its scoped
    /// lines after the members of `selection` that apply before it, when it is below.
    pub fn short_after_discounts(&self, selection: &Selection, c: usize) -> Option<(Money, Money)> {
        let key = self.key(c);
        let mut remaining = self.full.clone();
        for (_, o) in selection.applied.iter().filter(|(m, _)| self.key(*m) < key) {
            remaining.take(o);
        }
        self.short_of_minimum(&remaining, c)
    }

    /// What coupon `c` saves on its own (computed once per evaluation).
    pub fn alone(&self, c: usize) -> Money {
        if let Some(saving) = self.alone.borrow()[c] {
            return saving;
        }
        // `apply(&[c]).saving()` without splitting the amount over the lines: an
        // offer applies when its total is positive.
        let total = offer(
            &self.coupons[c],
            self.scoped[c],
            &self.full,
            self.facts,
            Split::TotalOnly,
        )
        .total;
        let saving = total.max(Money::ZERO);
        self.alone.borrow_mut()[c] = Some(saving);
        saving
    }

    /// The most coupon `c` can take inside any combination: the searches' bound (what
    /// it saves alone, or more for tiers that give less above a minimum than below it).
    fn most(&self, c: usize) -> Money {
        crate::offers::most(&self.coupons[c], self.scoped[c], self.facts, self.alone(c))
    }

    /// How much more the members of `set` (applied as `s`) can take than they do when
    /// discounts join before them: nothing for most kinds, since an earlier discount
    /// only lowers what they take, but a coupon whose tiers give less above a minimum
    /// can reach a richer tier, and one refused for its campaign's budget can fit once
    /// earlier discounts shrink it or a member of its campaign. Up to what each can
    /// take at most: the searches add it to their bound.
    fn growth(&self, set: &[usize], s: &Selection) -> Money {
        set.iter()
            .filter(|&&m| {
                self.coupons[m]
                    .campaign
                    .as_deref()
                    .is_some_and(|k| self.facts.budget_room(k).is_some())
                    || crate::offers::grows_below_a_minimum(&self.coupons[m], self.facts.currency)
            })
            .map(|&m| {
                let took: Money = s
                    .applied
                    .iter()
                    .filter(|(a, _)| *a == m)
                    .map(|(_, o)| o.total)
                    .sum();
                (self.most(m) - took).max(Money::ZERO)
            })
            .sum()
    }

    /// Whether `c` may join `set`: combines with every member, and the codes and the
    /// number of discounts fit.
    pub fn fits(&self, set: &[usize], c: usize) -> bool {
        let codes = set.iter().filter(|&&s| self.entered[s].is_some()).count()
            + usize::from(self.entered[c].is_some());
        set.len() < MAX_APPLIED
            && codes <= self.max_codes
            && set
                .iter()
                .all(|&s| self.coupons[s].combines(&self.coupons[c]))
    }

    /// The first member of `set` (in application order of `applied`) that `c` does not combine with.
    pub fn blocker(&self, applied: &Selection, c: usize) -> Option<usize> {
        applied
            .applied
            .iter()
            .map(|(s, _)| *s)
            .find(|&s| !self.coupons[s].combines(&self.coupons[c]))
    }
}

/// `a` beats `b`: larger saving, or equal saving and smaller sorted indices.
fn better(a: &Selection, b: &Selection) -> bool {
    a.saving() > b.saving() || (a.saving() == b.saving() && a.indices() < b.indices())
}

/// Chooses among `candidates` (usable coupons that are automatic or entered, bundle order).
pub fn select(candidates: &[usize], cx: &Combinations, mode: SelectionMode) -> Selection {
    let mut chosen = choose(candidates, cx, mode);
    if chosen.considered.is_empty() {
        chosen.considered = candidates.to_vec();
    }
    chosen
}

fn choose(candidates: &[usize], cx: &Combinations, mode: SelectionMode) -> Selection {
    match mode {
        SelectionMode::PriorityOrder => {
            let mut order = candidates.to_vec();
            // Unstable (a smaller routine in the module): the index makes each key unique.
            order.sort_unstable_by_key(|&c| (std::cmp::Reverse(cx.coupons[c].priority), c));
            let mut taken: Vec<usize> = Vec::new();
            let mut best = cx.apply(&[]);
            for c in order {
                if cx.fits(&taken, c) {
                    let s = cx.with(&best, c);
                    if s.saving() > best.saving() {
                        taken.push(c);
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
fn exact(candidates: &[usize], cx: &Combinations) -> Selection {
    let most: Vec<Money> = candidates.iter().map(|&c| cx.most(c)).collect();
    let empty = cx.apply(&[]);
    let mut best = empty.clone();
    let mut set = Vec::with_capacity(candidates.len());
    search(0, candidates, &most, cx, &mut set, &empty, &mut best);
    best
}

/// Visits, in lexicographic order of bundle indices, every valid combination that
/// extends `set` with candidates from `from` on. The first combination found with the
/// best saving is the lexicographically smallest, so an extension that can at most
/// equal the best is not explored.
/// `parent` is `set` applied; `most` is what each candidate can take at most.
fn search(
    from: usize,
    candidates: &[usize],
    most: &[Money],
    cx: &Combinations,
    set: &mut Vec<usize>,
    parent: &Selection,
    best: &mut Selection,
) {
    for k in from..candidates.len() {
        let c = candidates[k];
        if !cx.fits(set, c) {
            continue;
        }
        set.push(c);
        let s = cx.with(parent, c);
        let here = s.saving();
        if better(&s, best) {
            *best = s.clone();
        }
        let bound = here
            + cx.growth(set, &s)
            + (k + 1..candidates.len())
                .filter(|&j| cx.fits(set, candidates[j]))
                .map(|j| most[j])
                .sum::<Money>();
        if bound > best.saving() {
            search(k + 1, candidates, most, cx, set, &s, best);
        }
        set.pop();
    }
}

/// Best single coupon, then add whichever raises the saving most until none does,
/// among the [`GREEDY_POOL`] candidates that save most on their own.
fn greedy(candidates: &[usize], cx: &Combinations) -> Selection {
    let mut by_saving: Vec<(Money, usize)> = candidates.iter().map(|&c| (cx.alone(c), c)).collect();
    by_saving.sort_by(crate::allocation::larger_first);
    by_saving.truncate(GREEDY_POOL);
    let mut pool: Vec<usize> = by_saving.iter().map(|&(_, c)| c).collect();
    pool.sort_unstable();
    let mut set: Vec<usize> = Vec::new();
    let mut best = cx.apply(&[]);
    loop {
        let mut step: Option<(usize, Selection)> = None;
        // Largest standalone saving first. A coupon adds at most what it can take in
        // any combination plus what the members can grow by (the bound the exact search
        // uses), so one whose bound is below what the round's best step adds cannot beat
        // or tie it.
        let growth = cx.growth(&set, &best);
        for &(_, c) in &by_saving {
            let to_beat = step.as_ref().map_or(Money::from_minor_units(1), |(_, s)| {
                s.saving() - best.saving()
            });
            if cx.most(c) + growth < to_beat || set.contains(&c) || !cx.fits(&set, c) {
                continue;
            }
            let s = cx.with(&best, c);
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
            None => {
                return Selection {
                    considered: pool,
                    ..best
                }
            }
        }
    }
}
