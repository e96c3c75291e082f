// One process per run directory: a lock file (run.lock) naming the process that trains there. A
// second process is refused; the lock of a process that died (SIGKILL, a crash) is taken over: on
// this host when its process is gone, from another host (a shared results directory) when its
// holder stopped refreshing it (LOCK_STALE_MS; the holder touches it every LOCK_HEARTBEAT_MS).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureDir } from './files';

export const LOCK_FILE = 'run.lock';
export const LOCK_HEARTBEAT_MS = 10000;
export const LOCK_STALE_MS = 60000;

interface LockInfo {
  pid: number;
  host: string;
  since: string;
}

/** The run directory is in use by another process. */
export class LockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockError';
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
};

function readLock(file: string): LockInfo | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return null; // gone, or cut short by a crash while written: nobody holds it
  }
}

export interface RunLock {
  release(): void;
}

/**
 * Takes the lock of run directory `dir` (created if need be) for this process, or throws a
 * LockError naming the process that holds it. A lock left by a dead process of this host, or
 * one that cannot be read, is taken over. Released by `release()` or when the process exits.
 */
export function acquireRunLock(dir: string): RunLock {
  ensureDir(dir);
  const file = path.join(dir, LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(mine) + '\n', { flag: 'wx' });
      let held = true;
      const heartbeat = setInterval(() => {
        const now = new Date();
        try {
          fs.utimesSync(file, now, now);
        } catch {
          // removed under us: release() finds it gone
        }
      }, LOCK_HEARTBEAT_MS);
      heartbeat.unref();
      const release = () => {
        if (!held) return;
        held = false;
        clearInterval(heartbeat);
        process.off('exit', release);
        if (readLock(file)?.pid === mine.pid) fs.rmSync(file, { force: true });
      };
      process.on('exit', release);
      return { release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const other = readLock(file);
    const age = (() => {
      try {
        return Date.now() - fs.statSync(file).mtimeMs;
      } catch {
        return Infinity;
      }
    })();
    if (other && other.host !== mine.host && age < LOCK_STALE_MS) {
      throw new LockError(`${dir} is in use by process ${other.pid} on ${other.host} (since ${other.since}); remove ${file} if that process is gone`);
    }
    if (other && other.host === mine.host && alive(other.pid)) throw new LockError(`${dir} is in use by process ${other.pid} (since ${other.since})`);
    fs.rmSync(file, { force: true }); // stale: its process is gone, or its host stopped refreshing it
  }
  throw new LockError(`${dir}: could not take ${LOCK_FILE} (other processes keep taking it)`);
}
