import { MessengerError } from '../../../../shared/errors.js';

export const attachmentTypes = [
  'image/jpeg',
  'image/png',
  'image/heic',
  'application/pdf',
  'text/plain',
] as const;
export type AttachmentType = (typeof attachmentTypes)[number];

const startsWith = (bytes: Uint8Array, magic: readonly number[], at = 0) =>
  magic.every((b, i) => bytes[at + i] === b);
const ascii = (bytes: Uint8Array, from: number, to: number) =>
  String.fromCharCode(...bytes.subarray(from, to));

/** What is refused, known by its bytes, named so the user understands why. */
const refusedKinds: Array<[string, (b: Uint8Array) => boolean]> = [
  ['a Windows program', (b) => startsWith(b, [0x4d, 0x5a])],
  ['a Linux program', (b) => startsWith(b, [0x7f, 0x45, 0x4c, 0x46])],
  [
    'a Mac program',
    (b) =>
      [
        [0xcf, 0xfa, 0xed, 0xfe],
        [0xce, 0xfa, 0xed, 0xfe],
        [0xca, 0xfe, 0xba, 0xbe],
      ].some((m) => startsWith(b, m)),
  ],
  ['a ZIP archive (or Office document)', (b) => startsWith(b, [0x50, 0x4b, 0x03, 0x04])],
  [
    'a compressed archive',
    (b) =>
      startsWith(b, [0x1f, 0x8b]) ||
      startsWith(b, [0x37, 0x7a, 0xbc, 0xaf]) ||
      startsWith(b, [0x52, 0x61, 0x72, 0x21]),
  ],
  ['a script', (b) => startsWith(b, [0x23, 0x21])],
];

const heicBrands = new Set(['heic', 'heix', 'hevc', 'hevx', 'mif1', 'msf1']);

/**
 * The type of a file from its bytes alone (magic numbers), never from its name: a program renamed
 * photo.jpg is still a program. Markup (SVG, HTML, XML) is refused even though it is text,
 * because a viewer may run what it contains.
 */
export function detectAttachmentType(bytes: Uint8Array): AttachmentType {
  if (bytes.length === 0) throw refuse('The file is empty.');
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (ascii(bytes, 4, 8) === 'ftyp' && heicBrands.has(ascii(bytes, 8, 12))) return 'image/heic';
  if (ascii(bytes, 0, 5) === '%PDF-') return 'application/pdf';
  for (const [name, test] of refusedKinds) {
    if (test(bytes)) throw refuse(`The file is ${name}, which cannot be sent.`);
  }
  const text = plainText(bytes);
  if (text === null) {
    throw refuse(
      'The file is not a JPEG, PNG or HEIC image, a PDF or plain text, so it cannot be sent.',
    );
  }
  if (
    /^\s*(<\?xml|<!doctype|<html|<svg|<script)/i.test(text.slice(0, 1024)) ||
    /<svg[\s>]/i.test(text.slice(0, 4096))
  ) {
    throw refuse(
      'The file is web markup (SVG, HTML or XML), which cannot be sent; send a PNG or PDF instead.',
    );
  }
  return 'text/plain';
}

/** The text, if the bytes are UTF-8 with no control characters but tab and line breaks. */
function plainText(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text) ? null : text;
}

const refuse = (message: string) => new MessengerError('invalid_input', message);

/** The extension shown for a type when the sender's name has none that fits. */
export const extensionOf: Record<AttachmentType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/heic': 'heic',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
};
