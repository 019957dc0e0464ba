import type { Rule } from '../engine/types.js';
import { asyncAssertion } from './async-assertion.js';
import { asyncCallbackMisuse } from './async-callback-misuse.js';
import { asyncDescribe } from './async-describe.js';
import { doneCallback } from './done-callback.js';
import { fixedSleep } from './fixed-sleep.js';
import { floatingPromise } from './floating-promise.js';
import { fixedPort } from './fixed-port.js';
import { focusedTest } from './focused-test.js';
import { hardcodedResource } from './hardcoded-resource.js';
import { missingCleanup } from './missing-cleanup.js';
import { realNetwork } from './real-network.js';
import { retryMarker } from './retry-marker.js';
import { sharedState } from './shared-state.js';
import { unorderedResult } from './unordered-result.js';
import { unseededRandom } from './unseeded-random.js';
import { wallClockAssertion } from './wall-clock-assertion.js';

/** The registry: every rule file is listed here (a meta-test keeps this, rule files and docs pages in step). */
export const RULES: readonly Rule[] = [
  floatingPromise,
  asyncAssertion,
  asyncCallbackMisuse,
  asyncDescribe,
  doneCallback,
  fixedSleep,
  focusedTest,
  missingCleanup,
  fixedPort,
  realNetwork,
  hardcodedResource,
  sharedState,
  retryMarker,
  wallClockAssertion,
  unorderedResult,
  unseededRandom,
];

export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.meta.id));

export function findRule(id: string): Rule | undefined {
  return RULES.find((r) => r.meta.id === id);
}
