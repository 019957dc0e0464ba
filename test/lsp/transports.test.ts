import { fork, spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI } from './lspClient.js';

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } };

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

describe('transports besides stdio', () => {
  it('--node-ipc answers initialize over the IPC channel', async () => {
    const child = fork(CLI, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    children.push(child);
    const response = new Promise<{ id: number; result: { capabilities: Record<string, unknown> } }>((resolve) => {
      child.on('message', (message) => resolve(message as never));
    });
    child.send(INITIALIZE);
    const answer = await response;
    expect(answer.id).toBe(1);
    expect(answer.result.capabilities).toHaveProperty('textDocumentSync');
  });

  it('--socket=N connects to the client on that port and answers initialize', async () => {
    const server = net.createServer();
    const connected = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      children.push(spawn(process.execPath, [CLI, `--socket=${port}`], { stdio: 'ignore' }));
      const socket = await connected;
      const body = JSON.stringify(INITIALIZE);
      const reply = new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (chunk) => {
          text += chunk.toString('utf8');
          const header = /Content-Length: (\d+)\r\n\r\n/.exec(text);
          if (header && Buffer.byteLength(text.slice(header.index + header[0].length)) >= Number(header[1])) resolve(text.slice(header.index + header[0].length));
        });
      });
      socket.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      const answer = JSON.parse(await reply) as { id: number; result: { capabilities: Record<string, unknown> } };
      expect(answer.id).toBe(1);
      expect(answer.result.capabilities).toHaveProperty('textDocumentSync');
      socket.destroy();
    } finally {
      server.close();
    }
  });
});
