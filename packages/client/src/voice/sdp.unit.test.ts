import { describe, expect, it } from 'vitest';
import { OPUS_PARAMETERS, withOpusParameters } from './sdp.js';

/** The audio part of a description as Chromium makes it (shortened), CRLF line endings. */
const CHROMIUM = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
  'c=IN IP4 0.0.0.0',
  'a=mid:0',
  'a=sendrecv',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:126 telephone-event/8000',
  '',
].join('\r\n');

const fmtpOf = (sdp: string, pt: string) => sdp.split(/\r?\n/).filter((l) => l.startsWith(`a=fmtp:${pt} `));

describe('withOpusParameters', () => {
  it('sets FEC, mono and the bitrate cap in the Opus fmtp, keeping its other parameters', () => {
    const out = withOpusParameters(CHROMIUM);
    expect(fmtpOf(out, '111')).toEqual([
      'a=fmtp:111 minptime=10;useinbandfec=1;stereo=0;maxaveragebitrate=32000',
    ]);
  });

  it('leaves every other line, the other codecs and the CRLF line endings alone', () => {
    const out = withOpusParameters(CHROMIUM);
    const before = CHROMIUM.split('\r\n');
    const after = out.split('\r\n');
    expect(after).toHaveLength(before.length);
    expect(after.filter((l) => !l.startsWith('a=fmtp:111 '))).toEqual(
      before.filter((l) => !l.startsWith('a=fmtp:111 ')),
    );
    expect(out.endsWith('\r\n')).toBe(true);
    expect(out.replaceAll('\r\n', '')).not.toContain('\n');
  });

  it('overrides values the other side chose (stereo, no FEC, another bitrate)', () => {
    const sdp = CHROMIUM.replace(
      'a=fmtp:111 minptime=10;useinbandfec=1',
      'a=fmtp:111 minptime=10; useinbandfec=0;stereo=1;maxaveragebitrate=510000',
    );
    expect(fmtpOf(withOpusParameters(sdp), '111')).toEqual([
      'a=fmtp:111 minptime=10;useinbandfec=1;stereo=0;maxaveragebitrate=32000',
    ]);
  });

  it('adds an fmtp line after the rtpmap line when Opus has none', () => {
    const sdp = CHROMIUM.replace('a=fmtp:111 minptime=10;useinbandfec=1\r\n', '');
    const lines = withOpusParameters(sdp).split('\r\n');
    const rtpmap = lines.indexOf('a=rtpmap:111 opus/48000/2');
    expect(lines[rtpmap + 1]).toBe('a=fmtp:111 useinbandfec=1;stereo=0;maxaveragebitrate=32000');
  });

  it('handles every Opus payload type, any case, LF endings, and several media sections', () => {
    const sdp = [
      'v=0',
      'm=audio 9 UDP/TLS/RTP/SAVPF 109',
      'a=rtpmap:109 OPUS/48000/2',
      'm=audio 9 UDP/TLS/RTP/SAVPF 96',
      'a=rtpmap:96 opus/48000/2',
      'a=fmtp:96 maxplaybackrate=48000',
      '',
    ].join('\n');
    const out = withOpusParameters(sdp);
    expect(out).not.toContain('\r');
    expect(fmtpOf(out, '109')).toEqual(['a=fmtp:109 useinbandfec=1;stereo=0;maxaveragebitrate=32000']);
    expect(fmtpOf(out, '96')).toEqual([
      'a=fmtp:96 maxplaybackrate=48000;useinbandfec=1;stereo=0;maxaveragebitrate=32000',
    ]);
  });

  it('is idempotent, and leaves a description without Opus unchanged', () => {
    const once = withOpusParameters(CHROMIUM);
    expect(withOpusParameters(once)).toBe(once);
    const video = 'v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n';
    expect(withOpusParameters(video)).toBe(video);
    expect(withOpusParameters('')).toBe('');
  });

  it('takes other parameters when asked', () => {
    const out = withOpusParameters(CHROMIUM, { ...OPUS_PARAMETERS, maxaveragebitrate: '64000', usedtx: '1' });
    expect(fmtpOf(out, '111')).toEqual([
      'a=fmtp:111 minptime=10;useinbandfec=1;stereo=0;maxaveragebitrate=64000;usedtx=1',
    ]);
  });
});
