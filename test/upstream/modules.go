package main

import (
	"bufio"
	"bytes"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"
)

// defaultTime is the .info Time of a fixture without a time= header and
// without a pseudo-version timestamp: fixed so that runs are reproducible.
var defaultTime = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)

// maxPadBytes keeps a typo in a fixture from filling the disk; it matches
// the module zip limit of the go command (500 MiB).
const maxPadBytes = modzip.MaxZipFile

// tamperFileName is the extra file a tampered zip carries, so its h1 differs
// from the one the checksum database recorded.
const tamperFileName = "TAMPERED.txt"

// A modFile is one file of a module version as written in its txtar fixture.
type modFile struct {
	name string
	data []byte
}

// A modVersion is one module version loaded from a txtar fixture.
type modVersion struct {
	path    string
	version string
	time    time.Time
	files   []modFile // without the pad file
	pad     int64     // size of the generated pad.bin, 0 for none
	gomod   []byte    // what .mod serves: the go.mod file, or a synthesized one
	source  string    // fixture file, for error messages

	zipOnce    sync.Once
	zipPath    string
	zipErr     error
	tamperOnce sync.Once
	tamperPath string
	tamperErr  error
}

// A store holds every module version of the fixture directories and builds
// their zips on demand into a temporary directory.
type store struct {
	versions map[string]map[string]*modVersion // path → version → module
	zipDir   string
}

func loadStore(dirs []string, zipDir string) (*store, error) {
	s := &store{versions: map[string]map[string]*modVersion{}, zipDir: zipDir}
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(p, ".txt") {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			mv, err := parseFixture(p, data)
			if err != nil {
				return err
			}
			byVersion := s.versions[mv.path]
			if byVersion == nil {
				byVersion = map[string]*modVersion{}
				s.versions[mv.path] = byVersion
			}
			if prev := byVersion[mv.version]; prev != nil {
				return fmt.Errorf("%s: %s@%s already defined in %s", p, mv.path, mv.version, prev.source)
			}
			byVersion[mv.version] = mv
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// parseFixture reads the txtar format of cmd/go's testdata/mod: key=value
// header lines, then files introduced by "-- name --" lines.
func parseFixture(source string, data []byte) (*modVersion, error) {
	mv := &modVersion{source: source}
	var cur *modFile
	header := true
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1024*1024), 64*1024*1024)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if name, ok := fileMarker(line); ok {
			header = false
			mv.files = append(mv.files, modFile{name: name})
			cur = &mv.files[len(mv.files)-1]
			continue
		}
		if header {
			m := headerLine.FindStringSubmatch(line)
			if m == nil {
				continue // free-form comment, as in cmd/go's fixtures
			}
			if err := mv.setHeader(m[1], strings.TrimSpace(m[2])); err != nil {
				return nil, fmt.Errorf("%s:%d: %v", source, lineNo, err)
			}
			continue
		}
		cur.data = append(cur.data, line...)
		cur.data = append(cur.data, '\n')
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", source, err)
	}
	if mv.path == "" || mv.version == "" {
		return nil, fmt.Errorf("%s: missing module= or version= header", source)
	}
	if err := module.Check(mv.path, mv.version); err != nil {
		return nil, fmt.Errorf("%s: %v", source, err)
	}
	if mv.version != semver.Canonical(mv.version) && !strings.HasSuffix(mv.version, "+incompatible") {
		return nil, fmt.Errorf("%s: version %s is not canonical", source, mv.version)
	}
	if mv.time.IsZero() {
		mv.time = defaultTime
		if module.IsPseudoVersion(mv.version) {
			if t, err := module.PseudoVersionTime(mv.version); err == nil {
				mv.time = t
			}
		}
	}
	for _, f := range mv.files {
		if f.name == "go.mod" {
			mv.gomod = f.data
		}
		if f.name == "pad.bin" && mv.pad > 0 {
			return nil, fmt.Errorf("%s: pad= and a pad.bin file", source)
		}
	}
	if mv.gomod == nil {
		// What the go command synthesizes for a module without go.mod
		// (modfetch's coderepo.go); its hash is in the checksum database.
		mv.gomod = []byte(fmt.Sprintf("module %s\n", modfile.AutoQuote(mv.path)))
	}
	return mv, nil
}

// headerLine is "key=value"; any other header line is a comment.
var headerLine = regexp.MustCompile(`^([a-z]+)=(.*)$`)

func fileMarker(line string) (string, bool) {
	if !strings.HasPrefix(line, "-- ") || !strings.HasSuffix(line, " --") || len(line) < 7 {
		return "", false
	}
	return strings.TrimSpace(line[3 : len(line)-3]), true
}

func (mv *modVersion) setHeader(key, value string) error {
	switch key {
	case "module":
		mv.path = value
	case "version":
		mv.version = value
	case "time":
		t, err := time.Parse(time.RFC3339, value)
		if err != nil {
			return fmt.Errorf("bad time: %v", err)
		}
		mv.time = t.UTC()
	case "pad":
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil || n < 0 || n > maxPadBytes {
			return fmt.Errorf("bad pad size %q", value)
		}
		mv.pad = n
	default:
		return fmt.Errorf("unknown header %q", key)
	}
	return nil
}

func (s *store) lookup(path, version string) *modVersion {
	return s.versions[path][version]
}

// list returns the tagged versions of path, sorted; pseudo-versions are left
// out as a proxy "should not include" them. ok is false for unknown modules.
func (s *store) list(path string) (versions []string, ok bool) {
	byVersion, ok := s.versions[path]
	if !ok {
		return nil, false
	}
	for v := range byVersion {
		if !module.IsPseudoVersion(v) {
			versions = append(versions, v)
		}
	}
	semver.Sort(versions)
	return versions, true
}

// latest is the highest release, else the highest prerelease, else the
// highest pseudo-version, like proxy.golang.org's @latest.
func (s *store) latest(path string) *modVersion {
	var release, pre, pseudo string
	for v := range s.versions[path] {
		switch {
		case module.IsPseudoVersion(v):
			if pseudo == "" || semver.Compare(v, pseudo) > 0 {
				pseudo = v
			}
		case semver.Prerelease(v) != "":
			if pre == "" || semver.Compare(v, pre) > 0 {
				pre = v
			}
		default:
			if release == "" || semver.Compare(v, release) > 0 {
				release = v
			}
		}
	}
	for _, v := range []string{release, pre, pseudo} {
		if v != "" {
			return s.versions[path][v]
		}
	}
	return nil
}

// zipFiles lists the files of the module zip: the fixture files plus the
// generated pad, plus a marker file when tampered.
func (mv *modVersion) zipFiles(tampered bool) []modzip.File {
	var files []modzip.File
	for _, f := range mv.files {
		files = append(files, memFile{name: f.name, data: f.data})
	}
	if mv.pad > 0 {
		files = append(files, padFile{name: "pad.bin", size: mv.pad, seed: seedOf(mv.path + "@" + mv.version)})
	}
	if tampered {
		files = append(files, memFile{name: tamperFileName, data: []byte("tampered by the test upstream\n")})
	}
	return files
}

// zip returns the path of the module zip, building it on first use. The zip
// is written to a temporary file and renamed so a half-written zip is never served.
func (s *store) zip(mv *modVersion, tampered bool) (string, error) {
	once, path, errp := &mv.zipOnce, &mv.zipPath, &mv.zipErr
	suffix := ".zip"
	if tampered {
		once, path, errp = &mv.tamperOnce, &mv.tamperPath, &mv.tamperErr
		suffix = ".tampered.zip"
	}
	once.Do(func() {
		esc, err := module.EscapePath(mv.path)
		if err != nil {
			*errp = err
			return
		}
		escVer, err := module.EscapeVersion(mv.version)
		if err != nil {
			*errp = err
			return
		}
		name := filepath.Join(s.zipDir, strings.ReplaceAll(esc, "/", "_")+"@"+escVer+suffix)
		tmp, err := os.CreateTemp(s.zipDir, "build-*.zip")
		if err != nil {
			*errp = err
			return
		}
		err = modzip.Create(tmp, module.Version{Path: mv.path, Version: mv.version}, mv.zipFiles(tampered))
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), name)
		}
		if err != nil {
			os.Remove(tmp.Name())
			*errp = fmt.Errorf("%s@%s: building zip: %v", mv.path, mv.version, err)
			return
		}
		*path = name
	})
	return *path, *errp
}

// gosum returns the checksum database record of path@version, always computed
// from the original (untampered) content.
func (s *store) gosum(path, version string) ([]byte, error) {
	mv := s.lookup(path, version)
	if mv == nil {
		return nil, fmt.Errorf("%s@%s: %w", path, version, fs.ErrNotExist)
	}
	zipPath, err := s.zip(mv, false)
	if err != nil {
		return nil, err
	}
	zipHash, err := dirhash.HashZip(zipPath, dirhash.Hash1)
	if err != nil {
		return nil, err
	}
	modHash, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(mv.gomod)), nil
	})
	if err != nil {
		return nil, err
	}
	return []byte(fmt.Sprintf("%s %s %s\n%s %s/go.mod %s\n", path, version, zipHash, path, version, modHash)), nil
}

func seedOf(s string) int64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return int64(h.Sum64() & (1<<63 - 1))
}

// memFile is a zip.File held in memory (fixture files are small).
type memFile struct {
	name string
	data []byte
}

func (f memFile) Path() string { return f.name }
func (f memFile) Lstat() (os.FileInfo, error) {
	return fileInfo{name: f.name, size: int64(len(f.data))}, nil
}
func (f memFile) Open() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(f.data)), nil }

// padFile is a zip.File of deterministic pseudo-random bytes, generated while
// streaming so that huge pads never sit in memory. Random bytes do not
// compress, so the zip really is about as large as the pad.
type padFile struct {
	name string
	size int64
	seed int64
}

func (f padFile) Path() string                { return f.name }
func (f padFile) Lstat() (os.FileInfo, error) { return fileInfo{name: f.name, size: f.size}, nil }
func (f padFile) Open() (io.ReadCloser, error) {
	return io.NopCloser(io.LimitReader(rand.New(rand.NewSource(f.seed)), f.size)), nil
}

type fileInfo struct {
	name string
	size int64
}

func (fi fileInfo) Name() string       { return filepath.Base(fi.name) }
func (fi fileInfo) Size() int64        { return fi.size }
func (fi fileInfo) Mode() fs.FileMode  { return 0o644 }
func (fi fileInfo) ModTime() time.Time { return defaultTime }
func (fi fileInfo) IsDir() bool        { return false }
func (fi fileInfo) Sys() any           { return nil }
