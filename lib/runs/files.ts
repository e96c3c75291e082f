// Files and directories a run writes: atomic file writes (data goes to a temporary file that is
// renamed over the target, so an interrupted write never leaves a half-written file where a good
// one was), and directories created one level at a time, with one line saying why a path cannot
// be one (a broken symbolic link, a file in the way, a file system that holds no new directories).
import * as fs from 'fs';
import * as path from 'path';

/** Writes `data` to `file` and flushes it to disk. */
export function writeFileSynced(file: string, data: string | Uint8Array): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** A path that cannot be (or become) a directory; `message` is one line naming it and why. */
export class PathError extends Error {
  constructor(message: string, readonly path: string) {
    super(message);
    this.name = 'PathError';
  }
}

/** Why the file system refused to create a directory, in words. */
const MKDIR_REFUSALS: Record<string, string> = {
  ENOENT: 'its file system holds no new directories (procfs?)', // procfs answers ENOENT in a directory that exists
  EPERM: 'its file system does not allow new directories (sysfs?)',
  EACCES: 'permission denied',
  EROFS: 'its file system is read-only',
  ENOSPC: 'its file system is full',
  EDQUOT: 'the disk quota is used up',
  ENAMETOOLONG: 'the name is too long',
};

/**
 * Makes `dir` a directory, creating the missing levels one at a time (Node's recursive mkdirSync
 * can loop forever where a directory exists but cannot hold children, as in /proc), or throws a
 * PathError of one line: a level that is a file, a symbolic link to nothing, or a file system that
 * refuses (procfs, sysfs, read-only, full, no permission). Returns the directory's absolute path.
 */
export function ensureDir(dir: string): string {
  const target = path.resolve(dir);
  const levels: string[] = [];
  for (let p = target; ; p = path.dirname(p)) {
    levels.unshift(p);
    if (p === path.dirname(p)) break;
  }
  for (const level of levels) {
    const where = level === target ? dir : `${dir} (at ${level})`;
    let stat: fs.Stats | undefined;
    try {
      stat = fs.lstatSync(level);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new PathError(`${where}: cannot be read (${(e as NodeJS.ErrnoException).code})`, dir);
    }
    if (stat?.isSymbolicLink()) {
      const to = fs.readlinkSync(level);
      try {
        stat = fs.statSync(level);
      } catch {
        throw new PathError(`${where}: a symbolic link to ${to}, which does not exist (an unmounted disk?)`, dir);
      }
    }
    if (stat && !stat.isDirectory()) throw new PathError(`${where}: a file, not a directory`, dir);
    if (stat) continue;
    try {
      fs.mkdirSync(level);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      if (code === 'EEXIST' && fs.statSync(level).isDirectory()) continue; // made by another process meanwhile
      throw new PathError(`${where}: cannot be created in ${path.dirname(level)}: ${MKDIR_REFUSALS[code] ?? code}`, dir);
    }
  }
  return target;
}

/**
 * Replaces `file` by `data` in one rename: written to a temporary file, flushed, renamed over the
 * target, then the directory flushed, so that after a crash `file` is either the old or the new
 * content, whole.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  ensureDir(path.dirname(file));
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSynced(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  const dir = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}
