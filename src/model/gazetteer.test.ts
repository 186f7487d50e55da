import { describe, expect, it } from 'vitest';
import { airportPoint, GAZETTEER_AIRPORTS, GAZETTEER_CITIES, geocodeAddress, lookupCity, statedPoint } from './gazetteer.js';

describe('gazetteer', () => {
  it('places addresses in every style the agencies write at their city centre', () => {
    const cases: [string, string][] = [
      ['145 rue du Moulin, 34401 Lille', 'Lille'],
      ['81 RUE DE LA RÉPUBLIQUE, 46502 MARSEILLE', 'Marseille'],
      ['Gartenweg 149, 21920 Dortmund', 'Dortmund'],
      ['Molenweg 64, 6758 WT Rotterdam', 'Rotterdam'],
      ['Kerkstraat 31, 4631 ZX The Hague', 'The Hague'],
      ['162 Rue de la Station, 3343 Liège', 'Liège'],
      ['162 RUE DE LA STATION, 3343 LIEGE', 'Liège'],
      ['BAHNHOFSTRASSE 144, 80343 MUNICH', 'Munich'],
      ['Bahnhofstraße 144, 80343 München', 'Munich'],
      ['Rue Haute 4 1000 Bruxelles', 'Brussels'],
      ['Ulica 7, 36300 Novi Pazar', 'Novi Pazar'],
    ];
    for (const [address, city] of cases) {
      const p = geocodeAddress(address);
      const expected = lookupCity(city)!;
      expect(p, address).toMatchObject({ lat: expected.lat, lon: expected.lon, precision: 'city' });
      expect(p!.basis).toContain(expected.name);
    }
  });

  it('returns nothing for an address it cannot place, and respects a stated country', () => {
    expect(geocodeAddress('12 Nowhere Lane, 99999 Atlantis')).toBeUndefined();
    expect(geocodeAddress('')).toBeUndefined();
    expect(geocodeAddress('Hauptplatz 55, 1333 Vienna', 'FR')).toBeUndefined();
    expect(geocodeAddress('Hauptplatz 55, 1333 Vienna', 'at')?.basis).toContain('Vienna');
  });

  it('knows airports by IATA code and validates stated coordinates', () => {
    expect(airportPoint('cdg')).toMatchObject({ precision: 'airport', lat: 49.0097, lon: 2.5479 });
    expect(airportPoint('XXX')).toBeUndefined();
    expect(statedPoint('48.85', '2.35')).toMatchObject({ lat: 48.85, lon: 2.35, precision: 'exact' });
    expect(statedPoint('91', '2')).toBeUndefined();
    expect(statedPoint('north', '2')).toBeUndefined();
    expect(statedPoint('48', undefined)).toBeUndefined();
  });

  it('holds plausible coordinates only: every entry in Europe, North Africa or the Near East', () => {
    for (const p of [...GAZETTEER_CITIES, ...GAZETTEER_AIRPORTS]) {
      expect(p.lat, JSON.stringify(p)).toBeGreaterThan(28);
      expect(p.lat, JSON.stringify(p)).toBeLessThan(61);
      expect(p.lon, JSON.stringify(p)).toBeGreaterThan(-11);
      expect(p.lon, JSON.stringify(p)).toBeLessThan(40);
    }
    expect(new Set(GAZETTEER_AIRPORTS.map((x) => x.iata)).size).toBe(GAZETTEER_AIRPORTS.length);
  });
});
