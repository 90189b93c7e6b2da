package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// faults is the live fault configuration, replaced as a whole by
// POST /_admin/faults. The zero value injects nothing.
type faults struct {
	LatencyMs   int      `json:"latencyMs"`
	Fail5xxRate float64  `json:"fail5xxRate"`
	ResetRate   float64  `json:"resetRate"`
	Hang        []string `json:"hang"`   // substrings of the URL path
	Tamper      []string `json:"tamper"` // "path@version" whose zip is altered
	Seed        int64    `json:"seed"`
	// Body faults, each a list of substrings of the URL path:
	Truncate  []string `json:"truncate"`  // half the body, no Content-Length, then a clean close
	LieLength []string `json:"lieLength"` // Content-Length 1000 bytes more than the body, then a clean close
	HTML200   []string `json:"html200"`   // status 200 with an HTML error page instead of the file
	Oversize  []string `json:"oversize"`  // .mod padded past 16 MiB; .zip announced (and streamed) past 500 MiB
	Stall     []string `json:"stall"`     // the whole Content-Length announced, half the body sent, then silence
}

// bodyFault names the body fault switched on for this URL path, or "".
func (fs *faultState) bodyFault(path string) string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, f := range []struct {
		name string
		list []string
	}{{"truncate", fs.cfg.Truncate}, {"lieLength", fs.cfg.LieLength}, {"html200", fs.cfg.HTML200}, {"oversize", fs.cfg.Oversize}, {"stall", fs.cfg.Stall}} {
		for _, sub := range f.list {
			if sub != "" && strings.Contains(path, sub) {
				return f.name
			}
		}
	}
	return ""
}

// A logEntry is one request as the test sees it. Fault names the injected
// fault, if any ("5xx", "reset", "hang", "tamper").
type logEntry struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Status int    `json:"status"`
	Bytes  int64  `json:"bytes"`
	Fault  string `json:"fault,omitempty"`
}

// A decision is what the fault layer chose for one request.
type decision struct {
	fail5xx int  // 500 or 503, 0 for none
	reset   bool // reset the connection (mid-body for zips)
	hang    bool
}

type faultState struct {
	mu      sync.Mutex
	cfg     faults
	rng     *rand.Rand
	log     []logEntry
	logFile *os.File
	stop    chan struct{} // closed when the server shuts down, releasing hung requests
}

func newFaultState(logFile *os.File) *faultState {
	return &faultState{rng: rand.New(rand.NewSource(0)), logFile: logFile, stop: make(chan struct{})}
}

func (fs *faultState) set(cfg faults) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.cfg = cfg
	fs.rng = rand.New(rand.NewSource(cfg.Seed))
}

func (fs *faultState) get() faults {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.cfg
}

// decide rolls the dice for one request; the rolls come from one seeded
// generator so a single-threaded client sees a reproducible sequence.
func (fs *faultState) decide(path string) (decision, time.Duration) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var d decision
	for _, h := range fs.cfg.Hang {
		if h != "" && strings.Contains(path, h) {
			d.hang = true
		}
	}
	if fs.cfg.Fail5xxRate > 0 || fs.cfg.ResetRate > 0 {
		roll := fs.rng.Float64()
		switch {
		case roll < fs.cfg.Fail5xxRate:
			d.fail5xx = http.StatusInternalServerError
			if fs.rng.Intn(2) == 1 {
				d.fail5xx = http.StatusServiceUnavailable
			}
		case roll < fs.cfg.Fail5xxRate+fs.cfg.ResetRate:
			d.reset = true
		}
	}
	return d, time.Duration(fs.cfg.LatencyMs) * time.Millisecond
}

func (fs *faultState) tampered(path, version string) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	key := path + "@" + version
	for _, t := range fs.cfg.Tamper {
		if t == key {
			return true
		}
	}
	return false
}

func (fs *faultState) record(e logEntry) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.log = append(fs.log, e)
	if fs.logFile != nil {
		line, _ := json.Marshal(e)
		fs.logFile.Write(append(line, '\n'))
	}
}

func (fs *faultState) serveAdmin(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/_admin/faults" && r.Method == http.MethodPost:
		var cfg faults
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cfg); err != nil {
			http.Error(w, "bad faults: "+err.Error(), http.StatusBadRequest)
			return
		}
		fs.set(cfg)
		writeJSON(w, cfg)
	case r.URL.Path == "/_admin/faults" && r.Method == http.MethodGet:
		writeJSON(w, fs.get())
	case r.URL.Path == "/_admin/log" && r.Method == http.MethodGet:
		fs.mu.Lock()
		entries := append([]logEntry{}, fs.log...)
		fs.mu.Unlock()
		writeJSON(w, entries)
	case r.URL.Path == "/_admin/log/reset" && r.Method == http.MethodPost:
		fs.mu.Lock()
		fs.log = nil
		fs.mu.Unlock()
		writeJSON(w, []logEntry{})
	default:
		http.Error(w, "unknown admin request "+r.Method+" "+r.URL.Path, http.StatusNotFound)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(data)
}

// recorder counts what a handler writes, for the request log.
type recorder struct {
	http.ResponseWriter
	status   int
	bytes    int64
	hijacked bool
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(p)
	r.bytes += int64(n)
	return n, err
}

// resetConn takes the connection over, lets write send raw bytes (a
// response head and part of a body; nil for none), and closes the connection
// with an RST so the client sees "connection reset" rather than a clean EOF.
func (r *recorder) resetConn(write func(w io.Writer) (int64, error)) {
	hj, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		panic("upstream: response writer cannot be hijacked")
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	r.hijacked = true
	if write != nil {
		n, _ := write(buf)
		buf.Flush()
		r.bytes += n
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		tcp.SetLinger(0)
	}
	conn.Close()
}

// closeConn takes the connection over, lets write send raw bytes, and
// closes it cleanly (FIN): the client sees an ordinary end of stream.
func (r *recorder) closeConn(write func(w io.Writer) (int64, error)) {
	hj, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		panic("upstream: response writer cannot be hijacked")
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	r.hijacked = true
	n, _ := write(buf)
	buf.Flush()
	r.bytes += n
	conn.Close()
}

// writePartialFile writes the head of a 200 response announcing the whole
// file, then only its first half.
func writePartialFile(w io.Writer, contentType string, f *os.File, size int64) (int64, error) {
	head := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", contentType, size)
	if _, err := io.WriteString(w, head); err != nil {
		return 0, err
	}
	return io.CopyN(w, f, size/2)
}
