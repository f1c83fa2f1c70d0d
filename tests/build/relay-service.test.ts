import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const unitFile = path.join(root, 'build/relay/practice-messenger-relay.service');
const unit = readFileSync(unitFile, 'utf8');
const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;

function directives(text: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match) map.set(match[1]!, [...(map.get(match[1]!) ?? []), match[2]!]);
  }
  return map;
}

/** systemd-analyze verify's complaints about a unit text (empty when it is clean). */
function verify(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pmsg-unit-test-'));
  try {
    const file = path.join(dir, 'practice-messenger-relay.service');
    writeFileSync(file, text);
    const result = spawnSync('systemd-analyze', ['verify', file], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    return `${result.stdout}${result.stderr}`.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the relay systemd unit (build/relay/practice-messenger-relay.service)', () => {
  const d = directives(unit);

  it('runs node directly on the built CLI, never npx, and restarts on failure', () => {
    const exec = d.get('ExecStart')?.[0] ?? '';
    expect(exec).toMatch(/^\/usr\/bin\/node \/opt\/practice-messenger\/bin\/pmsg\.js relay serve /);
    expect(d.get('ExecStart')?.join(' ')).not.toMatch(/npx/);
    expect(d.get('Restart')).toEqual(['on-failure']);
    expect(d.get('ExecReload')).toEqual(['/bin/kill -HUP $MAINPID']);
    expect(d.get('User')).toEqual(['pmsg-relay']);
  });

  it('is hardened: read-only system but its data folder, no new privileges, room for every socket', () => {
    expect(d.get('ProtectSystem')).toEqual(['strict']);
    expect(d.get('NoNewPrivileges')).toEqual(['yes']);
    expect(d.get('LimitNOFILE')).toEqual(['65536']);
    expect(d.get('ProtectHome')).toEqual(['yes']);
    expect(d.get('PrivateTmp')).toEqual(['yes']);
    expect(d.get('CapabilityBoundingSet')).toEqual(['']);
    const data = /--data (\S+)/.exec(d.get('ExecStart')?.[0] ?? '')?.[1];
    expect(d.get('ReadWritePaths')).toEqual([data]);
    expect(d.get('StateDirectory')).toEqual([path.basename(data ?? '')]);
    // V8 compiles JavaScript to machine code at run time: W^X enforcement would kill node.
    expect(d.has('MemoryDenyWriteExecute')).toBe(false);
  });

  it.skipIf(!analyze)(
    'passes systemd-analyze verify, which does catch a misspelt directive',
    () => {
      expect(verify(unit)).toBe('');
      expect(verify(unit.replace('NoNewPrivileges=yes', 'NoNewPrivilege=yes'))).toMatch(
        /Unknown key 'NoNewPrivilege'/,
      );
    },
  );
});
