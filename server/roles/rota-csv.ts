/**
 * A duty rota for `pmsg relay role rota --csv`: a header row `date,session,role,staff`, then one
 * shift a row. `date` is YYYY-MM-DD or DD/MM/YYYY; `session` is `am` (08:00-13:00), `pm`
 * (13:00-18:30), `day` (08:00-18:30) or `HH:MM-HH:MM`, in the relay host's local time; `role` a
 * duty role's name; `staff` a person's display name or account id. Every row is checked before
 * anything is stored.
 */
import { parseCsv } from '../admin/staff-csv.js';

export const rotaColumns = ['date', 'session', 'role', 'staff'] as const;

const sessions: Record<string, [string, string]> = {
  am: ['08:00', '13:00'],
  pm: ['13:00', '18:30'],
  day: ['08:00', '18:30'],
};

export interface RotaRow {
  line: number;
  startsAt: number;
  endsAt: number;
  role: string;
  staff: string;
}

export class RotaCsvError extends Error {}

function day(text: string): [number, number, number] | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const uk = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
  const [y, m, d] = iso
    ? [Number(iso[1]), Number(iso[2]), Number(iso[3])]
    : uk
      ? [Number(uk[3]), Number(uk[2]), Number(uk[1])]
      : [NaN, NaN, NaN];
  const check = new Date(y, m - 1, d);
  if (Number.isNaN(check.getTime()) || check.getDate() !== d || check.getMonth() !== m - 1) {
    return null;
  }
  return [y, m - 1, d];
}

function clock(text: string): [number, number] | null {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  if (!match) return null;
  const [h, m] = [Number(match[1]), Number(match[2])];
  return h <= 24 && m < 60 && !(h === 24 && m > 0) ? [h, m] : null;
}

export function parseRota(text: string): RotaRow[] {
  const rows = parseCsv(text).filter((r) => r.fields.some((f) => f.trim() !== ''));
  const header = rows.shift();
  const names = header?.fields.map((f) => f.trim().toLowerCase()) ?? [];
  const missing = rotaColumns.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw new RotaCsvError(
      `the rota's first row must name the columns ${rotaColumns.join(',')} (missing: ${missing.join(', ')}).`,
    );
  }
  const at = (fields: string[], column: string) => (fields[names.indexOf(column)] ?? '').trim();
  const problems: string[] = [];
  const shifts: RotaRow[] = [];
  for (const { line, fields } of rows) {
    const date = day(at(fields, 'date'));
    const session = at(fields, 'session').toLowerCase();
    const range = sessions[session] ?? (session.includes('-') ? session.split('-') : null);
    const from = range ? clock(range[0] ?? '') : null;
    const to = range ? clock(range[1] ?? '') : null;
    const role = at(fields, 'role');
    const staff = at(fields, 'staff');
    if (!date) problems.push(`line ${line}: date must be YYYY-MM-DD or DD/MM/YYYY`);
    if (!from || !to) problems.push(`line ${line}: session must be am, pm, day or HH:MM-HH:MM`);
    if (!role) problems.push(`line ${line}: role is empty`);
    if (!staff) problems.push(`line ${line}: staff is empty`);
    if (!date || !from || !to || !role || !staff) continue;
    const startsAt = new Date(date[0], date[1], date[2], from[0], from[1]).getTime();
    const endsAt = new Date(date[0], date[1], date[2], to[0], to[1]).getTime();
    if (endsAt <= startsAt) {
      problems.push(`line ${line}: the session ends before it starts`);
      continue;
    }
    shifts.push({ line, startsAt, endsAt, role, staff });
  }
  if (problems.length > 0) throw new RotaCsvError(`the rota has errors: ${problems.join('; ')}.`);
  if (shifts.length === 0) throw new RotaCsvError('the rota has no shifts.');
  return shifts;
}
