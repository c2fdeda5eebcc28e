/** "Not sent: <why>." — the server's reason already ends a sentence, so its stop is not doubled. */
export function notSentText(reason: string | undefined): string {
  return reason ? `Not sent: ${reason.trim().replace(/[.!?]+$/, '')}.` : 'Not sent.';
}
