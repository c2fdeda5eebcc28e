/**
 * Opus settings for voice: in-band forward error correction (a lost packet is rebuilt from the next
 * one), mono, and an average bitrate cap that is generous for speech yet keeps a ten-person mesh
 * (nine uploads) within a home connection.
 */
export const OPUS_PARAMETERS: Readonly<Record<string, string>> = {
  useinbandfec: '1',
  stereo: '0',
  maxaveragebitrate: '32000',
};

/**
 * The session description `sdp` with `parameters` set in the fmtp line of every Opus payload type
 * (an fmtp line is added after the rtpmap line where there is none). Other parameters, other codecs
 * and the line endings are kept as they are. Opus fmtp parameters describe what the side that
 * sends the description wants to receive, so both the descriptions sent to a peer and those
 * received from it are passed through this.
 */
export function withOpusParameters(
  sdp: string,
  parameters: Readonly<Record<string, string>> = OPUS_PARAMETERS,
): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const opus = new Set<string>();
  for (const line of lines) {
    const match = /^a=rtpmap:(\d+) opus\/48000(?:\/\d+)?$/i.exec(line.trim());
    if (match?.[1]) opus.add(match[1]);
  }
  if (opus.size === 0) return sdp;
  const withFmtp = new Set<string>();
  const out: string[] = [];
  for (const line of lines) {
    const fmtp = /^a=fmtp:(\d+) ?(.*)$/.exec(line);
    if (fmtp?.[1] && opus.has(fmtp[1])) {
      withFmtp.add(fmtp[1]);
      out.push(`a=fmtp:${fmtp[1]} ${mergeParameters(fmtp[2] ?? '', parameters)}`);
    } else {
      out.push(line);
    }
  }
  // Payload types that had no fmtp line get one right after their rtpmap line.
  for (const pt of opus) {
    if (withFmtp.has(pt)) continue;
    const at = out.findIndex((line) => line.trim().toLowerCase().startsWith(`a=rtpmap:${pt} opus/`));
    out.splice(at + 1, 0, `a=fmtp:${pt} ${mergeParameters('', parameters)}`);
  }
  return out.join(eol);
}

/** `key=value;key=value` with `parameters` set (replaced in place, or appended in their order). */
function mergeParameters(existing: string, parameters: Readonly<Record<string, string>>): string {
  const pairs: [string, string][] = existing
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => {
      const eq = p.indexOf('=');
      return eq === -1 ? [p, ''] : [p.slice(0, eq).trim(), p.slice(eq + 1).trim()];
    });
  for (const [key, value] of Object.entries(parameters)) {
    const found = pairs.find(([k]) => k.toLowerCase() === key.toLowerCase());
    if (found) found[1] = value;
    else pairs.push([key, value]);
  }
  return pairs.map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join(';');
}
