// node:http with keep-alive rather than fetch for the relay benchmarks' simulated devices:
// undici's per-request cost made the simulated clients, not the relay, the bottleneck.
import { Agent, request } from 'node:http';

export interface KeepAliveClient {
  /** One authenticated JSON request; resolves with the status code once the body is read. */
  call(method: string, url: string, token: string, body?: string): Promise<number>;
  destroy(): void;
}

export function keepAliveClient(maxSockets: number): KeepAliveClient {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const call = (
    method: string,
    url: string,
    token: string,
    body: string,
    retried: boolean,
  ): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${token}`,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        // The server closed an idle keep-alive socket as this request went out on it (its
        // keep-alive timeout): nothing reached it, so send again once, as HTTP clients do.
        if (!retried && req.reusedSocket && error.code === 'ECONNRESET') {
          call(method, url, token, body, true).then(resolve, reject);
        } else reject(error);
      });
      req.end(body);
    });
  return {
    call: (method, url, token, body = '') => call(method, url, token, body, false),
    destroy: () => agent.destroy(),
  };
}
