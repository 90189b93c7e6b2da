// Command upstream is the test bed's reference module proxy and checksum
// database: it serves txtar module fixtures over the GOPROXY protocol, runs a
// real x/mod sumdb.Server (so the real go command verifies against it) over a
// log that can start with millions of synthetic records and grow on request,
// and injects faults (latency, 5xx, resets, hangs, tampered zips) switched live through a
// small JSON admin API.
package main

import (
	"crypto/ed25519"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb"
	"golang.org/x/mod/sumdb/note"
)

// defaultKey is testdata/sumdb.key, the fixed signer key of the test
// checksum database "gobundle.test".
//
//go:embed testdata/sumdb.key
var defaultKey string

type dirList []string

func (d *dirList) String() string { return strings.Join(*d, string(os.PathListSeparator)) }
func (d *dirList) Set(v string) error {
	for _, p := range strings.Split(v, string(os.PathListSeparator)) {
		if p != "" {
			*d = append(*d, p)
		}
	}
	return nil
}

func main() {
	var dirs dirList
	flag.Var(&dirs, "modules", "directory of txtar module fixtures, searched recursively (repeatable or a path list)")
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	keyFile := flag.String("sumdb-key", "", "checksum database signer key file (default: the fixed test key)")
	logPath := flag.String("log", "", "also append each request as a JSON line to this file")
	prefill := flag.Int64("sumdb-prefill", 0, "start the checksum database with this many synthetic records (example.com/synthetic/m<id>)")
	toolchainDir := flag.String("toolchains", "", "also serve every v0.0.1-*.zip in this directory as a golang.org/toolchain version")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("upstream: ")

	skey := strings.TrimSpace(defaultKey)
	if *keyFile != "" {
		data, err := os.ReadFile(*keyFile)
		if err != nil {
			log.Fatal(err)
		}
		skey = strings.TrimSpace(string(data))
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		log.Fatalf("sumdb key: %v", err)
	}
	vkey, err := verifierKey(skey)
	if err != nil {
		log.Fatalf("sumdb key: %v", err)
	}

	zipDir, err := os.MkdirTemp("", "gobundle-upstream-zips-")
	if err != nil {
		log.Fatal(err)
	}
	st, err := loadStore(dirs, zipDir)
	if err == nil && *toolchainDir != "" {
		err = addToolchains(st, *toolchainDir)
	}
	if err != nil {
		os.RemoveAll(zipDir)
		log.Fatal(err)
	}

	start := time.Now()
	db, err := newSumLog(signer, st.gosum, *prefill)
	if err != nil {
		os.RemoveAll(zipDir)
		log.Fatalf("sumdb: %v", err)
	}
	if *prefill > 0 {
		log.Printf("sumdb: prefilled %d records in %v", *prefill, time.Since(start).Round(time.Millisecond))
	}

	var logFile *os.File
	if *logPath != "" {
		logFile, err = os.OpenFile(*logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			log.Fatal(err)
		}
	}
	srv := &server{
		store:      st,
		faults:     newFaultState(logFile),
		sumdbName:  signer.Name(),
		sumdbVKey:  vkey,
		sumdbLog:   db,
		sumdb:      sumdb.NewServer(db),
		sumdbPrefx: "/sumdb/" + signer.Name(),
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	httpSrv := &http.Server{Handler: srv, ReadHeaderTimeout: 30 * time.Second}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sigs
		close(srv.faults.stop)
		httpSrv.Close()
	}()

	fmt.Printf("listening on http://%s\n", ln.Addr())
	os.Stdout.Sync()
	err = httpSrv.Serve(ln)
	os.RemoveAll(zipDir)
	if err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

// verifierKey derives the public "name+hash+key" form from a signer key:
// both share the name and key hash, and the Ed25519 public key follows from
// the seed.
func verifierKey(skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", fmt.Errorf("malformed signer key")
	}
	return publicFromSigner(parts[2], parts[4])
}

func publicFromSigner(name, encoded string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", fmt.Errorf("malformed signer key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(name, pub)
}

type server struct {
	store      *store
	faults     *faultState
	sumdbName  string
	sumdbVKey  string
	sumdbLog   *sumLog
	sumdb      *sumdb.Server
	sumdbPrefx string
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_admin/sumdb" || strings.HasPrefix(r.URL.Path, "/_admin/sumdb/") {
		s.serveSumdbAdmin(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/_admin/") {
		s.faults.serveAdmin(w, r)
		return
	}
	rec := &recorder{ResponseWriter: w}
	entry := logEntry{Method: r.Method, Path: r.URL.Path}
	defer func() {
		entry.Status, entry.Bytes = rec.status, rec.bytes
		if rec.hijacked {
			entry.Status = 0
		}
		s.faults.record(entry)
	}()

	d, latency := s.faults.decide(r.URL.Path)
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case d.hang:
		entry.Fault = "hang"
		select {
		case <-r.Context().Done():
		case <-s.faults.stop:
		}
		return
	case d.fail5xx != 0:
		entry.Fault = "5xx"
		http.Error(rec, "injected fault", d.fail5xx)
		return
	case d.reset && !strings.HasSuffix(r.URL.Path, ".zip"):
		entry.Fault = "reset"
		rec.resetConn(nil)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(rec, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, s.sumdbPrefx+"/"); ok {
		if rest == "supported" {
			rec.WriteHeader(http.StatusOK)
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + rest
		s.sumdb.ServeHTTP(rec, r2)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/sumdb/") {
		notFound(rec, "unknown checksum database (this one is "+s.sumdbName+")")
		return
	}
	if fault := s.faults.bodyFault(r.URL.Path); fault != "" && r.Method == http.MethodGet {
		entry.Fault = fault
		s.serveBodyFault(rec, r, fault, &entry)
		return
	}
	s.serveProxy(rec, r, d.reset, &entry)
}

// serveBodyFault answers with the file's bytes damaged as fault says (see
// faults.Truncate, LieLength, HTML200, Oversize).
func (s *server) serveBodyFault(w *recorder, r *http.Request, fault string, entry *logEntry) {
	if fault == "html200" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>The upstream is unavailable. Try again later.</p></body></html>\n")
		return
	}
	// The honest answer, captured, then sent damaged.
	honest := httptest.NewRecorder()
	s.serveProxy(&recorder{ResponseWriter: honest}, r, false, entry)
	entry.Fault = fault
	body := honest.Body.Bytes()
	if honest.Code != http.StatusOK {
		w.WriteHeader(honest.Code)
		w.Write(body)
		return
	}
	contentType := honest.Header().Get("Content-Type")
	switch fault {
	case "truncate":
		w.closeConn(func(out io.Writer) (int64, error) {
			fmt.Fprintf(out, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nConnection: close\r\n\r\n", contentType)
			n, err := out.Write(body[:len(body)/2])
			return int64(n), err
		})
	case "stall":
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body[:len(body)/2])
		if f, ok := w.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		select {
		case <-r.Context().Done():
		case <-s.faults.stop:
		}
	case "lieLength":
		w.closeConn(func(out io.Writer) (int64, error) {
			fmt.Fprintf(out, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", contentType, len(body)+1000)
			n, err := out.Write(body)
			return int64(n), err
		})
	case "oversize":
		// cmd/go's limits (modfetch/fetch.go): go.mod 16 MiB, zip 500 MiB.
		limit := int64(16 << 20)
		if strings.HasSuffix(r.URL.Path, ".zip") {
			limit = 500 << 20
		}
		size := limit + 1
		w.Header().Set("Content-Type", contentType)
		if strings.HasSuffix(r.URL.Path, ".zip") {
			w.Header().Set("Content-Length", fmt.Sprint(size))
		}
		w.WriteHeader(http.StatusOK)
		w.Write(body)
		pad := make([]byte, 1<<20)
		for i := range pad {
			pad[i] = '\n'
		}
		for sent := int64(len(body)); sent < size; {
			n := int64(len(pad))
			if size-sent < n {
				n = size - sent
			}
			if _, err := w.Write(pad[:n]); err != nil {
				return // the client stopped reading
			}
			sent += n
		}
	}
}

// serveSumdbAdmin answers GET /_admin/sumdb (name, verifier key and tree
// size of the checksum database) and POST /_admin/sumdb/grow
// {"records": K}, which appends K synthetic records and answers the new
// tree size.
func (s *server) serveSumdbAdmin(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/_admin/sumdb" && r.Method == http.MethodGet:
		writeJSON(w, struct {
			Name        string `json:"name"`
			VerifierKey string `json:"verifierKey"`
			TreeSize    int64  `json:"treeSize"`
		}{s.sumdbName, s.sumdbVKey, s.sumdbLog.treeSize()})
	case r.URL.Path == "/_admin/sumdb/grow" && r.Method == http.MethodPost:
		var req struct {
			Records *int64 `json:"records"`
		}
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			http.Error(w, "bad grow request: "+err.Error(), http.StatusBadRequest)
			return
		}
		if req.Records == nil {
			http.Error(w, `bad grow request: want {"records": K}`, http.StatusBadRequest)
			return
		}
		n, err := s.sumdbLog.grow(*req.Records)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, struct {
			TreeSize int64 `json:"treeSize"`
		}{n})
	default:
		http.Error(w, "unknown admin request "+r.Method+" "+r.URL.Path, http.StatusNotFound)
	}
}

// serveProxy answers the GOPROXY protocol: $module/@v/list,
// $module/@v/$version.{info,mod,zip} and $module/@latest.
func (s *server) serveProxy(w *recorder, r *http.Request, reset bool, entry *logEntry) {
	p := strings.TrimPrefix(r.URL.Path, "/")
	var escPath, file string
	if before, ok := strings.CutSuffix(p, "/@latest"); ok {
		escPath, file = before, "@latest"
	} else if before, after, ok := strings.Cut(p, "/@v/"); ok {
		escPath, file = before, after
	} else {
		notFound(w, "not a module proxy path")
		return
	}
	path, err := module.UnescapePath(escPath)
	if err != nil {
		notFound(w, "invalid module path: "+err.Error())
		return
	}
	if _, ok := s.store.versions[path]; !ok {
		notFound(w, "unknown module "+path)
		return
	}
	switch file {
	case "list":
		versions, _ := s.store.list(path)
		var b strings.Builder
		for _, v := range versions {
			b.WriteString(v + "\n")
		}
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		w.Write([]byte(b.String()))
		return
	case "@latest":
		writeInfo(w, s.store.latest(path))
		return
	}
	var ext string
	for _, e := range []string{".info", ".mod", ".zip"} {
		if strings.HasSuffix(file, e) {
			ext = e
		}
	}
	if ext == "" {
		notFound(w, "unknown file "+file)
		return
	}
	version, err := module.UnescapeVersion(strings.TrimSuffix(file, ext))
	if err != nil {
		notFound(w, "invalid version: "+err.Error())
		return
	}
	mv := s.store.lookup(path, version)
	if mv == nil {
		notFound(w, fmt.Sprintf("%s@%s: unknown revision %s", path, version, version))
		return
	}
	switch ext {
	case ".info":
		writeInfo(w, mv)
	case ".mod":
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		w.Write(mv.gomod)
	case ".zip":
		tampered := s.faults.tampered(path, version)
		if tampered {
			entry.Fault = "tamper"
		}
		zipPath, err := s.store.zip(mv, tampered)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		f, err := os.Open(zipPath)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if reset {
			entry.Fault = "reset"
			w.resetConn(func(out io.Writer) (int64, error) {
				return writePartialFile(out, "application/zip", f, fi.Size())
			})
			return
		}
		w.Header().Set("Content-Type", "application/zip")
		w.Header().Set("Content-Length", fmt.Sprint(fi.Size()))
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusOK)
			return
		}
		io.Copy(w, f)
	}
}

func writeInfo(w http.ResponseWriter, mv *modVersion) {
	data, _ := json.Marshal(struct {
		Version string
		Time    string
	}{mv.version, mv.time.UTC().Format(time.RFC3339)})
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(data, '\n'))
}

// notFound answers 404 with a one-line text/plain reason, which the go
// command shows to the user.
func notFound(w http.ResponseWriter, reason string) {
	http.Error(w, reason, http.StatusNotFound)
}
