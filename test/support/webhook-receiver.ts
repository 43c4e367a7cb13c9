import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a webhook receiver got: its path, JSON body and the status it answered. */
export interface Hit {
  readonly path: string;
  readonly body: unknown;
  readonly status: number;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly hits: Hit[];
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 in this process; `status` picks the answer to each request. */
export async function startWebhookReceiver(
  status: (path: string, body: unknown, seen: readonly Hit[]) => number = () => 200,
): Promise<WebhookReceiver> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as unknown;
      const code = status(req.url ?? '', body, hits);
      hits.push({ path: req.url ?? '', body, status: code });
      res.statusCode = code;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
