import { describe, expect, it, beforeAll } from 'vitest';
import { loadScenario } from '../../src/cli/load.js';
import { Governance } from '../../src/governance/index.js';
import { adjustedRandIndex, buildNetwork, louvain, projectGraph, type Projection } from '../../src/graph/index.js';
import { DEFAULT_CLASSIFICATIONS } from '../../src/model/index.js';
import { generateScenario, type ScenarioTruth } from '../../src/scenario/index.js';
import { openStore, type Store } from '../../src/store/index.js';

describe('graph projection on the tiny scenario', () => {
  let store: Store;
  let gov: Governance;
  let truth: ScenarioTruth;
  let projection: Projection;
  const ctx = { userId: 'fr.analyst', purpose: 'Map the networks of operation Atlas', caseId: 'FR-OP-ATLAS' };

  beforeAll(async () => {
    store = await openStore({ url: 'sqlite::memory:' });
    gov = new Governance(store, { classifications: DEFAULT_CLASSIFICATIONS });
    const scenario = generateScenario({ size: 'tiny', seed: 5 });
    await loadScenario(gov, scenario);
    truth = scenario.truth();
    projection = await projectGraph(gov, ctx);
  }, 120_000);

  it('builds nodes and explained edges only from statements the user may read', async () => {
    expect(projection.stats.nodes).toBeGreaterThan(100);
    expect(projection.edges.length).toBeGreaterThan(100);
    for (const e of projection.edges.slice(0, 500)) expect(e.evidence.length).toBeGreaterThan(0);
    const readable = new Set<string>();
    for await (const batch of gov.scanReadable(ctx, 'link-analysis')) for (const s of batch) readable.add(s.id);
    for (const e of projection.edges) for (const id of e.evidence) if (/^[0-9a-f]{40}$/.test(id)) expect(readable.has(id)).toBe(true);
    // A Belgian analyst sees a different (smaller or equal) part of FR's holdings.
    const be = await projectGraph(gov, { userId: 'be.analyst', purpose: 'Map the Belgian side of the networks', caseId: scenarioCaseOf('BE-CT') });
    expect(be.nodeOf.size).not.toBe(projection.nodeOf.size);
  });

  it('collapses the same phone number held by several agencies into one node', () => {
    const phoneNodes = projection.nodes.filter((n) => n.kind === 'Phone');
    expect(new Set(phoneNodes.map((n) => n.id)).size).toBe(phoneNodes.length);
    const phoneEntities = [...projection.nodeOf.entries()].filter(([, node]) => node.startsWith('phone:'));
    expect(phoneEntities.length).toBeGreaterThan(phoneNodes.filter((n) => projection.edges.some((e) => e.source === n.id || e.target === n.id)).length / 2);
  });

  it('derives person–person ties with evidence (co-travel, shared phone or co-location)', () => {
    const derived = projection.edges.filter((e) => ['co-travel', 'shared-phone', 'shared-handset', 'co-location', 'shared-address'].includes(e.kind));
    expect(derived.length).toBeGreaterThan(0);
  });

  it('recovers the true cells as communities (adjusted Rand index over cell members)', () => {
    const net = buildNetwork(projection.nodes, projection.edges);
    const communities = louvain(net.simple, { seed: 1 });
    const truthLabel: string[] = [];
    const predicted: number[] = [];
    for (const person of truth.persons) {
      if (!person.cell) continue;
      for (const record of person.records) {
        const node = projection.nodeOf.get(record);
        const i = node === undefined ? undefined : net.index.get(node);
        if (i === undefined) continue;
        truthLabel.push(person.cell);
        predicted.push(communities.membership[i]!);
      }
    }
    const ari = adjustedRandIndex(truthLabel, predicted);
    console.log(`tiny scenario: ${truthLabel.length} cell-member records, ${communities.count} communities, modularity ${communities.modularity.toFixed(3)}, ARI ${ari.toFixed(3)}`);
    expect(truthLabel.length).toBeGreaterThan(5);
    expect(ari).toBeGreaterThan(0.3);
  });

  function scenarioCaseOf(agency: string): string {
    return generateScenario({ size: 'tiny', seed: 5 }).cases.find((c) => c.agency === agency && c.cells.length > 0)!.id;
  }
});
