//! Allocation: splits a discount into exact per-line amounts in minor units.
//!
//! Largest remainder (Hamilton): each line first gets the floor of its proportional
//! share; the units left over go one each to the lines with the largest remainders,
//! ties to the earliest line. The parts always sum exactly to the discount, and no
//! line gets more than its own amount.

/// Splits `total` minor units across `weights` (the lines' current amounts) in
/// proportion. Requires `0 <= total <= sum(weights)` and non-negative weights, and
/// `total * max(weight)` within `i128` (the input limits guarantee it).
pub fn largest_remainder(total: i128, weights: &[i128]) -> Vec<i128> {
    let sum: i128 = weights.iter().sum();
    if total <= 0 || sum <= 0 {
        return vec![0; weights.len()];
    }
    let total = total.min(sum);
    let mut shares: Vec<i128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        let product = total * w;
        shares.push(product / sum);
        remainders.push((product % sum, i));
    }
    let leftover = total - shares.iter().sum::<i128>();
    // Largest remainder first; equal remainders keep cart order.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders
        .iter()
        .take(usize::try_from(leftover).unwrap_or(0))
    {
        shares[i] += 1;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_exactly_with_ties_to_the_earliest_line() {
        assert_eq!(largest_remainder(100, &[300, 300, 300]), vec![34, 33, 33]);
        assert_eq!(largest_remainder(2, &[1, 1, 1]), vec![1, 1, 0]);
        assert_eq!(largest_remainder(1000, &[3000, 7000]), vec![300, 700]);
        // 10 over 30:30:10 -> 4.29, 4.29, 1.43: floors 4, 4, 1; the unit left goes to the largest remainder.
        assert_eq!(largest_remainder(10, &[30, 30, 10]), vec![4, 4, 2]);
        // Equal remainders: the earliest line wins.
        assert_eq!(largest_remainder(1, &[50, 50]), vec![1, 0]);
    }

    #[test]
    fn never_more_than_a_line_holds() {
        assert_eq!(largest_remainder(50, &[0, 50, 0]), vec![0, 50, 0]);
        assert_eq!(largest_remainder(500, &[10, 20]), vec![10, 20]);
        assert_eq!(largest_remainder(0, &[10, 20]), vec![0, 0]);
        assert_eq!(largest_remainder(5, &[]), Vec::<i128>::new());
    }
}
