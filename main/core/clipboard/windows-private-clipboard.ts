/**
 * Windows keeps everything copied in clipboard history (Win+V) and may sync it to the user's
 * other devices (cloud clipboard). A record entry must do neither, so on Windows it is written
 * together with the formats Microsoft defines to opt out ("Cloud Clipboard and Clipboard History
 * Formats"): ExcludeClipboardContentFromMonitorProcessing (any data) and, for tools that only
 * know the older pair, CanIncludeInClipboardHistory and CanUploadToCloudClipboard as a DWORD 0.
 *
 * Electron cannot write text and custom formats in one clipboard transaction (each writeBuffer
 * empties the clipboard first), so the write is done by Windows PowerShell through .NET's
 * DataObject, which puts every format on the clipboard at once. The text goes through stdin
 * (base64), never the command line, which other processes can read. Meanwhile the clipboard is
 * emptied at once, so a quick paste gives nothing rather than the previous copy; if PowerShell
 * fails (blocked by AppLocker, say) the text is written the ordinary way so the user can still
 * paste it, and the failure is logged (without the text) for IT.
 */
import type { spawn as nodeSpawn } from 'node:child_process';

export interface ClipboardFormatData {
  readonly format: string;
  readonly data: Buffer;
}

const dwordZero = () => Buffer.alloc(4);

/** The opt-out formats written next to the text. */
export function privateClipboardFormats(): ClipboardFormatData[] {
  return [
    { format: 'ExcludeClipboardContentFromMonitorProcessing', data: dwordZero() },
    { format: 'CanIncludeInClipboardHistory', data: dwordZero() },
    { format: 'CanUploadToCloudClipboard', data: dwordZero() },
  ];
}

/** The PowerShell that reads base64 UTF-8 text on stdin and writes it with the formats. */
export function privateCopyScript(formats: readonly ClipboardFormatData[]): string {
  const lines = [
    "$ErrorActionPreference = 'Stop'",
    'Add-Type -AssemblyName System.Windows.Forms',
    '$text = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String([Console]::In.ReadToEnd()))',
    '$data = New-Object System.Windows.Forms.DataObject',
    '$data.SetData([System.Windows.Forms.DataFormats]::UnicodeText, $text)',
  ];
  for (const { format, data } of formats) {
    if (!/^[A-Za-z]+$/.test(format)) throw new Error(`Unexpected clipboard format name ${format}`);
    const bytes = [...data].join(',');
    // A MemoryStream is put on the clipboard as its raw bytes (an HGLOBAL), as Windows expects.
    lines.push(
      `$data.SetData('${format}', (New-Object System.IO.MemoryStream(,[byte[]](${bytes}))))`,
    );
  }
  // copy = true: the data stays on the clipboard after PowerShell exits.
  lines.push('[System.Windows.Forms.Clipboard]::SetDataObject($data, $true)');
  return lines.join('\n');
}

/** powershell.exe arguments for a script: -EncodedCommand takes base64 of UTF-16LE. */
export function powershellArgs(script: string): string[] {
  return [
    '-NoProfile',
    '-NonInteractive',
    '-STA',
    '-EncodedCommand',
    Buffer.from(script, 'utf16le').toString('base64'),
  ];
}

export interface PrivateClipboardWriterOptions {
  readonly spawn: typeof nodeSpawn;
  /** The ordinary clipboard, for emptying it at once and for the fallback. */
  readonly writeText: (text: string) => void;
  readonly readText: () => string;
  readonly onFallback: (reason: string) => void;
}

/** A `writeSensitiveText` for Windows (see SensitiveClipboard). */
export function windowsPrivateClipboardWriter(
  options: PrivateClipboardWriterOptions,
): (text: string) => void {
  const args = powershellArgs(privateCopyScript(privateClipboardFormats()));
  return (text) => {
    options.writeText('');
    let settled = false;
    const fallback = (reason: string) => {
      if (settled) return;
      settled = true;
      // Only if nothing else was copied meanwhile: that would be the user's.
      if (options.readText() === '') options.writeText(text);
      options.onFallback(reason);
    };
    const child = options.spawn('powershell.exe', args, {
      stdio: ['pipe', 'ignore', 'ignore'],
      windowsHide: true,
    });
    child.on('error', (error) => fallback(error.message));
    child.on('exit', (code) => {
      if (code === 0) settled = true;
      else fallback(`powershell exited with ${code}`);
    });
    // A child that dies early closes its stdin: the exit handler reports that, not a crash.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(Buffer.from(text, 'utf8').toString('base64'));
  };
}
