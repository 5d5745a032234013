//! A fixed-size set of block indices, one bit per block.
//!
//! Used for changed-block tracking (which 512 KiB blocks changed since the
//! last snapshot's point in time) and for the blocks a pending snapshot still
//! has to upload. One bit per block keeps a 16 TiB volume at 4 MiB.

/// A set of block indices in `0..len`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlockSet {
    words: Vec<u64>,
    len: u64,
    count: u64,
}

impl BlockSet {
    /// An empty set able to hold indices `0..len`.
    pub fn new(len: u64) -> BlockSet {
        BlockSet {
            words: vec![0; len.div_ceil(64) as usize],
            len,
            count: 0,
        }
    }

    /// The set `0..n` (all of the first `n` blocks), able to hold `0..len`.
    ///
    /// # Panics
    /// If `n > len`.
    pub fn with_prefix(len: u64, n: u64) -> BlockSet {
        assert!(n <= len, "prefix {n} longer than the set {len}");
        let mut s = BlockSet::new(len);
        let full = (n / 64) as usize;
        for w in &mut s.words[..full] {
            *w = u64::MAX;
        }
        if n % 64 != 0 {
            s.words[full] = (1u64 << (n % 64)) - 1;
        }
        s.count = n;
        s
    }

    /// Capacity: indices must be below this.
    pub fn capacity(&self) -> u64 {
        self.len
    }

    /// Number of blocks in the set.
    #[inline]
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Adds `b`; returns whether it was new.
    #[inline]
    pub fn insert(&mut self, b: u64) -> bool {
        let (w, m) = ((b >> 6) as usize, 1u64 << (b & 63));
        // Compares the word before and after instead of testing the bit.
        // The bit-test form `let new = *word & m == 0` is a comparison with a
        // constant, stored in a bool, added into an integer (`count`) and
        // then branched on by the inlined caller. rustc 1.95's MIR pass
        // SimplifyComparisonIntegral rewrites the branch to switch on the
        // compared value directly and miscompiles that pattern (the count
        // stayed 0 at the release profile, without overflow checks;
        // `insert_remove_count_and_iterate_in_order` caught it). Upstream:
        // rust-lang/rust#158206. Not an LLVM bug: the MIR is already wrong.
        let word = &mut self.words[w];
        let before = *word;
        *word = before | m;
        let new = before != *word;
        self.count += u64::from(new);
        new
    }

    /// Removes `b`; returns whether it was present.
    #[inline]
    pub fn remove(&mut self, b: u64) -> bool {
        let (w, m) = ((b >> 6) as usize, 1u64 << (b & 63));
        let word = &mut self.words[w];
        let before = *word;
        *word = before & !m;
        let had = before != *word;
        self.count -= u64::from(had);
        had
    }

    /// Whether `b` is in the set.
    #[inline]
    pub fn contains(&self, b: u64) -> bool {
        self.words[(b >> 6) as usize] & (1u64 << (b & 63)) != 0
    }

    /// The members in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &w)| {
            let base = (i as u64) << 6;
            BitIter(w).map(move |bit| base + bit)
        })
    }

    /// The members in ascending order, as `u32` indices.
    ///
    /// # Panics
    /// If the capacity exceeds `u32::MAX + 1` (the model refuses such volumes
    /// before creating them).
    pub fn to_sorted_u32(&self) -> Vec<u32> {
        assert!(self.len <= 1 << 32, "block index beyond u32");
        let mut v = Vec::with_capacity(self.count as usize);
        v.extend(self.iter().map(|b| b as u32));
        v
    }

    /// Empties the set in place.
    pub fn clear(&mut self) {
        self.words.fill(0);
        self.count = 0;
    }

    /// Empties the set, returning its previous contents.
    pub fn take(&mut self) -> BlockSet {
        let empty = BlockSet::new(self.len);
        std::mem::replace(self, empty)
    }
}

/// Several block sets over the same `0..len`, interleaved: word `w` of every
/// slot lies beside word `w` of the others. These are the remaining sets of a
/// volume's pending snapshots; a write tests and clears its block in all of
/// them, which touches one cache line here instead of one per snapshot (with
/// hundreds of volumes the separate sets did not stay in cache, and that load
/// was the hottest instruction of an exact-tracking fleet).
#[derive(Clone, Debug, Default)]
pub struct BlockColumns {
    words: Vec<u64>,
    /// Slots per word row: fixed at the first claim.
    stride: usize,
    in_use: Vec<bool>,
}

impl BlockColumns {
    /// No slots yet: memory is taken at the first claim.
    pub fn new() -> BlockColumns {
        BlockColumns::default()
    }

    /// Takes a free slot holding a copy of `from`. The first claim fixes the
    /// capacity at `slots` (at least one) sets of `from`'s capacity; a claim
    /// with every slot taken adds one, moving the rows.
    pub fn claim(&mut self, from: &BlockSet, slots: usize) -> usize {
        let rows = from.words.len();
        if self.stride == 0 {
            self.stride = slots.max(1);
            self.words = vec![0; rows * self.stride];
            self.in_use = vec![false; self.stride];
        }
        debug_assert_eq!(self.words.len(), rows * self.stride, "same capacity");
        let slot = match self.in_use.iter().position(|u| !u) {
            Some(s) => s,
            None => {
                let (old, n) = (self.stride, self.stride + 1);
                let mut words = vec![0; rows * n];
                for (r, row) in self.words.chunks_exact(old).enumerate() {
                    words[r * n..r * n + old].copy_from_slice(row);
                }
                self.words = words;
                self.stride = n;
                self.in_use.push(false);
                old
            }
        };
        self.in_use[slot] = true;
        let stride = self.stride;
        for (r, &w) in from.words.iter().enumerate() {
            self.words[r * stride + slot] = w;
        }
        slot
    }

    /// Frees `slot`; its bits are overwritten by the next claim.
    pub fn release(&mut self, slot: usize) {
        self.in_use[slot] = false;
    }

    /// Removes `b` from the set in `slot`; returns whether it was present.
    #[inline]
    pub fn remove(&mut self, slot: usize, b: u64) -> bool {
        let (w, m) = ((b >> 6) as usize, 1u64 << (b & 63));
        // The same before/after comparison as `BlockSet::insert` (see there).
        let word = &mut self.words[w * self.stride + slot];
        let before = *word;
        *word = before & !m;
        before != *word
    }

    /// Whether `b` is in the set in `slot`.
    pub fn contains(&self, slot: usize, b: u64) -> bool {
        self.words[(b >> 6) as usize * self.stride + slot] & (1u64 << (b & 63)) != 0
    }

    /// Slots allocated (in use or free).
    pub fn slots(&self) -> usize {
        self.stride
    }
}

struct BitIter(u64);

impl Iterator for BitIter {
    type Item = u64;
    #[inline]
    fn next(&mut self) -> Option<u64> {
        if self.0 == 0 {
            return None;
        }
        let tz = self.0.trailing_zeros();
        self.0 &= self.0 - 1;
        Some(u64::from(tz))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_remove_count_and_iterate_in_order() {
        let mut s = BlockSet::new(200);
        assert!(s.insert(130));
        assert!(s.insert(3));
        assert!(!s.insert(3));
        assert!(s.insert(64));
        assert_eq!(s.count(), 3);
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![3, 64, 130]);
        assert!(s.remove(64));
        assert!(!s.remove(64));
        assert_eq!(s.to_sorted_u32(), vec![3, 130]);
        let old = s.take();
        assert!(s.is_empty());
        assert_eq!(old.count(), 2);
    }

    #[test]
    fn prefix_sets_exactly_the_first_n() {
        for n in [0, 1, 63, 64, 65, 128, 199] {
            let s = BlockSet::with_prefix(200, n);
            assert_eq!(s.count(), n);
            assert_eq!(s.iter().count() as u64, n);
            assert!(n == 0 || s.contains(n - 1));
            assert!(!s.contains(n));
        }
    }

    #[test]
    fn columns_hold_independent_sets_and_grow_keeping_them() {
        let mut a = BlockSet::new(200);
        for b in [0, 63, 64, 199] {
            a.insert(b);
        }
        let mut b = BlockSet::new(200);
        b.insert(64);
        let mut c = BlockColumns::new();
        let sa = c.claim(&a, 1);
        let sb = c.claim(&b, 1); // grows to two slots
        assert_eq!((sa, sb, c.slots()), (0, 1, 2));
        for x in [0, 63, 64, 199] {
            assert!(c.contains(sa, x));
        }
        assert!(c.contains(sb, 64) && !c.contains(sb, 0));
        assert!(c.remove(sb, 64));
        assert!(!c.remove(sb, 64));
        assert!(c.contains(sa, 64), "the other slot keeps its bit");
        c.release(sa);
        let sc = c.claim(&b, 1); // reuses the freed slot, overwriting it
        assert_eq!((sc, c.slots()), (0, 2));
        assert!(c.contains(sc, 64) && !c.contains(sc, 0) && !c.contains(sc, 199));
    }
}
