import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumExecutable } from '../../harness/chromium.js';
import { runRelayCli as runCli } from './built-relay-cli.js';
import { startTestRelay, type TestRelay } from '../test-relay.js';
import { enrolWithCode } from '../relay-client.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: chromiumExecutable, args: chromiumArgs });
});
afterAll(async () => {
  await browser?.close();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pmsg-enrol-csv-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function relayWithFolder(): Promise<TestRelay> {
  const relay = await startTestRelay();
  cleanups.push(() => relay.stop());
  return relay;
}

interface Enrolled {
  letters: string;
  relayUrl: string;
  people: Array<{
    line: number;
    displayName: string;
    role: string;
    org: string;
    accountId: string;
    code: string;
    expiresAt: string;
    letter: string;
  }>;
}

const staffCsv = [
  'name,role,org,gmc,nmc,sds_user_id',
  '"Patel, Dr Anita",clinician,Riverside Surgery,1234567,,',
  'Sam Jones,nurse,Riverside Surgery,,12A3456E,',
  // A name pasted from somewhere hostile must print as text, never run.
  '"<img src=x onerror=""document.title=\'pwned\'"">Eve & Co",reception,,,,',
].join('\r\n');

describe('pmsg relay enrol --csv: a whole practice, one letter each', () => {
  it('issues a code per person and writes letters that open in a browser and read well', async () => {
    const relay = await relayWithFolder();
    const dir = tempDir();
    const csv = path.join(dir, 'staff.csv');
    writeFileSync(csv, staffCsv);
    const letters = path.join(dir, 'letters');
    const result = runCli([
      'enrol',
      '--data',
      relay.dataDir,
      '--csv',
      csv,
      '--letters',
      letters,
      '--relay-url',
      'https://relay.riverside.example.nhs.uk:8443/',
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const enrolled = JSON.parse(result.stdout) as Enrolled;
    expect(enrolled.relayUrl).toBe('https://relay.riverside.example.nhs.uk:8443');
    expect(enrolled.people.map((p) => [p.line, p.displayName, p.role, p.org])).toEqual([
      [2, 'Patel, Dr Anita', 'clinician', 'Riverside Surgery'],
      [3, 'Sam Jones', 'nurse', 'Riverside Surgery'],
      [4, '<img src=x onerror="document.title=\'pwned\'">Eve & Co', 'reception', 'default'],
    ]);
    expect(readdirSync(letters).sort()).toEqual(
      enrolled.people.map((p) => path.basename(p.letter)).sort(),
    );
    expect(statSync(letters).mode & 0o777).toBe(0o700);
    expect(statSync(enrolled.people[0]!.letter).mode & 0o777).toBe(0o600);

    for (const person of enrolled.people) {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('dialog', (d) => {
        errors.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      await page.goto(pathToFileURL(person.letter).href);
      expect(await page.title()).toBe(`Practice Messenger enrolment: ${person.displayName}`);
      expect(await page.locator('#name').innerText()).toBe(person.displayName);
      expect(await page.locator('#code').innerText()).toBe(person.code);
      expect(await page.locator('#server').innerText()).toBe(
        'https://relay.riverside.example.nhs.uk:8443',
      );
      const body = await page.locator('body').innerText();
      const firstRun = await page.locator('ol').innerText();
      // The first-run steps in the app's own words, in order.
      const steps = [
        'Welcome to Practice Messenger',
        'Create profile',
        'Join your practice',
        'Practice server',
        'Enrolment code',
        'Join practice',
      ];
      const at = steps.map((s) => firstRun.indexOf(s));
      expect(at.every((i) => i >= 0)).toBe(true);
      expect([...at].sort((x, y) => x - y)).toEqual(at);
      expect(body).toMatch(/Keep this letter private/);
      expect(body).toMatch(/until \w+day \d{1,2} \w+ 20\d\d/);
      // Readable when printed: the code is large and on one line, the letter fits one A4 page.
      // (A string: the node-side tsconfig has no DOM types.)
      const code = (await page.evaluate(`(() => {
        const el = document.getElementById('code');
        return { size: parseFloat(getComputedStyle(el).fontSize), wraps: el.scrollWidth > el.clientWidth };
      })()`)) as { size: number; wraps: boolean };
      expect(code.size).toBeGreaterThanOrEqual(24);
      expect(code.wraps).toBe(false);
      const pdf = await page.pdf({ format: 'A4' });
      expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length).toBe(1);
      expect(errors).toEqual([]);
      expect(await page.locator('img, script').count()).toBe(0);
      await page.close();
    }

    // The codes are real: the first letter's code enrols a device on the relay.
    const device = await enrolWithCode(relay.relay.url, enrolled.people[0]!.code);
    expect(device.accountId).toBe(enrolled.people[0]!.accountId);
  }, 120_000);

  it('checks every row first: one bad row, no code issued, exit 2 naming the line', async () => {
    const relay = await relayWithFolder();
    const dir = tempDir();
    const csv = path.join(dir, 'staff.csv');
    writeFileSync(
      csv,
      'name,role,gmc\nDr A Patel,clinician,1234567\nJo Bloggs,receptionist,\nDr B,clinician,12\n',
    );
    const result = runCli([
      'enrol',
      '--data',
      relay.dataDir,
      '--csv',
      csv,
      '--letters',
      path.join(dir, 'l'),
      '--relay-url',
      'https://relay.example.nhs.uk',
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/no code was issued/);
    expect(result.stderr).toMatch(/line 3: role must be one of/);
    expect(result.stderr).toMatch(/line 4: gmc:/);
    const listed = JSON.parse(runCli(['list', '--data', relay.dataDir]).stdout) as {
      accounts: unknown[];
    };
    expect(listed.accounts).toEqual([]);
  }, 60_000);

  it('exits 2 without --letters or --relay-url, with a plain http relay URL, or beside --name', async () => {
    const relay = await relayWithFolder();
    const dir = tempDir();
    const csv = path.join(dir, 'staff.csv');
    writeFileSync(csv, 'name,role\nDr A Patel,clinician\n');
    const base = ['enrol', '--data', relay.dataDir, '--csv', csv];
    expect(runCli([...base, '--relay-url', 'https://r.example']).status).toBe(2);
    expect(runCli([...base, '--letters', path.join(dir, 'l')]).status).toBe(2);
    expect(
      runCli([...base, '--letters', path.join(dir, 'l'), '--relay-url', 'http://r.example']).status,
    ).toBe(2);
    expect(
      runCli([
        ...base,
        '--letters',
        path.join(dir, 'l'),
        '--relay-url',
        'https://r.example',
        '--name',
        'X',
      ]).status,
    ).toBe(2);
  }, 60_000);
});
