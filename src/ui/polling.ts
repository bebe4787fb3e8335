import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { HookrelayApiError } from '../client';

/** Read afresh at each call: the tab may have been hidden while a load was answering. */
function isVisible(): boolean {
  return document.visibilityState === 'visible';
}

/** What is not there will not appear by asking again: a 404 ends the polling until the inputs change. */
function isFinal(error: unknown): boolean {
  return error instanceof HookrelayApiError && error.status === 404;
}

function sameInputs(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, index) => Object.is(value, b[index]));
}

export interface Polled<T> {
  data: T | undefined;
  error: unknown;
  /** True while a load for the current inputs has not answered yet. */
  loading: boolean;
  /** Loads again now, e.g. after an action changed what is shown. */
  reload: () => void;
}

interface Answer<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** The inputs the data and error were loaded for. */
  inputs: readonly unknown[];
}

/**
 * Loads `load` now and again every `intervalMs` while the tab is visible. The next load is planned only once
 * the previous one has answered, so a slow API gets fewer requests rather than a pile of them; a hidden tab
 * asks nothing and catches up as soon as it is shown again. A change of `inputs` starts over at once, with
 * nothing of what the previous inputs loaded: another hook's figures must not pass for this one's.
 * A 401 needs nothing here: the session's client signs out on it.
 */
export function usePolling<T>(
  load: () => Promise<T>,
  intervalMs: number,
  inputs: readonly unknown[],
): Polled<T> {
  const [answer, setAnswer] = useState<Answer<T>>({
    data: undefined,
    error: undefined,
    loading: true,
    inputs,
  });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let stopped = false;
    /** After a final answer, not even a tab shown again asks anew. */
    let answeredForGood = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;
    setAnswer((previous) => ({ ...previous, loading: true }));

    const tick = async () => {
      timer = undefined;
      if (answeredForGood || !isVisible() || inFlight) return;
      inFlight = true;
      try {
        const data = await loadRef.current();
        if (!stopped) setAnswer({ data, error: undefined, loading: false, inputs });
      } catch (error) {
        if (stopped) return;
        setAnswer((previous) => ({
          data: sameInputs(previous.inputs, inputs) ? previous.data : undefined,
          error,
          loading: false,
          inputs,
        }));
        answeredForGood = isFinal(error);
      } finally {
        inFlight = false;
      }
      if (!stopped && !answeredForGood && isVisible()) timer = setTimeout(() => void tick(), intervalMs);
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
  }, [...inputs, generation, intervalMs]);

  const reload = useCallback(() => {
    setGeneration((value) => value + 1);
  }, []);
  // Until the first load for new inputs answers, the previous inputs' answer is not shown.
  const current = sameInputs(answer.inputs, inputs)
    ? answer
    : { data: undefined, error: undefined, loading: true };
  return { data: current.data, error: current.error, loading: current.loading, reload };
}
