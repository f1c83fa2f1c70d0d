import { startTestRelay, type TestRelay } from '../../../server/test-relay.js';
import { createLogger } from '../../../../main/core/log/logger.js';
import { enrolProfile } from '../../../../main/core/messaging/enrolment.js';
import {
  MessagingCore,
  type MessagingCoreOptions,
} from '../../../../main/core/messaging/messaging-core.js';
import type { MessagingEvent } from '../../../../main/core/messaging/messaging-events.js';
import type { OpenProfile } from '../../../../main/core/profile/open-profile.js';
import type { ProfileStore } from '../../../../main/core/profile/profile-store.js';
import { PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';

export const fastTuning: MessagingCoreOptions['tuning'] = {
  outboxBackoff: { initialMs: 50, maxMs: 300 },
  socketBackoff: { initialMs: 50, maxMs: 300 },
  heartbeatMs: 1_000,
  httpTimeoutMs: 3_000,
};

export const quietLogger = createLogger('test', { sink: () => undefined });

/** One member of staff: a real profile (SQLCipher, keychain) enrolled with the test relay. */
export class Staff {
  core: MessagingCore;
  readonly seen: MessagingEvent[] = [];
  private off: () => void;

  constructor(
    readonly name: string,
    readonly store: ProfileStore,
    public profile: OpenProfile,
    readonly accountId: string,
  ) {
    this.core = this.openCore();
    this.off = this.core.events.on((e) => this.seen.push(e));
  }

  openCore(): MessagingCore {
    return MessagingCore.open(this.profile, { tuning: fastTuning, logger: quietLogger });
  }

  /** Stops the core and closes the profile, like a lock. */
  close(): void {
    this.off();
    this.core.stop();
    if (!this.profile.closed) this.profile.close();
  }

  /** Unlocks the profile again with a fresh core (not started). */
  async reopen(): Promise<void> {
    this.close();
    this.profile = await this.store.unlock(this.profile.id, PASSCODE);
    this.core = this.openCore();
    this.off = this.core.events.on((e) => this.seen.push(e));
  }

  async sendTo(peer: Staff, text: string) {
    const conversation = await this.core.openDirect(peer.accountId);
    return this.core.sendText(conversation.id, text);
  }

  texts(peer: Staff): string[] {
    const conversation = this.profile.repositories.conversations.findDirect(peer.accountId);
    if (!conversation) return [];
    return this.profile.repositories.messages
      .pageAfter(conversation.id, null, 10_000)
      .map((m) => m.body);
  }
}

export interface World {
  relay: TestRelay;
  store: ProfileStore;
  staff: Staff[];
  enrol(name: string, role?: 'clinician' | 'reception' | 'nurse'): Promise<Staff>;
  /** A new profile enrolled with a code already issued (e.g. a second device of an account). */
  enrolWithCode(label: string, code: string, deviceName?: string): Promise<Staff>;
  cleanup(): Promise<void>;
}

export async function createWorld(): Promise<World> {
  const relay = await startTestRelay();
  const temp = makeTempDir('pmsg-messaging-');
  const store = newStore(temp.dir);
  const staff: Staff[] = [];
  const world: World = {
    relay,
    store,
    staff,
    async enrol(name, role = 'clinician') {
      const issued = await relay.relay.enrol({ displayName: name, role, org: 'Riverside Surgery' });
      return world.enrolWithCode(name, issued.code);
    },
    async enrolWithCode(label, code, deviceName) {
      const profile = await store.create({ label, passcode: PASSCODE });
      const account = await enrolProfile(profile, {
        serverUrl: relay.relay.url,
        code,
        ...(deviceName ? { deviceName } : {}),
      });
      const member = new Staff(label, store, profile, account.accountId);
      staff.push(member);
      return member;
    },
    async cleanup() {
      for (const member of staff) member.close();
      await relay.stop().catch(() => undefined);
      temp.cleanup();
    },
  };
  return world;
}

/** Polls until `check` is true; the test's own timeout bounds it. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 15_000) {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
