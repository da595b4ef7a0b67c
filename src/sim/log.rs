//! The structured event log: what happened, when, where. Bounded: past its capacity the oldest
//! entries are dropped and counted.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::time::SimTime;

/// How much an entry matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    /// Routine: a backend returned to rotation, a scheduled change.
    Info,
    /// Degraded: a health check failed.
    Warn,
    /// Broken: a component went down.
    Error,
}

/// One log entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Simulated time, in seconds.
    pub time_s: f64,
    /// The component it concerns, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// Severity.
    pub level: LogLevel,
    /// What happened, e.g. `health check failed: web-2`.
    pub message: String,
}

/// Entries in a snapshot or a message: every field in order (the report's JSON leaves out a
/// missing component, which a compact binary format could not read back).
pub(crate) mod entry_tuples {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::{LogEntry, LogLevel};

    pub fn serialize<'a, C, S>(entries: &'a C, s: S) -> Result<S::Ok, S::Error>
    where
        &'a C: IntoIterator<Item = &'a LogEntry>,
        S: Serializer,
    {
        s.collect_seq(
            entries
                .into_iter()
                .map(|e| (e.time_s, &e.component, e.level, &e.message)),
        )
    }

    pub fn deserialize<'de, C, D>(d: D) -> Result<C, D::Error>
    where
        C: FromIterator<LogEntry>,
        D: Deserializer<'de>,
    {
        let tuples = Vec::<(f64, Option<String>, LogLevel, String)>::deserialize(d)?;
        Ok(tuples
            .into_iter()
            .map(|(time_s, component, level, message)| LogEntry {
                time_s,
                component,
                level,
                message,
            })
            .collect())
    }
}

/// A bounded log.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct EventLog {
    #[serde(with = "entry_tuples")]
    entries: VecDeque<LogEntry>,
    capacity: usize,
    dropped: u64,
}

impl EventLog {
    /// A log keeping at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        EventLog {
            entries: VecDeque::new(),
            capacity: capacity.max(1),
            dropped: 0,
        }
    }

    /// Appends an entry, dropping the oldest if full.
    pub fn push(
        &mut self,
        time: SimTime,
        component: Option<&str>,
        level: LogLevel,
        message: String,
    ) {
        self.push_entry(LogEntry {
            time_s: time.as_secs_f64(),
            component: component.map(str::to_string),
            level,
            message,
        });
    }

    /// Entries kept, oldest first.
    pub fn entries(&self) -> impl Iterator<Item = &LogEntry> {
        self.entries.iter()
    }

    /// Entries written so far, kept or dropped.
    pub fn written(&self) -> u64 {
        self.dropped + self.entries.len() as u64
    }

    /// The entries written after the first `written`, oldest first (those still kept).
    pub fn since(&self, written: u64) -> impl Iterator<Item = &LogEntry> {
        let skip = written.saturating_sub(self.dropped);
        self.entries
            .iter()
            .skip(usize::try_from(skip).unwrap_or(usize::MAX))
    }

    /// Appends an entry as written elsewhere (a copy catching up), dropping the oldest if full.
    pub(crate) fn push_entry(&mut self, entry: LogEntry) {
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.entries.push_back(entry);
    }

    /// Entries dropped for lack of room.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_entries() {
        let mut log = EventLog::new(2);
        for i in 0..5 {
            log.push(SimTime::ZERO, None, LogLevel::Info, format!("e{i}"));
        }
        let kept: Vec<_> = log.entries().map(|e| e.message.as_str()).collect();
        assert_eq!(kept, ["e3", "e4"]);
        assert_eq!(log.dropped(), 3);
    }
}
