//! The example diagrams shipped in `public/examples/`, built into the app so the Examples menu
//! works offline and from any host. They follow the chapter's path from one server onwards; the
//! queueing references come last.

/// One shipped example: its file name (without `.json`) and its text.
#[derive(Clone, Copy, Debug)]
pub struct Example {
    /// File name in `public/examples/`, without the extension.
    pub file: &'static str,
    /// The diagram document.
    pub json: &'static str,
}

macro_rules! example {
    ($file:literal) => {
        Example {
            file: $file,
            json: include_str!(concat!("../../public/examples/", $file, ".json")),
        }
    };
}

/// Every shipped example, in menu order.
pub const EXAMPLES: [Example; 19] = [
    example!("single-server"),
    example!("web-and-database"),
    example!("vertical-scaling"),
    example!("load-balancer-failover"),
    example!("replication-failover"),
    example!("cache-stampede"),
    example!("global-cdn"),
    example!("sticky-sessions"),
    example!("data-center-outage"),
    example!("geo-dns"),
    example!("multi-primary"),
    example!("photo-queue"),
    example!("auto-scaling"),
    example!("celebrity-shard"),
    example!("resharding"),
    example!("whole-chapter"),
    example!("reference-network"),
    example!("mm1"),
    example!("mm4"),
];

/// The shipped example with this file name, if there is one.
pub fn find(file: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.file == file)
}

impl Example {
    /// The example's diagram. Every shipped example loads (tested below).
    pub fn diagram(&self) -> Result<super::Diagram, super::LoadError> {
        super::Diagram::from_json(self.json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Diagram;

    #[test]
    fn every_example_loads_and_every_file_is_listed() {
        for e in EXAMPLES {
            let d = Diagram::from_json(e.json).unwrap_or_else(|err| panic!("{}: {err}", e.file));
            assert!(
                !d.name.is_empty() && !d.description.is_empty(),
                "{}",
                e.file
            );
        }
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/public/examples");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|f| {
                f.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .replace(".json", "")
            })
            .collect();
        files.sort();
        let mut listed: Vec<&str> = EXAMPLES.iter().map(|e| e.file).collect();
        listed.sort_unstable();
        assert_eq!(files, listed);
    }
}
