import { AddressInfo, createServer, connect, Server, Socket } from 'net';

/** A simple-protocol query message `Q <len> COMMIT\0`, as pg sends `client.query('COMMIT')`. */
const COMMIT_MESSAGE = (() => {
  const text = Buffer.from('COMMIT\0');
  const header = Buffer.alloc(5);
  header.write('Q', 0);
  header.writeInt32BE(4 + text.length, 1);
  return Buffer.concat([header, text]);
})();

/**
 * What the proxy does to the next COMMITs it sees: `lose-reply` forwards the COMMIT and drops
 * everything Postgres answers, then closes the connection (the commit happened, the client never
 * hears of it); `lose-request` closes the connection instead of forwarding the COMMIT (Postgres
 * rolls back).
 */
export type CommitFault = 'lose-reply' | 'lose-request';

/**
 * A TCP proxy in the test process (e.g. in front of Postgres) that can be cut, as if the
 * server went away, and restored on the same port; it can also lose the COMMITs that pass.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private commitFaults: CommitFault[] = [];
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      const both = () => {
        client.destroy();
        upstream.destroy();
      };
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', both);
      }
      let replying = true;
      client.on('data', (chunk: Buffer) => {
        const fault = this.commitFaults.length > 0 && chunk.includes(COMMIT_MESSAGE) ? this.commitFaults.shift() : undefined;
        if (fault === 'lose-request') return both();
        upstream.write(chunk);
        if (fault === 'lose-reply') {
          replying = false;
          // Long enough for Postgres to finish the COMMIT before its connection goes.
          setTimeout(both, 300);
        }
      });
      upstream.on('data', (chunk: Buffer) => {
        if (replying) client.write(chunk);
      });
      client.on('end', () => upstream.end());
      upstream.on('end', () => client.end());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** The next COMMITs through the proxy (one per fault, in order) fail this way. */
  failCommits(...faults: CommitFault[]): void {
    this.commitFaults.push(...faults);
  }

  /** COMMIT faults armed but not yet met. */
  get pendingCommitFaults(): number {
    return this.commitFaults.length;
  }

  /** Drops every connection and stops accepting new ones (connects are refused). */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accepts connections again on the same port. */
  restore(): Promise<void> {
    return this.start();
  }

  stop(): Promise<void> {
    return this.cut();
  }
}
