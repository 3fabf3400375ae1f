// A form built from a JSON schema of the API (an action's body, a task type's result): one labelled
// control per property, nested objects as fieldsets, the API's 400 field errors shown at their field
// (matched by the dotted path of `details`), and anything else the API refused above the form.
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { JsonSchema } from '../api/forms';
import { timeZone, useT } from '../i18n';

const DATE = /^\^\\d\{4\}-\\d\{2\}-\\d\{2\}\$$/;
const isDate = (s: JsonSchema) => typeof s.pattern === 'string' && DATE.test(s.pattern);
const isDateTime = (s: JsonSchema) => s.format === 'date-time' || (typeof s.pattern === 'string' && s.pattern.includes('T\\d{2}:\\d{2}'));

/** The schema without its null alternative, and whether null was one. */
function unwrap(s: JsonSchema): JsonSchema {
  const alts = s.anyOf ?? s.oneOf;
  if (alts) {
    const real = alts.filter((a) => a.type !== 'null');
    if (real.length === 1) return real[0]!;
  }
  if (Array.isArray(s.type)) return { ...s, type: s.type.find((t) => t !== 'null') };
  return s;
}

type Values = Record<string, string | boolean | string[]>;
/** How many entries each array of objects has in the form, by path (one unless more were added). */
type Rows = Record<string, number>;

/** The body the API gets: only what was filled in, each value of its schema's type. */
function build(schema: JsonSchema, values: Values, prefix: string, rows: Rows): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(schema.properties ?? {})) {
    const s = unwrap(raw);
    const path = prefix + name;
    if (s.const !== undefined) {
      out[name] = s.const;
      continue;
    }
    if (s.type === 'object') {
      const inner = build(s, values, `${path}.`, rows);
      if (inner) out[name] = inner;
      continue;
    }
    const v = values[path];
    if (s.type === 'boolean') {
      if (v !== undefined) out[name] = v === true;
      else if (schema.required?.includes(name)) out[name] = false;
      continue;
    }
    if (s.type === 'array' && s.items && unwrap(s.items).type === 'object') {
      const entries = Array.from({ length: rows[path] ?? 1 }, (_, i) => build(unwrap(s.items!), values, `${path}.${i}.`, rows)).filter((e) => e !== undefined);
      if (entries.length) out[name] = entries;
      continue;
    }
    if (s.type === 'array') {
      if (Array.isArray(v) && v.length) out[name] = v;
      else if (typeof v === 'string' && v.trim()) out[name] = v.split(',').map((x) => x.trim()).filter(Boolean);
      continue;
    }
    if (typeof v !== 'string' || v.trim() === '') continue;
    if (s.type === 'number' || s.type === 'integer') out[name] = Number(v);
    else if (isDateTime(s)) out[name] = Number.isNaN(Date.parse(v)) ? v : new Date(v).toISOString();
    else out[name] = v;
  }
  return Object.keys(out).length || !prefix ? out : undefined;
}

interface Props {
  schema: JsonSchema;
  /** The form's name, for ids and its heading's label. */
  name: string;
  submitLabel: string;
  /** Field errors from the API (ApiError.fields), by dotted path. */
  fieldErrors?: Record<string, string>;
  /** Where this form's fields sit in the request body (`result.` for a task's result). */
  errorPrefix?: string;
  /** Properties not shown (filled in by the page). */
  hidden?: string[];
  /** Values to choose from for a string property, by path (e.g. the consulates). */
  choices?: Record<string, Array<{ value: string; label: string }>>;
  initial?: Values;
  busy?: boolean;
  onSubmit(body: Record<string, unknown>): void;
  children?: ReactNode;
}

export function SchemaForm({ schema, name, submitLabel, fieldErrors = {}, errorPrefix = '', hidden = [], choices = {}, initial = {}, busy, onSubmit, children }: Props) {
  const { t, tx } = useT();
  const uid = useId();
  const [values, setValues] = useState<Values>(initial);
  const [rows, setRows] = useState<Rows>({});
  const set = (path: string, v: string | boolean | string[]) => setValues((old) => ({ ...old, [path]: v }));
  /** Removes entry `at` of the array at `path`: the entries after it move up one. */
  const removeRow = (path: string, at: number) => {
    setValues((old) => {
      const next: Values = {};
      for (const [k, v] of Object.entries(old)) {
        const m = k.startsWith(`${path}.`) ? /^(\d+)(\..*)$/.exec(k.slice(path.length + 1)) : null;
        if (!m) next[k] = v;
        else if (Number(m[1]) < at) next[k] = v;
        else if (Number(m[1]) > at) next[`${path}.${Number(m[1]) - 1}${m[2]}`] = v;
      }
      return next;
    });
    setRows((old) => ({ ...old, [path]: Math.max(1, (old[path] ?? 1) - 1) }));
  };
  const shown = new Set<string>();

  const field = (name: string, raw: JsonSchema, required: boolean, prefix: string): ReactNode => {
    const s = unwrap(raw);
    const path = prefix + name;
    if (s.const !== undefined || hidden.includes(path)) return null;
    const id = `${uid}-${path}`;
    const error = fieldErrors[errorPrefix + path];
    shown.add(errorPrefix + path);
    const errId = `${id}-error`;
    const label = (
      <>
        {tx('field', name)}
        {required ? <span aria-hidden="true"> *</span> : <span className="optional"> ({t('form.optional')})</span>}
      </>
    );
    const described = { 'aria-invalid': error ? true : undefined, 'aria-describedby': error ? errId : undefined };
    const errorText = error ? (
      <span id={errId} className="field-error">
        {error}
      </span>
    ) : null;

    if (s.type === 'object') {
      return (
        <fieldset key={path} className="nested">
          <legend>{tx('field', name)}</legend>
          {Object.entries(s.properties ?? {}).map(([n, p]) => field(n, p, required && (s.required ?? []).includes(n), `${path}.`))}
          {errorText}
        </fieldset>
      );
    }
    if (s.type === 'boolean') {
      return (
        <div key={path} className="field checkbox">
          <input id={id} type="checkbox" checked={values[path] === true} onChange={(e) => set(path, e.target.checked)} {...described} />
          <label htmlFor={id}>{tx('field', name)}</label>
          {errorText}
        </div>
      );
    }
    if (s.type === 'array') {
      const items = s.items ? unwrap(s.items) : undefined;
      if (items?.enum) {
        const chosen = (values[path] as string[] | undefined) ?? [];
        return (
          <fieldset key={path} className="field choices" {...described}>
            <legend>{label}</legend>
            {items.enum.map((opt) => (
              <label key={String(opt)} className="choice">
                <input
                  type="checkbox"
                  checked={chosen.includes(String(opt))}
                  onChange={(e) => set(path, e.target.checked ? [...chosen, String(opt)] : chosen.filter((c) => c !== String(opt)))}
                />
                {tx('enum', String(opt))}
              </label>
            ))}
            {errorText}
          </fieldset>
        );
      }
      if (items?.type === 'object') {
        // One entry to begin with; more added (and removed) with the buttons.
        const count = rows[path] ?? 1;
        return (
          <fieldset key={path} className="nested">
            <legend>{tx('field', name)}</legend>
            {Array.from({ length: count }, (_, i) => (
              <fieldset key={i} className="nested entry">
                <legend>{t('form.entry', { n: i + 1 })}</legend>
                {Object.entries(items.properties ?? {}).map(([n, p]) => field(n, p, false, `${path}.${i}.`))}
                {count > 1 ? (
                  <button type="button" className="link" onClick={() => removeRow(path, i)}>
                    {t('form.removeEntry', { n: i + 1 })}
                  </button>
                ) : null}
              </fieldset>
            ))}
            <button type="button" onClick={() => setRows((old) => ({ ...old, [path]: count + 1 }))}>
              {t('form.addEntry', { what: tx('field', name) })}
            </button>
            {errorText}
          </fieldset>
        );
      }
      if (items?.type !== 'string') return null;
      return (
        <div key={path} className="field">
          <label htmlFor={id}>{label}</label>
          <input id={id} type="text" value={(values[path] as string) ?? ''} onChange={(e) => set(path, e.target.value)} {...described} />
          <span className="hint">{t('form.commaSeparated')}</span>
          {errorText}
        </div>
      );
    }
    const options = choices[path] ?? s.enum?.map((o) => ({ value: String(o), label: tx('enum', String(o)) }));
    if (options) {
      return (
        <div key={path} className="field">
          <label htmlFor={id}>{label}</label>
          <select id={id} value={(values[path] as string) ?? ''} onChange={(e) => set(path, e.target.value)} {...described}>
            <option value="">{t('form.choose')}</option>
            {options.map((opt) => (
              <option key={opt.value} value={opt.value}>
                {opt.label}
              </option>
            ))}
          </select>
          {errorText}
        </div>
      );
    }
    const long = s.type === 'string' && (s.maxLength ?? 0) > 2000;
    const inputType = s.type === 'number' || s.type === 'integer' ? 'number' : isDateTime(s) ? 'datetime-local' : isDate(s) ? 'date' : 'text';
    return (
      <div key={path} className="field">
        <label htmlFor={id}>
          {label}
          {inputType === 'datetime-local' ? <span className="hint"> ({timeZone()})</span> : null}
        </label>
        {long ? (
          <textarea id={id} rows={3} value={(values[path] as string) ?? ''} onChange={(e) => set(path, e.target.value)} {...described} />
        ) : (
          <input
            id={id}
            type={inputType}
            step={inputType === 'number' ? 'any' : undefined}
            value={(values[path] as string) ?? ''}
            onChange={(e) => set(path, e.target.value)}
            {...described}
          />
        )}
        {errorText}
      </div>
    );
  };

  const fields = Object.entries(schema.properties ?? {}).map(([n, p]) => field(n, p, (schema.required ?? []).includes(n), ''));
  const elsewhere = Object.entries(fieldErrors).filter(([p]) => !shown.has(p));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(build(schema, values, '', rows) ?? {});
  };
  return (
    <form className="schema-form" aria-label={tx('action', name)} onSubmit={submit} noValidate>
      {elsewhere.length ? (
        <ul className="form-errors" role="alert">
          {elsewhere.map(([p, m]) => (
            <li key={p}>
              {p}: {m}
            </li>
          ))}
        </ul>
      ) : null}
      {fields}
      {children}
      <button type="submit" disabled={busy}>
        {submitLabel}
      </button>
    </form>
  );
}
