// One process per run directory: the lock names its holder, refuses a second process, and is
// taken over when its process died.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { acquireRunLock, LockError, LOCK_FILE, LOCK_HEARTBEAT_MS, LOCK_STALE_MS } from '../lib/runs/lock';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'lock-'));
const lockOf = (pid: number, host = os.hostname()) => JSON.stringify({ pid, host, since: '2026-12-01T00:00:00.000Z' });

describe('run lock', () => {
  test('taken, named in the file, released', () => {
    const dir = path.join(tmp(), 'run');
    const lock = acquireRunLock(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, host: os.hostname() });
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    acquireRunLock(dir).release(); // free again
  });

  test('a live process holding it refuses a second one, naming its PID', async () => {
    const dir = tmp();
    const holder = spawn('sleep', ['30']);
    try {
      fs.writeFileSync(path.join(dir, LOCK_FILE), lockOf(holder.pid!));
      expect(() => acquireRunLock(dir)).toThrow(LockError);
      expect(() => acquireRunLock(dir)).toThrow(`${dir} is in use by process ${holder.pid} (since 2026-12-01T00:00:00.000Z)`);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('exit', r));
    }
    // Its process died without releasing it (SIGKILL): the lock is taken over.
    const lock = acquireRunLock(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  test('a lock cut short by a crash is taken over; one from another host is refused with what to do', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, LOCK_FILE), '{"pid": 12');
    acquireRunLock(dir).release();
    fs.writeFileSync(path.join(dir, LOCK_FILE), lockOf(1, 'elsewhere'));
    expect(() => acquireRunLock(dir)).toThrow(`is in use by process 1 on elsewhere (since 2026-12-01T00:00:00.000Z); remove ${path.join(dir, LOCK_FILE)} if that process is gone`);
  });

  test('a lock from another host that its holder stopped refreshing is taken over; the holder refreshes its own', () => {
    const dir = tmp();
    const file = path.join(dir, LOCK_FILE);
    fs.writeFileSync(file, lockOf(1, 'elsewhere'));
    const old = new Date(Date.now() - LOCK_STALE_MS - 1000);
    fs.utimesSync(file, old, old);
    jest.useFakeTimers();
    const lock = acquireRunLock(dir); // the machine holding it was lost
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).host).toBe(os.hostname());
    fs.utimesSync(file, old, old);
    jest.advanceTimersByTime(LOCK_HEARTBEAT_MS + 1);
    expect(Date.now() - fs.statSync(file).mtimeMs).toBeLessThan(LOCK_STALE_MS);
    lock.release();
    jest.useRealTimers();
  });

  test('a process that exits without releasing removes its lock on the way out', () => {
    const dir = tmp();
    const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e',
      `require(${JSON.stringify(path.join(__dirname, '..', 'lib', 'runs', 'lock.ts'))}).acquireRunLock(${JSON.stringify(dir)}); process.exit(0);`], { encoding: 'utf8', cwd: path.join(__dirname, '..') });
    expect(r.status).toBe(0);
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });
});
