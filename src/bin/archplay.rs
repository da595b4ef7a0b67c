//! `archplay`: the native command-line runner.

use std::process::ExitCode;

const USAGE: &str = "\
usage: archplay <command>

commands:
  version    print the version and the diagram format it reads
  help       print this message
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("version" | "--version" | "-V") => {
            println!(
                "archplay {} (diagram format {})",
                env!("CARGO_PKG_VERSION"),
                archplay::model::FORMAT_VERSION
            );
            ExitCode::SUCCESS
        }
        Some("help" | "--help" | "-h") => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("archplay: unknown command '{other}'\n\n{USAGE}");
            ExitCode::from(2)
        }
        None => {
            eprint!("{USAGE}");
            ExitCode::from(2)
        }
    }
}
