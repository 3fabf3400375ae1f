// The action forms are built from the API's own schemas: /openapi.json carries the body of
// POST /v1/cases/{id}/actions (one variant per action type) and each task type's result. The
// console never keeps a copy of them, so a new field in the API appears in its form.
import { useQuery } from '@tanstack/react-query';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: Array<string | number | boolean>;
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  description?: string;
  $ref?: string;
  default?: unknown;
}
type Doc = { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: JsonSchema }> } }>>; components: { schemas: Record<string, JsonSchema> } };

function resolve(doc: Doc, s: JsonSchema): JsonSchema {
  if (!s.$ref) return s;
  return doc.components.schemas[s.$ref.replace('#/components/schemas/', '')]!;
}

const bodyOf = (doc: Doc, path: string) => doc.paths[path]!.post!.requestBody!.content['application/json']!.schema;

export interface Forms {
  /** The body schema of one action type (its `type` property left out), or undefined if the API has none. */
  action(type: string): JsonSchema | undefined;
  /** The result schema of one task type. */
  taskResult(type: string): JsonSchema | undefined;
  /** Every action type the API takes, in the document's order. */
  actionTypes: string[];
  /** The body of POST /v1/cases. */
  openCase: JsonSchema;
}

export function formsOf(doc: Doc): Forms {
  const actions = new Map<string, JsonSchema>();
  for (const variant of bodyOf(doc, '/v1/cases/{id}/actions').oneOf ?? []) {
    const v = resolve(doc, variant);
    const type = v.properties?.type?.const;
    if (typeof type === 'string') actions.set(type, v);
  }
  // Result schemas are named after the task type: verify_nationality → VerifyNationalityResult.
  const taskResult = (type: string) => doc.components.schemas[`${type.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase())}Result`];
  return { action: (type) => actions.get(type), actionTypes: [...actions.keys()], taskResult, openCase: bodyOf(doc, '/v1/cases') };
}

export function useForms() {
  return useQuery({
    queryKey: ['openapi'],
    staleTime: Infinity,
    queryFn: async () => {
      const res = await fetch('/openapi.json');
      if (!res.ok) throw new Error(`openapi.json: ${res.status}`);
      return formsOf((await res.json()) as Doc);
    },
  });
}
