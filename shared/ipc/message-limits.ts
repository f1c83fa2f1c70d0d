/**
 * Limits the renderer checks as the user types, kept apart from the zod schemas so that the
 * renderer bundle does not pull in zod for a constant.
 */

/** Longest message text, the same bound as the encrypted content codec. */
export const maxMessageTextLength = 20_000;
