/**
 * The words for a role message's acknowledgement state, the same in the app and the CLI:
 * "Acknowledged by Dr A Patel at 14:02", "Escalated to All clinicians at 14:12",
 * "Awaiting acknowledgement". Times are the viewer's local HH:MM.
 */
export interface AckLineInput {
  readonly state: 'waiting' | 'acknowledged' | 'escalated';
  readonly acknowledgedByName: string | null;
  readonly acknowledgedAt: number | null;
  readonly escalatedTo: string | null;
  readonly escalatedAt: number | null;
}

export function clockTime(at: number): string {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export function ackLine(input: AckLineInput): string {
  const escalated =
    input.escalatedAt !== null
      ? `Escalated to ${input.escalatedTo ?? 'the escalation role'} at ${clockTime(input.escalatedAt)}`
      : null;
  if (input.state === 'acknowledged' && input.acknowledgedAt !== null) {
    const acked = `Acknowledged by ${input.acknowledgedByName ?? 'someone on duty'} at ${clockTime(input.acknowledgedAt)}`;
    return escalated ? `${escalated}; ${acked}` : acked;
  }
  return escalated ?? 'Awaiting acknowledgement';
}

/** "To Duty doctor → Dr A Patel": who a message to a role reached. */
export function roleRecipientLine(roleName: string, holderNames: readonly string[]): string {
  return `To ${roleName} → ${holderNames.join(', ')}`;
}
