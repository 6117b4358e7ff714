// A line-framed JSON worker in Go that greets with fmt.Println (stdout) before its first
// answer; built to a binary, its command names no language.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	fmt.Println("Go worker listening on stdio")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		var request struct {
			ID int `json:"id"`
		}
		if json.Unmarshal(in.Bytes(), &request) != nil {
			continue
		}
		answer, _ := json.Marshal(map[string]any{"id": request.ID, "success": true, "result": map[string]any{}})
		os.Stdout.Write(append(answer, '\n'))
	}
}
