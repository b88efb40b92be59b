/**
 * `routes --watch` on a terminal with a router whose name carries escape sequences (issue 14): the
 * header, the rows and the detail pane show them, none reaches the terminal.
 */
import { render } from 'ink-testing-library';
import { afterEach, expect, it, vi } from 'vitest';

import { createRoutesSource } from '../../../src/lib/routes/source.js';
import { TraefikClient } from '../../../src/lib/traefik/client.js';
import { WatchApp } from '../../../src/ui/routes/WatchApp.js';
import { startTraefikServer, type TraefikTestServer } from '../../support/traefik-server.js';
import { controlsObeyed } from '../../support/terminal-controls.js';

const EVIL = 'evil\u001b]0;PWNED\u0007\u001b[2J';
const SHOWN = 'evil^[]0;PWNED^G^[[2J';

let server: TraefikTestServer | undefined;
let unmount: (() => void) | undefined;
afterEach(async () => {
  unmount?.();
  await server?.stop();
});

it('shows the escape sequences of a router name and of Traefik version in every pane', async () => {
  // given Traefik with a router named with escape sequences, and a version that has some too
  server = await startTraefikServer({
    data: {
      version: { Version: `3.7.9${EVIL}` },
      http: {
        routers: [
          {
            name: `${EVIL}@ecs`,
            provider: 'ecs',
            status: 'disabled',
            rule: `Host(\`${EVIL}.example.com\`)`,
            service: 'nowhere',
            error: [`the service "nowhere@ecs" does not exist ${EVIL}`],
          },
        ],
      },
    },
  });
  const url = server.url;
  const source = createRoutesSource({
    env: 'dev',
    client: (signal) => new TraefikClient({ apiUrl: url, retries: 0, timeoutMs: 1_000, signal }),
  });
  // when the watch view draws it, and its details are opened
  const view = render(
    <WatchApp
      source={source}
      intervalMs={250}
      filter={{}}
      width={160}
      height={20}
      color={false}
      onExit={() => undefined}
    />,
  );
  unmount = view.unmount;
  await vi.waitFor(() => expect(view.lastFrame()).toContain(SHOWN), { timeout: 8_000, interval: 20 });
  const table = view.lastFrame() ?? '';
  view.stdin.write('\r');
  await vi.waitFor(() => expect(view.lastFrame()).toContain('Errors'), { timeout: 8_000, interval: 20 });
  const details = view.lastFrame() ?? '';
  // then every frame shows them as text, and none would act on the terminal
  expect(table).toContain(`Traefik 3.7.9${SHOWN}`);
  expect(details).toContain(`${SHOWN}@ecs`);
  expect(details).toContain(`does not exist ${SHOWN}`);
  expect(view.frames.flatMap(controlsObeyed)).toEqual([]);
});
