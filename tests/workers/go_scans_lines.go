// A newline-delimited JSON worker in Go that reads its requests with a bufio.Scanner left at
// its default buffer: a request line over 64 KiB ends its `for in.Scan()` loop (in.Err() is
// bufio.ErrTooLong, and nobody checks it), and it exits with code 0, saying nothing.
package main

import (
	"bufio"
	"encoding/json"
	"os"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var request struct {
			ID int `json:"id"`
		}
		if json.Unmarshal(in.Bytes(), &request) != nil {
			continue
		}
		out.Encode(map[string]interface{}{"id": request.ID, "success": true, "result": map[string]string{"status": "ok"}})
	}
}
