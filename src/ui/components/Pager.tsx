import { useState } from 'preact/hooks';

export interface CursorPages {
  /** The cursor of the page shown; undefined for the first. */
  cursor: string | undefined;
  /** 1 for the first page. */
  number: number;
  previous: () => void;
  next: (cursor: string) => void;
}

/**
 * Where a list paged by the API's cursors is. The cursors of the pages before this one are kept, so that
 * Previous can go back: the API only ever says where the next page starts.
 */
export function useCursorPages(): CursorPages {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  return {
    cursor: cursors[cursors.length - 1],
    number: cursors.length,
    previous: () => {
      setCursors(cursors.slice(0, -1));
    },
    next: (cursor) => {
      setCursors([...cursors, cursor]);
    },
  };
}

/** Previous and Next under a list; Next is there while the page shown says a next one exists. */
export function Pager({ pages, nextCursor }: { pages: CursorPages; nextCursor: string | null | undefined }) {
  return (
    <nav aria-label="Pages" class="pager">
      <button type="button" class="secondary" disabled={pages.number === 1} onClick={pages.previous}>
        Previous
      </button>
      <span>Page {pages.number}</span>
      <button
        type="button"
        disabled={!nextCursor}
        onClick={() => {
          if (nextCursor) pages.next(nextCursor);
        }}
      >
        Next
      </button>
    </nav>
  );
}
