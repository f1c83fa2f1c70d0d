/**
 * Why a message failed, worded for the person who sent it: each says what they can do. Stored
 * with the message and shown beside it, with a Retry button.
 */
export const failureReasons = {
  identityChanged:
    "The recipient's safety number has changed. Check it with them, acknowledge the change, then press Retry.",
  recipientGone:
    'The recipient is no longer in the practice directory (they left or their device was revoked). The message cannot be delivered.',
  encryption:
    'The message could not be encrypted for the recipient. Press Retry; if it fails again, ask IT to check both devices.',
  certificatePin:
    "The relay's security certificate is not the one your practice's policy pins, so nothing was sent. Tell IT at once; press Retry once they have fixed it.",
  gaveUp: (tries: number) =>
    `Not delivered after ${tries} ${tries === 1 ? 'try' : 'tries'}: the relay could not be reached. Check the network connection, then press Retry.`,
  refused: (code: string, relayMessage: string) =>
    `The relay refused this message (${code}: ${clip(relayMessage)}). Press Retry; if it fails again, contact IT.`,
} as const;

// The relay's own wording is shown, but a broken relay must not fill the screen with it.
function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 159)}…` : flat;
}
