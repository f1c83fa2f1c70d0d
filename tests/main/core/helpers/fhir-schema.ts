import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

/** The R4 Communication JSON Schema the clinical tests use, compiled once. */
export const validateFhirCommunication = new Ajv({ allErrors: true, strict: false }).compile(
  JSON.parse(
    readFileSync(
      new URL('../../../shared/clinical/fhir-communication.schema.json', import.meta.url),
      'utf8',
    ),
  ) as object,
);
