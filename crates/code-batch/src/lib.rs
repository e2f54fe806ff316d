//! Batches of single-use codes, such as a merchant emails to each customer of a segment.
//!
//! A code is the batch's prefix, `length` random characters and two check characters:
//! `XMAS` + `7KQ2MZTA` + `R4`. The characters leave out those people misread (`0 O`,
//! `1 I L`), so a code read off a phone or a printout is typed right.
//!
//! The check characters come from a SHA-512 of the batch's salt, the prefix and the
//! random part. Whoever holds the salt can tell a code of the batch from a typo
//! without the list of codes, so a storefront recognises one offline while its bundle
//! stays the same size however many codes the batch has and reveals none of them. The
//! salt is public, so the check does not make a code hard to forge: the list the
//! issuer keeps is the only proof a code was issued, and whoever redeems codes checks
//! it, once per code.
//!
//! Nothing here knows what the codes are for.

use sha2::{Digest, Sha512};

/// The characters codes are made of: digits and capital letters without `0`, `1`, `I`,
/// `L` and `O`.
pub const ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Check characters at the end of every code.
pub const CHECK_LEN: usize = 2;

/// The SHA-512 digest of `parts` one after the other. Out of line, so a program that
/// hashes short texts elsewhere too can share this one copy of the hash's code.
#[inline(never)]
pub fn sha512(parts: &[&str]) -> [u8; 64] {
    let mut hash = Sha512::new();
    for part in parts {
        hash.update(part);
    }
    hash.finalize().into()
}

/// A batch: what its codes start with, how many random characters follow, and the salt
/// of their check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch<'a> {
    /// What every code starts with.
    pub prefix: &'a str,
    /// Random characters after the prefix.
    pub length: usize,
    /// The salt of the check characters.
    pub salt: &'a str,
}

impl Batch<'_> {
    /// The check characters of a random part.
    pub fn check(&self, random: &str) -> [u8; CHECK_LEN] {
        let digest = sha512(&[self.salt, "\0", self.prefix, "\0", random]);
        let mut check = [0; CHECK_LEN];
        for (c, pair) in check.iter_mut().zip(digest.chunks_exact(2)) {
            // 16 bits onto 31 characters: the bias (under 0.05%) does not matter to a check.
            *c = ALPHABET[usize::from(u16::from_le_bytes([pair[0], pair[1]])) % ALPHABET.len()];
        }
        check
    }

    /// Whether `code` is a code of this batch: the prefix, `length` characters of the
    /// alphabet and their check. Exact: callers compare codes as they normalise them
    /// (upper-cased, trimmed).
    pub fn matches(&self, code: &str) -> bool {
        let Some(rest) = code.strip_prefix(self.prefix) else {
            return false;
        };
        if rest.len() != self.length + CHECK_LEN || !rest.bytes().all(|b| ALPHABET.contains(&b)) {
            return false;
        }
        // All ASCII, so the split is on a character boundary.
        let (random, check) = rest.split_at(self.length);
        check.as_bytes() == self.check(random)
    }

    /// A new code, its random characters drawn uniformly from the alphabet with the
    /// bytes `fill` gives (pass a cryptographically secure generator).
    pub fn generate(&self, fill: &mut dyn FnMut(&mut [u8])) -> String {
        let mut random = String::with_capacity(self.length);
        let mut bytes = [0u8; 32];
        while random.len() < self.length {
            fill(&mut bytes);
            // Bytes from 248 up are dropped, so each character is equally likely.
            for &b in &bytes {
                if random.len() < self.length && usize::from(b) < ALPHABET.len() * 8 {
                    random.push(char::from(ALPHABET[usize::from(b) % ALPHABET.len()]));
                }
            }
        }
        let check = self.check(&random);
        let mut code = String::with_capacity(self.prefix.len() + self.length + CHECK_LEN);
        code.push_str(self.prefix);
        code.push_str(&random);
        code.extend(check.iter().map(|&c| char::from(c)));
        code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BATCH: Batch<'static> = Batch {
        prefix: "XMAS-",
        length: 8,
        salt: "c2FsdHNhbHRzYWx0c2FsdA",
    };

    /// A deterministic stand-in for a secure generator (xorshift), for repeatable tests.
    fn counter(seed: u64) -> impl FnMut(&mut [u8]) {
        let mut state = seed;
        move |bytes: &mut [u8]| {
            for b in bytes {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *b = state.to_le_bytes()[0];
            }
        }
    }

    #[test]
    fn generated_codes_match_their_batch_and_no_other() {
        let mut fill = counter(7);
        let other = Batch {
            salt: "another-salt-of-this-batch",
            ..BATCH
        };
        let mut mismatched = 0;
        for _ in 0..1_000 {
            let code = BATCH.generate(&mut fill);
            assert_eq!(code.len(), 5 + 8 + 2);
            assert!(code.starts_with("XMAS-"));
            assert!(code[5..].bytes().all(|b| ALPHABET.contains(&b)), "{code}");
            assert!(BATCH.matches(&code), "{code}");
            mismatched += usize::from(!other.matches(&code));
        }
        // Another salt accepts about one code in 961.
        assert!(mismatched > 990, "{mismatched}");
    }

    #[test]
    fn typos_are_caught() {
        let code = BATCH.generate(&mut counter(3));
        assert!(
            !BATCH.matches(&code[..code.len() - 1]),
            "one character short"
        );
        assert!(!BATCH.matches(&format!("{code}2")), "one character more");
        assert!(!BATCH.matches(&code.to_lowercase()), "not normalised");
        assert!(
            !BATCH.matches(&code.replacen("XMAS", "XMAZ", 1)),
            "another prefix"
        );
        let mut caught = 0;
        let mut tried = 0;
        for i in 5..code.len() {
            for &c in ALPHABET {
                let mut typo = code.clone().into_bytes();
                if typo[i] == c {
                    continue;
                }
                typo[i] = c;
                tried += 1;
                caught += usize::from(!BATCH.matches(std::str::from_utf8(&typo).unwrap()));
            }
        }
        // A wrong character slips through about once in 961 tries.
        assert!(caught * 100 >= tried * 99, "{caught} of {tried}");
        for look_alike in [b'0', b'O', b'1', b'I', b'L'] {
            let mut typo = code.clone().into_bytes();
            typo[6] = look_alike;
            assert!(!BATCH.matches(std::str::from_utf8(&typo).unwrap()));
        }
    }

    #[test]
    fn every_character_is_drawn_about_equally_often() {
        let mut fill = counter(11);
        let mut seen = [0usize; 31];
        let batch = Batch {
            length: 31 * 100,
            ..BATCH
        };
        let code = batch.generate(&mut fill);
        for b in code["XMAS-".len()..code.len() - CHECK_LEN].bytes() {
            seen[ALPHABET.iter().position(|&c| c == b).unwrap()] += 1;
        }
        assert!(seen.iter().all(|&n| (50..=150).contains(&n)), "{seen:?}");
    }
}
