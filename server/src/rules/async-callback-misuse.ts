import type { Rule } from '../engine/types.js';

// Placeholder until the rule lands: registered so the registry and docs stay in step.
export const asyncCallbackMisuse: Rule = {
  meta: {
    id: 'async-callback-misuse',
    category: 'async-coordination',
    defaultSeverity: 'warning',
    requiresTypes: true,
    docs: { summary: 'TODO', why: 'TODO', badExample: '', goodExample: '' },
  },
  check() {},
};
