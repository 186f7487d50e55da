import { scryptSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AgencyId, CaseId, UserId } from '../model/index.js';

/**
 * Roles (DESIGN.md): analysts read and write within their cases; supervisors decide; the DPO oversees;
 * admins administer; auditors (internal audit, inspectorate) read the audit log and nothing else.
 */
export const ROLES = ['analyst', 'supervisor', 'dpo', 'admin', 'auditor'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const Agency = z.object({
  id: AgencyId,
  name: z.string().min(1).max(200),
  /** ISO 3166 alpha-2: releasable-to lists may name countries. */
  country: z.string().regex(/^[A-Z]{2}$/),
});
export type Agency = z.infer<typeof Agency>;

export const User = z.object({
  id: UserId,
  name: z.string().min(1).max(200),
  agency: AgencyId,
  roles: z.array(Role).min(1),
  /** Highest classification level the user is cleared for. */
  clearance: z.string(),
  active: z.boolean().default(true),
  /** scrypt hash (N=2^15, r=8, p=1) as `scrypt$salt$hash`, hex. */
  passwordHash: z.string().optional(),
});
export type User = z.infer<typeof User>;

/**
 * Analysis methods a case's legal basis may allow (BVerfG 1 BvR 1547/19, 16 Feb 2023: automated
 * analysis needs a basis proportionate to the method and data used).
 */
export const ANALYSIS_METHODS = ['read', 'search', 'screening', 'link-analysis', 'network-analysis', 'resolution', 'triage', 'federation', 'export'] as const;
export const AnalysisMethod = z.enum(ANALYSIS_METHODS);
export type AnalysisMethod = z.infer<typeof AnalysisMethod>;

export const LegalBasis = z.object({
  id: z.string().regex(/^[a-z0-9-]{2,64}$/),
  title: z.string().min(1),
  /** The law or decision it rests on. */
  reference: z.string().min(1),
  methods: z.array(AnalysisMethod).min(1),
  /** For link analysis: how many hops from a case subject may be explored. */
  maxHops: z.number().int().min(1).max(10).optional(),
  /** Data classes (schemas) the case may touch; empty = all. */
  schemas: z.array(z.string()).default([]),
});
export type LegalBasis = z.infer<typeof LegalBasis>;

/** Built-in legal-basis profiles; agencies add their own. */
export const DEFAULT_LEGAL_BASES: readonly LegalBasis[] = [
  { id: 'screening-only', title: 'Screening only', reference: 'Border and travel screening mandate', methods: ['read', 'search', 'screening'], schemas: [] },
  {
    id: 'investigation-2-hops',
    title: 'Investigation: link analysis up to 2 hops',
    reference: 'Criminal investigation under judicial supervision',
    methods: ['read', 'search', 'screening', 'link-analysis', 'resolution', 'export'],
    maxHops: 2,
    schemas: [],
  },
  {
    id: 'counter-terrorism-full',
    title: 'Counter-terrorism: full network analysis and federation',
    reference: 'Counter-terrorism mandate, serious threat to life (LED Art. 1(1))',
    methods: [...ANALYSIS_METHODS],
    maxHops: 4,
    schemas: [],
  },
];

export const CaseRecord = z.object({
  id: CaseId,
  name: z.string().min(1).max(200),
  agency: AgencyId,
  legalBasis: z.string(),
  members: z.array(UserId),
  status: z.enum(['open', 'closed']).default('open'),
  openedAt: z.iso.datetime(),
  /** Entities the case is about (anchors for hop limits). */
  subjects: z.array(z.string()).default([]),
});
export type CaseRecord = z.infer<typeof CaseRecord>;

const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

/** Hashes a password with scrypt (node:crypto); never store or log the password itself. */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password.normalize('NFKC'), salt, 32, SCRYPT);
  return `scrypt$${salt.toString('hex')}$${hash.toString('hex')}`;
}

/** Checks a password against a stored scrypt hash in constant time. */
export function verifyPassword(password: string, stored: string | undefined): boolean {
  const [scheme, saltHex, hashHex] = (stored ?? '').split('$');
  if (scheme !== 'scrypt' || !saltHex || !hashHex) return false;
  const expected = Buffer.from(hashHex, 'hex');
  const actual = scryptSync(password.normalize('NFKC'), Buffer.from(saltHex, 'hex'), expected.length, SCRYPT);
  return timingSafeEqual(expected, actual);
}
