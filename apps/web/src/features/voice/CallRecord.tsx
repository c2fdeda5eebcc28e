import type { CallRecord as Record } from '@decentra/protocol';
import { Icon } from '../../ui/Icon';
import { formatLength } from './call-duration';

/** A call's line in the DM: "Missed call from ann", "Call, 4 min". The author is the caller. */
export function CallRecord({ call, caller, mine }: { call: Record; caller: string; mine: boolean }) {
  let text: string;
  if (call.outcome === 'ended') text = `Call, ${formatLength(call.durationSeconds)}`;
  else if (call.outcome === 'missed') text = mine ? 'Call not answered' : `Missed call from ${caller}`;
  else text = mine ? 'Call declined' : `You declined a call from ${caller}`;
  return (
    <p className={`call-record ${call.outcome}`}>
      <Icon name={call.outcome === 'ended' ? 'phone' : 'phoneOff'} size={16} />
      <span>{text}</span>
    </p>
  );
}
