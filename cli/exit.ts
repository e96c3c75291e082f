// The commands' exit contract, in one place: 0 done, 1 a damaged file or a failed run (diverged),
// 2 bad input (a flag, a path, a backend, a run directory in use), 130 interrupted (Ctrl-C).
// Errors are classified by their name, so that reporting one loads no library module (a bad flag
// is answered before tfjs is loaded); a command's error is one line on stderr, "error: ...", and
// the same line as a JSON event for a parent process (cli/events.ts).
import { emitEvent } from './events';

export const EXIT = Object.freeze({ done: 0, failed: 1, badInput: 2, interrupted: 130 });

/** Errors that mean the input was wrong: another attempt with the same input fails the same way. */
const BAD_INPUT = new Set(['FlagError', 'BackendError', 'LockError', 'PathError', 'ConfigError']);
/** Errors that mean a file is damaged or the run failed (DivergenceError: the loss went to NaN or infinity). */
const FAILED = new Set(['DataError', 'CheckpointError', 'DamagedRunError', 'SafetensorsError', 'DivergenceError']);

/** The exit code for an error a command reports as one line, or null for a defect (a stack trace is due). */
export function exitCodeFor(e: unknown): number | null {
  const name = e instanceof Error ? e.name : '';
  return BAD_INPUT.has(name) ? EXIT.badInput : FAILED.has(name) ? EXIT.failed : null;
}

/**
 * How a child run's process ended, by its exit code: `done`; `interrupted` (130); `failed` for a
 * reason that will not change (1 or 2); `crashed` otherwise (a signal, a code that is not ours):
 * worth another attempt.
 */
export function exitKind(code: number | null): 'done' | 'interrupted' | 'failed' | 'crashed' {
  if (code === EXIT.done) return 'done';
  if (code === EXIT.interrupted) return 'interrupted';
  return code === EXIT.failed || code === EXIT.badInput ? 'failed' : 'crashed';
}

/** Reports `e` as one line (and a JSON error event) and returns its exit code; rethrows a defect. */
export function reportError(e: unknown): number {
  const code = exitCodeFor(e);
  if (code === null) throw e;
  const message = (e as Error).message;
  console.error(`error: ${message}`);
  emitEvent({ event: 'error', message, code });
  return code;
}

/** Runs a command's main and exits with its code; an error of the contract is one line and its code. */
export function runCommand(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (e) => process.exit(reportError(e)),
  );
}
