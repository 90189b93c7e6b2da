// Command toolchainzip lays out an installed Go tree (GOROOT) as the module
// zip of golang.org/toolchain, the way cmd/distpack (pack.go) builds
// v0.0.1-<version>.<goos>-<goarch>.zip: the binary distribution (bin/go,
// bin/gofmt, pkg/include, the build tools of pkg/tool/<goos>_<goarch>, the
// rest of the tree) without api/, doc/, misc/ and test/, under the prefix
// golang.org/toolchain@<version>/, with every go.mod renamed _go.mod (a
// module zip cannot hold nested go.mod files).
//
// It writes with archive/zip, not x/mod's zip.Create: Create would drop the
// vendor directories that the toolchain's own source tree needs. Symbolic
// links (Debian's GOROOT links src, pkg/include and others into
// /usr/share/go-1.N) are followed.
package main

import (
	"archive/zip"
	"compress/flate"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

const modPath = "golang.org/toolchain"

func main() {
	goroot := flag.String("goroot", "", "the Go tree to pack")
	goos := flag.String("goos", "linux", "GOOS of the tree's binaries")
	goarch := flag.String("goarch", "amd64", "GOARCH of the tree's binaries")
	out := flag.String("o", "", "zip file to write (written to a temp file, then renamed)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("toolchainzip: ")
	if *goroot == "" || *out == "" {
		log.Fatal("usage: toolchainzip -goroot DIR -o FILE.zip [-goos linux -goarch amd64]")
	}
	version, vtime := readVERSION(*goroot)
	files, err := walk(*goroot, "")
	if err != nil {
		log.Fatal(err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	modVers := "v0.0.1-" + version + "." + *goos + "-" + *goarch
	prefix := modPath + "@" + modVers + "/"
	if err := writeZip(*out, prefix, files, keep(*goos+"_"+*goarch), vtime); err != nil {
		log.Fatal(err)
	}
	fmt.Println(modVers)
}

type file struct {
	name string // slash path relative to GOROOT
	src  string
	mode fs.FileMode
}

// keep is distpack's filter of the binary distribution plus its removals
// for the module form.
func keep(goosGoarch string) func(name string) bool {
	return func(name string) bool {
		for _, dir := range []string{"api/", "doc/", "misc/", "test/", ".git/", ".github/"} {
			if strings.HasPrefix(name, dir) {
				return false
			}
		}
		switch name {
		case ".gitattributes", ".gitignore", "VERSION.cache", "src/cmd/dist/dist":
			return false
		}
		if path.Base(name) == ".DS_Store" || strings.HasSuffix(name, ".exe~") {
			return false
		}
		if strings.HasPrefix(name, "bin/") {
			return name == "bin/go" || name == "bin/gofmt"
		}
		if strings.HasPrefix(name, "pkg/") {
			if strings.HasPrefix(name, "pkg/include/") {
				return true
			}
			if !strings.HasPrefix(name, "pkg/tool/"+goosGoarch+"/") {
				return false
			}
			switch path.Base(name) {
			case "asm", "cgo", "compile", "cover", "export", "fix", "link", "preprofile", "vet":
				return true
			}
			return false
		}
		return true
	}
}

// mode is distpack's: executables and scripts 0755, the rest 0644.
func mode(name string) fs.FileMode {
	if strings.HasPrefix(name, "bin/") || strings.HasPrefix(name, "pkg/tool/") ||
		strings.HasSuffix(name, ".bash") || strings.HasSuffix(name, ".sh") ||
		strings.HasSuffix(name, ".pl") || strings.HasSuffix(name, ".rc") {
		return 0o755
	}
	if ok, _ := path.Match("go_*_*_exec", path.Base(name)); ok {
		return 0o755
	}
	return 0o644
}

// walk lists the regular files under dir, following symbolic links.
func walk(dir, rel string) ([]file, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []file
	for _, e := range entries {
		src := filepath.Join(dir, e.Name())
		name := path.Join(rel, e.Name())
		info, err := os.Stat(src) // follows links
		if err != nil {
			return nil, err
		}
		switch {
		case info.IsDir():
			sub, err := walk(src, name)
			if err != nil {
				return nil, err
			}
			files = append(files, sub...)
		case info.Mode().IsRegular():
			files = append(files, file{name: name, src: src, mode: mode(name)})
		}
	}
	return files, nil
}

func readVERSION(goroot string) (string, time.Time) {
	data, err := os.ReadFile(filepath.Join(goroot, "VERSION"))
	if err != nil {
		log.Fatal(err)
	}
	version, rest, _ := strings.Cut(string(data), "\n")
	t := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, line := range strings.Split(rest, "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "time" {
			if pt, err := time.Parse(time.RFC3339, f[1]); err == nil {
				t = pt
			}
		}
	}
	return strings.TrimSpace(version), t
}

func writeZip(out, prefix string, files []file, keep func(string) bool, mtime time.Time) error {
	tmp, err := os.CreateTemp(filepath.Dir(out), ".toolchainzip-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	zw := zip.NewWriter(tmp)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for _, f := range files {
		if !keep(f.name) {
			continue
		}
		name := prefix + f.name
		if strings.HasSuffix(name, "/go.mod") {
			name = strings.TrimSuffix(name, "go.mod") + "_go.mod"
		}
		h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: mtime}
		h.SetMode(f.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		r, err := os.Open(f.src)
		if err != nil {
			return err
		}
		_, err = io.Copy(w, r)
		r.Close()
		if err != nil {
			return fmt.Errorf("%s: %v", f.src, err)
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}
