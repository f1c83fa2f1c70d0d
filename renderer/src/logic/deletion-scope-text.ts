/**
 * The confirmation's question, naming how many messages go from how many devices, so nobody
 * deletes the other person's copies without knowing it.
 */
export interface ScopeFacts {
  messages: number;
  fromOthers: number;
  devices: number;
  peerDevices: number;
  peerName: string | null;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function deletionQuestion(scope: ScopeFacts, now: boolean): string {
  const peer = scope.peerName ?? 'the other person';
  const where =
    scope.peerDevices > 0
      ? `this computer and ${plural(scope.peerDevices, 'device', 'devices')} of ${peer}`
      : 'this computer';
  const whose = scope.fromOthers > 0 ? ` (${scope.fromOthers} written by someone else)` : '';
  const when = now ? 'after a 10 second undo window' : 'at the time you chose';
  return (
    `This deletes ${plural(scope.messages, 'message', 'messages')}${whose} from ` +
    `${plural(scope.devices, 'device', 'devices')}: ${where}, ${when}. ` +
    `A marker stays in their place on every device.`
  );
}
