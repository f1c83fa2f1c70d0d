/**
 * A V8 CPU profile of this process between start and stop, written as a .cpuprofile file (open
 * it in Chrome DevTools' Performance panel). For finding where a benchmark's time goes.
 */
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';

export async function startCpuProfile(): Promise<{ stop(file: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  // 200 µs: fine enough for the short synchronous queries of an unlock.
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}
