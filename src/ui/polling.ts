import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { HookrelayApiError } from '../client';
import { useSession } from './session';

/** Read afresh at each call: the tab may have been hidden while a load was answering. */
function isVisible(): boolean {
  return document.visibilityState === 'visible';
}

export interface Polled<T> {
  data: T | undefined;
  error: unknown;
  /** True while a load for the current inputs has not answered yet. */
  loading: boolean;
  /** Loads again now, e.g. after an action changed what is shown. */
  reload: () => void;
}

/**
 * Loads `load` now and again every `intervalMs` while the tab is visible. The next load is planned only once
 * the previous one has answered, so a slow API gets fewer requests rather than a pile of them; a hidden tab
 * asks nothing and catches up as soon as it is shown again. A change of `inputs` starts over at once.
 */
export function usePolling<T>(
  load: () => Promise<T>,
  intervalMs: number,
  inputs: readonly unknown[],
): Polled<T> {
  const { signOut } = useSession();
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;
    setState((previous) => ({ ...previous, loading: true }));

    const tick = async () => {
      timer = undefined;
      if (!isVisible() || inFlight) return;
      inFlight = true;
      try {
        const data = await loadRef.current();
        if (!stopped) setState({ data, error: undefined, loading: false });
      } catch (error) {
        if (stopped) return;
        if (error instanceof HookrelayApiError && error.status === 401) {
          signOut('The API no longer accepts this key. Sign in again.');
          return;
        }
        setState((previous) => ({ ...previous, error, loading: false }));
      } finally {
        inFlight = false;
      }
      if (!stopped && isVisible()) timer = setTimeout(() => void tick(), intervalMs);
    };
    const onVisibility = () => {
      if (isVisible() && timer === undefined) void tick();
    };

    document.addEventListener('visibilitychange', onVisibility);
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [...inputs, generation, intervalMs, signOut]);

  const reload = useCallback(() => {
    setGeneration((value) => value + 1);
  }, []);
  return { ...state, reload };
}
