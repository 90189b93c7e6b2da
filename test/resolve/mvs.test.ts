/**
 * MVS table tests ported from cmd/go/internal/mvs/mvs_test.go (the build and
 * req cases; upgrade and downgrade are not part of gobundle's resolver).
 * A module `B1` is path "B" at version "1"; versions compare as strings with
 * "none" lowest and "" (the target) highest, exactly like the Go test's reqsMap.
 */
import { describe, expect, test } from 'vitest';
import { buildList, Graph, req, type Reqs } from '../../src/resolve/mvs.js';
import { type ModuleVersion } from '../../src/gomod/moduleVersion.js';

const tests = `
# Scenario from blog.
name: blog
A: B1 C2
B1: D3
C1: D2
C2: D4
C3: D5
C4: G1
D2: E1
D3: E2
D4: E2 F1
D5: E2
G1: C4
A2: B1 C4 D4
build A:       A B1 C2 D4 E2 F1
build A2:     A2 B1 C4 D4 E2 F1 G1

name: trim
A: B1 C2
B1: D3
C2: B2
B2:
build A: A B2 C2 D3

# Cross-dependency between D and E.
# No matter how it arises, should get result of merging all build lists via max,
# which leads to including both D2 and E2.

name: cross1
A: B C
B: D1
C: D2
D1: E2
D2: E1
build A: A B C D2 E2

name: cross1V
A: B2 C D2 E1
B1:
B2: D1
C: D2
D1: E2
D2: E1
build A: A B2 C D2 E2

name: cross1U
A: B1 C
B1:
B2: D1
C: D2
D1: E2
D2: E1
build A:      A B1 C D2 E1

name: cross1R
A: B C
B: D2
C: D1
D1: E2
D2: E1
build A: A B C D2 E2

name: cross1X
A: B C
B: D1 E2
C: D2
D1: E2
D2: E1
build A: A B C D2 E2

name: cross2
A: B D2
B: D1
D1: E2
D2: E1
build A: A B D2 E2

name: cross2X
A: B D2
B: D1 E2
C: D2
D1: E2
D2: E1
build A: A B D2 E2

name: cross3
A: B D2 E1
B: D1
D1: E2
D2: E1
build A: A B D2 E2

name: cross3X
A: B D2 E1
B: D1 E2
D1: E2
D2: E1
build A: A B D2 E2

# Should not get E2 here, because B has been updated
# not to depend on D1 anymore.
name: cross4
A1: B1 D2
A2: B2 D2
B1: D1
B2: D2
D1: E2
D2: E1
build A1: A1 B1 D2 E2
build A2: A2 B2 D2 E1

# But the upgrade from A1 preserves the E2 dep explicitly.

name: cross5
A: D1
D1: E2
D2: E1
build A:       A D1 E2

name: cross6
A: D2
D1: E2
D2: E1
build A:      A D2 E1

name: cross7
A: B C
B: D1
C: E1
D1: E2
E1: D2
build A: A B C D2 E2

# golang.org/issue/31248:
# Even though we select X2, the requirement on I1
# via X1 should be preserved.
name: cross8
M: A1 B1
A1: X1
B1: X2
X1: I1
X2:
build M: M A1 B1 I1 X2

# Upgrade from B1 to B2 should not drop the transitive dep on D.
name: drop
A: B1 C1
B1: D1
B2:
C2:
D2:
build A:    A B1 C1 D1

name: simplify
A: B1 C1
B1: C2
C1: D1
C2:
build A: A B1 C2 D1

name: up1
A: B1 C1
B1:
B2:
B3:
B4:
B5.hidden:
C2:
C3:
build A:    A B1 C1

name: up2
A: B5.hidden C1
B1:
B2:
B3:
B4:
B5.hidden:
C2:
C3:
build A:    A B5.hidden C1

name: down1
A: B2
B1: C1
B2: C2
build A:        A B2 C2

name: down2
A: B2 E2
B1:
B2: C2 F2
C1:
D1:
C2: D2 E2
D2: B2
E2: D2
E1:
F1:
build A:        A B2 C2 D2 E2 F2

# https://research.swtch.com/vgo-mvs#algorithm_4:
# “[D]owngrades are constrained to only downgrade packages, not also upgrade
# them; if an upgrade before downgrade is needed, the user must ask for it
# explicitly.”
#
# Here, downgrading B2 to B1 upgrades C1 to C2, and C2 does not depend on D2.
# However, C2 would be an upgrade — not a downgrade — so B1 must also be
# rejected.
name: downcross1
A: B2 C1
B1: C2
B2: C1
C1: D2
C2:
D1:
D2:
build A:        A B2 C1 D2

# https://research.swtch.com/vgo-mvs#algorithm_4:
# “Unlike upgrades, downgrades must work by removing requirements, not adding
# them.”
#
# However, downgrading a requirement may introduce a new requirement on a
# previously-unrequired module. If each dependency's requirements are complete
# (“tidy”), that can't change the behavior of any other package whose version is
# not also being downgraded, so we should allow it.
name: downcross2
A: B2
B1: C1
B2: D2
C1:
D1:
D2:
build A:        A B2    D2

name: downcycle
A: A B2
B2: A
B1:
build A:        A B2

# Both B3 and C2 require D2.
# If we downgrade D to D1, then in isolation B3 would downgrade to B1,
# because B2 is hidden — B1 is the next-highest version that is not hidden.
# However, if we downgrade D, we will also downgrade C to C1.
# And C1 requires B2.hidden, and B2.hidden also meets our requirements:
# it is compatible with D1 and a strict downgrade from B3.
#
# Since neither the initial nor the final build list includes B1,
# and the nothing in the final downgraded build list requires E at all,
# no dependency on E1 (required by only B1) should be introduced.
#
name: downhiddenartifact
A: B3 C2
A1: B3
B1: E1
B2.hidden:
B3: D2
C1: B2.hidden
C2: D2
D1:
D2:
build A1: A1 B3 D2
build A: A B3 C2 D2

# Both B3 and C3 require D2.
# If we downgrade D to D1, then in isolation B3 would downgrade to B1,
# and C3 would downgrade to C1.
# But C1 requires B2.hidden, and B1 requires C2.hidden, so we can't
# downgrade to either of those without pulling the other back up a little.
#
# B2.hidden and C2.hidden are both compatible with D1, so that still
# meets our requirements — but then we're in an odd state in which
# B and C have both been downgraded to hidden versions, without any
# remaining requirements to explain how those hidden versions got there.
#
# TODO(bcmills): Would it be better to force downgrades to land on non-hidden
# versions?
# In this case, that would remove the dependencies on B and C entirely.
#
name: downhiddencross
A: B3 C3
B1: C2.hidden
B2.hidden:
B3: D2
C1: B2.hidden
C2.hidden:
C3: D2
D1:
D2:
build A: A B3 C3 D2

# golang.org/issue/25542.
name: noprev1
A: B4 C2
B2.hidden:
C2:
build A:               A B4        C2

name: noprev2
A: B4 C2
B2.hidden:
B1:
C2:
build A:               A B4        C2

name: noprev3
A: B4 C2
B3:
B2.hidden:
C2:
build A:               A B4        C2

# Cycles involving the target.

# The target must be the newest version of itself.
name: cycle1
A: B1
B1: A1
B2: A2
B3: A3
build A:      A B1

# golang.org/issue/29773:
# Requirements of older versions of the target
# must be carried over.
name: cycle2
A: B1
A1: C1
A2: D1
B1: A1
B2: A2
C1: A2
C2:
D2:
build A:    A B1 C1 D1

# Cycles with multiple possible solutions.
# (golang.org/issue/34086)
name: cycle3
M: A1 C2
A1: B1
B1: C1
B2: C2
C1:
C2: B2
build M: M A1 B2 C2
req M:     A1 B2
req M A:   A1 B2
req M C:   A1 C2

# Requirement minimization.

name: req1
A: B1 C1 D1 E1 F1
B1: C1 E1 F1
req A:   B1    D1
req A C: B1 C1 D1

name: req2
A: G1 H1
G1: H1
H1: G1
req A:   G1
req A G: G1
req A H: H1

name: req3
M: A1 B1
A1: X1
B1: X2
X1: I1
X2:
req M: A1 B1

name: reqnone
M: Anone B1 D1 E1
B1: Cnone D1
E1: Fnone
build M: M B1 D1 E1
req M:     B1    E1

name: reqdup
M: A1 B1
A1: B1
B1:
req M A A: A1

name: reqcross
M: A1 B1 C1
A1: B1 C1
B1: C1
C1:
req M A B: A1 B1
`;

const m = (s: string): ModuleVersion => ({ path: s.slice(0, 1), version: s.slice(1) });
const key = (v: ModuleVersion): string => v.path + v.version;

class ReqsMap implements Reqs {
  readonly map = new Map<string, ModuleVersion[]>();
  max(_p: string, v1: string, v2: string): string {
    if (v1 === 'none' || v2 === '') return v2;
    if (v2 === 'none' || v1 === '') return v1;
    return v1 < v2 ? v2 : v1;
  }
  required(mv: ModuleVersion): ModuleVersion[] {
    const r = this.map.get(key(mv));
    if (r === undefined) throw new Error(`missing module: ${key(mv)}`);
    return r;
  }
}

interface Case {
  scenario: string;
  op: 'build' | 'req';
  args: string[];
  want: string;
  reqs: ReqsMap;
}

function parse(text: string): Case[] {
  const cases: Case[] = [];
  let name = '';
  let reqs = new ReqsMap();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i < 0) throw new Error(`missing colon: ${line}`);
    const kf = line.slice(0, i).trim().split(/\s+/);
    const val = line.slice(i + 1).trim();
    if (kf[0] === 'name') {
      name = val;
      reqs = new ReqsMap();
    } else if (kf[0] === 'build' || kf[0] === 'req') {
      cases.push({ scenario: name, op: kf[0], args: kf.slice(1), want: val.split(/\s+/).filter(Boolean).join(' '), reqs });
    } else if (kf.length === 1 && /^[A-Z]/.test(kf[0]!)) {
      const rs = val.split(/\s+/).filter(Boolean).map(m);
      for (const r of rs) if (!reqs.map.has(key(r))) reqs.map.set(key(r), []);
      reqs.map.set(kf[0]!, rs);
    } else {
      throw new Error(`bad line: ${line}`);
    }
  }
  return cases;
}

describe('mvs', () => {
  test.each(parse(tests).map((c) => [`${c.scenario}: ${c.op} ${c.args.join(' ')}`, c] as const))('%s', async (_label, c) => {
    const list = c.op === 'build' ? await buildList([m(c.args[0]!)], c.reqs) : await req(m(c.args[0]!), c.args.slice(1), c.reqs);
    const got = list.map(key).join(' ');
    expect(got, `${c.op} ${c.args.join(' ')} = ${got}, want ${c.want}`).toBe(c.want);
  });

  test('buildList reports the requirement path to a missing module', async () => {
    const reqs = new ReqsMap();
    reqs.map.set('A', [m('B1')]);
    reqs.map.set('B1', [m('C1')]);
    await expect(buildList([m('A')], reqs)).rejects.toThrow('B@1 requires\n\tC@1: missing module: C1');
  });

  test('Graph.buildList puts roots first and sorts the rest by path', () => {
    const g = new Graph((_p, a, b) => (a === b ? 0 : a === 'none' || (b !== 'none' && a < b) ? -1 : 1), [m('M1')]);
    g.require(m('M1'), [m('C1'), m('B2')]);
    g.require(m('B2'), [m('C2'), m('A1')]);
    const got = g.buildList().map(key).join(' ');
    expect(got, `buildList() = ${got}, want M1 A1 B2 C2`).toBe('M1 A1 B2 C2');
    expect(g.findPath((v) => key(v) === 'A1')?.map(key)).toEqual(['M1', 'B2', 'A1']);
  });
});
