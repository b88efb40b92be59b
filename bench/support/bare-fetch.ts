/**
 * The baseline of the routes bench: a bare loop of `fetch` calls over the pages `routes` read, each
 * body parsed as JSON, nothing else. Returns the number of items seen.
 */
export async function fetchAll(urls: readonly string[]): Promise<number> {
  let items = 0;
  for (const url of urls) {
    const response = await fetch(url, { headers: { accept: 'application/json' } });
    const body: unknown = await response.json();
    if (Array.isArray(body)) items += body.length;
  }
  return items;
}
