// A newline-delimited JSON worker in Rust that reads its port from the environment with
// unwrap(): unset, it panics (exit code 101) before reading a request.
use std::env;
use std::io::{self, BufRead, Write};

fn main() {
    let port: u16 = env::var("WORKER_PORT").unwrap().parse().unwrap();
    let mut stdout = io::stdout().lock();
    for line in io::stdin().lock().lines() {
        let _ = line.unwrap();
        writeln!(stdout, "{{\"id\":1,\"success\":true,\"result\":{{\"port\":{}}}}}", port).unwrap();
        stdout.flush().unwrap();
    }
}
