import type { RouteHandlers } from '../../http/api.js';
import type { Commands } from '../../kernel/commands.js';
import type { SettingsService } from './settings.service.js';

export function settingsRoutes(deps: {
  settings: SettingsService;
  commands: Commands;
}): RouteHandlers<'getSettings' | 'putSettings'> {
  const { settings, commands } = deps;
  return {
    getSettings: async ({ auth }) => settings.get(auth.actor.id),
    putSettings: async ({ auth, body }) =>
      commands.transaction((tx) => settings.put(tx, auth.actor.id, body)),
  };
}
