// Custom search attributes of case workflows. They carry process facts only (stage, office,
// priority), never personal data, because search attributes are stored unencrypted by the server.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

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
