// @ts-check
/**
 * Checks that docker-compose.yml says what docs/deployment.md says it does (run by
 * scripts/verify-image.sh): Decentra built from this folder on 8765 with its data on a /data
 * volume, PostgreSQL with a health check, the encryption key required; the `redis` profile (Redis
 * and a second instance, both on it) and the `coturn` profile (coturn with the documented
 * turnserver.conf: deploy/coturn/turnserver.conf plus the command line is the ```ini block of
 * docs/deployment.md, line for line). Prints one line per fact, exits 1 on the first wrong one.
 *
 *   node scripts/check-compose.mjs
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (/** @type {string} */ file) => readFileSync(`${ROOT}/${file}`, 'utf8');

/** @param {boolean} ok @param {string} what */
function check(ok, what) {
  if (!ok) {
    console.error(`[compose] wrong: ${what}`);
    process.exit(1);
  }
  console.log(`[compose] ${what}`);
}

/** @type {any} */
const compose = parse(read('docker-compose.yml'), { merge: true });
const services = compose?.services ?? {};
/** @param {any} service */
const envOf = (service) => service?.environment ?? {};
/** @param {any} service */
const builtHere = (service) => service?.build === '.' || service?.build?.context === '.';
/** @param {any} service */
const dataVolume = (service) =>
  (service?.volumes ?? []).map(String).find((/** @type {string} */ v) => v.split(':')[1] === '/data');
/** @param {any} service @param {string} name */
const healthyDependency = (service, name) => service?.depends_on?.[name]?.condition === 'service_healthy';
/** @param {any} service @param {string} name */
const inProfile = (service, name) => (service?.profiles ?? []).includes(name);

const decentra = services.decentra;
check(builtHere(decentra) && !decentra.profiles, 'decentra: built from . (no profile: always on)');
check((decentra.ports ?? []).map(String).includes('8765:8765'), 'decentra: port 8765');
check(Boolean(dataVolume(decentra)), `decentra: volume ${dataVolume(decentra)}`);
check(
  /^postgres(?:ql)?:\/\/[^@]+@postgres:5432\//.test(envOf(decentra).DATABASE_URL ?? ''),
  'decentra: DATABASE_URL to the postgres service',
);
check(
  /^\$\{DECENTRA_ENCRYPTION_KEY:\?.+\}$/.test(envOf(decentra).DECENTRA_ENCRYPTION_KEY ?? ''),
  'decentra: DECENTRA_ENCRYPTION_KEY required (:? in .env)',
);
check(healthyDependency(decentra, 'postgres'), 'decentra: waits for postgres to be healthy');
check(
  Boolean(services.postgres?.image?.startsWith('postgres:') && services.postgres?.healthcheck?.test),
  'postgres: a postgres image with a health check',
);

// The redis profile: Redis, and a second instance, both instances on it.
check(
  inProfile(services.redis, 'redis') && Boolean(services.redis?.healthcheck?.test),
  'redis: in profile redis, health check',
);
const replicas = Object.entries(services).filter(([name, s]) => name !== 'decentra' && builtHere(s));
const replica = replicas.find(([, s]) => inProfile(s, 'redis'));
check(Boolean(replica), `a second instance in profile redis (${replica?.[0]})`);
const [replicaName, second] = /** @type {[string, any]} */ (replica);
check(envOf(second).REDIS_URL === 'redis://redis:6379', `${replicaName}: REDIS_URL=redis://redis:6379`);
check(healthyDependency(second, 'redis'), `${replicaName}: waits for redis to be healthy`);
check(
  envOf(second).DATABASE_URL === envOf(decentra).DATABASE_URL &&
    envOf(second).DECENTRA_ENCRYPTION_KEY === envOf(decentra).DECENTRA_ENCRYPTION_KEY,
  `${replicaName}: the same database and encryption key`,
);
check(
  Boolean(dataVolume(second)) && dataVolume(second)?.split(':')[0] !== dataVolume(decentra)?.split(':')[0],
  `${replicaName}: a /data volume of its own (${dataVolume(second)})`,
);
check(/^\$\{REDIS_URL(?::-[^}]*)?\}$/.test(envOf(decentra).REDIS_URL ?? ''), 'decentra: REDIS_URL from .env');

// The coturn profile: the documented turnserver.conf.
const coturn = services.coturn;
check(inProfile(coturn, 'coturn') && /coturn/.test(coturn?.image ?? ''), 'coturn: in profile coturn');
const confMount = (coturn?.volumes ?? [])
  .map(String)
  .find((/** @type {string} */ v) => v.split(':')[1] === '/etc/coturn/turnserver.conf');
check(confMount?.split(':')[0] === './deploy/coturn/turnserver.conf', `coturn: mounts ${confMount}`);
/** @type {string[]} */
const command = (coturn?.command ?? []).map(String);
check(command.join(' ').includes('-c /etc/coturn/turnserver.conf'), 'coturn: runs with that file');

/** The directives of a turnserver.conf: its lines less comments and blank ones. @param {string} text */
const directives = (text) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
/** @param {string} line */
const key = (line) => line.split('=')[0];
const documented = directives(/```ini\n([\s\S]*?)```/.exec(read('docs/deployment.md'))?.[1] ?? '');
check(documented.length > 10, `docs/deployment.md: a turnserver.conf of ${documented.length} directives`);
const inFile = directives(read('deploy/coturn/turnserver.conf'));
const onCommandLine = command.filter((a) => a.startsWith('--')).map((a) => a.slice(2));
const given = [...inFile, ...onCommandLine.filter((a) => a !== 'log-file=stdout')];
const missing = documented.filter((line) =>
  inFile.includes(line) ? false : !onCommandLine.some((a) => key(a) === key(line)),
);
const extra = given.filter((line) => !documented.some((d) => d === line || key(d) === key(line)));
check(
  missing.length === 0,
  `coturn: every documented directive${missing.length ? ` (missing: ${missing.join(', ')})` : ''}`,
);
check(
  extra.length === 0,
  `coturn: nothing undocumented${extra.length ? ` (extra: ${extra.join(', ')})` : ''}`,
);
check(
  ['realm', 'static-auth-secret'].every((k) => onCommandLine.some((a) => key(a) === k && a.includes('${'))),
  'coturn: realm and static-auth-secret from .env',
);
check(
  /^\$\{DECENTRA_TURN_SECRET(?::-[^}]*)?\}$/.test(envOf(decentra).DECENTRA_TURN_SECRET ?? '') &&
    onCommandLine.includes(`static-auth-secret=${envOf(decentra).DECENTRA_TURN_SECRET}`),
  'decentra and coturn: the same DECENTRA_TURN_SECRET',
);
