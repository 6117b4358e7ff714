// A {packet, 4} worker in Rust that writes each frame to its locked stdout and never flushes:
// Rust's stdout writes at a newline, and a binary frame has none, so its frames wait in the
// buffer until it fills or the worker exits.
use std::io::{self, Read, Write};
fn main() {
    let mut stdin = io::stdin().lock();
    let mut stdout = io::stdout().lock();
    let mut header = [0u8; 4];
    while stdin.read_exact(&mut header).is_ok() {
        let mut request = vec![0u8; u32::from_be_bytes(header) as usize];
        stdin.read_exact(&mut request).unwrap();
        let text = String::from_utf8_lossy(&request);
        let at = text.find("\"id\"").map(|i| i + 4).unwrap_or(0);
        let id: String = text[at..]
            .trim_start_matches(|c: char| c == ':' || c.is_whitespace())
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let body = format!(
            "{{\"id\":{},\"success\":true,\"result\":{{\"status\":\"ok\"}}}}",
            id
        );
        stdout
            .write_all(&(body.len() as u32).to_be_bytes())
            .unwrap();
        stdout.write_all(body.as_bytes()).unwrap();
    }
}
