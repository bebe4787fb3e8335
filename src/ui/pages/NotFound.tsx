export function NotFound() {
  return (
    <>
      <h1>Not found</h1>
      <p>
        There is no dashboard page here. <a href="/ui">Go to the overview</a>.
      </p>
    </>
  );
}
