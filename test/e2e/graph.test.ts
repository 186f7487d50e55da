import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Runs the real CLI in a child process, as an analyst would, on a projected graph file.
function tessera(args: readonly string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-graph-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Two invented cells joined through one courier, plus a family tie.
const people = ['xx-t:ana', 'xx-t:boris', 'xx-t:cyril', 'xx-t:dina', 'xx-t:elif', 'xx-t:farid', 'xx-t:gala'];
const link = (a: string, b: string, kind: string, weight = 1, first?: string) => ({
  source: `xx-t:${a}`,
  target: `xx-t:${b}`,
  kind,
  weight,
  evidence: [`st-${a}-${b}`],
  ...(first === undefined ? {} : { first, last: first }),
});
const graphFile = join(dir, 'graph.json');
writeFileSync(
  graphFile,
  JSON.stringify({
    nodes: people.map((id) => ({ id, kind: 'Person', label: id.slice(5) })),
    edges: [
      link('ana', 'boris', 'Communication', 4, '2024-01-01T10:00:00Z'),
      link('boris', 'cyril', 'Communication', 3, '2024-01-02T10:00:00Z'),
      link('ana', 'cyril', 'Meeting', 1, '2024-01-03T10:00:00Z'),
      link('cyril', 'dina', 'Communication', 1, '2024-01-05T10:00:00Z'),
      link('dina', 'elif', 'Communication', 5, '2024-01-06T10:00:00Z'),
      link('elif', 'farid', 'Meeting', 2, '2024-01-07T10:00:00Z'),
      link('dina', 'farid', 'Communication', 2, '2024-01-04T10:00:00Z'),
      link('farid', 'gala', 'Family', 1),
    ],
  }),
);

describe('tessera graph', () => {
  it('neighbours with filters, as a table and as JSON', () => {
    const table = tessera(['graph', 'neighbours', 'xx-t:cyril', '--graph', graphFile, '--hops', '1']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/4 nodes, 4 links/);
    const r = tessera(['--json', 'graph', 'neighbours', 'xx-t:cyril', '--graph', graphFile, '--hops', '2', '--kinds', 'Communication']);
    const body = JSON.parse(r.stdout) as { nodes: { id: string; hops: number }[] };
    expect(body.nodes.map((n) => n.id).sort()).toEqual(['xx-t:ana', 'xx-t:boris', 'xx-t:cyril', 'xx-t:dina', 'xx-t:elif', 'xx-t:farid']);
  });
  it('path, all paths and a time-respecting chain', () => {
    expect(tessera(['graph', 'path', 'xx-t:ana', 'xx-t:gala', '--graph', graphFile]).stdout).toMatch(/^4 hops: xx-t:ana → xx-t:cyril → xx-t:dina → xx-t:farid → xx-t:gala/m);
    const all = JSON.parse(tessera(['--json', 'graph', 'path', 'xx-t:ana', 'xx-t:dina', '--all', '--max-length', '3', '--graph', graphFile]).stdout) as { paths: string[][] };
    expect(all.paths).toHaveLength(2);
    const timed = tessera(['--json', 'graph', 'path', 'xx-t:ana', 'xx-t:elif', '--timed', '--graph', graphFile]);
    const chain = JSON.parse(timed.stdout) as { found: boolean; hops: { to: string }[] };
    expect(chain.found).toBe(true);
    expect(chain.hops.map((h) => h.to)).toEqual(['xx-t:boris', 'xx-t:cyril', 'xx-t:dina', 'xx-t:elif']);
    // dina–farid happened (4 Jan) before the chain reached dina (5 Jan): farid only via elif.
    const farid = JSON.parse(tessera(['--json', 'graph', 'path', 'xx-t:ana', 'xx-t:farid', '--timed', '--graph', graphFile]).stdout) as { hops: { from: string }[] };
    expect(farid.hops.at(-1)!.from).toBe('xx-t:elif');
  });
  it('communities, centrality, key players, cut points and connect', () => {
    const comm = JSON.parse(tessera(['--json', 'graph', 'communities', '--graph', graphFile]).stdout) as { communities: string[][]; modularity: number };
    expect(comm.communities).toHaveLength(2);
    expect(comm.modularity).toBeGreaterThan(0.3);
    const kp = JSON.parse(tessera(['--json', 'graph', 'keyplayers', '-k', '1', '--graph', graphFile]).stdout) as { steps: { id: string }[] };
    expect(kp.steps[0]!.id).toMatch(/cyril|dina/);
    const cut = JSON.parse(tessera(['--json', 'graph', 'cutpoints', '--graph', graphFile]).stdout) as { bridges: string[][] };
    expect(cut.bridges).toContainEqual(['xx-t:cyril', 'xx-t:dina']);
    const cen = tessera(['graph', 'centrality', '--graph', graphFile, '--top', '3']);
    expect(cen.code).toBe(0);
    expect(cen.stdout.split('\n')[2]).toMatch(/xx-t:(cyril|dina)/);
    const con = JSON.parse(tessera(['--json', 'graph', 'connect', 'xx-t:boris', 'xx-t:gala', '--graph', graphFile]).stdout) as { nodes: unknown[]; cost: number };
    expect(con.cost).toBe(4);
  });
  it('answers unknown ids and bad options with one clear line', () => {
    const r = tessera(['graph', 'neighbours', 'xx-t:nobody', '--graph', graphFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error \[NOT_FOUND\]: unknown node xx-t:nobody/);
    expect(tessera(['graph', 'keyplayers', '-k', '99', '--graph', graphFile]).stderr).toMatch(/k must be smaller/);
    expect(tessera(['graph', 'neighbours', 'xx-t:ana', '--hops', 'x', '--graph', graphFile]).stderr).toMatch(/--hops must be a number/);
    // Without a file it reads the store (here a fresh temporary one): no user given, so it says how to proceed.
    expect(tessera(['--db', `sqlite:${join(dir, 'empty.sqlite')}`, 'graph', 'communities']).stderr).toMatch(/--graph/);
  });
  it('succession and dormancy from record files', () => {
    const day = (d: number): string => new Date(Date.UTC(2024, 0, 1) + d * 86_400_000).toISOString();
    const calls = [];
    let id = 0;
    for (let d = 0; d < 30; d++) calls.push({ id: `c${id++}`, from: 'ph-old', to: `k${d % 5}`, time: day(d) });
    for (let d = 31; d < 60; d++) calls.push({ id: `c${id++}`, from: `k${d % 5}`, to: 'ph-new', time: day(d) });
    for (let d = 0; d < 90; d++) calls.push({ id: `c${id++}`, from: `k${d % 5}`, to: `k${(d + 1) % 5}`, time: day(d) });
    const records = join(dir, 'calls.json');
    writeFileSync(records, JSON.stringify({ calls }));
    const s = JSON.parse(tessera(['--json', 'graph', 'succession', '--records', records]).stdout) as { oldPhone: string; newPhone: string }[];
    expect(s[0]).toMatchObject({ oldPhone: 'ph-old', newPhone: 'ph-new' });
    const activity = join(dir, 'activity.json');
    writeFileSync(activity, JSON.stringify(calls.filter((c) => c.from === 'ph-old').map((c) => ({ id: c.id, subject: 'ph-old', time: c.time }))));
    const d = tessera(['graph', 'dormancy', '--records', activity, '--as-of', day(70)]);
    expect(d.stdout).toMatch(/ph-old\s+quiet/);
  });
  it('timeline of an entity from exported statements, with sources', () => {
    const env = { source: { agency: 'FR-CT', documentId: 'cdr.csv', collectedAt: '2024-06-01T10:00:00Z' }, grading: { system: 'EU4x4', source: 'B', info: '2' }, handling: { codes: [], releasableTo: [] } };
    const st = (entityId: string, schema: string, prop: string, value: string) => ({ ...env, entityId, schema, prop, value });
    const file = join(dir, 'statements.json');
    writeFileSync(
      file,
      JSON.stringify([
        st('fr-ct:c2', 'Communication', 'caller', 'fr-ct:ph1'),
        st('fr-ct:c2', 'Communication', 'date', '2024-03-02T09:00:00Z'),
        st('fr-ct:c1', 'Communication', 'callee', 'fr-ct:ph1'),
        st('fr-ct:c1', 'Communication', 'date', '2024-02-01T08:00:00Z'),
        st('fr-ct:c3', 'Communication', 'caller', 'fr-ct:ph9'),
        st('fr-ct:c3', 'Communication', 'date', '2024-01-01T08:00:00Z'),
      ]),
    );
    const events = JSON.parse(tessera(['--json', 'graph', 'timeline', 'fr-ct:ph1', '--statements', file]).stdout) as { entityId: string; sources: unknown[] }[];
    expect(events.map((e) => e.entityId)).toEqual(['fr-ct:c1', 'fr-ct:c2']);
    expect(events[0]!.sources).toEqual([{ agency: 'FR-CT', documentId: 'cdr.csv' }]);
    const bad = tessera(['graph', 'timeline', 'x', '--statements', graphFile]);
    expect(bad.stderr).toMatch(/must be a JSON array/);
  });
});
