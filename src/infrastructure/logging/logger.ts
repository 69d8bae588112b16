import { randomUUID } from 'crypto';
import type { IncomingMessage } from 'http';
import { LoggerService } from '@nestjs/common';
import pino, { Logger, LevelWithSilent } from 'pino';
import pinoPretty from 'pino-pretty';

const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** Accepts a sane X-Request-Id or makes one (Fastify's genReqId; echoed by an onRequest hook). */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Readable lines for a person (pino-pretty) in development or on a terminal; JSON lines
 * everywhere else, and always in production.
 */
export function wantsPrettyLogs(nodeEnv: string, stdoutIsTty = Boolean(process.stdout.isTTY)): boolean {
  return nodeEnv !== 'production' && (nodeEnv === 'development' || stdoutIsTty);
}

/** A synchronous pino-pretty stream (lines stay in order with process.exit). */
export function prettyDestination(colorize = Boolean(process.stdout.isTTY), fd: 1 | 2 = 1): pino.DestinationStream {
  return pinoPretty({
    colorize,
    destination: fd,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,context',
    messageFormat: '{if context}[{context}] {end}{msg}',
  });
}

/**
 * Structured JSON logs (pino). Secrets and bodies never appear: requests are logged as
 * method, route, status and duration only, and these paths are redacted besides.
 */
export function createRootLogger(level: LevelWithSilent, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'ledger-service' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        'headers.cookie',
        'authorization',
        'API_KEYS',
        'body',
        'req.body',
        // Query parameters of a failed SQL statement carry request data.
        'err.parameters',
        'parameters',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

type Level = 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal';

/**
 * Nest's logger on pino. The lines about one request (its completion line, its error) are
 * written with that request's id by the HTTP layer; service loggers write process-level lines
 * (a posting batch serves many requests at once). No AsyncLocalStorage: on Node 20 it puts a
 * hook on every promise, which the posting path pays for thousands of times a second.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    const log = this.root;
    if (!log.isLevelEnabled(level)) return;
    // Nest appends the logger's context as the last string parameter.
    const context = params.length > 0 && typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    // A failed bootstrap or listen is reported by main.ts in one line; Nest's copy is detail.
    if (level === 'error' && (context === 'ExceptionHandler' || (context === 'NestApplication' && /\blisten E[A-Z]+\b/.test(String(message))))) {
      level = 'debug';
    }
    if (!log.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (message instanceof Error) {
      log[level]({ ...fields, err: message }, message.message);
    } else if (message !== null && typeof message === 'object') {
      log[level]({ ...fields, ...(message as object) }, typeof params[0] === 'string' ? params[0] : undefined);
    } else {
      if (level === 'error' && typeof params[0] === 'string') fields.stack = params[0];
      log[level](fields, String(message));
    }
  }
}
