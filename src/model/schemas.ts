import type { PropertyType } from './values.js';

/**
 * The schema registry: every entity and link schema of DESIGN.md with its typed properties.
 * Link schemas are entities too (start/end, own provenance) and name the two properties that make
 * them an edge. `protected` marks the characteristics no score may use (LED Art. 10, AI Act Art. 5(1)(d)):
 * see `scoringView` in protected.ts.
 */
export interface PropertySpec {
  readonly type: PropertyType;
  readonly label: string;
  /** For `entity` properties: which schemas the referenced entity may have. */
  readonly range?: readonly SchemaName[];
  /** For `enum` properties: the members. */
  readonly members?: readonly string[];
  /** Protected characteristic: may be stored where the law allows, never scored. */
  readonly protected?: boolean;
  /** Matchable selector (screening, PSI, blocking): an exact identifier of a person or object. */
  readonly selector?: boolean;
  /** The FollowTheMoney property name, when it differs or exists. */
  readonly ftm?: string;
}

export interface SchemaSpec {
  readonly name: SchemaName;
  readonly label: string;
  readonly kind: 'entity' | 'link';
  readonly properties: Readonly<Record<string, PropertySpec>>;
  /** Properties shown as the entity's caption, in order of preference. */
  readonly caption: readonly string[];
  /** For links: the two properties whose values are the edge's ends (source → target). */
  readonly edge?: { readonly source: string; readonly target: string; readonly directed: boolean };
  /** The FollowTheMoney schema this maps to, when FtM has one. */
  readonly ftm?: string;
}

export const ENTITY_SCHEMAS = [
  'Person',
  'Organization',
  'Phone',
  'Handset',
  'Email',
  'Account',
  'Address',
  'Place',
  'IdentityDocument',
  'Vehicle',
  'Firearm',
  'BankAccount',
  'Report',
  'Case',
] as const;
export const LINK_SCHEMAS = [
  'Associate',
  'Family',
  'Membership',
  'PhoneUse',
  'HandsetUse',
  'Communication',
  'TravelEvent',
  'Meeting',
  'Possession',
  'Encounter',
  'Mention',
] as const;
export const SCHEMA_NAMES = [...ENTITY_SCHEMAS, ...LINK_SCHEMAS] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];

const p = (type: PropertyType, label: string, extra: Omit<PropertySpec, 'type' | 'label'> = {}): PropertySpec => ({ type, label, ...extra });
const ref = (label: string, range: readonly SchemaName[], extra: Omit<PropertySpec, 'type' | 'label' | 'range'> = {}): PropertySpec => ({
  type: 'entity',
  label,
  range,
  ...extra,
});
const interval = {
  startDate: p('datetime', 'Start'),
  endDate: p('datetime', 'End'),
  notes: p('text', 'Notes', { ftm: 'summary' }),
} as const;

const schemas: Record<SchemaName, SchemaSpec> = {
  Person: {
    name: 'Person',
    label: 'Person',
    kind: 'entity',
    ftm: 'Person',
    caption: ['name', 'alias', 'lastName'],
    properties: {
      name: p('name', 'Name'),
      firstName: p('name', 'First name'),
      lastName: p('name', 'Last name'),
      fatherName: p('name', 'Patronymic / father’s name'),
      alias: p('name', 'Alias'),
      birthDate: p('date', 'Date of birth'),
      birthPlace: p('text', 'Place of birth'),
      deathDate: p('date', 'Date of death'),
      gender: p('enum', 'Gender', { members: ['male', 'female', 'other'] }),
      idNumber: p('identifier', 'ID number', { selector: true }),
      passportNumber: p('identifier', 'Passport number', { selector: true }),
      phone: p('phone', 'Phone', { selector: true }),
      email: p('email', 'E-mail', { selector: true }),
      address: p('text', 'Address'),
      country: p('country', 'Country of residence'),
      position: p('text', 'Position'),
      notes: p('text', 'Notes', { ftm: 'notes' }),
      // Protected characteristics (LED Art. 10): stored only where lawful, never scored.
      nationality: p('country', 'Nationality', { protected: true }),
      religion: p('text', 'Religion', { protected: true }),
      ethnicity: p('text', 'Ethnicity', { protected: true }),
      migrantStatus: p('text', 'Migrant status', { protected: true, ftm: '' }),
      politicalOpinion: p('text', 'Political opinion', { protected: true, ftm: '' }),
      health: p('text', 'Health', { protected: true, ftm: '' }),
      sexualLife: p('text', 'Sexual life or orientation', { protected: true, ftm: '' }),
    },
  },
  Organization: {
    name: 'Organization',
    label: 'Organisation',
    kind: 'entity',
    ftm: 'Organization',
    caption: ['name', 'alias'],
    properties: {
      name: p('name', 'Name'),
      alias: p('name', 'Alias'),
      country: p('country', 'Country', { ftm: 'jurisdiction' }),
      type: p('text', 'Type', { ftm: 'legalForm' }),
      phone: p('phone', 'Phone', { selector: true }),
      email: p('email', 'E-mail', { selector: true }),
      address: p('text', 'Address'),
      notes: p('text', 'Notes'),
    },
  },
  Phone: {
    name: 'Phone',
    label: 'Phone number',
    kind: 'entity',
    caption: ['number'],
    properties: {
      number: p('phone', 'Number', { selector: true }),
      kind: p('enum', 'Kind', { members: ['mobile', 'landline', 'satellite', 'voip'] }),
      prepaid: p('enum', 'Prepaid', { members: ['yes', 'no'] }),
      country: p('country', 'Country'),
      notes: p('text', 'Notes'),
    },
  },
  Handset: {
    name: 'Handset',
    label: 'Handset',
    kind: 'entity',
    caption: ['imei', 'model'],
    properties: {
      imei: p('imei', 'IMEI', { selector: true }),
      brand: p('text', 'Brand'),
      model: p('text', 'Model'),
      notes: p('text', 'Notes'),
    },
  },
  Email: {
    name: 'Email',
    label: 'E-mail address',
    kind: 'entity',
    caption: ['address'],
    properties: { address: p('email', 'Address', { selector: true }), notes: p('text', 'Notes') },
  },
  Account: {
    name: 'Account',
    label: 'Online account',
    kind: 'entity',
    ftm: 'UserAccount',
    caption: ['username', 'service'],
    properties: {
      username: p('identifier', 'Username', { selector: true }),
      service: p('text', 'Service'),
      url: p('url', 'URL', { ftm: 'sourceUrl' }),
      owner: ref('Owner', ['Person', 'Organization']),
      notes: p('text', 'Notes'),
    },
  },
  Address: {
    name: 'Address',
    label: 'Address',
    kind: 'entity',
    ftm: 'Address',
    caption: ['full', 'city'],
    properties: {
      full: p('text', 'Full address'),
      street: p('text', 'Street'),
      city: p('text', 'City'),
      postalCode: p('identifier', 'Postal code'),
      country: p('country', 'Country'),
      latitude: p('number', 'Latitude'),
      longitude: p('number', 'Longitude'),
    },
  },
  Place: {
    name: 'Place',
    label: 'Place',
    kind: 'entity',
    caption: ['name', 'code'],
    properties: {
      name: p('name', 'Name'),
      code: p('identifier', 'Code (IATA, UIC, crossing id)'),
      kind: p('enum', 'Kind', { members: ['airport', 'station', 'border-crossing', 'port', 'city', 'site'] }),
      country: p('country', 'Country'),
      latitude: p('number', 'Latitude'),
      longitude: p('number', 'Longitude'),
      conflictZoneGateway: p('enum', 'Conflict-zone gateway', { members: ['yes', 'no'] }),
    },
  },
  IdentityDocument: {
    name: 'IdentityDocument',
    label: 'Identity document',
    kind: 'entity',
    ftm: 'Identification',
    caption: ['number'],
    properties: {
      number: p('identifier', 'Number', { selector: true }),
      type: p('enum', 'Type', { members: ['passport', 'idcard', 'residence-permit', 'driving-licence', 'visa', 'other'] }),
      country: p('country', 'Issuing country'),
      holder: ref('Holder', ['Person']),
      holderName: p('name', 'Name on document', { ftm: '' }),
      issueDate: p('date', 'Issued', { ftm: 'startDate' }),
      expiryDate: p('date', 'Expires', { ftm: 'endDate' }),
      reportedLost: p('enum', 'Reported lost or stolen', { members: ['yes', 'no'], ftm: '' }),
    },
  },
  Vehicle: {
    name: 'Vehicle',
    label: 'Vehicle',
    kind: 'entity',
    ftm: 'Vehicle',
    caption: ['registrationNumber', 'model'],
    properties: {
      registrationNumber: p('identifier', 'Registration plate', { selector: true }),
      vin: p('identifier', 'VIN', { selector: true, ftm: '' }),
      type: p('text', 'Type'),
      model: p('text', 'Model'),
      country: p('country', 'Country'),
    },
  },
  Firearm: {
    name: 'Firearm',
    label: 'Firearm',
    kind: 'entity',
    caption: ['serialNumber', 'model'],
    properties: {
      serialNumber: p('identifier', 'Serial number', { selector: true }),
      make: p('text', 'Make'),
      model: p('text', 'Model'),
      calibre: p('text', 'Calibre'),
      type: p('enum', 'Type', { members: ['rifle', 'pistol', 'shotgun', 'submachine-gun', 'other'] }),
      originCountry: p('country', 'Country of origin'),
      notes: p('text', 'Notes'),
    },
  },
  BankAccount: {
    name: 'BankAccount',
    label: 'Bank account',
    kind: 'entity',
    ftm: 'BankAccount',
    caption: ['iban', 'accountNumber'],
    properties: {
      iban: p('iban', 'IBAN', { selector: true }),
      accountNumber: p('identifier', 'Account number', { selector: true }),
      bankName: p('text', 'Bank'),
      country: p('country', 'Country'),
      holder: ref('Holder', ['Person', 'Organization'], { ftm: '' }),
    },
  },
  Report: {
    name: 'Report',
    label: 'Report',
    kind: 'entity',
    ftm: 'PlainText',
    caption: ['title', 'reference'],
    properties: {
      title: p('text', 'Title'),
      reference: p('identifier', 'Reference', { ftm: '' }),
      date: p('date', 'Date'),
      author: p('text', 'Author'),
      language: p('text', 'Language'),
      bodyText: p('text', 'Text'),
    },
  },
  Case: {
    name: 'Case',
    label: 'Case',
    kind: 'entity',
    ftm: 'Project',
    caption: ['name', 'reference'],
    properties: {
      name: p('name', 'Name'),
      reference: p('identifier', 'Reference', { ftm: '' }),
      description: p('text', 'Description'),
      startDate: p('date', 'Opened'),
    },
  },
  Associate: {
    name: 'Associate',
    label: 'Associate',
    kind: 'link',
    ftm: 'Associate',
    caption: ['relationship'],
    edge: { source: 'person', target: 'associate', directed: false },
    properties: { person: ref('Person', ['Person']), associate: ref('Associate', ['Person']), relationship: p('text', 'Relationship'), ...interval },
  },
  Family: {
    name: 'Family',
    label: 'Family',
    kind: 'link',
    ftm: 'Family',
    caption: ['relationship'],
    edge: { source: 'person', target: 'relative', directed: false },
    properties: { person: ref('Person', ['Person']), relative: ref('Relative', ['Person']), relationship: p('text', 'Relationship'), ...interval },
  },
  Membership: {
    name: 'Membership',
    label: 'Membership',
    kind: 'link',
    ftm: 'Membership',
    caption: ['role'],
    edge: { source: 'member', target: 'organization', directed: true },
    properties: { member: ref('Member', ['Person']), organization: ref('Organisation', ['Organization']), role: p('text', 'Role'), ...interval },
  },
  PhoneUse: {
    name: 'PhoneUse',
    label: 'Phone use',
    kind: 'link',
    caption: ['role'],
    edge: { source: 'person', target: 'phone', directed: true },
    properties: { person: ref('User', ['Person', 'Organization']), phone: ref('Phone', ['Phone']), role: p('text', 'Role'), ...interval },
  },
  HandsetUse: {
    name: 'HandsetUse',
    label: 'Handset use',
    kind: 'link',
    caption: [],
    edge: { source: 'phone', target: 'handset', directed: true },
    properties: { phone: ref('Phone (SIM)', ['Phone']), handset: ref('Handset', ['Handset']), ...interval },
  },
  Communication: {
    name: 'Communication',
    label: 'Communication',
    kind: 'link',
    ftm: 'Call',
    caption: ['date'],
    edge: { source: 'caller', target: 'callee', directed: true },
    properties: {
      caller: ref('Caller', ['Phone', 'Email', 'Account']),
      callee: ref('Callee', ['Phone', 'Email', 'Account'], { ftm: 'receiver' }),
      date: p('datetime', 'Time'),
      duration: p('number', 'Duration (s)'),
      channel: p('enum', 'Channel', { members: ['voice', 'sms', 'messaging', 'email'], ftm: '' }),
      cellId: p('identifier', 'Cell id', { ftm: '' }),
      handset: ref('Caller handset', ['Handset'], { ftm: '' }),
    },
  },
  TravelEvent: {
    name: 'TravelEvent',
    label: 'Travel',
    kind: 'link',
    caption: ['serviceNumber', 'departure'],
    edge: { source: 'origin', target: 'destination', directed: true },
    properties: {
      traveller: ref('Traveller', ['Person']),
      travellerName: p('name', 'Name as booked'),
      travellerBirthDate: p('date', 'Date of birth as booked'),
      documentNumber: p('identifier', 'Travel document number', { selector: true }),
      mode: p('enum', 'Mode', { members: ['air', 'rail', 'road', 'sea', 'border'] }),
      origin: ref('From', ['Place']),
      destination: ref('To', ['Place']),
      departure: p('datetime', 'Departure'),
      arrival: p('datetime', 'Arrival'),
      carrier: p('text', 'Carrier'),
      serviceNumber: p('identifier', 'Flight / train / crossing'),
      bookingRef: p('identifier', 'Booking reference'),
      seat: p('identifier', 'Seat'),
      vehicle: ref('Vehicle', ['Vehicle']),
    },
  },
  Meeting: {
    name: 'Meeting',
    label: 'Meeting',
    kind: 'link',
    ftm: 'Event',
    caption: ['date'],
    edge: { source: 'participant', target: 'participant', directed: false },
    properties: {
      participant: ref('Participant', ['Person'], { ftm: 'involved' }),
      place: ref('Place', ['Place', 'Address'], { ftm: 'location' }),
      date: p('datetime', 'Time'),
      notes: p('text', 'Notes', { ftm: 'summary' }),
    },
  },
  Possession: {
    name: 'Possession',
    label: 'Possession',
    kind: 'link',
    ftm: 'Ownership',
    caption: [],
    edge: { source: 'owner', target: 'asset', directed: true },
    properties: { owner: ref('Owner', ['Person', 'Organization']), asset: ref('Asset', ['Firearm', 'Vehicle', 'Handset']), acquiredFrom: ref('Acquired from', ['Person', 'Organization'], { ftm: '' }), ...interval },
  },
  Encounter: {
    name: 'Encounter',
    label: 'Encounter',
    kind: 'link',
    caption: ['date'],
    edge: { source: 'subject', target: 'place', directed: true },
    properties: {
      subject: ref('Subject', ['Person', 'Vehicle', 'IdentityDocument', 'Phone']),
      place: ref('Place', ['Place', 'Address']),
      date: p('datetime', 'Time'),
      checkedBy: p('text', 'Checked by'),
      outcome: p('text', 'Outcome'),
      alertRef: p('identifier', 'Alert reference'),
    },
  },
  Mention: {
    name: 'Mention',
    label: 'Mention',
    kind: 'link',
    ftm: 'Mention',
    caption: ['text'],
    edge: { source: 'document', target: 'entity', directed: true },
    properties: {
      document: ref('Report', ['Report']),
      entity: ref('Mentioned entity', [...ENTITY_SCHEMAS], { ftm: 'resolved' }),
      text: p('text', 'Mention text', { ftm: 'name' }),
      detectedSchema: p('text', 'Detected as'),
      spanStart: p('number', 'Span start', { ftm: '' }),
      spanEnd: p('number', 'Span end', { ftm: '' }),
    },
  },
};

/** The spec of a schema; throws on an unknown name (callers validate names at the edge). */
export function schemaSpec(name: SchemaName): SchemaSpec {
  return schemas[name];
}

export function isSchemaName(name: string): name is SchemaName {
  return Object.prototype.hasOwnProperty.call(schemas, name);
}

export function allSchemas(): readonly SchemaSpec[] {
  return SCHEMA_NAMES.map((n) => schemas[n]);
}

/** The spec of one property of a schema, or undefined. */
export function propertySpec(schema: SchemaName, prop: string): PropertySpec | undefined {
  const props = schemas[schema].properties;
  return Object.prototype.hasOwnProperty.call(props, prop) ? props[prop] : undefined;
}

/** Every (schema, property) pair whose value is a selector: exact identifiers used in screening and PSI. */
export function selectorProperties(): readonly { schema: SchemaName; prop: string; type: PropertyType }[] {
  return allSchemas().flatMap((s) =>
    Object.entries(s.properties)
      .filter(([, spec]) => spec.selector)
      .map(([prop, spec]) => ({ schema: s.name, prop, type: spec.type })),
  );
}

/** Names of the protected characteristics of a schema. */
export function protectedProperties(schema: SchemaName): readonly string[] {
  return Object.entries(schemas[schema].properties)
    .filter(([, spec]) => spec.protected)
    .map(([prop]) => prop);
}
