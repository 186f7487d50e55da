/**
 * The disclosure rule as a table (issue 9/10 follow-up: one rule for every export path). FR-CT
 * discloses to BE-CT (Belgium), cleared up to RESTRICTED unless a row says otherwise; ES-CT is a
 * third agency. Each row is one statement marking and the reason it is withheld (or `undefined`:
 * it may go). Governance's unit test drives the rule, the CLI/API export and the dossier with it;
 * federation's test drives its release check with it.
 */
export interface DisclosureRow {
  readonly label: string;
  /** Originating agency of the statement. */
  readonly source: 'FR-CT' | 'ES-CT' | 'BE-CT';
  readonly codes: readonly ('H1' | 'H2' | 'H3')[];
  readonly releasableTo: readonly string[];
  readonly classification: string;
  /** Recipient's clearance (default RESTRICTED). */
  readonly clearance?: string;
  /** The discloser (FR-CT) explicitly consents as originator. */
  readonly grant?: boolean;
  readonly expected: 'classification' | 'releasability' | 'H2' | 'H3' | undefined;
}

export const DISCLOSER = 'FR-CT';
export const RECIPIENT = { agency: 'BE-CT', country: 'BE', clearance: 'RESTRICTED' } as const;
export const H3_CONDITIONS = 'Only for the Atlas prosecutor';

const row = (label: string, r: Omit<DisclosureRow, 'label' | 'codes' | 'classification'> & Partial<Pick<DisclosureRow, 'codes' | 'classification'>>): DisclosureRow => ({
  label,
  codes: [],
  classification: 'UNCLASSIFIED',
  ...r,
});

export const DISCLOSURE_TABLE: readonly DisclosureRow[] = [
  // releasable-to
  row('own, releasable to all', { source: 'FR-CT', releasableTo: ['*'], expected: undefined }),
  row('own, releasable to the recipient agency', { source: 'FR-CT', releasableTo: ['BE-CT'], expected: undefined }),
  row('own, releasable to the recipient country', { source: 'FR-CT', releasableTo: ['BE'], expected: undefined }),
  row('own, releasable to another country only (the marking binds its own agency too)', { source: 'FR-CT', releasableTo: ['ES'], expected: 'releasability' }),
  row('own, releasable to nobody', { source: 'FR-CT', releasableTo: [], expected: 'releasability' }),
  row('own, releasable to nobody, with the originator’s explicit grant', { source: 'FR-CT', releasableTo: [], grant: true, expected: undefined }),
  row('a partner’s, releasable to the recipient', { source: 'ES-CT', releasableTo: ['FR', 'BE'], expected: undefined }),
  row('a partner’s, not releasable to the recipient', { source: 'ES-CT', releasableTo: ['FR-CT'], expected: 'releasability' }),
  row('a partner’s, not releasable to the recipient: our grant cannot lift it', { source: 'ES-CT', releasableTo: ['FR-CT'], grant: true, expected: 'releasability' }),
  // classification
  row('above the recipient’s clearance', { source: 'FR-CT', releasableTo: ['*'], classification: 'CONFIDENTIAL', expected: 'classification' }),
  row('at the recipient’s clearance', { source: 'FR-CT', releasableTo: ['*'], classification: 'RESTRICTED', expected: undefined }),
  row('a grant never lifts classification', { source: 'FR-CT', releasableTo: [], classification: 'SECRET', grant: true, expected: 'classification' }),
  row('an unknown level ranks above every clearance (deny by default)', { source: 'FR-CT', releasableTo: ['*'], classification: 'COSMIC', clearance: 'SECRET', expected: 'classification' }),
  // H2
  row('a partner’s H2: never passed on', { source: 'ES-CT', codes: ['H2'], releasableTo: ['*'], expected: 'H2' }),
  row('a partner’s H2 that names the recipient, with a grant: still never passed on', { source: 'ES-CT', codes: ['H2'], releasableTo: ['BE-CT', 'FR-CT'], grant: true, expected: 'H2' }),
  row('own H2: binds the recipient, not the originator', { source: 'FR-CT', codes: ['H2'], releasableTo: ['*'], expected: undefined }),
  // H3
  row('own H3: conditions need the originator’s consent', { source: 'FR-CT', codes: ['H3'], releasableTo: ['*'], expected: 'H3' }),
  row('own H3 with the originator’s explicit grant', { source: 'FR-CT', codes: ['H3'], releasableTo: ['*'], grant: true, expected: undefined }),
  row('a partner’s H3: only its originator consents', { source: 'ES-CT', codes: ['H3'], releasableTo: ['*'], grant: true, expected: 'H3' }),
  // H1
  row('H1 does not stop a disclosure (a caveat travels with it)', { source: 'FR-CT', codes: ['H1'], releasableTo: ['*'], expected: undefined }),
  // the originator gets its own back
  row('the originator gets its own H2/H3 back, whatever its list says', { source: 'BE-CT', codes: ['H2', 'H3'], releasableTo: ['FR-CT'], expected: undefined }),
  row('…but not above the level it is cleared for', { source: 'BE-CT', releasableTo: ['FR-CT'], classification: 'SECRET', expected: 'classification' }),
];
