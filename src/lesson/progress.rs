//! A learner's progress through the lessons: the steps passed in each, and where they were.
//! Saved by the app between visits (local storage) as this JSON; a damaged record is dropped
//! rather than trusted.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Progress in every lesson started, by lesson id.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Per lesson.
    #[serde(default)]
    pub lessons: BTreeMap<String, LessonProgress>,
}

/// Progress in one lesson.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LessonProgress {
    /// Steps passed (from 0), ascending.
    #[serde(default)]
    pub passed: Vec<usize>,
    /// The step the learner was on last (from 0).
    #[serde(default)]
    pub at: usize,
}

/// Most lessons remembered (a teacher's course may add many; a hostile record cannot grow
/// without bound).
const MAX_LESSONS: usize = 200;

impl Progress {
    /// Reads a saved record; anything unreadable is a fresh start.
    pub fn from_json(text: &str) -> Progress {
        let mut p: Progress = serde_json::from_str(text).unwrap_or_default();
        if p.lessons.len() > MAX_LESSONS {
            p = Progress::default();
        }
        for l in p.lessons.values_mut() {
            l.passed.sort_unstable();
            l.passed.dedup();
            l.passed.truncate(super::MAX_STEPS);
        }
        p
    }

    /// The record to save.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("progress always serialises")
    }

    /// Marks step `step` of `lesson` passed; true if it was not already.
    pub fn pass(&mut self, lesson: &str, step: usize) -> bool {
        if !self.lessons.contains_key(lesson) && self.lessons.len() >= MAX_LESSONS {
            return false;
        }
        let l = self.lessons.entry(lesson.to_string()).or_default();
        match l.passed.binary_search(&step) {
            Ok(_) => false,
            Err(i) => {
                l.passed.insert(i, step);
                true
            }
        }
    }

    /// Remembers that the learner is on step `step` of `lesson`.
    pub fn visit(&mut self, lesson: &str, step: usize) {
        if !self.lessons.contains_key(lesson) && self.lessons.len() >= MAX_LESSONS {
            return;
        }
        self.lessons.entry(lesson.to_string()).or_default().at = step;
    }

    /// Whether step `step` of `lesson` has been passed.
    pub fn passed(&self, lesson: &str, step: usize) -> bool {
        self.lessons
            .get(lesson)
            .is_some_and(|l| l.passed.binary_search(&step).is_ok())
    }

    /// Steps of `lesson` passed, out of `steps`.
    pub fn done(&self, lesson: &str, steps: usize) -> usize {
        self.lessons
            .get(lesson)
            .map_or(0, |l| l.passed.iter().filter(|&&s| s < steps).count())
    }

    /// Where to resume `lesson`: the step last visited.
    pub fn resume_at(&self, lesson: &str) -> usize {
        self.lessons.get(lesson).map_or(0, |l| l.at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_survives_a_round_trip_and_damage() {
        let mut p = Progress::default();
        assert!(p.pass("cache", 2));
        assert!(p.pass("cache", 0));
        assert!(!p.pass("cache", 2), "already passed");
        p.visit("cache", 3);
        let back = Progress::from_json(&p.to_json());
        assert_eq!(back, p);
        assert!(back.passed("cache", 0) && back.passed("cache", 2) && !back.passed("cache", 1));
        assert_eq!(back.done("cache", 3), 2);
        assert_eq!(
            back.done("cache", 1),
            1,
            "a step past the lesson's end does not count"
        );
        assert_eq!(back.resume_at("cache"), 3);
        assert_eq!(back.resume_at("cdn"), 0);
        assert_eq!(Progress::from_json("{not json"), Progress::default());
        let messy = Progress::from_json(r#"{"lessons":{"x":{"passed":[3,1,3],"at":2}}}"#);
        assert_eq!(messy.lessons["x"].passed, vec![1, 3]);
    }

    #[test]
    fn the_record_cannot_grow_without_bound() {
        let mut p = Progress::default();
        for i in 0..MAX_LESSONS + 10 {
            p.pass(&format!("lesson-{i}"), 0);
        }
        assert_eq!(p.lessons.len(), MAX_LESSONS);
    }
}
