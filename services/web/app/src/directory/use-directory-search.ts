import { useEffect, useState } from 'react';
import { RestError } from '@conclave/client/rest';
import { DIRECTORY_SEARCH_MIN_LENGTH, type DirectorySearchEntry } from '@conclave/protocol';
import { accessToken, authClient } from '../session';

/** Wait after the last keystroke before searching: one request per pause, not per letter. */
const DEBOUNCE_MS = 250;

export type DirectorySearchStatus = 'idle' | 'searching' | 'done' | 'failed' | 'throttled';

/** The directory entries matching `text` (debounced; an answer to an older text is dropped). */
export function useDirectorySearch(
  text: string,
  kind: 'user' | 'group' | undefined,
): { entries: DirectorySearchEntry[]; status: DirectorySearchStatus } {
  const [state, setState] = useState<{ entries: DirectorySearchEntry[]; status: DirectorySearchStatus }>({
    entries: [],
    status: 'idle',
  });
  useEffect(() => {
    const q = text.trim();
    if (q.length < DIRECTORY_SEARCH_MIN_LENGTH) {
      setState({ entries: [], status: 'idle' });
      return;
    }
    let stale = false;
    setState((previous) => ({ ...previous, status: 'searching' }));
    const timer = setTimeout(() => {
      void (async () => {
        try {
          const reply = await authClient.searchDirectory(await accessToken(), {
            q,
            ...(kind !== undefined ? { kind } : {}),
          });
          if (!stale) setState({ entries: reply.entries, status: 'done' });
        } catch (error) {
          if (stale) return;
          const throttled = error instanceof RestError && error.code === 'rate_limited';
          setState({ entries: [], status: throttled ? 'throttled' : 'failed' });
        }
      })();
    }, DEBOUNCE_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [text, kind]);
  return state;
}
