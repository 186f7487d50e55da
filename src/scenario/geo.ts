import type { Origin } from './names.js';

/**
 * Geography of the scenario: the agencies' countries and cities, and the travel places (airports,
 * stations, border crossings). Places are public infrastructure with real codes and coordinates;
 * meeting sites are invented.
 */

export type DateStyle = 'DD/MM/YYYY' | 'DD.MM.YYYY' | 'DD-MM-YYYY' | 'YYYY-MM-DD';

export interface City {
  readonly name: string;
  readonly country: string;
  readonly lat: number;
  readonly lon: number;
  readonly airport?: string;
  readonly station?: string;
}

export interface AgencyProfile {
  readonly id: string;
  readonly country: string;
  readonly name: string;
  /** How the agency writes dates in its own files (the value stays canonical ISO). */
  readonly dateStyle: DateStyle;
  /** Grading systems in use: the agency's main one first. */
  readonly grading: readonly ('EU4x4' | 'ADMIRALTY')[];
  /** Short code used in case ids. */
  readonly caseCodes: readonly string[];
  /** Resident origin mix for the background population. */
  readonly origins: readonly (readonly [Origin, number])[];
  /** Mobile country code, for cell ids. */
  readonly mcc: string;
  readonly cities: readonly City[];
}

export const AGENCY_PROFILES: readonly AgencyProfile[] = [
  {
    id: 'FR-CT',
    country: 'FR',
    name: 'French counter-terrorism unit (synthetic)',
    dateStyle: 'DD/MM/YYYY',
    grading: ['EU4x4'],
    caseCodes: ['ATLAS', 'MISTRAL', 'VERCORS'],
    origins: [['french', 56], ['arabic', 30], ['turkish', 5], ['caucasus', 4], ['bosniak', 3], ['albanian', 2]],
    mcc: '208',
    cities: [
      { name: 'Paris', country: 'FR', lat: 48.8566, lon: 2.3522, airport: 'CDG', station: 'FRPNO' },
      { name: 'Lyon', country: 'FR', lat: 45.764, lon: 4.8357, airport: 'LYS', station: 'FRLPD' },
      { name: 'Marseille', country: 'FR', lat: 43.2965, lon: 5.3698, airport: 'MRS' },
      { name: 'Lille', country: 'FR', lat: 50.6292, lon: 3.0573, station: 'FRLLE' },
      { name: 'Strasbourg', country: 'FR', lat: 48.5734, lon: 7.7521 },
      { name: 'Nice', country: 'FR', lat: 43.7102, lon: 7.262, airport: 'NCE' },
    ],
  },
  {
    id: 'BE-CT',
    country: 'BE',
    name: 'Belgian counter-terrorism unit (synthetic)',
    dateStyle: 'DD/MM/YYYY',
    grading: ['EU4x4', 'ADMIRALTY'],
    caseCodes: ['KANAAL', 'BRABO', 'MEUSE'],
    origins: [['flemish', 32], ['french', 22], ['arabic', 34], ['turkish', 8], ['albanian', 4]],
    mcc: '206',
    cities: [
      { name: 'Brussels', country: 'BE', lat: 50.8503, lon: 4.3517, airport: 'BRU', station: 'BEBMI' },
      { name: 'Antwerp', country: 'BE', lat: 51.2194, lon: 4.4025, station: 'BEANT' },
      { name: 'Liège', country: 'BE', lat: 50.6326, lon: 5.5797 },
      { name: 'Charleroi', country: 'BE', lat: 50.4108, lon: 4.4446, airport: 'CRL' },
      { name: 'Ghent', country: 'BE', lat: 51.0543, lon: 3.7174 },
    ],
  },
  {
    id: 'ES-CT',
    country: 'ES',
    name: 'Spanish counter-terrorism unit (synthetic)',
    dateStyle: 'DD/MM/YYYY',
    grading: ['EU4x4'],
    caseCodes: ['ALHAMBRA', 'ESTRECHO', 'TAJO'],
    origins: [['spanish', 70], ['arabic', 27], ['albanian', 3]],
    mcc: '214',
    cities: [
      { name: 'Madrid', country: 'ES', lat: 40.4168, lon: -3.7038, airport: 'MAD', station: 'ESMAT' },
      { name: 'Barcelona', country: 'ES', lat: 41.3874, lon: 2.1686, airport: 'BCN', station: 'ESBCS' },
      { name: 'Málaga', country: 'ES', lat: 36.7213, lon: -4.4214, airport: 'AGP' },
      { name: 'Valencia', country: 'ES', lat: 39.4699, lon: -0.3763 },
      { name: 'Ceuta', country: 'ES', lat: 35.8894, lon: -5.3213 },
    ],
  },
  {
    id: 'DE-CT',
    country: 'DE',
    name: 'German counter-terrorism unit (synthetic)',
    dateStyle: 'DD.MM.YYYY',
    grading: ['ADMIRALTY', 'EU4x4'],
    caseCodes: ['RHEIN', 'ELBE', 'SPREE'],
    origins: [['german', 66], ['turkish', 16], ['arabic', 10], ['bosniak', 4], ['caucasus', 2], ['serbian', 2]],
    mcc: '262',
    cities: [
      { name: 'Berlin', country: 'DE', lat: 52.52, lon: 13.405, airport: 'BER', station: 'DEBER' },
      { name: 'Hamburg', country: 'DE', lat: 53.5511, lon: 9.9937, airport: 'HAM' },
      { name: 'Frankfurt', country: 'DE', lat: 50.1109, lon: 8.6821, airport: 'FRA', station: 'DEFFM' },
      { name: 'Cologne', country: 'DE', lat: 50.9375, lon: 6.9603, airport: 'CGN', station: 'DEKLN' },
      { name: 'Munich', country: 'DE', lat: 48.1351, lon: 11.582, airport: 'MUC', station: 'DEMUC' },
      { name: 'Dortmund', country: 'DE', lat: 51.5136, lon: 7.4653 },
    ],
  },
  {
    id: 'NL-CT',
    country: 'NL',
    name: 'Dutch counter-terrorism unit (synthetic)',
    dateStyle: 'DD-MM-YYYY',
    grading: ['EU4x4'],
    caseCodes: ['POLDER', 'DELTA', 'AMSTEL'],
    origins: [['dutch', 68], ['arabic', 20], ['turkish', 10], ['bosniak', 2]],
    mcc: '204',
    cities: [
      { name: 'Amsterdam', country: 'NL', lat: 52.3676, lon: 4.9041, airport: 'AMS', station: 'NLASC' },
      { name: 'Rotterdam', country: 'NL', lat: 51.9244, lon: 4.4777, airport: 'RTM', station: 'NLRTD' },
      { name: 'The Hague', country: 'NL', lat: 52.0705, lon: 4.3007 },
      { name: 'Utrecht', country: 'NL', lat: 52.0907, lon: 5.1214 },
      { name: 'Eindhoven', country: 'NL', lat: 51.4416, lon: 5.4697, airport: 'EIN' },
    ],
  },
  {
    id: 'AT-CT',
    country: 'AT',
    name: 'Austrian counter-terrorism unit (synthetic)',
    dateStyle: 'DD.MM.YYYY',
    grading: ['ADMIRALTY'],
    caseCodes: ['DONAU', 'ALPEN', 'MUR'],
    origins: [['german', 64], ['bosniak', 10], ['serbian', 8], ['turkish', 8], ['caucasus', 6], ['albanian', 4]],
    mcc: '232',
    cities: [
      { name: 'Vienna', country: 'AT', lat: 48.2082, lon: 16.3738, airport: 'VIE', station: 'ATWIE' },
      { name: 'Graz', country: 'AT', lat: 47.0707, lon: 15.4395, airport: 'GRZ', station: 'ATGRZ' },
      { name: 'Linz', country: 'AT', lat: 48.3069, lon: 14.2858 },
      { name: 'Salzburg', country: 'AT', lat: 47.8095, lon: 13.055, airport: 'SZG' },
    ],
  },
];

/** Balkan home towns of the firearms traffickers. */
export const BALKAN_CITIES: readonly City[] = [
  { name: 'Sarajevo', country: 'BA', lat: 43.8563, lon: 18.4131, airport: 'SJJ' },
  { name: 'Zenica', country: 'BA', lat: 44.2034, lon: 17.9077 },
  { name: 'Belgrade', country: 'RS', lat: 44.7866, lon: 20.4489, airport: 'BEG' },
  { name: 'Novi Pazar', country: 'RS', lat: 43.1367, lon: 20.5122 },
  { name: 'Pristina', country: 'XK', lat: 42.6629, lon: 21.1655, airport: 'PRN' },
  { name: 'Tirana', country: 'AL', lat: 41.3275, lon: 19.8187, airport: 'TIA' },
];

export type PlaceKind = 'airport' | 'station' | 'border-crossing' | 'port' | 'city' | 'site';

export interface PlaceDef {
  readonly code: string;
  readonly name: string;
  readonly kind: PlaceKind;
  readonly country: string;
  readonly lat: number;
  readonly lon: number;
  readonly gateway: boolean;
}

const ap = (code: string, name: string, country: string, lat: number, lon: number, gateway = false): PlaceDef => ({ code, name, kind: 'airport', country, lat, lon, gateway });
const st = (code: string, name: string, country: string, lat: number, lon: number): PlaceDef => ({ code, name, kind: 'station', country, lat, lon, gateway: false });
const bc = (code: string, name: string, country: string, lat: number, lon: number): PlaceDef => ({ code, name, kind: 'border-crossing', country, lat, lon, gateway: false });

export const AIRPORTS: readonly PlaceDef[] = [
  ap('CDG', 'Paris Charles de Gaulle', 'FR', 49.0097, 2.5479),
  ap('ORY', 'Paris Orly', 'FR', 48.7262, 2.3652),
  ap('LYS', 'Lyon Saint-Exupéry', 'FR', 45.7256, 5.0811),
  ap('MRS', 'Marseille Provence', 'FR', 43.4393, 5.2214),
  ap('NCE', 'Nice Côte d’Azur', 'FR', 43.6584, 7.2159),
  ap('BRU', 'Brussels Airport', 'BE', 50.9014, 4.4844),
  ap('CRL', 'Brussels South Charleroi', 'BE', 50.4592, 4.4538),
  ap('MAD', 'Madrid Barajas', 'ES', 40.4983, -3.5676),
  ap('BCN', 'Barcelona El Prat', 'ES', 41.2974, 2.0833),
  ap('AGP', 'Málaga Airport', 'ES', 36.6749, -4.4991),
  ap('FRA', 'Frankfurt Airport', 'DE', 50.0379, 8.5622),
  ap('MUC', 'Munich Airport', 'DE', 48.3538, 11.7861),
  ap('BER', 'Berlin Brandenburg', 'DE', 52.3667, 13.5033),
  ap('HAM', 'Hamburg Airport', 'DE', 53.6304, 9.9882),
  ap('CGN', 'Cologne Bonn Airport', 'DE', 50.8659, 7.1427),
  ap('AMS', 'Amsterdam Schiphol', 'NL', 52.3105, 4.7683),
  ap('RTM', 'Rotterdam The Hague', 'NL', 51.9569, 4.4372),
  ap('EIN', 'Eindhoven Airport', 'NL', 51.4584, 5.3913),
  ap('VIE', 'Vienna International Airport', 'AT', 48.1103, 16.5697),
  ap('GRZ', 'Graz Airport', 'AT', 46.9911, 15.4396),
  ap('SZG', 'Salzburg Airport', 'AT', 47.7933, 13.0043),
  // Conflict-zone gateways: hubs through which travellers reached conflict zones (Syria, Iraq, Libya).
  ap('IST', 'Istanbul Airport', 'TR', 41.2753, 28.7519, true),
  ap('SAW', 'Istanbul Sabiha Gökçen', 'TR', 40.8986, 29.3092, true),
  ap('ADB', 'Izmir Adnan Menderes', 'TR', 38.2924, 27.157, true),
  ap('AYT', 'Antalya Airport', 'TR', 36.8987, 30.8005, true),
  ap('GZT', 'Gaziantep Airport', 'TR', 36.9472, 37.4787, true),
  ap('HTY', 'Hatay Airport', 'TR', 36.3628, 36.2825, true),
  ap('TUN', 'Tunis-Carthage', 'TN', 36.851, 10.2272, true),
  ap('CAI', 'Cairo International Airport', 'EG', 30.1219, 31.4056, true),
  ap('AMM', 'Amman Queen Alia', 'JO', 31.7226, 35.9932, true),
  ap('BEY', 'Beirut Rafic Hariri', 'LB', 33.8209, 35.4884, true),
  ap('SJJ', 'Sarajevo International Airport', 'BA', 43.8246, 18.3315),
  ap('BEG', 'Belgrade Nikola Tesla', 'RS', 44.8184, 20.3091),
  ap('PRN', 'Pristina International Airport', 'XK', 42.5728, 21.0358),
  ap('TIA', 'Tirana International Airport', 'AL', 41.4147, 19.7206),
  ap('CMN', 'Casablanca Mohammed V', 'MA', 33.3675, -7.5898),
  ap('RAK', 'Marrakesh Menara', 'MA', 31.6069, -8.0363),
  ap('ALG', 'Algiers Houari Boumediene', 'DZ', 36.691, 3.2154),
];

export const STATIONS: readonly PlaceDef[] = [
  st('FRPNO', 'Paris Gare du Nord', 'FR', 48.8809, 2.3553),
  st('FRLPD', 'Lyon Part-Dieu', 'FR', 45.7606, 4.8593),
  st('FRLLE', 'Lille Europe', 'FR', 50.6393, 3.0756),
  st('BEBMI', 'Bruxelles-Midi / Brussel-Zuid', 'BE', 50.8357, 4.3366),
  st('BEANT', 'Antwerpen-Centraal', 'BE', 51.2172, 4.421),
  st('NLASC', 'Amsterdam Centraal', 'NL', 52.3791, 4.9003),
  st('NLRTD', 'Rotterdam Centraal', 'NL', 51.9249, 4.4689),
  st('DEKLN', 'Köln Hauptbahnhof', 'DE', 50.943, 6.9589),
  st('DEFFM', 'Frankfurt (Main) Hauptbahnhof', 'DE', 50.1071, 8.6638),
  st('DEMUC', 'München Hauptbahnhof', 'DE', 48.1402, 11.5586),
  st('DEBER', 'Berlin Hauptbahnhof', 'DE', 52.5251, 13.3694),
  st('ATWIE', 'Wien Hauptbahnhof', 'AT', 48.1851, 16.3762),
  st('ATGRZ', 'Graz Hauptbahnhof', 'AT', 47.0726, 15.4168),
  st('ESMAT', 'Madrid Puerta de Atocha', 'ES', 40.4066, -3.6892),
  st('ESBCS', 'Barcelona Sants', 'ES', 41.3792, 2.1402),
];

/** Road crossings: internal Schengen frontiers with police checks and the Balkan route. */
export const CROSSINGS: readonly PlaceDef[] = [
  bc('AT-SPIELFELD', 'Spielfeld (SI–AT)', 'AT', 46.7069, 15.6394),
  bc('AT-NICKELSDORF', 'Nickelsdorf (HU–AT)', 'AT', 47.9396, 17.0652),
  bc('AT-KUFSTEIN', 'Kufstein (AT–DE)', 'AT', 47.5833, 12.1667),
  bc('DE-KEHL', 'Kehl (FR–DE)', 'DE', 48.5745, 7.8158),
  bc('DE-AACHEN', 'Aachen-Lichtenbusch (BE–DE)', 'DE', 50.7155, 6.1564),
  bc('ES-LAJONQUERA', 'La Jonquera (FR–ES)', 'ES', 42.4189, 2.8744),
  bc('FR-HENDAYE', 'Hendaye (ES–FR)', 'FR', 43.3591, -1.7744),
  bc('FR-MENTON', 'Menton (IT–FR)', 'FR', 43.7792, 7.5012),
  bc('NL-HAZELDONK', 'Hazeldonk (BE–NL)', 'NL', 51.4886, 4.7505),
  bc('BE-HOUTEM', 'Houtem (FR–BE)', 'BE', 51.0186, 2.5941),
  bc('HR-BREGANA', 'Bregana (SI–HR)', 'HR', 45.8439, 15.6937),
  bc('RS-BATROVCI', 'Batrovci (RS–HR)', 'RS', 45.0425, 19.1072),
];

/** Carriers by country of departure (IATA codes of real airlines; flight numbers are invented). */
export const AIR_CARRIERS: Readonly<Record<string, readonly string[]>> = {
  FR: ['AF', 'U2', 'TO'],
  BE: ['SN', 'FR', 'TB'],
  ES: ['IB', 'VY', 'UX'],
  DE: ['LH', 'EW', 'DE'],
  NL: ['KL', 'HV'],
  AT: ['OS', 'W6'],
  TR: ['TK', 'PC'],
  TN: ['TU'],
  EG: ['MS'],
  JO: ['RJ'],
  LB: ['ME'],
  MA: ['AT'],
  DZ: ['AH'],
  BA: ['W6'],
  RS: ['JU'],
  XK: ['W6'],
  AL: ['W6'],
};

export const RAIL_CARRIERS: readonly (readonly [string, string])[] = [
  ['Eurostar', 'EST'],
  ['TGV', 'TGV'],
  ['ICE', 'ICE'],
  ['Railjet', 'RJX'],
  ['AVE', 'AVE'],
  ['Nightjet', 'NJ'],
];

export const MEETING_SITES: readonly string[] = ['café', 'car park', 'gym', 'park', 'service station', 'rented flat', 'snack bar', 'internet café', 'laundrette', 'bus station'];
