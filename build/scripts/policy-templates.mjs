// `npm run policy:templates`: writes the Group Policy templates (ADMX + en-US ADML) and the sample
// macOS configuration profile to build/policy-templates, from main/core/policy/policy-schema.ts.
// Runs under tsx (the generator is TypeScript). A test fails when the files here are stale.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  admlFileName,
  admlTemplate,
  admxFileName,
  admxTemplate,
  mobileconfigFileName,
  mobileconfigTemplate,
} from '../../main/core/policy/policy-templates.ts';

const root = path.resolve(import.meta.dirname, '../..');
const out = path.join(root, 'build/policy-templates');
const example = JSON.parse(readFileSync(path.join(root, 'build/policy.example.json'), 'utf8'));

mkdirSync(path.join(out, 'en-US'), { recursive: true });
writeFileSync(path.join(out, admxFileName), admxTemplate());
writeFileSync(path.join(out, 'en-US', admlFileName), admlTemplate());
writeFileSync(path.join(out, mobileconfigFileName), mobileconfigTemplate(example));
console.log(`Wrote ${admxFileName}, en-US/${admlFileName} and ${mobileconfigFileName} to ${out}`);
