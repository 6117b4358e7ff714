// A newline-delimited JSON worker in Rust that answers with print! and no newline or flush:
// Rust's stdout is line-buffered, so the answer waits in its buffer for a newline.
use std::io::{self, BufRead};

fn main() {
    for line in io::stdin().lock().lines() {
        let line = line.unwrap();
        let at = line.find("\"id\"").map(|i| i + 4).unwrap_or(0);
        let id: String = line[at..]
            .trim_start_matches(|c: char| c == ':' || c.is_whitespace())
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        print!("{{\"id\":{},\"success\":true,\"result\":{{\"status\":\"ok\"}}}}", id);
    }
}
