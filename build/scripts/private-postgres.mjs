// A private PostgreSQL cluster for one test or bench run: initdb in a temporary folder (pmsg-pg-*),
// a free port on 127.0.0.1, trust authentication, removed when stopped. As root (CI, these
// machines) the cluster runs as the `postgres` user, because initdb refuses root.
//
// As a command: `node build/scripts/private-postgres.mjs <command...>` runs the command with
// PMSG_TEST_POSTGRES_URL set, then stops the cluster (also on SIGINT and SIGTERM).
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

/** The folder of initdb and pg_ctl (Debian's postgresql package), or null when not installed. */
export function postgresBinDir() {
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(path.join(debian, v, 'bin/initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(debian, versions[0], 'bin');
  }
  const found = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  return found.status === 0 ? path.dirname(found.stdout.trim()) : null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a cluster; resolves to { url, stop } where url names database `pmsg`. */
export async function startPrivatePostgres() {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install -y postgresql).');
  const dir = mkdtempSync(path.join(tmpdir(), 'pmsg-pg-'));
  const asRoot = process.getuid?.() === 0;
  let user = userInfo().username;
  if (asRoot) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) throw new Error('Running as root needs the postgres user to run initdb.');
    chownSync(dir, Number(id.stdout), Number(gid.stdout));
    user = 'postgres';
  }
  const run = (tool, args) => {
    const command = asRoot ? 'runuser' : path.join(bin, tool);
    const full = asRoot ? ['-u', 'postgres', '--', path.join(bin, tool), ...args] : args;
    const result = spawnSync(command, full, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0) {
      throw new Error(`${tool} failed: ${result.stderr || result.stdout}`.trim());
    }
  };
  const data = path.join(dir, 'data');
  let started = false;
  const stop = () => {
    if (started) {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // Already gone; the folder is removed all the same.
      }
      started = false;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run('initdb', ['-D', data, '-A', 'trust', '-U', user, '--no-sync', '-E', 'UTF8']);
    for (let attempt = 0; ; attempt += 1) {
      const port = await freePort();
      // Tests start many relays, each with a pool and a LISTEN connection.
      const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=400`;
      try {
        run('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']);
        started = true;
        run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', user, 'pmsg']);
        return { url: `postgres://${user}@127.0.0.1:${port}/pmsg`, stop };
      } catch (error) {
        if (started || attempt >= 3) throw error;
      }
    }
  } catch (error) {
    stop();
    throw error;
  }
}

/** Runs `command` with PMSG_TEST_POSTGRES_URL set; the cluster is removed however it ends. */
export async function runWithPostgres(command) {
  const pg = await startPrivatePostgres();
  const child = spawn(command[0], command.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, PMSG_TEST_POSTGRES_URL: pg.url },
  });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const status = await new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  pg.stop();
  return status;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const command = process.argv.slice(2);
  if (command.length === 0) {
    console.error('Usage: node build/scripts/private-postgres.mjs <command...>');
    process.exit(2);
  }
  process.exit(await runWithPostgres(command));
}
