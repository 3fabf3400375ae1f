// Custom search attributes of case workflows. They carry process facts only (stage, office,
// priority), never personal data, because search attributes are stored unencrypted by the server.
import { type SearchAttributePair, defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const CUSTOM_SEARCH_ATTRIBUTES: Record<string, 'KEYWORD' | 'BOOL' | 'DATETIME' | 'INT'> = {
  HomewardStage: 'KEYWORD',
  HomewardOffice: 'KEYWORD',
  HomewardPriority: 'KEYWORD',
  HomewardStatus: 'KEYWORD',
  HomewardOnHold: 'BOOL',
};

export const stageKey = defineSearchAttributeKey('HomewardStage', SearchAttributeType.KEYWORD);
export const officeKey = defineSearchAttributeKey('HomewardOffice', SearchAttributeType.KEYWORD);
export const priorityKey = defineSearchAttributeKey('HomewardPriority', SearchAttributeType.KEYWORD);
export const statusKey = defineSearchAttributeKey('HomewardStatus', SearchAttributeType.KEYWORD);
export const onHoldKey = defineSearchAttributeKey('HomewardOnHold', SearchAttributeType.BOOL);

/** What a case shows of itself to Temporal's visibility: set at start, upserted when it changes. */
export function caseSearchAttributes(state: { stage: string; status: string; priority: string; onHold: boolean; office: string }): SearchAttributePair[] {
  return [
    { key: stageKey, value: state.stage },
    { key: statusKey, value: state.status },
    { key: priorityKey, value: state.priority },
    { key: onHoldKey, value: state.onHold },
    { key: officeKey, value: state.office },
  ];
}
