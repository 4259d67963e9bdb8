// The decree extension's client: starts `decree lsp` on stdio and hands it
// the .decree files of the window. Plain JavaScript so that the extension
// packages without a TypeScript build step.
'use strict';

const path = require('path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;
/** @type {vscode.OutputChannel | undefined} */
let output;

/**
 * The example facts file from `decree.exampleFacts`, as an absolute path, or
 * undefined when none is set. The server runs with its own working directory,
 * so a relative path is resolved here, against the first workspace folder.
 */
function exampleFactsPath(config) {
  let value = (config.get('exampleFacts') || '').trim();
  if (!value) return undefined;
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  const root = folder ? folder.uri.fsPath : undefined;
  if (root) value = value.replace(/\$\{workspaceFolder\}/g, root);
  if (value.startsWith('~/') && process.env.HOME) value = path.join(process.env.HOME, value.slice(2));
  if (!path.isAbsolute(value) && root) value = path.join(root, value);
  return value;
}

/** Asks for a facts file; its path, or undefined when the user cancels. */
async function pickFactsFile() {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    defaultUri: folder ? folder.uri : undefined,
    openLabel: 'Use as example enterprise',
    filters: { 'Facts files': ['json', 'toml', 'yaml', 'yml'] },
  });
  return picked && picked[0] ? picked[0].fsPath : undefined;
}

/** Chooses the example enterprise for the running server. */
async function chooseExample() {
  if (!client) return;
  const picked = await pickFactsFile();
  if (!picked) return;
  // The server then asks the editor to show its hints and lenses again.
  await client.sendRequest('workspace/executeCommand', {
    command: 'decree.selectFacts',
    arguments: [picked],
  });
}

function createClient() {
  const config = vscode.workspace.getConfiguration('decree');
  const command = (config.get('path') || '').trim() || 'decree';

  /** @type {import('vscode-languageclient/node').ServerOptions} */
  const serverOptions = {
    command,
    args: ['lsp'],
    transport: TransportKind.stdio,
  };

  const initializationOptions = {};
  const facts = exampleFactsPath(config);
  if (facts) initializationOptions.exampleFacts = facts;

  /** @type {import('vscode-languageclient/node').LanguageClientOptions} */
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'decree' },
      { scheme: 'untitled', language: 'decree' },
    ],
    initializationOptions,
    outputChannel: output,
    middleware: {
      // The server's "choose an example enterprise" lens runs
      // `decree.selectFacts` with no path: the path is the user's to pick.
      executeCommand: async (command, args, next) => {
        if (command === 'decree.selectFacts' && (!args || args.length === 0)) {
          const picked = await pickFactsFile();
          if (!picked) return undefined;
          return next(command, [picked]);
        }
        return next(command, args);
      },
    },
    synchronize: {
      // Facts files and included policies change the diagnostics of a file
      // that includes or is evaluated against them.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{decree,json,csv}'),
    },
  };

  return new LanguageClient('decree', 'decree language server', serverOptions, clientOptions);
}

async function start() {
  client = createClient();
  try {
    await client.start();
  } catch (err) {
    const command = vscode.workspace.getConfiguration('decree').get('path') || 'decree';
    vscode.window.showErrorMessage(
      `decree: could not start \`${command} lsp\` (${err && err.message ? err.message : err}). ` +
        'Set "decree.path" to the decree binary.'
    );
  }
}

async function stop() {
  if (!client) return;
  const running = client;
  client = undefined;
  try {
    await running.stop();
  } catch (_) {
    // A server that failed to start cannot be stopped; nothing is left to do.
  }
}

async function restart() {
  await stop();
  await start();
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  output = vscode.window.createOutputChannel('decree');
  context.subscriptions.push(output);
  context.subscriptions.push(vscode.commands.registerCommand('decree.restartServer', restart));
  context.subscriptions.push(vscode.commands.registerCommand('decree.chooseExample', chooseExample));
  // The binary and the example facts are read only at start-up (the facts
  // travel in initializationOptions), so a change to either restarts the server.
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('decree.path') || event.affectsConfiguration('decree.exampleFacts')) {
        restart();
      }
    })
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
