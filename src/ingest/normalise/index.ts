/** Normalisers: messy source values → the canonical strings the model's value types accept. */
export { normalisePhone, isPhoneRegion, type PhoneValidation, type Normalised } from './phone.js';
export { normaliseCountry, isCountryLanguage, DEFAULT_COUNTRY_LANGUAGES } from './country.js';
export { normaliseDate, dateNormaliser, checkDateFormat, isTimeZone, type DateOptions, type DateKind } from './date.js';
export { normaliseImei, normaliseIban, normaliseDocumentNumber, normalisePersonName, normaliseEmail } from './identifiers.js';
