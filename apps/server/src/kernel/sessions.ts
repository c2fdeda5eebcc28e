/**
 * Why a user's gateway sessions changed: `identify` began one, `resume` re-attached one to a new
 * socket, `detached` lost one's socket without a clean close (it waits for a resume), `closed`
 * ended one (clean close by the client, logout), `expired` ended a detached one that was not
 * resumed in time or missed more events than its buffer holds, `moved` let one go to another
 * instance where its client resumed it (it lives on there; here it is gone).
 */
export type SessionsChangedReason = 'identify' | 'resume' | 'detached' | 'closed' | 'expired' | 'moved';

/** What the gateway tells features (presence, voice) after every change of a user's sessions. */
export interface SessionsChange {
  userId: bigint;
  /** The user's sessions on this instance that are attached or still resumable. */
  sessions: number;
  reason: SessionsChangedReason;
  /** Those with a socket open right now (presence reads it). */
  attached: number;
  /** The gateway session whose change this is. */
  sessionId: string;
}

/** Told synchronously after every change; must not throw (a throw is logged and ignored). */
export type SessionsChangedHook = (change: SessionsChange) => void;
