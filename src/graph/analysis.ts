import { invalid } from '../model/index.js';
import { type AllSourcesOptions, betweenness, closeness, degreeCentrality, eigenvector } from './centrality.js';
import { type CommunityOptions, leiden, louvain } from './communities.js';
import type { Network } from './network.js';
import { cutPoints, keyPlayers } from './structure.js';

/** Centralities of one node, keyed by node id in answers. */
export interface NodeScores {
  readonly id: string;
  readonly kind: string;
  readonly label?: string;
  readonly degree: number;
  readonly betweenness: number;
  readonly closeness: number;
  readonly eigenvector: number;
  readonly community: number;
}

export interface AnalysisOptions extends AllSourcesOptions {
  readonly communities?: 'leiden' | 'louvain';
  readonly community?: CommunityOptions;
  /** Key players to pick (0 = skip). */
  readonly keyPlayers?: number;
}

/** The structural picture of a network, in node ids: what an analyst's "structure" view shows. */
export interface NetworkAnalysis {
  readonly nodes: readonly NodeScores[];
  readonly communities: {
    readonly algorithm: 'leiden' | 'louvain';
    readonly count: number;
    readonly modularity: number;
    readonly members: readonly (readonly string[])[];
  };
  readonly betweenness: { readonly exact: boolean; readonly note?: string; readonly errorBound?: { readonly epsilon: number; readonly confidence: number } };
  readonly eigenvectorConverged: boolean;
  readonly closenessComputed: boolean;
  readonly articulationPoints: readonly string[];
  readonly bridges: readonly (readonly [string, string])[];
  readonly keyPlayers?: { readonly before: number; readonly after: number; readonly steps: readonly { readonly id: string; readonly fragmentation: number }[] };
}

/** Runs centralities, communities, cut points and (optionally) key players on a network. */
export async function analyseNetwork(net: Network, options: AnalysisOptions = {}): Promise<NetworkAnalysis> {
  const csr = net.simple;
  const algorithm = options.communities ?? 'leiden';
  if (algorithm !== 'leiden' && algorithm !== 'louvain') throw invalid('communities must be leiden or louvain', undefined, 'communities');
  const bc = await betweenness(csr, options);
  // Closeness has no sampled variant here: over the work budget it is left out (NaN) and said so.
  const closenessFits = csr.n * (csr.n + csr.targets.length) <= (options.maxWork ?? 4e9);
  const cl = closenessFits ? await closeness(csr, options) : new Float64Array(csr.n).fill(Number.NaN);
  const deg = degreeCentrality(csr);
  const eig = eigenvector(csr, { maxIter: 1000 });
  const comm = algorithm === 'leiden' ? leiden(csr, options.community) : louvain(csr, options.community);
  const id = (v: number): string => net.nodes[v]!.id;
  const members: string[][] = Array.from({ length: comm.count }, () => []);
  for (let v = 0; v < csr.n; v++) members[comm.membership[v]!]!.push(id(v));
  const cuts = cutPoints(csr);
  const kp = options.keyPlayers !== undefined && options.keyPlayers > 0 ? keyPlayers(csr, options.keyPlayers) : undefined;
  return {
    nodes: net.nodes.map((node, v) => ({
      ...node,
      degree: deg[v]!,
      betweenness: bc.values[v]!,
      closeness: cl[v]!,
      eigenvector: eig.values[v]!,
      community: comm.membership[v]!,
    })),
    communities: { algorithm, count: comm.count, modularity: comm.modularity, members },
    betweenness: { exact: bc.exact, ...(bc.note === undefined ? {} : { note: bc.note }), ...(bc.errorBound === undefined ? {} : { errorBound: bc.errorBound }) },
    eigenvectorConverged: eig.converged,
    closenessComputed: closenessFits,
    articulationPoints: cuts.articulationPoints.map(id),
    bridges: cuts.bridges.map(([a, b]) => [id(a), id(b)] as const),
    ...(kp === undefined ? {} : { keyPlayers: { before: kp.before, after: kp.after, steps: kp.steps.map((s) => ({ id: id(s.node), fragmentation: s.fragmentation })) } }),
  };
}
