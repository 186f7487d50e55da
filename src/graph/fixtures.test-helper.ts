import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Csr, csrFromEdgeList } from './network.js';

/** A reference graph with networkx's values (written by scripts/graph-fixtures.py). */
export interface GraphFixture {
  readonly name: string;
  readonly n: number;
  readonly edges: readonly (readonly number[])[];
  readonly weighted: boolean;
  readonly degree: readonly number[];
  readonly betweenness: readonly number[];
  readonly closeness: readonly number[];
  readonly eigenvector: readonly number[];
  readonly eigenvector_max_iter: number;
  readonly articulation_points: readonly number[];
  readonly bridges: readonly (readonly [number, number])[];
  readonly partitions: Readonly<Record<string, { readonly communities: readonly (readonly number[])[]; readonly modularity: number }>>;
  readonly igraph_leiden_modularity?: number;
  readonly club?: readonly number[];
}

export const FIXTURE_NAMES = ['karate', 'gnm60', 'gnm200', 'bridges', 'weighted'] as const;

export function loadFixture(name: string): GraphFixture {
  const url = new URL(`../../test/fixtures/graph/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as GraphFixture;
}

export function fixtureCsr(f: GraphFixture): Csr {
  return csrFromEdgeList(
    f.n,
    f.edges.map((e) => [e[0]!, e[1]!] as const),
    f.weighted ? f.edges.map((e) => e[2]!) : undefined,
  );
}

/** Membership array from a list of communities. */
export function membershipOf(n: number, communities: readonly (readonly number[])[]): Int32Array {
  const m = new Int32Array(n).fill(-1);
  communities.forEach((c, i) => c.forEach((v) => (m[v] = i)));
  return m;
}
