/**
 * `relay.pid` in the data folder while `pmsg relay serve` runs on it, so that `pmsg relay restore`
 * can refuse to swap the database under a serving relay. A marker left by a crash names a process
 * that no longer exists and is ignored.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const servingMarkerFile = 'relay.pid';

/** Writes the marker; returns the function that removes it at a clean stop. */
export function markServing(dataDir: string): () => void {
  const file = path.join(dataDir, servingMarkerFile);
  writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
  return () => {
    // Only our own marker: a second relay started on the folder by mistake may have replaced it.
    if (servingPid(dataDir) === process.pid) rmSync(file, { force: true });
  };
}

/** The pid of a live relay serving this folder, or null. */
export function servingPid(dataDir: string): number | null {
  let text: string;
  try {
    text = readFileSync(path.join(dataDir, servingMarkerFile), 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: the process exists but belongs to another user (the service account).
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}
