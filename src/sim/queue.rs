//! The pending-event set: a binary heap ordered by `(time, seq)`.
//!
//! `seq` is a counter stamped at scheduling time, so events for the same instant come out in the
//! order they went in (FIFO). That tie-break is what makes a run reproducible: nothing depends on
//! heap internals or on hash order.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::SimTime;

/// A future-event list: schedule events at instants, pop them in `(time, seq)` order.
///
/// `seq` is 32 bits, which keeps an entry with the engine's 12-byte events at 24 bytes instead of
/// 32 (the heap moves entries on every pop); when it would wrap, the pending entries are
/// renumbered in order, so ties still resolve first-scheduled-first.
#[derive(Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u32,
}

#[derive(Debug)]
struct Entry<E> {
    time: SimTime,
    seq: u32,
    event: E,
}

impl<E> Entry<E> {
    /// `(time, seq)` as one integer: one branch-free comparison instead of two.
    fn key(&self) -> u128 {
        (u128::from(self.time.as_nanos()) << 32) | u128::from(self.seq)
    }
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Entry<E> {
    /// Reversed, so the std max-heap pops the earliest `(time, seq)` first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            next_seq: 0,
        }
    }

    /// Schedules `event` at `time`; among events at the same instant it runs after those already
    /// scheduled.
    pub fn schedule(&mut self, time: SimTime, event: E) {
        if self.next_seq == u32::MAX {
            self.renumber();
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { time, seq, event });
    }

    /// Gives the pending entries sequence numbers `0..len` in their current order, so
    /// numbering can continue from `len` without wrapping.
    fn renumber(&mut self) {
        // Ascending (time, seq) under the reversed `Ord` is descending, hence the reverse.
        let mut entries = std::mem::take(&mut self.heap).into_sorted_vec();
        entries.reverse();
        for (i, e) in entries.iter_mut().enumerate() {
            e.seq = i as u32;
        }
        self.next_seq = entries.len() as u32;
        self.heap = BinaryHeap::from(entries);
    }

    /// The instant of the earliest pending event.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| e.time)
    }

    /// Removes and returns the earliest pending event.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.heap.pop().map(|e| (e.time, e.event))
    }

    /// Pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_order_and_fifo_within_an_instant() {
        let mut q = EventQueue::new();
        let t = SimTime::from_nanos;
        q.schedule(t(30), "c");
        q.schedule(t(10), "a1");
        q.schedule(t(20), "b");
        q.schedule(t(10), "a2");
        q.schedule(t(10), "a3");
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
        assert_eq!(order, ["a1", "a2", "a3", "b", "c"]);
    }

    #[test]
    fn agrees_with_a_sort_on_interleaved_pushes_and_pops() {
        // Pseudo-random times with many ties, pops interleaved as in the engine: the pop order
        // must be exactly the (time, seq) sort.
        let mut q = EventQueue::new();
        let mut x: u64 = 12345;
        let mut pending = Vec::new();
        let mut popped = Vec::new();
        let mut expected = Vec::new();
        for seq in 0..20_000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let now = popped.last().map_or(0, |&(t, _)| t);
            let t = now + (x >> 33) % 50;
            q.schedule(SimTime::from_nanos(t), seq);
            pending.push((t, seq));
            let pops = if (5_000..10_000).contains(&seq) {
                seq % 2
            } else {
                1 + seq % 2
            };
            for _ in 0..pops {
                pending.sort_unstable();
                if pending.is_empty() {
                    break;
                }
                expected.push(pending.remove(0));
                let (t, e) = q.pop().unwrap();
                popped.push((t.as_nanos(), e));
            }
            assert_eq!(q.len(), pending.len());
        }
        pending.sort_unstable();
        expected.extend(pending);
        popped.extend(std::iter::from_fn(|| q.pop()).map(|(t, e)| (t.as_nanos(), e)));
        assert_eq!(popped, expected);
    }

    #[test]
    fn renumbering_before_the_sequence_wraps_keeps_fifo_ties() {
        let mut q = EventQueue::new();
        q.next_seq = u32::MAX - 2;
        let t = SimTime::from_nanos;
        for (i, time) in [5u64, 5, 3, 5, 3, 5].into_iter().enumerate() {
            q.schedule(t(time), i);
        }
        assert!(q.next_seq < 10, "renumbered");
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
        assert_eq!(order, [2, 4, 0, 1, 3, 5]);
    }

    #[test]
    fn peek_reports_the_earliest_instant() {
        let mut q = EventQueue::new();
        assert_eq!(q.peek_time(), None);
        q.schedule(SimTime::from_nanos(7), ());
        q.schedule(SimTime::from_nanos(3), ());
        assert_eq!(q.peek_time(), Some(SimTime::from_nanos(3)));
        assert_eq!(q.len(), 2);
    }
}
