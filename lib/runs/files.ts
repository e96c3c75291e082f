// Atomic file writes: data goes to a temporary file that is renamed over the target, so an
// interrupted write never leaves a half-written file where a good one was.
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

/**
 * Replaces `file` by `data` in one rename: written to a temporary file, flushed, renamed over the
 * target, then the directory flushed, so that after a crash `file` is either the old or the new
 * content, whole.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
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
