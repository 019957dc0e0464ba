import { resourceModel } from '../engine/resources.js';
import { setupInterception } from '../engine/runnerConfig.js';
import type { Rule, RuleContext } from '../engine/types.js';

function check(context: RuleContext): void {
  const { model, report } = context;
  if (model.blocks.length === 0) return;
  const resources = resourceModel(model);
  // Any interception layer in the file (msw, nock, MockAgent, a mocked client module, a replaced fetch) may cover
  // the request: which requests it answers is not known statically, so the whole file stays silent.
  if (resources.interception !== undefined) return;
  if (resources.requests.length === 0) return;
  // Setup files (vitest setupFiles, jest setupFiles/setupFilesAfterEnv, mocha --require) often start msw or nock
  // for every file: interception there (or a setup file we cannot fully read) covers or may cover these requests.
  if (setupInterception(context.runnerConfig()).state !== 'no') return;
  for (const request of resources.requests) {
    const block = model.enclosingBlock(request.call);
    // Only requests a test, hook or step makes itself; helpers are judged where tests call them.
    if (!block || block.kind === 'suite') continue;
    report({
      node: request.call,
      message: `\`${request.client}\` sends a real request to ${request.host} and no interception (msw, nock, undici MockAgent, a mocked client) is set up in this file: the test depends on the network and on that host. Intercept it, or serve a local fixture on localhost.`,
    });
  }
}

export const realNetwork: Rule = {
  meta: {
    id: 'real-network',
    category: 'isolation',
    defaultSeverity: 'warning',
    requiresTypes: true,
    docs: {
      summary: 'Reports tests and hooks that send requests to public hosts (fetch, http(s).get/request, axios, got, undici) with no interception set up in the file.',
      why: 'A request to a real host fails or times out whenever the network, DNS, a proxy, a rate limit or the remote service misbehaves: outcomes the code under test does not control.',
      badExample: "it('loads the user', async () => {\n  const res = await fetch('https://api.github.com/users/octocat');\n  expect(res.status).toBe(200);\n});",
      goodExample: "const server = setupServer(http.get('https://api.github.com/users/:name', () => HttpResponse.json({ login: 'octocat' })));\nbeforeAll(() => server.listen({ onUnhandledRequest: 'error' }));\nafterAll(() => server.close());",
    },
  },
  check,
};
