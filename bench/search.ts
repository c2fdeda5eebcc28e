/**
 * `npm run bench:search`: message search over a server of 1,000,000 messages on PostgreSQL (a
 * scratch database made on BENCH_DATABASE_URL, default the local server's `test` database;
 * BENCH_ENGINES=pglite,postgres adds the embedded engine, which takes minutes to seed). The
 * server: 10 text channels, 200 authors, a year of messages of 4-15 words drawn from a ~300-word
 * vocabulary with a skewed (Zipf-like) frequency, a tag word that 20 messages share, a link in 5 %
 * and an image link in 1 %. A mix of queries (a common word, a middle word, a rare word, from:,
 * in:, has:link, has:image, before:, two words) is run through SearchService as the route runs it
 * (access check, parse, the page of 25 in widening windows), and against the baseline: the bare page
 * query through the driver, no access check and no count (the best a bare tool can do). Rounds
 * interleave both, so a busy machine weighs on both alike. Goal: p99 < 50 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { AccessService } from '../apps/server/src/features/access/access.service.js';
import { SearchService } from '../apps/server/src/features/search/search.service.js';
import { ID_EPOCH_MS } from '../apps/server/src/infra/ids.js';
import { executeRows, type Storage } from '../apps/server/src/storage/db.js';
import { migrate } from '../apps/server/src/storage/migrate.js';
import { openBenchStorage } from './lib/bench-storage.js';
import { Histogram } from './lib/histogram.js';

const ENGINES = (process.env.BENCH_ENGINES ?? 'postgres').split(',');
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
const CHANNELS = 10;
const AUTHORS = 200;
const TAGS = MESSAGES / 20;
const ME = 5;
const SERVER = 1_000_000n;
/** A year of messages up to now, as on a server in use. */
const START_MS = Date.now() - 365 * 86_400_000;
const STEP_MS = Math.floor((365 * 86_400_000) / MESSAGES);

const WORDS = `the a to and of i you it is in that for on this we be with have are not but so just
do was at what can if my me it's like get all they there no one know will up about out how your
think go now time good when yes see from more would some then make back well really want here
need thanks right also too still today work lol new day people much way going thing any let been
ok got something very want look maybe sure first last game play server channel message tomorrow
week year night morning later soon again great nice cool fine help fix bug build test code merge
deploy release update change issue idea plan meeting call voice video music song movie book read
write send show tell ask talk chat friend team group home office lunch dinner coffee tea weather
rain sun snow cold hot travel train bus car bike walk run party birthday holiday weekend monday
friday coffee pizza burger salad soup bread cheese apple banana orange dog cat bird fish garden
window door table chair phone laptop screen keyboard mouse cable battery charger network router
printer camera photo picture image link file folder document report budget price cost money bank
shop store market ticket concert festival museum library school class lesson homework exam paper
project deadline review feedback design sketch draft version branch commit patch module package
database query index schema table column search result filter sort page cursor history archive
backup restore server client browser cookie session token password account profile avatar emoji
reaction reply thread pin mention notification badge unread volume mute deafen stream share
invite kick ban role permission owner admin moderator member guest stranger neighbour family`
  .split(/\s+/)
  .filter(Boolean);

const ids = (g: string) => `((${START_MS - ID_EPOCH_MS}::bigint + ${g}::bigint * ${STEP_MS}) << 22)`;

async function seed(storage: Storage): Promise<void> {
  const { db } = storage;
  const run = (q: string) => db.execute(sql.raw(q));
  await run(`insert into users (id, username, password_hash) values (${ME}, 'me', 'x')`);
  await run(
    `insert into users (id, username, password_hash) select g, 'user' || g, 'x' from generate_series(10, ${9 + AUTHORS}) g`,
  );
  await run(`insert into servers (id, name, owner_id) values (${SERVER}, 'big', ${ME})`);
  await run(
    `insert into server_members (server_id, user_id) select ${SERVER}, g from generate_series(10, ${9 + AUTHORS}) g
     union all select ${SERVER}, ${ME}`,
  );
  await run(
    `insert into channels (id, server_id, type, name) select 2000000 + c, ${SERVER}, 'text', 'ch' || c
     from generate_series(0, ${CHANNELS - 1}) c`,
  );
  await run('drop index messages_search_idx');
  const vocabulary = `array[${WORDS.map((w) => `'${w.replace(/'/g, "''")}'`).join(',')}]`;
  const n = WORDS.length;
  // Word j of message g: a skewed pick (power of a uniform) so a few words are very common.
  const text = `(select string_agg((${vocabulary})[1 + floor(power(random(), 2.5) * ${n})::int], ' ')
                 from generate_series(1, 4 + (g % 12)) j where g > 0)`;
  const batch = 100_000;
  for (let from = 1; from <= MESSAGES; from += batch) {
    const to = Math.min(MESSAGES, from + batch - 1);
    await run(
      `insert into messages (id, channel_id, author_id, content, created_at)
       select ${ids('g')}, 2000000 + (g::bigint * 7919) % ${CHANNELS}, 10 + (g * 31) % ${AUTHORS},
         ${text} || ' tag' || (g % ${TAGS})
           || case when g % 20 = 0 then ' https://example.com/page/' || g
                   when g % 100 = 1 then ' https://img.example.com/p' || g || '.png' else '' end,
         to_timestamp((${START_MS}::bigint + g::bigint * ${STEP_MS}) / 1000.0)
       from generate_series(${from}, ${to}) g`,
    );
    process.stdout.write(`  seeded ${to.toLocaleString('en')}\r`);
  }
  process.stdout.write('\n');
  await run(`insert into channel_heads (channel_id, last_message_id, author_id)
    select distinct on (channel_id) channel_id, id, author_id from messages order by channel_id, id desc`);
  await run('create index messages_search_idx on messages using gin (search_vector)');
  await run('vacuum analyze messages');
}

interface Case {
  name: string;
  /** The query for round r (a rare word changes per round: no cache of one answer). */
  q: (r: number) => string;
  /** The bare page query's conditions (m = messages, c = channels), for the baseline. */
  bare: (r: number) => string;
}

const lastDay = new Date(START_MS + MESSAGES * STEP_MS - 60 * 86_400_000).toISOString().slice(0, 10);
const dayStart = `${lastDay}T00:00:00Z`;
const idOf = (iso: string) => (BigInt(Date.parse(iso) - ID_EPOCH_MS) << 22n).toString();
const mod = (r: number, n: number) => ((r % n) + n) % n;
const ts = (words: string) => `m.search_vector @@ websearch_to_tsquery('simple', '${words}')`;

const CASES: Case[] = [
  { name: 'common word (the)', q: () => 'the', bare: () => ts('the') },
  { name: 'middle word (weather)', q: () => 'weather', bare: () => ts('weather') },
  {
    name: 'rare word (20 hits)',
    q: (r) => `tag${mod(r * 977, TAGS)}`,
    bare: (r) => ts(`tag${mod(r * 977, TAGS)}`),
  },
  { name: 'two words', q: () => 'coffee tomorrow', bare: () => ts('coffee tomorrow') },
  {
    name: 'from: + word',
    q: (r) => `from:user${10 + mod(r, AUTHORS)} server`,
    bare: (r) => `m.author_id = ${10 + mod(r, AUTHORS)} and ${ts('server')}`,
  },
  {
    name: 'in: + word',
    q: (r) => `in:ch${mod(r, CHANNELS)} game`,
    bare: (r) => `m.channel_id = ${2000000 + mod(r, CHANNELS)} and ${ts('game')}`,
  },
  { name: 'has:link', q: () => 'has:link', bare: () => 'm.has_link' },
  { name: 'has:image + word', q: () => 'has:image the', bare: () => `m.has_image and ${ts('the')}` },
  {
    name: 'before: + word',
    q: () => `before:${lastDay} music`,
    bare: () => `m.id < ${idOf(dayStart)} and ${ts('music')}`,
  },
];

const bareQuery = (conditions: string) =>
  `select m.id, m.channel_id, m.author_id, m.content, m.created_at, u.username, c.name
   from messages m join channels c on c.id = m.channel_id join users u on u.id = m.author_id
   where c.server_id = ${SERVER} and ${conditions} order by m.id desc limit 26`;

async function bench(engine: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'decentra-bench-search-'));
  const { storage, drop } = await openBenchStorage(engine, dir, { prefix: 'bench_search', poolSize: 4 });
  try {
    await migrate(storage.db);
    const seedStart = performance.now();
    await seed(storage);
    const seeded = ((performance.now() - seedStart) / 1000).toFixed(0);
    const service = new SearchService(storage.db, new AccessService());
    const ours = new Map(CASES.map((c) => [c.name, new Histogram()]));
    const bare = new Map(CASES.map((c) => [c.name, new Histogram()]));
    const totals = new Map<string, string>();
    const time = async (h: Histogram | undefined, f: () => Promise<unknown>) => {
      const t = performance.now();
      await f();
      h?.record(performance.now() - t);
    };
    for (let r = -3; r < ROUNDS; r++) {
      for (const c of CASES) {
        // The first rounds warm the caches and are not counted.
        const keep = r >= 0;
        await time(keep ? bare.get(c.name) : undefined, () =>
          storage.db.execute(sql.raw(bareQuery(c.bare(r)))),
        );
        await time(keep ? ours.get(c.name) : undefined, async () => {
          const page = await service.inServer(BigInt(ME), SERVER, { q: c.q(r), limit: 25 });
          totals.set(c.name, `${page.results.length}${page.next === null ? '' : '+'}`);
        });
      }
    }
    const all = new Histogram();
    const allBare = new Histogram();
    for (const h of ours.values()) all.add(h.sparse());
    for (const h of bare.values()) allBare.add(h.sparse());
    const [version] = await executeRows<{ v: string }>(storage.db, sql`select version() as v`);
    const lines = [
      `${engine}: ${MESSAGES.toLocaleString('en')} messages in one server, seeded in ${seeded} s; ${ROUNDS} rounds; ${version?.v.split(' on ')[0] ?? ''}`,
      'query                      found   ours p50/p99 ms   bare p50/p99 ms   ratio p50/p99',
    ];
    for (const c of CASES) {
      const o = ours.get(c.name) as Histogram;
      const b = bare.get(c.name) as Histogram;
      lines.push(
        `${c.name.padEnd(26)} ${String(totals.get(c.name)).padStart(5)}   ${fmt(o.quantile(0.5))} / ${fmt(o.quantile(0.99))}      ${fmt(b.quantile(0.5))} / ${fmt(b.quantile(0.99))}      ${(o.quantile(0.5) / b.quantile(0.5)).toFixed(1)} / ${(o.quantile(0.99) / b.quantile(0.99)).toFixed(1)}`,
      );
    }
    lines.push(
      `all queries                        ${fmt(all.quantile(0.5))} / ${fmt(all.quantile(0.99))}      ${fmt(allBare.quantile(0.5))} / ${fmt(allBare.quantile(0.99))}      ${(all.quantile(0.5) / allBare.quantile(0.5)).toFixed(1)} / ${(all.quantile(0.99) / allBare.quantile(0.99)).toFixed(1)}`,
    );
    return lines;
  } finally {
    await storage.close();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (ms: number) => ms.toFixed(1).padStart(5);

const out: string[] = [
  `machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
];
for (const engine of ENGINES) out.push(...(await bench(engine)));
console.log(out.join('\n'));
