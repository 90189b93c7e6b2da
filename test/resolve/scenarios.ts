/**
 * Module-graph scenarios in the graphText language, shared by the unit tests
 * (graph.test.ts) and the cross-check against the real go command
 * (goOracle.test.ts). Expectations were derived from cmd/go 1.23's modload
 * and confirmed by the oracle test.
 */
export const SCENARIOS = `
# Unpruned main module: every go.mod in the transitive closure is read.
name: unpruned-closure
main go=1.16: a1 b1
a1 go=1.16: c1
b1: c2 d1
c1:
c2: e1
d1 go=1.17:
e1 go=1.17:
build: a1 b1 c2 d1 e1
loaded: a1 b1 c1 c2 d1 e1

# No go line in the main module: unpruned.
name: main-without-go-line
main: a1
a1 go=1.17: b1
b1 go=1.17: c1
c1 go=1.17:
build: a1 b1 c1
loaded: a1 b1 c1

# Pruned: roots' go.mods are read, their requirements join the graph unread.
name: pruned-roots-only
main go=1.17: a1 b1
a1 go=1.17: c1
b1 go=1.17: c2
c1 go=1.17: d1
c2 go=1.17: d2
build: a1 b1 c2
loaded: a1 b1

# cmd/go modload/buildlist.go readModGraph: below an unpruned root everything is read, even c1 while c1.1 is selected.
name: pruned-with-unpruned-root
main go=1.21: b1 c1.1
b1 go=1.16: d1
d1 go=1.16: c1
c1 go=1.21:
c1.1 go=1.21:
build: b1 c1.1 d1
loaded: b1 c1 c1.1 d1

# Below an unpruned root, modules that would prune are walked too.
name: unpruned-root-walks-pruned-modules
main go=1.17: a1
a1 go=1.16: b1
b1 go=1.17: c1
c1 go=1.17: d1
d1 go=1.17:
build: a1 b1 c1 d1
loaded: a1 b1 c1 d1

# A root selected above its listed version is updated and the graph reloaded,
# pulling in requirements that were pruned out; the first load's reads count.
name: root-update-pulls-pruned
main go=1.17: a1 b1
a1 go=1.17: b2
b1 go=1.17: c1
b2 go=1.17: c2 d1
c1 go=1.17:
c2 go=1.17:
d1 go=1.17:
build: a1 b2 c2 d1
loaded: a1 b1 b2

# Root updates repeat until the roots are stable.
name: root-update-chain
main go=1.17: a1 b1
a1 go=1.17: b2
b1 go=1.17:
b2 go=1.17: a2
a2 go=1.17: b3
b3 go=1.17:
build: a2 b3
loaded: a1 a2 b1 b2 b3

name: root-update-readonly
mode: readonly
main go=1.17: a1 b1
a1 go=1.17: b2
b1 go=1.17:
b2 go=1.17:
error: updates to go.mod needed; to update it:\\n\\tgo mod tidy

# A dependency at a newer go raises the "go" root: the roots are updated (same graph).
name: go-root-raised
main go=1.21: a1
a1 go=1.22: b1
b1 go=1.22:
build: a1 b1
loaded: a1

name: go-root-raised-readonly
mode: readonly
main go=1.21: a1
a1 go=1.22: b1
b1 go=1.22:
error: updates to go.mod needed; to update it:\\n\\tgo mod tidy

name: consistent-readonly
mode: readonly
main go=1.22: a1 b1
a1 go=1.22: b1
b1 go=1.22:
build: a1 b1
loaded: a1 b1

# Requirements on excluded versions are dropped, in the main module and in dependencies.
name: exclude-pruned
main go=1.17: a1 c3
exclude c2 c3
a1 go=1.17: c2 d1
d1 go=1.17:
build: a1 d1
loaded: a1

name: exclude-unpruned
main go=1.16: a1
exclude c2
a1: b1 c1
b1: c2
c1:
c2: e1
build: a1 b1 c1
loaded: a1 b1 c1

# Replacements: version-specific, every-version, and local directory.
name: replace-kinds
main go=1.17: a1 b1 c1
replace a1 => x1
replace b => y2
replace c => ./c
x1 go=1.17 module=a: d1
y2 go=1.17: e1
dir ./c go=1.17: f1
d1 go=1.17:
e1 go=1.17:
f1 go=1.17:
build: a1=>x1 b1=>y2 c1=>./c d1 e1 f1
loaded: x1 y2

# A version-specific replacement beats an every-version one.
name: replace-specific-wins
main go=1.17: a1
replace a => x1
replace a1 => x2
x2 go=1.17 module=a:
build: a1=>x2
loaded: x2

# A replacement for a version that ends up not selected: its go.mod is still read.
name: replace-unselected-version
main go=1.17: a1 b1
b1 go=1.17: a2
replace a1 => x1
x1 go=1.17 module=a:
a2 go=1.17:
build: a2 b1
loaded: a2 b1 x1

# A local replacement without a go line is unpruned: its closure is read.
name: replace-local-unpruned
main go=1.17: a1
replace a => ../a
dir ../a: b1
b1 go=1.17: c1
c1 go=1.17:
build: a1=>../a b1 c1
loaded: b1 c1

name: replace-module-line-mismatch
main go=1.17: a1
replace a1 => x1
x1 go=1.17 module=z:
error: example.com/a@v1.1.0 (replaced by example.com/x@v1.1.0): parsing go.mod:\\n\\tmodule declares its path as: example.com/z\\n\\t        but was required as: example.com/a

name: module-line-mismatch
main go=1.17: a1
a1 go=1.16: b1
b1 go=1.16 module=z:
error: example.com/a@v1.1.0 requires\\n\\texample.com/b@v1.1.0: parsing go.mod:\\n\\tmodule declares its path as: example.com/z\\n\\t        but was required as: example.com/b

name: missing-go-mod
main go=1.16: a1
a1: b1
error: example.com/a@v1.1.0 requires\\n\\texample.com/b@v1.1.0: not found

# Cycles, including back to the main module at a published version.
name: cycle-unpruned
main go=1.16: a1
a1: b1
b1: a2
a2: b1
build: a2 b1
loaded: a1 a2 b1

name: cycle-through-main
main go=1.17: a1
a1 go=1.16: main1
main1 go=1.16: b1
b1:
build: a1 b1
loaded: a1 b1 main1

# A requirement on the main module itself is a redundant root: dropped with -mod=mod...
name: main-as-root
main go=1.17: a1 main1
main1 go=1.17: b1
a1 go=1.17:
build: a1
loaded: a1

# ...but kept (and read) with -mod=readonly.
name: main-as-root-readonly
mode: readonly
main go=1.17: a1 main1
main1 go=1.17: b1
a1 go=1.17:
b1 go=1.17:
build: a1 b1
loaded: a1 main1

# A diamond where the higher version of a shared dependency is reached late.
name: unpruned-diamond
main go=1.16: a1 b1
a1: c1
b1: d1
d1: c3
c1: e1
c3: e2
e1:
e2:
build: a1 b1 c3 d1 e2
loaded: a1 b1 c1 c3 d1 e1 e2

# A toolchain line is a root too; raising go past it updates both.
name: toolchain-root
main go=1.21 toolchain=go1.21.1: a1
a1 go=1.22.0: b1
b1 go=1.21:
build: a1 b1
loaded: a1

# Two requirements on one path: the lower one is dropped before loading with -mod=mod.
name: duplicate-root
main go=1.17: a1 a2
a1 go=1.17: b1
a2 go=1.17: c1
b1 go=1.17:
c1 go=1.17:
build: a2 c1
loaded: a2

# An every-version replacement applies to whichever version is selected.
name: replace-wildcard-follows-selection
main go=1.17: a1 b1
b1 go=1.17: a2
replace a => x3
x3 go=1.17 module=a: c1
c1 go=1.17:
build: a2=>x3 b1 c1
loaded: b1 x3

# A version-specific local replacement of a version that is not selected.
name: replace-local-unselected
main go=1.16: a1 b1
b1: a2
replace a1 => ./a
dir ./a: c1
a2:
c1:
build: a2 b1 c1
loaded: a2 b1 c1

# An excluded root version required again by a dependency at another version.
name: exclude-root-reached-elsewhere
main go=1.17: a1 b1
exclude b1
a1 go=1.17: b2
b2 go=1.17: c1
c1 go=1.17:
build: a1 b2
loaded: a1
`;
