/**
 * The staff list for `pmsg relay enrol --csv`: a header row naming the columns, then one person a
 * row. Every row is checked before any code is issued, so a typo on row 40 costs nothing.
 */
import {
  gmcNumberSchema,
  nmcPinSchema,
  roles,
  sdsUserIdSchema,
  type ProfessionalIds,
  type Role,
} from '../../shared/protocol/index.js';

export const staffCsvColumns = ['name', 'role', 'org', 'gmc', 'nmc', 'sds_user_id'] as const;
const required = ['name', 'role'] as const;

export interface StaffMember extends ProfessionalIds {
  /** The row's line number in the file, for messages. */
  line: number;
  displayName: string;
  role: Role;
  org: string;
}

export class StaffCsvError extends Error {}

/** RFC 4180 fields: commas, double quotes ("" inside quotes), CRLF or LF line ends. */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const input = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < input.length; i += 1) {
    const c = input[i];
    if (quoted) {
      if (c === '"' && input[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line += 1;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && input[i + 1] === '\n') i += 1;
      fields.push(field);
      if (fields.some((f) => f.trim() !== '')) rows.push({ line: rowLine, fields });
      fields = [];
      field = '';
      line += 1;
      rowLine = line;
    } else field += c;
  }
  if (quoted) throw new StaffCsvError(`line ${rowLine}: a quoted field is not closed.`);
  fields.push(field);
  if (fields.some((f) => f.trim() !== '')) rows.push({ line: rowLine, fields });
  return rows;
}

export function parseStaffCsv(text: string, defaultOrg: string): StaffMember[] {
  const [header, ...rows] = parseCsv(text);
  if (header === undefined)
    throw new StaffCsvError(
      'the file is empty; the first row names the columns: name,role[,org,gmc,nmc,sds_user_id].',
    );
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  const unknown = columns.filter((c) => !(staffCsvColumns as readonly string[]).includes(c));
  if (unknown.length > 0) {
    throw new StaffCsvError(
      `unknown column "${unknown[0]}"; the columns are ${staffCsvColumns.join(', ')} (name and role required).`,
    );
  }
  for (const column of required) {
    if (!columns.includes(column))
      throw new StaffCsvError(
        `the header has no "${column}" column; the first row names the columns: name,role[,org,gmc,nmc,sds_user_id].`,
      );
  }
  if (rows.length === 0) throw new StaffCsvError('the file names no one (only a header row).');
  const problems: string[] = [];
  const staff: StaffMember[] = [];
  for (const row of rows) {
    const value = (column: string) => (row.fields[columns.indexOf(column)] ?? '').trim();
    const where = `line ${row.line}`;
    if (row.fields.length > columns.length) {
      problems.push(
        `${where}: ${row.fields.length} fields but ${columns.length} columns (a comma in a name needs "quotes").`,
      );
      continue;
    }
    const name = value('name');
    const role = value('role').toLowerCase() as Role;
    const org = columns.includes('org') && value('org') !== '' ? value('org') : defaultOrg;
    if (name === '' || name.length > 100) problems.push(`${where}: name must be 1-100 characters.`);
    if (!roles.includes(role))
      problems.push(`${where}: role must be one of ${roles.join(', ')}, not "${value('role')}".`);
    if (org.length > 100) problems.push(`${where}: org must be at most 100 characters.`);
    const ids: ProfessionalIds = {};
    const idColumns = [
      ['gmc', 'gmcNumber', gmcNumberSchema],
      ['nmc', 'nmcPin', nmcPinSchema],
      ['sds_user_id', 'sdsUserId', sdsUserIdSchema],
    ] as const;
    for (const [column, key, schema] of idColumns) {
      const raw = columns.includes(column) ? value(column) : '';
      if (raw === '') continue;
      const parsed = schema.safeParse(raw.replace(/\s+/g, '').toUpperCase());
      if (parsed.success) ids[key] = parsed.data;
      else problems.push(`${where}: ${column}: ${parsed.error.issues[0]?.message ?? 'not valid'}.`);
    }
    staff.push({ line: row.line, displayName: name, role, org, ...ids });
  }
  if (problems.length > 0) {
    throw new StaffCsvError(
      `no code was issued; fix these rows:\n  ${problems.slice(0, 20).join('\n  ')}`,
    );
  }
  return staff;
}
