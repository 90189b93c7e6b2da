// Command sumdbvectors prints test vectors for gobundle's TypeScript port of
// golang.org/x/mod/sumdb/{note,tlog}, computed by x/mod itself, as JSON on
// stdout. Everything is deterministic: keys come from a seeded math/rand.
package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// recordingReader remembers the bytes GenerateKey consumed so the TS side can
// feed the same seed to its generateKey.
type recordingReader struct {
	r   io.Reader
	got []byte
}

func (r *recordingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.got = append(r.got, p[:n]...)
	return n, err
}

type keyVector struct {
	Name        string `json:"name"`
	SeedHex     string `json:"seedHex"`
	SignerKey   string `json:"signerKey"`
	VerifierKey string `json:"verifierKey"`
}

type noteVector struct {
	Text    string   `json:"text"`
	Signers []int    `json:"signers"` // indexes into keys
	Note    string   `json:"note"`
	// Open with only keys[Verify] known: the verified and unverified names.
	Verify     []int    `json:"verify"`
	Verified   []string `json:"verified"`
	Unverified []string `json:"unverified"`
}

type tileVector struct {
	Path      string `json:"path"`
	DataSHA   string `json:"dataSha256"`
	DataB64   string `json:"dataBase64,omitempty"`
}

type readVector struct {
	Indexes []int64  `json:"indexes"`
	Tiles   []string `json:"tiles"` // tiles requested by TileHashReader, in order
	Hashes  []string `json:"hashes"`
}

type proofVector struct {
	T     int64    `json:"t"`
	N     int64    `json:"n"`
	Proof []string `json:"proof"`
	// For tree proofs: hash of the tree of size n; for record proofs: leaf hash of record n.
	Hash        string   `json:"hash"`
	TreeHash    string   `json:"treeHash"`
	ProveTiles  []string `json:"proveTiles"` // tiles TileHashReader(tree t) requested to build the proof
}

type logVector struct {
	N                int64         `json:"n"`
	TreeHash         string        `json:"treeHash"`
	TreeText         string        `json:"treeText"`
	StoredHashCount  int64         `json:"storedHashCount"`
	StoredHashesSHA  string        `json:"storedHashesSha256"`
	FirstStored      []string      `json:"firstStored"`
	Tiles            []tileVector  `json:"tiles"` // NewTiles(8, 0, N) (full ones plus the final partial widths)
	Reads            []readVector  `json:"reads"`
	RecordProofs     []proofVector `json:"recordProofs"`
	TreeProofs       []proofVector `json:"treeProofs"`
	TileForIndex     [][2]string   `json:"tileForIndex"` // [index, path]
}

type indexVector struct {
	Level  int   `json:"level"`
	N      int64 `json:"n"`
	Index  int64 `json:"index"`
}

type output struct {
	Keys        []keyVector   `json:"keys"`
	Notes       []noteVector  `json:"notes"`
	Logs        []logVector   `json:"logs"`
	Indexes     []indexVector `json:"indexes"`
	TilePaths   [][2]string   `json:"tilePaths"` // [path, "H L N W"]
	Records     [][2]string   `json:"records"`   // [formatted, text]
	Clients     []clientVector `json:"clients"`
}

// clientVector: what x/mod's own sumdb.Client fetched to look up the
// records with these ids when every lookup carries the tree of size N.
type clientVector struct {
	N         int64    `json:"n"`
	IDs       []int64  `json:"ids"`
	Older     int64    `json:"older"` // the tree size the client remembered (0: none)
	Lines     []string `json:"lines"`
	Tiles     []string `json:"tiles"`
	Requests  []string `json:"requests"`
}

// clientOps serves one fixed tree from the in-memory log to sumdb.Client.
type clientOps struct {
	log      *memLog
	vkey     string
	name     string
	treeNote []byte
	mu       sync.Mutex
	requests []string
	config   map[string][]byte
}

func (o *clientOps) ReadRemote(path string) ([]byte, error) {
	o.mu.Lock()
	o.requests = append(o.requests, path)
	o.mu.Unlock()
	if strings.HasPrefix(path, "/lookup/") {
		at := strings.LastIndex(path, "@v1.0.")
		id, err := strconv.ParseInt(path[at+len("@v1.0."):], 10, 64)
		if err != nil {
			return nil, err
		}
		msg, err := tlog.FormatRecord(id, recordText(id))
		if err != nil {
			return nil, err
		}
		return append(msg, o.treeNote...), nil
	}
	if strings.HasPrefix(path, "/tile/") {
		t, err := tlog.ParseTilePath(path[1:])
		if err != nil {
			return nil, err
		}
		return tlog.ReadTileData(t, o.log)
	}
	return nil, fmt.Errorf("not found: %s", path)
}
func (o *clientOps) ReadConfig(file string) ([]byte, error) {
	if file == "key" {
		return []byte(o.vkey), nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.config[file], nil
}
func (o *clientOps) WriteConfig(file string, old, new []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.config[file] = new
	return nil
}
func (o *clientOps) ReadCache(file string) ([]byte, error) { return nil, fmt.Errorf("no cache") }
func (o *clientOps) WriteCache(file string, data []byte)    {}
func (o *clientOps) Log(msg string)                         {}
func (o *clientOps) SecurityError(msg string)               { panic(msg) }

func recordText(i int64) []byte {
	return []byte(fmt.Sprintf("example.com/m%d v1.0.%d h1:%s\nexample.com/m%d v1.0.%d/go.mod h1:%s\n",
		i%97, i, b64(sha256.Sum256([]byte(fmt.Sprint("z", i)))), i%97, i, b64(sha256.Sum256([]byte(fmt.Sprint("m", i))))))
}

func b64(h [32]byte) string { return base64.StdEncoding.EncodeToString(h[:]) }

func hashStrings(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.String()
	}
	return out
}

type memLog struct {
	hashes []tlog.Hash
}

func (m *memLog) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x >= int64(len(m.hashes)) {
			return nil, fmt.Errorf("index %d out of range", x)
		}
		out[i] = m.hashes[x]
	}
	return out, nil
}

// tileLogger serves tiles from the in-memory log and records what was asked.
type tileLogger struct {
	log   *memLog
	asked []string
}

func (t *tileLogger) Height() int { return 8 }
func (t *tileLogger) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, tile := range tiles {
		t.asked = append(t.asked, tile.Path())
		data, err := tlog.ReadTileData(tile, t.log)
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}
func (t *tileLogger) SaveTiles([]tlog.Tile, [][]byte) {}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func main() {
	var out output
	rnd := rand.New(rand.NewSource(20240501))
	var signers []note.Signer
	var verifiers []note.Verifier
	for _, name := range []string{"sum.example.test", "gobundle-test", "third.key/x"} {
		rr := &recordingReader{r: rnd}
		skey, vkey, err := note.GenerateKey(rr, name)
		must(err)
		s, err := note.NewSigner(skey)
		must(err)
		v, err := note.NewVerifier(vkey)
		must(err)
		signers = append(signers, s)
		verifiers = append(verifiers, v)
		out.Keys = append(out.Keys, keyVector{name, hex.EncodeToString(rr.got), skey, vkey})
	}

	for _, nv := range []noteVector{
		{Text: "hello\n", Signers: []int{0}, Verify: []int{0}},
		{Text: "go.sum database tree\n5\nAAAA\n", Signers: []int{0, 1}, Verify: []int{1}},
		{Text: "multi\nline\n\ttab is not allowed? no: tab is a control char\n", Signers: []int{2}, Verify: []int{2}},
		{Text: "unicode ✓ text\n", Signers: []int{1, 2, 0}, Verify: []int{0, 2}},
	} {
		var ss []note.Signer
		for _, i := range nv.Signers {
			ss = append(ss, signers[i])
		}
		msg, err := note.Sign(&note.Note{Text: nv.Text}, ss...)
		must(err)
		nv.Note = string(msg)
		var vs []note.Verifier
		for _, i := range nv.Verify {
			vs = append(vs, verifiers[i])
		}
		n, err := note.Open(msg, note.VerifierList(vs...))
		if err != nil {
			nv.Verified = []string{"error: " + err.Error()}
		} else {
			for _, s := range n.Sigs {
				nv.Verified = append(nv.Verified, s.Name)
			}
			for _, s := range n.UnverifiedSigs {
				nv.Unverified = append(nv.Unverified, s.Name)
			}
		}
		out.Notes = append(out.Notes, nv)
	}

	for _, lv := range []struct{ level int; n int64 }{{0, 0}, {0, 1}, {1, 0}, {0, 7}, {3, 1}, {0, 1000}, {8, 3}, {0, 70013}, {16, 1}, {2, 123456}} {
		out.Indexes = append(out.Indexes, indexVector{lv.level, lv.n, tlog.StoredHashIndex(lv.level, lv.n)})
	}
	for _, t := range []tlog.Tile{{8, 0, 0, 256}, {8, 0, 273, 126}, {8, 1, 1, 17}, {8, 2, 0, 1}, {8, -1, 1234067, 256}, {8, -1, 5, 3}, {8, 3, 1000, 256}, {8, 0, 999, 255}} {
		out.TilePaths = append(out.TilePaths, [2]string{t.Path(), fmt.Sprintf("%d %d %d %d", t.H, t.L, t.N, t.W)})
	}
	for _, i := range []int64{0, 42} {
		msg, err := tlog.FormatRecord(i, recordText(i))
		must(err)
		out.Records = append(out.Records, [2]string{string(msg), string(recordText(i))})
	}

	sizes := []int64{1, 2, 3, 7, 8, 255, 256, 257, 1000, 65536, 70014}
	log := &memLog{}
	treeHashes := map[int64]tlog.Hash{}
	var n int64
	for _, size := range sizes {
		for ; n < size; n++ {
			hs, err := tlog.StoredHashes(n, recordText(n), log)
			must(err)
			log.hashes = append(log.hashes, hs...)
		}
		th, err := tlog.TreeHash(size, log)
		must(err)
		treeHashes[size] = th
	}
	for _, size := range sizes {
		count := tlog.StoredHashCount(size)
		th := treeHashes[size]
		sum := sha256.New()
		for _, h := range log.hashes[:count] {
			sum.Write(h[:])
		}
		lv := logVector{
			N:               size,
			TreeHash:        th.String(),
			TreeText:        string(tlog.FormatTree(tlog.Tree{N: size, Hash: th})),
			StoredHashCount: count,
			StoredHashesSHA: hex.EncodeToString(sum.Sum(nil)),
		}
		for i := int64(0); i < count && i < 20; i++ {
			lv.FirstStored = append(lv.FirstStored, log.hashes[i].String())
		}
		tiles := tlog.NewTiles(8, 0, size)
		for _, tile := range tiles {
			data, err := tlog.ReadTileData(tile, log)
			must(err)
			tv := tileVector{Path: tile.Path(), DataSHA: fmt.Sprintf("%x", sha256.Sum256(data))}
			if size <= 1000 && tile.L > 0 || size <= 8 {
				tv.DataB64 = base64.StdEncoding.EncodeToString(data)
			}
			lv.Tiles = append(lv.Tiles, tv)
		}
		tree := tlog.Tree{N: size, Hash: th}
		var picks []int64
		for _, p := range []int64{0, 1, 7, 255, 256, 1000, size / 2, size - 1} {
			if p < size {
				picks = append(picks, p)
			}
		}
		for _, p := range picks {
			lv.TileForIndex = append(lv.TileForIndex, [2]string{fmt.Sprint(tlog.StoredHashIndex(0, p)), tlog.TileForIndex(8, tlog.StoredHashIndex(0, p)).Path()})
			tl := &tileLogger{log: log}
			hs, err := tlog.TileHashReader(tree, tl).ReadHashes([]int64{tlog.StoredHashIndex(0, p)})
			must(err)
			lv.Reads = append(lv.Reads, readVector{Indexes: []int64{tlog.StoredHashIndex(0, p)}, Tiles: tl.asked, Hashes: hashStrings(hs)})

			tl = &tileLogger{log: log}
			proof, err := tlog.ProveRecord(size, p, tlog.TileHashReader(tree, tl))
			must(err)
			lv.RecordProofs = append(lv.RecordProofs, proofVector{T: size, N: p, Proof: hashStrings(proof), Hash: tlog.RecordHash(recordText(p)).String(), TreeHash: th.String(), ProveTiles: tl.asked})
		}
		if len(picks) > 1 {
			tl := &tileLogger{log: log}
			idx := []int64{}
			for _, p := range picks {
				idx = append(idx, tlog.StoredHashIndex(0, p))
			}
			hs, err := tlog.TileHashReader(tree, tl).ReadHashes(idx)
			must(err)
			lv.Reads = append(lv.Reads, readVector{Indexes: idx, Tiles: tl.asked, Hashes: hashStrings(hs)})
		}
		for _, old := range sizes {
			if old > size {
				break
			}
			tl := &tileLogger{log: log}
			proof, err := tlog.ProveTree(size, old, tlog.TileHashReader(tree, tl))
			must(err)
			lv.TreeProofs = append(lv.TreeProofs, proofVector{T: size, N: old, Proof: hashStrings(proof), Hash: treeHashes[old].String(), TreeHash: th.String(), ProveTiles: tl.asked})
		}
		out.Logs = append(out.Logs, lv)
	}

	signTree := func(n int64) []byte {
		th, err := tlog.TreeHash(n, log)
		must(err)
		msg, err := note.Sign(&note.Note{Text: string(tlog.FormatTree(tlog.Tree{N: n, Hash: th}))}, signers[0])
		must(err)
		return msg
	}
	for _, cv := range []struct {
		n     int64
		ids   []int64
		older int64
	}{{70014, []int64{1000}, 0}, {70014, []int64{0, 1000, 5000, 69999}, 0}, {1000, []int64{0, 255, 256, 999}, 0}, {257, []int64{3}, 0}, {65536, []int64{65535, 0, 30000}, 0},
		// A client that remembers an older tree (GOPATH/pkg/sumdb/<name>/latest) proves the new one consistent with it first.
		{70014, []int64{1000, 69999}, 1000}, {70014, []int64{5}, 65536}, {70014, []int64{69999}, 69000}, {65536, []int64{3}, 257}, {1000, []int64{999}, 257}, {70014, []int64{70013}, 70013}} {
		msg := signTree(cv.n)
		ops := &clientOps{log: log, vkey: out.Keys[0].VerifierKey, name: out.Keys[0].Name, treeNote: msg, config: map[string][]byte{}}
		if cv.older > 0 {
			ops.config[out.Keys[0].Name+"/latest"] = signTree(cv.older)
		}
		c := sumdb.NewClient(ops)
		v := clientVector{N: cv.n, IDs: cv.ids, Older: cv.older}
		var wg sync.WaitGroup
		lines := make([][]string, len(cv.ids))
		for i, id := range cv.ids {
			wg.Add(1)
			go func(i int, id int64) {
				defer wg.Done()
				l, err := c.Lookup(fmt.Sprintf("example.com/m%d", id%97), fmt.Sprintf("v1.0.%d", id))
				must(err)
				lines[i] = l
			}(i, id)
		}
		wg.Wait()
		for _, l := range lines {
			v.Lines = append(v.Lines, l...)
		}
		seen := map[string]bool{}
		for _, r := range ops.requests {
			v.Requests = append(v.Requests, r)
			if strings.HasPrefix(r, "/tile/") && !seen[r] {
				seen[r] = true
				v.Tiles = append(v.Tiles, r[1:])
			}
		}
		sort.Strings(v.Tiles)
		sort.Strings(v.Requests)
		out.Clients = append(out.Clients, v)
	}

	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	must(enc.Encode(out))
}
