// Command oracle answers questions about module paths and versions using
// golang.org/x/mod itself, so tests can check that gobundle's TypeScript
// port agrees with it input for input.
//
// It reads one JSON request per line on stdin, for example
//
//	{"op":"compare","a":"v1.0.0","b":"v1.0.0-rc1"}
//
// and writes one JSON answer per line on stdout: {"r": result, "err": "..."}
// where err is the error's text ("" for none) and r depends on the op.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

type request struct {
	Op   string   `json:"op"`
	A    string   `json:"a"`
	B    string   `json:"b"`
	C    string   `json:"c"`
	T    string   `json:"t"`
	List []string `json:"list"`
}

type answer struct {
	R   any    `json:"r"`
	Err string `json:"err"`
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func answerOf(r any, err error) answer {
	return answer{R: r, Err: errText(err)}
}

func eval(q request) (a answer) {
	defer func() {
		if p := recover(); p != nil {
			a = answer{R: nil, Err: fmt.Sprintf("panic: %v", p)}
		}
	}()
	switch q.Op {
	case "isValid":
		return answerOf(semver.IsValid(q.A), nil)
	case "canonical":
		return answerOf(semver.Canonical(q.A), nil)
	case "major":
		return answerOf(semver.Major(q.A), nil)
	case "majorMinor":
		return answerOf(semver.MajorMinor(q.A), nil)
	case "prerelease":
		return answerOf(semver.Prerelease(q.A), nil)
	case "build":
		return answerOf(semver.Build(q.A), nil)
	case "compare":
		return answerOf(semver.Compare(q.A, q.B), nil)
	case "max":
		return answerOf(semver.Max(q.A, q.B), nil)
	case "sort":
		list := append([]string{}, q.List...)
		semver.Sort(list)
		return answerOf(list, nil)
	case "checkPath":
		return answerOf(nil, module.CheckPath(q.A))
	case "checkImportPath":
		return answerOf(nil, module.CheckImportPath(q.A))
	case "checkFilePath":
		return answerOf(nil, module.CheckFilePath(q.A))
	case "check":
		return answerOf(nil, module.Check(q.A, q.B))
	case "checkPathMajor":
		return answerOf(nil, module.CheckPathMajor(q.A, q.B))
	case "matchPathMajor":
		return answerOf(module.MatchPathMajor(q.A, q.B), nil)
	case "pathMajorPrefix":
		return answerOf(module.PathMajorPrefix(q.A), nil)
	case "splitPathVersion":
		prefix, pathMajor, ok := module.SplitPathVersion(q.A)
		return answerOf(map[string]any{"prefix": prefix, "pathMajor": pathMajor, "ok": ok}, nil)
	case "canonicalVersion":
		return answerOf(module.CanonicalVersion(q.A), nil)
	case "escapePath":
		return answerOf(module.EscapePath(q.A))
	case "unescapePath":
		return answerOf(module.UnescapePath(q.A))
	case "escapeVersion":
		return answerOf(module.EscapeVersion(q.A))
	case "unescapeVersion":
		return answerOf(module.UnescapeVersion(q.A))
	case "matchPrefixPatterns":
		return answerOf(module.MatchPrefixPatterns(q.A, q.B), nil)
	case "pathMatch":
		return answerOf(path.Match(q.A, q.B))
	case "isPseudoVersion":
		return answerOf(module.IsPseudoVersion(q.A), nil)
	case "isZeroPseudoVersion":
		return answerOf(module.IsZeroPseudoVersion(q.A), nil)
	case "pseudoVersionTime":
		t, err := module.PseudoVersionTime(q.A)
		if err != nil {
			return answerOf("", err)
		}
		return answerOf(t.UTC().Format(time.RFC3339), nil)
	case "pseudoVersionRev":
		return answerOf(module.PseudoVersionRev(q.A))
	case "pseudoVersionBase":
		return answerOf(module.PseudoVersionBase(q.A))
	case "pseudoVersion":
		t, err := time.Parse(time.RFC3339, q.T)
		if err != nil {
			return answerOf(nil, fmt.Errorf("oracle: bad time %q: %v", q.T, err))
		}
		return answerOf(module.PseudoVersion(q.A, q.B, t, q.C), nil)
	case "zeroPseudoVersion":
		return answerOf(module.ZeroPseudoVersion(q.A), nil)
	}
	return answer{R: nil, Err: "oracle: unknown op " + q.Op}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for in.Scan() {
		var q request
		if err := json.Unmarshal(in.Bytes(), &q); err != nil {
			fmt.Fprintf(os.Stderr, "oracle: bad request %q: %v\n", in.Text(), err)
			os.Exit(2)
		}
		if err := enc.Encode(eval(q)); err != nil {
			fmt.Fprintf(os.Stderr, "oracle: %v\n", err)
			os.Exit(2)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "oracle: %v\n", err)
		os.Exit(2)
	}
}
