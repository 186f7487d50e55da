import { Governance, type QueryContext } from '../../governance/index.js';
import { DEFAULT_CLASSIFICATIONS, validateStatement, type Statement, type StatementInput } from '../../model/index.js';
import { openStore, type Store } from '../../store/index.js';
import { LoopbackNetwork, type LoopbackNode } from '../node/loopback.js';
import type { LinkageAgreement } from './context.js';
import { FederationService, wireFlows, type FederationServiceOptions } from './service.js';

/**
 * A small federation for the flows' tests: one node per agency, each with its own in-memory store,
 * governance world (agencies, an analyst and a supervisor, a case whose legal basis allows
 * federation, one that does not) and FederationService wired to the node layer's LoopbackNetwork
 * (real sealing and replay checks; delivery only on `net.settle()`). All names are invented.
 */
export interface TestNode {
  readonly agency: string;
  readonly store: Store;
  readonly gov: Governance;
  readonly service: FederationService;
  readonly port: LoopbackNode;
  /** The analyst, in the node's federation case. */
  readonly analyst: QueryContext;
  /** The supervisor, same case. */
  readonly supervisor: QueryContext;
  /** The analyst in a case whose legal basis does not allow federation. */
  readonly noFederation: QueryContext;
  readonly caseId: string;
}

export interface TestWorld {
  readonly net: LoopbackNetwork;
  readonly nodes: Readonly<Record<string, TestNode>>;
  /** The shared clock (tests move it to pass deadlines). */
  readonly clock: { now: Date };
  close(): Promise<void>;
}

/** Pairwise linkage secrets (invented) of the test partnerships. */
export function linkageSecret(a: string, b: string): string {
  return `test-linkage-secret-${[a, b].sort().join('-')}-2026`;
}

function prefixOf(agency: string): string {
  return agency.toLowerCase().split('-')[0]!;
}

export interface WorldOptions {
  /** Linkage partnerships as [a, b] pairs (default: every pair). */
  readonly partnerships?: readonly (readonly [string, string])[];
  readonly consent?: FederationServiceOptions['deconflictionConsent'];
  readonly psiMaxOffer?: number;
}

export async function federationWorld(agencies: readonly string[], options: WorldOptions = {}): Promise<TestWorld> {
  const clock = { now: new Date('2026-03-02T09:00:00Z') };
  const net = new LoopbackNetwork({ autoDeliver: false, now: () => clock.now });
  const pairs = options.partnerships ?? agencies.flatMap((a, i) => agencies.slice(i + 1).map((b) => [a, b] as const));
  const nodes: Record<string, TestNode> = {};
  for (const agency of agencies) {
    const store = await openStore({ url: 'sqlite::memory:' });
    const gov = new Governance(store, { classifications: DEFAULT_CLASSIFICATIONS, now: () => clock.now });
    for (const a of agencies) await gov.upsertAgency({ id: a, name: `${a} counter-terrorism unit (fictional)`, country: a.slice(0, 2) });
    const p = prefixOf(agency);
    const analyst = `${p}.analyst`;
    const supervisor = `${p}.super`;
    await gov.upsertUser({ id: analyst, name: `Analyst ${agency}`, agency, roles: ['analyst'], clearance: 'SECRET' });
    await gov.upsertUser({ id: supervisor, name: `Supervisor ${agency}`, agency, roles: ['supervisor'], clearance: 'SECRET' });
    const caseId = `${agency}-FED-1`;
    await gov.upsertCase({ id: caseId, name: `Operation ${p.toUpperCase()} federation`, agency, legalBasis: 'counter-terrorism-full', members: [analyst, supervisor], openedAt: '2026-01-01T00:00:00Z' });
    await gov.upsertCase({ id: `${agency}-LOCAL-1`, name: 'Local investigation', agency, legalBasis: 'investigation-2-hops', members: [analyst], openedAt: '2026-01-01T00:00:00Z' });
    const linkage: LinkageAgreement[] = pairs
      .filter(([a, b]) => a === agency || b === agency)
      .map(([a, b]) => {
        const partner = a === agency ? b : a;
        return { partner, keyId: `k-${[a, b].sort().join('-')}-1`, secret: linkageSecret(a, b) };
      });
    const port = net.node(agency);
    const service = wireFlows(port, new FederationService(gov, { nodeAgency: agency, linkage, contact: { unit: `${agency} liaison desk`, channel: `+00 ${p} duty line` }, deconflictionConsent: options.consent ?? 'standing-agreement', now: () => clock.now, psiWorkers: 1, ...(options.psiMaxOffer ? { psiMaxOffer: options.psiMaxOffer } : {}) }));
    const purpose = `Establish whether partners hold information on a subject of ${caseId}`;
    nodes[agency] = {
      agency,
      store,
      gov,
      service,
      port,
      caseId,
      analyst: { userId: analyst, purpose, caseId },
      supervisor: { userId: supervisor, purpose, caseId },
      noFederation: { userId: analyst, purpose, caseId: `${agency}-LOCAL-1` },
    };
  }
  return {
    net,
    nodes,
    clock,
    async close() {
      for (const n of Object.values(nodes)) {
        await n.service.close();
        await n.store.close();
      }
    },
  };
}

/** A valid statement of an agency (defaults: suspect, releasable to every partner, no handling code). */
export function statementOf(agency: string, s: Partial<StatementInput> & Pick<StatementInput, 'entityId' | 'schema' | 'prop' | 'value'>): Statement {
  return validateStatement({
    source: { agency, documentId: `${prefixOf(agency)}-report-1`, collectedAt: '2026-01-15T10:00:00Z' },
    grading: { system: 'EU4x4', source: 'B', info: '2' },
    handling: { codes: [], releasableTo: ['*'] },
    subjectCategory: 'suspect',
    ...s,
  });
}

/** Loads statements into a node as its bootstrap data. */
export async function load(node: TestNode, statements: readonly Statement[]): Promise<void> {
  await node.gov.systemWrite('test', 'fixture load for federation flow tests', statements);
}

/** A person (name, date of birth) held by an agency, as statements. */
export function person(agency: string, entityId: string, name: string, birthDate: string | undefined, extra: Partial<StatementInput> = {}): Statement[] {
  const out = [statementOf(agency, { entityId, schema: 'Person', prop: 'name', value: name, ...extra })];
  if (birthDate) out.push(statementOf(agency, { entityId, schema: 'Person', prop: 'birthDate', value: birthDate, ...extra }));
  return out;
}
