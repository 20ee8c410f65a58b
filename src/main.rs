//! The `entra-console` binary: parse the command line and run; errors are one line on stderr.

fn main() {
    let cli = entra_console::cli::Cli::parse_args();
    // A command whose output is piped (`export ... | head -1`) ends quietly when the reader
    // goes away, as Unix tools do: SIGPIPE back to its default (Rust ignores it, which turns
    // every later print into an error or a panic). The TUI keeps ignoring it.
    #[cfg(unix)]
    if cli.command.is_some() {
        // SAFETY: called before any other thread exists; SIG_DFL is a valid disposition.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
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
