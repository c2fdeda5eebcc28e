import * as z from 'zod';

/**
 * Voice preferences that belong to this browser, not to the account: device ids differ per
 * machine. Kept in localStorage; anything unreadable falls back to the defaults.
 */
const VoicePrefsSchema = z.object({
  inputDeviceId: z.string().min(1).optional().catch(undefined),
  outputDeviceId: z.string().min(1).optional().catch(undefined),
  /** Route audio through the TURN relay, so that peers never learn this browser's address. */
  relayOnly: z.boolean().catch(false),
});
export type VoicePrefs = z.infer<typeof VoicePrefsSchema>;

const KEY = 'decentra.voice';

export function loadVoicePrefs(): VoicePrefs {
  let raw: unknown = null;
  try {
    raw = JSON.parse(localStorage.getItem(KEY) ?? 'null');
  } catch {
    raw = null;
  }
  const parsed = VoicePrefsSchema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : { relayOnly: false };
}

export function saveVoicePrefs(prefs: VoicePrefs): void {
  localStorage.setItem(KEY, JSON.stringify(prefs));
}
