import { invalid } from '../model/index.js';
import { type GraphEdge, type GraphTime, toEpochMs } from './network.js';

/**
 * Derived links for the projection: ties nobody stated but the records imply — two people using
 * the same phone, handset or address, on the same flight or train, or at the same place at the
 * same time. Each derived link lists the records (statement or link-entity ids) it rests on, so an
 * analyst can see why it exists. Pure functions: the projection passes only what the user may read.
 */

/** A subject attached to a shared thing: a person using a phone, a phone in a handset, a person at an address. */
export interface Attachment {
  /** The record this rests on (statement or link-entity id): becomes evidence. */
  readonly id: string;
  readonly subject: string;
  /** The shared thing: phone, handset, address id. */
  readonly key: string;
}

export interface SharedOptions {
  /** Things shared by more subjects than this (a hotel, a switchboard) make no links; they are reported instead. Default 25. */
  readonly maxGroup?: number;
}

export interface DerivedLinks {
  readonly edges: GraphEdge[];
  /** Keys skipped because too many subjects share them. */
  readonly skipped: readonly { readonly key: string; readonly subjects: number }[];
}

function pairKey(a: string, b: string): [string, string, string] {
  return a < b ? [a, b, `${a}\u0000${b}`] : [b, a, `${b}\u0000${a}`];
}

/** Links between subjects that share a thing (SharedPhone, SharedHandset, SharedAddress…); weight = things shared. */
export function sharedAttributeLinks(attachments: readonly Attachment[], kind: string, options: SharedOptions = {}): DerivedLinks {
  const maxGroup = options.maxGroup ?? 25;
  if (!Number.isInteger(maxGroup) || maxGroup < 2) throw invalid('maxGroup must be an integer ≥ 2', 'options', 'maxGroup');
  const groups = new Map<string, Map<string, string[]>>();
  for (const a of attachments) {
    let g = groups.get(a.key);
    if (g === undefined) groups.set(a.key, (g = new Map()));
    const ids = g.get(a.subject);
    if (ids === undefined) g.set(a.subject, [a.id]);
    else ids.push(a.id);
  }
  const links = new Map<string, { source: string; target: string; keys: Set<string>; evidence: Set<string> }>();
  const skipped: { key: string; subjects: number }[] = [];
  for (const [key, g] of groups) {
    if (g.size < 2) continue;
    if (g.size > maxGroup) {
      skipped.push({ key, subjects: g.size });
      continue;
    }
    const subjects = [...g.keys()];
    for (let i = 0; i < subjects.length; i++) {
      for (let j = i + 1; j < subjects.length; j++) {
        const [source, target, k] = pairKey(subjects[i]!, subjects[j]!);
        let link = links.get(k);
        if (link === undefined) links.set(k, (link = { source, target, keys: new Set(), evidence: new Set() }));
        link.keys.add(key);
        for (const id of [...g.get(source)!, ...g.get(target)!]) link.evidence.add(id);
      }
    }
  }
  const edges = [...links.values()].map((l) => ({ source: l.source, target: l.target, kind, weight: l.keys.size, count: l.keys.size, evidence: [...l.evidence] }));
  return { edges, skipped: skipped.sort((a, b) => b.subjects - a.subjects) };
}

/** A person at a place (or on a service: a flight, a train) at a time. */
export interface Presence {
  readonly id: string;
  readonly subject: string;
  /** Place id, or a travel service such as `AF1234` / `TGV 9242` for co-travel. */
  readonly place: string;
  readonly time: GraphTime;
}

export interface CoPresenceOptions extends SharedOptions {
  /** Two presences at the same place within this many minutes count as together (default 120). */
  readonly windowMinutes?: number;
}

/**
 * Co-location / co-travel links: subjects at the same place (or on the same service) within a time
 * window. Per place, presences are sorted by time and paired inside a sliding window; the link's
 * weight counts the distinct occasions, with first/last times and the presence records as evidence.
 */
export function coPresenceLinks(presences: readonly Presence[], kind: string, options: CoPresenceOptions = {}): DerivedLinks {
  const window = (options.windowMinutes ?? 120) * 60_000;
  const maxGroup = options.maxGroup ?? 25;
  if (!(window >= 0)) throw invalid('windowMinutes must be ≥ 0', 'options', 'windowMinutes');
  const byPlace = new Map<string, { t: number; p: Presence }[]>();
  for (const p of presences) {
    const t = toEpochMs(p.time, p.id, 'time');
    if (Number.isNaN(t)) throw invalid('presence without a time', p.id, 'time');
    const list = byPlace.get(p.place);
    if (list === undefined) byPlace.set(p.place, [{ t, p }]);
    else list.push({ t, p });
  }
  const links = new Map<string, { source: string; target: string; occasions: Set<string>; first: number; last: number; evidence: Set<string> }>();
  const skipped: { key: string; subjects: number }[] = [];
  for (const [place, list] of byPlace) {
    list.sort((a, b) => a.t - b.t);
    let start = 0;
    for (let i = 0; i < list.length; i++) {
      while (list[i]!.t - list[start]!.t > window) start++;
      // Subjects present in the window ending at i: a crowd (a stadium, a busy flight) is skipped.
      const crowd = new Set<string>();
      for (let j = start; j <= i; j++) crowd.add(list[j]!.p.subject);
      if (crowd.size > maxGroup) {
        if (!skipped.some((s) => s.key === place)) skipped.push({ key: place, subjects: crowd.size });
        continue;
      }
      const a = list[i]!;
      for (let j = start; j < i; j++) {
        const b = list[j]!;
        if (b.p.subject === a.p.subject) continue;
        const [source, target, k] = pairKey(a.p.subject, b.p.subject);
        let link = links.get(k);
        if (link === undefined) links.set(k, (link = { source, target, occasions: new Set(), first: b.t, last: a.t, evidence: new Set() }));
        // One occasion per place and window-sized time bucket of the earlier presence.
        link.occasions.add(`${place}\u0000${Math.floor(b.t / Math.max(window, 1))}`);
        link.first = Math.min(link.first, b.t);
        link.last = Math.max(link.last, a.t);
        link.evidence.add(a.p.id).add(b.p.id);
      }
    }
  }
  const edges = [...links.values()].map((l) => ({
    source: l.source,
    target: l.target,
    kind,
    weight: l.occasions.size,
    count: l.occasions.size,
    first: l.first,
    last: l.last,
    evidence: [...l.evidence],
  }));
  return { edges, skipped };
}
