/** config: validated once at start-up (zod), frozen, and passed in. Nothing reads process.env deeper down. */
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_CLASSIFICATIONS, TesseraError } from '../model/index.js';

export const Config = z.object({
  /** Where the store lives: sqlite:PATH (default, embedded) or postgres://… */
  databaseUrl: z.string().min(1),
  /** PostgreSQL schema to use (default public); lets several stores share one database. */
  databaseSchema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).optional(),
  /** Ordered classification levels, lowest first. */
  classifications: z.array(z.string().regex(/^[A-Z][A-Z_ ]{1,31}$/)).min(1).default([...DEFAULT_CLASSIFICATIONS]),
  /** The agency this node belongs to. */
  nodeAgency: z.string().regex(/^[A-Z]{2}-[A-Z0-9]{2,12}$/).default('FR-CT'),
  /** HTTP server */
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Demo: the user the CLI acts as when none is given. */
  defaultUser: z.string().optional(),
  defaultPurpose: z.string().optional(),
  defaultCase: z.string().optional(),
  /** Chromium that prints PDF dossiers (headless, through playwright-core). */
  chromiumPath: z.string().min(1).default('/usr/bin/chromium'),
  /** Federation: the node's Ed25519 private key, PKCS#8 PEM (`tessera node keygen` writes one). */
  fedKeyFile: z.string().min(1).optional(),
  /** Federation: JSON list of peers `[{ agency, endpoint, publicKey }]`. */
  fedPeersFile: z.string().min(1).optional(),
  /** Federation inbox listen address and port (apart from the API's). */
  fedHost: z.string().min(1).default('127.0.0.1'),
  fedPort: z.coerce.number().int().min(0).max(65535).default(8443),
  /** Federation: JSON list of linkage secrets per partnership `[{ partner, keyId, secret, threshold? }]`. */
  fedSecretsFile: z.string().min(1).optional(),
  /** Federation: linkage secrets from the environment, TESSERA_FED_SECRET_<AGENCY>=<keyId>:<secret> (AGENCY with _ for -). */
  fedLinkageSecrets: z
    .array(
      z.object({
        partner: z.string().regex(/^[A-Z]{2}-[A-Z0-9]{2,12}$/, 'agency id like ES-CT'),
        keyId: z.string().regex(/^[A-Za-z0-9_-]{4,64}$/, 'key id: 4–64 letters, digits, dash, underscore'),
        secret: z.string().min(16, 'a linkage secret has at least 16 characters'),
      }),
    )
    .default([]),
});
export type Config = Readonly<z.infer<typeof Config>>;

/** The default embedded store location. */
export function defaultDatabaseUrl(cwd = process.cwd()): string {
  return `sqlite:${join(cwd, '.tessera', 'tessera.sqlite')}`;
}

/**
 * Reads configuration from the environment (TESSERA_*), validated once. Unknown or malformed values
 * fail here, at start-up, with the variable named.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env, overrides: Partial<Config> = {}): Config {
  const raw = {
    databaseUrl: env.TESSERA_DATABASE_URL ?? defaultDatabaseUrl(),
    ...(env.TESSERA_PG_SCHEMA ? { databaseSchema: env.TESSERA_PG_SCHEMA } : {}),
    ...(env.TESSERA_CLASSIFICATIONS ? { classifications: env.TESSERA_CLASSIFICATIONS.split(',').map((s) => s.trim()) } : {}),
    ...(env.TESSERA_AGENCY ? { nodeAgency: env.TESSERA_AGENCY } : {}),
    ...(env.TESSERA_HOST ? { host: env.TESSERA_HOST } : {}),
    ...(env.TESSERA_PORT ? { port: env.TESSERA_PORT } : {}),
    ...(env.TESSERA_USER ? { defaultUser: env.TESSERA_USER } : {}),
    ...(env.TESSERA_PURPOSE ? { defaultPurpose: env.TESSERA_PURPOSE } : {}),
    ...(env.TESSERA_CASE ? { defaultCase: env.TESSERA_CASE } : {}),
    ...(env.TESSERA_CHROMIUM ? { chromiumPath: env.TESSERA_CHROMIUM } : {}),
    ...(env.TESSERA_FED_KEY ? { fedKeyFile: env.TESSERA_FED_KEY } : {}),
    ...(env.TESSERA_FED_PEERS ? { fedPeersFile: env.TESSERA_FED_PEERS } : {}),
    ...(env.TESSERA_FED_HOST ? { fedHost: env.TESSERA_FED_HOST } : {}),
    ...(env.TESSERA_FED_PORT ? { fedPort: env.TESSERA_FED_PORT } : {}),
    ...(env.TESSERA_FED_SECRETS ? { fedSecretsFile: env.TESSERA_FED_SECRETS } : {}),
    ...linkageSecretsFromEnv(env),
    ...overrides,
  };
  const parsed = Config.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TesseraError('CONFIG', `invalid configuration ${issue.path.join('.')}: ${issue.message}`, { field: issue.path.join('.') });
  }
  return Object.freeze(parsed.data);
}

/** TESSERA_FED_SECRET_ES_CT=<keyId>:<secret> → { partner: 'ES-CT', keyId, secret } (the secret may contain ':'). */
function linkageSecretsFromEnv(env: Readonly<Record<string, string | undefined>>): { fedLinkageSecrets?: { partner: string; keyId: string; secret: string }[] } {
  const out: { partner: string; keyId: string; secret: string }[] = [];
  for (const [name, value] of Object.entries(env)) {
    const m = /^TESSERA_FED_SECRET_([A-Z]{2})_([A-Z0-9]{2,12})$/.exec(name);
    if (!m || value === undefined) continue;
    const colon = value.indexOf(':');
    out.push({ partner: `${m[1]}-${m[2]}`, keyId: colon < 0 ? '' : value.slice(0, colon), secret: colon < 0 ? value : value.slice(colon + 1) });
  }
  return out.length > 0 ? { fedLinkageSecrets: out.sort((a, b) => a.partner.localeCompare(b.partner)) } : {};
}

/** Where Tessera keeps local state (default store, demo data). */
export function stateDir(cwd = process.cwd()): string {
  return join(cwd, '.tessera');
}

