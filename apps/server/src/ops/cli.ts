import { parseArgs } from 'node:util';
import { ConfigError } from '../config.js';
import { DataDirLockedError } from '../storage/data-dir-lock.js';
import { DataDirPermissionError } from '../storage/data-dir-permissions.js';
import { RestoreRefusedError } from './restore-backup.js';
import { CorruptArchiveError } from './tar-stream.js';

/** A mistake of the person running the command: told in one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Something the person can fix (a folder in use, a target not empty): one line, exit code 1. */
export class OperationError extends Error {
  override name = 'OperationError';
}

const ONE_LINE = [
  OperationError,
  ConfigError,
  DataDirLockedError,
  DataDirPermissionError,
  RestoreRefusedError,
  CorruptArchiveError,
];

export interface CliArgs {
  /** The options given, each one a string (`--out FILE`). */
  options: Partial<Record<string, string>>;
  positionals: string[];
  help: boolean;
}

/** The command line: string options by name, positionals, and --help (-h). */
export function parseCli(argv: string[], names: readonly string[]): CliArgs {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        ...Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])),
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
    const options: Partial<Record<string, string>> = {};
    for (const [n, v] of Object.entries(values)) if (typeof v === 'string') options[n] = v;
    return { options, positionals, help: values.help === true };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Runs a command: its own mistakes and the user's as one line without a stack; exit 0, 1 or 2. */
export function runCli(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      if (err instanceof UsageError) {
        console.error(`${name}: ${err.message} (see --help)`);
        process.exit(2);
      }
      if (ONE_LINE.some((type) => err instanceof type)) {
        console.error(`${name}: ${(err as Error).message}`);
      } else {
        console.error(`${name} failed:`, err);
      }
      process.exit(1);
    },
  );
}
