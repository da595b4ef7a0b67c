//! Same diagram and seed, same results — bit for bit. The browser test
//! (`tests/browser/determinism.rs`) checks the wasm32 build against the same fixture.

use archplay::model::Diagram;
use archplay::sim::Simulation;

const FIXTURE: &str = include_str!("fixtures/reference-network-60s.json");

fn report_json(d: &Diagram) -> String {
    let mut sim = Simulation::new(d).unwrap();
    sim.run_to_end(u64::MAX);
    serde_json::to_string_pretty(&sim.report()).unwrap()
}

fn example() -> Diagram {
    let mut d =
        Diagram::from_json(include_str!("../public/examples/reference-network.json")).unwrap();
    d.run.duration_s = 60.0;
    d
}

#[test]
fn the_same_seed_gives_an_identical_report() {
    let d = example();
    assert_eq!(report_json(&d), report_json(&d));
}

#[test]
fn a_different_seed_gives_a_different_run() {
    let a = example();
    let mut b = example();
    b.run.seed += 1;
    assert_ne!(report_json(&a), report_json(&b));
}

#[test]
fn stepping_in_small_budgets_changes_nothing() {
    // The UI advances a few thousand events per frame; the result must not depend on how the
    // run was sliced.
    let d = example();
    let mut sim = Simulation::new(&d).unwrap();
    while sim.run_to_end(997) == archplay::sim::StepOutcome::BudgetExhausted {}
    assert_eq!(
        serde_json::to_string_pretty(&sim.report()).unwrap(),
        report_json(&d)
    );
}

#[test]
fn the_native_run_matches_the_checked_in_fixture() {
    // The fixture is what this build computes natively; the browser test compares wasm32 with
    // it. Regenerate with scripts/update-fixtures.sh when the engine's behaviour changes on
    // purpose.
    assert_eq!(report_json(&example()).trim(), FIXTURE.trim());
}
