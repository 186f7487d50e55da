import { isDerived } from '../state/chart-model';

/**
 * How the link chart draws things: node colours by kind (or by community), link colours by kind,
 * derived links dashed in amber, the path in red. Used by the canvas and by the legend, so both
 * always agree. The CSS classes `.kind-<Kind>` and `.community-<n>` in chart.css carry the same
 * colours for the legend and the side panel (inline styles are blocked by the CSP).
 */
export const KIND_COLOURS: Readonly<Record<string, string>> = {
  Person: '#1f5fa8',
  Organization: '#6a3d9a',
  Phone: '#2e7d32',
  Handset: '#689f38',
  Email: '#00838f',
  Account: '#00838f',
  Address: '#8d6e63',
  Place: '#8d6e63',
  IdentityDocument: '#5d4037',
  Vehicle: '#ef6c00',
  Firearm: '#b3261e',
  BankAccount: '#c79100',
  Report: '#757575',
};
export const OTHER_KIND_COLOUR = '#607d8b';

/** Twelve distinguishable community colours (Tableau 10 plus two); smaller communities are grey. */
export const COMMUNITY_COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#17becf', '#1b9e77', '#d95f02'];
export const SMALL_COMMUNITY_COLOUR = '#c0c6cf';

export const EDGE_COLOURS = {
  direct: '#9aa5b1',
  Communication: '#5b8fd6',
  Family: '#8e6bbf',
  derived: '#e08a00',
  path: '#d62728',
  selected: '#111827',
  faded: '#e3e7ec',
} as const;

export function kindColour(kind: string): string {
  return KIND_COLOURS[kind] ?? OTHER_KIND_COLOUR;
}

export function communityColour(community: number | undefined): string {
  return community === undefined ? SMALL_COMMUNITY_COLOUR : (COMMUNITY_COLOURS[community] ?? SMALL_COMMUNITY_COLOUR);
}

/** The colour of a link by kind: derived links amber, calls blue, family purple, others grey. */
export function edgeColour(kind: string): string {
  if (isDerived(kind)) return EDGE_COLOURS.derived;
  if (kind === 'Communication') return EDGE_COLOURS.Communication;
  if (kind === 'Family') return EDGE_COLOURS.Family;
  return EDGE_COLOURS.direct;
}

/** Link thickness in pixels: heavier ties (more calls, more records) are thicker, within reason. */
export function edgeSize(weight: number): number {
  return Math.min(6, 1 + Math.log2(Math.max(1, weight)));
}

/** Node size in pixels: by betweenness when asked (square root, so a few hubs do not dwarf the rest). */
export function nodeSize(betweenness: number | undefined, maxBetweenness: number, isRoot: boolean, many: boolean): number {
  if (betweenness !== undefined && maxBetweenness > 0) return 3 + 17 * Math.sqrt(betweenness / maxBetweenness);
  if (isRoot) return many ? 7 : 14;
  return many ? 3 : 9;
}

/** A colour washed towards the chart's background (nodes outside the selection's neighbourhood). */
export function faded(hex: string): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return hex;
  const mix = (c: string) => Math.round(parseInt(c, 16) * 0.25 + 0xf6 * 0.75).toString(16).padStart(2, '0');
  return `#${mix(m[1]!)}${mix(m[2]!)}${mix(m[3]!)}`;
}

/** A CSS-class-safe token of a kind name (for the legend swatches). */
export function kindClass(kind: string): string {
  return KIND_COLOURS[kind] ? `kind-${kind}` : 'kind-other';
}
