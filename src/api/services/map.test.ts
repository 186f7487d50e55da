import { describe, expect, it } from 'vitest';
import { greatCircle } from './map.js';

/** Haversine distance in km (spherical Earth, R = 6371 km). */
function km([lon1, lat1]: readonly [number, number], [lon2, lat2]: readonly [number, number]): number {
  const r = Math.PI / 180;
  const h = Math.sin(((lat2 - lat1) * r) / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

describe('greatCircle', () => {
  const cdg: [number, number] = [2.5479, 49.0097];
  const ist: [number, number] = [28.7519, 41.2753];

  it('runs from origin to destination in equal steps along the sphere', () => {
    const line = greatCircle(cdg, ist, 32);
    expect(line).toHaveLength(33);
    expect(line[0]).toEqual(cdg);
    expect(line.at(-1)).toEqual(ist);
    const total = km(cdg, ist);
    const steps = line.slice(1).map((p, i) => km(line[i]!, p));
    for (const s of steps) expect(s).toBeCloseTo(total / 32, 0);
    expect(steps.reduce((a, b) => a + b, 0)).toBeCloseTo(total, 0);
  });

  it('keeps short hops and identical points as plain segments', () => {
    expect(greatCircle(cdg, cdg)).toEqual([cdg, cdg]);
    expect(greatCircle([2.35, 48.85], [2.55, 49.0])).toHaveLength(2); // Paris to CDG: the chord is the route
  });
});
