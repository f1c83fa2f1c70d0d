import { z } from 'zod';
import type { Repositories } from '../db/repositories/repositories.js';

const dayMs = 24 * 60 * 60 * 1000;

/**
 * Settings key of the retentionDays this profile last ran under (RetentionService.start writes
 * it). Messages stored while the app is not running retention (the CLI, a core that starts
 * before retention) still get their expiry at insert from it, and an unchanged policy lets the
 * unlock catch-up skip every message that already has one.
 */
export const retentionDaysSetting = 'retention.policyDays';
/** Built once: a zod schema costs more to build than to check (every stored message reads it). */
const retentionDaysSchema = z.number().int().positive().nullable();

export interface ExpiryInputs {
  /** The managed policy's retentionDays; null keeps messages until deleted by hand. */
  readonly retentionDays: number | null;
  /** The conversation's disappearing-message timer; null when off. */
  readonly disappearingSeconds: number | null;
  /** When this device stored the message: receivedAt for incoming, sentAt for outgoing. */
  readonly storedAt: number;
}

/**
 * When a message must be gone: the sooner of the retention period and the conversation's
 * disappearing timer, both counted from when this device stored it. The sender's clock is not
 * used for incoming messages: a sender whose clock runs days fast would otherwise keep messages
 * alive past the policy (or, running slow, delete them on arrival).
 */
export function expiryFor(inputs: ExpiryInputs): number | null {
  const candidates: number[] = [];
  if (inputs.retentionDays !== null)
    candidates.push(inputs.storedAt + inputs.retentionDays * dayMs);
  if (inputs.disappearingSeconds !== null) {
    candidates.push(inputs.storedAt + inputs.disappearingSeconds * 1000);
  }
  return candidates.length === 0 ? null : Math.min(...candidates);
}

/**
 * The expiry of a message stored now in this conversation (null: kept until deleted), from the
 * policy this profile last ran under and the conversation's timer. Every path that stores a
 * message passes it to MessagesRepository.insert, so each message has its expiry from the moment
 * it exists.
 */
export function expiryOfNewMessage(
  repositories: Pick<Repositories, 'conversations' | 'settings'>,
  conversationId: string,
  storedAt: number,
): number | null {
  return expiryFor({
    retentionDays: repositories.settings.get(retentionDaysSetting, retentionDaysSchema) ?? null,
    disappearingSeconds:
      repositories.conversations.get(conversationId)?.disappearingSeconds ?? null,
    storedAt,
  });
}

export function retentionMs(retentionDays: number | null): number | null {
  return retentionDays === null ? null : retentionDays * dayMs;
}
