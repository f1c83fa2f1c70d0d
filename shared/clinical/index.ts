// The clinical module's public surface, for callers that prefer one import.
export * from './nhs-number.js';
export * from './pid-finding.js';
export * from './pid-detector.js';
export { compileHospitalNumberPatterns } from './hospital-number-patterns.js';
export * from './record-entry.js';
export * from './advice-prefill.js';
export * from './plain-text-entry.js';
export * from './fhir-communication.js';
export * from './uk-date-format.js';
export * from './emoji-words.js';
export * from './patient-prefill.js';
