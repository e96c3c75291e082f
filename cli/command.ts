// One commander set-up for every command (cli/commands/): nothing printed or exited by commander
// itself; a wrong argument is a FlagError (exit 2, one line, with the command's usage); --help is
// returned as text for the command to print.
import { Command, CommanderError } from 'commander';
import { EXIT } from './exit';

/** A wrong argument or flag: the message names it, the value and what is allowed (exit 2). */
export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

/** A commander Command that throws instead of printing and exiting. */
export function newCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
}

/**
 * Parses `argv` (the user's arguments) with `cmd`: { help } when asked for it, else null (read
 * `cmd.opts()` and `cmd.args`); a commander error becomes a FlagError followed by `usage`.
 */
export function parseCommand(cmd: Command, argv: string[], usage = 'see --help'): { help: string } | null {
  try {
    cmd.parse(argv, { from: 'user' });
    return null;
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help') return { help: cmd.helpInformation() };
    throw new FlagError(`${e.message.replace(/^error: /, '').replace(/\.$/, '').replace(/\s*\n\s*/g, ' ')} (${usage})`);
  }
}

/** Prints a command's --help text; the command is done. */
export function printHelp(h: { help: string }): number {
  process.stdout.write(h.help);
  return EXIT.done;
}
