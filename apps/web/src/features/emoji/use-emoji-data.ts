import { useEffect, useState } from 'react';
import { type EmojiData, loadEmoji } from './emoji-data';

/** The emoji data once its chunk has loaded (undefined until then); `wanted` false defers the load. */
export function useEmojiData(wanted = true): EmojiData | undefined {
  const [data, setData] = useState<EmojiData>();
  useEffect(() => {
    if (!wanted || data) return;
    let live = true;
    loadEmoji().then((d) => {
      if (live) setData(d);
    });
    return () => {
      live = false;
    };
  }, [wanted, data]);
  return data;
}
