import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Governance } from '../governance/index.js';
import { openStore, type Store } from '../store/index.js';
import { seedApiWorld } from '../../test/support/api.js';
import { PURPOSE } from '../../test/support/governance.js';
import { stmt } from '../../test/support/statements.js';
import { neighbourhood } from './queries.js';
import { checkHops, nodeIdsOf, storeGraph, timelineStatements } from './projection.js';

/** The store-backed graph: governance decides what is projected and how far analysis may reach. */
describe('storeGraph', () => {
  let store: Store;
  let gov: Governance;
  const atlas = { userId: 'fr.analyst', purpose: PURPOSE, caseId: 'FR-OP-ATLAS' };
  const dune = { userId: 'be.analyst', purpose: 'Check a Belgian lead against French holdings', caseId: 'BE-OP-DUNE' };
  beforeEach(async () => {
    store = await openStore({ url: 'sqlite::memory:' });
    gov = await seedApiWorld(store);
  });
  afterEach(() => store.close());

  it('projects readable statements and maps entity ids to selector nodes', async () => {
    const { projection, net } = await storeGraph(gov, atlas, 'link-analysis', { hops: 2 });
    expect(nodeIdsOf(projection, ['fr-ct:ph1', 'fr-ct:p1'])).toEqual(['phone:+33612345678', 'fr-ct:p1']);
    expect(nodeIdsOf(projection, ['phone:+33612345678'])).toEqual(['phone:+33612345678']);
    const sub = neighbourhood(net, 'fr-ct:p1', { hops: 1 });
    const link = sub.edges.find((e) => e.kind === 'PhoneUse');
    expect(link).toMatchObject({ source: 'fr-ct:p1', target: 'phone:+33612345678' });
    expect(link!.evidence.length).toBeGreaterThan(0);
    // A BE statement releasable to no one else is not in the French analyst's graph.
    expect(() => nodeIdsOf(projection, ['be-ct:p3'])).toThrow(/unknown entity be-ct:p3/);
  });

  it('lists the gradings of the statements behind each link; a shared phone names the phone and the use statements', async () => {
    const poor = { grading: { system: 'ADMIRALTY', source: 'E', info: '5' } } as const;
    await gov.systemWrite('test', 'second user of the phone', [
      stmt({ entityId: 'fr-ct:pu2', schema: 'PhoneUse', prop: 'person', value: 'fr-ct:o9', ...poor }),
      stmt({ entityId: 'fr-ct:pu2', schema: 'PhoneUse', prop: 'phone', value: 'fr-ct:ph1', ...poor }),
      stmt({ entityId: 'fr-ct:o9', schema: 'Person', prop: 'name', value: 'Odile Varnier', ...poor }),
    ]);
    const { projection } = await storeGraph(gov, atlas, 'link-analysis');
    const use = projection.edges.find((e) => e.kind === 'PhoneUse' && e.source === 'fr-ct:p1')!;
    expect(use.gradings).toEqual(['B2']);
    const second = projection.edges.find((e) => e.kind === 'PhoneUse' && e.source === 'fr-ct:o9')!;
    expect(second.gradings).toEqual(['C4']); // Admiralty E5 in EU 4x4, converted conservatively
    const shared = projection.edges.find((e) => e.kind === 'shared-phone')!;
    expect([shared.source, shared.target].sort()).toEqual(['fr-ct:o9', 'fr-ct:p1']);
    expect(shared.evidence[0]).toBe('phone:+33612345678');
    expect(shared.evidence.slice(1)).toEqual(expect.arrayContaining([...use.evidence, ...second.evidence]));
    expect([...shared.gradings!].sort()).toEqual(['B2', 'C4']);
  });

  it('refuses methods and hop counts the case’s legal basis does not allow', async () => {
    await expect(storeGraph(gov, dune, 'link-analysis', { hops: 3 })).rejects.toMatchObject({ code: 'LEGAL_BASIS', field: 'hops' });
    await expect(storeGraph(gov, dune, 'network-analysis')).rejects.toMatchObject({ code: 'LEGAL_BASIS' });
    await expect(checkHops(gov, dune, 2)).resolves.toBeUndefined();
    await expect(checkHops(gov, atlas, 5)).rejects.toThrow(/up to 4 hops, not 5/);
    await expect(storeGraph(gov, { ...atlas, purpose: '' }, 'link-analysis')).rejects.toMatchObject({ code: 'PURPOSE_REQUIRED' });
  });

  it('collects an entity’s timeline statements with the links naming it, and NOT_FOUND for the invisible', async () => {
    const { projection } = await storeGraph(gov, atlas, 'link-analysis');
    const st = await timelineStatements(gov, atlas, ['fr-ct:p1'], projection);
    expect(new Set(st.map((s) => s.entityId))).toEqual(new Set(['fr-ct:p1', 'fr-ct:pu1']));
    const viaNode = await timelineStatements(gov, atlas, ['phone:+33612345678'], projection);
    expect(viaNode.some((s) => s.entityId === 'fr-ct:ph1')).toBe(true);
    await expect(timelineStatements(gov, atlas, ['be-ct:p3'])).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
