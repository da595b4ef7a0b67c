//! Lessons in wasm32: every shipped lesson loads, and the first lessons' solutions and mistakes
//! behave in the browser's build of the engine as they do natively (`tests/lessons.rs` checks
//! all of them natively; the engine is bit-identical, so these stand for the rest).

use archplay::lesson::LESSONS;
use archplay::lesson::session::{Session, check_lesson};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn every_lesson_loads_in_the_browser() {
    for l in LESSONS {
        let lesson = l.lesson().unwrap_or_else(|e| panic!("{}: {e}", l.id));
        assert_eq!(lesson.id, l.id);
    }
}

#[wasm_bindgen_test]
fn the_first_lessons_play_in_the_browser_as_natively() {
    for id in ["one-server", "load-balancer"] {
        let lesson = archplay::lesson::find(id).unwrap().lesson().unwrap();
        let checks = check_lesson(&lesson).unwrap();
        let problems: Vec<String> = checks.iter().flat_map(|c| c.problems(&lesson)).collect();
        assert!(problems.is_empty(), "{id}: {problems:?}");
    }
    // Reaching lesson 4's third step replays steps 1 and 2 exactly as natively: paused at
    // 35 s with web-1 down (tests/lessons.rs checks the same natively).
    let lesson = archplay::lesson::find("load-balancer")
        .unwrap()
        .lesson()
        .unwrap();
    let s = Session::at_step(&lesson, 2).unwrap();
    assert_eq!(s.now(), 35.0);
    assert_eq!(s.sim().unwrap().is_up(&"web-1".into()), Some(false));
}
