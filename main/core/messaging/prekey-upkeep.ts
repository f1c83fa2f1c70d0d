import { z } from 'zod';
import type { KeysUploadRequest } from '../../../shared/protocol/index.js';
import {
  generateKyberPreKeys,
  generateLastResortKyberPreKey,
  generatePreKeys,
  generateSignedPreKey,
} from '../signal/prekey-generation.js';
import type { CoreContext } from './core-context.js';
import { kyberPreKeyJson, preKeyJson, signedPreKeyJson } from './prekey-json.js';
import { describeError } from '../../../shared/describe-error.js';

const rotatedAtKey = 'signal.signedPreKeyRotatedAt';

/**
 * Keeps this device reachable: uploads a new batch of one-time prekeys when the relay reports
 * fewer than the threshold, and rotates the signed prekey and last-resort Kyber prekey on a
 * schedule, keeping old private keys for a while for sessions started from older bundles.
 */
export class PreKeyUpkeep {
  private running: Promise<void> | null = null;

  constructor(private readonly ctx: CoreContext) {}

  /** One check; concurrent calls share it. Failures are logged and retried next time. */
  check(): Promise<void> {
    this.running ??= this.run()
      .catch((error: unknown) => {
        this.ctx.logger.warn('prekey_upkeep_failed', { error: describeError(error) });
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async run(): Promise<void> {
    const { http, stores, tuning, now, repos } = this.ctx;
    const counts = await http.call('keyCount');
    const upload: KeysUploadRequest = {};
    const rotatedAt = repos.settings.get(rotatedAtKey, z.number().int()) ?? 0;
    const rotate = now() - rotatedAt >= tuning.signedPreKeyRotationMs;
    if (
      counts.preKeys >= tuning.preKeyThreshold &&
      counts.kyberPreKeys >= tuning.preKeyThreshold &&
      !rotate
    ) {
      return;
    }
    await this.ctx.tx(async () => {
      if (counts.preKeys < tuning.preKeyThreshold) {
        upload.preKeys = (await generatePreKeys(stores, tuning.preKeyBatch)).map(preKeyJson);
      }
      if (counts.kyberPreKeys < tuning.preKeyThreshold) {
        upload.kyberPreKeys = (await generateKyberPreKeys(stores, tuning.preKeyBatch, now())).map(
          kyberPreKeyJson,
        );
      }
      if (rotate) {
        const nextId = Math.max(0, ...stores.signedPreKey.ids()) + 1;
        upload.signedPreKey = signedPreKeyJson(await generateSignedPreKey(stores, nextId, now()));
        upload.kyberLastResortPreKey = kyberPreKeyJson(
          await generateLastResortKyberPreKey(stores, now()),
        );
      }
    });
    await http.call('uploadKeys', { body: upload });
    if (rotate) {
      await this.ctx.tx(async () => {
        repos.settings.set(rotatedAtKey, now(), now());
        this.pruneSignedPreKeys();
      });
      this.ctx.logger.info('signed_prekey_rotated');
    }
    this.ctx.logger.info('prekeys_uploaded', {
      preKeys: upload.preKeys?.length ?? 0,
      kyberPreKeys: upload.kyberPreKeys?.length ?? 0,
    });
  }

  /** Drops signed prekeys older than the keep period, always keeping the newest two. */
  private pruneSignedPreKeys(): void {
    const { stores, tuning, now, db } = this.ctx;
    const ids = stores.signedPreKey.ids();
    const createdAt = db.prepare('SELECT created_at FROM signed_prekeys WHERE id = ?').pluck();
    for (const id of ids.slice(0, -2)) {
      const at = createdAt.get(id) as number | undefined;
      if (at !== undefined && now() - at > tuning.signedPreKeyKeepMs)
        stores.signedPreKey.removeSignedPreKey(id);
    }
  }
}
