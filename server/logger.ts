export type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, extra?: object): void;
  info(msg: string, extra?: object): void;
  warn(msg: string, extra?: object): void;
  error(msg: string, extra?: object): void;
}

/** Longest string field written to the log: a megabyte-long user name must not make a megabyte of log. */
export const MAX_LOGGED_FIELD = 200;
const MAX_LINE = 4000;

/** Stack traces are ours, not the client's: they may be longer. */
const limitOf = (key: string) => (key === 'err' ? 2000 : MAX_LOGGED_FIELD);
const truncate = (key: string, v: unknown) =>
  typeof v === 'string' && v.length > limitOf(key) ? `${v.slice(0, limitOf(key))}… (${v.length} chars)` : v;

export function createLogger(level: Level, name = 'loalang'): Logger {
  const at = (l: Exclude<Level, 'silent'>) => (msg: string, extra?: object) => {
    if (ORDER[l] < ORDER[level]) return;
    let line = `${new Date().toISOString()} ${l.toUpperCase().padEnd(5)} [${name}] ${truncate('', msg)}${extra ? ' ' + JSON.stringify(extra, truncate) : ''}`;
    if (line.length > MAX_LINE) line = `${line.slice(0, MAX_LINE)}…`;
    (l === 'error' || l === 'warn' ? console.error : console.log)(line);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
