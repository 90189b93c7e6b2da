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
	"flag"
	"fmt"
	"os"
	"path"
	"runtime"
	"strings"
	"time"
	"unicode"

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
	case "unicodeTS":
		return answerOf(unicodeTS(), nil)
	case "zeroPseudoVersion":
		return answerOf(module.ZeroPseudoVersion(q.A), nil)
	}
	return answer{R: nil, Err: "oracle: unknown op " + q.Op}
}

// runes lists, as [lo, hi] pairs of merged ranges, the code points for which keep is true.
func runes(keep func(rune) bool) []rune {
	var out []rune
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !keep(r) {
			continue
		}
		if n := len(out); n > 0 && out[n-1] == r-1 {
			out[n-1] = r
		} else {
			out = append(out, r, r)
		}
	}
	return out
}

// rangesTS formats ranges as a TypeScript string of base-36 deltas.
func rangesTS(rs []rune) string {
	var b strings.Builder
	prev := rune(0)
	for i, r := range rs {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s", strings.ToLower(fmt.Sprintf("%s", big36(int64(r-prev)))))
		prev = r
	}
	return b.String()
}

func big36(n int64) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	if n == 0 {
		return "0"
	}
	var out []byte
	for n > 0 {
		out = append([]byte{digits[n%36]}, out...)
		n /= 36
	}
	return string(out)
}

// unicodeTS prints src/gomod/goUnicode.ts: the Unicode tables of the Go
// release that built this program, as TypeScript.
func unicodeTS() string {
	letters := runes(unicode.IsLetter)
	print := runes(unicode.IsPrint)
	return fmt.Sprintf(`// Code generated by test/gomod/oracle (oracle -unicode-ts) from Go %s's unicode package (Unicode %s). DO NOT EDIT.

/**
 * Go's unicode.IsLetter and unicode.IsPrint, from the Unicode tables of the Go
 * release the go command is built with. JavaScript's \p{L} follows Node's
 * (newer) Unicode version, which would accept letters the go command rejects
 * in file paths; these tables make us agree with the go command exactly.
 * test/gomod/oracle.test.ts fails when they go stale.
 */

/** Sorted inclusive [lo, hi] ranges, delta-encoded in base 36. */
const LETTER_RANGES = decode('%s');
const PRINT_RANGES = decode('%s');

function decode(deltas: string): Uint32Array {
  const out = new Uint32Array(deltas.split(',').length);
  let prev = 0;
  deltas.split(',').forEach((d, i) => {
    prev += parseInt(d, 36);
    out[i] = prev;
  });
  return out;
}

function inRanges(ranges: Uint32Array, cp: number): boolean {
  let lo = 0;
  let hi = ranges.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cp < (ranges[2 * mid] as number)) hi = mid;
    else if (cp > (ranges[2 * mid + 1] as number)) lo = mid + 1;
    else return true;
  }
  return false;
}

/** unicode.IsLetter for one code point. */
export function isGoLetter(cp: number): boolean {
  return inRanges(LETTER_RANGES, cp);
}

/** unicode.IsPrint for one code point: letters, marks, numbers, punctuation, symbols and U+0020. */
export function isGoPrint(cp: number): boolean {
  return inRanges(PRINT_RANGES, cp);
}
`, strings.TrimPrefix(runtimeVersion(), "go"), unicode.Version, rangesTS(letters), rangesTS(print))
}

func main() {
	genUnicode := flag.Bool("unicode-ts", false, "print src/gomod/goUnicode.ts and exit")
	flag.Parse()
	if *genUnicode {
		fmt.Print(unicodeTS())
		return
	}
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

// runtimeVersion is the Go release that compiled this program (major.minor only,
// so the generated file does not change with every patch release).
func runtimeVersion() string {
	v := runtime.Version()
	if i := strings.Index(v, "."); i >= 0 {
		if j := strings.Index(v[i+1:], "."); j >= 0 {
			return v[:i+1+j]
		}
	}
	return v
}
