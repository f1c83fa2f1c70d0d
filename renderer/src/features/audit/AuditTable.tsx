/**
 * The table of audit entries that the device's own log and the practice trail both show: one row
 * an entry, the same five columns, in a scrollable region keyboard users can reach.
 */
import type { AuditRow } from '../../logic/audit-format.js';

export interface AuditTableRow extends AuditRow {
  /** The title of the conversation the entry is about, or what to say in its place. */
  conversation: string;
  /** Which device the record came from, where the table shows more than this one. */
  device?: string | null;
}

interface Props {
  /** The accessible name of the scrollable region. */
  label: string;
  rows: readonly AuditTableRow[];
  /** Marks each row with its sequence number (data-seq), as the practice trail's rows are. */
  markSeq?: boolean;
}

export function AuditTable({ label, rows, markSeq = false }: Props) {
  return (
    <div className="audit-scroll" tabIndex={0} role="region" aria-label={label}>
      <table className="audit-table">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Conversation</th>
            <th scope="col">Messages</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} data-seq={markSeq ? row.id : undefined}>
              <td>{row.when}</td>
              <td>
                {row.who}
                {row.device && <span className="audit-device">{row.device}</span>}
              </td>
              <td>
                {row.what}
                {row.patientRef && (
                  <span className="audit-patient"> Patient ref. {row.patientRef}</span>
                )}
              </td>
              <td>{row.conversation}</td>
              <td>{row.messages}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
