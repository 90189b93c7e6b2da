package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const (
	syntheticPathPrefix = "example.com/synthetic/m"
	syntheticVersion    = "v1.0.0"

	// maxTreeSize bounds prefill and growth: at 64 bytes of stored hashes a
	// record, 1<<25 records (tens of millions, like sum.golang.org) take 2 GiB.
	maxTreeSize = 1 << 25
)

// storedHashes implements tlog.HashReader over the stored hashes of the
// whole log, in storage order (tlog.StoredHashIndex). An index past the end
// is a hash of a tree larger than the log: not found, so a tile beyond the
// tree answers 404 as on sum.golang.org.
type storedHashes []tlog.Hash

func (h storedHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	list := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(h)) {
			return nil, notExist(fmt.Sprintf("stored hash %d of %d", x, len(h)))
		}
		list[i] = h[x]
	}
	return list, nil
}

// notExist is the not-found error sumdb.Server answers with 404: it tests
// os.IsNotExist, which sees fs.ErrNotExist only bare or in a *fs.PathError
// (x/mod sumdb/server.go reportError).
func notExist(what string) error {
	return &fs.PathError{Op: "read", Path: what, Err: fs.ErrNotExist}
}

// A sumLog is the checksum database's log, an implementation of x/mod's
// sumdb.ServerOps modelled on sumdb.TestServer (x/mod sumdb/test.go), made
// to reach the size of sum.golang.org: it can start with millions of
// synthetic records and grow by more between two packs, so that tiles sit
// on three or four levels and consistency proofs between two tree sizes
// take real work.
//
// A synthetic record is never stored: the record with id i, unless a
// fixture module took that id, is the one of example.com/synthetic/m<i>
// v1.0.0, regenerated from i on demand. Only the stored hashes
// (tlog.StoredHashes, about two per record) are kept: 64 bytes a record.
// Fixture modules are appended when first looked up, with their real
// hashes, as TestServer does.
type sumLog struct {
	signer note.Signer
	gosum  func(path, vers string) ([]byte, error)

	mu       sync.Mutex
	n        int64 // records in the log
	hashes   storedHashes
	fixtures map[int64][]byte // id → record text; every other id is synthetic
	lookup   map[string]int64 // "path@version" → id, fixture modules only
}

// newSumLog starts a log holding prefill synthetic records (ids 0 to
// prefill-1), signing its tree heads with signer and computing fixture
// records with gosum.
func newSumLog(signer note.Signer, gosum func(path, vers string) ([]byte, error), prefill int64) (*sumLog, error) {
	l := &sumLog{signer: signer, gosum: gosum, fixtures: map[int64][]byte{}, lookup: map[string]int64{}}
	if _, err := l.grow(prefill); err != nil {
		return nil, err
	}
	return l, nil
}

// syntheticRecord is the record text of example.com/synthetic/m<id>
// v1.0.0, in the form sumdb.Server serves and the go command parses (x/mod
// sumdb/client.go Lookup): two go.sum lines. Each h1 value is the SHA-256
// of its line's own "path version" text, valid in form (44 characters of
// padded base64) though no zip or go.mod has it.
func syntheticRecord(id int64) []byte {
	path := syntheticPathPrefix + strconv.FormatInt(id, 10)
	versions := [2]string{syntheticVersion, syntheticVersion + "/go.mod"}
	b := make([]byte, 0, 2*(len(path)+len(" h1:")+44+1)+len(versions[0])+len(versions[1]))
	for _, v := range versions {
		start := len(b)
		b = append(b, path...)
		b = append(b, ' ')
		b = append(b, v...)
		sum := sha256.Sum256(b[start:])
		var h1 [44]byte
		base64.StdEncoding.Encode(h1[:], sum[:])
		b = append(b, " h1:"...)
		b = append(b, h1[:]...)
		b = append(b, '\n')
	}
	return b
}

// syntheticID is the id m names if it is a synthetic module: the decimal
// after the prefix, written the way syntheticRecord writes it.
func syntheticID(m module.Version) (int64, bool) {
	digits, ok := strings.CutPrefix(m.Path, syntheticPathPrefix)
	if !ok || m.Version != syntheticVersion {
		return 0, false
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || id < 0 || strconv.FormatInt(id, 10) != digits {
		return 0, false
	}
	return id, true
}

// appendLocked adds one record at id l.n; l.mu must be held.
func (l *sumLog) appendLocked(text []byte) (int64, error) {
	id := l.n
	hashes, err := tlog.StoredHashesForRecordHash(id, tlog.RecordHash(text), l.hashes)
	if err != nil {
		return 0, err
	}
	l.hashes = append(l.hashes, hashes...)
	l.n++
	return id, nil
}

// grow appends k synthetic records and returns the new tree size.
func (l *sumLog) grow(k int64) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if k < 0 {
		return 0, fmt.Errorf("growing the log by %d records: negative", k)
	}
	if k > maxTreeSize-l.n {
		return 0, fmt.Errorf("growing the log of %d records by %d: the limit is %d records", l.n, k, maxTreeSize)
	}
	l.hashes = slices.Grow(l.hashes, int(tlog.StoredHashCount(l.n+k)-int64(len(l.hashes))))
	for end := l.n + k; l.n < end; {
		if _, err := l.appendLocked(syntheticRecord(l.n)); err != nil {
			return 0, err
		}
	}
	return l.n, nil
}

// treeSize is the number of records in the log.
func (l *sumLog) treeSize() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

func (l *sumLog) Signed(ctx context.Context) ([]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h, err := tlog.TreeHash(l.n, l.hashes)
	if err != nil {
		return nil, err
	}
	text := tlog.FormatTree(tlog.Tree{N: l.n, Hash: h})
	return note.Sign(&note.Note{Text: string(text)}, l.signer)
}

func (l *sumLog) ReadRecords(ctx context.Context, id, n int64) ([][]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if id < 0 || n < 0 || id+n > l.n {
		return nil, notExist(fmt.Sprintf("records %d to %d (the log has %d)", id, id+n-1, l.n))
	}
	list := make([][]byte, n)
	for i := range list {
		text, ok := l.fixtures[id+int64(i)]
		if !ok {
			text = syntheticRecord(id + int64(i))
		}
		list[i] = text
	}
	return list, nil
}

func (l *sumLog) Lookup(ctx context.Context, m module.Version) (int64, error) {
	key := m.String()
	l.mu.Lock()
	id, ok := l.lookup[key]
	if !ok {
		if sid, synthetic := syntheticID(m); synthetic && sid < l.n && l.fixtures[sid] == nil {
			id, ok = sid, true
		}
	}
	l.mu.Unlock()
	if ok {
		return id, nil
	}

	// Compute the fixture's go.sum lines without the lock (it may build a
	// zip); if another lookup committed the module meanwhile, use that.
	data, err := l.gosum(m.Path, m.Version)
	if err != nil {
		return 0, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if id, ok := l.lookup[key]; ok {
		return id, nil
	}
	if l.n >= maxTreeSize {
		return 0, fmt.Errorf("log full: %d records", l.n)
	}
	id, err = l.appendLocked(data)
	if err != nil {
		return 0, err
	}
	l.fixtures[id] = data
	l.lookup[key] = id
	return id, nil
}

func (l *sumLog) ReadTileData(ctx context.Context, t tlog.Tile) ([]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return tlog.ReadTileData(t, l.hashes)
}
