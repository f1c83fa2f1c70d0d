import {
  maxBatchSends,
  protocolLimits,
  type BatchSendResult,
  type SendMessageRequest,
} from '../../../../shared/protocol/index.js';
import { RelayRequestError, type RelayHttp } from './relay-http.js';

/** One 1:1 send (PUT /v1/messages/{accountId}) waiting to go. */
export interface RelaySend {
  readonly accountId: string;
  readonly body: SendMessageRequest;
}

/** A batch stays well below the relay's request body limit (§1.3), JSON overhead included. */
const maxBatchBytes = Math.floor(protocolLimits.maxBodyBytes * 0.75);

/**
 * Sends 1:1 messages to the relay, several per request where it can: PUT /v1/messages/batch
 * (docs/protocol.md §5c) carries up to 100 sends, so they share one round trip and one commit
 * on the relay. A relay that predates the batch answers 404 (no such endpoint): from then on this
 * client sends each message in its own PUT /v1/messages/{accountId}, as before.
 */
export class RelaySends {
  private batchUnsupported = false;

  constructor(
    private readonly http: RelayHttp,
    private readonly concurrency: () => number,
    private readonly stopped: () => boolean,
  ) {}

  /**
   * Each send's outcome, in order: null when the relay accepted it, else the error; undefined
   * when it was not attempted because sending stopped.
   */
  async send(sends: readonly RelaySend[]): Promise<(unknown | null)[]> {
    const outcomes = new Array<unknown | null>(sends.length).fill(undefined);
    const groups = this.batchUnsupported ? sends.map((_, i) => [i]) : batches(sends);
    let next = 0;
    const worker = async () => {
      while (next < groups.length && !this.stopped()) {
        const group = groups[next] as number[];
        next += 1;
        const results = await this.sendGroup(group.map((i) => sends[i] as RelaySend));
        group.forEach((index, k) => (outcomes[index] = results[k]));
      }
    };
    const width = Math.min(this.concurrency(), groups.length);
    await Promise.all(Array.from({ length: width }, worker));
    return outcomes;
  }

  private async sendGroup(group: RelaySend[]): Promise<(unknown | null)[]> {
    if (group.length === 1 || this.batchUnsupported) {
      return Promise.all(group.map((send) => this.sendOne(send)));
    }
    try {
      const { results } = await this.http.call('sendBatch', {
        body: { sends: group.map((send) => ({ accountId: send.accountId, ...send.body })) },
      });
      if (results.length !== group.length) {
        const error = new RelayRequestError(
          200,
          'bad_response',
          'The relay answered a batch amiss.',
        );
        return group.map(() => error);
      }
      return results.map(outcomeOf);
    } catch (error) {
      if (
        error instanceof RelayRequestError &&
        error.status === 404 &&
        error.code === 'not_found'
      ) {
        this.batchUnsupported = true;
        return Promise.all(group.map((send) => this.sendOne(send)));
      }
      // The request as a whole failed (network, rate limit, revoked): so did each send in it.
      return group.map(() => error);
    }
  }

  private async sendOne(send: RelaySend): Promise<unknown | null> {
    try {
      await this.http.call('sendMessage', {
        params: { accountId: send.accountId },
        body: send.body,
      });
      return null;
    } catch (error) {
      return error;
    }
  }
}

/** Indexes of sends grouped into batches: at most maxBatchSends each, and below maxBatchBytes. */
function batches(sends: readonly RelaySend[]): number[][] {
  // Even batches (not 100 + a remainder), so that the requests in flight carry similar loads.
  const count = Math.ceil(sends.length / maxBatchSends);
  const perBatch = Math.ceil(sends.length / Math.max(1, count));
  const groups: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  sends.forEach((send, index) => {
    const size = JSON.stringify(send.body).length + send.accountId.length + 32;
    if (current.length > 0 && (current.length >= perBatch || bytes + size > maxBatchBytes)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += size;
  });
  if (current.length > 0) groups.push(current);
  return groups;
}

function outcomeOf(result: BatchSendResult): unknown | null {
  if (!('error' in result)) return null;
  const { code, message, details } = result.error;
  return new RelayRequestError(
    result.status,
    code,
    message,
    details ?? {},
    result.retryAfter === undefined ? null : result.retryAfter * 1000,
  );
}
