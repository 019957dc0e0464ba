/**
 * Polluter search by delta debugging (the iDFlakies approach, reduced to what a run can select): keep the
 * failing order, run the victim with half of the candidates that may run before it, and keep the half that
 * still makes it fail. When neither half alone does, the polluters act together and the whole remaining set
 * is reported (not minimal).
 */
export async function findPolluters<T>(
  candidates: readonly T[],
  victimFails: (subset: readonly T[]) => Promise<boolean>,
  maxRuns = 16,
): Promise<{ polluters: T[]; minimal: boolean; runs: number }> {
  let set = candidates.slice();
  let runs = 0;
  while (set.length > 1 && runs < maxRuns) {
    const half = Math.ceil(set.length / 2);
    const first = set.slice(0, half);
    const second = set.slice(half);
    runs++;
    if (await victimFails(first)) {
      set = first;
      continue;
    }
    runs++;
    if (await victimFails(second)) {
      set = second;
      continue;
    }
    return { polluters: set, minimal: false, runs };
  }
  return { polluters: set, minimal: set.length === 1, runs };
}
