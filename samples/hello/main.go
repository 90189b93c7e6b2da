// Command hello is gobundle's sample: a tiny program with two dependencies,
// one of them with uppercase letters in its module path, so the bundle must
// case-escape it (example.com/!upper/!mod) exactly as the go command does.
package main

import (
	"fmt"

	upper "example.com/Upper/Mod"
	"example.com/greeting"
)

func main() {
	fmt.Println(greeting.Hello(), "from", upper.Name)
}
