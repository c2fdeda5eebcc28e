import { type MicrophoneError, microphoneError } from '@decentra/client/voice';

const TEXT: Record<MicrophoneError, string> = {
  microphone_refused: 'The browser did not allow the microphone. Allow it for this site, then try again.',
  microphone_missing: 'No microphone was found. Plug one in, or choose another in Voice & audio settings.',
  microphone_busy: 'The microphone is in use by another program, or could not be started.',
  microphone_unavailable:
    'This page cannot use a microphone here (it needs HTTPS and a browser with WebRTC).',
};

/** The engine's microphone failure (or anything else thrown while opening it), in words. */
export function microphoneText(error: unknown): string {
  return TEXT[isMicrophoneError(error) ? error : microphoneError(error)];
}

function isMicrophoneError(error: unknown): error is MicrophoneError {
  return typeof error === 'string' && Object.hasOwn(TEXT, error);
}
