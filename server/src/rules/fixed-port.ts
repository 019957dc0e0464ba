import { resourceModel } from '../engine/resources.js';
import type { Fix, Rule, RuleContext } from '../engine/types.js';

function check(context: RuleContext): void {
  const { model, report, sourceFile } = context;
  // Files with no test, suite or hook are helpers or scripts; their servers are judged where tests use them.
  if (model.blocks.length === 0) return;
  const resources = resourceModel(model);
  for (const listen of resources.listens) {
    const connects = resources.loopbackPorts.filter((p) => p.port === listen.port);
    const lines = [...new Set(connects.map((c) => sourceFile.getLineAndCharacterOfPosition(c.node.getStart(sourceFile)).line + 1))];
    const connected = lines.length > 0 ? ` The file also connects to localhost:${listen.port} (line ${lines.join(', ')}).` : '';
    const fixes: Fix[] = [];
    // Port 0 lets the OS pick a free port; only mechanical when nothing in the file names the old one.
    if (connects.length === 0 && listen.portNode.getText(sourceFile) === String(listen.port)) {
      fixes.push({
        title: `Listen on port 0 (a free port chosen by the OS); read it back from address().port`,
        edits: [{ start: listen.portNode.getStart(sourceFile), end: listen.portNode.getEnd(), newText: '0' }],
        safe: false,
      });
    }
    report({
      node: listen.node,
      message: `Listens on fixed port ${listen.port}: tests in parallel workers, another run of this suite or any other process using that port fail with EADDRINUSE.${connected} Listen on port 0 and read the port from \`address().port\`.`,
      fixes,
    });
  }
}

export const fixedPort: Rule = {
  meta: {
    id: 'fixed-port',
    category: 'isolation',
    defaultSeverity: 'warning',
    requiresTypes: true,
    docs: {
      summary: 'Reports servers that tests start on a fixed port (`listen(3000)`, `new WebSocketServer({ port: 8080 })`, hono `serve({ port })`).',
      why: 'A fixed port is shared by every worker, every concurrent run and every other process on the machine: whichever starts second fails with EADDRINUSE, depending on scheduling.',
      badExample: "const server = app.listen(3000);\nconst res = await fetch('http://localhost:3000/health');",
      goodExample: "const server = app.listen(0);\nconst { port } = server.address() as AddressInfo;\nconst res = await fetch(`http://localhost:${port}/health`);",
    },
  },
  check,
};
