/**
 * The node's HTTP calls to customers (webhooks, Kannel dlr-urls): node:http(s) over keep-alive
 * agents, resolving with the status once the answer is read. Not fetch: on the main thread,
 * beside every SMPP session, undici's per-request cost showed (the benchmark's HTTP edge).
 * Redirects are not followed: a receipt goes where the customer configured it, or is held.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

const agents = {
  http: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
};

export function httpCall(method: 'GET' | 'POST', url: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const secure = u.protocol === 'https:';
    if (!secure && u.protocol !== 'http:') {
      reject(new Error(`${u.protocol} is not http: or https:`));
      return;
    }
    const send = secure ? httpsRequest : httpRequest;
    const req = send(u, {
      method, agent: secure ? agents.https : agents.http, timeout: timeoutMs,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) },
    }, (res: IncomingMessage) => {
      // Read to the end so the connection goes back to the pool.
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
