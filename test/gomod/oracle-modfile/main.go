// Command oracle-modfile parses go.mod and go.work texts with the go
// command's own parser and prints what it extracted, for the differential
// test in test/gomod/modfile.test.ts.
//
// It is built against the golang.org/x/mod copy vendored in Go 1.23
// (src/cmd/vendor), which knows toolchain and godebug; the test assembles
// that copy into a module and writes this program's go.mod.
//
// Input (stdin): JSON array of {"name", "text", "mode"} with mode "strict"
// (main module: modfile.Parse with cmd/go's version fixer minus the proxy
// query, then module.CheckImportPath like modload), "lax" (modfile.ParseLax,
// no fixer), "work" (modfile.ParseWork, no fixer) or "autoquote" (the
// result's error field holds modfile.AutoQuote(text)).
// Output (stdout): JSON array of results in the same order.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

type input struct {
	Name string `json:"name"`
	Text string `json:"text"`
	Mode string `json:"mode"`
}

type version struct {
	Path    string `json:"path"`
	Version string `json:"version"`
}

type result struct {
	OK         bool         `json:"ok"`
	Error      string       `json:"error"`
	ErrLine    int          `json:"errLine"`
	ErrCol     int          `json:"errCol"`
	Module     *string      `json:"module"`
	Deprecated string       `json:"deprecated"`
	Go         *string      `json:"go"`
	Toolchain  *string      `json:"toolchain"`
	Godebug    [][2]string  `json:"godebug"`
	Require    []reqOut     `json:"require"`
	Exclude    []version    `json:"exclude"`
	Replace    [][2]version `json:"replace"`
	Retract    []retractOut `json:"retract"`
	Use        []string     `json:"use"`
}

type reqOut struct {
	Path     string `json:"path"`
	Version  string `json:"version"`
	Indirect bool   `json:"indirect"`
}

type retractOut struct {
	Low       string `json:"low"`
	High      string `json:"high"`
	Rationale string `json:"rationale"`
}

// notQueried mirrors the reasons gobundle gives where cmd/go would ask a proxy.
func notQueried(path, vers string) error {
	reason := "must be of the form v1.2.3"
	if semver.IsValid(vers) {
		reason = "not canonical (the go command would look it up on a module proxy; pin it with go mod tidy)"
	}
	return &module.ModuleError{Path: path, Err: &module.InvalidVersionError{Version: vers, Err: errors.New(reason)}}
}

// fixVersion is cmd/go's modload.fixVersion with Query replaced by notQueried.
func fixVersion(path, vers string) (string, error) {
	_, pathMajor, ok := module.SplitPathVersion(path)
	if !ok {
		return "", &module.ModuleError{
			Path: path,
			Err: &module.InvalidVersionError{
				Version: vers,
				Err:     fmt.Errorf("malformed module path %q", path),
			},
		}
	}
	if vers != "" && module.CanonicalVersion(vers) == vers {
		if err := module.CheckPathMajor(vers, pathMajor); err != nil {
			return "", module.VersionError(module.Version{Path: path, Version: vers}, err)
		}
		return vers, nil
	}
	return "", notQueried(path, vers)
}

func fail(r *result, err error) {
	r.OK = false
	var list modfile.ErrorList
	var one *modfile.Error
	switch {
	case errors.As(err, &list) && len(list) > 0:
		r.Error = list[0].Err.Error()
		if list[0].ModPath != "" {
			r.Error = list[0].Verb + " " + list[0].ModPath + ": " + r.Error
		} else if list[0].Verb != "" {
			r.Error = list[0].Verb + ": " + r.Error
		}
		r.ErrLine, r.ErrCol = list[0].Pos.Line, list[0].Pos.LineRune
	case errors.As(err, &one):
		r.Error = one.Err.Error()
		r.ErrLine, r.ErrCol = one.Pos.Line, one.Pos.LineRune
	default:
		r.Error = err.Error()
	}
}

func run(in input) result {
	r := result{OK: true}
	data := []byte(in.Text)
	if in.Mode == "autoquote" {
		r.Error = modfile.AutoQuote(in.Text)
		return r
	}
	if in.Mode == "work" {
		wf, err := modfile.ParseWork(in.Name, data, nil)
		if err != nil {
			fail(&r, err)
			return r
		}
		if wf.Go != nil {
			r.Go = &wf.Go.Version
		}
		if wf.Toolchain != nil {
			r.Toolchain = &wf.Toolchain.Name
		}
		for _, g := range wf.Godebug {
			r.Godebug = append(r.Godebug, [2]string{g.Key, g.Value})
		}
		for _, u := range wf.Use {
			r.Use = append(r.Use, u.Path)
		}
		for _, x := range wf.Replace {
			r.Replace = append(r.Replace, [2]version{{x.Old.Path, x.Old.Version}, {x.New.Path, x.New.Version}})
		}
		return r
	}
	var f *modfile.File
	var err error
	if in.Mode == "strict" {
		f, err = modfile.Parse(in.Name, data, fixVersion)
	} else {
		f, err = modfile.ParseLax(in.Name, data, nil)
	}
	if err != nil {
		fail(&r, err)
		return r
	}
	if in.Mode == "strict" && f.Module != nil {
		if err := module.CheckImportPath(f.Module.Mod.Path); err != nil {
			if pathErr, ok := err.(*module.InvalidPathError); ok {
				pathErr.Kind = "module"
			}
			r.OK = false
			r.Error = err.Error()
			r.ErrLine, r.ErrCol = f.Module.Syntax.Start.Line, f.Module.Syntax.Start.LineRune
			return r
		}
	}
	if f.Module != nil {
		r.Module = &f.Module.Mod.Path
		r.Deprecated = f.Module.Deprecated
	}
	if f.Go != nil {
		r.Go = &f.Go.Version
	}
	if f.Toolchain != nil {
		r.Toolchain = &f.Toolchain.Name
	}
	for _, g := range f.Godebug {
		r.Godebug = append(r.Godebug, [2]string{g.Key, g.Value})
	}
	for _, x := range f.Require {
		r.Require = append(r.Require, reqOut{x.Mod.Path, x.Mod.Version, x.Indirect})
	}
	for _, x := range f.Exclude {
		r.Exclude = append(r.Exclude, version{x.Mod.Path, x.Mod.Version})
	}
	for _, x := range f.Replace {
		r.Replace = append(r.Replace, [2]version{{x.Old.Path, x.Old.Version}, {x.New.Path, x.New.Version}})
	}
	for _, x := range f.Retract {
		r.Retract = append(r.Retract, retractOut{x.Low, x.High, x.Rationale})
	}
	return r
}

func main() {
	var ins []input
	if err := json.NewDecoder(os.Stdin).Decode(&ins); err != nil {
		fmt.Fprintln(os.Stderr, "oracle-modfile: reading input:", err)
		os.Exit(2)
	}
	out := make([]result, len(ins))
	for i, in := range ins {
		out[i] = run(in)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "oracle-modfile:", err)
		os.Exit(2)
	}
}
