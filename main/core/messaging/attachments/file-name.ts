import { extensionOf, type AttachmentType } from './file-type.js';

const reserved = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/**
 * A file name safe to show and to save on any platform: no folders, no control or reserved
 * characters, no Windows device names, at most 120 characters, and ending in the extension of
 * the type found in the bytes (so "letter.pdf.exe" holding a PDF is saved as a .pdf).
 */
export function sanitiseFileName(name: string, type: AttachmentType): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  let clean = base
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f<>:"|?*\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .trim();
  const extension = extensionOf[type];
  const stem = clean.replace(/\.[^.]*$/, '');
  clean = stem === '' || reserved.test(stem) ? 'attachment' : stem;
  const sameType =
    base.toLowerCase().endsWith(`.${extension}`) ||
    (type === 'image/jpeg' && /\.jpe?g$/i.test(base));
  const ext = sameType ? base.slice(base.lastIndexOf('.') + 1).toLowerCase() : extension;
  return `${clean.slice(0, 115)}.${ext}`;
}
