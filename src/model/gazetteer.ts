/**
 * A small offline gazetteer: the cities and airports the synthetic scenario and the demo use, with
 * public coordinates (WGS 84, decimal degrees; city centres and airport reference points as published
 * by Natural Earth populated places, OurAirports and the airports' AIP entries). Agencies run
 * air-gapped, so the map cannot call a geocoding service: a record naming "…, 75011 Paris" or the
 * airport "CDG" is placed from this table. A position found here is marked `precision: 'city'` (a city
 * centre) or `'airport'`; coordinates stated in the data itself are `'exact'`.
 */

export interface GazetteerCity {
  readonly name: string;
  /** ISO 3166-1 alpha-2 (XK for Kosovo, as used by the EU and the scenario). */
  readonly country: string;
  readonly lat: number;
  readonly lon: number;
  /** Other spellings found in addresses: endonyms and exonyms (Bruxelles, Brussel, Köln, Wien…). */
  readonly aliases?: readonly string[];
}

export interface GazetteerAirport {
  readonly iata: string;
  readonly name: string;
  readonly country: string;
  readonly lat: number;
  readonly lon: number;
}

export type GeoPrecision = 'exact' | 'airport' | 'city';

export interface GeoPoint {
  readonly lat: number;
  readonly lon: number;
  readonly precision: GeoPrecision;
  /** What the position was taken from: "Paris (FR)", "CDG Paris Charles de Gaulle", "stated coordinates". */
  readonly basis: string;
}

const c = (name: string, country: string, lat: number, lon: number, ...aliases: string[]): GazetteerCity => ({ name, country, lat, lon, ...(aliases.length ? { aliases } : {}) });

export const GAZETTEER_CITIES: readonly GazetteerCity[] = [
  // France
  c('Paris', 'FR', 48.8566, 2.3522),
  c('Lyon', 'FR', 45.764, 4.8357, 'Lyons'),
  c('Marseille', 'FR', 43.2965, 5.3698, 'Marseilles'),
  c('Lille', 'FR', 50.6292, 3.0573, 'Rijsel'),
  c('Strasbourg', 'FR', 48.5734, 7.7521, 'Straßburg', 'Strassburg'),
  c('Nice', 'FR', 43.7102, 7.262, 'Nizza'),
  c('Toulouse', 'FR', 43.6047, 1.4442),
  c('Bordeaux', 'FR', 44.8378, -0.5792),
  // Belgium
  c('Brussels', 'BE', 50.8503, 4.3517, 'Bruxelles', 'Brussel', 'Brüssel'),
  c('Antwerp', 'BE', 51.2194, 4.4025, 'Antwerpen', 'Anvers'),
  c('Liège', 'BE', 50.6326, 5.5797, 'Luik', 'Lüttich'),
  c('Charleroi', 'BE', 50.4108, 4.4446),
  c('Ghent', 'BE', 51.0543, 3.7174, 'Gent', 'Gand'),
  c('Molenbeek-Saint-Jean', 'BE', 50.8548, 4.3226, 'Sint-Jans-Molenbeek', 'Molenbeek'),
  // Spain
  c('Madrid', 'ES', 40.4168, -3.7038),
  c('Barcelona', 'ES', 41.3874, 2.1686),
  c('Málaga', 'ES', 36.7213, -4.4214),
  c('Valencia', 'ES', 39.4699, -0.3763, 'València'),
  c('Ceuta', 'ES', 35.8894, -5.3213),
  c('Melilla', 'ES', 35.2923, -2.9381),
  c('Seville', 'ES', 37.3891, -5.9845, 'Sevilla'),
  // Germany
  c('Berlin', 'DE', 52.52, 13.405),
  c('Hamburg', 'DE', 53.5511, 9.9937),
  c('Frankfurt', 'DE', 50.1109, 8.6821, 'Frankfurt am Main'),
  c('Cologne', 'DE', 50.9375, 6.9603, 'Köln', 'Koeln'),
  c('Munich', 'DE', 48.1351, 11.582, 'München', 'Muenchen'),
  c('Dortmund', 'DE', 51.5136, 7.4653),
  c('Düsseldorf', 'DE', 51.2277, 6.7735, 'Duesseldorf'),
  c('Stuttgart', 'DE', 48.7758, 9.1829),
  // Netherlands
  c('Amsterdam', 'NL', 52.3676, 4.9041),
  c('Rotterdam', 'NL', 51.9244, 4.4777),
  c('The Hague', 'NL', 52.0705, 4.3007, 'Den Haag', "'s-Gravenhage", 'La Haye'),
  c('Utrecht', 'NL', 52.0907, 5.1214),
  c('Eindhoven', 'NL', 51.4416, 5.4697),
  // Austria
  c('Vienna', 'AT', 48.2082, 16.3738, 'Wien', 'Vienne'),
  c('Graz', 'AT', 47.0707, 15.4395),
  c('Linz', 'AT', 48.3069, 14.2858),
  c('Salzburg', 'AT', 47.8095, 13.055),
  c('Innsbruck', 'AT', 47.2692, 11.4041),
  // Western Balkans
  c('Sarajevo', 'BA', 43.8563, 18.4131),
  c('Zenica', 'BA', 44.2034, 17.9077),
  c('Belgrade', 'RS', 44.7866, 20.4489, 'Beograd'),
  c('Novi Pazar', 'RS', 43.1367, 20.5122),
  c('Pristina', 'XK', 42.6629, 21.1655, 'Prishtina', 'Priština'),
  c('Tirana', 'AL', 41.3275, 19.8187, 'Tiranë'),
  c('Skopje', 'MK', 41.9981, 21.4254),
  c('Zagreb', 'HR', 45.815, 15.9819),
  c('Ljubljana', 'SI', 46.0569, 14.5058),
  // Other European capitals and hubs
  c('London', 'GB', 51.5072, -0.1276),
  c('Rome', 'IT', 41.9028, 12.4964, 'Roma'),
  c('Milan', 'IT', 45.4642, 9.19, 'Milano'),
  c('Luxembourg', 'LU', 49.6116, 6.1319),
  c('Geneva', 'CH', 46.2044, 6.1432, 'Genève', 'Genf'),
  c('Zurich', 'CH', 47.3769, 8.5417, 'Zürich'),
  c('Copenhagen', 'DK', 55.6761, 12.5683, 'København'),
  c('Stockholm', 'SE', 59.3293, 18.0686),
  c('Warsaw', 'PL', 52.2297, 21.0122, 'Warszawa'),
  c('Prague', 'CZ', 50.0755, 14.4378, 'Praha'),
  c('Budapest', 'HU', 47.4979, 19.0402),
  c('Athens', 'GR', 37.9838, 23.7275),
  c('Lisbon', 'PT', 38.7223, -9.1393, 'Lisboa'),
  // Conflict-zone gateways and North Africa
  c('Istanbul', 'TR', 41.0082, 28.9784, 'İstanbul'),
  c('Izmir', 'TR', 38.4237, 27.1428, 'İzmir'),
  c('Antalya', 'TR', 36.8969, 30.7133),
  c('Gaziantep', 'TR', 37.0662, 37.3833),
  c('Antakya', 'TR', 36.2025, 36.1606, 'Hatay'),
  c('Tunis', 'TN', 36.8065, 10.1815),
  c('Cairo', 'EG', 30.0444, 31.2357, 'Le Caire', 'Kairo'),
  c('Amman', 'JO', 31.9539, 35.9106),
  c('Beirut', 'LB', 33.8938, 35.5018, 'Beyrouth'),
  c('Casablanca', 'MA', 33.5731, -7.5898),
  c('Marrakesh', 'MA', 31.6295, -7.9811, 'Marrakech'),
  c('Tangier', 'MA', 35.7595, -5.834, 'Tanger'),
  c('Algiers', 'DZ', 36.7538, 3.0588, 'Alger'),
];

const a = (iata: string, name: string, country: string, lat: number, lon: number): GazetteerAirport => ({ iata, name, country, lat, lon });

export const GAZETTEER_AIRPORTS: readonly GazetteerAirport[] = [
  a('CDG', 'Paris Charles de Gaulle', 'FR', 49.0097, 2.5479),
  a('ORY', 'Paris Orly', 'FR', 48.7262, 2.3652),
  a('LYS', 'Lyon Saint-Exupéry', 'FR', 45.7256, 5.0811),
  a('MRS', 'Marseille Provence', 'FR', 43.4393, 5.2214),
  a('NCE', 'Nice Côte d’Azur', 'FR', 43.6584, 7.2159),
  a('BRU', 'Brussels Airport', 'BE', 50.9014, 4.4844),
  a('CRL', 'Brussels South Charleroi', 'BE', 50.4592, 4.4538),
  a('MAD', 'Madrid Barajas', 'ES', 40.4983, -3.5676),
  a('BCN', 'Barcelona El Prat', 'ES', 41.2974, 2.0833),
  a('AGP', 'Málaga', 'ES', 36.6749, -4.4991),
  a('FRA', 'Frankfurt', 'DE', 50.0379, 8.5622),
  a('MUC', 'Munich', 'DE', 48.3538, 11.7861),
  a('BER', 'Berlin Brandenburg', 'DE', 52.3667, 13.5033),
  a('HAM', 'Hamburg', 'DE', 53.6304, 9.9882),
  a('CGN', 'Cologne Bonn', 'DE', 50.8659, 7.1427),
  a('AMS', 'Amsterdam Schiphol', 'NL', 52.3105, 4.7683),
  a('RTM', 'Rotterdam The Hague', 'NL', 51.9569, 4.4372),
  a('EIN', 'Eindhoven', 'NL', 51.4584, 5.3913),
  a('VIE', 'Vienna International', 'AT', 48.1103, 16.5697),
  a('GRZ', 'Graz', 'AT', 46.9911, 15.4396),
  a('SZG', 'Salzburg', 'AT', 47.7933, 13.0043),
  a('IST', 'Istanbul', 'TR', 41.2753, 28.7519),
  a('SAW', 'Istanbul Sabiha Gökçen', 'TR', 40.8986, 29.3092),
  a('ADB', 'Izmir Adnan Menderes', 'TR', 38.2924, 27.157),
  a('AYT', 'Antalya', 'TR', 36.8987, 30.8005),
  a('GZT', 'Gaziantep', 'TR', 36.9472, 37.4787),
  a('HTY', 'Hatay', 'TR', 36.3628, 36.2825),
  a('TUN', 'Tunis-Carthage', 'TN', 36.851, 10.2272),
  a('CAI', 'Cairo International', 'EG', 30.1219, 31.4056),
  a('AMM', 'Amman Queen Alia', 'JO', 31.7226, 35.9932),
  a('BEY', 'Beirut Rafic Hariri', 'LB', 33.8209, 35.4884),
  a('SJJ', 'Sarajevo International', 'BA', 43.8246, 18.3315),
  a('BEG', 'Belgrade Nikola Tesla', 'RS', 44.8184, 20.3091),
  a('PRN', 'Pristina International', 'XK', 42.5728, 21.0358),
  a('TIA', 'Tirana International', 'AL', 41.4147, 19.7206),
  a('CMN', 'Casablanca Mohammed V', 'MA', 33.3675, -7.5898),
  a('RAK', 'Marrakesh Menara', 'MA', 31.6069, -8.0363),
  a('ALG', 'Algiers Houari Boumediene', 'DZ', 36.691, 3.2154),
];

/** Lower case, accents and punctuation removed, spaces collapsed: "LIÈGE" and "liege" meet. */
function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const cityIndex = new Map<string, GazetteerCity>();
for (const city of GAZETTEER_CITIES) for (const n of [city.name, ...(city.aliases ?? [])]) cityIndex.set(fold(n), city);
const airportIndex = new Map(GAZETTEER_AIRPORTS.map((ap) => [ap.iata, ap]));
/** Longest names first, so "Novi Pazar" is tried before a one-word name inside it. */
const cityNamesByLength = [...cityIndex.keys()].sort((x, y) => y.length - x.length);

/** The city of this name (any listed spelling, case and accents ignored), optionally in one country. */
export function lookupCity(name: string, country?: string): GazetteerCity | undefined {
  const city = cityIndex.get(fold(name));
  return city && (!country || city.country === country.toUpperCase()) ? city : undefined;
}

/** The airport with this IATA code. */
export function lookupAirport(iata: string): GazetteerAirport | undefined {
  return airportIndex.get(iata.trim().toUpperCase());
}

/**
 * Places a postal address at its city centre. Addresses end with the locality in every style the
 * agencies write ("145 rue du Moulin, 34401 Lille", "Gartenweg 149, 21920 Dortmund", "Kerkstraat 3,
 * 1017 GC Amsterdam"): the last comma-separated part, postcode removed, is looked up first; failing
 * that, any known city name standing as whole words anywhere in the address.
 */
export function geocodeAddress(address: string, country?: string): GeoPoint | undefined {
  const parts = address.split(',').map((p) => p.trim()).filter(Boolean);
  for (const part of parts.reverse()) {
    const locality = part
      .replace(/\b\d{4}\s?[A-Z]{2}\b/g, ' ') // Dutch postcode "1017 GC"
      .replace(/\b[A-Z]{1,2}-?\d{4,5}\b/g, ' ') // "F-75011", "D-10115"
      .replace(/\d+/g, ' ')
      .trim();
    if (!locality) continue;
    const city = lookupCity(locality, country);
    if (city) return cityPoint(city);
  }
  const folded = ` ${fold(address)} `;
  for (const name of cityNamesByLength) {
    if (!folded.includes(` ${name} `)) continue;
    const city = cityIndex.get(name)!;
    if (!country || city.country === country.toUpperCase()) return cityPoint(city);
  }
  return undefined;
}

function cityPoint(city: GazetteerCity): GeoPoint {
  return { lat: city.lat, lon: city.lon, precision: 'city', basis: `${city.name} (${city.country}), city centre` };
}

/** An airport's reference point. */
export function airportPoint(iata: string): GeoPoint | undefined {
  const ap = lookupAirport(iata);
  return ap ? { lat: ap.lat, lon: ap.lon, precision: 'airport', basis: `${ap.iata} ${ap.name}` } : undefined;
}

/** Coordinates stated in the data, if both are numbers on the globe. */
export function statedPoint(lat: string | undefined, lon: string | undefined): GeoPoint | undefined {
  if (lat === undefined || lon === undefined) return undefined;
  const y = Number(lat);
  const x = Number(lon);
  if (!Number.isFinite(y) || !Number.isFinite(x) || Math.abs(y) > 90 || Math.abs(x) > 180) return undefined;
  return { lat: y, lon: x, precision: 'exact', basis: 'stated coordinates' };
}
