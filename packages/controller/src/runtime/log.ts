// Structured logs: one JSON object per line (default) or a readable text line, on
// stderr so that stdout stays free for a command's results.
export type LogLevel = "debug" | "info" | "warn" | "error";
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. the switch name). */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: "json" | "text";
  /** Where lines go; stderr by default. */
  write?: (line: string) => void;
  now?: () => Date;
}

/** JSON can't carry bigints or errors as they are. */
function plain(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return value.message;
  return value;
}

export function createLogger(options: LoggerOptions = {}, base: LogFields = {}): Logger {
  const min = RANK[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stderr.write(line + "\n"));
  const now = options.now ?? (() => new Date());
  const format = options.format ?? "json";
  const log = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    if (RANK[level] < min) return;
    const all = { ...base, ...fields };
    if (format === "json") {
      write(JSON.stringify({ time: now().toISOString(), level, msg, ...all }, (_k, v) => plain(v)));
    } else {
      const extra = Object.entries(all)
        .map(
          ([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v, (_k, x) => plain(x))}`,
        )
        .join(" ");
      write(
        `${now().toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}${extra ? " " + extra : ""}`,
      );
    }
  };
  return {
    debug: (m, f) => log("debug", m, f),
    info: (m, f) => log("info", m, f),
    warn: (m, f) => log("warn", m, f),
    error: (m, f) => log("error", m, f),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = createLogger({ write: () => undefined, level: "error" });
