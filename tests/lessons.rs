//! The lessons: every shipped lesson loads, and each step's checkpoint passes when its worked
//! solution is played against the engine from the step's start (as a link to the step opens
//! it: earlier steps' solutions played) and stays failing for each of its recorded mistakes;
//! every figure the chapter quotes lands on the side of it the lesson says. The teacher's
//! example lesson in docs/lessons.md is checked the same way.

use archplay::lesson::session::{Session, check_lesson};
use archplay::lesson::{LESSONS, Lesson};

fn assert_plays(lesson: &Lesson) {
    let checks = check_lesson(lesson).unwrap_or_else(|e| panic!("{}: {e}", lesson.id));
    assert_eq!(checks.len(), lesson.steps.len());
    let problems: Vec<String> = checks.iter().flat_map(|c| c.problems(lesson)).collect();
    assert!(
        problems.is_empty(),
        "{}:\n{}",
        lesson.id,
        problems.join("\n")
    );
    for (c, step) in checks.iter().zip(&lesson.steps) {
        assert!(c.solution.passed_at.is_some());
        assert!(
            !step.mistakes.is_empty(),
            "{} step '{}': every shipped step records at least one mistake",
            lesson.id,
            step.title
        );
        assert!(c.mistakes.iter().all(|m| m.passed_at.is_none()));
    }
}

#[test]
fn every_lesson_loads_and_its_file_is_listed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/public/lessons");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|f| f.unwrap().file_name().to_string_lossy().to_string())
        .filter(|f| f.ends_with(".json"))
        .map(|f| f.trim_end_matches(".json").to_string())
        .collect();
    files.sort();
    let mut listed: Vec<String> = LESSONS.iter().map(|l| l.id.to_string()).collect();
    listed.sort();
    assert_eq!(files, listed, "public/lessons and lesson::LESSONS differ");
    for l in LESSONS {
        let lesson = l.lesson().unwrap_or_else(|e| panic!("{}: {e}", l.id));
        assert_eq!(lesson.id, l.id, "a lesson's id is its file name");
    }
}

#[test]
fn every_lesson_step_passes_with_its_solution_and_fails_with_its_mistakes() {
    for l in LESSONS {
        assert_plays(&l.lesson().unwrap());
    }
}

#[test]
fn doing_nothing_never_passes_a_step() {
    // Independent of the recorded mistakes: opening a step and only letting time run (as long
    // as the solution runs) leaves every checkpoint failing. Steps whose task is itself "run
    // and watch" are the exception, and say so by having a solution that is only runs.
    for l in LESSONS {
        let lesson = l.lesson().unwrap();
        for (i, step) in lesson.steps.iter().enumerate() {
            let runs: Vec<_> = step
                .solution
                .iter()
                .filter(|m| matches!(m, archplay::lesson::moves::Move::Run { .. }))
                .cloned()
                .collect();
            if runs.len() == step.solution.len() {
                continue;
            }
            let mut s = Session::at_step(&lesson, i).unwrap();
            let o = s.attempt(&runs, &step.check, &step.figures).unwrap();
            assert!(
                o.passed_at.is_none(),
                "{} step {}: passes without doing anything:\n{}",
                lesson.id,
                i + 1,
                o.explain()
            );
        }
    }
}

#[test]
fn a_step_opened_by_link_finds_the_state_earlier_steps_left() {
    // Lesson 4, step 3 (restore web-1) starts after step 2 killed it: the run is paused at
    // the moment step 2's solution ended, with web-1 down and the kill on the timeline.
    let lesson = archplay::lesson::find("load-balancer")
        .unwrap()
        .lesson()
        .unwrap();
    let s = Session::at_step(&lesson, 2).unwrap();
    let sim = s.sim().expect("a run is in progress");
    assert_eq!(sim.is_up(&"web-1".into()), Some(false));
    assert_eq!(s.now(), 35.0, "20 s of step 1 and 15 s of step 2");
    assert_eq!(s.diagram().timeline.len(), 1);
    // Step 4 clears the timeline and triples the traffic.
    let s = Session::at_step(&lesson, 3).unwrap();
    assert!(s.diagram().timeline.is_empty());
    assert_eq!(s.diagram().traffic.rate_scale, 3.0);
}

#[test]
fn the_teachers_example_lesson_in_the_docs_loads_and_plays() {
    let doc = include_str!("../docs/lessons.md");
    let start = doc
        .find("<!-- example-lesson -->")
        .expect("docs/lessons.md marks its example lesson");
    let json = doc[start..]
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a json block follows the marker");
    let lesson = Lesson::from_json(json).unwrap_or_else(|e| panic!("{e}"));
    assert_plays(&lesson);
}

#[test]
fn reaching_a_step_in_slices_gives_the_same_run_as_in_one_go() {
    // The app replays earlier steps a slice at a time between frames; the result must be the
    // very run a single replay gives (the engine is deterministic whatever the slicing).
    use archplay::lesson::session::Preparation;
    for (id, step) in [("load-balancer", 3), ("cache", 4), ("automation", 2)] {
        let lesson = archplay::lesson::find(id).unwrap().lesson().unwrap();
        let whole = Session::at_step(&lesson, step).unwrap();
        let mut p = Preparation::new(lesson.clone(), step);
        let mut slices = 0;
        let mut last = 0.0;
        while !p.advance(997).unwrap() {
            slices += 1;
            assert!(p.fraction() >= last, "progress never goes back");
            last = p.fraction();
        }
        assert!(slices > 10, "{id}: replayed in {slices} slices");
        let sliced = p.finish();
        assert_eq!(sliced.now(), whole.now());
        assert_eq!(sliced.diagram(), whole.diagram());
        assert_eq!(
            sliced.sim().map(|s| s.report()),
            whole.sim().map(|s| s.report()),
            "{id} step {}",
            step + 1
        );
    }
}
