//! A learner's diagram and its run, driven by [`Move`]s the way the app drives them: edits
//! reach a running simulation live when it can take them and otherwise leave it stale until a
//! Reset; live actions happen now and go on the timeline; Run builds a run if there is none.
//! The tests and `archplay lesson --check` play solutions and mistakes through it.

use crate::model::{Diagram, Edit, TimelineEvent, apply};
use crate::sim::{LiveChange, SimDuration, SimTime, Simulation, StepOutcome, live_change};

use super::check::{Checkpoint, Figure, Judged, Measured, Observation};
use super::moves::Move;
use super::{Lesson, Start};

/// A diagram and, once Run is pressed, its simulation.
pub struct Session {
    diagram: Diagram,
    sim: Option<Simulation>,
    /// The diagram as the simulation knows it.
    built_from: Option<Diagram>,
    /// The diagram changed in a way the run cannot follow.
    stale: bool,
    /// Where the current step began in the current run.
    since_s: f64,
}

/// A step's checkpoint and figures, judged while moves are played.
#[derive(Clone, Copy)]
struct Judge<'a> {
    check: &'a Checkpoint,
    figures: &'a [Figure],
}

impl Judge<'_> {
    /// When the checkpoint passes: the figures measured then (the app shows them as measured
    /// at the pass).
    fn verdict(&self, obs: &Observation) -> Option<Vec<Measured>> {
        self.check
            .passes(obs)
            .then(|| self.figures.iter().map(|f| f.measure(obs)).collect())
    }
}

/// How a checkpoint fared while moves were played.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The first simulated second (of the run) at which every condition held, if any.
    pub passed_at: Option<f64>,
    /// The step's figures measured at that moment.
    pub figures: Vec<Measured>,
    /// Each condition as judged at the end.
    pub last: Vec<Judged>,
}

impl Outcome {
    /// The conditions at the end, one a line, for messages.
    pub fn explain(&self) -> String {
        self.last
            .iter()
            .map(|j| {
                format!(
                    "{} {}{}",
                    if j.met { "✓" } else { "✗" },
                    j.said,
                    match (&j.seen, j.pending) {
                        (Some(s), false) => format!(" (now {s})"),
                        (Some(s), true) => format!(" ({s})"),
                        (None, _) => String::new(),
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Session {
    /// A session on `diagram`, with no run.
    pub fn new(diagram: Diagram) -> Session {
        Session {
            diagram,
            sim: None,
            built_from: None,
            stale: false,
            since_s: 0.0,
        }
    }

    /// A session at the start of step `index` of `lesson`, as a link to that step opens it:
    /// every earlier step entered and its solution played (runs, kills and all), then this
    /// step entered. A learner who opens step 3 finds what a learner who did steps 1 and 2
    /// would: the same diagram, and the run paused where they would have left it.
    pub fn at_step(lesson: &Lesson, index: usize) -> Result<Session, String> {
        let mut p = Preparation::new(lesson.clone(), index);
        while !p.advance(u64::MAX)? {}
        Ok(p.finish())
    }

    /// Takes the session apart for the app: the diagram, the run, the diagram the run was
    /// built from, and where the step began.
    pub fn into_parts(self) -> (Diagram, Option<(Simulation, Diagram)>, f64) {
        let run = self.sim.zip(self.built_from);
        (self.diagram, run, self.since_s)
    }

    /// Moves on to step `index` of `lesson` from wherever the learner is: a step with a
    /// `start` replaces the diagram (and ends the run); its setup is applied; the step's
    /// clock starts now.
    pub fn enter(&mut self, lesson: &Lesson, index: usize) -> Result<(), String> {
        let step = lesson.steps.get(index).ok_or("there is no such step")?;
        if let Some(start) = &step.start {
            self.diagram = Start::diagram(start)?;
            self.reset();
        }
        for m in &step.setup {
            self.play(m)?;
        }
        self.since_s = self.now();
        Ok(())
    }

    /// The diagram now.
    pub fn diagram(&self) -> &Diagram {
        &self.diagram
    }

    /// The run, if there is one.
    pub fn sim(&self) -> Option<&Simulation> {
        self.sim.as_ref()
    }

    /// Whether the diagram has changed in a way the run cannot follow (Reset to include it).
    pub fn is_stale(&self) -> bool {
        self.stale
    }

    /// Simulated seconds of the run (0 without one).
    pub fn now(&self) -> f64 {
        self.sim.as_ref().map_or(0.0, |s| s.now().as_secs_f64())
    }

    /// What a checkpoint sees now.
    pub fn observation(&self) -> Observation<'_> {
        Observation {
            diagram: &self.diagram,
            sim: self.sim.as_ref(),
            since_s: self.since_s,
        }
    }

    fn reset(&mut self) {
        self.sim = None;
        self.built_from = None;
        self.stale = false;
        self.since_s = 0.0;
    }

    fn edit(&mut self, edit: Edit) -> Result<(), String> {
        match apply(&mut self.diagram, &edit) {
            Ok(_) | Err(crate::model::Refusal::Empty) => {}
            Err(why) => return Err(why.to_string()),
        }
        self.follow()
    }

    /// Brings the run in line with the diagram, as the app's runner does.
    fn follow(&mut self) -> Result<(), String> {
        let (Some(sim), Some(built)) = (self.sim.as_mut(), self.built_from.as_ref()) else {
            return Ok(());
        };
        match live_change(built, &self.diagram) {
            LiveChange::Nothing => {}
            LiveChange::Restart => self.stale = true,
            change @ LiveChange::Apply { .. } => {
                sim.apply_live(&change)
                    .map_err(|why| format!("not applied to the run: {why}"))?;
                self.built_from = Some(self.diagram.clone());
            }
        }
        Ok(())
    }

    /// Plays one move.
    pub fn play(&mut self, m: &Move) -> Result<(), String> {
        self.play_judged(m, None).map(|_| ())
    }

    /// Plays one move; with a checkpoint, judges it after every simulated second of a run and
    /// returns the first second at which it passed.
    fn play_judged(
        &mut self,
        m: &Move,
        judge: Option<Judge>,
    ) -> Result<Option<(f64, Vec<Measured>)>, String> {
        if let Some(edit) = m.edit(&self.diagram) {
            self.edit(edit)?;
            return Ok(None);
        }
        if let Some(action) = m.action() {
            let sim = self
                .sim
                .as_mut()
                .ok_or_else(|| format!("'{}' needs a run: press Run first", m.describe()))?;
            let done = match &action {
                crate::model::Action::Kill { target } => sim.kill(target),
                crate::model::Action::Restore { target } => sim.restore(target),
                crate::model::Action::Flush { target } => sim.flush(target),
                crate::model::Action::Deploy => {
                    sim.deploy();
                    true
                }
                crate::model::Action::Partition { a, b } => sim.partition(a, b),
                crate::model::Action::Heal { a, b } => sim.heal(a, b),
                crate::model::Action::Reshard { target, shards } => sim.reshard(target, *shards),
                _ => false,
            };
            if !done {
                return Err(format!("'{}' did nothing", m.describe()));
            }
            let at_s = sim.now().as_secs_f64();
            let index = self.diagram.timeline.len();
            return self
                .edit(Edit::InsertTimeline {
                    index,
                    entry: TimelineEvent { at_s, action },
                })
                .map(|_| None);
        }
        match m {
            Move::Reset { .. } => {
                self.reset();
                Ok(None)
            }
            Move::Run { for_s } => self.run(*for_s, judge),
            _ => Err(format!("'{}' cannot be played", m.describe())),
        }
    }

    /// What pressing Run does before the clock moves: a run at its end starts again; without a
    /// run one is built from the diagram. Returns where running `for_s` seconds stops.
    fn start_run(&mut self, for_s: f64) -> Result<SimTime, String> {
        if self.sim.as_ref().is_some_and(Simulation::finished) {
            self.reset();
        }
        if self.sim.is_none() {
            let sim = Simulation::new(&self.diagram).map_err(|e| format!("cannot run: {e}"))?;
            self.sim = Some(sim);
            self.built_from = Some(self.diagram.clone());
            self.stale = false;
            self.since_s = 0.0;
        }
        let now = self.sim.as_ref().expect("built above").now();
        Ok(now + SimDuration::from_secs_f64(for_s.max(0.0)))
    }

    fn run(
        &mut self,
        for_s: f64,
        judge: Option<Judge>,
    ) -> Result<Option<(f64, Vec<Measured>)>, String> {
        let stop = self.start_run(for_s)?;
        let sim = self.sim.as_mut().expect("start_run built it");
        let mut passed = None;
        loop {
            const SECOND: u64 = 1_000_000_000;
            let next = SimTime::from_nanos((sim.now().as_nanos() / SECOND + 1) * SECOND);
            let until = next.min(stop).min(sim.end());
            sim.step_until(until, u64::MAX);
            if passed.is_none()
                && let Some(j) = judge
            {
                let obs = Observation {
                    diagram: &self.diagram,
                    sim: Some(sim),
                    since_s: self.since_s,
                };
                passed = j.verdict(&obs).map(|m| (sim.now().as_secs_f64(), m));
            }
            if sim.now() >= stop || sim.finished() {
                break;
            }
        }
        Ok(passed)
    }

    /// Plays `moves`, judging `check` after each move and each simulated second and measuring
    /// `figures` when it first passes; the moves must all be playable.
    pub fn attempt(
        &mut self,
        moves: &[Move],
        check: &Checkpoint,
        figures: &[Figure],
    ) -> Result<Outcome, String> {
        let judge = Judge { check, figures };
        let mut passed = None;
        for m in moves {
            let during = self
                .play_judged(m, Some(judge))
                .map_err(|why| format!("{}: {why}", m.describe()))?;
            passed = passed.or(during);
            if passed.is_none() {
                let now = self.now();
                passed = judge.verdict(&self.observation()).map(|f| (now, f));
            }
        }
        let (passed_at, figures) = passed.map_or((None, Vec::new()), |(t, f)| (Some(t), f));
        Ok(Outcome {
            passed_at,
            figures,
            last: check.judge(&self.observation()),
        })
    }
}

/// Reaching a step as its link does ([`Session::at_step`]), a slice at a time, so the app can
/// keep the page responsive while earlier steps' runs are replayed.
pub struct Preparation {
    lesson: Lesson,
    target: usize,
    session: Session,
    /// The step being replayed and the next of its solution's moves; `None` before the step
    /// has been entered.
    at: (usize, Option<usize>),
    /// Where a run move in progress stops.
    running_to: Option<SimTime>,
    /// Simulated seconds the replay runs in all, and run so far.
    total_s: f64,
    done_s: f64,
}

impl Preparation {
    /// Starts reaching step `index` of `lesson`.
    pub fn new(lesson: Lesson, index: usize) -> Preparation {
        let index = index.min(lesson.steps.len().saturating_sub(1));
        let total_s = lesson.steps[..index]
            .iter()
            .flat_map(|s| &s.solution)
            .map(|m| match m {
                Move::Run { for_s } => for_s.max(0.0),
                _ => 0.0,
            })
            .sum();
        Preparation {
            lesson,
            target: index,
            session: Session::new(Diagram::new("")),
            at: (0, None),
            running_to: None,
            total_s,
            done_s: 0.0,
        }
    }

    /// The step being reached.
    pub fn target(&self) -> usize {
        self.target
    }

    /// The lesson.
    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }

    /// How far the replay has got, 0 to 1.
    pub fn fraction(&self) -> f64 {
        if self.total_s > 0.0 {
            (self.done_s / self.total_s).clamp(0.0, 1.0)
        } else {
            1.0
        }
    }

    /// Does up to about `budget` simulation events of work; true once the step is reached.
    pub fn advance(&mut self, budget: u64) -> Result<bool, String> {
        let mut left = budget;
        loop {
            if let Some(stop) = self.running_to {
                let sim = self.session.sim.as_mut().expect("a run move built it");
                let before = sim.events();
                let until = stop.min(sim.end());
                let from = sim.now();
                let outcome = sim.step_until(until, left);
                self.done_s += sim.now().saturating_since(from).as_secs_f64();
                left = left.saturating_sub(sim.events() - before);
                if outcome == StepOutcome::BudgetExhausted {
                    return Ok(false);
                }
                self.running_to = None;
                if left == 0 {
                    return Ok(false);
                }
                continue;
            }
            let (step, next) = self.at;
            let Some(next) = next else {
                self.session.enter(&self.lesson, step)?;
                if step == self.target {
                    return Ok(true);
                }
                self.at = (step, Some(0));
                continue;
            };
            let solution = &self.lesson.steps[step].solution;
            let Some(m) = solution.get(next) else {
                self.at = (step + 1, None);
                continue;
            };
            self.at = (step, Some(next + 1));
            let fail = |why: String| format!("step {} solution, {}: {why}", step + 1, m.describe());
            match m {
                Move::Run { for_s } => {
                    self.running_to = Some(self.session.start_run(*for_s).map_err(fail)?);
                }
                _ => {
                    let m = m.clone();
                    self.session.play(&m).map_err(fail)?;
                }
            }
        }
    }

    /// The session at the step's start (call once [`Preparation::advance`] has said so).
    pub fn finish(self) -> Session {
        self.session
    }
}

/// How one step of a lesson fared when checked.
#[derive(Clone, Debug)]
pub struct StepCheck {
    /// The step, from 0.
    pub index: usize,
    /// The solution played from the step's start.
    pub solution: Outcome,
    /// Each mistake played from the step's start.
    pub mistakes: Vec<Outcome>,
    /// Each figure measured when the solution passed: (measured, agrees).
    pub figures: Vec<(Option<f64>, Option<bool>)>,
}

impl StepCheck {
    /// What is wrong: a solution that fails, a mistake that passes, a figure on the wrong side
    /// of the chapter's.
    pub fn problems(&self, lesson: &Lesson) -> Vec<String> {
        let step = &lesson.steps[self.index];
        let place = format!("step {} ({})", self.index + 1, step.title);
        let mut p = Vec::new();
        if self.solution.passed_at.is_none() {
            p.push(format!(
                "{place}: the solution does not pass:\n{}",
                self.solution.explain()
            ));
        }
        for (k, o) in self.mistakes.iter().enumerate() {
            if let Some(t) = o.passed_at {
                p.push(format!(
                    "{place}: mistake {} passes (at {t:.0} s):\n{}",
                    k + 1,
                    o.explain()
                ));
            }
        }
        for (f, (value, agrees)) in step.figures.iter().zip(&self.figures) {
            match (value, agrees) {
                (Some(v), Some(a)) if *a != f.agrees => p.push(format!(
                    "{place}: figure '{}' measured {v:.3} against the chapter's {}: expected it to {}",
                    f.label,
                    f.chapter,
                    if f.agrees { "agree" } else { "differ" }
                )),
                (None, _) | (_, None) => {
                    p.push(format!("{place}: figure '{}' has no measurement", f.label));
                }
                _ => {}
            }
        }
        p
    }
}

/// Checks a whole lesson: from the start of each step (every earlier step's solution played),
/// the step's solution passes its checkpoint and each of its mistakes never does, and each
/// figure lands on the side of the chapter's figure the lesson says.
pub fn check_lesson(lesson: &Lesson) -> Result<Vec<StepCheck>, String> {
    let mut checks = Vec::new();
    for (i, step) in lesson.steps.iter().enumerate() {
        let attempt = |moves: &[Move]| -> Result<Outcome, String> {
            Session::at_step(lesson, i)?.attempt(moves, &step.check, &step.figures)
        };
        let solution =
            attempt(&step.solution).map_err(|why| format!("step {} solution: {why}", i + 1))?;
        let figures = solution
            .figures
            .iter()
            .map(|m| (m.value, m.agrees))
            .collect();
        let mut mistakes = Vec::new();
        for (k, mistake) in step.mistakes.iter().enumerate() {
            mistakes.push(
                attempt(mistake)
                    .map_err(|why| format!("step {} mistake {}: {why}", i + 1, k + 1))?,
            );
        }
        checks.push(StepCheck {
            index: i,
            solution,
            mistakes,
            figures,
        });
    }
    Ok(checks)
}
