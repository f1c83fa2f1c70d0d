import { describe, expect, it } from 'vitest';
import { createLogger } from '../../main/core/log/logger.js';
import { createRelayLogger } from '../../server/log.js';
import { formatLogLine, redactedValue } from '../../shared/log-format.js';

// One redaction policy for the app and the relay: a field that may carry message text, a key,
// a token, a passcode or patient data is redacted whichever side logs it.

const sensitive = [
  'text',
  'body',
  'messageText',
  'content',
  'plaintext',
  'ciphertext',
  'secret',
  'token',
  'bearerToken',
  'passcode',
  'newPasscode',
  'password',
  'authorization',
  'signature',
  'nhs',
  'nhsNumber',
  'patient',
  'patientName',
  'dob',
  'envelope',
  'payload',
  'identityKey',
  'privateKey',
  'pin',
  'displayName',
  'deviceName',
  'code',
  'enrolmentCode',
];
const harmless = ['accountId', 'deviceId', 'count', 'status', 'route', 'ms', 'error', 'closeCode'];

type Line = Record<string, unknown>;

function bothSides(fields: Record<string, string>): { app: Line; relay: Line } {
  const appLines: string[] = [];
  const relayLines: string[] = [];
  createLogger('test', { sink: (l) => appLines.push(l), level: 'debug' }).warn('probe', fields);
  createRelayLogger('debug', (l) => relayLines.push(l)).warn('probe', fields);
  expect(appLines).toHaveLength(1);
  expect(relayLines).toHaveLength(1);
  return {
    app: JSON.parse(appLines[0] as string) as Line,
    relay: JSON.parse(relayLines[0] as string) as Line,
  };
}

describe('the shared log policy', () => {
  it('redacts every sensitive field name on both the app and the relay side', () => {
    const fields = Object.fromEntries(sensitive.map((name) => [name, `LEAK-${name}`]));
    for (const [side, record] of Object.entries(bothSides(fields))) {
      for (const name of sensitive) expect(record[name], `${side} ${name}`).toBe(redactedValue);
      expect(JSON.stringify(record), side).not.toContain('LEAK-');
    }
  });

  it('keeps ids, counts, routes and error kinds on both sides, in the same line shape', () => {
    const fields = Object.fromEntries(harmless.map((name) => [name, `kept-${name}`]));
    const { app, relay } = bothSides(fields);
    for (const name of harmless) {
      expect(app[name]).toBe(`kept-${name}`);
      expect(relay[name]).toBe(`kept-${name}`);
    }
    expect(app).toMatchObject({ level: 'warn', scope: 'test', event: 'probe' });
    expect(relay).toMatchObject({ level: 'warn', event: 'probe' });
    const { time: _appTime, scope: _scope, ...appRest } = app;
    const { time: _relayTime, ...relayRest } = relay;
    expect(appRest).toEqual(relayRest);
  });

  it('never lets a field replace the event, level, scope or time of a line', () => {
    const line = JSON.parse(
      formatLogLine({
        level: 'info',
        scope: 'app',
        event: 'clinical_event_failed',
        fields: { event: 'message.added', level: 'x', time: 'y', scope: 'z' },
        time: new Date(0),
      }),
    ) as Record<string, unknown>;
    expect(line).toEqual({
      time: '1970-01-01T00:00:00.000Z',
      level: 'info',
      scope: 'app',
      event: 'clinical_event_failed',
      eventField: 'message.added',
      levelField: 'x',
      timeField: 'y',
      scopeField: 'z',
    });
  });

  it('drops undefined fields and lines below the level', () => {
    const lines: string[] = [];
    const log = createLogger('test', { sink: (l) => lines.push(l), level: 'warn' });
    log.info('quiet');
    log.warn('loud', { accountId: undefined, count: 2 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).not.toHaveProperty('accountId');
  });
});
