import pg from 'pg';
import { errorMessage } from '../../domain/errors.js';
import { parsePgUrl } from './pg-url.js';

/**
 * Wakes the server's live view when a PostgreSQL project gets events (issue #20): one asynchronous connection per
 * server LISTENs on `autocoder_events`, which the events table's trigger notifies with the project's schema when a
 * transaction that added events commits (migrations/project-pg/0001_init.sql). Subscribers are woken per schema;
 * they read what is new themselves (event-tail.ts), so a notification carries nothing and several collapse into
 * one read.
 *
 * A lost connection is opened again (1 s, doubling to 30 s), and every subscriber is woken once it is back: what
 * committed meanwhile is read then, since no notification survives a dropped connection.
 */

export const EVENTS_CHANNEL = 'autocoder_events';
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

export interface EventListener {
  /** Calls `wake` after each commit that added events to `schema`; returns the unsubscribe. */
  subscribe(schema: string, wake: () => void): () => void;
  /** Ends the connection; nothing is woken after. */
  close(): Promise<void>;
}

export function listenForEvents(url: string, onError: (err: unknown) => void = () => undefined): EventListener {
  const target = parsePgUrl(url);
  const subscribers = new Map<string, Set<() => void>>();
  let client: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  let retryMs = FIRST_RETRY_MS;
  let retry: NodeJS.Timeout | null = null;
  let closed = false;

  const wakeAll = () => {
    for (const wakes of subscribers.values()) for (const wake of [...wakes]) wake();
  };

  const connect = (): void => {
    if (closed || client !== null || connecting !== null) return;
    const next = new pg.Client({ connectionString: target.url });
    // After the connection is up; a failure while connecting is the catch's below.
    const lost = (err: unknown) => {
      if (client !== next) return;
      client = null;
      next.removeAllListeners('notification');
      next.end().catch(() => undefined);
      if (closed) return;
      onError(new Error(`the live view's PostgreSQL connection (${target.where}) was lost: ${errorMessage(err)}`));
      scheduleRetry();
    };
    next.on('error', lost);
    next.on('end', () => lost(new Error('the server closed the connection')));
    next.on('notification', (message) => {
      if (message.channel !== EVENTS_CHANNEL || message.payload === undefined) return;
      for (const wake of [...(subscribers.get(message.payload) ?? [])]) wake();
    });
    connecting = next
      .connect()
      .then(() => next.query(`LISTEN ${EVENTS_CHANNEL}`))
      .then(() => {
        connecting = null;
        if (closed) {
          next.end().catch(() => undefined);
          return;
        }
        client = next;
        retryMs = FIRST_RETRY_MS;
        // Whatever committed while there was no connection is read now.
        wakeAll();
      })
      .catch((err: unknown) => {
        connecting = null;
        next.end().catch(() => undefined);
        if (closed) return;
        onError(new Error(`cannot listen for events on PostgreSQL at ${target.where}: ${errorMessage(err)}`));
        scheduleRetry();
      });
  };

  const scheduleRetry = (): void => {
    if (closed || retry !== null) return;
    retry = setTimeout(() => {
      retry = null;
      connect();
    }, retryMs);
    retry.unref();
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  return {
    subscribe(schema, wake) {
      let wakes = subscribers.get(schema);
      if (wakes === undefined) {
        wakes = new Set();
        subscribers.set(schema, wakes);
      }
      wakes.add(wake);
      connect();
      return () => {
        wakes.delete(wake);
        if (wakes.size === 0) subscribers.delete(schema);
      };
    },
    async close() {
      closed = true;
      if (retry !== null) clearTimeout(retry);
      subscribers.clear();
      const ending = client;
      client = null;
      await ending?.end().catch(() => undefined);
    },
  };
}
