/**
 * How many chunk requests one transfer keeps in flight. One at a time left the line idle while
 * each side committed; a few at once keep it busy without one file hogging the relay.
 */
export const transferWindow = 4;

/**
 * Runs `work` on every item with up to `width` in flight, while `keepGoing()` holds. Results are
 * handed to `onBatch` (one call per `width` results, in completion order, never two at once), so a
 * caller commits per window instead of per item. After the first failure nothing new starts; the
 * requests in flight finish, what succeeded is still handed over, and then the failure is thrown.
 */
export async function inWindow<T, R>(
  items: readonly T[],
  keepGoing: () => boolean,
  work: (item: T) => Promise<R>,
  onBatch?: (batch: Array<[T, R]>) => Promise<void>,
  width = transferWindow,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  let pending: Array<[T, R]> = [];
  let flushing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    if (!onBatch || pending.length === 0) return flushing;
    const batch = pending;
    pending = [];
    flushing = flushing
      .then(() => onBatch(batch))
      .catch((error: unknown) => {
        failure ??= { error };
      });
    return flushing;
  };
  const worker = async (): Promise<void> => {
    while (failure === null && next < items.length && keepGoing()) {
      const item = items[next++] as T;
      try {
        // Awaited before `pending` is read: a flush meanwhile replaces the array.
        const result = await work(item);
        pending.push([item, result]);
      } catch (error) {
        failure ??= { error };
      }
      if (pending.length >= width) await flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  await flush();
  if (failure) throw (failure as { error: unknown }).error;
}
