//! The `entra-console` binary: parse the command line and run; errors are one line on stderr.

fn main() {
    let cli = entra_console::cli::Cli::parse_args();
    // A command whose output is piped (`export ... | head -1`) ends quietly with exit 0 when the
    // reader goes away: SIGPIPE stays ignored (Rust's default), so a write to the closed pipe is
    // an EPIPE error that every writer treats as the end of its output (`out::quiet`). Leaving
    // SIGPIPE at its default would make the status depend on timing (0 when the output fitted
    // in the pipe, 141 otherwise).
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "entra-console: cannot start the runtime: {e}"
            );
            std::process::exit(1);
        }
    };
    if let Err(f) = runtime.block_on(entra_console::run(cli)) {
        use std::io::Write;
        // A closed stderr must not turn an error into a panic.
        let _ = writeln!(
            std::io::stderr(),
            "entra-console: {}",
            // Graph's messages and links are outside text: never raw on the terminal.
            entra_console::sanitize::clean(&f.message.replace('\n', " "))
        );
        std::process::exit(f.code);
    }
}
