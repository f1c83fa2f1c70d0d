import { WebSocket } from 'ws';

/**
 * Opens a WebSocket, trying again up to 5 times: hundreds of connects at once can overflow a
 * small listen backlog on a loaded machine (the kernel resets some), which is not what the
 * benchmarks measure.
 */
export async function openSocket(
  url: string,
  headers?: Record<string, string>,
): Promise<WebSocket> {
  for (let attempt = 1; ; attempt += 1) {
    const socket = new WebSocket(url, headers ? { headers } : {});
    const error = await new Promise<Error | null>((resolve) => {
      socket.once('open', () => resolve(null));
      socket.once('error', resolve);
    });
    if (!error) return socket;
    if (attempt === 5) throw error;
  }
}
