/**
 * Credentials written into a URL (`https://admin:secret@traefik.dev.example.com`). traefikctl never
 * takes them: the API's password comes from TRAEFIKCTL_TRAEFIK_PASSWORD or SSM only (DESIGN.md
 * "Security rules"). A URL is argv (`ps`, shell history, CI logs that echo commands) and is shown
 * in errors, headers, `status` and `--json`; a password in it would have to be hidden in each of
 * those places forever, and would be a second source of credentials beside traefik.username.
 */

// `scheme://` then the authority up to its last `@` (the WHATWG parser splits there too).
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;

/** The text with the user name and password of every URL in it replaced by `***`, parseable or not. */
export function redactUrl(text: string): string {
  return text.replace(USERINFO, '$1***@');
}

/** Whether the URL carries a user name or a password (`user@`, `:pw@`, `user:pw@`). */
export function hasUrlCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return redactUrl(url) !== url;
  }
}

/** Why a URL with credentials is refused and the ways to give the password instead (one list for every caller). */
export const URL_CREDENTIALS_REASON =
  "traefikctl takes the API's password only from the environment or SSM, never from a URL (where process lists, shell history and logs would show it).";

export function urlCredentialsSuggestions(where: string): string[] {
  return [
    `Remove the user name and password from ${where}.`,
    `Set the password in TRAEFIKCTL_TRAEFIK_PASSWORD, or store it in the SSM SecureString that traefik.passwordParameter names (default /traefikctl/<env>/traefik-api-password); the user name is traefik.username (default admin).`,
  ];
}
