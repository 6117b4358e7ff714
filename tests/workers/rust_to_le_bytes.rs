// A {packet, 4} worker in Rust writing its length with to_le_bytes (little-endian), where
// {packet, 4} wants big-endian (to_be_bytes).
use std::io::{self, Read, Write};

fn id_of(request: &str) -> String {
    let at = request.find("\"id\"").map(|i| i + 4).unwrap_or(0);
    let rest = request[at..].trim_start_matches(|c: char| c == ':' || c.is_whitespace());
    rest.chars().take_while(|c| c.is_ascii_digit()).collect()
}

fn main() {
    let mut stdin = io::stdin().lock();
    let mut stdout = io::stdout().lock();
    let mut header = [0u8; 4];
    while stdin.read_exact(&mut header).is_ok() {
        let mut request = vec![0u8; u32::from_be_bytes(header) as usize];
        stdin.read_exact(&mut request).unwrap();
        let id = id_of(&String::from_utf8_lossy(&request));
        let body = format!("{{\"id\":{},\"success\":true,\"result\":{{\"status\":\"ok\"}}}}", id);
        stdout.write_all(&(body.len() as u32).to_le_bytes()).unwrap();
        stdout.write_all(body.as_bytes()).unwrap();
        stdout.flush().unwrap();
    }
}
