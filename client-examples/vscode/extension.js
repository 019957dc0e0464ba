// A minimal VS Code client for flakelens: starts the server over stdio and lets vscode-languageclient do the rest.
const fs = require('node:fs');
const path = require('node:path');
const { workspace, window } = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function serverModule() {
  const configured = workspace.getConfiguration('flakelensClient').get('serverPath');
  if (configured) return configured;
  for (const folder of workspace.workspaceFolders ?? []) {
    const candidate = path.join(folder.uri.fsPath, 'node_modules', 'flakelens', 'server', 'dist', 'bin', 'cli.js');
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

async function activate(context) {
  const serverPath = serverModule();
  if (!serverPath) {
    window.showWarningMessage('flakelens: install it in the workspace (see the flakelens README: npm pack, then npm install --save-dev ./flakelens-<version>.tgz) or set flakelensClient.serverPath.');
    return;
  }
  const run = { module: serverPath, transport: TransportKind.stdio };
  const serverOptions = { run, debug: { ...run, options: { execArgv: ['--inspect=6011'] } } };
  const clientOptions = {
    documentSelector: ['typescript', 'typescriptreact', 'javascript', 'javascriptreact'].map((language) => ({ scheme: 'file', language })),
    // The server pulls the "flakelens" section (server settings only) through workspace/configuration and is told when it changes.
    synchronize: { configurationSection: 'flakelens' },
  };
  client = new LanguageClient('flakelens', 'flakelens', serverOptions, clientOptions);
  context.subscriptions.push(client);
  await client.start();
}

function deactivate() {
  return client?.stop();
}

module.exports = { activate, deactivate };
