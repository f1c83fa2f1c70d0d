import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { spawn as nodeSpawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  powershellArgs,
  privateClipboardFormats,
  privateCopyScript,
  windowsPrivateClipboardWriter,
} from '../../../../main/core/clipboard/windows-private-clipboard.js';

describe('the Windows private clipboard formats', () => {
  it('exclude the entry from clipboard history and cloud clipboard, DWORD 0 where a DWORD is read', () => {
    const formats = privateClipboardFormats();
    expect(formats.map((f) => f.format)).toEqual([
      'ExcludeClipboardContentFromMonitorProcessing',
      'CanIncludeInClipboardHistory',
      'CanUploadToCloudClipboard',
    ]);
    for (const { data } of formats.slice(1)) {
      expect(data.length).toBe(4);
      expect(data.readUInt32LE(0)).toBe(0);
    }
  });

  it('are written in the same clipboard transaction as the text', () => {
    const script = privateCopyScript(privateClipboardFormats());
    const lines = script.split('\n');
    const commit = lines.findIndex((l) => l.includes('Clipboard]::SetDataObject($data, $true)'));
    // One SetDataObject, after the text and all three formats were put on the same DataObject.
    expect(lines.filter((l) => l.includes('SetDataObject'))).toHaveLength(1);
    for (const needle of [
      'DataFormats]::UnicodeText, $text',
      "SetData('ExcludeClipboardContentFromMonitorProcessing'",
      "SetData('CanIncludeInClipboardHistory', (New-Object System.IO.MemoryStream(,[byte[]](0,0,0,0))))",
      "SetData('CanUploadToCloudClipboard', (New-Object System.IO.MemoryStream(,[byte[]](0,0,0,0))))",
    ]) {
      const at = lines.findIndex((l) => l.includes(needle));
      expect(at, needle).toBeGreaterThan(-1);
      expect(at).toBeLessThan(commit);
    }
  });

  it('pass the script encoded and never the text on the command line', () => {
    const script = privateCopyScript(privateClipboardFormats());
    const args = powershellArgs(script);
    expect(args.slice(0, 4)).toEqual(['-NoProfile', '-NonInteractive', '-STA', '-EncodedCommand']);
    expect(Buffer.from(args[4]!, 'base64').toString('utf16le')).toBe(script);
  });
});

/** A stand-in child process: records stdin, exits as told. */
function fakeSpawn(exitCode: number | 'error') {
  const calls: Array<{ command: string; args: readonly string[]; stdin: string }> = [];
  const children: EventEmitter[] = [];
  const spawn = ((command: string, args: readonly string[]) => {
    const child = new EventEmitter() as EventEmitter & { stdin: PassThrough };
    child.stdin = new PassThrough();
    const call = { command, args, stdin: '' };
    calls.push(call);
    child.stdin.on('data', (d: Buffer) => (call.stdin += d.toString()));
    child.stdin.on('end', () => {
      if (exitCode === 'error') child.emit('error', new Error('spawn powershell.exe ENOENT'));
      else child.emit('exit', exitCode);
    });
    children.push(child);
    return child;
  }) as unknown as typeof nodeSpawn;
  return { spawn, calls };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('windowsPrivateClipboardWriter', () => {
  it('empties the clipboard at once and hands the text to PowerShell on stdin only', async () => {
    let clipboard = 'previous patient entry';
    const { spawn, calls } = fakeSpawn(0);
    const fallbacks: string[] = [];
    const write = windowsPrivateClipboardWriter({
      spawn,
      writeText: (t) => void (clipboard = t),
      readText: () => clipboard,
      onFallback: (r) => fallbacks.push(r),
    });
    write('Paracetamol 1 g qds 👍');
    expect(clipboard).toBe('');
    await settle();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.command).toBe('powershell.exe');
    expect(calls[0]!.args.join(' ')).not.toContain('Paracetamol');
    expect(Buffer.from(calls[0]!.stdin, 'base64').toString('utf8')).toBe('Paracetamol 1 g qds 👍');
    expect(fallbacks).toEqual([]);
  });

  it('falls back to an ordinary copy, and says so, when PowerShell cannot run', async () => {
    let clipboard = 'old';
    const { spawn } = fakeSpawn('error');
    const fallbacks: string[] = [];
    const write = windowsPrivateClipboardWriter({
      spawn,
      writeText: (t) => void (clipboard = t),
      readText: () => clipboard,
      onFallback: (r) => fallbacks.push(r),
    });
    write('entry');
    await settle();
    expect(clipboard).toBe('entry');
    expect(fallbacks).toEqual(['spawn powershell.exe ENOENT']);
  });

  it('does not overwrite what the user copied meanwhile when it falls back', async () => {
    let clipboard = '';
    const { spawn } = fakeSpawn(1);
    const write = windowsPrivateClipboardWriter({
      spawn,
      writeText: (t) => void (clipboard = t),
      readText: () => clipboard,
      onFallback: () => undefined,
    });
    write('entry');
    clipboard = 'something the user copied';
    await settle();
    expect(clipboard).toBe('something the user copied');
  });
});
