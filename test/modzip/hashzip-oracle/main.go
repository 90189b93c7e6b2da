// Command hashzip-oracle computes module hashes with golang.org/x/mod, for
// test/modzip/hashZip.test.ts and test/gomod/dirhash.test.ts.
//
//	hashzip-oracle zip <dir> <module> <version> <out.zip>   create a module zip (zip.CreateFromDir), print its h1 (dirhash.HashZip)
//	hashzip-oracle hashzip <file.zip>                       print dirhash.HashZip of an existing zip
//	hashzip-oracle gomod <file>                             print the go.sum hash of a go.mod (Hash1 over "go.mod")
//	hashzip-oracle sortsum < go.sum                          print go.sum lines in cmd/go's order (module.Sort, then sorted unique hashes)
//	hashzip-oracle rawzip <out.zip> [name content]...       write a zip with archive/zip as given (names ending in / are
//	                                                        directory entries; entries alternate Store and Deflate), print HashZip
package main

import (
	stdzip "archive/zip"
	"bufio"
	"fmt"
	"sort"
	"io"
	"os"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	"golang.org/x/mod/zip"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "hashzip-oracle:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: hashzip-oracle zip|hashzip|gomod ...")
	}
	switch args[0] {
	case "zip":
		if len(args) != 5 {
			return fmt.Errorf("usage: zip <dir> <module> <version> <out.zip>")
		}
		out, err := os.Create(args[4])
		if err != nil {
			return err
		}
		if err := zip.CreateFromDir(out, module.Version{Path: args[2], Version: args[3]}, args[1]); err != nil {
			out.Close()
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
		h, err := dirhash.HashZip(args[4], dirhash.Hash1)
		if err != nil {
			return err
		}
		fmt.Println(h)
	case "hashzip":
		h, err := dirhash.HashZip(args[1], dirhash.Hash1)
		if err != nil {
			return err
		}
		fmt.Println(h)
	case "gomod":
		data, err := os.ReadFile(args[1])
		if err != nil {
			return err
		}
		h, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
			return io.NopCloser(strings.NewReader(string(data))), nil
		})
		if err != nil {
			return err
		}
		fmt.Println(h)
	case "sortsum":
		// The write half of cmd/go's modfetch tidyGoSum.
		m := map[module.Version][]string{}
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 0 {
				continue
			}
			if len(f) != 3 {
				return fmt.Errorf("wrong number of fields %d", len(f))
			}
			mv := module.Version{Path: f[0], Version: f[1]}
			m[mv] = append(m[mv], f[2])
		}
		var mods []module.Version
		for mv := range m {
			mods = append(mods, mv)
		}
		module.Sort(mods)
		for _, mv := range mods {
			list := m[mv]
			sort.Strings(list)
			for i, h := range list {
				if i > 0 && list[i-1] == h {
					continue
				}
				fmt.Printf("%s %s %s\n", mv.Path, mv.Version, h)
			}
		}
	case "rawzip":
		if len(args) < 2 || len(args)%2 != 0 {
			return fmt.Errorf("usage: rawzip <out.zip> [name content]...")
		}
		out, err := os.Create(args[1])
		if err != nil {
			return err
		}
		w := stdzip.NewWriter(out)
		for i := 2; i < len(args); i += 2 {
			method := stdzip.Deflate
			if (i/2)%2 == 0 {
				method = stdzip.Store
			}
			fw, err := w.CreateHeader(&stdzip.FileHeader{Name: args[i], Method: method})
			if err != nil {
				return err
			}
			if _, err := io.WriteString(fw, args[i+1]); err != nil {
				return err
			}
		}
		if err := w.Close(); err != nil {
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
		h, err := dirhash.HashZip(args[1], dirhash.Hash1)
		if err != nil {
			return err
		}
		fmt.Println(h)
	default:
		return fmt.Errorf("unknown command %q", args[0])
	}
	return nil
}
