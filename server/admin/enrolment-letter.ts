/**
 * One printable enrolment letter (HTML, A4) for a member of staff: their one-time code, the
 * practice's relay address and the first-run steps in the app's own words. Every value is
 * HTML-escaped: names come from a spreadsheet, and a letter must never run script.
 */
export interface LetterInput {
  displayName: string;
  role: string;
  org: string;
  code: string;
  relayUrl: string;
  expiresAt: string;
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** "Monday 3 December 2026, 14:05" in UK time, the way a letter dates things. */
function ukDateTime(iso: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone: 'Europe/London',
    })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute}`;
}

export function enrolmentLetterHtml(input: LetterInput): string {
  const e = (text: string) => escapeHtml(text);
  const org = input.org === 'default' ? 'your practice' : input.org;
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>Practice Messenger enrolment: ${e(input.displayName)}</title>
<style>
  @page { size: A4; margin: 20mm; }
  body { font-family: Arial, "Liberation Sans", sans-serif; font-size: 12pt; line-height: 1.5; color: #111; max-width: 170mm; margin: 0 auto; }
  h1 { font-size: 18pt; margin: 0 0 4mm; }
  .code { font-family: "Courier New", "Liberation Mono", monospace; font-size: 22pt; font-weight: bold; letter-spacing: 0.08em; border: 2px solid #111; padding: 3mm 6mm; display: inline-block; margin: 2mm 0; }
  .server { font-family: "Courier New", "Liberation Mono", monospace; word-break: break-all; }
  .private { border-left: 4px solid #111; padding-left: 4mm; margin-top: 8mm; }
  ol li { margin-bottom: 2mm; }
</style>
</head>
<body>
<h1>Practice Messenger: your enrolment</h1>
<p>For <strong id="name">${e(input.displayName)}</strong> (${e(input.role)}), ${e(org)}.</p>
<p>Your one-time enrolment code:</p>
<p class="code" id="code">${e(input.code)}</p>
<p>It works once, for one computer, until <strong id="expires">${e(ukDateTime(input.expiresAt))}</strong>. If it has run out, ask your practice manager for a new one.</p>
<p>Practice server: <span class="server" id="server">${e(input.relayUrl)}</span></p>
<h2>The first time you open Practice Messenger</h2>
<ol>
  <li>Open <strong>Practice Messenger</strong> from the Start menu (Windows) or Applications (Mac).</li>
  <li>On <strong>Welcome to Practice Messenger</strong> (or <strong>Add a profile</strong> if colleagues already use this computer), type your name and choose a passcode that only you know. Type it again and choose <strong>Create profile</strong>. There is no way to reset a forgotten passcode: you would need a new code.</li>
  <li>On <strong>Join your practice</strong>, check that <strong>Practice server</strong> shows the address above (your IT team may have filled it in), type the code into <strong>Enrolment code</strong> and choose <strong>Join practice</strong>.</li>
  <li>Colleagues can now find you in the directory. Lock the app when you leave your desk.</li>
</ol>
<p class="private"><strong>Keep this letter private.</strong> Anyone with the code can join as you until you have used it. Shred the letter once you have joined.</p>
</body>
</html>
`;
}
