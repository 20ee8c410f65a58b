//! The `entra-console` binary: parse the command line and run; errors are one line on stderr.

use clap::Parser;

fn main() {
    let cli = entra_console::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("entra-console: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(f) = runtime.block_on(entra_console::run(cli)) {
        eprintln!("entra-console: {}", f.message.replace('\n', " "));
        std::process::exit(f.code);
    }
}
