import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTesseraError, type Statement } from '../../model/index.js';
import { admits, partyOf } from './handling.js';
import type { Store } from '../../store/index.js';
import { COLLECTIONS, type ReceivedRecord, type ReleasedRecord } from './records.js';
import { federationWorld, load, person, statementOf, type TestWorld } from './world.test-helper.js';

/**
 * The handling property of issue 8 end to end, through the real flows: three nodes, each with
 * its own store, statements with random handling codes, and a random sequence of requests answered
 * by honest holders (FederationService.answer, sometimes with a grant) or dishonest ones (a raw
 * followup.response straight through the port, bypassing the holder's checks). After the sequence,
 * no node holds another agency's statement its handling excludes, and every H2 statement a node
 * holds came from its originator. The pure model of the same property (handling.test.ts) runs many
 * more sequences; this one proves the flows apply it.
 */
const AGENCIES = ['BE-CT', 'ES-CT', 'FR-CT'] as const;
const CHANNEL: Readonly<Record<string, readonly [string, string]>> = {
  'BE-CT': ['Anouk Verbruggen', '1980-01-11'],
  'ES-CT': ['Lucia Marin Ortega', '1979-02-12'],
  'FR-CT': ['Mathis Delacroix', '1981-03-13'],
};

const handling = fc.record({
  codes: fc.subarray(['H1', 'H2', 'H3'] as const),
  releasableTo: fc.uniqueArray(fc.constantFrom('*', 'BE', 'ES', 'FR', 'BE-CT', 'ES-CT', 'FR-CT'), { maxLength: 2 }),
});
const step = fc.record({
  asker: fc.integer({ min: 0, max: 2 }),
  holderOffset: fc.integer({ min: 1, max: 2 }),
  picks: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
  honest: fc.boolean(),
  grant: fc.boolean(),
});

async function setUp(handlings: readonly (readonly { codes: readonly string[]; releasableTo: readonly string[] }[])[]): Promise<{ w: TestWorld; originals: Map<string, Statement> }> {
  const w = await federationWorld(AGENCIES);
  const originals = new Map<string, Statement>();
  for (const [k, agency] of AGENCIES.entries()) {
    const node = w.nodes[agency]!;
    const entityId = `${agency.slice(0, 2).toLowerCase()}-ct:channel`;
    const [name, dob] = CHANNEL[agency]!;
    const notes = handlings[k]!.map((h, i) =>
      statementOf(agency, {
        entityId,
        schema: 'Person',
        prop: 'notes',
        value: `Observation ${i} by ${agency}`,
        handling: { codes: [...h.codes] as ('H1' | 'H2' | 'H3')[], releasableTo: [...h.releasableTo], ...(h.codes.includes('H3') ? { conditions: 'Not to be used for surveillance planning' } : {}) },
      }),
    );
    for (const s of notes) originals.set(s.id, s);
    await load(node, [...person(agency, entityId, name, dob), ...notes]);
    await node.service.publishPointers(node.supervisor);
  }
  await w.net.settle();
  return { w, originals };
}

async function notesIn(store: Store): Promise<Statement[]> {
  const out: Statement[] = [];
  for await (const batch of store.scanStatements({ props: ['notes'] })) out.push(...batch);
  return out;
}

describe('handling codes across nodes (property, through the flows)', () => {
  it('no sequence of honest or dishonest releases lets a statement reach an agency its handling excludes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(handling, { minLength: 1, maxLength: 4 }), { minLength: 3, maxLength: 3 }), fc.array(step, { minLength: 1, maxLength: 6 }), async (handlings, steps) => {
        const { w, originals } = await setUp(handlings);
        try {
          // Each agency's hit on each other agency's channel person: the ground for its requests.
          const hitOf = new Map<string, string>();
          for (const asker of AGENCIES) {
            for (const holder of AGENCIES) {
              if (holder === asker) continue;
              const [name, dob] = CHANNEL[holder]!;
              const { hits } = await w.nodes[asker]!.service.match(w.nodes[asker]!.analyst, { names: [name], birthDates: [dob], partners: [holder] });
              hitOf.set(`${asker}>${holder}`, hits[0]!.id);
            }
          }
          await w.net.settle();
          // A first round in which every holder releases to every asker what its handling allows, so
          // that agencies hold each other's statements before the random forwards start.
          for (const asker of AGENCIES) {
            for (const holder of AGENCIES) {
              if (holder === asker) continue;
              const request = await w.nodes[asker]!.service.request(w.nodes[asker]!.analyst, hitOf.get(`${asker}>${holder}`)!, { urgency: 'normal', question: 'What do you hold on this subject?' });
              await w.net.settle();
              const own = (await notesIn(w.nodes[holder]!.store)).map((x) => x.id);
              await w.nodes[holder]!.service.answer(w.nodes[holder]!.analyst, request.id, { statementIds: own }).catch((e: unknown) => {
                if (!isTesseraError(e) || e.code !== 'FORBIDDEN') throw e;
              });
              await w.net.settle();
            }
          }
          for (const st of steps) {
            const asker = w.nodes[AGENCIES[st.asker]!]!;
            const holder = w.nodes[AGENCIES[(st.asker + st.holderOffset) % 3]!]!;
            const request = await asker.service.request(asker.analyst, hitOf.get(`${asker.agency}>${holder.agency}`)!, { urgency: 'normal', question: 'What do you hold on this subject?' });
            await w.net.settle();
            const pool = await notesIn(holder.store);
            const chosen = [...new Set(st.picks.map((p) => pool[p % pool.length]!))];
            if (st.honest) {
              try {
                await holder.service.answer(holder.analyst, request.id, { statementIds: chosen.map((s) => s.id), grant: st.grant });
              } catch (e) {
                if (!isTesseraError(e) || e.code !== 'FORBIDDEN') throw e;
              }
            } else {
              await holder.port.send(asker.agency, 'followup.response', { requestId: request.id, outcome: 'released', statements: chosen });
            }
            await w.net.settle();
          }
          for (const agency of AGENCIES) {
            const node = w.nodes[agency]!;
            const self = partyOf(agency);
            const received = (await node.store.findRecords<ReceivedRecord>(COLLECTIONS.received)).map((r) => r.body);
            for (const s of await notesIn(node.store)) {
                const original = originals.get(s.id)!;
                if (original.source.agency === agency) continue;
                const grants = (await w.nodes[original.source.agency]!.store.findRecords<ReleasedRecord>(COLLECTIONS.released, { where: { statement: s.id, to: agency } })).map((r) => r.body);
                expect(admits(original.handling.releasableTo, self) || grants.some((g) => g.granted)).toBe(true);
              if (original.handling.codes.includes('H2')) {
                for (const r of received.filter((x) => x.statementId === s.id)) expect(r.from).toBe(original.source.agency);
              }
            }
          }
          // The sequence really ran: every asker holds its hits.
          expect(await w.nodes['BE-CT']!.store.countRecords(COLLECTIONS.hits, { role: 'asker' })).toBe(2);
        } finally {
          await w.close();
        }
      }),
      { numRuns: 15 },
    );
  });
});
