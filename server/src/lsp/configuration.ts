import { MessageType, ShowMessageNotification, type Connection, type InitializeParams } from 'vscode-languageserver/node';
import type { ConfigLayer, Workspace } from '../workspace/workspace.js';
import type { Workspaces } from '../workspace/workspaces.js';
import { pathToUri } from './convert.js';

export const SETTINGS_SECTION = 'flakelens';

/**
 * Settings layers above the config file, per workspace root:
 * initializationOptions < workspace/configuration section "flakelens" (pulled per folder when the
 * client supports it, else taken from didChangeConfiguration's payload).
 * Problems are reported once each: logged and shown as a warning.
 */
export class Settings {
  private initializationOptions: unknown;
  private readonly clientSettings = new Map<string, unknown>();
  /** Settings pushed without a scope (didChangeConfiguration payload from clients that cannot be asked). */
  private globalSettings: unknown;
  private canPull = false;
  private readonly reported = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly log: (message: string) => void,
  ) {}

  initialize(params: InitializeParams): void {
    this.canPull = params.capabilities?.workspace?.configuration === true;
    const options = params.initializationOptions as unknown;
    // Accept both `{ flakelens: {...} }` and the settings object itself.
    if (options && typeof options === 'object' && !Array.isArray(options) && SETTINGS_SECTION in options) {
      this.initializationOptions = (options as Record<string, unknown>)[SETTINGS_SECTION];
    } else {
      this.initializationOptions = options ?? undefined;
    }
  }

  get supportsPull(): boolean {
    return this.canPull;
  }

  layersFor(root: string): ConfigLayer[] {
    const layers: ConfigLayer[] = [];
    if (this.initializationOptions !== undefined) layers.push({ source: 'initializationOptions', value: this.initializationOptions });
    const client = this.clientSettings.has(root) ? this.clientSettings.get(root) : this.globalSettings;
    if (client !== undefined && client !== null) layers.push({ source: `workspace/configuration "${SETTINGS_SECTION}"`, value: client });
    return layers;
  }

  /** Asks the client for each workspace's settings and applies them. */
  async pull(workspaces: Workspace[]): Promise<void> {
    if (!this.canPull || workspaces.length === 0) return;
    let values: unknown[];
    try {
      values = await this.connection.workspace.getConfiguration(workspaces.map((w) => ({ scopeUri: pathToUri(w.root), section: SETTINGS_SECTION })));
    } catch (error) {
      this.log(`workspace/configuration failed: ${(error as Error).message}; using the config file and initializationOptions`);
      return;
    }
    workspaces.forEach((workspace, index) => this.clientSettings.set(workspace.root, values[index] ?? undefined));
  }

  /** didChangeConfiguration without pull support: the payload is the new settings for every workspace. */
  setPushed(settings: unknown): void {
    const section = settings && typeof settings === 'object' && !Array.isArray(settings) ? (settings as Record<string, unknown>)[SETTINGS_SECTION] : undefined;
    this.globalSettings = section;
    this.clientSettings.clear();
  }

  /** Re-applies the layers of each workspace and reports new problems. */
  apply(workspaces: Workspaces, targets: Workspace[]): void {
    for (const workspace of targets) {
      workspaces.applyLayers(workspace, this.layersFor(workspace.root));
      this.reportProblems(workspace);
    }
  }

  /** Logs every new problem and shows one warning for them; a problem already reported stays quiet. */
  reportProblems(workspace: Workspace): void {
    const fresh = workspace.problems.filter((p) => {
      const key = `${workspace.root}\0${p.source}\0${p.message}`;
      if (this.reported.has(key)) return false;
      this.reported.add(key);
      return true;
    });
    if (fresh.length === 0) return;
    for (const p of fresh) this.log(`settings problem in ${p.source}: ${p.message}`);
    const shown = fresh.slice(0, 3).map((p) => `${p.source}: ${p.message}`).join('; ');
    const more = fresh.length > 3 ? ` (and ${fresh.length - 3} more, see the log)` : '';
    void this.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `flakelens: ${shown}${more}. The other settings apply.` });
  }
}
