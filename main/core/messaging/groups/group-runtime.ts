import { MessengerError } from '../../../../shared/errors.js';
import { attachmentLimits } from '../../../../shared/protocol/index.js';
import type { GroupFileSink } from '../attachments/attachment-transfers.js';
import { encodeContent } from '../content-codec.js';
import type { CoreContext } from '../core-context.js';
import { hasOtherDevices } from '../own-device-sync.js';
import { GroupActions } from './group-actions.js';
import { GroupSender } from './group-sender.js';
import { GroupService } from './group-service.js';
import { GroupStates } from './group-states.js';
import { GroupsStore } from './groups-store.js';

/** The group parts of one messaging core, started and stopped with it. */
export class GroupRuntime {
  readonly service: GroupService;
  /** Delete for everyone and transcription notices in groups. */
  readonly actions: GroupActions;
  private readonly sender: GroupSender;
  private readonly store: GroupsStore;
  private readonly states: GroupStates;

  constructor(private readonly ctx: CoreContext) {
    this.store = new GroupsStore(ctx.db);
    const states = new GroupStates(ctx, this.store);
    this.states = states;
    this.sender = new GroupSender(ctx, this.store, states);
    this.service = new GroupService(ctx, this.store, states, () => this.sender.kick());
    this.actions = new GroupActions(ctx, this.store, states, () => this.sender.kick());
  }

  /** Files in groups: who the upload is for, and the group message that carries the key. */
  fileSink(): GroupFileSink {
    return {
      isGroup: (conversationId) => this.store.group(conversationId) !== null,
      recipients: (groupId) => {
        const self = this.ctx.account.accountId;
        const head = this.states.head(groupId);
        if (!head || this.store.group(groupId)?.leftAt != null || !head.members.includes(self)) {
          throw new MessengerError('forbidden', 'You are no longer a member of this group.');
        }
        const others = head.members.filter((m) => m !== self);
        if (others.length > attachmentLimits.maxRecipients) {
          throw new MessengerError(
            'invalid_input',
            `Files can go to groups of up to ${attachmentLimits.maxRecipients + 1} members; ` +
              `this one has ${head.members.length}. Send a link to where the file is kept instead.`,
          );
        }
        // The person's other devices fetch it too, so the relay keeps it until they have.
        return hasOtherDevices(this.ctx) && others.length < attachmentLimits.maxRecipients
          ? [...others, self]
          : others;
      },
      enqueue: (groupId, message, content) => {
        const head = this.states.head(groupId);
        this.store.enqueue(
          groupId,
          message.id,
          encodeContent({ ...content, groupId }),
          this.ctx.now(),
        );
        this.store.addRecipients(
          message.id,
          (head?.members ?? []).filter((m) => m !== this.ctx.account.accountId),
        );
      },
      kick: () => this.sender.kick(),
    };
  }

  start(): void {
    this.sender.kick();
  }

  stop(): void {
    this.sender.stop();
  }

  /** Back online: group sends waiting for a retry go now. */
  async online(): Promise<void> {
    await this.ctx.tx(async () => this.store.retryAllNow(this.ctx.now()));
    this.sender.kick();
  }

  /** Waits until the group outbox has nothing due right now. */
  async flush(): Promise<void> {
    for (;;) {
      await this.sender.idle();
      const next = this.store.nextDueAt();
      if (next === null || next > this.ctx.now()) return;
      this.sender.kick();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
