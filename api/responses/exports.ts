// What the exports answer (docs/api.md "Exports", docs/anonymised-export.md): a CSV file of case
// summaries, and the anonymised dataset as JSON or CSV. CSV bodies are documented as text whose
// first line is the header the services write.
import { z } from 'zod';
import { EXPLOITATION_TYPES } from '../../domain/schemas.js';
import { AGE_BANDS, OUTCOMES, RECORD_FIELDS, SEXES, STAGES } from '../services/anonymised-export.js';
import { CASE_CSV_COLUMNS } from '../services/exports.js';

const header = (columns: readonly string[]) => columns.map((c) => `"${c}"`).join(',');

export const casesCsvSchema = z
  .string()
  .startsWith(`\uFEFF${header(CASE_CSV_COLUMNS)}\r\n`)
  .describe(
    'UTF-8 with a byte order mark, CRLF lines, every cell quoted (an absent value is ""); a cell starting with = + - @ tab or CR is prefixed with a quote ' +
      "(formula injection). Columns as the list's summaries; `riskFlags` joined with `;`. Streamed: a response cut off before its end " +
      '(no final chunk) is incomplete and must be discarded.',
  )
  .meta({
    id: 'CasesCsv',
    example: `\uFEFF${header(CASE_CSV_COLUMNS)}\r\n"5f0c1e9a-3b7d-4c2a-9e1f-0a1b2c3d4e5f","HW-2026-000123","open","consular_contact","false","high","7","manila","cw-ana","ph-consulate-bkk","","Maria Santos","PH","MM","true","abused","victim","task:issue_travel_document","2026-11-21T03:00:00.000Z","false","2026-11-02T08:15:00.000Z","2026-11-20T03:01:00.000Z","2026-11-19T10:00:00.000Z"\r\n`,
  });

const forms = EXPLOITATION_TYPES.join('|');
const TYPE_OF_EXPLOITATION = new RegExp(`^(not_recorded|(${forms})(;(${forms}))*)$`);

export const anonymisedRecordSchema = z
  .strictObject({
    yearOfRegistration: z.int().describe('the year the case was opened (UTC)'),
    ageBand: z.enum([...AGE_BANDS, 'unknown']).nullable().describe('age at registration, CTDC bands; null when suppressed'),
    sex: z.enum(SEXES).nullable().describe('null when suppressed'),
    nationality: z.string().nullable().describe('ISO 3166-1 alpha-2; null when suppressed'),
    countryOfExploitation: z.string().nullable().describe('where the person was found (ISO 3166-1 alpha-2) or "unknown"; null when suppressed'),
    typeOfExploitation: z
      .string()
      .regex(TYPE_OF_EXPLOITATION)
      .describe('the forms found at screening, joined by ";" in a fixed order, or `not_recorded`'),
    stageReached: z.enum(STAGES),
    outcome: z.enum(OUTCOMES).describe('the closure reason, or `ongoing`'),
  })
  .meta({ id: 'AnonymisedRecord' });

export const anonymisedExportSchema = z
  .strictObject({
    k: z.int().min(2).describe('every combination of fields in `items` occurs at least k times'),
    records: z.int().min(0).describe('the number of items'),
    suppressed: z.strictObject({
      blanked: z.int().min(0).describe('records whose person fields were blanked (null) to reach k'),
      dropped: z.int().min(0).describe('records left out: even blanked, their combination was rarer than k'),
    }),
    items: z.array(anonymisedRecordSchema),
  })
  .meta({
    id: 'AnonymisedExport',
    example: {
      k: 11,
      records: 2,
      suppressed: { blanked: 1, dropped: 0 },
      items: [
        { yearOfRegistration: 2026, ageBand: '21-23', sex: 'female', nationality: 'PH', countryOfExploitation: 'MM', typeOfExploitation: 'forced_criminality;forced_labour', stageReached: 'closed', outcome: 'reintegrated' },
        { yearOfRegistration: 2026, ageBand: null, sex: null, nationality: null, countryOfExploitation: null, typeOfExploitation: 'not_recorded', stageReached: 'return', outcome: 'ongoing' },
      ],
    },
  });

export const anonymisedCsvSchema = z
  .string()
  .startsWith(`\uFEFF${header(RECORD_FIELDS)}\r\n`)
  .describe('the items of the JSON form as CSV (UTF-8 with a byte order mark); a suppressed value is an empty cell')
  .meta({
    id: 'AnonymisedCsv',
    example: `\uFEFF${header(RECORD_FIELDS)}\r\n"2026","21-23","female","PH","MM","forced_criminality;forced_labour","closed","reintegrated"\r\n"2026","","","","","not_recorded","return","ongoing"\r\n`,
  });
