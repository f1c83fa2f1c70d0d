import { MessengerError } from '../../../../shared/errors.js';

/** More addresses than a hosted relay has nodes is a mistake in the policy or command line. */
export const MAX_RELAY_ADDRESSES = 8;

/**
 * Splits one or more relay addresses: a list, or one string with addresses separated by commas
 * or white space (how the policy's `serverUrl` and `--server` carry several). Each is checked as
 * a relay URL and normalised; duplicates are dropped, the order is kept.
 */
export function parseRelayUrls(value: string | readonly string[]): URL[] {
  const parts = (typeof value === 'string' ? [value] : value)
    .flatMap((v) => v.split(/[\s,]+/))
    .filter((v) => v !== '');
  if (parts.length === 0) {
    throw new MessengerError(
      'invalid_input',
      'No relay address given; give the relay URL, e.g. https://relay.example.nhs.uk',
    );
  }
  const urls: URL[] = [];
  for (const part of parts) {
    const url = parseRelayUrl(part);
    if (!urls.some((u) => u.href === url.href)) urls.push(url);
  }
  if (urls.length > MAX_RELAY_ADDRESSES) {
    throw new MessengerError(
      'invalid_input',
      `${urls.length} relay addresses given; at most ${MAX_RELAY_ADDRESSES} are allowed.`,
    );
  }
  return urls;
}

/**
 * The relay's addresses in the order IT gave them, and the one in use. A hosted relay runs
 * several nodes on one database, each a complete relay, so any address serves any request: when
 * one stops answering (a connection refused, reset or timed out), the next call and the next
 * WebSocket go to the next address, round the list. One instance is shared by a device's HTTP
 * client and its socket, so a failure seen by either moves both.
 */
export class RelayAddresses {
  readonly urls: readonly URL[];
  private index = 0;

  constructor(value: string | readonly string[]) {
    this.urls = parseRelayUrls(value);
  }

  /** The address to use now. */
  get current(): URL {
    return this.urls[this.index]!;
  }

  get several(): boolean {
    return this.urls.length > 1;
  }

  /**
   * `url` did not answer: move on from it, unless another caller already has (many requests
   * fail together when a node dies, and each must not skip a healthy address).
   */
  failed(url: URL): void {
    if (this.urls.length > 1 && this.current.href === url.href) {
      this.index = (this.index + 1) % this.urls.length;
    }
  }

  /** The addresses as stored in the profile, the first the one IT listed first. */
  toStrings(): string[] {
    return this.urls.map((u) => u.toString());
  }
}

/** The relay base URL: http(s) only, no credentials, normalised to end in a slash. */
export function parseRelayUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new MessengerError(
      'invalid_input',
      `"${value}" is not a URL; give the relay address, e.g. https://relay.example.nhs.uk`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MessengerError(
      'invalid_input',
      'The relay URL must start with https:// (or http:// for a relay on this computer).',
    );
  }
  if (url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    throw new MessengerError(
      'invalid_input',
      'Plain http:// is only allowed for a relay on this computer; use https:// for the practice relay.',
    );
  }
  if (url.username || url.password) {
    throw new MessengerError(
      'invalid_input',
      'The relay URL must not contain a user name or password.',
    );
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}
