import type { CoreContext } from '../core-context.js';
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

  constructor(private readonly ctx: CoreContext) {
    this.store = new GroupsStore(ctx.db);
    const states = new GroupStates(ctx, this.store);
    this.sender = new GroupSender(ctx, this.store, states);
    this.service = new GroupService(ctx, this.store, states, () => this.sender.kick());
    this.actions = new GroupActions(ctx, this.store, states, () => this.sender.kick());
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
