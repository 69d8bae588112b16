import { Writable } from 'stream';
import { createRootLogger, PinoNestLogger, wantsPrettyLogs } from './logger';

/** The JSON lines a root logger writes. */
function capture(): { lines: () => any[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, lines: () => chunks.join('').trim().split('\n').map((l) => JSON.parse(l)) };
}

describe('createRootLogger', () => {
  it('writes JSON lines with the service name and a timestamp', () => {
    const out = capture();
    createRootLogger('info', out.stream).info({ route: '/v1/organizations', status: 200, ms: 3 }, 'request completed');
    expect(out.lines()[0]).toMatchObject({ service: 'ledger-service', route: '/v1/organizations', status: 200, msg: 'request completed' });
    expect(typeof out.lines()[0].time).toBe('string');
  });

  it('redacts Authorization headers, cookies, API_KEYS, bodies and SQL parameters', () => {
    const out = capture();
    const log = createRootLogger('info', out.stream);
    log.info({ req: { headers: { authorization: 'Bearer s3cret', cookie: 'sid=1' }, body: { value: '100' } } });
    log.info({ headers: { authorization: 'Bearer s3cret' }, authorization: 'Bearer s3cret' });
    log.info({ API_KEYS: 'k:admin:abc', body: '{"x":1}' });
    log.error({ err: { message: 'boom', parameters: ['s3cret-alias'] } });
    const text = JSON.stringify(out.lines());
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('sid=1');
    expect(text).not.toContain('k:admin:abc');
    expect(text).not.toContain('"100"');
    expect(text).toContain('[redacted]');
  });
});

describe('wantsPrettyLogs', () => {
  it.each([
    ['production', true, false],
    ['production', false, false],
    ['development', false, true],
    ['test', true, true],
    ['test', false, false],
  ])('NODE_ENV=%s, stdout a TTY: %s -> pretty %s', (nodeEnv, tty, pretty) => {
    expect(wantsPrettyLogs(nodeEnv, tty)).toBe(pretty);
  });
});

describe('PinoNestLogger at startup', () => {
  it("keeps Nest's copy of a failed listen at debug (main.ts reports it in one line)", () => {
    const out = capture();
    const nest = new PinoNestLogger(createRootLogger('info', out.stream));
    nest.error(new Error('listen EADDRINUSE: address already in use 127.0.0.1:3000'), 'NestApplication');
    nest.error('a real error', 'SomeService');
    expect(out.lines().map((l) => l.msg)).toEqual(['a real error']);
  });
});
