//! Guided lessons: the chapter's path from one server to millions of users, as steps a learner
//! does against the live simulation.
//!
//! A lesson is a data file (`public/lessons/<id>.json`, documented in `docs/lessons.md`): an
//! ordered list of [`Step`]s, each with narrative text, an optional diagram to start from and
//! edits to apply, a suggested task, a [`check::Checkpoint`] judged from live metrics, feedback,
//! hints, figures the chapter quotes (measured live), and a worked solution with the mistakes a
//! learner might make — which the tests and `archplay lesson --check` play to prove that the
//! checkpoint passes for the one and keeps failing for the others.
//!
//! - [`check`]: conditions on live metrics, the diagram and the log, and how they are judged;
//! - [`moves`]: what a learner (or a solution) does, as data;
//! - [`session`]: a diagram and its run driven by moves, the way the app drives them;
//! - [`progress`]: which steps a learner has passed, saved between visits.
//!
//! Nothing here knows about the web: the app's lesson panel reads these types and calls these
//! functions.

pub mod check;
pub mod moves;
pub mod progress;
pub mod session;
pub mod text;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::Diagram;
use check::{Checkpoint, Figure};
use moves::Move;

/// Marker written in every lesson file.
pub const LESSON_MARKER: &str = "archplay-lesson";
/// The lesson format version this build reads.
pub const LESSON_VERSION: u32 = 1;
/// The largest lesson file accepted, in bytes.
pub const MAX_LESSON_BYTES: usize = 512 * 1024;
/// Most steps in one lesson.
pub const MAX_STEPS: usize = 40;
/// The longest a `run` move may last, in simulated seconds (a run's longest length).
pub const MAX_RUN_S: f64 = 604_800.0;

/// A whole lesson.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Always [`LESSON_MARKER`].
    pub format: String,
    /// Format version; see [`LESSON_VERSION`].
    pub version: u32,
    /// Short name used in links (`#lesson=<id>`): letters, digits and `-`.
    pub id: String,
    /// Title shown in the lesson list and panel.
    pub title: String,
    /// One or two sentences: what the learner will do and see.
    #[serde(default)]
    pub summary: String,
    /// The chapter section(s) the lesson teaches.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub chapter: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// One step of a lesson.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Heading.
    pub title: String,
    /// Narrative: paragraphs separated by blank lines; `**bold**` and `` `code` `` are shown as
    /// such.
    pub text: String,
    /// The diagram this step starts from; without one the step continues with the learner's
    /// diagram as the previous step left it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Start>,
    /// Changes made to the diagram on entering the step (after `start`): only diagram edits,
    /// no runs or live actions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub setup: Vec<Move>,
    /// What to do, in one or two sentences.
    pub task: String,
    /// When the step counts as done.
    pub check: Checkpoint,
    /// Said when the checkpoint passes: what the learner just saw, and why.
    pub pass: String,
    /// Shown one at a time when the learner asks for a hint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
    /// Figures the chapter quotes, measured live next to its claim.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<Figure>,
    /// A worked solution from the step's starting state: it passes the checkpoint.
    pub solution: Vec<Move>,
    /// Plausible wrong attempts: each leaves the checkpoint failing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mistakes: Vec<Vec<Move>>,
}

/// A diagram a step starts from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Start {
    /// A shipped example, by file name (`public/examples/<name>.json`).
    Example(String),
    /// A whole diagram written into the lesson.
    Diagram(Box<Diagram>),
}

impl Start {
    /// The diagram, or why it cannot be had.
    pub fn diagram(&self) -> Result<Diagram, String> {
        match self {
            Start::Example(name) => crate::model::examples::find(name)
                .ok_or_else(|| format!("there is no example called '{name}'"))?
                .diagram()
                .map_err(|e| format!("example '{name}': {e}")),
            Start::Diagram(d) => {
                d.validate().map_err(|problems| {
                    let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
                    format!("its diagram has problems: {}", list.join("; "))
                })?;
                Ok((**d).clone())
            }
        }
    }
}

/// Why a lesson file could not be used.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum LessonError {
    /// Not JSON, or JSON of the wrong shape.
    Syntax(String),
    /// Not a lesson file.
    NotALesson(String),
    /// Written for a newer Archplay.
    TooNew(u32),
    /// Well-formed but wrong: every problem, by place.
    Invalid(Vec<String>),
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LessonError::Syntax(why) => write!(f, "not a valid lesson file: {why}"),
            LessonError::NotALesson(why) => write!(f, "not an Archplay lesson: {why}"),
            LessonError::TooNew(v) => write!(
                f,
                "this lesson is format version {v}, newer than this Archplay reads \
                 (up to {LESSON_VERSION})"
            ),
            LessonError::Invalid(problems) => {
                f.write_str(&crate::model::shown::problems_paragraph("lesson", problems))
            }
        }
    }
}

impl std::error::Error for LessonError {}

impl Lesson {
    /// Reads and validates a lesson file. Never panics, whatever the text.
    pub fn from_json(text: &str) -> Result<Lesson, LessonError> {
        // A byte-order mark, as some Windows editors write, is not part of the JSON.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.len() > MAX_LESSON_BYTES {
            return Err(LessonError::Syntax(format!(
                "the file is {} bytes; the limit is {MAX_LESSON_BYTES}",
                text.len()
            )));
        }
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| LessonError::Syntax(e.to_string()))?;
        match value.get("format").and_then(|f| f.as_str()) {
            Some(LESSON_MARKER) => {}
            Some(other) => {
                return Err(LessonError::NotALesson(format!(
                    "format is '{other}', expected '{LESSON_MARKER}'"
                )));
            }
            None => {
                return Err(LessonError::NotALesson(format!(
                    "no \"format\": \"{LESSON_MARKER}\""
                )));
            }
        }
        if let Some(v) = value.get("version").and_then(|v| v.as_u64())
            && v > u64::from(LESSON_VERSION)
        {
            return Err(LessonError::TooNew(u32::try_from(v).unwrap_or(u32::MAX)));
        }
        let lesson: Lesson =
            serde_json::from_value(value).map_err(|e| LessonError::Syntax(e.to_string()))?;
        lesson.validate().map_err(LessonError::Invalid)?;
        Ok(lesson)
    }

    /// Checks what the format promises beyond its shape: ids, the first step's diagram, every
    /// step's diagram and edits (by replaying them), every condition's component.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        if self.version != LESSON_VERSION {
            problems.push(format!("version {} is not {LESSON_VERSION}", self.version));
        }
        if !valid_id(&self.id) {
            problems.push(format!(
                "id '{}' must be 1-64 letters, digits or '-'",
                self.id.chars().take(64).collect::<String>()
            ));
        }
        if self.title.trim().is_empty() {
            problems.push("the title is empty".into());
        }
        if self.steps.is_empty() {
            problems.push("there are no steps".into());
        }
        if self.steps.len() > MAX_STEPS {
            problems.push(format!("{} steps; at most {MAX_STEPS}", self.steps.len()));
            return Err(problems);
        }
        if self.steps.first().is_some_and(|s| s.start.is_none()) {
            problems.push("step 1 needs a \"start\" diagram".into());
        }
        // Replaying the steps finds the diagram each starts from and checks every edit and
        // condition against it.
        let mut diagram: Option<Diagram> = None;
        for (i, step) in self.steps.iter().enumerate() {
            let place = format!("step {} ({})", i + 1, step.title);
            if step.title.trim().is_empty() || step.task.trim().is_empty() {
                problems.push(format!("{place}: the title and task must not be empty"));
            }
            if let Some(start) = &step.start {
                match start.diagram() {
                    Ok(d) => diagram = Some(d),
                    Err(why) => {
                        problems.push(format!("{place}: start: {why}"));
                        return Err(problems);
                    }
                }
            }
            let Some(d) = diagram.as_mut() else {
                return Err(problems);
            };
            for m in &step.setup {
                if !m.is_diagram_edit() {
                    problems.push(format!(
                        "{place}: setup can only edit the diagram, not '{}'",
                        m.describe()
                    ));
                } else if let Err(why) = m.edit_diagram(d) {
                    problems.push(format!("{place}: setup '{}': {why}", m.describe()));
                }
            }
            if step.solution.is_empty() {
                problems.push(format!("{place}: the solution is empty"));
            }
            for m in step.solution.iter().chain(step.mistakes.iter().flatten()) {
                if let Move::Run { for_s } = m
                    && !(for_s.is_finite() && *for_s > 0.0 && *for_s <= MAX_RUN_S)
                {
                    problems.push(format!(
                        "{place}: a run lasts more than 0 and at most {MAX_RUN_S} s, not {for_s}"
                    ));
                }
            }
            let mut after = d.clone();
            for m in &step.solution {
                if let Err(why) = m.edit_diagram(&mut after) {
                    problems.push(format!("{place}: solution '{}': {why}", m.describe()));
                }
            }
            // Conditions may name what the solution adds.
            for why in step.check.problems(&after) {
                problems.push(format!("{place}: check: {why}"));
            }
            for f in &step.figures {
                for why in f.problems(&after) {
                    problems.push(format!("{place}: figure '{}': {why}", f.label));
                }
            }
            for (k, mistake) in step.mistakes.iter().enumerate() {
                let mut tried = d.clone();
                for m in mistake {
                    if let Err(why) = m.edit_diagram(&mut tried) {
                        problems.push(format!(
                            "{place}: mistake {} '{}': {why}",
                            k + 1,
                            m.describe()
                        ));
                    }
                }
            }
            *d = after;
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// A lesson shipped with the app: its id (file name) and text.
#[derive(Clone, Copy, Debug)]
pub struct BuiltIn {
    /// File name in `public/lessons/`, without `.json`; also the lesson's id.
    pub id: &'static str,
    /// The lesson file.
    pub json: &'static str,
}

impl BuiltIn {
    /// The lesson. Every built-in lesson loads (tested).
    pub fn lesson(&self) -> Result<Lesson, LessonError> {
        Lesson::from_json(self.json)
    }
}

macro_rules! built_in {
    ($id:literal) => {
        BuiltIn {
            id: $id,
            json: include_str!(concat!("../../public/lessons/", $id, ".json")),
        }
    };
}

/// The lessons shipped with the app, in the chapter's order.
pub const LESSONS: &[BuiltIn] = &[
    built_in!("one-server"),
    built_in!("separate-tiers"),
    built_in!("vertical-horizontal"),
    built_in!("load-balancer"),
    built_in!("replication"),
    built_in!("cache"),
    built_in!("cdn"),
    built_in!("stateless"),
    built_in!("data-centers"),
    built_in!("message-queue"),
    built_in!("automation"),
    built_in!("sharding"),
    built_in!("capstone"),
];

/// The shipped lesson with this id.
pub fn find(id: &str) -> Option<&'static BuiltIn> {
    LESSONS.iter().find(|l| l.id == id)
}

/// A place in the lessons a link can name: `#lesson=<id>&step=<n>` (steps count from 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The lesson's id.
    pub lesson: String,
    /// The step, from 0.
    pub step: usize,
}

impl Place {
    /// Reads a fragment (`#lesson=load-balancer&step=3`, or a whole address). `None` when it
    /// names no lesson; a missing or unreadable step means the first.
    pub fn from_fragment(text: &str) -> Option<Place> {
        let (_, fragment) = text.split_once('#')?;
        let mut lesson = None;
        let mut step = 0;
        for part in fragment.split('&') {
            if let Some(id) = part.strip_prefix("lesson=") {
                lesson = Some(id.chars().take(64).collect::<String>());
            } else if let Some(n) = part.strip_prefix("step=") {
                step = n.parse::<usize>().map_or(0, |n| n.saturating_sub(1));
            }
        }
        lesson.map(|lesson| Place { lesson, step })
    }

    /// The fragment naming this place.
    pub fn fragment(&self) -> String {
        format!("#lesson={}&step={}", self.lesson, self.step + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_round_trip_through_fragments() {
        let p = Place {
            lesson: "load-balancer".into(),
            step: 2,
        };
        assert_eq!(p.fragment(), "#lesson=load-balancer&step=3");
        assert_eq!(Place::from_fragment(&p.fragment()), Some(p));
        assert_eq!(
            Place::from_fragment("https://x.org/app/?embed=1#lesson=cache"),
            Some(Place {
                lesson: "cache".into(),
                step: 0
            })
        );
        assert_eq!(
            Place::from_fragment("#lesson=cache&step=zero").map(|p| p.step),
            Some(0)
        );
        assert_eq!(Place::from_fragment("#example=mm1"), None);
        assert_eq!(Place::from_fragment("no fragment"), None);
    }

    #[test]
    fn hostile_files_get_a_message_not_a_panic() {
        for text in [
            "",
            "[]",
            "{\"format\":\"archplay-diagram\"}",
            "{\"format\":\"archplay-lesson\",\"version\":99}",
            "{\"format\":\"archplay-lesson\",\"version\":1,\"id\":\"x\",\"title\":\"t\",\"steps\":[]}",
            "{\"format\":\"archplay-lesson\",\"version\":1,\"id\":\"bad id\",\"title\":\"\",\"steps\":[{\"title\":\"a\",\"text\":\"\",\"task\":\"t\",\"check\":{\"all\":[]},\"pass\":\"\",\"solution\":[]}]}",
        ] {
            let err = Lesson::from_json(text).unwrap_err();
            assert!(!err.to_string().is_empty());
        }
        // An endless run in a solution would hang a replay: refused, by place.
        let endless = include_str!("../../public/lessons/one-server.json").replace(
            r#"{ "do": "run", "for_s": 20 }"#,
            r#"{ "do": "run", "for_s": 1e12 }"#,
        );
        match Lesson::from_json(&endless) {
            Err(LessonError::Invalid(p)) => {
                assert!(
                    p.iter()
                        .any(|p| p.contains("step 1") && p.contains("at most")),
                    "{p:?}"
                )
            }
            other => panic!("{other:?}"),
        }
        let huge = "x".repeat(MAX_LESSON_BYTES + 1);
        assert!(matches!(
            Lesson::from_json(&huge),
            Err(LessonError::Syntax(_))
        ));
    }
}
