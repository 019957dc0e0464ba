import type { Rule } from '../engine/types.js';

// Placeholder until the rule lands: registered so the registry and docs stay in step.
export const floatingPromise: Rule = {
  meta: {
    id: 'floating-promise',
    category: 'async-coordination',
    defaultSeverity: 'warning',
    requiresTypes: true,
    docs: { summary: 'TODO', why: 'TODO', badExample: '', goodExample: '' },
  },
  check() {},
};
