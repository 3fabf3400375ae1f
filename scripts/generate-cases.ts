// Generates N realistic cases straight into PostgreSQL, for benchmarks and for trying the supervisor's
// lists at national scale: `npm run db:generate-cases -- --cases 1000000 [--database-url URL]`.
//
// Set-based, so a million cases take seconds, not hours: one INSERT … SELECT FROM generate_series
// fills a temporary table with every row's facts, three more INSERT … SELECTs write cases, identity
// documents and agency tasks from it. Every per-row choice is a pure function of the row's key
// (hashint8extended), so a run is reproducible. Identity hashes are the real keyed HMACs of the
// configured key (HMAC-SHA-256 spelled out with sha256() and the key's inner/outer pads), so a
// generated passport number can be searched through the API like any other.
//
// The facts are written in reference order, which is the order the cases were opened, and the cases
// are inserted in that order: the table's physical order follows created_at, as a real one's does.
// Times have millisecond precision, as JavaScript Dates (and the API's keyset cursors) do.
//
// On a mostly empty database the secondary indexes of the three tables are dropped and rebuilt after
// the load (in the same transaction, from their own definitions): building an index once is many
// times faster than maintaining it row by row. Then VACUUM ANALYZE, as autovacuum would eventually.
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export interface GenerateOptions {
  databaseUrl: string;
  cases: number;
  /** The key of db/identity.ts createIdentityHasher: HOMEWARD_IDENTITY_HASH_KEY or its dev default. */
  identityHashKey: string;
  /** How many offices the cases spread across (skewed: office-01 is the busiest). */
  offices?: number;
  /** The "now" the data is generated around; cases go back five years from it. */
  now?: Date;
  log?: (message: string) => void;
}

export interface GenerateResult {
  cases: number;
  identityDocuments: number;
  tasks: number;
  ms: number;
  /** Milliseconds of each phase: rows, index rebuild, VACUUM ANALYZE. */
  phases: Record<string, number>;
}

/** Consulates the generated cases are spread over (created if missing), with their country. */
export const GENERATED_CONSULATES: ReadonlyArray<{ id: string; country: string; city: string }> = [
  { id: 'consulate-mm-yangon', country: 'MM', city: 'Yangon' },
  { id: 'consulate-kh-phnom-penh', country: 'KH', city: 'Phnom Penh' },
  { id: 'consulate-th-bangkok', country: 'TH', city: 'Bangkok' },
  { id: 'consulate-la-vientiane', country: 'LA', city: 'Vientiane' },
  { id: 'consulate-mm-mandalay', country: 'MM', city: 'Mandalay' },
  { id: 'consulate-th-chiang-mai', country: 'TH', city: 'Chiang Mai' },
  { id: 'consulate-kh-sihanoukville', country: 'KH', city: 'Sihanoukville' },
  { id: 'consulate-my-kuala-lumpur', country: 'MY', city: 'Kuala Lumpur' },
  { id: 'consulate-ph-manila', country: 'PH', city: 'Manila' },
  { id: 'consulate-ae-dubai', country: 'AE', city: 'Dubai' },
  { id: 'consulate-vn-hanoi', country: 'VN', city: 'Hanoi' },
  { id: 'consulate-id-jakarta', country: 'ID', city: 'Jakarta' },
];

export const generatedOffice = (i: number) => `office-${String(i).padStart(2, '0')}`;

const FIRST_NAMES = ['Maria', 'Jose', 'Ana', 'Juan', 'Rosa', 'Mark', 'Grace', 'John', 'Joy', 'Paolo', 'Liza', 'Ramon', 'Cristina', 'Noel', 'Angelica', 'Miguel', 'Jasmine', 'Carlo', 'Divina', 'Arnel', 'Mei', 'Wei', 'Lan', 'Hoa', 'Dewi', 'Budi', 'Siti', 'Tuan', 'Linh', 'Ming'];
const LAST_NAMES = ['Santos', 'Reyes', 'Cruz', 'Bautista', 'Ocampo', 'Garcia', 'Mendoza', 'Torres', 'Flores', 'Villanueva', 'Ramos', 'Aquino', 'Castillo', 'Dela Cruz', 'Navarro', 'Lim', 'Tan', 'Chen', 'Wang', 'Nguyen', 'Tran', 'Pham', 'Wijaya', 'Saputra', 'Lee', 'Domingo', 'Pascual', 'Soriano', 'Valdez', 'Gonzales'];

/** HMAC-SHA-256's key pads: sha256(opad || sha256(ipad || message)) is the HMAC of the message. */
function hmacPads(key: string): { ipad: Buffer; opad: Buffer } {
  let k = Buffer.from(key, 'utf8');
  if (k.length > 64) k = createHash('sha256').update(k).digest();
  const block = Buffer.alloc(64);
  k.copy(block);
  return { ipad: Buffer.from(block.map((b) => b ^ 0x36)), opad: Buffer.from(block.map((b) => b ^ 0x5c)) };
}

const sqlText = (values: readonly string[]) => `array[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',')}]`;

// The i-th uniform draw in [0, 1) of row k: a hash of the row's key, so runs are reproducible.
const r = (i: number) => `((hashint8extended(k, ${i}) & 2147483647)::float8 / 2147483648.0)`;
// A generated identity document number is already in normalised form (db/identity.ts).
const hmacSql = (message: string) =>
  `rtrim(translate(encode(sha256($2::bytea || sha256($1::bytea || convert_to(${message}, 'UTF8'))), 'base64'), '+/', '-_'), '=')`;

function genRowsSql(offices: number): string {
  const consulateIds = sqlText(GENERATED_CONSULATES.map((c) => c.id));
  const consulateCountries = sqlText(GENERATED_CONSULATES.map((c) => c.country));
  return `
insert into pg_temp.gen
with base as (
  select k, ${Array.from({ length: 26 }, (_, i) => `${r(i + 1)} as r${i + 1}`).join(', ')}
  from (select $3::bigint + g as k from generate_series(1, $2::int) g) s
), aged as (
  select b.*, 1825 * power(r1, 1.5) as age_days from base b
), st as (
  select a.*,
    date_trunc('milliseconds', $1::timestamptz - make_interval(secs => age_days * 86400)) as created_at,
    -- References count up in the order cases were opened, as the sequence does in real life.
    $4::bigint - 1 + row_number() over (order by age_days desc, k) as n,
    r2 < case when age_days > 365 then 0.92 when age_days > 90 then 0.55 else 0.10 end as closed
  from aged a
), s2 as (
  select s.*,
    case when closed then 'closed'
         when r3 < 0.22 then 'locating' when r3 < 0.32 then 'extraction' when r3 < 0.46 then 'consular_contact'
         when r3 < 0.55 then 'return' when r3 < 0.60 then 'exit_restriction_check' else 'employment_assistance' end as stage,
    case when r6 < 0.08 then 'critical' when r6 < 0.33 then 'high' when r6 < 0.93 then 'normal' else 'low' end as priority,
    1 + floor(${offices} * power(r9, 1.25))::int as office_no,
    1 + floor(${GENERATED_CONSULATES.length} * power(r10, 1.6))::int as consulate_no
  from st s
), s3 as (
  select s.*,
    case stage when 'locating' then 0 when 'extraction' then 1 when 'consular_contact' then 2 when 'return' then 3
               when 'exit_restriction_check' then 4 when 'employment_assistance' then 5 else 6 end as stage_no,
    (not closed and r7 < 0.03) as on_hold
  from s2 s
), s4 as (
  select s.*,
    date_trunc('milliseconds',
      case when closed then created_at + ($1::timestamptz - created_at) * (0.3 + 0.7 * r4)
           when stage = 'locating' then created_at + ($1::timestamptz - created_at) * (case when r4 < 0.8 then 0 else r4 end)
           else created_at + ($1::timestamptz - created_at) * least(0.98, stage_no * 0.12 + r4 * 0.35) end) as stage_entered_at
  from s3 s
)
select
  n,
  gen_random_uuid(),
  'HW-' || to_char(created_at at time zone 'UTC', 'YYYY') || '-' || case when n > 999999 then n::text else lpad(n::text, 6, '0') end,
  'office-' || lpad(office_no::text, 2, '0'),
  case when closed then 'closed' else 'open' end,
  stage,
  on_hold,
  case when on_hold then (array['awaiting family contact', 'person in hospital', 'court hearing pending'])[1 + floor(r8 * 3)::int] end,
  priority,
  case priority when 'critical' then 0 when 'high' then 1 when 'normal' then 2 else 3 end,
  2 + stage_no * 4 + floor(r11 * 12)::int,
  case when r12 < 0.9 then 'cw-' || lpad(office_no::text, 2, '0') || '-' || floor(r13 * 25)::int end,
  (${consulateIds})[consulate_no],
  (${consulateCountries})[consulate_no],
  case when r14 < 0.97 then 'PH' when r14 < 0.985 then 'VN' else 'ID' end,
  case when stage <> 'locating' or r15 < 0.4 then (${consulateCountries})[consulate_no] end,
  stage not in ('locating'),
  case when r16 < 0.85 then 'victim' when r16 < 0.95 then 'undetermined' when r16 < 0.98 then 'both' else 'suspect' end,
  (array['family_report', 'hotline', 'foreign_police', 'embassy', 'ngo', 'self_report', 'rescue_operation'])[1 + floor(power(r17, 1.4) * 7)::int],
  case when closed then
    case when r18 < 0.55 then 'reintegrated' when r18 < 0.67 then 'declined_assistance' when r18 < 0.79 then 'lost_contact'
         when r18 < 0.87 then 'transferred' when r18 < 0.93 then 'duplicate' when r18 < 0.97 then 'not_a_national' else 'deceased' end end,
  case when not closed and not on_hold then date_trunc('milliseconds', $1::timestamptz + make_interval(secs => (r19 - 0.12) * 30 * 86400)) end,
  case when closed then null else
    case stage when 'locating' then 'stage:locating_review' when 'extraction' then 'stage:extraction_escalation'
               when 'consular_contact' then 'task:issue_travel_document' when 'return' then 'stage:departure_due'
               when 'exit_restriction_check' then 'task:exit_restriction_review' else 'follow_up_due' end end,
  case when on_hold then date_trunc('milliseconds', $1::timestamptz + make_interval(secs => r19 * 20 * 86400)) end,
  created_at,
  date_trunc('milliseconds', greatest(stage_entered_at, $1::timestamptz - ($1::timestamptz - stage_entered_at) * r20)),
  stage_entered_at,
  (${sqlText(FIRST_NAMES)})[1 + floor(r21 * ${FIRST_NAMES.length})::int] || ' ' || (${sqlText(LAST_NAMES)})[1 + floor(r22 * ${LAST_NAMES.length})::int],
  date '1975-01-01' + floor(r23 * 10000)::int,
  case when r24 < 0.55 then 'female' when r24 < 0.98 then 'male' else 'unknown' end,
  'P' || lpad(((n * 48271) % 999999937)::text, 9, '0'),
  case when r25 < 0.12 then 'N' || lpad(((n * 69621) % 999999929)::text, 10, '0') end,
  case when priority = 'critical' then (array['minor', 'injured', 'pregnant'])[1 + floor(r26 * 3)::int]
       when priority = 'high' then (array['detained', 'abused', 'medical', 'disability'])[1 + floor(r26 * 4)::int] end,
  r26
from s4
order by age_days desc, k`;
}

const GEN_TABLE = `
create temp table gen (
  n bigint, id uuid, reference text, office text, status text, stage text, on_hold boolean, hold_reason text,
  priority text, priority_rank smallint, version int, assignee text, consulate_id text, consulate_country text,
  nationality text, country text, confirmed boolean, screening text, source_type text, closure_reason text,
  next_deadline_at timestamptz, next_deadline_kind text, paused_until timestamptz,
  created_at timestamptz, updated_at timestamptz, stage_entered_at timestamptz,
  full_name text, date_of_birth date, sex text, passport text, national_id text, risk_flag text, r float8
) on commit drop`;

const iso = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

// The case view of domain/case.ts caseView, compact: what a case at that stage plausibly holds.
const INSERT_CASES = `
insert into cases (id, reference, status, stage, on_hold, priority, priority_rank, version, office, assignee, consulate_id,
  nationality, country, screening, source_type, operation_id, closure_reason, next_deadline_at, next_deadline_kind,
  snapshot, created_at, updated_at, stage_entered_at)
select id, reference, status, stage, on_hold, priority, priority_rank, version, office, assignee, consulate_id,
  nationality, country, screening, source_type, null, closure_reason, next_deadline_at, next_deadline_kind,
  jsonb_build_object(
    'id', id, 'reference', reference, 'status', status, 'stage', stage, 'onHold', on_hold, 'holdReason', hold_reason,
    'priority', priority, 'version', version, 'office', office, 'assignee', assignee, 'consulateId', consulate_id,
    'operationId', null,
    'source', jsonb_build_object('type', source_type),
    'person', jsonb_build_object('fullName', full_name, 'dateOfBirth', date_of_birth::text, 'sex', sex, 'nationality', nationality,
      'documents', case when national_id is null
        then jsonb_build_array(jsonb_build_object('type', 'passport', 'number', passport, 'issuingCountry', nationality))
        else jsonb_build_array(jsonb_build_object('type', 'passport', 'number', passport, 'issuingCountry', nationality),
                               jsonb_build_object('type', 'national_id', 'number', national_id, 'issuingCountry', nationality)) end,
      'languages', case nationality when 'PH' then '["tl","en"]'::jsonb when 'VN' then '["vi"]'::jsonb else '["id"]'::jsonb end),
    'location', case when country is null then null else jsonb_build_object('country', country, 'site', 'reported compound', 'confirmed', confirmed) end,
    'riskFlags', case when risk_flag is null then '[]'::jsonb else jsonb_build_array(risk_flag) end,
    'screening', screening,
    'consent', jsonb_build_object('consularNotification', case when stage in ('locating', 'extraction') then 'unknown' else 'granted' end,
                                  'dataSharing', case when stage in ('locating', 'extraction') then 'unknown' else 'granted' end),
    'exitRestriction', null, 'extraction', null, 'travelDocument', null, 'returnTrip', null,
    'employment', jsonb_build_object('assessment', null, 'referrals', '[]'::jsonb, 'placement', null),
    'openTasks', '[]'::jsonb, 'pendingApprovals', '[]'::jsonb,
    'nextDeadline', case when next_deadline_kind is null then null
                         when on_hold then jsonb_build_object('kind', next_deadline_kind, 'at', ${iso('paused_until')}, 'paused', true,
                                                              'remainingMs', floor(r * 20 * 86400000)::bigint)
                         else jsonb_build_object('kind', next_deadline_kind, 'at', ${iso('next_deadline_at')}) end,
    'allowedActions', case when status = 'closed' then '[]'::jsonb else
      '["add_note","assign","set_priority","record_consent","record_screening","decline_assistance","request_closure"]'::jsonb
      || case when on_hold then '["resume"]'::jsonb else '["hold"]'::jsonb end
      || case stage when 'locating' then '["record_sighting","confirm_location"]'::jsonb
                    when 'extraction' then '["request_extraction","record_extraction","record_extraction_failed"]'::jsonb
                    when 'return' then '["book_return","record_departure","record_arrival"]'::jsonb
                    when 'employment_assistance' then '["record_assessment","record_referral","record_placement","record_follow_up"]'::jsonb
                    else '[]'::jsonb end end,
    'closure', case when status = 'closed' then jsonb_build_object('reason', closure_reason, 'comment', null,
                                                                   'approvedBy', 'sup-' || substr(office, 8), 'closedAt', ${iso('stage_entered_at')}) end,
    'createdAt', ${iso('created_at')}, 'updatedAt', ${iso('updated_at')}, 'stageEnteredAt', ${iso('stage_entered_at')}
  ),
  created_at, updated_at, stage_entered_at
from pg_temp.gen`;

const INSERT_DOCUMENTS = `
insert into identity_documents (case_id, document_hash, number_hash, open)
select id, ${hmacSql("'doc:' || nationality || ':' || passport")}, ${hmacSql("'num:' || passport")}, status = 'open' from pg_temp.gen
union all
select id, ${hmacSql("'doc:' || nationality || ':' || national_id")}, ${hmacSql("'num:' || national_id")}, status = 'open'
from pg_temp.gen where national_id is not null`;

// The inboxes of open cases: consular tasks, the immigration review, supervisor reviews, follow-ups.
// About one in seven open tasks is overdue; some consular ones are claimed, some already completed.
const INSERT_TASKS = `
insert into tasks (id, case_id, case_reference, office, agency_id, audience, type, status, priority, due_at,
  escalation_level, claimed_by, claimed_at, input, result, created_at, completed_at, rev)
select gen_random_uuid(), id, reference, office, agency_id, audience, type,
  status, priority, due_at,
  case when status in ('open', 'claimed') and due_at < $1::timestamptz then 1 else 0 end,
  case when status = 'claimed' then coalesce('officer-' || agency_id, 'sup-' || substr(office, 8)) end,
  case when status = 'claimed' then stage_entered_at + interval '2 hours' end,
  input,
  case when status = 'completed' then '{"verified": true}'::jsonb end,
  stage_entered_at,
  case when status = 'completed' then stage_entered_at + interval '1 day' end,
  case when status = 'completed' then 3 else 1 end
from (
  select g.id, g.reference, g.office, g.priority, g.stage_entered_at, t.type, t.audience, t.agency_id, i.input,
    case when t.done then 'completed' when t.k < 0.25 then 'claimed' else 'open' end as status,
    date_trunc('milliseconds', $1::timestamptz + make_interval(secs => (t.k - 0.15) * 10 * 86400)) as due_at
  from pg_temp.gen g
  cross join lateral (values
    ('verify_nationality', 'agency', g.consulate_id, g.stage = 'consular_contact', g.r < 0.5, g.r),
    ('issue_travel_document', 'agency', g.consulate_id, g.stage = 'consular_contact', false, (g.r * 7) - floor(g.r * 7)),
    ('arrange_shelter', 'agency', g.consulate_id, g.stage = 'consular_contact' and g.risk_flag in ('minor', 'abused', 'pregnant', 'disability'), false, (g.r * 3) - floor(g.r * 3)),
    ('exit_restriction_review', 'agency', 'immigration', g.stage = 'exit_restriction_check', false, g.r),
    ('supervisor_review', 'supervisor', null, g.stage = 'locating' and g.r < 0.3, false, g.r * 3),
    ('follow_up', 'caseworker', null, g.stage = 'employment_assistance' and g.r < 0.5, false, g.r * 2)
  ) as t(type, audience, agency_id, wanted, done, k)
  cross join lateral (select jsonb_build_object('fullName', g.full_name, 'nationality', g.nationality) as input) i
  where g.status = 'open' and t.wanted
) x`;

export async function generateCases(opts: GenerateOptions): Promise<GenerateResult> {
  const log = opts.log ?? (() => {});
  const offices = opts.offices ?? 20;
  const now = opts.now ?? new Date();
  if (!Number.isSafeInteger(opts.cases) || opts.cases < 1) throw new Error('--cases must be a positive integer');
  const { ipad, opad } = hmacPads(opts.identityHashKey);
  const client = new pg.Client({ connectionString: opts.databaseUrl });
  await client.connect();
  const phases: Record<string, number> = {};
  const started = performance.now();
  let mark = started;
  const phase = (name: string) => {
    const t = performance.now();
    phases[name] = Math.round(t - mark);
    mark = t;
    log(`  ${name}: ${(phases[name] / 1000).toFixed(1)} s`);
  };
  try {
    const existing = Number((await client.query<{ n: string }>('select count(*) as n from cases')).rows[0]!.n);
    // Rebuilding indexes pays off when the load is larger than what is already there.
    const rebuild = opts.cases >= 10_000 && opts.cases > existing;
    await client.query('begin');
    await client.query(`set local synchronous_commit = off`);
    await client.query(`set local maintenance_work_mem = '512MB'`);
    await client.query(`set local work_mem = '64MB'`);
    // The rows are consistent by construction (every document and task belongs to a case written in
    // the same transaction): skip the per-row foreign-key triggers where the role may (superuser).
    await client.query('savepoint replica');
    try {
      await client.query(`set local session_replication_role = replica`);
    } catch {
      await client.query('rollback to savepoint replica');
    }
    for (const c of GENERATED_CONSULATES) {
      await client.query(`insert into agencies (id, kind, name, country, city) values ($1, 'consulate', $2, $3, $4) on conflict (id) do nothing`, [
        c.id,
        `Consulate in ${c.city}`,
        c.country,
        c.city,
      ]);
    }
    let indexes: Array<{ name: string; def: string }> = [];
    if (rebuild) {
      const found = await client.query<{ name: string; def: string }>(`
        select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
        from pg_index i
        where i.indrelid in ('cases'::regclass, 'identity_documents'::regclass, 'tasks'::regclass)
          and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`);
      indexes = found.rows;
      for (const ix of indexes) await client.query(`drop index ${ix.name}`);
    }
    await client.query(GEN_TABLE);
    // A block of references for the new cases (the API's own inserts take theirs from the same sequence).
    const first = Number((await client.query<{ n: string }>(`select nextval('case_reference_seq') as n`)).rows[0]!.n);
    await client.query(`select setval('case_reference_seq', $1::bigint)`, [first + opts.cases - 1]);
    await client.query(genRowsSql(offices), [now, opts.cases, existing, first]);
    phase('facts');
    const casesInserted = (await client.query(INSERT_CASES)).rowCount ?? 0;
    phase('cases');
    const docs = (await client.query(INSERT_DOCUMENTS, [ipad, opad])).rowCount ?? 0;
    phase('identity_documents');
    const tasks = (await client.query(INSERT_TASKS, [now])).rowCount ?? 0;
    phase('tasks');
    for (const ix of indexes) await client.query(ix.def);
    if (indexes.length > 0) phase(`${indexes.length} indexes rebuilt`);
    await client.query('commit');
    phase('commit');
    // The load bypassed the activities that keep the statistics' counters: recount (migration 0015).
    await client.query('select rebuild_stats_counters()');
    phase('stats counters');
    await client.query('vacuum (analyze) cases, identity_documents, tasks, stats_case_facts, stats_counters');
    phase('vacuum analyze');
    return { cases: casesInserted, identityDocuments: docs, tasks, ms: Math.round(performance.now() - started), phases };
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '1000000' },
      'database-url': { type: 'string' },
      offices: { type: 'string', default: '20' },
    },
  });
  const { loadConfig } = await import('../config/index.js');
  const { migrateDatabase } = await import('../db/migrate.js');
  const config = loadConfig(values['database-url'] ? { ...process.env, DATABASE_URL: values['database-url'] } : process.env);
  const count = Number(values.cases.replace(/_/g, ''));
  await migrateDatabase(config.databaseUrl);
  console.log(`generating ${count.toLocaleString('en')} cases into ${new URL(config.databaseUrl).pathname.slice(1)} …`);
  const result = await generateCases({
    databaseUrl: config.databaseUrl,
    cases: count,
    offices: Number(values.offices),
    identityHashKey: config.identityHashKey,
    log: (m) => console.log(m),
  });
  console.log(
    `generated ${result.cases.toLocaleString('en')} cases, ${result.identityDocuments.toLocaleString('en')} identity documents, ` +
      `${result.tasks.toLocaleString('en')} tasks in ${(result.ms / 1000).toFixed(1)} s`,
  );
}
