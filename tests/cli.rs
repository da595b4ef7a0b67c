//! The command-line runner: exit codes, formats and messages.

use std::process::Command;

fn archplay(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_archplay"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run archplay");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const EXAMPLE: &str = "public/examples/reference-network.json";

#[test]
fn json_report_has_the_documented_fields_and_honours_overrides() {
    let (code, out, err) = archplay(&[
        "run",
        EXAMPLE,
        "--seconds",
        "30",
        "--warmup",
        "5",
        "--seed",
        "9",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["seed"], 9);
    assert_eq!(v["simulated_s"], 30.0);
    assert_eq!(v["window_start_s"], 5.0);
    for field in [
        "requests",
        "throughput_per_s",
        "error_rate",
        "errors_by_cause",
        "latency_ms",
        "components",
        "log",
    ] {
        assert!(v.get(field).is_some(), "missing {field}");
    }
    // 900 req/s offered, nothing failing: throughput is the offered rate within Poisson noise
    // (25 s × 900 = 22,500 requests, sd ≈ 0.7 %).
    let tput = v["throughput_per_s"].as_f64().unwrap();
    assert!((tput / 900.0 - 1.0).abs() < 0.03, "{tput}");
}

#[test]
fn text_and_csv_formats() {
    let (code, out, _) = archplay(&["run", EXAMPLE, "--seconds", "10", "--warmup", "0"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("throughput") && out.contains("web-3") && out.contains("p99"),
        "{out}"
    );
    let (code, out, _) = archplay(&[
        "run",
        EXAMPLE,
        "--seconds",
        "10",
        "--warmup",
        "0",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    let mut lines = out.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("time_s,sent,ok,errors,p50_ms"),
        "{header}"
    );
    assert!(header.contains("db.utilisation"));
    let columns = header.split(',').count();
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 10, "one row per simulated second");
    assert!(rows.iter().all(|r| r.split(',').count() == columns));
}

#[test]
fn bad_input_exits_2_with_the_problem_named() {
    let dir = std::env::temp_dir().join(format!("archplay-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"version": 1, "components": [{"id": "x", "kind": "mainframe"}]}"#,
    )
    .unwrap();
    let bad = bad.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["run", "does/not/exist.json"],
            "cannot read does/not/exist.json",
        ),
        (&["run", bad], "unknown kind 'mainframe'"),
        (
            &["run", EXAMPLE, "--seconds", "-3"],
            "--seconds must be a non-negative number",
        ),
        (&["run", EXAMPLE, "--seconds", "0"], "duration 0 s"),
        (
            &["run", EXAMPLE, "--seed", "abc"],
            "--seed must be a whole number",
        ),
        (
            &["run", EXAMPLE, "--format", "xml"],
            "--format must be text, json or csv",
        ),
        (
            &["run", EXAMPLE, "--seconds", "30", "--warmup", "999"],
            "warm-up 999 s",
        ),
        (&["run"], "run needs a diagram file"),
        (&["fly"], "unknown command 'fly'"),
        (&[], "no command given"),
    ];
    for (args, expect) in cases {
        let (code, _, err) = archplay(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(expect), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// What the editor's Save writes (`Diagram::to_json` of a diagram built by edits, as the canvas
/// makes them, data center included) runs in the runner unchanged.
#[test]
fn a_diagram_saved_by_the_editor_runs_in_the_runner() {
    use archplay::model::edit::{apply, move_by};
    use archplay::model::{Component, Diagram, Edit, Kind, Wire};
    let mut d = Diagram::new("Built in the editor");
    let place = |id: &str, kind, x, y| {
        let mut c = Component::new(id, kind);
        c.x = x;
        c.y = y;
        c
    };
    let insert = Edit::Insert {
        components: vec![
            place("users-1", Kind::Users, 0.0, 96.0),
            place("lb-1", Kind::LoadBalancer, 240.0, 96.0),
            place("dc-1", Kind::DataCenter, 456.0, 0.0),
            place("web-1", Kind::WebServer, 480.0, 72.0),
            place("web-2", Kind::WebServer, 480.0, 168.0),
        ],
        wires: vec![
            Wire::new("users-1", "lb-1"),
            Wire::new("lb-1", "web-1"),
            Wire::new("lb-1", "web-2"),
        ],
    };
    apply(&mut d, &insert).unwrap();
    let moved = move_by(&d, &["dc-1".into()], 48.0, 0.0).unwrap();
    apply(&mut d, &moved).unwrap();
    let path = std::env::temp_dir().join(format!("archplay-saved-{}.json", std::process::id()));
    std::fs::write(&path, d.to_json()).unwrap();
    let (code, out, err) = archplay(&[
        "run",
        path.to_str().unwrap(),
        "--seconds",
        "10",
        "--format",
        "json",
    ]);
    std::fs::remove_file(&path).ok();
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = v["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["users-1", "lb-1", "dc-1", "web-1", "web-2"]);
    assert!(v["requests"]["ok"].as_u64().unwrap() > 0, "{out}");
}

#[test]
fn lesson_check_passes_a_good_lesson_and_names_what_fails_in_a_bad_one() {
    let (code, out, err) = archplay(&["lesson", "one-server", "--check"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("every checkpoint passes and fails as it should"),
        "{out}"
    );
    assert!(
        out.contains("1. Where a request goes: solution passes at 20 s"),
        "{out}"
    );

    // The same lesson with a step whose "mistake" is really its solution: exit 1, named.
    let mut lesson: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/public/lessons/one-server.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let solution = lesson["steps"][0]["solution"].clone();
    lesson["steps"][0]["mistakes"] = serde_json::json!([solution]);
    let path =
        std::env::temp_dir().join(format!("archplay-bad-lesson-{}.json", std::process::id()));
    std::fs::write(&path, lesson.to_string()).unwrap();
    let (code, _, err) = archplay(&["lesson", path.to_str().unwrap(), "--check"]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("step 1 (Where a request goes): mistake 1 passes"),
        "{err}"
    );

    let (code, _, err) = archplay(&["lesson", "no/such/lesson.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read no/such/lesson.json"), "{err}");
}
