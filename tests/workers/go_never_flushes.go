// A line-framed JSON worker in Go that writes its answers through a bufio.Writer and flushes
// only at end of input: each answer waits in its 4 KiB buffer.
package main

import (
	"bufio"
	"encoding/json"
	"os"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		var request struct {
			ID int `json:"id"`
		}
		if json.Unmarshal(in.Bytes(), &request) != nil {
			continue
		}
		answer, _ := json.Marshal(map[string]any{"id": request.ID, "success": true, "result": map[string]any{}})
		out.Write(append(answer, '\n'))
	}
}
