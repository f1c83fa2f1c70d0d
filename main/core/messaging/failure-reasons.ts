/** Why a message failed, worded for the person who sent it: each says what they can do. */
export const failureReasons = {
  identityChanged:
    "The recipient's safety number has changed. Check it with them, acknowledge the change, then press Retry.",
  recipientGone:
    'The recipient is no longer in the practice directory (they left or their device was revoked). The message cannot be delivered.',
  encryption:
    'The message could not be encrypted for the recipient. Press Retry; if it fails again, ask IT to check both devices.',
  gaveUp:
    'The relay could not be reached for a long time. Check the network connection, then press Retry.',
  refused: (code: string) =>
    `The relay refused the message (${code}). Press Retry; if it fails again, contact IT.`,
} as const;
