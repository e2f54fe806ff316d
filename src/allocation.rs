//! Allocation: splits a discount into exact per-line amounts in minor units.
//!
//! Largest remainder (Hamilton): each line first gets the floor of its proportional
//! share; the units left over go one each to the lines with the largest remainders,
//! ties to the earliest line. The parts always sum exactly to the discount, and no
//! line gets more than its own amount.

use crate::money::Money;

/// Splits `total` across `weights` (the lines' current amounts) in proportion.
/// Requires `0 <= total <= sum(weights)` and non-negative weights (a larger total
/// takes every line whole). Each `total × weight` is computed in 128 bits where it
/// passes 64, so any amounts money holds split exactly.
pub fn largest_remainder(total: Money, weights: &[Money]) -> Vec<Money> {
    let sum: Money = weights.iter().sum();
    if total <= Money::ZERO || sum <= Money::ZERO {
        return vec![Money::ZERO; weights.len()];
    }
    if total >= sum {
        // Every line is taken whole: no remainders to share out.
        return weights.to_vec();
    }
    let (total, sum) = (
        i128::from(total.minor_units()),
        i128::from(sum.minor_units()),
    );
    // Realistic carts fit 64 bits, where a division is one machine instruction rather
    // than a 128-bit library call (WebAssembly has no 128-bit arithmetic at all).
    let narrow = u64::try_from(sum)
        .ok()
        .zip(u64::try_from(total).ok())
        .is_some_and(|(s, t)| s.checked_mul(t).is_some());
    let mut shares: Vec<i128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let w = i128::from(w.minor_units());
        let (share, remainder) = if narrow {
            // In range: 0 <= w <= sum and total * sum < 2^64.
            let (product, sum) = (total as u64 * w as u64, sum as u64);
            (i128::from(product / sum), i128::from(product % sum))
        } else {
            let product = total * w;
            (product / sum, product % sum)
        };
        shares.push(share);
        remainders.push((remainder, i));
    }
    // Fewer units are left over than there are lines (each floor loses less than one).
    let leftover = usize::try_from(total - shares.iter().sum::<i128>()).unwrap_or(0);
    if leftover > 0 {
        // Largest remainder first; equal remainders keep cart order. A full sort with
        // the greedy search's own order: one sort routine in the module, where
        // `select_nth_unstable_by` would bring a second one (sizes: docs/benchmarks.md).
        remainders.sort_by(larger_first);
        for &(_, i) in &remainders[..leftover.min(remainders.len())] {
            shares[i] += 1;
        }
    }
    // Each share is at most its weight, a `Money`.
    shares.into_iter().map(Money::clamped).collect()
}

/// Orders `(value, index)` pairs by larger value first, then earlier index: the
/// lines that get a leftover unit here, and the greedy search's candidates by
/// standalone saving (`selection`).
pub fn larger_first<T: Ord>(a: &(T, usize), b: &(T, usize)) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then(a.1.cmp(&b.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`largest_remainder`] on plain minor units.
    fn split(total: i64, weights: &[i64]) -> Vec<i64> {
        let weights: Vec<Money> = weights
            .iter()
            .map(|&w| Money::from_minor_units(w))
            .collect();
        largest_remainder(Money::from_minor_units(total), &weights)
            .into_iter()
            .map(Money::minor_units)
            .collect()
    }

    #[test]
    fn splits_exactly_with_ties_to_the_earliest_line() {
        assert_eq!(split(100, &[300, 300, 300]), vec![34, 33, 33]);
        assert_eq!(split(2, &[1, 1, 1]), vec![1, 1, 0]);
        assert_eq!(split(1000, &[3000, 7000]), vec![300, 700]);
        // 10 over 30:30:10 -> 4.29, 4.29, 1.43: floors 4, 4, 1; the unit left goes to the largest remainder.
        assert_eq!(split(10, &[30, 30, 10]), vec![4, 4, 2]);
        // Equal remainders: the earliest line wins.
        assert_eq!(split(1, &[50, 50]), vec![1, 0]);
    }

    #[test]
    fn never_more_than_a_line_holds() {
        assert_eq!(split(50, &[0, 50, 0]), vec![0, 50, 0]);
        assert_eq!(split(500, &[10, 20]), vec![10, 20]);
        assert_eq!(split(0, &[10, 20]), vec![0, 0]);
        assert_eq!(split(5, &[]), Vec::<i64>::new());
    }

    /// The definition, written plainly: 128-bit arithmetic and a full sort.
    fn by_definition(total: i128, weights: &[i128]) -> Vec<i128> {
        let sum: i128 = weights.iter().sum();
        if total <= 0 || sum <= 0 {
            return vec![0; weights.len()];
        }
        let total = total.min(sum);
        let mut shares: Vec<i128> = weights.iter().map(|w| total * w / sum).collect();
        let mut order: Vec<(i128, usize)> = weights
            .iter()
            .enumerate()
            .map(|(i, w)| (total * w % sum, i))
            .collect();
        order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let leftover = total - shares.iter().sum::<i128>();
        for &(_, i) in order.iter().take(leftover as usize) {
            shares[i] += 1;
        }
        shares
    }

    proptest::proptest! {
        #[test]
        fn matches_the_definition_in_64_and_128_bits(
            weights in proptest::collection::vec(0i128..1_000_000, 0..60),
            wide in proptest::bool::ANY,
            total in 0i128..70_000_000,
        ) {
            // Wide weights (past 2^64 when multiplied) take the 128-bit path; their
            // sum stays below 10^18, as a cart's does.
            let scale: i128 = if wide { 10_000_000_000 } else { 1 };
            let weights: Vec<i128> = weights.iter().map(|w| w * scale).collect();
            let total = total * scale;
            let narrow: Vec<i64> = weights.iter().map(|&w| w as i64).collect();
            let shares: Vec<i128> =
                split(total as i64, &narrow).into_iter().map(i128::from).collect();
            proptest::prop_assert_eq!(&shares, &by_definition(total, &weights));
            let sum: i128 = weights.iter().sum();
            proptest::prop_assert_eq!(shares.iter().sum::<i128>(), total.min(sum).max(0));
        }
    }
}
