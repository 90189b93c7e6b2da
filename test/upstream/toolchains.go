package main

// Serving Go toolchains: every <dir>/v0.0.1-<toolchain>.<goos>-<goarch>.zip
// (laid out as cmd/distpack writes the module form of a distribution) is a
// version of the module golang.org/toolchain, with the .mod distpack writes
// and a record in the checksum database computed from the zip as it is.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

const toolchainModule = "golang.org/toolchain"

// addToolchains adds the toolchain zips found in dir to the store.
func addToolchains(st *store, dir string) error {
	zips, err := filepath.Glob(filepath.Join(dir, "v0.0.1-*.zip"))
	if err != nil {
		return err
	}
	for _, zipPath := range zips {
		version := strings.TrimSuffix(filepath.Base(zipPath), ".zip")
		if _, err := os.Stat(zipPath); err != nil {
			return err
		}
		byVersion := st.versions[toolchainModule]
		if byVersion == nil {
			byVersion = map[string]*modVersion{}
			st.versions[toolchainModule] = byVersion
		}
		mv := &modVersion{
			path:    toolchainModule,
			version: version,
			time:    defaultTime,
			gomod:   []byte(fmt.Sprintf("module %s\n", toolchainModule)),
			source:  zipPath,
		}
		// The zip exists already: store.zip serves it as is.
		abs, err := filepath.Abs(zipPath)
		if err != nil {
			return err
		}
		mv.zipOnce.Do(func() { mv.zipPath = abs })
		byVersion[version] = mv
	}
	return nil
}
