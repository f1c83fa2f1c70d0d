/**
 * The renderer's Content Security Policy. Everything is denied, then only what the bundle needs
 * is allowed back: its own scripts and styles, images from the bundle, data: URLs (QR codes) and
 * blob: URLs for images only (attachments: main decrypts a JPEG or PNG and hands its bytes to the
 * renderer, which decodes it in its sandbox from a blob it made itself; scripts, frames and
 * workers still may not load from blob:).
 * It talks to main through the preload only, so it may connect nowhere.
 */
export const cspDirectives: Readonly<Record<string, string>> = {
  'default-src': "'none'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' data: blob:",
  'font-src': "'self'",
  'connect-src': "'none'",
  'object-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-src': "'none'",
  'worker-src': "'none'",
  'frame-ancestors': "'none'",
};

// frame-ancestors is ignored (with a console warning) in a <meta> tag; headers carry it.
const headerOnly = new Set(['frame-ancestors']);

function serialise(includeHeaderOnly: boolean): string {
  return Object.entries(cspDirectives)
    .filter(([name]) => includeHeaderOnly || !headerOnly.has(name))
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

/** For the Content-Security-Policy response header. */
export const contentSecurityPolicy = serialise(true);
/** For renderer/index.html's <meta http-equiv="Content-Security-Policy">. */
export const metaContentSecurityPolicy = serialise(false);

/**
 * Response headers with our CSP replacing any the response brought (header names are
 * case-insensitive, so a lower-case one from a server must not survive next to ours).
 */
export function withContentSecurityPolicy(
  headers: Readonly<Record<string, string[]>> | undefined,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') out[name] = value;
  }
  out['Content-Security-Policy'] = [contentSecurityPolicy];
  return out;
}
