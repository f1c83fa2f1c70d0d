import { formatUkDateTime } from '../../../shared/clinical/uk-date-format.js';
import { escapeHtml } from '../../../shared/escape-html.js';
import type { ConversationExport, ExportPerson } from './export-document.js';

// No scripts, no external anything: the CSP forbids all but the inline style below, so the file
// stays readable offline years later and cannot run anything if a message held markup.
const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'";

const style = `body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:50em;color:#111}
h1{font-size:1.4em}table{border-collapse:collapse}td,th{padding:.2em .8em .2em 0;text-align:left;vertical-align:top}
.message{border-top:1px solid #ccc;padding:.6em 0}.meta{color:#444;font-size:.9em}
.text{white-space:pre-wrap;overflow-wrap:anywhere;margin:.3em 0 0}.flag{font-weight:bold}`;

/**
 * The readable half of a Subject Access Request export: one self-contained HTML file the
 * practice can print or send to the requester. Every value from the database is escaped.
 */
export function renderExportHtml(data: ConversationExport): string {
  const when = (isoTime: string | null) =>
    isoTime === null ? '' : escapeHtml(formatUkDateTime(Date.parse(isoTime)));
  const who = (p: ExportPerson) =>
    escapeHtml(p.role === null ? p.displayName : `${p.displayName} (${p.role})`);
  const title =
    data.conversation.title ?? data.conversation.participants.map((p) => p.displayName).join(', ');

  const messages = data.messages
    .map((m) => {
      const flags = [
        m.urgent ? '<span class="flag">Urgent</span>' : '',
        m.transcribed
          ? `<span class="flag">Transcribed into the patient record by ${who(m.transcribed.by)} on ${when(m.transcribed.at)}</span>`
          : '',
        m.scheduledDeletion ? `Scheduled for deletion ${when(m.scheduledDeletion)}` : '',
      ].filter((f) => f !== '');
      return `<div class="message" id="m-${escapeHtml(m.id)}">
<div class="meta">${when(m.sentAt)} &middot; <strong>${who(m.sender)}</strong> &middot; ${escapeHtml(m.status)}${flags.length > 0 ? ` &middot; ${flags.join(' &middot; ')}` : ''}</div>
<p class="text">${escapeHtml(m.text)}</p>
</div>`;
    })
    .join('\n');

  const audit = data.auditEvents
    .map(
      (e) =>
        `<tr><td>${escapeHtml(formatUkDateTime(e.at))}</td><td>${escapeHtml(e.actor ? e.actor.displayName : 'The app')}</td><td>${escapeHtml(e.action)}</td><td>${escapeHtml(e.messageIds.join(', '))}</td></tr>`,
    )
    .join('\n');

  return `<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Conversation export: ${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
<h1>Conversation export: ${escapeHtml(title)}</h1>
<table>
<tr><th>Exported</th><td>${when(data.exportedAt)} by ${who(data.exportedBy)}</td></tr>
<tr><th>Reference</th><td>${escapeHtml(data.reference ?? 'none given')}</td></tr>
<tr><th>Conversation</th><td>${escapeHtml(data.conversation.id)} (${escapeHtml(data.conversation.kind)}), started ${when(data.conversation.createdAt)}</td></tr>
<tr><th>Participants</th><td>${data.conversation.participants.map(who).join('<br>')}</td></tr>
<tr><th>Messages</th><td>${data.messages.length}</td></tr>
</table>
<h2>Messages</h2>
${messages || '<p>No messages are stored for this conversation on this device.</p>'}
<h2>Audit events for this conversation</h2>
${audit ? `<table>\n<tr><th>When</th><th>Who</th><th>What</th><th>Messages</th></tr>\n${audit}\n</table>` : '<p>None.</p>'}
<p class="meta">Times are UK local time. The machine-readable copy of this export is the JSON file of the same name.</p>
</body>
</html>
`;
}
