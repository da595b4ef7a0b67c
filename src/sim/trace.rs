//! Sampled wire crossings: every n-th time a request (or its answer) sets off along a wire, a
//! record of which wire, which way, what kind of request and whether it carries an error. The
//! browser draws them as dots flowing along the wires, so the picture is made of real simulated
//! requests, thinned out to what an eye can follow. Tracing reads the run and never changes it.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::request::Class;

/// One sampled crossing.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Crossing {
    /// Simulated seconds when it set off.
    pub at_s: f64,
    /// The component it left (an index into the diagram's components as built).
    pub from: u32,
    /// The component it is heading to.
    pub to: u32,
    /// What kind of request.
    pub kind: CrossingKind,
    /// An answer travelling back (against the wire's direction).
    pub answer: bool,
    /// The answer carries an error.
    pub failed: bool,
}

/// What a crossing carries.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrossingKind {
    /// A read.
    Read,
    /// A write.
    Write,
    /// A static asset.
    Static,
}

impl From<Class> for CrossingKind {
    fn from(c: Class) -> Self {
        match c {
            Class::Read => CrossingKind::Read,
            Class::Write => CrossingKind::Write,
            Class::Static => CrossingKind::Static,
        }
    }
}

/// The sampler and its bounded buffer.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct Trace {
    every: u64,
    seen: u64,
    kept: VecDeque<Crossing>,
    capacity: usize,
}

impl Trace {
    pub fn new(every: u64, capacity: usize) -> Self {
        Trace {
            every: every.max(1),
            seen: 0,
            kept: VecDeque::new(),
            capacity,
        }
    }

    /// Counts a crossing and keeps every `every`-th; the oldest make room.
    pub fn offer(&mut self, make: impl FnOnce() -> Crossing) {
        self.seen += 1;
        if self.seen.is_multiple_of(self.every) {
            if self.kept.len() == self.capacity {
                self.kept.pop_front();
            }
            self.kept.push_back(make());
        }
    }

    pub fn set_every(&mut self, every: u64) {
        self.every = every.max(1);
    }

    /// Crossings counted so far (sampled or not).
    pub fn seen(&self) -> u64 {
        self.seen
    }

    pub fn take(&mut self) -> Vec<Crossing> {
        self.kept.drain(..).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crossing(i: u32) -> Crossing {
        Crossing {
            at_s: f64::from(i),
            from: i,
            to: i + 1,
            kind: CrossingKind::Read,
            answer: false,
            failed: false,
        }
    }

    #[test]
    fn keeps_every_nth_and_at_most_its_capacity() {
        let mut t = Trace::new(3, 2);
        for i in 1..=10 {
            t.offer(|| crossing(i));
        }
        assert_eq!(t.seen(), 10);
        // The 3rd, 6th and 9th were sampled; the buffer holds the last two.
        let kept: Vec<u32> = t.take().iter().map(|c| c.from).collect();
        assert_eq!(kept, [6, 9]);
        assert!(t.take().is_empty());
    }
}
