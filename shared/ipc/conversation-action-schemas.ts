/**
 * Conversation actions the app offers on top of sending: deleting one's own message for
 * everyone, and the disappearing-message timer (its choices are the ones the app offers; the
 * core accepts any number of seconds, the CLI too).
 */
import { z } from 'zod';
import { conversationIdSchema, messageIdSchema } from './view-schemas.js';

/** Off, 1 hour, 1 day, 7 days, 4 weeks: what the conversation menu offers. */
export const disappearingChoices = [0, 3600, 86_400, 7 * 86_400, 28 * 86_400] as const;

export const deleteForEveryoneRequestSchema = z.strictObject({
  conversationId: conversationIdSchema,
  messageId: messageIdSchema,
});

export const disappearingTimerRequestSchema = z.strictObject({
  conversationId: conversationIdSchema,
  /** 0 turns it off; otherwise one of disappearingChoices (the handler says which are allowed). */
  seconds: z.number().int().nonnegative(),
});

export const disappearingTimerResponseSchema = z.object({
  /** The timer now in force: null when off. */
  disappearingSeconds: z.number().int().positive().nullable(),
});
