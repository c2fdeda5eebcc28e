import Bowser from 'bowser';

export interface DeviceDescription {
  /** "Firefox 133", "Chrome 131", or "Unknown browser". */
  browser: string;
  /** "Windows 10", "macOS Sonoma", "Android 15", "Linux", or "Unknown system". */
  os: string;
}

const UNKNOWN: DeviceDescription = { browser: 'Unknown browser', os: 'Unknown system' };

/** Browser and system as a person recognises them, from the User-Agent a session logged in with. */
export function describeUserAgent(userAgent: string): DeviceDescription {
  if (userAgent.trim() === '') return UNKNOWN;
  let parsed: Bowser.Parser.ParsedResult;
  try {
    parsed = Bowser.parse(userAgent);
  } catch {
    return UNKNOWN;
  }
  const { browser, os } = parsed;
  const major = browser.version?.split('.')[0];
  // Windows by its marketing name ("10"), phones by their version; macOS alone, since browsers
  // froze its version in the user agent at 10.15.7.
  const osVersion =
    os.name === 'Windows'
      ? os.versionName
      : os.name === 'Android' || os.name === 'iOS'
        ? os.version
        : undefined;
  return {
    browser: browser.name ? [browser.name, major].filter(Boolean).join(' ') : UNKNOWN.browser,
    os: os.name ? [os.name, osVersion].filter(Boolean).join(' ') : UNKNOWN.os,
  };
}
